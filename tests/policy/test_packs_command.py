"""``vmspolicy packs``: every pack with its cut-off, families and sources; configuration packs and the selection."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Cli


def test_text_lists_every_builtin_pack_with_its_sources(cli: Cli, tmp_path: Path) -> None:
    code, out, _ = cli("packs", "--no-plugins", cwd=tmp_path)
    assert code == 0
    for pack_id, cutoff in (("uk-gov-2022", "2022-11-24"), ("us-ndaa-889", "2019-08-13"), ("au-gov-2023", "2023-02-09")):
        block = out.split(f"{pack_id}  ", 1)[1].split("\n\n", 1)[0]
        assert f"cut-off     {cutoff}" in block and "sources" in block and "https://" in block
    assert "uk-gov-2022  UK Government" in out and "[applies where a site names no pack: the default]" in out
    assert "2021-03-12  FCC Covered List first published" in out


def test_json_holds_the_packs_data_origin_and_selection(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / ".vmspolicy.yaml").write_text(
        "profiles: [acme]\npacks:\n  - id: acme\n    title: ACME\n    families: [Hikvision]\n    cutoff: '2024-01-01'\n"
        "    sources: [{title: SEC-7, url: 'https://intranet.example.com/sec-7', date: '2024-01-01'}]\n",
        encoding="utf-8",
    )
    code, out, _ = cli("packs", "--no-plugins", "--format", "json", cwd=tmp_path)
    assert code == 0
    document = json.loads(out)
    # The repository's own pack, selected by its own profiles, judges beside the default, never instead of it.
    assert document["selected"] == ["uk-gov-2022", "acme"] and document["selected_by"] == "the profiles"
    assert document["default"] == "uk-gov-2022"
    packs = {p["id"]: p for p in document["packs"]}
    assert packs["acme"]["origin"] == "configuration" and packs["acme"]["selected"]
    assert packs["us-ndaa-889"]["origin"] == "built-in" and not packs["us-ndaa-889"]["selected"]
    assert packs["us-ndaa-889"]["cutoff"] == "2019-08-13"
    code, out, _ = cli("packs", "--no-plugins", cwd=tmp_path)
    assert "uk-gov-2022  UK Government" in out and "[applies where a site names no pack: the default, beside the configuration's own packs" in out


def test_unknown_profile_and_bad_configuration_pack_exit_2(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli("packs", "--no-plugins", "--profile", "nz-gov", cwd=tmp_path)
    assert code == 2 and "unknown policy pack 'nz-gov'" in err
    (tmp_path / ".vmspolicy.yaml").write_text("packs:\n  - {id: acme, title: ACME, families: [Hikvision], cutoff: soon}\n", encoding="utf-8")
    code, _, err = cli("packs", "--no-plugins", cwd=tmp_path)
    assert code == 2 and ".vmspolicy.yaml:2:" in err and "Traceback" not in err
