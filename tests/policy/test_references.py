"""`vmspolicy explain` cites the records a rule enforces: the packs' primary sources, never a copy or a report."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from vmspolicy.analysis.policy import CORE_MANDATORY
from vmspolicy.cli import main
from vmspolicy.core.citations import primary_sources, references
from vmspolicy.core.packs import builtin_packs

# Where the records of the built-in regimes are published: the UK Government and Parliament, the
# Australian Parliament and Defence ministers, the US Congress, the FAR, the eCFR, the FCC and the Federal Register.
OFFICIAL = ("gov.uk", "parliament.uk", "aph.gov.au", "minister.defence.gov.au", "congress.gov", "acquisition.gov", "ecfr.gov",
            "fcc.gov", "govinfo.gov")


def _official(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return any(host == domain or host.endswith("." + domain) for domain in OFFICIAL)


@pytest.mark.parametrize("pack", builtin_packs(), ids=lambda p: str(p["id"]))
def test_every_builtin_pack_rests_on_a_primary_source_published_by_the_authority(pack: dict[str, object]) -> None:
    primary = primary_sources(pack)
    assert primary, f"{pack['id']} has no primary source"
    assert all(_official(str(s["url"])) for s in primary), [s["url"] for s in primary if not _official(str(s["url"]))]
    # And what is not published by the authority says what it is.
    for source in pack["sources"]:  # type: ignore[attr-defined]
        if not _official(source["url"]):
            assert source.get("kind") in ("copy", "report"), source["title"]


def test_explain_cites_only_primary_sources_of_the_packs_that_make_the_rule_mandatory(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--no-plugins", "VP101"]) == 0
    out = capsys.readouterr().out
    section = out.split("References (the primary sources of the packs that make VP101 mandatory)\n", 1)[1]
    urls = re.findall(r"https?://\S+", section)
    assert urls and all(_official(u) for u in urls)
    assert "questions-statements.parliament.uk" in section and "parlinfo.aph.gov.au" in section and "congress.gov" in section
    assert "minister.defence.gov.au" in section  # the Australian minister's own statement
    assert "parallelparliament" not in out and "thenewdaily" not in out


def test_a_rule_no_pack_makes_mandatory_has_no_references(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--no-plugins", "VP106"]) == 0
    assert "References" not in capsys.readouterr().out


def test_a_pack_without_a_primary_source_says_so() -> None:
    pack = {"id": "acme", "title": "ACME", "mandatory": ["VP101"],
            "sources": [{"title": "A blog", "url": "https://blog.example/", "date": "2024-01-01", "kind": "report"}]}
    text = references("VP101", [pack], CORE_MANDATORY)
    assert "acme: ACME" in text and "no primary source recorded" in text and "blog.example" not in text
    assert references("VP102", [pack], CORE_MANDATORY) == ""  # acme names its mandatory rules: VP102 is not one


def test_packs_lists_copies_and_reports_for_what_they_are(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["packs", "--no-plugins"]) == 0
    out = capsys.readouterr().out
    assert "definition of sensitive sites (a copy of Parliament's record)  (a copy of the record)" in out
    assert "(AAP report)  (a report, not the record)" in out
