"""Numbers in the region's own format: a dose reads the same in every region."""

from __future__ import annotations

import json

import polib
from hypothesis import given
from hypothesis import strategies as st

from pipeline.numbers import decimal_symbol, wrong_decimals

ES = "locales/es/LC_MESSAGES/ketamine-addiction.po"
ES_MX = "locales/es_MX/LC_MESSAGES/ketamine-addiction.po"


def test_cldr_decimal_symbols_of_the_regions():
    assert [decimal_symbol(tag) for tag in ("es_MX", "es_US", "es_ES", "de_DE", "en_GB")] == [
        ".",
        ".",
        ",",
        ",",
        ".",
    ]
    assert decimal_symbol("en_XA") is None  # a pseudo-locale: not checked


@given(st.integers(0, 999), st.integers(1, 99), st.sampled_from([".", ","]))
def test_a_decimal_in_the_other_format_is_found_and_the_right_one_is_not(whole, fraction, symbol):
    msgid = f"one dose ({whole}.{fraction} mg/kg, i.v.)"
    other = "," if symbol == "." else "."
    assert wrong_decimals(msgid, f"una dosis ({whole}{other}{fraction} mg/kg)", ".", symbol) == [
        f"{whole}{other}{fraction}"
    ]
    assert wrong_decimals(msgid, f"una dosis ({whole}{symbol}{fraction} mg/kg)", ".", symbol) == []


def test_grouped_thousands_are_not_read_as_decimals():
    assert wrong_decimals("about 1,000 people", "unas 1.000 personas", ".", ".") == []
    assert wrong_decimals("in 2019.", "en 2019.", ".", ",") == []


def test_check_flags_a_dose_in_the_wrong_format_for_a_region_reading_the_catalog(cli, project):
    assert cli("check", "--json").exit_code == 0  # es_MX and es_US override the dose
    catalog = polib.pofile(str(project / ES_MX))
    entry = next(e for e in catalog if "0.5 mg/kg" in e.msgstr)
    entry.msgstr = ""  # es-MX now reads the language's "0,5 mg/kg"
    catalog.save()
    # A warning (the es catalog is right for the regions that write "0,5"): --strict fails it.
    cli("check", "--strict", code=1)
    result = cli("check", "--json")
    errors = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "number-format"]
    assert [f["severity"] for f in errors] == ["warning"]
    assert len(errors) == 1 and errors[0]["catalog"] == ES
    assert "'0,5' is not how es-MX writes this number ('0.5')" in errors[0]["message"]
    assert errors[0]["line"] > 0


def test_an_override_in_the_wrong_format_is_flagged_too(cli, project):
    catalog = polib.pofile(str(project / ES_MX))
    entry = next(e for e in catalog if "0.5 mg/kg" in e.msgstr)
    entry.msgstr = entry.msgstr.replace("0.5 mg/kg", "0,5 mg/kg")
    catalog.save()
    cli("check", "--lang", "es_MX", "--strict", code=1)
    result = cli("check", "--lang", "es_MX")
    assert f"{ES_MX}:" in result.stdout and "not how es-MX writes" in result.stdout


# -- phone numbers typed into a translation ---------------------------------------------------

PHONE_PIECES = st.sampled_from(
    [
        "+1 877 378 4154",
        "(877) 378-4154",
        "0800 123 4567",
        "55 5555 1234",
        "030 12345678",
        "1800 250 015",
        "2019",
        "12",
        "٣٤٥",
        "１２３",
        " ",
        "-",
        ".",
        "/",
        "\uff0f",
        "\u2010",
        "(",
        "1685",
        " x12",
        "tel ",
        "call ",
    ]
)


@given(
    st.lists(PHONE_PIECES, max_size=6).map("".join),
    st.lists(PHONE_PIECES, max_size=6).map("".join),
)
def test_a_written_number_is_found_as_the_matcher_alone_finds_it(target, source):
    """The shortcuts (a run of 7 digits first; the translation's digits all a run of the
    source's) change no verdict: the answer equals that of phonenumbers' matcher asked in
    every country, less numbers of under 7 digits ("1685" is a valid German number)."""
    import re

    import phonenumbers

    from pipeline.checks import written_phone_number

    regions = ("US", "MX", "GB", "DE", "FR", "AU")
    source_digits = re.sub(r"\D", "", source)
    expected = None
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(
            target, region, leniency=phonenumbers.Leniency.VALID
        ):
            digits = re.sub(r"\D", "", match.raw_string)
            digits = digits[: len(digits) - len(match.number.extension or "")]
            if len(digits) >= 7 and digits not in source_digits:
                expected = expected or match.raw_string
        if expected:
            break
    assert written_phone_number(target, source, regions) == expected


def test_a_number_written_with_slashes_is_found():
    """Slashes and the fullwidth and Unicode dashes join a number's digits, as to the matcher."""
    from pipeline.checks import written_phone_number

    assert written_phone_number("llame al 030/1234567", "call us", ("DE",)) == "030/1234567"
    assert written_phone_number("1685 Mitglieder", "members", ("DE",)) is None


@given(st.text(st.sampled_from("0123456789.,- ab٣"), max_size=12))
def test_a_decimal_is_found_as_the_full_pattern_alone_finds_it(text):
    """`has_decimal` searches what every decimal holds first: its answer is the pattern's."""
    from pipeline.numbers import SOURCE_DECIMAL, has_decimal

    assert has_decimal(text) == (SOURCE_DECIMAL.search(text) is not None)


def test_a_number_in_other_digits_is_still_found():
    """Digits other than ASCII ones are digits to the shortcut too (and to the matcher)."""
    from pipeline.checks import written_phone_number

    found = written_phone_number("llame al ٠٢٠ ٧٩٤٦ ٠٠٠٠", "call us", ("GB",))
    assert found == "٠٢٠ ٧٩٤٦ ٠٠٠٠"
