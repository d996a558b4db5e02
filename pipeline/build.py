"""Building one article's pages for every region of a task (in this process or a worker).

An article is parsed once and rendered for each region, the regions of one language sharing
their rendered segments; each draft passes the quality gate (completeness, critical
segments, foreign numbers, review policy) or becomes a skip entry. What comes back is small:
the pages' `ManifestEntry`s and the skips. The pages' files are written by the worker into
the tree the publish prepares, when it sees that tree (local workers do, as do those of a
cluster with the output on the shared volume); others send them back with the entries.
"""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.catalogs import Translations, catalog_path
from pipeline.checks import judge_together, judged_translations
from pipeline.locales import parse_tag
from pipeline.manifest import dump_line
from pipeline.model import Region
from pipeline.output import page_files
from pipeline.pagereview import review_data, review_lines
from pipeline.pagewriter import PageWriter
from pipeline.parallel import LOCAL, Executor, groups_of, ordered_map
from pipeline.plan import ArticleTask
from pipeline.project import Project
from pipeline.regions import is_pseudo_region, is_source_language
from pipeline.render import Draft, Page, finish_page, load_shell, page_url, render_draft
from pipeline.signoff import PageVerdict, article_policy, gate, page_verdict
from pipeline.state import StateStore, state_path


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """A published page as the manifest lists it (one line of manifest.json or a shard)."""

    region: str
    language: str
    slug: str
    path: str
    json: str
    title: str
    canonical: str
    direction: str
    sha256: str
    completeness: float
    alternates: list  # [{"hreflang", "href"}], one list shared by an article's pages
    source_hash: str
    fallbacks: list
    inputs: str
    review: dict | None

    @classmethod
    def of(cls, page: Page, inputs: str, alternates: list | None = None) -> ManifestEntry:
        html_path, json_path = page_files(page.region, page.slug)
        if alternates is None:
            alternates = [{"hreflang": h, "href": href} for h, href in page.alternates]
        return cls(
            region=page.region,
            language=page.language,
            slug=page.slug,
            path=html_path,
            json=json_path,
            title=page.title,
            canonical=page.canonical,
            direction=page.direction,
            sha256=page.sha256,
            completeness=page.completeness,
            alternates=alternates,
            source_hash=page.source_hash,
            fallbacks=list(page.fallbacks),
            inputs=inputs,
            review=page.review,
        )

    def as_dict(self) -> dict:
        """The entry as the manifest writes it, keys in the contract's order."""
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass
class ArticleBuild:
    slug: str
    files: list = field(default_factory=list)  # (relative path, text) for the coordinator
    written: list = field(default_factory=list)  # relative paths this worker wrote itself
    entries: list = field(default_factory=list)  # ManifestEntry of each page built
    skipped: list = field(default_factory=list)  # skip entries (dicts, as in the manifest)
    review_warnings: list = field(default_factory=list)


def run_tasks(
    project: Project,
    tasks,
    jobs: int,
    shell_path: Path | None,
    executor: Executor = LOCAL,
    target: tuple[str, str] | None = None,
):
    """Article builds in task order: inline, or over `jobs` worker processes (0: all CPUs),
    or on the dask cluster of `executor`. Tasks go out in groups (`TaskGroups`). `target`:
    the tree the pages go into (`OutputTree.target`); None (a dry run): none is written."""
    groups = ordered_map(
        build_group_in_worker,
        TaskGroups(tasks),
        jobs,
        start_worker,
        (project.settings, shell_path, target),
        executor=executor,
        in_flight=2,  # a worker that does not see the tree sends its pages: fewer wait
    )
    # Closed with this generator: a publish that fails stops its workers before its tree goes.
    with contextlib.closing(groups):
        for group in groups:
            yield from group


class TaskGroups:
    """Article tasks in groups of up to GROUP, made as they are taken. A worker has msgfmt
    judge a group's catalogs in one run (`judge_together`); small publishes keep groups of
    one, so that every worker gets some of the work."""

    GROUP = 4  # tasks in a group at most
    GROUPS = 64  # groups at least, before a group holds more than one task

    def __init__(self, tasks):
        self.tasks = tasks
        self.size = max(1, min(self.GROUP, len(tasks) // self.GROUPS))

    def __len__(self) -> int:
        return -(-len(self.tasks) // self.size)

    def __iter__(self):
        return groups_of(self.tasks, self.size)


_WORKER: ArticleBuilder | None = None


def start_worker(settings, shell_path, target=None) -> None:
    global _WORKER
    _WORKER = ArticleBuilder(Project(settings), shell_path, target)


def build_group_in_worker(group: list[ArticleTask]) -> list[ArticleBuild]:
    _WORKER.judge_catalogs(group)  # an article alone has a catalog for each language too
    return [_WORKER.build(task) for task in group]


class ArticleBuilder:
    """Builds the pages of one article at a time; catalogs are read once per process."""

    def __init__(self, project: Project, shell_path: Path | None, target=None):
        self.project = project
        self.writer = PageWriter.attach(*target) if target else None
        self.shell = load_shell(shell_path)
        self.catalogs: dict[Path, Translations] = {}
        # msgfmt's verdicts, looked up and kept for each catalog
        self.state = StateStore(state_path(project.settings.root), keep_open=True)
        self.review_memo: dict = {}
        self.today = datetime.date.today()  # the task's, once one is built

    def build(self, task: ArticleTask) -> ArticleBuild:
        if self.writer:
            self.writer.check()  # a queued article of a publish that failed is not built
        self.catalogs.clear()  # an article's catalogs serve that article only
        self.review_memo = {}  # language -> its review verdict, for this article
        self.today = task.today
        article = self.project.article(task.slug)
        out = ArticleBuild(task.slug)
        drafts = self.drafts(article, task.regions)
        published, verdicts = self.gated(drafts, task, out)
        drafted = {draft.region.tag for draft in drafts}
        out.skipped.extend(
            skip(tag, task.slug, "no catalog for this article", 0, task.inputs[tag])
            for tag in task.regions
            if tag not in drafted
        )
        alternates = self.alternates(task, published)
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
            self.finish(draft, verdict, alternates, shared_alternates, task, out)
        return out

    def judge_catalogs(self, tasks: list[ArticleTask]) -> None:
        """msgfmt's verdicts on the catalogs the tasks' pages are built from, in one run."""
        settings, regions = self.project.settings, self.project.regions
        paths = {
            path: None
            for task in tasks
            for tag in task.regions
            for path in catalog_chain_paths(settings, regions[tag], task.slug)
        }
        judge_together(paths, self.state)

    def alternates(self, task: ArticleTask, published: list[Draft]) -> tuple:
        """(hreflang, URL) of the article's pages: those published now and those kept."""
        # Real pages never point readers at a pseudo-locale: those stay out of the alternates.
        tags = {draft.region.tag for draft in published} | set(task.kept)
        tags = {tag for tag in tags if not is_pseudo_region(tag)}
        settings = self.project.settings
        source_region = parse_tag(settings.source_locale).bcp47
        return article_alternates(tags, settings.base_url, source_region, task.slug)

    def gated(self, drafts: list[Draft], task: ArticleTask, out: ArticleBuild):
        """The drafts that pass the quality gate (the others become skips in `out`), and the
        review verdict of each draft by region."""
        published: list[Draft] = []
        verdicts = {}
        for draft in drafts:
            tag = draft.region.tag
            verdicts[tag] = self.review_verdict(draft)
            reason = skip_reason(draft, task.threshold) or self.review_gate(
                draft, verdicts[tag], out
            )
            if reason:
                out.skipped.append(
                    skip(tag, task.slug, reason, draft.completeness, task.inputs[tag])
                )
            else:
                published.append(draft)
        return published, verdicts

    def finish(self, draft, verdict, alternates, shared_alternates, task, out) -> None:
        """A page's files and manifest entry, into `out`."""
        interval = self.project.settings.review_interval_months
        article = draft.article
        page = finish_page(
            draft,
            alternates,
            self.project.settings.base_url,
            self.shell,
            review=review_data(
                verdict, article, draft.region, interval, draft.head.get("title", article.title)
            ),
            review_lines=tuple(review_lines(verdict, draft.region, interval)),
        )
        html_path, json_path = page_files(page.region, page.slug)
        for path, text in ((html_path, page.html), (json_path, dump_json(page_json(page)))):
            if self.writer:
                self.writer.write(path, text)
                out.written.append(path)
            else:
                out.files.append((path, text))
        out.entries.append(ManifestEntry.of(page, task.inputs[page.region], shared_alternates))

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
            self.today,
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
                self.catalogs[path] = judged_translations(path, glossary, self.state)
            chain.append(self.catalogs[path])
        if not chain and not is_source_language(settings, region):
            return None
        return tuple(chain)


def catalog_chain_paths(settings, region: Region, slug: str) -> list[Path]:
    paths = [catalog_path(settings.locales_dir, name, slug) for name in region.catalogs]
    return [path for path in paths if path.is_file()]


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


def article_alternates(tags: set, base_url: str, source_region: str, slug: str) -> tuple:
    pairs = [(tag, page_url(base_url, tag, slug)) for tag in sorted(tags)]
    if tags:
        default = source_region if source_region in tags else sorted(tags)[0]
        pairs.append(("x-default", page_url(base_url, default, slug)))
    return tuple(pairs)


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
