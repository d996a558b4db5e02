"""A hostile reviewer name in a real browser: the review line and the JSON-LD stay text."""

from __future__ import annotations

import pytest
from test_browser import PHONE

from conftest import CHROMIUM, Cli, serve_in_background
from pipeline.serve import make_server

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM, reason="no Chromium on this machine"),
]

HOSTILE = (
    "Dr. Eve </script><script>window.pwned = 1</script>"
    '<img src=x onerror="window.pwned = 2"><!-- & -->'
)


def test_a_hostile_reviewer_name_is_shown_as_text_and_runs_nothing(project, browser):
    cli = Cli(project)
    for path in project.glob("locales/*/reviews/*.toml"):
        path.unlink()
    cli(
        "review",
        "sign",
        "ketamine-addiction",
        "--lang",
        "en",
        "--reviewer",
        HOSTILE,
        "--role",
        "MD",
    )
    cli("publish")
    server = make_server(project / "output", "127.0.0.1", 0)
    serve_in_background(server)
    page = browser.new_page(viewport=PHONE)
    try:
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("dialog", lambda dialog: errors.append(dialog.message))
        url = f"http://127.0.0.1:{server.server_port}/es-MX/ketamine-addiction/"
        page.goto(url, wait_until="load")
        assert page.evaluate("window.pwned") is None
        assert page.evaluate("document.scripts.length") == 1
        assert page.locator("footer.review img").count() == 0
        data = page.evaluate(
            "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
        )
        assert data["@type"] == "MedicalWebPage" and data["inLanguage"] == "es-MX"
        assert data["reviewedBy"][0]["name"] == HOSTILE
        assert HOSTILE in page.inner_text("footer.review")
        assert errors == []
    finally:
        page.close()
        server.shutdown()
        server.server_close()
