"""Helpers of the exchange tests (XLIFF, TMX, glossary): the OASIS XLIFF schemas kept in
tests/schemas (see its README), loaded without network, and messages for property tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from hypothesis import strategies as st
from lxml import etree

from pipeline.inline import NOT_XML, tokens_message

SCHEMAS = Path(__file__).resolve().parent / "schemas"
CATALOG = "locales/fr/LC_MESSAGES/ketamine-addiction.po"
TOC = (
    "<1>Is Ketamine Addictive?</1> <2>Ketamine Addiction Signs.</2> <3>How Addictive is "
    "Ketamine?</3> <4>Ketamine Addiction Signs.</4> <5>Treatment for Ketamine Addiction</5>"
)


class LocalSchemas(etree.Resolver):
    """The W3C xml.xsd that both XLIFF schemas import by URL, from the local copy."""

    def resolve(self, url, pubid, context):
        if url.rsplit("/", 1)[-1] == "xml.xsd":
            return self.resolve_filename(str(SCHEMAS / "xml.xsd"), context)
        return None


@cache
def schema(name: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(LocalSchemas())
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name), parser))


def glossary_schema() -> etree.XMLSchema:
    """XLIFF 2 core with the glossary module: a wrapper schema importing both, so that
    `<gls:glossary>` in a unit is validated strictly instead of skipped as foreign."""
    return schema("xliff2_with_glossary.xsd")


def validate(path: Path) -> None:
    """Assert that an XLIFF file is valid against its version's OASIS schema."""
    document = etree.parse(str(path))
    version = document.getroot().get("version")
    checker = schema("xliff-core-1.2-strict.xsd") if version == "1.2" else glossary_schema()
    assert checker.validate(document), checker.error_log.filter_from_errors()[:5]


# Any text XML 1.0 can carry (messages with other characters are left out of exports).
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12).filter(
    lambda text: not NOT_XML.search(text)
)


@st.composite
def messages(draw):
    """A msgid of text, tags and placeholders (as `extract` writes them), and its format flag."""
    tokens, number = [], 0
    is_format = draw(st.booleans())
    for _ in range(draw(st.integers(0, 5))):
        choice = draw(
            st.sampled_from(
                ["text", "pair", "void", "var"] if is_format else ["text", "pair", "void"]
            )
        )
        if choice == "text":
            tokens.append(("text", draw(TEXT)))
        elif choice == "var":
            tokens.append(("var", draw(st.sampled_from(["hotline_phone", "date", "x_1"]))))
        else:
            number += 1
            inner = [("text", draw(TEXT))] if choice == "pair" else []
            kind = (
                [("open", number), *inner, ("close", number)]
                if choice == "pair"
                else [("void", number)]
            )
            tokens.extend(kind)
    return tokens_message(tokens, is_format), is_format
