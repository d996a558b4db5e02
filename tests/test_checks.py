"""The quality gate: check reports each error class with file and line; publish never shows
such a translation (the segment falls back to the source) and still shows the right hotline."""

from __future__ import annotations

import json
import re
import shutil
from html import escape

import polib
import pytest

from conftest import REPO, examples

CATALOG = "locales/es/LC_MESSAGES/ketamine-addiction.po"

BROKEN = {
    # msgid (start) -> (broken msgstr, error code)
    "Updated {date}": ("Actualizado el {fecha}", "placeholder"),
    "<1>Is Ketamine Addictive?</1>": (
        "<1>¿Es adictiva?</1> <2>Signos.</2> <3>¿Cuánto?</3> <4>Signos.</4>",
        "tags",
    ),
    "Is Ketamine Physically Addictive?": ("¿Adictiva?<script>alert(1)</script>", "markup"),
    "Ketamine Addiction Side Effects": ('Efectos <img src=x onerror="alert(1)">', "markup"),
    "What is Ketamine Psychosis?": ("¿Qué es? Visite javascript:alert(1)", "markup"),
    "How is Ketamine Used?": ("¿Cómo se consume? Llame al 1-800-662-4357", "phone"),
}


@pytest.fixture
def broken(project):
    path = project / CATALOG
    catalog = polib.pofile(str(path))
    lines = {}
    for entry in catalog:
        for start, (msgstr, _) in BROKEN.items():
            if entry.msgid.startswith(start) and entry.msgctxt != "title":
                entry.msgstr = msgstr
    catalog.save()
    for entry in polib.pofile(str(path)):
        for start in BROKEN:
            if entry.msgid.startswith(start) and entry.msgctxt != "title":
                lines[start] = entry.linenum
    return lines


def test_check_reports_every_error_class_with_file_and_line(cli, broken):
    result = cli("check", "--lang", "es", "--json", code=1)
    data = json.loads(result.stdout)
    errors = [f for f in data["findings"] if f["severity"] == "error"]
    for start, (_, code) in BROKEN.items():
        matching = [f for f in errors if f["msgid"].startswith(start[:40])]
        assert matching, start
        assert matching[0]["catalog"] == CATALOG and code in {f["code"] for f in matching}
        assert abs(matching[0]["line"] - broken[start]) <= 3
    text = cli("check", "--lang", "es", code=1).stdout
    assert re.search(rf"{CATALOG}:\d+: error \[phone\] phone number '1-800-662-4357'", text)


def test_published_page_never_shows_a_broken_translation(cli, project, broken):
    data = json.loads(cli("publish", "--region", "es-MX", "--json").stdout)
    page = (project / "output/es-MX/ketamine-addiction/index.html").read_text()
    for bad in ("<script>alert", "onerror", "javascript:", "1-800-662-4357", "{fecha}"):
        assert bad not in page
    assert 'href="tel:+528009112000"' in page and "378-4154" not in page
    assert '<span lang="en">Is Ketamine Physically Addictive?</span>' in page
    fallbacks = data["pages"][0]["fallbacks"]
    assert len(fallbacks) == len(BROKEN)
    manifest = json.loads((project / "output/manifest.json").read_text())
    assert len(manifest["pages"][0]["fallbacks"]) == len(BROKEN)


def test_broken_critical_segment_keeps_the_page_off(cli, project):
    import polib

    catalog = polib.pofile(str(project / CATALOG))
    emergency = next(e for e in catalog if "{emergency_phone}" in e.msgid)  # on every page
    emergency.msgstr = emergency.msgstr.replace("{emergency_phone}", "800 911 2000")
    catalog.save()
    data = json.loads(cli("publish", "--json").stdout)
    skipped = {s["region"]: s["reason"] for s in data["skipped"]}
    assert "critical segment" in skipped["es-MX"] and "critical segment" in skipped["es-US"]
    assert not (project / "output/es-MX").exists()


def test_header_refused_by_msgfmt_is_an_error(cli, project):
    path = project / CATALOG
    text = re.sub(
        r'"Plural-Forms: [^"]*"',
        r'"Plural-Forms: nplurals=2; plural=(n != 1;\\n"',
        path.read_text(),
    )
    path.write_text(text)
    result = cli("check", "--lang", "es", code=1)
    assert f"{CATALOG}:5: error [msgfmt] invalid plural expression" in result.stdout


def test_warnings_and_strict(cli, project):
    path = project / CATALOG
    catalog = polib.pofile(str(path))
    entry = catalog.find("Depression")
    entry.msgstr = "depresión depresión."
    catalog.save()
    findings = json.loads(cli("check", "--lang", "es", "--json").stdout)["findings"]
    codes = {f["code"] for f in findings if f["msgid"] == "Depression"}
    assert {"doubled-word", "punctuation", "capitalization"} <= codes
    cli("check", "--lang", "es", "--strict", code=1)


def test_a_placeholder_the_source_does_not_have_is_an_error_and_never_shown(cli, project):
    """`{hotline_fax}` in a plain entry (the og:description) used to pass check and be
    published literally; `{{ 7*7 }}` and `{hotline_phone.__class__}` likewise."""
    path = project / CATALOG
    catalog = polib.pofile(str(path))
    hostile = {
        "Is ketamine addictive? The signs": "Llame al {hotline_fax}.",
        "Depression": "{{ 7*7 }}",
        "Updated {date}": "Actualizado el {date} {date.__class__}",
    }
    for entry in catalog:
        for start, msgstr in hostile.items():
            if entry.msgid.startswith(start):
                entry.msgstr = msgstr
    catalog.save()
    findings = json.loads(cli("check", "--lang", "es", "--json", code=1).stdout)["findings"]
    for start in hostile:
        assert any(f["code"] == "placeholder" and f["msgid"].startswith(start) for f in findings), (
            start
        )
    cli("publish", "--region", "es-US", "--min-complete", "0")
    page = (project / "output/es-US/ketamine-addiction/index.html").read_text()
    for token in ("{hotline_fax}", "7*7", "__class__"):
        assert token not in page
    assert 'content="Is ketamine addictive? The signs of ketamine addiction' in page


# -- one verdict: check's errors are exactly the translations publish does not use ----------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

HOSTILE_PIECES = [
    "Ayuda ",
    "texto",
    " y ",
    "<1>",
    "</1>",
    "<2/>",
    "{hotline_phone}",
    "{hotline_hours}",
    "{hotline_fax}",
    "{hotline_phone.__class__}",
    "{{ 7*7 }}",
    "{}",
    "<script>",
    "<b>",
    "javascript:",
    " onclick=",
    '"',
    "&amp;",
    "%s",
    "\\",
]
FILE_DAMAGE = ("none", "duplicate", "header", "plural")
PLURAL_ENTRY = '\nmsgid "one item"\nmsgid_plural "{n} items"\nmsgstr[0] "un elemento"\n'


def hostile_translation():
    pieces = st.lists(st.sampled_from(HOSTILE_PIECES), min_size=1, max_size=5).map("".join)
    return st.one_of(pieces, st.just("Texto traducido."))


def fallbacks_of(cli, project) -> tuple[set[str], set[tuple[str, str]]]:
    """(msgid prefixes the es-US and es-MX pages show in the source, (region, reason) of
    those skipped), from a publish into a fresh output folder."""
    for state in ("output", ".output.standby", ".pipeline-cache"):
        shutil.rmtree(project / state, ignore_errors=True)
    regions = ("--region", "es-US", "--region", "es-MX")
    # Exit 3 when every page was skipped (a broken header refuses the whole catalog).
    result = cli("publish", "--min-complete", "0", *regions, "--json", code=None)
    assert result.exit_code in (0, 3), result.output
    data = json.loads(result.stdout)
    assert (result.exit_code == 3) == (data["pages"] == [])
    prefixes = {f["msgid"][:60] for page in data["pages"] for f in page["fallbacks"]}
    return prefixes, {(page["region"], page["reason"]) for page in data["skipped"]}


@pytest.fixture
def rendered(cli, project) -> list[str]:
    """The non-critical es entries the es-US and es-MX pages render, by a msgid prefix no
    other entry shares (each entry refused once, to see it fall back)."""
    path = project / CATALOG
    catalog = polib.pofile(str(path))
    prefixes = [entry.msgid[:60] for entry in catalog]
    for entry in catalog:
        if "pipeline: critical" not in entry.comment:
            entry.msgstr = "{refused}"
    catalog.save()
    seen, _ = fallbacks_of(cli, project)
    path.write_bytes((REPO / CATALOG).read_bytes())
    return sorted(p for p in seen if prefixes.count(p) == 1)


@settings(
    max_examples=examples(15, 30),  # each example runs check and a publish
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_check_errors_are_exactly_the_translations_publish_leaves_out(cli, project, rendered, data):
    """Hostile translations of rendered entries, and damage msgfmt finds in the file
    (a duplicate entry, a broken header, a plural entry short of forms): for every entry,
    `check` reports an error iff the pages fall back to the source for it."""
    path = project / CATALOG
    path.write_bytes((REPO / CATALOG).read_bytes())
    chosen = data.draw(st.lists(st.sampled_from(rendered), min_size=1, max_size=4, unique=True))
    catalog = polib.pofile(str(path))
    copies = []
    for entry in catalog:
        if entry.msgid[:60] in chosen:
            entry.msgstr = data.draw(hostile_translation())
            copies.append(entry)
    catalog.save()
    damage = data.draw(st.sampled_from(FILE_DAMAGE))
    text = path.read_text()
    if damage == "duplicate":
        twin = polib.POEntry(msgctxt=copies[0].msgctxt, msgid=copies[0].msgid, msgstr="Otra.")
        text += "\n" + str(twin)
    elif damage == "header":
        text = re.sub(r"plural=[^;]*;", "plural=(n != 1;", text, count=1)
    elif damage == "plural":
        text += PLURAL_ENTRY
    path.write_text(text)
    report = json.loads(cli("check", "--lang", "es", "--json", code=None).stdout)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    refused = {f["msgid"][:60] for f in errors}
    fallbacks, skipped = fallbacks_of(cli, project)
    if "" in refused:  # the catalog as a whole: no page may use any of it
        assert {r for r, _ in skipped} == {"es-US", "es-MX"} or set(rendered) <= fallbacks
        return
    assert not skipped
    for prefix in rendered:
        assert (prefix in refused) == (prefix in fallbacks), (prefix, errors)


# -- what check judges, and completeness ----------------------------------------------------

DE = "locales/de/LC_MESSAGES/ketamine-addiction.po"


def test_strict_check_judges_what_was_asked_and_passes_on_the_shipped_project(cli, partial_german):
    data = json.loads(cli("check", "--strict", "--json").stdout)
    assert data["errors"] == data["warnings"] == 0
    assert not any(f["code"] == "untranslated" for f in data["findings"])
    rows = {row["catalog"]: row for row in data["catalogs"]}
    untranslated = rows[DE]["untranslated"]
    assert untranslated == data["untranslated"] > 20
    share = rows[DE]["completeness"]
    text = cli("check", "--strict").stdout
    assert (
        f"{DE}: 0 errors, 0 warnings, {untranslated} untranslated, {share:.0%} translated" in text
    )
    assert "[untranslated]" not in text
    verbose = json.loads(cli("check", "--verbose", "--json").stdout)["findings"]
    assert sum(f["code"] == "untranslated" for f in verbose) == untranslated
    # A language asked brings in the hotlines of the regions that use it, and only those.
    findings = json.loads(cli("check", "--lang", "es", "--json", code=0).stdout)["findings"]
    ages = sorted(f["message"].split(":")[0] for f in findings if f["code"] == "hotline-age")
    assert ages == ["region es-MX", "region es-US"]
    cli("check", "--strict", "--lang", "es", code=1)
    cli("check", "--strict", "--lang", "fr", "--article", "ketamine-addiction", code=1)
    # Pseudo-locales count only when asked for.
    cli("pseudo")
    cli("check", "--strict")
    findings = json.loads(cli("check", "--lang", "en_XA", "--json").stdout)["findings"]
    assert any(f["message"].startswith("region en-XA") for f in findings)


def test_completeness_is_one_figure_in_status_check_publish_and_manifest(
    cli, project, partial_german
):
    """A German catalog in progress is as translated by every command's count; an entry with
    an error counts as untranslated everywhere (publish does not use it)."""
    path = project / DE
    shipped = None
    for round_ in ("shipped", "with an error"):
        if round_ == "with an error":
            catalog = polib.pofile(str(path))
            catalog.find("Updated {date}").msgstr = "Aktualisiert am {datum}"
            catalog.save()
        status = json.loads(cli("status", "--lang", "de", "--json").stdout)["catalogs"][0]
        check = json.loads(cli("check", "--lang", "de", "--json", code=None).stdout)
        published = json.loads(cli("publish", "--region", "de-DE", "--json").stdout)["pages"]
        manifest = json.loads((project / "output/manifest.json").read_text())["pages"]
        figures = {
            status["completeness"],
            check["catalogs"][0]["completeness"],
            next(p["completeness"] for p in published if p["region"] == "de-DE"),
            next(p["completeness"] for p in manifest if p["region"] == "de-DE"),
        }
        assert len(figures) == 1, (round_, figures)
        shipped = shipped or figures.pop()
    assert 0 < figures.pop() < shipped < 1


def test_tm_export_leaves_out_translations_with_errors_and_says_how_many(cli, project, broken):
    tmx = project / "es.tmx"
    catalog = polib.pofile(str(project / "locales/es/LC_MESSAGES/ketamine-addiction.po"))
    translated = sum(bool(e.msgstr) and not e.fuzzy and not e.obsolete for e in catalog)
    data = json.loads(cli("tm", "export", "--lang", "es", "-o", str(tmx), "--json").stdout)
    assert data == {"tmx": str(tmx), "units": translated - len(BROKEN), "left_out": len(BROKEN)}
    exported = tmx.read_text()
    for msgstr, _ in BROKEN.values():
        assert escape(msgstr, quote=False) not in exported
    # TMX level 2: the placeholder is an inline code the CAT tool protects
    assert '<seg>Línea de ayuda <ph type="x-placeholder">{hotline_phone}</ph></seg>' in exported
    result = cli("tm", "export", "--lang", "es", "-o", str(tmx))
    assert (
        result.stdout
        == f"wrote {tmx}: {translated - len(BROKEN)} segments, 6 left out (check errors)\n"
    )
    assert cli("tm", "export", "--lang", "es").stderr.endswith("6 left out (check errors)\n")


@given(
    st.lists(
        st.sampled_from(
            ["the", "The", "a", "ab", "abab", " ", "  ", "\n", "é", "1", "-", "ab ab", "a a"]
        ),
        max_size=10,
    ).map("".join)
)
def test_a_doubled_word_is_found_as_the_backtracking_pattern_finds_it(text):
    """The possessive word of DOUBLED_WORD finds what the plain pattern finds."""
    from pipeline.checks import DOUBLED_WORD

    plain = re.compile(r"\b(\w{2,})\s+\1\b", re.I | re.U)
    assert [m.span() for m in DOUBLED_WORD.finditer(text)] == [
        m.span() for m in plain.finditer(text)
    ]
