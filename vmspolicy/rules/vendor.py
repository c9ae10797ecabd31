"""VP101-VP107: restricted vendors, judged under the policy packs that apply to each site.

The facts come from two shared analyses: vendor identification
(:func:`vmspolicy.analysis.policy.device_verdicts`, evidence per device) and policy
judgement (:func:`vmspolicy.analysis.policy.judgements`, packs, cut-offs, sites). The
rules only turn them into findings that point at the field that gave the device
away and say what to do. Waivers (VP103, VP105) are applied by governance.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Mapping, Sequence

from vmspolicy.analysis import identify, policy
from vmspolicy.analysis.context import CheckContext
from vmspolicy.analysis.identify.evidence import STRONG_WEIGHT
from vmspolicy.analysis.identify.normalise import display_order, has_bidi, visible
from vmspolicy.core import codes
from vmspolicy.core.findings import Finding, Severity
from vmspolicy.core.model import RECORDER_TYPES
from vmspolicy.core.redact import redact_url
from vmspolicy.core.rule import Looser, Rule
from vmspolicy.hookspecs import hookimpl

if TYPE_CHECKING:
    from vmspolicy.analysis.identify import Evidence, Verdict
    from vmspolicy.analysis.policy import Judgement
    from vmspolicy.core.model import Device
    from vmspolicy.core.source import Location

# Findings, reports and baselines never carry a credential (evidence is redacted where it is made;
# this stays for evidence from plugins' vendor data).
mask = redact_url


def _evidence_for(verdict: Verdict | None, family: str | None) -> Evidence | None:
    """The strongest piece of evidence for ``family``: what the finding quotes and points at."""
    if verdict is None or family is None:
        return None
    candidates = [e for e in verdict.evidence if e.family == family]
    return max(candidates, key=lambda e: e.weight) if candidates else None


def _at(device: Device, evidence: Evidence | None) -> Location:
    if evidence is None:
        return device.origin.loc("vendor") if device.vendor else device.origin.loc()
    return device.origin.loc(evidence.field, evidence.index)


def _quote(evidence: Evidence | None, family: str) -> str:
    return mask(evidence.detail) if evidence is not None else f"identified as {family}"


def _fingerprint(family: str, evidence: Evidence | None) -> str:
    return f"{family}:{mask(evidence.value)}" if evidence is not None else family


def _packs(ids: Sequence[str]) -> str:
    return ", ".join(ids)


def _left_to_vp101(ctx: CheckContext, judgement: Judgement) -> bool:
    # VP101 reports a restricted device on a sensitive site that a pack forbids outright, so VP102 and
    # VP103 leave it alone, but only while VP101 runs: where a site's own pack does not make VP101
    # mandatory and the configuration disables it, they still speak, or nothing would.
    return policy.forbidden_on_sensitive_site(ctx, judgement) and ctx.runs("VP101")


def _restricted(ctx: CheckContext) -> Iterable[tuple[Device, Judgement, str, Evidence | None]]:
    """Each device judged to be of a restricted family: the device, its judgement, the family and the evidence for it."""
    verdicts = policy.device_verdicts(ctx)
    for device_id, judgement in policy.judgements(ctx).items():
        family = judgement.family
        if family is None:
            continue
        device = ctx.estate.devices[device_id]
        yield device, judgement, family, _evidence_for(verdicts.get(device_id), family)


def _restricted_finding(rule: Rule, device: Device, family: str, evidence: Evidence | None, what: str, consequence: str) -> Finding:
    """A finding against a device of a restricted family, as VP101-VP103 and VP107 word and place it.

    It points at the evidence that gave the family away and quotes it, so that the
    reviewer sees why; ``what`` says what the device is (``Dahua equipment``) and
    ``consequence`` follows the quote (punctuation included). The evidence fingerprint
    is what a baseline follows, so it is the same for every rule.
    """
    return rule.finding(
        _at(device, evidence),
        f"{device.id} is {what} ({_quote(evidence, family)}){consequence}",
        subject=device.id,
        evidence=_fingerprint(family, evidence),
    )


class RestrictedVendorOnSensitiveSite(Rule):
    """A restricted vendor's device on a sensitive site.

    What it checks
        Every active device whose vendor family is restricted by a policy pack
        that applies to its site (``policies:``, else the profiles), when the
        site is ``sensitive: true``, whatever the install date, status or
        waivers. The finding points at the evidence that identified the family
        (the vendor, the model, the MAC address or a stream URL).

    Why
        The regimes agree that sensitive sites get none of this equipment: the
        UK statement of 24 November 2022 forbids deploying it on sensitive sites
        and asks departments to remove what is there rather than await upgrades.
        A waiver cannot excuse it, and neither can an inline comment.

    Example (fails)
        .. code-block:: yaml

            sites:
              - {id: hq, sensitive: true}
            cameras:
              - id: cam-lobby-01
                site: hq
                vendor: Hikvision
                model: DS-2CD2143G0-I
                installed: 2019-03-04

    Use instead
        Replace the camera with one from a maker no applicable pack restricts,
        and mark the old record ``status: decommissioned``.

    Options
        None. A pack with ``sensitive_sites: as-other-sites`` judges its sensitive
        sites like the others (VP102/VP103).
    """

    code = "VP101"
    slug = "restricted-vendor-on-sensitive-site"
    severity = Severity.ERROR
    summary = "any restricted device on a sensitive site"
    baselinable = False

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        for device, judgement, family, evidence in _restricted(ctx):
            if not policy.forbidden_on_sensitive_site(ctx, judgement):
                continue
            yield _restricted_finding(
                self, device, family, evidence, f"{family} equipment",
                f" on sensitive site {device.site}: forbidden outright by {_packs(policy.forbidding_packs(ctx, judgement))}, legacy or not, "
                "waiver or not; remove it and replace it with equipment from a maker no pack restricts",
            )


class RestrictedVendorNewInstall(Rule):
    """A restricted vendor's device installed on or after the pack's cut-off, planned, or undated.

    What it checks
        Every active device of a restricted family (under a pack that applies to
        its site) that is a new install: ``status: planned``, no ``installed``
        date, or installed on or after the cut-off of a pack that restricts it
        (``uk-gov-2022`` 2022-11-24, ``us-ndaa-889`` 2019-08-13, ``au-gov-2023``
        2023-02-09). Every row of a bill of materials is planned. On a sensitive
        site VP101 says it instead. A site's ``policies:`` entry that names no
        known pack is reported here too, as VP003 (the site is then judged under
        the run's packs).

    Why
        New installs are what the regimes forbid everywhere: procurement bans
        (NDAA s.889), the FCC Covered List, the UK and Australian government
        estates. A device without a date cannot be shown to be legacy, so it is
        treated as new (fail closed).

    Example (fails)
        .. code-block:: yaml

            cameras:
              - id: cam-yard-02
                site: depot
                vendor: Dahua
                model: IPC-HFW2431S-S-S2
                status: planned

    Use instead
        Choose a camera from a maker no applicable pack restricts. If the device
        really went in before the cut-off, write its ``installed:`` date: it is
        then legacy (VP103, VP2xx) rather than new.

    Options
        None.
    """

    code = "VP102"
    slug = "restricted-vendor-new-install"
    severity = Severity.ERROR
    summary = "restricted device installed on/after the pack's cut-off, planned, or undated"
    baselinable = False

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        yield from _unknown_site_packs(ctx)
        packs = policy.registry(ctx)
        boms = {d.path for d in ctx.documents if d.format == policy.BOM_FORMAT}
        for device, judgement, family, evidence in _restricted(ctx):
            if not judgement.new_install or _left_to_vp101(ctx, judgement):
                continue
            restricting = [packs[p] for p in judgement.restricting_packs]
            if device.origin.path in boms:
                why, hint = "is on this bill of materials (a planned install)", ""
            elif device.status == "planned":
                why, hint = "is planned", ""
            elif device.installed is None:
                written = device.origin.holder("installed").node.get("installed")
                if written is None:
                    why, hint = "has no installed date", "; if it went in before the cut-off, write its installed: date"
                else:
                    why = f"has an installed date that cannot be read ({written!r})"
                    hint = "; if it went in before the cut-off, write the date as YYYY-MM-DD"
            else:
                after = [p for p in restricting if device.installed >= p.cutoff]
                if after:
                    cutoffs = ", ".join(f"{p.id} {p.cutoff}" for p in after)
                    why, hint = f"was installed {device.installed}, on or after the cut-off ({cutoffs})", ""
                else:
                    strict = ", ".join(p.id for p in restricting if not p.legacy_waivable)
                    why, hint = f"must go: {strict} allows no legacy devices", ""
            yield _restricted_finding(
                self, device, family, evidence, f"{family} equipment",
                f" and {why}: a new install, forbidden on every site by {_packs(judgement.restricting_packs)}; "
                f"choose a maker no pack restricts{hint}",
            )


def _unknown_site_packs(ctx: CheckContext) -> Iterable[Finding]:
    known = ", ".join(sorted(policy.registry(ctx)))
    fallback = ", ".join(policy.default_selection(ctx))
    for site, index, pack_id in policy.unknown_site_packs(ctx):
        yield codes.UNKNOWN_REFERENCE.finding(
            site.origin.loc("policies", index),
            f"policies {pack_id!r} of site {site.id}: no policy pack with this id (known: {known}); "
            f"until it is fixed the site is judged under {fallback}",
            subject=site.id,
            evidence=f"policies:{pack_id}",
        )


class RestrictedVendorLegacy(Rule):
    """A legacy restricted device: it may stay only under a valid waiver, and only while isolated.

    What it checks
        Every active device of a restricted family installed before the cut-off
        of every pack that restricts it, on a site that is not sensitive. It
        fires for each such device; a valid waiver naming the device (and VP103,
        or no ``rules:``) marks the finding suppressed. Isolation is checked
        separately (VP201-VP206) and no waiver excuses it.

    Why
        The regimes tolerate equipment already installed, for a while and under
        conditions: someone accountable approved it, there is a date by which it
        goes, and it cannot reach the core network or the internet.

    Example (fails)
        .. code-block:: yaml

            cameras:
              - id: cam-gate-03
                site: depot                # not sensitive
                vendor: Hikvision
                model: DS-2CD2043G0-I
                installed: 2020-06-01      # before the uk-gov-2022 cut-off

    Use instead
        .. code-block:: yaml

            waivers:
              - id: W-2025-011
                devices: [cam-gate-03]
                reason: Replacement in the 2026 perimeter project
                approved_by: Head of Security
                approved_on: 2025-05-01
                expires: 2027-04-30        # within the pack's 24 months

    Options
        None. The longest waiver is the pack's ``max_waiver_months`` (VP301).
    """

    code = "VP103"
    slug = "restricted-vendor-legacy"
    severity = Severity.ERROR
    summary = "legacy restricted device without a valid waiver"
    waivable = True
    baselinable = False

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        packs = policy.registry(ctx)
        for device, judgement, family, evidence in _restricted(ctx):
            if not judgement.legacy or _left_to_vp101(ctx, judgement):
                continue
            restricting = [packs[p] for p in judgement.restricting_packs]
            cutoffs = ", ".join(f"{p.id} {p.cutoff}" for p in restricting)
            months = min(p.max_waiver_months for p in restricting)
            yield _restricted_finding(
                self, device, family, evidence, f"legacy {family} equipment",
                f", installed {device.installed} before the cut-off ({cutoffs}): it may stay only under a valid waiver "
                f"(at most {months} months) and only while isolated; add a waiver naming it, or replace it",
            )


class VendorMismatch(Rule):
    """The declared vendor contradicts strong technical evidence of a restricted family.

    What it checks
        Every active device with a declared ``vendor`` that does not name the
        family that its model number pattern, MAC address block (IEEE registry),
        stream URL, scan banner or ONVIF answer (``onvif: {manufacturer: ...}``,
        the device's own word) establishes. The finding points at the field
        that contradicts the paperwork, not at the vendor. A record's ``name``,
        ``notes`` or a firmware form never contradict it: too weak. A known relabel of
        that family is VP105, not a contradiction; a misspelling of the family
        (``Hikvison``) is not one either, nor is a short model prefix that other
        makers' numbering may share (``SD…``, ``NVR…``, ``HWI-…``: it establishes
        the family at medium confidence, and a declared maker no family claims
        outweighs it altogether).

    Why
        A camera declared as "Axis" whose MAC is registered to Hangzhou Hikvision
        is either mislabelled or deliberately disguised; either way the
        paperwork cannot be trusted and the device is judged as what the
        evidence shows (VP101-VP103).

    Example (fails)
        .. code-block:: yaml

            cameras:
              - id: cam-dock-04
                site: depot
                vendor: Axis
                model: DS-2CD2143G0-I      # a Hikvision model number
                mac: 44:19:b6:12:34:56     # a Hikvision MAC block

    Use instead
        Correct the vendor to what the device is (and deal with it as such), or
        correct the model and MAC if they were copied wrongly.

    Options
        ``min_weight`` (default 0.8): how strong (0-1) a piece of evidence must be
        to contradict a declared vendor.
    """

    code = "VP104"
    slug = "vendor-mismatch"
    severity = Severity.ERROR
    summary = "declared vendor contradicts OUI / model / stream evidence of a restricted family"
    options: ClassVar[Mapping[str, Any]] = MappingProxyType({"min_weight": STRONG_WEIGHT})
    looser: ClassVar[Mapping[str, Looser]] = MappingProxyType({"min_weight": Looser.HIGHER})  # weaker evidence goes unchallenged
    baselinable = False

    # Technical evidence, the device's own ONVIF answer among it; never free text or a firmware form.
    STRONG_KINDS = frozenset({"model", "oui", "stream", "banner", "onvif"})

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        min_weight = float(ctx.options_for(type(self))["min_weight"])
        for device, verdict in _active_verdicts(ctx):
            if not device.vendor:
                continue
            # Every family the hard evidence shows, not only the heaviest: a declared "Huawei" must not
            # hide a Hikvision model under a pack that restricts Hikvision only.
            strong = [e for e in verdict.evidence if e.kind in self.STRONG_KINDS and e.weight >= min_weight]
            for family in sorted({e.family for e in strong}, key=lambda f: (f != verdict.family, f)):
                if verdict.declared_family == family:
                    continue
                if verdict.relabel is not None and verdict.relabel.family == family:
                    continue
                if any(e.family == family and e.field == "vendor" for e in verdict.evidence):
                    continue  # the vendor field itself points at the family (a misspelling, a brand)
                pieces = [e for e in strong if e.family == family]
                evidence = max(pieces, key=lambda e: e.weight)
                also = f" (and {len(pieces) - 1} more piece(s) of evidence)" if len(pieces) > 1 else ""
                yield self.finding(
                    _at(device, evidence),
                    f"{device.id} is declared as {device.vendor!r} but {mask(evidence.detail)}{also}: it is judged as {family}; "
                    "correct the vendor, or the model/MAC/URL if they were copied wrongly",
                    subject=device.id,
                    evidence=f"{device.vendor}->{family}:{mask(evidence.value)}",
                )
                break


def _active_verdicts(ctx: CheckContext) -> Iterable[tuple[Device, Verdict]]:
    verdicts = policy.device_verdicts(ctx)
    for device in ctx.estate.devices.values():
        verdict = verdicts.get(device.id)
        if device.active and verdict is not None:
            yield device, verdict


class OemRelabel(Rule):
    """The declared brand is a known OEM relabel of a restricted family.

    What it checks
        Every active device whose declared vendor is a brand that sells products
        made by a restricted family (Amcrest and Lorex for Dahua, Annke and LTS
        for Hikvision, ...), when a pack that applies restricts that family. A
        relationship with dates (Lorex: Dahua's from 2018-02 to 2022-11) counts
        only for devices installed in it, or undated ones. When the relabel is
        strong enough to establish the family, the device is also judged as
        that family (VP101-VP103) and this finding says why; a weaker one
        (Swann, LTS, Annke: low-medium confidence) is this warning alone, asking
        for the maker to be checked.

    Why
        Relabelled equipment is the restricted family's equipment: NDAA s.889
        names "any subsidiary or affiliate", and the firmware, cloud services
        and vulnerabilities are the OEM's. A relabel is how a restricted camera
        slips through a check of the vendor column alone.

    Example (fails)
        .. code-block:: yaml

            cameras:
              - id: cam-shop-01
                site: depot
                vendor: Amcrest
                model: IP8M-2496EB

    Use instead
        Replace it with a camera from a maker no pack restricts; while it is
        legacy, a waiver may cover this rule as it covers VP103.

    Options
        None.
    """

    code = "VP105"
    slug = "oem-relabel"
    severity = Severity.WARNING
    summary = "declared brand is a known relabel of a restricted family"
    waivable = True
    baselinable = False

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        found = policy.judgements(ctx)
        for device, verdict in _active_verdicts(ctx):
            relabel = verdict.relabel
            judgement = found.get(device.id)
            if relabel is None or judgement is None or not policy.relabel_applies(device, relabel, ctx):
                continue
            site = ctx.estate.sites.get(device.site)
            packs = [p.id for p in policy.site_packs(ctx, site) if p.restricts(relabel.family, device.type)]
            if not packs:
                continue
            if judgement.family == relabel.family:
                advice = f"it is {relabel.family} equipment under {_packs(packs)}: replace it, or cover it with a waiver while it is legacy"
            else:
                # Too weak alone to judge the device restricted: say so, and what would settle it.
                advice = (
                    f"if it is {relabel.family}-made it is restricted under {_packs(packs)}; check the model, MAC address "
                    "and firmware against the OEM's, and replace it or record the real maker"
                )
            yield self.finding(
                _at(device, relabel),
                f"{device.id}: {mask(relabel.detail)}; {advice}",
                subject=device.id,
                evidence=f"{relabel.family}:{mask(relabel.value)}",
            )


class UnidentifiedVendor(Rule):
    """The vendor of a camera, recorder, encoder or intercom cannot be established.

    What it checks
        Every active device of the types in ``device_types`` for which neither
        the declared vendor (it is blank, or no maker vmspolicy knows) nor the
        model, the MAC address or a stream URL establishes a maker. A warning by
        default; an error under ``--strict`` or ``strict: true``.

    Why
        A blank or unknown manufacturer is the easiest way for a restricted
        camera to pass a vendor check. Under a strict gate, what cannot be
        identified does not pass.

    Example (fails)
        .. code-block:: yaml

            cameras:
              - id: cam-store-07
                site: depot
                vendor: ""                 # or a brand nobody knows
                model: "4MP dome"

    Use instead
        .. code-block:: yaml

            cameras:
              - id: cam-store-07
                site: depot
                vendor: Axis
                model: P3245-V

    Options
        ``device_types`` (default camera, recorder, encoder, nvr, dvr, intercom):
        the device types that need an identified vendor (video intercoms are
        cameras too, and a common restricted product).
    """

    code = "VP106"
    slug = "unidentified-vendor"
    severity = Severity.WARNING
    summary = "the vendor cannot be established (error under --strict)"
    options: ClassVar[Mapping[str, Any]] = MappingProxyType({"device_types": ("camera", "recorder", "encoder", "nvr", "dvr", "intercom")})
    looser: ClassVar[Mapping[str, Looser]] = MappingProxyType({"device_types": Looser.FEWER})  # fewer devices must be identified

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        types = set(ctx.options_for(type(self))["device_types"])
        severity = Severity.ERROR if ctx.strict else self.severity
        verdicts = policy.device_verdicts(ctx)
        for device in ctx.estate.devices.values():
            if not device.active or device.type not in types:
                continue
            verdict = verdicts.get(device.id)
            if verdict is not None and (verdict.family is not None or verdict.known_vendor):
                continue
            weak = [mask(e.detail) for e in verdict.evidence] if verdict is not None else []
            hint = f" (only weak evidence: {'; '.join(weak)})" if weak else ""
            if device.vendor and has_bidi(device.vendor):
                message = (
                    f"{device.id}: vendor '{visible(device.vendor)}' holds bidirectional controls and displays as "
                    f"'{visible(display_order(device.vendor))}': a declaration that reads otherwise than it is written identifies "
                    f"nothing{hint}; write the vendor as on the label, without control characters"
                )
            elif device.vendor and device.vendor.strip():
                message = (
                    f"{device.id}: vendor {device.vendor!r} is not a maker vmspolicy knows and nothing else identifies "
                    f"the device{hint}; check the label or ONVIF device information, or add the maker through vendor data"
                )
            else:
                message = (
                    f"{device.id}: no vendor declared and neither model, MAC nor stream URL identifies one{hint}; "
                    "add the vendor and the model as written on the label or the ONVIF device information"
                )
            yield self.finding(
                device.origin.loc("vendor") if device.vendor is not None else device.origin.loc(),
                message,
                subject=device.id,
                evidence=f"vendor:{device.vendor or ''}",
                severity=severity,
            )


class RestrictedRecorder(Rule):
    """A recorder, NVR, DVR or VMS software of a restricted family.

    What it checks
        Every active entry of ``recorders:`` and every device of type ``nvr`` or
        ``dvr`` whose vendor family is restricted by a pack that applies to its
        site, and every recorder whose ``software:`` names a restricted family's
        VMS. It fires in addition to VP101-VP103; no waiver excuses it.

    Why
        A recorder holds every camera's footage and talks to every camera: a
        restricted one turns a compliant camera estate into a restricted system,
        and keeping one as "legacy" defeats the isolation of every camera behind it.

    Example (fails)
        .. code-block:: yaml

            recorders:
              - id: nvr-depot-1
                site: depot
                vendor: Hikvision
                model: DS-7608NI-K2

    Use instead
        A recorder or VMS from a maker no pack restricts (for instance a VMS on
        a server you control), recording the cameras over RTSP/ONVIF.

    Options
        None.
    """

    code = "VP107"
    slug = "restricted-recorder"
    severity = Severity.ERROR
    summary = "recorder, NVR or VMS software from a restricted family"
    baselinable = False

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        found = policy.judgements(ctx)
        verdicts = policy.device_verdicts(ctx)
        for device in ctx.estate.devices.values():
            judgement = found.get(device.id)
            if judgement is None or not (device.kind == "recorder" or device.type in RECORDER_TYPES):
                continue
            if judgement.family is not None:
                evidence = _evidence_for(verdicts.get(device.id), judgement.family)
                yield self._finding(device, judgement.family, evidence, judgement.restricting_packs)
                continue
            software = _software_family(ctx, device)
            if software is not None:
                yield self._finding(device, *software)

    def _finding(self, device: Device, family: str, evidence: Evidence | None, packs: Sequence[str]) -> Finding:
        what = "VMS software" if evidence is not None and evidence.field == "software" else "a recorder"
        return _restricted_finding(
            self, device, family, evidence, f"{what} from {family}",
            f", restricted by {_packs(packs)}: it holds and reaches every camera's footage; "
            "replace it with a recorder or VMS from a maker no pack restricts",
        )


def _software_family(ctx: CheckContext, device: Device) -> tuple[str, Evidence, tuple[str, ...]] | None:
    software: Any = device.origin.node.get("software")
    if not isinstance(software, str) or not software.strip():
        return None
    verdict = identify.identify(vendor=software, vendor_data=ctx.vendor_data)
    if verdict.family is None:
        return None
    evidence = _evidence_for(verdict, verdict.family)
    if evidence is None:
        return None
    site = ctx.estate.sites.get(device.site)
    packs = tuple(p.id for p in policy.site_packs(ctx, site) if p.restricts(verdict.family, device.type))
    if not packs:
        return None
    located = replace(evidence, field="software", index=None, detail=f"software {software!r}: {evidence.detail}")
    return verdict.family, located, packs


RULES: Sequence[type[Rule]] = (
    RestrictedVendorOnSensitiveSite,
    RestrictedVendorNewInstall,
    RestrictedVendorLegacy,
    VendorMismatch,
    OemRelabel,
    UnidentifiedVendor,
    RestrictedRecorder,
)


@hookimpl(tryfirst=True)
def vmspolicy_rules() -> Sequence[type[Rule]]:
    return RULES
