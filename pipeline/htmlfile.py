"""Any HTML file, byte-faithful: bytes -> text (the page's own encoding) -> segments -> bytes.

The same extraction rules and merge core as articles, for pages that are not articles
(landing pages, templates, exported CMS pages): markup may be messy, nothing is refused but
an undecodable file, and everything outside a translated segment keeps its bytes.
"""

from __future__ import annotations

import codecs
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import webencodings

from pipeline import pagecache
from pipeline.catalogs import now_stamp, read_translations, render_template, write_template
from pipeline.errors import LocaleError, PipelineError, SourceError
from pipeline.files import read_bytes, read_stream, write_if_changed
from pipeline.markup import Document, collector_paused, find_element, parse
from pipeline.model import Literal, Segment
from pipeline.notation import words as source_words
from pipeline.segment import segment_document, slot_start
from pipeline.skeleton import Renderer, Values, compile_skeleton
from pipeline.urls import script_url_attributes

BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.I)


@dataclass(frozen=True)
class StartTag:
    start: int
    end: int
    values: dict  # attribute name -> (value start, value end, quote), for the ones present


@dataclass(frozen=True)
class HtmlFile:
    """A decoded HTML file and its segments."""

    slug: str  # the file's name, for the template header
    path: str  # as shown in `#:` references
    text: str
    encoding: str
    bom: bytes
    html_tag: StartTag | None  # where <html lang dir> is set for a target language
    slots: list
    words: dict | None = None  # msgid -> its words (`source_words`), when a merge counted them
    script_links: tuple = ()  # (line, what) of each link that runs a script (see read_page)

    @property
    def segments(self) -> tuple[Segment, ...]:
        return tuple(slot for slot in self.slots if isinstance(slot, Segment))


def decode(data: bytes, shown: str) -> tuple[str, str, bytes]:
    """(text, encoding, BOM): a BOM first, then the page's <meta charset>, then detection."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return strict_decode(data[len(bom) :], encoding, shown), encoding, bom
    if b"\x00" in data[:4096]:
        raise SourceError(f"{shown}: binary data, not an HTML page")
    declared = declared_charset(data)
    candidates = [declared] if declared else []
    candidates += ["utf-8"]
    for encoding in itertools.chain(candidates, detected_encodings(data)):
        name = codec_name(encoding)
        if name is None:
            continue
        try:
            return data.decode(name), name, b""
        except (UnicodeDecodeError, LookupError):
            continue
    raise SourceError(
        f"{shown}: cannot be decoded (declared {declared or 'no'} charset, "
        "and neither UTF-8 nor a detected encoding fits)"
    )


def detected_encodings(data: bytes):
    """Detection runs only when the declared charset and UTF-8 have both failed."""
    from bs4.dammit import EncodingDetector  # imported here: bs4 costs 0.15 s to import

    yield from (encoding for encoding in EncodingDetector(data).encodings if encoding)


def strict_decode(data: bytes, encoding: str, shown: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise SourceError(f"{shown}: not valid {encoding} at byte {error.start}") from None


def codec_name(label: str) -> str | None:
    """Python's codec for an encoding label as a browser reads it (the WHATWG Encoding
    Standard's table, from webencodings: "iso-8859-1" is windows-1252), or None for a label
    a browser does not know (it ignores it: "utf-7" must not decode "+ADw-" into "<") or
    that has no Python codec (replacement, x-user-defined)."""
    encoding = webencodings.lookup(label)
    if encoding is None:
        return None
    try:
        return codecs.lookup(encoding.codec_info.name).name
    except LookupError:
        return None


# What may hide a <meta> from the parser: comments, scripts, styles (a charset named inside
# a script string is not a declaration).
HIDDEN = re.compile(rb"<!--.*?(?:-->|$)|<(script|style|template)\b.*?(?:</\1\s*>|$)", re.S | re.I)
META = re.compile(rb"<meta\b[^>]*>", re.I)


def declared_charset(data: bytes) -> str | None:
    """The charset of the first <meta> that declares one, outside scripts and comments."""
    head = data[:65536]
    for match in META.finditer(head):
        meta = match.group(0)
        if b"charset" not in meta.lower():
            continue  # declares nothing (and most <meta> do not)
        # Hidden when a comment or script still open at its end swallows it: only the text up
        # to this <meta> is cleaned, not the whole head.
        if not HIDDEN.sub(b"", head[: match.end()]).endswith(meta):
            continue
        element = parse(meta.decode("latin-1")).root.children[0]
        charset = element.get("charset")
        if charset:
            return charset.strip()
        if (element.get("http-equiv") or "").lower() == "content-type":
            found = CHARSET.search(element.get("content") or "")
            if found:
                return found.group(1)
    return None


def encode(text: str, encoding: str, bom: bytes) -> bytes:
    # A translation may hold characters the page's encoding lacks: numeric references.
    return bom + text.encode(encoding, errors="xmlcharrefreplace")


def read_page(
    data: bytes, shown: str, slug: str, fill_cache: bool = True, known_as: str | None = None
) -> HtmlFile:
    """The page's segments: from the page cache when this page was segmented before.

    Merges fill the cache (a page merged into one language is merged into the others next);
    `file extract` only reads it: its entry would be read only if that same version of the
    page were merged later, and writing it was a fifth to two fifths of extracting a page
    (pickling, and a new file each, which is slow to create on a busy ext4). `known_as`: the
    page file's `pagecache.stat_key`, taken before it was read."""
    text, encoding, bom = decode(data, shown)
    html_tag, slots, links, words = pagecache.lookup(
        known_as, lambda: data, "page", lambda _: segment_paused(text, fill_cache), fill_cache
    )
    return HtmlFile(slug, shown, text, encoding, bom, html_tag, slots, words, links)


def script_links(text: str, document: Document) -> tuple:
    """(line, what) of each link of the page that would run a script (`javascript:`, also
    hidden as `java&#9;script:`). The page is its author's and keeps its bytes, as its
    `<script>` elements do; these are reported so that nobody publishes one unawares."""
    found = script_url_attributes(text, document)
    return tuple((text.count("\n", 0, start) + 1, what) for start, _, what in found)


def segment_paused(text: str, with_words: bool) -> tuple[StartTag | None, list, tuple, dict | None]:
    """The page's <html> tag, slots and script links, and with `with_words` (for the cache a
    merge fills) the words of each msgid: counting them was a seventh of merging a page from
    the cache."""
    with collector_paused():
        html_tag, slots, links = segment_page(text)
    return html_tag, slots, links, word_counts(slots) if with_words else None


def word_counts(slots: list) -> dict:
    return {
        slot.msgid: source_words(slot.msgid)
        for slot in slots
        if type(slot) is Segment and slot.translatable
    }


def segment_page(text: str) -> tuple[StartTag | None, list, tuple]:
    # The tree is freed on return, before the paused collector resumes and scans the young.
    document = parse(text)
    return html_start_tag(document), segment_document(document), script_links(text, document)


def html_start_tag(document: Document) -> StartTag | None:
    html = find_element(document, "html")
    if html is None:
        return None
    values = {}
    for name in ("lang", "dir"):
        attribute = html.attribute(name)
        if attribute is not None and attribute.value_start >= 0:
            values[name] = (attribute.value_start, attribute.value_end, attribute.quote)
    return StartTag(html.start, html.start_tag_end, values)


def merge_page(page: HtmlFile, translate, lang: str | None = None) -> tuple[bytes, object]:
    """The page with its translated segments replaced; with `lang`, <html lang dir> set."""
    slots = list(page.slots)
    if lang:
        from pipeline.locales import parse_tag  # Babel's locale data only when asked

        html = page.html_tag
        if html is not None:
            tag = parse_tag(lang)
            patched = set_attributes(page.text, html, {"lang": tag.bcp47, "dir": tag.direction})
            slots = sorted(slots + [Literal(html.start, html.end, patched)], key=slot_start)
    renderer = Renderer(page.text, translate, Values(source_variables=True), words=page.words)
    text = renderer.render(compile_skeleton(page.text, slots).parts)
    return encode(text, page.encoding, page.bom), renderer.report


def set_attributes(text: str, tag: StartTag, values: dict) -> str:
    """The start tag with attribute values replaced or added, nothing else moved."""
    start_tag = text[tag.start : tag.end]
    edits, added = [], ""
    for name, value in values.items():
        if name in tag.values:
            value_start, value_end, quote = tag.values[name]
            replacement = value if quote else f'"{value}"'
            edits.append((value_start - tag.start, value_end - tag.start, replacement))
        else:
            added += f' {name}="{value}"'
    if added:
        end = len(start_tag) - (2 if start_tag.endswith("/>") else 1)
        edits.append((end, end, added))
    for start, end, replacement in sorted(edits, reverse=True):
        start_tag = start_tag[:start] + replacement + start_tag[end:]
    return start_tag


# -- batch jobs (run inline or in worker processes) -----------------------------------------


def read_input(name: str) -> tuple[bytes, str, str]:
    """(bytes, name shown in references, slug) of a page argument; '-' is stdin."""
    import sys

    if name == "-":
        try:
            return read_stream(sys.stdin.buffer, "stdin"), "stdin", "stdin"
        except OSError as error:
            raise SourceError(f"stdin: {error.strerror}") from None
    try:
        return read_bytes(name), name, Path(name).stem
    except OSError as error:
        raise SourceError(f"{name}: {error.strerror}") from None


def load_page(source: str, fill_cache: bool = True) -> HtmlFile:
    """A page argument read and segmented; its stat is taken first (see read_page)."""
    known_as = pagecache.stat_key(source, "page") if source != "-" else None
    data, shown, slug = read_input(source)
    return read_page(data, shown, slug, fill_cache, known_as)


def extract_job(job: tuple[str, str | None]) -> dict:
    """Template for one page: written to the target, or returned (as `pot`) for stdout."""
    try:
        with collector_paused():  # a job's objects hold no cycles: reference counts free them
            return extract_page(*job)
    except PipelineError as error:
        return {"error": str(error)}


def extract_page(source: str, target: str | None) -> dict:
    page = load_page(source, fill_cache=False)
    item = {
        "page": page.path,
        "template": target or "-",
        "encoding": page.encoding,
        "entries": len({s.key for s in page.segments if s.translatable}),
    }
    if target is None:
        item["pot"] = render_template(page, now_stamp())
    else:  # an unchanged template keeps its bytes and date; the command syncs once
        item["written"] = write_template(Path(target), page, sync=False)
    return item


def merge_job(job: tuple[str, str, str | None, str | None]) -> dict:
    """One page merged with its catalog: written to the target, or returned for stdout."""
    try:
        with collector_paused():
            return merge_file(*job)
    except PipelineError as error:
        return {"error": str(error)}


def merge_file(source: str, catalog: str, target: str | None, lang: str | None) -> dict:
    translations = read_translations(Path(catalog), use_cache=True)
    page = load_page(source)
    lang = lang or catalog_language(translations)
    merged, report = merge_page(page, lambda s: translations.entries.get(s.key), lang)
    item = {
        "page": page.path,
        "output": target or "-",
        "catalog": catalog,
        "completeness": round(page_completeness(page, translations, report), 4),
        "fallbacks": [
            {"msgid": s.msgid[:80], "line": translations.lines.get(s.key), "reason": reason}
            for s, reason in report.fallbacks
        ],
        "script_links": [{"line": line, "link": what} for line, what in page.script_links],
    }
    if target is None:
        item["html"] = merged
    else:
        # An identical page is left as it is (its mtime too, for rsync, make or a CMS that
        # looks at it); the command syncs once.
        item["written"] = write_if_changed(Path(target), merged, sync=False)
    return item


def page_completeness(page: HtmlFile, translations, report) -> float:
    """The share of the page's source words translated, by the measure status and publish
    use (`checks.completeness`: a repeated entry counts once): what was merged counts,
    not what fell back to the source."""
    from pipeline.checks import completeness

    refused = {segment.key for segment, _ in report.fallbacks}
    entries = (
        (s.key, s.msgid, s.key in translations.entries and s.key not in refused)
        for s in page.segments
        if s.translatable
    )
    return completeness(entries, page.words).share


def catalog_language(translations) -> str | None:
    """The language tag a catalog's header names, if it is one (`file merge` without --lang);
    a header naming no known language leaves the page's own."""
    if not translations.header_language:
        return None
    from pipeline.locales import parse_tag  # Babel's locale data only when asked

    try:
        return parse_tag(translations.header_language).bcp47
    except LocaleError:
        return None
