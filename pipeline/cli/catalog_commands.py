"""Commands of the catalog stage: extract, init, update, status, check and pseudo."""

from __future__ import annotations

import sys

import click

from pipeline.cli.options import (
    articles_option,
    chosen_executor,
    executor_options,
    jobs_option,
    json_option,
    languages_option,
    locked,
    pass_project,
    strict_option,
)
from pipeline.cli.output import emit_json, finish, progress, shorten


@click.command()
@click.argument("slugs", nargs=-1)
@jobs_option
@executor_options
@strict_option("Markup a browser would repair is an error, not a warning.")
@json_option
@pass_project
@locked
def extract(context, slugs, jobs, executor, scheduler, strict, as_json):
    """Write locales/templates/<slug>.pot for each source article (default: all)."""
    from pipeline import workflow

    project = context.project
    where = chosen_executor(executor, scheduler)
    with progress(len(project.slugs(slugs)), "extract", as_json) as advance:
        outcome = workflow.extract(
            project, slugs, on_item=advance, jobs=jobs, strict=strict, executor=where
        )
    for item in outcome.items:
        problem = item.pop("problem")
        if problem:
            click.echo(f"warning: {problem}", err=True)
    finish(
        outcome,
        as_json,
        lambda items: [
            f"{item['template']}: {item['entries']} entries"
            f"{'' if item['changed'] else ' (unchanged)'}"
            for item in items
        ],
    )


@click.command()
@click.argument("language")
@click.argument("slugs", nargs=-1)
@click.option("--force", is_flag=True, help="Replace an existing catalog (loses its work).")
@json_option
@pass_project
@locked
def init(context, language, slugs, force, as_json):
    """Create locales/<lang>/LC_MESSAGES/<slug>.po from the templates."""
    from pipeline import workflow

    outcome = workflow.init(context.project, language, slugs, force)
    finish(outcome, as_json, lambda items: [f"created {item['catalog']}" for item in items])


@click.command()
@languages_option
@articles_option
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    show_default=True,
    help="Similarity (0..1) for keeping an edited text's translation as fuzzy (default: the "
    "project's fuzzy_threshold setting).",
)
@click.option(
    "--keep-trivial/--no-keep-trivial",
    show_default=True,
    help="Keep translations across whitespace, quote-style and small typo edits (never "
    "across a changed negation or number; default: the project's keep_trivial setting).",
)
@json_option
@pass_project
@locked
def update(context, languages, slugs, keep_trivial, threshold, as_json):
    """Merge the templates into every catalog; no translation is ever dropped."""
    from pipeline import workflow

    project = context.project
    total = len(project.slugs(slugs)) * len(project.languages(languages))
    with progress(total, "update", as_json) as advance:
        outcome = workflow.update(
            project, languages, slugs, threshold, on_item=advance, keep_trivial=keep_trivial
        )
    if as_json:
        outcome.items = [report.as_json() for report in outcome.items]
    finish(outcome, as_json, update_lines)


def update_lines(reports):
    """The lines `update` prints: a count of catalogs skipped, then each catalog merged."""
    skipped = [report for report in reports if report.skipped]
    if skipped:
        yield f"{len(skipped)} catalogs already up to date"
    for report in reports:
        if not report.skipped:
            yield from report_lines(report)


def report_lines(report):
    """One merged catalog: its counts, then each entry kept by similarity or from memory."""
    state = "updated" if report.changed else "unchanged"
    yield (
        f"{report.path}: {state}; {report.kept} kept, {report.added} new, "
        f"{len(report.fuzzy)} fuzzy, {report.obsoleted} obsolete, "
        f"{report.revived} revived"
    )
    for new, old, score, meaning_changed in report.fuzzy:
        note = "  MEANING CHANGED (negation or number)" if meaning_changed else ""
        yield f"  fuzzy {score:.2f}: {shorten(new)!r} <- {shorten(old)!r}{note}"
    for new, old in report.trivial:
        yield f"  kept (trivial edit): {shorten(new)!r} <- {shorten(old)!r}"
    for msgid, slug, score in report.from_memory:
        kind = "exact" if score == 1.0 else f"fuzzy {score:.2f}"
        yield f"  from memory ({kind}, {slug}): {shorten(msgid)!r}"


@click.command()
@languages_option
@articles_option
@jobs_option
@json_option
@pass_project
def status(context, languages, slugs, jobs, as_json):
    """Translated, fuzzy, untranslated and obsolete entries per article and language."""
    from pipeline import workflow

    rows = workflow.status(context.project, languages, slugs, jobs)
    if as_json:
        emit_json({"catalogs": [row.as_json() for row in rows]})
        return
    click.echo(
        f"{'article':<28} {'lang':<6} {'done':>6} {'transl':>6} {'fuzzy':>6} "
        f"{'untr':>6} {'obsol':>6}"
    )
    for row in (row for row in rows if not row.override_of):
        click.echo(
            f"{row.slug:<28} {row.language:<6} {row.word_share:>6.0%} "
            f"{row.translated:>6} {row.fuzzy:>6} {row.untranslated:>6} "
            f"{row.obsolete:>6}"
        )
    overrides = [row for row in rows if row.override_of]
    if overrides:
        click.echo("\nregional overrides (entries that differ from the language's catalog):")
        for row in overrides:
            click.echo(
                f"{row.slug:<28} {row.language:<6} overrides {row.translated} entries "
                f"of {row.override_of} ({row.fuzzy} fuzzy)"
            )


@click.command()
@languages_option
@articles_option
@strict_option("Warnings fail the check too (untranslated entries do not).")
@click.option("--verbose", is_flag=True, help="List every untranslated entry, not only counts.")
@jobs_option
@json_option
@pass_project
def check(context, languages, slugs, strict, verbose, jobs, as_json):
    """Quality checks of the catalogs: errors keep a translation off the page.

    Judges what was asked: the catalogs of --lang (default: all but the pseudo-locales) and
    --article, and the hotlines of the regions that use the languages named with --lang."""
    from pipeline import workflow

    findings, summary = workflow.check(
        context.project, languages, slugs, verbose=verbose, jobs=jobs
    )
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    untranslated = sum(row["untranslated"] for row in summary)
    if as_json:
        emit_json(
            {
                "errors": errors,
                "warnings": warnings,
                "untranslated": untranslated,
                "catalogs": summary,
                "findings": [f.as_json() for f in findings],
            }
        )
    else:
        check_lines(findings, summary, errors, warnings, untranslated)
    if errors or (strict and warnings):
        sys.exit(1)


def check_lines(findings, summary, errors: int, warnings: int, untranslated: int) -> None:
    """What `check` prints: each finding, then each catalog's counts, then the totals."""
    for finding in findings:
        where = f"{finding.catalog}:{finding.line}" if finding.line else finding.catalog
        entry = f" ({shorten(finding.msgid, 40)!r})" if finding.msgid else ""
        click.echo(f"{where}: {finding.severity} [{finding.code}] {finding.message}{entry}")
    for row in summary:
        done = "" if row["completeness"] is None else f", {row['completeness']:.0%} translated"
        click.echo(
            f"{row['catalog']}: {row['errors']} errors, {row['warnings']} warnings, "
            f"{row['untranslated']} untranslated{done}"
        )
    click.echo(
        f"{errors} errors, {warnings} warnings, {untranslated} untranslated"
        + (" (errors are not published: pages show the source text)" if errors else "")
    )


@click.command()
@json_option
@pass_project
@locked
def pseudo(context, as_json):
    """Build pseudo-locale catalogs and regions en-XA (accented, longer) and ar-XB (RTL)."""
    from pipeline import workflow

    outcome = workflow.pseudo(context.project)
    finish(outcome, as_json, lambda items: [f"wrote {item['catalog']}" for item in items])


COMMANDS = [extract, init, update, status, check, pseudo]
