"""What several output formats share: a finding's fingerprint and a rule's documentation as Markdown.

Formatting only: nothing here judges the estate.
"""

from __future__ import annotations

import re
import textwrap
from typing import Mapping

from vmspolicy.governance.fingerprint import fingerprint as governance_fingerprint
from vmspolicy.reporters.base import RunResult
from vmspolicy.rules.base import Rule

FINGERPRINT_VERSION = "vmspolicy/v1"
"""The key under which SARIF ``partialFingerprints`` carry :func:`fingerprint`."""

# One identity per finding everywhere (baselines, SARIF, GitLab): the governance stage owns the recipe.
fingerprint = governance_fingerprint


_CODE_BLOCK = re.compile(r"^\.\. code-block::\s*(\S*)\s*$")
_INLINE_LITERAL = re.compile(r"``([^`]+)``")


def rule_markdown(rule: type[Rule]) -> str:
    """A rule's docstring as Markdown: sections become headings, ``.. code-block::`` becomes fenced code.

    The docstrings are written in a small reStructuredText dialect (a title
    line, then unindented section names with an indented body); SARIF viewers
    and the compliance report render Markdown.
    """
    lines = rule.documentation().splitlines()
    if not lines:
        return f"**{rule.code} {rule.slug}**\n"
    out = [f"**{rule.code} {rule.slug}**: {_inline(lines[0])}", ""]
    body = lines[1:]
    index = 0
    while index < len(body):
        line = body[index]
        if line and not line[0].isspace():
            out.extend([f"### {line.strip()}", ""])
            index += 1
            block: list[str] = []
            while index < len(body) and (not body[index] or body[index][0].isspace()):
                block.append(body[index])
                index += 1
            out.extend(_section_markdown(textwrap.dedent("\n".join(block)).strip("\n")))
            out.append("")
        else:
            index += 1
    return "\n".join(out).rstrip() + "\n"


def _section_markdown(text: str) -> list[str]:
    out: list[str] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        match = _CODE_BLOCK.match(lines[index].strip())
        if match:
            index += 1
            code: list[str] = []
            while index < len(lines) and (not lines[index] or lines[index][0].isspace()):
                code.append(lines[index])
                index += 1
            out.append(f"```{match.group(1)}")
            out.extend(textwrap.dedent("\n".join(code)).strip("\n").splitlines())
            out.append("```")
        else:
            out.append(_inline(lines[index]))
            index += 1
    return out


def _inline(text: str) -> str:
    """reST ``literal`` → Markdown `literal`."""
    return _INLINE_LITERAL.sub(r"`\1`", text)


def first_paragraph(rule: type[Rule]) -> str:
    """The rule's documentation up to the first section: its full description in one paragraph."""
    lines = rule.documentation().splitlines()
    paragraph: list[str] = []
    for line in lines:
        if not line.strip():
            break
        paragraph.append(line.strip())
    return _INLINE_LITERAL.sub(r"\1", " ".join(paragraph)) or rule.short_description()


def applied_packs(result: RunResult) -> list[Mapping[str, object]]:
    """The registered packs the run applied, in registration order.

    A site's ``policies:`` that name known packs apply to it; every other site
    gets the run's selection (the profiles, else the default pack), as
    :func:`vmspolicy.policy.site_packs` decides. The run does not record which
    packs it applied, so this mirrors that rule on the result's estate.
    """
    from vmspolicy.policy import DEFAULT_PACK

    known = [str(pack.get("id")) for pack in result.packs]
    selection = set(result.profiles) if result.profiles else {DEFAULT_PACK}
    sites = list(result.estate.sites.values()) if result.estate is not None else []
    wanted: set[str] = set() if sites else set(selection)
    for site in sites:
        named = {p for p in site.policies if p in known}
        wanted |= named or selection
    return [pack for pack in result.packs if pack.get("id") in wanted]
