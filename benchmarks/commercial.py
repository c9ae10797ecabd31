"""Do the commercial-estate loaders cost the same per policy, rule or row at every size?

A FortiGate backup, a PAN-OS configuration and a Milestone camera report are
generated with N policies, security rules or camera rows (and N address
objects, N/10 address groups of ten) behind a fixed set of 48 interfaces or
zones, as a large site has; each loader then reads its file several times in
this process. CPU seconds come from :func:`time.process_time` (the machine is
shared; the wall clock mostly measures the neighbours), best of ``--repeat``,
the cyclic collector paused as ``vmspolicy check`` pauses it.
The cost per item should stay flat as N grows: the loaders are linear in the
size of the file. Parsing is included (the FortiOS CLI reader, defusedxml, the
CSV splitter), the estate model and the rules are not (``run.py`` and
``isolation.py`` measure those).

    python benchmarks/commercial.py                 # N = 1,000 / 4,000 / 16,000 (a minute or two)
    python benchmarks/commercial.py --quick         # N = 200 / 800, once each (CI smoke test)
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vmspolicy.loading.base import Loader, SourceFile  # noqa: E402  (a script run from anywhere)

INTERFACES = 48


def fortigate(n: int) -> str:
    """A FortiOS backup with 48 VLAN interfaces, ``n`` hosts, ``n // 10`` groups and ``n`` policies."""
    out = ["#config-version=FGT600E-7.2.8-FW-build1639-240313:opmode=0:vdom=0:user=admin",
           'config system global\n    set hostname "fw-bench"\nend', "config system interface",
           '    edit "wan1"\n        set ip 198.51.100.2 255.255.255.0\n        set role wan\n    next']
    out += [f'    edit "vlan{i}"\n        set ip 10.{i}.0.1 255.255.0.0\n        set vlanid {i + 100}\n    next' for i in range(INTERFACES)]
    out.append("end\nconfig firewall address")
    out += [f'    edit "host{k}"\n        set subnet 10.{k % INTERFACES}.{k // 256 % 256}.{k % 256} 255.255.255.255\n    next' for k in range(n)]
    out.append("end\nconfig firewall addrgrp")
    out += [f'    edit "group{g}"\n        set member {" ".join(f"host{g * 10 + m}" for m in range(10))}\n    next' for g in range(n // 10)]
    out.append("end\nconfig firewall service custom")
    out += [f'    edit "svc{s}"\n        set tcp-portrange {1000 + s}\n    next' for s in range(50)]
    out.append("end\nconfig firewall policy")
    for k in range(n):
        src = f"host{k}" if k % 2 else f"group{(k // 2) % max(1, n // 10)}"
        out.append(
            f'    edit {k + 1}\n        set srcintf "vlan{k % INTERFACES}"\n        set dstintf "vlan{(k + 7) % INTERFACES}"\n'
            f'        set action {"accept" if k % 5 else "deny"}\n        set srcaddr "{src}"\n        set dstaddr "all"\n'
            f'        set schedule "always"\n        set service "svc{k % 50}"\n    next'
        )
    out.append("end\n")
    return "\n".join(out)


def panos(n: int) -> str:
    """A PAN-OS configuration with 48 zones, ``n`` addresses, ``n // 10`` groups and ``n`` security rules."""
    units = "".join(f'<entry name="ethernet1/2.{i}"><tag>{i + 100}</tag><ip><entry name="10.{i}.0.1/16"/></ip></entry>' for i in range(INTERFACES))
    zones = "".join(f'<entry name="z{i}"><network><layer3><member>ethernet1/2.{i}</member></layer3></network></entry>' for i in range(INTERFACES))
    addresses = "".join(f'<entry name="host{k}"><ip-netmask>10.{k % INTERFACES}.{k // 256 % 256}.{k % 256}</ip-netmask></entry>' for k in range(n))
    groups = "".join(
        f'<entry name="group{g}"><static>{"".join(f"<member>host{g * 10 + m}</member>" for m in range(10))}</static></entry>' for g in range(n // 10)
    )
    services = "".join(f'<entry name="svc{s}"><protocol><tcp><port>{1000 + s}</port></tcp></protocol></entry>' for s in range(50))
    rules = "".join(
        f'<entry name="r{k}"><from><member>z{k % INTERFACES}</member></from><to><member>z{(k + 7) % INTERFACES}</member></to>'
        f'<source><member>{f"host{k}" if k % 2 else f"group{(k // 2) % max(1, n // 10)}"}</member></source>'
        f'<destination><member>any</member></destination><application><member>any</member></application>'
        f'<service><member>svc{k % 50}</member></service><action>{"allow" if k % 5 else "deny"}</action></entry>\n'
        for k in range(n)
    )
    return (
        '<?xml version="1.0"?>\n<config version="11.0.0"><devices><entry name="localhost.localdomain">'
        f'<network><interface><ethernet><entry name="ethernet1/2"><layer3><units>{units}</units></layer3></entry>'
        '</ethernet></interface></network><deviceconfig><system><hostname>pa-bench</hostname></system></deviceconfig>'
        f'<vsys><entry name="vsys1"><zone>{zones}</zone><address>{addresses}</address><address-group>{groups}</address-group>'
        f'<service>{services}</service><rulebase><security><rules>\n{rules}</rules></security></rulebase></entry></vsys>'
        "</entry></devices></config>\n"
    )


def milestone(n: int) -> str:
    """A camera report with ``n`` rows (two channels per hardware) on four recording servers."""
    header = "Name;Channel;Enabled;HardwareName;HardwareId;Model;Address;MAC;Firmware;DriverFamily;Driver;RecorderName;RecorderUri"
    rows = [
        f"Cam {k} - Camera {k % 2 + 1};{k % 2};TRUE;Cam {k // 2};{k // 2:08X}-0000-4000-8000-000000000000;Q6075-E;"
        f"http://10.{k // 2 % INTERFACES}.{k // 2 // 256 % 256}.{k // 2 % 256}/;00408C{k // 2:06X};10.12;Axis;Axis 1-channel;"
        f"RS-{k // 2 % 4};http://10.200.0.{k // 2 % 4 + 1}:7563/"
        for k in range(n)
    ]
    return "\n".join([header, *rows]) + "\n"


FORMATS: dict[str, tuple[str, Callable[[int], str], str, str]] = {
    "fortigate": ("fw.conf", fortigate, "vmspolicy.loading.fortigate", "FORTIGATE_LOADER"),
    "panos": ("running-config.xml", panos, "vmspolicy.loading.panos", "PANOS_LOADER"),
    "milestone": ("cameras.csv", milestone, "vmspolicy.loading.milestone", "MILESTONE_LOADER"),
}


def measure(fmt: str, n: int, repeat: int) -> tuple[float, float, int]:
    """Megabytes, best CPU seconds of ``repeat`` loads, and how many records the loader produced."""
    import importlib

    name, generate, module, attribute = FORMATS[fmt]
    raw = generate(n).encode("utf-8")
    loader: Loader = getattr(importlib.import_module(module), attribute)
    best, records = float("inf"), 0
    for _ in range(repeat):
        source = SourceFile(name, raw)  # a fresh file each time: decoding is part of the cost
        gc.collect()
        gc.disable()  # as `vmspolicy check` runs: the cyclic collector would charge earlier garbage to this load
        try:
            start = time.process_time()
            documents = loader.load(source)
            best = min(best, time.process_time() - start)
        finally:
            gc.enable()
        assert documents is not None, f"{fmt}: the generated file was not recognised"
        data = documents[0].data
        records = sum(len(data.get(section) or []) for section in ("zones", "cameras", "recorders"))
        records += sum(len(f.get("rules") or []) for f in data.get("firewalls") or [])
    return len(raw) / 1e6, best, records


def render(sizes: Sequence[int], repeat: int) -> str:
    lines = [
        f"Command: `python benchmarks/commercial.py` (N = {', '.join(f'{n:,}' for n in sizes)}; best of {repeat}; CPU seconds).",
        "",
        "| format | N | MB | records out | load cpu s | µs per item | per item vs smallest N |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for fmt in FORMATS:
        first: float | None = None
        for n in sizes:
            megabytes, seconds, records = measure(fmt, n, repeat)
            per_item = seconds / n * 1e6
            first = per_item if first is None else first
            lines.append(f"| {fmt} | {n:,} | {megabytes:.2f} | {records:,} | {seconds:.3f} | {per_item:.1f} | {per_item / first:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 200 / 800, once each")
    parser.add_argument("--sizes", help="comma-separated N (default 1000,4000,16000)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = [200, 800] if args.quick else [int(s) for s in (args.sizes or "1000,4000,16000").split(",")]
    print(render(sizes, 1 if args.quick else args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
