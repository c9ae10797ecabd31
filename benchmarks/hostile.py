"""The worst shapes an attacker can give vmspolicy below its input limits, timed one by one.

Each shape is written into ``--work`` at the largest size the limits let through (the node limit,
``max_nodes``, the record limit, ``max_records``, and the input-size limit, ``max_file_size``: see
the README's Limits) and checked by
``vmspolicy check --no-plugins`` in a fresh subprocess, with an empty load cache that the run fills
(the default, and the costlier way: a cache left by an earlier run of the same shape would skip the
very work measured, and no cache at all skips writing it); the table says the file's size, the wall and
CPU seconds and the peak memory (the child's own ``ru_maxrss``), and the exit code (1: findings, as
hostile input must give).

- ``flow``: a YAML flow sequence of plain items (``sites: [1, 1, ...]``), a schema violation each,
  as many as the node limit lets through;
- ``json``: a JSON array of devices that each break the schema (a wrong ``type``, an unknown key),
  as many as the record limit lets through;
- ``records``: the smallest records, cameras with an id alone (``{id: c1}``), each a record of the
  model and a finding, as many as the record limit lets through;
- ``config.xml``: a pfSense backup of filter rules, each from its own address, beside a manifest
  whose legacy camera makes the isolation analysis evaluate every rule, as many as the record
  limit lets through (below the size limit);
- ``scalar``: one camera whose ``notes`` fill the size limit, which identification reads;
- ``words``: the same with made-up words that name nothing (nothing is found, everything is read);
- ``deep``: cameras each holding a list nested to the depth limit (100 levels), as many as the
  node limit's share of mappings and sequences lets through.

Usage::

    .venv/bin/python benchmarks/hostile.py            # at the limits (minutes, several GB for some shapes)
    .venv/bin/python benchmarks/hostile.py --quick    # small sizes (seconds): what the test suite runs
    .venv/bin/python benchmarks/hostile.py --only flow json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from vmspolicy.core.limits import MAX_CONTAINERS, MAX_NODES, MAX_RECORDS  # noqa: E402 - the checkout's, not an installed one's
from vmspolicy.run.pipeline import MAX_FILE_BYTES  # noqa: E402

# Items of each shape: what the limits let through (nodes a shape's frame and each item hold, in the comments).
FULL = {
    "flow": MAX_NODES - 5,  # root, 'vmspolicy', 1, 'sites', the sequence; one node an item
    "json": min((MAX_NODES - 12) // 9, MAX_RECORDS - 1),  # a device: its mapping, four keys, four values; and the site
    "records": min((MAX_NODES - 5) // 3, MAX_RECORDS),  # a camera: its mapping, 'id', the id
    "config.xml": min(170_000, MAX_RECORDS - 2),  # a rule each, and the LAN zone and the firewall (170,000 rules: 64.4 MB)
    "scalar": MAX_FILE_BYTES - 200,  # characters of notes
    "words": MAX_FILE_BYTES - 200,  # characters of notes
    # A camera: its mapping, 5 keys and values, a list of 97 levels and its item (104 nodes, 98 of them containers);
    # the frame: the document's mapping, the sites list and its site, the cameras list.
    "deep": min((MAX_NODES - 10) // 104, (MAX_CONTAINERS - 4) // 98),
}
QUICK = {"flow": 2_000, "json": 1_000, "records": 1_000, "config.xml": 500, "scalar": 100_000, "words": 100_000, "deep": 100}

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
    devices = [{"id": f"d{i}", "type": "thing", "site": "hq", "colour": "red"} for i in range(n)]
    path.write_text(json.dumps({"vmspolicy": 1, "sites": [{"id": "hq"}], "devices": devices}), encoding="utf-8")
    return path


def records(folder: Path, n: int) -> Path:
    path = folder / "cameras.yaml"
    path.write_text("vmspolicy: 1\ncameras: [" + ", ".join(f"{{id: c{i}}}" for i in range(n)) + "]\n", encoding="utf-8")
    return path


def scalar(folder: Path, n: int) -> Path:
    path = folder / "notes.yaml"
    notes = ("Hikvision DS-2CD2143G0-I rtsp://10.0.0.1/ 44:19:b6:12:34:56 " * (n // 60 + 1))[:n]
    path.write_text(f"vmspolicy: 1\nsites: [{{id: hq}}]\ncameras:\n  - {{id: c1, site: hq, notes: '{notes}'}}\n", encoding="utf-8")
    return path


def words(folder: Path, n: int) -> Path:
    """One camera without a vendor whose ``notes`` are ``n`` characters of made-up words: nothing to find, all to read."""
    import random

    chance = random.Random(2026)  # the same text on every run
    letters = "abcdefghijklmnopqrstuvwxyz"
    text: list[str] = []
    size = 0
    while size < n:
        word = "".join(chance.choices(letters, k=chance.randint(3, 9)))
        text.append(word)
        size += len(word) + 1
    path = folder / "words.yaml"
    notes = " ".join(text)[:n]
    # No site: a finding (VP002) whatever the words happen to name, so that every shape fails as hostile input must.
    path.write_text(f"vmspolicy: 1\nsites: [{{id: hq}}]\ncameras:\n  - {{id: c1, notes: '{notes}'}}\n", encoding="utf-8")
    return path


def deep(folder: Path, n: int) -> Path:
    path = folder / "deep.yaml"
    nested = "[" * 97 + "1" + "]" * 97  # with the top mapping, the cameras and the camera: 100 levels, the limit
    path.write_text(
        "vmspolicy: 1\nsites: [{id: hq}]\ncameras:\n" + "".join(f"  - {{id: c{i}, site: hq, x: {nested}}}\n" for i in range(n)),
        encoding="utf-8",
    )
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


SHAPES: dict[str, Callable[[Path, int], Path]] = {
    "flow": flow, "json": array, "records": records, "config.xml": config_xml, "scalar": scalar, "words": words, "deep": deep,
}


def measure(folder: Path) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds, peak resident KiB and exit code of one check of ``folder``, writing an empty cache."""
    cache = folder.parent / f".cache-{folder.name}"
    shutil.rmtree(cache, ignore_errors=True)
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "vmspolicy", "check", "--no-plugins", "--cache-dir", str(cache), "--format", "json",
         "--as-of", "2026-06-01", "."],
        cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for the test suite")
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "out" / "hostile")
    parser.add_argument("--only", nargs="+", choices=sorted(SHAPES), help="these shapes only")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    print("| shape | items | file MB | wall s | CPU s | peak MB | exit |", flush=True)
    print("|---|---:|---:|---:|---:|---:|---:|", flush=True)
    for name, make in SHAPES.items():
        if args.only and name not in args.only:
            continue
        folder = args.work / name.replace(".", "-")
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
        path = make(folder, sizes[name])
        wall, cpu, peak, code = measure(folder)
        print(f"| {name} | {sizes[name]:,} | {path.stat().st_size / 1e6:.1f} | {wall:.1f} | {cpu:.1f} | {peak / 1024:.0f} | {code} |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
