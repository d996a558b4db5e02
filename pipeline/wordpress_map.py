"""Where each region's pages go in WordPress (`[tool.pipeline.wordpress]`), and which images
a page's body takes from the output folder.

    [tool.pipeline.wordpress]
    type = "pages"                     # or "posts"
    [tool.pipeline.wordpress.regions.de-DE]
    site = "https://example.org/de/"   # multisite: the region's own site
    parent = 12                        # pages: the region's parent page (its id)
    category = 7                       # posts: the region's category (its id)

A region with no `site` goes to the push's `--endpoint`; there, with no `parent` (pages) or
`category` (posts), it gets a parent page (a draft) or a category named after it, found by
its slug (`de-de`) or made. A region with a `site` of its own and neither is published at
the top of that site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

from pipeline.errors import ConfigError

KINDS = ("pages", "posts")
IMAGE_SOURCE = re.compile(r'<img\b[^>]*?\bsrc="([^"]+)"', re.I)


@dataclass(frozen=True)
class Target:
    """One region's place in WordPress."""

    site: str  # the site's address (REST requests go to {site}/?rest_route=...)
    kind: str  # "pages" or "posts"
    group: int | None  # the configured parent page or category id
    group_slug: str  # "" when the region has no parent or category
    group_name: str
    own_site: bool  # the region has a site of its own: the article's slug needs no suffix


@dataclass(frozen=True)
class Mapping:
    """The push's endpoint and the `[tool.pipeline.wordpress]` table, checked."""

    endpoint: str
    kind: str
    regions: dict

    def target(self, region: str) -> Target:
        entry = self.regions.get(region, {})
        site = entry.get("site") or self.endpoint
        group = entry.get("parent" if self.kind == "pages" else "category")
        own = "site" in entry
        group_slug = "" if own and group is None else region.lower()
        return Target(site, self.kind, group, group_slug, region, own)


def load_mapping(endpoint: str, table: dict, pyproject: Path) -> Mapping:
    """The mapping of a project's settings; ConfigError naming every problem at once."""
    where = f"{pyproject} [tool.pipeline.wordpress]"
    problems = [f"unknown setting {name!r}" for name in table if name not in ("type", "regions")]
    kind = table.get("type", "pages")
    if kind not in KINDS:
        problems.append('type must be "pages" or "posts"')
    regions = table.get("regions", {})
    if not isinstance(regions, dict):
        problems.append("regions must be a table")
        regions = {}
    for region, entry in regions.items():
        problems += region_problems(region, entry)
    if problems:
        raise ConfigError(f"{where}: " + "; ".join(problems))
    return Mapping(endpoint, kind, regions)


def region_problems(region: str, entry) -> list[str]:
    if not isinstance(entry, dict):
        return [f"regions.{region} must be a table"]
    problems = [
        f"regions.{region}: unknown setting {name!r}"
        for name in entry
        if name not in ("site", "parent", "category")
    ]
    site = entry.get("site")
    if site is not None and (
        not isinstance(site, str) or not site.startswith(("http://", "https://"))
    ):
        problems.append(f"regions.{region}.site must be an http(s) URL")
    for name in ("parent", "category"):
        value = entry.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            problems.append(f"regions.{region}.{name} must be a WordPress id (a positive integer)")
    return problems


def wordpress_slug(slug: str, region: str, target: Target) -> str:
    """Pages under a region's parent, and anything on a region's own site, keep the article's
    slug; posts share one namespace per site, so theirs carries the region."""
    if target.own_site or target.kind == "pages":
        return slug
    return f"{slug}-{region.lower()}"


def media_sources(body: str, page: dict, output_dir: Path) -> list[tuple[str, Path]]:
    """(src as written, file) for every image of the body that is a file of the output
    folder (`/images/a.svg`, or relative to the page's address); others are left alone."""
    root = output_dir.resolve()
    found = []
    for source in dict.fromkeys(IMAGE_SOURCE.findall(body)):
        parts = urlparse(source)
        if parts.scheme or parts.netloc:
            continue
        path = urljoin(f"/{page['region']}/{page['slug']}/", unquote(parts.path))
        target = (root / path.lstrip("/")).resolve()
        if root in target.parents and target.is_file():
            found.append((source, target))
    return found
