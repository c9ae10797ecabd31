"""The compliance report for buyers and vendors, in HTML (one self-contained file) and Markdown.

``vmspolicy report`` builds a :class:`ComplianceReport` from a run (the
estate's verdicts, judgements, waiver statuses and the actions needed to pass
are worked out there); this module only lays it out. It opens with what must
be done to pass, by site and device, in plain words ahead of rule codes. The HTML has no external asset, no script and no
timestamp other than the as-of date, so the same inputs give the same bytes,
and it prints on A4 as it shows on screen.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import field
from itertools import groupby
from typing import Sequence

from vmspolicy.core.findings import Finding, Severity
from vmspolicy.core.records import record
from vmspolicy.reporters.base import RunResult
from vmspolicy.reporters.common import plain_value, vendor_data_text, visible
from vmspolicy.reporters.remediation import LABELS, RequiredAction

ISOLATED, NOT_ISOLATED, UNVERIFIABLE, NONE = "isolated", "not isolated", "unverifiable", "no legacy restricted devices"
# A new install is forbidden outright: whether it is isolated does not make it compliant, and the isolation rules judge legacy devices.
NOT_ASSESSED = "not assessed (forbidden)"
NO_PLUGINS = "None: the built-in rules, packs, loaders and vendor data only."


@record(frozen=True, slots=True)
class FamilyCount:
    """How many active devices of one vendor family a site has."""

    site: str
    family: str  # the restricted family, else the declared vendor, else "unidentified"
    restricted: bool
    cameras: int = 0
    recorders: int = 0
    other: int = 0

    @property
    def total(self) -> int:
        return self.cameras + self.recorders + self.other


@record(frozen=True, slots=True)
class SiteSummary:
    id: str
    name: str
    sensitive: bool
    packs: tuple[str, ...]
    devices: int
    restricted: int
    legacy: int
    new_installs: int
    isolation: str  # ISOLATED | NOT_ISOLATED | UNVERIFIABLE | NONE


@record(frozen=True, slots=True)
class RestrictedDevice:
    """An active device of a restricted family: where it is, how it stands, whether it is isolated."""

    id: str
    site: str
    zone: str
    type: str
    family: str
    declared: str  # vendor and model as declared
    standing: str  # "legacy" | "new install"
    sensitive_site: bool
    waiver: str  # the waiver that holds for it, or ""
    isolation: str  # ISOLATED | NOT_ISOLATED | UNVERIFIABLE | NOT_ASSESSED
    isolation_rules: tuple[str, ...]  # the VP2xx codes found against it
    location: str
    units: int = 1  # a bill-of-materials line may stand for several identical devices


@record(frozen=True, slots=True)
class WaiverEntry:
    id: str
    devices: tuple[str, ...]
    reason: str
    approved_by: str
    ticket: str
    expires: dt.date | None
    days_left: int | None
    status: str  # "valid" | "expiring" | "expired" | "invalid"
    location: str


@record(frozen=True, slots=True)
class PackSource:
    title: str
    url: str
    date: str


@record(frozen=True, slots=True)
class PackEntry:
    id: str
    title: str
    cutoff: str
    origin: str
    sites: tuple[str, ...]  # the sites it applies to
    sources: tuple[PackSource, ...] = ()


@record(frozen=True, slots=True)
class ComplianceReport:
    """Everything the report shows, worked out by ``vmspolicy report`` from one run."""

    title: str
    result: RunResult
    sites: tuple[SiteSummary, ...] = ()
    families: tuple[FamilyCount, ...] = ()
    restricted: tuple[RestrictedDevice, ...] = ()
    waivers: tuple[WaiverEntry, ...] = ()
    packs: tuple[PackEntry, ...] = ()
    actions: tuple[RequiredAction, ...] = ()  # what must be done to pass, by site and subject
    expiring_days: int = 90
    # At most this many findings listed per severity (a job summary has a size limit); None lists them all.
    max_findings: int | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def devices(self) -> int:
        return sum(s.devices for s in self.sites)

    @property
    def legacy(self) -> tuple[RestrictedDevice, ...]:
        return tuple(d for d in self.restricted if d.standing == "legacy")

    @property
    def restricted_units(self) -> int:
        return sum(d.units for d in self.restricted)

    @property
    def legacy_units(self) -> int:
        return sum(d.units for d in self.legacy)

    @property
    def isolated_legacy(self) -> int:
        return sum(d.units for d in self.legacy if d.isolation == ISOLATED)

    @property
    def passed(self) -> bool:
        return not self.result.failing


def _findings_by_severity(result: RunResult) -> list[tuple[Severity, list[Finding]]]:
    groups: list[tuple[Severity, list[Finding]]] = []
    for severity in sorted(Severity, reverse=True):
        found = [f for f in result.active if f.severity == severity]
        if found:
            groups.append((severity, found))
    return groups


def _listed(report: ComplianceReport, found: list[Finding]) -> tuple[list[Finding], int]:
    """The findings to list, and how many are left out."""
    if report.max_findings is None or len(found) <= report.max_findings:
        return found, 0
    return found[: report.max_findings], len(found) - report.max_findings


def _where(finding: Finding) -> str:
    return finding.location.described()


def unprotected(device: RestrictedDevice) -> str:
    """Why a device's waiver does not protect it ("" when it does, or there is none): it excuses presence, not exposure."""
    if not device.waiver or device.isolation not in (NOT_ISOLATED, UNVERIFIABLE):
        return ""
    state = "it is not isolated" if device.isolation == NOT_ISOLATED else "its isolation cannot be proved"
    return f"waiver {device.waiver} does not protect it: {state}"


def _unprotected_by(report: ComplianceReport, waiver: WaiverEntry) -> list[str]:
    return [d.id for d in report.restricted if d.waiver == waiver.id and unprotected(d)]


def _by_site(report: ComplianceReport) -> list[tuple[str, list[list[RequiredAction]]]]:
    """The actions by site (sites first, then what belongs to none), each site's by subject."""
    names = {s.id: s.name for s in report.sites}
    out = []
    for site, actions in groupby(report.actions, key=lambda a: a.site):
        heading = (f"Site {site}" + (f" ({names[site]})" if names.get(site, site) != site else "")) if site else "Not tied to a site"
        out.append((heading, [list(items) for _, items in groupby(actions, key=lambda a: a.subject)]))
    return out


def _actions_intro(report: ComplianceReport) -> str:
    if report.passed:
        return "Nothing: no finding fails the gate."
    if not report.actions:
        return f"{len(report.result.failing)} finding(s) fail the gate: see the findings below."
    actions, subjects = len(report.actions), len({(a.site, a.subject) for a in report.actions})
    return (f"{actions} action{'s' if actions != 1 else ''} on {subjects} item{'s' if subjects != 1 else ''} (devices, zones, "
            "waivers or files), by site: what to do and why, then the rule that asks for it and where.")


def _subject_note(report: ComplianceReport, subject: str) -> tuple[str, str]:
    """What the subject is, when it is restricted equipment, and why its waiver does not protect it."""
    device = next((d for d in report.restricted if d.id == subject), None)
    if device is None:
        return "", ""
    return f"{device.family} {device.standing}" + (" on a sensitive site" if device.sensitive_site else ""), unprotected(device)


# --- Markdown -------------------------------------------------------------------------------------


def _suppressed_by(finding: Finding) -> str:
    s = finding.suppressed
    if s is None:
        return ""
    return f"{s.kind} {s.reference}" if s.reference else s.kind


# What makes Markdown act on text: a link or image ([text](url), ![alt](url)), raw HTML and autolinks (<...>),
# entities (&...;), a table cell's end (|), and the backslash that would undo an escape.
_MD_ACTIVE = re.compile(r"([\\\[\]|])")
# GitHub links a bare URL by itself ("https://", "www."): a colon or dot escaped keeps it text.
_MD_AUTOLINK = re.compile(r"(?<=[A-Za-z])(:)(?=//)|(?<![\w.])(www)(\.)", re.IGNORECASE)


def _md(text: object) -> str:
    """A value from the input as Markdown text: link, image, HTML and entity syntax escaped, controls made visible.

    Every value of the report may come from the files judged (a vendor named
    ``[approve](https://…)``, a waiver's reason holding ``<img …>``); rendered
    in a job summary or a merge-request comment it must read as written, never
    as a link, markup or terminal control. Line breaks are flattened (a table
    row is one line).
    """
    cell = visible(str(text).replace("\r", " ").replace("\n", " "))
    cell = _MD_ACTIVE.sub(r"\\\1", cell)
    cell = _MD_AUTOLINK.sub(lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", cell)
    return cell.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _md_link(title: str, url: str) -> str:
    """``[title](url)`` for a web address; the title alone (as text) for anything else (``javascript:``...)."""
    safe = _web_url(url)
    return f"[{_md(title)}](<{safe}>)" if safe else _md(f"{title} ({url})" if url and url != title else title)


def _web_url(url: str) -> str | None:
    """``url`` when it is an http(s) address, with what could end a Markdown or HTML link percent-encoded; else None."""
    from urllib.parse import quote, urlsplit

    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    if scheme not in ("http", "https"):
        return None
    return quote(url.strip(), safe=":/?#[]@!$&'*+,;=%-._~")


def _md_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows]
    return [*lines, ""]


def _md_restricted_row(d: RestrictedDevice) -> list[object]:
    isolation = d.isolation + (f" ({', '.join(d.isolation_rules)})" if d.isolation_rules else "")
    waiver = d.waiver + (" (does not protect it: not isolated)" if unprotected(d) else "") if d.waiver else "none"
    return [d.id + (f" (×{d.units})" if d.units > 1 else ""), d.site + (" (sensitive)" if d.sensitive_site else ""), d.zone,
            d.family, d.declared, d.standing, waiver, isolation, d.location]


def _md_actions(report: ComplianceReport) -> list[str]:
    out = ["## What must be done to pass", "", _actions_intro(report), ""]
    for heading, subjects in _by_site(report):
        out += [f"### {_md(heading)}", ""]
        for actions in subjects:
            note = "; ".join(x for x in _subject_note(report, actions[0].subject) if x)
            out.append(f"- **{_md(actions[0].subject)}**" + (f" ({_md(note)})" if note else ""))
            for a in actions:
                detail = f" {_md(a.detail)}" if a.detail else ""
                out.append(f"  - **{LABELS.get(a.kind, a.kind)}**: {_md(a.what)}.{detail} ({_md(a.rule)}, `{_md(a.where)}`)")
        out.append("")
    return out


def configuration_rows(result: RunResult) -> list[tuple[str, str]]:
    """What the configuration did, as (setting, value) rows: the file and its SHA-256, the packs and
    their mandatory rules, every setting that changes the judgement, and the overrides refused (VP306)."""
    c = result.configuration
    if c is None:
        return []
    rows = [
        ("Configuration file", "; ".join(f"{f.path} (SHA-256 {f.sha256})" for f in c.files) or "none: the defaults"),
        ("Packs and their mandatory rules", "; ".join(f"{p.id} ({p.origin}): {', '.join(p.mandatory) or 'none'}" for p in c.packs)),
        ("Rules disabled", ", ".join(c.disabled) or "none"),
        ("Inline suppressions", "honoured" if c.inline_suppressions else "ignored"),
        ("Baseline", f"{c.baseline.path} (SHA-256 {c.baseline.sha256})" if c.baseline else "none"),
        ("Vendor data (date, source)", vendor_data_text(c.vendor_data)),
    ]
    optional = [
        ("Set on the command line", ", ".join(c.command_line)),
        ("Rules selected", "" if c.selected is None else ", ".join(c.selected)),
        ("Severity overrides", ", ".join(f"{code}: {label}" for code, label in c.severities.items())),
        ("Rule options", "; ".join(f"{code}: " + ", ".join(f"{k}={_option_text(v)}" for k, v in o.items()) for code, o in c.rule_options.items())),
        ("Estate", ", ".join(c.estate)),
        ("Excluded", ", ".join(c.exclude)),
        ("Formats forced", ", ".join(f"{glob} as {loader}" for glob, loader in c.formats.items())),
        ("Estate settings", "; ".join(f"{key}: {json.dumps(plain_value(value), sort_keys=True)}" for key, value in c.estate_settings.items())),
        ("Strict", "yes (VP106 is an error)" if c.strict else ""),
        ("Refused (VP306)", "; ".join(f"{r.setting} at {r.location}" for r in c.refused)),
    ]
    return rows + [(name, value) for name, value in optional if value]


def _option_text(value: object) -> str:
    return "[" + ", ".join(str(v) for v in value) + "]" if isinstance(value, (list, tuple)) else str(value)


def render_markdown(report: ComplianceReport) -> str:
    """The report as GitHub-flavoured Markdown (a job summary, a merge-request comment, a bid annex)."""
    r = report.result
    counts = r.counts()
    verdict = "PASS" if report.passed else "FAIL"
    out = [
        f"# {_md(report.title)}",
        "",
        f"**Verdict: {verdict}** (fails on {r.fail_on.label} and above) · as of {r.as_of.isoformat()} · vmspolicy {r.version}",
        "",
        *(line for note in report.notes for line in (f"> {note}", "")),
        *_md_actions(report),
        "## Estate at a glance",
        "",
    ]
    legacy = report.legacy_units
    out += _md_table(
        ["Sites", "Devices", "Restricted", "Legacy restricted", "Isolated (of legacy)", "Errors", "Warnings", "Info", "Suppressed"],
        [[len(report.sites), report.devices, report.restricted_units, legacy, f"{report.isolated_legacy} of {legacy}",
          counts["error"], counts["warning"], counts["info"], counts["suppressed"]]],
    )
    out += ["### Sites", ""]
    out += _md_table(
        ["Site", "Sensitive", "Packs", "Devices", "Restricted", "Legacy", "New installs", "Isolation"],
        [[f"{s.name} ({s.id})" if s.name != s.id else s.id, "yes" if s.sensitive else "no", ", ".join(s.packs), s.devices,
          s.restricted, s.legacy, s.new_installs, s.isolation] for s in report.sites],
    )
    out += ["### Devices by site and vendor family", ""]
    out += _md_table(
        ["Site", "Vendor family", "Restricted", "Cameras", "Recorders", "Other"],
        [[f.site, f.family, "yes" if f.restricted else "", f.cameras, f.recorders, f.other] for f in report.families],
    )
    if report.restricted:
        out += ["### Restricted devices", ""]
        out += _md_table(
            ["Device", "Site", "Zone", "Family", "Declared", "Standing", "Waiver", "Isolation", "Where"],
            [_md_restricted_row(d) for d in report.restricted],
        )
    out += ["## Findings", ""]
    groups = _findings_by_severity(r)
    if not groups:
        out += ["No unsuppressed findings.", ""]
    for severity, found in groups:
        out += [f"### {severity.label.capitalize()} ({len(found)})", ""]
        listed, left_out = _listed(report, found)
        out += _md_table(["Finding", "Subject", "Where", "Rule"],
                         [[f.message, f.subject or "", _where(f), f"{f.rule} {f.slug}"] for f in listed])
        if left_out:
            out += [f"… and {left_out} more (the SARIF, JSON and text reports list every finding).", ""]
    suppressed = [f for f in r.findings if f.suppressed is not None]
    if suppressed:
        out += [f"### Suppressed ({len(suppressed)})", ""]
        out += _md_table(
            ["Finding", "Subject", "Suppressed by", "Justification", "Where", "Rule"],
            [[f.message, f.subject or "", _suppressed_by(f), f.suppressed.justification, _where(f), f"{f.rule} {f.slug}"]
             for f in suppressed if f.suppressed is not None],
        )
    out += ["## Waivers", ""]
    if report.waivers:
        out += _md_table(
            ["Waiver", "Devices", "Expires", "Days left", "Status", "Approved by", "Ticket", "Reason"],
            [[w.id, ", ".join(w.devices), w.expires.isoformat() if w.expires else "none", "" if w.days_left is None else w.days_left,
              w.status + "".join(f"; does not protect {d} (not isolated)" for d in _unprotected_by(report, w)),
              w.approved_by, w.ticket, w.reason] for w in report.waivers],
        )
    else:
        out += ["No waivers.", ""]
    out += ["## Policy packs applied", ""]
    for pack in report.packs:
        out += [f"- **{_md(pack.id)}**: {_md(pack.title)}. Cut-off {_md(pack.cutoff)}; {_md(pack.origin)}; "
                f"sites: {_md(', '.join(pack.sites) or 'none')}."]
        out += [f"  - {_md_link(s.title, s.url)} ({_md(s.date)})" for s in pack.sources]
    if not report.packs:
        out.append("No policy pack applied.")
    configuration = configuration_rows(r)
    if configuration:
        out += ["", "## Configuration", ""]
        out += _md_table(["Setting", "Value"], configuration)
    out += ["", "## Plugins", ""]
    out += [f"- {_md(p.label)}" for p in r.plugins] or [NO_PLUGINS]
    out += ["", "## Inputs", ""]
    out += _md_table(["File", "Format", "SHA-256"], [[i.path, i.format, f"`{i.sha256}`"] for i in r.inputs] +
                     [[e.path, f"{e.format}, excluded by `{e.pattern}`", f"`{e.sha256}`"] for e in r.excluded_inputs])
    out += [f"Generated by vmspolicy {r.version}, as of {r.as_of.isoformat()}. "
            "Verify the inputs with `sha256sum`; reproduce with the same files, packs and as-of date."]
    return "\n".join(out).rstrip() + "\n"


# --- HTML -----------------------------------------------------------------------------------------

_CSS = """
:root{--ink:#1b2430;--muted:#5b6675;--line:#dde2e8;--bg:#f5f7fa;--card:#fff;--navy:#14213d;
--pass:#1e7b4f;--fail:#b3261e;--warn:#a15c00;--info:#2b5ea7;--ok-bg:#e7f5ee;--bad-bg:#fdecea;--warn-bg:#fff4e0;--info-bg:#e8f0fb}
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
header{background:var(--navy);color:#fff;padding:28px 0 24px}
header>div,main,footer{max-width:1200px;margin:0 auto;padding-left:40px;padding-right:40px}
header .kicker{text-transform:uppercase;letter-spacing:.12em;font-size:11px;opacity:.75;margin:0 0 6px}
header h1{margin:0 0 14px;font-size:24px;font-weight:650}
header dl{display:flex;flex-wrap:wrap;gap:6px 28px;margin:0;font-size:13px}
header dt{opacity:.7}header dd{margin:0 0 0 6px;font-weight:600}
header dl div{display:flex}
.verdict{float:right;margin:4px 0 8px 20px;padding:10px 18px;border-radius:8px;font-weight:700;font-size:18px;letter-spacing:.06em}
.verdict.pass{background:var(--pass)}.verdict.fail{background:var(--fail)}
.verdict small{display:block;font-size:11px;font-weight:500;letter-spacing:0;opacity:.9}
main{padding-top:24px;padding-bottom:40px}
section{margin:0 0 28px}
h2{font-size:17px;margin:0 0 12px;padding-bottom:6px;border-bottom:2px solid var(--navy)}
h3{font-size:14px;margin:18px 0 8px;color:var(--muted);text-transform:uppercase;letter-spacing:.06em}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(128px,1fr));gap:12px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.card .n{font-size:26px;font-weight:700;line-height:1.1}
.card .l{color:var(--muted);font-size:12px}
.card.bad .n{color:var(--fail)}.card.good .n{color:var(--pass)}.card.warn .n{color:var(--warn)}
table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);border-radius:8px;overflow:hidden;font-size:13px}
th{background:#eef1f5;text-align:left;font-weight:600;color:#344050;padding:7px 10px;border-bottom:1px solid var(--line)}
td{padding:7px 10px;border-bottom:1px solid var(--line);vertical-align:top}
tr:last-child td{border-bottom:0}
tbody tr:nth-child(even) td{background:#fafbfc}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.date{white-space:nowrap;font-variant-numeric:tabular-nums}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em;overflow-wrap:break-word}
.hash{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em;word-break:break-all;color:#344050}
.pill{display:inline-block;padding:1px 8px;border-radius:999px;font-size:.85em;font-weight:600;white-space:nowrap}
.pill.error,.pill.bad{background:var(--bad-bg);color:var(--fail)}
.pill.warning,.pill.warn{background:var(--warn-bg);color:var(--warn)}
.pill.info{background:var(--info-bg);color:var(--info)}
.pill.good{background:var(--ok-bg);color:var(--pass)}
.pill.muted{background:#eef1f5;color:var(--muted)}
.empty{color:var(--muted);font-style:italic;margin:4px 0 0}
.timeline{position:relative;height:10px;background:#eef1f5;border-radius:5px;min-width:160px}
.timeline span{position:absolute;top:0;bottom:0;left:0;border-radius:5px}
.timeline span.valid{background:var(--pass)}.timeline span.expiring{background:var(--warn)}
.timeline span.expired,.timeline span.invalid{background:var(--fail)}
.scale{display:flex;justify-content:space-between;color:var(--muted);font-size:11px;margin-top:2px}
.sources{margin:4px 0 0;padding-left:18px;color:var(--muted);font-size:12px}
.sources a{color:var(--info)}
.actions{list-style:none;margin:0 0 10px;padding:0}
.actions>li{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:8px 12px;margin:0 0 8px}
.actions ul{margin:6px 0 0;padding-left:18px}.actions ul li{margin:3px 0}
.actions .why{color:var(--muted);font-size:12px}
.note{background:var(--warn-bg);border-left:4px solid var(--warn);padding:8px 12px;margin:0 0 10px;border-radius:4px}
footer{color:var(--muted);font-size:12px;padding-top:12px;padding-bottom:32px}
@page{size:A4;margin:14mm}
@media print{body{background:#fff;font-size:11px}header{padding:16px 0}header>div,main,footer{max-width:none;padding-left:12px;padding-right:12px}
section{break-inside:auto}tr,.card{break-inside:avoid}h2,h3{break-after:avoid}table{font-size:10px}
.cards{grid-template-columns:repeat(4,1fr)}.card .n{font-size:20px}td,th{padding:5px 7px}}
"""


def _e(text: object) -> str:
    """A value as HTML text: markup escaped, control characters made visible (see :func:`visible`)."""
    return html.escape(visible(str(text), lines=True), quote=True)


def _html_link(title: str, url: str) -> str:
    """A link to a web address; the title and the address as text for anything else (``javascript:``...)."""
    safe = _web_url(url)
    return f'<a href="{_e(safe)}">{_e(title)}</a>' if safe else _e(f"{title} ({url})" if url and url != title else title)


def _path(text: str) -> str:
    """A file path or ``path:line:col`` that may wrap after each folder, in monospace."""
    return '<span class="mono">' + _e(text).replace("/", "/<wbr>") + "</span>"


def _table(header: Sequence[tuple[str, str]], rows: Sequence[Sequence[str]]) -> str:
    """``header``: (label, css class); ``rows``: cells already escaped or marked up."""
    head = "".join(f'<th class="{cls}">{_e(label)}</th>' if cls else f"<th>{_e(label)}</th>" for label, cls in header)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="{cls}">{cell}</td>' if cls else f"<td>{cell}</td>" for (_, cls), cell in zip(header, row, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _pill(text: str, kind: str) -> str:
    return f'<span class="pill {kind}">{_e(text)}</span>'


_ACTION_KIND = {"replace": "bad", "waive": "warn", "isolate": "bad", "fix": "info"}
_ISOLATION_KIND = {ISOLATED: "good", NOT_ISOLATED: "bad", UNVERIFIABLE: "warn", NONE: "muted", NOT_ASSESSED: "muted"}
_WAIVER_KIND = {"valid": "good", "expiring": "warn", "expired": "bad", "invalid": "bad"}


def _card(number: object, label: str, kind: str = "") -> str:
    return f'<div class="card {kind}"><div class="n">{_e(number)}</div><div class="l">{_e(label)}</div></div>'


def _waiver_bar(waiver: WaiverEntry, as_of: dt.date, horizon: dt.date) -> str:
    span = max(1, (horizon - as_of).days)
    days = waiver.days_left if waiver.days_left is not None else 0
    width = 100 if waiver.expires is None else max(0, min(100, round(100 * max(0, days) / span)))
    if waiver.status in ("expired", "invalid"):
        width = 100 if waiver.status == "invalid" else 3
    return f'<div class="timeline" title="{_e(waiver.status)}"><span class="{_e(waiver.status)}" style="width:{width}%"></span></div>'


def _html_restricted_row(d: RestrictedDevice) -> list[str]:
    device = f'<span class="mono">{_e(d.id)}</span>' + (f" ×{d.units}" if d.units > 1 else "")
    where = _e(d.site) + (" " + _pill("sensitive", "bad") if d.sensitive_site else "") + f'<br><span class="mono">{_e(d.zone)}</span>'
    isolation = _pill(d.isolation, _ISOLATION_KIND.get(d.isolation, "muted"))
    if d.isolation_rules:
        isolation += f'<br><span class="mono">{_e(", ".join(d.isolation_rules))}</span>'
    waiver = _e(d.waiver) + ("<br>" + _pill("does not protect it: not isolated", "bad") if unprotected(d) else "")
    return [device, where, _e(d.family), _e(d.declared), _pill(d.standing, "warn" if d.standing == "legacy" else "bad"),
            waiver if d.waiver else _pill("none", "muted"), isolation, _path(d.location)]


def _html_actions(report: ComplianceReport) -> list[str]:
    parts = ['<section id="actions"><h2>What must be done to pass</h2>', f"<p>{_e(_actions_intro(report))}</p>"]
    for heading, subjects in _by_site(report):
        parts.append(f"<h3>{_e(heading)}</h3>")
        parts.append('<ul class="actions">')
        for actions in subjects:
            note, warning = _subject_note(report, actions[0].subject)
            items = "".join(
                f"<li>{_pill(LABELS.get(a.kind, a.kind), _ACTION_KIND.get(a.kind, 'muted'))} {_e(a.what)}." + (f" {_e(a.detail)}" if a.detail else "")
                + f' <span class="why">({_e(a.rule)}, {_path(a.where)})</span></li>'
                for a in actions
            )
            parts.append(f'<li><strong class="mono">{_e(actions[0].subject)}</strong>'
                         + (f' <span class="why">{_e(note)}</span>' if note else "")
                         + (f" {_pill(warning, 'bad')}" if warning else "") + f"<ul>{items}</ul></li>")
        parts.append("</ul>")
    parts.append("</section>")
    return parts


def _html_header(report: ComplianceReport) -> list[str]:
    """The page's head and the verdict banner with what the report was judged under."""
    r = report.result
    verdict = "PASS" if report.passed else "FAIL"
    meta = [
        ("As of", r.as_of.isoformat()),
        ("Fails on", f"{r.fail_on.label} and above"),
        ("Packs", ", ".join(p.id for p in report.packs) or "none"),
        ("Files", str(len(r.inputs))),
        ("vmspolicy", r.version),
    ]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="vmspolicy">',
        f"<title>{_e(report.title)}</title><style>{_CSS}</style></head><body>",
        "<header><div>",
        f'<div class="verdict {verdict.lower()}">{verdict}<small>{len(r.failing)} finding(s) fail the gate</small></div>',
        '<p class="kicker">Video-surveillance compliance report</p>',
        f"<h1>{_e(report.title)}</h1>",
        "<dl>" + "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in meta) + "</dl>",
        "</div></header><main>",
    ]
    return parts


def _html_glance(report: ComplianceReport) -> list[str]:
    """The estate at a glance: counts, sites, devices by vendor family, restricted devices."""
    parts: list[str] = []
    r = report.result
    counts = r.counts()
    legacy = report.legacy_units
    parts.append('<section id="glance"><h2>Estate at a glance</h2><div class="cards">')
    parts += [
        _card(len(report.sites), "sites"),
        _card(report.devices, "active devices"),
        _card(report.restricted_units, "restricted devices", "bad" if report.restricted else "good"),
        _card(legacy, "legacy restricted (pre-cut-off)", "warn" if legacy else "good"),
        _card(f"{report.isolated_legacy}/{legacy}", "legacy devices isolated", "good" if report.isolated_legacy == legacy else "bad"),
        _card(counts["error"], "errors", "bad" if counts["error"] else "good"),
        _card(counts["warning"], "warnings", "warn" if counts["warning"] else ""),
        _card(counts["suppressed"], "suppressed (waived)"),
    ]
    parts.append("</div>")
    parts.append("<h3>Sites</h3>")
    parts.append(
        _table(
            [("Site", ""), ("Sensitive", ""), ("Packs", ""), ("Devices", "num"), ("Restricted", "num"), ("Legacy", "num"),
             ("New installs", "num"), ("Isolation", "")],
            [[f"<strong>{_e(s.name)}</strong>" + (f' <span class="mono">{_e(s.id)}</span>' if s.name != s.id else ""),
              _pill("sensitive", "bad") if s.sensitive else _pill("no", "muted"), _e(", ".join(s.packs)), _e(s.devices),
              _e(s.restricted), _e(s.legacy), _e(s.new_installs), _pill(s.isolation, _ISOLATION_KIND.get(s.isolation, "muted"))]
             for s in report.sites],
        )
        if report.sites else '<p class="empty">No sites declared.</p>'
    )
    parts.append("<h3>Devices by site and vendor family</h3>")
    parts.append(
        _table(
            [("Site", ""), ("Vendor family", ""), ("Cameras", "num"), ("Recorders", "num"), ("Other", "num"), ("Total", "num")],
            [[_e(f.site), _e(f.family) + (" " + _pill("restricted", "bad") if f.restricted else ""), _e(f.cameras),
              _e(f.recorders), _e(f.other), f"<strong>{f.total}</strong>"] for f in report.families],
        )
        if report.families else '<p class="empty">No active devices.</p>'
    )
    if report.restricted:
        parts.append("<h3>Restricted devices</h3>")
        parts.append(
            _table(
                [("Device", ""), ("Site / zone", ""), ("Family", ""), ("Declared", ""), ("Standing", ""), ("Waiver", ""),
                 ("Isolation", ""), ("Where", "")],
                [_html_restricted_row(d) for d in report.restricted],
            )
        )
    parts.append("</section>")
    return parts


def _html_findings(report: ComplianceReport) -> list[str]:
    """The unsuppressed findings by severity, then the suppressed ones."""
    parts: list[str] = []
    r = report.result
    parts.append('<section id="findings"><h2>Findings</h2>')
    groups = _findings_by_severity(r)
    if not groups:
        parts.append('<p class="empty">No unsuppressed findings.</p>')
    for severity, found in groups:
        parts.append(f"<h3>{_e(severity.label.capitalize())} · {len(found)}</h3>")
        listed, left_out = _listed(report, found)
        parts.append(
            _table(
                [("Finding", ""), ("Subject", ""), ("Where", ""), ("Rule", "")],
                [[_e(f.message), f'<span class="mono">{_e(f.subject or "")}</span>', _path(_where(f)),
                  _pill(f.rule, severity.label) + f"<br>{_e(f.slug)}"] for f in listed],
            )
        )
        if left_out:
            parts.append(f'<p class="empty">… and {left_out} more (the SARIF, JSON and text reports list every finding).</p>')
    suppressed = [f for f in r.findings if f.suppressed is not None]
    if suppressed:
        parts.append(f"<h3>Suppressed · {len(suppressed)}</h3>")
        parts.append(
            _table(
                [("Finding", ""), ("Subject", ""), ("Suppressed by", ""), ("Justification", ""), ("Where", ""), ("Rule", "")],
                [[_e(f.message), f'<span class="mono">{_e(f.subject or "")}</span>', _e(_suppressed_by(f)),
                  _e(f.suppressed.justification), _path(_where(f)), _pill(f.rule, "muted") + f"<br>{_e(f.slug)}"]
                 for f in suppressed if f.suppressed is not None],
            )
        )
    parts.append("</section>")
    return parts


def _html_waivers(report: ComplianceReport) -> list[str]:
    """The waivers with their expiry on a timeline."""
    parts: list[str] = []
    r = report.result
    parts.append('<section id="waivers"><h2>Waivers</h2>')
    if report.waivers:
        dated = [w.expires for w in report.waivers if w.expires is not None]
        horizon = max([*dated, r.as_of + dt.timedelta(days=365)])
        parts.append(
            _table(
                [("Waiver", ""), ("Devices", ""), ("Expires", "date"), ("Days left", "num"), ("Status", ""),
                 (f"Timeline ({r.as_of.isoformat()} → {horizon.isoformat()})", ""), ("Approved by / ticket", ""), ("Reason", "")],
                [[f'<span class="mono">{_e(w.id)}</span>', f'<span class="mono">{_e(", ".join(w.devices))}</span>',
                  _e(w.expires.isoformat() if w.expires else "none"), _e("" if w.days_left is None else w.days_left),
                  _pill(w.status, _WAIVER_KIND.get(w.status, "muted"))
                  + "".join("<br>" + _pill(f"does not protect {d}: not isolated", "bad") for d in _unprotected_by(report, w)),
                  _waiver_bar(w, r.as_of, horizon),
                  _e(w.approved_by) + (f'<br><span class="mono">{_e(w.ticket)}</span>' if w.ticket else ""), _e(w.reason)]
                 for w in report.waivers],
            )
        )
        parts.append(f'<p class="empty">Expiring: within {report.expiring_days} days of the as-of date.</p>')
    else:
        parts.append('<p class="empty">No waivers.</p>')
    parts.append("</section>")
    return parts


def _html_packs(report: ComplianceReport) -> list[str]:
    """The policy packs applied, with their sources."""
    parts: list[str] = []
    parts.append('<section id="packs"><h2>Policy packs applied</h2>')
    if report.packs:
        parts.append(
            _table(
                [("Pack", ""), ("Cut-off", "date"), ("Sites", ""), ("Sources", "")],
                [[f"<strong>{_e(p.id)}</strong><br>{_e(p.title)}<br>{_pill(p.origin, 'muted')}", _e(p.cutoff), _e(", ".join(p.sites)),
                  '<ul class="sources">' + "".join(f"<li>{_html_link(s.title, s.url)} ({_e(s.date)})</li>" for s in p.sources)
                  + "</ul>"] for p in report.packs],
            )
        )
    else:
        parts.append('<p class="empty">No policy pack applied.</p>')
    parts.append("</section>")
    return parts


def _html_configuration(report: ComplianceReport) -> list[str]:
    """The configuration the run was judged under, and its plugins."""
    parts: list[str] = []
    r = report.result
    configuration = configuration_rows(r)
    if configuration:
        parts.append('<section id="configuration"><h2>Configuration</h2>')
        parts.append(_table([("Setting", ""), ("Value", "")], [[_e(name), _e(value)] for name, value in configuration]))
        parts.append("</section>")
    parts.append('<section id="plugins"><h2>Plugins</h2>')
    if r.plugins:
        parts.append("<ul>" + "".join(f"<li>{_e(p.label)}</li>" for p in r.plugins) + "</ul>")
    else:
        parts.append(f'<p class="empty">{_e(NO_PLUGINS)}</p>')
    parts.append("</section>")
    return parts


def _html_inputs(report: ComplianceReport) -> list[str]:
    """Every input file with its SHA-256, excluded ones included."""
    parts: list[str] = []
    r = report.result
    parts.append('<section id="inputs"><h2>Inputs</h2>')
    parts.append(
        _table(
            [("File", ""), ("Format", ""), ("SHA-256", "")],
            [[_path(i.path), _e(i.format), f'<span class="hash">{_e(i.sha256)}</span>'] for i in r.inputs]
            + [[_path(e.path), f"{_e(e.format)}, excluded by <code>{_e(e.pattern)}</code>", f'<span class="hash">{_e(e.sha256)}</span>']
               for e in r.excluded_inputs],
        )
    )
    return parts


def render_html(report: ComplianceReport) -> str:
    """The report as one self-contained HTML page (inline CSS, no script, no external asset)."""
    r = report.result
    parts = _html_header(report)
    parts += [f'<p class="note">{_e(note)}</p>' for note in report.notes]
    parts += _html_actions(report)
    for section in (_html_glance, _html_findings, _html_waivers, _html_packs, _html_configuration, _html_inputs):
        parts += section(report)
    parts.append("</section></main>")
    parts.append(
        f"<footer>Generated by vmspolicy {_e(r.version)} as of {_e(r.as_of.isoformat())}. "
        "Verify each input with <code>sha256sum</code>; the same files, packs and as-of date reproduce this report.</footer>"
    )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


RENDERERS = {"html": render_html, "md": render_markdown}
