"""``vmspolicy schema``: the manifest JSON Schema with policy packs compiled in.

For editors (yaml-language-server reads a ``$schema`` modeline) and for teams
whose gate is already check-jsonschema: they get the per-entry part of the
policy (restricted vendors, relabels, MAC blocks and model numbers; new
installs; a legacy device's zone and cloud services) with no new tool. What a
schema cannot judge is in its description; ``vmspolicy check`` judges it all.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    """Add ``vmspolicy schema`` to the command line."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "schema",
        help="print the manifest JSON Schema with policy packs compiled in (for editors and check-jsonschema)",
        description="Print the manifest v1 JSON Schema (draft 2020-12) with the policy packs compiled in: restricted vendor "
        "names, brands and relabels (look-alike characters included), model numbers and MAC blocks; new installs rejected; "
        "legacy devices must name their zone and declare P2P cloud, UPnP and DDNS off. Default packs: --profile, else the "
        "configuration's profiles, else every built-in pack.",
    )
    parser.add_argument("--profile", action="append", default=[], metavar="NAME", help="policy pack to compile in (repeatable)")
    parser.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the schema to FILE instead of stdout")
    parser.add_argument("--config", type=Path, help="configuration file (default: nearest .vmspolicy.yaml or pyproject.toml)")
    parser.add_argument("--no-plugins", action="store_true", help="do not load third-party plugins (their packs and vendor data)")
    parser.set_defaults(func=cmd_schema)


def cmd_schema(args: argparse.Namespace) -> int:
    from vmspolicy.analysis.identify.catalog import CatalogError
    from vmspolicy.cli.options import EXIT_OK, CliError, plugins_for, resolve_config
    from vmspolicy.core.packs import builtin_pack_ids
    from vmspolicy.schema_export import ExportError, export, render

    config = resolve_config(args)
    host = plugins_for(args)
    configured = list(config.settings.get("packs") or ())
    try:
        schema = export([*host.packs(), *configured], host.vendor_data(), config.profiles, builtin_pack_ids())
    except (ExportError, CatalogError) as exc:
        raise CliError(f"cannot compile the schema: {exc}") from None
    text = render(schema)
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    _write(args.output, text)
    return EXIT_OK


def _write(path: Path, text: str) -> None:
    """Replace ``path`` in one step, so an editor or a gate never reads half a schema."""
    from vmspolicy.cli.options import CliError

    folder = path.parent if str(path.parent) else Path(".")
    umask = os.umask(0o022)
    os.umask(umask)
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        # mkstemp creates the file private (0600); a schema is meant to be read by editors and CI.
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror or exc}") from None
