"""XLIFF 1.2, the version Translate Toolkit and Weblate read: `<trans-unit>`s with `<g>`,
`<x>` and `<ph>` codes, `approved` and `state` on the target."""

from __future__ import annotations

from lxml import etree

from pipeline.errors import CatalogError
from pipeline.inline import InlineError, build_nested, local_name, read_nested

XLIFF12 = "urn:oasis:names:tc:xliff:document:1.2"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# Catalog state -> (approved, target state); an untranslated entry has no target.
STATES = {"fuzzy": ("no", "needs-review-translation"), "translated": ("yes", "translated")}
NOTE_FROM = {"description": "developer", "comment": "translator"}


def q(name: str) -> str:
    return f"{{{XLIFF12}}}{name}"


def root(source_language: str, target_language: str):
    return etree.Element(q("xliff"), version="1.2", nsmap={None: XLIFF12})


def file_element(parent, article, source_language: str, target_language: str):
    """A `<file>` for one article in `parent`; returns its `<body>`."""
    file = etree.SubElement(
        parent,
        q("file"),
        {
            "original": article.source,
            "source-language": source_language,
            "target-language": target_language,
            "datatype": "html",
        },
    )
    return etree.SubElement(file, q("body"))


def element_for(kind, value):
    """`build_nested`'s element maker: `<g>` for a paired tag, `<x/>` for a void one and
    `<ph>` holding the placeholder as written (what Translate Toolkit shows)."""
    if kind == "open":
        return etree.Element(q("g"), id=str(value))
    if kind == "void":
        return etree.Element(q("x"), id=str(value))
    element = etree.Element(q("ph"), id=value)
    element.text = "{" + value + "}"
    return element


def unit(uid, context, source, target, state, notes):
    """A `<trans-unit>`: source, target (when translated), notes and the source lines."""
    element = etree.Element(q("trans-unit"), id=uid)
    if context:
        element.set("resname", context)
    element.set(XML_SPACE, "preserve")
    build_nested(etree.SubElement(element, q("source")), source, element_for)
    if target is not None:
        approved, target_state = STATES[state]
        element.set("approved", approved)
        box = etree.SubElement(element, q("target"), state=target_state)
        build_nested(box, target, element_for)
    for category, text in notes:
        if category == "location":
            group = etree.SubElement(element, q("context-group"), purpose="location")
            path, _, lines = text.rpartition(":")
            etree.SubElement(group, q("context"), {"context-type": "sourcefile"}).text = path
            etree.SubElement(group, q("context"), {"context-type": "linenumber"}).text = lines
        elif category == "context":
            etree.SubElement(element, q("note")).text = f"context: {text}"
        else:
            etree.SubElement(element, q("note"), {"from": NOTE_FROM[category]}).text = text
    return element


def token_for(child) -> tuple:
    """(kind, value) of an XLIFF 1.2 inline element (see `inline.read_nested`)."""
    from pipeline.xliff_import import NAME, code_number

    if not child.tag.startswith(f"{{{XLIFF12}}}"):
        raise InlineError(f"markup not in the source: <{local_name(child.tag)}>")
    name = local_name(child.tag)
    if name == "g":
        return "open", code_number(child)
    if name == "x":
        return "void", code_number(child)
    if name == "ph":
        if NAME.match(child.get("id", "")):
            return "var", child.get("id")
        return "void", code_number(child)
    if name == "bx":
        return "start", code_number(child, "rid" if child.get("rid") else "id")
    if name == "ex":
        return "end", code_number(child, "rid" if child.get("rid") else "id")
    if name == "mrk":
        return "mark", None
    raise InlineError(f"inline element <{name}> is not in the source")


def read(root, shown: str):
    """An XLIFF 1.2 document as a `pipeline.xliff.Document`."""
    from pipeline.xliff_import import Document, required

    files = []
    languages = set()
    for file in root.iter(q("file")):
        original = required(file, "original", shown)
        languages.add((file.get("source-language", ""), file.get("target-language", "")))
        slug = original.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        units = [read_unit(unit, shown) for unit in file.iter(q("trans-unit"))]
        files.append((slug, file.sourceline, units))
    if len(languages) > 1:
        raise CatalogError(f"{shown}: its files are in different languages")
    source, target = next(iter(languages), ("", ""))
    if not source or not target:
        raise CatalogError(f"{shown}: <file> without source-language and target-language")
    return Document("1.2", source, target, files)


def read_unit(element, shown: str):
    from pipeline.xliff_import import Unit, required

    uid = required(element, "id", shown)
    line = element.sourceline
    target_element = element.find(q("target"))
    reviewed = element.get("approved") == "yes" or (
        target_element is not None and target_element.get("state") in {"final", "signed-off"}
    )
    source_element = element.find(q("source"))
    if source_element is None:
        return Unit(uid, line, [], None, reviewed, "a trans-unit must have a source")
    try:
        source = read_nested(source_element, token_for)
        target = None if target_element is None else read_nested(target_element, token_for)
    except InlineError as error:
        return Unit(uid, line, [], None, reviewed, str(error))
    return Unit(uid, line, source, target, reviewed)
