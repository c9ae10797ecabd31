"""Inline suppressions: ``# vmspolicy: ignore[VP103] reason="..." until=2027-06-30`` in YAML comments.

Scope (what a suppression covers):

- A comment on the first line of an *entry* (an item of a list: a camera, a
  waiver, a firewall rule...) covers every finding located inside that entry.
- A comment alone on its line covers the line directly below it, skipping
  further comment-only lines (so several suppressions can stack); when that
  line starts an entry, it covers the whole entry. The comment therefore moves
  with its entry when entries are reordered. A blank line ends the scope.
- A comment at the end of any other line covers the findings on that line.

Nothing wider exists: there is no file-wide or blanket suppression, and the
codes must be named. JSON has no comments, so JSON manifests have no inline
suppressions (use a waiver).

What a comment may excuse is narrower than what a waiver may: only rules that
declare ``inline_suppressible`` (never restricted equipment or isolation,
which need a waiver's approver). It must end: ``until=`` is required and may
lie no further ahead than the longest waiver of the strictest pack the run
applies, so a comment is never a longer exception than an approved waiver.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from vmspolicy.analysis.catalog import RuleCatalog, rule_catalog
from vmspolicy.analysis.justification import is_missing
from vmspolicy.analysis.waivers import DEFAULT_MAX_WAIVER_MONTHS, Problem, add_months
from vmspolicy.core.findings import Finding
from vmspolicy.core.records import record
from vmspolicy.core.source import Document, LocatedMap, LocatedSeq, Location

if TYPE_CHECKING:
    from vmspolicy.analysis.context import CheckContext

_DIRECTIVE = re.compile(r"#\s*vmspolicy\s*:\s*(?P<word>[A-Za-z][\w-]*)(?P<rest>.*)$")
# Any directive at all in a file: most files have none, and then scanning them line by line is wasted.
_ANY_DIRECTIVE = re.compile(r"#\s*vmspolicy\s*:")
_CODES = re.compile(r"\s*\[(?P<codes>[^\]]*)\](?P<rest>.*)$")
_PAIR = re.compile(r"\s*(?P<key>[A-Za-z_]+)\s*=\s*(?P<value>\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'|[^\s\"']+)")
EXAMPLE = '# vmspolicy: ignore[VP401] reason="Lab camera, password rotated weekly" until=2027-06-30'


@record(frozen=True, slots=True)
class InlineTerms:
    """What bounds a suppression's ``until=``: the as-of date and the longest waiver of the strictest pack."""

    as_of: dt.date
    months: int = DEFAULT_MAX_WAIVER_MONTHS
    pack: str | None = None  # the pack that set ``months``; None: the default

    @property
    def latest(self) -> dt.date:
        """The last ``until=`` day allowed as of ``as_of``."""
        return add_months(self.as_of, self.months)

    def describe(self) -> str:
        source = f"pack {self.pack} allows" if self.pack else "allowed when no pack says otherwise"
        return f"the {self.months} months {source} for a waiver"


@record(frozen=True, slots=True)
class InlineSuppression:
    """One ``# vmspolicy: ignore[...]`` comment and the lines it covers."""

    location: Location  # the comment's ``#``
    codes: tuple[str, ...]
    reason: str | None
    until: dt.date | None
    first_line: int  # the covered lines, inclusive; 0..-1 when it covers nothing
    last_line: int
    problems: tuple[Problem, ...] = ()

    @property
    def holds(self) -> bool:
        return not self.problems

    def covers(self, finding: Finding) -> bool:
        return (
            finding.path == self.location.path
            and finding.rule in self.codes
            and self.first_line <= finding.line <= self.last_line
        )

    def justification(self) -> str:
        until = f" (until {self.until.isoformat()})" if self.until else ""
        return f"{self.reason}{until}"


def inline_suppressions(ctx: CheckContext) -> list[InlineSuppression]:
    """Every inline suppression in the run's YAML files, assessed as of ``ctx.as_of`` (once per run)."""
    return ctx.analyses.inline_suppressions


def inline_terms(ctx: CheckContext) -> InlineTerms:
    """The run's :class:`InlineTerms`: the smallest ``max_waiver_months`` of the packs it applies.

    A comment may sit anywhere in any file, so it is bounded by the strictest
    pack of the run rather than by the pack of whatever it happens to cover.
    """
    return ctx.analyses.inline_terms


def terms(ctx: CheckContext) -> InlineTerms:
    from vmspolicy.analysis import policy

    limits = sorted((p.max_waiver_months, p.id) for p in policy.applied_packs(ctx))
    if not limits:
        return InlineTerms(ctx.as_of)
    months, pack = limits[0]
    return InlineTerms(ctx.as_of, months, pack)


def scan_all(ctx: CheckContext) -> list[InlineSuppression]:
    catalog = rule_catalog(ctx)
    terms = inline_terms(ctx)
    by_path: dict[str, list[Document]] = {}
    # A comment suppresses findings of its own file only: those of files whose findings are not reported are not read.
    for doc in ctx.documents if ctx.reported is None else [d for d in ctx.documents if d.path in ctx.reported]:
        by_path.setdefault(doc.path, []).append(doc)
    found: list[InlineSuppression] = []
    for path, docs in by_path.items():
        if not path.lower().endswith((".yaml", ".yml")):
            continue
        text = next((d.text for d in docs if d.text is not None), None) or _read(path)
        if text is None or not _ANY_DIRECTIVE.search(text):
            continue
        entries = _entry_spans([d.data for d in docs])
        found.extend(scan_text(path, text, entries, catalog, terms))
    return found


def _read(path: str) -> str | None:
    # Comments are not part of the located data. Loaders keep the text on the Document;
    # for one that does not, the file is read again by its display path (relative to the
    # working directory).
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def _entry_spans(roots: Sequence[Any]) -> dict[int, int]:
    """First line of each list-item mapping → the last line inside it (the widest if several start there)."""
    spans: dict[int, int] = {}

    def last_line(node: Any) -> int:
        line = 0
        if isinstance(node, LocatedMap):
            line = node.pos[0]
            for key in node:
                line = max(line, node.where_key(key)[0], node.where(key)[0], last_line(node[key]))
        elif isinstance(node, LocatedSeq):
            line = node.pos[0]
            for index, item in enumerate(node):
                line = max(line, node.where(index)[0], last_line(item))
        return line

    def walk(node: Any) -> None:
        if isinstance(node, LocatedMap):
            for value in node.values():
                walk(value)
        elif isinstance(node, LocatedSeq):
            for index, item in enumerate(node):
                if isinstance(item, LocatedMap):
                    start = node.where(index)[0]
                    spans[start] = max(spans.get(start, start), last_line(item))
                walk(item)

    for root in roots:
        walk(root)
    return spans


def _comment_start(line: str) -> int:
    """Index of the ``#`` that starts a YAML comment on ``line``, or -1 (quotes are respected)."""
    if "#" not in line:
        return -1
    quote = ""
    index = 0
    while index < len(line):
        ch = line[index]
        if quote == '"':
            if ch == "\\":
                index += 1
            elif ch == '"':
                quote = ""
        elif quote == "'":
            if ch == "'" and line[index + 1 : index + 2] == "'":
                index += 1  # '' is an escaped quote inside a single-quoted scalar
            elif ch == "'":
                quote = ""
        elif ch in "\"'" and (index == 0 or line[index - 1] in " \t[{,:-"):
            quote = ch
        elif ch == "#" and (index == 0 or line[index - 1] in " \t"):
            return index
        index += 1
    return -1


def scan_text(path: str, text: str, entries: dict[int, int], catalog: RuleCatalog, terms: InlineTerms) -> list[InlineSuppression]:
    """The inline suppressions in one YAML file's text; ``entries`` maps entry first lines to last lines."""
    lines = text.splitlines()
    comment_at = [_comment_start(line) for line in lines]
    out: list[InlineSuppression] = []
    for number, line in enumerate(lines, start=1):
        start = comment_at[number - 1]
        if start < 0:
            continue
        match = _DIRECTIVE.match(line, start)
        if match is None:
            continue
        location = Location(path, number, start + 1)
        own_line = not line[:start].strip()
        anchor = number
        if own_line:
            anchor = number + 1
            while anchor <= len(lines) and comment_at[anchor - 1] >= 0 and not lines[anchor - 1][: comment_at[anchor - 1]].strip():
                anchor += 1
            if anchor > len(lines) or not lines[anchor - 1].strip():
                anchor = 0  # nothing directly below: it covers nothing
        first, last = (anchor, entries.get(anchor, anchor)) if anchor else (0, -1)
        suppression = _parse(match.group("word"), match.group("rest"), location, catalog, terms, first, last)
        if suppression is not None:
            out.append(suppression)
    return out


def _parse(word: str, rest: str, location: Location, catalog: RuleCatalog, terms: InlineTerms,
           first: int, last: int) -> InlineSuppression | None:
    problems: list[tuple[str, str]] = []  # (message, evidence)
    codes: list[str] = []
    reason: str | None = None
    until: dt.date | None = None
    unreadable = False  # a pair that could not be read may have been the missing reason or until
    if word.lower() != "ignore":
        if not rest.lstrip().startswith("["):
            return None  # prose that happens to start with "vmspolicy:", not a directive
        problems.append((f"unknown directive {word!r}: the only one is ignore[CODE]", f"directive:{word}"))
    else:
        bracket = _CODES.match(rest)
        if bracket is None:
            problems.append(("it names no rule: write ignore[CODE], a blanket ignore is not allowed", "no-codes"))
        else:
            codes = [c.strip().upper() for c in re.split(r"[,\s]+", bracket.group("codes")) if c.strip()]
            if not codes:
                problems.append(("it names no rule: write ignore[CODE], a blanket ignore is not allowed", "no-codes"))
            rest = bracket.group("rest")
            waiver_only = [code for code in codes if code in catalog.waivable and code not in catalog.inline]
            if waiver_only:
                named = ", ".join(waiver_only)
                problems.append((
                    f"{named} {'is' if len(waiver_only) == 1 else 'are'} excused only by a waiver "
                    "(reason, approver, expiry), never by a comment",
                    f"waiver-only:{','.join(waiver_only)}",
                ))
            for code in codes:
                if code not in catalog.known:
                    problems.append((f"{code} is not a rule", f"unknown:{code}"))
                elif code not in catalog.inline and code not in waiver_only:
                    only = catalog.describe_inline()
                    problems.append((f"{code} cannot be suppressed, only {only} can", f"unwaivable:{code}"))
            position = 0
            while rest[position:].strip():
                pair = _PAIR.match(rest, position)
                if pair is None:
                    problems.append((f"cannot read {rest[position:].strip()!r}: write key=value, e.g. reason=\"...\"", "syntax"))
                    unreadable = True
                    break
                key, value = pair.group("key").lower(), _unquote(pair.group("value"))
                if key == "reason":
                    reason = value
                elif key == "until":
                    try:
                        until = dt.date.fromisoformat(value)
                    except ValueError:
                        problems.append((f"until={value!r} is not a date (YYYY-MM-DD)", "until"))
                        unreadable = True
                else:
                    problems.append((f"unknown key {key!r} (reason, until)", f"key:{key}"))
                position = pair.end()
    # A reason or an end date matters only for a code a comment may excuse: asking for them on a
    # comment that can never hold would send its author the wrong way.
    if word.lower() == "ignore" and (not codes or any(code in catalog.inline for code in codes)):
        as_of, latest = terms.as_of, terms.latest
        if is_missing(reason) and not (unreadable and reason is None):
            blank = " (only invisible characters)" if reason else ""
            problems.append((f'it gives no reason{blank}: add reason="why this finding is acceptable for now"', "no-reason"))
        if until is None and not unreadable:
            problems.append((f"it gives no end date: add until=YYYY-MM-DD, {latest.isoformat()} at the latest ({terms.describe()})", "no-until"))
        elif until is not None and until < as_of:
            problems.append((f"it expired on {until.isoformat()}, before the as-of date {as_of.isoformat()}", f"expired:{until.isoformat()}"))
        elif until is not None and until > latest:
            problems.append((
                f"until={until.isoformat()} is further ahead than {terms.describe()} "
                f"(as of {as_of.isoformat()}: {latest.isoformat()} at the latest)",
                f"too-long:{terms.months}",
            ))
    return InlineSuppression(
        location=location,
        codes=tuple(codes),
        reason=reason,
        until=until,
        first_line=first,
        last_line=last,
        problems=tuple(Problem(location, message, evidence) for message, evidence in problems),
    )


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value
