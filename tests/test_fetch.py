"""fetch against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import sys
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import one_line_error, serve_in_background

ARTICLE_PAGE = """<!DOCTYPE html>
<html lang="fr-FR"><head><meta charset="utf-8">
<title>Sevrage : ce qu'il faut savoir</title>
<meta name="description" content="Un guide du sevrage.">
<link rel="canonical" href="/sante/sevrage">
<script>window.tracker = {id: 42};</script>
<style>body { color: red }</style>
</head><body>
<div id="cookie-banner" class="consent">We use cookies. <button>Accept all</button></div>
<header class="site-header"><a href="/">Logo</a></header>
<nav><ul><li><a href="/menu">Menu item</a></li></ul></nav>
<main>
<article class="post" onclick="track()">
<h1>Sevrage : ce qu'il faut savoir</h1>
<p>Le sevrage est une étape importante du traitement. Il doit être accompagné par des
professionnels de santé, surtout les premiers jours.</p>
<p>Consultez notre <a href="guide.html" onmouseover="x()">guide complet</a> et la
<a href="https://example.net/aide">page d'aide</a> pour en savoir plus sur les étapes.</p>
<figure><img src="/img/sevrage.jpg" alt="Une infirmière" onerror="steal()">
<figcaption>Une infirmière accompagne un patient.</figcaption></figure>
<img src="/pixel.gif" width="1" height="1" alt="">
<div class="share-buttons"><a href="/share">Partager</a></div>
<p>Les symptômes disparaissent en général en quelques jours avec un suivi adapté.</p>
</article>
<section class="comments"><p>Commentaire : super article !</p></section>
</main>
<aside class="sidebar advert">Publicité</aside>
<footer><p>© Site 2026</p></footer>
<script src="/analytics.js"></script>
</body></html>"""

NO_ARTICLE_PAGE = """<html><head><title>Plain layout</title></head><body>
<div class="menu"><a href="/a">A</a> <a href="/b">B</a> <a href="/c">C</a></div>
<div class="content"><p>First paragraph of the real text, long enough to count as the main
content of this page for any reasonable reader of the page.</p><p>Second paragraph with more
words in it, so that the densest block is clearly this one and not the menu.</p></div>
<div class="footer"><p>Short footer.</p></div></body></html>"""

LATIN1_PAGE = (
    "<html><head><title>Caf\xe9</title></head><body><article><h1>Le caf\xe9</h1>"
    "<p>Le caf\xe9 cr\xe8me est servi \xe0 toute heure, m\xeame le dimanche, dans "
    "toutes les brasseries de la ville et des environs.</p></article></body></html>"
)

# An XHTML page as older CMSs serve it, as text/html with an XML declaration: browsers read it
# as HTML, and so does fetch. (Over 512 characters, as real pages are: bs4 did not warn about
# a shorter one.)
XHTML_PAGE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
    '<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title>Ketamine help</title>'
    "</head><body><article><h1>Ketamine help</h1><p>Help is there for anyone who uses "
    "ketamine and wants to stop, whatever the day or the hour.</p><p>Call the helpline "
    "for free and confidential advice on treatment and on what comes next.</p><p>Family "
    "and friends can call too: they are often the first to see that something is wrong, "
    "and the first to be asked for help.</p></article>"
    "</body></html>"
)

ROUTES = {
    "/sante/article.html": (200, "text/html; charset=utf-8", ARTICLE_PAGE.encode()),
    "/plain": (200, "text/html", NO_ARTICLE_PAGE.encode()),
    "/latin": (200, "text/html; charset=iso-8859-1", LATIN1_PAGE.encode("latin-1")),
    "/xhtml": (200, "text/html; charset=utf-8", XHTML_PAGE.encode()),
    "/doc.pdf": (200, "application/pdf", b"%PDF-1.4 fake"),
    "/big": (200, "text/html", b"<p>" + b"x" * 5000 + b"</p>"),
    "/slow": (200, "text/html", ARTICLE_PAGE.encode()),
    "/moved": (301, "text/html", b""),
}


class SiteServer(ThreadingHTTPServer):
    """The test site's server. Its request threads end with the test (server_close joins
    them), and a client that hung up, as the timeout tests' clients do, is no error: a
    traceback printed later would land in the stderr of whatever test runs the CLI then."""

    daemon_threads = False

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Server:
    def __init__(self):
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def drip(self, data: bytes):
                """`data` a byte every half second, until the client or the test goes."""
                for byte in data:
                    if self.server.closing.wait(0.5):
                        return
                    try:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    except OSError:
                        return

            def do_GET(self):
                self.server.agents.append(self.headers.get("User-Agent"))
                if self.path == "/drip":
                    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                    self.wfile.write(head + b"Content-Length: 100000\r\n\r\n<html>")
                    return self.drip(b"x" * 100)
                if self.path == "/drip-head":
                    return self.drip(b"HTTP/1.1 200 OK\r\n" + b"X-Slow: yes\r\n" * 10)
                if self.path == "/to-bad-url":
                    self.send_response(302)
                    self.send_header("Location", "http://[::1")
                    self.end_headers()
                    return None
                if self.path == "/slow":
                    self.server.closing.wait(1.5)
                if self.path not in ROUTES:
                    self.send_response(404)
                    self.end_headers()
                    return
                status, kind, body = ROUTES[self.path]
                self.send_response(status)
                if status == 301:
                    self.send_header("Location", "/sante/article.html")
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = SiteServer(("127.0.0.1", 0), Handler)
        self.server.agents = []
        self.server.closing = threading.Event()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        serve_in_background(self.server)

    def close(self):
        self.server.closing.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site():
    server = Server()
    yield server
    server.close()


def test_article_is_kept_and_everything_else_dropped(cli, project, site):
    # A French article in an English project: --force imports it all the same.
    data = json.loads(cli("fetch", f"{site.url}/sante/article.html", "--force", "--json").stdout)
    assert data["slug"] == "article" and data["language"] == "fr-FR"
    text = (project / "source/article.html").read_text()
    for kept in (
        "Le sevrage est une étape importante",
        "Une infirmière accompagne",
        "Les symptômes disparaissent",
        "<title>Sevrage : ce qu'il faut savoir</title>",
        '<meta name="description" content="Un guide du sevrage.">',
        '<html lang="fr-FR">',
    ):
        assert kept in text, kept
    for dropped in (
        "cookies",
        "Accept all",
        "Logo",
        "Menu item",
        "Commentaire",
        "Publicité",
        "© Site",
        "<script",
        "<style",
        "tracker",
        "onclick",
        "onmouseover",
        "onerror",
        "pixel.gif",
        "Partager",
        "analytics",
    ):
        assert dropped not in text, dropped
    assert f'<link rel="canonical" href="{site.url}/sante/sevrage">' in text
    assert f'href="{site.url}/sante/guide.html"' in text
    assert f'src="{site.url}/img/sevrage.jpg"' in text
    assert 'href="https://example.net/aide"' in text
    assert site.server.agents[0].startswith("pipeline/")
    result = cli("extract", "article")
    assert "article.pot" in result.stdout


def test_page_without_article_uses_the_densest_block(cli, project, site):
    cli("fetch", f"{site.url}/plain", "--slug", "plain")
    text = (project / "source/plain.html").read_text()
    assert "First paragraph of the real text" in text and "Short footer" not in text
    assert ">A</a>" not in text


def test_declared_charset_is_honoured(cli, project, site):
    cli("fetch", f"{site.url}/latin", "--force")  # French
    assert "Le café crème est servi à toute heure" in (project / "source/latin.html").read_text(
        encoding="utf-8"
    )


def test_an_xhtml_page_is_read_as_html_without_warnings(cli, project, site):
    """Nothing but fetch's own lines reaches the terminal: bs4 warned, in a dozen lines
    naming its own file, that an XML document was being parsed as HTML."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = cli("fetch", f"{site.url}/xhtml", "--slug", "xhtml")
    assert [str(w.message) for w in caught if w.category is not DeprecationWarning] == []
    assert "Call the helpline" in (project / "source/xhtml.html").read_text()
    assert "xml version" not in (project / "source/xhtml.html").read_text()
    assert result.stderr == ""


@pytest.mark.parametrize("text", ["https://example.org/aide", "guide.html", XHTML_PAGE])
def test_parse_html_reads_a_field_or_page_quietly(text):
    """A WordPress field that is only a URL or a file name, or an XHTML page, is HTML text:
    bs4's warnings that it looks like something else never reach the terminal."""
    from pipeline.fetch import parse_html

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        soup = parse_html(text)
    assert [str(w.message) for w in caught] == []
    assert soup.get_text().strip().startswith(("https://", "guide", "Ketamine help"))


def test_redirects_are_followed(cli, project, site):
    moved = cli("fetch", f"{site.url}/moved", "--slug", "moved", "--force", "--json")  # French
    data = json.loads(moved.stdout)
    assert data["url"].endswith("/sante/article.html")


@pytest.mark.parametrize(
    "path, options, message",
    [
        ("/missing", (), "HTTP 404"),
        ("/doc.pdf", (), "not an HTML page (application/pdf)"),
        ("/big", ("--max-bytes", "1000"), "over the 1000-byte limit"),
        ("/slow", ("--timeout", "0.3"), "no answer within 0.3 s"),
    ],
)
def test_failures_are_one_line_errors(cli, project, site, path, options, message):
    result = cli("fetch", f"{site.url}{path}", "--slug", "x", *options, code=1)
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (project / "source/x.html").exists()


def test_existing_source_is_not_overwritten_without_force(cli, project, site):
    cli("fetch", f"{site.url}/sante/article.html", "--slug", "ketamine-addiction", code=1)
    assert "Ketamine" in (project / "source/ketamine-addiction.html").read_text()
    cli("fetch", f"{site.url}/sante/article.html", "--slug", "ketamine-addiction", "--force")
    assert "Sevrage" in (project / "source/ketamine-addiction.html").read_text()


@pytest.mark.parametrize("url", ["http://[::1", "http://[::1]:99999/x", "http://:80/"])
def test_malformed_url_is_a_one_line_error(cli, url):
    result = cli("fetch", url, "--slug", "x", code=None)
    one_line_error(result)
    assert result.exit_code == 1 and url in result.stderr


@pytest.mark.parametrize("url", ["http://[::1", "http://[::1]:99999/x"])
def test_malformed_url_without_a_slug_is_a_one_line_error(cli, url):
    """As the attack was typed: no --slug, so the slug is made from the URL first."""
    result = cli("fetch", url, code=None)
    one_line_error(result)
    assert result.exit_code == 1 and url in result.stderr


def test_redirect_to_a_malformed_url_is_a_one_line_error(cli, site):
    result = cli("fetch", f"{site.url}/to-bad-url", "--slug", "x", code=None)
    one_line_error(result, "cannot fetch")
    assert result.exit_code == 1


@pytest.mark.parametrize("path", ["/drip", "/drip-head"])
def test_one_deadline_for_the_whole_fetch(cli, site, path):
    """A byte every 0.5 s never trips a per-read timeout; the fetch still ends at --timeout
    (the bound below is for correctness, far above the 1 s asked for: it took 20 s)."""
    started = time.monotonic()
    result = cli("fetch", f"{site.url}{path}", "--slug", "x", "--timeout", "1", code=None)
    assert time.monotonic() - started < 5
    one_line_error(result, "no answer within 1 s")
