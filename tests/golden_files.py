"""Golden-file comparison: byte for byte, with ``pytest --update-golden`` to rewrite after a reviewed change."""

from __future__ import annotations

from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"


def assert_golden(name: str, actual: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
        return
    assert path.exists(), f"no golden file {path}; run pytest --update-golden and review it"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from {path} (pytest --update-golden rewrites it)"
