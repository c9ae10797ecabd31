"""``acme-2026``: ACME's own standard for surveillance equipment, as a policy pack.

Stricter than the government packs in one way: a legacy restricted camera may
not stay under a waiver, so every one is reported as one to replace (VP102).
A pack is data; vmspolicy checks it against its schema when the plugin loads.
"""

from __future__ import annotations

from vmspolicy import PackData

ACME_2026: PackData = {
    "id": "acme-2026",
    "title": "ACME Group security standard GS-12: no equipment from restricted makers",
    "jurisdiction": "ACME",
    "families": ["Hikvision", "Dahua", "Hytera", "Huawei", "ZTE"],
    "cutoff": "2024-01-01",
    "sensitive_sites": "forbid",
    "legacy": {"waivable": False},
    "max_waiver_months": 12,
    "sources": [
        {"title": "ACME Group security standard GS-12 (an example)", "url": "https://example.com/acme/gs-12", "date": "2023-10-02"},
    ],
}
