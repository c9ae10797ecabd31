"""Every rule's documented examples run: the failing example makes the rule speak, the passing one silences it.

A documentation example is a fragment (a camera, a firewall rule, a waiver), so each
runs inside a small estate kept in ``tests/rule_docs/<CODE>/fails/`` (and ``use/``
when the rule's "Use instead" has a code block): one file of it holds a line
``# @example`` (or ``<!-- @example -->`` in XML) where the fragment goes, at that
line's indentation; an ``options`` file holds the command line's options. So the
documentation cannot drift from what the rule does.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import textwrap
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from vmspolicy.cli import main
from vmspolicy.run.plugin_contract import RULE_DOC_SECTIONS
from vmspolicy.run.plugins import load_plugins

CONTEXTS = Path(__file__).parent / "rule_docs"
MARKER = re.compile(r"^(?P<indent>[ \t]*)(?:# @example|<!-- @example -->)[ \t]*$", re.M)
RULES = {rule.code: rule for rule in load_plugins(entry_points_enabled=False).rules()}


def example(code: str, section: str) -> str | None:
    """The first code block of ``section`` in the rule's documentation, dedented (None: the section has none)."""
    doc = RULES[code].documentation()
    headings = "|".join(re.escape(heading) for heading in RULE_DOC_SECTIONS)
    parts = re.split(rf"^({headings})[ \t]*$", doc, flags=re.M)
    body = dict(zip(parts[1::2], parts[2::2], strict=True)).get(section, "")
    lines = body.splitlines()
    for index, line in enumerate(lines):
        directive = re.fullmatch(r"(\s*)\.\. code-block::.*", line)
        if directive is None:
            continue
        depth = len(directive.group(1))
        block: list[str] = []
        for text in lines[index + 1:]:
            if text.strip() and len(text) - len(text.lstrip()) <= depth:
                break
            block.append(text)
        return textwrap.dedent("\n".join(block)).strip("\n") + "\n"
    return None


def run(code: str, kind: str, section: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    fragment = example(code, section)
    assert fragment is not None, f"{code}: no code block under {section!r}"
    folder = tmp_path / kind
    shutil.copytree(CONTEXTS / code / kind, folder)
    options_file = folder / "options"
    options = options_file.read_text(encoding="utf-8").split() if options_file.exists() else []
    options_file.unlink(missing_ok=True)
    placed = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8")
        found = MARKER.search(text)
        if found is None:
            continue
        indent = found.group("indent")
        lines = "".join(indent + line if line.strip() else line for line in fragment.splitlines(keepends=True))
        path.write_text(text[: found.start()] + lines.rstrip("\n") + text[found.end():], encoding="utf-8")
        placed += 1
    assert placed == 1, f"{code}/{kind}: {placed} example markers"
    monkeypatch.chdir(folder)
    out = io.StringIO()
    with redirect_stdout(out):
        main(["check", "--format", "json", "--no-plugins", *options, "."])
    findings: list[dict[str, object]] = json.loads(out.getvalue())["findings"]
    return findings


def standing(findings: list[dict[str, object]], code: str) -> list[dict[str, object]]:
    return [f for f in findings if f["rule"] == code and not f.get("suppressed")]


@pytest.mark.parametrize("code", sorted(RULES))
def test_the_failing_example_makes_the_rule_speak(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    findings = run(code, "fails", "Example (fails)", tmp_path, monkeypatch)
    assert standing(findings, code), [(f["rule"], f["message"]) for f in findings]


@pytest.mark.parametrize("code", sorted(c for c in RULES if example(c, "Use instead") is not None))
def test_the_passing_example_silences_it(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    findings = run(code, "use", "Use instead", tmp_path, monkeypatch)
    assert not standing(findings, code), [(f["rule"], f["message"]) for f in standing(findings, code)]


def test_every_documented_example_has_its_estate() -> None:
    wanted = {(c, "fails") for c in RULES} | {(c, "use") for c in RULES if example(c, "Use instead") is not None}
    present = {(p.parent.name, p.name) for p in CONTEXTS.glob("*/*") if p.is_dir()}
    assert wanted == present
