"""Fetched markup made safe and plain: the article's block found, furniture, tracking and
scripts dropped, URLs made absolute and judged as a browser would read them."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from bs4 import Comment, Tag

from pipeline.urls import allowed_url

REMOVED_TAGS = {
    "script",
    "style",
    "noscript",
    "iframe",
    "object",
    "embed",
    "form",
    "template",
    "nav",
    "footer",
    "link",
    "meta",
    "button",
    "input",
    "select",
    "textarea",
    "svg",
    "canvas",
    "dialog",
}
NOISE = re.compile(
    r"cookie|consent|gdpr|banner|comment|share|sharing|social|advert|\bads?\b|\bad-|sponsor|"
    r"promo|newsletter|related|sidebar|popup|modal|subscribe|breadcrumb|masthead|site-header|"
    r"site-footer|signup|paywall|outbrain|taboola",
    re.I,
)
KEPT_ATTRIBUTES = {
    "href",
    "src",
    "srcset",
    "alt",
    "title",
    "lang",
    "dir",
    "width",
    "height",
    "colspan",
    "rowspan",
    "datetime",
    "cite",
    "id",
    "translate",
    "start",
    "reversed",
    "scope",
    "headers",
    "abbr",
}
# Site furniture on a web page, but the article's own content inside a WordPress post.
FURNITURE_TAGS = {"nav", "footer", "button"}
URL_ATTRIBUTES = ("href", "src", "cite")
BLOCKS = ("div", "section", "td", "article", "main")


def is_noise(tag: Tag) -> bool:
    if tag.name in ("aside", "header", "div", "section", "ul", "p", "span", "figure", "a"):
        marker = " ".join(
            [
                tag.get("id", ""),
                " ".join(tag.get("class", [])),
                tag.get("role", ""),
                tag.get("aria-label", ""),
            ]
        )
        return bool(NOISE.search(marker)) and tag.name not in ("article", "main")
    return False


def main_content(soup) -> Tag | None:
    """<article> (the one with most text), <main>, or the block densest in paragraphs."""
    body = soup.find("body") or soup
    for name in ("article", "main"):
        found = [tag for tag in body.find_all(name) if text_length(tag) > 200]
        if found:
            return max(found, key=text_length)
    role_main = body.find(attrs={"role": "main"})
    if role_main is not None and text_length(role_main) > 200:
        return role_main
    return densest_block(body)


def densest_block(body: Tag) -> Tag | None:
    """The block with the most paragraph text of its own (links not counted), if any has."""
    best, best_score = None, 0
    for block in body.find_all(BLOCKS):
        if is_noise(block):
            continue
        paragraphs = block.find_all("p", recursive=False)
        score = sum(len(p.get_text(" ", strip=True)) for p in paragraphs)
        score -= sum(len(a.get_text(" ", strip=True)) for p in paragraphs for a in p.find_all("a"))
        if score > best_score:
            best, best_score = block, score
    return best


def text_length(tag: Tag) -> int:
    return len(tag.get_text(" ", strip=True))


def clean_tree(root: Tag, base: str, furniture: bool = True) -> None:
    """Make fetched markup safe (no scripts, handlers, tracking, unsafe or relative URLs) and,
    with `furniture`, drop a site's furniture too. Content that is the article alone (a
    WordPress post) keeps its navigation, footers and `data-l10n-*` markup."""
    for comment in root.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    removed = REMOVED_TAGS if furniture else REMOVED_TAGS - FURNITURE_TAGS
    for tag in root.find_all(True):
        if not tag.decomposed and is_unwanted(tag, removed, furniture):
            tag.decompose()
    for tag in root.find_all(True):
        clean_attributes(tag, base, furniture)
    for tag in root.find_all(["div", "span", "section"]):
        if not tag.get_text(strip=True) and not tag.find("img"):
            tag.decompose()


def is_unwanted(tag: Tag, removed: set, furniture: bool) -> bool:
    """Whether an element goes whole: a removed tag, furniture, a tracking pixel, hidden."""
    return (
        tag.name in removed
        or (furniture and is_noise(tag))
        or is_tracking_pixel(tag)
        or tag.get("hidden") is not None
        or tag.get("aria-hidden") == "true"
    )


def clean_attributes(tag: Tag, base: str, furniture: bool) -> None:
    """Keep the element's allowed attributes, with its URLs made absolute against `base`
    and those a browser would not allow dropped."""
    tag.attrs = {
        name: value
        for name, value in tag.attrs.items()
        if name in KEPT_ATTRIBUTES or (not furniture and name.startswith("data-l10n-"))
    }
    drop_unsafe_urls(tag)
    for name in URL_ATTRIBUTES:
        if name in tag.attrs:
            value = str(tag.attrs[name]).strip()
            if not value.startswith("#"):
                tag.attrs[name] = urljoin(base, value)
    if "srcset" in tag.attrs:
        tag.attrs["srcset"] = ", ".join(
            " ".join([urljoin(base, part.split()[0]), *part.split()[1:]])
            for part in str(tag.attrs["srcset"]).split(",")
            if part.strip()
        )
    drop_unsafe_urls(tag)  # and what joining made of them


def drop_unsafe_urls(tag: Tag) -> None:
    """Drop the kept URL attributes whose scheme a browser would read as not allowed
    (`java&#9;script:` too: BeautifulSoup has decoded the value, `allowed_url` reads it)."""
    for name in (*URL_ATTRIBUTES, "srcset"):
        value = tag.attrs.get(name)
        if value is not None and not allowed_url(str(value), name, tag.name):
            del tag.attrs[name]


def is_tracking_pixel(tag: Tag) -> bool:
    if tag.name != "img":
        return False
    small = all(str(tag.get(side, "")).strip() in ("0", "1") for side in ("width", "height"))
    return small and (tag.get("width") is not None or tag.get("height") is not None)
