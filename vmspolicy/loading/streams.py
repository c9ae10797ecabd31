"""Stream sources as NVRs, restreamers and manifests write them, and the secrets written in them.

``rtsp://user:pass@host:554/...``, go2rtc's ``ffmpeg:name#audio=opus`` and
``exec:ffmpeg -i rtsp://...``, ``isapi://``, ``dvrip://``... split into their
parts, with offsets back into the written text; and telling a placeholder
(``{FRIGATE_CAM_PASS}``, ``${VAR}``, ``$VAR``, ``<PASSWORD>``, ``!secret
name``) from a literal secret. The credentials rule reads manifests' stream
URLs with these, and the loaders of other tools' files their sources.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Final
from urllib.parse import parse_qsl

from vmspolicy.core.records import record
from vmspolicy.core.source import LocatedMap, LocatedSeq
from vmspolicy.loading.base import Tagged

# Placeholders that tools expand at run time. None of these is a secret written in the file.
_PLACEHOLDER: Final = re.compile(
    r"\{FRIGATE_[A-Za-z0-9_]+\}"  # Frigate's environment substitution
    r"|\$\{[^}]*\}"  # ${VAR}, ${VAR:-default}: shells, docker compose, go2rtc
    r"|\$[A-Za-z_][A-Za-z0-9_]*"  # $VAR: go2rtc, shells
    r"|\{\{[^}]*\}\}"  # {{ var }}: Ansible, Home Assistant templates
    r"|<[A-Za-z0-9_ .-]+>"  # <PASSWORD>: documentation and templates
    r"|%[A-Za-z_][A-Za-z0-9_]*%"  # %VAR%: Windows
    r"|!secret\s+\S+"  # Home Assistant's !secret, once turned into text
)
# A value made only of mask characters was scrubbed, not written: there is nothing to leak.
_MASKED: Final = re.compile(r"^[*xX•.#_-]{3,}$")
_PASSWORD_PARAMS: Final = frozenset({"password", "passwd", "pass", "pwd", "psw", "passphrase", "secret", "token", "key"})

LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "localhost", "::1", "0.0.0.0"})
RESTREAM_PORT: Final = 8554
"""The port go2rtc (and Frigate's built-in go2rtc) restreams on."""


def is_placeholder(text: str) -> bool:
    """True when ``text`` holds a placeholder (or only a mask) rather than a literal secret."""
    return bool(_PLACEHOLDER.search(text) or _MASKED.match(text))


def is_literal_secret(value: Any) -> bool:
    """True when ``value`` is a secret written out in the file: a non-empty string, not a placeholder."""
    if isinstance(value, Tagged) or not isinstance(value, (str, int)) or isinstance(value, bool):
        return False
    text = str(value)
    return bool(text.strip()) and not is_placeholder(text)


def mask(secret: str) -> str:
    """How a secret is shown in findings: always the same mask, so not even its length leaks."""
    return "****" if secret else ""


def plain(value: Any) -> str | None:
    """A scalar as text; an application tag becomes its placeholder text (never evaluated)."""
    if isinstance(value, Tagged):
        return str(value)
    if value is None or isinstance(value, (LocatedMap, LocatedSeq)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@record(frozen=True, slots=True)
class StreamSource:
    """One stream source as written, split into its parts.

    ``url`` is the source without a go2rtc ``ffmpeg:`` prefix and ``#`` options;
    ``offset`` is where ``url`` starts inside the written text. ``reference`` is
    set when the source names another go2rtc stream (``ffmpeg:front_door``).
    """

    written: str
    url: str
    offset: int
    scheme: str = ""
    user: str | None = None
    password: str | None = None
    password_offset: int = -1
    host: str = ""
    port: int | None = None
    path: str = ""
    reference: str | None = None

    @property
    def ip(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        """The host as an IP address, when it is one and not a loopback or wildcard address."""
        try:
            address = ipaddress.ip_address(self.host.strip("[]"))
        except ValueError:
            return None
        return None if (address.is_loopback or address.is_unspecified) else address

    @property
    def restream_name(self) -> str | None:
        """The stream name when this is a go2rtc restream (``rtsp://127.0.0.1:8554/name``)."""
        if self.scheme in ("rtsp", "rtsps") and (self.port == RESTREAM_PORT or self.host in LOOPBACK_HOSTS):
            name = self.path.strip("/").split("?", 1)[0]
            return name or None
        return None

    def query_secrets(self) -> list[tuple[str, str, int]]:
        """Literal or placeholder secrets passed as query parameters: (name, value, offset in ``written``)."""
        found: list[tuple[str, str, int]] = []
        _, _, query = self.url.partition("?")
        if not query:
            return found
        start = self.offset + self.url.index("?") + 1
        for name, value in parse_qsl(query, keep_blank_values=True):
            if name.lower() in _PASSWORD_PARAMS and value:
                at = self.written.find(f"{name}=", start)
                found.append((name, value, at + len(name) + 1 if at >= 0 else self.offset))
        return found

    def masked(self) -> str:
        """The source with every literal secret replaced by asterisks, for messages."""
        text = self.url
        if self.password and is_literal_secret(self.password):
            text = text.replace(f":{self.password}@", f":{mask(self.password)}@", 1)
        for name, value, _ in self.query_secrets():
            if is_literal_secret(value):
                text = text.replace(f"{name}={value}", f"{name}={mask(value)}")
        return text


_EXEC_URL: Final = re.compile(r"[a-z][a-z0-9+.-]*://[^\s'\"#]+", re.IGNORECASE)


def parse_source(written: str) -> StreamSource:
    """Split a stream source (an URL, ``ffmpeg:...``, ``exec:...`` or a stream name) into its parts."""
    text = written.strip()
    offset = len(written) - len(written.lstrip())
    if text.startswith("ffmpeg:"):
        text, offset = text[len("ffmpeg:") :], offset + len("ffmpeg:")
    elif text.startswith("exec:"):
        # exec:ffmpeg -i rtsp://... : the camera is the URL the command reads.
        match = _EXEC_URL.search(text)
        if not match:
            return StreamSource(written, text, offset)
        offset, text = offset + match.start(), match.group(0)
    if "://" not in text:
        name = text.split("#", 1)[0].strip()
        return StreamSource(written, name, offset, reference=name or None)
    if "#" in text:
        # go2rtc options (#video=copy#audio=opus) are not part of the camera's URL.
        text = text.split("#", 1)[0]
    scheme, _, rest = text.partition("://")
    authority_end = len(rest)
    for stop in "/?":
        index = rest.find(stop, rest.rfind("@") + 1 if "@" in rest else 0)
        if index >= 0:
            authority_end = min(authority_end, index)
    authority, path = rest[:authority_end], rest[authority_end:]
    user = password = None
    password_offset = -1
    hostport = authority
    if "@" in authority:
        userinfo, _, hostport = authority.rpartition("@")
        user, sep, pw = userinfo.partition(":")
        if sep:
            password = pw
            password_offset = offset + len(scheme) + 3 + len(user) + 1
    host, port = _split_hostport(hostport)
    return StreamSource(
        written, text, offset, scheme.lower(), user, password, password_offset, host, port, path
    )


def _split_hostport(hostport: str) -> tuple[str, int | None]:
    if hostport.startswith("["):  # [2001:db8::1]:554
        host, _, rest = hostport[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif hostport.count(":") == 1:
        host, _, port_text = hostport.partition(":")
    else:
        host, port_text = hostport, ""
    return host.lower(), int(port_text) if port_text.isdigit() else None
