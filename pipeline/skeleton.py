"""The renderer: (skeleton, translations, region values) -> localized HTML text.

Everything outside a translated segment is copied from the source as it was. A translation
is data in a tiny language (text, numbered tags, named placeholders); one that does not fit
its source segment is refused here, and the segment falls back to the source text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.model import (
    AttributeSlot,
    Literal,
    RegionBlock,
    RegionSlot,
    Segment,
    Skeleton,
    TelHref,
)
from pipeline.notation import NotationError, parse_message, unescape_text
from pipeline.notation import words as source_words
from pipeline.passages import is_shown
from pipeline.segment import PHONE_VARIABLE, escape_html


@dataclass(frozen=True, slots=True)
class Phone:
    e164: str
    national: str


@dataclass(frozen=True)
class Values:
    """What a region puts into the page: variable values and the phone number."""

    variables: dict = field(default_factory=dict)  # name -> plain text
    phone: Phone | None = None
    has_hotline: bool = True
    date: Callable[[str], str] | None = None  # ISO date -> localized text
    fallback_lang: str | None = None  # mark fallback text with this lang (and dir)
    fallback_dir: str | None = None
    source_variables: bool = False  # variables keep the source's markup (no region)
    isolate_ltr: bool = False  # right-to-left page: numbers kept left-to-right, isolated
    # Phone placeholders besides the hotline's (`{emergency_phone}`): name -> number
    phones: dict = field(default_factory=dict)
    # The terms the region matches (`pipeline.passages`); None: no region, every
    # region-specific passage is kept (hotline blocks as `has_hotline` says)
    region_terms: frozenset | None = None


@dataclass
class RenderReport:
    """What happened while rendering one document (returned, never printed)."""

    words: int = 0
    translated_words: int = 0
    fallbacks: list = field(default_factory=list)  # (segment, reason)
    # (msgctxt, msgid) of every segment on the page: a region-specific passage that a region
    # does not show is not missed there
    rendered: set = field(default_factory=set)

    @property
    def completeness(self) -> float:
        return 1.0 if self.words == 0 else self.translated_words / self.words


def escape_attribute(text: str, quote: str) -> str:
    text = text.replace("&", "&amp;")
    if quote == "'":
        return text.replace("'", "&#39;")
    escaped = text.replace('"', "&quot;")
    return escaped if quote else f'"{escaped}"'


class Renderer:
    """Renders skeleton parts; one per document and language (holds the report)."""

    def __init__(
        self,
        source: str,
        translate: Callable[[Segment], str | None],  # msgstr, or None when untranslated
        values: Values,
        memo: dict | None = None,
        validate: Callable[[str, Segment], str | None] | None = None,
        words: dict | None = None,
        refused: Callable[[Segment], str | None] | None = None,
    ):
        self.source = source
        self.translate = translate
        self.values = values
        self.report = RenderReport()
        # Rendered segments shared by the regions of one language (region-free segments only).
        self.memo = memo
        # Further checks of a well-formed translation: (msgstr, segment) -> problem or None.
        self.validate = validate
        # msgid -> words, counted beforehand (kept with a page's cached segments), or None.
        self.words = words
        # Why the catalog's entry for a segment may not be used at all (msgfmt refuses it),
        # judged before any shortcut: even a translation equal to its msgid falls back.
        self.refused = refused

    def render(self, parts) -> str:
        out: list[str] = []
        self.render_into(parts, out)
        return "".join(out)

    def render_into(self, parts, out: list) -> None:
        for part in parts:
            if type(part) is str:
                out.append(part)
            elif type(part) is Segment:
                out.append(self.segment(part))
            elif type(part) is Literal:
                out.append(part.text)
            elif type(part) is TelHref:
                out.append(self.tel_href(part.start, part.end))
            elif type(part) is RegionBlock and self.shows(part):
                self.render_into(part.parts, out)

    def shows(self, block: RegionBlock) -> bool:
        terms = self.values.region_terms
        if terms is None:
            return self.values.has_hotline or "hotline" not in block.shown_in
        return is_shown(block.shown_in, block.hidden_in, terms)

    def tel_href(self, start: int, end: int) -> str:
        phone = self.values.phone
        return f"tel:{phone.e164}" if phone else self.source[start:end]

    def segment(self, segment: Segment) -> str:
        """The segment's output text; the report counts its words and any fallback."""
        memo = self.memo
        if memo is not None:
            span = (segment.start, segment.end)  # unique per segment within one source text
            hit = memo.get(span)
            if hit is None and is_region_free(segment):
                hit = memo[span] = self.render_segment(segment)
        else:
            hit = None
        text, words, translated, problem = hit or self.render_segment(segment)
        self.report.rendered.add(segment.key)
        self.report.words += words
        self.report.translated_words += translated
        if problem:
            self.report.fallbacks.append((segment, problem))
        return text

    def render_segment(self, segment: Segment) -> tuple[str, int, int, str | None]:
        """(text, words, translated words, problem) for one segment."""
        words = self.words_of(segment) if segment.translatable else 0
        msgstr = self.translate(segment) if segment.translatable else None
        refusal = self.refused(segment) if msgstr is not None and self.refused else None
        if refusal:
            return self.fallback(segment, words, refusal)
        if segment.kind == "attribute":
            return self.render_attribute(segment, msgstr, words)
        if msgstr == segment.msgid and self.keeps_source(segment):
            return self.source_text(segment), words, words, None  # a msgid fits its segment
        problem = None
        if msgstr is not None:
            try:
                tokens = parse_message(msgstr, segment)
                problem = self.validate(msgstr, segment) if self.validate else None
            except NotationError as error:
                problem = str(error)
            if problem is None:
                return self.tokens(tokens, segment), words, words, None
        if not segment.translatable:
            return self.tokens(parse_message(segment.msgid, segment), segment), 0, 0, None
        return self.fallback(segment, words, problem)

    def render_attribute(self, segment: Segment, msgstr: str | None, words: int) -> tuple:
        """(text, words, translated words, problem) for an attribute value's segment."""
        source = self.source[segment.start : segment.end]
        if msgstr is None or msgstr == segment.msgid:
            return source, words, words if msgstr is not None else 0, None
        try:
            parse_message(msgstr, segment)
        except NotationError as error:
            return source, words, 0, str(error)
        problem = self.validate(msgstr, segment) if self.validate else None
        if problem:
            return source, words, 0, problem
        return escape_attribute(unescape_text(msgstr, False), segment.quote), words, words, None

    def fallback(self, segment: Segment, words: int, problem: str | None) -> tuple:
        """The source text in place of a missing or refused translation."""
        if segment.kind == "attribute":
            return self.source[segment.start : segment.end], words, 0, problem
        if not self.keeps_source(segment):
            text = self.tokens(parse_message(segment.msgid, segment), segment)
        else:
            text = self.source_text(segment)
        return self.mark_fallback(text, segment), words, 0, problem

    def words_of(self, segment: Segment) -> int:
        if self.words is not None:
            counted = self.words.get(segment.msgid)
            if counted is not None:
                return counted
        return source_words(segment.msgid)

    def keeps_source(self, segment: Segment) -> bool:
        return not segment.variables or self.values.source_variables

    def mark_fallback(self, text: str, segment: Segment) -> str:
        lang = self.values.fallback_lang
        if not lang or segment.text_only_parent:
            return text
        direction = f' dir="{self.values.fallback_dir}"' if self.values.fallback_dir else ""
        return f'<span lang="{lang}"{direction}>{text}</span>'

    def source_text(self, segment: Segment) -> str:
        """The segment's own source bytes, with its attribute and tel: slots filled."""
        return self.apply_slots(
            self.source[segment.start : segment.end], segment.start, segment.inner
        )

    def apply_slots(self, text: str, offset: int, slots: tuple[AttributeSlot, ...]) -> str:
        if not slots:
            return text
        out, position = [], 0
        for slot in slots:
            start, end = slot.start - offset, slot.end - offset
            if start < position or end > len(text):
                continue  # a slot of a nested tag: applied when that tag is rendered
            out.append(text[position:start])
            out.append(self.slot_value(slot))
            position = end
        out.append(text[position:])
        return "".join(out)

    def slot_value(self, slot: AttributeSlot) -> str:
        if slot.key is None:
            return self.tel_href(slot.start, slot.end)
        context, msgid = slot.key
        attribute = Segment(
            msgid=msgid,
            context=context,
            role="",
            start=slot.start,
            end=slot.end,
            line=0,
            kind="attribute",
            quote=slot.quote,
        )
        return self.segment(attribute)

    def tokens(self, tokens: list, segment: Segment) -> str:
        tags = {tag.number: tag for tag in segment.tags}
        variables = {variable.name: variable for variable in segment.variables}
        out = []
        for kind, value in tokens:
            if kind == "text":
                out.append(escape_html(value))
            elif kind == "var":
                out.append(self.variable(variables[value]))
            elif kind == "close":
                out.append(tags[value].close)
            else:
                tag = tags[value]
                out.append(self.apply_slots(tag.open, tag.offset, tag.attributes))
        return "".join(out)

    def variable(self, variable) -> str:
        if self.values.source_variables:
            return variable.source
        phone = self.values.phone
        if variable.name == PHONE_VARIABLE:
            if phone is None:
                return ""
            number = escape_html(phone.national)
            if self.values.isolate_ltr:  # digits stay in reading order inside RTL text
                number = f'<bdi dir="ltr">{number}</bdi>'
            if variable.kind == "phone-text":
                return number
            if variable.kind == "tel-link":
                start, end = variable.href
                open_tag = variable.open[:start] + f"tel:{phone.e164}" + variable.open[end:]
                return open_tag + number + variable.close
            return f'<a href="tel:{phone.e164}">{number}</a>'
        if variable.name in self.values.phones or variable.name.endswith("_phone"):
            return self.phone_variable(variable)
        if variable.name == "date" and variable.datetime and self.values.date:
            value = self.values.date(variable.datetime)
        else:
            value = self.values.variables.get(variable.name)
        if value is None:
            return variable.open + variable.close
        return variable.open + escape_html(value) + variable.close

    def phone_variable(self, variable) -> str:
        """A phone placeholder other than the hotline's: the region's number as a tel: link
        (the element's own link, its href rewritten), or nothing where it has none."""
        phone = self.values.phones.get(variable.name)
        if phone is None:
            return ""  # never the source's number: it may not be the region's
        number = escape_html(phone.national)
        if self.values.isolate_ltr:
            number = f'<bdi dir="ltr">{number}</bdi>'
        start, end = variable.href
        if start < 0:
            return variable.open + f'<a href="tel:{phone.e164}">{number}</a>' + variable.close
        open_tag = variable.open[:start] + f"tel:{phone.e164}" + variable.open[end:]
        return open_tag + number + variable.close


def is_region_free(segment: Segment) -> bool:
    """Whether a segment renders the same in every region of a language."""
    if segment.variables:
        return False
    for slot in segment.inner:  # noqa: SIM110
        if slot.key is None:
            return False
    return True


def compile_skeleton(source: str, slots: list, start: int = 0, end: int | None = None) -> Skeleton:
    """Literal source text between the slots that lie in [start, end)."""
    end = len(source) if end is None else end
    parts, _ = compile_parts(source, slots, 0, start, end)
    return Skeleton(tuple(parts))


def compile_parts(source, slots, index, start, end):
    """The parts of source[start:end] from slots[index:], and the index of the first slot
    past `end`."""
    parts, position = [], start
    while index < len(slots):
        slot = slots[index]
        if slot.start >= end:
            break
        index += 1
        if slot.start < position:
            continue  # inside a segment already placed (its tags carry it)
        if slot.start > position:
            parts.append(source[position : slot.start])
        if isinstance(slot, RegionSlot):  # the slots inside it become the block's parts
            inner, index = compile_parts(source, slots, index, slot.start, slot.end)
            slot = RegionBlock(slot.start, slot.end, tuple(inner), slot.shown_in, slot.hidden_in)
        parts.append(slot)
        position = slot.end
    if position < end:
        parts.append(source[position:end])
    return parts, index


def merge_document(text: str, slots: list, translate, values: Values) -> tuple[str, RenderReport]:
    """The whole document localized: the merge-back core in one call."""
    renderer = Renderer(text, translate, values)
    return renderer.render(compile_skeleton(text, slots).parts), renderer.report
