"""Identification measured on public model lists: recall per family and brand, false positives per maker.

The lists are in ``tests/data/catalog/``, each with its source (repository,
path, commit) and the date it was taken in its header. Every restricted list
is split in two by a hash of the model: the *write* part, which the catalog's
model patterns were written from, and the *held-out* part, which they were
not; the recall that counts is the held-out one. Two kinds of list:

- ``catalog``: a maker's own list (Hikvision's download centre) or a curated
  library (NetBox device types): model numbers as the maker writes them;
- ``field``: what users typed into a camera database (typos, truncated
  models, another maker's model under a brand): reported, never gated.

Every model is identified from the model alone (no vendor, MAC or URL). The
other makers' list counts a false positive for any restricted family
established, per maker.

    python benchmarks/identification.py            # the table
    python benchmarks/identification.py --misses   # ... and the write part's misses (for writing patterns)
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

CATALOG = Path(__file__).resolve().parent.parent / "tests" / "data" / "catalog"
# Cameras as users typed them, and network equipment (Juniper, Aruba, Cisco...) as a curated library lists it.
OTHER_MAKERS = ("field-other-makers.txt", "netbox-network-makers.txt")


def heldout_by_hash(model: str) -> bool:
    """The split: a model is held out when the first byte of SHA-1 of its case-folded text is divisible by 4."""
    return hashlib.sha1(model.casefold().encode("utf-8")).digest()[0] % 4 == 0


@dataclass(frozen=True)
class ModelList:
    """One list file: its name, family, kind (catalog or field), part (write or held-out) and models."""

    name: str
    family: str
    kind: str
    part: str
    models: tuple[str, ...]


@dataclass(frozen=True)
class Recall:
    name: str
    kind: str
    part: str
    total: int
    found: int
    misses: tuple[str, ...]

    @property
    def rate(self) -> float:
        return self.found / self.total if self.total else 1.0


def _header(lines: list[str], key: str) -> str:
    for line in lines:
        if line.startswith("# ") and f"{key}: " in line:
            return line.split(f"{key}: ", 1)[1].split(".")[0].strip()
    raise ValueError(f"no '{key}:' in the header")


def restricted_lists(folder: Path = CATALOG) -> list[ModelList]:
    """Every restricted list, write and held-out parts."""
    out = []
    for path in sorted([*folder.glob("*.write.txt"), *folder.glob("*.heldout.txt")]):
        lines = path.read_text(encoding="utf-8").splitlines()
        name, part, _ = path.name.rsplit(".", 2)
        models = tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))
        kind = _header(lines, "Kind").split(" ")[0]  # catalog | field
        out.append(ModelList(name, _header(lines, "Family"), kind, part, models))
    return out


def other_makers(folder: Path = CATALOG) -> list[tuple[str, str]]:
    """(maker, model) of the makers that no pack restricts, from every list of them."""
    lines = [line for name in OTHER_MAKERS for line in (folder / name).read_text(encoding="utf-8").splitlines()]
    return [tuple(line.split("\t", 1)) for line in lines if line.strip() and not line.startswith("#")]  # type: ignore[misc]


def recall(model_list: ModelList) -> Recall:
    from vmspolicy.analysis.identify import identify

    misses = tuple(m for m in model_list.models if identify(model=m).family != model_list.family)
    return Recall(model_list.name, model_list.kind, model_list.part, len(model_list.models), len(model_list.models) - len(misses), misses)


def false_positives(pairs: list[tuple[str, str]]) -> tuple[Counter[str], Counter[str], list[tuple[str, str, str]]]:
    """Models per maker, false positives per maker, and each false positive (maker, model, family)."""
    from vmspolicy.analysis.identify import identify

    totals: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    found = []
    for maker, model in pairs:
        totals[maker] += 1
        family = identify(model=model).family
        if family is not None:
            flagged[maker] += 1
            found.append((maker, model, family))
    return totals, flagged, found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--misses", action="store_true", help="list the write parts' misses")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print("| list | kind | family | write: recall | held out: recall |")
    print("|---|---|---|---|---|")
    results: dict[str, dict[str, Recall]] = {}
    families: dict[str, str] = {}
    for model_list in restricted_lists():
        results.setdefault(model_list.name, {})[model_list.part] = recall(model_list)
        families[model_list.name] = model_list.family
    for name, parts in results.items():
        cells = [f"{parts[p].rate:.1%} of {parts[p].total}" for p in ("write", "heldout")]
        print(f"| {name} | {parts['write'].kind} | {families[name]} | {cells[0]} | {cells[1]} |")
    pairs = other_makers()
    totals, flagged, found = false_positives(pairs)
    print()
    print(f"Other makers: {len(totals)} makers, {sum(totals.values())} models, {sum(flagged.values())} false positives.")
    for maker in sorted(flagged):
        print(f"  {maker}: {flagged[maker]} of {totals[maker]}")
    for maker, model, family in found:
        print(f"    {maker} {model!r} -> {family}")
    models = sum(r.total for parts in results.values() for r in parts.values()) + len(pairs)
    print(f"\n{models} models identified in {time.perf_counter() - started:.2f} s")
    if args.misses:
        for name, parts in results.items():
            if parts["write"].misses:
                print(f"\n{name} (write part) misses:", *parts["write"].misses, sep="\n  ")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    raise SystemExit(main())
