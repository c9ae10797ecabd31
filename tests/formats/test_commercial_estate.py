"""A commercial estate read from its own exports gives the verdicts of the equivalent manifests.

The quay of ``examples/commercial/``: a Milestone camera report, a FortiGate
backup (or the same policy as a PAN-OS configuration) and one small manifest,
against the same site written out in the manifest format.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.formats.helpers import check_json

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "commercial"
PANOS = Path(__file__).parent / "fixtures" / "quay-panos.xml"

NATIVE = """vmspolicy: 1
sites: [{id: quay, sensitive: false, policies: [uk-gov-2022]}]
zones:
  - {id: office, site: quay, cidr: 10.80.0.0/24, purpose: corporate}
  - {id: cctv, site: quay, cidr: 10.80.20.0/24, purpose: cameras}
  - {id: cctv-legacy, site: quay, cidr: 10.80.30.0/24, purpose: legacy-cameras}
  - {id: vms, site: quay, cidr: 10.80.40.0/24, purpose: vms}
cameras:
  - {id: Quay-Legacy-1, site: quay, vendor: Hikvision, model: DS-2CD2T43G0-I5, mac: C056E3A10001, ip: 10.80.30.11,
     installed: 2020-03-02, services: {p2p_cloud: false, upnp: false, ddns: false}}
  - {id: Quay-Legacy-2, site: quay, vendor: Hikvision, model: DS-2CD2T43G0-I5, mac: C056E3A10002, ip: 10.80.30.12,
     installed: 2020-03-02, services: {p2p_cloud: false, upnp: false, ddns: false}}
  - {id: Gatehouse, site: quay, model: IPC-HDW2431T-AS, ip: 10.80.20.12}
  - {id: Yard-PTZ, site: quay, vendor: Axis, model: Q6075-E, mac: B8A44F000004, ip: 10.80.20.13}
  - {id: Berth-Encoder, site: quay, vendor: Axis, model: Q7404, mac: 00408C000005, ip: 10.80.20.14}
recorders:
  - {id: RS-QUAY, site: quay, vendor: Milestone, model: XProtect Recording Server, ip: 10.80.40.5}
firewalls:
  - id: fw-quay
    site: quay
    default: deny
    nat:
      - {name: installer remote view, to: 10.80.30.12/32, ports: [tcp/443]}
    rules:
      - {name: recorder pulls streams, from: 10.80.40.5/32, to: cctv, ports: [tcp/554, tcp/80, tcp/443], action: allow}
      - {name: recorder pulls streams, from: 10.80.40.5/32, to: cctv-legacy, ports: [tcp/554, tcp/80, tcp/443], action: allow}
      - {name: no legacy egress, from: cctv-legacy, to: any, action: deny}
      - {name: cameras time, from: cctv, to: internet, ports: [tcp/123, udp/123], action: allow}
      - {name: office out, from: office, to: internet, action: allow}
waivers:
  - {id: W-2026-044, devices: [Quay-Legacy-1, Quay-Legacy-2], reason: Quay lighting masts are replaced in the 2027 refit,
     approved_by: Head of Port Security, ticket: SEC-5120, approved_on: 2026-01-12, expires: 2027-09-30}
"""


def _verdicts(findings: list[dict[str, Any]]) -> set[tuple[str, str | None, bool]]:
    return {(f["rule"], f["subject"], f["suppressed"] is not None) for f in findings}


def _native(tmp_path: Path) -> set[tuple[str, str | None, bool]]:
    folder = tmp_path / "native"
    folder.mkdir()
    (folder / "quay.yaml").write_text(NATIVE, encoding="utf-8")
    _, findings = check_json(folder, "--as-of", "2026-12-01")
    return _verdicts(findings)


@pytest.mark.parametrize("firewall", ["fortigate", "panos"])
def test_exports_give_the_verdicts_of_the_equivalent_manifests(tmp_path: Path, firewall: str) -> None:
    folder = tmp_path / "exports"
    shutil.copytree(EXAMPLE, folder)
    if firewall == "panos":
        (folder / "firewall" / "fw-quay.conf").unlink()
        shutil.copy(PANOS, folder / "firewall" / "running-config.xml")
    code, findings = check_json(folder, "--as-of", "2026-12-01")
    assert code == 1
    verdicts = _verdicts(findings)
    assert verdicts == _native(tmp_path)
    # What the example is about: the Dahua behind a generic driver, the exposed legacy camera, the waiver.
    assert verdicts == {
        ("VP102", "Gatehouse", False),
        ("VP203", "Quay-Legacy-2", False),
        ("VP103", "Quay-Legacy-1", True),
        ("VP103", "Quay-Legacy-2", True),
    }
    exposed = next(f for f in findings if f["rule"] == "VP203")
    assert (exposed["path"], exposed["line"]) == ("milestone/camera-report.csv", 4)
