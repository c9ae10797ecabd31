"""The estate modelled file by file and merged is the estate modelled in one pass over every document.

The load cache keeps each file's model (:func:`model_file`) and a warm run merges them
(:func:`merge_files`); these tests compare the merge with the whole-estate pass, record by
record and finding by finding, in order, where files interact: ids declared twice (within a
file and across files), references across files, device names a duplicate takes, firewalls
found unreadable in another file.
"""

from __future__ import annotations

from vmspolicy.analysis import estate as builder
from vmspolicy.analysis.estate import build_estate, merge_files, model_file
from vmspolicy.core.findings import Finding
from vmspolicy.core.model import Estate
from vmspolicy.core.source import Document
from vmspolicy.loading.base import SourceFile
from vmspolicy.loading.manifest import MANIFEST_LOADER

SITE_A = """\
vmspolicy: 1
sites: [{id: a, name: A}]
zones:
  - {id: a-cctv, site: a, purpose: cctv, cidr: 10.1.0.0/24}
  - {id: a-cctv, site: a, purpose: office, cidr: 10.1.1.0/24}
cameras:
  - {id: cam-1, site: a, zone: a-cctv, vendor: Axis, model: P1375, ip: 10.1.0.5, mac: "00:40:8c:00:00:01"}
  - {id: cam-1, site: a, zone: a-cctv, vendor: Hikvision, model: DS-2CD2143G0-I, ip: 10.1.0.6}
  - {id: cam-2, site: b, zone: b-cctv, vendor: Axis, ip: 10.1.0.7}
firewalls:
  - id: fw-a
    site: a
    default: deny
    rules:
      - {name: bad, from: a-cctv, to: internet, action: allow, ports: [tcp/600-500]}
"""

# Declares again ids of A (a site, a zone, a camera, the firewall), names a camera as a duplicate of A
# is named, and refers to A's zone and B's own.
SITE_B = """\
vmspolicy: 1
sites: [{id: b}, {id: a}]
zones:
  - {id: b-cctv, site: b, purpose: cctv, cidr: 10.2.0.0/24}
  - {id: a-cctv, site: b, purpose: cctv, cidr: 10.2.1.0/24}
cameras:
  - {id: cam-1, site: b, zone: b-cctv, vendor: Dahua, ip: 10.1.0.5}
  - {id: "cam-1@a.yaml:8:7", site: b, zone: a-cctv, vendor: Axis}
  - {id: cam-3, site: b, zone: no-such-zone, vendor: Axis, mac: "00-40-8C-00-00-01"}
firewalls:
  - {id: fw-a, site: b, default: allow}
  - {id: fw-b, site: b, default: deny, rules: [{name: r, from: b-cctv, to: a-cctv, action: allow}]}
waivers:
  - {id: w-1, devices: [cam-1, cam-2, cam-9], reason: r, approved_by: x, ticket: T-1, approved_on: 2024-01-01, expires: 2030-01-01}
"""

# Nothing in common with the others: modelled alone and merged as it is.
SITE_C = """\
vmspolicy: 1
sites: [{id: c}]
zones: [{id: c-cctv, site: c, purpose: cctv, cidr: "10.3.0.0/24"}]
cameras:
  - {id: cam-c, site: c, zone: c-cctv, vendor: Axis, ip: 10.3.0.9}
waivers:
  - {id: w-1, devices: [cam-c], reason: again}
"""


def documents(name: str, text: str) -> list[Document]:
    docs = MANIFEST_LOADER.load(SourceFile(name, text.encode()))
    assert docs
    return docs


def whole_estate_pass(docs: list[Document]) -> tuple[Estate, list[Finding]]:
    """What modelling every document in one pass gives (build_estate's way before files were modelled alone)."""
    b = builder._Builder()
    for doc in docs:
        builder._add_document(b, doc)
    return builder._finish(b, docs)


def test_files_modelled_alone_and_merged_give_the_whole_estate_pass() -> None:
    files = [documents("a.yaml", SITE_A), documents("b.yaml", SITE_B), documents("c.yaml", SITE_C)]
    for order in (files, files[::-1], [files[2], files[0], files[1]]):
        flat = [doc for file in order for doc in file]
        expected = whole_estate_pass(flat)
        merged = merge_files([(model_file(file), file) for file in order])
        # Records are compared by what they say, in order (an origin is compared by identity), findings as they are.
        assert repr(merged[0]) == repr(expected[0]) and merged[1] == expected[1]
        assert repr(build_estate(flat)[0]) == repr(expected[0])
    estate, findings = whole_estate_pass([doc for file in files for doc in file])
    # The cases are there: duplicates within and across files, a name a duplicate takes, a cross-file reference.
    assert {f.rule for f in findings} >= {"VP002", "VP003", "VP004"}
    assert sum(f.rule == "VP004" and f.path == "b.yaml" for f in findings) >= 4
    assert "cam-1@a.yaml:8:7+" in estate.devices or "cam-1@a.yaml:8:7" in estate.devices
    assert estate.zones["a-cctv"].site == "a"


def test_a_file_that_declares_nothing_of_the_others_is_merged_as_modelled() -> None:
    a, c = documents("a.yaml", SITE_A), documents("c.yaml", SITE_C)
    model = model_file(c)
    assert model is not None and [d.id for d in model.devices] == ["cam-c"]
    b = builder._Builder()
    assert builder._merge(b, model)
    # Behind A it is merged too: it declares no id of A's.
    b = builder._Builder()
    model_a = model_file(a)
    assert model_a is not None and builder._merge(b, model_a) and builder._merge(b, model)
    assert not builder._merge(b, model_a)  # A again: its ids are declared, so it is modelled against the estate instead
