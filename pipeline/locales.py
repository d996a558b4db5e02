"""Language tags: validation, BCP 47 <-> gettext names, direction and plural forms (Babel)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from babel import Locale, UnknownLocaleError

from pipeline.errors import LocaleError

TAG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_]([A-Za-z]{4}))?(?:[-_]([A-Za-z]{2}|\d{3}))?$")
# CLDR's pseudo-locales: English accented and lengthened, and a right-to-left mirror.
PSEUDO = {"XA": "ltr", "XB": "rtl"}


@dataclass(frozen=True)
class LanguageTag:
    language: str
    script: str | None
    territory: str | None

    @property
    def bcp47(self) -> str:  # es-MX
        return "-".join(part for part in (self.language, self.script, self.territory) if part)

    @property
    def gettext(self) -> str:  # es_MX
        return "_".join(part for part in (self.language, self.script, self.territory) if part)

    @property
    def is_pseudo(self) -> bool:
        return self.territory in PSEUDO

    @property
    def babel(self) -> Locale:
        return babel_locale(self.language, self.script, None if self.is_pseudo else self.territory)

    @property
    def direction(self) -> str:
        if self.is_pseudo:
            return PSEUDO[self.territory]
        # The language's (and script's) own: no region of CLDR writes the other way, and the
        # regional locale's data would be loaded for each region of a publish.
        language = babel_locale(self.language, self.script, None)
        return "rtl" if language.character_order == "right-to-left" else "ltr"

    @property
    def plural_forms(self) -> str:
        from babel.messages.plurals import get_plural  # imported when asked, as format_date

        plural = get_plural(self.babel)
        return f"nplurals={plural.num_plurals}; plural={plural.plural_expr};"

    def format_date(self, iso: str) -> str:
        # Imported here: babel.dates reads the machine's time zone on import (about 50 ms),
        # which a publish with nothing to build does not need.
        from babel.dates import format_date

        return format_date(datetime.date.fromisoformat(iso), "long", locale=self.babel)


@cache
def babel_locale(language: str, script: str | None, territory: str | None) -> Locale:
    return Locale(language, territory, script)


# A project names a handful of tags, asked for per page and per segment: each is validated
# once.
@lru_cache(maxsize=1024)
def parse_tag(tag: str) -> LanguageTag:
    """`es-MX`, `es_MX`, `de` -> a validated tag; an unknown locale is a LocaleError. A tag
    is known when Babel has its locale and CLDR its territory (a sparse locale such as
    `ht_HT` that names no territories of its own is known too)."""
    match = TAG.match(tag)
    if not match:
        raise LocaleError(f"malformed locale {tag!r} (expected e.g. 'es', 'es-MX' or 'es_MX')")
    language = match.group(1).lower()
    script = match.group(2).title() if match.group(2) else None
    territory = match.group(3).upper() if match.group(3) else None
    parsed = LanguageTag(language, script, territory)
    try:
        babel_locale(language, script, None if parsed.is_pseudo else territory)
    except (UnknownLocaleError, ValueError):  # a language, script or locale Babel lacks
        raise LocaleError(f"unknown locale {tag!r}") from None
    if territory and not parsed.is_pseudo and territory not in known_territories():
        raise LocaleError(f"unknown locale {tag!r}: no territory {territory}")
    return parsed


@cache
def known_territories() -> frozenset[str]:
    """CLDR's territory codes. English names them all (no locale names one it lacks); the
    language's own names would load that whole locale's data for each tag of a publish."""
    return frozenset(Locale("en").territories)


def same_language(catalog_language: str, source_locale: str) -> bool:
    """Whether a catalog language is the articles' own (a pseudo-locale never is)."""
    catalog, source = parse_tag(catalog_language), parse_tag(source_locale)
    return not catalog.is_pseudo and catalog.language == source.language
