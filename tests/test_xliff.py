"""XLIFF 2.1 and 1.2 exchange: schema-valid exports, byte-identical round trips, agency
translations through the checks, and Translate Toolkit's xliff2po as an outside reader."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from hypothesis import given
from lxml import etree

from conftest import msgfmt_check, one_line_error
from exchange_helpers import CATALOG, TOC, messages, validate
from pipeline.inline import build_nested, message_tokens, plain, read_nested, tokens_message
from pipeline.xliff import XLIFF2, XLIFF12, unit_id

NS = {"x": XLIFF2, "o": XLIFF12}


def catalogs(project: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted((project / "locales").rglob("*.po"))}


def export(cli, tmp_path, *options) -> Path:
    path = tmp_path / f"out-{len(list(tmp_path.iterdir()))}.xlf"
    cli("xliff", "export", "-o", str(path), *options)
    return path


@pytest.mark.parametrize("version", ["2.1", "1.2"])
@pytest.mark.parametrize("language", ["fr", "es", "de"])
def test_round_trip_is_byte_identical_and_schema_valid(cli, project, tmp_path, version, language):
    before = catalogs(project)
    path = export(cli, tmp_path, "--lang", language, "--version", version)
    validate(path)
    data = json.loads(cli("xliff", "import", str(path), "--json").stdout)
    assert data["refused"] == [] and data["updated"] == 0 and data["catalogs"] == []
    assert data["unchanged"] > 100
    assert catalogs(project) == before


def test_units_have_stable_ids_notes_codes_and_states(cli, project, tmp_path):
    catalog = polib.pofile(str(project / CATALOG))
    fuzzy = next(e for e in catalog if e.msgid == TOC)
    fuzzy.flags.append("fuzzy")
    catalog.find("Delirium").msgstr = ""
    catalog.save()
    root = etree.parse(str(export(cli, tmp_path, "--lang", "fr"))).getroot()
    units = {u.get("id"): u for u in root.iterfind(".//x:unit", NS)}
    toc = units[unit_id(None, TOC)]
    assert toc.find("x:segment", NS).get("state") == "translated"  # fuzzy: to review
    assert [pc.get("id") for pc in toc.iterfind(".//x:source/x:pc", NS)] == list("12345")
    data = {d.get("id"): d.text for d in toc.iterfind(".//x:data", NS)}
    assert data["s1"] == '<a href="#is-ketamine-addictive">' and data["e1"] == "</a>"
    assert "Table of contents" in toc.find("x:notes/x:note[@category='description']", NS).text
    untranslated = units[unit_id(None, "Delirium")].find("x:segment", NS)
    assert untranslated.get("state") == "initial" and untranslated.find("x:target", NS) is None
    phone = next(u for u in units.values() if "{hotline_phone}" in etree.tostring(u, encoding=str))
    ph = phone.find(".//x:source/x:ph[@id='hotline_phone']", NS)
    assert ph.get("equiv") == "{hotline_phone}" and ph.get("canDelete") == "no"
    title = units[unit_id("title", "Ketamine Addiction")]
    assert title.find("x:notes/x:note[@category='context']", NS).text == "title"
    again = etree.parse(str(export(cli, tmp_path, "--lang", "fr"))).getroot()
    assert [u.get("id") for u in again.iterfind(".//x:unit", NS)] == list(units)


def translatable_unit(project, msgid: str):
    """Clear one entry of the French catalog, as if the agency still had to translate it."""
    catalog = polib.pofile(str(project / CATALOG))
    catalog.find(msgid).msgstr = ""
    catalog.save()


def fill(path: Path, msgid: str, target_xml: str, state: str = "final") -> None:
    """Give the unit of `msgid` a target, as a CAT tool would write it."""
    tree = etree.parse(str(path))
    unit = tree.find(f".//x:unit[@id='{unit_id(None, msgid)}']", NS)
    segment = unit.find("x:segment", NS)
    segment.set("state", state)
    old = segment.find("x:target", NS)
    if old is not None:
        segment.remove(old)
    segment.append(etree.fromstring(f'<target xmlns="{XLIFF2}">{target_xml}</target>'))
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")


def pc(number: int, text: str) -> str:
    return f'<pc id="{number}" dataRefStart="s{number}" dataRefEnd="e{number}">{text}</pc>'


def research_msgid(project) -> str:
    """The French catalog's msgid with the tags <1> and <2> (a link and a footnote)."""
    catalog = polib.pofile(str(project / CATALOG))
    return next(e.msgid for e in catalog if e.msgid.startswith("Recently, ketamine"))


def test_agency_translations_land_and_broken_units_are_refused_by_id(cli, project, tmp_path):
    research = research_msgid(project)
    for msgid in (TOC, "Delirium", "Hallucinations and aggressive behavior", research):
        translatable_unit(project, msgid)
    path = export(cli, tmp_path, "--lang", "fr")
    # Reordered codes are fine; a dropped <pc> is not.
    reordered = " ".join(
        pc(n, t)
        for n, t in [
            (2, "Signes."),
            (1, "Addictive ?"),
            (3, "Très ?"),
            (4, "Signes."),
            (5, "Traitement"),
        ]
    )
    fill(path, TOC, reordered)
    fill(path, "Delirium", "Délirium", state="translated")
    fill(path, "Hallucinations and aggressive behavior", "Hallucinations " + pc(9, "x"))
    fill(path, research, "Selon des " + pc(1, "travaux") + " [1], la kétamine ...")
    result = cli("xliff", "import", str(path), "--json")
    data = json.loads(result.stdout)
    assert data["updated"] == 2
    refused = {r["unit"]: r for r in data["refused"]}
    assert set(refused) == {
        unit_id(None, "Hallucinations and aggressive behavior"),
        unit_id(None, research),
    }
    added = refused[unit_id(None, "Hallucinations and aggressive behavior")]
    assert added["reason"] == "tag <9> is not in the source" and added["line"] > 1
    assert refused[unit_id(None, research)]["reason"] == "tag <2> from the source is missing"
    assert "refused" in cli("xliff", "import", str(path)).stderr
    catalog = polib.pofile(str(project / CATALOG))
    toc = catalog.find(TOC)
    assert toc.msgstr.startswith("<2>Signes.</2> <1>Addictive ?</1>") and not toc.fuzzy
    delirium = catalog.find("Delirium")  # state "translated": lands, to be reviewed
    assert delirium.msgstr == "Délirium" and delirium.fuzzy
    assert catalog.find("Hallucinations and aggressive behavior").msgstr == ""
    assert catalog.find(research).msgstr == ""
    msgfmt_check(project / CATALOG)


@pytest.mark.parametrize(
    "target, reason",
    [
        ("Ligne d’écoute", "placeholder {hotline_phone} from the source is missing"),
        ('Ligne <ph id="hotline_phone"/> <ph id="other"/>', "unknown placeholder {other}"),
        ('Ligne <ph id="hotline_phone"/> &lt;script&gt;x', "markup not in the source: <script"),
        ('Ligne <ph id="hotline_phone"/><b xmlns="">x</b>', "markup not in the source: <b>"),
        ('Ligne <ph id="hotline_phone"/> javascript:alert(1)', "a script URL"),
        ('Ligne <ph id="hotline_phone"/> onerror=alert(1)', "an event handler"),
        ('Ligne <ph id="hotline_phone"/> au 01 45 39 40 00', "phone number"),
    ],
)
def test_hostile_or_broken_targets_are_refused(cli, project, tmp_path, target, reason):
    before = catalogs(project)
    hotline = "Hotline {hotline_phone}"
    path = export(cli, tmp_path, "--lang", "fr")
    tree = etree.parse(str(path))
    unit = tree.find(f".//x:unit[@id='{unit_id(None, hotline)}']", NS)
    segment = unit.find("x:segment", NS)
    segment.remove(segment.find("x:target", NS))
    segment.append(etree.fromstring(f'<target xmlns="{XLIFF2}">{target}</target>'))
    tree.write(str(path))
    data = json.loads(cli("xliff", "import", str(path), "--json").stdout)
    [refused] = data["refused"]
    assert refused["unit"] == unit_id(None, hotline) and reason in refused["reason"]
    assert catalogs(project) == before


def test_a_changed_translation_does_not_overwrite_the_catalogs(cli, project, tmp_path):
    before = catalogs(project)
    path = export(cli, tmp_path, "--lang", "fr")
    fill(path, "Delirium", "Délirium")  # the catalog has "Délire", translated and sound
    data = json.loads(cli("xliff", "import", str(path), "--json").stdout)
    assert [r["reason"] for r in data["refused"]] == ["the catalog has another translation (kept)"]
    assert catalogs(project) == before


def with_root(path: Path, **attributes) -> Path:
    tree = etree.parse(str(path))
    for name, value in attributes.items():
        tree.getroot().set(name, value)
    tree.write(str(path))
    return path


def file_level_faults(path: Path, tmp_path: Path) -> list[tuple[str, Path, str]]:
    """(what, file, word of the error) for each fault that refuses a whole file."""
    text = path.read_text()
    cases = []
    for name, edit, word in [
        ("wrong-language", lambda t: t.replace('trgLang="fr"', 'trgLang="it"'), "it"),
        ("other-source", lambda t: t.replace('srcLang="en-US"', 'srcLang="de"'), "de"),
        ("bad-tag", lambda t: t.replace('trgLang="fr"', 'trgLang="../x"'), "../x"),
        ("unknown-article", lambda t: t.replace('id="ketamine-addiction"', 'id="nope"'), "nope"),
        ("malformed", lambda t: t[: len(t) // 2], "not well-formed"),
        ("not-xliff", lambda t: "<html><body/></html>", "not an XLIFF"),
    ]:
        case = tmp_path / f"{name}.xlf"
        case.write_text(edit(text))
        cases.append((name, case, word))
    return cases


def test_file_level_faults_change_nothing_and_say_one_line(cli, project, tmp_path):
    translatable_unit(project, "Delirium")
    path = export(cli, tmp_path, "--lang", "fr")
    fill(path, "Delirium", "Délirium")  # a good unit: still nothing may land
    before = catalogs(project)
    for _, case, word in file_level_faults(path, tmp_path):
        one_line_error(cli("xliff", "import", str(case), code=1), str(case), word)
        assert catalogs(project) == before
    result = cli("xliff", "import", str(path), "--lang", "es", "--json", code=1)
    assert json.loads(result.stdout)["error"]["code"] == "catalog"
    assert catalogs(project) == before


def test_json_export_needs_an_output_file(cli):
    result = cli("xliff", "export", "--lang", "fr", "--json", code=2)
    assert json.loads(result.stdout)["error"]["code"] == "usage"
    assert cli("xliff", "export", "--lang", "fr").stdout.startswith("<?xml")


def xliff2po() -> str:
    return str(Path(sys.executable).with_name("xliff2po"))


def test_translate_toolkit_reads_the_1_2_file(cli, project, tmp_path):
    catalog = polib.pofile(str(project / CATALOG))
    catalog.find("Delirium").msgstr = ""
    catalog.find(TOC).flags.append("fuzzy")
    catalog.save()
    path = export(cli, tmp_path, "--lang", "fr", "--version", "1.2")
    out = tmp_path / "tt.po"
    subprocess.run([xliff2po(), str(path), str(out)], check=True, capture_output=True)
    read = [e for e in polib.pofile(str(out)) if e.msgid]
    ours = [e for e in polib.pofile(str(project / CATALOG)) if not e.obsolete]
    assert len(read) == len(ours)

    def text(entry, message):
        return plain(message_tokens(message, entry.msgid, "python-brace-format" in entry.flags))

    assert [e.msgid for e in read] == [text(e, e.msgid) for e in ours]
    assert [e.msgstr for e in read] == [text(e, e.msgstr) if e.msgstr else "" for e in ours]
    assert [e.fuzzy for e in read] == [e.fuzzy for e in ours]


# -- the inline codes, for any text ------------------------------------------------------------


@given(messages())
def test_any_message_survives_xliff_inline_codes(message):
    from pipeline.xliff import code_maker, q
    from pipeline.xliff_import import token_v2

    msgid, is_format = message
    tokens = message_tokens(msgid, msgid, is_format)
    root = etree.Element(q("source"), nsmap={None: XLIFF2})
    root.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    build_nested(root, tokens, code_maker(etree.Element(q("originalData")), {}))
    read_back = etree.fromstring(etree.tostring(root))
    assert tokens_message(read_nested(read_back, token_v2), is_format) == tokens_message(
        tokens, is_format
    )


def test_export_leaves_out_translations_with_check_errors(cli, project, tmp_path):
    catalog = polib.pofile(str(project / CATALOG))
    catalog.find("Delirium").msgstr = "Délirium javascript:alert(1)"
    catalog.save()
    path = tmp_path / "fr.xlf"
    data = json.loads(cli("xliff", "export", "--lang", "fr", "-o", str(path), "--json").stdout)
    [left_out] = data["left_out"]
    assert left_out == {
        "catalog": CATALOG,
        "unit": unit_id(None, "Delirium"),
        "reason": "translation left out: a script URL not in the source: 'javascript:'",
    }
    assert data["units"] == data["translations"] + 1 and data["terms"] > 0
    assert b"javascript" not in path.read_bytes()
    segment = etree.parse(str(path)).find(
        f".//x:unit[@id='{unit_id(None, 'Delirium')}']/x:segment", NS
    )
    assert segment.get("state") == "initial" and segment.find("x:target", NS) is None
    validate(path)
    before = catalogs(project)
    cli("xliff", "import", str(path))  # no target: the catalog keeps what it has
    assert catalogs(project) == before


def test_a_unit_split_into_segments_by_a_cat_tool_is_joined(cli, project, tmp_path):
    translatable_unit(project, "Hallucinations and aggressive behavior")
    path = export(cli, tmp_path, "--lang", "fr")
    tree = etree.parse(str(path))
    unit = tree.find(
        f".//x:unit[@id='{unit_id(None, 'Hallucinations and aggressive behavior')}']", NS
    )
    unit.remove(unit.find("x:segment", NS))
    for part in [
        f'<segment xmlns="{XLIFF2}" state="final"><source>Hallucinations</source>'
        '<target order="3">comportement agressif</target></segment>',
        f'<ignorable xmlns="{XLIFF2}"><source> and </source><target order="2"> et </target>'
        "</ignorable>",
        f'<segment xmlns="{XLIFF2}" state="reviewed"><source>aggressive behavior</source>'
        '<target order="1">Hallucinations</target></segment>',
    ]:
        unit.append(etree.fromstring(part))
    tree.write(str(path))
    data = json.loads(cli("xliff", "import", str(path), "--json").stdout)
    assert data["updated"] == 1 and data["refused"] == []
    entry = polib.pofile(str(project / CATALOG)).find("Hallucinations and aggressive behavior")
    assert entry.msgstr == "Hallucinations et comportement agressif" and not entry.fuzzy


def test_translations_written_by_translate_toolkit_land(cli, project, tmp_path):
    """Weblate edits XLIFF 1.2 through Translate Toolkit's storage: what it writes back
    (placeholders as plain text; approved unless marked fuzzy) must land."""
    from translate.storage import xliff as tt_xliff

    hotline = "Hotline {hotline_phone}"
    for msgid in ("Delirium", hotline):
        translatable_unit(project, msgid)
    path = export(cli, tmp_path, "--lang", "fr", "--version", "1.2")
    store = tt_xliff.xlifffile.parsefile(str(path))
    units = {unit.xmlelement.get("id"): unit for unit in store.units}
    units[unit_id(None, "Delirium")].target = "Délirium"
    units[unit_id(None, "Delirium")].markfuzzy(True)
    units[unit_id(None, hotline)].target = "Ligne d’écoute {hotline_phone}"
    store.save()
    validate(path)
    data = json.loads(cli("xliff", "import", str(path), "--json").stdout)
    assert data["updated"] == 2 and data["refused"] == []
    catalog = polib.pofile(str(project / CATALOG))
    assert catalog.find(hotline).msgstr == "Ligne d’écoute {hotline_phone}"
    assert not catalog.find(hotline).fuzzy and catalog.find("Delirium").fuzzy
    msgfmt_check(project / CATALOG)


def test_nothing_to_export_is_a_usage_error(cli, project):
    (project / "locales/it/LC_MESSAGES").mkdir(parents=True)
    result = cli("xliff", "export", "--lang", "it", code=2)
    assert result.stderr.startswith("error: ") and "it" in result.stderr
    path = project / CATALOG
    path.write_text(path.read_text().split("\n\n")[0] + "\n")  # the header alone
    one_line_error(cli("xliff", "export", "--lang", "fr", code=2), "nothing to export for fr")


def test_a_reviewed_unit_confirms_a_fuzzy_entry(cli, project, tmp_path):
    catalog = polib.pofile(str(project / CATALOG))
    entry = catalog.find("Delirium")
    entry.flags.append("fuzzy")
    entry.previous_msgid = "Delirium tremens"
    catalog.save()
    path = export(cli, tmp_path, "--lang", "fr")
    segment = f".//x:unit[@id='{unit_id(None, 'Delirium')}']/x:segment"
    assert etree.parse(str(path)).find(segment, NS).get("state") == "translated"
    cli("xliff", "import", str(path))  # unchanged: still fuzzy
    assert polib.pofile(str(project / CATALOG)).find("Delirium").fuzzy
    tree = etree.parse(str(path))
    tree.find(segment, NS).set("state", "reviewed")
    tree.write(str(path))
    data = json.loads(cli("xliff", "import", str(path), "--json").stdout)
    assert data["updated"] == 1
    confirmed = polib.pofile(str(project / CATALOG)).find("Delirium")
    assert not confirmed.fuzzy and confirmed.previous_msgid is None
    assert "#| " not in (project / CATALOG).read_text()
    msgfmt_check(project / CATALOG)
