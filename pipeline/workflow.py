"""The catalog workflow over a project: extract templates, init, update and count catalogs.

Functions here take the project and return reports; the CLI decides what to print. `check`
and `pseudo` live in their own modules and are named here too, so the workflow reads as one.
"""

from __future__ import annotations

import dataclasses
import hashlib
from functools import cached_property

from pipeline import pagecache
from pipeline.catalogs import (
    CONFLICT_SUFFIX,
    CatalogStatus,
    TranslationMemory,
    UpdateReport,
    catalog_path,
    catalog_status,
    init_catalog,
    parse_catalog,
    read_catalog,
    serialize,
    template_path,
    update_catalog,
    write_merged,
    write_template,
)
from pipeline.errors import CatalogError, PipelineError
from pipeline.files import read_bytes, read_if_present, write_atomic
from pipeline.locales import parse_tag
from pipeline.parallel import LOCAL, Executor, Outcome, ordered_map
from pipeline.pofile import Catalog
from pipeline.poreader import read_po
from pipeline.project import (  # noqa: F401 (the project's helpers, named with the workflow)
    PSEUDO_REGIONS,
    Project,
    is_override,
    phone_regions_for,
    pseudo_languages,
    relative,
)
from pipeline.project_check import check  # noqa: F401
from pipeline.pseudo_catalogs import pseudo  # noqa: F401
from pipeline.source import problems_summary
from pipeline.state import StateStore, state_path


def extract(
    project: Project,
    slugs: tuple[str, ...] = (),
    on_item=None,
    jobs: int = 0,
    strict=False,
    executor: Executor = LOCAL,
) -> Outcome:
    """Write every article's template; one broken article does not stop the others.

    Markup a browser repairs is a warning of the item (`warnings`, and `problem`: one line
    for humans); with `strict` it is an error and that article's template is not written."""
    outcome = Outcome()
    results = ordered_map(
        extract_in_worker,
        project.slugs(slugs),
        jobs,
        start_extract_worker,
        (project.settings, strict),
        chunks=True,
        executor=executor,
    )
    for item, error in results:
        if error:
            outcome.errors.append(error)
        else:
            outcome.items.append(item)
        if on_item:
            on_item()
    pagecache.prune()  # extract fills the page cache with articles: its old entries go
    return outcome


_PROJECT: Project | None = None
_STRICT = False


def start_extract_worker(settings, strict: bool = False) -> None:
    global _PROJECT, _STRICT
    _PROJECT, _STRICT = Project(settings), strict


def extract_in_worker(slug: str) -> tuple[dict | None, str | None]:
    project = _PROJECT
    try:
        article = project.article(slug)
        problem = problems_summary(article)
        if problem and _STRICT:
            return None, problem
        path = template_path(project.settings.templates_dir, slug)
        changed = write_template(path, article)
    except PipelineError as error:
        return None, str(error)
    entries = len({s.key for s in article.segments if s.translatable})
    return {
        "article": slug,
        "template": relative(project, path),
        "entries": entries,
        "changed": changed,
        "warnings": [
            {"source": article.path, "line": line, "message": message}
            for line, message in article.problems
        ],
        "problem": problem,
    }, None


def init(
    project: Project, language: str, slugs: tuple[str, ...] = (), force: bool = False
) -> Outcome:
    tag = parse_tag(language)
    outcome = Outcome()
    for slug in project.slugs(slugs):
        template_file = template_path(project.settings.templates_dir, slug)
        target = catalog_path(project.settings.locales_dir, tag.gettext, slug)
        if not template_file.is_file():
            outcome.errors.append(
                f"{relative(project, template_file)}: no template (run: pipeline extract)"
            )
            continue
        if target.exists() and not force:
            outcome.errors.append(
                f"{relative(project, target)}: already exists "
                "(use pipeline update, or --force to start over)"
            )
            continue
        text = init_catalog(
            read_catalog(template_file), tag.gettext, tag.plural_forms, tag.babel.english_name
        )
        write_atomic(target, text)
        outcome.items.append(
            {"article": slug, "language": tag.gettext, "catalog": relative(project, target)}
        )
    return outcome


def update(
    project: Project,
    languages: tuple[str, ...] = (),
    slugs: tuple[str, ...] = (),
    threshold: float | None = None,
    on_item=None,
    keep_trivial: bool | None = None,
) -> Outcome:
    """Merge templates into catalogs. A catalog whose template and own content are as the
    last update left them is skipped: merging would change nothing."""
    outcome = Outcome()
    settings = project.settings
    threshold = settings.fuzzy_threshold if threshold is None else threshold
    keep_trivial = settings.keep_trivial if keep_trivial is None else keep_trivial
    memory = MergeMemory(StateStore(state_path(settings.root)), f"{threshold} {keep_trivial}")
    memories = translation_memories(project, project.languages(languages))
    for slug in project.slugs(slugs):
        template_file = template_path(settings.templates_dir, slug)
        try:
            template_hash = file_digest(template_file)
        except CatalogError as error:
            outcome.errors.append(f"{error} (run: pipeline extract)")
            continue
        template = Template(template_file, template_hash)
        for language in project.languages(languages):
            path = catalog_path(settings.locales_dir, language, slug)
            try:
                step = CatalogUpdate(language, path, threshold, keep_trivial, memories[language])
                update_step(project, template, step, memory, outcome)
            except PipelineError as error:
                outcome.errors.append(str(error))
            if on_item:
                on_item(f"{language}/{slug}")
    memory.save()
    return outcome


def translation_memories(project: Project, languages: list[str]) -> dict:
    """Language -> the translation memory of all its catalogs (of every article)."""
    every_slug = project.slugs()
    locales_dir = project.settings.locales_dir
    return {
        language: TranslationMemory(
            [
                (slug, path)
                for slug in every_slug
                if (path := catalog_path(locales_dir, language, slug)).is_file()
            ]
        )
        for language in languages
    }


class Template:
    """One article's template, read from disk only when a catalog needs merging."""

    def __init__(self, path, digest: str):
        self.path, self.digest = path, digest

    @cached_property
    def catalog(self):
        return read_catalog(self.path)


@dataclasses.dataclass(frozen=True)
class CatalogUpdate:
    """What one catalog's update needs besides the template: where, and how to merge."""

    language: str
    path: object
    threshold: float
    keep_trivial: bool
    memory: TranslationMemory


def update_step(project: Project, template: Template, step: CatalogUpdate, memory, outcome):
    """Merge the template into one catalog unless the merge memory says it is in step,
    and record the report (and a conflict as an error) in `outcome`."""
    if memory.unchanged(step.path, template.digest):
        outcome.items.append(UpdateReport(relative(project, step.path), skipped=True))
        return
    report, merged = update_one(
        project,
        template.catalog,
        step.language,
        step.path,
        step.threshold,
        step.keep_trivial,
        step.memory,
    )
    outcome.items.append(report)
    if report.conflict:
        outcome.errors.append(conflict_message(report))
    else:
        memory.record(step.path, template.digest, merged)


def update_one(
    project, template, language, path, threshold, keep_trivial=False, translation_memory=None
) -> tuple[UpdateReport, bytes]:
    """Merge the template into one catalog: (report, the merged catalog's bytes). The
    catalog is written only if it still holds what was read (see `write_merged`): a
    translator's save during the merge is kept."""
    shown = relative(project, path)
    read = read_if_present(path)
    if read is not None:
        catalog = parse_catalog(path, read)
    else:  # a new article: an empty catalog, filled from the translation memory below
        tag = parse_tag(language)
        empty = template_without_entries(template)
        catalog = read_po(
            init_catalog(empty, tag.gettext, tag.plural_forms, tag.babel.english_name)
        )
    merged, report = update_catalog(
        catalog, template, shown, threshold, keep_trivial, translation_memory
    )
    data = serialize(merged).encode("utf-8")
    outcome = write_merged(path, data, read)
    report.changed = outcome == "written"
    if outcome == "conflict":
        report.conflict = shown + CONFLICT_SUFFIX
    return report, data


def conflict_message(report: UpdateReport) -> str:
    return (
        f"{report.path}: changed while update ran; it is kept as it is, and the update "
        f"was written to {report.conflict} (run pipeline update again to merge the new file)"
    )


def template_without_entries(template: Catalog) -> Catalog:
    return Catalog(template.header, dict(template.metadata))


def file_digest(path) -> str:
    try:
        return hashlib.sha256(read_bytes(path)).hexdigest()
    except FileNotFoundError:
        raise CatalogError(f"{path}: no such template") from None


class MergeMemory:
    """(template hash, catalog hash) of each catalog after its last update with these
    settings, kept in the project's state file (`pipeline.state`)."""

    KIND = "merged"

    def __init__(self, store: StateStore, settings_key: str):
        self.store = store
        self.settings_key = settings_key
        self.recorded: dict = {}

    def unchanged(self, catalog, template_hash: str) -> bool:
        known = self.store.get(self.KIND, str(catalog))
        if not isinstance(known, list) or known[:2] != [self.settings_key, template_hash]:
            return False
        if len(known) != 3 or not catalog.is_file():
            return False
        return known[2] == hashlib.sha256(read_bytes(catalog)).hexdigest()

    def record(self, catalog, template_hash: str, merged: bytes) -> None:
        """Remember that `catalog` holds `merged` (what the update wrote or found in step),
        not whatever the file holds now: a save since then is merged next time."""
        digest = hashlib.sha256(merged).hexdigest()
        self.recorded[str(catalog)] = [self.settings_key, template_hash, digest]

    def save(self) -> None:
        self.store.put(self.KIND, self.recorded)
        self.recorded = {}


def status(
    project: Project, languages: tuple[str, ...] = (), slugs: tuple[str, ...] = (), jobs: int = 0
) -> list[CatalogStatus]:
    """Counts per article and catalog. A regional catalog (es_MX) beside its language's (es)
    holds only the entries that differ: it is reported as an override of that language.
    Catalogs are read over `jobs` worker processes (0: one per CPU; pipeline/catalog_pool.py)."""
    from pipeline.catalog_pool import map_catalogs

    rows = []
    available = set(project.languages())
    languages = project.languages(languages)
    wanted = [(slug, language) for slug in project.slugs(slugs) for language in languages]
    for row in map_catalogs(project, status_row, wanted, jobs):
        base = parse_tag(row.language).language
        if base != row.language and base in available:
            row = dataclasses.replace(row, override_of=base)
        rows.append(row)
    return rows


def status_row(project: Project, store, slug: str, language: str, path) -> CatalogStatus:
    """One catalog's counts (`map_catalogs`' work for `status`)."""
    row = catalog_status(read_catalog(path), slug, language, relative(project, path))
    return with_completeness(project, row, path, store)


def with_completeness(project: Project, row: CatalogStatus, path, store=None) -> CatalogStatus:
    """The row with the words `checks.completeness` counts: what publish and check say."""
    from pipeline.checks import check_catalog

    phone_regions = phone_regions_for(project, row.language)
    glossary = project.glossary(row.language)
    report = check_catalog(path, row.path, phone_regions, row.language, glossary, store)
    measured = report.completeness
    if measured is None:
        return row
    return dataclasses.replace(
        row, words=measured.words, translated_words=measured.translated_words
    )
