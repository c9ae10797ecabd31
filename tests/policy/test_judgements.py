"""Policy judgement on stand-in verdicts: the shared semantics of DESIGN.md "Policy packs", pack selection, relabel windows."""

from __future__ import annotations

import pytest

from tests.policy.helpers import KNOWN, context, named, relabelled
from vmspolicy.analysis import policy
from vmspolicy.analysis.identify.builtin import builtin_fragments
from vmspolicy.core.config import ConfigError

# The built-in catalog: Lorex is Dahua's relabel from 2018-02 to 2022-11.
LOREX_DATA = builtin_fragments()


def one_camera(installed: str | None = None, *, status: str = "active", site: str = "{id: depot}") -> str:
    lines = ["vmspolicy: 1", f"sites: [{site}]", "cameras:", "  - id: cam-1", "    site: depot", "    vendor: Hikvision"]
    if installed:
        lines.append(f"    installed: {installed}")
    lines.append(f"    status: {status}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("installed", "status", "new", "legacy"),
    [
        ("2022-11-23", "active", False, True),  # the day before the uk-gov-2022 cut-off: legacy
        ("2022-11-24", "active", True, False),  # on the cut-off: a new install
        (None, "active", True, False),  # undated: cannot be shown to be legacy
        ("2019-01-01", "planned", True, False),  # planned is new whatever date it carries
    ],
)
def test_new_or_legacy_by_the_default_packs_cutoff(
    monkeypatch: pytest.MonkeyPatch, installed: str | None, status: str, new: bool, legacy: bool
) -> None:
    ctx = context(monkeypatch, one_camera(installed, status=status), {"cam-1": named("Hikvision")})
    judgement = policy.judgements(ctx)["cam-1"]
    assert (judgement.family, judgement.packs, judgement.restricting_packs) == ("Hikvision", ("uk-gov-2022",), ("uk-gov-2022",))
    assert (judgement.new_install, judgement.legacy, judgement.sensitive_site) == (new, legacy, False)
    assert [d.id for d in policy.legacy_restricted(ctx)] == (["cam-1"] if legacy else [])


def test_decommissioned_devices_are_never_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = context(monkeypatch, one_camera("2015-01-01", status="decommissioned"), {"cam-1": named("Hikvision")})
    assert policy.judgements(ctx) == {}


def test_sensitive_site_forbids_legacy_too(monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = context(monkeypatch, one_camera("2019-03-04", site="{id: depot, sensitive: true}"), {"cam-1": named("Dahua")})
    judgement = policy.judgements(ctx)["cam-1"]
    assert judgement.legacy and judgement.sensitive_site
    assert policy.forbidden_on_sensitive_site(ctx, judgement)


def test_unrestricted_device_is_judged_but_not_restricted(monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = context(monkeypatch, one_camera("2024-01-01"), {"cam-1": KNOWN})
    judgement = policy.judgements(ctx)["cam-1"]
    assert not judgement.restricted and judgement.restricting_packs == () and not judgement.new_install


def test_profile_changes_the_cutoff_and_the_strictest_pack_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    verdicts = {"cam-1": named("Hikvision")}
    us = context(monkeypatch, one_camera("2020-06-01"), verdicts, profiles=("us-ndaa-889",))
    assert policy.judgements(us)["cam-1"].new_install
    both = context(monkeypatch, one_camera("2020-06-01"), verdicts, profiles=("au-gov-2023", "us-ndaa-889"))
    judgement = policy.judgements(both)["cam-1"]
    assert judgement.new_install and judgement.restricting_packs == ("au-gov-2023", "us-ndaa-889")
    uk = context(monkeypatch, one_camera("2020-06-01"), verdicts)
    assert policy.judgements(uk)["cam-1"].legacy


def test_site_policies_win_over_profiles(monkeypatch: pytest.MonkeyPatch) -> None:
    text = one_camera("2020-06-01", site="{id: depot, policies: [uk-gov-2022]}")
    ctx = context(monkeypatch, text, {"cam-1": named("Hikvision")}, profiles=("us-ndaa-889",))
    assert policy.judgements(ctx)["cam-1"].packs == ("uk-gov-2022",)


def test_equipment_scope(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "vmspolicy: 1\nsites: [{id: depot}]\ndevices:\n  - {id: sw-1, type: switch, site: depot, vendor: Huawei, installed: 2021-01-01}\n"
    verdicts = {"sw-1": named("Huawei")}
    assert not policy.judgements(context(monkeypatch, text, verdicts))["sw-1"].restricted
    assert policy.judgements(context(monkeypatch, text, verdicts, profiles=("us-ndaa-889",)))["sw-1"].new_install


def test_unknown_site_pack_is_reported_and_the_site_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    text = one_camera("2020-06-01", site="{id: depot, policies: [uk-gov-2021]}")
    ctx = context(monkeypatch, text, {"cam-1": named("Hikvision")})
    [(site, index, pack_id)] = policy.unknown_site_packs(ctx)
    assert (site.id, index, pack_id) == ("depot", 0, "uk-gov-2021")
    assert policy.judgements(ctx)["cam-1"].packs == ("uk-gov-2022",)


def test_unknown_profile_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = context(monkeypatch, one_camera(), {"cam-1": named("Hikvision")}, profiles=("uk-gov-2021",))
    with pytest.raises(ConfigError, match="unknown policy pack 'uk-gov-2021'"):
        policy.judgements(ctx)


CUSTOM = {
    "id": "acme",
    "title": "ACME standard",
    "families": [{"name": "Dahua", "equipment": ["camera"]}],
    "cutoff": "2024-01-01",
    "legacy": {"waivable": False},
    "max_waiver_months": 6,
    "sources": [{"title": "SEC-7", "url": "https://intranet.example.com/sec-7", "date": "2024-01-01"}],
}


def test_configuration_pack_is_selectable_and_can_forbid_legacy(monkeypatch: pytest.MonkeyPatch) -> None:
    text = one_camera("2020-06-01").replace("Hikvision", "Dahua")
    ctx = context(monkeypatch, text, {"cam-1": named("Dahua")}, profiles=("acme",), settings={"packs": [CUSTOM]})
    judgement = policy.judgements(ctx)["cam-1"]
    # Selected by the profiles, the repository's own pack judges beside the default, and the strictest wins.
    assert judgement.restricting_packs == ("uk-gov-2022", "acme") and judgement.new_install and not judgement.legacy
    assert policy.registry(ctx)["acme"].origin == "configuration"
    assert policy.max_waiver_months(ctx, "cam-1") == 6


def test_configuration_pack_may_not_reuse_a_builtin_id(monkeypatch: pytest.MonkeyPatch) -> None:
    clash = {**CUSTOM, "id": "uk-gov-2022"}
    ctx = context(monkeypatch, one_camera(), {"cam-1": named("Hikvision")}, settings={"packs": [clash]})
    with pytest.raises(ConfigError, match="defined twice"):
        policy.judgements(ctx)


def test_isolation_terms_for_other_stages(monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = context(monkeypatch, one_camera("2020-06-01"), {"cam-1": named("Hikvision")}, profiles=("uk-gov-2022", "au-gov-2023"))
    assert policy.reachable_from(ctx, "cam-1") == frozenset({"vms", "management"})
    assert policy.max_waiver_months(ctx, "cam-1") == 24
    assert policy.reachable_from(ctx, "nobody") == frozenset() and policy.max_waiver_months(ctx, "nobody") is None


@pytest.mark.parametrize(
    ("installed", "status", "family"),
    [
        ("2020-05-01", "active", "Dahua"),  # inside Dahua's ownership of Lorex
        ("2022-11-30", "active", "Dahua"),  # the window's last month counts whole
        ("2022-12-01", "active", None),
        ("2017-06-01", "active", None),
        (None, "active", "Dahua"),  # undated: cannot be shown outside the window
        (None, "planned", None),  # bought today, long after the window
    ],
)
def test_relabel_date_window(monkeypatch: pytest.MonkeyPatch, installed: str | None, status: str, family: str | None) -> None:
    text = one_camera(installed, status=status).replace("Hikvision", "Lorex")
    ctx = context(monkeypatch, text, {"cam-1": relabelled("Lorex", "Dahua")}, vendor_data=LOREX_DATA)
    assert policy.judgements(ctx)["cam-1"].family == family


def test_relabel_without_window_is_always_its_family_when_identification_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    verdict = relabelled("Amcrest", "Dahua")
    established = type(verdict)("Dahua", 0.75, verdict.evidence, known_vendor=True, relabel=verdict.relabel)
    ctx = context(monkeypatch, one_camera("2019-01-01").replace("Hikvision", "Amcrest"), {"cam-1": established}, vendor_data=LOREX_DATA)
    assert policy.judgements(ctx)["cam-1"].family == "Dahua"


def test_applied_packs_include_site_and_configuration_packs(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "vmspolicy: 1\nsites: [{id: a, policies: [au-gov-2023]}, {id: b}]\n"
    ctx = context(monkeypatch, text, {}, profiles=("acme",), settings={"packs": [CUSTOM]})
    assert [p.id for p in policy.applied_packs(ctx)] == ["au-gov-2023", "uk-gov-2022", "acme"]
    empty = context(monkeypatch, "vmspolicy: 1\n", {})
    assert [p.id for p in policy.applied_packs(empty)] == ["uk-gov-2022"]


def test_a_configuration_pack_replaces_the_default_only_where_a_site_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "vmspolicy: 1\nsites: [{id: a, policies: [acme]}, {id: b}]\n"
    ctx = context(monkeypatch, text, {}, profiles=("acme", "us-ndaa-889"), settings={"packs": [CUSTOM]})
    assert [p.id for p in policy.site_packs(ctx, ctx.estate.sites["a"])] == ["acme"]
    # Beside a pack that is not the repository's own, the profiles need no default added.
    assert [p.id for p in policy.site_packs(ctx, ctx.estate.sites["b"])] == ["acme", "us-ndaa-889"]
    alone = context(monkeypatch, text, {}, profiles=("acme",), settings={"packs": [CUSTOM]})
    assert [p.id for p in policy.site_packs(alone, alone.estate.sites["b"])] == ["uk-gov-2022", "acme"]


def test_a_pack_family_no_vendor_data_defines_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    typo = {**CUSTOM, "families": ["Hikvison"]}
    ctx = context(monkeypatch, one_camera(), {"cam-1": named("Hikvision")}, settings={"packs": [typo]})
    with pytest.raises(ConfigError, match="family 'Hikvison', which no vendor data defines"):
        policy.judgements(ctx)
