"""Hostile translations and sources: nothing a translation says may change what a browser does."""

from __future__ import annotations

import shutil
from pathlib import Path

import lxml.html
import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, Cli
from pipeline.catalogs import Translations
from pipeline.regions import load_regions
from pipeline.render import finish_page, load_shell, render_draft
from pipeline.source import parse_article

BODY = (
    "<article><h1>Get help</h1>"
    "<p>Talking to someone is the first step towards recovery from addiction.</p></article>"
)
# The head of the attack: meta content in single quotes and without quotes.
ATTACK_HEAD = (
    "<title>Get help</title>"
    "<meta name=\"description\" content='Where to get help.'>"
    '<meta property="og:description" content=Help>'
)
ATTACK = {
    "Get help": '0;url=https://evil.example/" http-equiv="refresh',
    "Where to get help.": 'Ayuda" data-x="1',
    "Help": "Ayuda style=x",
    "Talking to someone is the first step towards recovery from addiction.": (
        "Hablar con alguien es el primer paso para recuperarse de una adicción."
    ),
}


def source_page(head: str, body: str = BODY) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en-US">\n<head>\n{head}\n</head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def make_project(root: Path, pages: dict[str, str]) -> Path:
    """A project with the bundled settings and region file, and the given source pages."""
    (root / "source").mkdir(parents=True)
    (root / "locales").mkdir()
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    shutil.copy(REPO / "locales" / "regions.toml", root / "locales" / "regions.toml")
    for slug, text in pages.items():
        (root / "source" / f"{slug}.html").write_text(text, encoding="utf-8")
    return root


def translate(root: Path, language: str, slug: str, msgstrs: dict[str, str]) -> Path:
    """Fill the catalog's entries whose msgid is in `msgstrs` (the others keep the msgid)."""
    path = root / "locales" / language / "LC_MESSAGES" / f"{slug}.po"
    catalog = polib.pofile(str(path))
    for entry in catalog:
        entry.msgstr = msgstrs.get(entry.msgid, entry.msgid)
        entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
    catalog.save()
    return path


def head_structure(document: str) -> list[tuple[str, tuple[str, ...]]]:
    """(tag, attribute names) of every element of <head>, in order."""
    head = lxml.html.document_fromstring(document).find("head")
    return [(element.tag, tuple(sorted(element.attrib))) for element in head.iter()]


# -- 25.1: head injection -----------------------------------------------------------------


def test_hostile_head_translations_add_no_attribute_or_element(tmp_path):
    root = make_project(tmp_path / "p", {"attack": source_page(ATTACK_HEAD)})
    cli = Cli(root)
    cli("extract")
    cli("init", "es")
    translate(root, "es", "attack", ATTACK)
    cli("publish", "--region", "en-US", "--region", "es-MX")
    output = root / "output"
    source_render = (output / "en-US" / "attack" / "index.html").read_text()
    hostile = (output / "es-MX" / "attack" / "index.html").read_text()
    assert head_structure(hostile) == head_structure(source_render)
    head = lxml.html.document_fromstring(hostile).find("head")
    og_title = head.xpath('meta[@property="og:title"]')[0]
    assert og_title.get("content") == ATTACK["Get help"]  # shown as text, not obeyed
    assert head.xpath('meta[@name="description"]')[0].get("content") == ATTACK["Where to get help."]


HEAD_TEXTS = {
    "title": "<title>Get help</title>",
    "description": "<meta name=\"description\" content='Where to get help.'>",
    "og:title": '<meta property="og:title" content="Help now">',
    "og:description": "<meta property=og:description content=Help>",
}


@pytest.fixture(scope="module")
def fuzz_setup():
    text = source_page("".join(HEAD_TEXTS.values()))
    article = parse_article("fuzz", "fuzz.html", text, None)
    regions = load_regions(REPO / "locales" / "regions.toml")
    return article, regions["es-MX"], load_shell(None)


def render_head(article, region, shell, entries: dict) -> str:
    translations = Translations("es.po", "es", entries, frozenset(), {})
    draft = render_draft(article, region, (translations,), "en-US")
    return finish_page(draft, (), "https://example.org", shell).html


PIECES = list("\"'<>=&/ ;:\t\nabcxyz-") + [
    "&quot;",
    "&#34;",
    "&#39;",
    "</title>",
    "<script>",
    '" onload="x',
    "' a='",
    "-->",
    "<!--",
    "{0}",
]
HOSTILE_TEXT = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(HOSTILE_TEXT, min_size=4, max_size=4))
def test_no_translation_of_head_texts_changes_the_head(fuzz_setup, msgstrs):
    article, region, shell = fuzz_setup
    expected = head_structure(render_head(article, region, shell, {}))
    entries = {
        segment.key: msgstr
        for segment, msgstr in zip(article.head_segments.values(), msgstrs, strict=True)
    }
    assert head_structure(render_head(article, region, shell, entries)) == expected
