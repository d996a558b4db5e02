"""The msgid notation: text with numbered tags (`<1>...</1>`, `<2/>`) and named
placeholders (`{hotline_phone}`), as extract writes it and render, checks, TM and the
`file` commands read it.

In a msgid, a literal `<` is `&lt;` (and an `&` that would read as an entity is `&amp;`),
so every `<` opens a tag; in a message with placeholders (`python-brace-format`), literal
braces are doubled. A message is read into tokens: `Token("text", "Call ")`,
`Token("open", 1)`, `Token("close", 1)`, `Token("void", 2)`, `Token("var", "hotline_phone")`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from pipeline.model import Segment

# A tag, a placeholder, a doubled brace, or a `<` that would start markup the notation
# does not have (`<b>`, `</a>`, `<!--`).
MESSAGE_TOKEN = re.compile(r"<(/?)(\d+)(/?)>|\{([A-Za-z_]\w*)\}|\{\{|\}\}|<(?=[A-Za-z/!?])")
TAG = re.compile(r"<(\d+)(/?)>")  # an opening or self-closing tag
# A placeholder or a doubled brace, read left to right as the lexer reads them: in
# `{{x}}` the braces are text, in `{x}}}` the placeholder is followed by a brace.
PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_]\w*)\}")
TAG_OR_PLACEHOLDER = re.compile(r"</?\d+/?>|\{\w+\}")
NUMBERED_TAG = re.compile(r"</?\d+/?>")  # any tag: opening, closing or self-closing
PLACEHOLDER_NAME = re.compile(r"\{([A-Za-z_]\w*)\}")  # a placeholder, braces doubled or not
WORD = re.compile(r"[^\W\d_][\w'’-]*")
ENTITY_LIKE = re.compile(r"&(?=(?:lt|amp);)")
UNESCAPE = re.compile(r"&(lt|amp);|\{\{|\}\}")


class Token(NamedTuple):
    """One piece of a message: kind "text", "open", "close", "void" or "var"."""

    kind: str
    value: str | int


class NotationError(ValueError):
    """A message that does not fit its source segment: the reason is the message, `code`
    the kind of fault, as `check` reports it: `tags` (a tag missing, added, unclosed or
    badly nested), `placeholder` (one missing or unknown), `markup` (HTML markup)."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


# -- escaping -------------------------------------------------------------------------------


def escape_text(text: str, braces: bool) -> str:
    """Text -> msgid text: `<` is `&lt;` (so tags stay unambiguous); braces double in formats."""
    if "&" in text:
        text = ENTITY_LIKE.sub("&amp;", text)
    if "<" in text:  # most texts hold none: no copy is made for them
        text = text.replace("<", "&lt;")
    if braces:
        text = text.replace("{", "{{").replace("}", "}}")
    return text


def unescape_text(text: str, braces: bool) -> str:
    """Msgid text -> text: the inverse of `escape_text`."""
    if "&" not in text and not (braces and ("{" in text or "}" in text)):
        return text  # nothing escaped: most texts

    def replace(match):
        token = match.group(0)
        if token == "&lt;":
            return "<"
        if token == "&amp;":
            return "&"
        return token[0] if braces else token

    return UNESCAPE.sub(replace, text)


# -- reading and writing messages -----------------------------------------------------------


def parse(text: str, braces: bool = True) -> tuple[Token, ...]:
    """The tokens of a message, read on its own: tags must nest, markup is refused, and
    (with `braces`) every `{name}` is a placeholder."""
    tokens, _ = lex(text, braces)
    return tuple(tokens)


def parse_message(text: str, segment: Segment) -> list[Token]:
    """Tokens of a msgid or msgstr, checked against the segment's tags and placeholders:
    the same tags (each once, self-closing as in the source), the same placeholders."""
    tags = {tag.number: tag for tag in segment.tags}
    variables = {variable.name for variable in segment.variables}
    tokens, seen = lex(text, segment.is_format, (tags, variables))
    if sorted(seen) != sorted(tags):
        missing = sorted(set(tags) - set(seen))
        if missing:
            raise NotationError(f"tag <{missing[0]}> from the source is missing", "tags")
        raise NotationError("a tag from the source is used twice", "tags")
    found = {value for kind, value in tokens if kind == "var"}
    if found != variables:
        missing = sorted(variables - found)
        message = f"placeholder {{{missing[0]}}} from the source is missing"
        raise NotationError(message, "placeholder")
    return tokens


def lex(text: str, braces: bool, source: tuple | None = None) -> tuple[list[Token], list[int]]:
    """(tokens, numbers of the tags met, in order). Faults are raised as a reader meets
    them; with `source` ((tags by number, placeholder names) of the source segment), a tag
    or placeholder the source does not have is one."""
    tokens: list[Token] = []
    stack: list[int] = []
    seen: list[int] = []
    position = 0
    for match in MESSAGE_TOKEN.finditer(text):
        token = match.group(0)
        if not braces and token[0] in "{}":
            continue  # plain text in a message without placeholders, doubled braces too
        if match.start() > position:
            tokens.append(Token("text", unescape_text(text[position : match.start()], braces)))
        position = match.end()
        if token in ("{{", "}}"):
            tokens.append(Token("text", token[0]))
        elif match.group(4):
            if source is not None and match.group(4) not in source[1]:
                raise NotationError(f"unknown placeholder {token}", "placeholder")
            tokens.append(Token("var", match.group(4)))
        elif match.group(2) is None:
            snippet = text[match.start() : match.start() + 20].split(">")[0]
            raise NotationError(f"markup not in the source: {snippet}>", "markup")
        else:
            tokens.append(tag_token(match, stack, seen, source and source[0]))
    if position < len(text):
        tokens.append(Token("text", unescape_text(text[position:], braces)))
    if stack:
        raise NotationError(f"tag <{stack[-1]}> is never closed", "tags")
    return join_text(tokens), seen


def tag_token(match: re.Match, stack: list[int], seen: list[int], tags: dict | None) -> Token:
    """The token of a numbered tag, kept in `stack` (open tags) and `seen` (in order);
    with `tags` (the source's, by number), one the source does not have is refused."""
    number = int(match.group(2))
    closing, void = match.group(1) == "/", match.group(3) == "/"
    if tags is not None:
        tag = tags.get(number)
        if tag is None or tag.self_closing != void:
            closing = void = True  # refused below, as a tag no source has
    if closing and void:
        raise NotationError(f"tag {match.group(0)} is not in the source", "tags")
    if void or not closing:
        seen.append(number)
        if not void:
            stack.append(number)
        return Token("void" if void else "open", number)
    if not stack or stack[-1] != number:
        raise NotationError(f"tag {match.group(0)} closes nothing open (badly nested)", "tags")
    stack.pop()
    return Token("close", number)


def join_text(tokens: list[Token]) -> list[Token]:
    joined: list[Token] = []
    for token in tokens:
        if token.kind == "text" and joined and joined[-1].kind == "text":
            joined[-1] = Token("text", joined[-1].value + token.value)
        else:
            joined.append(token)
    return joined


def serialize(tokens, braces: bool) -> str:
    """Tokens back to message text: the inverse of `parse` and `parse_message`."""
    parts = []
    for kind, value in tokens:
        if kind == "text":
            parts.append(escape_text(value, braces))
        elif kind == "var":
            parts.append("{" + value + "}")
        else:
            parts.append({"open": "<{}>", "close": "</{}>", "void": "<{}/>"}[kind].format(value))
    return "".join(parts)


# -- reading parts of a message -------------------------------------------------------------


def tags(msgid: str) -> tuple[tuple[int, bool], ...]:
    """(number, self-closing) of each tag a message opens, in order, each once."""
    found = {int(match.group(1)): bool(match.group(2)) for match in TAG.finditer(msgid)}
    return tuple(found.items())


def placeholders(msgid: str) -> tuple[str, ...]:
    """The names of the message's placeholders, in order, each once (a doubled brace is
    no placeholder)."""
    names = (match.group(1) for match in PLACEHOLDER.finditer(msgid))
    return tuple(dict.fromkeys(name for name in names if name))


# Big enough for the largest article (a page is rendered once per region), small enough that
# a site's worth of msgids is not kept alive by the cache.
@lru_cache(maxsize=4096)
def words(msgid: str) -> int:
    """Words a translator translates: letters, without tags and placeholders."""
    if "<" in msgid or "{" in msgid:  # a literal "<" is "&lt;" in a msgid: "<" opens a tag
        msgid = TAG_OR_PLACEHOLDER.sub(" ", msgid)
    return len(WORD.findall(msgid))


def plain_text(message: str) -> str:
    """The message's text with each tag and placeholder a space."""
    return unescape_text(TAG_OR_PLACEHOLDER.sub(" ", message), False)


def visible_text(message: str) -> str:
    """The message as a reader sees its shape: tags gone, each placeholder a neutral 0."""
    return unescape_text(re.sub(r"\{\w+\}", "0", re.sub(r"</?\d+/?>", "", message)), False)
