"""Publishing: pages -> output/ (pages, page JSON, manifest.json, sitemap.xml), swapped in whole.

Articles stream through one at a time (memory stays flat): each is parsed once and rendered
for every region, the regions of one language sharing their rendered segments. Each page
records a hash of everything it was built from; an article whose inputs are unchanged is
not rendered again, its files are hard-linked from the previous publish. The new output is
built in a hidden folder beside the old one and exchanged with it in one rename, so a CMS
never reads a half-written publish and a failed publish leaves the previous one as it was.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from pipeline.catalogs import Translations, catalog_languages, catalog_path, read_translations
from pipeline.errors import PublishError
from pipeline.files import write_atomic
from pipeline.locales import parse_tag, same_language
from pipeline.model import Region
from pipeline.output import OutputTree, page_files, read_manifest
from pipeline.parallel import ordered_map
from pipeline.project import Project
from pipeline.regions import hotline_age_days
from pipeline.render import Draft, Page, finish_page, load_shell, page_url, render_draft

PACKAGE = Path(__file__).parent


@dataclass(frozen=True)
class PublishOptions:
    regions: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    min_complete: float | None = None  # percent; None: the project's setting
    dry_run: bool = False
    jobs: int = 0  # worker processes; 0: one per CPU
    force: bool = False  # rebuild every page, whatever the previous publish holds
    today: datetime.date = field(default_factory=datetime.date.today)


@dataclass
class PublishResult:
    pages: list = field(default_factory=list)  # manifest entries of the pages built now
    reused: int = 0  # pages whose inputs did not change: taken from the previous publish
    kept: int = 0  # pages outside a narrowed publish, carried over
    skipped: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    manifest: dict = field(default_factory=dict)
    written: bool = False
    unchanged: bool = False  # nothing to write: output/ already is this publish


@dataclass(frozen=True)
class ArticleTask:
    """What to build for one article: its regions, and the pages a narrowed publish keeps."""

    slug: str
    regions: tuple[str, ...]
    inputs: dict  # region -> inputs hash, for the regions built and the pages kept
    kept: dict  # region -> alternates of a kept page of this article (narrowed publish)
    threshold: float


@dataclass
class ArticleBuild:
    slug: str
    files: list = field(default_factory=list)  # (relative path, text)
    entries: list = field(default_factory=list)  # manifest entries
    skipped: list = field(default_factory=list)


# -- the publish ---------------------------------------------------------------------------


def publish(project: Project, options: PublishOptions, on_item=None) -> PublishResult:
    settings = project.settings
    regions = select_regions(project, options.regions)
    slugs = project.slugs(options.articles)
    threshold = settings.min_complete if options.min_complete is None else options.min_complete
    result = PublishResult(warnings=hotline_warnings(regions, settings, options.today))
    for region in regions:
        check_catalog_language(project, region)
    shell_path = settings.root / settings.page_template if settings.page_template else None
    try:
        previous = read_manifest(settings.output_dir)
    except PublishError as error:  # publishing is what repairs a damaged output: rebuild it
        result.warnings.append(f"{error}; rebuilding every page")
        previous = {}
    previous_pages = {(e["region"], e["slug"]): e for e in previous.get("pages", [])}
    previous_skips = {(e["region"], e["slug"]): e for e in previous.get("skipped", [])}
    narrowed = bool(options.regions or options.articles)
    selected_tags = tuple(region.tag for region in regions)
    fingerprint = InputFingerprint(project, shell_path, threshold)

    pages_by_article: dict[str, dict[str, dict]] = {}
    for (region, slug), entry in previous_pages.items():
        pages_by_article.setdefault(slug, {})[region] = entry
    tasks, reused = [], []
    for slug in slugs:
        inputs = {tag: fingerprint.page(slug, project.regions[tag]) for tag in selected_tags}
        before = pages_by_article.get(slug, {})
        kept = {
            region: tuple_pairs(entry)
            for region, entry in before.items()
            if narrowed and region not in inputs
        }
        # Kept pages may be rebuilt if their alternates change: their hashes come from here
        # too (a region gone from the region file is kept as it was, never rebuilt).
        inputs.update(
            {
                tag: fingerprint.page(slug, project.regions[tag])
                for tag in kept
                if tag in project.regions
            }
        )
        old = [
            previous_pages.get((tag, slug)) or previous_skips.get((tag, slug))
            for tag in selected_tags
        ]
        if not options.force and reusable(old, inputs, set(before), kept):
            reused.extend(entry for entry in old if entry is not None)
            if on_item:
                on_item()
            continue
        tasks.append(ArticleTask(slug, selected_tags, inputs, kept, threshold))

    if not options.dry_run:
        fingerprint.hashes.save()
    # The tree is prepared only when something will be written.
    tree = None if options.dry_run or not tasks else OutputTree(settings.output_dir)
    try:
        built = set()
        for build in run_tasks(project, tasks, options.jobs, shell_path):
            if tree is not None:
                for path, text in build.files:
                    tree.write(path, text)
            result.pages.extend(build.entries)
            result.skipped.extend(build.skipped)
            built |= {(entry["region"], entry["slug"]) for entry in build.entries}
            if on_item:
                on_item()
        reused_pages = [entry for entry in reused if "path" in entry]
        result.reused = len(reused_pages)
        result.skipped.extend(entry for entry in reused if "path" not in entry)
        done = built | {(e["region"], e["slug"]) for e in reused}
        selected = {(tag, slug) for tag in selected_tags for slug in slugs}
        kept_pages = [
            entry
            for key, entry in previous_pages.items()
            if narrowed and key not in selected and key not in done
        ]
        kept_skips = [
            entry
            for key, entry in previous_skips.items()
            if narrowed and key not in selected and key not in done
        ]
        result.kept = len(kept_pages)
        result.skipped = sorted(result.skipped + kept_skips, key=sort_key)
        pages = sorted(result.pages + reused_pages + kept_pages, key=sort_key)
        assets = source_assets(settings.source_dir)
        result.manifest = {
            "version": 1,
            "base_url": settings.base_url,
            "source_locale": settings.source_locale,
            "pages": pages,
            "assets": [{"path": path, "sha256": digest} for path, digest, _ in assets],
            "skipped": result.skipped,
            "warnings": result.warnings,
        }
        if options.dry_run:
            return result
        if not tasks and result.manifest == previous and settings.output_dir.is_dir():
            result.unchanged = True
            return result
        tree = tree or OutputTree(settings.output_dir)
        tree.sync_pages(pages, built)
        for path, _, data in assets:
            tree.write(path, data)
        tree.commit(dump_json(result.manifest), sitemap(result.manifest), previous.get("pages", []))
        tree = None
        result.written = True
        return result
    finally:
        if tree is not None:
            tree.abort()


ASSET_FOLDER = "images"


def source_assets(source_dir: Path) -> list[tuple[str, str, bytes]]:
    """(output path, sha256, bytes) of the images the articles use (source/images/)."""
    folder = source_dir / ASSET_FOLDER
    if not folder.is_dir():
        return []
    assets = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        relative = f"{ASSET_FOLDER}/{path.relative_to(folder).as_posix()}"
        assets.append((relative, hashlib.sha256(data).hexdigest(), data))
    return assets


def sort_key(entry: dict) -> tuple[str, str]:
    return (entry["slug"], entry["region"])


def tuple_pairs(entry: dict) -> tuple[tuple[str, str], ...]:
    return tuple((a["hreflang"], a["href"]) for a in entry["alternates"])


def reusable(old: list, inputs: dict, published_before: set, kept: dict) -> bool:
    """The previous publish holds this article's pages, built from the same inputs."""
    if any(entry is None or entry.get("inputs") != inputs[entry["region"]] for entry in old):
        return False
    published = {entry["region"] for entry in old if "path" in entry} | set(kept)
    return published == published_before  # else a region joined or left: alternates change


# -- building one article (in this process or a worker) ---------------------------------


def run_tasks(project: Project, tasks: list, jobs: int, shell_path: Path | None):
    """Article builds in task order: inline, or over `jobs` worker processes (0: all CPUs)."""
    return ordered_map(build_in_worker, tasks, jobs, start_worker, (project.settings, shell_path))


_WORKER: ArticleBuilder | None = None


def start_worker(settings, shell_path) -> None:
    global _WORKER
    _WORKER = ArticleBuilder(Project(settings), shell_path)


def build_in_worker(task: ArticleTask) -> ArticleBuild:
    return _WORKER.build(task)


class ArticleBuilder:
    """Builds the pages of one article at a time; catalogs are read once per process."""

    def __init__(self, project: Project, shell_path: Path | None):
        self.project = project
        self.shell = load_shell(shell_path)
        self.catalogs: dict[Path, Translations] = {}

    def build(self, task: ArticleTask) -> ArticleBuild:
        project, settings = self.project, self.project.settings
        self.catalogs.clear()  # an article's catalogs serve that article only
        article = project.article(task.slug)
        out = ArticleBuild(task.slug)
        drafts = self.drafts(article, task.regions)
        published: list[Draft] = []
        for draft in drafts:
            reason = skip_reason(draft, task.threshold)
            if reason:
                out.skipped.append(
                    skip(
                        draft.region.tag,
                        task.slug,
                        reason,
                        draft.completeness,
                        task.inputs[draft.region.tag],
                    )
                )
            else:
                published.append(draft)
        for tag in task.regions:
            if not any(d.region.tag == tag for d in drafts):
                out.skipped.append(
                    skip(tag, task.slug, "no catalog for this article", 0, task.inputs[tag])
                )
        source_region = parse_tag(settings.source_locale).bcp47
        tags = {draft.region.tag for draft in published} | set(task.kept)
        alternates = article_alternates(tags, settings.base_url, source_region, task.slug)
        stale = [
            tag for tag, pairs in task.kept.items() if pairs != alternates and tag in task.inputs
        ]
        # Kept pages of a narrowed publish whose alternates changed are rebuilt.
        published.extend(self.drafts(article, tuple(stale)))
        shared_alternates = [{"hreflang": h, "href": href} for h, href in alternates]
        for draft in published:
            page = finish_page(draft, alternates, settings.base_url, self.shell)
            html_path, json_path = page_paths(page.region, page.slug)
            out.files.append((html_path, page.html))
            out.files.append((json_path, dump_json(page_json(page))))
            out.entries.append(manifest_entry(page, task.inputs[page.region], shared_alternates))
        return out

    def drafts(self, article, tags: tuple[str, ...]) -> list[Draft]:
        settings = self.project.settings
        memos: dict = {}
        drafts = []
        for tag in tags:
            region = self.project.regions[tag]
            chain = self.chain(region, article.slug)
            if chain is None:
                continue
            memo = memos.setdefault((tuple(t.path for t in chain), region.direction), {})
            drafts.append(render_draft(article, region, chain, settings.source_locale, memo))
        return drafts

    def chain(self, region: Region, slug: str) -> tuple[Translations, ...] | None:
        """The region's catalogs for an article, most specific first; None when it has none."""
        settings = self.project.settings
        chain = []
        for path in catalog_chain_paths(settings, region, slug):
            if path not in self.catalogs:
                self.catalogs[path] = read_translations(path)
            chain.append(self.catalogs[path])
        if not chain and not is_source_language(settings, region):
            return None
        return tuple(chain)


# -- inputs ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of this package's code and templates: new code rebuilds every page."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".py", ".html", ".json") and path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


class InputFingerprint:
    """The hash of everything a page is built from."""

    def __init__(self, project: Project, shell_path: Path | None, threshold: float):
        settings = project.settings
        self.settings = settings
        shell = shell_path.read_bytes() if shell_path and shell_path.is_file() else b""
        self.common = json.dumps(
            [
                code_version(),
                hashlib.sha256(shell).hexdigest(),
                threshold,
                settings.base_url,
                settings.source_locale,
            ]
        )
        self.source_dir = str(settings.source_dir)
        self.catalogs = existing_catalogs(settings.locales_dir)
        self.file_hashes: dict[str, str] = {}
        self.hashes = HashCache(settings.root / ".pipeline-cache" / "file-hashes.json")

    def file_hash(self, path: str) -> str:
        digest = self.file_hashes.get(path)
        if digest is None:
            digest = self.hashes.get(path)
            self.file_hashes[path] = digest
        return digest

    def page(self, slug: str, region: Region) -> str:
        source = self.file_hash(f"{self.source_dir}/{slug}.html")
        catalogs = [
            self.file_hash(self.catalogs[(name, slug)])
            for name in region.catalogs
            if (name, slug) in self.catalogs
        ]
        data = "\0".join([self.common, source, repr(region), *catalogs])
        return hashlib.sha256(data.encode()).hexdigest()


class HashCache:
    """Content hashes of input files, trusted while size, mtime and inode are unchanged.

    As git's index does, a file modified within two seconds of the cache being written is
    hashed again ("racy" files), so a quick edit that keeps size and mtime is still seen.
    """

    RACY_SECONDS = 2.0

    def __init__(self, path: Path):
        self.path = path
        self.entries: dict = {}
        self.written_at = 0.0
        self.changed = False
        with contextlib.suppress(OSError, ValueError, TypeError):
            data = json.loads(path.read_text(encoding="utf-8"))
            self.entries, self.written_at = data["files"], float(data["written_at"])

    def get(self, path: str) -> str:
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            return "missing"
        key = [stat.st_size, stat.st_mtime_ns, stat.st_ino]
        known = self.entries.get(path)
        racy = stat.st_mtime_ns / 1e9 >= self.written_at - self.RACY_SECONDS
        if known is not None and known[:3] == key and not racy:
            return known[3]
        with open(path, "rb") as stream:
            digest = hashlib.sha256(stream.read()).hexdigest()
        self.entries[path] = [*key, digest]
        self.changed = True
        return digest

    def save(self) -> None:
        if self.changed:
            data = {"written_at": time.time(), "files": self.entries}
            write_atomic(self.path, json.dumps(data, separators=(",", ":")))


def existing_catalogs(locales_dir: Path) -> dict[tuple[str, str], str]:
    """(language, slug) -> path of every catalog, from one listing of each folder."""
    found = {}
    for language in catalog_languages(locales_dir):
        folder = f"{locales_dir}/{language}/LC_MESSAGES"
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(".po"):
                    found[(language, entry.name[:-3])] = entry.path
    return found


def catalog_chain_paths(settings, region: Region, slug: str) -> list[Path]:
    paths = [catalog_path(settings.locales_dir, name, slug) for name in region.catalogs]
    return [path for path in paths if path.is_file()]


def is_source_language(settings, region: Region) -> bool:
    return same_language(region.language, settings.source_locale)


def check_catalog_language(project: Project, region: Region) -> None:
    if is_source_language(project.settings, region):
        return
    if not any(name in catalog_languages(project.settings.locales_dir) for name in region.catalogs):
        raise PublishError(
            f"region {region.tag}: no catalogs for language {region.language!r} "
            f"(run: pipeline init {region.language})"
        )


# -- decisions and documents -----------------------------------------------------------------


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


def skip_reason(draft: Draft, threshold: float) -> str | None:
    if draft.missing_critical:
        first = draft.missing_critical[0][:60]
        return f"critical segment untranslated or broken: {first!r}"
    if draft.completeness * 100 < threshold:
        return f"{draft.completeness:.0%} translated, below the {threshold:g}% threshold"
    return None


def skip(region: str, slug: str, reason: str, completeness: float, inputs: str) -> dict:
    return {
        "region": region,
        "slug": slug,
        "reason": reason,
        "completeness": round(completeness, 4),
        "inputs": inputs,
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


def article_alternates(tags: set, base_url: str, source_region: str, slug: str) -> tuple:
    pairs = [(tag, page_url(base_url, tag, slug)) for tag in sorted(tags)]
    if tags:
        default = source_region if source_region in tags else sorted(tags)[0]
        pairs.append(("x-default", page_url(base_url, default, slug)))
    return tuple(pairs)


page_paths = page_files


def manifest_entry(page: Page, inputs: str, alternates: list | None = None) -> dict:
    """The page's manifest entry; `alternates` may be one list shared by an article's pages
    (identical for each of them: sharing keeps memory small on large sites)."""
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
        "alternates": alternates
        if alternates is not None
        else [{"hreflang": h, "href": href} for h, href in page.alternates],
        "source_hash": page.source_hash,
        "fallbacks": list(page.fallbacks),
        "inputs": inputs,
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


@cache
def xml_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


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
    # Compact: with `indent`, json falls back to its pure-Python encoder (4 s per 7,000 pages).
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
