"""The shipped policy packs: valid data with sources, the dates DESIGN.md states, and the schemas in sync."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vmspolicy.analysis import policy
from vmspolicy.core.packs import builtin_pack_ids, builtin_packs
from vmspolicy.core.schemas import SchemaError, load_schema, validate

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


@pytest.mark.parametrize("pack", builtin_packs(), ids=lambda p: str(p["id"]))
def test_shipped_pack_is_valid_and_sourced(pack: dict[str, object]) -> None:
    assert validate("pack", pack) == []
    parsed = policy.parse_pack(pack)
    sources = pack["sources"]
    assert isinstance(sources, list) and sources
    for source in sources:
        assert source["url"].startswith(("https://", "http://"))
        assert len(source["date"]) == 10
    assert parsed.max_waiver_months == 24
    assert parsed.sensitive_forbid and parsed.legacy_waivable and parsed.isolation_required


def test_cutoffs_and_families_as_the_design_states() -> None:
    packs = {p["id"]: policy.parse_pack(p) for p in builtin_packs()}
    assert set(builtin_pack_ids()) == {"uk-gov-2022", "us-ndaa-889", "au-gov-2023"}
    assert {pid: str(p.cutoff) for pid, p in packs.items()} == {
        "uk-gov-2022": "2022-11-24",
        "us-ndaa-889": "2019-08-13",
        "au-gov-2023": "2023-02-09",
    }
    assert {f.name for f in packs["us-ndaa-889"].families} == {"Hikvision", "Dahua", "Hytera", "Huawei", "ZTE"}
    assert {f.name for f in packs["au-gov-2023"].families} == {"Hikvision", "Dahua"}
    # The UK statement is about surveillance equipment: a Huawei switch is not covered, a Huawei camera is.
    uk = packs["uk-gov-2022"]
    assert uk.restricts("Huawei", "camera") and not uk.restricts("Huawei", "switch")
    assert uk.restricts("hikvision", "switch")  # family names compare case-insensitively


def test_fcc_covered_list_dates_are_data() -> None:
    us = next(p for p in builtin_packs() if p["id"] == "us-ndaa-889")
    dates = {m["date"]: m["event"] for m in us["milestones"]}
    assert "FCC Covered List" in dates["2021-03-12"]
    assert "2023-02-06" in dates and "2019-08-13" in dates


def test_config_schema_embeds_the_pack_schema() -> None:
    pack = json.loads((SCHEMAS / "pack.schema.json").read_text(encoding="utf-8"))
    config = load_schema("config")
    assert config["properties"]["packs"]["items"] == {"$ref": "#/$defs/pack"}
    assert config["$defs"]["pack"] == {k: v for k, v in pack.items() if k not in ("$schema", "$id")}


def test_config_rejects_a_pack_without_sources() -> None:
    errors = validate("config", {"packs": [{"id": "mine", "title": "Mine", "families": ["Hikvision"], "cutoff": "2024-01-01"}]})
    assert errors and "sources" in errors[0].message


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"cutoff": "24/11/2022"}, "cutoff"),
        ({"families": []}, "families"),
        ({"sources": [{"title": "x", "url": "ftp://x", "date": "2022-01-01"}]}, "url"),
        ({"sensitive_sites": "maybe"}, "sensitive_sites"),
    ],
)
def test_an_invalid_pack_is_a_policy_error(change: dict[str, object], words: str) -> None:
    data = {**builtin_packs()[0], **change}
    with pytest.raises(policy.PolicyError, match=words):
        policy.parse_pack(data, "plugin")


def test_pack_schema_is_a_valid_json_schema() -> None:
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(load_schema("pack"))


def test_a_run_checks_packs_against_the_schema_but_not_the_shipped_ones_again(monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from tests.policy.helpers import context

    checked: list[object] = []
    real = policy.validate

    def spy(name: str, data: Any) -> list[SchemaError]:
        if name == "pack":
            checked.append(data)
        return real(name, data)

    monkeypatch.setattr(policy, "validate", spy)
    ctx = context(monkeypatch, "vmspolicy: 1\nsites: [{id: depot}]\n", {})
    assert set(policy.build_registry(ctx)) == set(builtin_pack_ids())
    assert checked == []  # the test above checks them
    copies = tuple(dict(p) for p in builtin_packs())
    assert set(policy.build_registry(dataclasses.replace(ctx, packs=copies))) == set(builtin_pack_ids())
    assert checked == list(copies)  # equal data that is not the shipped objects is checked
    broken = ({**builtin_packs()[0], "cutoff": "soon"},)
    with pytest.raises(policy.PolicyError, match="is invalid"):
        policy.build_registry(dataclasses.replace(ctx, packs=broken))
