"""Terminology: the shipped medical glossaries, check's glossary findings (inflection and
compound tolerant), TBX-Basic in and out, and glossaries carried by XLIFF and TMX exports."""

from __future__ import annotations

import json
from pathlib import Path

import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import REPO, examples, one_line_error
from exchange_helpers import CATALOG, validate
from pipeline.checks import plain_text
from pipeline.glossary import load_glossary, read_terms
from pipeline.xliff import GLOSSARY, XLIFF2, unit_id

KEY_TERMS = [
    "delirium",
    "delusion",
    "dissociative anaesthetic",
    "dependence",
    "withdrawal",
    "overdose",
    "esketamine",
]


def glossary(language: str):
    return load_glossary(REPO / "locales", language, "en-US")


def set_translation(project: Path, msgid: str, msgstr: str, language: str = "fr") -> None:
    """The fixture's own translation of one entry, whatever the shipped catalog says."""
    path = project / f"locales/{language}/LC_MESSAGES/ketamine-addiction.po"
    catalog = polib.pofile(str(path))
    catalog.find(msgid).msgstr = msgstr
    catalog.save()


def glossary_findings(cli, language: str = "fr") -> list[dict]:
    result = cli("check", "--lang", language, "--json", code=None)
    return [f for f in json.loads(result.stdout)["findings"] if f["code"] == "glossary"]


def test_french_delire_for_delirium_is_an_error(cli, project):
    set_translation(project, "Delirium", "Délire")
    [finding] = glossary_findings(cli)
    assert finding["severity"] == "error" and finding["msgid"] == "Delirium"
    assert "forbidden translation 'délire' of 'delirium'" in finding["message"]
    assert finding["catalog"] == CATALOG and finding["line"] > 1
    cli("check", "--lang", "fr", code=1)
    set_translation(project, "Delirium", "Délirium")
    assert glossary_findings(cli) == []


@pytest.mark.parametrize("language", ["fr", "es", "de"])
def test_shipped_glossaries_cover_the_key_terms_consistently(language):
    terms = glossary(language).terms
    sources = {source for term in terms for source in term.sources}
    assert set(KEY_TERMS) <= sources
    for term in terms:
        assert term.allowed, term
        assert not set(map(str.lower, term.allowed)) & set(map(str.lower, term.forbidden))
    template = (REPO / "locales/templates/ketamine-addiction.pot").read_text()
    found = {t.source for t in glossary(language).terms_in(template)}
    assert {"delirium", "delusion", "dependence", "withdrawal", "overdose"} <= found


@pytest.mark.parametrize(
    "language, source, translation, expected",
    [
        ("fr", "Delirium", "DÉLIRE", "error"),  # case
        ("fr", "Delirium and delusions", "Le délirium et les idées délirantes", None),
        ("fr", "Delirium and delusions", "Le délirium et le délire", None),  # délire: delusions
        ("fr", "Delusions", "Des idées délirantes", None),  # plural, feminine
        ("fr", "Overdoses happen", "Des surdoses arrivent", None),
        ("fr", "withdrawal symptoms", "des symptômes de retrait", "error"),
        ("fr", "withdrawal symptoms", "des symptômes", "warning"),
        ("fr", "It depends on the form", "Cela dépend de la forme", None),  # not dependence
        ("es", "withdrawal symptoms", "síntomas de abstinencia", None),
        ("es", "Delusions", "Delirios", None),
        ("es", "overdoses", "las sobredosis", None),
        ("de", "ketamine withdrawal", "Ketaminentzug", None),  # compound
        ("de", "dependence", "Abhängigkeiten", None),
        ("de", "Delirium", "Wahnvorstellungen", "error"),
        ("de", "Delirium", "Delir", None),
        ("de", "esketamine", "Ketamin", "warning"),
    ],
)
def test_terms_are_found_through_inflections(language, source, translation, expected):
    problems = glossary(language).problems(source, translation)
    assert [severity for severity, _ in problems] == ([expected] if expected else [])


def test_tbx_round_trip_and_merge(cli, project, tmp_path):
    tbx = tmp_path / "fr.tbx"
    cli("glossary", "export", "--lang", "fr", "-o", str(tbx))
    shipped = read_terms(project / "locales/fr/glossary.toml")
    (project / "locales/fr/glossary.toml").unlink()
    cli("glossary", "import", str(tbx), "--lang", "fr")
    assert read_terms(project / "locales/fr/glossary.toml") == shipped
    data = json.loads(cli("glossary", "import", str(tbx), "--json").stdout)
    assert [i["terms"] for i in data["items"] if i["language"] == "fr"] == [0]


TBX3 = """<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
 <tbxHeader><fileDesc><sourceDesc><p>agency</p></sourceDesc></fileDesc></tbxHeader>
 <text><body>
  <conceptEntry id="c1">
   <langSec xml:lang="en"><termSec><term>craving</term></termSec></langSec>
   <langSec xml:lang="fr">
    <termSec><term>envie irrépressible</term>
     <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec>
    <termSec><term>craving</term>
     <termNote type="administrativeStatus">admittedTerm-admn-sts</termNote></termSec>
    <termSec><term>désir</term>
     <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></termSec>
   </langSec>
  </conceptEntry>
  <conceptEntry id="c2">
   <langSec xml:lang="en"><termSec><term>delirium</term></termSec></langSec>
   <langSec xml:lang="fr"><termSec><term>confusion aiguë</term></termSec></langSec>
  </conceptEntry>
 </body></text>
</tbx>
"""


def test_tbx3_import_adds_terms_and_keeps_the_teams(cli, project, tmp_path):
    tbx = tmp_path / "agency.tbx"
    tbx.write_text(TBX3)
    cli("glossary", "import", str(tbx), "--lang", "fr")
    terms = {t.source: t for t in read_terms(project / "locales/fr/glossary.toml")}
    craving = terms["craving"]
    assert craving.allowed == ("envie irrépressible", "craving") and craving.forbidden == ("désir",)
    delirium = terms["delirium"]  # the shipped term, extended: nothing of it is lost
    assert delirium.allowed[0] == "délirium" and delirium.allowed[-1] == "confusion aiguë"
    assert delirium.forbidden == ("délire",)
    assert "CIM-10" in delirium.note


def test_bad_glossary_inputs_are_one_line_errors(cli, project, tmp_path):
    tbx = tmp_path / "bad.tbx"
    tbx.write_text("<martif><text>")
    one_line_error(cli("glossary", "import", str(tbx), code=1), str(tbx), "not well-formed")
    (project / "locales/fr/glossary.toml").write_text('[[term]]\nallowed = ["x"]\n')
    one_line_error(cli("check", "--lang", "fr", code=1), "glossary.toml", "term 1 has no source")
    (project / "locales/de/glossary.toml").unlink()
    one_line_error(cli("glossary", "export", "--lang", "de", code=2), "no glossary for de")


def test_xliff_and_tmx_exports_carry_the_glossary(cli, project, tmp_path):
    path = tmp_path / "fr.xlf"
    cli("xliff", "export", "--lang", "fr", "-o", str(path))
    validate(path)  # the glossary module validated strictly, with the core
    ns = {"x": XLIFF2, "g": GLOSSARY}
    unit = etree.parse(str(path)).find(f".//x:unit[@id='{unit_id(None, 'Delirium')}']", ns)
    [entry] = unit.findall("g:glossary/g:glossEntry", ns)
    assert entry.find("g:term", ns).text == "delirium"
    assert entry.find("g:translation", ns).text == "délirium"
    assert "Not: délire" in entry.find("g:definition", ns).text
    cli("xliff", "export", "--lang", "fr", "--no-glossary", "-o", str(path))
    assert b"glossEntry" not in path.read_bytes()
    tbx = tmp_path / "fr.tbx"
    cli("tm", "export", "--lang", "fr", "-o", str(tmp_path / "fr.tmx"), "--glossary", str(tbx))
    assert b"deprecatedTerm-admn-sts" in tbx.read_bytes()


PUNCTUATION = st.text(st.sampled_from(" .,;:!?¿¡«»()-–\n"), max_size=8)  # never part of a word


@given(
    language=st.sampled_from(["fr", "es", "de"]),
    index=st.integers(0, 100),
    case=st.sampled_from([str.lower, str.upper, str.title, str.capitalize]),
    before=PUNCTUATION,
    after=PUNCTUATION,
)
def test_an_allowed_translation_in_any_case_is_never_a_finding(
    language, index, case, before, after
):
    terms = glossary(language).terms
    term = terms[index % len(terms)]
    for allowed in term.allowed:
        translation = before + case(allowed) + after
        assert glossary(language).problems(term.source, translation) == [], translation


@settings(max_examples=examples(100, 1000))
@given(
    st.sampled_from(["fr", "es", "de"]),
    st.lists(
        st.sampled_from(
            "ketamine withdrawal symptoms delirium delusions Delusion overdoses dependence "
            "esketamine tolerance the of and <1>a</1> ketamines Withdrawals dissociative "
            "anaesthetic anaesthetics Dissociative".split()
        ),
        max_size=12,
    ),
)
def test_terms_found_through_the_index_are_those_found_term_by_term(language, words):
    """`terms_in` looks a text's words up in an index of the terms' first words: it finds
    exactly the terms that comparing the text with every spelling of every term finds."""
    shipped = glossary(language)
    text = " ".join(words)
    stems = shipped.source.words(plain_text(text))
    expected = [t for t in shipped.terms if any(shipped.source.has(stems, s) for s in t.sources)]
    assert shipped.terms_in(text) == expected
