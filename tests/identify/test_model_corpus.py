"""Measure: real model numbers from public device-type libraries, with the manufacturer blank or replaced.

The corpus (tests/data/models/*.txt) keeps only model numbers, each file with
its provenance in its header. At least 98% of the Hikvision/Dahua models must
establish their family from the model number alone, and none of the other
makers' models may establish any restricted family, or even yield evidence.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vmspolicy.analysis.identify import identify

MODELS = Path(__file__).parents[1] / "data" / "models"
RESTRICTED = {"hikvision.txt": "Hikvision", "hilook.txt": "Hikvision", "dahua.txt": "Dahua"}
OTHERS = ("axis.txt", "bosch.txt", "hanwha.txt", "i-pro.txt", "mobotix.txt", "ubiquiti.txt", "uniview.txt", "vivotek.txt", "other-makers.txt")
# What stands in for the manufacturer: blank, or a brand the catalog has never heard of.
DISGUISES = (None, "", "Acme Vision", "Generic OEM")


def models(name: str) -> list[str]:
    lines = (MODELS / name).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# ") and any(line.startswith("# Source: ") for line in lines[:3]), f"{name}: no provenance header"
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_corpus_is_large_enough() -> None:
    restricted = sum(len(models(name)) for name in RESTRICTED)
    others = sum(len(models(name)) for name in OTHERS)
    assert restricted >= 600 and others >= 600, (restricted, others)


@pytest.mark.parametrize("vendor", DISGUISES)
def test_restricted_models_are_identified(vendor: str | None) -> None:
    total = missed = 0
    misses: list[str] = []
    for name, family in RESTRICTED.items():
        for model in models(name):
            total += 1
            verdict = identify(vendor=vendor, model=model)
            if verdict.family != family or not any(e.kind == "model" and e.field == "model" for e in verdict.evidence):
                missed += 1
                misses.append(model)
    rate = (total - missed) / total
    assert rate >= 0.98, f"{rate:.1%} identified; missed {misses[:20]}"


@pytest.mark.parametrize("vendor", DISGUISES)
def test_other_makers_models_are_never_restricted(vendor: str | None) -> None:
    flagged = []
    for name in OTHERS:
        for model in models(name):
            verdict = identify(vendor=vendor, model=model)
            if verdict.family is not None or verdict.evidence:
                flagged.append((name, model, verdict.family))
    assert flagged == []


def test_hikmicro_models_establish_hikvision_without_contradicting_a_declared_maker() -> None:
    # Hikvision publishes HIKMICRO's firmware in its own download centre: the model establishes the family
    # (medium weight), but a declared maker that no family claims outweighs the short HM-T prefix.
    for model in models("hikmicro.txt"):
        verdict = identify(model=model)
        assert verdict.family == "Hikvision" and [e.weight for e in verdict.evidence] == [0.6], model
        assert identify(vendor="FLIR", model=model).family is None, model


def test_real_maker_named_still_loses_to_the_model() -> None:
    """A Hikvision model declared as Axis is still Hikvision (the rules raise VP104 for the contradiction)."""
    verdict = identify(vendor="Axis Communications", model=models("hikvision.txt")[0])
    assert verdict.family == "Hikvision" and verdict.known_vendor and verdict.declared_family is None
