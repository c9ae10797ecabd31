"""VP101-VP107 on stand-in verdicts: what the findings say, where they point, what they never leak; and the CLI paths."""

from __future__ import annotations

import io
from contextlib import redirect_stderr
from pathlib import Path

import pytest

from tests.policy.helpers import KNOWN, UNKNOWN, check_json, context, named
from vmspolicy.analysis.context import CheckContext
from vmspolicy.analysis.identify import Evidence, Verdict
from vmspolicy.cli import main
from vmspolicy.core.findings import Severity
from vmspolicy.core.rule import DOC_SECTIONS, Rule
from vmspolicy.rules import vendor


def findings(rule: type[Rule], ctx: CheckContext) -> list[tuple[str, int, int, str]]:
    return [(f.subject or "", f.line, f.column, f.message) for f in rule().check(ctx)]


@pytest.mark.parametrize("rule", vendor.RULES, ids=lambda r: r.code)
def test_every_rule_is_documented(rule: type[Rule]) -> None:
    doc = rule.documentation()
    for section in (*DOC_SECTIONS, "Options"):
        assert f"\n{section}\n" in f"\n{doc}\n", f"{rule.code} lacks {section}"
    assert rule.waivable == (rule.code in ("VP103", "VP105"))


ESTATE = """\
vmspolicy: 1
sites: [{id: depot}]
cameras:
  - id: cam-1
    site: depot
    vendor: Axis
    mac: 44-19-B6-12-34-56
    streams: ["rtsp://admin:Sup3r@10.0.0.9/Streaming/Channels/101"]
  - id: cam-2
    site: depot
  - id: cam-3
    site: depot
    vendor: Acme Vision
"""


def contradiction() -> Verdict:
    return Verdict(
        "Hikvision",
        1.0,
        (
            Evidence("stream", "Hikvision", 0.9, "stream URL rtsp://admin:Sup3r@10.0.0.9/Streaming/Channels/101 has the Hikvision "
                     "fingerprint /Streaming/Channels/", "streams", "rtsp://admin:Sup3r@10.0.0.9/Streaming/Channels/101", 0),
            Evidence("oui", "Hikvision", 0.95, "MAC 44:19:B6 is registered to Hangzhou Hikvision", "mac", "44:19:b6:12:34:56"),
        ),
        known_vendor=True,
    )


def test_vendor_mismatch_points_at_the_strongest_contradiction(monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = context(monkeypatch, ESTATE, {"cam-1": contradiction(), "cam-2": UNKNOWN, "cam-3": UNKNOWN})
    [(subject, line, column, message)] = findings(vendor.VendorMismatch, ctx)
    assert (subject, line, column) == ("cam-1", 7, 10)  # the MAC, not the vendor
    assert "declared as 'Axis'" in message and "registered to Hangzhou Hikvision" in message and "1 more" in message


def test_findings_never_carry_a_stream_password(monkeypatch: pytest.MonkeyPatch) -> None:
    only_stream = Verdict("Hikvision", 0.9, contradiction().evidence[:1], known_vendor=True)
    ctx = context(monkeypatch, ESTATE, {"cam-1": only_stream, "cam-2": UNKNOWN, "cam-3": UNKNOWN})
    produced = [f for rule in (vendor.VendorMismatch, vendor.RestrictedVendorNewInstall) for f in rule().check(ctx)]
    assert {f.rule for f in produced} == {"VP104", "VP102"}
    for finding in produced:
        assert "Sup3r" not in finding.message and "Sup3r" not in finding.evidence
        assert "admin:****@" in finding.message


def test_unidentified_vendor_is_a_warning_and_an_error_under_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    verdicts = {"cam-1": KNOWN, "cam-2": UNKNOWN, "cam-3": UNKNOWN}
    ctx = context(monkeypatch, ESTATE, verdicts)
    produced = list(vendor.UnidentifiedVendor().check(ctx))
    assert [(f.subject, f.line, f.column, f.severity) for f in produced] == [
        ("cam-2", 9, 5, Severity.WARNING),  # nothing declared: the record itself
        ("cam-3", 13, 13, Severity.WARNING),  # the unknown vendor
    ]
    assert "no vendor declared" in produced[0].message and "'Acme Vision' is not a maker" in produced[1].message
    strict = context(monkeypatch, ESTATE, verdicts, strict=True)
    assert {f.severity for f in vendor.UnidentifiedVendor().check(strict)} == {Severity.ERROR}


def test_new_install_messages_say_why_and_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    text = """\
vmspolicy: 1
sites: [{id: depot}]
cameras:
  - {id: cam-planned, site: depot, vendor: Dahua, status: planned}
  - {id: cam-undated, site: depot, vendor: Dahua}
  - {id: cam-late, site: depot, vendor: Dahua, installed: 2023-01-05}
  - {id: cam-legacy, site: depot, vendor: Dahua, installed: 2021-01-05}
"""
    verdicts = {d: named("Dahua") for d in ("cam-planned", "cam-undated", "cam-late", "cam-legacy")}
    ctx = context(monkeypatch, text, verdicts)
    messages = {s: m for s, _, _, m in findings(vendor.RestrictedVendorNewInstall, ctx)}
    assert set(messages) == {"cam-planned", "cam-undated", "cam-late"}
    assert "is planned" in messages["cam-planned"]
    assert "has no installed date" in messages["cam-undated"] and "write its installed: date" in messages["cam-undated"]
    assert "installed 2023-01-05, on or after the cut-off (uk-gov-2022 2022-11-24)" in messages["cam-late"]
    [(subject, _, _, legacy)] = findings(vendor.RestrictedVendorLegacy, ctx)
    assert subject == "cam-legacy" and "at most 24 months" in legacy and "isolated" in legacy


def test_recorder_software_of_a_restricted_family(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "vmspolicy: 1\nsites: [{id: depot}]\nrecorders:\n  - {id: vms-1, site: depot, vendor: Dell, software: Hikvision iVMS-4200}\n"
    ctx = context(monkeypatch, text, {"vms-1": KNOWN})
    [(subject, line, column, message)] = findings(vendor.RestrictedRecorder, ctx)
    assert (subject, line, column) == ("vms-1", 4, 54) and "VMS software from Hikvision" in message


def test_unknown_profile_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    (tmp_path / "estate.yaml").write_text("vmspolicy: 1\nsites: [{id: hq}]\ncameras: [{id: c, site: hq, vendor: Axis}]\n", encoding="utf-8")
    err = io.StringIO()
    with redirect_stderr(err):
        code = main(["check", "--no-plugins", "--profile", "uk-gov-2021", str(tmp_path / "estate.yaml")])
    assert code == 2
    assert "unknown policy pack 'uk-gov-2021'" in err.getvalue() and "us-ndaa-889" in err.getvalue()
    assert "Traceback" not in err.getvalue()


def test_design_example_under_its_own_pack(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[1] / "data" / "design-example.yaml"
    (tmp_path / "estate.yaml").write_bytes(example.read_bytes())
    code, found, _ = check_json(tmp_path, "estate.yaml")
    vendor_findings = {(f["rule"], f["subject"]) for f in found if f["rule"].startswith("VP10")}
    # The sensitive site's legacy Hikvision camera: VP101 whatever its waiver says, and nothing else of VP10x.
    assert vendor_findings == {("VP101", "cam-lobby-01")}
    assert code == 1


def test_rule_options_from_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "estate.yaml").write_text(
        "vmspolicy: 1\nsites: [{id: hq}]\ncameras:\n  - {id: cam-1, site: hq}\n  - {id: cam-2, site: hq, vendor: Axis, model: DS-2CD2143G0-I}\n",
        encoding="utf-8",
    )
    code, found, _ = check_json(tmp_path, "estate.yaml")
    assert code == 1 and {f["rule"] for f in found} >= {"VP104", "VP106"}
    (tmp_path / ".vmspolicy.yaml").write_text("rules:\n  VP106: {device_types: [recorder]}\n  VP104: {min_weight: 0.6}\n", encoding="utf-8")
    _, found, _ = check_json(tmp_path, "estate.yaml")
    assert {f["rule"] for f in found} & {"VP104", "VP106", "VP306"} == {"VP104"}
    # VP104 is mandatory: a threshold that excuses more is refused (VP306), and the rule keeps its own.
    (tmp_path / ".vmspolicy.yaml").write_text("rules:\n  VP104: {min_weight: 0.99}\n", encoding="utf-8")
    _, found, _ = check_json(tmp_path, "estate.yaml")
    assert {f["rule"] for f in found} & {"VP104", "VP306"} == {"VP104", "VP306"}


def test_mask_hides_every_password_shape() -> None:
    assert vendor.mask("rtsp://admin:p@ss@10.0.0.1:554/Streaming/Channels/101") == "rtsp://admin:****@10.0.0.1:554/Streaming/Channels/101"
    assert vendor.mask("rtsp://:secret@h/x and http://u:v@h2") == "rtsp://:****@h/x and http://u:****@h2"
    assert vendor.mask("rtsp://10.0.0.1/x, mail ops@example.com") == "rtsp://10.0.0.1/x, mail ops@example.com"
