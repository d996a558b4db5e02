"""Regions and their hotlines: load locales/regions.toml, validate, format numbers.

A wrong number on a health page can cost a life, so every field is checked on load and a
problem names the region and the field. Numbers are parsed for the region's own country
and shown in its national format, linked in E.164.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import phonenumbers

from pipeline.config import read_toml
from pipeline.errors import ConfigError, LocaleError
from pipeline.locales import parse_tag
from pipeline.model import Hotline, Region

HOTLINE_FIELDS = {"name", "phone", "hours", "cost", "website", "verified_on"}
REGION_FIELDS = {"language", "hotline", "phone_region"}


def load_regions(path: Path) -> dict[str, Region]:
    """All regions of the file by tag, in file order; every problem reported at once."""
    try:
        data = read_toml(path)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no region file (see README: regions)") from None
    table = data.get("regions")
    if not isinstance(table, dict) or not table:
        raise ConfigError(f"{path}: no [regions.<tag>] tables")
    regions, problems = {}, []
    for tag, entry in table.items():
        try:
            region = parse_region(tag, entry)
        except (ConfigError, LocaleError) as error:
            problems.append(str(error))
            continue
        if region.tag in regions:
            problems.append(f"region {tag}: defined twice")
        regions[region.tag] = region
    problems += numbers_in_hotline_texts(regions)
    if problems:
        raise ConfigError(f"{path}: " + "; ".join(problems))
    return regions


def parse_region(tag: str, entry) -> Region:
    if not isinstance(entry, dict):
        raise ConfigError(f"region {tag}: must be a table")
    parsed = parse_tag(tag)
    if parsed.territory is None:
        raise ConfigError(f"region {tag}: needs a territory (e.g. {parsed.language}-XX)")
    unknown = set(entry) - REGION_FIELDS
    if unknown:
        raise ConfigError(f"region {tag}: unknown field {sorted(unknown)[0]!r}")
    language = parse_tag(str(entry.get("language", parsed.language)))
    hotline = None
    if entry.get("hotline") is not None:
        country = str(entry.get("phone_region", parsed.territory))
        hotline = parse_hotline(parsed.bcp47, entry["hotline"], country)
    chain = []
    for name in (f"{language.gettext}_{parsed.territory}", language.gettext, language.language):
        if name not in chain:
            chain.append(name)
    return Region(
        tag=parsed.bcp47,
        language=language.gettext,
        catalogs=tuple(chain),
        hotline=hotline,
        direction=parsed.direction,
    )


def parse_hotline(tag: str, entry, country: str) -> Hotline:
    if not isinstance(entry, dict):
        raise ConfigError(f"region {tag}: hotline must be a table")
    unknown = set(entry) - HOTLINE_FIELDS
    if unknown:
        raise ConfigError(f"region {tag}: unknown field hotline.{sorted(unknown)[0]}")
    for name in ("name", "phone"):
        if not isinstance(entry.get(name), str) or not entry[name].strip():
            raise ConfigError(f"region {tag}: hotline.{name} is missing")
    for name in ("hours", "cost", "website"):
        if not isinstance(entry.get(name, ""), str):
            raise ConfigError(f"region {tag}: hotline.{name} must be text")
    verified_on = entry.get("verified_on")
    if verified_on is not None and (
        not isinstance(verified_on, datetime.date) or isinstance(verified_on, datetime.datetime)
    ):
        raise ConfigError(f"region {tag}: hotline.verified_on must be a date (YYYY-MM-DD)")
    website = entry.get("website", "")
    if website and not website.startswith(("https://", "http://")):
        raise ConfigError(f"region {tag}: hotline.website must be an http(s) URL")
    number = parse_phone(tag, entry["phone"], country)
    return Hotline(
        name=entry["name"].strip(),
        phone=entry["phone"],
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        national=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
        hours=entry.get("hours", "").strip(),
        cost=entry.get("cost", "").strip(),
        website=website,
        verified_on=verified_on,
    )


def numbers_in_hotline_texts(regions: dict[str, Region]) -> list[str]:
    """A phone number belongs in hotline.phone only: one in the name, hours or cost would
    be shown as written, unchecked, beside the real one (any region's format counts)."""
    countries = phone_countries(regions, "")
    problems = []
    for region in regions.values():
        hotline = region.hotline
        for name in ("name", "hours", "cost") if hotline else ():
            number = phone_number_in(getattr(hotline, name), countries)
            if number:
                problems.append(
                    f"region {region.tag}: hotline.{name} holds a phone number ({number!r}); "
                    "a hotline's number belongs in hotline.phone"
                )
    return problems


def phone_number_in(text: str, countries: tuple[str, ...]) -> str | None:
    """The first phone number in `text` that is valid in one of `countries` (national
    formats) or written internationally, as written; None when there is none."""
    if sum(character.isdigit() for character in text) < 7:
        return None  # shorter than any subscriber number: "24/7", "8 h à 2 h"
    for country in countries or ("US",):
        for match in phonenumbers.PhoneNumberMatcher(
            text, country, leniency=phonenumbers.Leniency.VALID
        ):
            return match.raw_string
    return None


def phone_countries(regions: dict[str, Region], source_locale: str) -> tuple[str, ...]:
    """Every country whose numbers a page could be given: the source locale's, each region's
    and each hotline's (phone_region may differ from the tag), in that order."""
    countries = [parse_tag(source_locale).territory or "US"] if source_locale else []
    for region in regions.values():
        countries.append(parse_tag(region.tag).territory)
        if region.hotline is not None:
            number = phonenumbers.parse(region.hotline.e164)
            countries.append(phonenumbers.region_code_for_number(number))
    supported = phonenumbers.SUPPORTED_REGIONS  # not the pseudo-locales' XA and XB
    return tuple(dict.fromkeys(c for c in countries if c in supported))


def parse_phone(tag: str, text: str, country: str) -> phonenumbers.PhoneNumber:
    try:
        number = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number_for_region(number, country):
        raise ConfigError(
            f"region {tag}: hotline.phone {text!r} is not a valid number for {country}"
        )
    return number


def is_pseudo_region(tag: str) -> bool:
    """A pseudo-locale's region (en-XA, ar-XB): for previews and tests, never published
    unless asked for."""
    return parse_tag(tag).is_pseudo


def hotline_age_days(hotline: Hotline, today: datetime.date) -> int | None:
    if hotline.verified_on is None:
        return None
    return (today - hotline.verified_on).days
