"""Region data: contact lines, emergency numbers, prices and dates, checked on load."""

from __future__ import annotations

import datetime
import json

import pytest

from pipeline.errors import ConfigError, LocaleError
from pipeline.regions import load_regions
from tests.conftest import REPO, one_line_error

REGIONS = REPO / "locales" / "regions.toml"


def test_shipped_regions_carry_the_checked_facts():
    regions = load_regions(REGIONS)
    us = regions["en-US"]
    assert [line.kind for line in us.lines] == ["publisher", "public"]
    assert us.hotline.e164 == "+18773784154"  # the clinic's admissions line, marked as its own
    samhsa = us.lines[1]
    assert samhsa.e164 == "+18006624357" and samhsa.tty_tel == "+18004874889"
    assert samhsa.free and "es" in samhsa.languages
    assert regions["es-US"].hotline.name == samhsa.name
    frank = regions["en-GB"].hotline
    assert frank.free is False and "normal national call" in frank.cost and frank.text == "82111"
    germany = regions["de-DE"].hotline
    assert germany.free is False and "0,20 €" in germany.cost and "0,60 €" in germany.cost
    mexico = regions["es-MX"].hotline
    assert "CONASAMA" in mexico.operator and "conadic" not in mexico.website
    assert {tag: region.emergency[0] for tag, region in regions.items()} == {
        "en-US": "911",
        "es-US": "911",
        "es-MX": "911",
        "en-GB": "999",
        "fr-FR": "15",
        "de-DE": "112",
        "en-AU": "000",
    }
    for region in regions.values():  # every public line is said to be one
        assert all(line.kind == "public" for line in region.lines[region.tag == "en-US" :])


def region_file(tmp_path, body: str):
    path = tmp_path / "regions.toml"
    path.write_text(body)
    return path


GERMANY = """
[regions.de-DE]
language = "de"
emergency = ["112"]
[regions.de-DE.hotline]
name = "Sucht & Drogen Hotline"
phone = "01806 313031"
cost = "0,20 € pro Anruf"
"""


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('emergency = ["112"]', 'emergency = ["911"]', "emergency '911' is not an emergency"),
        ('emergency = ["112"]', 'emergency = ["110", "999"]', "emergency '999'"),
        ('cost = "0,20 € pro Anruf"', 'cost = "kostenpflichtig"', "hotline.cost must give the"),
        ('cost = "0,20 € pro Anruf"', "free = true", "is a paid number; it cannot be free"),
        ('cost = "0,20 € pro Anruf"', "free = false", "a paid line shows its price"),
        ('phone = "01806 313031"', 'phone = "4711"', "hotline.phone '4711' is not a valid"),
        (
            'cost = "0,20 € pro Anruf"',
            'cost = "0,20 € pro Anruf"\nverified_on = 2999-01-01',
            "hotline.verified_on 2999-01-01 is in the future",
        ),
        ('cost = "0,20 € pro Anruf"', 'cost = "0,20 €"\nkind = "ours"', "kind must be"),
    ],
)
def test_bad_region_data_is_refused_with_one_line(tmp_path, old, new, message):
    assert old in GERMANY
    path = region_file(tmp_path, GERMANY.replace(old, new))
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")) as caught:
        load_regions(path)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)


def test_a_date_checked_today_is_accepted(tmp_path):
    today = datetime.date(2026, 3, 1)
    body = GERMANY + "verified_on = 2026-03-01\n"
    assert load_regions(region_file(tmp_path, body), today)["de-DE"].hotline.verified_on == today
    with pytest.raises(ConfigError, match="in the future"):
        load_regions(region_file(tmp_path, body), today - datetime.timedelta(days=1))


def test_short_national_lines_known_to_phonenumbers_are_accepted(tmp_path):
    # France's suicide prevention line 3114 and FRANK's text line 82111 are short numbers:
    # valid there, dialled as written (no country code)
    body = (
        '[regions.fr-FR]\nemergency = ["15", "112"]\n'
        '[regions.fr-FR.hotline]\nname = "3114"\nphone = "3114"\nfree = true\n'
        '[regions.en-GB]\nemergency = "999"\n'
        '[regions.en-GB.hotline]\nname = "FRANK"\nphone = "0300 123 6600"\ntext = "82111"\n'
        'cost = "National rate"\n'
    )
    regions = load_regions(region_file(tmp_path, body))
    assert regions["fr-FR"].hotline.e164 == "3114"
    assert regions["en-GB"].emergency == ("999",) and regions["en-GB"].hotline.text == "82111"
    with pytest.raises(ConfigError, match=r"hotline.text '8211' is not a valid number for GB"):
        load_regions(region_file(tmp_path, body.replace("82111", "8211")))


def test_regions_command_refuses_a_wrong_emergency_number(cli, project):
    path = project / "locales/regions.toml"
    path.write_text(path.read_text().replace('emergency = ["999", "112"]', 'emergency = ["911"]'))
    one_line_error(cli("regions", code=None), "region en-GB: emergency '911'")
    one_line_error(cli("publish", code=None), "region en-GB: emergency '911'")


def test_regions_json_lists_every_line_and_emergency_number(cli):
    report = json.loads(cli("regions", "--json").output)
    us = next(row for row in report["regions"] if row["region"] == "en-US")
    assert us["emergency"] == ["911"]
    assert [(line["kind"], line["tel"]) for line in us["lines"]] == [
        ("publisher", "tel:+18773784154"),
        ("public", "tel:+18006624357"),
    ]
    assert us["lines"][1]["tty"] == "(800) 487-4889"
    assert us["hotline"]["e164"] == "+18773784154"  # the field scripts already read


def test_regions_text_shows_further_lines_and_emergency_numbers(cli):
    out = cli("regions").stdout
    assert "SAMHSA National Helpline: (800) 662-4357 (+18006624357)" in out
    assert "emergency: 999, 112" in out


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " https://a.example",
        "https://a.example\n",
        "java\tscript:x",
        "\x01https://a.example",
        "https:a.example",
        "//a.example",
        "mailto:x@a.example",
    ],
)
def test_a_region_link_must_be_a_plain_web_url(url):
    from pipeline.regions import is_web_url

    assert not is_web_url(url)
    assert is_web_url("https://www.talktofrank.com/") and is_web_url("http://a.example/x")


def test_a_region_problem_names_the_line_of_the_key(tmp_path):
    """tomllib gives no lines for values: the error finds the key the problem names in its
    region's table (a [[lines]] table by its number), else the region's first table."""
    body = (
        GERMANY
        + '[[regions.de-DE.lines]]\nname = "A"\nphone = "01806 313031"\ncost = "0,20 €"\n'
        + '[[regions.de-DE.lines]]\nname = "B"\nphone = "4711"\ncost = "0,20 €"\n'
        + '[regions.fr-FR]\nemergency = ["911"]\n'
        + '[regions.nl-NL]\nlanguage = "nl"\ncolour = "orange"\n'
    )
    lines = body.split("\n")
    path = region_file(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        load_regions(path)
    message = str(caught.value)
    phone = lines.index('phone = "4711"') + 1
    emergency = lines.index('emergency = ["911"]') + 1
    dutch = lines.index("[regions.nl-NL]") + 1
    assert message.startswith(f"{path}:{phone}: region de-DE: lines[2].phone '4711'")
    assert f"; line {emergency}: region fr-FR: emergency '911'" in message
    assert f"; line {dutch}: region nl-NL: unknown field 'colour'" in message
    assert "\n" not in message


def test_direction_and_territories_read_from_the_language_are_each_locales_own():
    """A tag's direction comes from its language (and script), and its territory is checked
    against CLDR's codes: for every locale Babel has, the same as the locale's own data."""
    from babel import Locale, localedata

    from pipeline.locales import parse_tag

    checked = 0
    for identifier in localedata.locale_identifiers():
        locale = Locale.parse(identifier)
        if locale.variant or identifier == "root":
            continue
        tag = parse_tag(identifier)
        assert tag.direction == ("rtl" if locale.character_order == "right-to-left" else "ltr")
        checked += 1
    assert checked > 700
    assert parse_tag("ar-EG").direction == "rtl" and parse_tag("pa-Arab-PK").direction == "rtl"
    with pytest.raises(LocaleError, match="unknown locale 'es-ZZ'"):
        parse_tag("es-ZZ")
