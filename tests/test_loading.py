"""The located YAML/JSON reader: same data as PyYAML's safe loader, with exact positions."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from vmspolicy.core.source import LocatedMap, LocatedSeq, position_of
from vmspolicy.core.text import ParseError, decode
from vmspolicy.core.yaml_events import load_documents
from vmspolicy.loading.base import SourceFile

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=True),
    st.text(max_size=20),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=25,
)


def plain(value: Any) -> Any:
    """Located data as plain dicts and lists, to compare with PyYAML."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


@settings(max_examples=300, deadline=None)
@given(documents, st.booleans())
def test_same_data_as_pyyaml_safe_load(data: Any, flow: bool) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    assert plain(load_documents(text)[0]) == yaml.safe_load(text)


@settings(max_examples=200, deadline=None)
@given(documents)
def test_same_data_as_json_loads(data: Any) -> None:
    text = json.dumps(data, indent=1, ensure_ascii=False)
    assert plain(load_documents(text.replace("\t", " "), json_mode=True)[0]) == json.loads(text)


def test_positions_of_keys_values_and_items() -> None:
    text = "a: 1\nb:\n  - x\n  - {c: 'y', d: [1, 2]}\n"
    data = load_documents(text)[0]
    assert isinstance(data, LocatedMap)
    assert data.key_pos["b"] == (2, 1) and data.where("a") == (1, 4)
    items = data["b"]
    assert isinstance(items, LocatedSeq) and items.item_pos == [(3, 5), (4, 5)]
    assert position_of(data, ["b", 1, "d", 1]) == (4, 21)
    assert position_of(data, ["b", 1, "c"], key=True) == (4, 6)
    assert position_of(data, ["b", 7]) == (3, 3)  # as deep as the path exists: the list itself


def test_alias_and_merge_values_keep_their_source_position() -> None:
    text = "base: &base\n  vendor: Hikvision\n  zone: z\ncam:\n  <<: *base\n  zone: z2\n"
    cam = load_documents(text)[0]["cam"]
    assert dict(cam) == {"vendor": "Hikvision", "zone": "z2"}
    assert cam.where("vendor") == (2, 11)  # where the merged value was written
    assert cam.where("zone") == (6, 9)  # the explicit key wins


def test_merge_of_a_list_and_json_surrogate_pairs() -> None:
    text = "a: &a {x: 1}\nb: &b {x: 2, y: 3}\nc: {<<: [*a, *b]}\n"
    assert dict(load_documents(text)[0]["c"]) == {"x": 1, "y": 3}
    emoji = load_documents('{"name": "cam \\ud83d\\udcf7", "n": 1e3}', json_mode=True)[0]
    assert emoji == {"name": "cam \U0001f4f7", "n": 1000.0}


def test_several_documents_and_yaml_11_types() -> None:
    docs = load_documents("a: yes\nb: 0x1F\nc: 2019-03-04\nd: ~\n---\n- 1\n")
    assert docs == [{"a": True, "b": 31, "c": "2019-03-04", "d": None}, [1]]


@pytest.mark.parametrize(
    ("text", "words", "line"),
    [
        ("a: *x\n", "no anchor", 1),
        ("a: &x [*x]\n", "contains it", 1),
        ("? [a]\n: 1\n", "cannot be used as a key", 1),
        ("a: {<<: 1}\n", "merge key", 1),
        ("a: !!binary aGk=\n", "!!binary", 1),
        ("a: !!bool maybe\n", "not a boolean", 1),
        ("a: !!set {x}\n", "!!set", 1),
    ],
)
def test_structural_errors(text: str, words: str, line: int) -> None:
    with pytest.raises(ParseError) as info:
        load_documents(text)
    assert words in info.value.message and info.value.line == line


def test_application_tags_are_kept_only_when_a_loader_asks() -> None:
    source = SourceFile("frigate.yml", b"password: !secret cam_pw\n")
    data = source.documents()[0]
    assert str(data["password"]) == "!secret cam_pw" and source.tagged[0].pos == (1, 11)
    with pytest.raises(ParseError):
        load_documents("password: !secret cam_pw\n")


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"\xef\xbb\xbfa: 1", "a: 1"),
        ("a: é".encode("utf-16"), "a: é"),
        ("a: é".encode("utf-32"), "a: é"),
        ("a: é".encode("utf-16-be").join([b"\xfe\xff", b""]), "a: é"),
    ],
)
def test_decoding_with_byte_order_marks(raw: bytes, text: str) -> None:
    assert decode(raw).text == text


def test_invalid_utf16_names_the_offset() -> None:
    with pytest.raises(ParseError) as info:
        decode(b"\xff\xfea\x00\x00\xd8")  # a lone high surrogate
    assert "byte offset" in info.value.message


def _safe_loader_typing(text: str) -> Any:
    """What PyYAML's safe loader makes of one plain scalar, dates and times kept as text (as vmspolicy keeps them)."""
    document = f"v: {text}\n"
    node = yaml.compose(document, Loader=yaml.SafeLoader).value[0][1]
    if node.tag.endswith(":timestamp"):
        return node.value
    return yaml.load(document, Loader=yaml.SafeLoader)["v"]


@pytest.mark.parametrize("text", [
    "0", "7", "10", "123456789012345678", "1234567890123456789", "99999999999999999999", "007", "08", "0o17", "1_000",
    "+1", "-1", "0x1f", "0b101", "1:20", "190:20:30", "1.5", "+1.5", "-.5", "1.", "1.5e+3", "1.5E-3", "1.5e3", "1_0.5",
    ".inf", "-.Inf", "1:30.5", "00.5", "2019-01-01", "2019-1-1", "2019-01-01 10:00:00", "2019-13-45", "20190-1-01",
    "١٢٣", "١٢٣٤-01-01", "١.٥", "12a", "1-2",
])
def test_plain_scalars_are_typed_as_the_safe_loader_types_them(text: str) -> None:
    (data,) = load_documents(f"v: {text}\n")
    expected = _safe_loader_typing(text)
    assert (type(data["v"]), data["v"]) == (type(expected), expected)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.-+_:eE", min_size=1, max_size=12))
def test_number_like_plain_scalars_are_typed_as_the_safe_loader_types_them(text: str) -> None:
    try:
        expected = _safe_loader_typing(text)
    except (yaml.YAMLError, ValueError):
        return  # not one plain scalar, or no number Python reads
    try:
        (data,) = load_documents(f"v: {text}\n")
    except ParseError:
        return
    if isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(data["v"])
    else:
        assert (type(data["v"]), data["v"]) == (type(expected), expected)
