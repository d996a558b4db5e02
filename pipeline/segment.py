"""Segmentation: an element tree -> translatable segments with their source spans.

A segment is a maximal run of inline content inside a block element. Inline elements become
numbered placeholder tags (`<1>...</1>`, `<2/>`) whose attributes stay in the source; region
values (the hotline number, its hours) become named placeholders (`{hotline_phone}`).
What the walk knows of HTML is `pipeline.elements`; a run becomes a segment in
`pipeline.encoder`.
"""

from __future__ import annotations

import dataclasses

from pipeline.elements import (  # noqa: F401 (some are imported from here by others)
    INLINE,
    MAYBE_PHONE,
    OPAQUE_INLINE,
    PHONE_VARIABLE,
    SKIPPED,
    Context,
    HotlineSpec,
    Walk,
    child_context,
    collect_attributes,
    collect_inline_slots,
    collect_tel_hrefs,
    escape_html,
    has_letter,
    is_phone_link,
    is_tel_link,
    may_have_context,
)
from pipeline.encoder import build_segment
from pipeline.markup import Document, Element, Text
from pipeline.model import AttributeSlot, RegionSlot, Segment
from pipeline.notation import TAG_OR_PLACEHOLDER, escape_text, unescape_text  # noqa: F401
from pipeline.notation import words as source_words  # noqa: F401 (the name others import)
from pipeline.passages import choice_conditions, parse_condition


def segment_document(document: Document, hotline: HotlineSpec | None = None) -> list:
    """Every slot of `document` in source order: segments, tel: hrefs and region blocks."""
    walk = Walk(document, hotline)
    visit_block(walk, document.root, Context())
    return assign_contexts(walk.slots)


def visit_block(walk: Walk, element: Element, context: Context) -> None:
    context = child_context(element, context)
    condition = region_condition(walk, element)
    if condition is not None:
        walk.slots.append(RegionSlot(element.start, element.end, *condition))
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
    """Where a slot starts in the source: slots are sorted by it."""
    return slot.start


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
