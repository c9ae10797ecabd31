"""YAML syntax errors in plain words, at the line that is wrong.

libyaml says where it gave up ("while parsing a flow mapping ... did not find expected ','")
and where the construct it was reading began. The line to fix is often the second: an
unclosed ``{`` or quote is noticed lines later. Each known pair of context and problem
becomes the likely cause and what to write; anything else keeps libyaml's own words.
Imported only for a file that does not parse.
"""

from __future__ import annotations

from typing import Any

_CLOSERS = {"flow sequence": ("[", "]"), "flow mapping": ("{", "}")}


def explain(exc: Any, text: str) -> tuple[str, int | None, int | None]:
    """Message, 1-based line and column for a ``yaml.MarkedYAMLError`` raised while reading ``text``."""
    context = exc.context or ""
    problem = exc.problem or ""
    start = exc.context_mark
    stop = exc.problem_mark or start
    if stop is None:
        return " ".join(p for p in (context, problem) if p) or "invalid YAML", None, None
    at_start = (start.line + 1, start.column + 1) if start is not None else None
    at_stop = (stop.line + 1, stop.column + 1)
    found = text[stop.index] if 0 <= stop.index < len(text) else ""

    for construct, (opener, closer) in _CLOSERS.items():
        if construct in context and at_start and start.line == stop.line and found.strip():
            return f"the {opener!r} at column {at_start[1]} is not closed before this {found!r}: add {closer!r} before it", *at_stop
        if construct in context and at_start:
            return (f"the {opener!r} opened here is not closed: end it with {closer!r} (and separate its items with ',');"
                    f" YAML was still inside it at line {at_stop[0]}", *at_start)
    if "quoted scalar" in context and at_start:
        quote = text[start.index] if 0 <= start.index < len(text) else '"'
        return (f"the quote {quote} opened here is not closed: add the closing {quote}"
                f" (inside single quotes write '' for a quote, inside double quotes \\\")", *at_start)
    if found == "\t":
        return "a tab: YAML indentation must use spaces", *at_stop
    if "mapping values are not allowed" in problem:
        lines = text[:stop.index].splitlines()
        previous = next(((n, line) for n, line in reversed(list(enumerate(lines[:-1], 1))) if line.strip()), None)
        if previous and ":" not in previous[1] and not previous[1].lstrip().startswith(("-", "#")):
            # A line without ':' makes the next one the continuation of a plain value.
            return (f"this line has no ':', so YAML read line {at_stop[0]} as the rest of its value:"
                    " write 'key: value', or '- item' in a list", previous[0], len(previous[1]) - len(previous[1].lstrip()) + 1)
        return ("a ': ' YAML cannot place: a value that contains ': ' must be quoted (name: \"Gate: north\"),"
                " or this line is indented deeper than the key above it", *at_stop)
    if "block mapping" in context and "expected key" in problem:
        if (at_start and start.line == stop.line) or text[:stop.index].rstrip(" ").endswith(("'", '"')):
            return "text after a closing quote: quote the whole value, or remove what follows the quote", *at_stop
        return ("this line's indentation does not match the keys above it"
                + (f" (the mapping began at line {at_start[0]})" if at_start else "")
                + ": line it up with them, using spaces", *at_stop)
    if "block collection" in context and "'-' indicator" in problem:
        return ("this line is inside a list" + (f" begun at line {at_start[0]}" if at_start else "")
                + " but does not start with '- ': make it an item, or indent it under one", *at_stop)
    if "simple key" in context and at_start:
        return "a line that is neither 'key: value' nor '- item': add the ':' after the key, or indent a continued value", *at_start
    if "cannot start any token" in problem and found:
        return f"{found!r} cannot start a plain value: quote the value (key: \"{found}...\")", *at_stop
    return f"YAML cannot read this: {' '.join(p for p in (context, problem) if p)}", *at_stop
