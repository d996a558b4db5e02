"""HTML scanning: text -> a light element tree that remembers where every token came from.

Neither lxml nor BeautifulSoup reports where an element ends in the source, and both
re-serialize what they parse. Merging translations byte-faithfully needs offsets, so this
module scans the markup with a handful of regular expressions and builds a forgiving tree
(implied end tags, stray end tags ignored, void and raw-text elements) in the spirit of the
HTML5 tree builder. It never fails: any text is some tree.
"""

from __future__ import annotations

import gc
import html
import re
from contextlib import contextmanager
from functools import cache

from pipeline.htmlrules import (
    CLOSES_P,
    ESCAPABLE_RAW_TEXT,
    IMPLIED_END,
    OPTIONAL_END,
    RAW_TEXT,
    SCOPE_BOUNDARY,
    VOID,
)

# As in the HTML5 tokenizer: quotes delimit a value only after "="; elsewhere they are
# ordinary characters of an attribute name (`<div "="">` has an attribute named `"`).
ATTRIBUTE_PATTERN = r"""([^\s/>][^\s/>=]*+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?"""
TAG_BODY = r"""(?:[\s/]+|[^\s/>][^\s/>=]*+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*"""
TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)"  # comment (unterminated runs to the end, as browsers do)
    r"|<![^>]*>?"  # doctype, CDATA, bogus comment
    r"|<\?[^>]*>?"  # processing instruction (a bogus comment in HTML)
    r"|</?([A-Za-z][^\s/>]*)" + TAG_BODY + r"(?:>|\Z)",  # start or end tag (or cut off)
    re.S,
)
ATTRIBUTE = re.compile(ATTRIBUTE_PATTERN, re.S)
# Runs of HTML whitespace that collapsing to one space changes: a lone space is not one, so
# `WHITESPACE.sub(" ", text)` leaves ordinary prose alone instead of replacing every space.
WHITESPACE = re.compile(r"[\t\n\r\f][ \t\n\r\f]*| [ \t\n\r\f]+")
SPACE_TO_COLLAPSE = ("  ", "\n", "\t", "\r", "\f")


def collapse_whitespace(text: str) -> str:
    """Runs of HTML whitespace as one space (a scan for them first: most text has none)."""
    for run in SPACE_TO_COLLAPSE:
        if run in text:
            return WHITESPACE.sub(" ", text)
    return text


class Attribute:
    """One attribute of a start tag."""

    __slots__ = ("name", "value", "value_start", "value_end", "quote")

    def __init__(self, name: str, value: str, value_start: int, value_end: int, quote: str):
        self.name = name  # lower-cased
        self.value = value  # entities decoded
        self.value_start = value_start  # offsets of the raw value in the source (quotes
        self.value_end = value_end  # excluded); -1 when the attribute has no value
        self.quote = quote  # '"', "'" or '' (unquoted or absent)

    def __repr__(self) -> str:
        return f"Attribute({self.name!r}, {self.value!r}, {self.value_start}, {self.value_end})"


class Element:
    """An element and where it lies in the source. Attributes are parsed on first use:
    most elements are never asked for one, and a name absent from the start tag's text
    is answered without parsing at all."""

    __slots__ = (
        "tag",
        "start",
        "start_tag_end",
        "source",
        "children",
        "end",
        "end_tag_start",
        "_attributes",
        "tag_text",
    )

    def __init__(
        self,
        tag: str,
        start: int,
        start_tag_end: int,
        source: str = "",
    ):
        self.tag = tag
        self.start = start  # offset of '<' of the start tag
        self.start_tag_end = start_tag_end  # offset just past the start tag's '>'
        self.source = source
        self.children: list = []  # Element | Text | Opaque
        self.end = -1  # offset just past the end of the element (end tag included)
        self.end_tag_start = -1  # offset of the explicit end tag, -1 when implied
        self._attributes: list[Attribute] | None = None
        # The start tag's text after the name, lower-cased ('' for a bare `<p>`): a name
        # absent from it is answered without parsing attributes.
        name_end = start + 1 + len(tag)
        self.tag_text = (
            source[name_end:start_tag_end].lower() if start_tag_end - name_end > 1 else ""
        )

    @property
    def attributes(self) -> list[Attribute]:
        if self._attributes is None:
            self._attributes = parse_attributes(
                self.source, self.start_tag_end, self.start + 1 + len(self.tag)
            )
        return self._attributes

    def attribute(self, name: str) -> Attribute | None:
        if not self.tag_text or name not in self.tag_text:
            return None
        for attribute in self.attributes:
            if attribute.name == name:
                return attribute
        return None

    def get(self, name: str, default: str | None = None) -> str | None:
        attribute = self.attribute(name)
        return default if attribute is None else attribute.value

    @property
    def content_end(self) -> int:
        return self.end_tag_start if self.end_tag_start >= 0 else self.end

    def iter(self):
        yield self
        for child in self.children:
            if type(child) is Element:
                yield from child.iter()


class Text:
    """A text node; entities are decoded on first use."""

    __slots__ = ("start", "end", "source", "_text")

    def __init__(self, start: int, end: int, source: str):
        self.start = start
        self.end = end
        self.source = source
        self._text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            raw = self.source[self.start : self.end]
            self._text = html.unescape(raw) if "&" in raw else raw
        return self._text


class Opaque:
    """A comment, doctype, processing instruction or raw-text body: kept, never translated."""

    __slots__ = ("start", "end")

    def __init__(self, start: int, end: int):
        self.start = start
        self.end = end


class Document:
    def __init__(self, source: str, root: Element, problems: list[tuple[int, str]]):
        self.source = source
        self.root = root  # a synthetic root holding the top-level nodes
        self.problems = problems  # (offset, message): stray and missing end tags
        # Lines are asked for roughly in source order: count the newlines between the last
        # answer and this offset, forwards or backwards.
        self.counted_to = 0
        self.lines_before = 1

    def line_of(self, offset: int) -> int:
        if offset >= self.counted_to:
            self.lines_before += self.source.count("\n", self.counted_to, offset)
        else:
            self.lines_before -= self.source.count("\n", offset, self.counted_to)
        self.counted_to = offset
        return self.lines_before


def find_element(document: Document, *tags: str) -> Element | None:
    """The first element with one of `tags`, in the order given."""
    for tag in tags:
        for element in document.root.iter():
            if element.tag == tag:
                return element
    return None


def parse_attributes(source: str, tag_end: int, name_end: int) -> list[Attribute]:
    attributes = []
    seen = set()
    body_end = tag_end - 1 if source[tag_end - 1] == ">" else tag_end
    for span in match_attributes(source, name_end, body_end):
        name_start, name_stop, value_start, value_end, quote = span
        name = source[name_start:name_stop].lower()
        if name in seen:  # browsers keep the first of duplicated attributes
            continue
        seen.add(name)
        if value_start < 0:
            attributes.append(Attribute(name, "", -1, -1, ""))
            continue
        raw = source[value_start:value_end]
        value = html.unescape(raw) if "&" in raw else raw
        attributes.append(Attribute(name, value, value_start, value_end, quote))
    return attributes


def match_attributes(source: str, start: int, end: int) -> list[tuple]:
    """(name start, name end, value start, value end, quote) of each ATTRIBUTE match in
    source[start:end]; the value's offsets are -1 when it has none."""
    spans = []
    for match in ATTRIBUTE.finditer(source, start, end):
        value_start = value_end = -1
        quote = ""
        for group, mark in ((2, '"'), (3, "'"), (4, "")):
            if match.group(group) is not None:
                value_start, value_end = match.span(group)
                quote = mark
                break
        spans.append((match.start(1), match.end(1), value_start, value_end, quote))
    return spans


def parse(source: str) -> Document:
    """Build the element tree of `source`; never raises on malformed markup."""
    root = Element("#root", 0, 0, source)
    stack = [root]
    problems: list[tuple[int, str]] = []
    position = 0
    length = len(source)
    open_p = 0  # <p> elements on the stack: most block starts need not look for one

    while position < length:
        token = next_token(source, position)
        if token is None:
            stack[-1].children.append(Text(position, length, source))
            break
        token_start, token_end, name = token
        if token_start > position:
            stack[-1].children.append(Text(position, token_start, source))
        position = token_end
        if name is None:  # comment, doctype, processing instruction
            stack[-1].children.append(Opaque(token_start, position))
            continue
        name = name.lower()
        if source[token_start + 1] == "/":
            open_p -= end_tag(stack, name, token_start, position, problems)
            continue
        open_p -= implied_ends(stack, name, token_start, open_p, problems)
        element = Element(name, token_start, position, source)
        stack[-1].children.append(element)
        if name in VOID or source[position - 2] == "/" and _is_foreign(stack):
            element.end = position
            continue
        if name in RAW_TEXT or name in ESCAPABLE_RAW_TEXT:
            position = read_raw_text(element, source, position)
            continue
        stack.append(element)
        if name == "p":
            open_p += 1
    if len(stack) > 1:
        close(stack, 1, length, -1, problems)
    root.end = length
    problems.sort()
    return Document(source, root, problems)


def end_tag(stack: list, name: str, start: int, end: int, problems: list) -> int:
    """Close the element an end tag `</name>` at [start, end) ends; the number of <p>
    elements that closed."""
    index = -1
    if name not in VOID:
        index = find_open(stack, (name,), SCOPE_BOUNDARY)
    if index > 0:
        return close(stack, index, end, start, problems)
    if name not in ("html", "head", "body"):
        # A stray end tag (</div> with nothing open, </input>): ignored, as browsers do.
        problems.append((start, f"stray end tag </{name}>"))
    return 0


def implied_ends(stack: list, name: str, at: int, open_p: int, problems: list) -> int:
    """Close what a start tag `<name>` at `at` ends without an end tag (an open <p> before
    a block, an <li> before the next); the number of <p> elements that closed."""
    closed = 0
    if open_p and name in CLOSES_P:
        index = find_open(stack, ("p",), SCOPE_BOUNDARY)
        if index > 0:
            closed += close(stack, index, at, -1, problems)
    if name in IMPLIED_END:
        names, boundaries = IMPLIED_END[name]
        index = find_open(stack, names, boundaries)
        if index > 0:
            closed += close(stack, index, at, -1, problems)
    return closed


def next_token(source: str, position: int) -> tuple[int, int, str | None] | None:
    """(start, end, tag name or None) of the first token at or after `position`."""
    match = TOKEN.search(source, position)
    return None if match is None else (match.start(), match.end(), match.group(1))


def close(stack: list, index: int, at: int, end_tag_start: int, problems: list) -> int:
    """Pop stack[index:], closing each element at offset `at`; the number of <p> closed."""
    closed_p = 0
    for position_in_stack in range(len(stack) - 1, index - 1, -1):
        element = stack[position_in_stack]
        element.end = at
        if element.tag == "p":
            closed_p += 1
        if position_in_stack == index and end_tag_start >= 0:
            element.end_tag_start = end_tag_start
        elif element.tag not in OPTIONAL_END:
            problems.append((element.start, f"<{element.tag}> is never closed"))
    del stack[index:]
    return closed_p


def find_open(stack: list, names, boundaries) -> int:
    """Index of the innermost open element named in `names`, unless a boundary comes first."""
    for index in range(len(stack) - 1, 0, -1):
        tag = stack[index].tag
        if tag in names:
            return index
        if tag in boundaries:
            return -1
    return -1


def read_raw_text(element: Element, source: str, position: int) -> int:
    """Close a raw-text element (script, style, title...) at its end tag; where to go on."""
    name = element.tag
    length = len(source)
    closing = raw_text_end(name).search(source, position)
    body_end = closing.start() if closing else length
    if position < body_end:
        if name in ESCAPABLE_RAW_TEXT:
            element.children.append(Text(position, body_end, source))
        else:
            element.children.append(Opaque(position, body_end))
    if closing:
        tag_close = source.find(">", closing.end() - 1)
        element.end_tag_start = closing.start()
        element.end = tag_close + 1 if tag_close >= 0 else length
    else:
        element.end = length
    return element.end


@contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector around parsing and segmenting a page.

    A large page allocates hundreds of thousands of objects, and every few hundred of them
    the collector rescans the young ones: about 40% of the time, for nothing, since the
    tree and its segments hold no reference cycles (children, never parents), so reference
    counting frees them.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@cache
def raw_text_end(name: str) -> re.Pattern:
    return re.compile(r"</" + re.escape(name) + r"[\s/>]", re.I)


def _is_foreign(stack: list[Element]) -> bool:
    # Self-closing syntax only means "empty" inside SVG and MathML.
    return any(element.tag in ("svg", "math") for element in stack)
