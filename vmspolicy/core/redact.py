"""What findings, reports and baselines may show of a URL: never its password."""

from __future__ import annotations

import re

# user:password@ in a URL. The password runs to the last '@' before the path: passwords may hold '@'.
_CREDENTIALS = re.compile(r"(?<=://)([^/@\s:]*):[^/\s]*@")


def redact_url(text: str) -> str:
    """``rtsp://admin:Sup3r@host/...`` → ``rtsp://admin:****@host/...`` (anything else unchanged)."""
    return _CREDENTIALS.sub(r"\1:****@", text)
