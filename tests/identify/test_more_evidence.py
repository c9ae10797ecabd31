"""Issue 14, item 4: a record's name and notes, its firmware and its ONVIF answer count as evidence, each at its weight."""

from __future__ import annotations

import pytest

from vmspolicy.analysis.identify import identify
from vmspolicy.core.model import OnvifInfo


def test_the_onvif_manufacturer_is_the_devices_own_word() -> None:
    declared = identify(vendor="Hikvision")
    answered = identify(onvif=OnvifInfo(manufacturer="HIKVISION"))
    assert answered.family == "Hikvision" and answered.confidence == declared.confidence
    assert [(e.kind, e.field) for e in answered.evidence] == [("onvif", "onvif.manufacturer")]
    model = identify(onvif=OnvifInfo(model="DH-IPC-HFW2431S"))
    assert model.family == "Dahua" and model.evidence[0].field == "onvif.model"


def test_an_onvif_manufacturer_no_family_claims_makes_the_maker_known() -> None:
    verdict = identify(onvif=OnvifInfo(manufacturer="Axis Communications AB", model="Q6135-LE"))
    assert verdict.family is None and verdict.known_vendor and verdict.maker == "Axis"


def test_a_name_is_weaker_than_a_declared_vendor_and_notes_weaker_still() -> None:
    vendor, name, notes = (identify(**{field: "Hikvision"}).confidence for field in ("vendor", "name", "notes"))  # type: ignore[arg-type]
    assert vendor > name >= 0.5 > notes > 0
    assert identify(notes="Hikvision").family is None  # notes alone only hint
    assert identify(notes="Hikvision DS-2CD2143G0-I, bought 2019").family == "Hikvision"  # with a model number they add up


def test_free_text_counts_only_distinctive_model_numbers_and_exact_names() -> None:
    assert identify(name="PTZ SD6982N-HN at the gate").evidence == ()  # a short, ambiguous prefix means nothing in free text
    assert identify(name="Hikvison lobby").evidence == ()  # a misspelling in free text is no evidence
    assert identify(notes="weighbridge of Shanghai Dahua Scale Factory").evidence == ()  # a false friend stays one
    assert identify(name="Gate (IPC-HFW2431S-S-S2)").family == "Dahua"


@pytest.mark.parametrize("firmware", ["V5.5.0 build 170725", "V4.30.005 build 210923", "V5.8.1_241121"])
def test_hikvisions_firmware_form_is_weak_evidence(firmware: str) -> None:
    verdict = identify(firmware=firmware)
    assert verdict.family == "Hikvision" and verdict.evidence[0].kind == "firmware" and verdict.confidence < 0.75
    assert identify(onvif=OnvifInfo(firmware_version=firmware)).evidence[0].field == "onvif.firmware_version"


@pytest.mark.parametrize("firmware", ["1.0.5 Build 20200407 Rel. 12345", "10.12.182", "V2.800.0000000.25.R", "5.5.338"])
def test_other_firmware_forms_say_nothing(firmware: str) -> None:
    assert identify(firmware=firmware).evidence == ()


def test_a_declared_maker_no_family_claims_outweighs_name_notes_and_firmware() -> None:
    verdict = identify(vendor="Axis", name="Old Hikvision position", notes="Dahua unit replaced", firmware="V5.5.0 build 170725")
    assert verdict.family is None and verdict.evidence == () and verdict.known_vendor
    # ... but not the device's own ONVIF answer, which contradicts it (VP104).
    assert identify(vendor="Axis", onvif=OnvifInfo(manufacturer="HIKVISION")).family == "Hikvision"


@pytest.mark.parametrize("field", ["vendor", "name", "notes", "onvif"])
def test_a_text_naming_a_family_many_times_holds_one_copy_of_itself_however_many(field: str) -> None:
    """Each mention is evidence, but every mention of a name shares one sentence: the text is in it, and
    thousands of copies of a long text were memory growing with its square (400 KB: 7.7 GB)."""
    text = "Hikvision Ezviz " * 500

    def verdict(value: str) -> object:
        if field == "onvif":
            return identify(onvif=OnvifInfo(manufacturer=value))
        return identify(**{field: value})  # type: ignore[arg-type]

    evidence = verdict(text).evidence  # type: ignore[attr-defined]
    assert len(evidence) == 1000 and len({e.family for e in evidence}) == 1
    assert len({id(e.detail) for e in evidence}) == 2  # Hikvision named, and Ezviz, a Hikvision brand
    twice = verdict("Hikvision Ezviz Hikvision Ezviz").evidence  # type: ignore[attr-defined]
    assert len(twice) == 4
    # The same sentences, but for the text they quote (a free text is quoted up to 300 characters, then its length).
    assert {e.detail.rsplit('" ', 1)[1] for e in twice} == {e.detail.rsplit('" ', 1)[1] for e in evidence}
    # Every text a finding quotes is cut so (a name or notes, a vendor, a model, an ONVIF manufacturer).
    label = "ONVIF manufacturer" if field == "onvif" else field
    assert all(e.detail.startswith(f'{label} "Hikvision Ezviz ') and "… (8,000 characters)" in e.detail for e in evidence)


@pytest.mark.parametrize("field", ["vendor", "model", "serial", "onvif"])
def test_a_long_vendor_model_serial_or_onvif_text_is_quoted_by_its_start_and_length(field: str) -> None:
    # A vendor of 100,000 characters was quoted whole in its finding: a report as large as the input, per finding.
    value = {"vendor": "Hikvision ", "model": "DS-2CD2143G0-I ", "serial": "DS-2CD2143G0-I", "onvif": "Hikvision "}[field] + "x" * 100_000
    found = identify(onvif=OnvifInfo(manufacturer=value)) if field == "onvif" else identify(**{field: value})  # type: ignore[arg-type]
    assert found.evidence and all(len(e.detail) < 500 and "… (100,0" in e.detail for e in found.evidence), found.evidence
    short = identify(vendor="Hik  vision").evidence  # a short text keeps its spacing, as before
    assert all('"Hik  vision"' in e.detail for e in short)


def test_a_free_text_is_quoted_whole_when_short_and_by_its_start_and_length_when_long() -> None:
    short = identify(name="Hikvision  lobby\tdome\n").evidence[0].detail
    assert short == 'name "Hikvision lobby dome" names Hikvision'
    long = identify(name="Hikvision " + "x" * 5000).evidence[0].detail
    assert long.startswith('name "Hikvision xxx') and long.endswith('… (5,010 characters)" names Hikvision')
    assert len(long) < 400


def _longest_runs_first(names: dict[str, object], max_words: int, words: list[str]) -> list[tuple[str, int]]:
    """The name look-up as it was first written: every run length from the longest down, at every word."""
    found: list[tuple[str, int]] = []
    i = 0
    while i < len(words):
        for j in range(min(len(words), i + max_words), i, -1):
            if "".join(words[i:j]) in names:
                found.append(("".join(words[i:j]), i))
                i = j
                break
        else:
            i += 1
    return found


def test_names_are_found_in_runs_of_words_as_by_trying_every_run_length() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from vmspolicy.analysis.identify import evidence
    from vmspolicy.analysis.identify.builtin import builtin_fragments
    from vmspolicy.analysis.identify.catalog import catalog_for

    catalog = catalog_for(builtin_fragments())
    pieces = sorted({key[:cut] for key in catalog.names for cut in (1, 3, len(key) // 2, len(key))} | {key for key in catalog.names})
    words = st.lists(st.one_of(st.sampled_from(pieces), st.sampled_from(["cam", "ip", "vision", "hik", "x"])), max_size=12)

    @settings(max_examples=500, deadline=None, derandomize=True)
    @given(words)
    def same(text: list[str]) -> None:
        found = [(m.text, m.entry) for m in evidence._exact(catalog, text)]
        expected = [(joined, catalog.names[joined]) for joined, _ in _longest_runs_first(catalog.names, catalog.max_words, text)]
        assert found == expected

    same()


@pytest.mark.parametrize("name", ["lobby dome\tHikvision", "Hikvision\r\nlobby dome", "lobby\x0bdome Hikvision"])
def test_a_tab_or_line_break_separates_words_as_a_space_does(name: str) -> None:
    # Dropped as control characters, they joined "dome\tHikvision" into one word that names nothing.
    assert identify(name=name).family == "Hikvision"
    assert identify(vendor="Hik\tvision").family == "Hikvision"  # and a name split by one is still read whole
