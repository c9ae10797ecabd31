"""Where the files shipped inside the package are: vendor data, policy packs, JSON Schemas.

They are read straight from the package folder. Installers unpack wheels, and
``importlib.resources`` (for packages run from a zip file) costs some 5 ms of
every run's start-up, a pre-commit hook's included.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # vmspolicy/, which holds data/ (and schemas/ in a wheel)
SOURCE_TREE = PACKAGE.parent  # the repository, when running from a checkout (editable install)


def data_file(*parts: str) -> Path:
    """A file or folder under the package's ``data/``."""
    return PACKAGE.joinpath("data", *parts)


def schema_file(filename: str) -> Path:
    """A JSON Schema: copied into the wheel as ``vmspolicy/schemas``, at the top of a source checkout."""
    packaged = PACKAGE / "schemas" / filename
    return packaged if packaged.is_file() else SOURCE_TREE / "schemas" / filename
