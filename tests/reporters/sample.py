"""Fixed run results for golden files: every output format renders these same findings.

Built by hand (not by running the rules) so that the golden files change only
when a format changes, not when a rule's wording or the rule catalog does. The
sample rules have codes no real rule has (XP...): rule classes stay importable
for the whole test session, and the governance catalog sees every one.
"""

from __future__ import annotations

import datetime as dt

from vmspolicy.analysis.identify.dated import VendorDataSource
from vmspolicy.analysis.overrides import RefusedOverride
from vmspolicy.core.findings import Finding, Severity, Suppression
from vmspolicy.core.rule import Rule
from vmspolicy.core.source import Location
from vmspolicy.governance.configuration import AppliedPack, ConfigurationRecord, HashedFile
from vmspolicy.reporters.base import ExcludedFile, InputFile, RunResult, SkippedFile
from vmspolicy.reporters.compliance import (
    ISOLATED,
    NOT_ASSESSED,
    NOT_ISOLATED,
    ComplianceReport,
    FamilyCount,
    PackEntry,
    PackSource,
    RestrictedDevice,
    SiteSummary,
    WaiverEntry,
)
from vmspolicy.reporters.remediation import FIX, ISOLATE, REMEDIES, REPLACE, RequiredAction
from vmspolicy.run.plugins import PluginInfo


class ParseErrorRule(Rule):
    """A file that cannot be read.

    What it checks
        Every input file parses; ``!!python/object`` tags are refused.

    Why
        A file that cannot be read cannot be checked: fail closed.

    Example (fails)
        .. code-block:: yaml

            cameras: [

    Use instead
        .. code-block:: yaml

            cameras: []

    Options
        None.
    """

    code = "XP001"
    slug = "parse-error"
    summary = "not valid YAML/JSON"


class UnknownReference(Rule):
    """A zone id that does not exist.

    What it checks
        Every ``zone`` names a declared zone.

    Why
        A rule that names a zone that does not exist protects nothing.

    Example (fails)
        .. code-block:: yaml

            cameras:
              - {id: cam-9, site: hq, zone: hq-cctv-legcy}

    Use instead
        Name the zone as declared.

    Options
        None.
    """

    code = "XP003"
    slug = "unknown-reference"
    summary = "a zone id that does not exist"
    waivable = True


class DuplicateIdentity(Rule):
    """The same id twice.

    What it checks
        Ids are unique across the estate.

    Why
        Two records with one id make every reference ambiguous.

    Example (fails)
        Two zones with ``id: cctv``.

    Use instead
        One id per record.

    Options
        None.
    """

    code = "XP004"
    slug = "duplicate-identity"
    severity = Severity.WARNING


class AddressOutsideZone(Rule):
    """A device address outside its zone.

    What it checks
        A device's ``ip`` lies in one of its zone's ``cidr`` networks.

    Why
        Isolation is proved per zone.

    Example (fails)
        .. code-block:: yaml

            cameras:
              - {id: cam-2, zone: cctv, ip: 10.20.40.11}

    Use instead
        An address inside the zone.

    Options
        ``strict`` (default ``false``): also check decommissioned devices.
    """

    code = "XP005"
    slug = "address-outside-zone"
    summary = "a device IP outside its zone's CIDR"


class InformationalRule(Rule):
    """A note that never fails a gate.

    What it checks
        Nothing in particular: it exercises the ``info`` level.

    Why
        Formats map three severities onto their own scales.

    Example (fails)
        Any estate.

    Use instead
        Nothing to change.

    Options
        None.
    """

    code = "XP999"
    slug = "informational"
    severity = Severity.INFO


RULES: tuple[type[Rule], ...] = (ParseErrorRule, UnknownReference, DuplicateIdentity, AddressOutsideZone, InformationalRule)

AS_OF = dt.date(2026, 3, 1)
VERSION = "9.9.9"

PACK = {
    "id": "uk-gov-2022",
    "title": "UK government: surveillance equipment subject to the National Intelligence Law",
    "cutoff": "2022-11-24",
    "sources": [{"url": "https://www.gov.uk/government/news/security-review-surveillance-camera-systems", "date": "2022-11-24"}],
}

ODD_PATH = "estate/odd, name: 100%.yaml"


REGIME = ("VP001", "VP101", "VP102", "VP103", "VP104", "VP107", "VP201", "VP202", "VP203", "VP204", "VP205", "VP206", "VP502")

# The vendor data a run identified devices with, with the date of each part (a plugin's may give none).
VENDOR_DATA = (
    VendorDataSource("vmspolicy built-in vendor catalog (vmspolicy/data/vendors.yaml)", "2026-12-04", "built-in"),
    VendorDataSource("IEEE registry MAC blocks, MA-L extract of 2026-03", "2026-03", "built-in"),
)

# Every setting the record can hold, one refused: what the configuration did to the failing run.
CONFIGURED = ConfigurationRecord(
    files=(HashedFile(".vmspolicy.yaml", "e" * 64),),
    command_line=("baseline", "profiles"),
    profiles=("uk-gov-2022",),
    packs=(AppliedPack("uk-gov-2022", "built-in", REGIME),),
    mandatory=tuple(sorted((*REGIME, "VP306"))),
    disabled=("VP106", "XP999"),
    severities={"XP004": "warning"},
    rule_options={"VP303": {"days": 60}, "VP205": {"services": ["p2p_cloud", "upnp", "ddns", "telnet"]}},
    estate=("estate/**/*.yaml",),
    exclude=("estate/archive/**",),
    formats={"nvr/*.yml": "frigate"},
    inline_suppressions=False,
    baseline=HashedFile("baseline.json", "f" * 64),
    refused=(
        RefusedOverride("disable", ("VP101",), "disable: [VP101]", Location(".vmspolicy.yaml", 4, 18),
                        "`disable: [VP101]` is refused: VP101 is mandatory under uk-gov-2022, so it runs as the pack says"),
    ),
    vendor_data=(*VENDOR_DATA, VendorDataSource("acme-relabels: <Acme & Co> relabel list", None, "plugin")),
)
# The clean run has no configuration file: the record says so.
DEFAULTS = ConfigurationRecord(packs=(AppliedPack("uk-gov-2022", "built-in", REGIME),), mandatory=tuple(sorted((*REGIME, "VP306"))),
                               vendor_data=VENDOR_DATA)


def findings() -> list[Finding]:
    """Findings that exercise every formatting edge: suppression, severities, escaping, odd paths."""
    waived = UnknownReference.finding(
        Location("estate/cameras.yaml", 20, 11),
        "cam-9 names zone hq-cctv-legcy, which does not exist",
        subject="cam-9",
        evidence="hq-cctv-legcy",
    ).suppress(
        Suppression("waiver", "Replacement scheduled with the lobby refit", Location("estate/cameras.yaml", 40, 7), "W-2024-007")
    )
    return sorted(
        [
            AddressOutsideZone.finding(
                Location("estate/cameras.yaml", 15, 9),
                "cam-2 has address 10.20.40.11, outside its zone cctv (10.20.30.0/24); fix the address or the zone",
                subject="cam-2",
                evidence="10.20.40.11",
            ),
            DuplicateIdentity.finding(
                Location("estate/network.yaml", 7, 5),
                "zone id cctv is declared twice\n(first at estate/network.yaml:3:5); 100% of references are ambiguous",
                subject="cctv",
                evidence="cctv",
                severity=Severity.WARNING,
            ),
            ParseErrorRule.finding(Location(ODD_PATH, 3, 1), "not valid YAML: <tab> & \"quotes\" are not allowed here"),
            waived,
        ],
        key=Finding.sort_key,
    )


def failing_result() -> RunResult:
    return RunResult(
        findings=findings(),
        rules=RULES,
        inputs=[
            InputFile("estate/cameras.yaml", "a" * 64, "manifest"),
            InputFile("estate/clean.yaml", "b" * 64, "manifest"),
            InputFile("estate/network.yaml", "c" * 64, "manifest"),
            InputFile(ODD_PATH, "d" * 64, "unreadable"),
        ],
        # Seen and not judged: every report lists the excluded manifest; the text summary counts them all.
        skipped=[SkippedFile("docs/mkdocs.yml", "does not parse, no sign of a manifest"),
                 SkippedFile("ci/workflow.yml", "not in the configured estate", outside_estate=True)],
        excluded=[ExcludedFile("estate/archive/2019.yaml", "estate/archive/**", "manifest", "e" * 64),
                  ExcludedFile("estate/archive/readme.yaml", "estate/archive/**")],
        as_of=AS_OF,
        fail_on=Severity.ERROR,
        version=VERSION,
        profiles=("uk-gov-2022",),
        packs=(PACK,),
        configuration=CONFIGURED,
        # One installed plugin and one registered in-process: both shapes every report records.
        plugins=(PluginInfo("acme", "vmspolicy-acme", "1.0.0"), PluginInfo("local_rules")),
    )


def clean_result() -> RunResult:
    return RunResult(
        findings=[],
        rules=RULES,
        inputs=[InputFile("estate/clean.yaml", "b" * 64, "manifest")],
        as_of=AS_OF,
        fail_on=Severity.ERROR,
        version=VERSION,
        profiles=("uk-gov-2022",),
        packs=(PACK,),
        configuration=DEFAULTS,
    )


def compliance_report() -> ComplianceReport:
    """A report with every section filled: two sites, restricted devices in each standing, waivers in each state."""
    return ComplianceReport(
        title="Acme bid 2026-014 — proposed estate",
        result=failing_result(),
        sites=(
            SiteSummary("depot", "Regional Depot <Leeds>", False, ("uk-gov-2022",), 14, 2, 1, 1, NOT_ISOLATED),
            SiteSummary("hq", "hq", True, ("uk-gov-2022",), 15, 1, 1, 0, ISOLATED),
        ),
        families=(
            FamilyCount("depot", "Axis", False, cameras=3),
            FamilyCount("depot", "Dahua", True, cameras=1),
            FamilyCount("depot", "Hikvision", True, cameras=1),
            FamilyCount("depot", "Milestone", False, recorders=1),
            FamilyCount("hq", "Hikvision", True, cameras=1),
            FamilyCount("hq", "unidentified", False, other=2),
        ),
        restricted=(
            RestrictedDevice("depot-bullet-01", "depot", "depot-cctv-legacy", "camera", "Hikvision", "Hikvision DS-2CD2T43G0-I5",
                             "legacy", False, "W-2025-014", NOT_ISOLATED, ("VP202", "VP204"), "estate/depot/cameras.yaml:17:5"),
            RestrictedDevice("depot-warehouse-01", "depot", "depot-cctv", "camera", "Dahua", "Amcrest IP8M-2496EW-V2",
                             "new install", False, "", NOT_ASSESSED, (), "estate/depot/cameras.yaml:32:5", units=4),
            RestrictedDevice("hq-lobby", "hq", "hq-cctv-legacy", "camera", "Hikvision", "Hikvision DS-2CD2143G0-I",
                             "legacy", True, "", ISOLATED, (), "estate/hq/cameras.yaml:26:5"),
        ),
        waivers=(
            WaiverEntry("W-2024-001", ("hq-lobby",), "Lobby refit", "CSO", "SEC-1", dt.date(2026, 1, 31), -29, "expired", "estate/waivers.yaml:4:5"),
            WaiverEntry("W-2025-014", ("depot-bullet-01",), "Fuel store | refit", "Head of Security", "SEC-2231", dt.date(2026, 4, 30), 60,
                        "expiring", "estate/waivers.yaml:12:5"),
            WaiverEntry("W-2025-020", ("depot-gate",), "Gate, 2027 budget", "Head of Security", "", dt.date(2027, 9, 30), 578, "valid",
                        "estate/waivers.yaml:20:5"),
            WaiverEntry("W-2025-099", (), "", "", "", None, None, "invalid", "estate/waivers.yaml:28:5"),
        ),
        packs=(
            PackEntry("uk-gov-2022", "UK Government estate", "2022-11-24", "built-in", ("depot", "hq"),
                      (PackSource("NPSA - Security Update on Surveillance Equipment", "https://www.npsa.gov.uk/security-update-surveillance-equipment-0",
                                  "2023-03-15"),)),
        ),
        actions=(
            RequiredAction("depot", "depot-bullet-01", ISOLATE, REMEDIES["VP202"][1],
                           "depot-fw rule 'cams-update' (estate/depot/network.yaml:43) allows depot-bullet-01 → internet tcp/443; deny it",
                           "VP202 internet-egress", "estate/depot/cameras.yaml:17:5"),
            RequiredAction("depot", "depot-bullet-01", ISOLATE, REMEDIES["VP204"][1],
                           "depot-fw rule 'office-view' (estate/depot/network.yaml:51) allows depot-office → depot-bullet-01 tcp/80",
                           "VP204 core-network-reachable", "estate/depot/cameras.yaml:17:5"),
            RequiredAction("depot", "depot-warehouse-01", REPLACE, REMEDIES["VP102"][1],
                           "depot-warehouse-01 is Dahua equipment (Amcrest relabel) planned after the cut-off | 4 units",
                           "VP102 restricted-vendor-new-install", "estate/depot/cameras.yaml:32:5"),
            RequiredAction("", ODD_PATH, FIX, "not valid YAML: <tab> & \"quotes\" are not allowed here", "", "XP001 parse-error",
                           f"{ODD_PATH}:3:1"),
        ),
        notes=("Sample note: rendered as a callout.",),
    )
