"""fetch keeps a page's language and direction, detects an undeclared language, and refuses
an article that is not in the project's source language (real pages from the corpus, served
on 127.0.0.1)."""

from __future__ import annotations

import json
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import CORPUS, one_line_error, serve_in_background

pytestmark = pytest.mark.skipif(not (CORPUS / "pages").is_dir(), reason="no ../shared/corpus")

ENGLISH_UNTAGGED = """<html><head><title>Withdrawal</title></head><body><article>
<h1>What withdrawal feels like</h1>
<p>Withdrawal is the body's reaction when a drug it has grown used to is stopped. It can
last from a few days to several weeks, and a doctor can make it safer and easier.</p>
<p>Call a helpline or talk to your doctor before you stop taking any medicine on your own.</p>
</article></body></html>"""


def corpus_page(name: str) -> bytes:
    return (CORPUS / "pages" / f"{name}.html").read_bytes()


def untagged(page: bytes) -> bytes:
    """The page with every language declaration taken out (lang, xml:lang, og:locale)."""
    page = re.sub(rb'\s(?:xml:)?lang="[^"]*"', b"", page)
    return re.sub(rb"<meta[^>]*og:locale[^>]*>", b"", page)


@pytest.fixture(scope="module")
def site():
    routes = {
        "/heise": corpus_page("heise"),
        "/nytimes-untagged": untagged(corpus_page("nytimes-5")),
        "/rtl": corpus_page("rtl-1"),
        "/english-untagged": ENGLISH_UNTAGGED.encode(),
    }

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = routes.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    serve_in_background(server)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_german_page_is_refused_as_an_english_source(cli, project, site):
    result = cli("fetch", f"{site}/heise", "--slug", "heise", code=1)
    one_line_error(result, "heise")
    assert "'de' (declared by the page)" in result.stderr and "'en-US'" in result.stderr
    assert "--force" in result.stderr
    assert not (project / "source/heise.html").exists()
    data = json.loads(cli("fetch", f"{site}/heise", "--slug", "heise", "--json", code=1).stdout)
    assert data["error"]["code"] == "source"
    forced = json.loads(
        cli("fetch", f"{site}/heise", "--slug", "heise", "--force", "--json").stdout
    )
    assert forced["language"] == "de" and forced["language_detected"] is False
    assert '<html lang="de">' in (project / "source/heise.html").read_text()


def test_an_untagged_spanish_page_is_detected_and_refused(cli, project, site):
    result = cli("fetch", f"{site}/nytimes-untagged", "--slug", "nyt", code=1)
    assert "'es' (detected from its text)" in result.stderr
    forced = cli("fetch", f"{site}/nytimes-untagged", "--slug", "nyt", "--force")
    assert "declares no language; detected 'es'" in forced.stderr
    assert '<html lang="es">' in (project / "source/nyt.html").read_text()


def test_an_untagged_english_page_is_detected_and_kept(cli, project, site):
    data = json.loads(cli("fetch", f"{site}/english-untagged", "--slug", "w", "--json").stdout)
    assert data["language"] == "en" and data["language_detected"] is True
    assert '<html lang="en">' in (project / "source/w.html").read_text()


def test_a_right_to_left_page_keeps_its_direction(cli, project, site):
    cli("fetch", f"{site}/rtl", "--slug", "rtl", "--force")
    text = (project / "source/rtl.html").read_text()
    assert re.search(r'<html lang="[a-z]+" dir="rtl">', text), text[:200]
    cli("extract", "rtl")
