"""The compliance report: golden HTML and Markdown, a self-contained page, a real browser, the command."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.external_tools import missing
from tests.golden_files import assert_golden
from tests.reporters import sample
from vmspolicy.cli import main
from vmspolicy.reporters.compliance import render_html, render_markdown

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
VOID = {"meta", "br", "wbr", "link", "img", "hr", "input"}


class Structure(HTMLParser):
    """Checks that every element is closed in order, and collects what could load something from outside."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.external: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "link", "img", "iframe", "object", "embed", "base"):
            self.external.append(tag)
        self.external += [f"{tag}[{name}]" for name, value in attrs if name in ("src", "srcset", "style") and value and "url(" in value]
        self.external += [f"{tag}[src]" for name, _ in attrs if name == "src"]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_golden(update_golden: bool) -> None:
    assert_golden("reporters/compliance.html", render_html(sample.compliance_report()), update_golden)


def test_markdown_golden(update_golden: bool) -> None:
    assert_golden("reporters/compliance.md", render_markdown(sample.compliance_report()), update_golden)


def test_html_is_well_formed_and_self_contained() -> None:
    page = render_html(sample.compliance_report())
    parser = Structure()
    parser.feed(page)
    parser.close()
    assert not parser.errors and not parser.stack, (parser.errors, parser.stack)
    assert not parser.external, parser.external
    assert "@import" not in page and "url(" not in page
    text = " ".join(parser.text)
    assert "Regional Depot <Leeds>" in text  # escaped in the markup, shown as written
    assert "@media print" in page and "@page" in page
    for section in ("glance", "findings", "waivers", "packs", "inputs"):
        assert f'<section id="{section}">' in page


def test_markdown_tables_escape_pipes() -> None:
    text = render_markdown(sample.compliance_report())
    assert "Fuel store \\| refit" in text
    widths = {line.count("|") - line.count("\\|") for line in text.splitlines() if line.startswith("| W-2025")}
    assert widths == {9}, "every waiver row has its 8 cells, a pipe in a reason included"


def browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    missing("headless Chromium not found: install it (apt-get install chromium) to render the HTML report in a browser")


def test_without_a_browser_the_render_test_skips_saying_how_to_enable_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no browser on it
    monkeypatch.delenv("VMSPOLICY_REQUIRE_TOOLS", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"apt-get install chromium"):
        browser()
    monkeypatch.setenv("VMSPOLICY_REQUIRE_TOOLS", "1")  # as .ci/run sets it: CI always renders the report
    with pytest.raises(pytest.fail.Exception, match="VMSPOLICY_REQUIRE_TOOLS=1"):
        browser()


def test_html_renders_in_headless_chromium(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(sample.compliance_report()), encoding="utf-8")
    flags = [
        browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars", "--window-size=1280,1800",
    ]
    shot = tmp_path / "report.png"
    done = subprocess.run([*flags, f"--screenshot={shot}", page.as_uri()], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000, "a blank page would compress to almost nothing"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1280, 1800)
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=False)
    assert dom.returncode == 0, dom.stderr
    assert "<title>Acme bid 2026-014 — proposed estate</title>" in dom.stdout
    assert "W-2025-014" in dom.stdout and "depot-bullet-01" in dom.stdout and "VP202, VP204" in dom.stdout
    pdf = tmp_path / "report.pdf"
    printed = subprocess.run([*flags, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
                             capture_output=True, text=True, timeout=120, check=False)
    assert printed.returncode == 0, printed.stderr
    document = pdf.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", document))
    assert document.startswith(b"%PDF-") and 2 <= pages <= 6, pages  # A4 pages, not one endless strip or a blank


# --- the command ----------------------------------------------------------------------------------

ESTATE = """\
vmspolicy: 1
sites:
  - {id: depot, name: Regional Depot, policies: [uk-gov-2022]}
zones:
  - {id: legacy, site: depot, purpose: legacy-cameras, cidr: 10.20.30.0/24}
  - {id: vms, site: depot, purpose: vms, cidr: 10.20.40.0/24}
cameras:
  - {id: cam-axis, site: depot, zone: legacy, vendor: Axis, model: P3265-LVE, ip: 10.20.30.10, installed: 2021-01-01}
  - {id: cam-hik, site: depot, zone: legacy, vendor: Hikvision, model: DS-2CD2143G0-I, ip: 10.20.30.11, installed: 2020-05-18,
     services: {p2p_cloud: false, upnp: false, ddns: false}}
recorders:
  - {id: nvr-1, site: depot, zone: vms, vendor: Milestone, ip: 10.20.40.5}
firewalls:
  - id: fw
    site: depot
    default: deny
    rules:
      - {name: nvr-pulls, from: vms, to: legacy, ports: [tcp/554], action: allow}
waivers:
  - id: W-1
    devices: [cam-hik]
    reason: Replacement funded next year
    approved_by: Head of Security
    ticket: SEC-1
    approved_on: 2025-06-01
    expires: 2026-05-31
"""


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    (tmp_path / "estate.yaml").write_text(ESTATE, encoding="utf-8")
    return tmp_path


def test_report_command_markdown(cli: Cli, estate: Path) -> None:
    code, out, _ = cli("report", "--no-plugins", "--as-of", "2026-03-01", "--format", "md", "--title", "Depot", "estate.yaml", cwd=estate)
    assert code == 0, out
    assert out.startswith("# Depot\n")
    # The Axis camera shares cam-hik's legacy zone (VP201): W-1 excuses cam-hik's presence, not its exposure.
    assert "| cam-hik | depot | legacy | Hikvision | Hikvision DS-2CD2143G0-I | legacy | W-1 (does not protect it: not isolated) |" in out
    assert re.search(r"\| W-1 \| cam-hik \| 2026-05-31 \| 91 \| valid; does not protect cam-hik \(not isolated\) \|", out), out
    assert "**uk-gov-2022**" in out and "Cut-off 2022-11-24" in out
    assert hashlib.sha256(ESTATE.encode()).hexdigest() in out
    assert "| depot | Axis |  | 1 | 0 | 0 |" in out


def test_report_command_writes_html_whatever_the_verdict(cli: Cli, estate: Path) -> None:
    (estate / "more.yaml").write_text("vmspolicy: 1\ncameras:\n  - {id: cam-x, site: depot, zone: legacy, ip: 10.9.9.9}\n", encoding="utf-8")
    code, out, err = cli("report", "--no-plugins", "--as-of", "2026-03-01", "-o", "out/report.html", ".", cwd=estate)
    assert code == 0, err
    assert out == "" and "out/report.html: html report written (FAIL" in err
    page = (estate / "out" / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "VP005" in page and "more.yaml:3:" in page
    code, _, err = cli("report", "--no-plugins", "-o", "summary.md", "estate.yaml", cwd=estate)
    assert code == 0 and (estate / "summary.md").read_text(encoding="utf-8").startswith("# vmspolicy compliance report")


def test_report_command_without_a_manifest_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "notes.yaml").write_text("just: notes\n", encoding="utf-8")
    code, _, err = cli("report", "--no-plugins", "notes.yaml", cwd=tmp_path)
    assert code == 2 and "no manifest found" in err


def test_report_counts_bill_of_materials_quantities(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "bom.csv").write_text(
        "Manufacturer,Model,Quantity,Description\nAxis,P3265-LVE,4,Dome\nHikvision,DS-2CD2143G0-I,2,4MP dome\n", encoding="utf-8"
    )
    code, out, _ = cli("report", "--no-plugins", "--as-of", "2026-03-01", "--format", "md", "bom.csv", cwd=tmp_path)
    assert code == 0
    glance = out.split("## Estate at a glance", 1)[1].splitlines()[4]
    assert glance.startswith("| 1 | 6 | 2 | 0 |"), glance  # 1 site, 6 devices, 2 of them restricted, none legacy
    assert "| bom.csv:3 (×2) |" in out


def test_max_findings_lists_the_first_and_counts_the_rest() -> None:
    from dataclasses import replace

    from vmspolicy.core.findings import Severity

    result = sample.failing_result()
    many = [replace(result.findings[0], subject=f"cam-{n:03}") for n in range(7)]
    report = replace(sample.compliance_report(), result=replace(result, findings=many), max_findings=5)
    markdown = render_markdown(report)
    assert markdown.count("| estate/cameras.yaml:15:9 |") == 5 and "… and 2 more" in markdown
    page = render_html(report)
    assert page.count("cam-00") == 7 - 2 and "… and 2 more" in page
    assert all(f.severity == Severity.ERROR for f in many)


def test_max_findings_must_be_positive(estate: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--no-plugins", "--max-findings", "0", "estate.yaml"])
    assert exit_.value.code == 2 and "--max-findings: not a positive whole number: '0'" in capsys.readouterr().err


def test_report_marks_expiring_waivers_with_the_configured_window(cli: Cli, estate: Path) -> None:
    # W-1 has 91 days left on 2026-03-01: valid under VP303's default 90 days, expiring under 120.
    (estate / ".vmspolicy.yaml").write_text("rules:\n  VP303: {days: 120}\n", encoding="utf-8")
    code, out, _ = cli("report", "--no-plugins", "--as-of", "2026-03-01", "--format", "md", "estate.yaml", cwd=estate)
    assert code == 0
    assert re.search(r"\| W-1 \| cam-hik \| 2026-05-31 \| 91 \| expiring; does not protect cam-hik \(not isolated\) \|", out), out


def test_the_report_opens_with_what_must_be_done_by_site_and_device() -> None:
    markdown = render_markdown(sample.compliance_report())
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert headings[:2] == ["## What must be done to pass", "## Estate at a glance"]
    actions = markdown.split("## What must be done to pass", 1)[1].split("## Estate at a glance", 1)[0]
    assert actions.index("### Site depot (Regional Depot &lt;Leeds&gt;)") < actions.index("### Not tied to a site")
    # Plain words first, the rule after them.
    assert ("  - **Isolate**: block its way out to the internet. depot-fw rule 'cams-update' (estate/depot/network.yaml:43) "
            "allows depot-bullet-01 → internet tcp/443; deny it (VP202 internet-egress, `estate/depot/cameras.yaml:17:5`)") in actions
    assert "- **depot-bullet-01** (Hikvision legacy; waiver W-2025-014 does not protect it: it is not isolated)" in actions
    assert "  - **Replace**: restricted equipment installed on or after the policy's cut-off" in actions
    page = render_html(sample.compliance_report())
    assert page.index('<section id="actions">') < page.index('<section id="glance">') < page.index('<section id="findings">')


def test_a_waiver_does_not_protect_a_device_that_is_not_isolated() -> None:
    markdown = render_markdown(sample.compliance_report())
    assert "| W-2025-014 (does not protect it: not isolated) |" in markdown  # the restricted devices table
    assert "| expiring; does not protect depot-bullet-01 (not isolated) |" in markdown  # the waivers table
    page = render_html(sample.compliance_report())
    assert "does not protect depot-bullet-01: not isolated" in page and "does not protect it: not isolated" in page
    # hq-lobby is isolated: its (expired) waiver is not flagged as failing to protect it.
    assert "does not protect hq-lobby" not in markdown


def test_findings_read_in_plain_words_before_rule_codes() -> None:
    markdown = render_markdown(sample.compliance_report())
    assert "| Finding | Subject | Where | Rule |" in markdown
    assert "| Finding | Subject | Suppressed by | Justification | Where | Rule |" in markdown
    assert "| waiver W-2024-007 | Replacement scheduled with the lobby refit |" in markdown


def test_a_passing_estate_has_nothing_to_do(cli: Cli, estate: Path) -> None:
    # Without the Axis camera in its zone, cam-hik is segmented, isolated and waived: the estate passes.
    (estate / "estate.yaml").write_text("".join(line for line in ESTATE.splitlines(keepends=True) if "cam-axis" not in line),
                                        encoding="utf-8")
    code, out, _ = cli("report", "--no-plugins", "--as-of", "2026-03-01", "--format", "md", "estate.yaml", cwd=estate)
    assert code == 0
    assert "## What must be done to pass\n\nNothing: no finding fails the gate.\n" in out


def test_report_command_lists_the_actions_and_the_firewall_rule_to_change(cli: Cli, estate: Path) -> None:
    # cam-hik's waiver holds, but a rule lets its zone out to the internet: the waiver does not protect it.
    text = ESTATE.replace("      - {name: nvr-pulls,", "      - {name: legacy-updates, from: legacy, to: internet, ports: [tcp/443], action: allow}\n"
                                                    "      - {name: nvr-pulls,")
    (estate / "estate.yaml").write_text(text, encoding="utf-8")
    code, out, _ = cli("report", "--no-plugins", "--as-of", "2026-03-01", "--format", "md", "estate.yaml", cwd=estate)
    assert code == 0
    actions = out.split("## What must be done to pass", 1)[1].split("## Estate at a glance", 1)[0]
    assert "### Site depot (Regional Depot)" in actions
    assert "- **cam-hik** (Hikvision legacy; waiver W-1 does not protect it: it is not isolated)" in actions
    assert "  - **Isolate**: block its way out to the internet. fw rule 'legacy-updates'" in actions


def test_a_report_naming_one_file_of_a_configured_estate_judges_the_others_too(cli: Cli, tmp_path: Path) -> None:
    # With estate: configured, a file named narrows a check's findings to that file; a report built from those
    # findings alone would show the depot's legacy cameras, in another file, as isolated.
    shutil.copytree(EXAMPLES / "estate", tmp_path / "estate")
    (tmp_path / ".vmspolicy.yaml").write_text('estate: ["estate/**/*.yaml"]\n', encoding="utf-8")
    outputs = []
    for named in ((), ("estate/hq/cameras.yaml",)):
        code, out, err = cli("report", "--no-plugins", "--as-of", "2026-12-01", "--format", "md", *named, cwd=tmp_path)
        assert code == 0, err
        outputs.append(out)
    assert outputs[0] == outputs[1]
    assert re.search(r"depot-legacy-bullet-01 .*not isolated", outputs[0]), outputs[0]
