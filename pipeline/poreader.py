"""The one reader of .po and .pot files: strict, every error with its line and a code.

It refuses what polib silently misreads (an unterminated string, two strings on one line)
and bytes escaped in octal or hex. Lines end at "\\n" only, as for msgfmt: a form feed,
vertical tab, CR, NEL, U+2028 or U+2029 inside a string is text.
"""

from __future__ import annotations

import re

from pipeline.pofile import Catalog, Entry


class PoSyntaxError(ValueError):
    """A catalog that cannot be read: its line, the message, and a machine-readable code:
    `string` (an unterminated string or text after one), `escape` (an unknown escape),
    `keyword` (a line that is no keyword, string or comment), `duplicate` (a keyword twice
    in one entry), `incomplete` (an entry without msgid or msgstr)."""

    def __init__(self, line: int, message: str, code: str = "keyword"):
        super().__init__(f"{line}: {message}")
        self.line = line
        self.message = message
        self.code = code


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
# One string, whole: every backslash escapes the character after it. (Written as runs of
# plain characters between escapes: an alternation tried at each character is many times
# slower on long strings.)
STRING = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"', re.S)


def unquote(text: str, line: int) -> str:
    """The text of the one quoted string that `text` is (gettext also joins `"a" "b"` on one
    line, which polib misreads: it is refused here)."""
    match = STRING.fullmatch(text)
    if match is None:
        if STRING.match(text) is None:
            raise PoSyntaxError(line, "end-of-line within string", "string")
        raise PoSyntaxError(line, "text after the closing quote of a string", "string")
    return unescape(match.group(1), line)


def unescape(body: str, line: int) -> str:
    """A string's text with its escapes read; an escape gettext does not know is refused."""
    if "\\" not in body:
        return body

    def replace(match):
        char = match.group(1)
        if char not in ESCAPES:
            raise PoSyntaxError(line, f"invalid control sequence \\{char}", "escape")
        return ESCAPES[char]

    return ESCAPE.sub(replace, body)


def read_po(text: str) -> Catalog:
    """The catalog `text` holds: its first entry with an empty msgid is the header."""
    return catalog_of(read_entries(text))


def catalog_of(entries: list[Entry]) -> Catalog:
    """The catalog of entries read: the first live one with an empty msgid is the header."""
    header = next((e for e in entries if is_header(e)), None)
    if header is None:
        return Catalog("", {}, tuple(entries))
    return Catalog(
        header.tcomment,
        parse_metadata(header.msgstr),
        tuple(entry for entry in entries if entry is not header),
    )


def is_header(entry: Entry) -> bool:
    return not entry.msgid and entry.msgctxt is None and not entry.obsolete


def parse_metadata(msgstr: str) -> dict:
    """`Key: value` lines in order; a line without a colon continues the value before it."""
    metadata: dict[str, str] = {}
    key = None
    for line in msgstr.splitlines():
        name, colon, value = line.partition(":")
        if colon:
            key = name
            metadata[key] = value.strip()
        elif key is not None:
            metadata[key] += "\n" + line.strip()
    return metadata


def read_entries(text: str) -> list[Entry]:
    """Every entry in file order, the header and obsolete entries included."""
    entries = read_plain_entries(text)
    return entries if entries is not None else read_entries_by_line(text)


def read_entries_by_line(text: str) -> list[Entry]:
    """`read_entries` a line at a time: reads every layout gettext reads, and names the line
    of each error."""
    reader = Reader()
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip(BLANKS)
        if line:
            reader.feed(line, number)
    reader.finish()
    return reader.entries


class Reader:
    """The entry being read, a line at a time, and the entries read before it."""

    def __init__(self):
        self.entries: list[Entry] = []
        self.reset()

    def reset(self) -> None:
        self.fields: dict[str, str] = {}  # msgctxt, msgid, msgstr, msgstr[0] ...
        self.previous: dict[str, str] = {}  # `#|` msgctxt and msgid
        self.comments: dict[str, list[str]] = {"#": [], "#.": [], "#:": [], "#,": []}
        self.target: dict | None = None  # where a continuation string goes
        self.name = ""
        self.obsolete = False
        self.start = 0

    def feed(self, line: str, number: int) -> None:
        if line[0] == '"':  # a string continued, the most common line of a catalog
            self.continued(line, number)
        elif line[0] != "#":
            self.string_line(line, number, self.fields, False)
        elif line.startswith("#~"):
            body = line[2:].lstrip(BLANKS)
            if body.startswith("|"):
                self.string_line(body[1:].lstrip(BLANKS), number, self.previous, True)
            elif body:
                self.string_line(body, number, self.fields, True)
        elif line.startswith("#|"):
            self.string_line(line[2:].lstrip(BLANKS), number, self.previous, False)
        else:
            self.comment(line)

    def continued(self, line: str, number: int) -> None:
        """A string that continues the keyword's (or continuation's) before it."""
        if self.target is None:
            raise PoSyntaxError(number, "a string continues no keyword")
        self.target[self.name] += unquote(line, number)

    def comment(self, line: str) -> None:
        if "msgid" in self.fields:  # a comment after an entry starts the next one
            self.finish()
        kind, body = comment_parts(line)
        self.comments[kind].append(body)

    def string_line(self, line: str, number: int, target: dict, obsolete: bool) -> None:
        """A keyword line or a continuation string, of the entry or of its `#|` fields."""
        if line.startswith('"'):
            self.continued(line, number)
            return
        match = KEYWORD.match(line)
        if not match:
            raise PoSyntaxError(number, f"syntax error: {line[:30]!r}")
        keyword, value = match.group(1), unquote(match.group(2), number)
        if target is self.fields:
            self.start_entry(keyword, number, obsolete)
            target = self.fields  # a new dict if an entry was finished
        elif "msgid" in self.fields:  # `#|` lines come before the entry they belong to
            self.finish()
            target = self.previous
        if keyword in target:
            raise PoSyntaxError(number, f"duplicate {keyword}", "duplicate")
        target[keyword] = value
        self.target, self.name = target, keyword

    def start_entry(self, keyword: str, number: int, obsolete: bool) -> None:
        """Finish the entry before when this keyword begins a new one."""
        fields = self.fields
        if (
            keyword in ("msgctxt", "msgid")
            and "msgid" in fields
            and (keyword == "msgctxt" or "msgstr" in fields or "msgstr[0]" in fields)
        ) or (fields and obsolete != self.obsolete):
            self.finish()
        if not self.fields:
            self.start = number
            self.obsolete = obsolete

    def finish(self) -> None:
        """Add the entry read so far (if any) to `entries`."""
        fields = self.fields
        if not fields:
            if self.previous:
                raise PoSyntaxError(self.start, "previous strings of no entry", "incomplete")
            return  # comments after the last entry belong to none
        if "msgid" not in fields:
            raise PoSyntaxError(self.start, "entry without msgid", "incomplete")
        if "msgstr" not in fields and "msgstr[0]" not in fields:
            raise PoSyntaxError(self.start, "missing 'msgstr' section", "incomplete")
        self.entries.append(self.entry())
        self.reset()

    def entry(self) -> Entry:
        return make_entry(self.fields, self.comments, self.previous, self.obsolete, self.start)


def make_entry(fields: dict, comments: dict, previous: dict, obsolete: bool, line: int) -> Entry:
    """The entry of the fields and comments read (by either reader)."""
    plural = sorted(
        (int(name[7:-1]), text) for name, text in fields.items() if name.startswith("msgstr[")
    )
    return Entry(
        msgid=fields["msgid"],
        msgstr=fields.get("msgstr", ""),
        msgctxt=fields.get("msgctxt"),
        msgid_plural=fields.get("msgid_plural", ""),
        msgstr_plural=tuple(plural),
        comment="\n".join(comments["#."]),
        tcomment="\n".join(comments["#"]),
        occurrences=tuple(
            occurrence for line in comments["#:"] for occurrence in parse_occurrences(line)
        ),
        flags=tuple(flag for line in comments["#,"] for flag in parse_flags(line)),
        previous_msgctxt=previous.get("msgctxt"),
        previous_msgid=previous.get("msgid"),
        obsolete=obsolete,
        line=line,
    )


def comment_parts(line: str) -> tuple[str, str]:
    """A comment line's kind (`#`, `#.`, `#:` or `#,`) and its text."""
    kind = line[:2] if line[:2] in ("#.", "#:", "#,") else "#"
    body = line[len(kind) :]
    if kind in ("#", "#.") and body.startswith(" "):
        body = body[1:]
    return kind, body


# -- the plain layout, read whole -------------------------------------------------------------
#
# Nearly every catalog a publish reads is in the layout gettext's tools and this package write:
# comments, `msgctxt`/`msgid`/`msgstr` each followed by one space and quoted strings, blank
# lines between entries, nothing before or after a line. Such a file is read an entry at a time
# by one regular expression, in half the time of reading it a line at a time. Anything else
# (obsolete or previous entries, plurals, odd spacing, CR line ends, any error) is read by
# `read_entries_by_line`, which gives the same entries and names the line of an error.

_BLANK = re.escape(BLANKS)  # for a character class
_STRINGS = r'(?:"[^"\\\n]*(?:\\.[^"\\\n]*)*"\n)+'  # a keyword's quoted strings, a line each
_PLAIN_ENTRY = re.compile(
    rf"""(?P<comments>(?:\#(?:[^~|\n{_BLANK}]|[^~|\n][^\n]*[^\n{_BLANK}])?\n)*)
    (?:msgctxt\ (?P<msgctxt>{_STRINGS}))?
    msgid\ (?P<msgid>{_STRINGS})
    msgstr\ (?P<msgstr>{_STRINGS})
    \n*""",
    re.VERBOSE,
)


def read_plain_entries(text: str) -> list[Entry] | None:
    """The entries of a catalog in the plain layout; None for any other text."""
    entries = []
    position = len(text) - len(text.lstrip("\n"))
    line = 1 + position
    while position < len(text):
        match = _PLAIN_ENTRY.match(text, position)
        if match is None:
            return None
        start = line + match["comments"].count("\n")  # the line of its first keyword
        try:
            msgctxt, msgid, msgstr = (plain_text(match[name]) for name in _KEYWORDS)
        except PoSyntaxError:
            return None  # read by lines, for the error's own line
        entries.append(plain_entry(match["comments"], msgctxt, msgid, msgstr, start))
        line += match[0].count("\n")
        position = match.end()
    return entries


_KEYWORDS = ("msgctxt", "msgid", "msgstr")


def plain_text(strings: str | None) -> str | None:
    """The text of a keyword's quoted strings, a line each (None: no such keyword). A line's
    closing quote, its newline and the next line's opening quote are the only `"\n"` there
    (a string holds no newline), and no escape spans two strings: the strings are joined
    first and their escapes read once."""
    if strings is None:
        return None
    return unescape(strings[1:-2].replace('"\n"', ""), 0)


def plain_entry(comment_lines: str, msgctxt, msgid: str, msgstr: str, line: int) -> Entry:
    """`make_entry` of an entry with one msgstr, no previous strings, not obsolete."""
    notes: list[str] = []
    translator_notes: list[str] = []
    occurrences: list[tuple[str, str]] = []
    flags: list[str] = []
    for comment in comment_lines.split("\n")[:-1]:  # lines end at "\n" only
        kind, body = comment_parts(comment)
        if kind == "#:":
            occurrences.extend(parse_occurrences(body))
        elif kind == "#,":
            flags.extend(parse_flags(body))
        else:
            (notes if kind == "#." else translator_notes).append(body)
    return Entry(
        msgid=msgid,
        msgstr=msgstr,
        msgctxt=msgctxt,
        comment="\n".join(notes),
        tcomment="\n".join(translator_notes),
        occurrences=tuple(occurrences),
        flags=tuple(flags),
        line=line,
    )


def parse_flags(line: str) -> list[str]:
    """The flags of a `#,` line, in order."""
    return [flag.strip() for flag in line.split(",") if flag.strip()]


def parse_occurrences(line: str) -> list[tuple[str, str]]:
    """(path, line) of each `path:line` reference; a reference without a number has ""."""
    found = []
    for reference in line.split():
        path, colon, number = reference.rpartition(":")
        found.append((path, number) if colon and number.isdigit() else (reference, ""))
    return found
