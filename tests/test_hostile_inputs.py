"""Hostile settings, templates and input files: one line naming the file, never a traceback
and never a hang (issue 25, item 10)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import run_pipeline
from pipeline import files

PAGE = "source/ketamine-addiction.html"
CATALOG = "locales/fr/LC_MESSAGES/ketamine-addiction.po"


def pipeline(*args: str) -> subprocess.CompletedProcess:
    """The command, in this process: for inputs that fail as they are read."""
    return run_pipeline(*args, text=True)


def pipeline_process(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """The real command in a process of its own, for the FIFOs and devices: a command that
    waits on one for ever (or reads one without end) ends at the timeout, not the run."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, timeout=timeout
    )


def assert_one_line(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode in (1, 2), result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.mark.parametrize(
    "text, problem",
    [
        ("[tool.pipeline]\nx = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
        ("[tool.pipeline]\nx = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n", "nested too deeply"),
        ("tool = 5\n", "'tool' must be a table"),
        ('[tool]\npipeline = "fast"\n', "'tool.pipeline' must be a table"),
        ("[tool]\npipeline = [1, 2]\n", "'tool.pipeline' must be a table"),
        ("[tool.pipeline]\nmin_complete = \n", "pyproject.toml: Invalid value (at line 2"),
    ],
)
def test_hostile_settings(project, text, problem):
    (project / "pyproject.toml").write_text(text)
    assert_one_line(pipeline("--project", str(project), "publish"), "pyproject.toml", problem)


def test_region_file_nested_thousands_deep(project):
    with open(project / "locales/regions.toml", "a") as regions:
        regions.write("deep = " + "[" * 5000 + "]" * 5000 + "\n")
    result = pipeline("--project", str(project), "publish")
    assert_one_line(result, "regions.toml: nested too deeply")


def test_glossary_nested_thousands_deep(project):
    with open(project / "locales/de/glossary.toml", "a") as glossary:
        glossary.write("deep = " + "[" * 5000 + "]" * 5000 + "\n")
    result = pipeline("--project", str(project), "publish")
    assert_one_line(result, "glossary.toml: nested too deeply")


@pytest.mark.parametrize(
    "shell, problem",
    [
        (
            b"<html>\n<title>{{ title }}</title>{{ nope }}</html>",
            "shell.html:2: 'nope' is undefined",
        ),
        (b"<html>\n\n{{ 1/0 }}</html>", "shell.html:3: division by zero"),
        (b"<html>{{ title.upper()[99] }}</html>", "shell.html:1:"),
        (b"<html>\n\xff{{ title }}</html>", "shell.html:2: not UTF-8"),
        (b"<html>{{ title }</html>", "shell.html:1: unexpected '}'"),
    ],
)
def test_hostile_page_template(project, shell, problem):
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text().replace(
        "[tool.pipeline]", '[tool.pipeline]\npage_template = "shell.html"'
    )
    pyproject.write_text(text)
    (project / "shell.html").write_bytes(shell)
    result = pipeline("--project", str(project), "publish")
    assert_one_line(result, "page template", problem)
    assert not (project / "output").exists()


def test_page_template_that_is_a_fifo(project):
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text().replace(
        "[tool.pipeline]", '[tool.pipeline]\npage_template = "shell.html"'
    )
    pyproject.write_text(text)
    os.mkfifo(project / "shell.html")
    result = pipeline_process("--project", str(project), "publish")
    assert_one_line(result, "shell.html: not a regular file (a FIFO)")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_file_commands_read_only_regular_files(tmp_path, project, device):
    result = pipeline_process("file", "extract", device, "-o", str(tmp_path / "x.pot"))
    assert_one_line(result, f"{device}: not a regular file (a character device)")
    merge = ("file", "merge", str(project / PAGE), device, "-o", str(tmp_path / "x.html"))
    result = pipeline_process(*merge)
    assert_one_line(result, f"{device}: not a regular file (a character device)")


def test_fifo_as_a_page_of_file_extract(tmp_path):
    page, pot = tmp_path / "page.html", tmp_path / "x.pot"
    os.mkfifo(page)
    result = pipeline_process("file", "extract", str(page), "-o", str(pot))
    assert_one_line(result, "page.html: not a regular file (a FIFO)")


@pytest.mark.parametrize("command", ["extract", "publish"])
def test_fifo_in_source(project, command):
    os.mkfifo(project / "source/pipe.html")
    result = pipeline_process("--project", str(project), command)
    assert_one_line(result, "source/pipe.html: not a regular file (a FIFO)")


@pytest.mark.parametrize("command", ["status", "check", "update", "publish"])
def test_fifo_in_place_of_a_catalog(project, command):
    assert pipeline("--project", str(project), "extract").returncode == 0  # no FIFO yet
    (project / CATALOG).unlink()
    os.mkfifo(project / CATALOG)
    result = pipeline_process("--project", str(project), command)
    assert_one_line(result, f"{CATALOG}: not a regular file (a FIFO)")


def test_inputs_over_the_size_limit_are_refused(tmp_path):
    big = tmp_path / "big.html"
    big.write_bytes(b"<p>x</p>" * 1000)
    assert files.read_bytes(big, limit=8000) == big.read_bytes()
    with pytest.raises(OSError, match="larger than"):
        files.read_bytes(big, limit=7999)
    with open(big, "rb") as stream, pytest.raises(OSError, match="larger than"):
        files.read_stream(stream, "stdin", limit=100)
