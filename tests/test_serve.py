"""pipeline serve, as a real process on loopback."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.fixture
def server(published_project):
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "pipeline", "--project", str(published_project)),
            *("serve", "--port", "0"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    assert "serving" in line, process.stderr.read()
    port = int(line.rsplit(":", 1)[1].split("/")[0])
    yield process, port
    if process.poll() is None:
        process.kill()


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read().decode("utf-8", "replace")


def test_index_and_every_page_are_served_then_it_stops_promptly(server, project):
    process, port = server
    status, index = get(port, "/")
    manifest = json.loads((project / "output/manifest.json").read_text())
    assert status == 200
    for page in manifest["pages"]:
        assert f'href="/{page["region"]}/{page["slug"]}/"' in index
        status, body = get(port, f"/{page['region']}/{page['slug']}/")
        assert status == 200 and f'lang="{page["region"]}"' in body
        assert '<nav class="region-switcher"' in body
    assert "Línea de la Vida" in index
    status, _ = get(port, "/es-MX/ketamine-addiction.json")
    assert status == 200
    status, _ = get(port, "/../../../etc/passwd")
    assert status == 404
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    process.wait(timeout=10)
    # Promptly: not after a poll interval or a request timeout of several seconds (the bound
    # leaves room for a busy machine; it is not a speed measurement).
    assert time.monotonic() - started < 3.0
    assert "stopped" in process.stdout.read()


def test_published_files_stay_as_published(server, project):
    _, port = server
    _, served = get(port, "/fr-FR/ketamine-addiction/")
    on_disk = (project / "output/fr-FR/ketamine-addiction/index.html").read_text()
    assert '<nav class="region-switcher"' not in on_disk
    assert (
        served.replace(served[served.find("\n<nav class") : served.find("</nav>") + 6], "")
        == on_disk
    )


def test_watch_publishes_a_changed_catalog(cli, project, published_project):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "--project",
            str(project),
            "serve",
            "--port",
            "0",
            "--watch",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(process.stdout.readline().rsplit(":", 1)[1].split("/")[0])
        catalog = project / "locales/fr/LC_MESSAGES/ketamine-addiction.po"
        catalog.write_text(catalog.read_text().replace('msgstr "Sommaire"', 'msgstr "Au sommaire"'))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if "Au sommaire" in get(port, "/fr-FR/ketamine-addiction/")[1]:
                break
            time.sleep(0.3)
        else:
            pytest.fail("the changed catalog was not published")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=5)


def test_nothing_published_is_a_clear_error(cli):
    result = cli("serve", "--port", "0", code=1)
    assert "nothing published yet" in result.stderr


def test_busy_port_is_a_one_line_error(cli, project):
    import socket

    cli("publish")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("serve", "--port", str(port), code=1)
    assert result.stderr == "error: Address already in use\n"


def test_damaged_manifest_shows_an_empty_index(cli, project):
    from pipeline.serve import index_page

    cli("publish")
    (project / "output/manifest.json").write_text('{"pages": 5}')
    assert "<tbody></tbody>" in index_page(project / "output")


def start_build_server(project, temporary):
    import os

    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "--project", str(project), "serve", "--build"]
        + ["--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(temporary)},
    )


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_build_folder_is_removed_when_serving_stops(project, tmp_path, signal_number):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    process = start_build_server(project, temporary)
    try:
        line = process.stdout.readline()
        assert "serving" in line, process.stderr.read()
        [folder] = temporary.glob("pipeline-preview-*")
        assert (folder / "output/manifest.json").is_file()
        port = int(line.rsplit(":", 1)[1].split("/")[0])
        assert get(port, "/")[0] == 200
        process.send_signal(signal_number)
        process.wait(timeout=10)
    finally:
        process.kill()
    assert list(temporary.iterdir()) == []


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_build_folder_is_removed_when_stopped_during_the_build(project, tmp_path, signal_number):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    process = start_build_server(project, temporary)
    try:
        deadline = time.monotonic() + 30
        while not list(temporary.glob("pipeline-preview-*")):
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.005)
        process.send_signal(signal_number)
        process.wait(timeout=10)
    finally:
        process.kill()
    assert "serving" not in process.stdout.read()  # it was stopped before serving
    assert list(temporary.iterdir()) == []


@pytest.mark.parametrize("path", ["/%00", "/es-MX%00/", "/es-MX/ketamine-addiction/%00.json"])
def test_nul_in_the_path_is_an_http_error_and_serving_goes_on(server, path):
    _, port = server
    status, _ = get(port, path)
    assert status == 404
    assert get(port, "/")[0] == 200
    assert get(port, "/es-MX/ketamine-addiction/")[0] == 200


DAMAGED_ENTRIES = [
    {"region": "es-MX", "slug": "ketamine-addiction"},  # every other field missing
    {
        "region": "es-MX",
        "slug": "ketamine-addiction",
        "title": ["not", "text"],
        "completeness": "most",
        "json": 5,
        "alternates": [{"href": "/x"}],
    },
    {
        "region": "es-MX",
        "slug": "ketamine-addiction",
        "title": "Ketamina",
        "completeness": 1,
        "json": "es-MX/ketamine-addiction/index.html",  # not JSON
        "alternates": "es-MX",
    },
]


@pytest.mark.parametrize("entry", DAMAGED_ENTRIES)
def test_damaged_manifest_is_answered_and_serving_goes_on(server, project, entry):
    _, port = server
    manifest = project / "output/manifest.json"
    manifest.write_text(json.dumps({"pages": [entry], "skipped": [entry]}))
    status, index = get(port, "/")
    assert status == 200 and "damaged manifest entry" in index
    status, page = get(port, "/es-MX/ketamine-addiction/")
    assert status == 200 and '<nav class="region-switcher"' not in page
    assert get(port, "/es-MX/ketamine-addiction.json")[0] == 200


def test_unreadable_page_is_a_server_error_and_serving_goes_on(server, project):
    _, port = server
    (project / "output/fr-FR/ketamine-addiction/index.html").write_bytes(b"\xff\xfe<html>")
    assert get(port, "/fr-FR/ketamine-addiction/")[0] == 500
    assert get(port, "/")[0] == 200


@given(st.text(max_size=30).map(lambda text: "/" + quote(text)) | st.text(max_size=30))
@settings(max_examples=300, deadline=None)
def test_any_request_path_maps_inside_the_output_folder(tmp_path_factory, path):
    from pathlib import Path

    from pipeline.serve import PreviewHandler

    output = tmp_path_factory.getbasetemp() / "served"
    output.mkdir(exist_ok=True)
    handler = object.__new__(type("Handler", (PreviewHandler,), {"output_dir": output}))
    target = Path(handler.translate_path(path))
    root = output.resolve()
    assert target == root or root in target.parents


@pytest.mark.parametrize("other_thread", [False, True], ids=["alone", "with-a-thread"])
def test_a_signal_just_after_the_build_folder_is_made_still_removes_it(
    tmp_path, monkeypatch, other_thread
):
    """The moment the processes above can only hit now and then: SIGTERM arrives as soon as
    mkdtemp has made the folder, before the cleanup is armed (here sent from inside it). With
    another thread alive the kernel may hand the signal to that thread (sent straight to it
    here), so holding it must not rely on the main thread's signal mask."""
    import os
    import select
    import tempfile
    import threading

    from pipeline.interrupts import stopping_signals
    from pipeline.serve import preview_folder

    made = tempfile.mkdtemp

    def made_then_stopped(*args, **kwargs):
        folder = made(*args, dir=tmp_path, **kwargs)
        if other_thread:
            signal.pthread_kill(waiter.ident, signal.SIGTERM)
            # Once the signal's C handler has run in that thread (it writes to the wakeup
            # fd), the main thread runs the Python handler at its next instruction.
            select.select([woken], [], [], 30)
        else:
            os.kill(os.getpid(), signal.SIGTERM)
        return folder

    monkeypatch.setattr(tempfile, "mkdtemp", made_then_stopped)
    done = threading.Event()
    waiter = threading.Thread(target=done.wait, daemon=True)
    woken, wake = os.pipe()
    os.set_blocking(wake, False)
    previous_wakeup = signal.set_wakeup_fd(wake)
    if other_thread:
        waiter.start()
    try:
        with pytest.raises(KeyboardInterrupt), stopping_signals(), preview_folder():
            pytest.fail("the signal is raised as the folder's cleanup is armed, before any use")
    finally:
        done.set()
        signal.set_wakeup_fd(previous_wakeup)
        os.close(woken)
        os.close(wake)
    assert list(tmp_path.iterdir()) == []
