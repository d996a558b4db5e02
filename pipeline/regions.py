"""Regions and their hotlines: load locales/regions.toml, validate, format numbers.

A wrong number on a health page can cost a life, so every field is checked on load and a
problem names the region and the field. Numbers are parsed for the region's own country
and shown in its national format, linked in E.164.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import phonenumbers

from pipeline.config import read_toml
from pipeline.errors import ConfigError, LocaleError
from pipeline.files import read_bytes
from pipeline.locales import parse_tag, same_language
from pipeline.model import Hotline, Region

LINE_FIELDS = {
    "name",
    "phone",
    "hours",
    "cost",
    "website",
    "verified_on",
    "kind",
    "operator",
    "free",
    "languages",
    "tty",
    "text",
    "chat",
    "source",
}
REGION_FIELDS = {"language", "hotline", "phone_region", "lines", "emergency", "poison"}
LINE_KINDS = ("public", "publisher")
# Numbers a caller pays more for than a call: regulators (Germany's TKG for 0180, Ofcom for
# premium rates) require the price to be shown next to them.
PRICED_TYPES = (phonenumbers.PhoneNumberType.SHARED_COST, phonenumbers.PhoneNumberType.PREMIUM_RATE)
PRICE = re.compile(r"\d.*(?:€|\$|£|ct|cent|pence|\bp\b)|(?:€|\$|£)\s*\d", re.IGNORECASE)


def load_regions(path: Path, today: datetime.date | None = None) -> dict[str, Region]:
    """All regions of the file by tag, in file order; every problem reported at once.
    `today` (default: the date now) is what a `verified_on` may not come after."""
    try:
        data = read_toml(path)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no region file (see README: regions)") from None
    table = data.get("regions")
    if not isinstance(table, dict) or not table:
        raise ConfigError(f"{path}: no [regions.<tag>] tables")
    today = today or datetime.date.today()
    regions, problems = {}, []
    for tag, entry in table.items():
        try:
            region = parse_region(tag, entry, today)
        except (ConfigError, LocaleError) as error:
            problems.append(str(error))
            continue
        if region.tag in regions:
            problems.append(f"region {tag}: defined twice")
        regions[region.tag] = region
    problems += numbers_in_hotline_texts(regions)
    if problems:
        raise ConfigError(located(path, problems))
    return regions


# What a problem names: "region de-DE: hotline.phone ...", "region de-DE: lines[2].cost ...",
# "region de-DE: emergency ..."
PROBLEM = re.compile(r"region ([^:\s]+): (?:([a-z_]+)(?:\[(\d+)\])?(?:\.([a-z_]+))?\b)?")
TABLE = re.compile(r"\s*\[\[?\s*regions\.\"?([^\]\".]+)\"?(?:\.([a-z_]+))?\s*\]")
KEY = re.compile(r"\s*\"?([A-Za-z0-9_-]+)\"?\s*=")


def located(path: Path, problems: list[str]) -> str:
    """The problems as one line, each with the line of the file it is about: the key it
    names in its region's table, else the region's first table (tomllib gives no lines)."""
    try:  # the file was read as TOML a moment ago
        lines = read_bytes(path).decode("utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        lines = []
    numbered = [(problem_line(lines, problem), problem) for problem in problems]
    first_line, first = numbered[0]
    head = f"{path}:{first_line}: {first}" if first_line else f"{path}: {first}"
    rest = [f"line {line}: {problem}" if line else problem for line, problem in numbered[1:]]
    return "; ".join([head, *rest])


def problem_line(lines: list[str], problem: str) -> int | None:
    """The line of the key a problem names, in its region's table; else the line of the
    region's first table; None when the problem names no region of the file."""
    named = PROBLEM.match(problem)
    if named is None:
        return None
    tag, field, index, key = named.groups()
    tables = region_tables(lines, tag)
    if not tables:
        return None
    table, name = (field, key) if key else (None, field)
    for start, sub, ordinal in tables:
        if sub == table and (index is None or ordinal == int(index)):
            found = key_line(lines, start, name)
            if found:
                return found
    return tables[0][0]


def region_tables(lines: list[str], tag: str) -> list[tuple[int, str | None, int]]:
    """(line, sub-table or None, its number among the region's tables of that name) of
    each table of the region, in file order."""
    tables, counts = [], {}
    for number, text in enumerate(lines, 1):
        header = TABLE.match(text)
        if header and header.group(1) == tag:
            sub = header.group(2)
            counts[sub] = counts.get(sub, 0) + 1
            tables.append((number, sub, counts[sub]))
    return tables


def key_line(lines: list[str], start: int, name: str | None) -> int | None:
    """The line of `name = ...` in the table whose header is on line `start`."""
    for number in range(start + 1, len(lines) + 1):
        text = lines[number - 1]
        if text.lstrip().startswith("["):
            return None  # the next table
        found = KEY.match(text)
        if found and found.group(1) == name:
            return number
    return None


def parse_region(tag: str, entry, today: datetime.date | None = None) -> Region:
    if not isinstance(entry, dict):
        raise ConfigError(f"region {tag}: must be a table")
    parsed = parse_tag(tag)
    if parsed.territory is None:
        raise ConfigError(f"region {tag}: needs a territory (e.g. {parsed.language}-XX)")
    unknown = set(entry) - REGION_FIELDS
    if unknown:
        raise ConfigError(f"region {tag}: unknown field {sorted(unknown)[0]!r}")
    today = today or datetime.date.today()
    language = parse_tag(str(entry.get("language", parsed.language)))
    country = str(entry.get("phone_region", parsed.territory))
    lines = parse_lines(parsed.bcp47, entry, country, today)
    poison = None
    if entry.get("poison") is not None:
        poison = parse_hotline(parsed.bcp47, entry["poison"], country, today, "poison")
    chain = []
    for name in (f"{language.gettext}_{parsed.territory}", language.gettext, language.language):
        if name not in chain:
            chain.append(name)
    return Region(
        tag=parsed.bcp47,
        language=language.gettext,
        catalogs=tuple(chain),
        hotline=lines[0] if lines else None,
        direction=parsed.direction,
        lines=lines,
        emergency=parse_emergency(parsed.bcp47, entry.get("emergency", []), country),
        poison=poison,
    )


def parse_lines(tag: str, entry: dict, country: str, today) -> tuple[Hotline, ...]:
    """The region's contact lines: `hotline` (what articles link) first, then `lines`."""
    lines = []
    if entry.get("hotline") is not None:
        lines.append(parse_hotline(tag, entry["hotline"], country, today))
    more = entry.get("lines", [])
    if not isinstance(more, list):
        raise ConfigError(
            f"region {tag}: lines must be an array of tables ([[regions.{tag}.lines]])"
        )
    for index, line in enumerate(more, 1):
        lines.append(parse_hotline(tag, line, country, today, f"lines[{index}]"))
    return tuple(lines)


def parse_emergency(tag: str, value, country: str) -> tuple[str, ...]:
    """Emergency numbers, each one phonenumbers knows as an emergency number of `country`."""
    from phonenumbers import shortnumberinfo

    numbers = [value] if isinstance(value, str) else value
    if not isinstance(numbers, list) or not all(isinstance(n, str) for n in numbers):
        raise ConfigError(f"region {tag}: emergency must be a list of numbers as text")
    for number in numbers:
        if not shortnumberinfo.is_emergency_number(number, country):
            raise ConfigError(
                f"region {tag}: emergency {number!r} is not an emergency number in {country}"
            )
    return tuple(number.strip() for number in numbers)


def parse_hotline(tag: str, entry, country: str, today=None, field: str = "hotline") -> Hotline:
    """One contact line, every fact checked: a wrong number or price is not published."""
    check_line_fields(tag, field, entry)
    kind = entry.get("kind", "public")
    languages = entry.get("languages", [])
    verified_on = check_verified_on(tag, field, entry.get("verified_on"), today)
    number = parse_phone(tag, entry["phone"], country, field)
    check_cost(tag, field, entry, number)
    tty = parse_phone(tag, entry["tty"], country, f"{field}.tty") if entry.get("tty") else None
    if entry.get("text"):
        parse_phone(tag, entry["text"], country, f"{field}.text")
    return Hotline(
        name=entry["name"].strip(),
        phone=entry["phone"],
        e164=dial_string(number),
        national=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
        hours=entry.get("hours", "").strip(),
        cost=entry.get("cost", "").strip(),
        website=entry.get("website", ""),
        verified_on=verified_on,
        kind=kind,
        operator=entry.get("operator", "").strip(),
        free=entry.get("free"),
        languages=tuple(languages),
        tty=national(tty) if tty else "",
        tty_tel=dial_string(tty) if tty else "",
        text=entry.get("text", "").strip(),
        chat=entry.get("chat", ""),
        source=entry.get("source", ""),
        country=country,
    )


def check_line_fields(tag: str, field: str, entry) -> None:
    """The fields of a line are known and of their types (values are checked by the caller)."""
    if not isinstance(entry, dict):
        raise ConfigError(f"region {tag}: {field} must be a table")
    unknown = set(entry) - LINE_FIELDS
    if unknown:
        raise ConfigError(f"region {tag}: unknown field {field}.{sorted(unknown)[0]}")
    for name in ("name", "phone"):
        if not isinstance(entry.get(name), str) or not entry[name].strip():
            raise ConfigError(f"region {tag}: {field}.{name} is missing")
    for name in ("hours", "cost", "website", "operator", "tty", "text", "chat", "source"):
        if not isinstance(entry.get(name, ""), str):
            raise ConfigError(f"region {tag}: {field}.{name} must be text")
    check_line_links(tag, field, entry)
    if entry.get("kind", "public") not in LINE_KINDS:
        raise ConfigError(f'region {tag}: {field}.kind must be "public" or "publisher"')
    languages = entry.get("languages", [])
    if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
        raise ConfigError(f"region {tag}: {field}.languages must be a list of language tags")


def check_line_links(tag: str, field: str, entry: dict) -> None:
    """A line's website, chat and source, where given, are http(s) URLs a browser reads so."""
    for name in ("website", "chat", "source"):
        url = entry.get(name, "")
        if url and not is_web_url(url):
            raise ConfigError(f"region {tag}: {field}.{name} must be an http(s) URL")


def check_verified_on(tag: str, field: str, value, today) -> datetime.date | None:
    if value is None:
        return None
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise ConfigError(f"region {tag}: {field}.verified_on must be a date (YYYY-MM-DD)")
    if today is not None and value > today:
        raise ConfigError(f"region {tag}: {field}.verified_on {value.isoformat()} is in the future")
    return value


def check_cost(tag: str, field: str, entry: dict, number: phonenumbers.PhoneNumber) -> None:
    """A line is free only when its number is; a paid line shows its price."""
    free, cost = entry.get("free"), entry.get("cost", "").strip()
    if free is not None and not isinstance(free, bool):
        raise ConfigError(f"region {tag}: {field}.free must be true or false")
    priced = phonenumbers.number_type(number) in PRICED_TYPES
    if free and priced:
        raise ConfigError(
            f"region {tag}: {field}.phone {entry['phone']!r} is a paid number; it cannot be free"
        )
    if free is False and not cost:
        raise ConfigError(f"region {tag}: {field}.cost is missing: a paid line shows its price")
    if priced and not PRICE.search(cost):
        raise ConfigError(
            f"region {tag}: {field}.cost must give the price of a call to "
            f'{entry["phone"]!r} (a shared-cost or premium number), e.g. "0,20 € per call"'
        )


def numbers_in_hotline_texts(regions: dict[str, Region]) -> list[str]:
    """A phone number belongs in hotline.phone only: one in the name, hours or cost would
    be shown as written, unchecked, beside the real one (any region's format counts)."""
    countries = phone_countries(regions, "")
    problems = []
    for region in regions.values():
        for hotline in region.lines:
            problems += numbers_in_line_texts(region.tag, hotline, countries)
    return problems


def numbers_in_line_texts(tag: str, hotline: Hotline, countries: tuple[str, ...]) -> list[str]:
    problems = []
    for name in ("name", "hours", "cost"):
        number = phone_number_in(getattr(hotline, name), countries)
        if number:
            problems.append(
                f"region {tag}: hotline.{name} holds a phone number ({number!r}); "
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
        for line in region.lines:
            countries.append(line.country)
    supported = phonenumbers.SUPPORTED_REGIONS  # not the pseudo-locales' XA and XB
    return tuple(dict.fromkeys(c for c in countries if c in supported))


def parse_phone(
    tag: str, text: str, country: str, field: str = "hotline"
) -> phonenumbers.PhoneNumber:
    """A number valid in `country`: a full national number, or a short one (three to six
    digits, such as a text line) that phonenumbers knows there."""
    from phonenumbers import shortnumberinfo

    try:
        number = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and (
        phonenumbers.is_valid_number_for_region(number, country)
        or shortnumberinfo.is_valid_short_number_for_region(number, country)
    ):
        return number
    name = field if field.endswith((".tty", ".text")) else f"{field}.phone"
    raise ConfigError(f"region {tag}: {name} {text!r} is not a valid number for {country}")


def is_short(number: phonenumbers.PhoneNumber) -> bool:
    return not phonenumbers.is_valid_number(number)


def dial_string(number: phonenumbers.PhoneNumber) -> str:
    """What a tel: link dials: E.164, or a short number's own digits (only dialable at home)."""
    if is_short(number):
        return phonenumbers.national_significant_number(number)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def is_pseudo_region(tag: str) -> bool:
    """A pseudo-locale's region (en-XA, ar-XB): for previews and tests, never published
    unless asked for."""
    return parse_tag(tag).is_pseudo


def hotline_age_days(hotline: Hotline, today: datetime.date) -> int | None:
    if hotline.verified_on is None:
        return None
    return (today - hotline.verified_on).days


def is_web_url(url: str) -> bool:
    """An http(s) URL as a browser reads it (`pipeline.urls`), with nothing a browser would
    strip or skip (spaces, controls, tabs, newlines) to make it one: a region's links reach
    every page of the region."""
    from pipeline.urls import url_scheme

    clean = url.isprintable() and url == url.strip()
    return clean and url_scheme(url) in ("http", "https") and "//" in url[:8]


def is_source_language(settings, region: Region) -> bool:
    """Whether the region reads the articles' own language (its pages need no catalog)."""
    return same_language(region.language, settings.source_locale)
