"""Publishing: pages -> output/ (pages, page JSON, manifest.json, sitemap.xml), swapped in whole.

Everything is gathered first; only then is a new output folder written beside the old one and
exchanged with it in one rename, so a CMS never reads a half-written publish and a failed
publish leaves the previous one as it was.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime
import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from pipeline.catalogs import Translations, catalog_languages, catalog_path, read_translations
from pipeline.errors import PublishError
from pipeline.locales import parse_tag
from pipeline.model import Region
from pipeline.project import Project
from pipeline.regions import hotline_age_days
from pipeline.render import Draft, Page, finish_page, load_shell, page_url, render_draft

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class PublishOptions:
    regions: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    min_complete: float | None = None  # percent; None: the project's setting
    dry_run: bool = False
    today: datetime.date = field(default_factory=datetime.date.today)


@dataclass
class PublishResult:
    pages: list = field(default_factory=list)  # manifest entries of the pages built now
    kept: int = 0  # pages carried over from the previous publish
    skipped: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    manifest: dict = field(default_factory=dict)
    written: bool = False


def publish(project: Project, options: PublishOptions, on_item=None) -> PublishResult:
    settings = project.settings
    regions = select_regions(project, options.regions)
    slugs = project.slugs(options.articles)
    threshold = settings.min_complete if options.min_complete is None else options.min_complete
    result = PublishResult(warnings=hotline_warnings(regions, settings, options.today))
    translations_cache: dict[Path, Translations] = {}

    drafts: list[Draft] = []
    for slug in slugs:
        article = project.article(slug)
        for region in regions:
            chain = catalog_chain(project, region, slug, translations_cache)
            if chain is None:
                result.skipped.append(skip(region.tag, slug, "no catalog for this article", 0))
            else:
                draft = render_draft(article, region, chain, settings.source_locale)
                reason = skip_reason(draft, threshold)
                if reason:
                    result.skipped.append(skip(region.tag, slug, reason, draft.completeness))
                else:
                    drafts.append(draft)
            if on_item:
                on_item()

    previous = read_manifest(settings.output_dir)
    narrowed = bool(options.regions or options.articles)
    selected = {(region.tag, slug) for region in regions for slug in slugs}
    kept = [
        entry
        for entry in previous.get("pages", [])
        if narrowed and (entry["region"], entry["slug"]) not in selected
    ]
    kept_skips = [
        entry
        for entry in previous.get("skipped", [])
        if narrowed and (entry["region"], entry["slug"]) not in selected
    ]
    published = {(draft.region.tag, draft.article.slug) for draft in drafts}
    published |= {(entry["region"], entry["slug"]) for entry in kept}
    source_region = parse_tag(settings.source_locale).bcp47
    alternates = alternates_by_article(published, settings.base_url, source_region)

    # A kept page whose alternates change (a region joined or left) is rebuilt as well.
    rebuilt = set()
    for entry in kept:
        if alternate_pairs(entry) == alternates[entry["slug"]]:
            continue
        region = project.regions.get(entry["region"])
        chain = (
            catalog_chain(project, region, entry["slug"], translations_cache) if region else None
        )
        if chain is not None:
            article = project.article(entry["slug"])
            drafts.append(render_draft(article, region, chain, settings.source_locale))
            rebuilt.add((entry["region"], entry["slug"]))
    kept = [entry for entry in kept if (entry["region"], entry["slug"]) not in rebuilt]

    shell = load_shell(settings.root / settings.page_template if settings.page_template else None)
    pages = [
        finish_page(draft, alternates[draft.article.slug], settings.base_url, shell)
        for draft in drafts
    ]
    result.pages = [manifest_entry(page) for page in pages]
    result.kept = len(kept)
    result.skipped = sorted(result.skipped + kept_skips, key=lambda s: (s["slug"], s["region"]))
    entries = sorted(result.pages + kept, key=lambda e: (e["slug"], e["region"]))
    result.manifest = {
        "version": 1,
        "base_url": settings.base_url,
        "source_locale": settings.source_locale,
        "pages": entries,
        "skipped": result.skipped,
        "warnings": result.warnings,
    }
    if not options.dry_run:
        write_output(settings.output_dir, pages, kept, result.manifest)
        result.written = True
    return result


def alternate_pairs(entry: dict) -> tuple[tuple[str, str], ...]:
    return tuple((alternate["hreflang"], alternate["href"]) for alternate in entry["alternates"])


def select_regions(project: Project, wanted: tuple[str, ...]) -> list[Region]:
    regions = project.regions
    if not wanted:
        return list(regions.values())
    selected = []
    for name in wanted:
        tag = parse_tag(name).bcp47
        if tag not in regions:
            known = ", ".join(regions)
            raise PublishError(f"unknown region {name!r} (regions.toml has: {known})")
        selected.append(regions[tag])
    return selected


def catalog_chain(
    project: Project, region: Region, slug: str, cache: dict
) -> tuple[Translations, ...] | None:
    """The region's catalogs for an article, most specific first; None when it has none."""
    settings = project.settings
    source_language = parse_tag(settings.source_locale).language
    languages = catalog_languages(settings.locales_dir)
    if parse_tag(region.language).language != source_language and not any(
        name in languages for name in region.catalogs
    ):
        raise PublishError(
            f"region {region.tag}: no catalogs for language {region.language!r} "
            f"(run: pipeline init {region.language})"
        )
    chain = []
    for name in region.catalogs:
        path = catalog_path(settings.locales_dir, name, slug)
        if path.is_file():
            if path not in cache:
                cache[path] = read_translations(path)
            chain.append(cache[path])
    if not chain and parse_tag(region.language).language != source_language:
        return None
    return tuple(chain)


def skip_reason(draft: Draft, threshold: float) -> str | None:
    if draft.missing_critical:
        first = draft.missing_critical[0][:60]
        return f"critical segment untranslated or broken: {first!r}"
    if draft.completeness * 100 < threshold:
        return f"{draft.completeness:.0%} translated, below the {threshold:g}% threshold"
    return None


def skip(region: str, slug: str, reason: str, completeness: float) -> dict:
    return {
        "region": region,
        "slug": slug,
        "reason": reason,
        "completeness": round(completeness, 4),
    }


def hotline_warnings(regions, settings, today: datetime.date) -> list[str]:
    warnings = []
    for region in regions:
        if region.hotline is None:
            continue
        age = hotline_age_days(region.hotline, today)
        if age is None:
            warnings.append(f"region {region.tag}: hotline {region.hotline.name} never verified")
        elif age > settings.hotline_max_age_days:
            warnings.append(
                f"region {region.tag}: hotline {region.hotline.name} last verified "
                f"{age} days ago (limit {settings.hotline_max_age_days})"
            )
    return warnings


def alternates_by_article(published: set, base_url: str, source_region: str) -> dict:
    by_article: dict[str, list[str]] = {}
    for region, slug in published:
        by_article.setdefault(slug, []).append(region)
    alternates = {}
    for slug, regions in by_article.items():
        pairs = [(region, page_url(base_url, region, slug)) for region in sorted(regions)]
        default = source_region if source_region in regions else sorted(regions)[0]
        pairs.append(("x-default", page_url(base_url, default, slug)))
        alternates[slug] = tuple(pairs)
    return alternates


def page_paths(region: str, slug: str) -> tuple[str, str]:
    return f"{region}/{slug}/index.html", f"{region}/{slug}.json"


def manifest_entry(page: Page) -> dict:
    html_path, json_path = page_paths(page.region, page.slug)
    return {
        "region": page.region,
        "language": page.language,
        "slug": page.slug,
        "path": html_path,
        "json": json_path,
        "title": page.title,
        "canonical": page.canonical,
        "direction": page.direction,
        "sha256": page.sha256,
        "completeness": page.completeness,
        "alternates": [{"hreflang": h, "href": href} for h, href in page.alternates],
        "source_hash": page.source_hash,
        "fallbacks": list(page.fallbacks),
    }


def page_json(page: Page) -> dict:
    return {
        "slug": page.slug,
        "region": page.region,
        "language": page.language,
        "direction": page.direction,
        "title": page.title,
        "description": page.description,
        "canonical": page.canonical,
        "body": page.body,
        "hotline": page.hotline,
        "completeness": page.completeness,
        "alternates": [{"hreflang": h, "href": href} for h, href in page.alternates],
        "source_hash": page.source_hash,
        "sha256": page.sha256,
        "fallbacks": list(page.fallbacks),
    }


def read_manifest(output_dir: Path) -> dict:
    path = output_dir / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise PublishError(f"{path}: unreadable previous manifest ({error})") from None


def sitemap(manifest: dict) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for entry in manifest["pages"]:
        lines.append("  <url>")
        lines.append(f"    <loc>{xml_escape(entry['canonical'])}</loc>")
        for alternate in entry["alternates"]:
            lines.append(
                f'    <xhtml:link rel="alternate" hreflang="{xml_escape(alternate["hreflang"])}"'
                f' href="{xml_escape(alternate["href"])}"/>'
            )
        lines.append("  </url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def dump_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def write_output(output_dir: Path, pages: list[Page], kept: list[dict], manifest: dict) -> None:
    """Build the new output folder beside the old one, then exchange them in one step."""
    parent = output_dir.parent
    for stale in parent.glob(f".{output_dir.name}.building-*"):
        shutil.rmtree(stale, ignore_errors=True)  # left by a publish that was killed
    building = parent / f".{output_dir.name}.building-{uuid.uuid4().hex[:8]}"
    building.mkdir()
    try:
        for entry in kept:  # pages of the previous publish that this one keeps
            for name in (entry["path"], entry["json"]):
                target = building / name
                target.parent.mkdir(parents=True, exist_ok=True)
                link_or_copy(output_dir / name, target)
        for page in pages:
            html_path, json_path = page_paths(page.region, page.slug)
            write_file(building / html_path, page.html)
            write_file(building / json_path, dump_json(page_json(page)))
        write_file(building / MANIFEST, dump_json(manifest))
        write_file(building / "sitemap.xml", sitemap(manifest))
        sync_tree(building)
        swap_in(building, output_dir)
    finally:
        shutil.rmtree(building, ignore_errors=True)


def write_file(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as stream:
        stream.write(text)


def link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def sync_tree(folder: Path) -> None:
    """Flush the new files to disk before they become visible."""
    for path in folder.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


RENAME_EXCHANGE = 2
AT_FDCWD = -100


def swap_in(building: Path, output_dir: Path) -> None:
    """Make `building` the output folder; the old one ends up at `building` (then removed)."""
    if not output_dir.exists():
        os.rename(building, output_dir)
        return
    if exchange(building, output_dir):
        return
    # No atomic exchange here: two renames, with the old folder restored if the second fails.
    retired = building.with_name(building.name + "-old")
    os.rename(output_dir, retired)
    try:
        os.rename(building, output_dir)
    except OSError:
        os.rename(retired, output_dir)
        raise
    os.rename(retired, building)


def exchange(first: Path, second: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): swap two paths atomically. False if unsupported."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
        renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
        renameat2.argtypes.append(ctypes.c_uint)
        result = renameat2(
            AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE
        )
        return result == 0
    return False
