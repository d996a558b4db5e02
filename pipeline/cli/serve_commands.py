"""The preview command: serve output/ (or a fresh publish) to a browser on this machine."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pipeline.cli.options import pass_project
from pipeline.errors import PipelineError


@click.command()
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

    from pipeline.interrupts import stopping_signals
    from pipeline.serve import preview_folder

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
    from pipeline.interrupts import stopping_signals
    from pipeline.reviewserver import make_review_server
    from pipeline.serve import serve_forever

    with stopping_signals():
        server, url = make_review_server(project.settings, host, port)
        click.echo(f"review pages on {url} (Ctrl-C stops)")
        sys.stdout.flush()
        serve_forever(server)
    click.echo("stopped")


def serve_project(project, output: Path | None, host: str, port: int, watch: bool) -> None:
    """Serve the project's output, or a publish made into `output` first."""
    import dataclasses

    from pipeline import workflow
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
    server = make_server(output_dir, host, port)
    # The watcher takes its first look before we announce: a change made right after the
    # announcement must count as a change.
    watcher = Watcher(project, republisher(project, output is not None)) if watch else None
    click.echo(f"serving {output_dir} on http://{host}:{server.server_port}/ (Ctrl-C stops)")
    sys.stdout.flush()
    serve_forever(server, watcher)
    click.echo("stopped")


def republisher(project, preview: bool):
    """What the watcher calls with the slug of a changed article: publish it again."""
    from pipeline.lock import project_lock
    from pipeline.publish import PublishOptions
    from pipeline.publish import publish as run_publish

    def republish(slug: str) -> None:
        try:
            # Pseudo-locale pages go into a preview, never into the project's own output/.
            options = PublishOptions(articles=(slug,), include_pseudo=True if preview else None)
            # A publish or update started meanwhile holds the project: wait for it to end.
            with project_lock(project.settings.root / ".pipeline-cache", "pipeline serve", True):
                result = run_publish(project, options)
            click.echo(f"published {slug} again: {result.built} pages")
        except PipelineError as error:
            click.echo(f"error: {error}", err=True)

    return republish


COMMANDS = [serve]
