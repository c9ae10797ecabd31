"""The real check-jsonschema, given an exported schema, rejects restricted entries and accepts compliant estates.

fixtures/rejected/*.yaml say what they expect in header comments
(``# expect: $.cameras[0].installed VP102``): check-jsonschema must report
exactly those (path, rule) pairs, each message naming the rule and its slug.
fixtures/compliant/ must pass under every built-in pack.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.schema_export.helpers import BIN, FIXTURES, ROOT, check_jsonschema, code_of, pack_schema

PACKS = ("uk-gov-2022", "us-ndaa-889", "au-gov-2023")
REJECTED = sorted((FIXTURES / "rejected").glob("*.yaml"))
COMPLIANT = sorted((FIXTURES / "compliant").iterdir())
EXPECT = re.compile(r"^# expect: (\S+) (VP[0-9]{3})$", re.MULTILINE)
SLUGS = {
    "VP102": "restricted-vendor-new-install",
    "VP104": "vendor-mismatch",
    "VP107": "restricted-recorder",
    "VP206": "isolation-unverifiable",
    "VP205": "cloud-services-enabled",
}


@pytest.mark.parametrize("pack", PACKS)
def test_compliant_estates_pass(pack: str) -> None:
    assert len(COMPLIANT) >= 2
    code, errors = check_jsonschema(pack_schema(pack), *COMPLIANT)
    assert (code, errors) == (0, [])


@pytest.mark.parametrize("case", REJECTED, ids=lambda p: p.stem)
def test_restricted_entries_are_rejected_naming_the_rule(case: Path) -> None:
    expected = sorted(EXPECT.findall(case.read_text(encoding="utf-8")))
    assert expected, f"{case.name} says nothing about what it expects"
    code, errors = check_jsonschema(pack_schema("uk-gov-2022"), case)
    found = sorted((error["path"], code_of(error["message"]) or error["message"]) for error in errors)
    assert code == 1
    assert found == expected
    for error in errors:
        rule = code_of(error["message"])
        assert rule is not None and f"{rule} {SLUGS[rule]}:" in error["message"]


def test_the_text_report_names_the_rule_and_the_fix() -> None:
    """What `check-jsonschema --schemafile schemas/packs/uk-gov-2022.schema.json estate.yaml` prints in CI."""
    run = subprocess.run(
        [str(BIN / "check-jsonschema"), "--schemafile", str(pack_schema("uk-gov-2022")), str(FIXTURES / "rejected" / "modeline.yaml")],
        capture_output=True, text=True, check=False, timeout=600,
    )
    assert run.returncode == 1
    assert "$.cameras[1].installed" in run.stdout
    assert "VP102 restricted-vendor-new-install: Hikvision (uk-gov-2022) may not be installed on or after 2022-11-24" in run.stdout
    assert "Remove it, or record the real install date" in run.stdout


def test_the_modeline_points_at_the_committed_schema() -> None:
    """The `# yaml-language-server: $schema=` modeline of the fixtures resolves to the committed uk-gov-2022 schema."""
    for case in (FIXTURES / "rejected" / "modeline.yaml", FIXTURES / "compliant" / "two-sites.yaml"):
        first = case.read_text(encoding="utf-8").splitlines()[0]
        target = first.removeprefix("# yaml-language-server: $schema=")
        assert target != first
        assert (case.parent / target).resolve() == pack_schema("uk-gov-2022").resolve()


def test_the_example_estate_cameras_pass_where_no_cross_reference_is_needed() -> None:
    """examples/estate/hq: its deliberate violation is VP101 (a sensitive site), which no schema can see."""
    code, errors = check_jsonschema(pack_schema("uk-gov-2022"), ROOT / "examples" / "estate" / "hq" / "cameras.yaml")
    assert (code, errors) == (0, [])
