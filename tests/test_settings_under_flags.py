"""`[tool.pipeline]` settings are the defaults of the flags that name them (click's
default_map, built once by the root group): a flag wins, then the setting, then the
setting's own default. The commands' own tests check each value reaches its stage; these
check the table itself and what `--help` shows."""

from __future__ import annotations

import dataclasses

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from pipeline.cli import SETTINGS_UNDER_FLAGS, main
from pipeline.config import Settings


def test_every_setting_under_a_flag_names_a_setting_and_an_option():
    settings = {field.name for field in dataclasses.fields(Settings)}
    for command, table in SETTINGS_UNDER_FLAGS.items():
        options = {param.name: param for param in main.commands[command].params}
        for param, setting in table.items():
            assert setting in settings, (command, setting)
            assert param in options, (command, param)


@given(
    threshold=st.integers(1, 100).map(lambda n: n / 100),
    min_complete=st.integers(0, 100),
    keep_trivial=st.booleans(),
)
def test_help_shows_the_projects_settings_as_the_defaults(
    tmp_path_factory, threshold, min_complete, keep_trivial
):
    root = tmp_path_factory.mktemp("project")
    (root / "pyproject.toml").write_text(
        f"[tool.pipeline]\nfuzzy_threshold = {threshold}\nmin_complete = {min_complete}\n"
        f"keep_trivial = {str(keep_trivial).lower()}\n"
    )
    runner = CliRunner()

    def help_text(command: str) -> str:
        result = runner.invoke(main, ["--project", str(root), command, "--help"])
        assert result.exit_code == 0, result.output
        return " ".join(result.stdout.split())  # the help wraps where it likes

    update = help_text("update")
    assert f"[default: {threshold};" in update
    assert f"[default: {'keep-trivial' if keep_trivial else 'no-keep-trivial'}]" in update
    assert f"[default: {min_complete};" in help_text("publish")


def test_a_broken_pyproject_leaves_the_flags_alone_and_is_reported_by_the_command(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.pipeline]\nfuzzy_threshold = 'high'\n")
    result = CliRunner().invoke(main, ["--project", str(tmp_path), "update", "--json"])
    assert result.exit_code == 1
    assert "fuzzy_threshold must be" in result.stderr
