"""Vendor identification: which vendor family a device belongs to, with the evidence for it.

CONTRACT (other modules build on this; keep these names and fields stable):

- :class:`Evidence` — one piece of evidence, located at a device field.
- :class:`Verdict` — the family (or None), the confidence and the evidence.
- :func:`verdicts` — every device's verdict, computed once per run (memoised on
  the :class:`~vmspolicy.analysis.context.CheckContext`).
- :func:`identify` — the same for loose facts (the ``identify`` command, BOM rows).
- :class:`DeviceFacts` — everything a device's verdict depends on besides the
  vendor data: equal facts, equal verdicts, so a verdict an earlier run found may
  be reused (:class:`KnownVerdicts`, :attr:`~vmspolicy.analysis.context.CheckContext.known_verdicts`).

The implementation (catalog, normalisation, matching) lives in the modules of
this package; this file is the stable surface.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping, NamedTuple, Sequence

from vmspolicy.core.records import record

if TYPE_CHECKING:
    from vmspolicy.analysis.context import CheckContext
    from vmspolicy.analysis.identify.evidence import VendorReading
    from vmspolicy.core.model import Device, OnvifInfo


@record(frozen=True, slots=True)
class Evidence:
    """One reason to believe a device belongs to ``family``.

    ``kind``: ``declared-vendor`` | ``brand`` | ``relabel`` | ``near-miss`` |
    ``model`` | ``oui`` | ``stream`` | ``banner`` | ``onvif`` | ``firmware`` |
    ``name`` | ``notes``. ``field`` is the device field it was read from
    (``vendor``, ``model``, ``mac``, ``streams``, ``onvif.manufacturer``...) and ``index``
    the item for list fields, so a finding can point at the exact value.
    ``detail`` is a human sentence quoted in findings, e.g. "model DS-2CD2143G0-I
    matches the Hikvision pattern DS-2CD…".
    """

    kind: str
    family: str
    weight: float  # 0..1: how strongly this alone establishes the family
    detail: str
    field: str
    value: str
    index: int | None = None
    source: str = ""  # where the catalog entry that matched comes from (URL or document)


@record(frozen=True, slots=True)
class Verdict:
    """What is known about a device's vendor.

    ``family``: the restricted family established (``Hikvision``, ``Dahua``,
    ``Hytera``, ``Huawei``, ``ZTE``), or None when no restricted family is
    established. ``declared_family``: the family the *declared* vendor string
    maps to (None when it names no restricted family, also for a non-restricted
    known vendor). ``known_vendor``: the declared vendor is a recognised maker
    (restricted or not); with no declared vendor and no evidence at all the
    vendor is unidentified (VP106); a known maker's MAC block, stream URL or
    model makes it known too, and ``maker`` names that maker. ``relabel``: the
    evidence that the declared brand is an OEM relabel of a restricted family
    (VP105), if any.
    """

    family: str | None
    confidence: float
    evidence: tuple[Evidence, ...] = ()
    declared_family: str | None = None
    known_vendor: bool = False
    relabel: Evidence | None = None
    maker: str | None = None  # a maker no family claims, known from the MAC block, a stream URL or the model


    @property
    def restricted(self) -> bool:
        return self.family is not None


def identify(
    *,
    vendor: str | None = None,
    model: str | None = None,
    mac: str | None = None,
    urls: Sequence[str] = (),
    vendor_data: Sequence[Mapping[str, object]] = (),
    installed: dt.date | None = None,
    banners: Sequence[str] = (),
    serial: str | None = None,
    name: str | None = None,
    notes: str | None = None,
    firmware: str | None = None,
    onvif: OnvifInfo | None = None,
) -> Verdict:
    """Identify loose facts (any may be missing) against the catalog built from ``vendor_data``.

    ``vendor_data``: catalog fragments as the ``vmspolicy_vendor_data`` hook
    returns them (built-ins first); empty means the built-in catalog alone.
    ``installed`` places the device in a relabel's date window (Lorex under
    Dahua 2018-02..2022-11). ``serial``: Hikvision serial numbers start with
    the model (``DS-2CD2143G0-I20190101AAWRC...``); only a distinctive model
    pattern counts there, never a short prefix. ``banners``: scan strings (HTTP/RTSP server
    headers, SNMP sysObjectID, ONVIF manufacturer). ``onvif``: what the device
    answers to ONVIF GetDeviceInformation; its manufacturer is the device's own
    word (as strong as a declared vendor, and technical evidence for VP104), its
    model a model. ``name`` and ``notes`` (free text) and ``firmware`` are weak
    evidence (``name`` alone just establishes a family, ``notes`` only adds to
    other evidence); a declared maker that no family claims outweighs them.

    Pieces of evidence for one family combine as 1 - Π(1 - weight); the best
    family is established at 0.5: one OUI, model pattern or stream fingerprint
    (0.9-0.95) or an exact name (0.95) is enough, a misspelling (0.62) or a
    medium-confidence brand or relabel (0.6) just is, a low-medium relabel
    (0.4) alone is not (it is still reported as ``relabel``). ``confidence`` is
    that score; with no family established, the best score below 0.5, or 0.
    """
    catalog = catalog_for(vendor_data)
    found: list[Evidence] = []
    reading: VendorReading | None = None
    if vendor and vendor.strip():
        reading, pieces = ev.vendor_evidence(catalog, vendor, installed, Evidence)
        found.extend(pieces)
    if model and model.strip():
        pieces = ev.model_evidence(catalog, model, Evidence, other_maker=reading is not None and reading.other_maker)
        # A model field that names the maker ("HIKVISION 4MP dome") is a declaration too.
        found.extend(pieces or ev.named_in_model(catalog, model, Evidence))
    other_maker = reading is not None and reading.other_maker
    if onvif is not None:
        if onvif.manufacturer and onvif.manufacturer.strip():
            found.extend(ev.onvif_evidence(catalog, onvif.manufacturer, installed, Evidence))
        if onvif.model and onvif.model.strip() and not any(e.kind == "model" for e in found):
            found.extend(ev.model_evidence(catalog, onvif.model, Evidence, other_maker=other_maker, field="onvif.model", label="ONVIF model"))
    if serial and serial.strip() and not any(e.kind == "model" for e in found):
        found.extend(ev.serial_evidence(catalog, serial, Evidence))
    if not other_maker:
        for value, field in ((firmware, "firmware"), (onvif.firmware_version if onvif else None, "onvif.firmware_version")):
            if value and value.strip():
                found.extend(ev.firmware_evidence(catalog, value, field, Evidence))
        for value, field in ((name, "name"), (notes, "notes")):
            if value and value.strip():
                found.extend(ev.text_evidence(catalog, value, field, Evidence))
    if mac and mac.strip():
        found.extend(ev.mac_evidence(catalog, mac, installed, Evidence))
    if urls:
        found.extend(ev.stream_evidence(catalog, urls, Evidence))
    if banners:
        found.extend(ev.banner_evidence(catalog, banners, Evidence))
    verdict = ev.combine(found, reading, Verdict)
    if verdict.family is None and not verdict.known_vendor:
        maker = ev.known_maker(catalog, model, mac, urls) or (ev.named_maker(catalog, onvif.manufacturer) if onvif and onvif.manufacturer else None)
        if maker is not None:
            return Verdict(None, verdict.confidence, verdict.evidence, verdict.declared_family, True, verdict.relabel, maker)
    return verdict


# The implementation modules import only type names from here, so they load after the contract.
from vmspolicy.analysis.identify import evidence as ev  # noqa: E402
from vmspolicy.analysis.identify.catalog import catalog_for  # noqa: E402


class DeviceFacts(NamedTuple):
    """What a device's verdict is computed from, and nothing else: the key under which a verdict may be reused.

    ``installed`` is the date that places the device in a relabel's window: its
    own, or for a ``planned`` device the run's date. Where the device is (its
    file, site, zone, address) is not a fact of its vendor: no verdict holds it.
    A tuple rather than a record: it is hashed and compared for every device of a
    run, which a tuple does in C (a record's methods are Python, about 0.2 s more
    at 100,000 devices), and it equals the plain tuple of its values.
    """

    vendor: str | None
    model: str | None
    mac: str | None
    streams: tuple[str, ...]
    installed: dt.date | None
    serial: str | None
    name: str | None
    notes: str | None
    firmware: str | None
    onvif: OnvifInfo | None


@dataclass
class KnownVerdicts:
    """The verdicts earlier runs found, by the facts they were computed from, and what a run adds (the run's verdict store)."""

    kept: Mapping[DeviceFacts, Verdict]
    facts: dict[str, DeviceFacts] = field(default_factory=dict)  # each device's facts in this run, by device id
    added: set[str] = field(default_factory=set)  # the devices whose facts ``kept`` lacked: identified in this run


def device_facts(device: Device, as_of: dt.date | None = None) -> DeviceFacts:
    """The facts of ``device`` (``as_of``: the run's date, which places a ``planned`` device in a relabel's window)."""
    installed = as_of if as_of is not None and device.status == "planned" else device.installed
    return DeviceFacts(device.vendor, device.model, device.mac, device.streams, installed, device.serial, device.name,
                       device.notes, device.firmware, device.onvif)


def identify_facts(facts: DeviceFacts, vendor_data: Sequence[Mapping[str, object]] = ()) -> Verdict:
    """The verdict of a device with these facts: it reads nothing but ``facts`` and ``vendor_data``."""
    return identify(
        vendor=facts.vendor,
        model=facts.model,
        mac=facts.mac,
        urls=facts.streams,
        vendor_data=vendor_data,
        installed=facts.installed,
        serial=facts.serial,
        name=facts.name,
        notes=facts.notes,
        firmware=facts.firmware,
        onvif=facts.onvif,
    )


def identify_device(device: Device, vendor_data: Sequence[Mapping[str, object]] = (), installed: dt.date | None = None) -> Verdict:
    """The verdict for one device of the estate (``installed``: the date that places it in a relabel's window, else its own)."""
    facts = device_facts(device)
    return identify_facts(facts._replace(installed=installed) if installed is not None else facts, vendor_data)


def verdicts(ctx: CheckContext) -> Mapping[str, Verdict]:
    """Every device's verdict, by device id, computed once per run.

    A ``planned`` device will be made from the run's date on, so that date (not
    a missing ``installed``) places it in or out of a relabel's window.
    """
    return ctx.analyses.vendor_verdicts


def all_verdicts(ctx: CheckContext) -> dict[str, Verdict]:
    out: dict[str, Verdict] = {}
    memory = ctx.known_verdicts
    if memory is None:
        for device in ctx.estate.devices.values():
            out[device.id] = identify_facts(device_facts(device, ctx.as_of), ctx.vendor_data)
        return out
    # Verdicts of earlier runs, kept by their facts (vmspolicy.run.verdict_store): only a device whose facts are new is identified.
    kept, fresh = memory.kept, dict[DeviceFacts, Verdict]()
    for device in ctx.estate.devices.values():
        facts = memory.facts[device.id] = device_facts(device, ctx.as_of)
        verdict = kept.get(facts)
        if verdict is None:
            verdict = fresh.get(facts)
            if verdict is None:
                verdict = fresh[facts] = identify_facts(facts, ctx.vendor_data)
            memory.added.add(device.id)
        out[device.id] = verdict
    return out
