"""The options several commands share, declared once, and the project a command works on."""

from __future__ import annotations

from functools import cached_property, wraps
from pathlib import Path

import click

from pipeline.config import load_settings


class Context:
    """The project a command works on, found once by the root group."""

    def __init__(self, root: Path):
        self.root = root

    @cached_property
    def settings(self):
        return load_settings(self.root)

    @property
    def project(self) -> Project:  # noqa: F821 (imported on use)
        # From pipeline.project, not the workflow that names it too: a command that does not
        # run the catalog workflow (publish, push, serve) need not import it.
        from pipeline.project import Project

        return Project(self.settings)


pass_project = click.make_pass_decorator(Context)

project_option = click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Project folder (default: the nearest one holding pyproject.toml).",
)


def json_flag(help: str = "Machine-readable output."):
    """--json: the command's report as one JSON document on stdout."""
    return click.option("--json", "as_json", is_flag=True, help=help)


json_option = json_flag()

jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(0, 256),
    default=0,
    show_default=True,
    help="Worker processes (0: one per CPU).",
)

languages_option = click.option(
    "--lang", "languages", multiple=True, help="Only this language (repeatable)."
)

articles_option = click.option(
    "--article", "slugs", multiple=True, help="Only this article (repeatable)."
)

regions_option = click.option(
    "--region", "regions", multiple=True, help="Only this region (repeatable)."
)

include_pseudo_option = click.option(
    "--include-pseudo",
    is_flag=True,
    help="Also the pseudo-locale regions (en-XA, ar-XB); naming one with --region is enough.",
)


def language_option(help: str):
    """--lang naming the one catalog language a command works on."""
    return click.option("--lang", "language", required=True, help=help)


def strict_option(help: str):
    """--strict: what is a warning by default fails the command."""
    return click.option("--strict", is_flag=True, help=help)


def output_option(help: str):
    """-o/--output: the file a command writes (default: stdout)."""
    return click.option(
        "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help=help
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
    """The executor --executor and --scheduler name (--scheduler alone is a usage error)."""
    from pipeline.errors import UsageError
    from pipeline.parallel import Executor

    if scheduler and executor != "dask":
        raise UsageError("--scheduler needs --executor dask")
    return Executor(executor, scheduler)


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
