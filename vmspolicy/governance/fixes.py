"""``vmspolicy fix``: safe, mechanical edits of YAML manifests that keep comments, key order and layout.

What it changes:

- on legacy restricted devices (:func:`vmspolicy.analysis.policy.legacy_restricted`),
  each cloud service VP205 judges (its ``services`` option: ``p2p_cloud``,
  ``upnp``, ``ddns`` by default) that is not declared ``false`` is set to
  false, added when missing (and ``services:`` with it): exactly what VP205
  reports, except services that are no mapping at all, left to a person;
- MAC addresses written in another notation, to lower-case colon form;
- for each legacy restricted device that no waiver names (and that a waiver could
  excuse: not on a sensitive site, under a pack that allows legacy devices), a waiver *scaffold*
  whose reason, approver and expiry a person must fill in: until then it is
  VP301 and excuses nothing. Nothing is ever approved automatically.

How: the file is loaded with ruamel.yaml's round-trip loader, edited, and
dumped; then only the lines that the edit changed in ruamel's rendering are
transplanted into the original text, so every other line stays byte for byte
as it was (ruamel re-renders some flow collections differently). When that
cannot be done cleanly the file is left alone and the edits are listed for a
person. JSON files are never edited.
"""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass, field
from typing import Any, Sequence

from vmspolicy.analysis.context import CheckContext
from vmspolicy.core.model import Device, normalise_mac
from vmspolicy.core.records import record

SECTIONS = {"camera": "cameras", "recorder": "recorders", "device": "devices"}
# YAML 1.1 reads 12:34:56 as a base-60 integer: an all-digit MAC must be quoted.
_SEXAGESIMAL = re.compile(r"^[0-9:]+$")


@record(frozen=True, slots=True)
class Edit:
    """One change to one device's entry (or a waiver scaffold for it)."""

    path: str
    device: str
    kind: str  # "service" | "mac" | "waiver"
    key: str = ""  # the service, for "service"
    value: str = ""  # the new MAC, or the scaffold's waiver id
    description: str = ""


@dataclass
class FileFix:
    """The edits of one file and their result."""

    path: str
    edits: list[Edit] = field(default_factory=list)
    original: str = ""
    fixed: str | None = None  # None when the file could not be edited safely
    problem: str | None = None

    def diff(self) -> str:
        if self.fixed is None:
            return ""
        return "".join(difflib.unified_diff(
            self.original.splitlines(keepends=True), self.fixed.splitlines(keepends=True),
            fromfile=f"a/{self.path}", tofile=f"b/{self.path}",
        ))


def plan(ctx: CheckContext) -> list[FileFix]:
    """The edits the estate needs, grouped by file (in path order)."""
    from vmspolicy.analysis import policy
    from vmspolicy.analysis.isolation import isolated_devices, watched_services

    legacy = {d.id for d in policy.legacy_restricted(ctx)}
    # The devices and services VP205 judges, so that fix turns off exactly what it reports.
    isolated = {d.id for d in isolated_devices(ctx)}
    services = watched_services(ctx)
    found = policy.judgements(ctx)
    # A waiver cannot help on a sensitive site (VP101) or under packs that allow no legacy
    # devices at all: scaffolding one there would only invite a pointless approval.
    waivable = {
        device for device in legacy
        if not policy.forbidden_on_sensitive_site(ctx, found[device])
        and any(p.legacy_waivable for p in policy.restricting_packs(ctx, device))
    }
    waived = {device for w in ctx.estate.waivers.values() for device in w.devices} | (legacy - waivable)
    taken = set(ctx.estate.devices) | set(ctx.estate.waivers) | set(ctx.estate.zones) | set(ctx.estate.sites)
    by_path: dict[str, FileFix] = {}
    for device in sorted(ctx.estate.devices.values(), key=lambda d: (d.origin.path, d.origin.loc().line)):
        if not device.active:
            continue
        cloud = services if device.id in isolated else []
        for edit in _device_edits(device, device.id in legacy, device.id in waived, taken, cloud):
            by_path.setdefault(edit.path, FileFix(edit.path)).edits.append(edit)
    return [by_path[p] for p in sorted(by_path)]


def _device_edits(device: Device, legacy: bool, waived: bool, taken: set[str], cloud: Sequence[str]) -> list[Edit]:
    edits: list[Edit] = []
    # A waiver goes into the manifest that completes an imported device, if one does: the user's file.
    path = device.origin.completion.path if device.origin.completion is not None else device.origin.path
    written = device.origin.holder("services")
    declared = written.node.get("services")
    # In the file that says so (a manifest record may complete an imported one), else where a waiver would go.
    services_path = written.path if "services" in written.node else path
    for key in cloud:
        if device.services.get(key) is False:
            continue
        value = declared.get(key) if isinstance(declared, dict) else None
        was = "not declared" if value is None else "true" if value is True else repr(value)
        edits.append(Edit(services_path, device.id, "service", key=key,
                          description=f"{device.id}: services.{key} {was} -> false (turn it off on the device too)"))
    written = device.origin.holder("mac")
    raw = written.node.get("mac")
    if isinstance(raw, str):
        canonical = normalise_mac(raw)
        if canonical is not None and canonical != raw:
            edits.append(Edit(written.path, device.id, "mac", value=canonical, description=f"{device.id}: mac {raw} -> {canonical}"))
    if legacy and not waived:
        waiver_id = f"W-{device.id}"
        number = 2
        while waiver_id in taken:
            waiver_id, number = f"W-{device.id}-{number}", number + 1
        taken.add(waiver_id)
        edits.append(Edit(path, device.id, "waiver", value=waiver_id,
                          description=f"{device.id}: waiver {waiver_id} scaffolded; a person must fill in reason, approved_by and expires"))
    return edits


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long lines
    return yaml


def apply(fix: FileFix, text: str) -> FileFix:
    """Compute ``fix.fixed`` from the file's ``text`` (or say why the file is left alone)."""
    from ruamel.yaml.util import load_yaml_guess_indent

    fix.original = text
    if not fix.path.lower().endswith((".yaml", ".yml")):
        fix.problem = "not a YAML file: vmspolicy fix edits YAML only"
        return fix
    yaml = _yaml()
    try:
        _, indent, block_seq_indent = load_yaml_guess_indent(text)
    except Exception:  # noqa: BLE001 - any reader error: fall back to the layout of the design example
        indent, block_seq_indent = None, None
    offset = block_seq_indent or 0
    sequence = indent or 4
    yaml.indent(mapping=max(sequence - offset, 2) if offset else sequence, sequence=sequence, offset=offset)
    try:
        before = _dump(yaml, list(yaml.load_all(text)))
        documents = list(yaml.load_all(text))
    except Exception as exc:  # noqa: BLE001 - ruamel raises many types; the file is simply not edited
        fix.problem = f"ruamel.yaml cannot read it: {type(exc).__name__}"
        return fix
    for edit in fix.edits:
        entry, document = _find(documents, edit.device)
        if entry is None or document is None:
            fix.problem = f"cannot find {edit.device} in the file"
            return fix
        if edit.kind == "service":
            if not _turn_off(entry, edit.key):
                fix.problem = f"the services of {edit.device} are not a mapping; declare them by hand"
                return fix
        elif edit.kind == "mac":
            entry["mac"] = _mac_scalar(entry["mac"], edit.value)
        elif edit.kind == "waiver":
            _scaffold(document, edit)
    after = _dump(yaml, documents)
    fixed = transplant(text, before, after)
    if fixed is None or _dump(yaml, list(yaml.load_all(fixed))) != after:
        fix.problem = "ruamel.yaml would reformat the lines around the edit; make these changes by hand"
        return fix
    fix.fixed = fixed
    return fix


def _dump(yaml: Any, documents: list[Any]) -> str:
    stream = io.StringIO()
    yaml.dump_all(documents, stream)
    return stream.getvalue()


def _find(documents: Sequence[Any], device_id: str) -> tuple[Any, Any]:
    for document in documents:
        if not isinstance(document, dict):
            continue
        for section in SECTIONS.values():
            for entry in document.get(section) or ():
                if isinstance(entry, dict) and entry.get("id") == device_id:
                    return entry, document
    return None, None


def _turn_off(entry: Any, key: str) -> bool:
    """Set ``services.KEY: false``, adding ``services: {...}`` (flow style) when the entry has none; False if it cannot."""
    from ruamel.yaml.comments import CommentedMap

    services = entry.get("services")
    if services is None:
        services = CommentedMap()
        services.fa.set_flow_style()
        entry["services"] = services
    if not isinstance(services, dict):
        return False
    services[key] = False
    return True


def _mac_scalar(old: Any, new: str) -> Any:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    if isinstance(old, SingleQuotedScalarString):
        return SingleQuotedScalarString(new)
    if isinstance(old, DoubleQuotedScalarString) or _SEXAGESIMAL.match(new):
        return DoubleQuotedScalarString(new)
    return new


def _scaffold(document: Any, edit: Edit) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    devices = CommentedSeq([edit.device])
    devices.fa.set_flow_style()
    waiver = CommentedMap()
    waiver["id"] = edit.value
    waiver["devices"] = devices
    waiver["reason"] = DoubleQuotedScalarString("")
    waiver["approved_by"] = DoubleQuotedScalarString("")
    waiver.yaml_add_eol_comment("TO FILL: why it must stay, and the replacement plan", "reason")
    waiver.yaml_add_eol_comment("TO FILL: who approved it; then add expires: YYYY-MM-DD (VP301 until then)", "approved_by")
    waivers = document.get("waivers")
    if waivers is None:
        waivers = CommentedSeq()
        document["waivers"] = waivers
    if not waivers:
        waivers.fa.set_block_style()
    waivers.append(waiver)


def transplant(original: str, before: str, after: str) -> str | None:
    """Apply the line changes between ``before`` and ``after`` (two ruamel renderings) to ``original``.

    Lines of ``before`` that ruamel rendered differently from ``original`` may not be
    touched by the change; then there is no clean transplant and None is returned.
    """
    # ruamel always ends a file with a newline; so does the result.
    o = (original if original.endswith("\n") or not original else original + "\n").splitlines(keepends=True)
    b = before.splitlines(keepends=True)
    a = after.splitlines(keepends=True)
    same: dict[int, int] = {}
    for tag, i1, i2, j1, _ in difflib.SequenceMatcher(None, b, o, autojunk=False).get_opcodes():
        if tag == "equal":
            same.update({i1 + k: j1 + k for k in range(i2 - i1)})
    out: list[str] = []
    done = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, b, a, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i1 < i2:
            mapped = [same.get(k) for k in range(i1, i2)]
            if any(m is None for m in mapped):
                return None
            start = mapped[0]
            assert start is not None
            if mapped != list(range(start, start + len(mapped))):
                return None
            end = start + len(mapped)
        elif i1 - 1 in same:
            start = end = same[i1 - 1] + 1
        elif i1 in same:
            start = end = same[i1]
        elif i1 == 0:
            start = end = 0
        else:
            return None
        if start < done:
            return None
        out.append("".join(o[done:start]))
        replaced = a[j1:j2]
        if end - start == len(replaced):
            replaced = [_keep_comment_column(old, new) for old, new in zip(o[start:end], replaced, strict=True)]
        out.append("".join(replaced))
        done = end
    out.append("".join(o[done:]))
    return "".join(out)


def _keep_comment_column(old: str, new: str) -> str:
    """``new`` with its end-of-line comment moved back to where ``old`` had the same comment."""
    old_at, new_at = old.find(" #"), new.find(" #")
    if old_at < 0 or new_at < 0 or old[old_at:].lstrip() != new[new_at:].lstrip():
        return new
    code = new[:new_at].rstrip()
    column = len(old) - len(old[old_at:].lstrip())
    return code + " " * max(column - len(code), 1) + new[new_at:].lstrip()
