"""Importing a WordPress post or page through the REST API: URL -> a clean source document.

The URL may be the entry's address (`/?page_id=12`, `/?p=7`, a pretty permalink, whose
page names its REST address in a `Link: <...>; rel="alternate"; type="application/json"`
header), or its REST address itself (`/wp-json/wp/v2/pages/12`, `/?rest_route=/wp/v2/...`).
With credentials (PIPELINE_WP_USER, PIPELINE_WP_APP_PASSWORD) the raw fields are read, drafts
included; without, what WordPress shows anyone. The content is cleaned as any fetched page is
(scripts, handlers, tracking, unsafe and relative URLs), but kept whole: a post is the
article, with no site furniture around it.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlparse, urlunparse

import requests

from pipeline import extract_main
from pipeline.errors import NetworkError, SourceError
from pipeline.fetch import (
    USER_AGENT,
    Fetched,
    FetchOptions,
    check_url,
    clean_tree,
    parse_html,
    source_document,
)


def fetch_entry(url: str, login: tuple[str | None, str | None], options: FetchOptions) -> Fetched:
    """The post or page at `url`, as a source document."""
    check_url(url)
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    user, password = ((login[0] or "").strip(), (login[1] or "").strip())
    if user and password:
        session.auth = (user, password)
    with session:
        entry = read_entry(session, url, options, bool(session.auth))
    return entry_document(entry, url)


def read_entry(session, url: str, options: FetchOptions, authenticated: bool) -> dict:
    params = {"context": "edit"} if authenticated else {}
    for rest_url in rest_addresses(session, url, options):
        if origin(rest_url) != origin(url):
            continue  # a page may name any address: the credentials go to its own site only
        entry = get_json(session, rest_url, params, options)
        if isinstance(entry, list):  # a search by slug
            entry = entry[0] if entry else None
        if isinstance(entry, dict) and "content" in entry:
            return entry
    raise SourceError(f"{url}: no WordPress post or page found there")


def rest_addresses(session, url: str, options: FetchOptions):
    """The REST addresses that may hold the entry, best first."""
    parts = urlparse(url)
    query = parse_qs(parts.query)
    site = urlunparse(parts._replace(query="", fragment=""))
    if "rest_route" in query or "/wp-json/" in parts.path:
        yield url
        return
    for name, kinds in (("page_id", ("pages",)), ("p", ("posts", "pages"))):
        if query.get(name, [""])[0].isdigit():
            for kind in kinds:
                yield with_route(site, f"/wp/v2/{kind}/{query[name][0]}")
            return
    links = page_links(session, url, options)
    if "alternate" in links:
        yield links["alternate"]
    root = links.get("https://api.w.org/")
    slug = parts.path.rstrip("/").rsplit("/", 1)[-1]
    if slug:
        for kind in ("posts", "pages"):
            yield api_address(root, parts, f"/wp/v2/{kind}", slug)


def origin(url: str) -> tuple[str, str]:
    parts = urlparse(url)
    return parts.scheme.lower(), parts.netloc.lower()


def with_route(site: str, route: str) -> str:
    return f"{site.rstrip('/')}/?{urlencode({'rest_route': route})}"


def api_address(root: str | None, parts, route: str, slug: str) -> str:
    """A search by slug, under the API root the site announced (else `?rest_route=`)."""
    if root and "?" not in root:
        return f"{root.rstrip('/')}{route}?slug={slug}"
    if root:  # https://site/?rest_route=/
        return f"{root.rstrip('/')}{route}&slug={slug}"
    origin = f"{parts.scheme}://{parts.netloc}"
    return f"{with_route(origin, route)}&slug={slug}"


def page_links(session, url: str, options: FetchOptions) -> dict[str, str]:
    """The `Link` header of the entry's page: its REST address and the API's root."""
    try:
        response = session.get(url, timeout=options.timeout, allow_redirects=True)
    except requests.RequestException as error:
        raise NetworkError(f"{url}: cannot connect ({type(error).__name__})") from None
    with response:
        found = {}
        for rel, link in response.links.items():
            if rel == "alternate" and link.get("type") != "application/json":
                continue
            found[rel] = link["url"]
        return found


def get_json(session, url: str, params: dict, options: FetchOptions):
    try:
        response = session.get(url, params=params, timeout=options.timeout)
    except requests.RequestException as error:
        raise NetworkError(f"{url}: cannot connect ({type(error).__name__})") from None
    if response.status_code in (401, 403):
        raise NetworkError(
            f"{url}: WordPress refused the credentials ({response.status_code}): check "
            "PIPELINE_WP_USER and PIPELINE_WP_APP_PASSWORD"
        )
    if response.status_code == 404:
        return None
    if not response.ok:
        raise NetworkError(f"{url}: HTTP {response.status_code} {response.reason}")
    if len(response.content) > options.max_bytes:
        raise NetworkError(f"{url}: larger than the {options.max_bytes}-byte limit")
    try:
        return response.json()
    except ValueError:
        return None


def field(entry: dict, name: str) -> str:
    """A field's raw value (with context=edit), else its rendered one."""
    value = entry.get(name, "")
    if isinstance(value, dict):
        value = value.get("raw") if value.get("raw") is not None else value.get("rendered", "")
    return value or ""


def text_of(html: str) -> str:
    return " ".join(parse_html(html).get_text(" ").split())


def article_of(root, soup):
    """The content's own <article> when it is the only element, else one made around it."""
    elements = [child for child in root.children if getattr(child, "name", None)]
    loose_text = "".join(c for c in root.children if not getattr(c, "name", None)).strip()
    if len(elements) == 1 and elements[0].name == "article" and not loose_text:
        return elements[0]
    article = soup.new_tag("article")
    for child in list(root.children):
        article.append(child.extract())
    return article


def entry_document(entry: dict, url: str) -> Fetched:
    """The source document of an entry: its content cleaned, with title, excerpt, date,
    address, language and direction (those a push recorded, else detected)."""
    link = entry.get("link") or url
    soup = parse_html(f"<body>{field(entry, 'content')}</body>")
    root = soup.find("body")
    wrapper = root.find("div", class_="pipeline-article")
    language, direction = "", ""
    if wrapper is not None:  # what `push --to wordpress` wrapped the article in
        language, direction = wrapper.get("lang", ""), wrapper.get("dir", "")
        wrapper.unwrap()
    clean_tree(root, link, furniture=False)
    text = root.get_text(" ", strip=True)
    words = len(text.split())
    if not words:
        raise SourceError(f"{url}: the WordPress entry has no text")
    found = extract_main.page_language(text, language)
    title = text_of(field(entry, "title"))
    inner = article_of(root, soup)
    if not inner.find("h1") and title:
        heading = soup.new_tag("h1")
        heading.string = title
        inner.insert(0, heading)
    description = text_of(field(entry, "excerpt"))
    date = entry.get("date_gmt") or entry.get("date") or ""
    document = source_document(
        title, description, link, found.tag, inner, extract_main.direction(direction), date
    )
    return Fetched(
        link,
        document,
        title,
        found.tag,
        words,
        found.detected,
        direction,
        entry.get("slug", ""),
        date,
    )
