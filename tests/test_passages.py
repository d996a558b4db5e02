"""Region-specific passages, the emergency number placeholder, and published markup."""

from __future__ import annotations

import json
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.markup import parse
from pipeline.model import RegionSlot
from pipeline.passages import is_shown, parse_condition, published_markup, region_terms
from pipeline.regions import load_regions
from pipeline.render import render_draft
from pipeline.segment import HotlineSpec, segment_document, slot_start
from pipeline.source import parse_article
from tests.conftest import REPO

REGIONS = load_regions(REPO / "locales" / "regions.toml")
SPEC = HotlineSpec("US", frozenset({"+18773784154"}), ("US", "GB", "FR", "DE", "MX", "AU"))

ARTICLE = """<!DOCTYPE html><html lang="en-US"><title>T</title><article>
<div data-l10n-choose>
  <p data-l10n-region="US">Schedule III in the United States.</p>
  <p data-l10n-region="GB FR">Controlled in the UK and France.</p>
  <p>Status depends on where you live.</p>
</div>
<p data-l10n-region="own-hotline">Call our hotline <a href="tel:+18773784154">(877) 378-4154</a>
</p><p data-l10n-region="public-hotline"><span data-l10n-var="hotline_name">X</span> is a public
line.</p><p data-l10n-region="!US">Outside the United States.</p><p data-l10n-region="emergency">
In an emergency call <a href="tel:911" data-l10n-var="emergency_phone">911</a>.</p>
</article></html>"""


def body(tag: str, text: str = ARTICLE) -> str:
    article = parse_article("a", "source/a.html", text, SPEC)
    return render_draft(article, REGIONS[tag], (), "en-US").body


def test_alternatives_show_the_first_that_matches_and_otherwise_the_default():
    assert "Schedule III" in body("en-US") and "Schedule III" in body("es-US")
    for tag in ("en-GB", "fr-FR"):
        page = body(tag)
        assert "Controlled in the UK" in page and "Schedule III" not in page
        assert "depends on where" not in page
    for tag in ("de-DE", "en-AU", "es-MX"):
        page = body(tag)
        assert "depends on where" in page and "Schedule III" not in page
        assert "Controlled in the UK" not in page


def test_calls_to_action_follow_the_kind_of_line():
    us = body("en-US")
    assert "Call our hotline" in us and "public line" not in us
    assert "Outside the United States" not in us
    mexico = body("es-MX")
    assert "our hotline" not in mexico and "Línea de la Vida</span> is a public line" in mexico
    assert "Outside the United States" in mexico


def test_region_specific_elements_are_typed_slots_spanning_the_element():
    slots = segment_document(parse(ARTICLE), SPEC)
    assert [slot_start(slot) for slot in slots] == sorted(slot_start(slot) for slot in slots)
    regions = [slot for slot in slots if isinstance(slot, RegionSlot)]
    for slot in regions:
        element = ARTICLE[slot.start : slot.end]
        assert element.startswith("<p") and element.endswith("</p>")
    chosen = frozenset({"US", "GB", "FR"})  # taken by the alternatives before the default
    assert [(slot.shown_in, slot.hidden_in) for slot in regions] == [
        (frozenset({"US"}), frozenset()),
        (frozenset({"GB", "FR"}), frozenset({"US"})),
        (frozenset(), chosen),
        (frozenset({"own-hotline"}), frozenset()),
        (frozenset({"public-hotline"}), frozenset()),
        (frozenset(), frozenset({"US"})),
        (frozenset({"emergency"}), frozenset()),
    ]


CONDITION = st.sampled_from([None, "US", "GB FR", "!US", "hotline", "own-hotline", "!GB emergency"])


def region_attribute(condition: str | None) -> str:
    return "" if condition is None else f' data-l10n-region="{condition}"'


@st.composite
def passages(draw) -> tuple[str, list]:
    """An article of passages, some inside a region-specific <div>: its text, and for each
    passage its marker and the conditions of it and of the <div> around it."""
    markup, expected = [], []
    for outer in draw(st.lists(st.one_of(st.none(), CONDITION), min_size=1, max_size=4)):
        inner = draw(st.lists(CONDITION, min_size=1, max_size=3))
        paragraphs = []
        for condition in inner:
            marker = f"Passage number {'xyzw'[len(expected) % 4]}{len(expected)} here"
            paragraphs.append(f"<p{region_attribute(condition)}>{marker}</p>")
            expected.append((marker, [c for c in (outer, condition) if c is not None]))
        markup.append(f"<div{region_attribute(outer)}>{''.join(paragraphs)}</div>\n")
    text = f'<!DOCTYPE html><html lang="en-US"><title>T</title><article>\n{"".join(markup)}'
    return text + "</article></html>", expected


@settings(max_examples=40, deadline=None)
@given(passages())
def test_each_region_shows_exactly_the_passages_whose_conditions_it_meets(generated):
    text, expected = generated
    slots = segment_document(parse(text), SPEC)
    conditions = [(slot.shown_in, slot.hidden_in) for slot in slots if isinstance(slot, RegionSlot)]
    values = re.findall(r'data-l10n-region="([^"]*)"', text)
    assert conditions == [parse_condition(value) for value in values]
    article = parse_article("a", "source/a.html", text, SPEC)
    for region in REGIONS.values():
        page, terms = render_draft(article, region, (), "en-US").body, region_terms(region)
        for marker, applying in expected:
            shown = all(is_shown(*parse_condition(value), terms) for value in applying)
            assert (marker in page) == shown, (region.tag, marker, applying)


def test_emergency_placeholder_links_the_regions_number():
    for tag, number in (("en-GB", "999"), ("fr-FR", "15"), ("en-AU", "000"), ("es-MX", "911")):
        links = re.findall(
            r'<a href="tel:([^"]*)">([^<]*)</a>', body(tag).split("emergency call")[1]
        )
        assert links[0] == (number, number), tag


def test_a_region_without_an_emergency_number_shows_no_borrowed_one(tmp_path):
    path = tmp_path / "regions.toml"
    path.write_text('[regions.en-GB]\nhotline = { name = "FRANK", phone = "0300 123 6600" }\n')
    article = parse_article("a", "source/a.html", ARTICLE, SPEC)
    page = render_draft(article, load_regions(path)["en-GB"], (), "en-US").body
    assert "911" not in page and "In an emergency" not in page


def test_an_unknown_region_term_is_a_warning_with_its_line(cli, project):
    source = project / "source/ketamine-addiction.html"
    text = source.read_text()
    source.write_text(text.replace('data-l10n-region="GB"', 'data-l10n-region="UK"'))
    line = text[: text.index('data-l10n-region="GB"')].count("\n") + 1
    result = cli("extract", code=None)
    assert f"ketamine-addiction.html:{line}: data-l10n-region term 'UK'" in result.stderr
    cli("extract", "--strict", code=1)


def test_attribute_values_that_mention_authoring_names_are_kept():
    html = """<p title="see its-notes" class='data-l10n-x' data-l10n-note="a > b" its-x=1>t</p>"""
    assert published_markup(html) == """<p title="see its-notes" class='data-l10n-x'>t</p>"""


def test_authoring_attributes_and_dead_buttons_are_not_published():
    html = (
        '<article data-l10n-note="n" class="a"><p its-loc-note=\'x\' DATA-L10N-CRITICAL=yes>'
        "data-l10n-note= in text stays</p><!-- its-x --><button type=button>Call me</button>"
        '<form><button data-l10n-region="x">Send</button></form></article>'
    )
    assert published_markup(html) == (
        '<article class="a"><p>data-l10n-note= in text stays</p><!-- its-x -->'
        "<button type=button>Call me</button><form><button>Send</button></form></article>"
    )  # a page with a form keeps its buttons
    dead = html.replace("<form>", "").replace("</form>", "")
    assert "<button" not in published_markup(dead)
    with_script = dead + "<script>document.querySelector('button').onclick = f</script>"
    assert "<button type=button>Call me</button>" in published_markup(with_script)
    assert "<button" in published_markup('<button onclick="go()">Go</button>')


ATTRIBUTE_NAME = st.sampled_from(["data-l10n-note", "data-l10n-region", "its-loc-note", "class"])
VALUE = st.text(alphabet=st.characters(blacklist_characters='"&<'), max_size=20)


@given(st.lists(st.tuples(ATTRIBUTE_NAME, VALUE), max_size=4), VALUE)
def test_published_markup_removes_exactly_the_authoring_attributes(attributes, text):
    start = "".join(f' {name}="{value}"' for name, value in attributes)
    kept = "".join(f' {name}="{value}"' for name, value in attributes if name == "class")
    html = f"<section{start}><p>{text.replace('>', '')}</p></section>"
    assert published_markup(html) == f"<section{kept}><p>{text.replace('>', '')}</p></section>"


def test_a_critical_segment_a_region_does_not_show_does_not_keep_its_page_off(cli, project):
    import polib

    path = project / "locales/es/LC_MESSAGES/ketamine-addiction.po"
    catalog = polib.pofile(str(path))
    clinic = catalog.find("CALL {hotline_phone}")  # critical, in the clinic's own block
    clinic.msgstr = ""
    catalog.save()
    data = json.loads(cli("publish", "--json").stdout)
    assert {page["region"] for page in data["pages"]} >= {"es-MX", "es-US"}


def published_markup_by_lowering(html: str) -> str:
    """`published_markup` as it read the page before: lowered whole, then searched."""
    from pipeline import passages

    lowered = html.lower()
    if "l10n" in lowered or "its-" in lowered:
        html = passages.START_TAG.sub(passages.without_authoring, html)
    active = [sign.decode() for sign in passages.ACTIVE]
    dead = "<button" in lowered and not any(sign in lowered for sign in active)
    if dead and passages.HANDLER.search(html) is None:
        html = passages.BUTTON.sub("", html)
    return html


PIECES = [
    "<button>",
    "</button>",
    "<BUTTON x>",
    "<form>",
    "<ScRiPt>",
    "formaction",
    "commandfor",
    "popovertarget",
    "<p data-l10n-note='a'>",
    "<p ITS-x=1>",
    "l10n",
    "its-",
    "<",
    ">",
    "İ",
    "\u212a",
    "ſ",
    "ı",
    "t",
    "s-",
    " onclick=f",
    "x",
    "<p>",
    "comman",
    "dfor",
    "cript",
    "ts-",
]


@given(st.lists(st.sampled_from(PIECES), max_size=12))
@example(["<button>", "</button>", "<", "ſ", "cript"])  # "<ſcript" is no script
@example(["<button>", "</button>", "<p>", "commandfor"])
def test_published_markup_finds_what_lowering_the_page_found(pieces):
    """Lowering in ASCII case gives what lowering the whole page gave, with the characters
    whose case maps reach ASCII letters (U+0130, U+212A, long s, dotless i) in the mix."""
    html = "".join(pieces)
    assert published_markup(html) == published_markup_by_lowering(html)
