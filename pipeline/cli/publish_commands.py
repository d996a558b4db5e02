"""Commands of the publish stage: publish output/, and show the regions it publishes for."""

from __future__ import annotations

import sys

import click

from pipeline.cli.options import (
    articles_option,
    chosen_executor,
    executor_options,
    include_pseudo_option,
    jobs_option,
    json_option,
    locked,
    pass_project,
    regions_option,
)
from pipeline.cli.output import emit_json, progress

POLICY_SKIPPED_ALL = 3  # exit status: the quality gate or min_complete left nothing to publish


@click.command()
@regions_option
@articles_option
@click.option(
    "--min-complete",
    type=click.FloatRange(0, 100),
    metavar="PCT",
    show_default=True,
    help="Skip pages with less of their source words translated (default: the project's "
    "min_complete setting).",
)
@click.option("--dry-run", is_flag=True, help="Build and report, but write nothing.")
@jobs_option
@executor_options
@click.option(
    "--force", is_flag=True, help="Rebuild every page, even those whose inputs did not change."
)
@include_pseudo_option
@json_option
@pass_project
@locked
def publish(
    context,
    regions,
    slugs,
    min_complete,
    dry_run,
    jobs,
    executor,
    scheduler,
    force,
    include_pseudo,
    as_json,
):
    """Build output/: a page per region and article, manifest.json and sitemap.xml."""
    from pipeline.interrupts import stopping_signals
    from pipeline.publish import PublishOptions
    from pipeline.publish import publish as run_publish

    project = context.project
    options = PublishOptions(
        regions,
        slugs,
        min_complete,
        dry_run,
        jobs,
        force,
        include_pseudo=include_pseudo,
        report_entries=as_json,
        executor=chosen_executor(executor, scheduler),
    )
    # SIGTERM and SIGHUP end a publish as Ctrl-C does: the tree it was building is removed.
    with stopping_signals(), progress(len(project.slugs(slugs)), "publish", as_json) as advance:
        result = run_publish(project, options, on_item=advance)
    if as_json:
        emit_json(publish_json(result, dry_run))
    else:
        publish_summary(project, result, dry_run)
    if policy_skipped_all(result, regions, slugs):
        click.echo("error: nothing published: policy skipped every requested page", err=True)
        sys.exit(POLICY_SKIPPED_ALL)


def publish_json(result, dry_run: bool) -> dict:
    """The document `publish --json` prints."""
    return {
        "written": result.written,
        "unchanged": result.unchanged,
        "dry_run": dry_run,
        "reused": result.reused,
        "kept": result.kept,
        "pages": result.pages,
        "skipped": result.skipped,
        "warnings": result.warnings,
        "review_warnings": result.review_warnings,
    }


def policy_skipped_all(result, regions: tuple[str, ...], slugs: tuple[str, ...]) -> bool:
    """Whether no requested page was published (built or unchanged) and some were skipped:
    a script must not take such a publish for a success."""
    from pipeline.locales import parse_tag

    tags = {parse_tag(name).bcp47 for name in regions}

    def requested(slug: str, region: str) -> bool:
        return (not tags or region in tags) and (not slugs or slug in slugs)

    if result.reused or any(requested(slug, region) for slug, region, *_ in result.rows):
        return False
    return any(requested(entry["slug"], entry["region"]) for entry in result.skipped)


def publish_summary(project, result, dry_run: bool) -> None:
    """What `publish` prints: its warnings, a row per page, and where the pages went."""
    for warning in result.warnings + result.review_warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{'article':<28} {'region':<8} {'done':>5}  result")
    rows = publish_rows(result)
    for slug, region, completeness, outcome in sorted(rows):
        click.echo(f"{slug:<28} {region:<8} {completeness:>5.0%}  {outcome}")
    if dry_run:
        target = "nothing written (dry run)"
    elif result.unchanged:
        target = f"{project.settings.output_dir} already up to date"
    else:
        target = str(project.settings.output_dir)
    click.echo(
        f"{result.built} built, {result.reused} unchanged, {result.kept} kept, "
        f"{len(result.skipped)} skipped -> {target}"
    )


def publish_rows(result) -> list[tuple]:
    """(article, region, completeness, outcome) of the pages built or skipped now."""
    rows = []
    for slug, region, completeness, broken in result.rows:
        outcome = "published"
        if broken:
            outcome += f" ({broken} broken translations shown in the source)"
        rows.append((slug, region, completeness, outcome))
    for skipped in result.skipped:
        rows.append(
            (
                skipped["slug"],
                skipped["region"],
                skipped["completeness"],
                f"skipped: {skipped['reason']}",
            )
        )
    return rows


@click.command()
@json_option
@pass_project
def regions(context, as_json):
    """The regions with their hotlines and how long ago each was verified."""
    import datetime

    project = context.project
    today = datetime.date.today()
    rows = [region_fields(region, today) for region in project.regions.values()]
    if as_json:
        emit_json({"regions": rows, "max_age_days": project.settings.hotline_max_age_days})
        return
    for row in rows:
        for line in region_lines(row):
            click.echo(line)


def region_fields(region, today) -> dict:
    """A region as `regions --json` shows it."""
    return {
        "region": region.tag,
        "language": region.language,
        "direction": region.direction,
        "catalogs": list(region.catalogs),
        "hotline": None if region.hotline is None else hotline_fields(region.hotline, today),
        "emergency": list(region.emergency),
        "lines": [line_fields(line, today) for line in region.lines],
        "poison": line_fields(region.poison, today) if region.poison else None,
    }


def hotline_fields(hotline, today) -> dict:
    """A region's hotline as `regions --json` shows it."""
    from pipeline.regions import hotline_age_days

    return {
        "name": hotline.name,
        "phone": hotline.national,
        "e164": hotline.e164,
        "hours": hotline.hours,
        "cost": hotline.cost,
        "website": hotline.website,
        "verified_on": hotline.verified_on.isoformat() if hotline.verified_on else None,
        "age_days": hotline_age_days(hotline, today),
    }


def line_fields(line, today) -> dict:
    """A contact line as `regions --json` shows it."""
    from pipeline.regions import hotline_age_days

    return {
        "kind": line.kind,
        "operator": line.operator,
        "name": line.name,
        "phone": line.national,
        "tel": f"tel:{line.e164}",
        "hours": line.hours,
        "free": line.free,
        "cost": line.cost,
        "languages": list(line.languages),
        "tty": line.tty or None,
        "text": line.text or None,
        "chat": line.chat or None,
        "website": line.website,
        "source": line.source or None,
        "verified_on": line.verified_on.isoformat() if line.verified_on else None,
        "age_days": hotline_age_days(line, today),
    }


def region_lines(row: dict):
    """The lines `regions` prints for one region: its hotline, other lines, emergency."""
    hotline = row["hotline"]
    if hotline is None:
        yield f"{row['region']:<7} {row['language']:<4} (no hotline)"
        return
    if hotline["age_days"] is None:
        age = "never verified"
    else:
        age = f"verified {hotline['age_days']} days ago"
    yield (
        f"{row['region']:<7} {row['language']:<4} {hotline['name']}: "
        f"{hotline['phone']} ({hotline['e164']}), {hotline['hours']}; {age}"
    )
    for line in row["lines"][1:]:
        yield f"{'':<12} {line['name']}: {line['phone']} ({line['tel'][4:]})"
    if row["emergency"]:
        yield f"{'':<12} emergency: {', '.join(row['emergency'])}"


COMMANDS = [publish, regions]
