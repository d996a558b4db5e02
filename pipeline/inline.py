"""Inline codes: a catalog message <-> text runs and codes, as XLIFF and TMX carry them.

A message is text with numbered tags (`<1>...</1>`, `<2/>`) and, in formats, named
placeholders (`{hotline_phone}`). Exchange formats keep those as elements a CAT tool
protects (XLIFF `<pc>`/`<ph>`, `<g>`/`<x>`, TMX `<bpt>`/`<ept>`/`<ph>`), with plain text
between them. The tokens are `pipeline.notation.parse_message`'s: ("text", str), ("open", N),
("close", N), ("void", N), ("var", name).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from pipeline.checks import segment_for
from pipeline.notation import NUMBERED_TAG, PLACEHOLDER_NAME, NotationError, parse_message
from pipeline.notation import serialize as serialize_message

# Text that reads as markup: a translation carrying it as text is refused, as the catalog
# checks refuse it (a tag the source does not have would otherwise become visible text).
MARKUP_IN_TEXT = re.compile(r"<[A-Za-z/!?]")
# The catalog's own notation for a code, accepted in TMX text for files written before the
# TMX export carried inline codes (and CAT tools that flatten them).
NOTATION = NUMBERED_TAG
# Characters XML 1.0 cannot carry, not even as a character reference.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class InlineError(ValueError):
    """An exchange file's segment that cannot become a message (the reason is the text)."""


@functools.lru_cache(maxsize=256)
def message_tokens(message: str, msgid: str, is_format: bool) -> tuple:
    """The tokens of `message` (the msgid itself or a translation of it), checked against
    the msgid's tags and placeholders; NotationError when they do not fit. The last few are
    kept: a unit of an exchange file reads its msgid and its target several times."""
    return tuple(parse_message(message, segment_for(msgid, is_format)))


def tokens_message(tokens: list, is_format: bool) -> str:
    """Tokens back to catalog notation: the inverse of `message_tokens`."""
    return serialize_message(tokens, is_format)


def plain(tokens: list) -> str:
    """The text a reader sees, tags left out and placeholders as written."""
    return "".join(
        value if kind == "text" else "{" + value + "}" if kind == "var" else ""
        for kind, value in tokens
    )


def text_token(text: str, notation: bool = False) -> list:
    """Text of an exchange file as tokens. With `notation`, catalog codes written as text
    (`<1>`, `</1>`, `<2/>`) count as codes."""
    tokens: list = []
    position = 0
    for match in NOTATION.finditer(text) if notation else ():
        tokens.extend(text_token(text[position : match.start()]))
        code = match.group(0)
        number = int(code.strip("</>"))
        kind = "close" if code[1] == "/" else "void" if code[-2] == "/" else "open"
        tokens.append((kind, number))
        position = match.end()
    rest = text[position:]
    return [*tokens, ("text", rest)] if rest else tokens


def smuggled_markup(tokens: list, source_tokens: list) -> str | None:
    """Text of a translation that reads as markup (`<script`, `</b`) and is not text of the
    source: as text it would show a tag the source does not have, as the checks of a
    catalog refuse it."""
    source = "".join(value for kind, value in source_tokens if kind == "text")
    for kind, value in tokens:
        for found in MARKUP_IN_TEXT.finditer(value) if kind == "text" else ():
            snippet = re.match(r"<[^\s<>]{0,20}", value[found.start() :]).group(0)
            if snippet not in source:
                return f"markup not in the source: {snippet}>"
    return None


PLACEHOLDER_TEXT = PLACEHOLDER_NAME


def placeholders_in_text(tokens: list, names: set[str]) -> list:
    """Tokens with each of `names` written as text (`{hotline_phone}`) made a placeholder:
    Translate Toolkit, and so Weblate, hand placeholder codes back as their text."""
    found: list = []
    for kind, value in tokens:
        if kind != "text":
            found.append((kind, value))
            continue
        position = 0
        for match in PLACEHOLDER_TEXT.finditer(value):
            if match.group(1) in names:
                found += [("text", value[position : match.start()])] * (match.start() > position)
                found.append(("var", match.group(1)))
                position = match.end()
        found += [("text", value[position:])] * (position < len(value))
    return found


def source_message(tokens: list, msgid: str, is_format: bool) -> str:
    """A unit's source tokens as a message, to compare with the entry's msgid."""
    if is_format:
        names = {value for kind, value in message_tokens(msgid, msgid, True) if kind == "var"}
        tokens = placeholders_in_text(tokens, names)
    return tokens_message(tokens, is_format)


def checked_message(tokens: list, msgid: str, is_format: bool) -> str:
    """Tokens read from an exchange file as a message that fits `msgid`'s tags and
    placeholders (reordered is fine; missing, added or renamed is an InlineError, and so is
    markup written as text that the source does not have). A placeholder of the msgid
    written as text counts as the placeholder."""
    try:
        source = message_tokens(msgid, msgid, is_format)
        if is_format:
            names = {value for kind, value in source if kind == "var"}
            tokens = placeholders_in_text(tokens, names)
        message = tokens_message(tokens, is_format)
        message_tokens(message, msgid, is_format)
    except NotationError as error:
        raise InlineError(str(error)) from None
    smuggled = smuggled_markup(tokens, source)
    if smuggled:
        raise InlineError(smuggled)
    return message


# -- building and reading nested inline elements (XLIFF) ----------------------------------


def append_text(parent, text: str) -> None:
    """Add text at the end of an lxml element's content."""
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def build_nested(parent, tokens: list, element_for: Callable) -> None:
    """Append tokens to `parent` as nested elements: `element_for(kind, value)` makes the
    element of an "open", "void" or "var" token; an open one holds what follows until its
    close."""
    stack = [parent]
    for kind, value in tokens:
        if kind == "text":
            append_text(stack[-1], value)
        elif kind == "close":
            stack.pop()
        else:
            child = element_for(kind, value)
            stack[-1].append(child)
            if kind == "open":
                stack.append(child)


def read_nested(element, token_for: Callable, notation: bool = False) -> list:
    """Tokens of an element's content. `token_for(child)` gives (kind, value) for each inline
    element or raises InlineError: "open" (a paired code: its content is read too), "start"
    and "end" (the two halves of a code written apart), "void", "var", "text" (a character
    written as an element), "mark" (an annotation: its content is read as if unmarked) or
    "skip"."""
    tokens = text_token(element.text or "", notation)
    for child in element:
        if isinstance(child.tag, str):  # not a comment or processing instruction
            tokens.extend(child_tokens(child, token_for, notation))
        tokens.extend(text_token(child.tail or "", notation))
    return tokens


def child_tokens(child, token_for: Callable, notation: bool) -> list:
    kind, value = token_for(child)
    if kind == "open":
        return [("open", value), *read_nested(child, token_for, notation), ("close", value)]
    if kind == "mark":
        return read_nested(child, token_for, notation)
    if kind == "skip":
        return []
    return [({"start": "open", "end": "close"}.get(kind, kind), value)]


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def indent(element, text_elements: set[str], level: int = 0) -> None:
    """Indent an XML structure for people reading the file, never inside a text element
    (lxml's own indent would put whitespace into a segment that starts with a code)."""
    children = [c for c in element if isinstance(c.tag, str)]
    if not children or local_name(element.tag) in text_elements:
        return
    pad = "\n" + "  " * (level + 1)
    element.text = pad
    for child in children:
        indent(child, text_elements, level + 1)
        child.tail = pad
    children[-1].tail = "\n" + "  " * level
