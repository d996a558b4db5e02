"""Gettext catalogs as data: the one entry type (`Entry`, `Catalog`), the one strict reader
(`read_po`) and the writer of gettext's exact layout (`format_catalog`: lines wrap at 79
columns as msgcat and msgmerge wrap them, so those tools change nothing)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

# -- the model ------------------------------------------------------------------------------

# The project's own data on an entry, kept in an extracted comment (`#. pipeline: critical,
# role=heading`): gettext tools drop flags they do not know, but copy extracted comments.
PIPELINE_NOTE = "pipeline: "


@dataclass(frozen=True, slots=True)
class Entry:
    """One catalog or template entry, as read, merged and written."""

    msgid: str
    msgstr: str = ""
    msgctxt: str | None = None
    msgid_plural: str = ""
    msgstr_plural: tuple[tuple[int, str], ...] = ()  # (index, text), by index
    comment: str = ""  # extracted comments (`#.`): notes for translators, the pipeline note
    tcomment: str = ""  # translator comments (`#`)
    occurrences: tuple[tuple[str, str], ...] = ()  # (path, line) of `#:` references
    flags: tuple[str, ...] = ()
    previous_msgctxt: str | None = None
    previous_msgid: str | None = None
    obsolete: bool = False
    line: int = field(default=0, compare=False)  # of its first keyword in the file read

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt or None, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and not self.fuzzy and not self.obsolete

    @property
    def is_format(self) -> bool:
        return "python-brace-format" in self.flags

    @property
    def notes(self) -> str:
        """The extracted comments meant for translators: all but the pipeline note."""
        if PIPELINE_NOTE not in self.comment:
            return self.comment
        lines = self.comment.split("\n")
        return "\n".join(line for line in lines if not line.startswith(PIPELINE_NOTE))

    @property
    def pipeline_notes(self) -> tuple[str, ...]:
        """The words of the pipeline note: "critical", "role=heading"."""
        for line in self.comment.split("\n"):
            if line.startswith(PIPELINE_NOTE):
                return tuple(word.strip() for word in line[len(PIPELINE_NOTE) :].split(","))
        return ()

    @property
    def critical(self) -> bool:
        # "critical" as a flag: catalogs written before the pipeline note (update drops it)
        return "critical" in self.pipeline_notes or "critical" in self.flags

    @property
    def role(self) -> str:
        for word in self.pipeline_notes:
            if word.startswith("role="):
                return word[len("role=") :]
        return "text"


def pipeline_note(critical: bool, role: str) -> str:
    """The extracted comment line carrying an entry's own data, or "" when it has none."""
    words = ["critical"] if critical else []
    if role != "text":
        # lets `update` follow a text whose msgctxt comes or goes as the article changes (a
        # context is set only where one text plays several roles)
        words.append(f"role={role}")
    return PIPELINE_NOTE + ", ".join(words) if words else ""


@dataclass(frozen=True)
class Catalog:
    """A whole .po or .pot: the header comment, the metadata, the entries in file order."""

    header: str = ""
    metadata: dict = field(default_factory=dict)
    entries: tuple[Entry, ...] = ()

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, msgid: str, msgctxt: str | None = None) -> Entry | None:
        """The live entry with this text and context, or None."""
        key = (msgctxt or None, msgid)
        return next((e for e in self.entries if e.key == key and not e.obsolete), None)


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


def entry_lines(entry: Entry) -> list[str]:
    """The lines of one entry."""
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
        for index, text in entry.msgstr_plural:
            lines += string_lines(f"msgstr[{index}]", text, prefix)
    else:
        lines += string_lines("msgstr", entry.msgstr, prefix)
    return lines


def format_catalog(header: str, metadata: dict, entries: Iterable[Entry]) -> str:
    """A whole catalog: header comment, metadata entry, then every entry."""
    lines = comment_lines("#", header)
    lines.append('msgid ""')
    lines += string_lines("msgstr", "".join(f"{k}: {v}\n" for k, v in metadata.items()))
    active = [entry for entry in entries if not entry.obsolete]
    obsolete = [entry for entry in entries if entry.obsolete]
    blocks = ["\n".join(lines)] + ["\n".join(entry_lines(entry)) for entry in active + obsolete]
    return "\n\n".join(blocks) + "\n"
