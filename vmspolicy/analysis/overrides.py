"""Repository configuration may tighten a pack's mandatory rules, never weaken them (VP306).

The configuration (``.vmspolicy.yaml``, ``[tool.vmspolicy]``, a ``--config``
file) lives in the repository being judged, and so does the workflow file that
holds the command line. A setting there that disables (``disable:``,
``enabled: false``), deselects (``select:`` without it), downgrades
(``severity:``) or loosens an option of a rule that an applied pack makes
mandatory (:func:`vmspolicy.analysis.policy.mandatory_rules`) is refused: it becomes a
VP306 finding at the setting, and :func:`enforce` gives the configuration the
run actually uses, in which that rule is as its pack says. Which way an option
loosens is the rule's own declaration (``Rule.looser``); an option of a
mandatory rule that declares no direction may not change at all.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from vmspolicy.analysis import isolation, policy
from vmspolicy.core.config import ALWAYS_ON, Config
from vmspolicy.core.records import record
from vmspolicy.core.rule import Looser, Rule
from vmspolicy.core.source import Location, display_path

if TYPE_CHECKING:
    from vmspolicy.analysis.context import CheckContext

ADVICE = "to judge by another policy, write your own pack and name it in the sites' policies: (`vmspolicy packs` lists them)"


@record(frozen=True, slots=True)
class RefusedOverride:
    """A configuration setting that would weaken a mandatory rule, refused."""

    kind: str  # disable | enabled | select | severity | option | isolation
    rules: tuple[str, ...]  # the mandatory rules it would weaken
    setting: str  # as written: "disable: [VP101]", "rules.VP104.min_weight: 0.95"
    location: Location
    message: str
    option: str | None = None  # for kind "option"

    @property
    def subject(self) -> str | None:
        """The rule the setting would weaken, when it is one rule."""
        return self.rules[0] if len(self.rules) == 1 else None


def refused_overrides(ctx: CheckContext) -> tuple[RefusedOverride, ...]:
    """Every setting of the run's configuration that would weaken a mandatory rule (computed once per run)."""
    return ctx.analyses.refused_overrides


def find_refused(ctx: CheckContext) -> tuple[RefusedOverride, ...]:
    config = ctx.config
    if config is None or config.path is None:
        return ()
    shown = display_path(config.path)

    def at(key: str) -> Location:
        line, column = config.positions.get(key, (1, 1))
        return Location(shown, line, column)

    mandatory = policy.mandatory_rules(ctx)
    by_code = {rule.code: rule for rule in ctx.rules}
    out: list[RefusedOverride] = []
    for code, packs in mandatory.items():
        under = f"mandatory under {', '.join(packs)}" if packs else "mandatory under every pack"
        if code in config.disabled:
            ways = {"disable": (f"disable:{code}", f"disable: [{code}]"), "enabled": (f"rules.{code}.enabled", f"rules.{code}.enabled: false")}
            written_in = [kind for kind, (key, _) in ways.items() if key in config.positions] or ["disable"]
            for kind in written_in:
                key, written = ways[kind]
                out.append(RefusedOverride(
                    kind, (code,), written, at(key), f"`{written}` is refused: {code} is {under}, so it runs as the pack says; {ADVICE}",
                ))
        rule = by_code.get(code)
        if rule is None:
            continue
        severity = config.severities.get(code)
        if severity is not None and severity < rule.severity:
            written = f"rules.{code}.severity: {severity.label}"
            out.append(RefusedOverride(
                "severity", (code,), written, at(f"rules.{code}.severity"),
                f"`{written}` is refused: {code} is {under} and stays {rule.severity.label}; "
                f"configuration may raise a mandatory rule's severity, never lower it",
            ))
        for name, value in sorted(config.rule_options.get(code, {}).items()):
            if name in rule.options and _loosens(rule, name, value):
                written = f"rules.{code}.{name}: {_shown(value)}"
                direction = rule.looser.get(name)
                how = _EXCUSES_MORE[direction] if direction else "this option declares no safe direction"
                out.append(RefusedOverride(
                    "option", (code,), written, at(f"rules.{code}.{name}"),
                    f"`{written}` is refused: {how}, and {code} is {under}, so it keeps "
                    f"{name}: {_shown(rule.options[name])}; configuration may only tighten it",
                    option=name,
                ))
    out.extend(_management_zones_refused(ctx, at("isolation.management_zones")))
    if config.selected is not None:
        left_out = tuple(code for code in mandatory if code not in config.selected and code not in ALWAYS_ON)
        if left_out:
            naming = sorted({p for code in left_out for p in mandatory[code]})
            out.append(RefusedOverride(
                "select", left_out, "select: [...]", at("select"),
                f"`select:` leaves out {', '.join(left_out)}, mandatory under {', '.join(naming) or 'every pack'}: "
                f"they run anyway; add them to select:, or {ADVICE}",
            ))
    return tuple(sorted(out, key=lambda r: (r.location.line, r.location.column, r.rules)))


def _management_zones_refused(ctx: CheckContext, where: Location) -> list[RefusedOverride]:
    """``isolation.management_zones`` entries that are no management zone: the setting only narrows VP204.

    Naming a corporate or guest zone there would let it reach the legacy restricted
    devices as if it were management; the isolation analysis never lets it in
    (:func:`vmspolicy.analysis.isolation.allowed_peer`), and this says so at the setting.
    """
    out: list[RefusedOverride] = []
    for zone_id in sorted(isolation.management_zones(ctx) or ()):
        zone = ctx.estate.zones.get(zone_id)
        if zone is None or zone.purpose == "management":
            continue
        written = f"isolation.management_zones: [{zone_id}]"
        out.append(RefusedOverride(
            "isolation", ("VP204",), written, where,
            f"`{written}` is refused: {zone_id} is a zone of purpose {zone.purpose}, not management, and the setting "
            f"can only choose which management zones may reach legacy restricted devices, so flows from {zone_id} "
            f"are judged as VP204 says; if {zone_id} is a management network, declare it purpose: management in the manifests",
        ))
    return out


_EXCUSES_MORE = {
    Looser.HIGHER: "a higher value excuses more",
    Looser.LOWER: "a lower value excuses more",
    Looser.FEWER: "leaving out items of the default excuses more",
    Looser.MORE: "adding items to the default excuses more",
}


def _loosens(rule: type[Rule], name: str, value: Any) -> bool:
    default = rule.options[name]
    direction = rule.looser.get(name)
    if direction is not None:
        return direction.loosens(default, value)
    # Nobody said which way is safe: any change may be a loosening (fail closed).
    same = list(value) == list(default) if isinstance(value, (list, tuple)) and isinstance(default, (list, tuple)) else value == default
    return not same


def _shown(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def enforce(config: Config, refused: tuple[RefusedOverride, ...]) -> Config:
    """``config`` without the refused settings: what the run uses, each mandatory rule as its pack says."""
    if not refused:
        return config
    enabled_again = {code for r in refused if r.kind in ("disable", "enabled") for code in r.rules}
    selected_again = {code for r in refused if r.kind == "select" for code in r.rules}
    downgraded = {code for r in refused if r.kind == "severity" for code in r.rules}
    loosened = {(code, r.option) for r in refused if r.kind == "option" for code in r.rules}
    options = {
        code: {name: value for name, value in settings.items() if (code, name) not in loosened}
        for code, settings in config.rule_options.items()
    }
    return replace(
        config,
        disabled=config.disabled - enabled_again,
        selected=None if config.selected is None else config.selected | selected_again,
        severities={code: s for code, s in config.severities.items() if code not in downgraded},
        rule_options=options,
    )
