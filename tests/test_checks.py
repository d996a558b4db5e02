"""The quality gate: check reports each error class with file and line; publish never shows
such a translation (the segment falls back to the source) and still shows the right hotline."""

from __future__ import annotations

import json
import re

import polib
import pytest

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
        assert matching[0]["catalog"] == CATALOG and matching[0]["code"] == code
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
