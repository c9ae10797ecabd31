"""What must be done for an estate to pass: each finding that fails the gate as an action on its site and device.

The compliance report opens with these, so a buyer or a vendor reads what to
change before reading the findings: replace a device, waive it, isolate it
(and which firewall rule to change: the finding's message names it), or fix
what a finding's message says.
"""

from __future__ import annotations

from typing import Iterable

from vmspolicy.core.findings import Finding
from vmspolicy.core.model import Estate
from vmspolicy.core.records import record

REPLACE, WAIVE, ISOLATE, FIX = "replace", "waive", "isolate", "fix"
ORDER = (REPLACE, WAIVE, ISOLATE, FIX)
# How a report names each kind of action: a device that needs a waiver may also be replaced.
LABELS = {REPLACE: "Replace", WAIVE: "Waive or replace", ISOLATE: "Isolate", FIX: "Fix"}

# What each built-in rule asks for, in plain words. A rule not listed (a plugin's) asks to fix what its message says.
REMEDIES: dict[str, tuple[str, str]] = {
    "VP101": (REPLACE, "restricted equipment is not allowed on a sensitive site, and no waiver changes that"),
    "VP102": (REPLACE, "restricted equipment installed on or after the policy's cut-off (or planned, or undated) is not allowed"),
    "VP103": (WAIVE, "legacy restricted equipment may stay only under a valid waiver (reason, approver, an expiry within the "
                     "policy's limit)"),
    "VP104": (REPLACE, "its model, MAC address or stream says it is restricted equipment, whatever its declared maker; "
                       "if the evidence is wrong, correct the record"),
    "VP105": (WAIVE, "its brand is a relabel of restricted equipment, which may stay only under a valid waiver"),
    "VP107": (REPLACE, "a recorder from a restricted maker holds every camera's footage"),
    "VP201": (ISOLATE, "move it into a legacy-cameras zone that holds only legacy restricted cameras"),
    "VP202": (ISOLATE, "block its way out to the internet"),
    "VP203": (ISOLATE, "block every way in from the internet"),
    "VP204": (ISOLATE, "let only recorders and management reach it, and it reach nothing else"),
    "VP205": (ISOLATE, "turn off its cloud services (P2P cloud, UPnP, DDNS)"),
    "VP206": (ISOLATE, "give its site a firewall policy that covers its zone, so that its isolation can be proved"),
    "VP502": (REPLACE, "a scan found restricted equipment on the network: take it off, or declare it and replace it"),
}


@record(frozen=True, slots=True)
class RequiredAction:
    """One thing to do before the estate passes, and the finding that asks for it."""

    site: str  # the site of the device or zone it is about; "" when it is about no site (a file that cannot be read)
    subject: str  # the device, zone, waiver or file it is about
    kind: str  # REPLACE | WAIVE | ISOLATE | FIX
    what: str  # the action, in plain words
    detail: str  # what stands against it (the finding's message: for isolation, the firewall rule to change)
    rule: str  # "VP202 internet-egress"
    where: str  # path:line:col of the finding


def required_actions(failing: Iterable[Finding], estate: Estate | None) -> tuple[RequiredAction, ...]:
    """An action per finding that fails the gate, by site, subject and kind of action."""
    actions = []
    for finding in failing:
        kind, what = REMEDIES.get(finding.rule, (FIX, ""))
        subject = finding.subject or finding.path
        actions.append(RequiredAction(
            site=_site_of(finding.subject, estate),
            subject=subject,
            kind=kind,
            what=what or finding.message,
            detail=finding.message if what else "",
            rule=f"{finding.rule} {finding.slug}",
            where=finding.location.described(),
        ))
    return tuple(sorted(actions, key=lambda a: (a.site == "", a.site, a.subject, ORDER.index(a.kind), a.where, a.rule)))


def _site_of(subject: str | None, estate: Estate | None) -> str:
    if not subject or estate is None:
        return ""
    for index in (estate.devices, estate.zones):
        found = index.get(subject)
        if found is not None:
            return found.site
    waiver = estate.waivers.get(subject)
    if waiver is not None:
        sites = {estate.devices[d].site for d in waiver.devices if d in estate.devices}
        return sites.pop() if len(sites) == 1 else ""
    for firewall in estate.firewalls:
        if firewall.id == subject:
            return firewall.site
    return subject if subject in estate.sites else ""
