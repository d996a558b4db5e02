"""Bad input: one line naming the problem, a non-zero exit status, nothing half-written."""

from __future__ import annotations

import gc
import os
import shutil

import pytest

from conftest import one_line_error
from pipeline import files

SOURCE = "source/ketamine-addiction.html"


@pytest.mark.parametrize(
    "markup, problem",
    [
        ("<article><div><p>Text</div>\n</article></div>", "stray end tag </div>"),
        ("<article>\n<div><span>Unclosed</div></article>", "<span> is never closed"),
    ],
)
def test_malformed_html(cli, project, markup, problem):
    (project / "source/bad.html").write_text(markup)
    one_line_error(cli("extract", "--strict", "bad", code=None), "source/bad.html:", problem)
    # Parsing pauses the garbage collector; an error must not leave it off.
    assert gc.isenabled()


def test_empty_and_non_utf8_sources(cli, project):
    (project / "source/empty.html").write_text("  \n")
    one_line_error(cli("extract", "empty", code=None), "empty")
    (project / "source/latin.html").write_bytes("<p>\nCafé</p>".encode("latin-1"))
    one_line_error(cli("extract", "latin", code=None), "source/latin.html:2", "not UTF-8")


def test_one_bad_article_does_not_stop_the_others(cli, project):
    (project / "source/empty.html").write_text("")
    result = cli("extract", code=1)
    assert "ketamine-addiction.pot" in result.stdout and "empty.html" in result.stderr


def test_broken_po_names_file_and_line(cli, project):
    path = project / "locales/fr/LC_MESSAGES/ketamine-addiction.po"
    lines = path.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith('msgstr "') and i > 20)
    lines[index] = 'msgstr "unterminated'
    path.write_text("\n".join(lines) + "\n")
    before = path.read_bytes()
    for command in (("update",), ("status",), ("publish",)):
        one_line_error(cli(*command, code=None), f"ketamine-addiction.po:{index + 1}:")
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "args",
    [
        ("extract", "../secret"),
        ("extract", "a/../../b"),
        ("init", "fr", "../../etc/passwd"),
        ("init", "../fr"),
        ("update", "--lang", "../fr"),
    ],
)
def test_path_escapes_are_refused(cli, project, args):
    result = cli(*args, code=None)
    one_line_error(result)
    assert not (project.parent / "secret.pot").exists()


def test_unknown_article_and_missing_source_folder(cli, project):
    one_line_error(cli("extract", "nope", code=None), "no source article 'nope'")
    shutil.rmtree(project / "source")
    one_line_error(cli("extract", code=None), "no source folder")


def test_unknown_language_in_update(cli, project):
    cli("extract")
    one_line_error(cli("update", "--lang", "it", code=None), "no catalogs for language 'it'")
    one_line_error(cli("update", "--lang", "qq", code=None), "unknown locale")


def test_invalid_settings(cli, project):
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "fuzzy_threshold = 0.7", 'fuzzy_threshold = "high"\ncolour = 1'
        )
    )
    one_line_error(cli("extract", code=None), "fuzzy_threshold", "unknown setting 'colour'")


def test_interrupted_write_leaves_the_previous_file(cli, project, monkeypatch):
    cli("extract")
    template = project / "locales/templates/ketamine-addiction.pot"
    before = template.read_bytes()
    source = project / SOURCE
    source.write_text(source.read_text().replace("Nausea</li>", "Nausea and more</li>"))

    def crash(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", crash)
    result = cli("extract", code=130)
    assert "interrupted" in result.stderr
    assert template.read_bytes() == before
    assert [p.name for p in template.parent.iterdir()] == [template.name]  # no temp left


def test_atomic_write_replaces_whole_file(tmp_path):
    target = tmp_path / "a" / "file.txt"
    files.write_atomic(target, "one")
    files.write_atomic(target, "two")
    assert target.read_text() == "two"
    assert os.listdir(target.parent) == ["file.txt"]


def test_files_are_written_and_read_whole_without_file_objects(tmp_path):
    """write_atomic and read_bytes go through os.write and os.read, which may move fewer
    bytes than asked: every size comes back whole, and a folder or a missing file raises as
    Path.read_bytes does."""
    for size in (0, 1, 4096, 3 * (1 << 20) + 7):
        target = tmp_path / f"{size}.bin"
        data = os.urandom(size)
        files.write_atomic(target, data, sync=size % 2 == 1)
        assert files.read_bytes(target) == data == target.read_bytes()
    with pytest.raises(IsADirectoryError):
        files.read_bytes(tmp_path)
    with pytest.raises(FileNotFoundError):
        files.read_bytes(tmp_path / "none")
