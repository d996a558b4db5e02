"""The msgid notation (numbered tags, named placeholders, escaping) in its one module."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import REPO, run_pipeline
from pipeline import notation
from pipeline.model import Segment, Tag, Variable
from pipeline.notation import NotationError, Token


@st.composite
def messages(draw, braces: bool) -> list[Token]:
    """Well-nested tokens: text (with <, &, braces, entity-like runs), tags numbered in
    order of opening, and placeholders when `braces`."""
    tokens: list[Token] = []
    stack: list[int] = []
    number = 0
    for _ in range(draw(st.integers(0, 12))):
        choice = draw(st.sampled_from(["text", "open", "close", "void", "var"]))
        if choice == "text":
            text = draw(st.text(alphabet="ab <>&;{}lt/1", min_size=1, max_size=8))
            if tokens and tokens[-1].kind == "text":
                text = tokens.pop().value + text
            tokens.append(Token("text", text))
        elif choice == "var" and braces:
            tokens.append(Token("var", draw(st.sampled_from(["hotline_phone", "date"]))))
        elif choice == "close" and stack:
            tokens.append(Token("close", stack.pop()))
        elif choice in ("open", "void"):
            number += 1
            tokens.append(Token(choice, number))
            if choice == "open":
                stack.append(number)
    tokens.extend(Token("close", open_) for open_ in reversed(stack))
    return tokens


@given(st.booleans().flatmap(lambda braces: st.tuples(st.just(braces), messages(braces))))
def test_serialize_and_parse_are_inverses(case):
    braces, tokens = case
    text = notation.serialize(tokens, braces)
    assert list(notation.parse(text, braces)) == tokens
    assert notation.serialize(notation.parse(text, braces), braces) == text
    numbers = [value for kind, value in tokens if kind in ("open", "void")]
    assert [number for number, _ in notation.tags(text)] == numbers
    if braces:
        names = [value for kind, value in tokens if kind == "var"]
        assert notation.placeholders(text) == tuple(dict.fromkeys(names))


SEGMENT = Segment(
    msgid="Call <1>us</1> on {hotline_phone}<2/>",
    context=None,
    role="",
    start=0,
    end=0,
    line=0,
    tags=(Tag(1, "<a>", "</a>", False, 0), Tag(2, "<br>", "", True, 0)),
    variables=(Variable("hotline_phone", "phone"),),
)


@pytest.mark.parametrize(
    ("msgstr", "code", "message"),
    [
        ("Ruf <1>uns</1> an {hotline_fax}<2/>", "placeholder", "unknown placeholder {hotline_fax}"),
        ("Ruf <1>uns</1> an<2/>", "placeholder", "placeholder {hotline_phone} from the source"),
        ("Ruf <1>uns</1> <b>{hotline_phone}</b><2/>", "markup", "markup not in the source: <b>"),
        ("Ruf <1>uns</1> {hotline_phone}<3/>", "tags", "tag <3/> is not in the source"),
        ("Ruf <1>uns {hotline_phone}<2/>", "tags", "tag <1> is never closed"),
        ("Ruf </1>uns<1> {hotline_phone}<2/>", "tags", "tag </1> closes nothing open"),
        ("Ruf uns {hotline_phone}<2/>", "tags", "tag <1> from the source is missing"),
        ("<1>a</1><1>b</1> {hotline_phone}<2/>", "tags", "a tag from the source is used twice"),
        ("Ruf <1>uns</1> {hotline_phone}<2>", "tags", "tag <2> is not in the source"),
    ],
)
def test_errors_carry_a_code(msgstr, code, message):
    """Each fault has its code on the error (checks report it as is, never guessed from
    the message's words)."""
    from pipeline.checks import translation_errors

    with pytest.raises(NotationError, match=re.escape(message)) as error:
        notation.parse_message(msgstr, SEGMENT)
    assert error.value.code == code
    assert translation_errors(msgstr, SEGMENT)[0] == (code, str(error.value))


def test_parts_of_a_message():
    text = "A &lt;b&gt; {{literal}} <1>link</1> {date}<2/> {{not}} don’t re-read"
    assert notation.tags(text) == ((1, False), (2, True))
    assert notation.placeholders(text) == ("date",)
    assert notation.words("Call <1>our hotline</1> on {hotline_phone}, don’t wait<2/>") == 6
    assert notation.plain_text("Call <1>us</1>{x}") == "Call  us  "
    assert notation.visible_text("Call <1>us</1> {x}") == "Call us 0"
    assert notation.unescape_text(notation.escape_text("<a> &lt; {x}", True), True) == (
        "<a> &lt; {x}"
    )


def test_the_notation_is_written_down_once():
    """No module but notation.py spells out the notation's patterns: numbered tags,
    placeholders, the msgid escapes."""
    patterns = [r"</?\d+/?>", r"<(\d+)(/?)>", r"\{([A-Za-z_]\w*)\}", "&(lt|amp);"]
    for path in sorted((REPO / "pipeline").glob("*.py")):
        if path.name == "notation.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert not [p for p in patterns if p in text], path.name


def test_doubled_braces_of_a_text_without_placeholders_reach_the_page(tmp_path):
    """A page's own `{{ name }}` (a template sample in a tutorial) is text: its translation
    is published with both closing braces (the page used to show `{{ name }`)."""
    page, catalog, out = tmp_path / "p.html", tmp_path / "p.po", tmp_path / "out.html"
    page.write_text("<html><body><p>Write {{ name }} here.</p></body></html>")
    catalog.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Write {{ name }} here."\nmsgstr "Schreib {{ name }} hier."\n'
    )
    result = run_pipeline("file", "merge", str(page), str(catalog), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text() == "<html><body><p>Schreib {{ name }} hier.</p></body></html>"


@given(st.text(alphabet="&lt;amp{}} x<", max_size=20), st.booleans())
def test_unescaping_skips_only_texts_with_nothing_escaped(text, braces):
    """The shortcut for texts without `&` or braces gives what the full reading gives."""
    expected = notation.UNESCAPE.sub(
        lambda m: {"&lt;": "<", "&amp;": "&"}.get(m[0], m[0][0] if braces else m[0]), text
    )
    assert notation.unescape_text(text, braces) == expected
