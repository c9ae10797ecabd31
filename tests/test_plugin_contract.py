"""What a plugin hands over is checked when it loads: a mistake is exit 2 naming the plugin and the attribute."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any, Callable, Iterable

import pytest

from tests.plugins import public_api
from tests.test_plugins import install_entry_point, run_cli
from vmspolicy import Finding, Rule, Severity
from vmspolicy.cli import main
from vmspolicy.core.errors import PluginError
from vmspolicy.run.plugins import PluginHost, load_plugins

DOC = """A test rule.

    What it checks
        Nothing much.

    Why
        Tests.

    Example (fails)
        Any estate.

    Use instead
        Nothing.

    Options
        None.
    """


def rule_class(**attributes: Any) -> type[Rule]:
    def check(self: Rule, ctx: object) -> Iterable[Finding]:
        return ()

    namespace: dict[str, Any] = {"__doc__": DOC, "code": "ACME101", "slug": "a-rule", "check": check}
    namespace.update(attributes)
    return type("ARule", (Rule,), namespace)


def host_with(**hooks: Callable[[], Any]) -> PluginHost:
    module = types.ModuleType("acme")
    for name, function in hooks.items():
        setattr(module, name, public_api.hookimpl(function))
    return load_plugins(entry_points_enabled=False, extra=[module])


def rules_of(*rules: Any) -> PluginHost:
    return host_with(vmspolicy_rules=lambda: rules)


def test_severity_may_be_written_as_in_the_configuration() -> None:
    for text, severity in (("error", Severity.ERROR), ("warning", Severity.WARNING), ("info", Severity.INFO)):
        rule = next(r for r in rules_of(rule_class(severity=text)).rules() if r.code == "ACME101")
        assert rule.severity is severity
        assert rule.finding(public_api.Location("x.yaml"), "m").severity is severity


@pytest.mark.parametrize(
    ("attributes", "words"),
    [
        ({"code": "acme101"}, "rule class ARule: code 'acme101' must be two or more capital letters and three or more digits"),
        ({"code": "A101"}, "code 'A101' must be"),
        ({"code": "ACME01"}, "code 'ACME01' must be"),
        ({"code": 101}, "code 101 must be"),
        ({"slug": "A Rule"}, "rule ACME101 (ARule): slug 'A Rule' must be lower-case words joined by '-'"),
        ({"severity": "Warning"}, "rule ACME101 (ARule): severity 'Warning' must be a vmspolicy.Severity or one of 'error', 'warning', 'info'"),
        ({"severity": "critical"}, "severity 'critical' must be"),
        ({"severity": 3}, "severity 3 must be"),
        ({"waivable": "yes"}, "waivable must be True or False, not 'yes'"),
        ({"baselinable": None}, "baselinable must be True or False"),
        ({"inline_suppressible": 1}, "inline_suppressible must be True or False, not 1"),
        ({"summary": ["x"]}, "summary must be a string"),
        ({"options": [("days", 90)]}, "options must be a mapping of option names to defaults, not list"),
        ({"options": {"since": Path("x")}}, "option 'since' default holds PosixPath('x') (PosixPath): options are set in YAML or TOML"),
        ({"options": {"when": {1: "x"}}}, "option 'when' default has the key 1, which is not a string"),
        ({"options": {"": 1}}, "option name '' must be a non-empty string"),
        ({"looser": {"days": "higher"}}, "looser names 'days', which is not one of its options (none)"),
        ({"options": {"days": 90}, "looser": {"days": "higher"}},
         "looser['days'] must be a vmspolicy.Looser (HIGHER, LOWER, FEWER, MORE), not 'higher'"),
        ({"looser": ["days"]}, "looser must be a mapping of option names to vmspolicy.Looser, not list"),
        ({"__doc__": None}, "rule ACME101 (ARule): the docstring is its documentation (`vmspolicy explain`) and is missing"),
        ({"__doc__": "A rule.\n\nWhat it checks / Why / Example (fails) / Use instead / Options"},
         "the docstring lacks the section(s) 'What it checks', 'Why', 'Example (fails)', 'Use instead', 'Options'"),
        ({"__doc__": DOC.replace("Options", "Settings")}, "lacks the section(s) 'Options'"),
        ({"check": Rule.check}, "rule ACME101 (ARule): check() is not implemented"),
    ],
)
def test_a_rule_breaking_the_contract_is_refused_naming_the_attribute(attributes: dict[str, Any], words: str) -> None:
    with pytest.raises(PluginError) as raised:
        rules_of(rule_class(**attributes)).rules()
    assert str(raised.value).startswith("plugin 'acme': ")
    assert words in str(raised.value)


@pytest.mark.parametrize(
    ("returned", "words"),
    [
        (rule_class, "vmspolicy_rules() must return a list or tuple, not type"),
        (lambda: "ACME101", "vmspolicy_rules() must return a list or tuple, not str"),
        (lambda: 7, "must return a list or tuple, not int"),
        (lambda: [rule_class()()], "vmspolicy_rules() returned <"),
        (lambda: [object], "not a subclass of vmspolicy.Rule"),
    ],
)
def test_what_a_rules_hook_returns_is_checked(returned: Callable[[], Any], words: str) -> None:
    with pytest.raises(PluginError, match="plugin 'acme'") as raised:
        host_with(vmspolicy_rules=returned).rules()
    assert words in str(raised.value)


def test_rule_codes_and_slugs_stay_unique() -> None:
    with pytest.raises(PluginError, match=r"rule VP201 is already registered by 'vmspolicy\.rules\.isolation'"):
        rules_of(rule_class(code="VP201")).rules()
    with pytest.raises(PluginError, match="rule not-segmented is already registered"):
        rules_of(rule_class(slug="not-segmented")).rules()


class Loader:
    def __init__(self, **attributes: Any) -> None:
        self.name = "tab"
        self.suffixes: Any = (".tab",)
        self.load: Any = lambda source: None
        self.__dict__.update(attributes)


@pytest.mark.parametrize(
    ("attributes", "words"),
    [
        ({"name": None}, "name None must be a lower-case word"),
        ({"name": "Tab Files"}, "name 'Tab Files' must be a lower-case word"),
        ({"name": "manifest"}, "loader 'manifest' is already registered by 'vmspolicy.loading.builtin'"),
        ({"suffixes": ".tab"}, "loader 'tab': suffixes must be a sequence of file endings such as ('.cams',), not '.tab'"),
        ({"suffixes": ("tab",)}, "loader 'tab': suffix 'tab' must be a lower-case file ending with its dot"),
        ({"suffixes": (".TAB",)}, "suffix '.TAB' must be"),
        ({"load": None}, "loader 'tab': load(source) is missing"),
    ],
)
def test_a_loader_breaking_the_protocol_is_refused(attributes: dict[str, Any], words: str) -> None:
    with pytest.raises(PluginError, match="plugin 'acme'") as raised:
        host_with(vmspolicy_loaders=lambda: [Loader(**attributes)]).loaders()
    assert words in str(raised.value)


class Reporter:
    name = "lines"
    description = "lines"

    def render(self, result: object, *, color: bool = False) -> str:
        return ""


@pytest.mark.parametrize(
    ("attributes", "words"),
    [
        ({"name": "Lines!"}, "name 'Lines!' must be a lower-case word"),
        ({"name": "json"}, "reporter 'json' is already registered by 'vmspolicy.reporters.builtin'"),
        ({"description": 3}, "reporter 'lines': description must be a string, not 3"),
        ({"render": "text"}, "reporter 'lines': render(result, *, color=False) is missing"),
    ],
)
def test_a_reporter_breaking_the_protocol_is_refused(attributes: dict[str, Any], words: str) -> None:
    reporter = type("R", (Reporter,), attributes)()
    with pytest.raises(PluginError, match="plugin 'acme'") as raised:
        host_with(vmspolicy_reporters=lambda: [reporter]).reporters()
    assert words in str(raised.value)


def test_a_reporter_without_a_description_is_refused() -> None:
    class Bare:
        name = "bare"

        def render(self, result: object, *, color: bool = False) -> str:
            return ""

    with pytest.raises(PluginError, match=r"plugin 'acme': reporter 'bare': description .* is missing"):
        host_with(vmspolicy_reporters=lambda: [Bare()]).reporters()


@pytest.mark.parametrize(
    ("pack", "words"),
    [
        ({**public_api.PACK, "cutoff": public_api.PACK["cutoff"].replace("-", "/")}, "policy pack 'acme-2026': cutoff:"),
        ({k: v for k, v in public_api.PACK.items() if k != "sources"}, "policy pack 'acme-2026':"),
        ({**public_api.PACK, "families": ("Hikvision",), "cutof": "2020-01-01"}, "unknown key 'cutof'"),
        ({**public_api.PACK, "cutoff": __import__("datetime").date(2021, 1, 1)}, "holds datetime.date(2021, 1, 1) (date), which is not JSON data"),
        ("acme-2026", "vmspolicy_packs() returned str, not a mapping"),
    ],
)
def test_a_pack_is_checked_against_its_schema_when_the_plugin_loads(pack: Any, words: str) -> None:
    with pytest.raises(PluginError, match="plugin 'acme'") as raised:
        host_with(vmspolicy_packs=lambda: [pack]).packs()
    assert words in str(raised.value)


def test_a_single_pack_not_in_a_list_is_refused() -> None:
    with pytest.raises(PluginError, match=r"plugin 'acme': vmspolicy_packs\(\) must return a list or tuple, not dict"):
        host_with(vmspolicy_packs=lambda: public_api.PACK).packs()


def test_a_pack_with_tuples_is_accepted_as_plain_data() -> None:
    packs = host_with(vmspolicy_packs=lambda: [{**public_api.PACK, "families": ("Hikvision",)}]).packs()
    assert packs[-1]["families"] == ["Hikvision"]


def test_vendor_data_is_checked_against_its_schema_naming_the_plugin() -> None:
    fragment = {"version": 1, "source": "ACME research", "relabels": [{"name": "Acmevision", "family": "Hikvision"}]}
    with pytest.raises(PluginError, match=r"plugin 'acme': vendor data: relabels\.0: .*confidence"):
        host_with(vmspolicy_vendor_data=lambda: [fragment]).vendor_data()
    fragment["relabels"][0]["confidence"] = "high"  # type: ignore[index]
    assert host_with(vmspolicy_vendor_data=lambda: [fragment]).vendor_data()[-1] == fragment



def test_a_rule_with_severity_warning_works_in_every_command(plugin_workspace: Path) -> None:
    source = (Path(public_api.__file__).parent / "thirdparty.py").read_text(encoding="utf-8")
    assert "severity = Severity.WARNING" in source
    install_entry_point(plugin_workspace / "site", "thirdparty", "thirdparty")
    plugin = plugin_workspace / "site" / "thirdparty.py"
    plugin.write_text(source.replace("severity = Severity.WARNING", 'severity = "warning"'), encoding="utf-8")
    checked = run_cli(plugin_workspace, "check", "sites.yaml")
    assert checked.returncode == 0, checked.stderr
    assert "VP901 [warning] cam-1 has no location" in checked.stdout
    assert "VP901  camera-location                        warning" in run_cli(plugin_workspace, "rules").stdout
    assert run_cli(plugin_workspace, "explain", "VP901").stdout.startswith("VP901 camera-location [warning]")


def test_a_broken_plugin_attribute_is_exit_2_naming_plugin_and_attribute(plugin_workspace: Path) -> None:
    install_entry_point(plugin_workspace / "site", "thirdparty", "thirdparty")
    plugin = plugin_workspace / "site" / "thirdparty.py"
    plugin.write_text(plugin.read_text(encoding="utf-8").replace("severity = Severity.WARNING", 'severity = "Warn"'), encoding="utf-8")
    for command in (("check", "sites.yaml"), ("rules",), ("explain", "VP003")):
        result = run_cli(plugin_workspace, *command)
        assert result.returncode == 2, (command, result.stdout)
        assert result.stderr == (
            "vmspolicy: plugin error: plugin 'thirdparty': rule VP901 (CameraLocation): severity 'Warn' must be a "
            "vmspolicy.Severity or one of 'error', 'warning', 'info'\n"
        )


def test_a_rule_that_yields_no_finding_or_cannot_be_built_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("sites.yaml").write_text("vmspolicy: 1\nsites: [{id: hq}]\n", encoding="utf-8")

    def yields_text(self: Rule, ctx: object) -> Iterable[object]:
        yield "hq is fine"

    def needs_arguments(self: Rule, level: int) -> None:
        raise AssertionError("never called without its argument")

    for rule, words in ((rule_class(check=yields_text), "rule ACME101 yielded 'hq is fine', not a Finding"),
                        (rule_class(__init__=needs_arguments), "rule ACME101 raised TypeError")):
        monkeypatch.setattr("vmspolicy.cli.options.plugins_for", lambda args, rule=rule: rules_of(rule))
        assert main(["check", "sites.yaml"]) == 2
        assert f"vmspolicy: plugin error: plugin 'acme': {words}" in capsys.readouterr().err


def test_a_loader_returning_something_else_than_documents_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("cams.tab").write_text("cam-1\thq\tAxis\n", encoding="utf-8")
    loader = Loader(load=lambda source: {"cameras": []})
    monkeypatch.setattr("vmspolicy.cli.options.plugins_for", lambda args: host_with(vmspolicy_loaders=lambda: [loader]))
    assert main(["check", "cams.tab"]) == 2
    assert "vmspolicy: plugin error: plugin 'acme': loader 'tab' returned {'cameras': []} for cams.tab: a list of Documents" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(("render", "words"), [
    (lambda self, result, color=False: 1 / 0, "reporter 'lines' raised ZeroDivisionError"),
    (lambda self, result, color=False: b"bytes", "reporter 'lines' returned bytes, not the report as a string"),
])
def test_a_reporter_that_raises_or_returns_no_text_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str], render: Any, words: str) -> None:
    monkeypatch.chdir(tmp_path)
    Path("sites.yaml").write_text("vmspolicy: 1\nsites: [{id: hq}]\n", encoding="utf-8")
    reporter = type("R", (Reporter,), {"render": render})()
    monkeypatch.setattr("vmspolicy.cli.options.plugins_for", lambda args: host_with(vmspolicy_reporters=lambda: [reporter]))
    for command in (["check", "--format", "lines", "sites.yaml"], ["check", "--output", "lines:out.txt", "sites.yaml"]):
        assert main(command) == 2
        assert f"vmspolicy: plugin error: plugin 'acme': {words}" in capsys.readouterr().err
    assert not Path("out.txt").exists()


def test_a_plugin_may_not_weaken_a_builtin_mandatory_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    from vmspolicy.rules.vendor import RestrictedVendorOnSensitiveSite, VendorMismatch

    def finds_nothing(self: Rule, ctx: object) -> Iterable[Finding]:
        return ()

    tampering: list[tuple[Callable[[], None], str]] = [
        (lambda: monkeypatch.setattr(RestrictedVendorOnSensitiveSite, "severity", Severity.INFO),
         "changed severity of the built-in rule VP101 (error -> info), which packs make mandatory"),
        (lambda: monkeypatch.setattr(RestrictedVendorOnSensitiveSite, "check", finds_nothing),
         "changed check of the built-in rule VP101 (RestrictedVendorOnSensitiveSite.check -> "),
        (lambda: monkeypatch.setattr(VendorMismatch, "options", {**VendorMismatch.options, "min_weight": 0.99}),
         "changed options of the built-in rule VP104"),
    ]
    for tamper, words in tampering:
        def hook(tamper: Callable[[], None] = tamper) -> list[object]:
            tamper()
            return []

        with pytest.raises(PluginError) as raised:
            host_with(vmspolicy_rules=hook).rules()
        assert str(raised.value).startswith(f"plugin 'acme': {words}")
        monkeypatch.undo()


def test_a_plugin_may_not_alter_a_builtin_pack(monkeypatch: pytest.MonkeyPatch) -> None:
    from vmspolicy.core.packs import builtin_packs

    def hook() -> list[object]:
        monkeypatch.setitem(builtin_packs()[0], "mandatory", ["VP001"])  # type: ignore[arg-type]
        return []

    with pytest.raises(PluginError, match="plugin 'acme': changed the data of a built-in policy pack"):
        host_with(vmspolicy_packs=hook).packs()


def test_a_plugin_rule_that_weakens_a_builtin_one_while_it_runs_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from vmspolicy.rules.isolation import InternetEgress

    monkeypatch.chdir(tmp_path)
    Path("sites.yaml").write_text("vmspolicy: 1\nsites: [{id: hq}]\n", encoding="utf-8")

    def downgrade(self: Rule, ctx: object) -> Iterable[Finding]:
        monkeypatch.setattr(InternetEgress, "severity", Severity.INFO)
        return ()

    monkeypatch.setattr("vmspolicy.cli.options.plugins_for", lambda args: rules_of(rule_class(code="AAA001", check=downgrade)))
    assert main(["check", "sites.yaml"]) == 2
    assert "vmspolicy: plugin error: plugin 'acme': changed severity of the built-in rule VP202 (error -> info)" in capsys.readouterr().err


def test_a_plugin_that_weakens_a_builtin_rule_when_imported_is_exit_2(plugin_workspace: Path) -> None:
    install_entry_point(plugin_workspace / "site", "thirdparty", "thirdparty")
    plugin = plugin_workspace / "site" / "thirdparty.py"
    plugin.write_text(plugin.read_text(encoding="utf-8") + "\nfrom vmspolicy.rules.vendor import RestrictedVendorLegacy\n"
                      "RestrictedVendorLegacy.severity = Severity.WARNING\n", encoding="utf-8")
    result = run_cli(plugin_workspace, "check", "sites.yaml")
    assert result.returncode == 2
    assert result.stderr.startswith("vmspolicy: plugin error: plugin 'thirdparty': changed severity of the built-in rule VP103 (error -> warning)")
