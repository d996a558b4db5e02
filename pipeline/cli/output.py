"""What the commands print: JSON documents, batch outcomes, progress bars."""

from __future__ import annotations

import sys
from contextlib import contextmanager

import click


def emit_json(data) -> None:
    """Print `data` as the command's one JSON document on stdout."""
    import json  # only for --json output

    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def finish(outcome, as_json: bool, lines) -> None:
    """Print a batch outcome; exit 1 when any item failed."""
    if as_json:
        emit_json({"items": outcome.items, "errors": outcome.errors})
    else:
        for line in lines(outcome.items):
            click.echo(line)
    report_errors(outcome.errors)


def report_errors(errors: list) -> None:
    """One `error:` line per failed item on stderr; exit 1 when there is any."""
    for error in errors:
        click.echo(f"error: {error}", err=True)
    if errors:
        sys.exit(1)


@contextmanager
def progress(length: int, label: str, as_json: bool = False):
    """A progress bar on a terminal; nothing when piped or asked for JSON."""
    if as_json or not sys.stderr.isatty() or length < 2:
        yield lambda item=None: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield lambda item=None: bar.update(1)


def shorten(text: str, width: int = 60) -> str:
    """`text` cut to `width` characters, with an ellipsis where it was cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def one_document_on_stdout(as_json: bool, output) -> None:
    """--json owns stdout: content written there too would make it two documents."""
    if as_json and output is None:
        raise click.UsageError("--json prints a report on stdout: give -o for the content")


def write_output(output, data: bytes) -> None:
    """Write a command's content to the file -o names (atomically), else to stdout."""
    if output:
        from pipeline.files import write_atomic

        write_atomic(output, data)
    else:
        sys.stdout.buffer.write(data)
