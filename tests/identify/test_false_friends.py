"""Issue 14, item 2: other makers' models are not restricted, and a declared maker outweighs a short prefix."""

from __future__ import annotations

import pytest

from vmspolicy.identify import identify


@pytest.mark.parametrize("model", ["ASA5505", "ASA5506-X", "ASA5508-X", "ASA5516-X", "ASA5545-X", "ASA5585-X"])
def test_cisco_asa_firewalls_are_not_dahua_access_control(model: str) -> None:
    assert identify(model=model).evidence == ()
    assert identify(model="ASA1222E").family == "Dahua"  # Dahua's attendance terminals keep their pattern


def test_geovision_hwk_is_not_hiwatch() -> None:
    assert identify(model="HWK-2008-DVR").evidence == ()  # HiWatch numbers HWI-, HWN-, HWT-, HWD-, HWP-


@pytest.mark.parametrize(("vendor", "model"), [("Geovision", "HWI-B121H"), ("GeoVision Inc.", "HWN-2104MH"), ("Axis", "SD49225XA-HNR"),
                                               ("Cisco", "NVR4108HS"), ("Bosch", "VTO2111D")])
def test_a_declared_maker_outweighs_a_short_ambiguous_pattern(vendor: str, model: str) -> None:
    verdict = identify(vendor=vendor, model=model)
    assert verdict.family is None and verdict.evidence == () and verdict.known_vendor
    assert identify(model=model).family is not None  # the pattern itself still identifies an undeclared device


@pytest.mark.parametrize(("vendor", "model", "family"), [("GeoVision", "DS-2CD2143G0-I", "Hikvision"), ("Axis", "DH-IPC-HFW2431S", "Dahua"),
                                                         ("Cisco", "DS2CD2143G0I", "Hikvision")])
def test_a_distinctive_pattern_still_wins(vendor: str, model: str, family: str) -> None:
    verdict = identify(vendor=vendor, model=model)
    assert verdict.family == family and verdict.evidence[0].kind == "model"


def test_an_unknown_or_restricted_declaration_does_not_outweigh_a_short_pattern() -> None:
    assert identify(vendor="Acme Vision", model="SD49225XA-HNR").family == "Dahua"
    assert identify(vendor="Hikvision", model="HWI-B121H").family == "Hikvision"
