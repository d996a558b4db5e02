"""fetch --from wordpress sends the credentials to the entry's own site only (loopback servers;
the WordPress itself is tested in test_wordpress.py)."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import one_line_error, serve_in_background
from pipeline.cli import main


class Recorder:
    """A server on 127.0.0.1 that answers 404 but for `pages`, and records every request."""

    def __init__(self, pages: dict[str, tuple[dict, bytes]] | None = None):
        self.requests: list[tuple[str, str | None]] = []
        recorder, pages = self, pages or {}

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                recorder.requests.append((self.path, self.headers.get("Authorization")))
                headers, body = pages.get(self.path.split("?")[0], ({}, b""))
                self.send_response(200 if body else 404)
                for name, value in {"Content-Type": "text/html", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        serve_in_background(self.server)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def elsewhere():
    server = Recorder()
    yield server
    server.close()


def test_a_pages_link_to_another_host_gets_no_credentials(cli, elsewhere):
    link = f'<{elsewhere.url}/wp-json/wp/v2/posts/1>; rel="alternate"; type="application/json"'
    site = Recorder({"/2024/some-post/": ({"Link": link}, b"<html>a post</html>")})
    try:
        result = cli.runner.invoke(
            main,
            [
                "--project",
                str(cli.root),
                "fetch",
                "--from",
                "wordpress",
                f"{site.url}/2024/some-post/",
            ],
            env={"PIPELINE_WP_USER": "editor", "PIPELINE_WP_APP_PASSWORD": "abcd efgh ijkl mnop"},
        )
    finally:
        site.close()
    one_line_error(result)
    assert "no WordPress post or page found" in result.stderr
    assert elsewhere.requests == []
    # The site itself was asked by slug, with the credentials (it is the entry's own site).
    assert any("slug=some-post" in path and auth for path, auth in site.requests)
