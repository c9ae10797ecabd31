"""The patterns of the exported schema read what vendor identification reads, in every regex dialect.

Names through look-alike characters, spacing, punctuation and corporate
suffixes, but not false friends; model numbers and MAC blocks as
identification sees them; dates compared digit by digit. Each pattern must be
accepted by Python ``re``, by ECMA-262 with and without the ``u`` flag
(regress, as check-jsonschema runs it) and by jsonschema-rs.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Iterator

import jsonschema_rs
import pytest
import regress
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.schema_export.helpers import ROOT, exported, subschema
from vmspolicy.analysis.identify import identify
from vmspolicy.analysis.identify.builtin import builtin_fragments
from vmspolicy.analysis.identify.catalog import compile_catalog
from vmspolicy.analysis.identify.normalise import CONFUSABLES
from vmspolicy.schema_export import patterns
from vmspolicy.schema_export.compiler import gather

PACKS = ("uk-gov-2022", "us-ndaa-889", "au-gov-2023")
FAMILIES = ("Hikvision", "Dahua", "Hytera", "Huawei", "ZTE")
MODELS = ROOT / "tests" / "data" / "models"


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            else:
                yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


# ----------------------------------------------------------------------------- portability

@pytest.mark.parametrize("pack", PACKS)
def test_every_pattern_is_portable(pack: str) -> None:
    schema = exported(pack)
    found = set(_patterns(schema))
    assert len(found) > 20
    for pattern in found:
        re.compile(pattern)
        regress.Regex(pattern, "u")
        regress.Regex(pattern)
        # Constructs that ECMA, Python and Rust's regex crate do not share.
        assert not re.search(r"\(\?[=!<]|\(\?[a-zA-Z]|\\[1-9]|\\[pPdDwWbB]", pattern), pattern[:200]
    # jsonschema-rs compiles every pattern of the schema when it builds a validator.
    jsonschema_rs.validator_for(schema)


# ----------------------------------------------------------------------------- dates

CUTOFFS = [dt.date(2022, 11, 24), dt.date(2019, 8, 13), dt.date(2023, 2, 9), dt.date(2000, 1, 1), dt.date(2024, 2, 29),
           dt.date(2019, 12, 31), dt.date(2020, 10, 1), dt.date(2009, 9, 9), dt.date(2100, 1, 10)]


@pytest.mark.parametrize("cutoff", CUTOFFS, ids=str)
def test_date_before_is_exact_for_every_day(cutoff: dt.date) -> None:
    compiled = re.compile(patterns.date_before(cutoff))
    day = dt.date(1995, 1, 1)
    while day <= dt.date(2036, 12, 31):
        assert bool(compiled.search(day.isoformat())) is (day < cutoff), (day, cutoff)
        day += dt.timedelta(days=1)


# ----------------------------------------------------------------------------- MAC blocks

def _notations(prefix: str, tail: str = "123456") -> list[str]:
    digits = (prefix + tail)[:12]
    pairs = [digits[i : i + 2] for i in range(0, 12, 2)]
    return [":".join(pairs), "-".join(pairs).upper(), ".".join(digits[i : i + 4] for i in range(0, 12, 4)), digits.upper(), digits]


def test_every_restricted_block_in_every_notation() -> None:
    catalog = compile_catalog(builtin_fragments())
    schema = exported("us-ndaa-889")
    checkers = {family: subschema(schema, f"vmspolicy-evidence-{family.lower()}") for family in FAMILIES}
    checked = 0
    for prefix, entry in sorted(catalog.ouis.items()):
        if len(prefix) != 6 or not entry.entity.restricted or entry.weight < 0.5 or entry.entity.window != (None, None):
            continue
        family = entry.entity.family
        assert family is not None
        for mac in _notations(prefix):
            assert checkers[family].is_valid({"mac": mac}), (prefix, mac)
        checked += 1
    assert checked > 2000


def test_unregistered_blocks_do_not_match() -> None:
    catalog = compile_catalog(builtin_fragments())
    schema = exported("us-ndaa-889")
    checkers = [subschema(schema, f"vmspolicy-evidence-{family.lower()}") for family in FAMILIES]
    for prefix in ("b8a44f", "00075f", "000918", "008045", "0040 8c".replace(" ", ""), "accc8e", "ffffff"):
        assert prefix not in catalog.ouis
        for mac in _notations(prefix):
            assert not any(c.is_valid({"mac": mac}) for c in checkers), mac


def test_a_false_friends_block_is_carved_out() -> None:
    pattern = re.compile(patterns.oui_pattern(["402c76", "4419b6"], excluded=["402c761"]) or "")
    assert not pattern.search("40:2C:76:1A:BB:CC") and not pattern.search("402c.761a.bbcc")
    assert pattern.search("40:2c:76:2a:bb:cc") and pattern.search("402C76FABBCC") and pattern.search("44-19-B6-00-00-01")


# ----------------------------------------------------------------------------- model numbers

def _corpus() -> list[str]:
    models: list[str] = []
    for path in sorted(MODELS.glob("*.txt")):
        models.extend(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#"))
    return models


def test_model_numbers_agree_with_identification() -> None:
    """Every model of the public corpus: the schema finds a restricted family exactly when identification does."""
    schema = exported("us-ndaa-889")
    checkers = {family: subschema(schema, f"vmspolicy-evidence-{family.lower()}") for family in FAMILIES}
    corpus = _corpus()
    assert len(corpus) > 1000
    wrong = []
    for model in corpus:
        by_schema = {family for family, checker in checkers.items() if checker.is_valid({"model": model})}
        family = identify(model=model).family
        if (family is None) != (not by_schema) or (family is not None and family not in by_schema):
            wrong.append((model, family, sorted(by_schema)))
    assert not wrong, wrong[:20]


@pytest.mark.parametrize("model", ["DS-2CD2143G0-I", "ds-2cd2143g0-i", "ＤＳ－２ＣＤ２１４３Ｇ０－Ｉ", "DS—2CD2143G0-I", "DS_2CD2143G0_I",
                                   "Camera DS-2CD2143G0-I", "ІDS-2CD7A26G0", "IPC-HFW2431S-S-S2", "DH-IPC-HDBW2431E"])
def test_model_number_variants(model: str) -> None:
    schema = exported("us-ndaa-889")
    family = identify(model=model).family
    assert family is not None
    assert subschema(schema, f"vmspolicy-evidence-{family.lower()}").is_valid({"model": model})


# ----------------------------------------------------------------------------- vendor names

_LOOK_ALIKE: dict[str, list[str]] = {}
for _fake, _real in CONFUSABLES.items():
    if len(_real) == 1:
        _LOOK_ALIKE.setdefault(_real.lower(), []).append(_fake)


def _restricted_names() -> list[tuple[str, str]]:
    """(family, name) for every family and brand name strong enough alone, as the catalog spells them."""
    out: list[tuple[str, str]] = []
    for fragment in builtin_fragments():
        for item in fragment.get("families", ()):
            out.extend((item["family"], name) for name in [item["family"], *item.get("names", ())])
        for item in fragment.get("brands", ()):
            if item["confidence"] in ("owner", "high", "medium-high", "medium"):
                out.extend((item["family"], name) for name in [item["name"], *item.get("aliases", ())])
    return out


NAMES = _restricted_names()


@st.composite
def disguised(draw: st.DrawFn) -> tuple[str, str]:
    """A restricted name as someone might write it: case, look-alikes, zero-width characters, separators, a corporate suffix."""
    family, name = draw(st.sampled_from(NAMES))
    out = []
    for ch in name:
        choice = draw(st.integers(0, 5))
        if choice == 0:
            ch = ch.swapcase()
        elif choice == 1 and ch.lower() in _LOOK_ALIKE:
            ch = draw(st.sampled_from(_LOOK_ALIKE[ch.lower()]))
        elif choice == 2 and ch.isascii() and ch.isalpha():
            ch = chr(ord(ch.upper()) - ord("A") + 0xFF21)  # fullwidth
        out.append(ch)
        if draw(st.integers(0, 9)) == 0:
            out.append(draw(st.sampled_from(["\u200b", "\u00ad", "\u2060", "\ufeff"])))
    suffix = draw(st.sampled_from(["", " Co., Ltd.", " Technology Co.,Ltd", " Inc", " GmbH", " (UK) Limited"]))
    return family, "".join(out) + suffix


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(disguised())
def test_disguised_names_are_found(case: tuple[str, str]) -> None:
    family, text = case
    assert identify(vendor=text).family == family, text  # the disguise is one identification sees through
    assert _NAME_CHECKERS[family].is_valid(text), ascii(text)


_SCHEMA = exported("uk-gov-2022")
_NAME_CHECKERS = {family: subschema(_SCHEMA, f"vmspolicy-name-{family.lower()}") for family in FAMILIES}


@pytest.mark.parametrize("text", ["Hikari Lighting", "Hikari", "Dahuangshan Steel", "Dahuangshan", "Shanghai Dahua Scale Factory",
                                  "Shanghai Dahua Scale", "Axis", "Hanwha Vision", "Uniview", "Milestone", "Aztec Security", "Dahuang"])
def test_false_friends_and_others_are_not_names(text: str) -> None:
    assert identify(vendor=text).family is None
    assert not any(checker.is_valid(text) for checker in _NAME_CHECKERS.values()), text


@pytest.mark.parametrize("text", ["Hik Vision", "HIK-VISION", "H.I.K.V.I.S.I.O.N", "Hikvision Digital Technology Co., Ltd.",
                                  "杭州海康威视数字技术股份有限公司", "ZHEJIANG DAHUA TECHNOLOGY CO.,LTD", "Dahua", "dahua security",
                                  "Huawei Technologies Co., Ltd.", "ZTE Corporation", "Hytera", "EZVIZ", "HiLook", "Huaweiser", "Hyterax"])
def test_names_as_written(text: str) -> None:
    family = identify(vendor=text).family
    assert family is not None
    assert _NAME_CHECKERS[family].is_valid(text)


def test_gathered_evidence_comes_from_the_catalog() -> None:
    gathered = gather(builtin_fragments())
    assert set(gathered.families) == set(FAMILIES)
    assert "hikvision" in gathered.families["Hikvision"].names
    assert "4419b6" in gathered.families["Hikvision"].strong_ouis
    assert any("lorex" in keys for keys in gathered.families["Dahua"].windowed_names.values())
    assert "hikari" not in str(gathered.families["Hikvision"].names)


def test_path_of_models_corpus_exists() -> None:
    assert isinstance(MODELS, Path) and any(MODELS.glob("hikvision*.txt"))


# The separator-consistent MAC language, written with a backreference (what Rust's regex crate lacks):
# the manifest schema spells it out, and must mean exactly this.
_MAC_WITH_BACKREFERENCE = (
    r"^([0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\2[0-9A-Fa-f]{2}){4}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}|[0-9A-Fa-f]{12})$"
)


@settings(max_examples=2000, deadline=None, derandomize=True)
@given(st.text(alphabet="0123456789abcdefABCDEFG:-. ", min_size=11, max_size=18))
def test_manifest_mac_pattern_keeps_separators_consistent(text: str) -> None:
    from vmspolicy.core.schemas import load_schema

    pattern = load_schema("manifest")["$defs"]["mac"]["pattern"]
    assert bool(re.search(pattern, text)) is bool(re.search(_MAC_WITH_BACKREFERENCE, text))


@pytest.mark.parametrize("mac", ["44:19:b6:12:34:56", "44-19-B6-12-34-56", "4419.b612.3456", "4419B6123456"])
def test_manifest_mac_pattern_accepts_every_notation(mac: str) -> None:
    from vmspolicy.core.schemas import load_schema

    pattern = load_schema("manifest")["$defs"]["mac"]["pattern"]
    assert re.search(pattern, mac) and not re.search(pattern, mac.replace("-", ":", 1) if "-" in mac else mac + "0")


def test_invisible_characters_are_those_the_skeleton_drops() -> None:
    from vmspolicy.analysis.identify.normalise import skeleton

    assert all(skeleton(f"a{chr(code)}b") == "ab" for code in patterns.INVISIBLE)


def test_look_alike_classes_are_the_skeleton() -> None:
    from vmspolicy.analysis.identify.normalise import skeleton

    for letter in "hikvsondau":
        members = patterns.look_alikes(letter, vendor=True)
        assert {ord(letter), ord(letter.upper())} <= members
        assert all(skeleton(chr(code)).replace("0", "o") == letter for code in members)
    assert ord("і") in patterns.look_alikes("i") and ord("０") in patterns.look_alikes("o", vendor=True)
    assert patterns.look_alikes("海") == {ord("海")}
