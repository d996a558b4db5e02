"""Segmentation: an element tree -> translatable segments with their source spans.

A segment is a maximal run of inline content inside a block element. Inline elements become
numbered placeholder tags (`<1>...</1>`, `<2/>`) whose attributes stay in the source; region
values (the hotline number, its hours) become named placeholders (`{hotline_phone}`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from pipeline.markup import Document, Element, Opaque, Text, collapse_whitespace
from pipeline.model import AttributeSlot, Segment, Tag, TelHref, Variable
from pipeline.notation import TAG_OR_PLACEHOLDER, escape_text, unescape_text  # noqa: F401
from pipeline.notation import words as source_words  # noqa: F401 (the name others import)
from pipeline.passages import choice_conditions, parse_condition

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
    """What one pass over a document collects (private to this module)."""

    def __init__(self, document: Document, hotline: HotlineSpec | None):
        self.document = document
        self.hotline = hotline
        self.slots: list = []  # Segment | TelHref | ("region", start, end, shown, hidden)
        self.inline_block_cache: dict = {}
        self.choices: dict = {}  # id(element) -> (shown, hidden) of a data-l10n-choose child


def segment_document(document: Document, hotline: HotlineSpec | None = None) -> list:
    """Every slot of `document` in source order: segments, tel: hrefs and region blocks."""
    walk = Walk(document, hotline)
    visit_block(walk, document.root, Context())
    return assign_contexts(walk.slots)


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


def visit_block(walk: Walk, element: Element, context: Context) -> None:
    context = child_context(element, context)
    condition = region_condition(walk, element)
    if condition is not None:
        walk.slots.append(("region", element.start, element.end, *condition))
    if element.tag in SKIPPED:
        collect_tel_hrefs(walk, element, walk.slots)
        return
    collect_attributes(walk, element, context, walk.slots)
    run: list = []
    for child in element.children:
        if isinstance(child, Element) and not is_inline(walk, child):
            flush_run(walk, run, element, context)
            run = []
            visit_block(walk, child, context)
        else:
            run.append(child)
    flush_run(walk, run, element, context)


def region_condition(walk: Walk, element: Element) -> tuple | None:
    """(shown, hidden) terms of a region-specific element (`pipeline/passages.py`), or None
    for an element shown everywhere."""
    if not may_have_context(element.tag_text) and not walk.choices:
        return None
    if element.get("data-l10n-choose") is not None:
        walk.choices.update(choice_conditions(element))
    condition = walk.choices.pop(id(element), None)
    if condition is not None:
        return condition
    value = element.get("data-l10n-region")
    return parse_condition(value) if value is not None else None


def is_inline(walk: Walk, element: Element) -> bool:
    if element.tag in OPAQUE_INLINE:
        return True
    if element.tag not in INLINE or element.get("data-l10n-region") is not None:
        return False
    cached = walk.inline_block_cache.get(element)  # keyed by identity: Element has no __eq__
    if cached is None:
        cached = True
        for child in element.children:
            if type(child) is Element and not is_inline(walk, child):
                cached = False
                break
        walk.inline_block_cache[element] = cached
    return cached


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


# -- attributes ---------------------------------------------------------------------------


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


# -- inline runs --------------------------------------------------------------------------


def first_text(source: str, start: int, end: int) -> int:
    """Where source[start:end] has its first character that is no HTML space, or `end`
    (found in place: the text is not copied; most texts start with a letter)."""
    while start < end and source[start] in " \t\n\r\f":  # HTML_SPACE, a literal for C
        start += 1
    return start


def last_text_end(source: str, start: int, end: int) -> int:
    """Just past the last character of source[start:end] that is no HTML space, or `start`."""
    while end > start and source[end - 1] in " \t\n\r\f":
        end -= 1
    return end


def is_content(walk: Walk, item) -> bool:
    """Whether a run item carries text: untrimmable at the run's edges."""
    if isinstance(item, Text):
        text = item
        return first_text(walk.document.source, text.start, text.end) < text.end
    if not isinstance(item, Element):
        return False
    element = item
    return (
        element.tag not in OPAQUE_INLINE
        and element.start_tag_end != element.end
        and element.tag not in ("br", "wbr", "img", "input")
    )


def is_blank(source: str, run: list) -> bool:
    """Whether a run is only whitespace and comments (most runs between blocks are)."""
    for item in run:
        if type(item) is Element:
            return False
        if type(item) is Text:
            text = item
            if first_text(source, text.start, text.end) < text.end:
                return False
    return True


def trim_run(walk: Walk, run: list, context: Context, spill: list) -> list:
    """Drop edge whitespace and textless edge items (their slots go to `spill`)."""
    source = walk.document.source
    start, end = 0, len(run)
    while start < end and not is_content(walk, run[start]):
        collect_inline_slots(walk, run[start], context, spill)
        start += 1
    while end > start and not is_content(walk, run[end - 1]):
        collect_inline_slots(walk, run[end - 1], context, spill)
        end -= 1
    items = run[start:end]
    if context.preserve_space or not items:
        return items
    if isinstance(items[0], Text):
        text = items[0]
        items[0] = Text(first_text(source, text.start, text.end), text.end, source)
    if isinstance(items[-1], Text):  # read after the first is trimmed: a run of one text is both
        text = items[-1]
        items[-1] = Text(text.start, last_text_end(source, text.start, text.end), source)
    return items


def flush_run(walk: Walk, run: list, container: Element, context: Context) -> None:
    if is_blank(walk.document.source, run):
        return
    if not context.translate:
        for item in run:
            if isinstance(item, Element):
                collect_tel_hrefs(walk, item, walk.slots)
        return
    spill: list = []
    items = trim_run(walk, run, context, spill)
    in_tel_link = False
    # A run that is one inline element (`<p><strong>All of it</strong></p>`) is translated
    # inside that element, so translators do not see a tag around the whole sentence.
    while is_whole_run_wrapper(walk, items):
        wrapper = items[0]
        context = child_context(wrapper, context)
        collect_attributes(walk, wrapper, context, spill)
        in_tel_link = in_tel_link or is_tel_link(wrapper)
        if not context.translate:
            collect_tel_hrefs(walk, wrapper, spill)
            items = []
            break
        items = trim_run(walk, list(wrapper.children), context, spill)
    built = build_segment(walk, items, container, context, in_tel_link) if items else None
    if built is None:
        for item in items:
            collect_inline_slots(walk, item, context, spill)
        walk.slots.extend(sorted(spill, key=slot_start))
        return
    # Attribute segments inside the run are rendered through its tags, but are still entries.
    segment, nested = built
    walk.slots.extend(sorted(spill + [segment] + nested, key=slot_start))


def is_whole_run_wrapper(walk: Walk, items: list) -> bool:
    """Whether a run is one inline element to translate inside (not opaque, not empty, no
    region variable, no phone link)."""
    if len(items) != 1 or not isinstance(items[0], Element):
        return False
    item = items[0]
    return (
        item.tag not in OPAQUE_INLINE
        and item.start_tag_end != item.end
        and item.get("data-l10n-var") is None
        and not is_phone_link(walk, item)
    )


def slot_start(slot) -> int:
    return slot[1] if isinstance(slot, tuple) else slot.start


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


class Encoder:
    """Turns run items into a msgid's parts, numbering tags as it meets them."""

    def __init__(self, walk: Walk):
        self.walk = walk
        self.parts: list = []  # msgid text, tags `<1>`, placeholders `{name}`
        self.text_parts: list = []  # indexes of text parts (braces to double)
        self.texts: list = []  # the text as it is (letters are looked for)
        self.tags: list = []
        self.variables: dict = {}
        self.inner: list = []

    def has_letters(self) -> bool:
        for text in self.texts:  # noqa: SIM110
            if has_letter(text):
                return True
        return False

    def encode(self, items, context: Context, in_tel_link: bool) -> None:
        for item in items:
            if isinstance(item, Text):
                self.encode_text(item, in_tel_link)
            elif isinstance(item, Opaque):
                source = self.walk.document.source
                self.add_tag(source[item.start : item.end], "", True, item.start, [])
            else:
                self.encode_element(item, context, in_tel_link)

    def encode_text(self, item: Text, in_tel_link: bool) -> None:
        text = item.text
        hotline = self.walk.hotline
        pieces = [text]
        if hotline is not None and MAYBE_PHONE.search(text):
            pieces = split_phones(text, hotline)
        for piece in pieces:
            if isinstance(piece, tuple):
                kind = "phone-text" if in_tel_link else "phone"
                self.variables.setdefault(
                    PHONE_VARIABLE, Variable(PHONE_VARIABLE, kind, source=escape_html(piece[0]))
                )
                self.parts.append("{" + PHONE_VARIABLE + "}")
            elif piece:
                self.texts.append(piece)
                self.text_parts.append(len(self.parts))
                self.parts.append(escape_text(piece, braces=False))

    def encode_element(self, element: Element, context: Context, in_tel_link: bool) -> None:
        source = self.walk.document.source
        context = child_context(element, context)
        open_tag = source[element.start : element.start_tag_end]
        close_tag = source[element.content_end : element.end] or f"</{element.tag}>"
        slots: list = []
        collect_attributes(self.walk, element, context, slots)
        variable = element.get("data-l10n-var")
        if variable:
            href = element.attribute("href") if is_tel_link(element) else None
            self.variables.setdefault(
                variable,
                Variable(
                    variable,
                    "element",
                    open_tag,
                    close_tag,
                    # a tel: link's number is a region value: its href is rewritten too
                    href=(href.value_start - element.start, href.value_end - element.start)
                    if href is not None and href.value_start >= 0
                    else (-1, -1),
                    datetime=element.get("datetime") or "",
                    source=source[element.start : element.end],
                ),
            )
            self.parts.append("{" + variable + "}")
            self.inner.extend(slots)
            return
        if is_phone_link(self.walk, element):
            href = element.attribute("href")
            self.variables.setdefault(
                PHONE_VARIABLE,
                Variable(
                    PHONE_VARIABLE,
                    "tel-link",
                    open_tag,
                    close_tag,
                    href=(href.value_start - element.start, href.value_end - element.start),
                    source=source[element.start : element.end],
                ),
            )
            self.parts.append("{" + PHONE_VARIABLE + "}")
            return
        self_closing = element.tag in OPAQUE_INLINE or element.start_tag_end == element.end
        if self_closing or not context.translate:
            whole = source[element.start : element.end]
            self.add_tag(whole, "", True, element.start, slots)
            if not context.translate or element.tag in OPAQUE_INLINE:
                collect_tel_hrefs(self.walk, element, self.inner)
            return
        number = self.add_tag(open_tag, close_tag, False, element.start, slots)
        self.parts.append(f"<{number}>")
        self.encode(element.children, context, in_tel_link or is_tel_link(element))
        self.parts.append(f"</{number}>")

    def add_tag(self, open_tag, close_tag, self_closing, offset, slots) -> int:
        number = len(self.tags) + 1
        tag = Tag(number, open_tag, close_tag, self_closing, offset, attribute_slots(slots))
        self.tags.append(tag)
        self.inner.extend(slots)
        if self_closing:
            self.parts.append(f"<{number}/>")
        return number


def attribute_slots(slots: list) -> tuple[AttributeSlot, ...]:
    """Attribute segments and tel: hrefs as the slots a tag or segment span carries."""
    if not slots:  # most tags and segments carry none
        return ()
    return tuple(
        [
            AttributeSlot(slot_key(slot), slot.start, slot.end, getattr(slot, "quote", '"'))
            for slot in slots
        ]
    )


def slot_key(slot):
    return slot.key if isinstance(slot, Segment) else None


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


def build_segment(walk, items, container, context, in_tel_link):
    """(the run's segment, the attribute segments inside it), or None for a textless run."""
    encoder = Encoder(walk)
    encoder.encode(items, context, in_tel_link)
    has_letters = encoder.has_letters()
    if not has_letters and not encoder.variables:
        return None
    parts = encoder.parts
    if encoder.variables:  # a format string: literal braces in its text are doubled
        for index in encoder.text_parts:
            parts[index] = parts[index].replace("{", "{{").replace("}", "}}")
    msgid = "".join(parts)
    if not context.preserve_space:
        msgid = collapse_whitespace(msgid).strip()
    start = items[0].start
    end = items[-1].end
    segment = Segment(
        msgid=msgid,
        context=None,
        role=role_of(container),
        start=start,
        end=end,
        line=walk.document.line_of(start),
        tags=tuple(encoder.tags),
        variables=tuple(encoder.variables.values()),
        note=context.note,
        critical=context.critical,
        preserve_space=context.preserve_space,
        translatable=has_letters,
        text_only_parent=container.tag in TEXT_ONLY,
        inner=attribute_slots(encoder.inner),
    )
    return segment, [slot for slot in encoder.inner if isinstance(slot, Segment)]


# -- HTML text -----------------------------------------------------------------------------


def escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- message contexts --------------------------------------------------------------------


def assign_contexts(slots: list) -> list:
    """Give a msgctxt (the role) only to texts that play several roles in one document."""
    first_role: dict[str, str] = {}
    ambiguous: set = set()
    for slot in slots:
        if type(slot) is Segment and slot.translatable:
            role = first_role.setdefault(slot.msgid, slot.role)
            if role != slot.role:
                ambiguous.add(slot.msgid)
    if not ambiguous:
        return slots
    # Most pages have one such text (the <title> repeated as the <h1>): the loop below stays
    # cheap and passes over the segments that neither are nor hold such a text.
    role_of_attribute = {
        (slot.start, slot.end): slot.role
        for slot in slots
        if isinstance(slot, Segment) and slot.kind == "attribute"
    }
    fixed = []
    for slot in slots:
        if type(slot) is Segment and (slot.msgid in ambiguous or slot.inner):
            slot = with_context(slot, ambiguous, role_of_attribute)
        fixed.append(slot)
    return fixed


def with_context(segment: Segment, ambiguous: set, role_of_attribute: dict) -> Segment:
    """`segment` with its msgctxt, and the keys of the attribute slots it carries, set."""
    changes = {}
    if segment.msgid in ambiguous:
        changes["context"] = segment.role
    for inner in segment.inner:
        if names_ambiguous(inner, ambiguous):
            changes["inner"] = fixed_slots(segment.inner, ambiguous, role_of_attribute)
            changes["tags"] = tuple(
                [
                    dataclasses.replace(
                        tag, attributes=fixed_slots(tag.attributes, ambiguous, role_of_attribute)
                    )
                    for tag in segment.tags
                ]
            )
            break
    return dataclasses.replace(segment, **changes) if changes else segment


def fixed_slots(slots: tuple, ambiguous: set, role_of_attribute: dict) -> tuple:
    fixed = []
    for slot in slots:
        if names_ambiguous(slot, ambiguous):
            role = role_of_attribute[(slot.start, slot.end)]
            slot = dataclasses.replace(slot, key=(role, slot.key[1]))
        fixed.append(slot)
    return tuple(fixed)


def names_ambiguous(slot: AttributeSlot, ambiguous: set) -> bool:
    """Whether an attribute slot refers to a text that needs its role as msgctxt."""
    return slot.key is not None and slot.key[1] in ambiguous
