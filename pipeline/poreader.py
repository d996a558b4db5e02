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
        kind = line[:2] if line[:2] in ("#.", "#:", "#,") else "#"
        body = line[len(kind) :]
        if kind in ("#", "#.") and body.startswith(" "):
            body = body[1:]
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
        fields, comments = self.fields, self.comments
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
            flags=tuple(
                flag.strip() for line in comments["#,"] for flag in line.split(",") if flag.strip()
            ),
            previous_msgctxt=self.previous.get("msgctxt"),
            previous_msgid=self.previous.get("msgid"),
            obsolete=self.obsolete,
            line=self.start,
        )


def parse_occurrences(line: str) -> list[tuple[str, str]]:
    """(path, line) of each `path:line` reference; a reference without a number has ""."""
    found = []
    for reference in line.split():
        path, colon, number = reference.rpartition(":")
        found.append((path, number) if colon and number.isdigit() else (reference, ""))
    return found
