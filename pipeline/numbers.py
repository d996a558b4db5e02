"""Numbers in translations: a figure written in the number format of every region that shows it.

A dose in the wrong format is a major error: "0,5 mg/kg" reads as five milligrams to a
reader in Mexico. Regions of one language may write numbers differently (CLDR: es-MX and
es-US "0.5", es-ES "0,5"); a region whose format differs from its language's catalog gets
the entry from its regional override catalog (`locales/es_MX/...`), which `check` holds
to the region's format as it holds the language's catalog to the format of every region
that still reads it.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.model import Region

# A decimal number as the source writes it: "0.5", "2.25" (never a run of digit groups).
SOURCE_DECIMAL = re.compile(r"(?<![\d.,])(\d+)([.,])(\d+)(?![.,]?\d)")
# What every decimal holds: searched first, as it is found (or not) without trying the
# lookbehind above at each character of a text, and most texts have no number at all.
DECIMAL_CORE = re.compile(r"\d[.,]\d")


def has_decimal(text: str) -> bool:
    """Whether a source text holds a decimal number (`SOURCE_DECIMAL`)."""
    return DECIMAL_CORE.search(text) is not None and SOURCE_DECIMAL.search(text) is not None


def decimal_symbol(locale: str) -> str | None:
    """The CLDR decimal symbol of a locale (es_MX -> "."), None for one CLDR does not know
    (the pseudo-locales)."""
    from babel import UnknownLocaleError
    from babel.numbers import get_decimal_symbol

    try:
        return get_decimal_symbol(locale)
    except (UnknownLocaleError, ValueError):
        return None


def wrong_decimals(msgid: str, msgstr: str, source_symbol: str, symbol: str) -> list[str]:
    """Each decimal number of `msgid` that `msgstr` writes with the other decimal symbol than
    `symbol` (the region's), as written in `msgstr`."""
    wrong = []
    for whole, separator, fraction in SOURCE_DECIMAL.findall(msgid):
        if separator != source_symbol:
            continue  # not a decimal number in the source's own format
        other = "," if symbol == "." else "."
        written = f"{whole}{other}{fraction}"
        if re.search(rf"(?<![\d.,]){re.escape(written)}(?![.,]?\d)", msgstr):
            wrong.append(written)
    return wrong


def readers(
    key: tuple, catalog: str, regions: list[Region], overrides: dict[str, dict]
) -> list[Region]:
    """The regions whose pages show the entry `key` of the catalog `catalog` (a language):
    those whose chain holds it and no more specific catalog that translates the entry."""
    shown = []
    for region in regions:
        if catalog not in region.catalogs:
            continue
        before = region.catalogs[: region.catalogs.index(catalog)]
        if not any(key in overrides.get(name, {}) for name in before):
            shown.append(region)
    return shown


def catalog_entries(locales_dir: Path, language: str, slug: str) -> dict:
    """(msgctxt, msgid) -> msgstr of the translated entries of a catalog ({} without one)."""
    from pipeline.catalogs import catalog_path, read_translations

    path = catalog_path(locales_dir, language, slug)
    return read_translations(path).entries if path.is_file() else {}


def number_format_problems(
    entries, language: str, regions: list[Region], overrides: dict, source_locale: str
) -> list[tuple[int, str, str]]:
    """(line, msgid, message) for each of `entries` (`pipeline.pofile.Entry`, translated and
    holding a decimal: `decimal_entries`) of the catalog `language` whose number is in a
    format wrong for a region that shows it."""
    source_symbol = decimal_symbol(source_locale.replace("-", "_")) or "."
    symbols = {region.tag: decimal_symbol(region.tag.replace("-", "_")) for region in regions}
    problems = []
    for entry in entries:
        msgid, msgstr = entry.msgid, entry.msgstr
        for region in readers(entry.key, language, regions, overrides):
            symbol = symbols[region.tag]
            for written in wrong_decimals(msgid, msgstr, source_symbol, symbol) if symbol else ():
                message = wrong_format(written, symbol, region, language)
                problems.append((entry.line, msgid, message))
    return problems


def decimal_entries(entries) -> list:
    """The translated entries whose source text holds a decimal number."""
    return [entry for entry in entries if entry.translated and has_decimal(entry.msgid)]


def wrong_format(written: str, symbol: str, region: Region, language: str) -> str:
    expected = written.replace("," if symbol == "." else ".", symbol)
    message = f"{written!r} is not how {region.tag} writes this number ({expected!r})"
    if region.catalogs[0] != language:
        message += f": give {region.tag} its own entry in its catalog {region.catalogs[0]}"
    return message


def number_format_findings(
    path: Path,
    shown: str,
    language: str,
    slug: str,
    regions: list[Region],
    source_locale: str,
    entries: tuple,
) -> list:
    """`check`'s findings (errors) for the catalog at `path`, whose `entries` the caller
    read: numbers in a format wrong for a region that shows them."""
    from pipeline.checks import Finding

    judged = decimal_entries(entries)
    if not judged:
        return []  # no number to judge: the more specific catalogs need not be read
    locales_dir = path.parents[2]
    # The catalogs before this one in a region's chain: where they translate an entry, that
    # region shows theirs (`readers`).
    chains = [region.catalogs for region in regions if language in region.catalogs]
    names = {name for chain in chains for name in chain[: chain.index(language)]}
    overrides = {name: catalog_entries(locales_dir, name, slug) for name in names}
    return [
        Finding("warning", "number-format", message, shown, line, msgid)
        for line, msgid, message in number_format_problems(
            judged, language, regions, overrides, source_locale
        )
    ]
