"""Policy judgement: which pack applies to each device, and whether it is restricted, legacy or new.

CONTRACT (other modules build on this; keep these names and fields stable):

- :class:`Judgement` — per device: the packs that apply, the restricted family
  (or None), and whether the device is a *new install* (installed on/after the
  pack's cut-off, planned, or undated), *legacy* (installed before the cut-off)
  and on a *sensitive* site.
- :func:`judgements` — every active device's judgement, computed once per run.
- :func:`legacy_restricted` — the active legacy restricted devices: the ones
  that may stay only under a waiver and only while isolated (VP103, VP2xx).

Which packs apply to a site: the site's own ``policies:``; else the run's
profiles (configuration ``profiles:`` or ``--profile``); else :data:`DEFAULT_PACK`,
``uk-gov-2022``: the regime the manifest format was modelled on (sensitive
sites, legacy under waiver, isolation) and the broadest built-in family list for
surveillance equipment, so no restricted camera passes unconfigured. Applying
every pack instead would put the US cut-off (2019-08-13) on UK and Australian
estates and turn their legitimate legacy cameras into forbidden new installs. A profile
that names no known pack is a configuration error (exit 2); a site that does
is a VP003 finding, and the site falls back to the run's selection so that its
devices are still judged. Profiles that name only packs defined in the
repository's own configuration get the default beside them: the repository may
add restrictions that way, not replace the regime (a site's ``policies:``, in
the manifests, is where a pack replaces it).

With several packs on one site the strictest wins: a device is restricted when
any applicable pack restricts its family, and a new install when it is one
under any of those packs.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final, Mapping, Sequence

from vmspolicy.analysis import identify
from vmspolicy.core.errors import ConfigError, PluginError
from vmspolicy.core.model import UNREADABLE
from vmspolicy.core.records import record
from vmspolicy.core.schemas import validate

if TYPE_CHECKING:
    from vmspolicy.analysis.context import CheckContext
    from vmspolicy.analysis.identify import Evidence, Verdict
    from vmspolicy.core.model import Device, Site

DEFAULT_PACK: Final = "uk-gov-2022"
"""The pack applied when neither a site's ``policies:`` nor the profiles name one (see the module docs)."""

CORE_MANDATORY: Final = frozenset(
    {"VP001", "VP101", "VP102", "VP103", "VP104", "VP107", "VP201", "VP202", "VP203", "VP204", "VP205", "VP206", "VP502"}
)
"""The mandatory rules of a pack that names none: the substance of the regime (restricted vendors, isolation)."""

ALWAYS_MANDATORY: Final = frozenset({"VP001", "VP306"})
"""Mandatory under every pack: an unreadable file never passes, and a refused override always shows."""

BOM_FORMAT: Final = "bom"  # vmspolicy.loading.bom.FORMAT, whose module loads only for a BOM
"""``Document.format`` of bills of materials (:mod:`vmspolicy.loading.bom`)."""

# Evidence kinds that name a family by what is written, not by a relabel relationship.
_DIRECT_KINDS: Final = frozenset({"declared-vendor", "brand", "model", "oui", "stream", "banner"})
# What a description cell may be trusted to say: a name, not a near-miss of one.
_DESCRIPTION_KINDS: Final = frozenset({"declared-vendor", "brand", "relabel"})


class PolicyError(ConfigError, PluginError):
    """A pack selection or definition that cannot be used: exit code 2.

    It is a configuration error (the CLI prints it as one), and also a
    :class:`PluginError` so that the rule host passes it through unchanged
    instead of blaming the rule that happened to ask for the packs first.
    """

    def __init__(self, message: str) -> None:
        Exception.__init__(self, message)
        self.plugin = "vmspolicy.analysis.policy"


@record(frozen=True, slots=True)
class PackFamily:
    """A restricted family and, when the regime is narrower, the device types it covers."""

    name: str
    equipment: frozenset[str] | None = None  # None: every device of the family

    def covers(self, family: str, device_type: str) -> bool:
        # A device whose type cannot be read may be any of them (fail closed).
        return self.name.casefold() == family.casefold() and (
            self.equipment is None or device_type in self.equipment or device_type == UNREADABLE
        )


@record(frozen=True, slots=True)
class Pack:
    """A policy pack, parsed from its data (see ``schemas/pack.schema.json``)."""

    id: str
    title: str
    cutoff: dt.date
    families: tuple[PackFamily, ...]
    sensitive_forbid: bool = True
    legacy_waivable: bool = True
    isolation_required: bool = True
    reachable_from: tuple[str, ...] = ("vms", "management")
    max_waiver_months: int = 24
    # Rules repository configuration may tighten but never disable, deselect, downgrade or loosen (VP306).
    mandatory: frozenset[str] = CORE_MANDATORY
    origin: str = "built-in"  # built-in | plugin | the configuration file
    data: Mapping[str, Any] | None = None

    def restricts(self, family: str | None, device_type: str) -> bool:
        """True when this pack restricts ``family`` for a device of ``device_type``."""
        return family is not None and any(f.covers(family, device_type) for f in self.families)


@record(frozen=True, slots=True)
class Judgement:
    """What the applicable packs make of one device: its restricted family, which packs restrict it, and why."""

    device: str
    family: str | None  # the restricted family under at least one applicable pack, else None
    packs: tuple[str, ...]  # ids of the packs that apply to the device's site
    restricting_packs: tuple[str, ...] = ()  # the applicable packs that restrict ``family``
    new_install: bool = False
    legacy: bool = False
    sensitive_site: bool = False

    @property
    def restricted(self) -> bool:
        return self.family is not None


def parse_pack(data: Mapping[str, Any], origin: str = "built-in", *, shipped: bool = False) -> Pack:
    """A :class:`Pack` from pack data; raises :class:`PolicyError` when the data breaks the schema.

    ``shipped``: ``data`` is one of the packs shipped in the package, which the
    test suite checks against the schema; a run does not check them again
    (compiling the pack schema is a millisecond of every pre-commit run).
    """
    errors = [] if shipped else validate("pack", data)
    if errors:
        name = data.get("id", "?") if isinstance(data, Mapping) else "?"
        raise PolicyError(f"policy pack {name!r} ({origin}) is invalid: {errors[0].message}")
    families = tuple(
        PackFamily(item) if isinstance(item, str) else PackFamily(item["name"], frozenset(item["equipment"]) if "equipment" in item else None)
        for item in data["families"]
    )
    legacy = data.get("legacy") or {}
    return Pack(
        id=data["id"],
        title=data["title"],
        cutoff=dt.date.fromisoformat(data["cutoff"]),
        families=families,
        sensitive_forbid=data.get("sensitive_sites", "forbid") == "forbid",
        legacy_waivable=bool(legacy.get("waivable", True)),
        isolation_required=legacy.get("isolation", "required") == "required",
        reachable_from=tuple(legacy.get("reachable_from", ("vms", "management"))),
        max_waiver_months=int(data.get("max_waiver_months", 24)),
        # A pack that does not say is as strict as the built-in ones: weakening the regime must be written down.
        mandatory=frozenset(data["mandatory"]) if "mandatory" in data else CORE_MANDATORY,
        origin=origin,
        data=data,
    )


def registry(ctx: CheckContext) -> Mapping[str, Pack]:
    """Every pack of this run by id: those of the plugin hook (built-ins first), then the configuration's."""
    return ctx.analyses.packs


def build_registry(ctx: CheckContext) -> dict[str, Pack]:
    from vmspolicy.core.packs import builtin_pack_ids, builtin_packs

    builtin = set(builtin_pack_ids())
    shipped = builtin_packs()
    found: dict[str, Pack] = {}
    configured = ctx.settings.get("packs") or ()
    for data, origin in [*((p, "built-in" if p.get("id") in builtin else "plugin") for p in ctx.packs),
                         *((p, "configuration") for p in configured)]:
        pack = parse_pack(data, origin, shipped=any(data is p for p in shipped))
        _check_families(pack, ctx.vendor_data)
        if pack.id in found:
            raise PolicyError(f"policy pack {pack.id!r} is defined twice ({found[pack.id].origin} and {origin}); give yours another id")
        found[pack.id] = pack
    return found


def _check_families(pack: Pack, vendor_data: Sequence[Mapping[str, Any]]) -> None:
    # A family the vendor data does not define can never match a device: a typo in a pack would pass everything.
    if not vendor_data:
        from vmspolicy.analysis.identify.builtin import builtin_fragments

        vendor_data = builtin_fragments()
    known = {str(f.get("family", "")).casefold(): str(f.get("family")) for d in vendor_data for f in d.get("families") or ()}
    for family in pack.families:
        if family.name.casefold() not in known:
            raise PolicyError(
                f"policy pack {pack.id!r} ({pack.origin}) restricts family {family.name!r}, which no vendor data defines "
                f"(known: {', '.join(sorted(known.values()))}); fix the name or add the family through vendor data"
            )


def default_selection(ctx: CheckContext) -> tuple[str, ...]:
    """The packs applied to sites that name none: the profiles, else :data:`DEFAULT_PACK`.

    Profiles that name only packs of the configuration get the default beside them.

    Raises :class:`PolicyError` for a profile that names no known pack.
    """
    known = registry(ctx)
    if ctx.profiles:
        unknown = [p for p in ctx.profiles if p not in known]
        if unknown:
            raise PolicyError(
                f"unknown policy pack {unknown[0]!r} in the profiles (--profile or the configuration's profiles:); "
                f"known packs: {', '.join(sorted(known))} (`vmspolicy packs` lists them)"
            )
        chosen = tuple(ctx.profiles)
        if all(known[p].origin == "configuration" for p in chosen):
            # The profiles are the repository's own setting, and so are the packs it defines: a pack
            # selected that way judges beside the regime's default, never instead of it, so it can
            # only add restrictions. A site that names it in its policies: (the manifests) is judged by it alone.
            chosen = (*_regime_default(known), *chosen)
        return chosen
    return _regime_default(known)


def _regime_default(known: Mapping[str, Pack]) -> tuple[str, ...]:
    if DEFAULT_PACK in known:
        return (DEFAULT_PACK,)
    return tuple(pid for pid, pack in known.items() if pack.origin == "built-in")


def site_packs(ctx: CheckContext, site: Site | None) -> tuple[Pack, ...]:
    """The packs that apply to ``site``: its ``policies:`` that exist, else the run's selection."""
    known = registry(ctx)
    named = [known[p] for p in (site.policies if site else ()) if p in known]
    if named:
        return tuple(named)
    return tuple(known[p] for p in default_selection(ctx))


def applied_packs(ctx: CheckContext) -> list[Pack]:
    """The packs this run applies to at least one site (the selection when there is no site), in registration order.

    For reports: configuration packs included, which ``ctx.packs`` (the hook's) lacks.
    """
    wanted: set[str] = set()
    for site in ctx.estate.sites.values():
        wanted.update(p.id for p in site_packs(ctx, site))
    if not ctx.estate.sites:
        wanted.update(default_selection(ctx))
    return [p for p in registry(ctx).values() if p.id in wanted]


def mandatory_rules(ctx: CheckContext) -> Mapping[str, tuple[str, ...]]:
    """Each mandatory rule of the run and the applied packs that make it so (:data:`ALWAYS_MANDATORY`: every one).

    Several packs may apply to different sites of one estate; a rule runs for the whole
    estate, so it is mandatory when any applied pack says so: the union of their lists.
    """
    return ctx.analyses.mandatory_rules


def find_mandatory_rules(ctx: CheckContext) -> dict[str, tuple[str, ...]]:
    packs = applied_packs(ctx)
    codes = set(ALWAYS_MANDATORY).union(*(p.mandatory for p in packs))
    return {
        code: tuple(p.id for p in packs if code in p.mandatory or code in ALWAYS_MANDATORY)
        for code in sorted(codes)
    }


def unknown_site_packs(ctx: CheckContext) -> list[tuple[Site, int, str]]:
    """Each ``policies:`` entry naming no known pack: (site, index in the list, the id)."""
    known = registry(ctx)
    return [
        (site, index, pack_id)
        for site in ctx.estate.sites.values()
        for index, pack_id in enumerate(site.policies)
        if pack_id not in known
    ]


def device_verdicts(ctx: CheckContext) -> Mapping[str, Verdict]:
    """Every device's vendor verdict, with what a bill of materials' description cell names added.

    Descriptions ("HIKVISION 4MP dome") are evidence only in bills of materials,
    where they are the paperwork; in a manifest ``notes:`` are free text.
    """
    return ctx.analyses.device_verdicts


def weigh_device_verdicts(ctx: CheckContext) -> Mapping[str, Verdict]:
    base = identify.verdicts(ctx)
    bom_paths = {d.path for d in ctx.documents if d.format == BOM_FORMAT}
    if not bom_paths:
        return base
    out = dict(base)
    for device in ctx.estate.devices.values():
        verdict = base.get(device.id)
        description = device.origin.node.get("notes")
        if device.origin.path in bom_paths and isinstance(description, str) and (verdict is None or verdict.family is None):
            out[device.id] = _with_description(verdict, description, ctx)
    return out


def _with_description(verdict: Verdict | None, description: str, ctx: CheckContext) -> Verdict:
    words = [w for w in re.split(r"[\s,;/()|+]+", description) if w]
    phrases = [description, *(" ".join(words[i : i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1))]
    known_vendor = verdict.known_vendor if verdict else False
    for phrase in phrases:
        found = identify.identify(vendor=phrase, vendor_data=ctx.vendor_data)
        known_vendor = known_vendor or found.known_vendor
        family = found.family or (found.relabel.family if found.relabel else None)
        named = [e for e in found.evidence if e.family == family and e.kind in _DESCRIPTION_KINDS]
        if family is None or not named:
            continue
        evidence = tuple(
            replace(e, field="notes", value=description, index=None, detail=f"description {description!r}: {e.detail}") for e in named
        )
        relabel = next((e for e in evidence if e.kind == "relabel"), None)
        return identify.Verdict(
            family=found.family,
            confidence=found.confidence,
            evidence=(*(verdict.evidence if verdict else ()), *evidence),
            declared_family=verdict.declared_family if verdict else None,
            known_vendor=True,
            relabel=(verdict.relabel if verdict else None) or relabel,
        )
    if verdict is None:
        return identify.Verdict(family=None, confidence=0.0, known_vendor=known_vendor)
    return replace(verdict, known_vendor=known_vendor)


def judgements(ctx: CheckContext) -> Mapping[str, Judgement]:
    """Every active device's judgement, by device id, computed once per run."""
    return ctx.analyses.judgements


def judge(ctx: CheckContext) -> dict[str, Judgement]:
    verdicts = device_verdicts(ctx)
    bom_paths = {d.path for d in ctx.documents if d.format == BOM_FORMAT}
    out: dict[str, Judgement] = {}
    by_site: dict[str, tuple[Pack, ...]] = {}
    for device in ctx.estate.devices.values():
        if not device.active:
            continue
        site = ctx.estate.sites.get(device.site)
        packs = by_site.get(device.site)
        if packs is None:
            packs = by_site[device.site] = site_packs(ctx, site)
        pack_ids = tuple(p.id for p in packs)
        sensitive = bool(site and site.sensitive) or (site is not None and site.origin.path in bom_paths and _bom_sensitive(ctx))
        verdict = verdicts.get(device.id)
        family = restricted_family(device, verdict, ctx)
        restricting = [p for p in packs if p.restricts(family, device.type)] if family else []
        if not restricting and verdict is not None:
            # The heaviest family may be one these packs do not restrict ("Huawei" declared under a
            # Hikvision/Dahua-only pack) while hard evidence shows a family they do: that one counts.
            for alternative in _technically_evidenced(verdict):
                restricting = [p for p in packs if p.restricts(alternative, device.type)]
                if restricting:
                    family = alternative
                    break
        if not restricting:
            out[device.id] = Judgement(device.id, None, pack_ids, sensitive_site=sensitive)
            continue
        new = (
            device.status == "planned"
            or device.installed is None
            or any(device.installed >= p.cutoff or not p.legacy_waivable for p in restricting)
        )
        out[device.id] = Judgement(
            device=device.id,
            family=family,
            packs=pack_ids,
            restricting_packs=tuple(p.id for p in restricting),
            new_install=new,
            legacy=not new,
            sensitive_site=sensitive,
        )
    return out


_TECHNICAL_KINDS = ("model", "oui", "stream", "banner")
_STRONG = 0.8


def _technically_evidenced(verdict: Verdict) -> list[str]:
    """Families that strong technical evidence (model, MAC, stream, banner) alone establishes, strongest first."""
    best: dict[str, float] = {}
    for evidence in verdict.evidence:
        if evidence.kind in _TECHNICAL_KINDS and evidence.weight >= _STRONG:
            best[evidence.family] = max(best.get(evidence.family, 0.0), evidence.weight)
    return sorted(best, key=lambda family: (-best[family], family))


def _bom_sensitive(ctx: CheckContext) -> bool:
    settings = ctx.settings.get("bom") or {}
    return bool(settings.get("sensitive", False))


def forbidden_on_sensitive_site(ctx: CheckContext, judgement: Judgement) -> bool:
    """True when ``judgement`` is a restricted device on a sensitive site that a restricting pack forbids outright (VP101)."""
    return bool(forbidding_packs(ctx, judgement))


def forbidding_packs(ctx: CheckContext, judgement: Judgement) -> tuple[str, ...]:
    """The restricting packs that forbid ``judgement``'s device outright on its sensitive site (none: not VP101)."""
    if not (judgement.restricted and judgement.sensitive_site):
        return ()
    known = registry(ctx)
    return tuple(p for p in judgement.restricting_packs if p in known and known[p].sensitive_forbid)


def restricting_packs(ctx: CheckContext, device_id: str) -> tuple[Pack, ...]:
    """The packs that restrict device ``device_id`` (empty when it is not restricted)."""
    found = judgements(ctx).get(device_id)
    known = registry(ctx)
    return tuple(known[p] for p in found.restricting_packs if p in known) if found else ()


def max_waiver_months(ctx: CheckContext, device_id: str) -> int | None:
    """The longest waiver any restricting pack allows for the device (the smallest of them); None if unrestricted."""
    packs = restricting_packs(ctx, device_id)
    return min(p.max_waiver_months for p in packs) if packs else None


def reachable_from(ctx: CheckContext, device_id: str) -> frozenset[str]:
    """Purposes of the zones every restricting pack lets reach the device (for VP204)."""
    packs = restricting_packs(ctx, device_id)
    if not packs:
        return frozenset()
    allowed = set(packs[0].reachable_from)
    for p in packs[1:]:
        allowed &= set(p.reachable_from)
    return frozenset(allowed)


def restricted_family(device: Device, verdict: Verdict | None, ctx: CheckContext) -> str | None:
    """The family ``device`` is judged as, once relabel date windows are applied to its dates.

    Identification knows the brand but not the device's dates: a Lorex without
    other evidence comes back with its relabel and no family. Here the dates
    decide: installed inside the window (Lorex: 2018-02 to 2022-11) or without
    an ``installed`` date (it cannot be shown to be outside: fail closed) makes it
    the relabel's family; planned today or installed outside the window does not.
    """
    if verdict is None:
        return None
    if verdict.family is not None:
        return None if outside_relabel_window(device, verdict, ctx) else verdict.family
    relabel = verdict.relabel
    if relabel is None or relabel_window(relabel, ctx.vendor_data) is None:
        return None
    when = _judged_date(device, ctx)
    if when is None or _in_window(when, relabel, ctx):
        return relabel.family
    return None


def relabel_applies(device: Device, evidence: Evidence, ctx: CheckContext) -> bool:
    """False only when the relabel relationship has dates and the device's date falls outside them."""
    when = _judged_date(device, ctx)
    return when is None or _in_window(when, evidence, ctx)


def _judged_date(device: Device, ctx: CheckContext) -> dt.date | None:
    # A planned device will be made and installed from today on.
    return ctx.as_of if device.status == "planned" else device.installed


def _in_window(when: dt.date, evidence: Evidence, ctx: CheckContext) -> bool:
    window = relabel_window(evidence, ctx.vendor_data)
    if window is None:
        return True
    start, end = window
    return (start is None or when >= start) and (end is None or when <= end)


def outside_relabel_window(device: Device, verdict: Verdict, ctx: CheckContext) -> bool:
    """True when the family rests only on an OEM relabel whose window the device's date falls outside.

    Lorex was Dahua's from 2018-02 to 2022-11: a Lorex camera installed in 2017,
    or planned today, is not a Dahua product. A device without an ``installed``
    date cannot be placed, so it stays suspect (fail closed).
    """
    family = verdict.family
    if family is None or any(e.family == family and e.kind in _DIRECT_KINDS for e in verdict.evidence):
        return False
    relabels = [e for e in verdict.evidence if e.family == family and e.kind == "relabel"]
    if not relabels:
        return False
    when = _judged_date(device, ctx)
    return when is not None and not any(_in_window(when, e, ctx) for e in relabels)


def relabel_window(evidence: Evidence, vendor_data: Sequence[Mapping[str, Any]]) -> tuple[dt.date | None, dt.date | None] | None:
    """The (first day, last day) a relabel relationship held, from the catalog's ``from``/``until`` months; None: always."""
    wanted = _squash(evidence.value)
    detail = _squash(evidence.detail)
    if not vendor_data:
        # As identification does: no fragments given means the built-in catalog.
        from vmspolicy.analysis.identify.builtin import builtin_fragments

        vendor_data = builtin_fragments()
    for fragment in vendor_data:
        for entry in fragment.get("relabels") or ():
            if str(entry.get("family", "")).casefold() != evidence.family.casefold():
                continue
            if "from" not in entry and "until" not in entry:
                continue
            names = [_squash(str(n)) for n in (entry.get("name"), *(entry.get("aliases") or ())) if n]
            if any(n and (n in wanted or n in detail) for n in names):
                return _month_start(entry.get("from")), _month_end(entry.get("until"))
    return None


def _squash(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _month_start(text: Any) -> dt.date | None:
    if not isinstance(text, str):
        return None
    year, month = (int(part) for part in text.split("-")[:2])
    return dt.date(year, month, 1)


def _month_end(text: Any) -> dt.date | None:
    start = _month_start(text)
    if start is None:
        return None
    following = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def legacy_restricted(ctx: CheckContext) -> tuple[Device, ...]:
    """Active restricted devices installed before the cut-off of a pack that restricts them (computed once per run)."""
    return ctx.analyses.legacy_restricted


def find_legacy_restricted(ctx: CheckContext) -> tuple[Device, ...]:
    found = judgements(ctx)
    return tuple(d for d in ctx.estate.devices.values() if d.active and d.id in found and found[d.id].legacy)


def pack(ctx: CheckContext, pack_id: str) -> Mapping[str, Any] | None:
    """The pack with id ``pack_id`` among those registered for this run (plugins and configuration)."""
    for candidate in ctx.packs:
        if candidate.get("id") == pack_id:
            return candidate
    for candidate in ctx.settings.get("packs") or ():
        if isinstance(candidate, Mapping) and candidate.get("id") == pack_id:
            return candidate
    return None
