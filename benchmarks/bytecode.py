"""Byte-compile the measured tools' packages first, as installing them does.

pip writes every module's ``.pyc`` when it installs a wheel, so a pre-commit
hook or a CI job imports vmspolicy and check-jsonschema from bytecode. An
editable install under ``PYTHONDONTWRITEBYTECODE=1`` (as on the development
machine) has none: every run would compile vmspolicy's ~150 modules from source
(about 0.1 s of CPU on the small file) while check-jsonschema, installed from a
wheel, loads its bytecode. Compiling here measures both as users run them;
reading ``.pyc`` files works with the variable set, it only stops writing them.
"""

from __future__ import annotations

import compileall
import importlib.util

PACKAGES = ("vmspolicy", "check_jsonschema")


def compile_bytecode(packages: tuple[str, ...] = PACKAGES) -> None:
    """Write the ``.pyc`` files of ``packages`` where they are missing or stale (quietly; a read-only install is left as it is)."""
    for name in packages:
        spec = importlib.util.find_spec(name)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            compileall.compile_dir(folder, quiet=2)
