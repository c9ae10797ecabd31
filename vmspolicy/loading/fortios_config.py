"""FortiOS configuration syntax: ``config … edit … set … next … end``, read into a located tree.

A FortiGate backup is a script of CLI commands. ``config <path>`` opens a
table (whose rows are ``edit <name>`` … ``next``) or a single object (with
``set`` lines directly inside); ``end`` closes it; either may hold nested
``config`` blocks. ``set <key> <values…>`` replaces a setting, ``append`` and
``select`` add values, ``unselect`` removes some, ``unset`` drops the setting.
Values are words or quoted strings (``"…"`` or ``'…'``, with ``\\`` escapes,
possibly spanning lines). ``#`` starts a comment line.

The same table may be opened several times (a later ``config firewall
address`` editing an object again): rows are merged by name, in the order they
first appeared, since that order is what FortiOS evaluates policies in.
``delete``, ``purge``, ``rename`` and ``move`` (scripts, not backups) are
applied as FortiOS would. Anything else, an unclosed block or quote, or an
``end`` with nothing open, is a :class:`ParseError` at its line: a policy that
cannot be read exactly must not pass.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Final

from vmspolicy.core.limits import NodeLimit
from vmspolicy.core.records import record
from vmspolicy.core.source import Pos
from vmspolicy.core.text import ParseError


@record(frozen=True, slots=True)
class Word:
    """One value as written (quotes removed) and where it starts."""

    text: str
    pos: Pos


@record(frozen=True, slots=True)
class Setting:
    """A ``set`` line: its values and where its key is written."""

    values: tuple[Word, ...]
    pos: Pos

    @property
    def words(self) -> list[str]:
        return [w.text for w in self.values]

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass
class Node:
    """A ``config`` block or an ``edit`` row: settings, nested blocks and (for a table) its rows."""

    name: str
    pos: Pos
    settings: dict[str, Setting] = field(default_factory=dict)
    blocks: dict[str, Node] = field(default_factory=dict)
    rows: dict[str, Node] = field(default_factory=dict)

    def get(self, key: str, default: str = "") -> str:
        """The setting's values joined by spaces, or ``default`` when it is not set."""
        setting = self.settings.get(key)
        return setting.text if setting is not None else default

    def words(self, key: str) -> list[str]:
        setting = self.settings.get(key)
        return setting.words if setting is not None else []

    def where(self, key: str) -> Pos:
        setting = self.settings.get(key)
        return setting.pos if setting is not None else self.pos

    def block(self, *path: str) -> Node | None:
        """The nested block reached by following ``path`` (``block("system", "interface")`` is ``config system interface``)."""
        return self.blocks.get(" ".join(path))

    def table(self, *path: str) -> list[Node]:
        """The rows of the nested table ``path``, in order; none when it is not configured."""
        node = self.block(*path)
        return list(node.rows.values()) if node is not None else []


_VALUE_COMMANDS: Final = frozenset({"set", "append", "select", "unselect", "unset"})


def parse(text: str, limit: NodeLimit | None = None) -> Node:
    """The configuration in ``text`` as a tree whose root holds the top-level blocks; raises :class:`ParseError`.

    ``limit``: the most words read; the word past it is a :class:`ParseError`.
    """
    root = Node("", (1, 1))
    # Open contexts: (node, kind) where kind is "config" or "edit"; the root counts as an open edit.
    stack: list[tuple[Node, str]] = [(root, "edit")]
    for words in _commands(text, limit):
        verb = words[0].text
        node, kind = stack[-1]
        if verb == "config":
            if len(words) < 2:
                raise ParseError("'config' needs the path of what it configures", *words[0].pos)
            path = " ".join(w.text for w in words[1:])
            block = node.blocks.get(path)
            if block is None:
                block = node.blocks[path] = Node(path, words[0].pos)
            stack.append((block, "config"))
        elif verb == "edit":
            if kind != "config" or len(words) != 2:
                raise ParseError("'edit' must name one row of an open 'config' table", *words[0].pos)
            name = words[1].text
            row = node.rows.get(name)
            if row is None:
                row = node.rows[name] = Node(name, words[0].pos)
            stack.append((row, "edit"))
        elif verb == "next":
            if kind != "edit" or len(stack) < 3:
                raise ParseError("'next' without an open 'edit'", *words[0].pos)
            stack.pop()
        elif verb == "end":
            if kind == "edit" and len(stack) >= 3:
                stack.pop()  # a row left without 'next' ends with its table
            if len(stack) < 2 or stack[-1][1] != "config":
                raise ParseError("'end' without an open 'config'", *words[0].pos)
            stack.pop()
        elif verb in _VALUE_COMMANDS:
            _set(node, verb, words)
        elif verb in ("delete", "purge", "rename", "move"):
            if kind != "config":
                raise ParseError(f"'{verb}' outside a 'config' table", *words[0].pos)
            _edit_table(node, verb, words)
        else:
            raise ParseError(f"'{verb}' is not a FortiOS configuration command (config, edit, set, next, end...)", *words[0].pos)
    if len(stack) > 1:
        node, kind = stack[-1]
        what = f"'config {node.name}'" if kind == "config" else f"'edit {node.name}'"
        raise ParseError(f"{what} opened here is never closed (a missing '{'end' if kind == 'config' else 'next'}')", *node.pos)
    return root


def _set(node: Node, verb: str, words: list[Word]) -> None:
    if len(words) < 2:
        raise ParseError(f"'{verb}' needs the name of a setting", *words[0].pos)
    key = words[1].text
    values = tuple(words[2:])
    current = node.settings.get(key)
    if verb == "unset":
        node.settings.pop(key, None)
    elif verb == "set" or current is None:
        if verb == "unselect":
            return
        node.settings[key] = Setting(values, words[1].pos)
    elif verb in ("append", "select"):
        node.settings[key] = Setting(current.values + values, current.pos)
    else:  # unselect
        dropped = {w.text for w in values}
        node.settings[key] = Setting(tuple(w for w in current.values if w.text not in dropped), current.pos)


def _edit_table(node: Node, verb: str, words: list[Word]) -> None:
    names = [w.text for w in words[1:]]
    if verb == "purge":
        node.rows.clear()
    elif verb == "delete" and len(names) == 1:
        node.rows.pop(names[0], None)
    elif verb == "rename" and len(names) == 3 and names[1] == "to" and names[0] in node.rows:
        rows = list(node.rows.items())
        node.rows = {(names[2] if key == names[0] else key): row for key, row in rows}
    elif verb == "move" and len(names) == 3 and names[1] in ("before", "after") and {names[0], names[2]} <= set(node.rows):
        moved = node.rows.pop(names[0])
        reordered: dict[str, Node] = {}
        for key, row in node.rows.items():
            if key == names[2] and names[1] == "before":
                reordered[names[0]] = moved
            reordered[key] = row
            if key == names[2] and names[1] == "after":
                reordered[names[0]] = moved
        node.rows = reordered
    else:
        raise ParseError(f"'{' '.join(w.text for w in words)}' cannot be applied: no such row, or not the form FortiOS accepts",
                         *words[0].pos)


def _commands(text: str, limit: NodeLimit | None) -> list[list[Word]]:
    """Each command's words, with the line it starts on; quoted values may span lines."""
    commands: list[list[Word]] = []
    words_left = limit.nodes if limit is not None else sys.maxsize
    words: list[Word] = []
    i, n = 0, len(text)
    line, line_start = 1, 0
    at_line_start = True
    while i < n:
        ch = text[i]
        if ch == "\n":
            if words:
                commands.append(words)
                words = []
            line, line_start = line + 1, i + 1
            at_line_start = True
            i += 1
            continue
        if ch in " \t\r":
            i += 1
            continue
        if ch == "#" and not words and at_line_start:
            while i < n and text[i] != "\n":
                i += 1
            continue
        at_line_start = False
        start: Pos = (line, i - line_start + 1)
        words_left -= 1
        if words_left < 0 and limit is not None:
            raise limit.refused("words", start)
        buf: list[str] = []
        while i < n and text[i] not in " \t\r\n":
            ch = text[i]
            if ch in "\"'":
                quote, opened = ch, (line, i - line_start + 1)
                i += 1
                while True:
                    if i >= n:
                        raise ParseError("a quoted value opened here is never closed (a missing quote)", *opened)
                    ch = text[i]
                    if ch == "\\" and i + 1 < n:
                        buf.append(text[i + 1])
                        if text[i + 1] == "\n":
                            line, line_start = line + 1, i + 2
                        i += 2
                        continue
                    if ch == quote:
                        i += 1
                        break
                    if ch == "\n":
                        line, line_start = line + 1, i + 1
                    buf.append(ch)
                    i += 1
            elif ch == "\\" and i + 1 < n and text[i + 1] not in "\r\n":
                buf.append(text[i + 1])
                i += 2
            else:
                buf.append(ch)
                i += 1
        words.append(Word("".join(buf), start))
    if words:
        commands.append(words)
    return commands
