"""The command line: thin click commands over the pipeline's stages."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager, suppress
from functools import cached_property, wraps
from pathlib import Path
from typing import NoReturn

import click

from pipeline.config import find_root, load_settings
from pipeline.errors import PipelineError


class Context:
    """The project a command works on, found once by the root group."""

    def __init__(self, root: Path):
        self.root = root

    @cached_property
    def settings(self):
        return load_settings(self.root)

    @property
    def project(self) -> workflow.Project:  # noqa: F821 (imported on use)
        from pipeline import project as workflow

        return workflow.Project(self.settings)


def fail(as_json: bool, code: str, message: str, status: int) -> NoReturn:
    """End the command: one `error:` line on stderr and, with --json, the error on stdout."""
    if as_json:
        import json  # only for --json output

        click.echo(json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False))
    click.echo(f"error: {message}", err=True)
    sys.exit(status)


def wants_json(args) -> bool:
    """Whether the command line asks for --json (known before, or without, parsing it)."""
    args = list(args)
    return "--json" in (args[: args.index("--")] if "--" in args else args)


class PipelineGroup(click.Group):
    """The root group: every command's expected failures end here, once, as one line (and a
    JSON error under --json) with the documented exit status; never a traceback."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        args = list(sys.argv[1:] if args is None else args)
        try:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as error:
            if not wants_json(args):
                error.show()
                sys.exit(error.exit_code)
            fail(True, "usage", error.format_message(), error.exit_code)
        except click.ClickException as error:
            fail(wants_json(args), "failed", error.format_message(), error.exit_code)
        except click.Abort:
            fail(wants_json(args), "interrupted", "interrupted", 130)

    def invoke(self, ctx):
        as_json = wants_json(ctx.args)  # taken now: invoking hands the arguments on
        try:
            return super().invoke(ctx)
        except PipelineError as error:
            fail(as_json, error.code, str(error), error.exit_code)
        except OSError as error:  # the system said no: a full disk, a busy port, permissions
            where = f"{error.filename}: " if error.filename else ""
            fail(as_json, "system", f"{where}{error.strerror or error}", 1)
        except KeyboardInterrupt:
            fail(as_json, "interrupted", "interrupted: nothing half-written was left behind", 130)


def emit_json(data) -> None:
    import json  # only for --json output

    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def finish(outcome, as_json: bool, lines) -> None:
    """Print a batch outcome; exit 1 when any item failed."""
    if as_json:
        emit_json({"items": outcome.items, "errors": outcome.errors})
    else:
        for line in lines(outcome.items):
            click.echo(line)
    for error in outcome.errors:
        click.echo(f"error: {error}", err=True)
    if outcome.errors:
        sys.exit(1)


@contextmanager
def progress(length: int, label: str, as_json: bool = False):
    """A progress bar on a terminal; nothing when piped or asked for JSON."""
    if as_json or not sys.stderr.isatty() or length < 2:
        yield lambda item=None: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield lambda item=None: bar.update(1)


# -- options shared by several commands ------------------------------------------------------

json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")

jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(0, 256),
    default=0,
    show_default=True,
    help="Worker processes (0: one per CPU).",
)


def executor_options(command):
    """--executor and --scheduler: where a batch command's work runs (see pipeline/cluster.py)."""
    command = click.option(
        "--scheduler",
        metavar="ADDRESS",
        help="With --executor dask: the scheduler of an existing dask.distributed cluster "
        "(tcp://host:8786); without it, a local cluster of --jobs workers.",
    )(command)
    return click.option(
        "--executor",
        type=click.Choice(["local", "dask"]),
        default="local",
        show_default=True,
        help="Where the work runs: this machine's processes, or a dask cluster "
        "(needs pipeline[dask]; workers read the project from the same path).",
    )(command)


def chosen_executor(executor: str, scheduler: str | None):
    from pipeline.errors import UsageError
    from pipeline.parallel import Executor

    if scheduler and executor != "dask":
        raise UsageError("--scheduler needs --executor dask")
    return Executor(executor, scheduler)


project_option = click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Project folder (default: the nearest one holding pyproject.toml).",
)


def locked(command):
    """Run `command` holding the project's lock (see pipeline.lock), with a --wait flag."""

    @click.option("--wait", is_flag=True, help="Wait for another run on the project to end.")
    @click.pass_context
    @wraps(command)
    def wrapper(ctx, *args, wait, **kwargs):
        from pipeline.lock import project_lock

        root = ctx.find_object(Context).root
        with project_lock(root / ".pipeline-cache", ctx.command_path, wait):
            return command(*args, **kwargs)

    return wrapper


def settings_defaults(context: Context) -> dict:
    """`[tool.pipeline]` settings as click's default_map: laid under the flags, so a flag
    given on the command line wins and `--help` shows the project's value."""
    from pipeline.errors import ConfigError

    try:
        settings = context.settings
    except ConfigError:
        return {}  # reported by the command itself, when it loads the project
    return {
        "update": {"threshold": settings.fuzzy_threshold, "keep_trivial": settings.keep_trivial},
        "publish": {"min_complete": settings.min_complete},
    }


@click.group(cls=PipelineGroup)
@project_option
@click.version_option(package_name="pipeline")
@click.pass_context
def main(ctx, project_dir):
    """Localize HTML articles through gettext catalogs and publish them per region."""
    ctx.obj = Context(project_dir.resolve() if project_dir else find_root(Path.cwd()))
    if ctx.invoked_subcommand in ("update", "publish"):
        ctx.default_map = settings_defaults(ctx.obj)


def run() -> None:
    """The `pipeline` command: the CLI, then an exit that skips tearing the interpreter down.

    Freeing every module and object at exit took 30 ms of a 0.5 s merge of 1,000 pages.
    Nothing is left to finish by then: files are closed as they are written and no atexit
    hook is ours (the worker pool is shut down), so only the standard streams need flushing.
    """
    try:
        main(prog_name="pipeline")
        code = 0
    except SystemExit as exit:
        code = exit.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # what the interpreter does with sys.exit("message")
        code = 1
    for stream in (sys.stdout, sys.stderr):
        # A reader gone (`| head`) or a closed stream: nothing more can reach it.
        with suppress(BrokenPipeError, ValueError):
            stream.flush()
    os._exit(code or 0)


pass_project = click.make_pass_decorator(Context)


@main.command()
@click.argument("slugs", nargs=-1)
@jobs_option
@executor_options
@click.option(
    "--strict", is_flag=True, help="Markup a browser would repair is an error, not a warning."
)
@json_option
@pass_project
@locked
def extract(context, slugs, jobs, executor, scheduler, strict, as_json):
    """Write locales/templates/<slug>.pot for each source article (default: all)."""
    from pipeline import project as workflow

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


@main.command()
@click.argument("language")
@click.argument("slugs", nargs=-1)
@click.option("--force", is_flag=True, help="Replace an existing catalog (loses its work).")
@json_option
@pass_project
@locked
def init(context, language, slugs, force, as_json):
    """Create locales/<lang>/LC_MESSAGES/<slug>.po from the templates."""
    from pipeline import project as workflow

    outcome = workflow.init(context.project, language, slugs, force)
    finish(outcome, as_json, lambda items: [f"created {item['catalog']}" for item in items])


@main.command()
@click.option("--lang", "languages", multiple=True, help="Only this language (repeatable).")
@click.option("--article", "slugs", multiple=True, help="Only this article (repeatable).")
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
    from pipeline import project as workflow

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
    skipped = [report for report in reports if report.skipped]
    if skipped:
        yield f"{len(skipped)} catalogs already up to date"
    for report in reports:
        if report.skipped:
            continue
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


def shorten(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@main.command()
@click.option("--lang", "languages", multiple=True, help="Only this language (repeatable).")
@click.option("--article", "slugs", multiple=True, help="Only this article (repeatable).")
@json_option
@pass_project
def status(context, languages, slugs, as_json):
    """Translated, fuzzy, untranslated and obsolete entries per article and language."""
    from pipeline import project as workflow

    rows = workflow.status(context.project, languages, slugs)
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


INCLUDE_PSEUDO = click.option(
    "--include-pseudo",
    is_flag=True,
    help="Also the pseudo-locale regions (en-XA, ar-XB); naming one with --region is enough.",
)


@main.command()
@click.option("--region", "regions", multiple=True, help="Only this region (repeatable).")
@click.option("--article", "slugs", multiple=True, help="Only this article (repeatable).")
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
@INCLUDE_PSEUDO
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
    from pipeline.publish import PublishOptions
    from pipeline.publish import publish as run_publish
    from pipeline.serve import stopping_signals

    project = context.project
    where = chosen_executor(executor, scheduler)
    options = PublishOptions(
        regions,
        slugs,
        min_complete,
        dry_run,
        jobs,
        force,
        include_pseudo=include_pseudo or None,  # unset: the project's include_pseudo setting
        report_entries=as_json,
        executor=where,
    )
    # SIGTERM and SIGHUP end a publish as Ctrl-C does: the tree it was building is removed.
    with stopping_signals(), progress(len(project.slugs(slugs)), "publish", as_json) as advance:
        result = run_publish(project, options, on_item=advance)
    if as_json:
        emit_json(
            {
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
        )
    else:
        publish_summary(project, result, dry_run)
    if policy_skipped_all(result, regions, slugs):
        click.echo("error: nothing published: policy skipped every requested page", err=True)
        sys.exit(POLICY_SKIPPED_ALL)


POLICY_SKIPPED_ALL = 3  # exit status: the quality gate or min_complete left nothing to publish


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


@main.command()
@click.option("--lang", "languages", multiple=True, help="Only this language (repeatable).")
@click.option("--article", "slugs", multiple=True, help="Only this article (repeatable).")
@click.option(
    "--strict", is_flag=True, help="Warnings fail the check too (untranslated entries do not)."
)
@click.option("--verbose", is_flag=True, help="List every untranslated entry, not only counts.")
@json_option
@pass_project
def check(context, languages, slugs, strict, verbose, as_json):
    """Quality checks of the catalogs: errors keep a translation off the page.

    Judges what was asked: the catalogs of --lang (default: all but the pseudo-locales) and
    --article, and the hotlines of the regions that use the languages named with --lang."""
    from pipeline import project as workflow

    findings, summary = workflow.check(context.project, languages, slugs, verbose=verbose)
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


@main.command()
@json_option
@pass_project
@locked
def pseudo(context, as_json):
    """Build pseudo-locale catalogs and regions en-XA (accented, longer) and ar-XB (RTL)."""
    from pipeline import project as workflow

    outcome = workflow.pseudo(context.project)
    finish(outcome, as_json, lambda items: [f"wrote {item['catalog']}" for item in items])


@main.group()
def review():
    """Medical and translation review: sign off an article in a language, see what holds."""


@review.command("sign")
@click.argument("slug")
@click.option(
    "--lang",
    "language",
    required=True,
    help="The catalog language reviewed; the source language signs the source's medical review.",
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
@click.option("--lang", "languages", multiple=True, help="Only this language (repeatable).")
@click.option("--article", "slugs", multiple=True, help="Only this article (repeatable).")
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
@click.option("--lang", "language", required=True, help="The language the remark is on.")
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
    review = row["review"]
    if row["status"] == "missing":
        return "never reviewed"
    by = f"{review['kind']} review by {review['reviewer']} ({review['role']}) on {review['date']}"
    if row["status"] == "reviewed":
        return f"reviewed: {by}"
    if row["status"] == "open-remarks":
        return f"not reviewed: {len(row['remarks'])} open remark(s) on the {by}"
    return f"stale since {row['since']}: {len(row['changed'])} segment(s) changed since the {by}"


@main.group()
def tm():
    """Translation memory: exchange translations with CAT tools as TMX."""


@tm.command("export")
@click.option("--lang", "language", required=True, help="The catalog language to export.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TMX file to write (default: stdout).",
)
@click.option(
    "--glossary",
    "glossary_output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the language's glossary to this TBX file.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable summary (needs -o).")
@pass_project
def tm_export(context, language, output, glossary_output, as_json):
    """Write every translated segment of a language as a TMX 1.4 file.

    Translations that check reports as errors are left out, and counted."""
    from pipeline import project as workflow
    from pipeline.catalogs import catalog_path
    from pipeline.files import write_atomic
    from pipeline.tm import export_tmx

    one_document_on_stdout(as_json, output)
    project = context.project
    (name,) = project.languages((language,))
    paths = [catalog_path(project.settings.locales_dir, name, slug) for slug in project.slugs()]
    data, report = export_tmx(
        [p for p in paths if p.is_file()],
        project.settings.source_locale,
        name,
        workflow.phone_regions_for(project, name),
        project.glossary(name),
    )
    tbx = language_tbx(project, name) if glossary_output else None
    summary = f"{report.units} segments, {len(report.left_out)} left out (check errors)"
    if output:
        write_atomic(output, data)
    else:
        sys.stdout.buffer.write(data)
    if tbx:
        write_atomic(glossary_output, tbx)
    if as_json:
        emit_json({"tmx": str(output), "units": report.units, "left_out": len(report.left_out)})
        return
    for catalog, msgid, reason in report.left_out:
        click.echo(f"left out of {catalog}: {shorten(msgid)!r}: {reason}", err=True)
    if report.left_out:
        click.echo(f"{len(report.left_out)} translations with check errors left out", err=True)
    if tbx:
        click.echo(f"wrote {glossary_output}", err=output is None)
    click.echo(f"wrote {output}: {summary}" if output else summary, err=output is None)


@tm.command("import")
@click.argument("tmx_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@pass_project
@locked
def tm_import(context, tmx_file, as_json):
    """Fill untranslated entries from a TMX file (translated ones are never overwritten)."""
    from pipeline.catalogs import catalog_path
    from pipeline.files import read_bytes
    from pipeline.tm import import_tmx, read_tmx

    project = context.project
    memories = read_tmx(read_bytes(tmx_file), str(tmx_file), project.settings.source_locale)
    catalogs = {
        language: [
            p
            for slug in project.slugs()
            if (p := catalog_path(project.settings.locales_dir, language, slug)).is_file()
        ]
        for language in project.languages()
    }
    report = import_tmx(memories, catalogs)
    if as_json:
        emit_json(
            {
                "filled": report.filled,
                "catalogs": report.catalogs,
                "skipped": [{"catalog": c, "msgid": m, "reason": r} for c, m, r in report.skipped],
            }
        )
        return
    for catalog, msgid, reason in report.skipped:
        click.echo(f"skipped in {catalog}: {shorten(msgid)!r}: {reason}", err=True)
    click.echo(f"filled {report.filled} entries in {len(report.catalogs)} catalogs")


@main.group()
def xliff():
    """Exchange translations with agencies and CAT tools as XLIFF 2.1 or 1.2."""


@xliff.command("export")
@click.option("--lang", "language", required=True, help="The catalog language to export.")
@click.option("--article", "slugs", multiple=True, help="Only this article (repeatable).")
@click.option(
    "--version",
    "version",
    type=click.Choice(["2.1", "1.2"]),
    default="2.1",
    show_default=True,
    help="XLIFF version (1.2 for Translate Toolkit and Weblate).",
)
@click.option(
    "--glossary/--no-glossary",
    default=True,
    show_default=True,
    help="Carry the language's glossary in each unit (XLIFF 2 glossary module).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="XLIFF file to write (default: stdout).",
)
@json_option
@pass_project
def xliff_export(context, language, slugs, version, glossary, output, as_json):
    """Write a language's catalogs as XLIFF: one file element per article, a unit per entry."""
    from pipeline.files import write_atomic
    from pipeline.xliff import export_project

    one_document_on_stdout(as_json, output)
    data, report = export_project(context.project, language, slugs, version, glossary)
    if output:
        write_atomic(output, data)
    else:
        sys.stdout.buffer.write(data)
    if as_json:
        emit_json({"output": str(output), "version": version, **report.as_json()})
        return
    for catalog, unit, reason in report.left_out:
        click.echo(f"{catalog}: unit {unit}: {reason}", err=True)
    left = f", {len(report.left_out)} left out" if report.left_out else ""
    where = f"wrote {output}: " if output else ""
    click.echo(f"{where}{report.units} units, {report.translations} translated{left}", err=True)


@xliff.command("import")
@click.argument("xliff_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", "language", help="Refuse the file unless it is for this language.")
@json_option
@pass_project
@locked
def xliff_import(context, xliff_file, language, as_json):
    """Bring an XLIFF 2.x or 1.2 file's translations into the catalogs, through the checks."""
    from pipeline.files import read_bytes
    from pipeline.xliff_import import import_project

    data = read_bytes(xliff_file)
    report = import_project(context.project, data, str(xliff_file), language)
    if as_json:
        emit_json(report.as_json())
        return
    for catalog, unit, line, reason in report.refused:
        click.echo(f"{xliff_file}:{line}: unit {unit} refused ({catalog}): {reason}", err=True)
    click.echo(
        f"updated {report.updated} entries in {len(report.catalogs)} catalogs, "
        f"{report.unchanged} unchanged, {len(report.refused)} refused"
    )


@main.group("glossary")
def glossary_group():
    """Terminology: each language's glossary (locales/<lang>/glossary.toml) and TBX."""


@glossary_group.command("import")
@click.argument("tbx_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", "languages", multiple=True, help="Only this language (repeatable).")
@json_option
@pass_project
@locked
def glossary_import(context, tbx_file, languages, as_json):
    """Merge a TBX-Basic file's terms into the glossaries (nothing is removed)."""
    from pipeline.files import read_bytes
    from pipeline.glossary import import_terms
    from pipeline.tbx import read_tbx

    project = context.project
    data = read_bytes(tbx_file)
    items = []
    for language in project.languages(languages):
        terms = read_tbx(data, str(tbx_file), project.settings.source_locale, language)
        if terms:
            path, changed = import_terms(project.settings.locales_dir, language, terms)
            items.append({"language": language, "glossary": str(path), "terms": changed})
    if as_json:
        emit_json({"items": items})
        return
    for item in items:
        click.echo(f"{item['glossary']}: {item['terms']} terms added or extended")
    if not items:
        click.echo(f"no terms in {tbx_file} for the project's languages")


@glossary_group.command("export")
@click.option("--lang", "language", required=True, help="The glossary language to export.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TBX file to write (default: stdout).",
)
@pass_project
def glossary_export(context, language, output):
    """Write a language's glossary as TBX-Basic, for CAT tools and agencies."""
    tbx = language_tbx(context.project, language)
    if output:
        from pipeline.files import write_atomic

        write_atomic(output, tbx)
        click.echo(f"wrote {output}")
    else:
        sys.stdout.buffer.write(tbx)


def language_tbx(project, language: str) -> bytes:
    """The TBX of a catalog language's glossary (a usage error when it has none)."""
    from pipeline.errors import UsageError
    from pipeline.glossary import load_glossary
    from pipeline.tbx import write_tbx

    (name,) = project.languages((language,))
    glossary = load_glossary(project.settings.locales_dir, name, project.settings.source_locale)
    if glossary is None:
        raise UsageError(f"no glossary for {name} (locales/{name}/glossary.toml)")
    return write_tbx(glossary.terms, project.settings.source_locale, name)


@main.command()
@click.option(
    "--endpoint",
    required=True,
    help="The CMS's base URL (see docs/cms-api.yaml); with --to wordpress, the site's address.",
)
@click.option(
    "--to",
    "target",
    type=click.Choice(["http", "wordpress"]),
    default="http",
    show_default=True,
    help="The CMS: our HTTP contract, or WordPress's REST API.",
)
@click.option(
    "--status",
    "wp_status",
    type=click.Choice(["draft", "publish", "pending", "private"]),
    default=None,
    help="WordPress status of the pages pushed (default: draft); --to wordpress only.",
)
@click.option("--region", "regions", multiple=True, help="Only this region (repeatable).")
@click.option(
    "--prune",
    is_flag=True,
    help="Also DELETE pages an earlier push delivered that the publish no longer has "
    "(WordPress: move them to the trash).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be sent, send nothing.")
@click.option(
    "--retries",
    type=click.IntRange(0, 20),
    default=5,
    show_default=True,
    help="Attempts after the first on connection errors, timeouts, 429 and 5xx.",
)
@click.option(
    "--backoff",
    type=click.FloatRange(0, 60),
    default=0.5,
    show_default=True,
    help="Seconds before the first retry; doubled each time.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 600),
    default=30.0,
    show_default=True,
    help="Seconds to wait for each response.",
)
@click.option(
    "--give-up-after",
    type=click.IntRange(1, 100),
    default=None,
    help="Stop the push after this many attempts in a row without a response "
    "(default: the push_give_up_after setting, else 3).",
)
@INCLUDE_PSEUDO
@json_option
@pass_project
@locked
def push(
    context,
    endpoint,
    target,
    wp_status,
    regions,
    prune,
    dry_run,
    retries,
    backoff,
    timeout,
    give_up_after,
    include_pseudo,
    as_json,
):
    """Deliver the last publish to a CMS: only pages it has not accepted yet.

    The API token is read from the PIPELINE_CMS_TOKEN environment variable, never a flag;
    for WordPress, the user from PIPELINE_WP_USER and its application password from
    PIPELINE_WP_APP_PASSWORD."""
    import os

    from pipeline.cms import TOKEN_VARIABLE, PushOptions
    from pipeline.cms import push as run_push
    from pipeline.cms import read_manifest as read_push_manifest

    project = context.project
    settings = project.settings
    if not endpoint.startswith(("http://", "https://")):
        raise click.BadParameter("must be an http(s) URL", param_hint="--endpoint")
    options = PushOptions(
        endpoint,
        regions,
        dry_run,
        prune,
        retries,
        backoff,
        (min(5.0, timeout), timeout),
        give_up_after=give_up_after or settings.push_give_up_after,
        include_pseudo=include_pseudo or settings.include_pseudo,
    )
    if wp_status and target != "wordpress":
        raise click.BadParameter("only with --to wordpress", param_hint="--status")
    total = len(read_push_manifest(settings.output_dir)["pages"])
    with progress(total, "push", as_json) as advance:
        if target == "wordpress":
            result = push_to_wordpress(settings, options, wp_status or "draft", advance)
        else:
            result = run_push(
                settings.output_dir,
                settings.root / ".pipeline-cache",
                os.environ.get(TOKEN_VARIABLE),
                options,
                on_item=advance,
            )
    if as_json:
        emit_json({"dry_run": dry_run, **result.as_json()})
    else:
        for failure in result.failed:
            status = failure["status"] or "not delivered"
            click.echo(
                f"failed {failure['region']}/{failure['slug']} ({status}): {failure['message']}",
                err=True,
            )
        verb = "would send" if dry_run else "sent"
        click.echo(
            f"{verb} {len(result.sent)}, unchanged {len(result.unchanged)}, "
            f"failed {len(result.failed)}, pruned {len(result.pruned)}"
            + (f", not sent {len(result.not_sent)}" if result.not_sent else "")
        )
    if result.stopped:
        click.echo(f"error: {result.stopped}", err=True)
    if result.failed or result.stopped:
        sys.exit(1)


def fetch_from(origin: str, url: str, options):
    """A page from the web, or a WordPress entry (with the credentials of the environment)."""
    if origin == "wordpress":
        from pipeline.wordpress_api import PASSWORD_VARIABLE, USER_VARIABLE
        from pipeline.wordpress_fetch import fetch_entry

        login = (os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE))
        return fetch_entry(url, login, options)
    from pipeline.fetch import fetch as fetch_page

    return fetch_page(url, options)


def push_to_wordpress(settings, options, status: str, advance):
    """`push --to wordpress`: the credentials from the environment, the mapping from the
    settings."""
    from pipeline import wordpress
    from pipeline.wordpress_api import PASSWORD_VARIABLE, USER_VARIABLE
    from pipeline.wordpress_map import load_mapping

    mapping = load_mapping(options.endpoint, settings.wordpress, settings.root / "pyproject.toml")
    login = (os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE))
    return wordpress.push(
        settings.output_dir,
        settings.root / ".pipeline-cache",
        login,
        options,
        mapping,
        status,
        on_item=advance,
    )


@main.command()
@click.argument("url")
@click.option(
    "--from",
    "origin",
    type=click.Choice(["web", "wordpress"]),
    default="web",
    show_default=True,
    help="Any web page, or a WordPress post or page through the site's REST API.",
)
@click.option(
    "--slug", help="Name of the source file (default: from the URL, or the WordPress slug)."
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace an existing source article; import one not in the source language.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 300),
    default=15.0,
    show_default=True,
    help="Seconds the whole fetch may take (connecting, redirects and download).",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(1),
    default=10 * 1024 * 1024,
    show_default=True,
    help="Largest page accepted.",
)
@json_option
@pass_project
def fetch(context, url, origin, slug, force, timeout, max_bytes, as_json):
    """Import an article from URL into source/<slug>.html (main content only).

    With --from wordpress, URL is a WordPress post or page (its address or its REST API
    address), read through the REST API; with PIPELINE_WP_USER and PIPELINE_WP_APP_PASSWORD
    set, drafts too."""
    from pipeline import project as workflow
    from pipeline.fetch import FetchOptions, check_language, slug_from_url
    from pipeline.files import safe_name, write_atomic
    from pipeline.source import article_path

    project = context.project
    given_slug = bool(slug)
    slug = safe_name(slug or slug_from_url(url), "slug")
    target = article_path(project.settings.source_dir, slug)
    if target.exists() and not force and (given_slug or origin != "wordpress"):
        raise PipelineError(
            f"{workflow.relative(project, target)} exists (use --force to replace it)"
        )
    fetched = fetch_from(origin, url, FetchOptions(timeout=timeout, max_bytes=max_bytes))
    if origin == "wordpress" and not given_slug:
        slug = safe_name(fetched.slug or slug, "slug")
        target = article_path(project.settings.source_dir, slug)
        if target.exists() and not force:
            raise PipelineError(
                f"{workflow.relative(project, target)} exists (use --force to replace it)"
            )
    if not force:
        check_language(fetched, project.settings.source_locale)
    write_atomic(target, fetched.html)
    shown = workflow.relative(project, target)
    if as_json:
        emit_json(
            {
                "source": shown,
                "slug": slug,
                "url": fetched.url,
                "title": fetched.title,
                "language": fetched.language,
                "language_detected": fetched.language_detected,
                "words": fetched.words,
            }
        )
    else:
        if fetched.language_detected:
            click.echo(
                f"note: the page declares no language; detected {fetched.language!r}", err=True
            )
        click.echo(
            f"wrote {shown}: {fetched.title!r}, {fetched.words} words "
            f"(next: pipeline extract {slug})"
        )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port (0: any free port).",
)
@click.option("--build", is_flag=True, help="Publish into a temporary folder first.")
@click.option(
    "--watch", is_flag=True, help="Publish an article again when its source or a catalog changes."
)
@click.option(
    "--review",
    is_flag=True,
    help="Review in context: pages with their segments, remarks and sign-off (docs/reviewers.md).",
)
@pass_project
def serve(context, host, port, build, watch, review):
    """Preview the publish in a browser: an index, and a region switcher on every page."""
    from contextlib import ExitStack

    from pipeline.serve import preview_folder, stopping_signals

    if review:
        if build or watch:
            raise click.UsageError("--review renders pages itself: no --build or --watch")
        return serve_review(context.project, host, port)
    with ExitStack() as stack:
        # The signals first: every way of stopping must remove the temporary folder.
        stack.enter_context(stopping_signals())
        output = stack.enter_context(preview_folder()) if build else None
        serve_project(context.project, output, host, port, watch)


def serve_review(project, host: str, port: int) -> None:
    """`serve --review`: review pages rendered from the project as it is at each request."""
    from pipeline.reviewserver import make_review_server
    from pipeline.serve import serve_forever, stopping_signals

    with stopping_signals():
        server, url = make_review_server(project.settings, host, port)
        click.echo(f"review pages on {url} (Ctrl-C stops)")
        sys.stdout.flush()
        serve_forever(server)
    click.echo("stopped")


def serve_project(project, output: Path | None, host: str, port: int, watch: bool) -> None:
    """Serve the project's output, or a publish made into `output` first."""
    import dataclasses

    from pipeline import project as workflow
    from pipeline.lock import project_lock
    from pipeline.publish import PublishOptions
    from pipeline.publish import publish as run_publish
    from pipeline.serve import Watcher, make_server, serve_forever

    if output is not None:
        project = workflow.Project(dataclasses.replace(project.settings, output=str(output)))
        run_publish(project, PublishOptions(include_pseudo=True))  # a preview shows them all
    output_dir = project.settings.output_dir
    if not (output_dir / "manifest.json").is_file():
        raise PipelineError(
            f"{output_dir}: nothing published yet (run: pipeline publish, or serve --build)"
        )

    def republish(slug: str) -> None:
        try:
            # Pseudo-locale pages go into a preview, never into the project's own output/.
            options = PublishOptions(
                articles=(slug,), include_pseudo=True if output is not None else None
            )
            # A publish or update started meanwhile holds the project: wait for it to end.
            with project_lock(project.settings.root / ".pipeline-cache", "pipeline serve", True):
                result = run_publish(project, options)
            click.echo(f"published {slug} again: {result.built} pages")
        except PipelineError as error:
            click.echo(f"error: {error}", err=True)

    server = make_server(output_dir, host, port)
    # The watcher takes its first look before we announce: a change made right after the
    # announcement must count as a change.
    watcher = Watcher(project, republish) if watch else None
    click.echo(f"serving {output_dir} on http://{host}:{server.server_port}/ (Ctrl-C stops)")
    sys.stdout.flush()
    serve_forever(server, watcher)
    click.echo("stopped")


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


@main.command()
@json_option
@pass_project
def regions(context, as_json):
    """The regions with their hotlines and how long ago each was verified."""
    import datetime

    from pipeline.regions import hotline_age_days

    project = context.project
    today = datetime.date.today()
    rows = []
    for region in project.regions.values():
        hotline = region.hotline
        rows.append(
            {
                "region": region.tag,
                "language": region.language,
                "direction": region.direction,
                "catalogs": list(region.catalogs),
                "hotline": None
                if hotline is None
                else {
                    "name": hotline.name,
                    "phone": hotline.national,
                    "e164": hotline.e164,
                    "hours": hotline.hours,
                    "cost": hotline.cost,
                    "website": hotline.website,
                    "verified_on": hotline.verified_on.isoformat() if hotline.verified_on else None,
                    "age_days": hotline_age_days(hotline, today),
                },
                "emergency": list(region.emergency),
                "lines": [line_fields(line, today) for line in region.lines],
                "poison": line_fields(region.poison, today) if region.poison else None,
            }
        )
    if as_json:
        emit_json({"regions": rows, "max_age_days": project.settings.hotline_max_age_days})
        return
    for row in rows:
        hotline = row["hotline"]
        if hotline is None:
            click.echo(f"{row['region']:<7} {row['language']:<4} (no hotline)")
            continue
        age = (
            "never verified"
            if hotline["age_days"] is None
            else f"verified {hotline['age_days']} days ago"
        )
        click.echo(
            f"{row['region']:<7} {row['language']:<4} {hotline['name']}: "
            f"{hotline['phone']} ({hotline['e164']}), {hotline['hours']}; {age}"
        )
        for line in row["lines"][1:]:
            click.echo(f"{'':<12} {line['name']}: {line['phone']} ({line['tel'][4:]})")
        if row["emergency"]:
            click.echo(f"{'':<12} emergency: {', '.join(row['emergency'])}")


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


HTML_SUFFIXES = (".html", ".htm", ".xhtml")


def pages_in(folder: str) -> list[str]:
    """The HTML files under `folder` as relative paths, in the order of their parts, as
    `Path.rglob` finds them (symlinked folders are not entered, unreadable ones skipped).
    Plain strings: pathlib took a tenth of the wall time of merging 1,000 pages, all of it
    before any worker had started."""
    found: list[str] = []
    pending = [""]
    while pending:
        prefix = pending.pop()
        try:
            with os.scandir(os.path.join(folder, prefix)) as entries:
                for entry in entries:
                    if entry.is_dir() and not entry.is_symlink():
                        pending.append(prefix + entry.name + "/")
                    elif suffix_of(entry.name).lower() in HTML_SUFFIXES and entry.is_file():
                        found.append(prefix + entry.name)
        except PermissionError:
            continue
    return sorted(found, key=lambda name: name.split("/"))


def suffix_of(name: str) -> str:
    """The suffix `Path(name).suffix` gives (a leading or trailing dot is none)."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def with_suffix(relative: str, suffix: str) -> str:
    return relative[: len(relative) - len(suffix_of(relative.rpartition("/")[2]))] + suffix


def mirrored(root: str, relatives: list[str]) -> list[str]:
    """Each relative path below `root`, written as str(Path(root) / relative) writes it."""
    root = str(Path(root))
    if root == ".":
        return list(relatives)
    prefix = root if root.endswith("/") else root + "/"
    return [prefix + relative for relative in relatives]


@main.group("file")
def file_group():
    """Any HTML file or folder of files, byte-faithful (not only articles)."""


@file_group.command("extract")
@click.argument("page")
@click.option("-o", "--output", help="Template file (folder for a folder); default stdout.")
@jobs_option
@json_option
def file_extract(page, output, jobs, as_json):
    """Write a gettext template for PAGE (a file, a folder of pages, or - for stdin)."""
    from pipeline.htmlfile import extract_job

    one_document_on_stdout(as_json, output)
    tasks = file_jobs(page, output, ".pot", folder_pages(page, output))
    outcome = run_file_jobs(extract_job, tasks, jobs, as_json or output is None, "extract", output)
    for item in outcome.items:
        if "pot" in item:
            sys.stdout.buffer.write(item.pop("pot").encode("utf-8"))
        if item["entries"] == 0:
            click.echo(f"warning: {item['page']}: no translatable text found", err=True)
    finish_file(outcome, as_json, output, lambda i: f"{i['template']}: {i['entries']} entries")


@file_group.command("merge")
@click.argument("page")
@click.argument("catalog")
@click.option("-o", "--output", help="Output file (folder for a folder); default stdout.")
@click.option(
    "--lang",
    help="Set <html lang> (and dir) to this language tag (default: the catalog's Language).",
)
@jobs_option
@json_option
def file_merge(page, catalog, output, lang, jobs, as_json):
    """Write PAGE with the translations of CATALOG; everything else stays byte for byte."""
    from pipeline.htmlfile import merge_job

    one_document_on_stdout(as_json, output)
    if lang:
        from pipeline.locales import parse_tag

        parse_tag(lang)
    pages = folder_pages(page, output)
    pairs = zip(file_jobs(page, output, ".html", pages), catalogs_for(catalog, pages), strict=True)
    tasks = [(source, catalog, target, lang) for (source, target), catalog in pairs]
    outcome = run_file_jobs(merge_job, tasks, jobs, as_json or output is None, "merge", output)
    for item in outcome.items:
        if "html" in item:
            sys.stdout.buffer.write(item.pop("html"))
        for fallback in item["fallbacks"]:
            click.echo(
                f"warning: {item['catalog']}:{fallback['line']}: {fallback['reason']}; "
                "kept the source text",
                err=True,
            )
        for link in item["script_links"]:
            click.echo(
                f"warning: {item['page']}:{link['line']}: {link['link']}: a link that runs "
                "a script",
                err=True,
            )
    finish_file(
        outcome, as_json, output, lambda i: f"{i['output']}: {i['completeness']:.0%} translated"
    )


def one_document_on_stdout(as_json: bool, output: str | None) -> None:
    """--json owns stdout: content written there too would make it two documents."""
    if as_json and output is None:
        raise click.UsageError("--json prints a report on stdout: give -o for the content")


def run_file_jobs(job, tasks: list, jobs: int, quiet: bool, label: str, output: str | None):
    from pipeline.parallel import Outcome, ordered_map

    # Largest pages first, so that no worker is left with a big one at the end; results are
    # reported in the given order.
    order = sorted(range(len(tasks)), key=lambda index: -input_size(tasks[index][0]))
    results: list = [None] * len(tasks)
    with progress(len(tasks), label, quiet) as advance:
        for index, result in zip(
            order, ordered_map(job, [tasks[i] for i in order], jobs, chunks=True), strict=False
        ):
            results[index] = result
            advance()
    if output is not None:
        os.sync()  # the jobs wrote their files without an fsync each: one sync for the batch
    from pipeline import pagecache

    pagecache.prune()
    outcome = Outcome()
    for result in results:
        if "error" in result:
            outcome.errors.append(result["error"])
        else:
            outcome.items.append(result)
    return outcome


def input_size(name: str) -> int:
    try:
        return os.stat(name).st_size if name != "-" else 0
    except OSError:
        return 0  # reported by the job itself


def folder_pages(page: str, output: str | None) -> list[str] | None:
    """The pages of a folder PAGE, relative to it; None when PAGE is one file (or -)."""
    from pipeline.errors import SourceError

    if page == "-" or not Path(page).is_dir():
        return None
    if not output:
        raise SourceError(f"{page} is a folder: give an output folder with -o")
    return pages_in(page)


def file_jobs(
    page: str, output: str | None, suffix: str, pages: list[str] | None
) -> list[tuple[str, str | None]]:
    """(input, output) pairs: one file, or every page of a folder mirrored under output."""
    if pages is None:
        return [(page, output)]
    targets = mirrored(output, [with_suffix(relative, suffix) for relative in pages])
    return list(zip(mirrored(page, pages), targets, strict=True))


def catalogs_for(catalog: str, pages: list[str] | None) -> list[str]:
    """The catalog of each page: CATALOG itself, or its mirror in a catalog folder."""
    if pages is None:
        return [str(Path(catalog))]
    return mirrored(catalog, [with_suffix(relative, ".po") for relative in pages])


def finish_file(outcome, as_json: bool, output, line) -> None:
    if as_json:
        emit_json({"items": outcome.items, "errors": outcome.errors})
    elif output is not None:
        for item in outcome.items:
            click.echo(line(item))
    for error in outcome.errors:
        click.echo(f"error: {error}", err=True)
    if outcome.errors:
        sys.exit(1)
