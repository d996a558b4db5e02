"""Source articles: source/<slug>.html -> Article (parsed and segmented once)."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path

from pipeline import pagecache
from pipeline.errors import SourceError
from pipeline.files import read_utf8, safe_name
from pipeline.markup import Document, collector_paused, find_element, parse
from pipeline.model import Article, Segment
from pipeline.passages import document_problems
from pipeline.segment import HotlineSpec, segment_document
from pipeline.skeleton import compile_skeleton
from pipeline.urls import script_url_attributes


def list_slugs(source_dir: Path) -> list[str]:
    if not source_dir.is_dir():
        raise SourceError(f"no source folder: {source_dir}")
    return sorted(path.stem for path in source_dir.glob("*.html"))


def article_path(source_dir: Path, slug: str) -> Path:
    return source_dir / f"{safe_name(slug, 'slug')}.html"


def read_source(path: Path) -> str:
    """A source article's text: UTF-8 (a BOM is allowed), not empty."""
    text = read_utf8(path, SourceError, "no such source article")
    if not text.strip():
        raise SourceError(f"{path}: the file is empty")
    return text


def load_article(
    source_dir: Path, slug: str, hotline: HotlineSpec | None, display_root: Path | None = None
) -> Article:
    """Read and segment one article (from the page cache once it was). Markup a browser
    repairs (a stray or unclosed tag) is read as a browser reads it and kept as the article's
    `problems`, for extract to report."""
    path = article_path(source_dir, slug)
    shown = path.relative_to(display_root).as_posix() if display_root else path.as_posix()
    return cached_article(path, slug, shown, hotline)


def cached_article(path: Path, slug: str, shown: str, hotline: HotlineSpec | None) -> Article:
    """`parse_article` of the file at `path`, kept in the page cache by the text's hash (and
    found by the file's stat once it has settled): an article is parsed once, by `extract`,
    and read back by the publishes after it. What else the result depends on is in the key:
    the slug, the path shown, the source hotline and the version of phonenumbers (whose data
    finds the other numbers)."""
    import phonenumbers

    kind = f"article {slug} {shown} {hotline_key(hotline)} phonenumbers {phonenumbers.__version__}"
    text = ""

    def contents() -> bytes:
        nonlocal text
        text = read_source(path)
        return text.encode("utf-8")

    def make(_: bytes) -> Article:
        with collector_paused():  # the tree is freed before the collector resumes
            return parse_article(slug, shown, text, hotline)

    return pagecache.lookup(pagecache.stat_key(str(path), kind), contents, kind, make)


def hotline_key(hotline: HotlineSpec | None) -> str:
    """The hotline spec as a stable string: every field, a set sorted (the order of a
    frozenset's items varies from one process to the next)."""
    if hotline is None:
        return "-"
    values = (getattr(hotline, field.name) for field in dataclasses.fields(hotline))
    return repr([sorted(value) if isinstance(value, frozenset) else value for value in values])


def parse_article(slug: str, shown: str, text: str, hotline: HotlineSpec | None) -> Article:
    """The article as browsers parse it: the scanner applies HTML's implied end tags and
    recovery rules (as `file extract` does), so real-world pages are read, not refused."""
    document = parse(text)
    article = build_article(slug, shown, text, document, hotline)
    found = [(offset, f"malformed HTML: {message}") for offset, message in document.problems]
    numbers = other_numbers(text, hotline) if hotline is not None else []
    found += [
        (
            offset,
            f"phone number {written!r} is not the source region's hotline: pages of "
            "regions in other countries are not published (write the hotline's number, which "
            "each region shows as its own, or leave it out)",
        )
        for offset, written, _ in numbers
    ]
    found += [
        (start, f"{what}: a link that runs a script")
        for start, _, what in script_url_attributes(text, document)
    ]
    found += document_problems(document)  # a mistyped region would hide a passage
    if not found:
        return article
    problems = tuple((document.line_of(offset), message) for offset, message in sorted(found))
    numbers = tuple((document.line_of(offset), written, e164) for offset, written, e164 in numbers)
    return dataclasses.replace(article, problems=problems, other_numbers=numbers)


def problems_summary(article: Article) -> str | None:
    """One line naming the article's first markup problem and how many follow, or None."""
    if not article.problems:
        return None
    line, message = article.problems[0]
    more = len(article.problems) - 1
    extra = f" (and {more} more problem{'s' * (more > 1)})" if more else ""
    return f"{article.path}:{line}: {message}{extra}"


MARKUP = re.compile(r"<!--.*?(?:-->|$)|<(script|style)\b.*?(?:</\1\s*>|$)|<[^>]*>?", re.S | re.I)
TEL_HREF = re.compile(r"""href\s*=\s*["']?\s*tel:([^"'>]+)""", re.I)


def other_numbers(text: str, hotline: HotlineSpec) -> list[tuple[int, str, str]]:
    """(offset, as written, E.164) of each phone number in an article other than the source
    hotline's. The hotline's becomes `{hotline_phone}`, which each region fills with its
    own; any other number (a second US helpline in the running text, or the hotline's when
    the region file has no source region) would be shown as written to every region. Tags,
    comments and scripts are blanked first (offsets kept), so that a number is read in the
    text a reader sees; tel: links are read on their own."""
    from pipeline.segment import MAYBE_PHONE

    if not MAYBE_PHONE.search(text):
        return []
    masked = MARKUP.sub(blank, text)
    # Only around each run of digits (with room for a "+" or "(" before it): reading whole
    # lines in every country's formats took as long as parsing the article.
    candidates = [
        (m.start(), masked[max(0, m.start() - 3) : m.end()]) for m in MAYBE_PHONE.finditer(masked)
    ]
    candidates += [(m.start(), m.group(1)) for m in TEL_HREF.finditer(text)]
    countries = tuple(dict.fromkeys((hotline.region_code, *hotline.countries)))
    found = []
    for offset, candidate in candidates:
        for written, e164 in phone_numbers(candidate, countries):
            if e164 not in hotline.numbers and looks_like_a_phone_number(written, masked, offset):
                found.append((offset, written, e164))
    return found


DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")
DIGIT_GROUP = re.compile(r"\d+")
YEAR = re.compile(r"(?:19|20)\d\d")


def looks_like_a_phone_number(written: str, text: str, offset: int) -> bool:
    """Whether a valid number as read is written as people write phone numbers. With half a
    dozen countries' numbering plans almost any run of 7 digits is valid somewhere, and real
    pages are full of dates, ids, decimals and ISBNs that are not numbers to call."""
    groups = DIGIT_GROUP.findall(written)
    international = written.lstrip("( ").startswith("+")
    if DATE.search(written):
        return False
    if not international and (len(groups) < 2 or any(len(group) > 6 for group in groups)):
        return False  # an id: phone numbers are written in groups (or from a "+")
    if len(groups) == 2 and ("." in written or all(YEAR.fullmatch(g) for g in groups)):
        return False  # a decimal, a span of years
    before = text[offset - 1 : offset] if offset else ""
    if before.isalnum() or before in ("/", "=", "_", "-", "."):
        return False  # the tail of an id, a hash or a path
    words_before = " ".join(text[max(0, offset - 400) : offset].split())  # tags are blanks
    return "isbn" not in words_before[-20:].lower()


def blank(match: re.Match) -> str:
    """Spaces in place of a piece of markup, its line breaks kept."""
    return "\n".join(" " * len(part) for part in match.group(0).split("\n"))


def phone_numbers(text: str, countries: tuple[str, ...]):
    """(as written, E.164) of each valid number in `text`, read in the first of `countries`
    whose formats it fits ("(877) 378-4154" is a US number before it is a Mexican one)."""
    import phonenumbers

    quick = quick_reading(text, countries)
    if quick:  # the usual case: the text is one number (the matcher costs a millisecond)
        yield quick
        return
    taken: list[range] = []
    for country in countries:
        for match in phonenumbers.PhoneNumberMatcher(
            text, country, leniency=phonenumbers.Leniency.VALID
        ):
            if any(match.start in span or match.end - 1 in span for span in taken):
                continue
            taken.append(range(match.start, match.end))
            yield (
                match.raw_string,
                phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164),
            )


def quick_reading(text: str, countries: tuple[str, ...]) -> tuple[str, str] | None:
    """(as written, E.164) when all of `text` but a lead-in is one valid number."""
    import phonenumbers

    found = re.search(r"\+?\(?\d[\d\s().\-\u00a0]*\d\)?$", text)
    if found is None:
        return None
    for country in countries:
        try:
            number = phonenumbers.parse(found.group(0), country)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            return found.group(0).strip(), e164
    return None


def build_article(
    slug: str, shown: str, text: str, document: Document, hotline: HotlineSpec | None
) -> Article:
    """The article of a parsed source page: its segments, its body compiled around them,
    and what a page shell shows of it (title, description, canonical link, date)."""
    slots = segment_document(document, hotline)
    segments = tuple(slot for slot in slots if isinstance(slot, Segment))
    html = find_element(document, "html")
    title = find_element(document, "title")
    description = meta_description(document)
    return Article(
        slug=slug,
        path=shown,
        text=text,
        encoding="utf-8",
        language=(html.get("lang") if html is not None else None) or "en",
        segments=segments,
        body=compiled_body(document, text, slots),
        title=title_text(title, text) if title is not None else slug,
        description=description.value if description is not None else "",
        head_segments=head_segments(document, segments, title),
        canonical=canonical_link(document),
        date=published_date(document),
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def compiled_body(document: Document, text: str, slots):
    """The skeleton of the page's content: its <article>, else <main>, else <body>, else
    the whole page."""
    body_element = find_element(document, "article", "main", "body")
    if body_element is None:
        return compile_skeleton(text, slots)
    return compile_skeleton(text, slots, body_element.start, body_element.end)


def canonical_link(document: Document) -> str:
    """The href of the first <link rel=canonical>, or ""."""
    link = next(
        (
            e
            for e in document.root.iter()
            if e.tag == "link" and (e.get("rel") or "").lower() == "canonical"
        ),
        None,
    )
    return (link.get("href") if link is not None else None) or ""


def meta_description(document: Document):
    """The content attribute of the first <meta name=description>, or None."""
    for element in document.root.iter():
        if element.tag == "meta" and (element.get("name") or "").lower() == "description":
            return element.attribute("content")
    return None


def published_date(document: Document) -> str:
    """The date (YYYY-MM-DD) of the first <time datetime>, or ""."""
    date = next(
        (e.get("datetime") for e in document.root.iter() if e.tag == "time" and e.get("datetime")),
        "",
    )
    return (date or "")[:10]


def head_segments(document: Document, segments, title) -> dict:
    """The segments of the title and the meta texts a page shell shows, by name."""
    found = {}
    if title is not None:
        found["title"] = segment_at(segments, title.start_tag_end, title.content_end)
    for element in document.root.iter():
        if element.tag != "meta":
            continue
        name = (element.get("name") or element.get("property") or "").lower()
        content = element.attribute("content")
        if name in META_NAMES and content is not None and name not in found:
            found[name] = segment_at(segments, content.value_start, content.value_end)
    return {name: segment for name, segment in found.items() if segment is not None}


META_NAMES = ("description", "og:title", "og:description")


def segment_at(segments, start: int, end: int) -> Segment | None:
    """The first segment inside [start, end)."""
    return next((s for s in segments if start <= s.start and s.end <= end), None)


def title_text(element, text: str) -> str:
    import html

    return " ".join(html.unescape(text[element.start_tag_end : element.content_end]).split())
