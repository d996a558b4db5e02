"""push against a real HTTP server on 127.0.0.1 (no mocked requests)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cms_server import CMS
from conftest import one_line_error
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


@pytest.mark.usefixtures("published_project")
def test_push_delivers_the_whole_publish_then_nothing(cli, project, cms):
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


@pytest.mark.usefixtures("published_project")
def test_changed_translation_sends_one_page_per_affected_region(cli, project, cms):
    push(cli, cms)
    catalog = project / "locales/es/LC_MESSAGES/ketamine-addiction.po"
    catalog.write_text(catalog.read_text().replace('msgstr "Contenido"', 'msgstr "Índice"'))
    cli("publish")
    data = push(cli, cms)
    assert sorted(data["sent"]) == ["es-MX/ketamine-addiction", "es-US/ketamine-addiction"]


@pytest.mark.usefixtures("published_project")
def test_temporary_failures_are_retried(cli, cms):
    cms.fail_first[PAGE.format("fr-FR")] = [503, 503]
    cms.fail_first[PAGE.format("de-DE")] = [429]
    data = push(cli, cms)
    assert len(data["sent"]) == 7 and data["failed"] == []
    assert cms.sent().count(PAGE.format("fr-FR")) == 3
    assert cms.sent().count(PAGE.format("de-DE")) == 2


@pytest.mark.usefixtures("published_project")
def test_refused_token_stops_with_a_clear_message(cli, cms):
    cms.status_for_all = 401
    result = push(cli, cms, code=1)
    assert "the CMS refused the token (401): check PIPELINE_CMS_TOKEN" in result["stopped"]
    assert len(cms.requests) == 1  # no retry, no other page tried


@pytest.mark.usefixtures("published_project")
def test_client_errors_are_reported_not_retried(cli, cms):
    cms.always[PAGE.format("en-GB")] = 422
    data = push(cli, cms, code=1)
    assert data["failed"] == [
        {"region": "en-GB", "slug": "ketamine-addiction", "status": 422, "message": "page rejected"}
    ]
    assert cms.sent().count(PAGE.format("en-GB")) == 1


@pytest.mark.usefixtures("published_project")
def test_interrupted_push_resumes_with_what_is_missing(cli, cms):
    cms.always[PAGE.format("es-US")] = 500  # fails after every retry
    cms.always[PAGE.format("fr-FR")] = 500
    first = push(cli, cms, "--retries", "1", code=1)
    assert len(first["sent"]) == 5 and len(first["failed"]) == 2
    cms.always.clear()
    cms.requests.clear()
    second = push(cli, cms)
    assert sorted(second["sent"]) == ["es-US/ketamine-addiction", "fr-FR/ketamine-addiction"]
    assert sorted(cms.sent()) == [PAGE.format("es-US"), PAGE.format("fr-FR")]


def test_prune_deletes_pages_the_publish_no_longer_has(cli, cms, partial_german):
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


@pytest.mark.usefixtures("published_project")
def test_unreachable_cms_and_missing_token(cli, project):
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


class Refuser:
    """A loopback server that takes each connection and closes it unanswered; counts them."""

    def __init__(self):
        import socket
        import threading

        self.socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/api"
        self.connections = 0
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self):
        self.socket.close()


def push_to(cli, endpoint, *options, env=None, code=1):
    """push through the CLI with a fast backoff; the result as it was (JSON or not)."""
    result = cli.runner.invoke(
        main,
        ["--project", str(cli.root), "push", "--endpoint", endpoint, "--backoff", "0.01", *options],
        env=env or {"PIPELINE_CMS_TOKEN": TOKEN},
    )
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert TOKEN not in result.output
    return result


def test_cms_that_is_down_stops_the_push_with_a_report(cli):
    import socket

    cli("publish")
    with socket.socket() as bound:  # a port of ours with nothing listening: refused at once
        bound.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{bound.getsockname()[1]}/api"
        result = push_to(cli, endpoint, "--json")
        plain = push_to(cli, endpoint)
    data = json.loads(result.stdout)
    assert data["sent"] == [] and data["failed"] == []
    assert sorted(data["not_sent"]) == sorted(f"{r}/ketamine-addiction" for r in REGIONS)
    assert data["error"]["code"] == "cms_unreachable"
    assert "no response from the CMS" in data["error"]["message"]
    assert "3 attempts in a row" in data["stopped"]
    assert plain.stderr.count("\n") == 1 and plain.stderr.startswith("error: no response")
    assert "not sent 7" in plain.stdout


@pytest.mark.parametrize(
    ("options", "setting", "attempts", "not_sent"),
    [
        ((), None, 3, 7),
        (("--give-up-after", "5"), None, 5, 7),
        ((), 2, 2, 7),
        (("--give-up-after", "4"), 2, 4, 7),  # the flag wins over the setting
        (("--retries", "0"), None, 3, 5),  # two pages failed, the third attempt stopped it
    ],
)
@pytest.mark.usefixtures("published_project")
def test_failing_cms_is_given_up_after_a_few_attempts(
    cli, project, options, setting, attempts, not_sent
):
    if setting:
        pyproject = project / "pyproject.toml"
        pyproject.write_text(
            pyproject.read_text().replace(
                "[tool.pipeline]", f"[tool.pipeline]\npush_give_up_after = {setting}"
            )
        )
    refuser = Refuser()
    try:
        result = push_to(cli, refuser.url, "--json", *options)
    finally:
        refuser.close()
    # Seven pages with five retries each were 42 attempts and about 16 s a page before.
    assert refuser.connections == attempts
    assert len(json.loads(result.stdout)["not_sent"]) == not_sent


@pytest.mark.usefixtures("published_project")
def test_a_response_ends_the_streak(cli, cms):
    cms.always[PAGE.format("en-GB")] = 500  # answers, so the CMS is reachable
    data = push(cli, cms, "--retries", "3", "--give-up-after", "2", code=1)
    assert len(data["sent"]) == 6 and data["not_sent"] == [] and data["stopped"] is None
    assert cms.sent().count(PAGE.format("en-GB")) == 4


@pytest.mark.usefixtures("published_project")
def test_malformed_retry_after_falls_back_to_the_backoff(cli, cms):
    cms.retry_after = "soon"
    cms.fail_first[PAGE.format("fr-FR")] = [429, 429]
    data = push(cli, cms)
    assert len(data["sent"]) == 7
    assert cms.sent().count(PAGE.format("fr-FR")) == 3


@pytest.mark.usefixtures("published_project")
def test_token_from_a_crlf_file_is_stripped_and_never_printed(cli, cms):
    result = push_to(cli, cms.url, "--json", env={"PIPELINE_CMS_TOKEN": TOKEN + "\r\n"}, code=0)
    assert len(json.loads(result.stdout)["sent"]) == 7
    assert {request["auth"] for request in cms.requests} == {f"Bearer {TOKEN}"}


@pytest.mark.parametrize("token", ["tok-€-secret", "tok SECRET", "tok\r\nX-Other: 1"])
@pytest.mark.usefixtures("published_project")
def test_invalid_token_is_a_one_line_error_that_does_not_show_it(cli, cms, token):
    result = push_to(cli, cms.url, env={"PIPELINE_CMS_TOKEN": token})
    one_line_error(result, "PIPELINE_CMS_TOKEN is not a valid API token")
    assert token.strip() not in result.output and "SECRET" not in result.output
    assert cms.requests == []


@pytest.mark.parametrize("as_json", [True, False])
@pytest.mark.usefixtures("published_project")
def test_cms_echoing_the_token_is_redacted(cli, cms, as_json):
    cms.echo_headers = True
    cms.always[PAGE.format("en-GB")] = 422
    result = push_to(cli, cms.url, *(["--json"] if as_json else []))
    assert "[token]" in result.output
    cms.status_for_all = 401
    result = push_to(cli, cms.url, *(["--json"] if as_json else []))
    assert "Bearer [token]" in result.output


@pytest.mark.parametrize("outside", ["../../secret.json", "{tmp}/secret.json"])
@pytest.mark.usefixtures("published_project")
def test_manifest_path_outside_output_is_refused(cli, project, cms, outside):
    secret = project.parent / "secret.json"
    secret.write_text('{"secret": "do not send"}')
    manifest = project / "output/manifest.json"
    hostile = outside.format(tmp=project.parent)
    manifest.write_text(
        manifest.read_text().replace('"de-DE/ketamine-addiction.json"', json.dumps(hostile), 1)
    )
    data = push(cli, cms, code=1)
    assert all(b"do not send" not in request["body"] for request in cms.requests)
    assert PAGE.format("de-DE") not in cms.sent() and len(data["sent"]) == 6
    [failure] = data["failed"]
    assert failure["region"] == "de-DE" and "refused: the json path" in failure["message"]


@pytest.mark.parametrize("state", ["[]", '{"endpoint": "x", "pages": [1]}', '"text"'])
def test_damaged_push_state_is_a_one_line_error(cli, project, cms, state):
    import hashlib

    cli("publish")
    digest = hashlib.sha256(cms.url.encode()).hexdigest()[:16]
    (project / ".pipeline-cache").mkdir(exist_ok=True)
    (project / f".pipeline-cache/push-{digest}.json").write_text(state)
    result = push_to(cli, cms.url)
    one_line_error(result, "damaged push state")


@given(st.text(min_size=1, max_size=40))
@settings(max_examples=300, deadline=None)
def test_a_token_is_either_clean_or_refused_without_being_shown(raw):
    from pipeline.cms import checked_token
    from pipeline.errors import PublishError

    try:
        token = checked_token(raw, dry_run=False)
    except PublishError as error:
        assert raw.strip() == "" or raw.strip() not in str(error)
        return
    assert token == raw.strip() and token.isascii() and token.isprintable() and " " not in token
    assert f"Bearer {token}".encode("latin-1")  # a header value requests sends as it is
