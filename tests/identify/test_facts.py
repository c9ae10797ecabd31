"""A device's verdict depends on its facts and the vendor data alone, so a verdict found earlier is reused only for equal facts.

The run's verdict store (vmspolicy/run/verdict_store.py) keeps verdicts by
:class:`DeviceFacts`; a fact left out of the key would let a device edited there keep
its old verdict, and a finding turn into a pass.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from vmspolicy.analysis.context import CheckContext
from vmspolicy.analysis.identify import DeviceFacts, KnownVerdicts, Verdict, device_facts, identify_device, verdicts
from vmspolicy.analysis.identify.builtin import builtin_fragments
from vmspolicy.core.model import Device, Estate, OnvifInfo, Origin
from vmspolicy.core.source import LocatedMap

AS_OF = dt.date(2026, 1, 1)
# Where a device is and how it is run: never read by identification.
NOT_FACTS = {"id", "kind", "type", "site", "origin", "zone", "ip", "services", "status"}
# A camera the built-in catalog finds nothing restricted in, and for each fact a value that makes it Hikvision or Dahua.
PLAIN = {"vendor": "Axis", "model": "Q6135-LE", "mac": "b8:a4:4f:00:00:01", "streams": ("rtsp://10.0.0.1/axis-media/media.amp",),
         "installed": dt.date(2019, 5, 1), "serial": "ACCC8E000001", "name": "lobby", "notes": "replaced in 2021",
         "firmware": "10.12.1", "onvif": OnvifInfo("AXIS", "Q6135-LE", "10.12.1")}
RESTRICTED = {"vendor": "Hikvision", "model": "DS-2CD2143G0-I", "mac": "44:19:b6:00:00:01",
              "streams": ("rtsp://10.0.0.1/Streaming/Channels/101",), "serial": "DS-2CD2143G0-I20190101AAWRC12345678",
              "name": "Hikvision dome", "notes": "a Hikvision camera", "firmware": "V5.5.0 build 170725",
              "onvif": OnvifInfo("HIKVISION", "DS-2CD2143G0-I", "V5.5.0 build 170725")}


def device(device_id: str = "cam-1", **fields: object) -> Device:
    values = {**PLAIN, **fields}
    return Device(id=device_id, kind="camera", type="camera", site="hq", origin=Origin("estate.yaml", LocatedMap()), **values)  # type: ignore[arg-type]


def judged(devices: list[Device], known: dict[DeviceFacts, Verdict] | None, as_of: dt.date = AS_OF) -> CheckContext:
    estate = Estate(sites={}, zones={}, devices={d.id: d for d in devices}, firewalls=(), waivers={})
    memory = KnownVerdicts(known) if known is not None else None
    return CheckContext(estate=estate, documents=(), as_of=as_of, vendor_data=list(builtin_fragments()), known_verdicts=memory)


def test_every_device_field_is_a_fact_or_named_as_none() -> None:
    # A field added to Device must be placed: a fact of its vendor (then DeviceFacts holds it) or not.
    facts = set(DeviceFacts._fields)
    assert {f.name for f in dataclasses.fields(Device)} == facts | NOT_FACTS
    assert not facts & NOT_FACTS


@pytest.mark.parametrize("fact", sorted(RESTRICTED))
def test_a_device_edited_in_one_fact_is_identified_again(fact: str) -> None:
    # From a device that says nothing of its maker, so that even weak evidence (notes, a name) changes the verdict.
    before = device(**{name: () if name == "streams" else None for name in RESTRICTED})
    after = dataclasses.replace(before, **{fact: RESTRICTED[fact]})
    assert identify_device(after) != identify_device(before)
    known = {device_facts(before, AS_OF): identify_device(before)}
    ctx = judged([after], known)
    assert verdicts(ctx)["cam-1"] == identify_device(after)
    assert ctx.known_verdicts is not None and ctx.known_verdicts.added == {"cam-1"}
    assert ctx.known_verdicts.facts == {"cam-1": device_facts(after, AS_OF)}


def test_the_install_date_is_a_fact() -> None:
    # Lorex is a Dahua relabel for devices made from 2018-02 to 2022-11.
    before, after = device(vendor="Lorex", installed=dt.date(2024, 1, 1)), device(vendor="Lorex", installed=dt.date(2020, 1, 1))
    known = {device_facts(before, AS_OF): identify_device(before)}
    assert identify_device(before).family is None
    assert verdicts(judged([after], known))["cam-1"].family == "Dahua"


def test_a_planned_device_is_placed_by_the_run_date() -> None:
    planned = device(vendor="Lorex", status="planned", installed=None)
    outside = judged([planned], {})
    assert verdicts(outside)["cam-1"].family is None
    assert outside.known_verdicts is not None
    kept = {outside.known_verdicts.facts["cam-1"]: verdicts(outside)["cam-1"]}
    inside = judged([planned], kept, as_of=dt.date(2020, 1, 1))
    assert verdicts(inside)["cam-1"].family == "Dahua"
    assert inside.known_verdicts is not None and inside.known_verdicts.added == {"cam-1"}
    assert inside.known_verdicts.facts["cam-1"].installed == dt.date(2020, 1, 1)


def test_where_a_device_is_changes_nothing_and_its_verdict_is_reused() -> None:
    here = device()
    elsewhere = dataclasses.replace(here, id="cam-2", site="branch", zone="z", origin=Origin("other.yaml", LocatedMap()),
                                    services={"upnp": True}, kind="recorder", type="recorder")
    assert device_facts(here, AS_OF) == device_facts(elsewhere, AS_OF)
    assert identify_device(here) == identify_device(elsewhere)
    marked = Verdict(None, 0.25)  # not what identification gives: shows that the kept verdict is taken
    ctx = judged([elsewhere], {device_facts(here, AS_OF): marked})
    assert verdicts(ctx)["cam-2"] is marked
    assert ctx.known_verdicts is not None and not ctx.known_verdicts.added


def test_without_kept_verdicts_every_device_is_identified() -> None:
    ctx = judged([device(), device("cam-2", **RESTRICTED)], None)
    assert verdicts(ctx)["cam-2"].family == "Hikvision" and ctx.known_verdicts is None


def test_devices_of_equal_new_facts_are_identified_once() -> None:
    ctx = judged([device(), device("cam-2"), device("cam-3", **RESTRICTED)], {})
    found = verdicts(ctx)
    assert found["cam-1"] is found["cam-2"] and found["cam-3"].family == "Hikvision"
    assert ctx.known_verdicts is not None and ctx.known_verdicts.added == {"cam-1", "cam-2", "cam-3"}
