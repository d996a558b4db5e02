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
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.catalogs import Translations, catalog_languages, catalog_path
from pipeline.checks import judged_translations
from pipeline.errors import PublishError, UsageError
from pipeline.files import read_bytes, write_atomic
from pipeline.locales import parse_tag, same_language
from pipeline.model import Region
from pipeline.output import ManifestWriter, OutputTree, PreviousManifest, dump_line, page_files
from pipeline.pagecache import SETTLED_SECONDS, code_version
from pipeline.pagereview import review_data, review_lines, strings_version
from pipeline.parallel import LOCAL, Executor, ordered_map
from pipeline.project import Project
from pipeline.regions import hotline_age_days, is_pseudo_region
from pipeline.render import Draft, Page, finish_page, load_shell, page_url, render_draft
from pipeline.signoff import PageVerdict, article_policy, gate, page_verdict, record_paths
from pipeline.state import FileHashes


@dataclass(frozen=True)
class PublishOptions:
    regions: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    min_complete: float | None = None  # percent; None: the project's setting
    dry_run: bool = False
    jobs: int = 0  # worker processes; 0: one per CPU
    force: bool = False  # rebuild every page, whatever the previous publish holds
    include_pseudo: bool | None = None  # pseudo-locale regions too; None: the project's setting
    report_entries: bool = False  # keep the manifest entry of every page built (for --json)
    executor: Executor = LOCAL  # where articles are built (a dask cluster: pipeline/cluster.py)
    today: datetime.date = field(default_factory=datetime.date.today)


@dataclass
class PublishResult:
    built: int = 0  # pages built now
    rows: list = field(default_factory=list)  # (slug, region, completeness, broken) of those
    pages: list = field(default_factory=list)  # their manifest entries (report_entries only)
    reused: int = 0  # pages whose inputs did not change: taken from the previous publish
    kept: int = 0  # pages outside a narrowed publish, carried over
    skipped: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    # Pages built now without a review that holds, under require_review = "warn"
    review_warnings: list = field(default_factory=list)
    written: bool = False
    unchanged: bool = False  # nothing to write: output/ already is this publish

    def record_built(self, entry: dict, with_entry: bool) -> None:
        self.built += 1
        # Interned: a site's pages share a handful of region tags and one slug per article.
        self.rows.append(
            (
                sys.intern(entry["slug"]),
                sys.intern(entry["region"]),
                entry["completeness"],
                len(entry["fallbacks"]),
            )
        )
        if with_entry:  # a site's worth of entries is asked for by --json only
            self.pages.append(entry)


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
    review_warnings: list = field(default_factory=list)


# -- the publish ---------------------------------------------------------------------------


def publish(project: Project, options: PublishOptions, on_item=None) -> PublishResult:
    """Two passes over the previous manifest, a page at a time: decide which articles to
    build, then write the new manifest, taking unchanged pages from the previous one."""
    settings = project.settings
    include_pseudo = (
        settings.include_pseudo if options.include_pseudo is None else options.include_pseudo
    )
    regions = select_regions(project, options.regions, include_pseudo)
    threshold = settings.min_complete if options.min_complete is None else options.min_complete
    result = PublishResult(warnings=hotline_warnings(regions, settings, options.today))
    for region in regions:
        check_catalog_language(project, region)
    shell_path = settings.root / settings.page_template if settings.page_template else None
    try:
        previous = PreviousManifest(settings.output_dir)
        plan = plan_publish(project, options, regions, previous, shell_path, threshold, on_item)
    except PublishError as error:  # publishing is what repairs a damaged output: rebuild it
        result.warnings.append(f"{error}; rebuilding every page")
        previous = PreviousManifest(None)
        plan = plan_publish(project, options, regions, previous, shell_path, threshold, on_item)
    if not options.dry_run:
        plan.fingerprint.hashes.save()
    head = {"version": 1, "base_url": settings.base_url, "source_locale": settings.source_locale}
    assets = source_assets(settings.source_dir)
    tail_assets = [{"path": path, "sha256": digest} for path, digest, _ in assets]
    result.reused, result.kept = plan.reused, plan.kept
    if (
        not plan.changed
        and not options.dry_run
        and previous.head == head
        and previous.tail.get("assets") == tail_assets
        and previous.tail.get("warnings") == result.warnings
        and previous.sharded_as(settings.manifest_shard_pages)
        and settings.output_dir.is_dir()
    ):
        result.unchanged = True
        result.skipped = previous.tail.get("skipped", [])
        return result
    tree = None if options.dry_run else OutputTree(settings.output_dir)
    writer = None
    try:
        writer = (
            None
            if tree is None
            else ManifestWriter(str(tree.root), head, settings.manifest_shard_pages)
        )
        builds = iter(run_tasks(project, plan.tasks, options.jobs, shell_path, options.executor))
        for slug, old in pages_by_article(previous, plan.order, plan.skips):
            action = plan.actions.get(slug)
            built = []
            if action == BUILD:
                build = next(builds)
                result.review_warnings.extend(build.review_warnings)
                if tree is not None:
                    for path, text in build.files:
                        tree.write(path, text)
                built = build.entries + build.skipped
                if on_item:
                    on_item()
            carried = plan.carried(slug, action, old, {entry["region"] for entry in built})
            if action == BUILD:
                result.kept += sum(1 for entry, _ in carried if "path" in entry)
            if tree is not None:
                for entry, _ in old:
                    if "path" in entry:
                        tree.retiring(entry)
            for entry, line in sorted(
                [(entry, None) for entry in built] + carried, key=lambda pair: pair[0]["region"]
            ):
                if "path" not in entry:
                    result.skipped.append(entry)
                    continue
                fresh = line is None and action == BUILD
                if fresh:
                    result.record_built(entry, options.report_entries)
                if tree is not None:
                    (tree.placed if fresh else tree.keep)(entry)
                    writer.add(entry, line)
        if tree is None:
            return result
        tree.drop_unwanted()
        for path, _, data in assets:
            tree.write(path, data)
        files = writer.close(
            {"assets": tail_assets, "skipped": result.skipped, "warnings": result.warnings}
        )
        writer = None
        tree.commit(files)
        tree = None
        result.written = True
        return result
    finally:
        if writer is not None:
            writer.discard()
        if tree is not None:
            tree.abort()


BUILD = "build"
ALL_REGIONS = "all"


@dataclass
class PublishPlan:
    """What a publish does with each article: build it, or carry its previous pages."""

    fingerprint: InputFingerprint
    narrowed: bool
    selected_tags: tuple
    skips: dict  # slug -> region -> the previous publish's skip entry
    order: list = field(default_factory=list)  # every slug of the new manifest, sorted
    actions: dict = field(default_factory=dict)  # slug -> BUILD | ALL_REGIONS | set of regions
    tasks: list = field(default_factory=list)
    reused: int = 0  # pages taken unchanged from the previous publish
    kept: int = 0  # pages outside a narrowed publish, carried over
    changed: bool = False  # the new manifest differs from the previous one in its pages

    def carried(self, slug: str, action, old: list, built: set) -> list:
        """The previous publish's pages (and skips) of an article that this one keeps."""
        if action is None:
            return []
        if action == BUILD:  # a narrowed publish keeps the regions it did not select
            return [
                (entry, line)
                for entry, line in old
                if self.narrowed
                and entry["region"] not in self.selected_tags
                and entry["region"] not in built
            ]
        return [
            (entry, line)
            for entry, line in old
            if action is ALL_REGIONS or entry["region"] in action
        ]


def plan_publish(project, options, regions, previous, shell_path, threshold, on_item):
    slugs = project.slugs(options.articles)
    wanted = set(slugs)
    narrowed = bool(options.regions or options.articles)
    selected_tags = tuple(region.tag for region in regions)
    skips: dict[str, dict] = {}
    for entry in previous.tail.get("skipped", []):
        skips.setdefault(entry["slug"], {})[entry["region"]] = entry
    fingerprint = InputFingerprint(project, shell_path, threshold)
    plan = PublishPlan(fingerprint, narrowed, selected_tags, skips)
    for slug, old in pages_by_article(previous, slugs, skips):
        plan.order.append(slug)
        before = {entry["region"]: entry for entry, _ in old if "path" in entry}
        if slug not in wanted:  # an article outside a narrowed publish, or one now gone
            if narrowed:
                plan.actions[slug] = ALL_REGIONS
                plan.kept += len(before)
            else:
                plan.changed = True
            continue
        inputs = {tag: fingerprint.page(slug, project.regions[tag]) for tag in selected_tags}
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
        olds = [before.get(tag) or skips.get(slug, {}).get(tag) for tag in selected_tags]
        if not options.force and reusable(olds, inputs, set(before), kept):
            # Every region of the previous publish outside the selection is kept (the kept
            # pages' regions are in `inputs` too, so they must not be judged by it).
            carry = set(selected_tags) | {
                entry["region"]
                for entry, _ in old
                if narrowed and entry["region"] not in selected_tags
            }
            plan.actions[slug] = carry
            plan.reused += sum(1 for entry in olds if "path" in entry)
            plan.kept += len(kept)
            plan.changed = plan.changed or any(entry["region"] not in carry for entry, _ in old)
            if on_item:
                on_item()
            continue
        plan.actions[slug] = BUILD
        plan.changed = True
        plan.tasks.append(ArticleTask(slug, selected_tags, inputs, kept, threshold))
    return plan


def pages_by_article(previous: PreviousManifest, slugs, skips: dict | None = None):
    """(slug, [(entry, line)...]) for every slug in `slugs` or in the previous publish, in
    order, the previous pages (and skips, when given) of each streamed from the manifest."""
    pages = previous.pages()
    pending = next(pages, None)
    slugs = iter(slugs)
    slug = next(slugs, None)
    skips = skips or {}
    skip_slugs = iter(sorted(skips))
    skip_slug = next(skip_slugs, None)
    while True:
        candidates = [
            s for s in (slug, pending[0]["slug"] if pending else None, skip_slug) if s is not None
        ]
        if not candidates:
            return
        current = min(candidates)
        old = []
        while pending is not None and pending[0]["slug"] == current:
            old.append(pending)
            pending = next(pages, None)
            if pending is not None and pending[0]["slug"] < current:
                raise PublishError(f"{previous.path}: pages out of order (run: publish --force)")
        if skip_slug == current:
            old.extend((entry, None) for entry in skips[current].values())
            skip_slug = next(skip_slugs, None)
        if slug == current:
            slug = next(slugs, None)
        yield current, old


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


def tuple_pairs(entry: dict) -> tuple[tuple[str, str], ...]:
    return tuple((a["hreflang"], a["href"]) for a in entry["alternates"])


def reusable(old: list, inputs: dict, published_before: set, kept: dict) -> bool:
    """The previous publish holds this article's pages, built from the same inputs."""
    if any(entry is None or entry.get("inputs") != inputs[entry["region"]] for entry in old):
        return False
    published = {entry["region"] for entry in old if "path" in entry} | set(kept)
    return published == published_before  # else a region joined or left: alternates change


# -- building one article (in this process or a worker) ---------------------------------


def run_tasks(
    project: Project, tasks: list, jobs: int, shell_path: Path | None, executor: Executor = LOCAL
):
    """Article builds in task order: inline, or over `jobs` worker processes (0: all CPUs),
    or on the dask cluster of `executor`."""
    return ordered_map(
        build_in_worker,
        tasks,
        jobs,
        start_worker,
        (project.settings, shell_path),
        executor=executor,
    )


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
        self.review_memo: dict = {}

    def build(self, task: ArticleTask) -> ArticleBuild:
        project, settings = self.project, self.project.settings
        self.catalogs.clear()  # an article's catalogs serve that article only
        article = project.article(task.slug)
        out = ArticleBuild(task.slug)
        drafts = self.drafts(article, task.regions)
        published: list[Draft] = []
        verdicts = {}
        self.review_memo: dict = {}  # language -> its review verdict, for this article
        for draft in drafts:
            verdicts[draft.region.tag] = self.review_verdict(draft)
            reason = skip_reason(draft, task.threshold) or self.review_gate(
                draft, verdicts[draft.region.tag], out
            )
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
        # Real pages never point readers at a pseudo-locale: those stay out of the alternates.
        tags = {draft.region.tag for draft in published} | set(task.kept)
        tags = {tag for tag in tags if not is_pseudo_region(tag)}
        alternates = article_alternates(tags, settings.base_url, source_region, task.slug)
        stale = [
            tag for tag, pairs in task.kept.items() if pairs != alternates and tag in task.inputs
        ]
        # Kept pages of a narrowed publish whose alternates changed are rebuilt, if they pass
        # the same gate as any other page; one that would not is kept as it was (a narrowed
        # publish loses no page outside its selection), and its old inputs hash makes the next
        # full publish judge it again.
        rebuilt = self.drafts(article, tuple(stale))
        published.extend(draft for draft in rebuilt if not skip_reason(draft, task.threshold))
        shared_alternates = [{"hreflang": h, "href": href} for h, href in alternates]
        for draft in published:
            verdict = verdicts.get(draft.region.tag) or self.review_verdict(draft)
            interval = settings.review_interval_months
            page = finish_page(
                draft,
                alternates,
                settings.base_url,
                self.shell,
                review=review_data(
                    verdict,
                    article,
                    draft.region,
                    interval,
                    draft.head.get("title", article.title),
                ),
                review_lines=tuple(review_lines(verdict, draft.region, interval)),
            )
            html_path, json_path = page_paths(page.region, page.slug)
            out.files.append((html_path, page.html))
            out.files.append((json_path, dump_json(page_json(page))))
            out.entries.append(manifest_entry(page, task.inputs[page.region], shared_alternates))
        return out

    def review_verdict(self, draft: Draft) -> PageVerdict:
        """The reviews behind a draft's page: the source's, and its catalogs'."""
        settings = self.project.settings
        chain = self.chain(draft.region, draft.article.slug) or ()
        return page_verdict(
            settings.locales_dir,
            settings.source_locale,
            draft.article,
            draft.region,
            chain,
            datetime.date.today(),
            self.review_memo,
        )

    def review_gate(self, draft: Draft, verdict: PageVerdict, out: ArticleBuild) -> str | None:
        """The skip reason under `require_review = "block"`; a warning under "warn"."""
        policy = article_policy(self.project.settings, draft.article.slug)
        if policy == "warn" and verdict.status != "reviewed":
            out.review_warnings.append(
                f"{draft.region.tag}/{draft.article.slug}: review {verdict.status} "
                '(published: require_review = "warn")'
            )
        return gate(verdict, policy)

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
            drafts.append(
                render_draft(
                    article,
                    region,
                    chain,
                    settings.source_locale,
                    memo,
                    phone_regions=self.project.phone_countries,
                    keep_authoring=settings.keep_authoring_attributes,
                )
            )
        return drafts

    def chain(self, region: Region, slug: str) -> tuple[Translations, ...] | None:
        """The region's catalogs for an article, most specific first; None when it has none."""
        settings = self.project.settings
        chain = []
        for path in catalog_chain_paths(settings, region, slug):
            if path not in self.catalogs:
                glossary = self.project.glossary(path.parent.parent.name)
                self.catalogs[path] = judged_translations(path, glossary)  # msgfmt's too
            chain.append(self.catalogs[path])
        if not chain and not is_source_language(settings, region):
            return None
        return tuple(chain)


# -- inputs ---------------------------------------------------------------------------------


class InputFingerprint:
    """The hash of everything a page is built from."""

    def __init__(self, project: Project, shell_path: Path | None, threshold: float):
        settings = project.settings
        self.settings = settings
        shell = read_bytes(shell_path) if shell_path and shell_path.is_file() else b""
        self.common = json.dumps(
            [
                code_version(),
                hashlib.sha256(shell).hexdigest(),
                threshold,
                settings.base_url,
                settings.source_locale,
                # What articles and translations are checked against: the source hotline,
                # and every country whose numbers a translation may not carry.
                repr(project.source_hotline),
                project.phone_countries,
                # What a page's review lines and policy come from, beside its record files.
                strings_version(),
                settings.require_review,
                settings.review_interval_months,
                settings.articles,
                settings.keep_authoring_attributes,
            ]
        )
        self.source_dir = str(settings.source_dir)
        self.catalogs = existing_catalogs(settings.locales_dir)
        self.file_hashes: dict[str, str] = {}
        self.hashes = FileHashes.of_project(settings.root)

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
        reviews = [
            self.file_hash(str(path))
            for path in record_paths(
                self.settings.locales_dir, self.settings.source_locale, slug, region.catalogs
            )
        ]
        data = "\0".join([self.common, source, repr(region), *catalogs, *reviews])
        return hashlib.sha256(data.encode()).hexdigest()


class HashCache:
    """Content hashes of input files, trusted while size, mtime, inode and ctime are unchanged.

    As git's index does, a file changed within two seconds of the cache being written is
    hashed again ("racy" files), so a quick edit that keeps size and mtime is still seen; ctime
    cannot be set back, so neither is an edit whose mtime was put back (as pagecache.stat_key).
    """

    RACY_SECONDS = SETTLED_SECONDS

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
        key = [stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns]
        known = self.entries.get(path)
        changed_at = max(stat.st_mtime_ns, stat.st_ctime_ns) / 1e9
        racy = changed_at >= self.written_at - self.RACY_SECONDS
        if known is not None and known[:4] == key and not racy:
            return known[4]
        digest = hashlib.sha256(read_bytes(path)).hexdigest()
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


def select_regions(
    project: Project, wanted: tuple[str, ...], include_pseudo: bool = False
) -> list[Region]:
    """The regions named (every region when none is), and the pseudo-locale regions only
    when named or `include_pseudo` asks for them all."""
    regions = project.regions
    pseudo = [region for tag, region in regions.items() if is_pseudo_region(tag)]
    if not wanted:
        return [r for r in regions.values() if include_pseudo or r not in pseudo]
    selected = []
    for name in wanted:
        tag = parse_tag(name).bcp47
        if tag not in regions:
            known = ", ".join(regions)
            raise UsageError(f"unknown region {name!r} (regions.toml has: {known})")
        selected.append(regions[tag])
    if include_pseudo:
        selected += [region for region in pseudo if region not in selected]
    return selected


def skip_reason(draft: Draft, threshold: float) -> str | None:
    foreign = foreign_number(draft)
    if foreign:
        return foreign
    if draft.missing_critical:
        first = draft.missing_critical[0][:60]
        return f"critical segment untranslated or broken: {first!r}"
    if draft.completeness * 100 < threshold:
        return f"{draft.completeness:.0%} translated, below the {threshold:g}% threshold"
    return None


def foreign_number(draft: Draft) -> str | None:
    """Why a page may not show a phone number of the source as written: a number of another
    country than the region's (a reader in crisis must find their own country's line)."""
    import phonenumbers

    country = draft.region.tag.rpartition("-")[2].upper()
    for line, written, e164 in draft.article.other_numbers:
        if phonenumbers.region_code_for_number(phonenumbers.parse(e164)) != country:
            return f"the source shows phone number {written!r} (line {line}) of another country"
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
        for line in region.lines:  # the hotline first, then the region's other lines
            age = hotline_age_days(line, today)
            if age is None:
                warnings.append(f"region {region.tag}: hotline {line.name} never verified")
            elif age > settings.hotline_max_age_days:
                warnings.append(
                    f"region {region.tag}: hotline {line.name} last verified "
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
        "review": page.review,
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
        "review": page.review,
        "structured_data": page.structured_data,
    }


def dump_json(data) -> str:
    return dump_line(data) + "\n"
