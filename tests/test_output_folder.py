"""The `output` setting: a dedicated folder inside or beside the project, never the project.

Each case is an attack as it was made: before, publish exchanged whatever `output` named with
a hidden tree (the project with its .git, the articles, a foreign folder), and the next
publish after a killed one deleted what had been moved aside.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import one_line_error

PAGES = 7


def set_output(project: Path, value: str) -> None:
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    line = f"output = {json.dumps(value)}\n"
    pyproject.write_text(text.replace("[tool.pipeline]\n", "[tool.pipeline]\n" + line, 1))


def tree(folder: Path) -> dict:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize(
    "value",
    [".", "", "source", "locales", ".git", "..", "../..", "PROJECT", "source/..", "locales/de"],
)
def test_output_that_would_take_the_project_is_refused(cli, project, value):
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    set_output(project, str(project) if value == "PROJECT" else value)
    before = tree(project.parent)
    result = cli("publish", code=2)
    one_line_error(result, "output")
    assert tree(project.parent) == before  # nothing moved, nothing written
    assert sorted(p.name for p in project.parent.iterdir()) == ["project"]


def test_output_outside_the_project_and_its_folder_is_refused(cli, project, tmp_path):
    set_output(project, str(tmp_path.parent / "elsewhere"))
    one_line_error(cli("publish", code=2), "inside the project or beside it")


def test_existing_folder_with_foreign_files_is_refused_and_left_alone(cli, project):
    site = project / "site"
    (site / "css").mkdir(parents=True)
    (site / "index.html").write_text("<p>someone else's page</p>")
    (site / "css" / "main.css").write_text("p { color: red }")
    before = tree(site)
    set_output(project, "site")
    one_line_error(cli("publish", code=2), "site", ".pipeline-output")
    assert tree(site) == before
    assert not list(project.glob(".site.*"))


def test_empty_existing_folder_becomes_the_output(cli, project):
    (project / "site").mkdir()
    set_output(project, "site")
    cli("publish")
    cli("publish", "--force")
    assert (project / "site" / ".pipeline-output").is_file()
    assert len(json.loads((project / "site/manifest.json").read_text())["pages"]) == PAGES


def test_output_beside_the_project(cli, project):
    set_output(project, "../site-output")
    cli("publish")
    assert (project.parent / "site-output" / "manifest.json").is_file()


@pytest.mark.usefixtures("published_project")
def test_killed_publish_then_next_publish_deletes_no_foreign_file(cli, project):
    # What a killed publish leaves: its half-built tree (ours, with the marker) ...
    killed = project / ".output.building-deadbeef"
    (killed / "en-GB").mkdir(parents=True)
    (killed / ".pipeline-output").write_text("")
    (killed / "en-GB" / "page.json").write_text("{}")
    # ... and a folder of someone else's that happens to have a similar name.
    foreign = project / ".output.building-notes"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    cli("publish", "--force")
    cli("publish", "--force")
    assert not killed.exists()
    assert (foreign / "notes.txt").read_text() == "mine"


def test_foreign_standby_is_refused_not_deleted(cli, project):
    standby = project / ".output.standby"
    standby.mkdir()
    (standby / "keep.txt").write_text("mine")
    one_line_error(cli("publish", code=2), ".output.standby")
    assert (standby / "keep.txt").read_text() == "mine"


def test_symlinked_output_stays_a_symlink(cli, project):
    target = project.parent / "published"
    target.mkdir()
    (project / "output").symlink_to(target)
    for _ in range(3):
        cli("publish", "--force")
        assert (project / "output").is_symlink()
        assert os.readlink(project / "output") == str(target)
        assert len(json.loads((target / "manifest.json").read_text())["pages"]) == PAGES
    assert not (project / ".output.standby").exists()
    assert (project.parent / ".published.standby").is_dir()


def test_publish_killed_midway_then_publish_again_keeps_every_foreign_file(cli, project):
    """A real publish process, killed with SIGKILL while it writes its new tree."""
    source = project / "source"
    for number in range(40):  # enough pages that the kill lands mid-publish
        shutil.copy(source / "ketamine-addiction.html", source / f"copy-{number:02}.html")
    cli("publish", "--jobs", "1")
    cli("publish", "--jobs", "1", "--force")  # a standby tree exists now, with its index
    count = len(json.loads((project / "output/manifest.json").read_text())["pages"])
    notes = project.parent / "notes"  # someone's files beside the project
    notes.mkdir()
    (notes / "todo.txt").write_text("mine")
    project_files = tree(project / "source") | tree(project / "locales")
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "--project", str(project), "publish", "--force"]
        + ["--jobs", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    index = project / ".output.standby/.pipeline-pages"
    while index.exists() and process.poll() is None:  # gone: the publish is updating it
        time.sleep(0.005)
    time.sleep(0.1)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL, "the publish finished before the kill"
    cli("publish", "--jobs", "1")
    assert (notes / "todo.txt").read_text() == "mine"
    assert tree(project / "source") | tree(project / "locales") == project_files
    assert len(json.loads((project / "output/manifest.json").read_text())["pages"]) == count
    assert not list(project.glob(".output.building-*"))


def test_build_workers_write_only_into_the_tree_of_their_own_publish(tmp_path):
    from pipeline.output import OutputTree
    from pipeline.pagewriter import WRITING, PageWriter

    tree = OutputTree(tmp_path / "output")
    root, token = tree.target()
    assert PageWriter.attach(root, "another publish's token") is None
    assert PageWriter.attach(str(tmp_path / "elsewhere"), token) is None
    writer = PageWriter.attach(root, token)
    writer.check()
    writer.write("de-DE/a/index.html", "<p>a</p>")
    tree.written_there("de-DE/a/index.html")
    tree.commit([])
    assert (tmp_path / "output/de-DE/a/index.html").read_text() == "<p>a</p>"
    assert not (tmp_path / "output" / WRITING).exists()
    assert PageWriter.attach(str(tmp_path / "output"), token) is None


def test_a_worker_still_running_after_a_failed_publish_does_not_make_its_tree_again(tmp_path):
    from pipeline.errors import PublishError
    from pipeline.output import OutputTree
    from pipeline.pagewriter import PageWriter

    tree = OutputTree(tmp_path / "output")
    root, token = tree.target()
    writer = PageWriter.attach(root, token)
    tree.abort()
    assert PageWriter.attach(root, token) is None
    with pytest.raises(PublishError, match="has ended"):
        writer.check()
    with pytest.raises(FileNotFoundError):
        writer.write("de-DE/a/index.html", "<p>a</p>")
    assert not Path(root).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []
