"""Smarter update, translation memory, TMX exchange and regional overrides."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import polib
import pytest

from conftest import msgfmt_check

ARTICLE = """<!DOCTYPE html><html lang="en-US"><head><title>Guide</title></head><body><article>
<h2>Treatment options</h2>
<img src="a.png" alt="Treatment options">
<p>This medication is safe for most adults when taken as prescribed.</p>
<p>Effects usually last for 24 hours after the last dose was taken.</p>
<p>Complete Behavioral Health Inpatient Rehab, Detox plus Co-occuring Disorders Therapy.</p>
<p>Call your doctor if symptoms return.</p>
</article></body></html>
"""
TRANSLATIONS = {
    (None, "Guide"): "Guía",
    ("heading", "Treatment options"): "Opciones de tratamiento",
    ("alt", "Treatment options"): "Opciones de tratamiento (imagen)",
    (
        None,
        "This medication is safe for most adults when taken as prescribed.",
    ): "Este medicamento es seguro para la mayoría de los adultos si se toma según lo indicado.",
    (
        None,
        "Effects usually last for 24 hours after the last dose was taken.",
    ): "Los efectos suelen durar 24 horas después de la última dosis.",
    (
        None,
        "Complete Behavioral Health Inpatient Rehab, Detox plus Co-occuring Disorders Therapy.",
    ): "Rehabilitación integral con internamiento y terapia de trastornos.",
    (None, "Call your doctor if symptoms return."): "Llame a su médico si los síntomas vuelven.",
}


@pytest.fixture
def guide(cli, project):
    """A small article with an es catalog fully translated."""
    (project / "source/guide.html").write_text(ARTICLE)
    cli("extract", "guide")
    cli("update", "--lang", "es", "--article", "guide")
    path = project / "locales/es/LC_MESSAGES/guide.po"
    catalog = polib.pofile(str(path))
    for entry in catalog:
        entry.msgstr = TRANSLATIONS[(entry.msgctxt, entry.msgid)]
    catalog.save()
    return path


def edit(project, old, new):
    path = project / "source/guide.html"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def update(cli, *options):
    cli("extract", "guide")
    result = cli("update", "--lang", "es", "--article", "guide", "--json", *options)
    return json.loads(result.stdout)["items"][0]


def entry(path, msgid, context=None):
    return polib.pofile(str(path)).find(msgid, msgctxt=context)


def test_context_collision_lands_each_translation_on_its_own_entry(cli, project, guide):
    edit(project, "<h2>Treatment options</h2>", "<h2>Treatment options today</h2>")
    update(cli)
    heading = entry(guide, "Treatment options today")
    assert heading.msgstr == "Opciones de tratamiento" and "fuzzy" in heading.flags
    # The alt text lost its msgctxt (it plays one role now) and keeps its own translation.
    alt = entry(guide, "Treatment options")
    assert alt.msgctxt is None and alt.msgstr == "Opciones de tratamiento (imagen)"
    assert "fuzzy" not in alt.flags


def test_negation_edit_is_always_fuzzy_and_flagged(cli, project, guide):
    edit(project, "is safe for", "is not safe for")
    report = update(cli, "--keep-trivial")
    new = "This medication is not safe for most adults when taken as prescribed."
    assert "fuzzy" in entry(guide, new).flags
    assert report["fuzzy"][0]["meaning_changed"] is True and report["kept_trivial"] == []


def test_number_edit_is_always_fuzzy(cli, project, guide):
    edit(project, "24 hours", "48 hours")
    report = update(cli, "--keep-trivial")
    assert report["fuzzy"][0]["meaning_changed"] is True
    assert (
        "fuzzy"
        in entry(guide, "Effects usually last for 48 hours after the last dose was taken.").flags
    )


def test_keep_trivial_keeps_a_typo_fix_translated(cli, project, guide):
    edit(project, "Co-occuring", "Co-occurring")
    report = update(cli, "--keep-trivial")
    fixed = entry(
        guide,
        "Complete Behavioral Health Inpatient Rehab, Detox plus Co-occurring Disorders Therapy.",
    )
    assert fixed.msgstr.startswith("Rehabilitación") and "fuzzy" not in fixed.flags
    assert len(report["kept_trivial"]) == 1
    msgfmt_check(guide)


def test_without_keep_trivial_a_typo_fix_is_fuzzy(cli, project, guide):
    edit(project, "Co-occuring", "Co-occurring")
    report = update(cli)
    assert len(report["fuzzy"]) == 1 and report["kept_trivial"] == []


def test_translation_memory_prefills_a_second_article(cli, project, guide):
    second = ARTICLE.replace("Guide", "Second").replace(
        "Call your doctor if symptoms return.", "Call your doctor if the symptoms return."
    )
    (project / "source/second.html").write_text(second)
    cli("extract", "second")
    result = json.loads(cli("update", "--lang", "es", "--article", "second", "--json").stdout)
    report = result["items"][0]
    catalog = polib.pofile(str(project / "locales/es/LC_MESSAGES/second.po"))
    exact = catalog.find("This medication is safe for most adults when taken as prescribed.")
    assert exact.msgstr.startswith("Este medicamento") and "fuzzy" not in exact.flags
    near = catalog.find("Call your doctor if the symptoms return.")
    assert near.msgstr == "Llame a su médico si los síntomas vuelven." and "fuzzy" in near.flags
    assert near.previous_msgid == "Call your doctor if symptoms return."
    assert "translation memory: article guide" in near.tcomment
    assert len(report["from_memory"]) >= 5


def test_tmx_export_validates_and_import_restores(cli, project, guide, tmp_path):
    tmx = tmp_path / "es.tmx"
    cli("tm", "export", "--lang", "es", "-o", str(tmx))
    root = ET.parse(tmx).getroot()  # well-formed XML
    assert root.tag == "tmx" and root.get("version") == "1.4"
    assert root.find("header").get("srclang") == "en-US"
    assert len(root.findall("body/tu")) >= len(TRANSLATIONS)
    catalog = polib.pofile(str(guide))
    for item in catalog:
        item.msgstr = ""
    catalog.save()
    data = json.loads(cli("tm", "import", str(tmx), "--json").stdout)
    assert data["filled"] >= len(TRANSLATIONS)
    restored = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(guide))}
    for key, msgstr in TRANSLATIONS.items():
        assert restored[key] == msgstr
    msgfmt_check(guide)


DOCTOR = "Call your doctor if symptoms return."


def cleared_and_offered(guide, tmx, offers: str):
    """The guide's DOCTOR entry untranslated, and a TMX unit offering `offers` (<tuv>s) for it."""
    catalog = polib.pofile(str(guide))
    catalog.find(DOCTOR).msgstr = ""
    catalog.save()
    tmx.write_text(f"""<?xml version="1.0"?><tmx version="1.4"><header srclang="en"/><body>
<tu><tuv xml:lang="en"><seg>{DOCTOR}</seg></tuv>
{offers}</tu></body></tmx>""")


def test_tmx_import_refuses_broken_translations_and_bad_files(cli, project, guide, tmp_path):
    tmx = tmp_path / "bad.tmx"
    cleared_and_offered(guide, tmx, '<tuv xml:lang="es"><seg>Llame <script>x</script></seg></tuv>')
    result = cli("tm", "import", str(tmx))
    assert "skipped" in result.stderr and "filled 0 entries" in result.stdout
    tmx.write_text("<tmx><body><tu>")
    assert cli("tm", "import", str(tmx), code=1).stderr.startswith("error: ")


def test_regional_override_is_reported_separately(cli, project):
    cli("extract")
    path = project / "locales/es_MX/LC_MESSAGES/ketamine-addiction.po"
    path.unlink()  # the bundled one overrides a dose's number format (0.5)
    cli("init", "es-MX")
    catalog = polib.pofile(str(path))
    catalog.find("Depression").msgstr = "Depresión (MX)"
    catalog.save()
    rows = json.loads(cli("status", "--json").stdout)["catalogs"]
    override = next(r for r in rows if r["language"] == "es_MX")
    assert override["override_of"] == "es" and override["translated"] == 1
    assert "overrides 1 entries of es" in cli("status").stdout
    cli("publish", "--region", "es-MX")
    page = (project / "output/es-MX/ketamine-addiction/index.html").read_text()
    assert "<li>Depresión (MX)</li>" in page and "Adicción a la ketamina" in page
    es_us = project / "output/es-US/ketamine-addiction/index.html"
    cli("publish", "--region", "es-US")
    assert "Depresión (MX)" not in es_us.read_text()


def test_tmx_with_an_unknown_language_imports_the_rest(cli, project, guide, tmp_path):
    tmx = tmp_path / "mixed.tmx"
    cleared_and_offered(
        guide,
        tmx,
        '<tuv xml:lang="x-klingon"><seg>tlhIngan</seg></tuv>\n'
        '<tuv xml:lang="es"><seg>Llame a su médico.</seg></tuv>',
    )
    data = json.loads(cli("tm", "import", str(tmx), "--json").stdout)
    assert data["filled"] == 1 and "x-klingon" in data["skipped"][0]["msgid"]
    assert entry(guide, DOCTOR).msgstr == "Llame a su médico."


def test_translation_memory_offers_short_texts_and_texts_of_short_words(cli, project, guide):
    """Every text is scored, not only those sharing half of their words of five letters or
    more: "Call us now." finds "Call us." (no such word in either), which the memory never
    offered."""
    catalog = polib.pofile(str(project / "locales/es/LC_MESSAGES/guide.po"))
    catalog.append(polib.POEntry(msgid="Call us.", msgstr="Llámenos."))
    catalog.save()
    (project / "source/third.html").write_text(
        ARTICLE.replace("Guide", "Third").replace(
            "Call your doctor if symptoms return.", "Call us now."
        )
    )
    cli("extract", "third")
    result = json.loads(cli("update", "--lang", "es", "--article", "third", "--json").stdout)
    near = polib.pofile(str(project / "locales/es/LC_MESSAGES/third.po")).find("Call us now.")
    assert near.msgstr == "Llámenos." and "fuzzy" in near.flags
    assert near.previous_msgid == "Call us."
    offered = {item["msgid"]: item for item in result["items"][0]["from_memory"]}
    assert offered["Call us now."]["article"] == "guide"


def set_setting(project, line: str) -> None:
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.replace("[tool.pipeline]\n", f"[tool.pipeline]\n{line}\n"))


@pytest.mark.parametrize(
    ("setting", "options", "fuzzy"),
    [
        (None, (), 1),  # the bundled project's fuzzy_threshold (0.7) keeps it
        ("fuzzy_threshold = 0.99", (), 0),  # the setting is the default of --threshold
        ("fuzzy_threshold = 0.99", ("--threshold", "0.5"), 1),  # the flag wins
    ],
)
def test_threshold_flag_over_setting_over_default(cli, project, guide, setting, options, fuzzy):
    if setting:
        text = (project / "pyproject.toml").read_text(encoding="utf-8")
        (project / "pyproject.toml").write_text(text.replace("fuzzy_threshold = 0.7", setting))
    edit(project, "if symptoms return", "if your symptoms return")
    report = update(cli, *options)
    assert len(report["fuzzy"]) == fuzzy


@pytest.mark.parametrize(
    ("setting", "options", "kept"),
    [
        (None, (), 0),  # keep_trivial's own default: off
        ("keep_trivial = true", (), 1),  # the setting is the default of --keep-trivial
        ("keep_trivial = true", ("--no-keep-trivial",), 0),  # the flag wins
    ],
)
def test_keep_trivial_flag_over_setting_over_default(cli, project, guide, setting, options, kept):
    if setting:
        set_setting(project, setting)
    edit(project, "Co-occuring", "Co-occurring")
    report = update(cli, *options)
    assert len(report["kept_trivial"]) == kept
