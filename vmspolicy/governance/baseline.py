"""Baselines: today's findings recorded in a file, so that a gate reports only new ones.

Format (``schemas/baseline.schema.json``)::

    {"version": 1, "tool": "vmspolicy 0.1.0", "as_of": "2026-11-28",
     "findings": [{"fingerprint": "...", "rule": "VP103", "path": "estate/hq.yaml",
                   "subject": "cam-1", "message": "..."}]}

Entries are matched by :func:`~vmspolicy.governance.fingerprint.fingerprint`
only; the other fields are there for the person reviewing the file. The same
fingerprint may appear several times: each entry absorbs one finding, so a
second identical violation is still reported.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Collection, Iterable, Sequence

from vmspolicy.core import codes
from vmspolicy.core.findings import Finding, Suppression
from vmspolicy.core.records import record
from vmspolicy.core.schemas import validate
from vmspolicy.core.source import Location
from vmspolicy.core.text import ParseError
from vmspolicy.core.yaml_events import load_documents
from vmspolicy.governance.fingerprint import fingerprint

if TYPE_CHECKING:
    from vmspolicy.analysis.context import CheckContext
    from vmspolicy.core.rule import Rule

BASELINE_VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be used; the message starts with ``path[:line:col]``."""


@record(frozen=True, slots=True)
class BaselineEntry:
    fingerprint: str
    rule: str
    path: str
    subject: str | None
    message: str

    @classmethod
    def of(cls, finding: Finding) -> BaselineEntry:
        return cls(fingerprint(finding), finding.rule, finding.path, finding.subject, finding.message)

    def to_json(self) -> dict[str, Any]:
        return {"fingerprint": self.fingerprint, "rule": self.rule, "path": self.path, "subject": self.subject, "message": self.message}


@record(frozen=True, slots=True)
class Baseline:
    path: str
    entries: tuple[BaselineEntry, ...]


def never_recorded(rules: Iterable[type[Rule]]) -> frozenset[str]:
    """The codes of the rules whose findings no baseline records or absorbs (``Rule.baselinable``).

    An unreadable file (VP001), restricted equipment (VP1xx) and isolation
    (VP2xx, VP502): a baseline has no reason, approver or expiry, so what the
    regime says must be fixed or waived never hides behind one.
    """
    return frozenset(rule.code for rule in rules if not rule.baselinable)


def restricted_records(ctx: CheckContext) -> frozenset[str]:
    """The devices judged restricted: no baseline holds a schema violation (VP002) of their records.

    Such a record does not say what its author meant, and what it means (an
    install date, a status, services) decides whether the device may stay at
    all: it is fixed, not deferred. Its vendor and isolation findings are never
    baselined anyway; this keeps the broken field itself in sight too.
    """
    from vmspolicy.analysis import policy

    return frozenset(device for device, judgement in policy.judgements(ctx).items() if judgement.restricted)


def recordable(finding: Finding, never: Collection[str], restricted: Collection[str] = ()) -> bool:
    """Whether ``finding`` belongs in a baseline: unsuppressed, of a rule a baseline may hold, not about a broken restricted record.

    A VP002 that names no record is never held either: the count of the errors not listed one
    by one, or an item where a record belongs (a camera written as the text
    ``"Hikvision DS-2CD2143G0-I"``), which no rule can judge, so it may hide restricted equipment.
    """
    if finding.suppressed is not None or finding.rule in never:
        return False
    if finding.rule == codes.SCHEMA_VIOLATION.code:
        return finding.subject is not None and finding.subject not in restricted
    return True


def read_baseline(path: str) -> Baseline:
    """Read and validate a baseline file; raises :class:`BaselineError` with file:line:col."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such baseline file (create it with `vmspolicy baseline --output {path}`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}:{exc.lineno}:{exc.colno}: not a JSON baseline: {exc.msg}") from None
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION:
        raise BaselineError(
            f"{path}:1:1: not a vmspolicy baseline of version {BASELINE_VERSION} "
            "(expected an object with \"version\": 1 and \"findings\": [...]; write one with `vmspolicy baseline`)"
        )
    try:
        located = load_documents(text.replace("\t", " "), json_mode=True)[0]
    except ParseError as exc:
        raise BaselineError(f"{path}:{exc.line}:{exc.column}: not a JSON baseline: {exc.message}") from None
    errors = validate("baseline", located)
    if errors:
        first = errors[0]
        raise BaselineError(f"{path}:{first.pos[0]}:{first.pos[1]}: invalid baseline: {first.message}")
    entries = [
        BaselineEntry(item["fingerprint"], item["rule"], item.get("path", ""), item.get("subject"), item.get("message", ""))
        for item in data["findings"]
    ]
    return Baseline(path, tuple(entries))


def render_baseline(entries: Sequence[BaselineEntry], *, version: str, as_of: str) -> str:
    """The file's text: deterministic (sorted), one entry per finding."""
    ordered = sorted(entries, key=lambda e: (e.path, e.rule, e.subject or "", e.fingerprint, e.message))
    data = {
        "version": BASELINE_VERSION,
        "tool": f"vmspolicy {version}",
        "as_of": as_of,
        "findings": [e.to_json() for e in ordered],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` at once: a reader never sees half a file."""
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    import tempfile  # only when a baseline is written

    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o7777)
        else:
            # mkstemp makes a private file (0600); a baseline or a fixed manifest is meant to be committed
            # and shared, so it gets the mode any new file gets here.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def apply_baseline(
    findings: Sequence[Finding], baseline: Baseline, never: Collection[str], restricted: Collection[str] = ()
) -> list[Finding]:
    """Mark the findings the baseline recorded; each entry absorbs at most one finding.

    A finding of a rule in ``never``, or a schema violation of a ``restricted`` device's record
    (:func:`restricted_records`), is not absorbed even when an (edited or older) baseline lists it.
    """
    remaining = Counter(e.fingerprint for e in baseline.entries)
    out: list[Finding] = []
    for finding in sorted(findings, key=Finding.sort_key):
        if recordable(finding, never, restricted):
            key = fingerprint(finding)
            if remaining[key] > 0:
                remaining[key] -= 1
                finding = finding.suppress(Suppression(
                    "baseline", f"recorded in the baseline {baseline.path}", Location(baseline.path), baseline.path
                ))
        out.append(finding)
    return out


@record(frozen=True, slots=True)
class BaselineUpdate:
    kept: tuple[BaselineEntry, ...]
    fixed: tuple[BaselineEntry, ...]  # recorded before, no longer found: dropped
    new: tuple[BaselineEntry, ...]  # found now, not recorded


def reconcile(
    previous: Sequence[BaselineEntry], current: Sequence[Finding], never: Collection[str], restricted: Collection[str] = ()
) -> BaselineUpdate:
    """Compare a baseline with today's recordable findings."""
    found = Counter(fingerprint(f) for f in current if recordable(f, never, restricted))
    kept: list[BaselineEntry] = []
    fixed: list[BaselineEntry] = []
    for entry in previous:
        if found[entry.fingerprint] > 0:
            found[entry.fingerprint] -= 1
            kept.append(entry)
        else:
            fixed.append(entry)
    new: list[BaselineEntry] = []
    for finding in sorted(current, key=Finding.sort_key):
        if not recordable(finding, never, restricted):
            continue
        key = fingerprint(finding)
        if found[key] > 0:
            found[key] -= 1
            new.append(BaselineEntry.of(finding))
    return BaselineUpdate(tuple(kept), tuple(fixed), tuple(new))
