"""VP306: mandatory rules, the direction each option loosens in, and what cannot excuse a refused override.

The findings themselves are rule cases (tests/cases/VP306/); these pin the parts around them.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any, Callable

import pytest

from tests.conftest import Cli
from tests.manifests import VIOLATING
from vmspolicy.analysis import policy
from vmspolicy.cli import main
from vmspolicy.core.packs import builtin_packs
from vmspolicy.core.rule import Looser
from vmspolicy.run.plugins import load_plugins

REGIME = {"VP001", "VP101", "VP102", "VP103", "VP104", "VP107", "VP201", "VP202", "VP203", "VP204", "VP205", "VP206", "VP502"}
PACK = {"id": "acme", "title": "ACME", "families": ["Hikvision"], "cutoff": "2024-01-01",
        "sources": [{"title": "SEC-7", "url": "https://intranet.example.com/sec-7", "date": "2024-01-01"}]}


@pytest.fixture
def run(tmp_path: Path, cli: Cli) -> Callable[..., tuple[int, str]]:
    """``vmspolicy COMMAND --no-plugins ARGS`` in ``tmp_path`` (the shared cli fixture): the exit code and standard output."""

    def command(name: str, *arguments: str) -> tuple[int, str]:
        code, out, _ = cli(name, "--no-plugins", *arguments, cwd=tmp_path)
        return code, out

    return command


@pytest.mark.parametrize("pack", builtin_packs(), ids=lambda p: str(p["id"]))
def test_every_builtin_pack_names_the_regime_as_mandatory(pack: dict[str, Any]) -> None:
    assert set(pack["mandatory"]) >= REGIME
    assert policy.parse_pack(pack).mandatory >= REGIME


def test_a_pack_that_names_no_mandatory_rules_gets_the_regime() -> None:
    assert policy.parse_pack(PACK).mandatory == REGIME
    assert policy.parse_pack({**PACK, "mandatory": ["VP102"]}).mandatory == {"VP102"}


def test_every_builtin_rule_option_declares_which_way_it_loosens() -> None:
    for rule in load_plugins(entry_points_enabled=False).rules():
        assert set(rule.looser) == set(rule.options), f"{rule.code}: options without a direction"


@pytest.mark.parametrize(
    ("direction", "default", "value", "looser"),
    [
        (Looser.HIGHER, 0.8, 0.95, True),
        (Looser.HIGHER, 0.8, 0.6, False),
        (Looser.LOWER, 90, 30, True),
        (Looser.LOWER, 90, 120, False),
        (Looser.FEWER, ("p2p_cloud", "upnp", "ddns"), ["upnp"], True),
        (Looser.FEWER, ("p2p_cloud", "upnp", "ddns"), ["ddns", "upnp", "p2p_cloud", "telnet"], False),
        (Looser.MORE, (), ["10.0.0.1"], True),
        (Looser.MORE, ("10.0.0.1",), [], False),
        (Looser.HIGHER, 0.8, "0.95", True),  # not a number: not comparable, so any change counts
    ],
)
def test_looser_directions(direction: Looser, default: Any, value: Any, looser: bool) -> None:
    assert direction.loosens(default, value) is looser


def test_an_option_without_a_direction_may_not_change_on_a_mandatory_rule(tmp_path: Path) -> None:
    from vmspolicy.analysis.context import CheckContext
    from vmspolicy.analysis.overrides import refused_overrides
    from vmspolicy.core.config import Config
    from vmspolicy.core.model import Estate
    from vmspolicy.core.rule import Rule

    class Plugged(Rule):
        code, slug, options = "VP950", "plugged", {"mode": "strict"}

    pack = {**PACK, "mandatory": ["VP950"]}
    config = Config(path=tmp_path / ".vmspolicy.yaml", root=tmp_path, profiles=("acme",),
                    rule_options={"VP950": {"mode": "lenient"}}, settings={"packs": [pack]})
    ctx = CheckContext(estate=Estate(sites={}, zones={}, devices={}, firewalls=(), waivers={}), documents=(),
                       as_of=__import__("datetime").date(2026, 1, 1), profiles=("acme",), settings=config.settings,
                       rules=(Plugged,), config=config)
    refused = refused_overrides(ctx)
    assert [(r.kind, r.rules, r.option) for r in refused] == [("option", ("VP950",), "mode")]
    assert "declares no safe direction" in refused[0].message


def test_explain_and_rules_list_vp306(run: Callable[..., tuple[int, str]]) -> None:
    code, out = run("explain", "VP306")
    assert code == 0 and "policy-override-refused" in out and "(waivable: no)" in out and "Use instead" in out
    code, out = run("rules")
    assert "VP306  policy-override-refused" in out


def test_packs_command_shows_mandatory_rules(tmp_path: Path, run: Callable[..., tuple[int, str]]) -> None:
    (tmp_path / ".vmspolicy.yaml").write_text("packs:\n  - " + json.dumps({**PACK, "mandatory": ["VP001", "VP102"]}) + "\n",
                                              encoding="utf-8")
    code, out = run("packs")
    assert code == 0
    assert "mandatory   VP001, VP101, VP102, VP103, VP104, VP107, VP201" in out.split("uk-gov-2022  ", 1)[1].split("\n\n")[0]
    assert "mandatory   VP001, VP102 (configuration may tighten" in out.split("acme  ", 1)[1]
    code, out = run("packs", "--format", "json")
    packs = {p["id"]: p for p in json.loads(out)["packs"]}
    assert packs["acme"]["mandatory"] == ["VP001", "VP102"] and set(packs["au-gov-2023"]["mandatory"]) >= REGIME


def test_a_baseline_never_absorbs_a_refused_override(tmp_path: Path, run: Callable[..., tuple[int, str]]) -> None:
    (tmp_path / "estate.yaml").write_text(VIOLATING, encoding="utf-8")
    (tmp_path / ".vmspolicy.yaml").write_text("disable: [VP101, VP102, VP103]\n", encoding="utf-8")
    assert run("baseline", "--output", "baseline.json", "estate.yaml")[0] == 0
    assert "VP306" not in (tmp_path / "baseline.json").read_text(encoding="utf-8")
    code, out = run("check", "--format", "json", "--baseline", "baseline.json", "estate.yaml")
    refused = [f for f in json.loads(out)["findings"] if f["rule"] == "VP306"]
    assert code == 1 and len(refused) == 3 and all(f["suppressed"] is None for f in refused)


def test_the_command_line_has_no_switch_that_weakens_a_rule() -> None:
    # The command line sits in the repository's workflow file: it counts as repository configuration.
    # Should a switch that disables, deselects or downgrades rules ever be added, it must go through VP306.
    out = io.StringIO()
    with redirect_stdout(out), pytest.raises(SystemExit):
        main(["check", "--help"])
    switches = {word.strip("[],") for word in out.getvalue().split() if word.startswith(("--", "[--"))}
    assert "--profile" in switches
    assert not {s for s in switches if any(word in s for word in ("disable", "select", "ignore", "severity", "skip", "rule"))}
