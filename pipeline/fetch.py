"""Importing an article from the web: URL -> a clean source/<slug>.html.

The main content only (found by trafilatura, see pipeline.extract_main; our own heuristic,
<article>, <main> or the block densest in paragraph text, when it finds none), with the
page's title, description, canonical URL, language and direction (a page that declares no
language has it detected from its text); scripts, styles, tracking, event handlers and site
furniture (navigation, footers, cookie banners, comments, ads) removed; every link and image
made absolute. Honest HTTP: a timeout, a User-Agent, the declared
charset, a size limit, HTML only, a bounded number of redirects.
"""

from __future__ import annotations

import queue
import re
import socket
import threading
import warnings
from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import urljoin, urlparse

import requests
import urllib3
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag, XMLParsedAsHTMLWarning

from pipeline import extract_main
from pipeline.cleaning import (
    clean_tree,
    is_tracking_pixel,
    main_content,
    text_length,
)
from pipeline.errors import NetworkError, SourceError
from pipeline.htmlfile import codec_name, decode

USER_AGENT = "pipeline/0.1 (content localization; fetch)"
HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class FetchOptions:
    timeout: float = 15.0
    max_bytes: int = 10 * 1024 * 1024


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    html: str  # the clean source document
    title: str
    language: str
    words: int
    language_detected: bool = False  # the page declared none: detected from its text
    direction: str = ""  # the page's declared `dir`, kept on the source document
    slug: str = ""  # the name the page has where it comes from (a WordPress slug)
    date: str = ""  # when it was published, where its source says


def download(url: str, options: FetchOptions) -> tuple[bytes, str, requests.Response]:
    """(body, final URL, response) within one overall deadline of `options.timeout` seconds;
    refuses errors, non-HTML and oversized bodies.

    A server may answer a byte at a time, each within any per-read timeout, and never finish:
    the download runs in a thread that is told to stop when the deadline passes."""
    check_url(url)
    done: queue.Queue = queue.Queue(maxsize=1)
    transfer = Transfer()
    thread = threading.Thread(
        target=transfer.run, args=(url, options, done), daemon=True, name="fetch"
    )
    thread.start()
    try:
        outcome = done.get(timeout=options.timeout)
    except queue.Empty:
        transfer.stop()
        raise NetworkError(f"{url}: no answer within {options.timeout:g} s") from None
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def check_url(url: str) -> None:
    """An http(s) URL that parses (`http://[::1` does not)."""
    try:
        parts = urlparse(url)
        parts.port  # noqa: B018 (a malformed port raises only when read)
    except ValueError as error:
        raise NetworkError(f"{url}: not a valid URL ({error})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NetworkError(f"{url}: only http and https URLs can be fetched")


class Transfer:
    """One download on its own thread; `stop` ends it from another one."""

    def __init__(self):
        self.stopped = threading.Event()
        self.response: requests.Response | None = None

    def run(self, url: str, options: FetchOptions, done: queue.Queue) -> None:
        try:
            done.put(self.get(url, options))
        except Exception as error:  # handed to the waiting thread, which raises it
            done.put(error)

    def stop(self) -> None:
        """Make the download end now: a blocked read wakes when its socket is shut down."""
        self.stopped.set()
        connection = getattr(self.response and self.response.raw, "connection", None)
        with suppress(AttributeError, OSError):
            connection.sock.shutdown(socket.SHUT_RDWR)

    def get(self, url: str, options: FetchOptions) -> tuple[bytes, str, requests.Response]:
        session = requests.Session()
        session.max_redirects = MAX_REDIRECTS
        headers = {"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml;q=0.9"}
        timeout = (min(5.0, options.timeout), options.timeout)
        try:
            response = session.get(url, headers=headers, stream=True, timeout=timeout)
        except requests.TooManyRedirects:
            raise NetworkError(f"{url}: more than {MAX_REDIRECTS} redirects") from None
        except requests.Timeout:
            raise NetworkError(f"{url}: no answer within {options.timeout:g} s") from None
        except requests.ConnectionError as error:
            raise NetworkError(f"{url}: cannot connect ({type(error).__name__})") from None
        except (requests.RequestException, ValueError) as error:  # e.g. a redirect to http://[::1
            raise NetworkError(f"{url}: cannot fetch ({type(error).__name__})") from None
        self.response = response
        with response:
            check_response(url, response, options)
            return self.read_body(url, response, options), response.url, response

    def read_body(self, url: str, response, options: FetchOptions) -> bytes:
        """The body as it arrives (what one read returns, not a full buffer), up to the limit."""
        body = bytearray()
        try:
            while not self.stopped.is_set():
                chunk = response.raw.read1(64 * 1024, decode_content=True)
                if not chunk:
                    break
                body += chunk
                if len(body) > options.max_bytes:
                    raise NetworkError(f"{url}: larger than the {options.max_bytes}-byte limit")
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
            raise NetworkError(f"{url}: download interrupted ({type(error).__name__})") from None
        return bytes(body)


def check_response(url: str, response, options: FetchOptions) -> None:
    """Refuse an error status, a type other than HTML and a declared size over the limit."""
    if response.status_code != 200:
        raise NetworkError(f"{url}: HTTP {response.status_code} {response.reason}")
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if kind not in HTML_TYPES:
        raise NetworkError(f"{url}: not an HTML page ({kind or 'no content type'})")
    try:
        declared = int(response.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0  # a damaged length: the limit is enforced while reading
    if declared > options.max_bytes:
        raise NetworkError(f"{url}: {declared} bytes, over the {options.max_bytes}-byte limit")


def page_text(body: bytes, response) -> str:
    """The declared charset first (HTTP header), then the page's own signals."""
    declared = response.headers.get("Content-Type", "")
    found = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", declared, re.I)
    if found and (name := codec_name(found.group(1))):
        try:
            return body.decode(name)
        except UnicodeDecodeError:
            pass
    text, _, _ = decode(body, response.url)
    return text


def fetch(url: str, options: FetchOptions = FetchOptions()) -> Fetched:
    body, final_url, response = download(url, options)
    text = page_text(body, response)
    return clean_page(text, final_url, response.headers.get("Content-Language", ""))


def parse_html(text: str) -> BeautifulSoup:
    """HTML parsed as a browser parses a page served as text/html (an XHTML page's XML
    declaration included). bs4's advice on that, and on a text that looks like a URL, would
    reach the user's terminal as a dozen lines of warning: a fetched page is what it is."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(text, "lxml")


def clean_page(text: str, url: str, header_language: str = "") -> Fetched:
    soup = parse_html(text)
    base = url
    base_tag = soup.find("base", href=True)
    if base_tag and urlparse(urljoin(url, base_tag["href"])).scheme in ("http", "https"):
        base = urljoin(url, base_tag["href"])
    title = meta_title(soup)
    description = meta_content(soup, "description") or meta_content(soup, "og:description")
    canonical_tag = soup.find("link", rel=lambda v: v and "canonical" in v, href=True)
    canonical = urljoin(base, canonical_tag["href"]) if canonical_tag else url
    if urlparse(canonical).scheme not in ("http", "https"):
        canonical = url
    html_tag = soup.find("html") or soup
    body_tag = soup.find("body") or soup
    direction = extract_main.direction(html_tag.get("dir"), body_tag.get("dir"))

    root = article_root(text, base, soup)
    clean_tree(root, base)
    root.name = "article"
    root.attrs = {}
    if not root.find("h1") and title:
        heading = soup.new_tag("h1")
        heading.string = title
        root.insert(0, heading)
    words = len(root.get_text(" ", strip=True).split())
    if words < 20:
        raise SourceError(f"{url}: the main content has only {words} words")
    language = extract_main.page_language(
        root.get_text(" ", strip=True),
        html_tag.get("lang"),
        header_language,
        meta_content(soup, "og:locale"),
    )
    document = source_document(title, description, canonical, language.tag, root, direction)
    return Fetched(url, document, title, language.tag, words, language.detected, direction)


def article_root(text: str, base: str, soup) -> Tag:
    """The page's article: trafilatura's extraction, else our own heuristic's block."""
    extracted = extract_main.main_html(prepared(text))
    if extracted:
        found = parse_html(extracted).find("body")
        if found is not None and text_length(found) > 0:
            return found
    root = main_content(soup)
    if root is None:
        raise SourceError(f"{base}: no article text found on the page")
    return root


def prepared(text: str) -> str:
    """The page as trafilatura should see it: without tracking pixels (it drops the sizes
    that tell one) and with figure captions as paragraphs (it drops captions)."""
    soup = parse_html(text)
    for image in soup.find_all("img"):
        if is_tracking_pixel(image):
            image.decompose()
    for caption in soup.find_all("figcaption"):
        caption.name = "p"
    return str(soup)


def check_language(fetched: Fetched, source_locale: str) -> None:
    """Refuse a page whose language is not the project's source language, saying what was
    found (declared or detected); `fetch --force` skips this check."""
    if extract_main.same_language(fetched.language, source_locale):
        return
    how = "detected from its text" if fetched.language_detected else "declared by the page"
    raise SourceError(
        f"{fetched.url}: the article is in {fetched.language!r} ({how}), not the project's "
        f"source language {source_locale!r}; use --force to import it anyway"
    )


def meta_title(soup) -> str:
    tag = soup.find("title")
    text = tag.get_text(" ", strip=True) if tag else ""
    return text or meta_content(soup, "og:title")


def meta_content(soup, name: str) -> str:
    tag = soup.find("meta", attrs={"name": name}) or soup.find("meta", attrs={"property": name})
    return " ".join(tag.get("content", "").split()) if tag else ""


def source_document(
    title: str,
    description: str,
    canonical: str,
    language: str,
    root: Tag,
    direction: str = "",
    date: str = "",
) -> str:
    from html import escape

    dir_attribute = f' dir="{escape(direction)}"' if direction else ""
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(language)}"{dir_attribute}>',
        "<head>",
        '  <meta charset="utf-8">',
        f"  <title>{escape(title, quote=False)}</title>",
    ]
    if description:
        head.append(f'  <meta name="description" content="{escape(description)}">')
    if date:
        head.append(f'  <meta name="date" content="{escape(date)}">')
    head.append(f'  <link rel="canonical" href="{escape(canonical)}">')
    head += ["</head>", "<body>"]
    return "\n".join(head) + "\n" + root.decode(formatter="minimal") + "\n</body>\n</html>\n"


def slug_from_url(url: str) -> str:
    """The slug a fetched page gets when none is given: the URL's last path segment."""
    check_url(url)  # before parsing it here: `http://[::1` raises on parsing
    path = urlparse(url).path.rstrip("/")
    name = path.rsplit("/", 1)[-1] if path else urlparse(url).hostname or "article"
    name = re.sub(r"\.(html?|php|aspx?)$", "", name, flags=re.I)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:80] or "article"
