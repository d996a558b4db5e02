"""Translation memory exchange: catalogs <-> TMX 1.4 (the format CAT tools and agencies use).

Segments keep the catalog's own notation (numbered tags, placeholders) as plain text, so a
round trip through a CAT tool gives back exactly what the catalogs hold; `import` runs the
same checks as publishing and skips a translation that breaks its segment.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import polib

from pipeline.catalogs import entry_key, read_catalog, read_translations, serialize
from pipeline.checks import check_catalog, segment_for, translation_errors
from pipeline.errors import CatalogError, LocaleError
from pipeline.files import write_atomic
from pipeline.locales import parse_tag

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class TmxExport:
    data: bytes  # the TMX document
    units: int  # translation units written
    left_out: int  # translated entries left out: check reports an error in them


def export_tmx(
    catalogs: list[Path], source_locale: str, language: str, phone_regions: tuple[str, ...] = ()
) -> TmxExport:
    """One translation unit per distinct (context, source text) translated in `catalogs`,
    leaving out the translations `check` reports as errors (publish does not use them)."""
    root = ET.Element("tmx", version="1.4")
    ET.SubElement(
        root,
        "header",
        {
            "creationtool": "pipeline",
            "creationtoolversion": "1",
            "segtype": "block",
            "o-tmf": "gettext",
            "adminlang": "en",
            "srclang": parse_tag(source_locale).bcp47,
            "datatype": "plaintext",
            "creationdate": datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ"),
        },
    )
    body = ET.SubElement(root, "body")
    seen = set()
    left_out = 0
    target = parse_tag(language).bcp47
    for path in catalogs:
        usable = check_catalog(path, str(path), phone_regions, language).usable
        for key, msgstr in read_translations(path).entries.items():
            if key not in usable:
                left_out += 1
                continue
            if key in seen:
                continue
            seen.add(key)
            unit = ET.SubElement(body, "tu")
            if key[0]:
                ET.SubElement(unit, "prop", type="x-context").text = key[0]
            ET.SubElement(unit, "prop", type="x-source-file").text = path.name
            for lang, text in ((parse_tag(source_locale).bcp47, key[1]), (target, msgstr)):
                variant = ET.SubElement(unit, "tuv", {XML_LANG: lang})
                ET.SubElement(variant, "seg").text = text
    ET.indent(root)
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")
    return TmxExport(data, len(seen), left_out)


@dataclass
class ImportReport:
    filled: int = 0
    skipped: list = field(default_factory=list)  # (catalog, msgid, reason)
    catalogs: list = field(default_factory=list)


def read_tmx(data: bytes, shown: str, source_locale: str) -> dict[str, dict]:
    """{target language: {(context, source): translation}} from a TMX document."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise CatalogError(f"{shown}:{error.position[0]}: not valid TMX ({error})") from None
    if root.tag != "tmx":
        raise CatalogError(f"{shown}: not a TMX document (root element <{root.tag}>)")
    source = parse_tag(source_locale).language
    memories: dict[str, dict] = {}
    for unit in root.iter("tu"):
        context = next((p.text for p in unit.findall("prop") if p.get("type") == "x-context"), None)
        variants = {}
        for variant in unit.findall("tuv"):
            lang = variant.get(XML_LANG) or variant.get("lang") or ""
            seg = variant.find("seg")
            if seg is not None and lang:
                variants[lang] = segment_text(seg)
        source_text = next(
            (text for lang, text in variants.items() if lang.lower().split("-")[0] == source), None
        )
        if source_text is None:
            continue
        for lang, text in variants.items():
            if lang.lower().split("-")[0] != source and text:
                memories.setdefault(lang, {})[(context or None, source_text)] = text
    return memories


# TMX inline elements carry the native code as their text; anything else is markup that a
# translation may not bring in, kept visible so the checks refuse it.
TMX_INLINE = {"bpt", "ept", "ph", "it", "ut", "hi", "sub"}


def segment_text(element) -> str:
    parts = [element.text or ""]
    for child in element:
        if child.tag in TMX_INLINE:
            parts.append(segment_text(child))
        else:
            parts.append(f"<{child.tag}>{segment_text(child)}</{child.tag}>")
        parts.append(child.tail or "")
    return "".join(parts)


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
            catalog = read_catalog(path)
            filled = fill_catalog(catalog, memory, path, report)
            if filled:
                write_atomic(path, serialize(catalog))
                report.catalogs.append(str(path))
                report.filled += filled
    return report


def fill_catalog(catalog: polib.POFile, memory: dict, path: Path, report: ImportReport) -> int:
    filled = 0
    for entry in catalog:
        if entry.obsolete or entry.msgstr:
            continue
        translation = memory.get(entry_key(entry))
        if translation is None:
            continue
        segment = segment_for(entry.msgid, "python-brace-format" in entry.flags)
        errors = translation_errors(translation, segment)
        if errors:
            report.skipped.append((str(path), entry.msgid, errors[0][1]))
            continue
        entry.msgstr = translation
        entry.tcomment = "\n".join(filter(None, [entry.tcomment, "From a TMX import"]))
        filled += 1
    return filled
