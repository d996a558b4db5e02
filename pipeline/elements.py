"""What segmentation knows of HTML: which elements are inline, opaque or skipped, which
attributes are translated, what an element passes down to its content (translate, notes,
critical), and the source's hotline in text and `tel:` links."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.markup import Document, Element, Text, collapse_whitespace
from pipeline.model import Segment, TelHref
from pipeline.notation import escape_text

INLINE = frozenset(
    [
        "a",
        "abbr",
        "acronym",
        "b",
        "bdi",
        "bdo",
        "big",
        "br",
        "cite",
        "data",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "img",
        "ins",
        "kbd",
        "mark",
        "nobr",
        "picture",
        "q",
        "rp",
        "rt",
        "ruby",
        "s",
        "samp",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
        "var",
        "wbr",
        "label",
    ]
)


# Inline elements whose content is not prose: one `<N/>` placeholder stands for all of it.
OPAQUE_INLINE = frozenset(
    [
        "code",
        "script",
        "style",
        "template",
        "svg",
        "math",
        "iframe",
        "object",
        "video",
        "audio",
        "canvas",
        "noscript",
        "textarea",
        "select",
        "input",
        "embed",
        "kbd",
        "samp",
        "var",
    ]
)


# Subtrees never extracted.
SKIPPED = frozenset(
    [
        "script",
        "style",
        "template",
        "code",
        "svg",
        "math",
        "noscript",
        "iframe",
        "object",
        "textarea",
    ]
)


HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])


LABELS = frozenset(["button", "label", "legend", "option", "optgroup", "summary", "th", "caption"])


TEXT_ONLY = frozenset(["title", "option", "textarea"])


TRANSLATABLE_ATTRIBUTES = {
    "alt": "alt",
    "title": "tooltip",
    "aria-label": "aria-label",
    "placeholder": "placeholder",
}


META_CONTENT = {
    "description": "description",
    "og:title": "title",
    "og:description": "description",
    "twitter:title": "title",
    "twitter:description": "description",
}


HTML_SPACE = " \t\n\r\f"


MAYBE_PHONE = re.compile(r"\d(?:[\s().\-\u00a0]*\d){6,}")


PHONE_VARIABLE = "hotline_phone"


@dataclass(frozen=True)
class HotlineSpec:
    """The source's own hotline: its numbers become `{hotline_phone}` in every segment."""

    region_code: str  # e.g. "US": how to read national numbers in the text
    numbers: frozenset[str]  # E.164
    # The region file's countries: a number in their formats that is not the hotline is
    # refused in a source article (`pipeline.source`), as every region would show it.
    countries: tuple[str, ...] = ()


class Walk:
    """What one pass of `pipeline.segment` over a document collects."""

    def __init__(self, document: Document, hotline: HotlineSpec | None):
        self.document = document
        self.hotline = hotline
        self.slots: list = []  # Segment | TelHref | RegionSlot
        self.inline_block_cache: dict = {}
        self.choices: dict = {}  # id(element) -> (shown, hidden) of a data-l10n-choose child


class Context:
    """What an element passes down to its content (treated as immutable)."""

    __slots__ = ("translate", "note", "critical", "preserve_space")

    def __init__(
        self,
        translate: bool = True,
        note: str | None = None,
        critical: bool = False,
        preserve_space: bool = False,
    ):
        self.translate = translate
        self.note = note
        self.critical = critical
        self.preserve_space = preserve_space


# An attribute name starts the start tag's text or follows a space, a slash or a closing
# quote; `class="post-title"` mentions "title" but has no title attribute.
SLOT_ATTRIBUTES = re.compile(r"""(?:^|[\s"'/])(?:alt|title|aria-label|placeholder)\s*=|tel:""")


def child_context(element: Element, context: Context) -> Context:
    if not may_have_context(element.tag_text):
        if element.tag in ("pre", "textarea") and not context.preserve_space:
            return Context(context.translate, context.note, context.critical, True)
        return context
    translate = element.get("translate")
    note = element.get("data-l10n-note") or element.get("its-loc-note")
    critical = element.get("data-l10n-critical")
    return Context(
        translate=context.translate if translate is None else translate.lower() != "no",
        note=note.strip() if note else context.note,
        critical=context.critical if critical is None else critical.lower() in ("yes", "true", ""),
        preserve_space=context.preserve_space or element.tag in ("pre", "textarea"),
    )


# Whether a start tag's (lower-cased) text may hold the attributes looked for: substring
# tests first, since most start tags have none of these words and `in` is cheap.
def may_have_context(tag_text: str) -> bool:
    if not tag_text:  # a bare start tag (`<p>`): most are
        return False
    return "l10n" in tag_text or "translate" in tag_text or "its-loc-note" in tag_text


def may_have_slots(tag_text: str) -> bool:
    if not tag_text:
        return False
    if "tel:" in tag_text:
        return True
    return (
        "title" in tag_text or "alt" in tag_text or "aria-" in tag_text or "placeh" in tag_text
    ) and SLOT_ATTRIBUTES.search(tag_text) is not None


LETTER = re.compile(r"[^\W\d_]")


def has_letter(text: str) -> bool:
    """Whether `text` holds a letter (what makes a text worth translating)."""
    return LETTER.search(text) is not None


def role_of(element: Element) -> str:
    if element.tag in HEADINGS:
        return "heading"
    if element.tag == "title":
        return "title"
    if element.tag in LABELS:
        return "label"
    return "text"


def collect_attributes(walk: Walk, element: Element, context: Context, out: list) -> None:
    """Append `element`'s own translatable attributes and hotline tel: href to `out`."""
    if element.tag != "meta" and not may_have_slots(element.tag_text):
        return
    line = walk.document.line_of(element.start)
    for attribute in element.attributes:
        if attribute.value_start < 0:
            continue
        if attribute.name == "href" and is_hotline_href(walk, attribute.value):
            out.append(TelHref(attribute.value_start, attribute.value_end))
            continue
        role = attribute_role(element, attribute.name)
        if role is None or not context.translate:
            continue
        text = collapse_whitespace(attribute.value).strip()
        if not has_letter(text):
            continue
        out.append(
            Segment(
                msgid=escape_text(text, braces=False),
                context=None,
                role=role,
                start=attribute.value_start,
                end=attribute.value_end,
                line=line,
                kind="attribute",
                note=context.note,
                critical=context.critical,
                quote=attribute.quote,
            )
        )


def attribute_role(element: Element, name: str) -> str | None:
    if element.tag == "meta" and name == "content":
        return META_CONTENT.get((element.get("name") or element.get("property") or "").lower())
    if name == "alt" and element.tag not in ("img", "area", "input"):
        return None
    return TRANSLATABLE_ATTRIBUTES.get(name)


def is_tel_link(element: Element) -> bool:
    # Most links are not tel: ones, and the start tag's text tells without parsing it
    # (unless an entity could spell "tel").
    text = element.tag_text
    if "tel" not in text and "&" not in text:
        return False
    return (element.get("href") or "").lower().startswith("tel:")


def is_hotline_href(walk: Walk, href: str) -> bool:
    if walk.hotline is None or not href.lower().startswith("tel:"):
        return False
    return normalize_phone(href[4:], walk.hotline.region_code) in walk.hotline.numbers


def normalize_phone(text: str, region_code: str) -> str | None:
    import phonenumbers  # only articles with a hotline need it (0.03 s to import)

    try:
        number = phonenumbers.parse(text, region_code)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def collect_tel_hrefs(walk: Walk, element: Element, out: list) -> None:
    for descendant in element.iter():
        href = descendant.attribute("href")
        if href is not None and href.value_start >= 0 and is_hotline_href(walk, href.value):
            out.append(TelHref(href.value_start, href.value_end))


def collect_inline_slots(walk: Walk, node, context: Context, out: list) -> None:
    """Attribute and tel: slots of an inline subtree that no segment covers."""
    if not isinstance(node, Element):
        return
    inner_context = child_context(node, context)
    collect_attributes(walk, node, inner_context, out)
    if node.tag in OPAQUE_INLINE:
        return
    for child in node.children:
        collect_inline_slots(walk, child, inner_context, out)


def is_phone_link(walk: Walk, element: Element) -> bool:
    """`<a href="tel:hotline">number</a>`: the whole link is the `{hotline_phone}` value."""
    if element.tag != "a" or walk.hotline is None or not is_tel_link(element):
        return False
    if not is_hotline_href(walk, element.get("href")):
        return False
    texts = []
    for child in element.children:
        if not isinstance(child, Text):
            return False  # markup inside: more than a number
        texts.append(child.text)
    return normalize_phone("".join(texts), walk.hotline.region_code) in walk.hotline.numbers


def split_phones(text: str, hotline: HotlineSpec) -> list:
    """Split `text` around the hotline's numbers, which come as 1-tuples."""
    import phonenumbers

    pieces, position = [], 0
    for match in phonenumbers.PhoneNumberMatcher(text, hotline.region_code, leniency=0):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        if e164 in hotline.numbers:
            pieces.append(text[position : match.start])
            pieces.append((match.raw_string,))
            position = match.end
    pieces.append(text[position:])
    return pieces


def escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
