"""A pre-commit run models only what the named files' findings depend on, and finds exactly what a whole run finds.

Each estate below couples its files on purpose (a device in another site's zone, a
firewall naming another file's device, a MAC address used twice, a waiver naming
devices of two files); each test checks which files the scope models and that the
report is the one a run without the cache (which models the whole estate) gives.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vmspolicy.testing import run_cli

AS_OF = ("--as-of", "2026-06-01")

SITE_A = """\
vmspolicy: 1
sites:
  - {id: a, name: Depot A}
zones:
  - {id: a-cctv, site: a, purpose: cameras, cidr: 10.1.0.0/24}
  - {id: a-legacy, site: a, purpose: legacy-cameras, cidr: 10.1.1.0/24}
  - {id: a-vms, site: a, purpose: vms, cidr: 10.1.2.0/24}
cameras:
  - {id: a-cam-1, site: a, zone: a-cctv, vendor: Axis, model: P3245-LV, ip: 10.1.0.10, mac: "00:40:8c:00:00:01"}
  - {id: a-old-1, site: a, zone: a-legacy, vendor: Hikvision, model: DS-2CD2143G0-I, installed: 2019-03-04, ip: 10.1.1.10}
recorders:
  - {id: a-nvr, site: a, zone: a-vms, vendor: Milestone, model: Husky X2, ip: 10.1.2.5}
firewalls:
  - id: a-fw
    site: a
    default: deny
    rules:
      - {name: vms-pulls, from: a-vms, to: a-legacy, ports: [tcp/554], action: allow}
"""

SITE_B = """\
vmspolicy: 1
sites:
  - {id: b, name: Depot B}
zones:
  - {id: b-cctv, site: b, purpose: cameras, cidr: 10.2.0.0/24}
  - {id: b-corp, site: b, purpose: corporate, cidr: 10.2.9.0/24}
cameras:
  - {id: b-cam-1, site: b, zone: b-cctv, vendor: Axis, model: P3245-LV, ip: 10.2.0.10, mac: "00:40:8c:00:00:02"}
firewalls:
  - id: b-fw
    site: b
    default: deny
    rules:
      - {name: corp-out, from: b-corp, to: internet, action: allow}
"""

WAIVERS = """\
vmspolicy: 1
waivers:
  - id: W-1
    devices: [a-old-1]
    reason: replacement ordered
    approved_by: Head of Security
    approved_on: 2026-01-10
    expires: 2026-12-31
"""


@pytest.fixture
def cache_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VMSPOLICY_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


def estate(tmp_path: Path, a: str = SITE_A, b: str = SITE_B, waivers: str = WAIVERS) -> Path:
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / ".vmspolicy.yaml").write_text('estate: ["site-*.yaml", "waivers.yaml"]\n', encoding="utf-8")
    for name, text in (("site-a.yaml", a), ("site-b.yaml", b), ("waivers.yaml", waivers)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def check(folder: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    done = run_cli("check", *AS_OF, "--format", "json", "-v", *args, cwd=folder)
    assert done.exit_code in (0, 1), done.stderr
    return done.exit_code, json.loads(done.stdout), done.stderr


def scoped_as_whole(folder: Path, name: str) -> tuple[dict[str, Any], str]:
    """The report of a scoped run of ``name`` (cold, then warm from the summaries), checked against a whole run's."""
    code, whole, stderr = check(folder, "--no-cache", name)
    assert "scope:" not in stderr
    for _ in range(2):  # the first run writes the summaries, the second reads them
        scoped = check(folder, name)
        assert scoped[:2] == (code, whole), scoped[2]
    return whole, scoped[2]


def rules_at(report: dict[str, Any], path: str) -> set[tuple[str, str | None]]:
    return {(f["rule"], f.get("subject")) for f in report["findings"] if f["path"] == path}


def test_a_file_of_its_own_site_is_judged_alone_against_the_others_summaries(tmp_path: Path, cache_on: None) -> None:
    report, stderr = scoped_as_whole(estate(tmp_path), "site-a.yaml")
    assert "scope: 1 of 3 file(s) modelled in full (3 device(s))" in stderr
    assert ("VP102", "a-old-1") not in rules_at(report, "site-a.yaml")  # waived by W-1, which a summary holds


def test_a_device_in_another_sites_zone_brings_its_file_into_the_scope(tmp_path: Path, cache_on: None) -> None:
    # b's encoder sits in a's legacy zone: a zone mate of a-old-1 (VP201), though its file is not named.
    b = SITE_B + "devices:\n  - {id: b-enc, site: b, zone: a-legacy, type: encoder, vendor: Axis, model: M7104, ip: 10.1.1.20}\n"
    report, stderr = scoped_as_whole(estate(tmp_path, b=b), "site-a.yaml")
    assert "scope: 2 of 3 file(s) modelled in full" in stderr
    assert ("VP201", "a-old-1") in rules_at(report, "site-a.yaml")


def test_a_device_another_sites_firewall_names_is_modelled(tmp_path: Path, cache_on: None) -> None:
    # a's firewall lets b's camera reach the legacy zone: b-cam-1's address is the rule's.
    a = SITE_A.replace("      - {name: vms-pulls,", "      - {name: b-cam-in, from: b-cam-1, to: a-legacy, action: allow}\n      - {name: vms-pulls,")
    b = SITE_B.replace("      - {name: corp-out,", "      - {name: cams-out, from: b-cctv, to: any, action: allow}\n      - {name: corp-out,")
    report, stderr = scoped_as_whole(estate(tmp_path, a=a, b=b), "site-a.yaml")
    assert "scope: 2 of 3 file(s) modelled in full" in stderr
    assert any("b-cam-in" in f["message"] for f in report["findings"] if f["rule"].startswith("VP20")), \
        [f["message"] for f in report["findings"]]


def test_an_address_used_first_in_a_summarised_file_is_named_with_its_place(tmp_path: Path, cache_on: None) -> None:
    b = SITE_B.replace('mac: "00:40:8c:00:00:02"', 'mac: "00:40:8C:00:00:01"')
    report, stderr = scoped_as_whole(estate(tmp_path, b=b), "site-b.yaml")
    assert "scope: 1 of 3 file(s) modelled in full" in stderr
    duplicate = [f for f in report["findings"] if f["rule"] == "VP004"]
    assert len(duplicate) == 1 and "already used by a-cam-1 at site-a.yaml:9:" in duplicate[0]["message"]


def test_a_waiver_naming_devices_of_two_files_brings_both_into_the_scope(tmp_path: Path, cache_on: None) -> None:
    # W-1's longest term depends on the packs of every device it names (VP301).
    waivers = WAIVERS.replace("devices: [a-old-1]", "devices: [a-old-1, b-cam-1]")
    _, stderr = scoped_as_whole(estate(tmp_path, waivers=waivers), "site-a.yaml")
    assert "scope: 2 of 3 file(s) modelled in full" in stderr


def test_an_id_declared_in_two_files_makes_the_whole_estate_modelled(tmp_path: Path, cache_on: None) -> None:
    b = SITE_B.replace("id: b-cam-1", "id: a-cam-1")
    report, stderr = scoped_as_whole(estate(tmp_path, b=b), "site-b.yaml")
    assert "scope: an id is declared in two files; the whole estate is modelled" in stderr
    assert ("VP004", "a-cam-1") in rules_at(report, "site-b.yaml")


def test_a_named_file_holding_a_waiver_is_judged_with_the_whole_estate(tmp_path: Path, cache_on: None) -> None:
    # Whether W-1 is still needed (VP304) depends on the findings about its devices, wherever they lie.
    _, stderr = scoped_as_whole(estate(tmp_path), "waivers.yaml")
    assert "scope: off, a file named holds a waiver" in stderr and "modelled in full" not in stderr


def test_a_reference_missed_by_the_named_file_is_told_the_ids_of_summarised_files(tmp_path: Path, cache_on: None) -> None:
    # A firewall rule naming b's camera with a typo: the suggestion comes from a file the scope only summarises.
    a = SITE_A.replace("      - {name: vms-pulls,", "      - {name: typo, from: b-cam-l, to: a-legacy, action: deny}\n      - {name: vms-pulls,")
    report, stderr = scoped_as_whole(estate(tmp_path, a=a), "site-a.yaml")
    assert "scope: 1 of 3 file(s) modelled in full" in stderr
    assert any("did you mean 'b-cam-1'?" in f["message"] for f in report["findings"] if f["rule"] == "VP003")


def test_a_device_naming_no_zone_is_a_zone_mate_where_its_address_lies(tmp_path: Path, cache_on: None) -> None:
    # b's encoder names no zone and no zone of its own site holds its address: it sits in a's legacy zone (VP201).
    b = SITE_B + "devices:\n  - {id: b-enc, site: b, type: encoder, vendor: Axis, model: M7104, ip: 10.1.1.20}\n"
    report, stderr = scoped_as_whole(estate(tmp_path, b=b), "site-a.yaml")
    assert "scope: 2 of 3 file(s) modelled in full" in stderr
    assert any("b-enc" in f["message"] for f in report["findings"] if f["rule"] == "VP201"), report["findings"]


def test_a_waiver_naming_an_id_of_the_named_file_brings_its_devices_into_the_scope(tmp_path: Path, cache_on: None) -> None:
    # W-2 excuses a finding about a's zone; its length depends on b-cam-1's packs too.
    waivers = WAIVERS + """\
  - id: W-2
    devices: [a-cctv, b-cam-1]
    rules: [VP401]
    reason: test bench
    approved_by: Head of Security
    approved_on: 2026-01-10
    expires: 2026-12-31
"""
    _, stderr = scoped_as_whole(estate(tmp_path, waivers=waivers), "site-a.yaml")
    assert "scope: 2 of 3 file(s) modelled in full" in stderr


def test_summaries_pruned_before_their_entries_are_kept_again(tmp_path: Path, cache_on: None) -> None:
    import shutil

    folder = estate(tmp_path)
    scoped_as_whole(folder, "site-a.yaml")
    shutil.rmtree(folder / ".vmspolicy_cache" / "summaries")
    _, _, stderr = check(folder, "site-a.yaml")
    assert "cache: 3 of 3 file(s) taken from" in stderr  # the whole entries, read in full for want of summaries
    assert "scope: 1 of 3 file(s) modelled in full" in stderr
    assert len([p for p in (folder / ".vmspolicy_cache" / "summaries" / "entries").rglob("*") if p.is_file()]) == 2  # the files not named


def test_a_python_caller_asks_for_the_scope_and_gets_the_whole_estates_files_listed(tmp_path: Path, cache_on: None) -> None:
    import datetime as dt

    from vmspolicy.run.pipeline import RunOptions, run

    folder = estate(tmp_path)
    (folder / "site-c.yaml").write_text("", encoding="utf-8")  # empty: skipped, in no report's estate paths
    runs = [run(RunOptions(paths=[str(folder / "site-a.yaml")], config=folder / ".vmspolicy.yaml", as_of=dt.date(2026, 6, 1),
                           cache_dir=folder / "cache", scope=scope)) for scope in (False, True, True)]
    whole, cold, warm = runs
    for scoped in (cold, warm):
        assert scoped.findings == whole.findings
        assert (scoped.inputs, scoped.skipped, scoped.estate.paths) == (whole.inputs, whole.skipped, whole.estate.paths)
        assert set(scoped.estate.sites) == set(whole.estate.sites) and set(scoped.estate.zones) == set(whole.estate.zones)
    # Only what the named file's findings depend on is modelled: b's camera is not.
    assert "b-cam-1" in whole.estate.devices and "b-cam-1" not in warm.estate.devices


def test_a_device_naming_no_zone_at_a_members_address_of_a_zone_without_a_network_is_its_zone_mate(
        tmp_path: Path, cache_on: None) -> None:
    # A zone without a network holds each member's address, more specifically than any network: b's workstation,
    # naming no zone, at a-old-1's address, shares its legacy zone (VP201). Found by the adversarial review.
    a = """\
vmspolicy: 1
sites:
  - {id: a, name: Depot A}
zones:
  - {id: a-legacy, site: a, purpose: legacy-cameras}
cameras:
  - {id: a-old-1, site: a, zone: a-legacy, vendor: Hikvision, model: DS-2CD2143G0-I, installed: 2019-03-04, ip: 10.9.9.9}
firewalls:
  - {id: a-fw, site: a, default: deny}
"""
    b = """\
vmspolicy: 1
sites:
  - {id: b, name: Depot B}
zones:
  - {id: b-corp, site: b, purpose: corporate, cidr: 10.2.9.0/24}
devices:
  - {id: b-pc, site: b, type: workstation, vendor: Dell, ip: 10.9.9.9}
firewalls:
  - {id: b-fw, site: b, default: deny}
"""
    report, stderr = scoped_as_whole(estate(tmp_path, a=a, b=b), "site-a.yaml")
    assert "scope: 2 of 3 file(s) modelled in full" in stderr
    assert any("b-pc" in f["message"] for f in report["findings"] if f["rule"] == "VP201"), report["findings"]
    # The other way round: the named file's camera names no zone and sits at that member's address.
    named = a.replace("zone: a-legacy, ", "").replace("  - {id: a-legacy, site: a, purpose: legacy-cameras}\n", "")
    other = b.replace("{id: b-pc, site: b, type: workstation, vendor: Dell, ip: 10.9.9.9}",
                      "{id: b-old, site: b, zone: b-legacy, vendor: Hikvision, model: DS-2CD2143G0-I, ip: 10.9.9.9}")
    other = other.replace("zones:\n", "zones:\n  - {id: b-legacy, site: b, purpose: legacy-cameras}\n")
    third = b.replace("id: b,", "id: c,").replace("b-corp", "c-corp").replace("site: b", "site: c").replace("b-fw", "c-fw")
    folder = tmp_path / "two"
    folder.mkdir()
    (folder / ".vmspolicy.yaml").write_text('estate: ["site-*.yaml"]\n', encoding="utf-8")
    for name, text in (("site-a.yaml", named), ("site-b.yaml", other), ("site-c.yaml", third.replace("b-pc", "c-pc"))):
        (folder / name).write_text(text, encoding="utf-8")
    report, _ = scoped_as_whole(folder, "site-a.yaml")
    assert any("c-pc" in f["message"] for f in report["findings"] if f["rule"] == "VP201"), report["findings"]


def test_a_file_is_read_once_for_its_summary_and_its_load(tmp_path: Path, cache_on: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # Read twice, a file changed in between had its new content's summary stored under the old content's key.
    from vmspolicy.run import pipeline

    folder = estate(tmp_path)
    reads: list[str] = []
    real = pipeline._read

    def counted(shown: str, path: Path, config: Any) -> bytes:
        reads.append(shown)
        return real(shown, path, config)

    monkeypatch.setattr(pipeline, "_read", counted)
    check(folder, "site-b.yaml")  # cold: every file read, loaded and summarised
    assert sorted(reads) == ["site-a.yaml", "site-b.yaml", "waivers.yaml"]


def test_a_file_changed_after_its_summary_was_read_makes_the_whole_estate_judged(
        tmp_path: Path, cache_on: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from vmspolicy.run import pipeline

    b = SITE_B + "devices:\n  - {id: b-enc, site: b, zone: a-legacy, type: encoder, vendor: Axis, model: M7104, ip: 10.1.1.20}\n"
    folder = estate(tmp_path, b=b)
    check(folder, "site-a.yaml")  # the summaries written
    real = pipeline._read
    seen: list[str] = []

    def changing(shown: str, path: Path, config: Any) -> bytes:
        seen.append(shown)
        if shown == "site-b.yaml" and seen.count(shown) == 2:  # edited between its summary and its load
            path.write_text(b.replace("10.1.1.20", "10.1.1.21"), encoding="utf-8")
        return real(shown, path, config)

    monkeypatch.setattr(pipeline, "_read", changing)
    _, scoped, stderr = check(folder, "site-a.yaml")
    assert "scope: off, site-b.yaml changed while it was read" in stderr and "scope: 2 of 3" not in stderr
    monkeypatch.setattr(pipeline, "_read", real)
    assert scoped == check(folder, "--no-cache", "site-a.yaml")[1]


def test_a_plugin_outside_vmspolicy_makes_the_whole_estate_modelled_and_says_so(tmp_path: Path, cache_on: None) -> None:
    import datetime as dt

    from vmspolicy.run.pipeline import RunOptions, run

    class Quiet:
        """A third-party plugin that adds nothing: its rules could read any file, so nothing is scoped."""

    folder = estate(tmp_path)
    notes: list[str] = []
    options = RunOptions(paths=[str(folder / "site-a.yaml")], config=folder / ".vmspolicy.yaml", as_of=dt.date(2026, 6, 1),
                         cache_dir=folder / "cache", scope=True, extra_plugins=[Quiet()], verbose=notes.append)
    done = run(options)
    assert any(n.startswith("scope: off, plugin(s) ") for n in notes), notes
    assert "b-cam-1" in done.estate.devices  # modelled: the whole estate
