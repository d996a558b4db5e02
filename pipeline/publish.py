"""Publishing: pages -> output/ (pages, page JSON, manifest.json, sitemap.xml), swapped in whole.

A publish is planned (`pipeline/plan.py`: which articles to build, which pages to carry over
from the previous publish, judged by a hash of everything a page is built from), its
articles are built (`pipeline/build.py`, here or on workers), and the results are merged
here, an article at a time, into a new tree: pages built now are written, unchanged ones
hard-linked from the previous publish, and the manifest and sitemap streamed a line at a
time. The tree is built in a hidden folder beside the old one and exchanged with it in one
rename, so a CMS never reads a half-written publish and a failed publish leaves the previous
one as it was. Nothing is held per page beyond what the merge needs: the summary rows of the
pages built go to a temporary file as they come.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.catalogs import catalog_languages
from pipeline.errors import PublishError, UsageError
from pipeline.locales import parse_tag
from pipeline.manifest import ManifestWriter, PreviousManifest
from pipeline.model import Region
from pipeline.output import OutputTree
from pipeline.parallel import LOCAL, Executor
from pipeline.plan import BUILD, PublishPlan, pages_by_article, plan_publish
from pipeline.project import Project
from pipeline.regions import hotline_age_days, is_pseudo_region, is_source_language

__all__ = [
    "PageRows",
    "PublishOptions",
    "PublishResult",
    "publish",
    "run_publish",
]


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


class PageRows:
    """(slug, region, completeness, broken translations) of each page built now, in the
    order built: a list to its readers, kept in a temporary file as the rows come, so that
    a site's worth of them does not stay in the coordinator's memory."""

    def __init__(self):
        self.file = None
        self.count = 0

    def append(self, row: tuple) -> None:
        if self.file is None:
            self.file = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self.file.write(json.dumps(row) + "\n")  # floats round-trip exactly
        self.count += 1

    def __len__(self) -> int:
        return self.count

    def __iter__(self):
        if self.file is None:
            return
        self.file.seek(0)
        for line in self.file:
            yield tuple(json.loads(line))
        self.file.seek(0, 2)  # rows appended later go after the others


@dataclass
class PublishResult:
    built: int = 0  # pages built now
    rows: PageRows = field(default_factory=PageRows)  # (slug, region, completeness, broken)
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
        self.rows.append(
            (entry["slug"], entry["region"], entry["completeness"], len(entry["fallbacks"]))
        )
        if with_entry:  # a site's worth of entries is asked for by --json only
            self.pages.append(entry)


# -- the publish ---------------------------------------------------------------------------


def publish(project: Project, options: PublishOptions, on_item=None) -> PublishResult:
    """Plan, build and write a publish (or, with `dry_run`, plan and build it only)."""
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
    previous, plan = planned(project, options, regions, shell_path, threshold, on_item, result)
    if not options.dry_run:
        plan.fingerprint.hashes.save()
    head = {"version": 1, "base_url": settings.base_url, "source_locale": settings.source_locale}
    assets = source_assets(settings.source_dir)
    result.reused, result.kept = plan.reused, plan.kept
    if not options.dry_run and up_to_date(plan, previous, project, head, assets, result):
        result.unchanged = True
        result.skipped = previous.tail.get("skipped", [])
        return result
    # The build stages are imported only now: a publish with nothing to build needs none.
    from pipeline.build import run_tasks

    builds = functools.partial(
        run_tasks, project, plan.tasks, options.jobs, shell_path, options.executor
    )
    if options.dry_run:
        merge_articles(Merge(plan, result, builds(), None, None, options, on_item), previous)
        return result
    merge = Merge(plan, result, None, None, None, options, on_item)
    write_output(project, merge, builds, previous, head, assets)
    return result


run_publish = publish  # the name the command line imports it under


def planned(project, options, regions, shell_path, threshold, on_item, result):
    """The previous manifest and the plan against it; a damaged previous publish is
    rebuilt whole (publishing is what repairs it), with a warning."""
    try:
        previous = PreviousManifest(project.settings.output_dir)
        plan = plan_publish(project, options, regions, previous, shell_path, threshold, on_item)
    except PublishError as error:
        result.warnings.append(f"{error}; rebuilding every page")
        previous = PreviousManifest(None)
        plan = plan_publish(project, options, regions, previous, shell_path, threshold, on_item)
    return previous, plan


def up_to_date(plan: PublishPlan, previous, project, head: dict, assets, result) -> bool:
    """Whether output/ already is this publish: nothing to build or drop, same head, assets,
    warnings and manifest layout."""
    settings = project.settings
    return (
        not plan.changed
        and previous.head == head
        and previous.tail.get("assets") == asset_entries(assets)
        and previous.tail.get("warnings") == result.warnings
        and previous.sharded_as(settings.manifest_shard_pages)
        and settings.output_dir.is_dir()
    )


def write_output(project: Project, merge: Merge, start_builds, previous, head, assets) -> None:
    """Merge into a new tree with its manifest and sitemap, then swap it in; on any failure
    the tree is removed and output/ stays as it was. `start_builds(target=...)`: the
    article builds, their workers writing pages into the tree."""
    settings = project.settings
    merge.tree = tree = OutputTree(settings.output_dir)
    writer = None
    try:
        merge.writer = writer = ManifestWriter(str(tree.root), head, settings.manifest_shard_pages)
        merge.builds = start_builds(target=tree.target())
        merge_articles(merge, previous)
        tree.drop_unwanted()
        for path, _, data in assets:
            tree.write(path, data)
        result = merge.result
        tail = {
            "assets": asset_entries(assets),
            "skipped": result.skipped,
            "warnings": result.warnings,
        }
        files = writer.close(tail)
        writer = None
        tree.commit(files)
        tree = None
        result.written = True
    finally:
        if writer is not None:
            writer.discard()
        if tree is not None:
            tree.stop_writers()
            if merge.builds is not None:
                # Waits for the workers' articles in flight. The publish has failed already:
                # its own error is the one to report, not one of a worker stopped midway.
                with contextlib.suppress(Exception):
                    merge.builds.close()
            tree.abort()


def merge_articles(merge: Merge, previous: PreviousManifest) -> None:
    plan = merge.plan
    for slug, old in pages_by_article(previous, plan.slugs, plan.skips):
        merge.article(slug, old)


class Merge:
    """The new publish, an article at a time in slug order: its pages built now (taken from
    the builds in the same order) and those carried over from the previous publish."""

    def __init__(self, plan: PublishPlan, result, builds, tree, writer, options, on_item):
        self.plan, self.result, self.builds = plan, result, builds
        self.tree, self.writer = tree, writer
        self.report_entries = options.report_entries
        self.on_item = on_item

    def article(self, slug: str, old: list) -> None:
        action = self.plan.actions.get(slug)
        built = self.take_build() if action == BUILD else []
        carried = self.plan.carried(slug, action, old, {entry["region"] for entry in built})
        if action == BUILD:
            self.result.kept += sum(1 for entry, _ in carried if "path" in entry)
        if self.tree is not None:
            for entry, _ in old:
                if "path" in entry:
                    self.tree.retiring(entry)
        pairs = [(entry, None) for entry in built] + carried
        for entry, line in sorted(pairs, key=lambda pair: pair[0]["region"]):
            self.place(entry, line, fresh=line is None and action == BUILD)

    def take_build(self) -> list[dict]:
        """The next article's build: its files written, its entries and skips as dicts."""
        build = next(self.builds)
        self.result.review_warnings.extend(build.review_warnings)
        if self.tree is not None:
            for path, text in build.files:
                self.tree.write(path, text)
            for path in build.written:
                self.tree.written_there(path)
        if self.on_item:
            self.on_item()
        return [entry.as_dict() for entry in build.entries] + build.skipped

    def place(self, entry: dict, line: str | None, fresh: bool) -> None:
        if "path" not in entry:
            self.result.skipped.append(entry)
            return
        if fresh:
            self.result.record_built(entry, self.report_entries)
        if self.tree is not None:
            (self.tree.placed if fresh else self.tree.keep)(entry)
            self.writer.add(entry, line)


# -- what a publish starts from --------------------------------------------------------------

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


def asset_entries(assets) -> list[dict]:
    """The manifest's `assets`: path and sha256 of each."""
    return [{"path": path, "sha256": digest} for path, digest, _ in assets]


def check_catalog_language(project: Project, region: Region) -> None:
    if is_source_language(project.settings, region):
        return
    if not any(name in catalog_languages(project.settings.locales_dir) for name in region.catalogs):
        raise PublishError(
            f"region {region.tag}: no catalogs for language {region.language!r} "
            f"(run: pipeline init {region.language})"
        )


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
