"""The merge-back core: identity gives the source back, translations touch only their text."""

from __future__ import annotations

import html as htmllib
import re

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from pipeline.markup import parse
from pipeline.model import Segment
from pipeline.notation import NotationError as MessageError
from pipeline.notation import parse_message
from pipeline.pseudo import accented, pseudo_translate
from pipeline.segment import HotlineSpec, segment_document, unescape_text
from pipeline.skeleton import Values, merge_document

ARTICLE = (REPO / "source/ketamine-addiction.html").read_text(encoding="utf-8")
US_HOTLINE = HotlineSpec("US", frozenset({"+18773784154"}))
FILE_MODE = Values(source_variables=True)


def merge(text, translate, values=FILE_MODE, hotline=None):
    slots = segment_document(parse(text), hotline)
    return merge_document(text, slots, translate, values)


def identity(segment):
    return segment.msgid


def pseudo(segment):
    return pseudo_translate(segment, accented)


def dom(text):
    """(tag, attributes, text, tail) for every element, whitespace aside."""
    root = lxml.html.document_fromstring(text)
    return [
        (e.tag, dict(e.attrib), " ".join((e.text or "").split()), " ".join((e.tail or "").split()))
        for e in root.iter()
        if isinstance(e.tag, str)
    ]


def test_identity_catalog_gives_the_article_back_byte_for_byte():
    out, report = merge(ARTICLE, identity, hotline=US_HOTLINE)
    assert out == ARTICLE
    assert report.completeness == 1.0 and report.fallbacks == []


def test_pseudo_translation_changes_every_text_node_and_nothing_else():
    out, report = merge(ARTICLE, pseudo, hotline=US_HOTLINE)
    source, result = dom(ARTICLE), dom(out)
    assert [(tag, attrs.keys()) for tag, attrs, *_ in source] == [
        (tag, attrs.keys()) for tag, attrs, *_ in result
    ]
    for (tag, attrs, text, tail), (_, new_attrs, new_text, new_tail) in zip(
        source, result, strict=True
    ):
        for name, value in attrs.items():
            if is_translatable_attribute(tag, name, attrs):
                assert new_attrs[name] != value, (tag, name)
            else:
                assert new_attrs[name] == value, (tag, name)
        for old, new in ((text, new_text), (tail, new_tail)):
            region_value = "data-l10n-var" in attrs and old == text
            if (
                any(c.isalpha() for c in old)
                and tag not in ("html", "head", "body")
                and not region_value
            ):
                assert new != old, old
    assert "(877) 378-4154" in out  # region values are not translated text


def is_translatable_attribute(tag, name, attrs):
    if tag == "meta":
        kind = attrs.get("name") or attrs.get("property")
        return name == "content" and kind in ("description", "og:title", "og:description")
    return name in ("alt", "title", "aria-label", "placeholder")


def test_hotline_values_come_from_the_region():
    from pipeline.skeleton import Phone

    values = Values(
        phone=Phone("+528009112000", "800 911 2000"),
        variables={"hotline_cost": "Gratuita", "hotline_hours": "24 horas"},
    )
    out, _ = merge(ARTICLE, lambda s: None, values, US_HOTLINE)
    assert "378-4154" not in out and "+18773784154" not in out
    assert (
        out.count('href="tel:+528009112000"') == 4
    )  # three calls to action of the clinic, one of a public line
    assert '<span data-l10n-var="hotline_hours">24 horas</span>' in out


def test_region_without_hotline_loses_its_blocks():
    out, _ = merge(ARTICLE, identity, Values(has_hotline=False), US_HOTLINE)
    assert 'class="hotline"' not in out and "tel:" not in out


def test_translator_can_reorder_tags_but_not_change_attributes():
    text = '<p>Call <a href="/help" class="x">our team</a> <b>today</b>.</p>'
    out, _ = merge(text, lambda s: "<2>Hoy</2> llame a <1>nuestro equipo</1>.")
    assert out == '<p><b>Hoy</b> llame a <a href="/help" class="x">nuestro equipo</a>.</p>'


@pytest.mark.parametrize(
    "msgstr, problem",
    [
        ("Llame <1>hoy</1>", "tag <2> from the source is missing"),
        ("<1>a</1><2>b</2><3>c</3>", "not in the source"),
        ("<1>a<2>b</1></2>", "badly nested"),
        ("<1>a</1><2>b", "never closed"),
        ("<1>a</1><2>b</2><script>alert(1)</script>", "markup not in the source: <script"),
        ("<1>a</1><2>b</2><img src=x onerror=alert(1)>", "markup not in the source: <img"),
        ("<1>a</1><1>b</1><2>c</2>", "used twice"),
    ],
)
def test_broken_translations_are_refused_and_fall_back(msgstr, problem):
    text = '<p>Call <a href="/help">our team</a> <b>today</b>.</p>'
    out, report = merge(text, lambda s: msgstr)
    assert out == text
    assert problem in report.fallbacks[0][1]


def test_placeholders_must_match():
    segment = next(
        s
        for s in segment_document(parse("<p>Call (877) 378-4154 now</p>"), US_HOTLINE)
        if isinstance(s, Segment)
    )
    assert segment.msgid == "Call {hotline_phone} now"
    with pytest.raises(MessageError, match="missing"):
        parse_message("Llame ahora", segment)
    with pytest.raises(MessageError, match="unknown placeholder"):
        parse_message("Llame {hotline_phon} ahora", segment)
    assert parse_message("Llame {{ya}} al {hotline_phone}", segment)[0] == (
        "text",
        "Llame {ya} al ",
    )


def test_translated_text_is_escaped():
    out, _ = merge("<p>Fish &amp; chips</p>", lambda s: "Fish &lt;3 & chips > all")
    assert out == "<p>Fish &lt;3 &amp; chips &gt; all</p>"


def test_attribute_translation_keeps_quotes_and_escapes():
    text = """<img alt='A "cat"' src=x.png><img alt=dog>"""
    out, _ = merge(text, lambda s: {'A "cat"': "Un 'chat'", "dog": "chien"}[s.msgid])
    assert out == """<img alt='Un &#39;chat&#39;' src=x.png><img alt="chien">"""


# -- generated HTML ----------------------------------------------------------------------

WORDS = st.text(alphabet="abcXYZ &<>\"'{}\u00a0é\n\t", min_size=1, max_size=12)


def inline(depth):
    text = WORDS.map(lambda s: htmllib.escape(s, quote=False))
    if depth == 0:
        return text
    child = st.lists(inline(depth - 1), min_size=1, max_size=3).map("".join)
    return st.one_of(
        text,
        st.tuples(st.sampled_from(["b", "em", "span", "a"]), child).map(
            lambda t: f'<{t[0]} class="c" data-x="&quot;{{}}">{t[1]}</{t[0]}>'
        ),
        WORDS.map(lambda s: f'<img src="i.png" alt="{htmllib.escape(s)}">'),
        st.just("<br>"),
    )


BLOCK = st.tuples(
    st.sampled_from(["p", "li", "h2", "div", "td", "figcaption"]),
    st.lists(inline(2), min_size=1, max_size=4).map("".join),
).map(lambda t: f"<{t[0]}>{t[1]}</{t[0]}>\n")
DOCUMENT = st.lists(BLOCK, min_size=1, max_size=5).map(
    lambda blocks: "<!DOCTYPE html><html><body>\n" + "".join(blocks) + "</body></html>"
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
def test_generated_html_round_trips(text):
    out, _ = merge(text, identity)
    assert out == text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
def test_generated_html_pseudo_keeps_structure(text):
    out, report = merge(text, pseudo)
    assert report.fallbacks == []
    assert [(tag, attrs.keys()) for tag, attrs, *_ in dom(text)] == [
        (tag, attrs.keys()) for tag, attrs, *_ in dom(out)
    ]
    # Parse the pseudo output again: every letter that was translatable is now accented.
    slots = segment_document(parse(out))
    for segment in (s for s in slots if isinstance(s, Segment) and s.translatable):
        letters = unescape_text(re.sub(r"</?\d+/?>", "", segment.msgid), False)
        assert not re.search("[A-Za-z]", letters), segment.msgid


MARKUP_PIECES = ["<", ">", "/", "!", "-", "?", "=", '"', "'", " ", "\n", "a", "B", "1", "é"]
MARKUP_PIECES += ["\x1c", "\xa0", "\u2028", "<!--", "-->", "<a ", "</p>", "<br/>", "<p title="]


TRICKY_TAGS = [
    '<a b="x>',  # a quote never closed: the value runs unquoted to the `>`
    "<a b='x>",
    "<a b= >",  # `=` with no value: the `=` starts a name of its own
    '<a b="x"y=z>',
    '<a b/="x>y">',  # `/` ends a name: `="x` is a name, and the first `>` ends the tag
    '<a title="1 > 0">x',  # `>` inside a quoted value
    "<!-->",
    "</>",
    "<a\x1cb=c>",  # a Unicode space between attributes
    "<p",  # cut off at the end
]


def test_translated_text_keeps_the_whitespace_around_it():
    """The spaces and line breaks between a tag and its text are the page's, not the
    translation's: a run of one text kept its trailing whitespace but lost its leading one."""
    source = "<p> One </p>\n<p>\n  Two\n</p>\n<ul><li>\tThree <b>bold</b>  </li></ul>"
    out, report = merge(source, lambda segment: segment.msgid.upper())
    assert out == "<p> ONE </p>\n<p>\n  TWO\n</p>\n<ul><li>\tTHREE <b>BOLD</b>  </li></ul>"
    assert report.fallbacks == []
