"""push against a real HTTP server on 127.0.0.1 (no mocked requests)."""

from __future__ import annotations

import json

import pytest

from cms_server import CMS
from pipeline.cli import main

TOKEN = "s3cret-token-0123456789"
PAGE = "/api/pages/{}/ketamine-addiction"
REGIONS = ["de-DE", "en-AU", "en-GB", "en-US", "es-MX", "es-US", "fr-FR"]


@pytest.fixture
def cms():
    with CMS() as server:
        yield server


def push(cli, cms, *options, code=0):
    result = cli.runner.invoke(
        main,
        [
            "--project",
            str(cli.root),
            "push",
            "--endpoint",
            cms.url,
            "--backoff",
            "0.01",
            "--json",
            *options,
        ],
        env={"PIPELINE_CMS_TOKEN": TOKEN},
    )
    assert result.exit_code == code, result.output
    assert TOKEN not in result.output
    return json.loads(result.stdout) if result.stdout.strip().startswith("{") else result


def test_push_delivers_the_whole_publish_then_nothing(cli, project, cms):
    cli("publish")
    data = push(cli, cms)
    assert sorted(data["sent"]) == sorted(f"{r}/ketamine-addiction" for r in REGIONS)
    assert sorted(cms.sent()) == sorted(PAGE.format(r) for r in REGIONS)
    for request in cms.requests:
        assert request["auth"] == f"Bearer {TOKEN}"
        assert request["type"] == "application/json"
        region = request["path"].split("/")[3]
        expected = (project / f"output/{region}/ketamine-addiction.json").read_bytes()
        assert request["body"] == expected
    assert cms.pages[PAGE.format("es-MX")]["hotline"]["e164"] == "+528009112000"
    again = push(cli, cms)
    assert again["sent"] == [] and len(again["unchanged"]) == 7 and len(cms.requests) == 7


def test_changed_translation_sends_one_page_per_affected_region(cli, project, cms):
    cli("publish")
    push(cli, cms)
    catalog = project / "locales/es/LC_MESSAGES/ketamine-addiction.po"
    catalog.write_text(catalog.read_text().replace('msgstr "Contenido"', 'msgstr "Índice"'))
    cli("publish")
    data = push(cli, cms)
    assert sorted(data["sent"]) == ["es-MX/ketamine-addiction", "es-US/ketamine-addiction"]


def test_temporary_failures_are_retried(cli, cms):
    cli("publish")
    cms.fail_first[PAGE.format("fr-FR")] = [503, 503]
    cms.fail_first[PAGE.format("de-DE")] = [429]
    data = push(cli, cms)
    assert len(data["sent"]) == 7 and data["failed"] == []
    assert cms.sent().count(PAGE.format("fr-FR")) == 3
    assert cms.sent().count(PAGE.format("de-DE")) == 2


def test_refused_token_stops_with_a_clear_message(cli, cms):
    cli("publish")
    cms.status_for_all = 401
    result = push(cli, cms, code=1)
    assert "the CMS refused the token (401): check PIPELINE_CMS_TOKEN" in result["stopped"]
    assert len(cms.requests) == 1  # no retry, no other page tried


def test_client_errors_are_reported_not_retried(cli, cms):
    cli("publish")
    cms.always[PAGE.format("en-GB")] = 422
    data = push(cli, cms, code=1)
    assert data["failed"] == [
        {"region": "en-GB", "slug": "ketamine-addiction", "status": 422, "message": "page rejected"}
    ]
    assert cms.sent().count(PAGE.format("en-GB")) == 1


def test_interrupted_push_resumes_with_what_is_missing(cli, cms):
    cli("publish")
    cms.always[PAGE.format("es-US")] = 500  # fails after every retry
    cms.always[PAGE.format("fr-FR")] = 500
    first = push(cli, cms, "--retries", "1", code=1)
    assert len(first["sent"]) == 5 and len(first["failed"]) == 2
    cms.always.clear()
    cms.requests.clear()
    second = push(cli, cms)
    assert sorted(second["sent"]) == ["es-US/ketamine-addiction", "fr-FR/ketamine-addiction"]
    assert sorted(cms.sent()) == [PAGE.format("es-US"), PAGE.format("fr-FR")]


def test_prune_deletes_pages_the_publish_no_longer_has(cli, cms):
    cli("publish")
    push(cli, cms)
    cli("publish", "--min-complete", "90")  # de-DE leaves the publish
    cms.requests.clear()
    without_prune = push(cli, cms)
    assert without_prune["pruned"] == [] and cms.sent("DELETE") == []
    data = push(cli, cms, "--prune")
    assert data["pruned"] == ["de-DE/ketamine-addiction"]
    assert cms.sent("DELETE") == [PAGE.format("de-DE")]
    assert PAGE.format("de-DE") not in cms.pages


def test_unreachable_cms_and_missing_token(cli, project):
    cli("publish")
    result = cli.runner.invoke(
        main,
        [
            "--project",
            str(project),
            "push",
            "--endpoint",
            "http://127.0.0.1:9/api",
            "--retries",
            "1",
            "--backoff",
            "0.01",
            "--timeout",
            "1",
        ],
        env={"PIPELINE_CMS_TOKEN": TOKEN},
    )
    assert result.exit_code == 1 and "no response" in result.output
    assert TOKEN not in result.output
    result = cli.runner.invoke(
        main,
        ["--project", str(project), "push", "--endpoint", "http://127.0.0.1:9/api"],
        env={"PIPELINE_CMS_TOKEN": ""},
    )
    assert result.exit_code == 1 and "set PIPELINE_CMS_TOKEN" in result.stderr
