"""The command line: the root group, and thin click commands over the pipeline's stages.

One module per command group: catalog_commands (extract, init, update, status, check,
pseudo), publish_commands (publish, regions), cms_commands (push, fetch), serve_commands
(serve), review_commands (review ...), exchange_commands (tm, xliff, glossary) and
file_commands (file ...). The options they share are declared once, in options.py."""

from __future__ import annotations

import os
import sys
from contextlib import suppress
from pathlib import Path
from typing import NoReturn

import click

from pipeline.cli import (
    catalog_commands,
    cms_commands,
    exchange_commands,
    file_commands,
    publish_commands,
    review_commands,
    serve_commands,
)
from pipeline.cli.options import Context, project_option
from pipeline.config import find_root
from pipeline.errors import PipelineError


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


# The `[tool.pipeline]` settings that are the defaults of a command's options, as
# {command: {option parameter: setting}}. The order of precedence is flag > setting > the
# setting's own default (pipeline.config), and `--help` shows the project's value.
SETTINGS_UNDER_FLAGS = {
    "update": {"threshold": "fuzzy_threshold", "keep_trivial": "keep_trivial"},
    "publish": {"min_complete": "min_complete", "include_pseudo": "include_pseudo"},
    "push": {"give_up_after": "push_give_up_after", "include_pseudo": "include_pseudo"},
}


def settings_defaults(context: Context, command: str | None) -> dict | None:
    """The default_map of the command about to run: its settings laid under its flags."""
    from pipeline.errors import ConfigError

    wanted = SETTINGS_UNDER_FLAGS.get(command)
    if not wanted:
        return None  # commands without settings never read pyproject.toml for them
    try:
        settings = context.settings
    except ConfigError:
        return None  # reported by the command itself, when it loads the project
    return {command: {param: getattr(settings, name) for param, name in wanted.items()}}


@click.group(cls=PipelineGroup)
@project_option
@click.version_option(package_name="pipeline")
@click.pass_context
def main(ctx, project_dir):
    """Localize HTML articles through gettext catalogs and publish them per region."""
    ctx.obj = Context(project_dir.resolve() if project_dir else find_root(Path.cwd()))
    ctx.default_map = settings_defaults(ctx.obj, ctx.invoked_subcommand)


COMMAND_MODULES = (
    catalog_commands,
    publish_commands,
    cms_commands,
    serve_commands,
    review_commands,
    exchange_commands,
    file_commands,
)
for command in (command for module in COMMAND_MODULES for command in module.COMMANDS):
    main.add_command(command)


def run() -> None:
    """The `pipeline` command: the CLI, then an exit that skips tearing the interpreter down.

    Tearing down frees every module and object, a cost a short command should not pay.
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
