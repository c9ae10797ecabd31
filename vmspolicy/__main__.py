"""``python -m vmspolicy``."""

from vmspolicy.cli import main

raise SystemExit(main())
