"""Synthetic estates in manifest format v1, for the benchmark harness.

An estate of N cameras is spread over sites of about 1,000 cameras each. Every
site has ten zones (six camera zones, one legacy-cameras zone, the recorders'
vms zone, management and corporate), a firewall of about twenty rules, one
recorder per hundred cameras and a few guard workstations. About 5% of the
cameras are legacy Hikvision (a few are legacy Dahua), installed before the UK
cut-off of 2022-11-24, alone in the site's legacy-cameras zone and covered by
a waiver; every other camera is from an unrestricted vendor. So the estate is
meant to pass: the benchmark measures a full run, not the reporting of
thousands of findings.

Output is deterministic for a given seed (byte for byte), so two runs of the
harness time the same files. The YAML is written by hand, line by line, in the
shape people write (block style, one camera per item), because a YAML emitter
would be the slowest part of generating 100,000 cameras.

    python benchmarks/generate.py --cameras 10000 --out benchmarks/out/estate-10k.yaml
    python benchmarks/generate.py --cameras 10000 --split --out benchmarks/out/estate-10k/
"""

from __future__ import annotations

import argparse
import ipaddress
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

SITE_SIZE = 1000
LEGACY_SHARE = 0.05
AS_OF = "2026-06-01"
"""The day the harness judges the estate on (``--as-of``): the waivers are valid then."""

CAMERA_ZONES = 6
RECORDERS_PER_CAMERAS = 100

# Unrestricted camera vendors with an OUI each really uses, and model numbers in their style.
VENDORS: tuple[tuple[str, tuple[str, ...], tuple[str, ...], int], ...] = (
    ("Axis", ("accc8e", "00408c", "b8a44f"), ("P3245-LVE", "M3106-L Mk II", "Q6135-LE", "P1455-LE"), 35),
    ("Bosch", ("00075f",), ("NDE-5704-AL", "NBE-3502-AL", "FLEXIDOME IP 5100i"), 20),
    ("Hanwha Vision", ("000918",), ("XNV-8080R", "QNO-6012R", "XND-6080RV"), 20),
    ("Avigilon", ("001885",), ("2.0C-H5A-DO1", "5.0C-H5A-BO1-IR"), 10),
    ("Mobotix", ("0003c5",), ("M16B", "S74", "Q71"), 8),
    ("Vivotek", ("0002d1",), ("IB9389-EHT", "FD9389-HV"), 7),
)
RESTRICTED: tuple[tuple[str, tuple[str, ...], tuple[str, ...], str, int], ...] = (
    # vendor, OUIs (from shared/data/restricted-oui-2026-03.tsv), models, stream path, weight
    ("Hikvision", ("4419b6", "2857be", "bcad28"), ("DS-2CD2143G0-I", "DS-2CD2043G2-I", "DS-2CD2T47G2-L"),
     "/Streaming/Channels/101", 10),
    ("Dahua", ("3cef8c", "e0508b"), ("IPC-HDW2431T-AS", "IPC-HFW2431S-S"), "/cam/realmonitor?channel=1&subtype=0", 1),
)
RECORDERS: tuple[tuple[str, str], ...] = (
    ("Milestone", "XProtect Corporate 2024 R1"),
    ("Genetec", "Security Center 5.12"),
    ("Axis", "S1216 Tower"),
)


@dataclass
class Site:
    index: int
    cameras: int
    id: str = ""
    lines: list[str] = field(default_factory=list)
    legacy: list[str] = field(default_factory=list)


def site_network(index: int) -> ipaddress.IPv4Network:
    """Site ``index`` owns one /16 of 10.0.0.0/8, then of 100.64.0.0/10 (room for 318 sites)."""
    if index < 256:
        return ipaddress.IPv4Network(f"10.{index}.0.0/16")
    if index < 256 + 64:
        return ipaddress.IPv4Network(f"100.{64 + index - 256}.0.0/16")
    raise SystemExit(f"generate.py: too many sites ({index + 1}); at most 320,000 cameras")


def plan_sites(cameras: int) -> list[Site]:
    """Sites of SITE_SIZE cameras; the last one holds the remainder (at least one camera per site)."""
    sites = [Site(i, SITE_SIZE) for i in range(cameras // SITE_SIZE)]
    rest = cameras % SITE_SIZE
    if rest or not sites:
        sites.append(Site(len(sites), max(rest, 1) if cameras else 0))
    for site in sites:
        site.id = f"site-{site.index + 1:03d}"
    return sites


def _mac(rng: random.Random, oui: str) -> str:
    tail = rng.getrandbits(24)
    raw = f"{oui}{tail:06x}"
    return ":".join(raw[i : i + 2] for i in range(0, 12, 2))


def _date(rng: random.Random, first_year: int, last_year: int) -> str:
    return f"{rng.randint(first_year, last_year)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def site_lines(site: Site, rng: random.Random, macs: set[str]) -> dict[str, list[str]]:
    """The YAML lines of each section for one site (without the section headers)."""
    net = site_network(site.index)
    base = str(net.network_address).rsplit(".", 2)[0]  # "10.7"
    sid = site.id
    zones = [f"{sid}-cctv-{z + 1}" for z in range(CAMERA_ZONES)]
    legacy_zone, vms_zone, mgmt_zone, corp_zone = f"{sid}-cctv-legacy", f"{sid}-vms", f"{sid}-mgmt", f"{sid}-corp"
    # A camera zone may hold more than 254 cameras: each gets a /23 (third octets 100-111).
    subnet = {zone: 100 + 2 * i for i, zone in enumerate(zones)}
    subnet.update({legacy_zone: 30, vms_zone: 40, mgmt_zone: 50, corp_zone: 60})
    prefix = {zone: 23 for zone in zones}

    out: dict[str, list[str]] = {k: [] for k in ("sites", "zones", "cameras", "recorders", "devices", "firewalls", "waivers")}
    # Every tenth site is sensitive: it holds no restricted device at all.
    sensitive = site.index % 10 == 9
    out["sites"] += [
        f"  - id: {sid}",
        f"    name: Site {site.index + 1}",
        f"    sensitive: {'true' if sensitive else 'false'}",
    ]
    purposes = {**{z: "cameras" for z in zones}, legacy_zone: "legacy-cameras", vms_zone: "vms", mgmt_zone: "management",
                corp_zone: "corporate"}
    for zone, purpose in purposes.items():
        out["zones"] += [
            f"  - id: {zone}",
            f"    site: {sid}",
            f"    vlan: {subnet[zone] + 100}",
            f"    cidr: {base}.{subnet[zone]}.0/{prefix.get(zone, 24)}",
            f"    purpose: {purpose}",
        ]

    legacy_count = 0 if sensitive else round(site.cameras * LEGACY_SHARE)
    hosts = {zone: 10 for zone in purposes}

    def address(zone: str) -> str:
        n = hosts[zone]
        hosts[zone] += 1
        third = subnet[zone] + n // 256
        return f"{base}.{third}.{n % 256}"

    def unique_mac(oui: str) -> str:
        while True:
            mac = _mac(rng, oui)
            if mac not in macs:
                macs.add(mac)
                return mac

    weights = [w for *_, w in RESTRICTED]
    for n in range(site.cameras):
        cam = f"{sid}-cam-{n + 1:04d}"
        if n < legacy_count:
            vendor, ouis, models, path, _ = rng.choices(RESTRICTED, weights)[0]
            ip = address(legacy_zone)
            out["cameras"] += [
                f"  - id: {cam}",
                f"    site: {sid}",
                f"    zone: {legacy_zone}",
                f"    vendor: {vendor}",
                f"    model: {rng.choice(models)}",
                f"    mac: {unique_mac(rng.choice(ouis))}",
                f"    ip: {ip}",
                f"    firmware: V5.{rng.randint(4, 7)}.{rng.randint(0, 9)} build {rng.randint(170101, 220930)}",
                f"    installed: {_date(rng, 2016, 2021)}",
                "    status: active",
                "    services: {p2p_cloud: false, upnp: false, ddns: false, telnet: false, ssh: false, onvif: true}",
                f'    streams: ["rtsp://${{CAM_USER}}:${{CAM_PASS}}@{ip}:554{path}"]',
            ]
            site.legacy.append(cam)
            continue
        vendor, ouis, models, _ = rng.choices(VENDORS, [w for *_, w in VENDORS])[0]
        zone = zones[n % CAMERA_ZONES]
        ip = address(zone)
        lines = [
            f"  - id: {cam}",
            f"    site: {sid}",
            f"    zone: {zone}",
            f"    vendor: {vendor}",
            f"    model: {rng.choice(models)}",
            f"    mac: {unique_mac(rng.choice(ouis))}",
            f"    ip: {ip}",
            f"    installed: {_date(rng, 2018, 2026)}",
        ]
        if rng.random() < 0.05:
            lines.append("    status: planned")
        if rng.random() < 0.3:
            lines.append(f"    streams: [rtsp://{ip}:554/stream1]")
        out["cameras"] += lines

    for r in range(max(1, -(-site.cameras // RECORDERS_PER_CAMERAS))):
        vendor, model = RECORDERS[r % len(RECORDERS)]
        out["recorders"] += [
            f"  - id: {sid}-nvr-{r + 1:02d}",
            f"    site: {sid}",
            f"    zone: {vms_zone}",
            f"    vendor: {vendor}",
            f"    model: {model}",
            f"    ip: {address(vms_zone)}",
        ]
    for w in range(3):
        out["devices"] += [
            f"  - {{id: {sid}-ws-{w + 1}, type: workstation, site: {sid}, zone: {corp_zone}, ip: {address(corp_zone)}}}"
        ]

    rules: list[tuple[str, str, str, str | None, str]] = []
    for zone in zones:
        rules.append((f"vms-pulls-{zone}", vms_zone, zone, "[tcp/554, tcp/80, tcp/443]", "allow"))
    rules.append(("vms-pulls-legacy", vms_zone, legacy_zone, "[tcp/554, tcp/80, tcp/443]", "allow"))
    rules.append(("legacy-no-egress", legacy_zone, "internet", None, "deny"))
    rules.append(("no-ingress-to-legacy", "internet", legacy_zone, None, "deny"))
    rules.append(("legacy-isolated", legacy_zone, "any", None, "deny"))
    for zone in zones:
        rules.append((f"mgmt-admin-{zone}", mgmt_zone, zone, "[tcp/22, tcp/443]", "allow"))
    rules.append(("guards-view-vms", corp_zone, vms_zone, "[tcp/443, tcp/8081]", "allow"))
    rules.append(("mgmt-admin-vms", mgmt_zone, vms_zone, "[tcp/22, tcp/443, tcp/3389]", "allow"))
    rules.append(("vms-updates", vms_zone, "internet", "[tcp/443]", "allow"))
    out["firewalls"] += [f"  - id: {sid}-fw", f"    site: {sid}", "    default: deny", "    rules:"]
    for name, source, dest, ports, action in rules:
        out["firewalls"] += [f"      - name: {name}", f"        from: {source}", f"        to: {dest}"]
        if ports:
            out["firewalls"].append(f"        ports: {ports}")
        out["firewalls"].append(f"        action: {action}")
    out["firewalls"].append("    nat: []")

    if site.legacy:
        out["waivers"] += [
            f"  - id: W-{sid}",
            "    devices:",
            *(f"      - {cam}" for cam in site.legacy),
            f"    reason: Legacy cameras of {sid} stay until the 2027 refit; isolated in {legacy_zone}",
            "    approved_by: Head of Security",
            f"    ticket: SEC-{1000 + site.index}",
            "    approved_on: 2025-09-01",
            "    expires: 2027-08-31",
            "    rules: [VP103]",
        ]
    return out


def manifest(sections: dict[str, list[str]], comment: str) -> Iterator[str]:
    yield f"# {comment}"
    yield "vmspolicy: 1"
    for name, lines in sections.items():
        if lines:
            yield f"{name}:"
            yield from lines


def generate(cameras: int, out: Path, *, split: bool = False, seed: int = 2026) -> list[Path]:
    """Write the estate; return the files written (one, or one per site plus waivers.yaml)."""
    rng = random.Random(seed)
    macs: set[str] = set()
    sites = plan_sites(cameras)
    header = f"synthetic estate: {cameras} cameras, seed {seed} (benchmarks/generate.py); judge it --as-of {AS_OF}"
    written: list[Path] = []
    if split:
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("*.yaml"):
            old.unlink()
        waivers: list[str] = []
        for site in sites:
            sections = site_lines(site, rng, macs)
            waivers += sections.pop("waivers")
            path = out / f"{site.id}.yaml"
            path.write_text("\n".join(manifest(sections, header)) + "\n", encoding="utf-8")
            written.append(path)
        if waivers:
            path = out / "waivers.yaml"
            path.write_text("\n".join(manifest({"waivers": waivers}, header)) + "\n", encoding="utf-8")
            written.append(path)
        return written
    merged: dict[str, list[str]] = {}
    for site in sites:
        for name, lines in site_lines(site, rng, macs).items():
            merged.setdefault(name, []).extend(lines)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(manifest(merged, header)) + "\n", encoding="utf-8")
    return [out]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cameras", type=int, default=1000, help="how many cameras (default 1000)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument("--split", action="store_true", help="one file per site plus waivers.yaml, in the folder --out")
    parser.add_argument("--out", type=Path, required=True, help="the file to write (a folder with --split)")
    args = parser.parse_args(argv)
    if args.cameras < 0:
        parser.error("--cameras must be 0 or more")
    files = generate(args.cameras, args.out, split=args.split, seed=args.seed)
    size = sum(f.stat().st_size for f in files)
    print(f"wrote {len(files)} file(s), {size / 1e6:.1f} MB, {args.cameras} cameras")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
