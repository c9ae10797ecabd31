"""Tests that need a program from outside Python (headless Chromium, the SARIF multitool).

On a developer's fresh machine such a test skips, saying what to install; ``.ci/run`` installs
the programs and sets ``VMSPOLICY_REQUIRE_TOOLS=1``, which turns that skip into a failure, so CI
always runs them.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

REQUIRE = "VMSPOLICY_REQUIRE_TOOLS"


def missing(reason: str) -> NoReturn:
    """Skip the calling test for ``reason`` (what is missing and how to install it), or fail it in CI."""
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{reason}; {REQUIRE}=1 makes this an error")
    pytest.skip(reason)
