"""`status` and `check` over worker processes give the report of one process, in the same
order: catalogs are read and checked in groups by workers, msgfmt judging each group's in one
run, and a catalog msgfmt refuses is still reported with its own errors and lines."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from conftest import Cli, generated_project
from pipeline import catalog_pool


@pytest.fixture
def generated(tmp_path, monkeypatch) -> Path:
    """12 generated articles (36 catalogs) in groups of 2: 18 groups, enough for two workers."""
    monkeypatch.setattr(catalog_pool, "GROUP", 2)
    root = generated_project(tmp_path / "project", 12, seed=5)
    damaged = root / "locales/fr/LC_MESSAGES/article-00004.po"
    text = damaged.read_text(encoding="utf-8")
    damaged.write_text(re.sub(r"plural=[^;]*;", "plural=(n > 1;", text, count=1))
    translated = root / "locales/es/LC_MESSAGES/article-00007.po"
    text = translated.read_text(encoding="utf-8")
    second = text.index('msgstr "', text.index("msgid", text.index("msgctxt")))
    end = text.index("\n", second)
    translated.write_text(text[:second] + 'msgstr "<b>added markup</b>"' + text[end:])
    return root


def reports(root: Path, jobs: str) -> tuple:
    cli = Cli(root)
    status = json.loads(cli("status", "--json", "--jobs", jobs).stdout)
    check = json.loads(cli("check", "--json", "--jobs", jobs, code=None).stdout)
    return status, check


def test_status_and_check_over_workers_equal_one_process(generated):
    two = reports(generated, "2")  # first: the workers judge every catalog, none remembered
    one = reports(generated, "1")
    assert two == one
    status, check = one
    assert len(status["catalogs"]) == 36
    assert [(row["article"], row["language"]) for row in check["catalogs"]] == [
        (f"article-{n:05d}", language) for language in ("de", "es", "fr") for n in range(12)
    ]
    errors = {f["catalog"] for f in check["findings"] if f["severity"] == "error"}
    assert errors == {
        "locales/fr/LC_MESSAGES/article-00004.po",
        "locales/es/LC_MESSAGES/article-00007.po",
    }


@pytest.mark.parametrize("command", ["status", "check"])
def test_an_unreadable_catalog_in_a_worker_is_one_line(generated, command):
    fifo = generated / "locales/es/LC_MESSAGES/article-00009.po"
    fifo.unlink()
    os.mkfifo(fifo)
    result = Cli(generated)(command, "--jobs", "2", code=1)
    assert result.stderr.splitlines() == [f"error: {fifo}: not a regular file (a FIFO)"]
    data = json.loads(Cli(generated)(command, "--jobs", "2", "--json", code=1).stdout)
    assert data["error"]["message"] == f"{fifo}: not a regular file (a FIFO)"
