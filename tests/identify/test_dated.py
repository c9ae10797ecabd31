"""Issue 14, item 5: the date of the vendor data is shown by ``vmspolicy packs`` and recorded in every report."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml

from vmspolicy.analysis.identify.builtin import OUI_FILE, builtin_fragments, oui_fragment
from vmspolicy.analysis.identify.dated import VendorDataSource, vendor_data_sources
from vmspolicy.analysis.identify.registry import render
from vmspolicy.cli import main
from vmspolicy.core.shipped import data_file


def _catalog_date() -> str:
    return str(yaml.safe_load(data_file("vendors.yaml").read_text(encoding="utf-8"))["date"])


def _extract_date() -> str:
    first = data_file(OUI_FILE).read_text(encoding="utf-8").splitlines()[0]
    return first.rsplit(", ", 1)[1].rstrip(".")


def test_the_built_in_data_says_how_current_it_is() -> None:
    catalog, extract = vendor_data_sources(())
    assert catalog == VendorDataSource(catalog.source, _catalog_date(), "built-in") and "vendors.yaml" in catalog.source
    assert extract.date == _extract_date() == "2026-03" and extract.origin == "built-in"


def test_a_regenerated_extract_carries_the_day_it_was_written() -> None:
    text = render([("00BC99", "Hikvision", "Hangzhou Hikvision Digital Technology Co.,Ltd.")], ["oui.csv"], dt.date(2027, 1, 15))
    assert oui_fragment(text)["date"] == "2027-01-15"
    assert "date" not in oui_fragment("oui\tgroup\tieee_owner\n00BC99\tHikvision\tx\n")  # an extract without its header is undated


def test_a_plugins_fragment_comes_after_the_built_ins_with_its_own_date_or_none() -> None:
    dated = {"version": 1, "source": "acme relabels", "date": "2026-11", "relabels": []}
    undated = {"version": 1, "source": "acme extras"}
    sources = vendor_data_sources([undated, *builtin_fragments(), dated])  # as the plugin host hands them over, in any order
    assert [(s.origin, s.date) for s in sources] == [
        ("built-in", _catalog_date()), ("built-in", _extract_date()), ("plugin", None), ("plugin", "2026-11"),
    ]
    assert str(sources[2]) == "undated acme extras (plugin)"


def test_packs_shows_the_vendor_data_and_its_dates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["packs", "--no-plugins"]) == 0
    text = capsys.readouterr().out
    block = text.split("\nvendor data ", 1)[1].splitlines()
    assert block[1].split()[0] == _catalog_date() and block[2].split()[0] == _extract_date()
    assert main(["packs", "--no-plugins", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [(v["date"], v["origin"]) for v in document["vendor_data"]] == [(_catalog_date(), "built-in"), (_extract_date(), "built-in")]
