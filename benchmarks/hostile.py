"""The worst shapes an attacker can give vmspolicy below the input-size limit, timed one by one.

Each shape is written into ``--work`` and checked by ``vmspolicy check --no-plugins`` in a fresh
subprocess; the table says the file's size, the wall and CPU seconds and the peak memory (the
child's own ``ru_maxrss``), and the exit code (1: findings, as hostile input must give).

- ``flow``: a YAML flow sequence of N plain items (``sites: [1, 1, ...]``), a schema violation each;
- ``json``: a JSON array of N small objects (devices of one site);
- ``config.xml``: a pfSense backup with N filter rules, each from its own address, beside a
  manifest whose legacy camera makes the isolation analysis evaluate every rule.

Usage::

    .venv/bin/python benchmarks/hostile.py            # the sizes of the README's limits table (minutes)
    .venv/bin/python benchmarks/hostile.py --quick    # small sizes (seconds): what the test suite runs
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
FULL = {"flow": 1_000_000, "json": 300_000, "config.xml": 170_000}  # config.xml: 64.4 MB, just below the 64 MiB limit
QUICK = {"flow": 2_000, "json": 1_000, "config.xml": 500}

SITE = """\
vmspolicy: 1
sites: [{id: imported}]
cameras:
  - {id: cam-1, site: imported, vendor: Hikvision, ip: 10.50.0.11, installed: 2019-01-01,
     services: {p2p_cloud: false, upnp: false, ddns: false}}
"""


def flow(folder: Path, n: int) -> Path:
    path = folder / "flow.yaml"
    path.write_text("vmspolicy: 1\nsites: [" + ", ".join(["1"] * n) + "]\n", encoding="utf-8")
    return path


def array(folder: Path, n: int) -> Path:
    path = folder / "array.json"
    devices = [{"id": f"d{i}", "type": "other", "site": "hq"} for i in range(n)]
    path.write_text(json.dumps({"vmspolicy": 1, "sites": [{"id": "hq"}], "devices": devices}), encoding="utf-8")
    return path


def config_xml(folder: Path, n: int) -> Path:
    (folder / "site.yaml").write_text(SITE, encoding="utf-8")
    rule = (
        "\t\t<rule>\n\t\t\t<type>{action}</type>\n\t\t\t<interface>lan</interface>\n\t\t\t<ipprotocol>inet</ipprotocol>\n"
        "\t\t\t<protocol>tcp</protocol>\n\t\t\t<source>\n\t\t\t\t<address>10.{a}.{b}.{c}</address>\n\t\t\t</source>\n"
        "\t\t\t<destination>\n\t\t\t\t<any></any>\n\t\t\t\t<port>{port}</port>\n\t\t\t</destination>\n"
        "\t\t\t<descr><![CDATA[rule {i} of a generated backup, padded to the size of a real one's description]]></descr>\n"
        "\t\t</rule>\n"
    )
    rules = "".join(
        rule.format(action="pass" if i % 2 else "block", a=100 + i // 65536 % 100, b=i // 256 % 256, c=i % 256, port=1 + i % 65535, i=i)
        for i in range(n)
    )
    head = (
        '<?xml version="1.0"?>\n<pfsense>\n\t<system><hostname>fw</hostname></system>\n\t<interfaces>\n'
        "\t\t<lan><enable></enable><if>igb1</if><descr><![CDATA[LAN]]></descr><ipaddr>10.50.0.1</ipaddr><subnet>16</subnet></lan>\n"
        "\t</interfaces>\n\t<filter>\n"
    )
    path = folder / "config.xml"
    path.write_text(head + rules + "\t</filter>\n</pfsense>\n", encoding="utf-8")
    return path


SHAPES: dict[str, Callable[[Path, int], Path]] = {"flow": flow, "json": array, "config.xml": config_xml}


def measure(folder: Path) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds, peak resident KiB and exit code of one check of ``folder``."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "vmspolicy", "check", "--no-plugins", "--format", "json", "--as-of", "2026-06-01", "."],
        cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for the test suite")
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "out" / "hostile")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    print("| shape | items | file MB | wall s | CPU s | peak MB | exit |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, make in SHAPES.items():
        folder = args.work / name.replace(".", "-")
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
        path = make(folder, sizes[name])
        wall, cpu, peak, code = measure(folder)
        print(f"| {name} | {sizes[name]:,} | {path.stat().st_size / 1e6:.1f} | {wall:.1f} | {cpu:.1f} | {peak / 1024:.0f} | {code} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
