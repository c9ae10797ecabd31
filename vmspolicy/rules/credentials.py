"""VP401: a password written out in a stream URL, an ONVIF block or a manifest field."""

from __future__ import annotations

import functools
import re
from types import MappingProxyType
from typing import Any, Callable, ClassVar, Final, Iterable, Iterator, Mapping, Sequence

from vmspolicy.analysis.context import CheckContext
from vmspolicy.core.findings import Finding, Severity
from vmspolicy.core.records import record
from vmspolicy.core.rule import Looser, Rule
from vmspolicy.core.source import Document, LocatedMap, LocatedSeq, Pos
from vmspolicy.hookspecs import hookimpl
from vmspolicy.loading.streams import StreamSource, is_literal_secret, mask, parse_source

# Keys whose value is a secret wherever they appear (a manifest forbids them too: VP002).
_SECRET_KEYS: Final = re.compile(r"^(password|passwd|pass|pwd|passphrase|secret|api[_-]?key|token|community|psk)$", re.IGNORECASE)
_URL_HINT: Final = re.compile(r"^\s*(?:ffmpeg:|exec:)?[A-Za-z][A-Za-z0-9+.-]*://")


@record(frozen=True, slots=True)
class _Leak:
    """A credential written into the estate's files: where, whose, and in what (a stream URL or a field)."""

    pos: Pos
    subject: str | None
    what: str  # "stream" | "field"
    shown: str  # the masked URL or the field name
    secret: str


class PlaintextCredential(Rule):
    """A password written out in a stream URL, an ONVIF block or a manifest field.

    What it checks
        Every stream URL of every device, whatever file it was read from (a
        manifest, a Frigate ``config.yml`` with its ONVIF blocks, a
        ``go2rtc.yaml``), and every other value of the estate's files: a URL
        with a password (``rtsp://admin:12345@...``), a password passed as a
        query parameter (``...&password=12345``) or a field named ``password``,
        ``secret``, ``token`` or similar, holding a literal value. Placeholders
        are not secrets and pass: ``{FRIGATE_CAM_PASS}``, ``${CAM_PASS}``,
        ``$CAM_PASS``, ``{{ cam_pass }}``, ``<PASSWORD>``, ``%CAM_PASS%``,
        Home Assistant's ``!secret cam_pass``, and masks such as ``****``.
        In Frigate and go2rtc files the MQTT and API logins (``mqtt.password``,
        ``go2rtc.api.password``, ``rtsp.password``) are checked too. The message
        shows the secret masked, never the secret itself.

    Why
        Camera credentials committed to git are the commonest leak in these
        files: every clone, fork, CI log and backup then holds them, and on a
        flat network they open the camera (and often every camera, since one
        password is reused) to anyone who reads the repository. Restricted
        vendors' cameras are also those with known authentication bypasses.

    Example (fails)
        .. code-block:: yaml

            cameras:
              front_door:
                ffmpeg:
                  inputs:
                    - path: rtsp://admin:Winter2024@10.20.30.11:554/Streaming/Channels/101

    Use instead
        .. code-block:: yaml

            cameras:
              front_door:
                ffmpeg:
                  inputs:
                    - path: rtsp://admin:{FRIGATE_RTSP_PASSWORD}@10.20.30.11:554/Streaming/Channels/101

        Keep the password in the environment (Frigate's ``FRIGATE_*``
        variables, go2rtc's ``${VAR}``) or in Home Assistant's
        ``secrets.yaml``, and rotate the one that was committed: it is in the
        history.

    Options
        ``placeholders``: extra regular expressions for values that are
        placeholders in your tooling (default: none), e.g. ``["^vault:"]``.
    """

    code = "VP401"
    slug = "plaintext-credential"
    severity = Severity.ERROR
    summary = "a literal password in a stream URL, an ONVIF block or a manifest field"
    options: ClassVar[Mapping[str, Any]] = {"placeholders": ()}
    looser: ClassVar[Mapping[str, Looser]] = MappingProxyType({"placeholders": Looser.MORE})  # more values pass as placeholders
    waivable = True
    inline_suppressible = True

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        extra = [re.compile(p) for p in ctx.options_for(PlaintextCredential).get("placeholders") or ()]

        def literal(value: str) -> bool:
            return is_literal_secret(value) and not any(p.search(value) for p in extra)

        seen: set[tuple[str, Pos]] = set()
        for doc in ctx.documents_reported(self.code):  # a secret is reported in the document that holds it
            leaks: list[_Leak] = []
            _leaks(doc.data, None, literal, leaks)
            leaks.extend(_kept_apart(doc, literal))
            for leak in leaks:
                if (doc.path, leak.pos) in seen:
                    continue
                seen.add((doc.path, leak.pos))
                yield self._finding(doc, leak)

    def _finding(self, doc: Document, leak: _Leak) -> Finding:
        owner = f"{leak.subject}: " if leak.subject else ""
        if leak.what == "stream":
            message = (
                f"{owner}literal password in {leak.shown}; "
                "use a placeholder such as ${CAM_PASS}, {FRIGATE_CAM_PASS} or !secret, and rotate the password"
            )
        else:
            message = (
                f"{owner}literal value in the secret field {leak.shown!r} ({leak.shown}: {mask(leak.secret)}); "
                "use a placeholder or a secret store, and rotate it"
            )
        return self.finding(doc.at(leak.pos), message, subject=leak.subject, evidence=leak.shown)


def _kept_apart(doc: Document, literal: Callable[[str], bool]) -> Iterator[_Leak]:
    """Secrets an imported file holds outside its manifest data (a Frigate or NetBox password field)."""
    if doc.format == "manifest":
        return  # a manifest keeps none apart, and a run over manifests never loads the imported-file module
    from vmspolicy.loading.imported import ImportedDocument

    if isinstance(doc, ImportedDocument):
        yield from (
            _Leak(c.pos, c.subject, "field", c.field, str(c.value)) for c in doc.credentials
            if is_literal_secret(c.value) and literal(str(c.value))
        )


def _leaks(node: Any, subject: str | None, literal: Callable[[str], bool], found: list[_Leak]) -> None:
    """Append to ``found`` the literal secrets below ``node``, in document order.

    Every value of every document is visited, so the walk appends instead of
    yielding (a generator per mapping), asks about each key name once, and looks
    inside a text only when it holds ``://`` (every URL the hint matches does).
    """
    if isinstance(node, LocatedMap):
        own = node.get("id")
        subject = own if isinstance(own, str) else subject
        for key, value in node.items():
            if _secret_key(key) and isinstance(value, (str, int)) and not isinstance(value, bool) and literal(str(value)):
                found.append(_Leak(node.where(key), subject, "field", key, str(value)))
            elif isinstance(value, str):
                if "://" in value:
                    found.extend(_url_leaks(value, node.where(key), subject, literal))
            elif isinstance(value, (LocatedMap, LocatedSeq)):
                _leaks(value, subject, literal, found)
    elif isinstance(node, LocatedSeq):
        for index, value in enumerate(node):
            if isinstance(value, str):
                if "://" in value:
                    found.extend(_url_leaks(value, node.where(index), subject, literal))
            elif isinstance(value, (LocatedMap, LocatedSeq)):
                _leaks(value, subject, literal, found)


@functools.lru_cache(maxsize=4096)
def _secret_key(key: str) -> bool:
    """Whether a key names a secret (``password``, ``api_key``...): a handful of key names recur across a whole estate."""
    return _SECRET_KEYS.match(key) is not None


def _url_leaks(text: str, pos: Pos, subject: str | None, literal: Callable[[str], bool]) -> Iterator[_Leak]:
    if not _URL_HINT.match(text):
        return
    source: StreamSource = parse_source(text)
    if source.password is not None and literal(source.password):
        yield _Leak(pos, subject, "stream", source.masked(), source.password)
    for _name, value, _offset in source.query_secrets():
        if literal(value):
            yield _Leak(pos, subject, "stream", source.masked(), value)
            break


RULES: Sequence[type[Rule]] = (PlaintextCredential,)


@hookimpl(tryfirst=True)
def vmspolicy_rules() -> Sequence[type[Rule]]:
    return RULES
