"""Gettext catalogs: paths, reading, templates (.pot), init and status, on the one catalog
model of `pipeline.pofile` (read by `pipeline.poreader`); `update` is `pipeline.catalog_update`."""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from pipeline import pagecache
from pipeline.catalog_update import (  # noqa: F401 (update's names, where callers find them)
    CONFLICT_SUFFIX,
    QUOTES,
    TranslationMemory,
    UpdateReport,
    update_catalog,
    write_merged,
)
from pipeline.errors import CatalogError
from pipeline.files import read_bytes, read_if_present, safe_name, write_atomic
from pipeline.model import Segment
from pipeline.notation import words as source_words
from pipeline.pofile import Catalog, Entry, format_catalog, pipeline_note
from pipeline.poreader import PoSyntaxError, catalog_of, read_entries

BRACE_FLAG = "python-brace-format"


def catalog_path(locales_dir: Path, language: str, slug: str) -> Path:
    return (
        locales_dir
        / safe_name(language, "locale")
        / "LC_MESSAGES"
        / f"{safe_name(slug, 'slug')}.po"
    )


def template_path(templates_dir: Path, slug: str) -> Path:
    return templates_dir / f"{safe_name(slug, 'slug')}.pot"


def catalog_languages(locales_dir: Path) -> list[str]:
    if not locales_dir.is_dir():
        return []
    return sorted(
        path.parent.name
        for path in locales_dir.glob("*/LC_MESSAGES")
        if path.parent.name != "templates"
    )


# -- reading -----------------------------------------------------------------------------


def read_catalog(path: Path) -> Catalog:
    """Parse a .po/.pot; a syntax error names the file and the line."""
    if not path.exists():  # anything else there (a FIFO, a folder) is refused when read
        raise CatalogError(f"{path}: no such catalog")
    return parse_catalog(path, read_catalog_bytes(path))


def parse_catalog(path: Path, data: bytes) -> Catalog:
    """The catalog `path` held as `data`; an error names the file and the line."""
    entries = parsed_entries(path, data)
    return catalog_of(entries)


def decoded(path: Path, data: bytes) -> str:
    """The catalog's text. Decoded, not read as text: newline translation would make a "\r"
    that msgfmt takes as a character of a string into a line end."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CatalogError(f"{path}:{line}: not UTF-8") from None


def parsed_entries(path: Path, data: bytes) -> list[Entry]:
    """Every entry of the catalog, header and obsolete ones included (see read_entries)."""
    try:
        return read_entries(decoded(path, data))
    except PoSyntaxError as error:
        raise CatalogError(f"{path}:{error.line}: {error.message}") from None


def entry_key(entry: Entry) -> tuple[str | None, str]:
    return entry.key


def is_translated(entry: Entry) -> bool:
    return entry.translated


@dataclass(frozen=True)
class Translations:
    """What rendering needs of one catalog: translated entries by key, and critical keys."""

    path: str
    language: str
    entries: dict  # (msgctxt, msgid) -> msgstr
    critical: frozenset
    lines: dict  # (msgctxt, msgid) -> line of the entry in the file
    header_language: str | None = None  # the header's Language, when it names one
    # (msgctxt, msgid) -> why msgfmt refuses that entry (checks.judged_translations fills it)
    refused: dict = field(default_factory=dict)


def read_translations(path: Path, use_cache: bool = False) -> Translations:
    """Translated entries of a catalog.

    `use_cache` (`file merge`, which rebuilds every page each time): kept in the page cache,
    so that a catalog merged again unchanged is not parsed again (that was a third of
    merging a page), and found by its stat, without reading it, once it has settled. Publish
    and update do not: they skip unchanged work on their own, and filling the cache with
    every catalog they read made a full publish of 1,000 articles 1.2 s slower; they keep
    the last few in memory instead (`recent_translations`)."""
    if not use_cache:
        return translations_of(path, recent_translations(path, read_catalog_bytes(path)))
    parsed = pagecache.lookup(
        pagecache.stat_key(str(path), "catalog"),
        lambda: read_catalog_bytes(path),
        "catalog",
        lambda data: parse_translations(path, data),  # a broken catalog raises: not kept
    )
    return translations_of(path, parsed)


def recent_translations(path: Path, data: bytes) -> tuple:
    """`parse_translations` of a catalog's bytes, remembered for the last 16 catalogs this
    process read (by bytes alone: the same catalog in a copy of the project is the same): a
    process that lives on (`serve --watch`, the review server) reads the same unchanged
    catalogs at each publish and each page it shows. What it returns is shared: read-only."""
    try:
        return translations_in(data)
    except CatalogError:  # read again, for an error that names this file
        return parse_translations(path, data)


@lru_cache(maxsize=16)
def translations_in(data: bytes) -> tuple:
    return parse_translations(Path("catalog"), data)  # the path only names errors


def translations_of(path: Path, parsed: tuple) -> Translations:
    language, entries, critical, lines = parsed
    return Translations(
        str(path), language or path.parent.parent.name, entries, critical, lines, language
    )


def read_catalog_bytes(path: Path) -> bytes:
    try:
        return read_bytes(path)
    except OSError as error:
        raise CatalogError(f"{path}: {error.strerror}") from None


def parse_translations(path: Path, data: bytes) -> tuple:
    """(the Language its header names or None, entries, critical keys, lines)."""
    entries, critical, lines = {}, set(), {}
    language = None
    for entry in parsed_entries(path, data):
        if entry.obsolete:
            continue
        if not entry.msgid:
            found = re.search(r"^Language: *(\S+)", entry.msgstr, re.M)
            language = found.group(1) if found else language
            continue
        key = entry.key
        lines[key] = entry.line
        if entry.critical:
            critical.add(key)
        if entry.msgstr and not entry.fuzzy:
            entries[key] = entry.msgstr
    return language, entries, frozenset(critical), lines


# -- templates ---------------------------------------------------------------------------


class Segmented(Protocol):
    """What a template is made from: an Article, or any HTML page's segments."""

    slug: str
    path: str  # as shown in `#:` references
    segments: tuple[Segment, ...]


def template_entries(article: Segmented) -> list[Entry]:
    """One entry per distinct (msgctxt, msgid), in order of first appearance."""
    found: dict[tuple, list] = {}  # key -> [first segment, references, notes, format, critical]
    path = article.path
    for segment in article.segments:
        if not segment.translatable:
            continue
        item = found.setdefault(segment.key, [segment, {}, {}, False, False])
        item[1][(path, str(segment.line))] = None
        if segment.note:
            item[2][segment.note] = None
        item[3] = item[3] or segment.is_format
        item[4] = item[4] or segment.critical
    return [template_entry(*item) for item in found.values()]


def template_entry(segment: Segment, references, notes, is_format, critical) -> Entry:
    """A template's entry: notes for translators, then the pipeline note (critical, role)."""
    note = pipeline_note(critical, segment.role)
    return Entry(
        msgid=segment.msgid,
        msgctxt=segment.context,
        occurrences=tuple(references),
        comment="\n".join([*notes, note] if note else notes),
        flags=(BRACE_FLAG,) if is_format else (),
    )


def template_metadata(slug: str, created: str) -> dict:
    return {
        "Project-Id-Version": slug,
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": created,
        "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE",
        "Last-Translator": "FULL NAME <EMAIL@ADDRESS>",
        "Language-Team": "LANGUAGE <LL@li.org>",
        "Language": "",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Generator": "pipeline",
    }


def now_stamp() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (
        datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
        if epoch
        else datetime.datetime.now(datetime.UTC)
    )
    return moment.strftime("%Y-%m-%d %H:%M+0000")


def render_template(article: Segmented, created: str) -> str:
    return format_catalog(
        f"Translation template for {article.slug}.\n"
        "Numbered tags (<1>...</1>, <2/>) stand for the source's inline markup; keep each one.\n"
        "Placeholders in braces ({hotline_phone}) are filled in per region; keep each one.",
        template_metadata(article.slug, created),
        template_entries(article),
    )


def write_template(path: Path, article: Segmented, sync: bool = True) -> bool:
    """Write the .pot; an unchanged template keeps its bytes and creation date."""
    created = now_stamp()
    text = render_template(article, created)
    data = read_if_present(path)
    if data is not None:
        previous = data.decode("utf-8", errors="replace")
        # Rendered once: the date is the one thing a new rendering changes, and it is set in
        # the header, before any entry, so the first POT-Creation-Date line is that one.
        found = re.search(r'"POT-Creation-Date: ([^"\\]*)\\n"', previous)
        if found:
            dated = f'"POT-Creation-Date: {created}\\n"'
            if previous.replace(found.group(0), dated, 1) == text:
                return False
    encoded = text.encode("utf-8")
    write_atomic(path, encoded, sync=sync)
    return True


# -- init --------------------------------------------------------------------------------


def init_catalog(
    template: Catalog,
    language: str,
    plural_forms: str,
    language_name: str,
    keep_msgstr: bool = False,
) -> str:
    """A new catalog for `language` from a template, every entry untranslated (or, with
    `keep_msgstr`, carrying the msgstr already set on the template's entries)."""
    metadata = dict(template.metadata)
    metadata.update(
        {
            "PO-Revision-Date": now_stamp(),
            "Language": language,
            "Language-Team": f"{language_name} <>",
            "Plural-Forms": plural_forms,
        }
    )
    entries = tuple(
        Entry(
            msgid=entry.msgid,
            msgstr=entry.msgstr if keep_msgstr else "",
            msgctxt=entry.msgctxt,
            occurrences=entry.occurrences,
            comment=entry.comment,
            flags=entry.flags,
        )
        for entry in template
    )
    header = template.header.replace("Translation template", f"{language_name} translation")
    return serialize(Catalog(header, metadata, entries))


def serialize(catalog: Catalog) -> str:
    return format_catalog(catalog.header, catalog.metadata, catalog)


# -- status ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogStatus:
    slug: str
    language: str
    path: str
    translated: int
    fuzzy: int
    untranslated: int
    obsolete: int
    words: int
    translated_words: int
    override_of: str | None = None  # a regional catalog (es_MX) overriding its language (es)

    @property
    def word_share(self) -> float:
        return 1.0 if self.words == 0 else self.translated_words / self.words

    def as_json(self) -> dict:
        return {
            "article": self.slug,
            "language": self.language,
            "catalog": self.path,
            "translated": self.translated,
            "fuzzy": self.fuzzy,
            "untranslated": self.untranslated,
            "obsolete": self.obsolete,
            "words": self.words,
            "translated_words": self.translated_words,
            "completeness": round(self.word_share, 4),
            "override_of": self.override_of,
        }


def catalog_status(catalog: Catalog, slug: str, language: str, path: str) -> CatalogStatus:
    translated = fuzzy = untranslated = obsolete = words = translated_words = 0
    for entry in catalog:
        if entry.obsolete:
            obsolete += 1
            continue
        count = source_words(entry.msgid)
        words += count
        if is_translated(entry):
            translated += 1
            translated_words += count
        elif entry.msgstr and "fuzzy" in entry.flags:
            fuzzy += 1
        else:
            untranslated += 1
    return CatalogStatus(
        slug, language, path, translated, fuzzy, untranslated, obsolete, words, translated_words
    )
