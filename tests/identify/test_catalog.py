"""The shipped vendor catalog: valid against its schema, sourced, and compiled once per set of fragments."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from vmspolicy.analysis.identify import identify
from vmspolicy.analysis.identify.builtin import builtin_fragments, oui_fragment
from vmspolicy.analysis.identify.catalog import CatalogError, catalog_for, compile_catalog
from vmspolicy.core.errors import PluginError
from vmspolicy.hookspecs import hookimpl
from vmspolicy.run.plugins import load_plugins

SCHEMA = json.loads((Path(__file__).parents[2] / "schemas" / "vendors.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("index", [0, 1])
def test_shipped_fragments_are_valid(index: int) -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(builtin_fragments()[index]), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def test_every_entry_names_source_and_confidence() -> None:
    vendors = builtin_fragments()[0]
    for section in ("families", "brands", "relabels", "models", "streams", "banners"):
        for entry in vendors[section]:
            assert entry["source"].strip() and entry["confidence"], entry
    for section in ("vendors", "false_friends"):
        for entry in vendors[section]:
            assert entry["source"].strip(), entry


def test_oui_extract_is_complete_and_resolved() -> None:
    catalog = catalog_for(builtin_fragments())
    ouis = builtin_fragments()[1]["ouis"]
    assert len(ouis) == 2630  # the 2026-03 extract, and 12 blocks of 2026-12 (ZTE's 00:D0:D0 "Zhongxing Telecom", HuaRay...)
    families = {catalog.ouis[o["prefix"].lower()].entity.family for o in ouis}
    assert families == {"Hikvision", "Dahua", "Hytera", "Huawei", "ZTE"}


def test_builtin_registers_through_the_hook() -> None:
    fragments = load_plugins(entry_points_enabled=False).vendor_data()
    assert list(builtin_fragments()) == fragments[:2]


def test_catalog_is_compiled_once_per_fragments() -> None:
    fragments = builtin_fragments()
    assert catalog_for(fragments) is catalog_for(fragments)
    assert catalog_for(()) is catalog_for(fragments)


def test_plugin_fragment_extends_the_catalog() -> None:
    extra = {
        "version": 1,
        "relabels": [{"name": "Acme Vision", "family": "Dahua", "confidence": "high", "source": "test"}],
    }
    fragments = [*builtin_fragments(), extra]
    verdict = identify(vendor="ACME Vision GmbH", vendor_data=fragments)
    assert verdict.family == "Dahua" and verdict.relabel is not None
    assert identify(vendor="ACME Vision GmbH").family is None


@pytest.mark.parametrize(
    "fragment",
    [
        {"brands": [{"name": "X", "family": "Nobody", "relation": "brand", "confidence": "high", "source": "t"}]},
        {"families": [{"family": "F", "names": ["F"], "confidence": "owner", "source": "t"}],
         "models": [{"family": "F", "pattern": "(", "display": "(", "confidence": "high", "source": "t"}]},
        {"ouis": [{"prefix": "AABBCC", "entity": "Nobody Inc", "owner": "Nobody"}]},
    ],
)
def test_bad_fragments_are_refused(fragment: dict[str, object]) -> None:
    with pytest.raises(CatalogError):
        compile_catalog([fragment])


@pytest.mark.parametrize(
    "fragment",
    [
        {"relabels": [{"name": "X", "family": "Dahua", "confidence": "sure", "source": "test"}]},  # unknown confidence
        {"models": [{"family": "Dahua", "pattern": "IPC-", "display": "IPC-", "confidence": "high"}]},  # no source
        {"vendorz": []},
        {"models": [{"family": "Dahua", "pattern": "IPC-(", "display": "IPC-", "confidence": "high", "source": "t"}]},
    ],
)
def test_invalid_plugin_fragment_is_a_plugin_error(fragment: dict[str, object]) -> None:
    with pytest.raises(PluginError, match="vmspolicy_vendor_data"):
        identify(vendor="Dahua", vendor_data=[*builtin_fragments(), fragment])


def test_oui_fragment_reads_the_registry_extract() -> None:
    fragment = oui_fragment("# comment\noui\tgroup\tieee_owner\n4419B6\tHikvision\tHangzhou Hikvision\n")
    assert fragment["ouis"] == [{"prefix": "4419B6", "entity": "Hikvision", "owner": "Hangzhou Hikvision"}]


class _AcmePlugin:
    """A third-party plugin adding a relabel and a model pattern through the hook."""

    __name__ = "acme-vendor-data"

    @staticmethod
    @hookimpl
    def vmspolicy_vendor_data() -> list[dict[str, object]]:
        return [{
            "version": 1,
            "source": "ACME procurement list 2026",
            "relabels": [{"name": "Acme Secure", "family": "Hikvision", "confidence": "high"}],
            "models": [{"family": "Hikvision", "pattern": "ACM-[0-9]{4}", "display": "ACM-…", "brand": "Acme Secure", "confidence": "high"}],
        }]


def test_plugin_vendor_data_through_the_host() -> None:
    fragments = load_plugins(entry_points_enabled=False, extra=[_AcmePlugin]).vendor_data()
    assert all(any(f is b for f in fragments) for b in builtin_fragments())
    by_name = identify(vendor="ACME SECURE LTD", vendor_data=fragments)
    assert by_name.family == "Hikvision" and by_name.relabel is not None
    assert by_name.relabel.source == "ACME procurement list 2026"  # the fragment's default source
    assert identify(model="ACM-1234", vendor_data=fragments).family == "Hikvision"
    assert identify(model="ACM-1234").evidence == ()


def test_an_entry_without_any_source_is_refused() -> None:
    with pytest.raises(CatalogError, match=r"relabels\[0\] has no source"):
        compile_catalog([*builtin_fragments(), {"relabels": [{"name": "X Cam", "family": "Dahua", "confidence": "high"}]}])


def test_a_plugin_can_reclassify_a_builtin_entry() -> None:
    stricter = {"version": 1, "source": "ACME policy: Uniview treated as a Dahua relabel",
                "relabels": [{"name": "Uniview", "aliases": ["UNV"], "family": "Dahua", "confidence": "high"}]}
    for order in ([stricter, *builtin_fragments()], [*builtin_fragments(), stricter]):
        verdict = identify(vendor="Uniview", vendor_data=order)
        assert verdict.family == "Dahua" and verdict.relabel is not None
    assert identify(vendor="Uniview").family is None


def test_shipped_patterns_compile() -> None:
    # A run compiles the built-in patterns only when it first needs them, unchecked: this is their check.
    catalog = compile_catalog(builtin_fragments(), check_patterns=True)
    for patterns in (catalog.models, catalog.streams, catalog.banners):
        assert patterns.regex is not None
        assert len(patterns.fingerprints) > 0
