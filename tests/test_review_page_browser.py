"""Review in context in a real browser (headless Chromium through Playwright): a phone and a
desktop reading, remarking and signing off the es-MX page served by `serve --review`."""

from __future__ import annotations

import json

import pytest
from test_browser import PHONE, SCREENSHOTS

from conftest import CHROMIUM, Cli, serve_in_background
from pipeline.config import load_settings
from pipeline.reviewserver import make_review_server

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM, reason="no Chromium on this machine"),
]

SLUG = "ketamine-addiction"
DESKTOP = {"width": 1280, "height": 800}
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def served(project):
    server, url = make_review_server(load_settings(project), "127.0.0.1", 0)
    serve_in_background(server)
    yield url.rstrip("/")
    server.shutdown()
    server.server_close()


def open_review(browser, url: str, viewport: dict):
    """A page, and the list its console errors, uncaught errors and dialogs go to."""
    page = browser.new_page(viewport=viewport)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.goto(url, wait_until="load")
    return page, errors


FIND_SEGMENT = """start => [...document.querySelectorAll('.review-segment')]
    .find(s => s.querySelector('.review-source').textContent.startsWith(start)).dataset.for"""


def section_of(page, span):
    ident = span.get_attribute("data-segment")
    return page.locator(f"#segment-{ident}")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_click_on_a_paragraph_shows_its_source_and_translation(browser, served, viewport):
    page, errors = open_review(browser, f"{served}/es-MX/{SLUG}/", viewport)
    try:
        ident = page.evaluate(FIND_SEGMENT, "When a user uses")
        paragraph = page.locator(f"main p:has([data-segment='{ident}'])")
        span = paragraph.locator("[data-segment]").first
        translation = span.inner_text()
        assert page.locator(".review-segment:visible").count() == 0
        paragraph.click()
        section = section_of(page, span)
        assert section.is_visible()
        assert page.locator(".review-segment:visible").count() == 1
        assert " ".join(section.locator(".review-translation").inner_text().split()) == " ".join(
            translation.split()
        )
        assert section.locator(".review-source").inner_text().startswith("When a user uses")
        box = section.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1
        if viewport is DESKTOP:  # beside the page, not over it
            assert page.locator("main").bounding_box()["x"] + 100 < box["x"]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"review-es-MX-{viewport['width']}.png"))
        assert errors == []
    finally:
        page.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_after_a_source_edit_and_update_exactly_the_edited_segment_is_marked(
    browser, served, project, viewport
):
    cli = Cli(project)
    source = project / f"source/{SLUG}.html"
    old = "Ketamine belongs to the chemical class"
    source.write_text(
        source.read_text().replace(old, "Ketamine belongs to the strong chemical class")
    )
    cli("extract")
    cli("update")
    page, errors = open_review(browser, f"{served}/es-MX/{SLUG}/", viewport)
    try:
        changed = page.locator("[data-changed]")
        assert changed.count() == 1
        background = changed.evaluate("e => getComputedStyle(e).backgroundColor")
        quiet = page.locator("[data-segment]:not([data-changed])").first
        assert background != quiet.evaluate("e => getComputedStyle(e).backgroundColor")
        changed.click()
        section = section_of(page, changed)
        assert "strong chemical class" in section.locator(".review-source").inner_text()
        assert "changed since the last sign-off" in section.inner_text()
        assert errors == []
    finally:
        page.close()


def test_remark_resolve_and_sign_off_from_the_page_with_hostile_text(browser, served, project):
    cli = Cli(project)
    for language in ("es", "es_MX"):
        (project / f"locales/{language}/reviews/{SLUG}.toml").unlink()
    path = project / "pyproject.toml"
    path.write_text(path.read_text().replace('require_review = "warn"', 'require_review = "block"'))
    page, errors = open_review(browser, f"{served}/es-MX/{SLUG}/", PHONE)
    try:
        ident = page.evaluate(FIND_SEGMENT, "When a user uses")
        page.locator(f"[data-segment='{ident}']").click()
        section = page.locator(f"#segment-{ident}")
        section.locator("textarea[name=text]").fill(f"Check the dose {HOSTILE}")
        section.locator("input[name=author]").fill(HOSTILE)
        with page.expect_navigation():
            section.get_by_role("button", name="Add remark").click()
        assert section.is_visible()  # the page comes back at the segment remarked on
        assert section.locator(".review-remark-text").inner_text() == f"Check the dose {HOSTILE}"
        assert HOSTILE in section.locator(".review-meta").inner_text()
        assert page.locator("#review-panel img").count() == 0
        rows = json.loads(cli("review", "status", "--json").stdout)["reviews"]
        [remark] = next(row for row in rows if row["language"] == "es")["remarks"]
        assert remark["text"] == f"Check the dose {HOSTILE}"

        # Signing is refused while the remark is open, with the reason on the page.
        sign_off(page, f"Dr. {HOSTILE}")
        notice = page.locator(".review-notice")
        assert notice.is_visible() and "open remark" in notice.inner_text()

        page.locator(f"[data-segment='{ident}']").click()
        section.locator(".review-resolve input[name=name]").fill("Ana Translator")
        with page.expect_navigation():
            section.get_by_role("button", name="Resolve").click()
        assert "resolved by Ana Translator" in section.inner_text()

        sign_off(page, f"Dr. {HOSTILE}")
        languages = page.locator(".review-languages").inner_text()
        assert f"last signed by Dr. {HOSTILE}" in languages
        assert page.locator("img[src=x]").count() == 0
        assert page.evaluate("document.scripts.length") == 2  # the JSON-LD and review.js
        assert errors == []
    finally:
        page.close()
    record = (project / f"locales/es_MX/reviews/{SLUG}.toml").read_text()
    assert f'reviewer = "Dr. {HOSTILE}"' in record
    report = json.loads(cli("publish", "--json", "--region", "es-MX").stdout)
    assert [page["region"] for page in report["pages"]] == ["es-MX"]


def sign_off(page, name: str) -> None:
    if page.locator(".review-open").is_visible():  # on a phone the panel opens on request
        page.locator(".review-open").click()
    form = page.locator("form.review-sign-form")
    form.locator("input[name=reviewer]").fill(name)
    form.locator("input[name=role]").fill("MD, psychiatry")
    with page.expect_navigation():
        form.get_by_role("button", name="Sign").click()
