"""ACME101: every camera carries an asset tag."""

from __future__ import annotations

from typing import Any, ClassVar, Iterator, Mapping

from vmspolicy import CheckContext, Finding, Rule, Severity


class CameraAssetTag(Rule):
    """Every camera carries an ACME asset tag.

    What it checks
        Every active camera has a tag starting with the configured prefix
        in ``tags``.

    Why
        ACME's asset register, its insurance and its audits find equipment
        by its tag; a camera without one is missed when a vendor is banned.

    Example (fails)
        .. code-block:: yaml

            cameras:
              - {id: cam-lobby, site: hq, vendor: Axis}

    Use instead
        .. code-block:: yaml

            cameras:
              - {id: cam-lobby, site: hq, vendor: Axis, tags: [AT-001234]}

    Options
        ``prefix`` (default ``"AT-"``): what an asset tag starts with.
    """

    code = "ACME101"
    slug = "camera-asset-tag"
    severity = Severity.WARNING
    options: ClassVar[Mapping[str, Any]] = {"prefix": "AT-"}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        prefix = ctx.options_for(type(self))["prefix"]
        for camera in ctx.estate.cameras:
            if not camera.active:
                continue
            tags = camera.origin.node.get("tags") or ()
            if not any(isinstance(tag, str) and tag.startswith(prefix) for tag in tags):
                yield self.finding(
                    camera.origin.loc("tags") if "tags" in camera.origin.node else camera.origin.loc(),
                    f"{camera.id} has no asset tag starting with {prefix!r}; add it to tags (from the label on the housing)",
                    subject=camera.id,
                )
