"""The review commands: sign off an article in a language, see which reviews still hold."""

from __future__ import annotations

import click

from pipeline.cli.options import (
    articles_option,
    json_option,
    language_option,
    languages_option,
    locked,
    pass_project,
)
from pipeline.cli.output import emit_json, shorten


@click.group()
def review():
    """Medical and translation review: sign off an article in a language, see what holds."""


@review.command("sign")
@click.argument("slug")
@language_option(
    "The catalog language reviewed; the source language signs the source's medical review."
)
@click.option("--reviewer", required=True, help="Who reviewed, as the page will name them.")
@click.option("--role", required=True, help="Their role or credential (e.g. 'MD, psychiatry').")
@click.option(
    "--kind",
    type=click.Choice(["medical", "linguistic"]),
    help="What was reviewed: medical (the source's only kind) or linguistic (default for a "
    "translation).",
)
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day of the review (default: today).",
)
@click.option("--note", default="", help="A remark kept with the record.")
@json_option
@pass_project
@locked
def review_sign(context, slug, language, reviewer, role, kind, day, note, as_json):
    """Record a review of the article in LANG as it is now (refused while checks fail)."""
    import datetime

    from pipeline import signoff
    from pipeline.review import review_language

    today = datetime.date.today()
    project = context.project
    _, is_source = review_language(language, project.settings.source_locale)
    who = signoff.Reviewer(
        reviewer,
        role,
        kind or ("medical" if is_source else "linguistic"),
        day.date() if day else today,
        note,
    )
    record = signoff.sign(project, slug, language, who, today)
    if as_json:
        emit_json(record)
    else:
        click.echo(
            f"{record['record']}: {record['kind']} review by {record['reviewer']} on "
            f"{record['date']} ({record['segments']} segments)"
        )


@review.command("status")
@languages_option
@articles_option
@json_option
@pass_project
def review_status(context, languages, slugs, as_json):
    """Per article and language: reviewed, stale (and which segments changed), or never."""
    from pipeline import signoff

    rows = signoff.status(context.project, slugs, languages)
    if as_json:
        emit_json({"reviews": rows})
        return
    for row in rows:
        click.echo(
            f"{row['article']:<28} {row['language']:<6} {row['kind']:<12} {status_text(row)}"
        )
        for segment in row.get("changed", ()):
            click.echo(f"    changed, line {segment['line']}: {shorten(segment['msgid'])!r}")
        if row.get("removed"):
            click.echo(f"    {row['removed']} reviewed segment(s) removed")
        for remark in row.get("remarks", ()):
            click.echo(
                f"    remark {remark['id']} by {remark['author']} on {remark['date']}, line "
                f"{remark['line']}: {shorten(remark['msgid'])!r}: {remark['text']!r}"
            )


@review.command("resolve")
@click.argument("slug")
@language_option("The language the remark is on.")
@click.option("--remark", "number", type=int, required=True, help="The remark's number.")
@click.option("--by", "name", required=True, help="Who resolved it.")
@json_option
@pass_project
def review_resolve(context, slug, language, number, name, as_json):
    """Mark a reviewer's remark resolved (see them in `review status`)."""
    import datetime

    from pipeline.remarks import language_lock, remarks_path, resolve_remark
    from pipeline.review import review_language

    settings = context.project.settings
    folder, _ = review_language(language, settings.source_locale)
    slug = context.project.slugs((slug,))[0]
    path = remarks_path(settings.locales_dir, folder, slug)
    with language_lock(settings.root, folder):
        done = resolve_remark(path, slug, folder, number, name, datetime.date.today())
    if as_json:
        emit_json(done.as_json())
    else:
        shown = path.relative_to(settings.root) if path.is_relative_to(settings.root) else path
        click.echo(f"{shown}: remark {done.id} resolved by {done.resolved_by}")


def status_text(row: dict) -> str:
    """One review's state, as `review status` words it."""
    review = row["review"]
    if row["status"] == "missing":
        return "never reviewed"
    by = f"{review['kind']} review by {review['reviewer']} ({review['role']}) on {review['date']}"
    if row["status"] == "reviewed":
        return f"reviewed: {by}"
    if row["status"] == "open-remarks":
        return f"not reviewed: {len(row['remarks'])} open remark(s) on the {by}"
    return f"stale since {row['since']}: {len(row['changed'])} segment(s) changed since the {by}"


COMMANDS = [review]
