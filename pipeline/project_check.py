"""`pipeline check` over a project: the translator checks of each catalog, number formats,
the source articles' links and numbers, and the age of the regions' hotlines."""

from __future__ import annotations

from pipeline.locales import parse_tag
from pipeline.project import (
    Project,
    is_override,
    phone_regions_for,
    pseudo_languages,
    relative,
)
from pipeline.source import article_path, read_source


def check(
    project: Project,
    languages: tuple[str, ...] = (),
    slugs: tuple[str, ...] = (),
    today=None,
    verbose: bool = False,
    jobs: int = 0,
) -> tuple[list, list[dict]]:
    """(findings, a summary per catalog) of what was asked: the catalogs of `languages`
    (default: every language but the pseudo-locales) and `slugs`, and the hotlines of the
    regions that use the languages named in `languages` (none when no language is named).
    Untranslated entries are counted in the summary; listed as findings only if `verbose`.
    Catalogs are checked over `jobs` worker processes (0: one per CPU)."""
    from pipeline.catalog_pool import map_catalogs

    findings, summary = [], []
    asked = project.languages(languages)
    if not languages:
        asked = [language for language in asked if language not in pseudo_languages(project)]
    wanted = [(slug, language) for language in asked for slug in project.slugs(slugs)]
    for language, slug, shown, found, completeness in map_catalogs(
        project, catalog_findings, wanted, jobs
    ):
        findings.extend(f for f in found if verbose or f.severity != "untranslated")
        summary.append(summary_row(language, slug, shown, found, completeness))
    findings.extend(source_findings(project, slugs))
    if languages:
        findings.extend(hotline_findings(project, set(asked), today))
    return findings, summary


def catalog_findings(project: Project, store, slug: str, language: str, path):
    """(language, slug, shown path, findings, completeness) of one catalog: the translator
    checks, and numbers written in a region's format (`map_catalogs`' work for `check`)."""
    from pipeline.checks import check_catalog
    from pipeline.numbers import number_format_findings

    source_tag = parse_tag(project.settings.source_locale).bcp47
    regions = list(project.regions.values()) if project.settings.regions_file.is_file() else []
    shown = relative(project, path)
    glossary = project.glossary(language)
    report = check_catalog(
        path, shown, phone_regions_for(project, language), language, glossary, store
    )
    found = report.findings
    if report.completeness is not None:  # read: a dose in a region's format
        found = found + number_format_findings(
            path, shown, language, slug, regions, source_tag, report.entries
        )
    if is_override(project, language):  # an override's untranslated entries are its language's
        found = [finding for finding in found if finding.code != "untranslated"]
    return language, slug, shown, found, report.completeness


def summary_row(language: str, slug: str, shown: str, found: list, completeness) -> dict:
    """One catalog's line of the summary: its counts by severity and its completeness."""
    share = completeness.share if completeness else None
    return {
        "catalog": shown,
        "language": language,
        "article": slug,
        "errors": sum(f.severity == "error" for f in found),
        "warnings": sum(f.severity == "warning" for f in found),
        "untranslated": sum(f.severity == "untranslated" for f in found),
        "completeness": None if share is None else round(share, 4),
    }


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
