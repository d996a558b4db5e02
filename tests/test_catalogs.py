"""Catalogs: init, update (nothing lost), status, against real files and the real msgfmt."""

from __future__ import annotations

import json

import polib
import pytest
from babel.messages.pofile import read_po
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, msgfmt_check

SOURCE = "source/ketamine-addiction.html"
CATALOG = "locales/{}/LC_MESSAGES/ketamine-addiction.po"


def fresh(cli, project, language="xx_YY"):
    """An article with its template and an empty `language`-free locales folder."""
    for path in (project / "locales").iterdir():
        if path.is_dir() and path.name != "templates":
            import shutil

            shutil.rmtree(path)
    cli("extract")


def translate_all(path, prefix="T:"):
    catalog = polib.pofile(str(path))
    for entry in catalog:
        entry.msgstr = prefix + entry.msgid
    catalog.save()
    return catalog


def edit_source(project, old, new):
    path = project / SOURCE
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_init_writes_language_and_plural_forms(cli, project):
    fresh(cli, project)
    cli("init", "es-MX")
    path = project / CATALOG.format("es_MX")
    catalog = polib.pofile(str(path))
    assert catalog.metadata["Language"] == "es_MX"
    assert catalog.metadata["Plural-Forms"].startswith("nplurals=3;")
    msgfmt_check(path)
    with open(path, "rb") as stream:
        assert read_po(stream).locale.territory == "MX"


def test_init_refuses_unknown_or_malformed_locales_and_existing_catalogs(cli, project):
    fresh(cli, project)
    for bad in ("xx", "en-ZZ", "../etc", "es_MX/../../x"):
        result = cli("init", bad, code=2)
        assert result.stderr.startswith("error:") and result.stderr.count("\n") == 1
    cli("init", "fr")
    result = cli("init", "fr", code=1)
    assert "already exists" in result.stderr


def test_update_cycle_never_loses_a_translation(cli, project):
    fresh(cli, project)
    cli("init", "fr")
    path = project / CATALOG.format("fr")
    translations = {e.msgid: e.msgstr for e in translate_all(path)}

    paragraph = "Ketamine addiction symptoms are often easy for a user to recognize."
    edit_source(project, paragraph, paragraph.replace("often easy", "usually easy"))
    removed = "<li>Salivation</li>"
    edit_source(project, removed, "")
    for step in ("first", "second"):
        cli("extract")
        result = cli("update", "--json")
        report = json.loads(result.stdout)["items"][0]
        if step == "first":
            assert report["obsolete"] >= 1 and len(report["fuzzy"]) == 1
            assert report["fuzzy"][0]["score"] > 0.9
        msgfmt_check(path)
        assert_nothing_lost(path, translations)

    edit_source(project, "<li>Tear secretions</li>", "<li>Salivation</li><li>Tear secretions</li>")
    cli("extract")
    report = json.loads(cli("update", "--json").stdout)["items"][0]
    assert report["revived"] == 1
    catalog = polib.pofile(str(path))
    assert catalog.find("Salivation").msgstr == "T:Salivation"
    assert not catalog.find("Salivation").obsolete
    edited = next(e for e in catalog if "usually easy" in e.msgid)
    assert "fuzzy" in edited.flags and "often easy" in edited.previous_msgid
    assert_nothing_lost(path, translations)


def test_update_keeps_a_translators_save_made_while_it_merges(cli, project, monkeypatch):
    """The attack: a translator saves the es catalog while update is merging it. The save is
    kept byte for byte, the merge goes beside it (<slug>.po.update-conflict), the run says
    so and exits 1; the next update merges the saved file, and nothing is lost."""
    from pipeline import workflow

    paragraph = "Ketamine addiction symptoms are often easy for a user to recognize."
    edit_source(project, paragraph, paragraph.replace("often easy", "usually easy"))
    cli("extract")
    es = project / CATALOG.format("es")
    saved = es.read_text(encoding="utf-8").replace(
        'msgstr "Le llamamos"', 'msgstr "Le llamamos enseguida"'
    )
    merge = workflow.update_catalog

    def translator_saves_during_the_merge(catalog, template, path, *args):
        if path == CATALOG.format("es"):  # the catalog was read: the merge starts
            es.write_text(saved, encoding="utf-8")
        return merge(catalog, template, path, *args)

    monkeypatch.setattr(workflow, "update_catalog", translator_saves_during_the_merge)
    result = cli("update", "--json", code=1)
    assert es.read_text(encoding="utf-8") == saved
    aside = es.with_name(es.name + ".update-conflict")
    assert "usually easy" in aside.read_text(encoding="utf-8")
    assert 'msgstr "Le llamamos"' in aside.read_text(encoding="utf-8")  # merged the old read
    report = json.loads(result.stdout)
    (item,) = [i for i in report["items"] if i["catalog"] == CATALOG.format("es")]
    assert item["conflict"] == CATALOG.format("es") + ".update-conflict"
    assert not item["changed"]
    assert len(report["errors"]) == 1 and "changed while update ran" in report["errors"][0]
    others = [i for i in report["items"] if i["catalog"] != CATALOG.format("es")]
    assert others and all(i["conflict"] is None and i["changed"] for i in others)

    monkeypatch.setattr(workflow, "update_catalog", merge)
    cli("update")
    merged = polib.pofile(str(es))
    assert merged.find("We’ll Call You").msgstr == "Le llamamos enseguida"
    assert any("usually easy" in e.msgid for e in merged)
    msgfmt_check(es)


def test_update_writes_a_new_catalog_only_where_none_appeared(cli, project, monkeypatch):
    """A catalog created while update builds it for a new article is not written over."""
    from pipeline import workflow

    (project / "source/second.html").write_text(
        (project / SOURCE).read_text(encoding="utf-8").replace("<title>", "<title>Second ")
    )
    cli("extract")
    created = project / "locales/es/LC_MESSAGES/second.po"
    merge = workflow.update_catalog

    def translator_creates_it(catalog, template, path, *args):
        if path == "locales/es/LC_MESSAGES/second.po":
            created.write_text("# started by hand\n", encoding="utf-8")
        return merge(catalog, template, path, *args)

    monkeypatch.setattr(workflow, "update_catalog", translator_creates_it)
    result = cli("update", "--lang", "es", "--article", "second", code=1)
    assert created.read_text(encoding="utf-8") == "# started by hand\n"
    assert created.with_name("second.po.update-conflict").is_file()
    assert "changed while update ran" in result.stderr


def assert_nothing_lost(path, translations):
    """Every translation made is still in the catalog: live, fuzzy or obsolete."""
    present = {entry.msgstr for entry in polib.pofile(str(path))}
    lost = [msgid for msgid, msgstr in translations.items() if msgstr not in present]
    assert lost == []


def test_update_keeps_translator_comments_and_flags(cli, project):
    fresh(cli, project)
    cli("init", "de")
    path = project / CATALOG.format("de")
    catalog = polib.pofile(str(path))
    entry = catalog.find("Depression")
    entry.msgstr, entry.tcomment = "Depression", "checked by a clinician"
    catalog.save()
    cli("extract")
    cli("update")
    entry = polib.pofile(str(path)).find("Depression")
    assert entry.msgstr == "Depression" and entry.tcomment == "checked by a clinician"


def test_update_creates_catalogs_for_new_articles(cli, project):
    fresh(cli, project)
    cli("init", "fr")
    (project / "source/second.html").write_text("<p>Second article.</p>")
    cli("extract")
    cli("update")
    assert (project / CATALOG.replace("ketamine-addiction", "second").format("fr")).is_file()


def test_status_reports_counts_and_word_share(cli, project):
    fresh(cli, project)
    cli("init", "fr")
    path = project / CATALOG.format("fr")
    catalog = polib.pofile(str(path))
    catalog.find("Depression").msgstr = "Dépression"
    fuzzy = catalog.find("Paranoia")
    fuzzy.msgstr, fuzzy.flags = "Paranoïa", ["fuzzy"]
    catalog.save()
    data = json.loads(cli("status", "--json").stdout)["catalogs"]
    assert len(data) == 1
    row = data[0]
    assert (row["translated"], row["fuzzy"]) == (1, 1)
    assert row["untranslated"] == len(catalog) - 2
    assert 0 < row["completeness"] < 0.01
    assert "fr" in cli("status").stdout


def without_custom_flags(text: str) -> str:
    """gettext tools keep only the flags they know: our `critical` and `role-*` go."""
    lines = []
    for line in text.split("\n"):
        if line.startswith("#, "):
            flags = [
                f for f in line[3:].split(", ") if f != "critical" and not f.startswith("role-")
            ]
            if not flags:
                continue
            line = "#, " + ", ".join(flags)
        lines.append(line)
    return "\n".join(lines)


def test_catalog_layout_is_gettexts_own(cli, project):
    """msgcat rewrites nothing in our files, so Poedit/msgmerge round trips cause no churn
    (gettext tools drop the unknown `critical` flag; the source attribute keeps it)."""
    import subprocess

    cli("extract")
    cli("update")
    paths = sorted((project / "locales").rglob("*.po")) + [
        project / "locales/templates/ketamine-addiction.pot"
    ]
    for path in paths:
        ours = path.read_text()
        theirs = subprocess.run(
            ["msgcat", str(path)], capture_output=True, text=True, check=True
        ).stdout
        assert theirs == without_custom_flags(ours), path
        assert len(polib.pofile(str(path))) == len(polib.pofile(theirs))


def test_update_skips_catalogs_already_up_to_date(cli, project):
    cli("extract")
    cli("update")
    reports = json.loads(cli("update", "--json").stdout)["items"]
    assert reports and all(report["skipped"] for report in reports)
    path = project / CATALOG.format("fr")
    path.write_text(path.read_text().replace('msgstr "Paranoïa"', 'msgstr ""'))
    reports = {r["catalog"]: r for r in json.loads(cli("update", "--json").stdout)["items"]}
    assert reports[CATALOG.format("fr")]["skipped"] is False
    assert reports[CATALOG.format("es")]["skipped"] is True


def test_the_reader_reads_every_layout_alike(cli, project, tmp_path):
    """The layouts polib, msgcat and `msgcat --no-wrap` write, CR line ends and odd spacing
    are read to the same entries; an error has its line and a code."""
    import subprocess

    from pipeline.poreader import PoSyntaxError, read_entries

    cli("extract")
    cli("init", "de", "--force")
    path = project / CATALOG.format("de")
    catalog = polib.pofile(str(path))
    for number, entry in enumerate(catalog):
        entry.msgstr = f'Ü "{entry.msgid}"\\t\n' * (1 + number % 3)
        if number % 4 == 0:
            entry.flags.insert(0, "fuzzy")  # first, where msgcat and Poedit write it
            entry.previous_msgid = entry.msgid + " (before)"
    catalog.append(polib.POEntry(msgid="gone", msgstr="weg", obsolete=True))
    catalog.save()
    layouts = {
        "polib": path.read_text(),
        "msgcat": subprocess.run(["msgcat", str(path)], capture_output=True, text=True).stdout,
        "no-wrap": subprocess.run(
            ["msgcat", "--no-wrap", str(path)], capture_output=True, text=True
        ).stdout,
    }
    expected = read_entries(layouts["msgcat"])
    assert len(expected) == len(catalog) + 1 and "fuzzy" in expected[1].flags
    assert expected[-1].obsolete and expected[-1].msgstr == "weg"
    assert expected[1].previous_msgid.endswith(" (before)")
    text = layouts["msgcat"]
    others = [text.replace("\n", "\r\n"), text.replace('msgid "', 'msgid  "', 1)]
    for other in [*layouts.values(), *others]:
        assert read_entries(other) == expected
    broken = text.replace('msgstr "', 'msgstr "\\q', 1)
    line = text[: text.index('msgstr "')].count("\n") + 1
    with pytest.raises(PoSyntaxError, match=rf"^{line}: invalid control sequence") as error:
        read_entries(broken)
    assert error.value.code == "escape"


@given(st.text(alphabet='\\n\n a"', max_size=30))
def test_lines_are_cut_after_newlines_as_the_regex_cuts_them(text):
    import re

    from pipeline.pofile import after_newlines

    assert after_newlines(text) == re.split(r"(?<=\n)", text)


@settings(deadline=None)  # each example runs msgcat: its time is the machine's, not ours
@given(st.text(alphabet='\\n\n a"-', max_size=200))
def test_wrapped_strings_are_laid_out_as_msgcat_lays_them_out(tmp_path_factory, text):
    """Newlines, a backslash before an "n" (no newline: nothing to break after), quotes and
    long lines: msgcat leaves our layout of every msgid as it is."""
    import subprocess

    from pipeline.pofile import string_lines

    entry = "\n".join(string_lines("msgid", text or "x") + ['msgstr ""'])
    path = tmp_path_factory.mktemp("wrap") / "one.po"
    path.write_text(entry + "\n", encoding="utf-8")
    theirs = subprocess.run(["msgcat", str(path)], capture_output=True, text=True, check=True)
    assert theirs.stdout == entry + "\n"


MUTATIONS = ['"', "\\", "\n", " ", "#", "#, fuzzy", 'msgid "', 'msgstr "', 'msgctxt "', '\\"']
MUTATIONS += ["\\\\", "\\n", "\\q", "\t", "x", '""', "\r"]


def damaged_catalogs(seed: int, count: int, fewest_edits: int, ending: str = ""):
    """`count` runs of three entries of the bundled Spanish catalog, each with `fewest_edits`
    to 3 small edits (a quote, a backslash, a keyword, a line break put in, or a character
    cut or replaced), in an order fixed by `seed`."""
    import random

    blocks = (REPO / CATALOG.format("es")).read_text(encoding="utf-8").split("\n\n")
    rng = random.Random(seed)
    for _ in range(count):
        start = rng.randrange(len(blocks))
        damaged = "\n\n".join(blocks[start : start + 3]) + ending
        for _ in range(rng.randint(fewest_edits, 3)):
            at = rng.randrange(len(damaged) + 1)
            cut = rng.choice((0, 0, 1, 2))
            damaged = damaged[:at] + rng.choice(MUTATIONS) * (cut != 2) + damaged[at + cut :]
        yield damaged


def test_the_reader_reads_or_refuses_damaged_files_with_a_line_and_a_code():
    """Thousands of small edits to a real catalog (quotes, backslashes, keywords, line
    breaks): the reader gives entries or a PoSyntaxError naming a line of the file and one
    of its codes, never another exception; what it reads it writes back and reads again
    to the same entries."""
    from pipeline.pofile import format_catalog
    from pipeline.poreader import PoSyntaxError, read_po

    read = 0
    for damaged in damaged_catalogs(seed=7, count=3000, fewest_edits=1):
        try:
            catalog = read_po(damaged)
        except PoSyntaxError as error:
            assert 1 <= error.line <= damaged.count("\n") + 1, repr(damaged)
            assert error.code in {"string", "escape", "keyword", "duplicate", "incomplete"}
            continue
        read += 1
        written = format_catalog(catalog.header, catalog.metadata, catalog.entries)
        assert read_po(written).entries == catalog.entries, repr(damaged)
    assert read > 500  # enough damaged files were read to test the round trip


def test_the_plain_layout_reader_gives_what_the_line_reader_gives_or_steps_aside():
    """The same damaged files as above: the whole-entry reader of the plain layout either
    steps aside (None) or gives exactly the entries, lines included, that the line reader
    gives; it reads the undamaged blocks and a good share of the damaged ones itself."""
    from pipeline.poreader import PoSyntaxError, read_entries_by_line, read_plain_entries

    plain = 0
    for damaged in damaged_catalogs(seed=11, count=3000, fewest_edits=0, ending="\n"):
        fast = read_plain_entries(damaged)
        if fast is None:
            continue
        plain += 1
        try:
            expected = read_entries_by_line(damaged)
        except PoSyntaxError as error:
            raise AssertionError(
                f"read {damaged!r}, which the line reader refuses: {error}"
            ) from None
        assert fast == expected, repr(damaged)
        assert [e.line for e in fast] == [e.line for e in expected], repr(damaged)
    assert plain > 1500


PLAIN_TEXT = st.text(st.sampled_from('ab "\\\n\t\r\x0b\x0c\x1c\x85\u2028é#:,~|'), max_size=12)


@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), PLAIN_TEXT),
            PLAIN_TEXT.filter(bool),
            PLAIN_TEXT,
            PLAIN_TEXT,
            PLAIN_TEXT,
            st.lists(st.sampled_from(["fuzzy", "python-brace-format", "x"]), max_size=2),
        ),
        max_size=4,
        unique_by=lambda entry: (entry[0], entry[1]),
    )
)
def test_catalogs_as_written_are_read_whole_to_the_entries_the_line_reader_reads(drawn):
    """Any catalog this package writes (odd characters, escapes, comments, flags) is in the
    plain layout, and is read to the line reader's entries, lines included."""
    from pipeline.pofile import Entry, format_catalog
    from pipeline.poreader import read_entries_by_line, read_plain_entries

    entries = [
        Entry(
            msgid=msgid,
            msgstr=msgstr,
            msgctxt=ctxt,
            comment=note,
            tcomment=tnote,
            flags=tuple(flags),
            occurrences=(("source/a.html", "3"),),
        )
        for ctxt, msgid, msgstr, note, tnote, flags in drawn
    ]
    text = format_catalog("", {"Content-Type": "text/plain; charset=UTF-8"}, entries)
    expected = read_entries_by_line(text)
    fast = read_plain_entries(text)
    if fast is None:
        # Only a comment line ending in a blank is the line reader's alone (it strips it).
        comments = [line for line in text.split("\n") if line.startswith("#")]
        assert any(line != line.rstrip(" \t\r\x0b\x0c") for line in comments), text
        return
    assert fast == expected
    assert [e.line for e in fast] == [e.line for e in expected]


CACHED_CATALOG = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

#, critical
msgid "Call now"
msgstr "Llame ahora"

#, fuzzy
msgid "Maybe"
msgstr "Quizás"
"""


def test_a_catalog_read_again_comes_from_the_cache_by_its_bytes(tmp_path, page_cache):
    """The cache is keyed by the catalog's bytes: an edit is read anew, a broken catalog is
    reported with its line every time (never kept), and a damaged entry is read around."""
    from pipeline import pagecache
    from pipeline.catalogs import read_translations
    from pipeline.errors import CatalogError

    path = tmp_path / "es_MX" / "LC_MESSAGES" / "page.po"
    path.parent.mkdir(parents=True)
    path.write_text(CACHED_CATALOG)
    key = pagecache.key_of(path.read_bytes(), "catalog")
    read_translations(path)  # publish and update: they skip unchanged work on their own
    assert not (page_cache / key).exists()
    first = read_translations(path, use_cache=True)
    assert (page_cache / key).is_file()
    assert read_translations(path, use_cache=True) == first
    assert first.language == "es_MX"  # no Language header: the folder's
    assert first.entries == {(None, "Call now"): "Llame ahora"}
    assert first.critical == {(None, "Call now")} and first.lines[(None, "Maybe")] == 10
    # What the cache holds is what is used: a marked entry under this catalog's key.
    pagecache.store(key, ("fr", {(None, "Call now"): "marked"}, frozenset(), {}))
    assert read_translations(path, use_cache=True).entries == {(None, "Call now"): "marked"}
    assert read_translations(path, use_cache=True).language == "fr"
    (page_cache / key).write_bytes(b"damaged")
    assert read_translations(path, use_cache=True) == first
    path.write_text(CACHED_CATALOG.replace("Llame ahora", "Llame ya"))
    assert read_translations(path, use_cache=True).entries == {(None, "Call now"): "Llame ya"}
    path.write_text(CACHED_CATALOG.replace('msgstr "Quizás"', 'msgstr "Quizás'))
    for _ in range(2):
        with pytest.raises(CatalogError, match=r"page\.po:11: "):
            read_translations(path, use_cache=True)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 40)), max_size=40))
def test_catalogs_read_again_in_one_process_are_the_catalogs_on_disk(steps):
    """Catalogs kept in memory by their bytes (the last few read): any sequence of writes and
    reads, over more catalogs than are kept, reads what a fresh parse of the file gives, and a
    broken catalog names the file read, in copies of the same bytes too."""
    import tempfile
    from pathlib import Path

    from pipeline.catalogs import parse_translations, read_translations, translations_of
    from pipeline.errors import CatalogError

    with tempfile.TemporaryDirectory() as folder:
        paths = {name: Path(folder) / name / "LC_MESSAGES" / "page.po" for name in "ab"}
        for name, number in steps:
            path = paths[name]
            path.parent.mkdir(parents=True, exist_ok=True)
            if number == 40:  # broken: a string never closed
                path.write_text(CACHED_CATALOG.replace('msgstr "Quizás"', 'msgstr "Quizás'))
                with pytest.raises(CatalogError, match=rf"{name}/LC_MESSAGES/page\.po:11: "):
                    read_translations(path)
                continue
            path.write_text(CACHED_CATALOG.replace("Llame ahora", f"Llame {number % 20}"))
            fresh = translations_of(path, parse_translations(path, path.read_bytes()))
            assert read_translations(path) == fresh
            assert fresh.entries == {(None, "Call now"): f"Llame {number % 20}"}


def test_toml_read_again_is_a_table_of_its_own():
    """TOML texts kept by their text: the same table as tomllib's, a new one at each call."""
    import tomllib

    from pipeline.config import parse_toml

    text = (REPO / "locales/regions.toml").read_text()
    first = parse_toml(text)
    assert first == tomllib.loads(text)
    first.clear()
    assert parse_toml(text) == tomllib.loads(text)
    assert parse_toml(text) is not parse_toml(text)


def test_translation_memory_files_one_index_object_under_all_its_words(tmp_path):
    """Each entry's index is one int object, whatever the word pairs it is filed under: an
    integer made anew for every word cost 140 MB on 3 languages of 1,000 articles."""
    from pipeline.catalogs import TranslationMemory

    path = tmp_path / "es" / "LC_MESSAGES" / "many.po"
    path.parent.mkdir(parents=True)
    entries = "".join(
        f'msgid "Entry number{n} carries several words{n} alike"\nmsgstr "Traducción {n}"\n\n'
        for n in range(400)  # past the small ints Python shares anyway
    )
    path.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n' + entries)
    memory = TranslationMemory([("many", path)])
    memory.load()
    index, entries = memory.by_context[None]
    filed = [number for numbers in index.postings.values() for number in numbers]
    assert len(entries) == 400 and len(filed) >= 4 * 400
    assert len({id(index) for index in filed}) == len(set(filed)) == 400


def test_a_settled_catalog_is_found_by_its_stat_and_a_change_is_always_seen(
    tmp_path, page_cache, monkeypatch
):
    """A catalog unchanged for a while is looked up by inode, size and times, unread; any
    write changes its ctime, so new content is read even with size and mtime put back."""
    import os

    from pipeline import pagecache
    from pipeline.catalogs import read_translations

    path = tmp_path / "es" / "LC_MESSAGES" / "page.po"
    path.parent.mkdir(parents=True)
    path.write_text(CACHED_CATALOG)
    assert pagecache.stat_key(str(path), "catalog") is None  # just written: not settled
    by_bytes = ("fr", {(None, "Call now"): "by its bytes"}, frozenset(), {})
    pagecache.store(pagecache.key_of(path.read_bytes(), "catalog"), by_bytes)
    monkeypatch.setattr(pagecache, "SETTLED_SECONDS", 0.0)
    known_as = pagecache.stat_key(str(path), "catalog")
    # Settled since it was kept by its bytes: found by them, then kept under its stat too.
    assert read_translations(path, use_cache=True).entries == by_bytes[1]
    assert known_as and pagecache.load(known_as) == by_bytes
    pagecache.store(known_as, ("fr", {(None, "Call now"): "marked"}, frozenset(), {}))
    assert read_translations(path, use_cache=True).entries == {
        (None, "Call now"): "marked"
    }  # not read
    before = path.stat()
    path.write_text(CACHED_CATALOG.replace("Llame ahora", "Llame ya!!!"))  # the same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert read_translations(path, use_cache=True).entries == {(None, "Call now"): "Llame ya!!!"}


# -- what msgfmt accepts, the reader accepts (issue 25.8) ------------------------------------

HEADER = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
# Characters Python counts as line ends or spaces that gettext takes as text in a string.
ODD_BREAKS = "\u2028\u2029\x85\x0c\x0b\x1c\x1d\x1e\x1f\r\xa0\u3000"


def msgfmt_catalog(tmp_path, text: str, option: str = "-c") -> dict | None:
    """Every msgstr by its msgid as msgfmt compiles the text, or None when msgfmt refuses it."""
    import gettext
    import subprocess

    source, compiled = tmp_path / "probe.po", tmp_path / "probe.mo"
    source.write_bytes(text.encode("utf-8"))
    result = subprocess.run(
        ["msgfmt", option, "-o", str(compiled), str(source)], capture_output=True, text=True
    )
    if result.returncode != 0:
        return None
    with compiled.open("rb") as handle:
        return gettext.GNUTranslations(handle)._catalog


def msgfmt_reading(tmp_path, text: str, msgid: str = "a", option: str = "-c") -> str | None:
    """The msgstr of `msgid` as msgfmt compiles it, or None when msgfmt refuses the file."""
    compiled = msgfmt_catalog(tmp_path, text, option)
    return None if compiled is None else compiled.get(msgid)


def our_reading(path) -> tuple[str | None, str | None]:
    """(msgstr of msgid "a" by the reader used for publishing, the same by read_catalog)."""
    from pipeline.catalogs import read_catalog, read_translations
    from pipeline.errors import CatalogError

    try:
        fast = read_translations(path).entries.get((None, "a"))
    except CatalogError:
        fast = None
    try:
        found = read_catalog(path).find("a")
        full = found.msgstr if found else None
    except CatalogError:
        full = None
    return fast, full


def odd_character_catalog(path) -> dict[str, str]:
    """Writes one odd character into as many plain msgstrs of the catalog (before their first
    space: "Le\u2028 llamamos"), and gives the msgstr now expected of each msgid."""
    catalog = polib.pofile(str(path))
    text = path.read_text(encoding="utf-8")
    plain = [
        entry
        for entry in catalog
        if not (entry.msgctxt or entry.msgid_plural or "critical" in entry.flags)
        and " " in entry.msgstr
        and text.count(f'msgstr "{entry.msgstr}"\n') == 1
    ]
    # "We’ll Call You" first: the attack's own entry keeps the attack's character.
    plain.sort(key=lambda entry: entry.msgid != "We’ll Call You")
    assert len(plain) >= len(ODD_BREAKS)
    expected = {}
    for char, entry in zip(ODD_BREAKS, plain, strict=False):
        odd = entry.msgstr.replace(" ", f"{char} ", 1)
        text = text.replace(f'msgstr "{entry.msgstr}"\n', f'msgstr "{odd}"\n')
        expected[entry.msgid] = odd
    path.write_text(text, encoding="utf-8")
    return expected


def test_a_catalog_msgfmt_accepts_is_read_with_its_odd_characters(tmp_path, cli, project):
    """The attack's catalog: one U+2028, NEL, form feed or vertical tab in a msgstr, which
    msgfmt -c and polib accept, made status, update, publish and tm export fail. Every odd
    character at once, each in its own msgstr, so that each command runs once for them all."""
    from pipeline.catalogs import read_translations

    path = project / CATALOG.format("es")
    expected = odd_character_catalog(path)
    assert expected["We’ll Call You"] == f"Le{ODD_BREAKS[0]} llamamos"
    msgfmt_check(path)
    for command in (("status",), ("update",), ("publish",), ("tm", "export", "--lang", "es")):
        result = cli(*command, code=None)
        assert result.exit_code == 0, (command, result.output, result.stderr)
    entries = read_translations(path).entries
    compiled = msgfmt_catalog(tmp_path, path.read_text(encoding="utf-8"))
    for msgid, msgstr in expected.items():
        assert entries[(None, msgid)] == msgstr, msgid
        assert compiled[msgid] == msgstr, msgid


@settings(max_examples=300, deadline=None)  # each example runs msgfmt
@given(
    st.text(
        alphabet=st.sampled_from(list(ODD_BREAKS) + list('cb "\\\tnrfv\x01\x07\x7fé')),
        max_size=12,
    )
)
def test_the_reader_accepts_a_msgstr_iff_msgfmt_does_with_the_same_text(tmp_path_factory, body):
    """Any string between the quotes of a msgstr, raw (quotes and backslashes unescaped): the
    reader accepts the catalog exactly when `msgfmt -c` does, and reads msgfmt's text. The
    string is set between two letters, as -c refuses a msgstr that alone ends in "\\n".
    One difference, on purpose: msgfmt joins two strings on one line (`"x" "x"`), which polib
    misreads; the reader refuses that line. Not drawn: "\\a", which polib keeps as two
    characters; octal and hex escapes."""
    import re

    tmp_path = tmp_path_factory.mktemp("probe")
    text = HEADER + f'msgid "a"\nmsgstr "x{body}x"\n'
    expected = msgfmt_reading(tmp_path, text)
    if not re.fullmatch(r'"(?:[^"\\]|\\.)*"', f'"x{body}x"'):
        expected = None  # two strings on the line, or none: refused
    assert our_reading(tmp_path / "probe.po") == (expected, expected)


def test_odd_characters_are_written_as_msgcat_writes_them(tmp_path):
    """Form feed, vertical tab, bell and backspace are written as gettext's escapes, the
    others raw: msgcat changes nothing, and the catalog reads back the same text."""
    import subprocess

    import polib

    from pipeline.catalogs import read_translations
    from pipeline.pofile import format_catalog

    text = "a" + "".join(f"{char}b" for char in ODD_BREAKS + "\a\b")
    metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    path = tmp_path / "odd.po"
    path.write_bytes(format_catalog("", metadata, [polib.POEntry(msgid="a", msgstr=text)]).encode())
    msgcat = subprocess.run(["msgcat", str(path)], capture_output=True, check=True)
    assert msgcat.stdout == path.read_bytes()
    assert read_translations(path).entries == {(None, "a"): text}


# -- the fuzzy matcher (issue 25.7) -----------------------------------------------------------


def brute_force_best(query: str, texts: list[str], threshold: float):
    """(index, score) of the first most similar text at or above the threshold, comparing
    with every text (what update did before the index)."""
    from pipeline.fuzzy import similarity

    best = None
    for index, text in enumerate(texts):
        score = similarity(query, text)
        if score >= threshold and (best is None or score > best[1]):
            best = (index, score)
    return best


@settings(max_examples=300, deadline=None)  # a loaded machine is no failure
@given(
    st.lists(st.text(alphabet="ab c.", max_size=14), max_size=48),
    st.text(alphabet="ab c.", max_size=14),
    st.floats(min_value=0.05, max_value=1.0),
)
def test_the_index_finds_what_comparing_with_every_text_finds_in_small_memories(
    texts, query, threshold
):
    """Up to CANDIDATES texts (per msgctxt), every text is compared: the index finds the
    brute force's match (the first of equals) exactly, or nothing when it finds nothing."""
    from pipeline.fuzzy import CANDIDATES, FuzzyIndex

    assert len(texts) <= CANDIDATES
    assert FuzzyIndex(texts).best(query, threshold) == brute_force_best(query, texts, threshold)


def test_the_index_finds_the_best_match_of_edited_texts_in_a_big_memory():
    """2,000 texts shaped like articles' sentences and paragraphs; 300 queries made from them
    by an editor's changes (a word replaced, added or removed, a sentence added or
    rewritten, two texts joined): the index finds a text scoring what the best found by
    comparing with every text scores, whenever that one is above the threshold."""
    import random

    from pipeline.fuzzy import FuzzyIndex

    rng = random.Random(25)
    words = [f"w{n}" for n in range(300)] + "the of and to a in is you for".split() * 20

    def sentence(low=6, high=20):
        return " ".join(rng.choice(words) for _ in range(rng.randint(low, high))) + "."

    texts = [" ".join(sentence() for _ in range(rng.randint(1, 5))) for _ in range(2000)] + [
        sentence(2, 5) for _ in range(200)
    ]
    index = FuzzyIndex(texts)
    found = 0
    for number in range(300):
        source = texts[rng.randrange(len(texts))].split()
        at = rng.randrange(len(source))
        edit = number % 6
        if edit == 0:
            source[at] = rng.choice(words)
        elif edit == 1:
            source.insert(at, rng.choice(words))
        elif edit == 2 and len(source) > 1:
            del source[at]
        elif edit == 3:
            source.append(sentence())
        elif edit == 4:
            source[: len(source) // 2] = sentence().split()
        else:
            source += texts[rng.randrange(len(texts))].split()
        query = " ".join(source)
        expected = brute_force_best(query, texts, 0.7)
        match = index.best(query, 0.7)
        assert (match and match[1]) == (expected and expected[1]), query
        found += expected is not None
    assert found > 200
