"""Region-specific passages: which regions a marked block is shown in, and authoring markup
kept out of published pages.

A source author marks an element with `data-l10n-region="TERMS"` (space-separated; the
element is shown in a region matching any term, and a `!TERM` hides it where TERM matches):

- `hotline`: the region has a hotline; `own-hotline`: the hotline is the publisher's own line
  (calls to action in the first person: "call our hotline"); `public-hotline`: the hotline is
  a public or non-profit service (named as what it is); `emergency`: the region has an
  emergency number;
- a region tag (`en-US`) or a country (`US`, `GB`).

An element with `data-l10n-choose` holds alternatives: of its child elements, the first
whose `data-l10n-region` matches is shown, and a child without one is shown where none of
the children before it matched (the "otherwise").
"""

from __future__ import annotations

import re

from pipeline.markup import Document, Element, parse
from pipeline.model import Region

KEYWORDS = frozenset({"hotline", "own-hotline", "public-hotline", "emergency"})
REGION_TERM = re.compile(r"[a-z]{2,3}(?:-[A-Z][a-z]{3})?-(?:[A-Z]{2}|\d{3})|[A-Z]{2}")
ALWAYS = (frozenset(), frozenset())  # shown everywhere


def parse_condition(value: str) -> tuple[frozenset, frozenset]:
    """(terms that show it, terms that hide it) of a `data-l10n-region` value."""
    shown, hidden = set(), set()
    for term in value.split():
        (hidden if term.startswith("!") else shown).add(term.lstrip("!"))
    return frozenset(shown), frozenset(hidden)


def condition_problems(value: str) -> list[str]:
    """What is wrong with a `data-l10n-region` value: an unknown term would hide its passage
    from every region without a word."""
    terms = [term.lstrip("!") for term in value.split()]
    if not terms:
        return ['data-l10n-region="" names no region: the passage would never be shown']
    return [
        f"data-l10n-region term {term!r} is neither {', '.join(sorted(KEYWORDS))}, "
        "a region tag (en-US) nor a country code (US, GB)"
        for term in terms
        if term not in KEYWORDS and not is_region_term(term)
    ]


def is_region_term(term: str) -> bool:
    """A region tag or an ISO 3166 country code ("UK" is not one: the code is GB)."""
    from phonenumbers import SUPPORTED_REGIONS

    country = term.rsplit("-", 1)[-1]
    return REGION_TERM.fullmatch(term) is not None and (
        country in SUPPORTED_REGIONS or country.isdigit() or country in ("XA", "XB")
    )


def choice_conditions(element: Element) -> dict:
    """The condition of each child element of a `data-l10n-choose` element, by identity:
    a child is shown only where no child before it was."""
    conditions, taken = {}, frozenset()
    for child in element.children:
        if not isinstance(child, Element):
            continue
        value = child.get("data-l10n-region")
        shown, hidden = parse_condition(value) if value is not None else ALWAYS
        conditions[id(child)] = (shown, hidden | taken)
        taken |= shown
    return conditions


def document_problems(document: Document) -> list[tuple[int, str]]:
    """(offset, message) of every invalid region condition of a source document."""
    problems = []
    for element in document.root.iter():
        value = element.get("data-l10n-region")
        if value is not None:
            problems += [(element.start, message) for message in condition_problems(value)]
    return problems


def region_terms(region: Region) -> frozenset:
    """The terms a region matches."""
    terms = {region.tag}
    territory = region.tag.rsplit("-", 1)[-1]
    terms.add(territory)
    if region.hotline is not None:
        terms.add("hotline")
        terms.add("own-hotline" if region.hotline.kind == "publisher" else "public-hotline")
    if region.emergency:
        terms.add("emergency")
    return frozenset(terms)


def is_shown(shown: frozenset, hidden: frozenset, terms: frozenset) -> bool:
    """Whether a passage with this condition is shown in a region matching `terms`."""
    if hidden & terms:
        return False
    return not shown or bool(shown & terms)


# -- published markup ----------------------------------------------------------------------

AUTHORING = re.compile(
    r"""\s+(?:data-l10n-[\w.:-]*|its-[\w.:-]*)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?""",
    re.IGNORECASE,
)


def published_markup(html: str) -> str:
    """A page body without authoring attributes (`data-l10n-*`, `its-*`: notes for
    translators, region conditions) and without buttons that do nothing.

    Attributes are removed from start tags found by the project's HTML scanner, so text,
    comments and scripts that merely mention them are left as they are. A `<button>`
    outside any form, on a page without scripts, does nothing when pressed: it is not
    published."""
    lowered = html.lower()
    if "l10n" not in lowered and "its-" not in lowered and "<button" not in lowered:
        return html  # nothing to do: no document to parse
    document = parse(html)
    has_script = "<script" in lowered or " on" in lowered and ONCLICK.search(html) is not None
    edits = []  # (start, end, replacement), in document order
    for element, in_form in elements_with_form(document.root, False):
        if element.tag == "button" and not in_form and not has_script:
            edits.append((element.start, element.end, ""))
            continue
        tag_text = html[element.start : element.start_tag_end]
        if "l10n" in tag_text.lower() or "its-" in tag_text.lower():
            edits.append((element.start, element.start_tag_end, AUTHORING.sub("", tag_text)))
    return apply_edits(html, edits)


ONCLICK = re.compile(r"<[^>]*\son\w+\s*=", re.IGNORECASE)


def elements_with_form(element: Element, in_form: bool):
    """Every element under `element`, in document order, with whether a form holds it."""
    for child in element.children:
        if not isinstance(child, Element):
            continue
        yield child, in_form
        yield from elements_with_form(child, in_form or child.tag == "form")


def apply_edits(text: str, edits: list) -> str:
    out, position = [], 0
    for start, end, replacement in sorted(edits):
        if start < position:
            continue  # inside a dropped element
        out.append(text[position:start])
        out.append(replacement)
        position = end
    out.append(text[position:])
    return "".join(out)
