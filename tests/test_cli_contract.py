"""The scripting contract: --json prints exactly one JSON document on stdout (a report or an
error), usage errors exit 2, failures 1, a publish that policy emptied 3."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PAGE = "source/ketamine-addiction.html"
GERMAN = "locales/de/LC_MESSAGES/ketamine-addiction.po"


def one_document(result) -> dict:
    """stdout holds one JSON document and nothing else (json.loads refuses trailing data)."""
    assert "Traceback" not in result.output
    return json.loads(result.stdout)


def case_id(value) -> str:
    return " ".join(value) if isinstance(value, tuple) else str(value)


# (arguments, exit status) of every command that takes --json, on the bundled project.
REPORTS = [
    (("extract",), 0),
    (("init", "it"), 0),
    (("update",), 0),
    (("status",), 0),
    (("publish",), 0),
    (("check", "--lang", "es"), None),  # the shipped catalogs may hold findings
    (("pseudo",), 0),
    (("regions",), 0),
    (("push", "--endpoint", "http://127.0.0.1:9", "--dry-run"), 0),
    (("file", "extract", PAGE, "-o", "page.pot"), 0),
    (("file", "merge", PAGE, GERMAN, "-o", "page.html"), 0),
]


@pytest.mark.parametrize("args, code", REPORTS, ids=case_id)
def test_every_json_command_prints_one_document(cli, project, monkeypatch, args, code):
    monkeypatch.chdir(project)
    if args[0] == "push":
        cli("publish")
    result = cli(*args, "--json", code=code)
    data = one_document(result)
    assert "error" not in data


def test_tm_import_prints_one_document(cli, project, tmp_path):
    tmx = tmp_path / "es.tmx"
    cli("tm", "export", "--lang", "es", "-o", str(tmx))
    data = one_document(cli("tm", "import", str(tmx), "--json"))
    assert "filled" in data


USAGE_ERRORS = [
    (("extract", "../secret"), "path"),
    (("extract", "nope"), "usage"),
    (("init", "../fr"), "locale"),
    (("init", "it", "../../etc/passwd"), "path"),
    (("update", "--lang", "qq"), "locale"),
    (("update", "--lang", "it"), "usage"),
    (("update", "--article", "../x"), "path"),
    (("update", "--threshold", "7"), "usage"),
    (("status", "--lang", "xx-YY"), "locale"),
    (("publish", "--region", "it-IT"), "usage"),
    (("publish", "--region", "xx-YY"), "locale"),
    (("publish", "--article", "../x"), "path"),
    (("publish", "--article", "nope"), "usage"),
    (("check", "--lang", "../x"), "locale"),
    (("pseudo", "--bogus"), "usage"),
    (("regions", "extra"), "usage"),
    (("push", "--endpoint", "ftp://x"), "usage"),
    (("fetch", "http://127.0.0.1:9/", "--slug", "../x"), "path"),
    (("tm", "import", "missing.tmx"), "usage"),
    (("file", "extract", PAGE), "usage"),  # content and report would both go to stdout
    (("file", "merge", PAGE, GERMAN), "usage"),
    (("file", "merge", PAGE, GERMAN, "-o", "x.html", "--lang", "qq"), "locale"),
]


@pytest.mark.parametrize("args, code", USAGE_ERRORS, ids=case_id)
def test_usage_errors_exit_2_with_a_json_error(cli, project, monkeypatch, args, code):
    monkeypatch.chdir(project)
    result = cli(*args, "--json", code=2)
    error = one_document(result)["error"]
    assert error["code"] == code and error["message"] and "\n" not in error["message"]
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert not (project.parent / "secret.pot").exists()


def test_failures_exit_1_with_a_json_error(cli, project):
    (project / "pyproject.toml").write_text("[tool.pipeline]\ncolour = 1\n")
    error = one_document(cli("status", "--json", code=1))["error"]
    assert error["code"] == "config" and "unknown setting 'colour'" in error["message"]


def test_the_installed_command_keeps_the_contract(project):
    """The same through the `pipeline` entry point, in a process of its own."""
    command = [sys.executable, "-m", "pipeline", "--project", str(project)]
    result = subprocess.run(
        [*command, "publish", "--region", "it-IT", "--json"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"]["code"] == "usage"
    result = subprocess.run(
        [*command, "file", "extract", str(project / PAGE), "--json"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and json.loads(result.stdout)["error"]["code"] == "usage"
    assert "msgid" not in result.stdout  # no template before the JSON


def test_publish_that_policy_emptied_exits_3(cli, partial_german):
    result = cli("publish", "--region", "de-DE", "--min-complete", "100", "--json", code=3)
    data = one_document(result)
    assert [entry["region"] for entry in data["skipped"]] == ["de-DE"]
    assert "policy skipped every requested page" in result.stderr
    cli("publish", "--region", "de-DE", "--min-complete", "100", code=3)  # unchanged: still 3
    cli("publish", "--min-complete", "100")  # other regions were published: success
    cli("publish", "--region", "de-DE", "--min-complete", "0")


def test_file_merge_takes_the_language_from_the_catalog(cli, project, tmp_path):
    out = tmp_path / "de.html"
    cli("file", "merge", str(project / PAGE), str(project / GERMAN), "-o", str(out))
    assert '<html lang="de" dir="ltr">' in out.read_text()
    cli("file", "merge", str(project / PAGE), str(project / GERMAN), "-o", str(out), "--lang", "fr")
    assert '<html lang="fr" dir="ltr">' in out.read_text()


def test_settings_lie_under_the_flags(cli, project, partial_german):
    """[tool.pipeline] values are the flags' defaults (shown in --help); a flag still wins."""
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text().replace("min_complete = 50", "min_complete = 100")
    pyproject.write_text(text.replace("fuzzy_threshold = 0.7", "fuzzy_threshold = 0.85"))
    assert "[default: 100;" in cli("publish", "--help").stdout
    assert "[default: 0.85;" in cli("update", "--help").stdout
    skipped = one_document(cli("publish", "--region", "de-DE", "--json", code=3))["skipped"]
    assert skipped[0]["reason"].endswith("below the 100% threshold")
    assert one_document(cli("publish", "--region", "de-DE", "--min-complete", "0", "--json"))
