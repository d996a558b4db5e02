"""Reading XLIFF back: units of an XLIFF 2.x or 1.2 file -> catalog entries, through the
same checks as `check` (see `pipeline.xliff` for the export)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from lxml import etree

from pipeline.checks import segment_for, translation_errors
from pipeline.errors import CatalogError
from pipeline.inline import (
    InlineError,
    checked_message,
    local_name,
    message_tokens,
    read_nested,
    source_message,
    tokens_message,
)
from pipeline.notation import NotationError
from pipeline.pofile import Catalog, Entry
from pipeline.xliff import NAME, XLIFF2, XLIFF12, exported_entries, q, unit_id


@dataclass(frozen=True)
class Unit:
    """A unit read from an XLIFF file: its source and target as tokens, or why not."""

    id: str
    line: int
    source: list
    target: list | None  # None: no target (nothing to import)
    reviewed: bool  # the agency marked it reviewed or final (approved in 1.2)
    problem: str = ""  # why the unit cannot be read (its target is then None)


@dataclass(frozen=True)
class Document:
    version: str
    source_language: str
    target_language: str
    files: list  # (slug, line, [Unit])


def parse_document(data: bytes, shown: str):
    """The root element of an XML file, read without entities or network; one-line error."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        line = error.lineno or 1
        raise CatalogError(f"{shown}:{line}: not well-formed XML ({error.msg})") from None


def read_xliff(data: bytes, shown: str) -> Document:
    """An XLIFF 2.x or 1.2 document as units; a file that is not one is a CatalogError."""
    from pipeline import xliff12

    root = parse_document(data, shown)
    if root.tag == f"{{{XLIFF12}}}xliff":
        return xliff12.read(root, shown)
    if root.tag != q("xliff"):
        raise CatalogError(f"{shown}:{root.sourceline}: not an XLIFF document (<{root.tag}>)")
    src, trg = root.get("srcLang"), root.get("trgLang")
    if not src or not trg:
        raise CatalogError(f"{shown}:{root.sourceline}: <xliff> without srcLang and trgLang")
    files = []
    for file in root.iter(q("file")):
        slug = required(file, "id", shown)
        units = [read_unit_v2(unit, shown) for unit in file.iter(q("unit"))]
        files.append((slug, file.sourceline, units))
    return Document(root.get("version", ""), src, trg, files)


def required(element, name: str, shown: str) -> str:
    value = element.get(name)
    if not value:
        where = f"{shown}:{element.sourceline}"
        raise CatalogError(f"{where}: <{local_name(element.tag)}> without {name}")
    return value


def read_unit_v2(unit, shown: str) -> Unit:
    """A unit's text as one message: a CAT tool may have split it into several segments
    (and ignorables), whose sources and targets are joined in order."""
    uid = required(unit, "id", shown)
    parts = [c for c in unit if c.tag in (q("segment"), q("ignorable"))]
    if not parts or any(part.find(q("source")) is None for part in parts):
        return Unit(uid, unit.sourceline, [], None, False, "a unit needs a segment with a source")
    segments = [part for part in parts if part.tag == q("segment")]
    reviewed = bool(segments) and all(s.get("state") in ("reviewed", "final") for s in segments)
    try:
        source = [t for part in parts for t in read_nested(part.find(q("source")), token_v2)]
        target = unit_target(parts)
    except InlineError as error:
        return Unit(uid, unit.sourceline, [], None, reviewed, str(error))
    return Unit(uid, unit.sourceline, source, target, reviewed)


def unit_target(parts: list) -> list | None:
    """The joined targets of a unit's segments, in their `order`; None when no segment has
    a target (an ignorable without one keeps its source)."""
    if all(part.find(q("target")) is None for part in parts if part.tag == q("segment")):
        return None
    pieces = []
    for position, part in enumerate(parts, 1):
        element = part.find(q("target"))
        if element is None and part.tag == q("segment"):
            raise InlineError("not every segment of the unit is translated")
        if element is None:
            element = part.find(q("source"))
        order = element.get("order", str(position))
        if not order.isdigit():
            raise InlineError(f"target order {order!r} is not a number")
        pieces.append((int(order), read_nested(element, token_v2)))
    return [token for _, tokens in sorted(pieces, key=lambda p: p[0]) for token in tokens]


def code_number(element, attribute: str = "id") -> int:
    value = element.get(attribute, "")
    if not value.isdigit():
        raise InlineError(f"inline code {value!r} is not in the source")
    return int(value)


def token_v2(child) -> tuple:
    """(kind, value) of an XLIFF 2 inline element (see `inline.read_nested`)."""
    if not child.tag.startswith(f"{{{XLIFF2}}}"):
        raise InlineError(f"markup not in the source: <{local_name(child.tag)}>")
    name = local_name(child.tag)
    if name == "pc":
        return "open", code_number(child)
    if name == "ph":
        if NAME.match(child.get("id", "")):
            return "var", child.get("id")
        return "void", code_number(child)
    if name == "sc":
        return "start", code_number(child)
    if name == "ec":
        return "end", code_number(child, "startRef" if child.get("startRef") else "id")
    if name == "cp":
        try:
            return "text", chr(int(child.get("hex", ""), 16))
        except (ValueError, OverflowError):
            raise InlineError(f"<cp hex={child.get('hex')!r}> is not a character") from None
    if name == "mrk":
        return "mark", None
    if name in ("sm", "em"):
        return "skip", None
    raise InlineError(f"inline element <{name}> is not in the source")


# -- importing -------------------------------------------------------------------------------


@dataclass
class ImportReport:
    updated: int = 0
    unchanged: int = 0
    catalogs: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # (catalog, unit id, line, reason)

    def as_json(self) -> dict:
        return {
            "updated": self.updated,
            "unchanged": self.unchanged,
            "catalogs": self.catalogs,
            "refused": [
                {"catalog": c, "unit": u, "line": n, "reason": r} for c, u, n, r in self.refused
            ],
        }


def import_units(
    units: list, catalog: Catalog, shown: str, phone_regions, report: ImportReport
) -> Catalog | None:
    """The catalog with `units` brought in through the checks, or None if none changed it.

    A unit is refused, with its id, when its codes or placeholders do not fit, when it
    carries markup or anything `check` calls an error, or when the catalog already has a
    different translation that is neither fuzzy nor broken (the catalog's is kept)."""
    entries = {unit_id(e.msgctxt, e.msgid): e for e in exported_entries(catalog)}
    changed: dict = {}  # (msgctxt, msgid) -> the entry as the units left it
    for unit in units:
        entry = entries.get(unit.id)
        reason = unit.problem or ("" if entry else "no such entry (the source changed?)")
        if not reason:
            try:
                new = apply_unit(unit, entry, phone_regions)
            except InlineError as error:
                reason = str(error)
            else:
                report.updated += new is not None
                report.unchanged += new is None
                if new is not None:
                    entries[unit.id] = changed[new.key] = new
        if reason:
            report.refused.append((shown, unit.id, unit.line, reason))
    if not changed:
        return None
    kept = tuple(e if e.obsolete else changed.get(e.key, e) for e in catalog)
    return replace(catalog, entries=kept)


def normalized(message: str, msgid: str, is_format: bool) -> str | None:
    """A message as the tokens make it (None when it does not fit the msgid)."""
    try:
        return tokens_message(message_tokens(message, msgid, is_format), is_format)
    except NotationError:
        return None


def apply_unit(unit: Unit, entry: Entry, phone_regions) -> Entry | None:
    """The entry with the unit's target in it, None if the unit changes nothing, or
    InlineError if it is refused."""
    is_format = entry.is_format
    if source_message(unit.source, entry.msgid, is_format) != normalized(
        entry.msgid, entry.msgid, is_format
    ):
        raise InlineError("its source text is not the catalog's")
    if not unit.target:
        return None
    msgstr = checked_message(unit.target, entry.msgid, is_format)
    segment = segment_for(entry.msgid, is_format)
    errors = translation_errors(msgstr, segment, phone_regions)
    if errors:
        raise InlineError(errors[0][1])
    if entry.msgstr and normalized(entry.msgstr, entry.msgid, is_format) == msgstr:
        return reviewed(entry) if entry.fuzzy and unit.reviewed else None
    sound = entry.msgstr and not translation_errors(entry.msgstr, segment, phone_regions)
    if sound and not entry.fuzzy:
        raise InlineError("the catalog has another translation (kept)")
    return marked(replace(entry, msgstr=msgstr), unit.reviewed)


def marked(entry: Entry, unit_reviewed: bool) -> Entry:
    """A newly translated entry as the unit's state says: a reviewed unit confirms a fuzzy
    entry, an unreviewed one makes a confirmed entry fuzzy."""
    if unit_reviewed and entry.fuzzy:
        return reviewed(entry)
    if not unit_reviewed and not entry.fuzzy:
        return replace(entry, flags=("fuzzy", *entry.flags))
    return entry


def reviewed(entry: Entry) -> Entry:
    """The entry without its fuzzy mark and the previous English kept for its review (as
    Poedit and Lokalize do when a translator confirms it)."""
    flags = tuple(flag for flag in entry.flags if flag != "fuzzy")
    return replace(entry, flags=flags, previous_msgid=None, previous_msgctxt=None)


def target_catalogs(project, document: Document, shown: str, language: str | None) -> str:
    """The project's catalog language for the document; a CatalogError when it has none
    or the document is not from the project's source language (or not for `language`)."""
    from pipeline.errors import LocaleError
    from pipeline.locales import parse_tag, same_language

    try:
        same = same_language(document.source_language, project.settings.source_locale)
        tag = parse_tag(document.target_language)
    except LocaleError as error:
        raise CatalogError(f"{shown}: {error}") from None
    if not same:
        raise CatalogError(
            f"{shown}: its source language is {document.source_language}, the project's is "
            f"{project.settings.source_locale}"
        )
    available = project.languages()
    if language and parse_tag(language).gettext not in (tag.gettext, tag.language):
        raise CatalogError(f"{shown}: the file is for {document.target_language}, not {language}")
    for name in (tag.gettext, tag.language):
        if name in available:
            return name
    raise CatalogError(f"{shown}: the project has no catalogs for {document.target_language}")


def import_project(project, data: bytes, shown: str, language: str | None = None):
    """Bring an XLIFF file into `project`'s catalogs. Every file-level fault (not XLIFF,
    another language, an article the project does not have) is found before any catalog
    is written, so such a file changes nothing."""
    from pipeline.catalogs import catalog_path, read_catalog, serialize
    from pipeline.files import write_atomic
    from pipeline.project import relative
    from pipeline.xliff import phone_regions

    document = read_xliff(data, shown)
    name = target_catalogs(project, document, shown, language)
    slugs = set(project.slugs())
    units: dict[str, list] = {}
    for slug, line, file_units in document.files:
        path = catalog_path(project.settings.locales_dir, name, slug) if slug in slugs else None
        if path is None or not path.is_file():
            raise CatalogError(f"{shown}:{line}: no catalog of article {slug!r} for {name}")
        units.setdefault(slug, []).extend(file_units)
    report = ImportReport()
    regions = phone_regions(project, name)
    for slug, slug_units in units.items():
        path = catalog_path(project.settings.locales_dir, name, slug)
        shown_path = relative(project, path)
        catalog = import_units(slug_units, read_catalog(path), shown_path, regions, report)
        if catalog is not None:
            write_atomic(path, serialize(catalog))
            report.catalogs.append(relative(project, path))
    return report
