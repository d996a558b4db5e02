"""Hostile translations and sources: nothing a translation says may change what a browser does."""

from __future__ import annotations

import json
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
    # The unquoted source value: the translation is the text, without the quotes it is
    # written in (they were shown as part of it).
    assert head.xpath('meta[@property="og:description"]')[0].get("content") == ATTACK["Help"]


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


# Texts a translator writes, quotes and ampersands included.
PLAIN_TEXT = st.from_regex(r"[A-Za-z][A-Za-z ,.!?&'\"]{0,30}[A-Za-z]", fullmatch=True)


def head_texts(document: str) -> list[str]:
    """The title and the description and og: texts of a page, as a browser reads them."""
    head = lxml.html.document_fromstring(document).find("head")
    metas = ['meta[@name="description"]', 'meta[@property="og:title"]']
    metas.append('meta[@property="og:description"]')
    return [head.findtext("title")] + [head.xpath(meta)[0].get("content") for meta in metas]


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(PLAIN_TEXT, min_size=4, max_size=4))
def test_head_texts_read_as_their_translations(fuzz_setup, msgstrs):
    """Whatever quotes the source wrote a head text in (double, single, none), a reader
    sees the translation itself: no character added, none lost."""
    article, region, shell = fuzz_setup
    entries = {
        segment.key: msgstr
        for segment, msgstr in zip(article.head_segments.values(), msgstrs, strict=True)
    }
    assert head_texts(render_head(article, region, shell, entries)) == msgstrs


# -- 25.2: URL schemes, read as browsers read them ------------------------------------------

HIDDEN_SCRIPT_LINKS = (
    'href="java&#9;script:alert(document.domain)"',
    'href="jav&#10;ascript:alert(document.domain)"',
    'href="\x01javascript:alert(document.domain)"',
)


def whatwg_scheme(url: str) -> str | None:
    """The URL Standard's basic URL parser, step by step, up to the scheme (the reference)."""
    while url and url[0] <= " ":
        url = url[1:]
    while url and url[-1] <= " ":
        url = url[:-1]
    url = "".join(c for c in url if c not in "\t\n\r")
    if not url or not (url[0].isascii() and url[0].isalpha()):
        return None  # no scheme state: a relative URL
    buffer = ""
    for c in url:
        if c.isascii() and (c.isalnum() or c in "+-."):
            buffer += c.lower()
        elif c == ":":
            return buffer
        else:
            return None
    return None  # the input ended before any ":"


# "ſ" and "K" (Kelvin) lower-case to ASCII letters, which no scheme may contain.
URL_PIECES = st.sampled_from(
    "java script JaVa SCRIPT : / # ? h t p s 1 + - . %3a &#9; mailto data é ſ \u212a".split()
    + ["\t", "\n", "\r", " ", "\x00", "\x01", "\x1f", "\x7f", "\u00a0", "\u200b"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(URL_PIECES, max_size=10).map("".join))
def test_url_scheme_is_read_as_the_url_standard_reads_it(url):
    from pipeline.urls import url_scheme

    assert url_scheme(url) == whatwg_scheme(url)


@pytest.mark.parametrize(
    "url",
    [
        "java\tscript:alert(1)",
        "jav\nascript:alert(1)",
        "\x01javascript:alert(1)",
        " \x00JAVASCRIPT:alert(1)\x1f",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "blob:https://evil.example/x",
    ],
)
def test_script_and_other_schemes_are_not_allowed(url):
    from pipeline.urls import allowed_url

    assert not allowed_url(url)
    assert not allowed_url(url, "src", "img")


@pytest.mark.parametrize(
    "url", ["https://a.example/x", "HTTP://a", "mailto:a@b.example", "tel:+18009112000",
            "/help", "help.html", "#top", "?q=1", "//cdn.example/x.png", "java\x01script:x"]
)  # fmt: skip
def test_links_of_allowed_schemes_and_relative_links_are_allowed(url):
    from pipeline.urls import allowed_url

    assert allowed_url(url)


def test_data_urls_are_allowed_only_for_images():
    from pipeline.urls import allowed_url

    assert allowed_url("data:image/png;base64,AAAA", "src", "img")
    assert allowed_url("a.png 1x, data:image/png;base64,AA 2x", "srcset", "img")
    assert not allowed_url("a.png 1x, \x01javascript:x 2x", "srcset", "img")
    assert not allowed_url("data:image/png;base64,AAAA", "href", "a")
    assert not allowed_url("data:image/svg+xml,<svg/>", "src", "iframe")


HOSTILE_LINKS_PAGE = (
    "<!DOCTYPE html><html lang='en'><head><title>Help</title></head><body><article>"
    "<h1>Where to get help</h1><p>Talking to someone is the first step towards recovery, "
    "and there are people ready to listen at any hour of the day or night.</p>"
    + "".join(f"<p>Read <a {link}>our guide</a> on recovery.</p>" for link in HIDDEN_SCRIPT_LINKS)
    + "<p>Or read <a href='/guide'>the other guide</a>.</p></article></body></html>"
)


def test_fetch_drops_script_links_hidden_by_controls(cli, project, monkeypatch):
    from test_fetch import ROUTES, Server

    monkeypatch.setitem(ROUTES, "/hostile", (200, "text/html", HOSTILE_LINKS_PAGE.encode()))
    site = Server()
    try:
        cli("fetch", f"{site.url}/hostile", "--slug", "hostile")
    finally:
        site.close()
    text = (project / "source" / "hostile.html").read_text()
    assert "script:" not in text.replace("\t", "").replace("\n", "")
    assert text.count("our guide</a>") == 3  # the links' text stays
    assert f'href="{site.url}/guide"' in text


@pytest.mark.parametrize("link", HIDDEN_SCRIPT_LINKS)
def test_article_with_a_hidden_script_link_is_reported(tmp_path, link):
    """An article's own links keep their bytes (as its scripts do), but extract names every
    one that runs a script, hidden or not, and --strict refuses the article."""
    from conftest import one_line_error

    body = f"<article><h1>Get help</h1>\n<p>Read <a {link}>our guide</a> today.</p></article>"
    root = make_project(tmp_path / "p", {"attack": source_page("<title>Get help</title>", body)})
    result = Cli(root)("extract")
    assert "warning: source/attack.html:8: <a href=" in result.stderr
    assert "a link that runs a script" in result.stderr
    result = Cli(root)("extract", "--strict", code=1)
    one_line_error(result, "source/attack.html:8:", "a link that runs a script")


def test_check_reports_hidden_script_links_of_the_source(cli, project):
    add_to_source(project, f"<p>Read <a {HIDDEN_SCRIPT_LINKS[0]}>our guide</a>.</p>")
    findings = json.loads(cli("check", "--json").stdout)["findings"]
    found = [f for f in findings if f["code"] == "url"]
    assert [(f["catalog"], f["line"], f["severity"]) for f in found] == [
        ("source/ketamine-addiction.html", 34, "warning")
    ]


def test_file_merge_keeps_the_page_s_own_links_and_names_the_script_ones(tmp_path):
    """file merge keeps a page's bytes (its scripts too): its own script links stay, are
    reported, and a translation cannot add one (tags in a translation carry no attributes)."""
    page = tmp_path / "page.html"
    page.write_text(HOSTILE_LINKS_PAGE, encoding="utf-8")
    cli = Cli(tmp_path)
    cli("file", "extract", str(page), "-o", str(tmp_path / "page.pot"))
    merged = tmp_path / "merged.html"
    result = cli("file", "merge", str(page), str(tmp_path / "page.pot"), "-o", str(merged))
    assert merged.read_text() == HOSTILE_LINKS_PAGE  # the page's own bytes
    assert result.stderr.count("a link that runs a script") == 3
    assert "page.html:1: <a href='java\\tscript:alert(document.domain)'>" in result.stderr
    merge = ("file", "merge", str(page), str(tmp_path / "page.pot"), "-o", str(merged))
    data = json.loads(cli(*merge, "--json").stdout)
    assert len(data["items"][0]["script_links"]) == 3


# -- 25.3: helplines, bidi controls, NUL, placeholders ----------------------------------------

OTHER_REGIONS_NUMBERS = "Recupere su vida: llame al 0300 123 6600 o al 01806 313031"
# A heading the es-MX and es-US pages show (their helplines are public lines: the clinic's own
# calls to action, such as "Get Your Life Back", are not on them).
SHOWN_EVERYWHERE = "Where to Get Help"
EMERGENCY = (
    "In an emergency, if someone may have overdosed, is breathing slowly or cannot be woken, "
    "call {emergency_phone} now."
)


def set_msgstr(root: Path, language: str, msgid: str, msgstr: str) -> None:
    path = root / "locales" / language / "LC_MESSAGES" / "ketamine-addiction.po"
    catalog = polib.pofile(str(path))
    catalog.find(msgid).msgstr = msgstr
    catalog.save()


def published_pages(root: Path, *regions: str) -> dict[str, str]:
    pages = {}
    for region in regions:
        page = root / "output" / region / "ketamine-addiction" / "index.html"
        data = root / "output" / region / "ketamine-addiction.json"
        if page.is_file():  # the JSON's fallbacks say why a translation was not used
            fields = json.loads(data.read_text())
            fields.pop("fallbacks")
            pages[region] = page.read_text() + json.dumps(fields, ensure_ascii=False)
    return pages


def test_numbers_of_other_regions_in_a_translation_are_errors_and_never_published(cli, project):
    set_msgstr(project, "es", SHOWN_EVERYWHERE, OTHER_REGIONS_NUMBERS)
    result = cli("check", "--lang", "es", code=1)
    assert "0300 123 6600" in result.output
    cli("publish")
    pages = published_pages(project, "es-MX", "es-US")
    assert set(pages) == {"es-MX", "es-US"}
    for text in pages.values():
        assert "0300 123 6600" not in text and "01806 313031" not in text
        assert "Adicción a la ketamina" in text  # the rest of the page stays translated


def test_a_number_check_flags_in_english_is_not_published_on_en_us(cli, project):
    cli("init", "en")
    set_msgstr(project, "en", "Get Your Life Back", "Get Your Life Back: call 0300 123 6600")
    assert "0300 123 6600" in cli("check", "--lang", "en", code=1).output
    cli("publish")
    for region, text in published_pages(project, "en-US", "en-GB", "en-AU").items():
        assert "call 0300 123 6600" not in text, region  # en-GB's own hotline box has it


def add_to_source(project: Path, paragraph: str) -> None:
    path = project / "source" / "ketamine-addiction.html"
    text = path.read_text()
    path.write_text(
        text.replace("<h2>Get Your Life Back</h2>", f"<h2>Get Your Life Back</h2>\n{paragraph}")
    )


def test_a_second_number_in_the_source_reaches_only_its_own_country(cli, project):
    """A second US number in the running text (SAMHSA) is shown as written: the US pages may
    carry it, no other region's page is published with it, and extract and check say so."""
    from conftest import one_line_error

    add_to_source(project, "<p>You can also call SAMHSA at 1-800-662-4357, day or night.</p>")
    warned = cli("extract").stderr
    assert "warning: source/ketamine-addiction.html:34: phone number '1-800-662-4357'" in warned
    one_line_error(cli("extract", "--strict", code=1), "ketamine-addiction.html:34:", "4357")
    findings = json.loads(cli("check", "--json").stdout)["findings"]
    assert [(f["line"], f["code"]) for f in findings if f["code"] == "phone"] == [(34, "phone")]
    data = json.loads(cli("publish", "--json").stdout)
    assert sorted(p["region"] for p in data["pages"]) == ["en-US", "es-US"]
    skipped = {s["region"]: s["reason"] for s in data["skipped"]}
    assert sorted(skipped) == ["de-DE", "en-AU", "en-GB", "es-MX", "fr-FR"]
    assert all("'1-800-662-4357' (line 34) of another country" in r for r in skipped.values())
    for page in (project / "output").rglob("*.html"):
        assert "662-4357" not in page.read_text() or page.parts[-3] in ("en-US", "es-US")


def test_without_the_source_region_the_source_number_is_refused_not_published(cli, project):

    regions = project / "locales" / "regions.toml"
    text = regions.read_text()
    start = text.index("[regions.en-US]")
    regions.write_text(text[:start] + text[text.index("[regions.es-US]") :])
    data = json.loads(
        cli("publish", "--region", "en-GB", "--region", "en-AU", "--json", code=3).stdout
    )
    assert data["pages"] == []
    assert all("'(877) 378-4154' (line 36)" in s["reason"] for s in data["skipped"])
    assert not list((project / "output").rglob("*.html"))


def test_a_phone_number_in_a_region_s_hours_is_refused(cli, project):
    from conftest import one_line_error

    regions = project / "locales" / "regions.toml"
    text = regions.read_text()
    mexico = 'hours = "24 horas, los 7 días de la semana"\n'
    assert text.count(mexico) == 1
    regions.write_text(text.replace(mexico, 'hours = "24 horas, o al 0300 123 6600"\n'))
    one_line_error(cli("regions", code=1), "region es-MX", "hotline.hours", "0300 123 6600")


@pytest.mark.parametrize(
    "msgstr, code",
    [
        ("LLAME AL \u202e{hotline_phone}\u202c", "bidi"),
        ("LLAME AL \u2067{hotline_phone}\u2069", "bidi"),
        ("LLAME AL \u200f{hotline_phone}", "bidi"),
    ],
)
def test_bidi_controls_in_a_translation_are_errors_and_never_published(cli, project, msgstr, code):
    msgstr = msgstr.replace("{hotline_phone}", "{emergency_phone}")  # on every es page
    set_msgstr(project, "es", EMERGENCY, msgstr)
    result = cli("check", "--lang", "es", "--json", code=1)
    assert code in result.output
    cli("publish")
    for text in published_pages(project, "es-MX", "es-US").values():
        assert not set(msgstr[9:].replace("{emergency_phone}", "")) & set(text)


def test_nul_and_placeholders_in_attribute_translations_never_reach_the_page(cli, project):
    alt = "ketamine addiction"  # the figures' alt text, on every page
    hostile = {
        SHOWN_EVERYWHERE: "Recupere\x00 su vida",
        alt: "Llame al {hotline_phone}",
        "Is Ketamine Addictive?": "¿Es adictiva la {hotline_name}?",
    }
    for msgid, msgstr in hostile.items():
        set_msgstr(project, "es", msgid, msgstr)
    findings = json.loads(cli("check", "--lang", "es", "--json", code=1).stdout)["findings"]
    flagged = {f["msgid"] for f in findings if f["severity"] == "error"}
    assert flagged == {msgid[:60] for msgid in hostile}
    cli("publish")
    for text in published_pages(project, "es-MX", "es-US").values():
        assert "\x00" not in text and "{hotline_name}" not in text
        assert "Llame al {hotline_phone}" not in text and f'alt="{alt}"' in text


@pytest.mark.parametrize(
    "msgstr, refused",
    [
        ("\u202eLlame al\u202c {hotline_phone}", False),  # around text only (as ar-XB does)
        ("[\u202eCall\u202c {hotline_phone}\u202e now\u202c]", False),
        ("\u202e{hotline_phone}\u202c", True),
        ("\u202bLlame al {hotline_phone}\u202c", True),
        ("Llame al \u2066{hotline_phone}\u2069", True),
        ("Llame al {hotline_phone} \u202e", True),  # left open to the end of the paragraph
        ("Llame al {hotline_phone}\u202c", True),  # closes what the page opened
        ("Llame al \u200e{hotline_phone}", True),
        ("\u200fLlame al {hotline_phone}", False),
    ],
)
def test_bidi_controls_are_refused_where_they_can_reorder_a_placeholder(msgstr, refused):
    from pipeline.checks import bidi_problem

    assert (bidi_problem(msgstr) is not None) == refused


def test_a_region_added_to_the_file_rebuilds_pages_whose_translations_it_makes_wrong(cli, project):
    """900 16 15 15 is a number only in Spain: once es-ES is a region, it is a foreign number
    on es-MX, and the es-MX page built before must not be kept as unchanged."""
    typed = "Recupere su vida: 900 16 15 15"
    set_msgstr(project, "es", SHOWN_EVERYWHERE, typed)
    cli("publish")
    assert typed in published_pages(project, "es-MX")["es-MX"]
    regions = project / "locales" / "regions.toml"
    spain = '[regions.es-ES]\nlanguage = "es"\nhotline = { name = "FAD", phone = "900 16 15 15" }\n'
    regions.write_text(regions.read_text() + "\n" + spain)
    cli("publish")
    for region, text in published_pages(project, "es-MX", "es-US", "es-ES").items():
        assert typed not in text, region


@pytest.mark.parametrize(
    "written, context, expected",
    [
        ("1-800-662-4357", "call ", True),
        ("(206) 652-6593", "call ", True),
        ("0300 123 6600", "call ", True),
        ("+4930123456", "call ", True),
        ("2013-09-29", "on ", False),  # a date
        ("08.04.2015 12", "on ", False),
        ("296280873867140", "id ", False),  # an id, no groups
        ("2779.100", "sum ", False),  # a decimal
        ("2016-2020", "from ", False),  # years
        ("7648-4883", "rid=09bc8b7b-", False),  # the tail of a hash
        ("0-670-83298-7", "ISBN ", False),
    ],
)
def test_what_reads_as_a_phone_number_in_a_source(written, context, expected):
    """Real pages are full of dates, ids and ISBNs that are valid numbers somewhere."""
    from pipeline.source import looks_like_a_phone_number

    text = context + written
    assert looks_like_a_phone_number(written, text, len(context)) is expected


@given(
    st.lists(
        st.sampled_from(
            [
                " ",
                "/",
                '"',
                "'",
                "=",
                " = ",
                ">",
                "<a ",
                "HREF",
                "href",
                "ſrc",
                "src",
                "SrcSet",
                "xlink:href",
                "data",
                "action",
                "formAction",
                "kite",
                "cite",
                "x",
                "-",
                "\t",
                '"javascript:x"',
                "'data:text/html,1'",
                "javascript:1",
                "http://a/",
                "İ",
                "K",
            ]
        ),
        max_size=14,
    ).map("".join)
)
def test_url_attributes_are_found_where_the_names_alone_find_them(text):
    """The scanner's lookahead on the names' first letters finds every URL attribute value
    (case folding included) that the pattern of the names alone finds."""
    import re

    from pipeline.urls import URL_ATTRIBUTE_VALUE, URL_ATTRIBUTES

    plain = re.compile(
        r"[\s/\"'](?=(" + "|".join(sorted(URL_ATTRIBUTES)) + r")\s*=\s*"
        r"(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+)))",
        re.I,
    )
    found = [(m.span(), m.groups()) for m in URL_ATTRIBUTE_VALUE.finditer(text)]
    assert found == [(m.span(), m.groups()) for m in plain.finditer(text)]


URL_PIECES = [
    "javascript:x",
    "JavaScript:x",
    "java&#9;script:x",
    "&#x6a;avascript:x",
    "javascript&colon;x",
    "\x01vbscript:x",
    "data:image/png,x",
    "data:text/html,x",
    "http://a/",
    "http://a/ 2x, ",
    "android-app:x",
    "/relative",
    "#top",
    ":",
    "&",
    "&amp;",
    ",",
    "\t",
    "href= '",
    "' href=",
    '" src="',
]
URL_LINK = st.tuples(
    st.sampled_from(["<a ", "<img ", "<iframe ", "<source ", "<form ", "<p x=1 "]),
    st.sampled_from(["href", "SRC", "srcset", "formaction", "action", "title"]),
    st.sampled_from(['"', "'", ""]),
    st.lists(st.sampled_from(URL_PIECES), max_size=4).map("".join),
).map(lambda t: f"{t[0]}{t[1]}={t[2]}{t[3]}{t[2]}>")


@settings(max_examples=400)
@given(
    st.lists(
        st.one_of(URL_LINK, st.sampled_from([" ", "text", "<!-- ", " -->", "</a>", ">", "="])),
        max_size=6,
    ).map("".join)
)
def test_the_first_look_never_hides_a_refused_link(text):
    """The scan that spares parsing most pages (no URL attribute that might be refused) finds
    exactly what parsing every page finds: for any allowlist judgement, script links too.
    Among the texts: a value that reads like attributes before a real one, which a scan that
    consumed the value it matched missed (title="href= 'a" href='javascript:x')."""
    from unittest import mock

    from pipeline import urls

    hidden = "<a title=\"href= 'a\" href='javascript:x'>"
    assert urls.script_url_attributes(hidden) == [(20, 39, "<a href='javascript:x'>")]

    for allowed in (urls.allowed_url, lambda url, name, tag: not urls.runs_script(url, name, tag)):
        found = urls.unsafe_url_attributes(text, allowed=allowed)
        with mock.patch.object(urls, "doubtful_attributes", lambda t: list(range(len(t)))):
            assert found == urls.unsafe_url_attributes(text, allowed=allowed)
