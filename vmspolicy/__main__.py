"""``python -m vmspolicy``."""

from vmspolicy.cli import run

run()
