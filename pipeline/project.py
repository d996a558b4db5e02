"""A project on disk: settings, regions and the catalog workflow (extract, init, update, status).

Functions here take the settings and return reports; the CLI decides what to print.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
from dataclasses import dataclass
from functools import cached_property

from pipeline.catalogs import (
    CONFLICT_SUFFIX,
    CatalogStatus,
    TranslationMemory,
    UpdateReport,
    catalog_languages,
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
from pipeline.config import Settings
from pipeline.errors import CatalogError, PipelineError, UsageError
from pipeline.files import read_bytes, read_if_present, safe_name, write_atomic
from pipeline.locales import parse_tag
from pipeline.model import Article, Region
from pipeline.parallel import LOCAL, Executor, Outcome, ordered_map
from pipeline.pofile import Catalog
from pipeline.poreader import read_po
from pipeline.regions import load_regions, phone_countries
from pipeline.segment import HotlineSpec
from pipeline.source import (
    article_path,
    list_slugs,
    load_article,
    problems_summary,
    read_source,
)

PSEUDO_REGIONS = "regions.pseudo.toml"


@dataclass(frozen=True)
class Project:
    settings: Settings

    @cached_property
    def regions(self) -> dict[str, Region]:
        """The region file's regions, then the pseudo-locales if `pipeline pseudo` made them."""
        regions = load_regions(self.settings.regions_file)
        pseudo = self.settings.regions_file.with_name(PSEUDO_REGIONS)
        if pseudo.is_file():
            regions.update(load_regions(pseudo))
        return regions

    @cached_property
    def phone_countries(self) -> tuple[str, ...]:
        """Every country of the region file: a number in any of their formats typed into a
        translation is an error for `check` and is never published."""
        if not self.settings.regions_file.is_file():
            return ()
        return phone_countries(self.regions, self.settings.source_locale)

    @cached_property
    def glossaries(self) -> dict:
        """Catalog language -> its glossary or None, filled as `glossary` reads them."""
        return {}

    def glossary(self, language: str):
        """The language's glossary (`pipeline.glossary`), or None: read once per project."""
        from pipeline.glossary import load_glossary

        if language not in self.glossaries:
            settings = self.settings
            self.glossaries[language] = load_glossary(
                settings.locales_dir, language, settings.source_locale
            )
        return self.glossaries[language]

    @cached_property
    def source_hotline(self) -> HotlineSpec | None:
        """The hotline the articles are written with (the source locale's region).

        Without one (no such region, or it has no hotline) the spec has no numbers: any
        phone number in an article then keeps its pages out of other countries' regions."""
        if not self.settings.regions_file.is_file():
            return None
        source = parse_tag(self.settings.source_locale)
        region = self.regions.get(source.bcp47)
        numbers = frozenset({region.hotline.e164}) if region and region.hotline else frozenset()
        return HotlineSpec(source.territory or "US", numbers, self.phone_countries)

    def slugs(self, wanted: tuple[str, ...] = ()) -> list[str]:
        available = list_slugs(self.settings.source_dir)
        if not wanted:
            return available
        for slug in wanted:
            safe_name(slug, "slug")  # a slug with '../' is a usage error, not a missing file
        missing = [slug for slug in wanted if slug not in available]
        if missing:
            raise UsageError(f"no source article {missing[0]!r} in {self.settings.source_dir}")
        return list(wanted)

    def article(self, slug: str) -> Article:
        return load_article(self.settings.source_dir, slug, self.source_hotline, self.settings.root)

    def languages(self, wanted: tuple[str, ...] = ()) -> list[str]:
        available = catalog_languages(self.settings.locales_dir)
        if not wanted:
            return available
        names = [parse_tag(language).gettext for language in wanted]
        missing = [name for name in names if name not in available]
        if missing:
            raise UsageError(
                f"no catalogs for language {missing[0]!r} (run: pipeline init {missing[0]})"
            )
        return names


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
    memory = MergeMemory(
        settings.root / ".pipeline-cache" / "merged.json", f"{threshold} {keep_trivial}"
    )
    every_slug = project.slugs()
    translation_memories = {
        language: TranslationMemory(
            [
                (slug, path)
                for slug in every_slug
                if (path := catalog_path(settings.locales_dir, language, slug)).is_file()
            ]
        )
        for language in project.languages(languages)
    }
    for slug in project.slugs(slugs):
        template_file = template_path(settings.templates_dir, slug)
        try:
            template_hash = file_digest(template_file)
        except CatalogError as error:
            outcome.errors.append(f"{error} (run: pipeline extract)")
            continue
        template = None
        for language in project.languages(languages):
            path = catalog_path(settings.locales_dir, language, slug)
            try:
                if memory.unchanged(path, template_hash):
                    outcome.items.append(UpdateReport(relative(project, path), skipped=True))
                else:
                    template = template or read_catalog(template_file)
                    report, merged = update_one(
                        project,
                        template,
                        language,
                        path,
                        threshold,
                        keep_trivial,
                        translation_memories[language],
                    )
                    outcome.items.append(report)
                    if report.conflict:
                        outcome.errors.append(conflict_message(report))
                    else:
                        memory.record(path, template_hash, merged)
            except PipelineError as error:
                outcome.errors.append(str(error))
            if on_item:
                on_item(f"{language}/{slug}")
    memory.save()
    return outcome


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
    """(template hash, catalog hash) of each catalog after its last update."""

    def __init__(self, path, settings_key: str):
        self.path = path
        self.settings_key = settings_key
        self.entries: dict = {}
        self.changed = False
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("settings") == settings_key:
                self.entries = data["catalogs"]

    def unchanged(self, catalog, template_hash: str) -> bool:
        known = self.entries.get(str(catalog))
        if known is None or known[0] != template_hash or not catalog.is_file():
            return False
        return known[1] == hashlib.sha256(read_bytes(catalog)).hexdigest()

    def record(self, catalog, template_hash: str, merged: bytes) -> None:
        """Remember that `catalog` holds `merged` (what the update wrote or found in step),
        not whatever the file holds now: a save since then is merged next time."""
        self.entries[str(catalog)] = [template_hash, hashlib.sha256(merged).hexdigest()]
        self.changed = True

    def save(self) -> None:
        if self.changed:
            write_atomic(
                self.path, json.dumps({"settings": self.settings_key, "catalogs": self.entries})
            )


def status(
    project: Project, languages: tuple[str, ...] = (), slugs: tuple[str, ...] = ()
) -> list[CatalogStatus]:
    """Counts per article and catalog. A regional catalog (es_MX) beside its language's (es)
    holds only the entries that differ: it is reported as an override of that language."""
    rows = []
    available = set(project.languages())
    for slug in project.slugs(slugs):
        for language in project.languages(languages):
            path = catalog_path(project.settings.locales_dir, language, slug)
            if not path.exists():
                continue
            row = catalog_status(read_catalog(path), slug, language, relative(project, path))
            row = with_completeness(project, row, path)
            base = parse_tag(language).language
            if base != language and base in available:
                row = dataclasses.replace(row, override_of=base)
            rows.append(row)
    return rows


def with_completeness(project: Project, row: CatalogStatus, path) -> CatalogStatus:
    """The row with the words `checks.completeness` counts: what publish and check say."""
    from pipeline.checks import check_catalog

    phone_regions = phone_regions_for(project, row.language)
    glossary = project.glossary(row.language)
    measured = check_catalog(path, row.path, phone_regions, row.language, glossary).completeness
    if measured is None:
        return row
    return dataclasses.replace(
        row, words=measured.words, translated_words=measured.translated_words
    )


def is_override(project: Project, language: str) -> bool:
    """Whether a catalog language is a regional override (es_MX) of a language (es) that has
    catalogs: it holds only the entries that differ."""
    base = parse_tag(language).language
    return base != language and base in project.languages()


def relative(project: Project, path) -> str:
    try:
        return path.relative_to(project.settings.root).as_posix()
    except ValueError:
        return str(path)


def pseudo_languages(project: Project) -> set[str]:
    """The catalog languages of the pseudo regions (`pipeline pseudo`)."""
    path = project.settings.regions_file.with_name(PSEUDO_REGIONS)
    return {region.language for region in load_regions(path).values()} if path.is_file() else set()


def phone_regions_for(project: Project, language: str) -> tuple[str, ...]:
    """The countries whose numbers check looks for in a language's translations: those of
    the regions that use its catalogs, and the source's."""
    regions = project.regions if project.settings.regions_file.is_file() else {}
    source = parse_tag(project.settings.source_locale)
    territories = [parse_tag(r.tag).territory for r in regions.values() if language in r.catalogs]
    # The language's own countries first, then every other of the region file (as publish
    # finds them): a number of any of them must not reach a page.
    return tuple(dict.fromkeys([*territories, source.territory or "US", *project.phone_countries]))


def check(
    project: Project,
    languages: tuple[str, ...] = (),
    slugs: tuple[str, ...] = (),
    today=None,
    verbose: bool = False,
) -> tuple[list, list[dict]]:
    """(findings, a summary per catalog) of what was asked: the catalogs of `languages`
    (default: every language but the pseudo-locales) and `slugs`, and the hotlines of the
    regions that use the languages named in `languages` (none when no language is named).
    Untranslated entries are counted in the summary; listed as findings only if `verbose`."""
    from pipeline.checks import check_catalog
    from pipeline.numbers import number_format_findings

    findings, summary = [], []
    source_tag = parse_tag(project.settings.source_locale).bcp47
    regions = list(project.regions.values()) if project.settings.regions_file.is_file() else []
    asked = project.languages(languages)
    if not languages:
        asked = [language for language in asked if language not in pseudo_languages(project)]
    for language in asked:
        phone_regions = phone_regions_for(project, language)
        glossary = project.glossary(language)
        for slug in project.slugs(slugs):
            path = catalog_path(project.settings.locales_dir, language, slug)
            if not path.is_file():
                continue
            shown = relative(project, path)
            report = check_catalog(path, shown, phone_regions, language, glossary)
            found = report.findings + number_format_findings(  # a dose in a region's format
                path, shown, language, slug, regions, source_tag
            )
            if is_override(project, language):  # its untranslated entries are the language's
                found = [finding for finding in found if finding.code != "untranslated"]
            untranslated = sum(f.severity == "untranslated" for f in found)
            findings.extend(f for f in found if verbose or f.severity != "untranslated")
            share = report.completeness.share if report.completeness else None
            summary.append(
                {
                    "catalog": relative(project, path),
                    "language": language,
                    "article": slug,
                    "errors": sum(f.severity == "error" for f in found),
                    "warnings": sum(f.severity == "warning" for f in found),
                    "untranslated": untranslated,
                    "completeness": None if share is None else round(share, 4),
                }
            )
    findings.extend(source_findings(project, slugs))
    if languages:
        findings.extend(hotline_findings(project, set(asked), today))
    return findings, summary


def source_findings(project: Project, slugs: tuple[str, ...]) -> list:
    """Warnings about the source articles themselves: links that run a script, and phone
    numbers other than the hotline (which keep their pages out of other countries)."""
    from pipeline.checks import Finding, source_url_findings

    findings = []
    for slug in project.slugs(slugs):
        path = article_path(project.settings.source_dir, slug)
        shown = relative(project, path)
        findings.extend(source_url_findings(read_source(path), shown))
        findings.extend(
            Finding(
                "warning",
                "phone",
                f"phone number {written!r} is not the source region's hotline: pages of "
                "regions in other countries are not published",
                shown,
                line,
            )
            for line, written, _ in project.article(slug).other_numbers
        )
    return findings


def hotline_findings(project: Project, languages: set[str], today=None) -> list:
    """Hotline-age warnings of the regions whose catalogs include one of `languages`."""
    import datetime

    from pipeline.checks import Finding
    from pipeline.regions import hotline_age_days

    if not project.settings.regions_file.is_file():
        return []
    today = today or datetime.date.today()
    limit = project.settings.hotline_max_age_days
    shown = relative(project, project.settings.regions_file)
    findings = []
    for region in project.regions.values():
        if not languages & set(region.catalogs):
            continue
        for line in region.lines:
            age = hotline_age_days(line, today)
            if age is None or age > limit:
                state = "was never verified" if age is None else f"was verified {age} days ago"
                findings.append(
                    Finding(
                        "warning",
                        "hotline-age",
                        f"region {region.tag}: hotline {line.name} {state} (limit {limit} days)",
                        shown,
                    )
                )
    return findings


def pseudo(project: Project) -> Outcome:
    """Catalogs and regions for the pseudo-locales en-XA (accented, longer) and ar-XB
    (right to left), from every template, so a content lead can publish them and look."""
    from pipeline.checks import segment_for
    from pipeline.pseudo import accented, mirrored, pseudo_translate

    outcome = Outcome()
    locales = {"en_XA": accented, "ar_XB": mirrored}
    for slug in project.slugs():
        template_file = template_path(project.settings.templates_dir, slug)
        try:
            template = read_catalog(template_file)
        except CatalogError as error:
            outcome.errors.append(f"{error} (run: pipeline extract)")
            continue
        for language, transform in locales.items():
            tag = parse_tag(language)
            entries = tuple(
                dataclasses.replace(
                    entry,
                    msgstr=pseudo_translate(segment_for(entry.msgid, entry.is_format), transform),
                )
                for entry in template
            )
            path = catalog_path(project.settings.locales_dir, language, slug)
            write_atomic(
                path,
                init_catalog(
                    dataclasses.replace(template, entries=entries),
                    language,
                    tag.plural_forms,
                    f"Pseudo-locale {tag.bcp47}",
                    keep_msgstr=True,
                ),
            )
            outcome.items.append(
                {"article": slug, "language": language, "catalog": relative(project, path)}
            )
    source = project.regions.get(parse_tag(project.settings.source_locale).bcp47)
    write_atomic(
        project.settings.regions_file.with_name(PSEUDO_REGIONS),
        pseudo_regions(source, parse_tag(project.settings.source_locale)),
    )
    return outcome


def pseudo_regions(source: Region | None, source_tag) -> str:
    """The pseudo regions, with the source region's hotline so pages show a real number."""
    lines = ["# Made by `pipeline pseudo`: pseudo-locales for layout testing. Do not edit.", ""]
    hotline = source.hotline if source else None
    for tag, language in (("en-XA", "en_XA"), ("ar-XB", "ar_XB")):
        lines += [
            f"[regions.{tag}]",
            f'language = "{language}"',
            f'phone_region = "{source_tag.territory or "US"}"',
        ]
        if source and source.emergency:
            lines.append(f"emergency = {json.dumps(list(source.emergency))}")
        if hotline:
            fields = {
                "kind": hotline.kind,
                "name": hotline.name,
                "phone": hotline.phone,
                "hours": hotline.hours,
                "cost": hotline.cost,
                "website": hotline.website,
            }
            if hotline.free is not None:
                fields["free"] = hotline.free
            body = ", ".join(
                f"{key} = {json.dumps(value, ensure_ascii=False)}"
                for key, value in fields.items()
                if value
            )
            lines.append(f"hotline = {{ {body} }}")
        lines.append("")
    return "\n".join(lines)
