"""NetBox REST API exports (JSON): devices, interfaces, VLANs and prefixes as the estate's records.

Accepted shapes: a paginated list (``{"count", "next", "results": [...]}``), a
plain list of objects, a single object, and a bundle mapping endpoint names to
either (``{"devices": {...}, "interfaces": {...}, "prefixes": [...]}``).
Objects are recognised by their fields, NetBox 2.x to 4.x:

- ``/api/dcim/devices/`` (``device_type``): a **camera** when the role
  (``role``, or ``device_role`` before 4.0) says camera/CCTV, a **recorder**
  for NVR/DVR/VMS/recorder, else a **device** with its type (switch, server,
  encoder, intercom, access control, workstation, other). Manufacturer →
  ``vendor``, model, serial, site slug → ``site``, primary IP (v4 first) →
  ``ip``, status (``planned``/``staged``/``inventory`` → planned), and the
  custom field ``installed`` (or ``install_date``, ``installation_date``,
  ``installed_on``, ``commissioned``: an ISO date) → ``installed``.
- ``/api/dcim/interfaces/`` and ``/api/dcim/mac-addresses/``: the first MAC of
  a device — ``mac_address`` before 4.2, ``primary_mac_address`` or
  ``mac_addresses`` (MAC objects) after — becomes the device's ``mac``,
  located at the MAC when the device is in the same file, at the device when
  the device comes from another export of the run.
- ``/api/ipam/vlans/`` (``vid``): a zone ``<site>-vlan<vid>``;
  ``/api/ipam/prefixes/`` (``prefix``): its network, merged into the VLAN's
  zone when that VLAN is in the same file, else a zone of its own
  ``<site>-<prefix>``. The purpose comes from the role or name.

Records keep NetBox's site slugs: declare those sites (with their
sensitivity) in a manifest, or each record is an unknown reference (VP003).
Devices are placed in zones by address.
"""

from __future__ import annotations

from typing import Any, Final, Iterator, Sequence

from vmspolicy.core.model import normalise_mac
from vmspolicy.core.source import Document, LocatedMap, LocatedSeq, Pos
from vmspolicy.loading.base import Loader, SourceFile
from vmspolicy.loading.imported import entry, manifest_document, sequence, slug_id
from vmspolicy.loading.opnsense import zone_purpose

_CAMERA_ROLES: Final = ("camera", "cctv", "surveillance")
_RECORDER_ROLES: Final = ("nvr", "dvr", "vms", "recorder", "video-management")
_DEVICE_TYPES: Final = (
    ("encoder", "encoder"), ("intercom", "intercom"), ("switch", "switch"), ("door", "access-controller"),
    ("access-control", "access-controller"), ("server", "server"), ("workstation", "workstation"), ("desktop", "workstation"),
)
_PLANNED: Final = frozenset({"planned", "staged", "inventory"})
# NetBox has no installation date of its own; these are the custom fields estates commonly add for it.
_INSTALLED_FIELDS: Final = ("installed", "install_date", "installation_date", "installed_on", "commissioned")


def _objects(node: Any, depth: int = 0) -> Iterator[LocatedMap]:
    """NetBox objects in any accepted shape (a bundle is read one level deep only)."""
    if isinstance(node, LocatedSeq):
        for item in node:
            if isinstance(item, LocatedMap):
                yield item
    elif isinstance(node, LocatedMap):
        if isinstance(node.get("results"), LocatedSeq):
            yield from _objects(node["results"], depth + 1)
        elif _kind(node) is not None:
            yield node
        elif depth == 0:
            for value in node.values():
                if isinstance(value, LocatedSeq) or (isinstance(value, LocatedMap) and "results" in value):
                    yield from _objects(value, depth + 1)


def _kind(obj: LocatedMap) -> str | None:
    if not isinstance(obj.get("id"), int) or isinstance(obj.get("id"), bool):
        return None  # every NetBox object has its numeric id
    if "device_type" in obj:
        return "device"
    if "vid" in obj:
        return "vlan"
    if "prefix" in obj:
        return "prefix"
    if "device" in obj and ("type" in obj or "form_factor" in obj or "mac_address" in obj or "primary_mac_address" in obj):
        return "interface"
    if "mac_address" in obj and "assigned_object" in obj:
        return "mac"
    return None


def _text(obj: Any, *path: str) -> tuple[str | None, Pos]:
    """The string at ``path`` inside nested objects, and its position (of the deepest known node)."""
    node = obj
    pos: Pos = getattr(obj, "pos", (1, 1))
    for key in path:
        if not isinstance(node, LocatedMap) or node.get(key) is None:
            return None, pos
        pos = node.where(key)
        node = node[key]
    if isinstance(node, (str, int)) and not isinstance(node, bool) and str(node).strip():
        return str(node).strip(), pos
    return None, pos


def _choice(obj: LocatedMap, key: str) -> tuple[str | None, Pos]:
    """A NetBox choice field: ``{"value": ..., "label": ...}`` (label when the value is not text) or a plain string."""
    value = obj.get(key)
    if isinstance(value, LocatedMap):
        text, pos = _text(value, "value")
        if text is None or text in ("True", "False") or text.isdigit():
            text, pos = _text(value, "label")
        return (text.lower() if text else None), pos
    text, pos = _text(obj, key)
    return (text.lower() if text else None), pos


def _mac_of(obj: LocatedMap) -> tuple[str | None, Pos]:
    for path in (("primary_mac_address", "mac_address"), ("mac_address",)):
        text, pos = _text(obj, *path)
        if text and normalise_mac(text):
            return text, pos
    macs = obj.get("mac_addresses")
    if isinstance(macs, LocatedSeq):
        for item in macs:
            text, pos = _text(item, "mac_address")
            if text and normalise_mac(text):
                return text, pos
    return None, obj.pos


def _device_name(obj: LocatedMap) -> str | None:
    for path in (("device", "name"), ("assigned_object", "device", "name")):
        text, _ = _text(obj, *path)
        if text:
            return text
    return None


class NetboxLoader:
    """NetBox REST API JSON exports."""

    name = "netbox"
    suffixes: Sequence[str] = (".json",)

    def resembles(self, source: SourceFile) -> bool:
        # Fields only NetBox's device and IP address objects carry.
        return any(marker in source.raw for marker in (b'"device_type"', b'"primary_ip', b'"assigned_object'))

    def load(self, source: SourceFile) -> list[Document] | None:
        documents = source.documents()
        root = documents[0] if documents else None
        if isinstance(root, LocatedMap) and "vmspolicy" in root:
            return None
        objects = [(obj, kind) for obj in _objects(root) if (kind := _kind(obj)) is not None]
        if not objects:
            return None
        macs: dict[str, tuple[str, Pos]] = {}
        for obj, kind in objects:
            if kind in ("interface", "mac"):
                device = _device_name(obj)
                mac, pos = _mac_of(obj)
                if device and mac:
                    macs.setdefault(device, (mac, pos))
        top = root.pos if root is not None else (1, 1)
        sections: dict[str, LocatedSeq] = {name: LocatedSeq(top) for name in ("cameras", "recorders", "devices", "zones")}
        vlan_zones: dict[str, LocatedMap] = {}
        for obj, kind in objects:
            if kind == "device":
                section, record = self._device(obj, macs)
                sections[section].push(record, obj.pos)
            elif kind == "vlan":
                zone = self._vlan(obj)
                vlan_id, _ = _text(obj, "id")
                if vlan_id:
                    vlan_zones[vlan_id] = zone
                sections["zones"].push(zone, obj.pos)
        for obj, kind in objects:
            if kind == "prefix":
                prefix_zone = self._prefix(obj, vlan_zones)
                if prefix_zone is not None:
                    sections["zones"].push(prefix_zone, obj.pos)
        listed = {e.get("name") for section in ("cameras", "recorders", "devices") for e in sections[section]}
        elsewhere = [(name, mac) for name, (mac, _) in macs.items() if name not in listed]
        return [manifest_document(source, self.name, {name: (items, items.pos) for name, items in sections.items()}, macs=elsewhere)]

    @staticmethod
    def _device(obj: LocatedMap, macs: dict[str, tuple[str, Pos]]) -> tuple[str, LocatedMap]:
        name, name_pos = _text(obj, "name")
        number, number_pos = _text(obj, "id")
        device_id = slug_id(name) if name else f"netbox-device-{number or 'unnamed'}"
        role = (_text(obj, "role", "slug")[0] or _text(obj, "role", "name")[0]
                or _text(obj, "device_role", "slug")[0] or _text(obj, "device_role", "name")[0] or "").lower()
        vendor, vendor_pos = _text(obj, "device_type", "manufacturer", "name")
        model, model_pos = _text(obj, "device_type", "model")
        serial, serial_pos = _text(obj, "serial")
        site, site_pos = _text(obj, "site", "slug")
        address, ip_pos = _text(obj, "primary_ip4", "address")
        if address is None:
            address, ip_pos = _text(obj, "primary_ip", "address")
        status_text, status_pos = _choice(obj, "status")
        status = "planned" if status_text in _PLANNED else "active"
        mac, mac_pos = macs.get(name or "", (None, obj.pos))
        installed: str | None = None
        installed_pos = obj.pos
        for key in _INSTALLED_FIELDS:
            installed, installed_pos = _text(obj, "custom_fields", key)
            if installed:
                break
        fields: list[tuple[str, Any, Pos]] = [
            ("id", device_id, name_pos if name else number_pos),
            ("name", name, name_pos),
            ("site", site, site_pos),
            ("vendor", vendor, vendor_pos),
            ("model", model, model_pos),
            ("serial", serial, serial_pos),
            ("mac", mac, mac_pos),
            ("ip", address.split("/", 1)[0] if address else None, ip_pos),
            ("status", status, status_pos),
            ("installed", installed[:10] if installed else None, installed_pos),
        ]
        if any(word in role for word in _CAMERA_ROLES):
            return "cameras", entry(obj.pos, *fields)
        if any(word in role for word in _RECORDER_ROLES):
            return "recorders", entry(obj.pos, *fields)
        device_type = next((kind for word, kind in _DEVICE_TYPES if word in role), "other")
        return "devices", entry(obj.pos, *fields, ("type", device_type, obj.pos))

    @staticmethod
    def _vlan(obj: LocatedMap) -> LocatedMap:
        vid, vid_pos = _text(obj, "vid")
        name, name_pos = _text(obj, "name")
        site, site_pos = _text(obj, "site", "slug")
        role = _text(obj, "role", "name")[0] or ""
        vlan = int(vid) if vid and vid.isascii() and vid.isdigit() and 1 <= int(vid) <= 4094 else None
        return entry(
            obj.pos,
            ("id", slug_id(site or "netbox", f"vlan{vid}"), vid_pos),
            ("name", name, name_pos),
            ("site", site, site_pos),
            ("vlan", vlan, vid_pos),
            ("purpose", zone_purpose(f"{role} {name or ''}"), obj.pos),
        )

    @staticmethod
    def _prefix(obj: LocatedMap, vlan_zones: dict[str, LocatedMap]) -> LocatedMap | None:
        prefix, prefix_pos = _text(obj, "prefix")
        if prefix is None:
            return None
        vlan_ref, _ = _text(obj, "vlan", "id")
        zone = vlan_zones.get(vlan_ref or "")
        if zone is not None:
            cidrs = zone.get("cidr")
            if not isinstance(cidrs, LocatedSeq):
                cidrs = LocatedSeq(prefix_pos)
                zone.put("cidr", cidrs, prefix_pos, prefix_pos)
            cidrs.push(prefix, prefix_pos)
            return None
        site, site_pos = _text(obj, "site", "slug")
        vid, vid_pos = _text(obj, "vlan", "vid")
        role = _text(obj, "role", "name")[0] or ""
        description = _text(obj, "description")[0] or ""
        return entry(
            obj.pos,
            ("id", slug_id(site or "netbox", prefix.replace("/", "-")), prefix_pos),
            ("site", site, site_pos),
            ("vlan", int(vid) if vid and vid.isascii() and vid.isdigit() and 1 <= int(vid) <= 4094 else None, vid_pos),
            ("cidr", sequence(prefix_pos, [(prefix, prefix_pos)]), prefix_pos),
            ("purpose", zone_purpose(f"{role} {description}"), obj.pos),
        )


NETBOX_LOADER: Loader = NetboxLoader()

