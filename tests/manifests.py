"""The small estate the command-line tests of the formats, the CI integrations and the pre-commit hook check.

One zone ``cctv`` (10.20.30.0/24) on site ``hq``, and Axis cameras in it:
``cam-2``'s address lies outside the zone, so the estate fails with one
VP005 finding and nothing else. Kept as network and cameras files (the CI
tests stage them separately) and as one file (:data:`VIOLATING`), built from
the same lines so that the two cannot drift apart.
"""

from __future__ import annotations

NETWORK = """\
vmspolicy: 1
sites:
  - {id: hq}
zones:
  - {id: cctv, site: hq, purpose: cameras, cidr: 10.20.30.0/24}
"""
CAMERA_INSIDE = "  - {id: cam-1, site: hq, zone: cctv, ip: 10.20.30.11, vendor: Axis}\n"
CAMERA_OUTSIDE = "  - {id: cam-2, site: hq, zone: cctv, ip: 10.20.40.11, vendor: Axis}\n"

CAMERAS_OK = "vmspolicy: 1\ncameras:\n" + CAMERA_INSIDE
CAMERAS_BAD = CAMERAS_OK + CAMERA_OUTSIDE
# Network and cameras in one manifest: cam-2 is on line 8, its address at column 43.
VIOLATING = NETWORK + "cameras:\n" + CAMERA_INSIDE + CAMERA_OUTSIDE
# The same estate with cam-2 moved inside the zone: no finding.
CLEAN = NETWORK + "cameras:\n" + CAMERA_INSIDE + CAMERA_OUTSIDE.replace("10.20.40.11", "10.20.30.12")

# Files every repository holds beside its estate (the discovery and pre-commit tests): none is the estate's, none
# parses as vmspolicy reads YAML and JSON or names a maker or model column; each was VP001 and blocked commits.
UNRELATED = {
    "chart/templates/deployment.yaml": "{{- if .Values.enabled }}\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
                                       "  name: {{ .Release.Name }}\n{{- end }}\n",
    "tsconfig.json": '{\n  // compiler settings\n  "compilerOptions": {"strict": true, "devices": []},\n  "include": ["src"],\n}\n',
    "mkdocs.yml": "site_name: docs\nmarkdown_extensions:\n  - pymdownx.emoji:\n"
                  "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n",
    ".github/workflows/ci.yml": "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: [{run: make}]\n",
    "data/visitors.csv": 'day,visitors\n2026-01-01,4\n"2026-01-02,5\n',
}
