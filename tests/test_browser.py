"""Pages in a real browser: headless Chromium (Debian's) driven by Playwright.

Skipped where no Chromium is installed; .ci/run installs it, so CI runs them. Screenshots of
every region's page land in test-artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import shutil

import pytest

from conftest import CHROMIUM, REPO, serve_in_background
from pipeline.regions import load_regions
from pipeline.serve import make_server

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM, reason="no Chromium on this machine"),
]

PHONE = {"width": 390, "height": 844}
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The bundled project published (with the pseudo-locales) and served on loopback."""
    from click.testing import CliRunner

    from pipeline.cli import main

    root = tmp_path_factory.mktemp("site") / "project"
    root.mkdir()
    shutil.copytree(REPO / "source", root / "source")
    shutil.copytree(
        REPO / "locales",
        root / "locales",
        ignore=shutil.ignore_patterns("en_XA", "ar_XB", "regions.pseudo.toml"),
    )
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    runner = CliRunner()
    for command in (["pseudo"], ["publish", "--include-pseudo"]):
        result = runner.invoke(main, ["--project", str(root), *command])
        assert result.exit_code == 0, result.output
    server = make_server(root / "output", "127.0.0.1", 0)
    serve_in_background(server)
    regions = load_regions(root / "locales/regions.toml")
    regions.update(load_regions(root / "locales/regions.pseudo.toml"))
    yield f"http://127.0.0.1:{server.server_port}", regions
    server.shutdown()
    server.server_close()


def open_page(browser, url: str):
    page = browser.new_page(viewport=PHONE)
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url, wait_until="load")
    return page, errors


REGIONS = ["en-US", "es-US", "es-MX", "en-GB", "fr-FR", "de-DE", "en-AU", "en-XA", "ar-XB"]


@pytest.mark.parametrize("region", REGIONS)
def test_page_shows_its_own_hotline_in_the_first_screen(site, browser, region):
    base, regions = site
    hotline = regions[region].hotline
    page, errors = open_page(browser, f"{base}/{region}/ketamine-addiction/")
    try:
        link = page.locator(f'a[href="tel:{hotline.e164}"]').first
        assert link.is_visible()
        box = link.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]
        assert hotline.national in page.inner_text("body")
        own = {line.e164 for line in regions[region].lines}
        others = {line.e164 for r in regions.values() for line in r.lines} - own
        assert not any(page.locator(f'a[href="tel:{number}"]').count() for number in others)
        assert errors == []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{region}.png"), full_page=False)
    finally:
        page.close()
    print(f"screenshot: {SCREENSHOTS / f'{region}.png'}")


def test_ar_xb_is_right_to_left_and_keeps_the_number_in_order(site, browser):
    base, _ = site
    page, errors = open_page(browser, f"{base}/ar-XB/ketamine-addiction/")
    try:
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        numbers = page.locator("article bdi")
        assert numbers.count() >= 1
        for index in range(numbers.count()):
            number = numbers.nth(index)
            assert number.evaluate("e => getComputedStyle(e).direction") == "ltr"
            assert number.inner_text() in ("(877) 378-4154", "911")  # hotline, emergency
        assert errors == []
    finally:
        page.close()


OVERFLOWS = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1
                 && getComputedStyle(e).overflowX === 'visible')
    .map(e => e.tagName + ' ' + (e.textContent || '').trim().slice(0, 40))"""


def test_en_xa_text_fits_its_containers(site, browser):
    base, _ = site
    page, _ = open_page(browser, f"{base}/en-XA/ketamine-addiction/")
    try:
        assert page.evaluate(OVERFLOWS) == []
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]
    finally:
        page.close()
