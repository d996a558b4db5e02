"""The bundled article's pages are right for their region (issue 19, "What must hold")."""

from __future__ import annotations

import json
import re

import lxml.html
import pytest

from pipeline.regions import load_regions

SLUG = "ketamine-addiction"
FIRST_PERSON = re.compile(
    r"\b(?:our|we|us|we’ll|nuestr[oa]s?|llámenos|nosotros|notre|nos|nous|appelez-nous"
    r"|unser\w*|wir|uns)\b",
    re.IGNORECASE,
)
CLINIC = ("We Level Up", "Level Up NJ", "Ryan Zofay", "5-Star", "5 Sternen")
US_SCHEDULE = re.compile(r"Schedule III|annexe III|Liste III|lista III", re.IGNORECASE)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The bundled project published once: (output folder, regions)."""
    import shutil

    from click.testing import CliRunner

    from pipeline.cli import main
    from tests.conftest import REPO

    root = tmp_path_factory.mktemp("site")
    for name in ("source", "locales"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    result = CliRunner().invoke(main, ["--project", str(root), "publish"])
    assert result.exit_code == 0, result.output
    return root / "output", load_regions(root / "locales/regions.toml")


def document(output, tag):
    return lxml.html.document_fromstring((output / tag / SLUG / "index.html").read_bytes())


def tel_links(element) -> list[str]:
    return [a.get("href")[4:] for a in element.iter("a") if a.get("href", "").startswith("tel:")]


def test_every_page_links_its_own_emergency_number_and_lines_and_no_other(site):
    output, regions = site
    for tag, region in regions.items():
        page = document(output, tag)
        own = {line.e164 for line in region.lines} | {line.tty_tel for line in region.lines}
        own = (own - {""}) | {region.emergency[0]}
        assert set(tel_links(page)) == own, tag
        header = page.find(".//article/header")
        assert tel_links(header) == [region.emergency[0]], tag  # in the first screen
        for block in page.find_class("hotline"):
            assert region.emergency[0] in tel_links(block), tag


def test_no_first_person_call_to_action_links_a_public_line(site):
    output, regions = site
    checked = 0
    for tag, region in regions.items():
        public = {line.e164 for line in region.lines if line.kind == "public"}
        article = document(output, tag).find(".//article")
        for block in article.iter("aside", "div", "section"):
            if public & set(tel_links(block)):
                checked += 1
                words = FIRST_PERSON.findall(block.text_content())
                assert not words, (tag, words, block.text_content()[:200])
    assert checked >= len(regions)


def test_the_clinic_is_promoted_only_where_its_line_is_the_hotline(site):
    output, regions = site
    for tag, region in regions.items():
        html = (output / tag / SLUG / "index.html").read_text()
        if region.hotline.kind == "publisher":
            assert "We Level Up" in html
        else:
            assert not [name for name in CLINIC if name in html], tag


def test_every_page_qualifies_or_localizes_the_legal_status(site):
    output, regions = site
    expected = {"US": "United States", "GB": "UK", "FR": "France", "DE": "Deutschland"}
    for tag in regions:
        page = document(output, tag)
        (status,) = page.find_class("legal-status")
        paragraphs = status.findall("p")
        assert len(paragraphs) == 1, tag
        text = page.find(".//article").text_content()
        country = tag.split("-")[1]
        if country != "US":
            assert not US_SCHEDULE.search(text), tag
        if country in expected and tag.startswith("en"):
            assert expected[country] in paragraphs[0].text_content(), tag


def test_doses_german_completeness_and_no_authoring_markup(site):
    output, _ = site
    for tag in ("es-MX", "es-US"):
        assert "0.5 mg/kg" in (output / tag / SLUG / "index.html").read_text()
        assert "0,5 mg/kg" not in (output / tag / SLUG / "index.html").read_text()
    manifest = json.loads((output / "manifest.json").read_text())
    german = next(page for page in manifest["pages"] if page["region"] == "de-DE")
    assert german["completeness"] == 1.0
    assert 'lang="en"' not in (output / "de-DE" / SLUG / "index.html").read_text()
    for path in output.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml"):
            text = path.read_text()
            assert "data-l10n-" not in text and "its-loc" not in text, path
            assert "<button" not in text, path  # the callback button did nothing
