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

from pipeline.markup import Document, Element
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

AUTHORING = re.compile(r"(?:data-l10n-|its-)", re.IGNORECASE)
# One attribute of a start tag, with the space before it (a value is consumed whole, so a
# value that mentions "its-" is never read as an attribute).
ATTRIBUTE = re.compile(r"""(\s+)([^\s"'>/=]+)(\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]*))?""")
# A start tag (a quoted attribute value may hold ">").
START_TAG = re.compile(r"""<[A-Za-z](?:[^>"']|"[^"]*"|'[^']*')*>""")
BUTTON = re.compile(r"<button\b[^>]*>.*?</button\s*>", re.IGNORECASE | re.DOTALL)
ACTIVE = (b"<form", b"<script", b"formaction", b"popovertarget", b"commandfor")
HANDLER = re.compile(r"<[^>]*\son\w+\s*=", re.IGNORECASE)


def published_markup(html: str) -> str:
    """A page body without authoring attributes (`data-l10n-*`, `its-*`: notes for
    translators, region conditions) and without buttons that do nothing.

    Only start tags are touched: a translation cannot write one (its `<` is escaped), so
    text that mentions an attribute stays as it is. A `<button>` on a page without forms,
    scripts or event handlers does nothing when pressed: it is not published. (Regular
    expressions over the rendered body rather than a parse: this runs for every page of
    every region, and parsing the body again cost as much as rendering it.)"""
    # Lowered as bytes, in ASCII case only: lowering the text took half a millisecond for a
    # page with accents, ten times as long. The signs looked for are found the same: no
    # other character lowers to a letter that could complete one (U+0130 lowers to "i" and
    # a combining dot, U+212A to "k").
    lowered = html.encode("utf-8", "surrogatepass").lower()
    if b"l10n" in lowered or b"its-" in lowered:
        html = START_TAG.sub(without_authoring, html)
    dead = b"<button" in lowered and not any(sign in lowered for sign in ACTIVE)
    if dead and HANDLER.search(html) is None:
        html = BUTTON.sub("", html)
    return html


def without_authoring(match: re.Match) -> str:
    """A start tag without its authoring attributes."""
    tag = match.group(0)
    lowered = tag.lower()
    if "l10n" not in lowered and "its-" not in lowered:
        return tag
    return ATTRIBUTE.sub(
        lambda attribute: "" if AUTHORING.match(attribute.group(2)) else attribute.group(0), tag
    )
