"""Plain data passed between the stages: segments, pages, regions, hotlines."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the types of Draft's fields, from the stages that make them
    from pipeline.checks import Completeness
    from pipeline.skeleton import RenderReport


@dataclass(frozen=True, slots=True)
class AttributeSlot:
    """A translatable attribute value, or a hotline `tel:` href, inside a segment's span."""

    key: tuple[str | None, str] | None  # (msgctxt, msgid) of its segment; None: a tel: href
    start: int
    end: int
    quote: str


@dataclass(frozen=True, slots=True)
class Tag:
    """A numbered inline placeholder: `<N>...</N>`, or `<N/>` for void and opaque elements."""

    number: int
    open: str  # source bytes of the start tag (the whole element when opaque)
    close: str  # source bytes of the end tag; '' when void or opaque
    self_closing: bool
    offset: int  # where `open` starts in the source
    attributes: tuple[AttributeSlot, ...] = ()  # absolute offsets, inside `open`


@dataclass(frozen=True, slots=True)
class Variable:
    """A named placeholder such as `{hotline_phone}`: its value comes from the region."""

    name: str
    kind: str  # "element": keep the element, replace its content; "tel-link"; "phone"
    open: str = ""
    close: str = ""
    href: tuple[int, int] = (-1, -1)  # the tel: href value inside `open`, for "tel-link"
    datetime: str = ""  # the element's datetime attribute, for dates
    source: str = ""  # the source's own markup for it, kept where no region value applies


@dataclass(frozen=True, slots=True)
class Segment:
    """One translatable unit: an inline run of a block element, or an attribute value."""

    msgid: str
    context: str | None
    role: str
    start: int  # span in the source text that the translation replaces
    end: int
    line: int
    kind: str = "text"  # "text" | "attribute"
    tags: tuple[Tag, ...] = ()
    variables: tuple[Variable, ...] = ()
    note: str | None = None
    critical: bool = False
    preserve_space: bool = False
    quote: str = '"'  # attribute segments: the quote around the value ('' = unquoted)
    inner: tuple[AttributeSlot, ...] = ()  # attribute and tel: slots inside the span
    translatable: bool = True  # False: no letters, only region variables (never extracted)
    text_only_parent: bool = False  # inside <title>/<option>: no markup may wrap it

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.context, self.msgid)

    @property
    def is_format(self) -> bool:
        return bool(self.variables)


@dataclass(frozen=True, slots=True)
class RegionSlot:
    """Where a region-specific element (`data-l10n-region`, `pipeline/passages.py`) lies in
    the source: segmentation finds it, and compiling a skeleton turns it and the slots inside
    [start, end) into a `RegionBlock`."""

    start: int
    end: int
    shown_in: frozenset  # terms, any of which shows it ({}: all)
    hidden_in: frozenset  # terms, any of which hides it


@dataclass(frozen=True, slots=True)
class RegionBlock:
    """An element shown only in some regions (`data-l10n-region`, `pipeline/passages.py`):
    by default in those with a hotline (`data-l10n-region="hotline"`)."""

    start: int
    end: int
    parts: tuple = ()  # str | Segment | TelHref | RegionBlock
    shown_in: frozenset = frozenset({"hotline"})  # terms, any of which shows it ({}: all)
    hidden_in: frozenset = frozenset()  # terms, any of which hides it


@dataclass(frozen=True, slots=True)
class TelHref:
    """A `tel:` href of the source's hotline outside any segment: rewritten per region."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Literal:
    """Source text [start, end) replaced by fixed text (e.g. a patched <html> start tag)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Skeleton:
    """A page compiled for rendering: literal source text with slots to fill per language."""

    parts: tuple  # str | Segment | TelHref | RegionBlock


@dataclass(frozen=True, slots=True)
class Article:
    """A source article, parsed and segmented once; everything downstream reads this."""

    slug: str
    path: str  # as shown in `#:` references, relative to the project root
    text: str
    encoding: str
    language: str
    segments: tuple[Segment, ...]
    body: Skeleton  # the article content that a page shell embeds
    title: str
    description: str
    head_segments: dict  # "title", "description", "og:title", "og:description" -> Segment
    canonical: str
    date: str  # ISO date of the article's <time datetime>, '' when absent
    content_hash: str
    # (line, message) of markup a browser repairs (stray or unclosed tags): warnings of extract
    problems: tuple[tuple[int, str], ...] = ()
    # (line, as written, E.164) of each phone number that is not the source's hotline: shown
    # as written to every region, so pages of regions in other countries are not published
    other_numbers: tuple[tuple[int, str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Hotline:
    """A contact line of a region: the publisher's own line or a public service."""

    name: str
    phone: str  # as written in the region file
    e164: str  # what a tel: link dials: E.164, or the digits of a national short number
    national: str
    hours: str
    cost: str  # shown as the regulator requires: "free", or the price per call or minute
    website: str
    verified_on: datetime.date | None
    kind: str = "public"  # "public" (a public or non-profit service) | "publisher"
    operator: str = ""
    free: bool | None = None  # None: not stated (then `cost` says what a call costs)
    languages: tuple[str, ...] = ()
    tty: str = ""  # national format; dialled as `tty_tel`
    tty_tel: str = ""
    text: str = ""  # a number to text (SMS), as the region shows it
    chat: str = ""  # URL of a web chat
    source: str = ""  # URL of the page the facts were checked against
    country: str = ""  # ISO 3166 code the number belongs to


@dataclass(frozen=True, slots=True)
class Region:
    tag: str  # BCP 47, e.g. "es-MX"
    language: str  # catalog language, e.g. "es"
    catalogs: tuple[str, ...]  # gettext fallback chain, most specific first: ("es_MX", "es")
    hotline: Hotline | None  # the line the article's {hotline_*} placeholders show
    direction: str = "ltr"
    lines: tuple[Hotline, ...] = ()  # every contact line, the hotline first
    emergency: tuple[str, ...] = ()  # emergency numbers, the first one shown in articles
    poison: Hotline | None = None  # poison centre, where the region has a national one


@dataclass(frozen=True)
class Draft:
    """A rendered article body for one region, before the publish decides on it."""

    article: Article
    region: Region
    body: str
    head: dict  # "title", "description", ... -> plain text (the shell escapes it)
    report: RenderReport
    missing_critical: tuple[str, ...]
    measured: Completeness  # of the whole article, as status and check measure it

    @property
    def completeness(self) -> float:
        return self.measured.share


@dataclass(frozen=True)
class Page:
    """A finished page: what publish writes and what the CMS ingests."""

    slug: str
    region: str
    language: str
    direction: str
    title: str
    description: str
    canonical: str
    alternates: tuple[tuple[str, str], ...]  # (hreflang, URL), x-default last
    html: str
    body: str
    completeness: float
    fallbacks: tuple[dict, ...]
    source_hash: str
    hotline: dict | None
    review: dict | None = None  # its review state, dates and reviewers (pagereview.py)
    structured_data: dict | None = None  # schema.org MedicalWebPage, as embedded in the page

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.html.encode("utf-8")).hexdigest()
