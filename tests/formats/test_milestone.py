"""Milestone XProtect camera reports: one camera per hardware, recorders, passwords, every value at its cell."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.formats.helpers import SAMPLES, check_json, entries, source, text_source, where
from vmspolicy.core.source import Document
from vmspolicy.core.text import ParseError
from vmspolicy.loading.milestone import MILESTONE_LOADER

REPORT_SAMPLE = SAMPLES / "may-asver__work_automation__C5-cameras.csv"


def _load(name: str, text: str) -> Document:
    docs = MILESTONE_LOADER.load(text_source(name, text))
    assert docs is not None
    return docs[0]


def test_real_camera_report() -> None:
    docs = MILESTONE_LOADER.load(source(REPORT_SAMPLE))
    assert docs is not None
    doc = docs[0]
    cameras = entries(doc, "cameras")
    assert [(c["id"], c.get("vendor"), c["model"], c["mac"], c["ip"], c["firmware"], c["status"]) for c in cameras] == [
        # Milestone's own push driver says nothing of the device's maker: no vendor
        ("Administrador-de-Video-Push_2525", None, "VideoPushDriver", "05C1FD5155B1", "10.0.126.91", "v10", "active"),
        ("0-MAQUETA_1_F_2020", "Bosch", "FLEXIDOME IP outdoor 5000 IR", "00075FA39D84", "172.16.30.201", "660", "active"),
        ("0-MAQUETA_2_F_2120", "Bosch", "FLEXIDOME IP outdoor 5000 IR", "00075F9A6F88", "172.16.30.202", "660", "active"),
    ]
    # Every value at its cell: the id at HardwareName, the vendor at DriverFamily, the address at Address.
    second = cameras[1]
    assert (second.where("id"), second.where("vendor"), second.where("ip"), second.where("mac")) == ((3, 139), (3, 284), (3, 224), (3, 267))
    assert [(r["id"], r["vendor"], r.get("ip"), r.pos) for r in entries(doc, "recorders")] == [
        ("QA-DRP-NT-VMS", "Milestone", None, (2, 370)),
    ]


def test_real_camera_report_judged(tmp_path: Path) -> None:
    shutil.copy(REPORT_SAMPLE, tmp_path / "cameras.csv")
    (tmp_path / "site.yaml").write_text("vmspolicy: 1\nsites: [{id: lab}]\n", encoding="utf-8")
    code, findings = check_json(tmp_path)
    assert code == 1
    # The passwords the report was exported with are literal (scrubbed to REDACTED upstream), each at its cell.
    assert where(findings, "VP401") == {
        ("cameras.csv", 2, 253, "Administrador-de-Video-Push_2525"),
        ("cameras.csv", 3, 252, "0-MAQUETA_1_F_2020"),
        ("cameras.csv", 4, 242, "0-MAQUETA_2_F_2120"),
    }
    assert where(findings, "VP106") == {("cameras.csv", 2, 1, "Administrador-de-Video-Push_2525")}
    assert not where(findings, "VP102") and not where(findings, "VP001") and not where(findings, "VP002")


HEADER = "Name,Channel,Enabled,HardwareName,HardwareId,Model,Address,Username,MAC,Firmware,DriverFamily,Driver,RecorderName,RecorderUri"


def _row(name: str, channel: int, hardware: str, hardware_id: str, model: str, address: str, mac: str, family: str, driver: str) -> str:
    return f"{name},{channel},True,{hardware},{hardware_id},{model},{address},admin,{mac},V5.5.0,{family},{driver},rs-1,http://10.8.40.5:7563/"


WRITTEN = "\n".join([
    '#TYPE System.Management.Automation.PSCustomObject',
    HEADER,
    _row("Gate", 0, "Gate cam", "A1", "DS-2CD2143G0-I", "http://10.8.30.11/", "4419B6123456", "Hikvision", "Hikvision DS-2CD2xx"),
    _row("Yard", 0, "Yard cam", "B2", "IPC-HDW2431T-AS", "10.8.30.12", "3CEF8C000001", "ONVIF", "ONVIF Conformant Device"),
    _row("Encoder ch1", 0, "Encoder", "C3", "Q7404", "https://10.8.30.13:443/", "000750123456", "Axis", "Axis 4-channel"),
    _row("Encoder ch2", 1, "Encoder", "C3", "Q7404", "https://10.8.30.13:443/", "000750123456", "Axis", "Axis 4-channel"),
    # Excel took an all-digit MAC for a number and dropped its leading zeros
    _row("Dome", 0, "Dome", "D4", "M3045", "cam-dome.example.local", "750123457", "Axis", "Axis 1-channel"),
]) + "\n"


def test_written_report_one_camera_per_hardware() -> None:
    doc = _load("report.csv", "\ufeff" + WRITTEN)
    assert [(c["id"], c.get("vendor"), c["model"], c["mac"], c.get("ip")) for c in entries(doc, "cameras")] == [
        ("Gate-cam", "Hikvision", "DS-2CD2143G0-I", "4419B6123456", "10.8.30.11"),
        # a generic driver is no vendor evidence: the model and the MAC still are
        ("Yard-cam", None, "IPC-HDW2431T-AS", "3CEF8C000001", "10.8.30.12"),
        # two channels of one encoder are one device
        ("Encoder", "Axis", "Q7404", "000750123456", "10.8.30.13"),
        # a host name is no address to place it by
        ("Dome", "Axis", "M3045", "000750123457", None),
    ]
    assert [(r["id"], r["ip"]) for r in entries(doc, "recorders")] == [("rs-1", "10.8.40.5")]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_other_delimiters_and_an_excel_sep_line(delimiter: str) -> None:
    text = WRITTEN.replace(",", delimiter)
    assert len(entries(_load("report.csv", text), "cameras")) == 4
    assert len(entries(_load("report.csv", f"sep={delimiter}\n" + text.split("\n", 1)[1]), "cameras")) == 4


def test_two_hardware_of_one_name_keep_apart() -> None:
    text = WRITTEN.replace("Yard cam", "Gate cam")
    assert [c["id"] for c in entries(_load("report.csv", text), "cameras")][:2] == ["Gate-cam-a1", "Gate-cam-b2"]


def test_a_report_that_cannot_be_read_exactly_is_a_parse_error() -> None:
    shifted = WRITTEN.replace("Q7404,", "Q7404,extra,", 1)
    with pytest.raises(ParseError) as caught:
        MILESTONE_LOADER.load(text_source("report.csv", shifted))
    assert (caught.value.line, "cells but the header has" in caught.value.message) == (5, True)
    unclosed = WRITTEN.replace("Gate cam", '"Gate cam', 1)
    with pytest.raises(ParseError) as caught:
        MILESTONE_LOADER.load(text_source("report.csv", unclosed))
    assert caught.value.line == 3


def test_other_csv_files_are_left_to_the_bill_of_materials_loader() -> None:
    assert MILESTONE_LOADER.load(text_source("bom.csv", "Manufacturer,Model,Qty\nAxis,M3045,2\n")) is None
    assert not MILESTONE_LOADER.resembles(text_source("bom.csv", "Manufacturer,Model\n"))  # type: ignore[attr-defined]


def test_restricted_camera_from_the_report_completed_by_a_manifest(tmp_path: Path) -> None:
    (tmp_path / "report.csv").write_text(WRITTEN, encoding="utf-8")
    (tmp_path / "site.yaml").write_text("vmspolicy: 1\nsites: [{id: works}]\n", encoding="utf-8")
    code, findings = check_json(tmp_path)
    assert code == 1
    # Installed cameras without a date: the Hikvision (by its driver family) and the Dahua (by its MAC, behind a generic
    # driver) are new installs, each at the cell that gave it away.
    assert where(findings, "VP102") == {("report.csv", 3, 85, "Gate-cam"), ("report.csv", 4, 58, "Yard-cam")}
    (tmp_path / "site.yaml").write_text(
        "vmspolicy: 1\nsites: [{id: works}]\ncameras:\n  - {id: Gate-cam, site: works, installed: 2019-03-04}\n", encoding="utf-8"
    )
    code, findings = check_json(tmp_path)
    # The manifest record of the same id says when it was installed: legacy, judged for its waiver and isolation.
    assert where(findings, "VP102") == {("report.csv", 4, 58, "Yard-cam")}
    assert where(findings, "VP103") == {("report.csv", 3, 85, "Gate-cam")}
    assert where(findings, "VP206") == {("report.csv", 3, 13, "Gate-cam")}


IMPORT_SAMPLE = SAMPLES / "may-asver__work_automation__add_hardware_template.csv"
COMMUNITY_SAMPLE = SAMPLES / "bnicoson__Custom-MilestonePSTools-Scripts__Add-CamerasFromCsv-Template.csv"


def test_real_hardware_import_template() -> None:
    docs = MILESTONE_LOADER.load(source(IMPORT_SAMPLE))
    assert docs is not None
    cameras = entries(docs[0], "cameras")
    assert [(c["id"], c.get("vendor"), c.get("ip"), c["status"], c.where("id")) for c in cameras] == [
        ("hardware-192.168.1.100", None, "192.168.1.100", "planned", (2, 1)),
        ("hardware-192.168.1.101", None, "192.168.1.101", "planned", (3, 1)),
        # a DNS name is no address to place the camera by
        ("hardware-camera3.milestone.internal", None, None, "planned", (4, 1)),
        ("hardware-192.168.1.103", None, "192.168.1.103", "planned", (5, 1)),
        # the driver families to scan are vendor evidence, at their cell
        ("hardware-192.168.1.104", "Axis;Bosch", "192.168.1.104", "planned", (6, 1)),
        ("Parking-192.168.1.105", None, "192.168.1.105", "planned", (7, 60)),
        ("Reception", None, "192.168.1.106", "planned", (8, 60)),
        # two rows of one address are one device
        ("Warehouse-192.168.1.107", None, "192.168.1.107", "planned", (9, 60)),
    ]
    assert cameras[4].where("vendor") == (6, 50)
    # Every password cell, the second and third sets of credentials too, of both rows of the warehouse camera.
    assert [(c.field, c.pos, c.subject) for c in docs[0].credentials][:3] == [  # type: ignore[attr-defined]
        ("Password", (2, 31), "hardware-192.168.1.100"),
        ("Password2", (2, 50), "hardware-192.168.1.100"),
        ("Password3", (2, 71), "hardware-192.168.1.100"),
    ]
    assert len(docs[0].credentials) == 15  # type: ignore[attr-defined]


def test_community_add_camera_list_judged(tmp_path: Path) -> None:
    shutil.copy(COMMUNITY_SAMPLE, tmp_path / "add-cameras.csv")
    (tmp_path / "site.yaml").write_text("vmspolicy: 1\nsites: [{id: site-a}]\n", encoding="utf-8")
    code, findings = check_json(tmp_path)
    assert code == 1
    # The empty password of the first row is no secret; the others are literal, each at its cell.
    assert where(findings, "VP401") == {("add-cameras.csv", 3, 34, "Front-Entrance"), ("add-cameras.csv", 4, 33, "Loading-Dock")}
    assert not where(findings, "VP001") and not where(findings, "VP002")


def test_planned_restricted_hardware_is_a_new_install(tmp_path: Path) -> None:
    (tmp_path / "import.csv").write_text(
        "HardwareName,Address,UserName,Password,DriverNumber,DriverFamily,RecordingServer\n"
        "Gate,http://10.8.30.21,admin,${CAM_PASS},,Hikvision,rs-1\n"
        "Yard,10.8.30.22,admin,${CAM_PASS},713,,rs-1\n",
        encoding="utf-8",
    )
    (tmp_path / "site.yaml").write_text("vmspolicy: 1\nsites: [{id: works}]\n", encoding="utf-8")
    code, findings = check_json(tmp_path)
    assert code == 1
    # A planned Hikvision is a new install, at its driver family cell; placeholders pass VP401.
    assert where(findings, "VP102") == {("import.csv", 2, 43, "Gate")}
    assert not where(findings, "VP401")
