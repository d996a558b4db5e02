"""Link judgement: which URLs a page may carry, read the way browsers read them.

A browser does not read an attribute value as written: it decodes character references,
strips leading and trailing C0 controls and spaces, removes every tab and newline, and only
then reads the scheme, case-insensitively (WHATWG URL Standard, basic URL parser). So
`java&#9;script:` and `\\x01javascript:` are script URLs, and a test on the raw text
(`startswith("javascript:")`) lets them through. Here the same steps come first, and the
scheme read is checked against an allowlist rather than a list of known-bad schemes.
"""

from __future__ import annotations

import bisect
import html
import re

# Leading and trailing "C0 control or space" (U+0000 to U+0020) are stripped.
C0_CONTROL_OR_SPACE = "".join(map(chr, range(0x21)))
TAB_OR_NEWLINE = str.maketrans("", "", "\t\n\r")
# A scheme: an ASCII letter, then letters, digits, "+", "-" or ".", ended by ":". Anything
# else before the first ":" makes the URL relative (a path), which is harmless.
SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Attributes whose value a browser follows, loads or submits to.
URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "srcset",
        "action",
        "formaction",
        "cite",
        "poster",
        "background",
        "data",
        "longdesc",
        "ping",
        "manifest",
        "xlink:href",
    }
)
# Inline images may be data: URLs (an <img> runs no script, even an SVG one).
DATA_IMAGE_TAGS = frozenset({"img", "source"})
SRCSET_URL = re.compile(r"[\s,]*(\S*)")
# A first look without parsing: every URL attribute of the page, read as the tokenizer reads
# attributes (an attribute follows a space, a "/" or a quoted value, never the start of a
# text, which a tag's "<" begins). It also finds some that are not attributes (in a comment,
# a script, another attribute's value): only those that might be refused are then parsed.
URL_ATTRIBUTE_VALUE = re.compile(
    # Only the character before the name is consumed, the rest is a lookahead: a value that
    # looks like attributes (title="x href='a") must not swallow the real attribute after it.
    # Starting with a class lets the regex engine skip to the next space or quote at C speed;
    # the lookahead on the names' first letters only saves trying every name after each of
    # them (it matches what the names alone match).
    r"[\s/\"'](?=[" + "".join(sorted({name[0] for name in URL_ATTRIBUTES})) + "])"
    r"(?=(" + "|".join(sorted(URL_ATTRIBUTES)) + r")\s*=\s*"
    r"(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+)))",
    re.I,
)


def url_scheme(url: str) -> str | None:
    """The scheme a browser reads in `url` (entities already decoded), lower-cased; None for
    a relative URL (a path, `//host/...`, `?query` or `#fragment`)."""
    cleaned = url.strip(C0_CONTROL_OR_SPACE).translate(TAB_OR_NEWLINE)
    match = SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def is_data_image(url: str) -> bool:
    cleaned = url.strip(C0_CONTROL_OR_SPACE).translate(TAB_OR_NEWLINE)
    return cleaned[5:].lstrip().lower().startswith("image/")


def allowed_url(url: str, attribute: str = "href", tag: str = "a") -> bool:
    """Whether a page may carry `url` (decoded) in `tag`'s `attribute`.

    Allowed: relative URLs and fragments, http, https, mailto and tel; and `data:image/...`
    in an image's src or srcset. Everything else (javascript:, vbscript:, data:text/html,
    file:, blob:, unknown schemes) is not."""
    if attribute == "srcset":
        return all(allowed_url(part, "src", tag) for part in srcset_urls(url))
    scheme = url_scheme(url)
    if scheme is None or scheme in LINK_SCHEMES:
        return True
    return scheme == "data" and attribute == "src" and tag in DATA_IMAGE_TAGS and is_data_image(url)


def srcset_urls(value: str) -> list[str]:
    """The image candidates' URLs of a srcset (HTML's srcset parsing, without descriptors)."""
    urls, position = [], 0
    while position < len(value):
        match = SRCSET_URL.match(value, position)
        url, position = match.group(1), match.end()
        if not url:
            break
        if url.endswith(","):
            url = url.rstrip(",")
        else:  # descriptors ("2x", "480w") run to the next comma
            comma = value.find(",", position)
            position = len(value) if comma < 0 else comma + 1
        urls.append(url)
    return urls


def doubtful_attributes(text: str) -> list[int]:
    """Where each URL attribute of an HTML text that might not be allowed starts, in order:
    every attribute that is not allowed is among them (data: URLs count, as only the
    element's tag decides on them)."""
    found = []
    for match in URL_ATTRIBUTE_VALUE.finditer(text):
        value = match[2] or match[3] or match[4] or ""
        if "&" in value:
            value = html.unescape(value)
        elif ":" not in value:
            continue  # no scheme: a relative URL (most of a page's)
        if url_scheme(value) not in (None, *LINK_SCHEMES) or (
            match[1].lower() == "srcset" and not allowed_url(value, "srcset", "a")
        ):
            found.append(match.start() + 1)
    return found


def runs_script(url: str, attribute: str = "href", tag: str = "a") -> bool:
    """Whether a browser would run `url` (decoded) as a script or a document of its own:
    `javascript:`, `vbscript:`, or a `data:` URL that is not an image in an image. These are
    what a page's own links are warned about; other unknown schemes (`android-app:`,
    `mw-data:`) are inert and left alone."""
    if attribute == "srcset":
        return any(runs_script(part, "src", tag) for part in srcset_urls(url))
    scheme = url_scheme(url)
    if scheme in ("javascript", "vbscript"):
        return True
    return scheme == "data" and not allowed_url(url, attribute, tag)


def unsafe_url_attributes(text: str, document=None, allowed=allowed_url) -> list[tuple]:
    """(start, end, description) of each attribute in an HTML text whose URL `allowed`
    refuses; the span runs from the attribute's name to the end of its value (quotes
    included). `document`: the text already parsed by `pipeline.markup.parse`."""
    doubtful = doubtful_attributes(text)
    if not doubtful:
        return []  # most pages: parsed only when a link might be refused
    from pipeline.markup import match_attributes, parse

    found = []
    for element in (document or parse(text)).root.iter():
        if not element.tag_text:
            continue  # no attributes
        first = bisect.bisect_left(doubtful, element.start)
        if first == len(doubtful) or doubtful[first] >= element.start_tag_end:
            continue  # none of the doubtful ones
        body_end = element.start_tag_end - (1 if text[element.start_tag_end - 1] == ">" else 0)
        name_end = element.start + 1 + len(element.tag)
        for name_start, name_stop, value_start, value_end, quote in match_attributes(
            text, name_end, body_end
        ):
            name = text[name_start:name_stop].lower()
            if name not in URL_ATTRIBUTES or value_start < 0:
                continue
            value = html.unescape(text[value_start:value_end])
            if not allowed(value, name, element.tag):
                end = value_end + len(quote)
                found.append((name_start, end, f"<{element.tag} {name}={value[:40]!r}>"))
    return found


def script_url_attributes(text: str, document=None) -> list[tuple[int, int, str]]:
    """`unsafe_url_attributes` limited to the links that would run a script (`runs_script`).

    A page's own links are its author's and are kept byte for byte, as its `<script>`
    elements are; they are reported so that a content lead sees them. Links from the web are
    judged by the whole allowlist when `fetch` imports a page."""
    return unsafe_url_attributes(
        text, document, lambda url, name, tag: not runs_script(url, name, tag)
    )
