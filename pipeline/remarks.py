"""Reviewers' remarks: a question or correction attached to one segment, open until resolved.

A remark file is `locales/<lang>/reviews/<slug>.remarks.toml`, beside the sign-off records
of the same article and language (never in a catalog: a translator's `.po` is theirs). Each
`[[remark]]` names its segment by msgctxt and msgid, holds the text as written (plain text,
shown as text everywhere), who wrote it and when, and, once resolved, who resolved it and
when. While a segment has an open remark the language's review does not hold: `review
status` lists the remarks, `review sign` refuses, and `require_review = "block"` skips the
pages that use the language.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.errors import UsageError
from pipeline.files import safe_name, write_atomic
from pipeline.lock import project_lock
from pipeline.review import REVIEWS_FOLDER, Locator, plain_line, record_tables, toml_string

MAX_TEXT = 4000  # characters of one remark: a paragraph or two, not a document


@dataclass(frozen=True, slots=True)
class Remark:
    """One remark on one segment."""

    id: int
    msgctxt: str | None
    msgid: str
    text: str
    author: str
    date: datetime.date
    resolved_by: str = ""
    resolved_on: datetime.date | None = None

    @property
    def is_open(self) -> bool:
        return self.resolved_on is None

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "msgctxt": self.msgctxt,
            "msgid": self.msgid,
            "text": self.text,
            "author": self.author,
            "date": self.date.isoformat(),
            "resolved_by": self.resolved_by or None,
            "resolved_on": self.resolved_on.isoformat() if self.resolved_on else None,
        }


def remarks_path(locales_dir: Path, language: str, slug: str) -> Path:
    safe_name(slug, "slug")
    safe_name(language, "locale")
    return locales_dir / language / REVIEWS_FOLDER / f"{slug}.remarks.toml"


class RemarkLocator(Locator):
    """Lines of a remark file's keys."""

    HEADER = re.compile(r"^\s*\[\[\s*remark\s*\]\]")


FIELDS = {
    "id": int,
    "msgctxt": str,
    "msgid": str,
    "text": str,
    "author": str,
    "date": datetime.date,
    "resolved_by": str,
    "resolved_on": datetime.date,
}
REQUIRED = ("id", "msgid", "text", "author", "date")


def read_remarks(path: Path) -> tuple[Remark, ...]:
    """The remarks of a file, in the order written (none without a file); anything wrong
    is a ConfigError naming the file and line."""
    locate, tables = record_tables(path, "remark", RemarkLocator)
    return tuple(checked_remark(table, index, locate) for index, table in enumerate(tables))


def checked_remark(table: dict, index: int, locate: RemarkLocator) -> Remark:
    """A [[remark]] table as a Remark, or a ConfigError naming its line."""
    for key, value in table.items():
        expected = FIELDS.get(key)
        if expected is None:
            raise locate.error(index, key, f"unknown key {key!r}")
        if type(value) is not expected:  # a datetime is not a date, a bool not an int
            raise locate.error(index, key, f"{key} must be a {expected.__name__}")
    missing = [key for key in REQUIRED if key not in table]
    if missing:
        raise locate.error(index, None, f"[[remark]] has no {missing[0]!r}")
    if not plain_line(table["author"]) or not plain_line(table.get("resolved_by", "")):
        raise locate.error(index, "author", "control or bidi characters in a name")
    return Remark(
        id=table["id"],
        msgctxt=table.get("msgctxt"),
        msgid=table["msgid"],
        text=table["text"],
        author=table["author"],
        date=table["date"],
        resolved_by=table.get("resolved_by", ""),
        resolved_on=table.get("resolved_on"),
    )


HEADER_TEXT = """\
# Reviewers' remarks on the article {slug!r} ({language}), written by `pipeline serve --review`.
# A remark stays open (and the review does not hold) until it is resolved
# (`pipeline review resolve`, or from the review page).
"""


def remark_block(remark: Remark) -> str:
    lines = ["[[remark]]", f"id = {remark.id}"]
    if remark.msgctxt is not None:
        lines.append(f"msgctxt = {toml_string(remark.msgctxt)}")
    lines += [
        f"msgid = {toml_string(remark.msgid)}",
        f"text = {toml_string(remark.text)}",
        f"author = {toml_string(remark.author)}",
        f"date = {remark.date.isoformat()}",
    ]
    if remark.resolved_on is not None:
        lines.append(f"resolved_by = {toml_string(remark.resolved_by)}")
        lines.append(f"resolved_on = {remark.resolved_on.isoformat()}")
    return "\n".join(lines) + "\n"


def write_remarks(path: Path, slug: str, language: str, remarks: tuple[Remark, ...]) -> None:
    """The whole file, written atomically (callers hold the language's review lock)."""
    header = HEADER_TEXT.format(slug=slug, language=language)
    write_atomic(path, header + "".join("\n" + remark_block(r) for r in remarks))


def checked_text(text: str, what: str) -> str:
    """A remark's text: lines of plain text, without other controls or bidi overrides."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise UsageError(f"the {what} is empty")
    if len(text) > MAX_TEXT:
        raise UsageError(f"the {what} is longer than {MAX_TEXT} characters")
    if not all(plain_line(line) for line in text.split("\n")):
        raise UsageError(f"control or bidi characters in the {what}")
    return text


def checked_name(name: str) -> str:
    name = name.strip()
    if not name or not plain_line(name):
        raise UsageError("a remark needs a name on one plain line (no control characters)")
    return name


def add_remark(path: Path, slug: str, language: str, key, text: str, author: str, today) -> Remark:
    """Append a remark on the segment `key` ((msgctxt, msgid)); the new remark."""
    remarks = read_remarks(path)
    remark = Remark(
        id=max((r.id for r in remarks), default=0) + 1,
        msgctxt=key[0],
        msgid=key[1],
        text=checked_text(text, "remark"),
        author=checked_name(author),
        date=today,
    )
    write_remarks(path, slug, language, (*remarks, remark))
    return remark


def resolve_remark(path: Path, slug: str, language: str, number: int, by: str, today) -> Remark:
    """Mark remark `number` resolved (a UsageError when there is no such open remark)."""
    remarks = read_remarks(path)
    found = next((r for r in remarks if r.id == number), None)
    if found is None:
        raise UsageError(f"{path}: no remark {number}")
    if not found.is_open:
        raise UsageError(f"{path}: remark {number} was resolved on {found.resolved_on}")
    done = replace(found, resolved_by=checked_name(by), resolved_on=today)
    write_remarks(path, slug, language, tuple(done if r is found else r for r in remarks))
    return done


def open_remarks(locales_dir: Path, language: str, slug: str) -> tuple[Remark, ...]:
    return tuple(r for r in read_remarks(remarks_path(locales_dir, language, slug)) if r.is_open)


@contextmanager
def language_lock(root: Path, language: str) -> Iterator[None]:
    """The lock of one language's review records and remarks: reviewers of two languages
    work at once, two writers of one language take turns (an flock, waited for)."""
    folder = root / ".pipeline-cache" / "review-locks" / safe_name(language, "locale")
    with project_lock(folder, f"review of {language}", wait=True):
        yield
