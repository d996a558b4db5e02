"""TBX-Basic, the terminology exchange format of CAT tools: glossary <-> TBX.

Read: TBX-Basic as TBX 2 (`<martif>`, `termEntry`/`langSet`/`tig`) or TBX 3 (`<tbx>`,
`conceptEntry`/`langSec`/`termSec`). A term whose administrative status is deprecated or
superseded is a forbidden translation, any other an allowed one. Written: TBX 2, which
every CAT tool reads, with the first allowed translation as the preferred term.
"""

from __future__ import annotations

from lxml import etree

from pipeline.errors import CatalogError
from pipeline.glossary import Term
from pipeline.inline import indent, local_name
from pipeline.locales import parse_tag

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FORBIDDEN_STATUS = {"deprecatedTerm-admn-sts", "supersededTerm-admn-sts"}
CONCEPTS = {"termEntry", "conceptEntry"}
LANGUAGES = {"langSet", "langSec"}
TERMS = {"tig", "ntig", "termSec"}


def children(element, names: set[str]) -> list:
    return [c for c in element if isinstance(c.tag, str) and local_name(c.tag) in names]


def term_status(term_group) -> tuple[str, str] | None:
    """(term, administrative status) of a tig/ntig/termSec."""
    text, status = None, ""
    for element in term_group.iter():
        if not isinstance(element.tag, str):
            continue
        name = local_name(element.tag)
        if name == "term" and text is None:
            text = "".join(element.itertext()).strip()
        elif name == "termNote" and element.get("type") == "administrativeStatus":
            status = (element.text or "").strip()
    return (text, status) if text else None


def concept_terms(concept, source: str, target: str) -> list[Term]:
    """The glossary term of one concept (none without a source and a target term): its
    source-language terms, and its target-language terms as allowed or forbidden."""
    sources, allowed, forbidden = [], [], []
    notes = [
        " ".join("".join(element.itertext()).split())
        for element in concept.iter()
        if isinstance(element.tag, str) and local_name(element.tag) in ("note", "descrip")
    ]
    for language, term, status in concept_term_statuses(concept):
        if language == source and status not in FORBIDDEN_STATUS:
            sources.append(term)
        elif language == target:
            (forbidden if status in FORBIDDEN_STATUS else allowed).append(term)
    if not sources or not (allowed or forbidden):
        return []
    note = " ".join(dict.fromkeys(n for n in notes if n))
    return [Term(tuple(sources), tuple(allowed), tuple(forbidden), note)]


def concept_term_statuses(concept):
    """(primary language, term, status) of each term of a concept, in file order."""
    for language_set in children(concept, LANGUAGES):
        language = primary(language_set.get(XML_LANG, ""))
        for group in children(language_set, TERMS):
            found = term_status(group)
            if found is not None:
                yield language, found[0], found[1]


def primary(tag: str) -> str:
    """The language subtag of a TBX language tag ("en-US" -> "en")."""
    return tag.lower().replace("_", "-").split("-")[0]


def read_tbx(data: bytes, shown: str, source_locale: str, language: str) -> list[Term]:
    """The terms a TBX file gives `language` (a catalog language) for the source language."""
    from pipeline.errors import LocaleError
    from pipeline.xliff_import import parse_document

    root = parse_document(data, shown)
    if local_name(root.tag) not in ("martif", "tbx"):
        raise CatalogError(f"{shown}:{root.sourceline}: not a TBX document (<{root.tag}>)")
    try:
        source, target = parse_tag(source_locale).language, parse_tag(language).language
        terms = []
        for concept in root.iter():
            if isinstance(concept.tag, str) and local_name(concept.tag) in CONCEPTS:
                terms.extend(concept_terms(concept, source, target))
    except LocaleError as error:
        raise CatalogError(f"{shown}: {error}") from None
    return terms


def write_tbx(terms: list[Term], source_locale: str, language: str) -> bytes:
    """A TBX-Basic (TBX 2) document of a glossary's terms."""
    root = etree.Element("martif", type="TBX-Basic")
    root.set(XML_LANG, parse_tag(source_locale).bcp47)
    header = etree.SubElement(root, "martifHeader")
    description = etree.SubElement(etree.SubElement(header, "fileDesc"), "sourceDesc")
    etree.SubElement(description, "p").text = f"pipeline glossary, {language}"
    body = etree.SubElement(etree.SubElement(root, "text"), "body")
    for number, term in enumerate(terms, 1):
        entry = etree.SubElement(body, "termEntry", id=f"t{number}")
        if term.note:
            etree.SubElement(entry, "note").text = term.note
        add_language(entry, parse_tag(source_locale).bcp47, [(s, "") for s in term.sources])
        statuses = [(a, "admittedTerm-admn-sts") for a in term.allowed]
        if statuses:
            statuses[0] = (term.allowed[0], "preferredTerm-admn-sts")
        statuses += [(f, "deprecatedTerm-admn-sts") for f in term.forbidden]
        add_language(entry, parse_tag(language).bcp47, statuses)
    indent(root, {"term", "termNote", "note", "p"})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def add_language(entry, tag: str, terms: list[tuple[str, str]]) -> None:
    language_set = etree.SubElement(entry, "langSet")
    language_set.set(XML_LANG, tag)
    for text, status in terms:
        group = etree.SubElement(language_set, "tig")
        etree.SubElement(group, "term").text = text
        if status:
            note = etree.SubElement(group, "termNote", type="administrativeStatus")
            note.text = status
