"""Names that attack their readers: every reporter shows them as written, never as a link, markup or a terminal control.

A vendor, model, site name or waiver reason is whatever the judged files say. In a job summary, a
merge-request comment, a browser or a terminal it must read as text: no link whose words hide where
it goes, no image that loads from outside, no HTML, no escape sequence that recolours the log, makes
a hidden hyperlink (OSC 8) or rewrites what the reader sees.
"""

from __future__ import annotations

import io
import json
import os
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from vmspolicy.cli import main
from vmspolicy.run.plugins import load_plugins

HOSTILE = (
    "[approve](https://evil.example/ok) ![logo](https://evil.example/i.png) <img src=x onerror=alert(1)> "
    "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07 \x1b[31mRED\x1b[0m \x9b2J \x85 \u202eoknil www.evil.example | &amp;"
)
# ESC, BEL and the other C0 controls but tab and line breaks, DEL, the C1 controls, and the bidirectional overrides.
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
ESTATE = {
    "vmspolicy": 1,
    "sites": [{"id": "hq", "name": HOSTILE}],
    "zones": [{"id": "hq-cctv", "site": "hq", "purpose": "cameras", "cidr": "10.0.0.0/24"}],
    "cameras": [
        {"id": "cam-1", "site": "hq", "zone": "hq-cctv", "vendor": f"Hikvision {HOSTILE}", "model": HOSTILE, "ip": "10.0.0.5",
         "installed": "2023-01-01"},
        {"id": f"cam {HOSTILE}", "site": "hq", "zone": "hq-cctv", "vendor": "Dahua", "ip": "10.0.0.6", "installed": "2023-01-01"},
    ],
    "waivers": [{"id": "W-1", "devices": ["cam-1"], "reason": HOSTILE, "approved_by": HOSTILE, "ticket": HOSTILE, "expires": "2027-01-01"}],
}
REPORTERS = sorted(load_plugins(entry_points_enabled=False).reporters())


def run(args: list[str], cwd: Path) -> str:
    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(args)
    finally:
        os.chdir(previous)
    assert code in (0, 1), err.getvalue()
    return out.getvalue()


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    (tmp_path / "estate.json").write_text(json.dumps(ESTATE, indent=1), encoding="utf-8")
    return tmp_path


# What a person reads as it is printed; the other formats are data, each with its own escaping (JSON, XML).
READ_AS_PRINTED = {"text", "github"}


@pytest.mark.parametrize("name", REPORTERS)
def test_no_reporter_lets_a_control_character_through(estate: Path, name: str) -> None:
    output = run(["check", "--no-plugins", "--as-of", "2026-01-01", "--format", name, "estate.json"], estate)
    assert "Hikvision" in output or name == "attestation", "the hostile records were judged"
    if name in READ_AS_PRINTED:
        assert CONTROLS.search(output) is None, f"{name}: {CONTROLS.search(output)!r}"
        assert "\\x1b]8;;" in output, "shown escaped, not dropped"
    else:
        assert "\x1b" not in output and "\x07" not in output, f"{name}: ESC or BEL written raw"


@pytest.mark.parametrize("form", ["md", "html"])
def test_the_compliance_report_shows_hostile_names_as_text(estate: Path, form: str) -> None:
    output = run(["report", "--no-plugins", "--as-of", "2026-01-01", "--format", form, "--title", HOSTILE, "estate.json"], estate)
    assert CONTROLS.search(output) is None, CONTROLS.search(output)
    assert "<img" not in output and "evil.example/i.png\">" not in output
    if form == "md":
        assert "[approve](" not in output and "![logo](" not in output, "a link or an image from the input"
        assert "\\[approve\\](https\\://evil.example/ok)" in output, "shown as written, escaped"
        assert "www\\.evil.example" in output, "a bare address GitHub would link by itself"
        assert "&amp;amp;" in output, "an entity from the input is shown as written, not decoded"
    else:
        assert "evil.example" not in re.findall(r'href="([^"]*)"', output)
        assert "&lt;img src=x onerror=alert(1)&gt;" in output
    escaped = "\\\\x1b\\]8;;" if form == "md" else "\\x1b]8;;"  # Markdown escapes the backslash and the bracket too
    assert escaped in output and "\\u202e" in output, "controls are shown, escaped, not dropped"


def test_a_pack_source_address_cannot_end_its_link(estate: Path) -> None:
    config = (
        "packs:\n  - id: local\n    title: Local policy\n    cutoff: '2020-01-01'\n    families: [Hikvision]\n"
        "    sources:\n      - {title: 'the [statement]', url: 'https://example.org/a)[b]<c>\"d', date: '2020-01-01'}\n"
        "profiles: [local]\n"
    )
    (estate / ".vmspolicy.yaml").write_text(config, encoding="utf-8")
    markdown = run(["report", "--as-of", "2026-01-01", "--format", "md", "estate.json"], estate)
    page = run(["report", "--as-of", "2026-01-01", "--format", "html", "estate.json"], estate)
    assert "[the \\[statement\\]](<https://example.org/a%29[b]%3Cc%3E%22d>)" in markdown
    assert 'href="https://example.org/a%29[b]%3Cc%3E%22d"' in page


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>", "file:///etc/passwd", "//evil.example/"])
def test_only_web_addresses_become_links(url: str) -> None:
    from vmspolicy.reporters.compliance import _html_link, _md_link

    assert "](" not in _md_link("source", url) and "href" not in _html_link("source", url)


@pytest.mark.parametrize("form", ["md", "html"])
def test_a_sheet_name_in_a_cell_reference_is_shown_as_text(tmp_path: Path, form: str) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Cover"
    sheet = book.create_sheet("<img src=x> & www.evil.example")  # what a spreadsheet lets a sheet be named (31 characters)
    sheet.append(["Manufacturer", "Model"])
    sheet.append(["Hikvision", "DS-2CD2143G0-I"])
    book.save(tmp_path / "bom.xlsx")
    output = run(["report", "--no-plugins", "--as-of", "2026-01-01", "--format", form, "bom.xlsx"], tmp_path)
    assert "(cell " in output, "the finding names its cell"
    assert "<img" not in output
    if form == "md":
        assert "www\\.evil.example" in output and "&amp;" in output
    else:
        assert "&lt;img src=x&gt;" in output
