"""VP001-VP005: files that cannot be read, manifests that break the schema, broken references, duplicates.

VP001 and VP002 are raised by the loading and validation stages, VP003 and
VP004 while the estate model is built (they need every file at once); the
classes here carry their documentation and metadata. VP005 is a plain rule.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from vmspolicy.analysis.context import CheckContext
from vmspolicy.core import codes
from vmspolicy.core.findings import Finding, Severity
from vmspolicy.core.rule import Rule
from vmspolicy.hookspecs import hookimpl


class ParseErrorRule(Rule):
    """A file that cannot be read as YAML or JSON data.

    What it checks
        Every input file can be decoded and parsed: valid UTF-8 (or UTF-16/32
        with a byte-order mark), valid YAML or JSON, no duplicate keys, no tag
        that would construct an object (``!!python/...``) or that vmspolicy does
        not know (``!Ref``), no alias expansion beyond the limit (YAML bombs),
        no nesting deeper than 100 levels.

    Why
        A file that cannot be read cannot be checked, and it may have been a
        manifest: fail closed. Duplicate keys are silently merged by most YAML
        readers (the last one wins), which can hide a restricted vendor behind
        a harmless one.

    Example (fails)
        .. code-block:: yaml

            cameras:
              - id: cam-1
                vendor: Axis
                vendor: Hikvision   # duplicate key: which one is true?

    Use instead
        .. code-block:: yaml

            cameras:
              - id: cam-1
                vendor: Hikvision

    Options
        None. VP001 cannot be disabled or suppressed.
    """

    code = codes.PARSE_ERROR.code
    slug = codes.PARSE_ERROR.slug
    summary = "not valid YAML/JSON, duplicate key, forbidden tag, bad encoding"
    baselinable = False  # a file that was never read was never checked: recording that would hide it for good


class SchemaViolation(Rule):
    """The manifest breaks its JSON Schema.

    What it checks
        Each manifest against ``schemas/manifest.schema.json`` (format v1): the
        ``vmspolicy: 1`` version key, known sections and keys only (a typo must
        not silently disable a check), types, enumerations, IP addresses, CIDRs,
        MAC addresses, dates and ports (``tcp/554``, ``udp/1000-2000``). The
        first 100 errors of a file are reported one by one; one more finding, at
        the first error not listed, counts the rest by section and kind.

    Why
        A misspelt key (``instaled:``) or a value in the wrong form
        (``installed: 15/03/2020``) means the record does not say what its
        author meant. The record is still judged on what can be read from it,
        each unreadable field taking the value that judges it most strictly (no
        install date: a restricted device is a new install, VP102; an unknown
        status is active; unknown services are not off, VP205; an unreadable
        site or zone cannot be shown isolated, VP206), so switching VP002 off
        hides no restricted device. A VP002 on a device that carries evidence of
        a restricted maker cannot be baselined: fix the record.

    Example (fails)
        .. code-block:: yaml

            vmspolicy: 1
            cameras:
              - id: cam-1
                site: hq
                vendr: Dahua        # unknown key 'vendr'; did you mean 'vendor'?
                ip: 10.0.0.300      # not an IPv4 address

    Use instead
        .. code-block:: yaml

            vmspolicy: 1
            cameras:
              - id: cam-1
                site: hq
                vendor: Dahua
                ip: 10.0.0.30

    Options
        None. Point your editor at the schema (see the README) to see these while typing.
    """

    code = codes.SCHEMA_VIOLATION.code
    slug = codes.SCHEMA_VIOLATION.slug
    summary = "the manifest breaks its JSON Schema"


class UnknownReference(Rule):
    """A site, zone, device or waiver id that does not exist.

    What it checks
        Every reference across the estate resolves: a device's ``site`` and
        ``zone``, a zone's ``site``, a firewall's ``site``, a firewall rule's
        ``from`` and ``to`` (a zone id, a device id, a CIDR, ``internet`` or
        ``any``), a waiver's ``devices``. A device's zone must belong to the
        device's site.

    Why
        A dangling reference usually means a typo or a file missing from the
        estate; a rule that names a zone that does not exist protects nothing.

    Example (fails)
        .. code-block:: yaml

            cameras:
              - id: cam-1
                site: hq
                zone: hq-cctv-legcy     # no such zone

    Use instead
        .. code-block:: yaml

            cameras:
              - id: cam-1
                site: hq
                zone: hq-cctv-legacy

    Options
        None. With pre-commit, set ``estate:`` in the configuration so that a
        changed file is checked against the rest of the estate.
    """

    code = codes.UNKNOWN_REFERENCE.code
    slug = codes.UNKNOWN_REFERENCE.slug
    summary = "a site, zone, device or waiver id that does not exist"


class DuplicateIdentity(Rule):
    """The same id, MAC address or IP address twice in the estate.

    What it checks
        Ids are unique across every section and every file of the estate;
        MAC addresses (in any notation) and IP addresses are unique among
        devices that are not decommissioned. One exception: a manifest record
        may complete a camera, recorder or device of an imported file
        (Frigate, go2rtc, NetBox...) with the same id in the same section,
        adding what that file cannot say (``installed``, ``vendor``,
        ``zone``...). It may repeat the imported file's values, never
        contradict them: a contradiction is reported here, at the manifest's
        field.

    Why
        Two records with one id make every reference ambiguous; a MAC or IP
        declared twice means one of the records is wrong, and a restricted
        camera can hide behind a copy of a compliant one.

    Example (fails)
        .. code-block:: yaml

            cameras:
              - {id: cam-1, site: hq, mac: "00:40:8c:12:34:56"}
              - {id: cam-2, site: hq, mac: 00-40-8C-12-34-56}   # same MAC

    Use instead
        Give every device its own id and its real MAC and IP address; mark a
        replaced device ``status: decommissioned``.

    Options
        None.
    """

    code = codes.DUPLICATE_IDENTITY.code
    slug = codes.DUPLICATE_IDENTITY.slug
    summary = "the same id, MAC or IP twice in the estate"


class AddressOutsideZone(Rule):
    """A device's IP address lies outside its zone's networks.

    What it checks
        For every device with both ``ip`` and ``zone``, the address is inside
        one of the zone's ``cidr`` networks.

    Why
        Isolation is proved per zone. A camera whose address is not in its
        zone is really somewhere else on the network, and the proof would be
        about the wrong segment.

    Example (fails)
        .. code-block:: yaml

            zones:
              - {id: cctv, site: hq, purpose: cameras, cidr: 10.20.30.0/24}
            cameras:
              - {id: cam-1, site: hq, zone: cctv, ip: 10.20.40.11}

    Use instead
        .. code-block:: yaml

            cameras:
              - {id: cam-1, site: hq, zone: cctv, ip: 10.20.30.11}

    Options
        None.
    """

    code = "VP005"
    slug = "address-outside-zone"
    severity = Severity.ERROR
    summary = "a device IP outside its zone's CIDR"

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        zones = ctx.estate.zones
        for device in ctx.estate.devices.values():
            if device.ip is None or device.zone is None or device.zone not in zones:
                continue
            zone = zones[device.zone]
            if not zone.cidrs or zone.contains(device.ip):
                continue
            networks = ", ".join(str(n) for n in zone.cidrs)
            yield self.finding(
                device.origin.loc("ip"),
                f"{device.id} has address {device.ip}, outside its zone {zone.id} ({networks}); "
                "fix the address or the zone",
                subject=device.id,
                evidence=str(device.ip),
            )


RULES: Sequence[type[Rule]] = (ParseErrorRule, SchemaViolation, UnknownReference, DuplicateIdentity, AddressOutsideZone)


@hookimpl(tryfirst=True)
def vmspolicy_rules() -> Sequence[type[Rule]]:
    return RULES
