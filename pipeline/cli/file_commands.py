"""The `file` commands: extract from and merge into any HTML file or folder of files."""

from __future__ import annotations

import sys

import click

from pipeline.cli.options import jobs_option, json_option
from pipeline.cli.output import emit_json, one_document_on_stdout, progress, report_errors


@click.group("file")
def file_group():
    """Any HTML file or folder of files, byte-faithful (not only articles)."""


@file_group.command("extract")
@click.argument("page")
@click.option("-o", "--output", help="Template file (folder for a folder); default stdout.")
@jobs_option
@json_option
def file_extract(page, output, jobs, as_json):
    """Write a gettext template for PAGE (a file, a folder of pages, or - for stdin)."""
    from pipeline.filebatch import file_jobs, folder_pages
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
    from pipeline.filebatch import catalogs_for, file_jobs, folder_pages
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
        merge_warnings(item)
    finish_file(
        outcome, as_json, output, lambda i: f"{i['output']}: {i['completeness']:.0%} translated"
    )


def merge_warnings(item: dict) -> None:
    """The warnings of one merged page: translations not shown, links that run a script."""
    for fallback in item["fallbacks"]:
        click.echo(
            f"warning: {item['catalog']}:{fallback['line']}: {fallback['reason']}; "
            "kept the source text",
            err=True,
        )
    for link in item["script_links"]:
        click.echo(
            f"warning: {item['page']}:{link['line']}: {link['link']}: a link that runs a script",
            err=True,
        )


def run_file_jobs(job, tasks: list, jobs: int, quiet: bool, label: str, output: str | None):
    """The batch run with a progress bar (unless `quiet`)."""
    from pipeline.filebatch import run_jobs

    with progress(len(tasks), label, quiet) as advance:
        return run_jobs(job, tasks, jobs, output is not None, on_item=advance)


def finish_file(outcome, as_json: bool, output, line) -> None:
    """Print a file batch's outcome (a line per item only when the content went to files)."""
    if as_json:
        emit_json({"items": outcome.items, "errors": outcome.errors})
    elif output is not None:
        for item in outcome.items:
            click.echo(line(item))
    report_errors(outcome.errors)


COMMANDS = [file_group]
