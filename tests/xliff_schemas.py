"""The OASIS XLIFF schemas kept in tests/schemas (see its README), loaded without network."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).resolve().parent / "schemas"


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
