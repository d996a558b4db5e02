"""sitemap.xml, written a URL at a time and split where search engines stop reading.

Google reads at most 50,000 URLs and 50 MB (uncompressed) of one sitemap file. A site within
both limits gets one `sitemap.xml`, a `<urlset>` as it always had. A larger one gets its URLs
in `sitemap-0001.xml`, `sitemap-0002.xml`... (each a `<urlset>` within both limits, counted
in bytes with every hreflang alternate of each URL: with 30 alternates the size binds at about
13,000 URLs), and `sitemap.xml` becomes the `<sitemapindex>` that lists them. URLs keep their
order (the manifest's), so the same publish gives the same files.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

MAX_URLS = 50_000
MAX_BYTES = 50 * 1024 * 1024  # 52,428,800 bytes, as the sitemaps protocol says
SITEMAP = "sitemap.xml"
PART = "sitemap-{:04d}.xml"
NAMESPACES = (
    ' xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    ' xmlns:xhtml="http://www.w3.org/1999/xhtml"'
)
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
URLSET_OPEN = f"{XML_DECLARATION}<urlset{NAMESPACES}>\n"
URLSET_CLOSE = "</urlset>\n"
INDEX_OPEN = (
    f'{XML_DECLARATION}<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
)
INDEX_CLOSE = "</sitemapindex>\n"


def xml_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def sitemap_url(entry: dict, links: str | None = None) -> str:
    """A page's `<url>`, its hreflang alternates included (`links`: theirs, already made)."""
    if links is None:
        links = alternate_links(entry["alternates"])
    return f"  <url>\n    <loc>{xml_escape(entry['canonical'])}</loc>{links}\n  </url>\n"


def alternate_links(alternates: list) -> str:
    """The `<xhtml:link>` lines of a URL's hreflang alternates."""
    return "".join(
        f'\n    <xhtml:link rel="alternate" hreflang="{xml_escape(alternate["hreflang"])}"'
        f' href="{xml_escape(alternate["href"])}"/>'
        for alternate in alternates
    )


class SitemapWriter:
    """The sitemap of one publish, written into `folder` a URL at a time (memory stays flat)."""

    def __init__(
        self, folder: str, base_url: str, max_urls: int = MAX_URLS, max_bytes: int = MAX_BYTES
    ):
        self.folder = folder
        self.base_url = base_url.rstrip("/")
        self.max_urls, self.max_bytes = max_urls, max_bytes
        self.parts: list[str] = []  # temporary files, one per part, in order
        # An article's pages share their alternates: their links are made once for them all.
        self.alternates, self.links = None, ""
        self.stream = None
        self.urls = self.size = 0
        self.open_part()

    def open_part(self) -> None:
        self.parts.append(f"{self.folder}/{PART.format(len(self.parts) + 1)}.{os.getpid()}.tmp")
        self.stream = open(self.parts[-1], "w", encoding="utf-8")  # noqa: SIM115
        self.stream.write(URLSET_OPEN)
        self.urls, self.size = 0, len(URLSET_OPEN) + len(URLSET_CLOSE)

    def add(self, entry: dict) -> None:
        if entry["alternates"] != self.alternates:
            self.alternates = entry["alternates"]
            self.links = alternate_links(self.alternates)
        text = sitemap_url(entry, self.links)
        size = len(text.encode("utf-8"))
        if self.urls and (self.urls >= self.max_urls or self.size + size > self.max_bytes):
            self.stream.write(URLSET_CLOSE)
            self.stream.close()
            self.open_part()
        self.stream.write(text)
        self.urls += 1
        self.size += size

    def close(self) -> list[str]:
        """Finish the files and rename them into place; their paths. Parts a previous
        publish left in the folder (a larger site then) are removed."""
        self.stream.write(URLSET_CLOSE)
        self.stream.close()
        index = f"{self.folder}/{SITEMAP}"
        if len(self.parts) == 1:
            os.replace(self.parts[0], index)
            written = [index]
        else:
            written = [
                f"{self.folder}/{PART.format(number)}" for number in range(1, len(self.parts) + 1)
            ]
            for temporary, path in zip(self.parts, written, strict=True):
                os.replace(temporary, path)
            write_index(index, [f"{self.base_url}/{Path(path).name}" for path in written])
            written.append(index)
        remove_stale_parts(self.folder, written)
        return written

    def discard(self) -> None:
        self.stream.close()
        for temporary in self.parts:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)


def write_index(path: str, locations: list[str]) -> None:
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as stream:
        stream.write(INDEX_OPEN)
        for location in locations:
            stream.write(f"  <sitemap>\n    <loc>{xml_escape(location)}</loc>\n  </sitemap>\n")
        stream.write(INDEX_CLOSE)
    os.replace(temporary, path)


def remove_stale_parts(folder: str, written: list[str]) -> None:
    keep = {Path(path).name for path in written}
    for path in Path(folder).glob("sitemap-*.xml"):
        if path.name not in keep:
            path.unlink(missing_ok=True)
