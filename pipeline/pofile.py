"""PO text in gettext's layout, written fast (polib's writer spends most of its time in
textwrap: 12 ms for a 70-entry catalog). Lines wrap at 79 columns after spaces, as msgmerge
does, so catalogs stay diff-friendly."""

from __future__ import annotations

import re
import unicodedata

WIDTH = 79
# Break opportunities as gettext's line breaker finds them: after spaces, and after a
# hyphen between letters ("long-|term").
BREAK = re.compile(r"(?<= )(?=[^ :;!?,.)\]}»])|(?<=[^\W\d_]-)(?=[^\W\d_])")


# Scripts whose characters are all one column wide: Latin (with Extended Additional), Greek,
# Cyrillic, Armenian, and punctuation outside the zero-width formatting characters.
NARROW = re.compile(
    r"[\u0000-\u02ff\u0370-\u0482\u048a-\u058f\u1e00-\u1fff\u2010-\u2027\u2030-\u205f"
    r"\u20a0-\u20bf]*"
)


def display_width(text: str) -> int:
    """Columns as gettext counts them: zero-width marks 0, wide (CJK) characters 2."""
    if text.isascii() or NARROW.fullmatch(text):
        return len(text)
    width = 0
    for char in text:
        if unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


# Control characters gettext writes as escapes (msgcat turns a raw one into these).
CONTROLS = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\v": "\\v"}


def escape(text: str) -> str:
    # `in` finds a character with memchr; replace() counts them one by one even when there
    # are none, and most texts hold none of these.
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if '"' in text:
        text = text.replace('"', '\\"')
    if "\t" in text:
        text = text.replace("\t", "\\t")
    if "\r" in text:
        text = text.replace("\r", "\\r")
    if "\n" in text:
        text = text.replace("\n", "\\n")
    if "\a" in text or "\b" in text or "\f" in text or "\v" in text:  # rare
        for char, escaped in CONTROLS.items():
            text = text.replace(char, escaped)
    return text


def string_lines(keyword: str, text: str, prefix: str = "") -> list[str]:
    """`msgid "..."`, wrapped the gettext way when it does not fit on one line."""
    # Newlines are looked for in the text, not in its escaped form: a one-character search
    # runs at memchr's speed where `"\\n" in escaped` took a microsecond per kilobyte, and
    # a backslash followed by "n" in the text is no newline to break after (nor for gettext).
    if text.find("\n", 0, len(text) - 1) < 0:  # no newline before the last character
        escaped = escape(text)
        first = f'{prefix}{keyword} "{escaped}"'
        if display_width(first) <= WIDTH:
            return [first]
        pieces = [escaped]
    else:
        pieces = [escape(piece) for piece in after_newlines(text)]
    lines = [f'{prefix}{keyword} ""']
    room = WIDTH - len(prefix) - 2
    for piece in pieces:
        if not piece:
            continue
        if piece.isascii() or NARROW.fullmatch(piece):
            lines.extend([f'{prefix}"{line}"' for line in wrap_narrow(piece, room)])
            continue
        current, width = "", 0
        measure = display_width
        for chunk in BREAK.split(piece):
            chunk_width = measure(chunk)
            if current and width + chunk_width > room:
                lines.append(f'{prefix}"{current}"')
                current, width = "", 0
            current += chunk
            width += chunk_width
        if current:
            lines.append(f'{prefix}"{current}"')
    return lines


def after_newlines(text: str) -> list[str]:
    """`text` cut after every newline, as `re.split(r"(?<=\\n)", text)` cuts it (that regex
    tries a match at every position: a seventh of a template's writing time)."""
    pieces = text.split("\n")
    last = pieces.pop()
    return [piece + "\n" for piece in pieces] + [last]


NO_BREAK_BEFORE = frozenset(" :;!?,.)]}»")


def wrap_narrow(text: str, room: int) -> list[str]:
    """The same lines as splitting at BREAK and packing greedily, for one-column text:
    scan back from the limit for the last break opportunity instead of splitting."""
    lines = []
    start = 0  # where the current line starts: the rest of the text is not copied per line
    length = len(text)
    while length - start > room:
        cut = last_break(text, start, start + room)
        if cut <= start:
            cut = first_break(text, start, start + room)
            if cut <= start:
                break
        lines.append(text[start:cut])
        start = cut
    if start < length:
        lines.append(text[start:])
    return lines


def is_break(text: str, start: int, index: int) -> bool:
    """Whether a line starting at `start` may break before text[index] (BREAK's rule)."""
    before, after = text[index - 1], text[index]
    if before == " ":
        return after not in NO_BREAK_BEFORE
    return (
        before == "-"
        and index >= start + 2
        and text[index - 2].isalpha()
        and after.isalpha()
        and text[index - 2] not in "0123456789_"
        and after not in "0123456789_"
    )


def last_break(text: str, start: int, limit: int) -> int:
    """The last break opportunity in (start, limit], or `start` when there is none (prose has
    a space every few characters, so stepping back finds it in a few steps)."""
    index = limit
    while index > start:
        before = text[index - 1]
        if (before == " " or before == "-") and is_break(text, start, index):
            return index
        index -= 1
    return start


def first_break(text: str, start: int, limit: int) -> int:
    """The first break opportunity after `limit`, or `start` when there is none."""
    for index in range(limit + 1, len(text)):
        if is_break(text, start, index):
            return index
    return start


def comment_lines(marker: str, text: str) -> list[str]:
    return [f"{marker} {line}".rstrip() for line in text.split("\n")] if text else []


def reference_lines(occurrences) -> list[str]:
    lines, current = [], "#:"
    for path, line in occurrences:
        item = f"{path}:{line}" if line else path
        if len(current) + 1 + len(item) > WIDTH and current != "#:":
            lines.append(current)
            current = "#:"
        current += " " + item
    if current != "#:":
        lines.append(current)
    return lines


def entry_lines(entry) -> list[str]:
    """The lines of one entry: a polib.POEntry, or a catalogs.TemplateEntry (which has the
    same attributes)."""
    prefix = "#~ " if entry.obsolete else ""
    lines = comment_lines("#", entry.tcomment) + comment_lines("#.", entry.comment)
    if not entry.obsolete:
        lines += reference_lines(entry.occurrences)
    flags = entry.flags
    if flags:
        lines.append("#, " + ", ".join(flags))
    if entry.previous_msgctxt:
        lines += string_lines("msgctxt", entry.previous_msgctxt, "#| ")
    if entry.previous_msgid:
        lines += string_lines("msgid", entry.previous_msgid, "#| ")
    if entry.msgctxt is not None:
        lines += string_lines("msgctxt", entry.msgctxt, prefix)
    lines += string_lines("msgid", entry.msgid, prefix)
    if entry.msgid_plural:
        lines += string_lines("msgid_plural", entry.msgid_plural, prefix)
        for index in sorted(entry.msgstr_plural):
            lines += string_lines(f"msgstr[{index}]", entry.msgstr_plural[index], prefix)
    else:
        lines += string_lines("msgstr", entry.msgstr, prefix)
    return lines


def format_catalog(header: str, metadata: dict, entries) -> str:
    """A whole catalog: header comment, metadata entry, then every entry."""
    lines = comment_lines("#", header)
    lines.append('msgid ""')
    lines += string_lines("msgstr", "".join(f"{k}: {v}\n" for k, v in metadata.items()))
    active = [entry for entry in entries if not entry.obsolete]
    obsolete = [entry for entry in entries if entry.obsolete]
    blocks = ["\n".join(lines)] + ["\n".join(entry_lines(entry)) for entry in active + obsolete]
    return "\n\n".join(blocks) + "\n"


# -- reading -------------------------------------------------------------------------------


class PoSyntaxError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(f"{line}: {message}")
        self.line = line
        self.message = message


ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    '"': '"',
    "\\": "\\",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}
ESCAPE = re.compile(r"\\(.)")
KEYWORD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)[ \t\r\f\v]+(".*)$')
# What gettext's lexer skips between tokens; "\n" alone ends a line (a "\r" before it goes
# with it). Other characters Python counts as line ends or spaces (NEL, U+2028, U+2029,
# \x1c-\x1e) are text inside a string and an error outside one, as they are for msgfmt.
BLANKS = " \t\r\f\v"


# One string, whole: every backslash escapes the character after it.
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S)


def unquote(text: str, line: int) -> str:
    """The text of the one quoted string that `text` is (gettext also joins `"a" "b"` on one
    line, which polib misreads: it is refused here)."""
    match = STRING.match(text)
    if match is None:
        raise PoSyntaxError(line, "end-of-line within string")
    if match.end() != len(text):
        raise PoSyntaxError(line, "text after the closing quote of a string")
    body = match.group(1)

    def replace(match):
        char = match.group(1)
        if char not in ESCAPES:
            raise PoSyntaxError(line, f"invalid control sequence \\{char}")
        return ESCAPES[char]

    return ESCAPE.sub(replace, body) if "\\" in body else body


def read_entries(text: str):
    """(msgctxt, msgid, msgstr, flags, line) of every live entry; strict: a syntax error is
    a PoSyntaxError with its line. Obsolete entries and comments other than flags are skipped.
    """
    entries = read_plain_entries(text)
    return iter(entries) if entries is not None else read_entries_strictly(text)


# The layout gettext tools, Poedit, Weblate and this package write, read a line at a time
# with string operations only. Anything else (plurals, odd spacing, CR line ends, a syntax
# error) is left to the strict reader, which gives the same results and reports errors with
# their line.
# Characters the plain layout has no use for (CR line ends; the others are left to the strict
# reader, whose handling of them is the one held against msgfmt's).
OTHER_LINE_ENDS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


class NotPlain(Exception):
    pass


def read_plain_entries(text: str) -> list | None:
    """Entries of a catalog in the common layout, or None when it is not in that layout:
    comment and blank lines, then `msgctxt "..."` (optional), `msgid "..."` and
    `msgstr "..."`, each continued by lines `"..."`. Lines are found in place, not split
    off: only the strings' text is copied out."""
    if "msgid_plural" in text:
        return None
    for line_break in OTHER_LINE_ENDS:  # noqa: SIM110
        if line_break in text:
            return None
    length = len(text)
    position = 0  # where the current line starts
    line_number = 1
    entries = []
    try:
        while True:
            flags: list[str] = []
            while position < length and (text[position] == "\n" or text[position] == "#"):
                end = line_end(text, position)
                if text.startswith("#,", position):
                    words = text[position + 2 : end].split(",")
                    flags.extend([flag.strip() for flag in words if flag.strip()])
                position = end + 1
                line_number += 1
            if position >= length:
                return entries
            first_line = line_number
            context = None
            if text.startswith('msgctxt "', position):
                context, position, line_number = plain_field(text, position, 9, line_number)
            if not text.startswith('msgid "', position):
                return None
            msgid, position, line_number = plain_field(text, position, 7, line_number)
            if not text.startswith('msgstr "', position):
                return None
            msgstr, position, line_number = plain_field(text, position, 8, line_number)
            entries.append((context, msgid, msgstr, flags, first_line))
    except NotPlain:
        return None


def line_end(text: str, position: int) -> int:
    end = text.find("\n", position)
    return len(text) if end < 0 else end


def plain_field(text: str, position: int, skip: int, line_number: int) -> tuple:
    """(string, next line's position, next line's number) of the string whose line starts
    at `position` (its keyword `skip` characters long, quote included) and its continuation
    lines."""
    length = len(text)
    end = line_end(text, position)
    pieces = [plain_body(text, position + skip, end)]
    position = end + 1
    line_number += 1
    while position < length and text[position] == '"':
        end = line_end(text, position)
        pieces.append(plain_body(text, position + 1, end))
        position = end + 1
        line_number += 1
    raw = pieces[0] if len(pieces) == 1 else "".join(pieces)
    if "\\" in raw:
        raw = ESCAPE.sub(plain_escape, raw)
    return raw, position, line_number


def plain_body(text: str, start: int, end: int) -> str:
    """The text between the quotes of the string line ending at `end`: no bare quote in
    it, every backslash escaping the character after it (an escaped closing quote leaves
    the string open)."""
    close = end - 1
    if close < start or text[close] != '"':
        raise NotPlain
    body = text[start:close]
    if "\\" in body:
        unpaired = body.replace("\\\\", "")  # escaped backslashes, paired left to right
        if unpaired.endswith("\\") or '"' in unpaired.replace('\\"', ""):
            raise NotPlain
    elif '"' in body:
        raise NotPlain
    return body


def plain_escape(match: re.Match) -> str:
    try:
        return ESCAPES[match.group(1)]
    except KeyError:
        raise NotPlain from None


def read_entries_strictly(text: str):
    entry: dict = {}
    flags: list[str] = []
    field_name = None
    start_line = 0
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip(BLANKS)
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#,"):
                if "msgid" in entry:
                    yield finish(entry, flags, start_line)
                    entry, flags, field_name = {}, [], None
                flags.extend(flag.strip() for flag in line[2:].split(",") if flag.strip())
            elif "msgid" in entry and not line.startswith("#~"):
                yield finish(entry, flags, start_line)
                entry, flags, field_name = {}, [], None
            continue
        if line.startswith('"'):
            if field_name is None:
                raise PoSyntaxError(number, "a string continues no keyword")
            entry[field_name] += unquote(line, number)
            continue
        match = KEYWORD.match(line)
        if not match:
            raise PoSyntaxError(number, f"syntax error: {line[:30]!r}")
        keyword, value = match.groups()
        if (
            keyword in ("msgctxt", "msgid")
            and "msgid" in entry
            and (keyword == "msgctxt" or "msgstr" in entry or "msgstr[0]" in entry)
        ):
            yield finish(entry, flags, start_line)
            entry, flags = {}, []
        if keyword in entry:
            raise PoSyntaxError(number, f"duplicate {keyword}")
        if not entry:
            start_line = number
        entry[keyword] = unquote(value, number)
        field_name = keyword
    if entry:
        yield finish(entry, flags, start_line)


def finish(entry: dict, flags: list, line: int):
    if "msgid" not in entry:
        raise PoSyntaxError(line, "entry without msgid")
    if "msgstr" not in entry and "msgstr[0]" not in entry:
        raise PoSyntaxError(line, "missing 'msgstr' section")
    return entry.get("msgctxt"), entry["msgid"], entry.get("msgstr", ""), flags, line
