"""The library choices behind the parse and validate stages, measured on one estate.

For the same file it times (CPU seconds of this process, best of ``--repeat``):
PyYAML's libyaml ``load`` (the floor) and ``compose`` (nodes with marks),
vmspolicy's event reader (``vmspolicy.core.yaml_events``), ruamel.yaml's
C-backed safe load and its pure-Python round-trip load; then JSON Schema
validation of the loaded data by ``jsonschema`` (the reference the schemas are
tested with) and by ``jsonschema-rs`` (what ``vmspolicy check`` uses).

    python benchmarks/parsers.py benchmarks/out/estate-10000.yaml
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent


def cpu_seconds(call: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        call()
        best = min(best, time.process_time() - start)
    return best


def _ruamel_parser() -> str:
    import importlib.util

    # ruamel.yaml 0.19 no longer pulls its C extension in by default: say which parser ran.
    return "C parser" if importlib.util.find_spec("_ruamel_yaml") else "pure Python: ruamel.yaml.clib not installed"


def measure(path: Path, repeat: int, slow: bool) -> list[tuple[str, str, float | None]]:
    import jsonschema
    import jsonschema_rs
    import yaml
    from ruamel.yaml import YAML

    from vmspolicy.core.yaml_events import load_documents

    text = path.read_text(encoding="utf-8")
    loader = yaml.CSafeLoader
    rows: list[tuple[str, str, float | None]] = [
        ("parse", "PyYAML + libyaml `yaml.load(CSafeLoader)` (the floor)", cpu_seconds(lambda: yaml.load(text, Loader=loader), repeat)),
        ("parse", "PyYAML + libyaml `yaml.compose` (nodes with line/column)", cpu_seconds(lambda: yaml.compose(text, Loader=loader), repeat)),
        ("parse", "vmspolicy: libyaml events → located data (`yaml_events`)", cpu_seconds(lambda: load_documents(text), repeat)),
        ("parse", f"ruamel.yaml `typ='safe'` load ({_ruamel_parser()})", cpu_seconds(lambda: YAML(typ="safe").load(text), repeat)),
        ("parse", "ruamel.yaml round-trip load (comments kept; pure Python)",
         cpu_seconds(lambda: YAML(typ="rt").load(text), 1) if slow else None),
    ]
    schema = json.loads((ROOT / "schemas" / "manifest.schema.json").read_text(encoding="utf-8"))
    data = load_documents(text)[0]
    reference = jsonschema.validators.validator_for(schema)
    checker = reference(schema, format_checker=reference.FORMAT_CHECKER)
    fast = jsonschema_rs.validator_for(schema, validate_formats=True)
    rows += [
        ("validate", "jsonschema (reference; formats checked)", cpu_seconds(lambda: list(checker.iter_errors(data)), 1 if not slow else repeat)),
        ("validate", "jsonschema-rs (formats checked)", cpu_seconds(lambda: fast.is_valid(data), repeat)),
    ]
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="a manifest (benchmarks/generate.py writes one)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions, best kept (default 3)")
    parser.add_argument("--no-slow", action="store_true", help="skip ruamel.yaml's round-trip load")
    args = parser.parse_args(argv)
    size = args.path.stat().st_size / 1e6
    print(f"{args.path.name} ({size:.1f} MB), CPU seconds, best of {args.repeat}:\n")
    print("| stage | library and call | CPU s |\n|---|---|--:|")
    for stage, what, seconds in measure(args.path, args.repeat, slow=not args.no_slow):
        print(f"| {stage} | {what} | {'-' if seconds is None else f'{seconds:.2f}'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
