"""Schema violations (VP002) of a file with many: the first ones in words, the rest counted, every record still judged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.casefiles import CASES
from tests.conftest import Cli
from vmspolicy.analysis.schema_violations import SHOWN
from vmspolicy.core import schemas
from vmspolicy.core.text import ParseError
from vmspolicy.core.yaml_events import load_documents


def findings(cli: Cli, path: Path, *extra: str) -> list[dict[str, Any]]:
    code, out, err = cli("check", "--format", "json", "--no-plugins", *extra, str(path))
    assert code == 1, err
    found: list[dict[str, Any]] = json.loads(out)["findings"]
    return found


def test_the_errors_past_the_first_hundred_are_counted_in_one_finding(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text("vmspolicy: 1\nsites: [" + ", ".join(["1"] * 250) + ", {id: hq, bogus: 1}]\n", encoding="utf-8")
    found = [f for f in findings(cli, path) if f["rule"] == "VP002"]
    assert SHOWN == 100 and len(found) == SHOWN + 1
    assert all(f["message"].startswith(f"sites.{i}: 1 is a number") for i, f in enumerate(found[:SHOWN]))
    last = found[-1]
    assert (last["line"], last["column"]) == (2, 9 + 3 * SHOWN)  # the first item not listed
    assert last["message"] == (
        "151 more schema errors in this file are not listed one by one (only the first 100 are): 150 in sites (type), "
        "1 in sites (additionalProperties); fix those shown and check again to see the rest"
    )


def test_unknown_keys_past_the_first_hundred_are_counted_without_words(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text("vmspolicy: 1\nsites:\n  - id: hq\n" + "".join(f"    key{i}: 1\n" for i in range(130)), encoding="utf-8")
    found = findings(cli, path)
    assert [f["message"][:20] for f in found[:2]] == ["unknown key 'key0' i", "unknown key 'key1' i"]
    assert len(found) == SHOWN + 1 and (found[-1]["line"], found[-1]["column"]) == (104, 5)  # key100: the first not listed
    assert found[-1]["message"].startswith("30 more schema errors in this file are not listed one by one")
    assert "30 in sites (additionalProperties)" in found[-1]["message"]


def test_a_broken_waiver_past_the_listed_errors_still_excuses_nothing(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "estate.yaml"
    path.write_text(
        "vmspolicy: 1\nsites: [{id: depot}" + ", 1" * 150 + "]\n"
        "cameras: [{id: cam-1, site: depot, vendor: Hikvision, installed: 2020-06-01}]\n"
        "waivers:\n  - {id: W-1, devices: [cam-1], reason: refit, approved_by: CSO, expires: 2027-03-31, scope: all}\n",
        encoding="utf-8",
    )
    found = findings(cli, path, "--as-of", "2026-01-01")
    assert [f["subject"] for f in found if f["rule"] == "VP103"] == ["cam-1"]
    assert sum("not listed one by one" in f["message"] for f in found) == 1


def _whole(name: str, data: Any) -> list[schemas.SchemaError]:
    """The errors of one call on the whole document, as validation worked before it was done piece by piece."""
    validator = schemas._validator(name)
    return schemas.explain(name, data, (schemas.Violation(*error) for error in validator.errors(data)))


@pytest.mark.parametrize("case", sorted(p for p in CASES.glob("*/*.yaml")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_piece_by_piece_validation_finds_what_one_call_finds(case: Path) -> None:
    try:
        documents = load_documents(case.read_text(encoding="utf-8"))
    except ParseError:
        return  # a case of a file that does not parse has nothing to validate
    for data in documents:
        assert schemas.validate("manifest", data) == _whole("manifest", data)


def test_only_the_errors_listed_are_put_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    from vmspolicy.analysis.schema_violations import check_manifest

    explained = [0]
    real = schemas._explain

    def counted(*args: Any) -> Any:
        explained[0] += 1
        return real(*args)

    monkeypatch.setattr(schemas, "_explain", counted)
    data = load_documents("vmspolicy: 1\nsites: [" + ", ".join(["1"] * 5000) + "]\n")[0]
    checked = check_manifest(data)
    assert len(checked.errors) == SHOWN and checked.omitted == (("in sites (type)", 5000 - SHOWN),)
    assert explained[0] == SHOWN  # words, advice and positions for the listed errors only


def test_items_that_are_no_records_make_the_violations_one_call_finds() -> None:
    """Where a section wants records, any other item is judged by its type alone, without asking the validator."""
    items = '[1, "a", [1, {id: x}], null, true, 1.5, {}, {id: 5}]'
    text = "vmspolicy: 1\n" + "".join(
        f"{section}: {items}\n" for section in ("sites", "zones", "cameras", "recorders", "devices", "firewalls", "waivers")
    ) + "x: [1]\n"
    (data,) = load_documents(text)
    found = list(schemas.violations("manifest", data))
    whole = [schemas.Violation(*error) for error in schemas._validator("manifest").errors(data)]
    assert sorted((v.path, v.keyword) for v in found) == sorted((v.path, v.keyword) for v in whole)
    assert schemas.validate("manifest", data) == _whole("manifest", data)
