"""The command line's public contract: the `--help` of every command, byte for byte.

tests/golden/cli-help.txt holds the help of the root group and of every command and
subcommand, taken on the bundled project (whose settings show as the defaults of update and
publish). Regenerate it on purpose only, when the contract changes:
PIPELINE_REGENERATE_HELP=1 pytest tests/test_cli_help.py"""

from __future__ import annotations

import os
from pathlib import Path

import click
from click.testing import CliRunner

from pipeline.cli import main

GOLDEN = Path(__file__).parent / "golden" / "cli-help.txt"


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command below `group`, as the words that name it, in alphabetical order."""
    paths = []
    for name in sorted(group.commands):
        command = group.commands[name]
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths += command_paths(command, (*prefix, name))
    return paths


def all_help(root: Path) -> str:
    runner = CliRunner()
    sections = []
    for path in [(), *command_paths(main)]:
        args = ["--project", str(root), *path, "--help"]
        result = runner.invoke(main, args, terminal_width=80)
        assert result.exit_code == 0, (path, result.output)
        sections.append(f"$ pipeline {' '.join((*path, '--help'))}\n{result.stdout}")
    return "\n".join(sections)


def test_every_commands_help_is_the_documented_contract(project):
    text = all_help(project)
    if os.environ.get("PIPELINE_REGENERATE_HELP"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_the_walk_finds_every_command_and_subcommand():
    """A walk that missed the groups would compare too little: the help test could not fail."""
    paths = command_paths(main)
    assert ("file", "merge") in paths and ("review", "sign") in paths and ("push",) in paths
    assert len(paths) >= 25
