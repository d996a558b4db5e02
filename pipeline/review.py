"""Review records: who signed off what, kept beside the catalogs, and whether it still holds.

A record file is `locales/<lang>/reviews/<slug>.toml`: the source's medical review under the
source language (`locales/en/reviews/`), a translation's reviews under its catalog language.
Each sign-off appends a `[[review]]` table listing, segment by segment, a hash of the source
text and of its translation as published. A review holds while the current hashes equal the
recorded ones; an edit of either makes it stale, and the segments that differ are the ones
to re-read. Hashes are taken of a review form of the text that ignores what cannot change
what a reader learns: runs of whitespace, quote and dash style, and where inline tags sit.

The record API, also for other front ends: `review_state` (the current hashes of an article
in a language), `read_reviews` (a record file, validated) and `write_review` (append one
sign-off, atomically), and `judge` (a record against the current state).
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.catalogs import QUOTES, Translations
from pipeline.errors import ConfigError, LocaleError
from pipeline.files import read_bytes, safe_name, write_atomic
from pipeline.locales import parse_tag, same_language
from pipeline.model import Article
from pipeline.records import read_toml_file, toml_string  # noqa: F401 (remarks and signoff name them here)

REVIEWS_FOLDER = "reviews"
SOURCE_KINDS = ("medical",)  # a review of the source is a clinician's
TRANSLATION_KINDS = ("linguistic", "medical")  # a second linguist, or a clinician
BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
HASH_LENGTH = 16  # hex digits of a segment's hash: enough to tell edits apart, short to diff
TAG = re.compile(r"</?(\d+)/?>")
# The quote and dash styles of the update's trivial edits; a regex finds the few there are
# faster than str.translate walks every character (a third of hashing an article).
STYLED = re.compile("[" + "".join(map(chr, QUOTES)) + "]")


# -- the current state ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SegmentState:
    """One segment as a review sees it: where it is, and hashes of what a reader gets."""

    msgid: str
    context: str | None
    line: int
    source: str  # hash of the source text's review form
    translation: str  # hash of the translation's review form; '' for the source itself

    @property
    def pair(self) -> str:
        return f"{self.source} {self.translation}".rstrip()


@dataclass(frozen=True, slots=True)
class ReviewState:
    """What a sign-off of an article in a language covers right now."""

    article: str
    language: str  # catalog language (es, es_MX) or the source language (en)
    is_source: bool
    segments: tuple[SegmentState, ...]

    @property
    def source_hash(self) -> str:
        return digest("\n".join(segment.source for segment in self.segments))

    @property
    def translation_hash(self) -> str:
        return "" if self.is_source else digest("\n".join(s.translation for s in self.segments))


def review_form(text: str) -> str:
    """Text as a review judges it: whitespace runs and quote/dash styles as in the update's
    trivial edits, and inline tags taken out of the text but counted, so that moving a tag
    is no change while adding or dropping one is. A typo fix is a change: two letters are
    all that tell hypo- from hyper-."""
    tags = sorted(TAG.findall(text))
    words = " ".join(STYLED.sub(lambda m: QUOTES[ord(m.group())], TAG.sub(" ", text)).split())
    return f"{words}\x00{','.join(tags)}"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=4096)
def form_hash(text: str) -> str:
    """A segment's hash as records keep it (kept while an article's languages are judged:
    each of them hashes the same source texts)."""
    return digest(review_form(text))[:HASH_LENGTH]


def review_state(
    article: Article, language: str, translations: Translations | None, is_source: bool
) -> ReviewState:
    """The current hashes of an article's segments (and, for a translation, of the
    translated entries as publish uses them: fuzzy and untranslated ones count as empty)."""
    entries = translations.entries if translations is not None else {}
    segments = []
    seen = set()
    for segment in article.segments:
        if not segment.translatable or segment.key in seen:
            continue
        seen.add(segment.key)
        translation = ""
        if not is_source:
            msgstr = entries.get(segment.key)
            translation = form_hash(msgstr) if msgstr else "-" * HASH_LENGTH
        source = form_hash(segment.msgid)
        segments.append(
            SegmentState(segment.msgid, segment.context, segment.line, source, translation)
        )
    return ReviewState(article.slug, language, is_source, tuple(segments))


def plain_line(text: str) -> bool:
    """Text fit for a page's review line: no line breaks or other controls, and no bidi
    controls that would reorder what follows it."""
    return not any(unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS for c in text)


# -- records -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Review:
    """One sign-off, as a record file holds it."""

    kind: str
    reviewer: str
    role: str
    date: datetime.date
    language: str
    article: str
    source_hash: str
    translation_hash: str
    segments: tuple[str, ...]  # "source-hash translation-hash" per segment, in article order
    note: str = ""
    line: int = 0  # of its [[review]] header in the file

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "reviewer": self.reviewer,
            "role": self.role,
            "date": self.date.isoformat(),
        }


def review_language(language: str, source_locale: str) -> tuple[str, bool]:
    """(folder name, is the source) for a language named on the command line or in a file:
    the source language stands for the source's own review."""
    tag = parse_tag(language)
    if same_language(tag.gettext, source_locale):
        return parse_tag(source_locale).language, True
    return tag.gettext, False


def record_path(locales_dir: Path, language: str, slug: str) -> Path:
    safe_name(slug, "slug")
    safe_name(language, "locale")
    return locales_dir / language / REVIEWS_FOLDER / f"{slug}.toml"


def record_tables(path: Path, name: str, locator: type) -> tuple:
    """A record file's locator and its [[name]] tables (none without a file); any other key
    is a ConfigError naming its line."""
    read = read_toml_file(path)
    if read is None:
        return None, []
    text, data = read
    locate = locator(path, text)
    unknown = [key for key in data if key != name]
    if unknown:
        raise locate.error(None, unknown[0], f"unknown key {unknown[0]!r}")
    tables = data.get(name, [])
    if not isinstance(tables, list):
        raise locate.error(None, name, f"{name!r} must be [[{name}]] tables")
    return locate, tables


def read_reviews(path: Path, language: str, slug: str, today: datetime.date) -> tuple[Review, ...]:
    """The sign-offs of a record file, oldest first (none when there is no file); anything
    wrong is a ConfigError naming the file and line."""
    locate, tables = record_tables(path, "review", Locator)
    return tuple(
        checked_review(table, index, locate, language, slug, today)
        for index, table in enumerate(tables)
    )


FIELDS = {
    "kind": str,
    "reviewer": str,
    "role": str,
    "date": datetime.date,
    "language": str,
    "article": str,
    "source_hash": str,
    "translation_hash": str,
    "segments": list,
    "note": str,
}
OPTIONAL = ("note", "translation_hash")


def checked_review(table, index, locate, language, slug, today) -> Review:
    """A [[review]] table as a Review, or a ConfigError naming its line."""
    check_fields(table, index, locate)
    tag = checked_language(table, index, locate, language)
    check_values(table, index, locate, slug, today)
    return Review(
        kind=table["kind"],
        reviewer=table["reviewer"],
        role=table["role"],
        date=table["date"],
        language=tag.gettext,
        article=slug,
        source_hash=table["source_hash"],
        translation_hash=table.get("translation_hash", ""),
        segments=tuple(table["segments"]),
        note=table.get("note", ""),
        line=locate.line(index, None),
    )


def check_fields(table, index, locate) -> None:
    """Every key known, of its type, and none missing."""
    for key, value in table.items():
        expected = FIELDS.get(key)
        if expected is None:
            raise locate.error(index, key, f"unknown key {key!r}")
        if type(value) is not expected:  # a datetime is not a date here
            raise locate.error(index, key, f"{key} must be a {expected.__name__}")
    missing = [key for key in FIELDS if key not in table and key not in OPTIONAL]
    if missing:
        raise locate.error(index, None, f"[[review]] has no {missing[0]!r}")


def checked_language(table, index, locate, language):
    """The record's language tag, which must be the language of its file."""
    try:
        tag = parse_tag(table["language"])
    except LocaleError:
        raise locate.error(index, "language", f"unknown language {table['language']!r}") from None
    if tag.gettext != language:
        raise locate.error(
            index, "language", f"language {table['language']!r} in a file of {language!r}"
        )
    return tag


def check_values(table, index, locate, slug, today) -> None:
    """The record's article, date, kind and people are ones a review can have."""
    if table["article"] != slug:
        raise locate.error(index, "article", f"article {table['article']!r} in a file of {slug!r}")
    if table["date"] > today:
        raise locate.error(index, "date", f"date {table['date']} is in the future")
    kinds = TRANSLATION_KINDS if table.get("translation_hash") else SOURCE_KINDS
    if table["kind"] not in kinds:
        raise locate.error(index, "kind", f"kind must be one of {', '.join(kinds)}")
    if not table["reviewer"].strip():
        raise locate.error(index, "reviewer", "reviewer is empty")
    for key in ("reviewer", "role"):
        if not plain_line(table[key]):
            raise locate.error(index, key, f"control or bidi characters in {key}")
    if not all(isinstance(item, str) for item in table["segments"]):
        raise locate.error(index, "segments", "segments must be strings")


class Locator:
    """Lines of a record file's keys (tomllib reports none for values)."""

    HEADER = re.compile(r"^\s*\[\[\s*review\s*\]\]")

    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines = text.split("\n")

    def line(self, index: int | None, key: str | None) -> int:
        block, start = -1, 0
        for number, text in enumerate(self.lines, 1):
            if self.HEADER.match(text):
                block += 1
                if block == index:
                    start = number
            elif (
                block == (index if index is not None else -1)
                and key
                and re.match(rf"^\s*{re.escape(key)}\s*=", text)
            ):
                return number
        return start or 1

    def error(self, index: int | None, key: str | None, message: str) -> ConfigError:
        return ConfigError(f"{self.path}:{self.line(index, key)}: {message}")


def comment_text(text: str, width: int = 60) -> str:
    """A msgid as a TOML comment: one line, no control characters."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def review_block(review: Review, state: ReviewState) -> str:
    """The [[review]] table of a sign-off, a segment a line with its text as a comment."""
    lines = [
        "[[review]]",
        f"kind = {toml_string(review.kind)}",
        f"reviewer = {toml_string(review.reviewer)}",
        f"role = {toml_string(review.role)}",
        f"date = {review.date.isoformat()}",
        f"language = {toml_string(review.language)}",
        f"article = {toml_string(review.article)}",
    ]
    if review.note:
        lines.append(f"note = {toml_string(review.note)}")
    lines.append(f"source_hash = {toml_string(state.source_hash)}")
    if not state.is_source:
        lines.append(f"translation_hash = {toml_string(state.translation_hash)}")
    lines.append("segments = [")
    for segment in state.segments:
        lines.append(f"  {toml_string(segment.pair)},  # {comment_text(segment.msgid)}")
    lines.append("]")
    return "\n".join(lines) + "\n"


HEADER_TEXT = """\
# Review records of the article {slug!r} ({what}),
# written by `pipeline review sign`.
# Each [[review]] signs off exactly the segments listed: a hash of each source text and of
# its translation. When either changes, `pipeline review status` reports the review stale.
"""


def write_review(path: Path, review: Review, state: ReviewState) -> None:
    """Append a sign-off to the record file, atomically; earlier sign-offs stay as written."""
    try:
        before = read_bytes(path).decode("utf-8")
    except FileNotFoundError:
        what = "the source" if state.is_source else f"its {state.language} translation"
        before = HEADER_TEXT.format(slug=state.article, what=what)
    write_atomic(path, before.rstrip("\n") + "\n\n" + review_block(review, state))


# -- judging -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """A record file against the current state: `reviewed`, `stale` or `missing`."""

    status: str
    review: Review | None  # the newest sign-off
    changed: tuple[SegmentState, ...] = ()  # current segments the review did not see
    removed: int = 0  # reviewed segments no longer there


def judge(reviews: tuple[Review, ...], state: ReviewState) -> Verdict:
    """The newest sign-off holds if the hashes it recorded are the current ones."""
    if not reviews:
        return Verdict("missing", None)
    review = max(reviews, key=lambda r: (r.date, r.line))
    current = [segment.pair for segment in state.segments]
    if list(review.segments) == current:
        return Verdict("reviewed", review)
    matcher = difflib.SequenceMatcher(None, list(review.segments), current, autojunk=False)
    changed, removed = [], 0
    for op, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if op != "equal":
            changed.extend(state.segments[new_start:new_end])
            removed += max(0, (old_end - old_start) - (new_end - new_start))
    return Verdict("stale", review, tuple(changed), removed)
