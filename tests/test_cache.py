"""The load cache changes how long a run takes, never what it finds.

Every test compares with a run that reads every file afresh (``--no-cache``):
after a change, with damaged, foreign or forged entries, with runs writing at
once. The suite runs with the cache off (tests/conftest.py); these tests turn it
on, with the user's cache directory (and so the signing secret) in a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

import pytest

from vmspolicy.core.config import load_config
from vmspolicy.core.source import Document
from vmspolicy.hookspecs import hookimpl
from vmspolicy.loading.base import SourceFile
from vmspolicy.run import cache as cache_module
from vmspolicy.run import pipeline
from vmspolicy.run.cache import FOLDER_NAME, LoadCache, load_context, open_cache, user_secret
from vmspolicy.run.cache_writer import wait_for_writer
from vmspolicy.run.plugins import load_plugins
from vmspolicy.testing import run_cli

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import generate  # noqa: E402  (benchmarks/ holds scripts, not a package)

AS_OF = ("--as-of", generate.AS_OF)
# A camera the estate's first site gains in a change: a new Hikvision install (VP102) with a literal password (VP401).
RESTRICTED = (
    "  - id: added-cam\n    site: site-001\n    vendor: Hikvision\n    model: DS-2CD2143G0-I\n    installed: 2024-05-01\n"
    "    streams: [\"rtsp://admin:hunter22@10.0.0.9/Streaming/Channels/101\"]\n"
)


@pytest.fixture
def user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache on, with the user's cache directory (its secret) in a folder of this test's own."""
    monkeypatch.delenv("VMSPOLICY_NO_CACHE", raising=False)
    home = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home / "vmspolicy"


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    """A split estate of three sites with ``estate:`` configured: the pre-commit case of a large estate."""
    folder = tmp_path / "repo"
    generate.generate(2100, folder, split=True)
    (folder / ".vmspolicy.yaml").write_text('estate: ["site-*.yaml", "waivers.yaml"]\n', encoding="utf-8")
    return folder


def check(folder: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    done = run_cli("check", *AS_OF, "--format", "json", "-v", *args, cwd=folder)
    assert done.exit_code in (0, 1), done.stderr
    return done.exit_code, json.loads(done.stdout), done.stderr


def add_camera(folder: Path, name: str = "site-001.yaml") -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\ncameras:\n", "\ncameras:\n" + RESTRICTED, 1), encoding="utf-8")


def entries(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / FOLDER_NAME / "entries").rglob("*") if p.is_file())


def test_a_warm_run_after_a_change_reports_what_a_cold_run_does(estate: Path, user_cache: Path) -> None:
    code, before, stderr = check(estate, "site-001.yaml")
    assert "cache: 0 of 4 file(s) taken from" in stderr
    assert len(entries(estate)) == 4
    add_camera(estate)
    warm_code, warm, warm_stderr = check(estate, "site-001.yaml")
    assert "cache: 3 of 4 file(s) taken from" in warm_stderr  # the changed file alone was read again
    cold_code, cold, _ = check(estate, "site-001.yaml", "--no-cache")
    assert (warm_code, warm) == (cold_code, cold)
    line = (estate / "site-001.yaml").read_text(encoding="utf-8").splitlines().index("  - id: added-cam") + 1
    assert [(f["rule"], f["line"]) for f in warm["findings"] if f["subject"] == "added-cam"] == [("VP102", line + 2), ("VP401", line + 5)]
    assert (code, before["findings"]) != (warm_code, warm["findings"])
    # And the whole estate, every file from the cache, as a cold run of it.
    assert check(estate)[:2] == check(estate, "--no-cache")[:2]


def test_the_cache_folder_is_ignored_by_git_and_by_directory_scans(estate: Path, user_cache: Path) -> None:
    check(estate)
    assert (estate / FOLDER_NAME / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    # The secret that signs the entries is the user's, outside the repository.
    assert (user_cache / "secret").stat().st_size == 32
    assert not list(estate.rglob("secret"))
    (estate / ".vmspolicy.yaml").unlink()
    _, report, stderr = check(estate, ".")
    assert FOLDER_NAME not in json.dumps(report["inputs"]) and FOLDER_NAME not in stderr.replace(str(user_cache), "")


@pytest.mark.parametrize("damage", ["truncated", "flipped", "foreign", "empty"])
def test_a_damaged_or_foreign_entry_is_rebuilt(estate: Path, user_cache: Path, damage: str) -> None:
    add_camera(estate)
    cold = check(estate, "--no-cache")[:2]
    check(estate)
    for entry in entries(estate):
        blob = entry.read_bytes()
        entry.write_bytes({
            "truncated": blob[: len(blob) // 2],
            "flipped": blob[:-10] + bytes([blob[-10] ^ 0xFF]) + blob[-9:],
            "foreign": b"PK\x03\x04 not a cache entry at all",
            "empty": b"",
        }[damage])
    code, report, stderr = check(estate)
    assert (code, report) == cold
    assert stderr.count("not a valid entry of this user's cache, rebuilt") == 4
    assert "cache: 0 of 4 file(s) taken from" in stderr
    assert check(estate)[:2] == cold  # rebuilt: taken from the cache again, still the same


def test_a_committed_cache_cannot_make_a_finding_pass(estate: Path, user_cache: Path) -> None:
    """An entry signed by anyone but this user (committed to the repository) is never used.

    The forger knows everything but the user's secret: the key of the violating
    file's content, and a clean outcome to put under it.
    """
    clean = check(estate, "--no-cache")[:2]
    first = (estate / "site-001.yaml").read_bytes()
    add_camera(estate)
    violating = check(estate, "--no-cache")[:2]
    assert violating != clean
    host = load_plugins()
    config = load_config(estate / ".vmspolicy.yaml")
    forged = open_cache(estate / FOLDER_NAME, host, config, lambda message: None)
    assert forged is not None
    forged.secret = b"the forger's own secret, 32 bytes long"
    loaders = host.loaders()
    clean_outcome = pipeline._load_one(("site-001.yaml", first, None), host, config, loaders, {x.name: x for x in loaders}, True)
    assert clean_outcome.documents
    changed = (estate / "site-001.yaml").read_bytes()
    key = forged.key("site-001.yaml", hashlib.sha256(changed).hexdigest(), load_context(config, True, stdin=False))
    forged.put(key, clean_outcome)
    assert forged.written == 1
    code, report, stderr = check(estate)
    assert (code, report) == violating
    assert "not a valid entry of this user's cache, rebuilt" in stderr


def test_a_signed_entry_holding_other_classes_is_not_unpickled(tmp_path: Path, user_cache: Path) -> None:
    secret = user_secret()
    assert secret is not None
    cache = LoadCache(tmp_path / "c", secret, "fingerprint")
    cache.put("k" * 64, {"shell": os.system})
    assert cache.written == 1
    assert cache.get("k" * 64) is None
    assert "unreadable (UnpicklingError), rebuilt" in cache.problems[-1]


def test_concurrent_runs_write_one_cache_and_report_the_same(estate: Path, user_cache: Path) -> None:
    add_camera(estate)
    cold = check(estate, "--no-cache")[:2]
    env = {**os.environ, "XDG_CACHE_HOME": str(user_cache.parent)}
    command = [sys.executable, "-m", "vmspolicy", "check", *AS_OF, "--format", "json"]
    runs = [subprocess.Popen(command, cwd=estate, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    outputs = [(run.communicate(timeout=300), run.returncode) for run in runs]
    for (stdout, stderr), code in outputs:
        assert (code, json.loads(stdout)) == cold, stderr.decode()
    assert wait_for_writer(estate / FOLDER_NAME)  # each command left its writes to a detached writer: all four are done
    assert len(entries(estate)) == 4
    assert not [p for p in (estate / FOLDER_NAME).rglob(".tmp-*")]  # no temporary file left behind
    code, report, stderr = check(estate)
    assert (code, report) == cold and "cache: 4 of 4" in stderr


@pytest.mark.parametrize("how", ["--no-cache", "environment", "configuration"])
def test_the_cache_can_be_turned_off(estate: Path, user_cache: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    args: list[str] = []
    if how == "--no-cache":
        args = ["--no-cache"]
    elif how == "environment":
        monkeypatch.setenv("VMSPOLICY_NO_CACHE", "1")
    else:
        config = estate / ".vmspolicy.yaml"
        config.write_text(config.read_text(encoding="utf-8") + "cache: false\n", encoding="utf-8")
    _, _, stderr = check(estate, *args)
    assert "cache:" not in stderr
    assert not (estate / FOLDER_NAME).exists()
    assert not user_cache.exists()


def test_cache_dir_puts_it_elsewhere(estate: Path, user_cache: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    first = check(estate, "--cache-dir", str(elsewhere))
    assert "cache: 0 of 4" in first[2]
    assert not (estate / FOLDER_NAME).exists()
    again = check(estate, "--cache-dir", str(elsewhere))
    assert "cache: 4 of 4" in again[2] and again[:2] == first[:2]


def test_without_configuration_the_user_cache_directory_holds_it(tmp_path: Path, user_cache: Path) -> None:
    folder = tmp_path / "plain"
    generate.generate(300, folder / "estate.yaml")
    first = check(folder, "estate.yaml")
    again = check(folder, "estate.yaml")
    assert "cache: 1 of 1" in again[2] and again[:2] == first[:2]
    assert len([p for p in (user_cache / "files" / "entries").rglob("*") if p.is_file()]) == 1
    assert not (folder / FOLDER_NAME).exists()


@pytest.mark.parametrize(("setting", "value"), [("max_file_size", 200000), ("max_nodes", 2000)])
def test_loading_settings_are_part_of_the_key(estate: Path, user_cache: Path, setting: str, value: int) -> None:
    check(estate)
    config = estate / ".vmspolicy.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"{setting}: {value}\n", encoding="utf-8")
    code, report, stderr = check(estate)
    assert "cache: 0 of 4" in stderr  # another limit: every file read again
    assert {f["rule"] for f in report["findings"] if setting in f["message"]} == {"VP001"}
    assert (code, report) == check(estate, "--no-cache")[:2]


def test_a_symbolic_link_for_a_cache_folder_is_not_written_through(estate: Path, user_cache: Path, tmp_path: Path) -> None:
    target = tmp_path / "somewhere-else"
    target.mkdir()
    (estate / FOLDER_NAME).symlink_to(target)
    _, _, stderr = check(estate)
    assert "is a symbolic link" in stderr
    assert not list(target.iterdir())


def test_a_gitignore_placed_as_a_link_is_not_written_through(estate: Path, user_cache: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("mine\n", encoding="utf-8")
    (estate / FOLDER_NAME).mkdir()
    (estate / FOLDER_NAME / ".gitignore").symlink_to(victim)
    check(estate)
    assert victim.read_text(encoding="utf-8") == "mine\n"
    assert len(entries(estate)) == 4


def test_pruning_removes_the_least_recently_used_entries(tmp_path: Path, user_cache: Path) -> None:
    secret = user_secret()
    assert secret is not None
    cache = LoadCache(tmp_path / "c", secret, "fingerprint")
    for index in range(5):
        key = f"{index:02d}" + "0" * 62
        cache.put(key, "x" * 10_000)
        os.utime(cache._path(key), (1_000_000 + index, 1_000_000 + index))
    assert cache.get("00" + "0" * 62) == "x" * 10_000  # used now: the most recent
    cache.prune(limit=35_000)
    left = sorted(p.name[:2] for p in (tmp_path / "c" / "entries").rglob("*") if p.is_file())
    assert left == ["00", "03", "04"]


class _LineLoader:
    """A third-party loader: it may read more than its file, so the cache must not keep what it gives."""

    name = "lines"
    suffixes: Sequence[str] = (".cams",)

    def load(self, source: SourceFile) -> list[Document] | None:
        return None


class _LinePlugin:
    @hookimpl
    def vmspolicy_loaders(self) -> Sequence[Any]:
        return (_LineLoader(),)


class _ChoosingPlugin:
    @hookimpl
    def vmspolicy_load(self, source: SourceFile) -> list[Document] | None:
        return None


@pytest.mark.parametrize("plugin", [_LinePlugin(), _ChoosingPlugin()], ids=["loaders", "load"])
def test_a_third_party_loader_turns_the_cache_off(tmp_path: Path, user_cache: Path, plugin: object) -> None:
    messages: list[str] = []
    host = load_plugins(entry_points_enabled=False, extra=[plugin])
    assert open_cache(tmp_path / "c", host, load_config(None), messages.append) is None
    assert messages == [f"cache: off, the loaders of plugin(s) {type(plugin).__name__}-0 may read more than the file they load"]
    assert open_cache(tmp_path / "c", load_plugins(entry_points_enabled=False), load_config(None), messages.append) is not None


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_parallel_loading_uses_the_same_cache(estate: Path, user_cache: Path, jobs: str) -> None:
    first = check(estate, "--jobs", jobs)
    again = check(estate, "--jobs", jobs)
    assert "cache: 4 of 4" in again[2]
    assert again[:2] == first[:2] == check(estate, "--no-cache")[:2]


def test_damaged_entries_are_named_alike_by_a_parallel_run(estate: Path, user_cache: Path) -> None:
    check(estate)
    for entry in entries(estate):
        entry.write_bytes(b"damaged")
    serial = check(estate, "--jobs", "1")
    for entry in entries(estate):
        entry.write_bytes(b"damaged")
    parallel = check(estate, "--jobs", "2")
    assert serial == parallel
    assert serial[2].count("not a valid entry of this user's cache, rebuilt") == 4


def test_a_python_caller_chooses_the_cache_folder(estate: Path, user_cache: Path, tmp_path: Path) -> None:
    import vmspolicy

    previous = Path.cwd()
    try:
        os.chdir(estate)
        options = vmspolicy.RunOptions(paths=["site-001.yaml"], as_of=dt.date.fromisoformat(generate.AS_OF))
        plain = vmspolicy.check(options)
        assert not (estate / FOLDER_NAME).exists()  # no cache_dir: no cache
        cached = [vmspolicy.check(replace(options, cache_dir=tmp_path / "kept")) for _ in range(2)]
    finally:
        os.chdir(previous)
    assert len([p for p in (tmp_path / "kept" / "entries").rglob("*") if p.is_file()]) == 4
    assert [f.sort_key() for f in plain.findings] == [f.sort_key() for f in cached[0].findings] == [f.sort_key() for f in cached[1].findings]


def test_a_user_cache_directory_inside_the_repository_turns_the_cache_off(estate: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A CI job whose HOME is its checkout: a secret committed there would let committed entries be trusted.
    (estate / ".git").mkdir()
    monkeypatch.delenv("VMSPOLICY_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(estate / ".cache"))
    add_camera(estate)
    violating = check(estate, "--no-cache")[:2]
    code, report, stderr = check(estate)
    assert (code, report) == violating
    assert "cache: off, the user cache directory" in stderr and "lies inside" in stderr
    assert not (estate / FOLDER_NAME).exists() and not (estate / ".cache" / "vmspolicy" / "secret").exists()


# Vendor verdicts kept from run to run (vmspolicy/run/verdict_store.py): a device is identified again when its facts,
# the vendor data or (for a planned device) the run's date change, and a store written by anyone else is never used.

def edit_model(folder: Path, model: str = "DS-2CD2143G0-I") -> str:
    """Give site-001's first Axis Q6135-LE a Hikvision model number; return the camera's id."""
    path = folder / "site-001.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines.index("    model: Q6135-LE\n")
    lines[at] = f"    model: {model}\n"
    path.write_text("".join(lines), encoding="utf-8")
    return next(line.split("id: ")[1].strip() for line in reversed(lines[:at]) if line.startswith("  - id: "))


def test_a_device_edited_to_a_restricted_model_is_identified_again(estate: Path, user_cache: Path) -> None:
    _, before, stderr = check(estate, "site-001.yaml")
    # A pre-commit run identifies only the devices its scope models: those of site-001.yaml (vmspolicy.analysis.scope).
    assert "vendor verdict(s) computed afresh, kept with the others of 1 file(s)" in stderr
    assert "vendor verdict(s) computed afresh" not in check(estate, "site-001.yaml")[2]  # all known: nothing written
    camera = edit_model(estate)
    warm_code, warm, warm_stderr = check(estate, "site-001.yaml")
    assert "cache: 1 vendor verdict(s) computed afresh, kept with the others of 1 file(s)" in warm_stderr
    assert (warm_code, warm) == check(estate, "site-001.yaml", "--no-cache")[:2]
    assert "VP104" in {f["rule"] for f in warm["findings"] if f["subject"] == camera}
    assert camera not in {f["subject"] for f in before["findings"]}


class _RelabelPlugin:
    """Vendor data naming Vivotek, a maker the estate holds, as a relabel of Dahua; or nothing, with the same name and version."""

    def __init__(self, relabels: list[dict[str, str]]) -> None:
        self.relabels = relabels

    @hookimpl
    def vmspolicy_vendor_data(self) -> list[dict[str, object]]:
        return [{"version": 1, "source": "a test's procurement list", "relabels": self.relabels}]


def test_vendor_data_a_plugin_adds_is_part_of_the_key(estate: Path, user_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vmspolicy.reporters.json_report import report_to_json

    monkeypatch.chdir(estate)
    vivotek = {"name": "Vivotek", "family": "Dahua", "confidence": "high"}

    def report(relabels: list[dict[str, str]], cache: bool) -> dict[str, Any]:
        host = load_plugins(entry_points_enabled=False, extra=[_RelabelPlugin(relabels)])
        options = pipeline.RunOptions(paths=["site-001.yaml"], as_of=dt.date.fromisoformat(generate.AS_OF), plugins=host,
                                      config=estate / ".vmspolicy.yaml", cache_dir=estate / FOLDER_NAME if cache else None)
        return report_to_json(pipeline.run(options))

    plain = report([], cache=True)
    assert report([], cache=True) == plain
    relabelled = report([vivotek], cache=True)
    assert relabelled == report([vivotek], cache=False) != plain
    assert "VP105" in {f["rule"] for f in relabelled["findings"]} - {f["rule"] for f in plain["findings"]}


PLANNED_LOREX = "  - id: planned-lorex\n    site: site-001\n    vendor: Lorex\n    status: planned\n"


def test_a_planned_device_is_identified_again_on_another_day(estate: Path, user_cache: Path) -> None:
    # Lorex is a Dahua relabel for devices made from 2018-02 to 2022-11; a planned one is made from the run's date on.
    path = estate / "site-001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\ncameras:\n", "\ncameras:\n" + PLANNED_LOREX, 1), encoding="utf-8")
    _, later, _ = check(estate, "site-001.yaml")
    assert "planned-lorex" not in {f["subject"] for f in later["findings"]}
    warm_code, warm, stderr = check(estate, "site-001.yaml", "--as-of", "2020-06-01")
    assert "vendor verdict(s) computed afresh" in stderr
    assert (warm_code, warm) == check(estate, "site-001.yaml", "--as-of", "2020-06-01", "--no-cache")[:2]
    assert "VP102" in {f["rule"] for f in warm["findings"] if f["subject"] == "planned-lorex"}


def test_a_verdict_store_signed_by_anyone_else_is_ignored(estate: Path, user_cache: Path) -> None:
    """The forger knows everything but the user's secret: the store's key, and the facts of the edited camera."""
    from vmspolicy.analysis.identify import device_facts, identify
    from vmspolicy.run.verdict_store import VerdictStore

    check(estate, "site-001.yaml")
    camera = edit_model(estate)
    violating = check(estate, "site-001.yaml", "--no-cache")[:2]
    host = load_plugins()
    config = load_config(estate / ".vmspolicy.yaml")
    forged = open_cache(estate / FOLDER_NAME, host, config, lambda message: None)
    assert forged is not None
    forged.secret = b"the forger's own secret, 32 bytes long"
    store = VerdictStore(forged)
    previous = Path.cwd()
    try:
        os.chdir(estate)
        as_of = dt.date.fromisoformat(generate.AS_OF)
        prepared = pipeline.prepare(pipeline.RunOptions(paths=["site-001.yaml"], as_of=as_of), config, host)
    finally:
        os.chdir(previous)
    edited = prepared.ctx.estate.devices[camera]
    store.entries.put(store.key("site-001.yaml"), {device_facts(edited, as_of): identify(vendor="Axis")})
    assert store.entries.written == 1
    code, report, stderr = check(estate, "site-001.yaml")
    assert (code, report) == violating
    assert "VP104" in {f["rule"] for f in report["findings"] if f["subject"] == camera}
    assert f"{FOLDER_NAME}/verdicts/entries/" in stderr and "not a valid entry of this user's cache, rebuilt" in stderr


# A camera of site-002's file that repeats an id of site-001's (VP004) and sits in a zone of site-001's (VP003).
CROSS_FILE = "  - id: site-001-cam-0001\n    site: site-002\n    zone: site-001-cctv-1\n    vendor: Axis\n    model: P1375\n"


def test_a_warm_run_judges_ids_and_references_across_files_as_a_cold_run(estate: Path, user_cache: Path) -> None:
    """Each file's model is kept in its entry: merged with the others', duplicates and references come out as before."""
    path = estate / "site-002.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\ncameras:\n", "\ncameras:\n" + CROSS_FILE, 1), encoding="utf-8")
    check(estate)
    add_camera(estate)  # the file before it changes: the later file's model is taken from the cache
    for taken, given in ((3, ("site-001.yaml",)), (4, ("site-002.yaml",)), (4, ("site-001.yaml", "site-002.yaml")), (4, ())):
        warm_code, warm, stderr = check(estate, *given)
        assert f"cache: {taken} of 4 file(s) taken from" in stderr
        assert (warm_code, warm) == check(estate, *given, "--no-cache")[:2]
    duplicates = [f for f in warm["findings"] if f["path"] == "site-002.yaml" and f["rule"] in ("VP003", "VP004")]
    assert {f["rule"] for f in duplicates} == {"VP003", "VP004"}
    add_camera(estate, "site-002.yaml")  # the later file changes: modelled again, against the earlier files' ids
    _, _, stderr = check(estate, "site-002.yaml")
    assert "cache: 3 of 4 file(s) taken from" in stderr
    assert check(estate, "site-002.yaml")[:2] == check(estate, "site-002.yaml", "--no-cache")[:2]


EXAMPLES = BENCHMARKS.parent / "examples"
MIXED_ESTATE = ["site.yaml", "waivers.yaml", "nvr/*.yml", "scans/*.xml", "firewall/*.xml", "netbox/*.json", "bom.csv"]
# A waiver of its own file excusing the Frigate camera's literal password (VP401, in nvr/config.yml): whether it is
# needed (VP304) depends on a file it does not lie in.
MIXED_WAIVER = """\
vmspolicy: 1
waivers:
  - id: W-1
    devices: [quay_gate]
    reason: The NVR is replaced next month
    approved_by: Head of Security
    ticket: SEC-1
    approved_on: 2026-05-01
    expires: 2026-12-31
    rules: [VP401]
"""


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """Every kind of file a finding can depend on across files: Frigate's secrets, an nmap scan, a BOM, a waiver, a comment."""
    import shutil

    folder = tmp_path / "mixed"
    shutil.copytree(EXAMPLES / "cross-format", folder)
    shutil.copy(EXAMPLES / "bom" / "bom.csv", folder / "bom.csv")
    (folder / "waivers.yaml").write_text(MIXED_WAIVER, encoding="utf-8")
    site = folder / "site.yaml"
    # A comment without a reason or an end (VP305): the site file's own finding.
    site.write_text(site.read_text(encoding="utf-8").replace("\nsites:", "\n# vmspolicy: ignore[VP401]\nsites:", 1), encoding="utf-8")
    (folder / ".vmspolicy.yaml").write_text(f"estate: {json.dumps(MIXED_ESTATE)}\n", encoding="utf-8")
    return folder


def test_a_run_given_files_reports_what_the_whole_run_finds_in_them(mixed: Path, user_cache: Path) -> None:
    """Rules that judge document by document read only the files given; their findings there are the whole run's."""
    _, whole, _ = check(mixed, "--no-cache")
    files = sorted({f["path"] for f in whole["findings"]})
    assert {"site.yaml", "nvr/config.yml", "scans/scan.xml", "bom.csv", "netbox/devices.json"} <= set(files)
    assert {f["rule"] for f in whole["findings"]} >= {"VP305", "VP401", "VP501", "VP502", "VP102"}
    assert not [f for f in whole["findings"] if f["rule"] == "VP304"]
    check(mixed)  # every entry written
    for given in [[name] for name in [*files, "waivers.yaml"]] + [["waivers.yaml", "site.yaml"]]:
        code, warm, stderr = check(mixed, *given)
        assert "cache: 7 of 7 file(s) taken from" in stderr
        assert (code, warm) == check(mixed, *given, "--no-cache")[:2]
        assert warm["findings"] == [f for f in whole["findings"] if f["path"] in given], given
    # Every file reported (none named, or all of them; in worker processes too): the whole run's report.
    every = [str(p.relative_to(mixed)) for pattern in MIXED_ESTATE for p in sorted(mixed.glob(pattern))]
    for args in ([], every, ["--jobs", "2"]):
        code, warm, stderr = check(mixed, *args)
        assert "cache: 7 of 7 file(s) taken from" in stderr
        assert (code, warm) == check(mixed, *args, "--no-cache")[:2]
        assert warm["findings"] == whole["findings"]
    # Without the configured estate, every file named is reported: the same findings as the estate's run.
    (mixed / ".vmspolicy.yaml").write_text("{}\n", encoding="utf-8")
    _, unbound, _ = check(mixed, *every)
    assert check(mixed, *every)[:2] == check(mixed, *every, "--no-cache")[:2]
    assert unbound["findings"] == whole["findings"]


def test_a_limit_named_in_another_configuration_file_is_named_so_from_the_cache(tmp_path: Path, user_cache: Path) -> None:
    # The node and record limits' VP001 names the configuration file that sets them: a run under another file of the
    # same settings must not be handed the first one's message from the cache.
    folder = tmp_path / "named"
    folder.mkdir()
    (folder / "estate.yaml").write_text("vmspolicy: 1\nsites: [{id: a}, {id: b}, {id: c}]\n", encoding="utf-8")
    (folder / ".vmspolicy.yaml").write_text("max_records: 2\n", encoding="utf-8")
    (folder / "other.yaml").write_text("max_records: 2\n", encoding="utf-8")
    messages = []
    for config in (".vmspolicy.yaml", "other.yaml"):
        done = run_cli("check", "--format", "json", "--config", config, "--cache-dir", "c", "estate.yaml", cwd=folder)
        messages.append(json.loads(done.stdout)["findings"][0]["message"])
    assert "(max_records in .vmspolicy.yaml)" in messages[0] and "(max_records in other.yaml)" in messages[1]


def test_another_python_or_parser_library_reads_every_file_again(estate: Path, user_cache: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # An entry holds what the YAML parser, the schema validator and Python itself made of a file: after an upgrade of one
    # of them (which changes readers_fingerprint) no entry written before is used.
    check(estate)
    assert "cache: 4 of 4 file(s) taken" in check(estate)[2]
    original = cache_module.readers_fingerprint
    monkeypatch.setattr(cache_module, "readers_fingerprint", lambda: "upgraded\n" + original())
    assert "cache: 0 of 4 file(s) taken" in check(estate)[2]


def test_the_readers_fingerprint_follows_python_and_the_parser_libraries() -> None:
    text = cache_module.readers_fingerprint()
    assert sys.version in text
    assert all(f"{name}\0" in text for name in ("yaml", "jsonschema_rs", "defusedxml", "pyexpat"))
