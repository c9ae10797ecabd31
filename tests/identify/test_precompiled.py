"""The built-in vendor data ships precompiled (``data/vendor-catalog.json``) and can never drift from its sources."""

from __future__ import annotations

import json
from typing import Any, Mapping

import pytest

from vmspolicy.analysis.identify import builtin
from vmspolicy.analysis.identify.builtin import PRECOMPILED_FILE, builtin_fragments, compile_sources, load_fragments, render_precompiled
from vmspolicy.core.shipped import data_file


def _sources() -> tuple[str, str]:
    return data_file("vendors.yaml").read_text(encoding="utf-8"), data_file(builtin.OUI_FILE).read_text(encoding="utf-8")


def test_the_shipped_precompiled_form_is_what_the_sources_compile_to() -> None:
    shipped = data_file(PRECOMPILED_FILE).read_text(encoding="utf-8")
    assert shipped == render_precompiled(_sources()), (
        "vmspolicy/data/vendor-catalog.json is out of date: run `python -m vmspolicy.analysis.identify.builtin`"
    )


def test_the_precompiled_fragments_equal_the_compiled_ones() -> None:
    assert list(builtin_fragments()) == list(compile_sources(_sources()))


def test_a_run_reads_the_precompiled_form_without_parsing_the_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(sources: tuple[str, str]) -> tuple[Mapping[str, Any], ...]:
        raise AssertionError("the sources were compiled although the precompiled form matches them")

    expected = compile_sources(_sources())
    monkeypatch.setattr(builtin, "compile_sources", refuse)
    assert list(load_fragments(_sources())) == list(expected)


def test_edited_sources_are_compiled_instead_of_the_stale_precompiled_form() -> None:
    vendors, ouis = _sources()
    edited = ouis + "AABBCC\tHikvision\tAn added block\n"
    fragments = load_fragments((vendors, edited))
    assert {"prefix": "AABBCC", "entity": "Hikvision", "owner": "An added block"} in fragments[1]["ouis"]
    assert fragments[0] == builtin_fragments()[0]


@pytest.mark.parametrize("content", ["", "{not json", json.dumps({"sources_sha256": "0" * 64, "fragments": []}), "[]"])
def test_a_missing_damaged_or_foreign_precompiled_file_is_ignored(monkeypatch: pytest.MonkeyPatch, content: str) -> None:
    real = builtin._data

    def data(name: str) -> str:
        if name != PRECOMPILED_FILE:
            return real(name)
        if not content:
            raise FileNotFoundError(name)
        return content

    monkeypatch.setattr(builtin, "_data", data)
    assert list(load_fragments(_sources())) == list(compile_sources(_sources()))
