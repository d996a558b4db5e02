"""Planning a publish: which articles to build, which pages to carry over from the last one.

The previous manifest is read a page at a time beside the project's articles (both in slug
order). An article whose every page was built from the same inputs (sources, catalogs,
review records, settings: `InputFingerprint`) is carried over as it is; the others become
`ArticleTask`s, made one at a time as the builders ask for them, so that the plan holds a
few values per article and nothing per page.
"""

from __future__ import annotations

import datetime
import hashlib
import heapq
import itertools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.catalogs import catalog_languages
from pipeline.errors import PublishError
from pipeline.files import read_bytes
from pipeline.locales import parse_tag
from pipeline.manifest import PreviousManifest
from pipeline.model import Region
from pipeline.pagecache import code_version
from pipeline.pagereview import strings_version
from pipeline.project import Project
from pipeline.review import REVIEWS_FOLDER
from pipeline.state import FileHashes

BUILD = "build"
ALL_REGIONS = "all"


@dataclass(frozen=True)
class ArticleTask:
    """What to build for one article: its regions, and the pages a narrowed publish keeps."""

    slug: str
    regions: tuple[str, ...]
    inputs: dict  # region -> inputs hash, for the regions built and the pages kept
    kept: dict  # region -> alternates of a kept page of this article (narrowed publish)
    threshold: float
    # The publish's date, taken once by the command: a worker on another machine (another
    # clock, another time zone) judges review dates against the same day.
    today: datetime.date


@dataclass
class PublishPlan:
    """What a publish does with each article: build it, or carry its previous pages."""

    project: Project
    fingerprint: InputFingerprint
    narrowed: bool
    selected_tags: tuple
    threshold: float
    today: datetime.date
    skips: dict  # slug -> region -> the previous publish's skip entry
    slugs: list = field(default_factory=list)  # the articles asked for, sorted
    actions: dict = field(default_factory=dict)  # slug -> BUILD | ALL_REGIONS | set of regions
    builds: list = field(default_factory=list)  # the slugs to build, in order
    kept_of: dict = field(default_factory=dict)  # slug to build -> its kept pages' alternates
    reused: int = 0  # pages taken unchanged from the previous publish
    kept: int = 0  # pages outside a narrowed publish, carried over
    changed: bool = False  # the new manifest differs from the previous one in its pages

    def __post_init__(self):
        # The regions a reused article of a full publish carries: one set shared by all.
        self.all_selected = frozenset(self.selected_tags)

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

    def outside(self, slug: str, old: list) -> None:
        """An article outside a narrowed publish (kept whole), or one now gone."""
        if self.narrowed:
            self.actions[slug] = ALL_REGIONS
            self.kept += sum(1 for entry, _ in old if "path" in entry)
        else:
            self.changed = True

    def article(self, slug: str, old: list, force: bool) -> bool:
        """Decide an article asked for: True when it is carried over unchanged."""
        before = {entry["region"]: entry for entry, _ in old if "path" in entry}
        kept = {
            region: tuple_pairs(entry)
            for region, entry in before.items()
            if self.narrowed and region not in self.selected_tags
        }
        inputs = self.inputs(slug, kept)
        skipped = self.skips.get(slug, {})
        olds = [before.get(tag) or skipped.get(tag) for tag in self.selected_tags]
        if not force and reusable(olds, inputs, set(before), kept):
            self.reuse(slug, old, olds, kept)
            return True
        self.actions[slug] = BUILD
        self.changed = True
        self.builds.append(slug)
        if kept:
            self.kept_of[slug] = kept
        return False

    def reuse(self, slug: str, old: list, olds: list, kept: dict) -> None:
        # Every region of the previous publish outside the selection is kept (the kept
        # pages' regions are in the inputs too, so they must not be judged by them).
        extra = {
            entry["region"]
            for entry, _ in old
            if self.narrowed and entry["region"] not in self.selected_tags
        }
        carry = self.all_selected | extra if extra else self.all_selected
        self.actions[slug] = carry
        self.reused += sum(1 for entry in olds if "path" in entry)
        self.kept += len(kept)
        self.changed = self.changed or any(entry["region"] not in carry for entry, _ in old)

    def inputs(self, slug: str, kept: dict) -> dict:
        """region -> inputs hash of an article's pages: the selected regions, then the kept
        pages, which may be rebuilt if their alternates change (a region gone from the region
        file is kept as it was, never rebuilt)."""
        regions = self.project.regions
        inputs = {tag: self.fingerprint.page(slug, regions[tag]) for tag in self.selected_tags}
        inputs.update(
            {tag: self.fingerprint.page(slug, regions[tag]) for tag in kept if tag in regions}
        )
        return inputs

    @property
    def tasks(self) -> Tasks:
        return Tasks(self)


class Tasks:
    """The plan's article tasks, made as they are taken (one article's hashes at a time)."""

    def __init__(self, plan: PublishPlan):
        self.plan = plan

    def __len__(self) -> int:
        return len(self.plan.builds)

    def __iter__(self) -> Iterator[ArticleTask]:
        plan = self.plan
        for slug in plan.builds:
            kept = plan.kept_of.get(slug, {})
            inputs = plan.inputs(slug, kept)
            yield ArticleTask(slug, plan.selected_tags, inputs, kept, plan.threshold, plan.today)


def plan_publish(project, options, regions, previous, shell_path, threshold, on_item):
    """The plan of a publish of `regions` (options: articles, force), against `previous`."""
    slugs = sorted(set(project.slugs(options.articles)))
    skips: dict[str, dict] = {}
    for entry in previous.tail.get("skipped", []):
        skips.setdefault(entry["slug"], {})[entry["region"]] = entry
    plan = PublishPlan(
        project,
        InputFingerprint(project, shell_path, threshold, regions, keep_hashes=not options.dry_run),
        narrowed=bool(options.regions or options.articles),
        selected_tags=tuple(region.tag for region in regions),
        threshold=threshold,
        today=options.today,
        skips=skips,
        slugs=slugs,
    )
    wanted = set(slugs)
    for slug, old in pages_by_article(previous, slugs, skips):
        if slug not in wanted:
            plan.outside(slug, old)
        elif plan.article(slug, old, options.force) and on_item:
            on_item()
    return plan


def pages_by_article(previous: PreviousManifest, slugs, skips: dict | None = None):
    """(slug, [(entry, line)...]) for every slug in `slugs` (sorted) or in the previous
    publish, in order, the previous pages (and skips, when given) of each streamed from the
    manifest."""
    skips = skips or {}
    groups = (
        (slug, list(pairs))
        for slug, pairs in itertools.groupby(in_slug_order(previous), key=lambda p: p[0]["slug"])
    )
    group = next(groups, None)
    wanted = (slug for slug, _ in itertools.groupby(heapq.merge(slugs, sorted(skips))))
    slug = next(wanted, None)
    while slug is not None or group is not None:
        current = min(s for s in (slug, group and group[0]) if s is not None)
        old = []
        if group is not None and group[0] == current:
            old = group[1]
            group = next(groups, None)
        if slug == current:
            slug = next(wanted, None)
        old.extend((entry, None) for entry in skips.get(current, {}).values())
        yield current, old


def in_slug_order(previous: PreviousManifest):
    """The previous manifest's (entry, line) pairs, refused once a slug goes backwards."""
    last = ""
    for pair in previous.pages():
        slug = pair[0]["slug"]
        if slug < last:
            raise PublishError(f"{previous.path}: pages out of order (run: publish --force)")
        last = slug
        yield pair


def tuple_pairs(entry: dict) -> tuple[tuple[str, str], ...]:
    return tuple((a["hreflang"], a["href"]) for a in entry["alternates"])


def reusable(old: list, inputs: dict, published_before: set, kept: dict) -> bool:
    """The previous publish holds this article's pages, built from the same inputs."""
    if any(entry is None or entry.get("inputs") != inputs[entry["region"]] for entry in old):
        return False
    published = {entry["region"] for entry in old if "path" in entry} | set(kept)
    return published == published_before  # else a region joined or left: alternates change


# -- inputs ---------------------------------------------------------------------------------


class InputFingerprint:
    """The hash of everything a page is built from."""

    def __init__(
        self,
        project: Project,
        shell_path: Path | None,
        threshold: float,
        regions: list[Region],
        keep_hashes=True,
    ):
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
        self.locales_dir = str(settings.locales_dir)
        self.languages = frozenset(catalog_languages(settings.locales_dir))
        # The catalogs the publish's regions read, where they exist: an article's files are
        # looked up together when its first page is asked for. (Those of a kept page of a
        # narrowed publish, another region's, are looked up on their own.)
        self.catalog_names = tuple(
            name
            for name in dict.fromkeys(n for region in regions for n in region.catalogs)
            if name in self.languages
        )
        # The digests of one article's files (its regions share catalogs and records); the
        # articles come in order, so that nothing is held per file of the site.
        self.slug: str | None = None
        self.file_hashes: dict[str, str] = {}
        self.language_parts: dict[str, tuple] = {}  # language -> its files' hashes
        self.hashes = FileHashes.of_project(settings.root, keep=keep_hashes)
        self.region_texts: dict[str, str] = {}  # tag -> repr of its region, made once
        self.source_language = parse_tag(settings.source_locale).language
        self.review_folders: dict[str, frozenset[str]] = {}  # language -> its files

    def file_hash(self, path: str) -> str:
        digest = self.file_hashes.get(path)
        if digest is None:
            digest = self.hashes.get(path)
            self.file_hashes[path] = digest
        return digest

    def article_files(self, slug: str) -> list[str]:
        """The files the pages of `slug` may be built from: its source, catalogs and review
        files."""
        files = [f"{self.source_dir}/{slug}.html"]
        files += [f"{self.locales_dir}/{name}/LC_MESSAGES/{slug}.po" for name in self.catalog_names]
        for language in (self.source_language, *self.catalog_names):
            listed = self.review_folder(language)
            files += [
                f"{self.locales_dir}/{language}/{REVIEWS_FOLDER}/{name}"
                for name in (f"{slug}.toml", f"{slug}.remarks.toml")
                if name in listed
            ]
        return files

    def page(self, slug: str, region: Region) -> str:
        if slug != self.slug:
            self.slug = slug
            self.file_hashes = self.hashes.get_many(self.article_files(slug))
            self.language_parts = {}
        region_text = self.region_texts.get(region.tag)
        if region_text is None:
            region_text = self.region_texts[region.tag] = repr(region)
        source = self.language(self.source_language)
        chain = [self.language(name) for name in region.catalogs]
        # The review record of each language a page comes from (the source's, then its
        # catalogs'; "missing" where there is none), then those languages' remark files that
        # exist (so that pages of a project without remarks keep the inputs hash they had).
        remarks = [source[2], *(part[2] for part in chain)]
        data = "\0".join(
            [
                self.common,
                self.file_hash(f"{self.source_dir}/{slug}.html"),
                region_text,
                *[part[0] for part in chain if part[0]],
                source[1],
                *[part[1] for part in chain],
                *[digest for digest in remarks if digest != "missing"],
            ]
        )
        return hashlib.sha256(data.encode()).hexdigest()

    def language(self, name: str) -> tuple[str, str, str]:
        """The current article's catalog, review record and remarks hashes in language
        `name`, taken once for all of its regions."""
        parts = self.language_parts.get(name)
        if parts is None:
            slug = self.slug
            parts = self.language_parts[name] = (
                self.catalog_hash(name, slug),
                self.review_file_hash(name, f"{slug}.toml"),
                self.review_file_hash(name, f"{slug}.remarks.toml"),
            )
        return parts

    def review_file_hash(self, language: str, name: str) -> str:
        """The hash of a file in a language's review folder, listed once (a page would
        otherwise look for each of its files)."""
        if name not in self.review_folder(language):
            return "missing"
        return self.file_hash(f"{self.locales_dir}/{language}/{REVIEWS_FOLDER}/{name}")

    def review_folder(self, language: str) -> frozenset[str]:
        """The names in a language's review folder, listed once."""
        listed = self.review_folders.get(language)
        if listed is None:
            folder = f"{self.locales_dir}/{language}/{REVIEWS_FOLDER}"
            listed = self.review_folders[language] = frozenset(
                os.listdir(folder) if os.path.isdir(folder) else ()
            )
        return listed

    def catalog_hash(self, language: str, slug: str) -> str:
        """The hash of an article's catalog of `language`, "" when there is none (left out
        of the page's inputs)."""
        if language not in self.languages:
            return ""
        digest = self.file_hash(f"{self.locales_dir}/{language}/LC_MESSAGES/{slug}.po")
        return "" if digest == "missing" else digest
