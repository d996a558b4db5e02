"""XLIFF exchange with translation agencies: catalogs -> XLIFF 2.1 or 1.2 -> catalogs.

One `<file>` per article, one unit per catalog entry, with an id that stays the same as
long as the entry's msgctxt and msgid do. Numbered tags and placeholders are inline codes a
CAT tool protects; the source's markup travels beside them as original data, which an
import never reads: a translation can move a code but never change what it stands for.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from pipeline.checks import segment_for, translation_errors
from pipeline.errors import UsageError
from pipeline.inline import (
    NOT_XML,
    build_nested,
    indent,
)
from pipeline.notation import NotationError, parse_message
from pipeline.pofile import Catalog, Entry

XLIFF2 = "urn:oasis:names:tc:xliff:document:2.0"
XLIFF12 = "urn:oasis:names:tc:xliff:document:1.2"
GLOSSARY = "urn:oasis:names:tc:xliff:glossary:2.0"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
NAME = re.compile(r"[A-Za-z_]\w*\Z")
# Catalog states -> XLIFF 2 segment states; no review records exist, so "final" is only read.
STATES = {"untranslated": "initial", "fuzzy": "translated", "translated": "reviewed"}


@dataclass(frozen=True)
class ArticleCatalog:
    """One article's catalog as exported: where it is and the source markup of its codes."""

    slug: str
    catalog: Path
    source: str  # the source page, as the file's `original`
    codes: dict  # (msgctxt, msgid) -> {tag number: (start tag, end tag)} from the source
    shown: str = ""  # the catalog as reports name it (relative to the project)


@dataclass
class ExportReport:
    units: int = 0
    translations: int = 0
    left_out: list = field(default_factory=list)  # (catalog, unit id, reason)
    terms: int = 0  # glossary entries carried in units

    def as_json(self) -> dict:
        return {
            "units": self.units,
            "translations": self.translations,
            "terms": self.terms,
            "left_out": [{"catalog": c, "unit": u, "reason": r} for c, u, r in self.left_out],
        }


def unit_id(context: str | None, msgid: str) -> str:
    """A unit's id: the same for the same msgctxt and msgid, in every export."""
    digest = hashlib.sha256(f"{context or ''}\x04{msgid}".encode()).hexdigest()
    return f"u{digest[:20]}"


def catalog_state(entry: Entry) -> str:
    if not entry.msgstr:
        return "untranslated"
    return "fuzzy" if entry.fuzzy else "translated"


def exported_entries(catalog: Catalog) -> list[Entry]:
    """The entries an export carries: current, singular ones (the articles have no plurals)."""
    return [e for e in catalog if e.msgid and not e.obsolete and not e.msgid_plural]


def entry_tokens(entry: Entry, phone_regions: tuple[str, ...]) -> tuple[list, list | None, str]:
    """(source tokens, target tokens or None, why the translation is left out or '')."""
    if NOT_XML.search(entry.msgid):
        raise NotationError("a character XML cannot carry", "control")
    # The tags and placeholders the msgid has, read once for both of its messages.
    segment = segment_for(entry.msgid, entry.is_format)
    source = parse_message(entry.msgid, segment)
    if not entry.msgstr:
        return source, None, ""
    try:
        target = parse_message(entry.msgstr, segment)
    except NotationError as error:  # translation_errors' first error, when it does not read
        return source, None, f"translation left out: {error}"
    errors = translation_errors(entry.msgstr, segment, phone_regions, well_formed=True)
    if NOT_XML.search(entry.msgstr):
        errors.append(("control", "a character XML cannot carry"))
    if errors:
        return source, None, f"translation left out: {errors[0][1]}"
    return source, target, ""


def notes_of(entry: Entry, source: str) -> list[tuple[str, str]]:
    """(category, text) of an entry's notes: the source's note, the translator's comment,
    where it is in the source, and its context."""
    notes = []
    if entry.notes:
        notes.append(("description", entry.notes))
    if entry.tcomment:
        notes.append(("comment", entry.tcomment))
    lines = [line for path, line in entry.occurrences if line]
    if lines:
        notes.append(("location", f"{source}:{','.join(lines)}"))
    if entry.msgctxt:
        notes.append(("context", entry.msgctxt))
    return notes


def export_xliff(
    articles: list[ArticleCatalog],
    read_catalog,
    source_language: str,
    target_language: str,
    version: str = "2.1",
    phone_regions: tuple[str, ...] = (),
    glossary=None,
) -> tuple[bytes, ExportReport]:
    """The XLIFF document of `articles` (their catalogs read with `read_catalog`)."""
    from pipeline import xliff12

    report = ExportReport()
    if version == "1.2":
        root = xliff12.root(source_language, target_language)
    else:
        root = etree.Element(
            f"{{{XLIFF2}}}xliff",
            {"version": "2.1", "srcLang": source_language, "trgLang": target_language},
            nsmap={None: XLIFF2, "gls": GLOSSARY},
        )
        root.set(XML_SPACE, "preserve")
    for article in articles:
        if version == "1.2":
            body = xliff12.file_element(root, article, source_language, target_language)
        else:
            body = etree.SubElement(root, q("file"), id=article.slug, original=article.source)
            body.set("canResegment", "no")  # a unit is one catalog entry (import joins anyway)
        for entry in exported_entries(read_catalog(article.catalog)):
            unit = export_unit(entry, article, version, phone_regions, glossary, report)
            if unit is not None:
                body.append(unit)
        if version != "1.2" and not len(body):  # an XLIFF 2 <file> must hold a unit
            root.remove(body)
    if not len(root):
        raise UsageError(f"nothing to export for {target_language}: its catalogs are empty")
    indent(root, TEXT_ELEMENTS)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n", report


def export_unit(entry: Entry, article, version: str, phone_regions, glossary, report):
    """The XLIFF unit of one catalog entry (counted in `report`), or None when the entry
    cannot travel (its reason in `report.left_out`)."""
    from pipeline import xliff12

    shown = article.shown or str(article.catalog)
    uid = unit_id(entry.msgctxt, entry.msgid)
    try:
        source, target, why = entry_tokens(entry, phone_regions)
    except NotationError as error:
        report.left_out.append((shown, uid, f"unit left out: {error}"))
        return None
    if why:
        report.left_out.append((shown, uid, why))
    state = catalog_state(entry) if target is not None else "untranslated"
    notes = notes_of(entry, article.source)
    report.units += 1
    report.translations += target is not None
    if version == "1.2":
        # XLIFF 1.2 has no glossary module: its terms travel as TBX (glossary export).
        return xliff12.unit(uid, entry.msgctxt, source, target, state, notes)
    terms = glossary.terms_in(entry.msgid) if glossary else []
    report.terms += len(terms)
    codes = article.codes.get(entry.key, {})
    return unit_v2(uid, source, target, state, notes, codes, terms)


def q(name: str) -> str:
    return f"{{{XLIFF2}}}{name}"


def unit_v2(uid, source, target, state, notes, codes, terms):
    """An XLIFF 2 `<unit>`: glossary, notes, original data, one segment."""
    unit = etree.Element(q("unit"), id=uid)
    if terms:
        unit.append(glossary_element(terms))
    if notes:
        box = etree.SubElement(unit, q("notes"))
        for category, text in notes:
            etree.SubElement(box, q("note"), category=category).text = clean(text)
    original = etree.SubElement(unit, q("originalData"))
    segment = etree.SubElement(unit, q("segment"), state=STATES[state])
    element_for = code_maker(original, codes)
    build_nested(etree.SubElement(segment, q("source")), source, element_for)
    if target is not None:
        build_nested(etree.SubElement(segment, q("target")), target, element_for)
    if not len(original):
        unit.remove(original)
    return unit


def code_maker(original, codes: dict):
    """The element_for of `build_nested` for XLIFF 2: `<pc>`/`<ph>` pointing at `<data>` that
    holds the source's markup (the catalog's notation where the source has none)."""

    made: set[str] = set()  # ids of the <data> elements in `original`

    def data(ref: str, text: str) -> str:
        if ref not in made:
            made.add(ref)
            etree.SubElement(original, q("data"), id=ref).text = clean(text)
        return ref

    def element_for(kind, value):
        if kind == "var":
            ref = data(f"v-{value}", "{" + value + "}")
            return etree.Element(
                q("ph"),
                id=value,
                dataRef=ref,
                equiv="{" + value + "}",
                disp="{" + value + "}",
                canDelete="no",
            )
        start, end = codes.get(value, (f"<{value}>", f"</{value}>"))
        if kind == "void":
            ref = data(f"s{value}", start if codes.get(value) else f"<{value}/>")
            return etree.Element(q("ph"), id=str(value), dataRef=ref, canDelete="no")
        return etree.Element(
            q("pc"),
            id=str(value),
            dataRefStart=data(f"s{value}", start),
            dataRefEnd=data(f"e{value}", end),
            canDelete="no",
        )

    return element_for


def glossary_element(terms):
    """The XLIFF 2 glossary module's entries for the terms a unit's source holds."""
    box = etree.Element(f"{{{GLOSSARY}}}glossary")
    for term in terms:
        entry = etree.SubElement(box, f"{{{GLOSSARY}}}glossEntry")
        etree.SubElement(entry, f"{{{GLOSSARY}}}term", source="pipeline").text = term.source
        for allowed in term.allowed:
            etree.SubElement(entry, f"{{{GLOSSARY}}}translation").text = allowed
        notes = [term.note] if term.note else []
        if term.forbidden:
            notes.append("Not: " + "; ".join(term.forbidden))
        if notes:
            etree.SubElement(entry, f"{{{GLOSSARY}}}definition").text = " ".join(notes)
    return box


def clean(text: str) -> str:
    """Informative text (notes, original markup) with what XML cannot carry replaced."""
    return NOT_XML.sub("\ufffd", text)


# Elements whose content is text and inline codes: indenting them would change it.
TEXT_ELEMENTS = {"source", "target", "note", "data", "term", "translation", "definition"}


def phone_regions(project, language: str) -> tuple[str, ...]:
    """The countries whose phone numbers a translation may not bring in, as `check` has
    them: the language's own regions first, then the source's and every other one."""
    from pipeline.locales import parse_tag

    regions = project.regions if project.settings.regions_file.is_file() else {}
    territories = [parse_tag(r.tag).territory for r in regions.values() if language in r.catalogs]
    source = parse_tag(project.settings.source_locale).territory or "US"
    return tuple(dict.fromkeys([*territories, source, *project.phone_countries]))


def export_project(project, language: str, slugs, version: str, with_glossary: bool = True):
    """(XLIFF bytes, ExportReport) of one language's catalogs in `project`."""
    from pipeline.catalogs import catalog_path, read_catalog
    from pipeline.glossary import load_glossary
    from pipeline.locales import parse_tag
    from pipeline.project import relative

    (name,) = project.languages((language,))
    articles = []
    for slug in project.slugs(tuple(slugs)):
        path = catalog_path(project.settings.locales_dir, name, slug)
        if not path.is_file():
            continue
        article = project.article(slug)  # for its inline codes
        codes = {
            segment.key: {tag.number: (tag.open, tag.close) for tag in segment.tags}
            for segment in article.segments
        }
        articles.append(ArticleCatalog(slug, path, article.path, codes, relative(project, path)))
    source = parse_tag(project.settings.source_locale).bcp47
    glossary = load_glossary(project.settings.locales_dir, name, source) if with_glossary else None
    return export_xliff(
        articles,
        read_catalog,
        source,
        parse_tag(name).bcp47,
        version,
        phone_regions(project, name),
        glossary,
    )
