"""`vmspolicy schema`: valid draft 2020-12, deterministic, in sync with schemas/packs/, plugin vendor data included."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Mapping, Sequence

import pytest
from jsonschema import Draft202012Validator

from tests.schema_export.helpers import PACKS_DIR, subschema
from vmspolicy.core.packs import builtin_pack_ids
from vmspolicy.hookspecs import hookimpl
from vmspolicy.run.plugins import load_plugins
from vmspolicy.schema_export import export, render

BUILTIN = builtin_pack_ids()
REGENERATE = "regenerate with: for p in {packs}; do vmspolicy schema --no-plugins --profile $p -o schemas/packs/$p.schema.json; done"


def _schema(*profiles: str, extra: Sequence[object] = ()) -> dict[str, Any]:
    host = load_plugins(entry_points_enabled=False, extra=extra)
    return export(host.packs(), host.vendor_data(), profiles, BUILTIN)


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vmspolicy", "schema", *args], capture_output=True, text=True, check=False,
                          timeout=300, cwd=cwd)


def test_every_builtin_pack_has_a_committed_schema() -> None:
    assert set(BUILTIN) == {"uk-gov-2022", "us-ndaa-889", "au-gov-2023"}
    assert sorted(p.name for p in PACKS_DIR.glob("*.schema.json")) == sorted(f"{p}.schema.json" for p in BUILTIN)


@pytest.mark.parametrize("pack", BUILTIN)
def test_committed_schema_is_the_generators_byte_for_byte(pack: str) -> None:
    committed = (PACKS_DIR / f"{pack}.schema.json").read_bytes()
    assert render(_schema(pack)).encode("utf-8") == committed, REGENERATE.format(packs=" ".join(BUILTIN))


def test_the_command_prints_the_committed_schema() -> None:
    run = _cli("--no-plugins", "--profile", "uk-gov-2022")
    assert run.returncode == 0, run.stderr
    assert run.stdout.encode("utf-8") == (PACKS_DIR / "uk-gov-2022.schema.json").read_bytes()


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "estate.schema.json"
    run = _cli("--no-plugins", "--profile", "au-gov-2023", "--output", str(target))
    assert (run.returncode, run.stdout) == (0, "")
    assert target.read_bytes() == (PACKS_DIR / "au-gov-2023.schema.json").read_bytes()
    assert target.stat().st_mode & 0o044 == 0o044  # readable by editors and CI, not private like a temporary file


def test_unknown_pack_and_unwritable_output_exit_2(tmp_path: Path) -> None:
    run = _cli("--no-plugins", "--profile", "uk-gov-2021")
    assert run.returncode == 2 and "unknown policy pack 'uk-gov-2021'" in run.stderr and "uk-gov-2022" in run.stderr
    run = _cli("--no-plugins", "--output", str(tmp_path / "missing" / "x.json"))
    assert run.returncode == 2 and "cannot write" in run.stderr and "Traceback" not in run.stderr


def test_default_packs_are_the_configured_then_the_builtin_ones(tmp_path: Path) -> None:
    run = _cli("--no-plugins", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["title"] == f"vmspolicy manifest v1 with policy packs {', '.join(BUILTIN)}"
    (tmp_path / ".vmspolicy.yaml").write_text("profiles: [us-ndaa-889]\n", encoding="utf-8")
    run = _cli("--no-plugins", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.encode("utf-8") == (PACKS_DIR / "us-ndaa-889.schema.json").read_bytes()


@pytest.mark.parametrize("profiles", [(), ("uk-gov-2022",), ("us-ndaa-889", "au-gov-2023")])
def test_valid_draft_2020_12_and_deterministic(profiles: tuple[str, ...]) -> None:
    schema = _schema(*profiles)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert render(schema) == render(_schema(*profiles))


def test_the_schema_says_what_it_cannot_check() -> None:
    description = _schema("uk-gov-2022")["description"]
    for words in ("CANNOT check", "sensitive (VP101", "isolated", "waivers", "across files", "Run `vmspolicy check`"):
        assert words in description


def test_size_stays_reasonable() -> None:
    """Thousands of OUIs and every look-alike class, trie-compressed: about 450 KB per pack today, kept well under a megabyte."""
    for path in PACKS_DIR.glob("*.schema.json"):
        assert path.stat().st_size < 640 * 1024, path


ACME = {
    "version": 1,
    "source": "test plugin",
    "relabels": [{"name": "Acme Optics", "family": "Dahua", "confidence": "medium-high"}],
    "ouis": [{"prefix": "0A1B2C", "entity": "Acme Optics", "owner": "Acme Optics Ltd"}],
}


def test_vendor_data_beyond_the_builtin_catalog_is_compiled_in() -> None:
    """A relabel and a MAC block from plugin vendor data (after the built-in fragments, as the catalog requires)."""
    host = load_plugins(entry_points_enabled=False)
    plain = export(host.packs(), host.vendor_data(), ["uk-gov-2022"], BUILTIN)
    extended = export(host.packs(), [*host.vendor_data(), ACME], ["uk-gov-2022"], BUILTIN)
    entry = {"vendor": "ACME  optics, Inc.", "installed": "2024-01-01"}
    assert not subschema(plain, "vmspolicy-evidence-dahua").is_valid(entry)
    assert subschema(extended, "vmspolicy-evidence-dahua").is_valid(entry)
    assert subschema(extended, "vmspolicy-evidence-dahua").is_valid({"mac": "0a:1b:2c:00:00:01"})
    camera = Draft202012Validator({"$ref": "#/$defs/camera", "$defs": extended["$defs"]})
    messages = [e.message for e in camera.iter_errors({"id": "c1", "site": "s", "zone": "z", **entry})]
    assert any("VP102 restricted-vendor-new-install: Dahua (uk-gov-2022)" in m for m in messages)


def _plugin() -> ModuleType:
    """A plugin with its own restricted family and a pack that restricts it."""
    plugin = ModuleType("acme_policy")

    @hookimpl
    def vmspolicy_vendor_data() -> Sequence[Mapping[str, Any]]:
        return [{"version": 1, "source": "test plugin", "families": [{"family": "Acme", "names": ["Acme Surveillance"], "confidence": "owner"}]}]

    @hookimpl
    def vmspolicy_packs() -> Sequence[Mapping[str, Any]]:
        return [{"id": "acme-ban", "title": "No Acme", "families": [{"name": "Acme"}], "cutoff": "2025-01-01",
                 "sources": [{"title": "test", "url": "https://example.org/acme", "date": "2025-01-01"}]}]

    plugin.vmspolicy_vendor_data = vmspolicy_vendor_data  # type: ignore[attr-defined]
    plugin.vmspolicy_packs = vmspolicy_packs  # type: ignore[attr-defined]
    return plugin


def test_plugin_packs_and_families_through_the_plugin_host() -> None:
    schema = _schema("acme-ban", extra=[_plugin()])
    Draft202012Validator.check_schema(schema)
    camera = Draft202012Validator({"$ref": "#/$defs/camera", "$defs": schema["$defs"]})
    assert camera.is_valid({"id": "c1", "site": "s", "zone": "z", "vendor": "ACME Surveillance Ltd", "installed": "2024-12-31",
                            "services": {"p2p_cloud": False, "upnp": False, "ddns": False}})
    messages = [e.message for e in camera.iter_errors({"id": "c1", "site": "s", "zone": "z", "vendor": "acme", "installed": "2025-01-01"})]
    assert any("VP102 restricted-vendor-new-install: Acme (acme-ban) may not be installed on or after 2025-01-01" in m for m in messages)
    # Hikvision is not restricted by this pack: only VP104 (a contradiction, whatever the packs) could apply.
    assert camera.is_valid({"id": "c2", "site": "s", "vendor": "Hikvision", "installed": "2025-06-01"})


def test_a_pack_from_the_configuration(tmp_path: Path) -> None:
    (tmp_path / ".vmspolicy.yaml").write_text(
        "profiles: [estate-2024]\n"
        "packs:\n"
        "  - id: estate-2024\n"
        "    title: Our own estate rule\n"
        "    families: [{name: Hikvision}]\n"
        "    cutoff: '2024-01-01'\n"
        "    sources: [{title: Security board minutes, url: 'https://intranet.example/minutes/2023-12', date: '2023-12-12'}]\n",
        encoding="utf-8",
    )
    run = _cli("--no-plugins", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    schema = json.loads(run.stdout)
    camera = Draft202012Validator({"$ref": "#/$defs/camera", "$defs": schema["$defs"]})
    assert camera.is_valid({"id": "c1", "site": "s", "zone": "z", "vendor": "Hikvision", "installed": "2023-12-31",
                            "services": {"p2p_cloud": False, "upnp": False, "ddns": False}})
    messages = [e.message for e in camera.iter_errors({"id": "c1", "site": "s", "vendor": "Hikvision", "installed": "2024-01-01"})]
    assert any("Hikvision (estate-2024) may not be installed on or after 2024-01-01" in m for m in messages)
    # Dahua is not in this pack: nothing to say about it.
    assert camera.is_valid({"id": "c2", "site": "s", "vendor": "Dahua", "installed": "2025-01-01"})


def test_a_configuration_error_exits_2_with_its_location(tmp_path: Path) -> None:
    (tmp_path / ".vmspolicy.yaml").write_text("profiles: [uk-gov-2022]\npacks: 7\n", encoding="utf-8")
    run = _cli("--no-plugins", cwd=tmp_path)
    assert run.returncode == 2 and ".vmspolicy.yaml:2" in run.stderr and "Traceback" not in run.stderr, run.stderr
