"""A run of inline content -> one segment: its msgid in the notation (numbered tags,
placeholders), its tags, region variables and the attribute slots inside it."""

from __future__ import annotations

from pipeline.elements import (
    MAYBE_PHONE,
    OPAQUE_INLINE,
    PHONE_VARIABLE,
    TEXT_ONLY,
    Context,
    Walk,
    child_context,
    collect_attributes,
    collect_tel_hrefs,
    escape_html,
    has_letter,
    is_phone_link,
    is_tel_link,
    role_of,
    split_phones,
)
from pipeline.markup import Element, Opaque, Text, collapse_whitespace
from pipeline.model import AttributeSlot, Segment, Tag, Variable
from pipeline.notation import escape_text


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
