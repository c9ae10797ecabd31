"""Suppressed is not deleted; --as-of; the inline-comment scanner; `explain VP305`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.conftest import Cli
from vmspolicy.analysis.catalog import RuleCatalog
from vmspolicy.analysis.suppressions import InlineTerms, scan_text
from vmspolicy.analysis.waivers import add_months
from vmspolicy.cli import main

CASES = Path(__file__).parent.parent / "cases"
CATALOG = RuleCatalog(
    known=frozenset({"VP103", "VP105", "VP202", "VP401", "VP501"}),
    waivable=frozenset({"VP103", "VP105", "VP401", "VP501"}),
    inline=frozenset({"VP401", "VP501"}),
)
AS_OF = dt.date(2026, 1, 1)
TERMS = InlineTerms(AS_OF)  # 24 months: until=2028-01-01 at the latest


def check(cli: Cli, case: str, *argv: str) -> tuple[int, str]:
    folder, name = case.split("/")
    code, out, _ = cli("check", "--no-plugins", *argv, name, cwd=CASES / folder)
    return code, out


def test_a_waived_finding_stays_in_the_json_with_its_justification_and_location(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = check(cli, "VP304/waiver-holds.yaml", "--format", "json", "--as-of", "2026-01-01")
    report = json.loads(out)
    assert code == 0 and report["summary"]["passed"] is True and report["as_of"] == "2026-01-01"
    (waived,) = [f for f in report["findings"] if f["rule"] == "VP103"]
    waiver_line = (CASES / "VP304" / "waiver-holds.yaml").read_text(encoding="utf-8").splitlines().index("  - id: W-1") + 1
    assert waived["suppressed"] == {
        "kind": "waiver",
        "justification": "W-1: Replacement scheduled with the refit; approved by Head of Security; ticket SEC-1; expires 2027-03-31",
        "reference": "W-1",
        "path": "waiver-holds.yaml",
        "line": waiver_line,
        "column": 5,
    }
    assert report["summary"]["suppressed"] >= 1


def test_the_text_summary_counts_suppressed_findings_and_states_the_date(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = check(cli, "VP305/inline-above-entry.yaml", "--as-of", "2026-01-01")
    assert code == 1
    assert "  suppressed by inline: Lab camera, password rotated weekly (until 2026-06-30)" in out
    assert "(1 suppressed); as of 2026-01-01." in out.splitlines()[-1]


def test_the_same_estate_judged_as_of_two_dates(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def rules(as_of: str) -> list[tuple[str, str | None]]:
        _, out = check(cli, "VP304/waiver-holds.yaml", "--format", "json", "--as-of", as_of)
        found = json.loads(out)["findings"]
        return sorted((f["rule"], (f["suppressed"] or {}).get("kind")) for f in found if f["rule"] in ("VP103", "VP302", "VP303"))

    assert rules("2026-01-01") == [("VP103", "waiver")]
    assert rules("2027-03-01") == [("VP103", "waiver"), ("VP303", None)]
    assert rules("2027-04-01") == [("VP103", None), ("VP302", None)]


def scan(text: str, entries: dict[int, int] | None = None) -> list[tuple[int, int, tuple[str, ...], bool]]:
    found = scan_text("f.yaml", text, entries or {}, CATALOG, TERMS)
    return [(s.first_line, s.last_line, s.codes, s.holds) for s in found]


def test_a_hash_inside_quotes_or_a_word_is_not_a_comment() -> None:
    text = (
        'a: "x # vmspolicy: ignore[VP103] reason=q"\n'
        "b: 'it''s # vmspolicy: ignore[VP103] reason=q'\n"
        "c: rtsp://h/#vmspolicy:ignore[VP103]\n"
    )
    assert scan(text) == []


def test_stacked_comments_cover_the_entry_below_and_a_blank_line_ends_the_scope() -> None:
    text = (
        "cameras:\n"  # 1
        "  # vmspolicy: ignore[VP401] reason=a until=2026-06-30\n"  # 2
        "  # vmspolicy: ignore[VP501] reason=b until=2026-06-30\n"  # 3
        "  - id: cam-1\n"  # 4
        "    vendor: X\n"  # 5
        "  # vmspolicy: ignore[VP401] reason=c until=2026-06-30\n"  # 6
        "\n"  # 7
        "  - id: cam-2\n"  # 8
        "    vendor: Y  # vmspolicy: ignore[VP401] reason=d until=2026-06-30\n"  # 9
    )
    assert scan(text, {4: 5, 8: 9}) == [
        (4, 5, ("VP401",), True),
        (4, 5, ("VP501",), True),
        (0, -1, ("VP401",), True),
        (9, 9, ("VP401",), True),
    ]


@pytest.mark.parametrize(
    ("comment", "problem"),
    [
        ("# vmspolicy: ignore[VP202] reason=x until=2026-06-30", "VP202 cannot be suppressed, only VP401, VP501 can"),
        ("# vmspolicy: ignore[VP103] reason=x until=2026-06-30", "VP103 is excused only by a waiver"),
        ("# vmspolicy: ignore[VP103, VP105] reason=x until=2026-06-30", "VP103, VP105 are excused only by a waiver"),
        ("# vmspolicy: ignore[VP401, VP105] reason=x until=2026-06-30", "VP105 is excused only by a waiver"),
        ("# vmspolicy: ignore[VP999] reason=x until=2026-06-30", "VP999 is not a rule"),
        ("# vmspolicy: ignore[VP401] until=2026-06-30", "it gives no reason"),
        ('# vmspolicy: ignore[VP401] reason="  " until=2026-06-30', "it gives no reason"),
        ('# vmspolicy: ignore[VP401] reason="\u200b\u200d\u2060" until=2026-06-30', "it gives no reason (only invisible characters)"),
        ('# vmspolicy: ignore[VP401] reason="\u202e\u2066\u2069\ufeff\u00a0" until=2026-06-30', "it gives no reason (only invisible characters)"),
        ("# vmspolicy: ignore[VP401] reason=\u3164\u115f\ufe0f until=2026-06-30", "it gives no reason (only invisible characters)"),
        ("# vmspolicy: ignore[VP401] reason=x", "it gives no end date: add until=YYYY-MM-DD, 2028-01-01 at the latest"),
        ("# vmspolicy: ignore[VP401] reason=x until=2028-01-02", "until=2028-01-02 is further ahead than the 24 months"),
        ("# vmspolicy: ignore[VP401] reason=x until=2025-12-31", "it expired on 2025-12-31"),
        ("# vmspolicy: ignore[VP401] reason=x until=soon", "is not a date"),
        ("# vmspolicy: ignore[VP401] reason=x until=2026-06-30 owner=me", "unknown key 'owner'"),
        ("# vmspolicy: ignore reason=x until=2026-06-30", "it names no rule"),
        ("# vmspolicy: ignore[] reason=x until=2026-06-30", "it names no rule"),
        ("# vmspolicy: disable[VP401] reason=x until=2026-06-30", "unknown directive 'disable'"),
        ('# vmspolicy: ignore[VP401] until=2026-06-30 reason="unterminated', "cannot read"),
    ],
)
def test_what_is_not_honoured(comment: str, problem: str) -> None:
    (found,) = scan_text("f.yaml", f"a: 1  {comment}\n", {}, CATALOG, TERMS)
    assert not found.holds
    assert any(problem in p.message for p in found.problems), [p.message for p in found.problems]


def test_a_comment_that_can_never_hold_is_not_told_to_add_a_reason_or_an_end_date() -> None:
    (found,) = scan_text("f.yaml", "a: 1  # vmspolicy: ignore[VP103, VP202]\n", {}, CATALOG, TERMS)
    assert [p.evidence for p in found.problems] == ["waiver-only:VP103", "unwaivable:VP202"]


def test_valid_forms_hold_and_prose_is_ignored() -> None:
    text = (
        "a: 1  # vmspolicy: ignore[VP401,vp501] reason='it''s fine' until=2026-01-01\n"
        'b: 2  #vmspolicy:ignore[ VP401 ] reason="say \\"why\\"" until=2028-01-01\n'
        "c: 3  # vmspolicy: ignore[VP401] reason=\u200bLab\u200b until=2026-06-30\n"
        "d: 4  # vmspolicy: reviewed by the security team\n"
    )
    found = scan_text("f.yaml", text, {}, CATALOG, TERMS)
    assert [(s.codes, s.reason, s.holds) for s in found] == [
        (("VP401", "VP501"), "it's fine", True),
        (("VP401",), 'say "why"', True),
        (("VP401",), "\u200bLab\u200b", True),
    ]


def test_the_latest_until_follows_the_strictest_pack_and_the_end_of_the_calendar() -> None:
    assert InlineTerms(AS_OF, 12, "acme").latest == dt.date(2027, 1, 1)
    assert InlineTerms(dt.date(9999, 6, 1)).latest == dt.date.max
    text = "a: 1  # vmspolicy: ignore[VP401] reason=x until=2027-01-02\n"
    (found,) = scan_text("f.yaml", text, {}, CATALOG, InlineTerms(AS_OF, 12, "acme"))
    assert [p.message for p in found.problems] == [
        "until=2027-01-02 is further ahead than the 12 months pack acme allows for a waiver (as of 2026-01-01: 2027-01-01 at the latest)"
    ]


def test_months_are_calendar_months_clamped_to_the_month_end() -> None:
    assert add_months(dt.date(2025, 4, 1), 24) == dt.date(2027, 4, 1)
    assert add_months(dt.date(2024, 8, 31), 6) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2025, 12, 15), 1) == dt.date(2026, 1, 15)


def test_explain_vp305_says_what_to_write_instead(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "VP305", "--no-plugins"]) == 0
    out = capsys.readouterr().out
    assert "Use instead" in out
    assert '# vmspolicy: ignore[VP401] reason="Lab camera, password rotated weekly" until=2027-06-30' in out
    assert "waivers:" in out and "approved_by" in out
    assert "waivers:" in out and "vmspolicy baseline" in out


def test_inline_suppressions_work_on_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import io
    import sys

    monkeypatch.chdir(tmp_path)  # no cams.yaml here: the comments come from the text read on stdin
    manifest = (
        "vmspolicy: 1\nsites: [{id: branch}]\ncameras:\n"
        '  # vmspolicy: ignore[VP401] reason="lab camera" until=2026-06-30\n'
        '  - {id: cam-1, site: branch, vendor: Axis, streams: ["rtsp://admin:Hunter2x@10.1.30.11:554/axis-media/media.amp"]}\n'
    )
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(manifest.encode())))
    code = main(["check", "--no-plugins", "--format", "json", "--as-of", "2026-01-01", "--stdin-filename", "cams.yaml", "-"])
    found = json.loads(capsys.readouterr().out)["findings"]
    assert code == 0
    assert [(f["rule"], f["suppressed"]["kind"]) for f in found] == [("VP401", "inline")]


def test_no_comment_excuses_restricted_equipment_isolation_or_an_unreadable_file() -> None:
    from vmspolicy.run.plugins import load_plugins

    rules = {r.code: r for r in load_plugins(entry_points_enabled=False).rules()}
    regime = ["VP001", *(f"VP10{n}" for n in range(1, 8)), *(f"VP20{n}" for n in range(1, 7)), "VP502"]
    assert [code for code in regime if rules[code].inline_suppressible] == []
    # What a baseline may not hold needs an approver; a comment has none either.
    assert [r.code for r in rules.values() if r.inline_suppressible and not r.baselinable] == []
    assert sorted(code for code, r in rules.items() if r.inline_suppressible) == ["VP401", "VP501"]
    assert {"VP103", "VP105"} <= {code for code, r in rules.items() if r.waivable}


def test_explain_says_by_what_a_rule_may_be_excused(capsys: pytest.CaptureFixture[str]) -> None:
    heads = {}
    for code in ("VP103", "VP401", "VP202"):
        assert main(["explain", code, "--no-plugins"]) == 0
        heads[code] = capsys.readouterr().out.splitlines()[0]
    assert heads["VP103"].endswith("(waivable: yes (waiver only))")
    assert heads["VP401"].endswith("(waivable: yes (waiver or inline suppression))")
    assert heads["VP202"].endswith("(waivable: no)")


def test_a_comment_on_restricted_equipment_says_which_waiver_to_write(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out = check(cli, "VP305/inline-restricted-equipment.yaml", "--format", "json", "--as-of", "2026-01-01")
    messages = {f["line"]: f["message"] for f in json.loads(out)["findings"] if f["rule"] == "VP305"}
    first = min(messages)
    assert "VP103 is excused only by a waiver (reason, approver, expiry), never by a comment" in messages[first]
    assert (
        "remove the comment and excuse cam-1 with a waiver under waivers: {id: W-..., devices: [cam-1], reason: ..., "
        "approved_by: ..., approved_on: YYYY-MM-DD, expires: YYYY-MM-DD}, expiring at most 24 months after its approval"
    ) in messages[first]
    assert "VP101 cannot be suppressed, only VP401, VP501 can" in "\n".join(messages.values())
