"""Translation memory exchange: catalogs <-> TMX 1.4 (the format CAT tools and agencies use).

TMX level 2: text is text, and the catalog's numbered tags and placeholders are inline codes
a CAT tool protects (`<bpt>`/`<ept>` paired by `i`, `<ph>`), each holding its catalog
notation (`<1>`, `</1>`, `{hotline_phone}`) as its native code. Translations with check
errors are left out of an export; `import` runs the same checks as publishing and skips a
translation that breaks its segment.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from pipeline.catalogs import read_catalog, serialize
from pipeline.checks import check_catalog, segment_for, translation_errors
from pipeline.errors import CatalogError, LocaleError
from pipeline.files import write_atomic
from pipeline.inline import (
    NOT_XML,
    InlineError,
    append_text,
    checked_message,
    indent,
    local_name,
    message_tokens,
    read_nested,
    tokens_message,
)
from pipeline.locales import parse_tag
from pipeline.notation import PLACEHOLDER_NAME, NotationError
from pipeline.pofile import Catalog, Entry

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NATIVE = {"open": "<{}>", "close": "</{}>", "void": "<{}/>", "var": "{{{}}}"}


@dataclass
class ExportReport:
    units: int = 0
    left_out: list = field(default_factory=list)  # (catalog, msgid, reason)


def export_tmx(
    catalogs: list[Path],
    source_locale: str,
    language: str,
    phone_regions: tuple = (),
    glossary=None,
) -> tuple[bytes, ExportReport]:
    """One translation unit per distinct (context, source text) translated in `catalogs`;
    a translation that `check` calls an error is left out (and reported)."""
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(
        root,
        "header",
        {
            "creationtool": "pipeline",
            "creationtoolversion": "1",
            "segtype": "block",
            "o-tmf": "gettext",
            "adminlang": "en",
            "srclang": parse_tag(source_locale).bcp47,
            "datatype": "html",
            "creationdate": datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ"),
        },
    )
    body = etree.SubElement(root, "body")
    report = ExportReport()
    seen = set()
    languages = (parse_tag(source_locale).bcp47, parse_tag(language).bcp47)
    for path in catalogs:
        # check's verdict on each entry (msgfmt's included): what publish would not use
        report_of = check_catalog(path, str(path), phone_regions, language, glossary)
        usable = report_of.usable
        why = {}
        for finding in report_of.findings:
            if finding.severity == "error":
                why.setdefault(finding.msgid, finding.message)
        for entry in read_catalog(path):
            key = entry.key
            if not entry.translated or key in seen:
                continue
            if key not in usable:
                reason = why.get(entry.msgid, "check reports an error")
                report.left_out.append((str(path), entry.msgid, reason))
                continue
            seen.add(key)
            try:
                pair = exported_pair(entry, phone_regions)
            except NotationError as error:
                report.left_out.append((str(path), entry.msgid, str(error)))
                continue
            body.append(tmx_unit(key[0], path.name, zip(languages, pair, strict=True)))
            report.units += 1
    indent(root, {"seg", "prop"})
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"
    return data, report


def tmx_unit(context: str | None, source_file: str, variants) -> etree._Element:
    """A `<tu>` of (language, tokens) variants, with its msgctxt and catalog as properties."""
    unit = etree.Element("tu")
    if context:
        etree.SubElement(unit, "prop", type="x-context").text = context
    etree.SubElement(unit, "prop", type="x-source-file").text = source_file
    for lang, tokens in variants:
        variant = etree.SubElement(unit, "tuv", {XML_LANG: lang})
        build_flat(etree.SubElement(variant, "seg"), tokens)
    return unit


def exported_pair(entry: Entry, phone_regions: tuple) -> tuple[list, list]:
    """(source tokens, target tokens) of a translated entry; NotationError with the reason
    when its translation has a check error (or a character XML cannot carry)."""
    is_format = entry.is_format
    errors = translation_errors(entry.msgstr, segment_for(entry.msgid, is_format), phone_regions)
    if NOT_XML.search(entry.msgid + entry.msgstr):
        errors.append(("control", "a character XML cannot carry"))
    if errors:
        raise NotationError(errors[0][1], errors[0][0])
    return (
        message_tokens(entry.msgid, entry.msgid, is_format),
        message_tokens(entry.msgstr, entry.msgid, is_format),
    )


def build_flat(seg, tokens: list) -> None:
    """Tokens as TMX content: text, `<bpt i>`/`<ept i>` for a tag's two ends (`x` matches
    them across languages), `<ph>` for a void tag or a placeholder."""
    for kind, value in tokens:
        if kind == "text":
            append_text(seg, value)
            continue
        if kind == "open":
            code = etree.SubElement(seg, "bpt", i=str(value), x=str(value))
        elif kind == "close":
            code = etree.SubElement(seg, "ept", i=str(value))
        elif kind == "void":
            code = etree.SubElement(seg, "ph", x=str(value))
        else:
            code = etree.SubElement(seg, "ph", type="x-placeholder")
        code.text = NATIVE[kind].format(value)


@dataclass
class ImportReport:
    filled: int = 0
    skipped: list = field(default_factory=list)  # (catalog, msgid, reason)
    catalogs: list = field(default_factory=list)


@dataclass(frozen=True)
class Refused:
    """A TMX segment that cannot be a translation (markup, an unknown code): the reason."""

    reason: str


def read_tmx(data: bytes, shown: str, source_locale: str) -> dict[str, dict]:
    """{target language: {(context, source message): tokens or Refused}} from a TMX file."""
    from pipeline.xliff_import import parse_document

    root = parse_document(data, shown)
    if root.tag != "tmx":
        raise CatalogError(f"{shown}: not a TMX document (root element <{root.tag}>)")
    source = parse_tag(source_locale).language
    memories: dict[str, dict] = {}
    for unit in root.iter("tu"):
        context = next((p.text for p in unit.findall("prop") if p.get("type") == "x-context"), None)
        variants = unit_variants(unit)
        source_tokens = next(
            (t for lang, t in variants.items() if lang.lower().split("-")[0] == source), None
        )
        if source_tokens is None or isinstance(source_tokens, Refused):
            continue
        braces = any(kind == "var" for kind, _ in source_tokens)
        key = (context or None, tokens_message(source_tokens, braces))
        for lang, tokens in variants.items():
            if lang.lower().split("-")[0] != source and tokens:
                memories.setdefault(lang, {})[key] = tokens
    return memories


def unit_variants(unit) -> dict:
    """{language: tokens or Refused} of a translation unit's variants that have a segment."""
    variants = {}
    for variant in unit.findall("tuv"):
        lang = variant.get(XML_LANG) or variant.get("lang") or ""
        seg = variant.find("seg")
        if seg is not None and lang:
            variants[lang] = seg_tokens(seg)
    return variants


CODE = re.compile(r"<(/?)(\d+)(/?)>\Z")


def seg_tokens(seg) -> list | Refused:
    """A segment's tokens: its inline codes read from their native code. In a segment
    without any (a TMX file written before inline codes), text that spells a catalog code
    counts as that code."""
    notation = not any(isinstance(child.tag, str) for child in seg)
    try:
        return read_nested(seg, tmx_code, notation=notation)
    except InlineError as error:
        return Refused(str(error))


def tmx_code(element) -> tuple:
    """(kind, value) of a TMX inline element (see `inline.read_nested`)."""
    name = local_name(element.tag)
    if name == "hi":
        return "mark", None
    native = "".join(element.itertext())
    code, placeholder = CODE.match(native), PLACEHOLDER_NAME.fullmatch(native)
    kind = tag_code_kind(name, code) if code else None
    if kind:
        return kind, int(code.group(2))
    if name == "ph" and placeholder:
        return "var", placeholder.group(1)
    raise InlineError(f"markup not in the source: <{name}>")


def tag_code_kind(name: str, code: re.Match) -> str | None:
    """ "void", "start" or "end" for a TMX element `name` whose native code is the numbered
    tag `code`, or None when the element cannot carry that tag."""
    closing, void = code.group(1), code.group(3)
    if name == "ph" and void and not closing:
        return "void"
    if name in ("bpt", "it") and not (closing or void):
        return "start"
    if name in ("ept", "it") and closing and not void:
        return "end"
    return None


def import_tmx(memories: dict[str, dict], catalogs: dict[str, list[Path]]) -> ImportReport:
    """Fill untranslated entries of each language's catalogs; never overwrite a translation."""
    report = ImportReport()
    for lang, memory in memories.items():
        try:
            tag = parse_tag(lang)
        except LocaleError as error:
            report.skipped.append(("", f"{len(memory)} segments in {lang}", str(error)))
            continue
        paths = catalogs.get(tag.gettext) or catalogs.get(tag.language) or []
        for path in paths:
            catalog, filled = fill_catalog(read_catalog(path), memory, path, report)
            if filled:
                write_atomic(path, serialize(catalog))
                report.catalogs.append(str(path))
                report.filled += filled
    return report


def fill_catalog(
    catalog: Catalog, memory: dict, path: Path, report: ImportReport
) -> tuple[Catalog, int]:
    """The catalog with its untranslated entries filled from the memory, and how many."""
    entries = [filled_entry(entry, memory, path, report) for entry in catalog]
    filled = sum(new is not old for new, old in zip(entries, catalog, strict=True))
    return dataclasses.replace(catalog, entries=tuple(entries)), filled


def filled_entry(entry: Entry, memory: dict, path: Path, report: ImportReport) -> Entry:
    """The entry translated from the memory, or itself (translated, not found, refused)."""
    if entry.obsolete or entry.msgstr:
        return entry
    tokens = memory.get(entry.key)
    if tokens is None:
        return entry
    try:
        if isinstance(tokens, Refused):
            raise InlineError(tokens.reason)
        translation = checked_message(tokens, entry.msgid, entry.is_format)
    except InlineError as error:
        report.skipped.append((str(path), entry.msgid, str(error)))
        return entry
    errors = translation_errors(translation, segment_for(entry.msgid, entry.is_format))
    if errors:
        report.skipped.append((str(path), entry.msgid, errors[0][1]))
        return entry
    note = "\n".join(filter(None, [entry.tcomment, "From a TMX import"]))
    return dataclasses.replace(entry, msgstr=translation, tcomment=note)
