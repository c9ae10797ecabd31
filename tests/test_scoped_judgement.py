"""A pre-commit run judges the files it is given on a scoped estate, and reports exactly what the whole estate's judgement does.

With ``estate:`` configured and files named, only the findings located in those files are
reported. The run may then model in full only the records that can change those findings and
take the rest of the estate from the load cache as a summary (``vmspolicy.run.pipeline.SCOPED``);
what it reports must be identical, finding by finding (rule, place, message, severity, subject,
evidence, suppression) and report by report, to a run that models and judges the whole estate
with no cache at all. Every file of each estate is named in turn.

The estates: generated ones (tests/split_estates.py: 3-6 sites in their own files, with
records that tie one site's findings to other sites' on purpose), one with more broken
references than get a did-you-mean in one file, the repository's examples, and every rule case of more
than one file. The cache is warmed in different ways (by the whole estate, by another file,
not at all), and a named file is also checked after an edit that the cache has not seen.

``VMSPOLICY_SCOPE_EXAMPLES=N`` draws N estates in the property test instead of a handful.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import split_estates
from tests.casefiles import discover_cases
from vmspolicy.core.findings import Finding
from vmspolicy.governance.baseline import BaselineEntry, never_recorded, recordable, render_baseline, restricted_records
from vmspolicy.governance.options import GovernanceOptions
from vmspolicy.reporters.base import Run
from vmspolicy.run import pipeline
from vmspolicy.run.plugins import PluginHost, load_plugins
from vmspolicy.testing import run_cli

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date.fromisoformat(split_estates.AS_OF)
SEEDS = (0, 1, 2, 6, 17)
WARMINGS = ("estate", "other", "none")
AS_GIVEN = GovernanceOptions()  # waivers, inline suppressions and no baseline, as a run without governance options
# The files of a case folder that are not inputs of its check.
NOT_INPUTS = frozenset({"case.txt", ".vmspolicy.yaml", "pyproject.toml"})


@pytest.fixture
def cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The load cache on (the suite runs without it), with the user's cache directory, and so its secret, in this test's folder."""
    monkeypatch.delenv("VMSPOLICY_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def host() -> PluginHost:
    """vmspolicy's own plugins: an installed third-party plugin would turn scoping off and leave nothing to compare."""
    return load_plugins(entry_points_enabled=False)


def test_the_estates_hold_the_couplings_they_are_made_for() -> None:
    # The generator is the net's mesh: if it stopped writing cross-site records, the comparison would pass on nothing.
    texts = [text for seed in range(40) for text in split_estates.generate(seed).files.values()]
    everything = "\n".join(texts)
    for sign in ("zone: ", "from: any", "to: internet", "policies: [acme-12]", "status: planned", "rtsp://admin:hunter22@",
                 "# vmspolicy: ignore[VP401]", "vendor: Amcrest", "vendor: Lorex", "vendor: Hikvisi0n", "default: allow",
                 "nat: [", "action: permit", "devices: [", "rules: [VP401]", "expires: 2025-12-01", "expires: 2027-07-01", "tcp/600-500",
                 "to: W-broken", "sensitive: true", "policies: [uk-gov-2O22]", "password: hunter22"):
        assert sign in everything, sign
    assert split_estates.generate(7).files == split_estates.generate(7).files


def test_the_generated_estates_give_findings_of_every_rule_that_judges_manifests(tmp_path: Path, host: PluginHost,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    found: set[str] = set()
    suppressed: set[str] = set()
    for seed in SEEDS:
        folder = tmp_path / str(seed)
        split_estates.generate(seed).write(folder)
        monkeypatch.chdir(folder)
        whole = pipeline.run(pipeline.RunOptions(paths=[], config=folder / ".vmspolicy.yaml", as_of=AS_OF, plugins=host))
        found |= {f.rule for f in whole.findings}
        suppressed |= {f.suppressed.kind for f in whole.findings if f.suppressed is not None}
    wanted = {f"VP{n:03}" for n in (*range(2, 6), *range(101, 108), *range(201, 207), *range(301, 307), 401)}
    assert wanted <= found, sorted(wanted - found)
    assert suppressed == {"waiver", "inline"}


@pytest.mark.parametrize("seed", SEEDS)
def test_a_scoped_run_of_each_file_of_a_generated_estate_reports_what_the_whole_estate_does(
    seed: int, tmp_path: Path, cached: Path, host: PluginHost, monkeypatch: pytest.MonkeyPatch,
) -> None:
    estate = split_estates.generate(seed)
    folder = tmp_path / "estate"
    files = estate.write(folder)
    compared = compare_each_file(folder, files, cached, host, monkeypatch, warming=WARMINGS[seed % len(WARMINGS)],
                                 edited=files[seed % len(files)], governance=governance_of(seed, folder, host, monkeypatch))
    if not estate.declares_twice:
        # Not a comparison of two whole runs: most files are scoped (not waivers.yaml, nor a site file holding a waiver).
        assert len(compared.scoped) >= len(files) // 2, sorted(compared.scoped)


def governance_of(seed: int, folder: Path, host: PluginHost, monkeypatch: pytest.MonkeyPatch) -> GovernanceOptions:
    """By the seed: a baseline holding every other finding a whole run would record, unused suppressions reported, or
    inline suppressions ignored."""
    if seed % 3 == 1:
        return GovernanceOptions(report_unused_suppressions=True)
    if seed % 3 == 2:
        return GovernanceOptions(inline_suppressions=False)
    monkeypatch.chdir(folder)
    whole = pipeline.run(pipeline.RunOptions(paths=[], config=folder / ".vmspolicy.yaml", as_of=AS_OF, plugins=host))
    assert whole.context is not None
    never, restricted = never_recorded(whole.rules), restricted_records(whole.context)
    recorded = [BaselineEntry.of(f) for f in whole.findings if recordable(f, never, restricted)][::2]
    assert recorded, "the baseline holds findings"
    (folder / "baseline.json").write_text(render_baseline(recorded, version="test", as_of=AS_OF.isoformat()), encoding="utf-8")
    return GovernanceOptions(baseline=str(folder / "baseline.json"))


@settings(max_examples=int(os.environ.get("VMSPOLICY_SCOPE_EXAMPLES", "3")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), warming=st.sampled_from(WARMINGS), scatter=st.sampled_from([0.0, 0.3, 0.6]))
def test_drawn_estates_too(seed: int, warming: str, scatter: float, tmp_path_factory: pytest.TempPathFactory, host: PluginHost) -> None:
    folder = tmp_path_factory.mktemp("drawn")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.delenv("VMSPOLICY_NO_CACHE", raising=False)
        monkeypatch.setenv("XDG_CACHE_HOME", str(folder / "user-cache"))
        files = split_estates.generate(seed, scatter).write(folder / "estate")
        edited = random.Random(seed).choice(files)
        compare_each_file(folder / "estate", files, folder / "cache", host, monkeypatch, warming=warming, edited=edited)


@pytest.mark.parametrize("name", sorted(split_estates.couplings()))
def test_each_way_a_file_depends_on_another(name: str, tmp_path: Path, cached: Path, host: PluginHost,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "estate"
    files = split_estates.couplings()[name].write(folder)
    compared = compare_each_file(folder, files, cached, host, monkeypatch, warming="estate", edited="site-a.yaml")
    assert compared.runs["site-a.yaml"].findings, "the coupling shows in findings of site-a.yaml"
    # Scoped, unless an id is declared twice: then the whole estate is modelled.
    assert ("site-a.yaml" in compared.scoped) == (name != "first-declarations-elsewhere"), compared.scoped


def test_files_of_odd_shapes_beside_the_site_files(tmp_path: Path, cached: Path, host: PluginHost, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "estate"
    files = split_estates.odd_files().write(folder)
    compared = compare_each_file(folder, files, cached, host, monkeypatch, warming="none", edited="site-a.yaml")
    assert {"site-a.yaml", "site-b.yaml"} <= compared.scoped


def test_the_did_you_mean_budget_of_a_file_is_its_own(tmp_path: Path, cached: Path, host: PluginHost,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "estate"
    files = split_estates.many_misses().write(folder)
    compared = compare_each_file(folder, files, cached, host, monkeypatch, warming="estate")
    full = compared.runs
    assert compared.scoped == set(files)
    # site-a.yaml's 505 misses come first, and spend its own budget only: site-b.yaml's near miss still gets a did-you-mean.
    (miss,) = [f for f in full["site-b.yaml"].findings if f.rule == "VP003"]
    assert "did you mean 'b-legacy'?" in miss.message
    hints = [f for f in full["site-a.yaml"].findings if f.rule == "VP003" and "did you mean" in f.message]
    assert len([f for f in full["site-a.yaml"].findings if f.rule == "VP003"]) == 505 and len(hints) <= 500


def test_the_example_estate(tmp_path: Path, cached: Path, host: PluginHost, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "examples"
    shutil.copytree(ROOT / "examples" / "estate", folder / "estate")
    files = with_estate(folder, ["estate"], host)
    assert len(files) == 6
    compared = compare_each_file(folder, files, cached, host, monkeypatch, warming="estate", edited="estate/hq/cameras.yaml",
                                 as_of=dt.date(2026, 12, 1))
    assert compared.scoped == set(files) - {"estate/waivers.yaml"}


def test_every_example_as_one_estate(tmp_path: Path, cached: Path, host: PluginHost, monkeypatch: pytest.MonkeyPatch) -> None:
    # Other tools' files among them: the whole estate is judged, and still reported as it should be.
    folder = tmp_path / "examples"
    for example in ("estate", "cross-format", "commercial", "bom"):
        shutil.copytree(ROOT / "examples" / example, folder / example)
    files = with_estate(folder, ["estate", "cross-format", "commercial", "bom"], host)
    compare_each_file(folder, files, cached, host, monkeypatch, warming="other", as_of=dt.date(2026, 12, 1))


def multi_file_cases() -> list[Any]:
    """Every rule case of a folder whose check reads more than one file, with its command line's options."""
    found = []
    for case in discover_cases():
        if case.root.name == "cases" or not (case.root / "case.txt").is_file():
            continue
        inputs = [p for p in case.root.iterdir() if p.name not in NOT_INPUTS]
        if len(inputs) > 1:
            found.append(pytest.param(case.root, case.options, id=case.name))
    return found


@pytest.mark.parametrize(("root", "options"), multi_file_cases())
def test_each_rule_case_of_several_files(root: Path, options: Sequence[str], tmp_path: Path, cached: Path, host: PluginHost,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "case"
    shutil.copytree(root, folder)
    files = with_estate(folder, ["."], host)
    profiles = [options[i + 1] for i, option in enumerate(options) if option == "--profile"]
    as_of = next((dt.date.fromisoformat(options[i + 1]) for i, option in enumerate(options) if option == "--as-of"), AS_OF)
    compare_each_file(folder, files, cached, host, monkeypatch, warming="none", as_of=as_of, profiles=profiles)


@pytest.mark.parametrize("command", ["check", "report", "baseline", "graph", "fix"])
def test_the_commands_that_name_files_of_an_estate(command: str, tmp_path: Path, cached: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `check` is the pre-commit run itself; `report` reads the whole estate's judgements, `baseline` its findings, `graph` and
    # `fix` the estate itself.
    folder = tmp_path / "estate"
    files = split_estates.generate(SEEDS[0]).write(folder)
    monkeypatch.chdir(folder)
    common = ("--no-plugins", "--as-of", split_estates.AS_OF)
    run_cli("check", *common, "--cache-dir", str(cached), "--format", "json", cwd=folder)  # warms the cache
    for name in files:
        if command == "check":
            args: tuple[str, ...] = ("check", name, "--format", "json")
        elif command == "report":
            args = ("report", name, "--format", "md", "--output", "-")
        elif command == "baseline":
            args = ("baseline", name, "--output", str(tmp_path / "baseline.json"))
        elif command == "graph":
            args = ("graph", name, "--format", "mermaid")
        else:
            args = ("fix", name, "--diff")
        scoped = cli(monkeypatch, True, *args, *common, "--cache-dir", str(cached), cwd=folder)
        written = (tmp_path / "baseline.json").read_text(encoding="utf-8") if command == "baseline" else ""
        full = cli(monkeypatch, False, *args, *common, "--no-cache", cwd=folder)
        if command == "baseline":
            assert written == (tmp_path / "baseline.json").read_text(encoding="utf-8"), f"the baseline of {name} differs"
        assert scoped == full, f"vmspolicy {' '.join(args)}: a scoped run differs from the whole estate's"
    if command == "check":
        said = cli(monkeypatch, True, "check", files[1], "-v", *common, "--cache-dir", str(cached), cwd=folder)[2]
        assert "scope: " in said and "modelled in full (" in said, said


def test_the_comparison_tells_a_scope_too_narrow(tmp_path: Path, host: PluginHost, monkeypatch: pytest.MonkeyPatch) -> None:
    # What a run would report had it left out site b's firewall: a-cam-1's flows to b's zones are named differently.
    folder = tmp_path / "estate"
    split_estates.couplings()["peer-site-firewall"].write(folder)
    monkeypatch.chdir(folder)
    options = pipeline.RunOptions(paths=["site-a.yaml"], config=folder / ".vmspolicy.yaml", as_of=AS_OF, plugins=host)
    whole = pipeline.run(options)
    (folder / "site-b.yaml").write_text("vmspolicy: 1\nsites: [{id: b}]\nzones: [{id: b-office, site: b, purpose: corporate, "
                                        "cidr: 10.2.0.0/24}]\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="no firewall at site 'b'"):
        assert_same("site-a.yaml", pipeline.run(options), whole, host)


# -- the comparison -------------------------------------------------------------------------------


@dataclass
class Comparison:
    """What naming each file of an estate gave: the whole estate's runs by file, and the files whose run was scoped."""

    runs: dict[str, Run] = field(default_factory=dict)
    scoped: set[str] = field(default_factory=set)  # a run that fell back to the whole estate (an id declared twice...) is not


def compare_each_file(folder: Path, files: Sequence[str], cache: Path, host: PluginHost, monkeypatch: pytest.MonkeyPatch, *,
                      warming: str, edited: str | None = None, as_of: dt.date = AS_OF, profiles: Sequence[str] = (),
                      governance: GovernanceOptions = AS_GIVEN) -> Comparison:
    """Name each of ``files`` in turn, then every other one at once and the rest: a scoped run with the load cache, then
    the whole estate's without it; they must agree.

    ``warming``: what filled the cache first (the whole estate, the last file alone, nothing).
    ``edited``: a file checked once more as an editor's changed buffer on standard input, and after an edit the cache
    has not seen (a comment appended). ``governance``: a baseline, and how inline suppressions are taken, for both runs.
    """
    monkeypatch.chdir(folder)
    compared = Comparison()

    def check(paths: list[str], *, scoped: bool, buffer: bytes | None = None) -> Run:
        notes: list[str] = []
        options = pipeline.RunOptions(paths=["-"] if buffer is not None else paths, config=folder / ".vmspolicy.yaml",
                                      cache_dir=cache if scoped else None, as_of=as_of, plugins=host, profiles=tuple(profiles),
                                      scope=scoped, verbose=notes.append, stdin_filename=paths[0] if buffer is not None else None,
                                      stdin_bytes=buffer, governance=governance)
        with monkeypatch.context() as switch:
            switch.setattr(pipeline, "SCOPED", scoped)
            done = pipeline.run(options)
        said = [note for note in notes if note.startswith("scope: ")]
        if scoped and len(paths) == 1 and any("modelled in full (" in note for note in said) and not any("whole estate" in note for note in said):
            compared.scoped.add(paths[0])
        return done

    if warming == "estate":
        check([], scoped=True)
    elif warming == "other":
        check([files[-1]], scoped=True)
    for name in files:
        compared.runs[name] = full = check([name], scoped=False)
        assert_same(name, check([name], scoped=True), full, host)
    # A commit often changes several files: every other file at once, and the rest.
    for group in (list(files[::2]), list(files[1::2])):
        if len(group) > 1:
            assert_same(", ".join(group), check(group, scoped=True), check(group, scoped=False), host)
    if edited is not None and edited.endswith((".yaml", ".yml")):
        path = folder / edited
        # An editor's unsaved buffer, on standard input: a camera that is now Hikvision, a legacy zone that no longer is.
        text = path.read_text(encoding="utf-8")
        buffer = text.replace("vendor: Axis", "vendor: Hikvision", 1).replace("purpose: legacy-cameras", "purpose: cameras", 1)
        assert_same(f"{edited} (on standard input)", check([edited], scoped=True, buffer=buffer.encode()),
                    check([edited], scoped=False, buffer=buffer.encode()), host)
        path.write_text(text + "\n# edited after the cache was filled\n", encoding="utf-8")
        assert_same(f"{edited} (edited)", check([edited], scoped=True), check([edited], scoped=False), host)
    return compared


def assert_same(name: str, scoped: Run, full: Run, host: PluginHost) -> None:
    """The findings first (a readable difference), then every built-in report byte for byte."""
    if scoped.findings != full.findings:
        only_scoped = [show(f) for f in scoped.findings if f not in full.findings]
        only_full = [show(f) for f in full.findings if f not in scoped.findings]
        raise AssertionError(
            f"naming {name}: the scoped run's findings differ from the whole estate's\n"
            "only in the scoped run:\n  " + "\n  ".join(only_scoped or ["(none)"]) +
            "\nonly in the whole estate's run:\n  " + "\n  ".join(only_full or ["(none)"]) +
            ("\n(the same findings, in another order)" if not only_scoped and not only_full else "")
        )
    for format_name, reporter in sorted(host.reporters().items()):
        assert reporter.render(scoped) == reporter.render(full), f"naming {name}: the {format_name} report differs"


def show(finding: Finding) -> str:
    suppressed = f" [suppressed by {finding.suppressed.kind} {finding.suppressed.reference}]" if finding.suppressed else ""
    return (f"{finding.location}: {finding.rule} [{finding.severity.label}] subject={finding.subject} evidence={finding.evidence!r} "
            f"{finding.message}{suppressed}")


def with_estate(folder: Path, parts: Sequence[str], host: PluginHost) -> list[str]:
    """Configure ``folder`` (its own configuration kept) with ``estate:`` naming every file a check of ``parts`` reads.

    Returns those files, as the runs name them (relative to ``folder``).
    """
    config_path = folder / ".vmspolicy.yaml"
    written = yaml.safe_load(config_path.read_text(encoding="utf-8")) if config_path.is_file() else None
    written = dict(written or {})
    written.pop("estate", None)
    config_path.write_text(yaml.safe_dump(written, sort_keys=False) if written else "", encoding="utf-8")
    here = Path.cwd()
    os.chdir(folder)
    try:
        found = pipeline.run(pipeline.RunOptions(paths=list(parts), config=config_path, plugins=host, as_of=AS_OF))
    finally:
        os.chdir(here)
    files = sorted({i.path for i in found.inputs} | {f.path for f in found.findings if f.rule == "VP001" and (folder / f.path).is_file()})
    written["estate"] = files
    config_path.write_text(yaml.safe_dump(written, sort_keys=False), encoding="utf-8")
    return files


def cli(monkeypatch: pytest.MonkeyPatch, scoped: bool, *args: str, cwd: Path) -> tuple[int, str, str]:
    with monkeypatch.context() as switch:
        switch.setattr(pipeline, "SCOPED", scoped, raising=False)
        done = run_cli(*args, cwd=cwd)
    assert done.exit_code in (0, 1), done.stderr
    return done.exit_code, done.stdout, done.stderr

