"""Any HTML file: byte-faithful merge, encodings, and the failure classes peers stumble on."""

from __future__ import annotations

import codecs
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import polib
import pytest
import webencodings
from hypothesis import given
from hypothesis import strategies as st

from conftest import msgfmt_check, run_pipeline
from pipeline import htmlfile, pagecache
from pipeline.errors import SourceError
from pipeline.htmlfile import decode, merge_page, read_page
from pipeline.model import RegionSlot, Segment


def identity_round_trip(tmp_path, data: bytes, name="page.html", unsettled=False) -> bytes:
    """file extract -> identity .po (msgstr = msgid) -> file merge, through the CLI.
    `unsettled`: the page dated an hour ahead, so the commands take it for a file that may
    still change and key it by its bytes alone, however long a busy machine takes to run them
    (a page older than SETTLED_SECONDS is kept under its stat instead)."""
    page = tmp_path / name
    page.write_bytes(data)
    if unsettled:
        ahead = time.time() + 3600
        os.utime(page, (ahead, ahead))
    pot, po, out = tmp_path / "page.pot", tmp_path / "page.po", tmp_path / "out.html"
    run("file", "extract", str(page), "-o", str(pot))
    catalog = polib.pofile(str(pot))
    for entry in catalog:
        entry.msgstr = entry.msgid
    catalog.save(str(po))
    msgfmt_check(po)
    run("file", "merge", str(page), str(po), "-o", str(out))
    return out.read_bytes()


def run(*args, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    result = run_pipeline(*args, stdin=stdin)
    assert result.returncode == 0, result.stderr.decode()
    return result


FAILURE_CLASSES = {
    # A charset named inside a script must not decide the encoding.
    "charset-in-script": b"<html><head><script>var s = \"<meta charset='koi8-r'>\";</script>"
    b'<meta charset="utf-8"></head><body><p>Caf\xc3\xa9 cr\xc3\xa8me</p>'
    b"</body></html>",
    "stray-end-input": b"<form><label>Name <input name=n></input></label></form><p>After</p>",
    "script-before-head-end": b"<html><head><title>T</title><script>x()</script><p>Body text"
    b"</p></html>",
    "lowercase-doctype": b"<!doctype html>\n<html lang=en><p>Hello</p>",
    "quot-in-attributes": b'<div data-config="{&quot;a&quot;: 1}" onclick="f(&quot;x&quot;)">'
    b"<p title='It&#39;s'>Text&nbsp;here &amp; there</p></div>",
    "translate-no": b'<p translate="no">ACME Corp</p><p>Real text</p>',
    "windows-1252": b'<html><head><meta http-equiv="Content-Type" content="text/html; '
    b'charset=windows-1252"></head><body><p>Caf\xe9 \x93quoted\x94</p></body>',
    "bom": b"\xef\xbb\xbf<p>With a BOM</p>",
    "fragment": b"Loose text <b>bold</b>\n<p>Para</p>",
    "unclosed-comment": b"<p>Before</p><!-- never closed <p>hidden</p>",
}


@pytest.mark.parametrize("name", sorted(FAILURE_CLASSES))
def test_identity_is_byte_identical_for_each_failure_class(tmp_path, name):
    data = FAILURE_CLASSES[name]
    assert identity_round_trip(tmp_path, data) == data
    page = read_page(data, name, name)
    assert [s for s in page.segments if s.translatable], "silent empty template"


def test_charset_in_script_is_ignored_and_windows_1252_is_honoured():
    assert decode(FAILURE_CLASSES["charset-in-script"], "x")[1] == "utf-8"
    text, encoding, _ = decode(FAILURE_CLASSES["windows-1252"], "x")
    assert encoding == "cp1252" and "Café “quoted”" in text


def test_declared_charset_that_does_not_fit_falls_back_to_detection():
    data = '<meta charset="gb2312"><p>Crème brûlée — 新电脑</p>'.encode()
    assert decode(data, "x")[1] == "utf-8"


def test_binary_file_is_refused():
    with pytest.raises(SourceError, match="binary data"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.png")


def test_translation_is_written_in_the_page_encoding(tmp_path):
    page = read_page(FAILURE_CLASSES["windows-1252"], "p", "p")
    merged, _ = merge_page(page, lambda s: "Ça coûte 5 € — 新" if "Caf" in s.msgid else None)
    assert merged.decode("cp1252").count("Ça coûte 5 € — &#26032;") == 1


def test_untouched_parts_keep_entities_quotes_and_scripts():
    data = FAILURE_CLASSES["quot-in-attributes"]
    page = read_page(data, "p", "p")
    merged, _ = merge_page(
        page, lambda s: {"Text\u00a0here & there": "Texte ici et là", "It's": "C'est"}.get(s.msgid)
    )
    assert merged == (
        b'<div data-config="{&quot;a&quot;: 1}" onclick="f(&quot;x&quot;)">'
        b"<p title='C&#39;est'>Texte ici et l\xc3\xa0</p></div>"
    )


def test_lang_sets_html_lang_and_dir(tmp_path):
    page = read_page(b'<!DOCTYPE html>\n<html lang="en" class=x>\n<p>Hi</p></html>', "p", "p")
    merged, _ = merge_page(page, lambda s: None, "ar")
    assert merged == b'<!DOCTYPE html>\n<html lang="ar" class=x dir="rtl">\n<p>Hi</p></html>'


def test_stdin_and_stdout(tmp_path):
    result = run("file", "extract", "-", stdin=b"<p>From stdin</p>")
    assert b'msgid "From stdin"' in result.stdout and b"#: stdin:1" in result.stdout


def test_folder_mode_mirrors_the_tree(tmp_path):
    (tmp_path / "site/sub").mkdir(parents=True)
    (tmp_path / "site/index.html").write_text("<p>Home</p>")
    (tmp_path / "site/sub/about.htm").write_text("<p>About us</p>")
    run("file", "extract", str(tmp_path / "site"), "-o", str(tmp_path / "pot"))
    assert sorted(
        p.relative_to(tmp_path / "pot").as_posix() for p in (tmp_path / "pot").rglob("*.pot")
    ) == ["index.pot", "sub/about.pot"]
    for pot in (tmp_path / "pot").rglob("*.pot"):
        catalog = polib.pofile(str(pot))
        for entry in catalog:
            entry.msgstr = entry.msgid.upper()
        catalog.save(str(pot.with_suffix(".po")))
    run("file", "merge", str(tmp_path / "site"), str(tmp_path / "pot"), "-o", str(tmp_path / "out"))
    assert (tmp_path / "out/sub/about.html").read_text() == "<p>ABOUT US</p>"


def test_unchanged_outputs_are_left_as_they_are(tmp_path):
    """Run again on the same inputs, `file extract` and `file merge` leave each template and
    page untouched (same file, same mtime: rsync, make or a CMS see nothing new), and say so
    in --json; a changed translation rewrites its page only."""
    import json
    import os

    site, pot, out = tmp_path / "site", tmp_path / "pot", tmp_path / "out"
    site.mkdir()
    (site / "a.html").write_text("<p>One</p>")
    (site / "b.html").write_text("<p>Two</p>")

    def merge() -> dict:
        result = run("file", "merge", str(site), str(pot), "-o", str(out), "--json")
        return {Path(i["output"]).name: i["written"] for i in json.loads(result.stdout)["items"]}

    first = json.loads(run("file", "extract", str(site), "-o", str(pot), "--json").stdout)
    assert [item["written"] for item in first["items"]] == [True, True]
    again = json.loads(run("file", "extract", str(site), "-o", str(pot), "--json").stdout)
    assert [item["written"] for item in again["items"]] == [False, False]
    for name, text in (("a", "Uno"), ("b", "Dos")):
        head, _, entry = (pot / f"{name}.pot").read_text().rpartition('msgstr ""')
        (pot / f"{name}.po").write_text(f'{head}msgstr "{text}"{entry}')  # the page's entry
    assert merge() == {"a.html": True, "b.html": True}
    before = {p.name: os.stat(p) for p in out.iterdir()}
    assert merge() == {"a.html": False, "b.html": False}
    (pot / "b.po").write_text((pot / "b.po").read_text().replace('"Dos"', '"Deux"'))
    assert merge() == {"a.html": False, "b.html": True}
    after = {p.name: os.stat(p) for p in out.iterdir()}
    assert (after["a.html"].st_ino, after["a.html"].st_mtime_ns) == (
        before["a.html"].st_ino,
        before["a.html"].st_mtime_ns,
    )
    assert (out / "b.html").read_text() == "<p>Deux</p>"
    assert sorted(p.name for p in out.iterdir()) == ["a.html", "b.html"]  # no temp left


def test_undecodable_page_is_a_one_line_error(tmp_path):
    page = tmp_path / "bad.html"
    page.write_bytes(b"\xff\xfe\x00<\x00p\x00")  # a UTF-16 BOM with an odd byte count
    result = run_pipeline("file", "extract", str(page), text=True)
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert re.match(r"error: .*bad.html: not valid utf-16-le", result.stderr)


def test_page_cache_gives_the_same_bytes_and_survives_damage(tmp_path, page_cache, monkeypatch):
    data = FAILURE_CLASSES["quot-in-attributes"] + b"<p>Cache me, unique 7f3a</p>"
    key = pagecache.key_of(data)
    warm = identity_round_trip(tmp_path, data, unsettled=True)  # the merge stored the page
    assert (page_cache / key).is_file()
    assert warm == data
    assert identity_round_trip(tmp_path, data) == data  # both read it this time
    (page_cache / key).write_bytes(b"not a pickle")
    assert identity_round_trip(tmp_path, data) == data
    monkeypatch.setenv("PIPELINE_CACHE_DIR", "off")
    assert pagecache.folder() is None
    monkeypatch.setattr(pagecache, "SETTLED_SECONDS", 0.0)
    assert pagecache.stat_key(str(tmp_path / "page.html"), "page") is None  # nothing to key
    assert pagecache.lookup(None, lambda: b"x", "page", lambda data: data * 2) == b"xx"
    assert identity_round_trip(tmp_path, data) == data


def test_region_slots_come_back_from_the_page_cache_as_they_were_made(tmp_path, page_cache):
    data = b'<html><body><p data-l10n-region="US">Only there, unique 5d1e</p></body></html>'
    key = pagecache.key_of(data)
    assert identity_round_trip(tmp_path, data, unsettled=True) == data  # the merge stored it
    _, cached, _, _ = pagecache.load(key)
    assert cached == htmlfile.segment_page(data.decode())[1]
    assert [type(slot) for slot in cached if not isinstance(slot, Segment)] == [RegionSlot]
    assert identity_round_trip(tmp_path, data) == data  # merged from the cached slots


def test_extract_reads_the_page_cache_but_leaves_filling_it_to_merges(tmp_path, page_cache):
    import dataclasses

    data = b"<html><body><p>Only extracted, unique 91c2</p></body></html>"
    page, pot = tmp_path / "page.html", tmp_path / "page.pot"
    page.write_bytes(data)
    key = pagecache.key_of(data)
    run("file", "extract", str(page), "-o", str(pot))
    assert not (page_cache / key).exists()
    # An entry a merge stored is what extract uses (here, one with a marked msgid).
    html_tag, slots, _ = htmlfile.segment_page(data.decode())
    marked = [
        dataclasses.replace(slot, msgid="From the cache")
        if isinstance(slot, htmlfile.Segment)
        else slot
        for slot in slots
    ]
    pagecache.store(key, (html_tag, marked, (), None))
    run("file", "extract", str(page), "-o", str(pot))
    assert 'msgid "From the cache"' in pot.read_text()


def test_line_numbers_in_any_order():
    """Lines are counted on (or back) from the last answer: any order gives the same lines."""
    import random

    from pipeline.markup import parse

    source = "".join(
        random.Random(3).choice(["<p>a</p>", "\n", "b\n\n", "<br>"]) for _ in range(400)
    )
    document = parse(source)
    offsets = list(range(len(source) + 1))
    expected = [source.count("\n", 0, offset) + 1 for offset in offsets]
    random.Random(4).shuffle(offsets)
    assert [document.line_of(o) for o in offsets] == [expected[o] for o in offsets]


def test_written_files_get_the_usual_permissions_and_keep_their_own(tmp_path):
    """New files are readable by others as the umask allows (a web server or CMS reads them),
    and a file written again keeps the mode it was given."""
    import os
    import stat

    page = tmp_path / "page.html"
    page.write_bytes(b"<p>Hello</p>")
    pot, out = tmp_path / "page.pot", tmp_path / "out.html"
    old_umask = os.umask(0o022)
    try:
        run("file", "extract", str(page), "-o", str(pot))
        catalog = polib.pofile(str(pot))
        catalog.save(str(tmp_path / "page.po"))
        run("file", "merge", str(page), str(tmp_path / "page.po"), "-o", str(out))
        assert stat.S_IMODE(pot.stat().st_mode) == 0o644
        assert stat.S_IMODE(out.stat().st_mode) == 0o644
        out.chmod(0o640)
        run("file", "merge", str(page), str(tmp_path / "page.po"), "-o", str(out))
        assert stat.S_IMODE(out.stat().st_mode) == 0o640
    finally:
        os.umask(old_umask)
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_folder_of_pages_is_listed_and_mirrored_as_pathlib_would(tmp_path, monkeypatch):
    """The folder walk works on strings for speed; it must find, order and name the pages
    as Path.rglob and Path joins do (CI and CMS scripts read these names in the JSON)."""
    from pathlib import Path

    from pipeline.filebatch import HTML_SUFFIXES, catalogs_for, file_jobs, folder_pages

    root = tmp_path / "site"
    names = ["a.html", "a-b/x.html", "a/x.html", "A/y.HTM", ".html", "..html", "x.", "n.txt"]
    names += ["b.c.xhtml", "deep/er/z.htm", ".hidden/q.html", "s p/a b.html", "dir.html/i.html"]
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("<p>x</p>")
    (root / "linked").symlink_to(root / "a")  # not entered, as rglob does not
    (root / "link.html").symlink_to(root / "a.html")

    def expected(page, output, catalog):
        base = Path(page)
        found = sorted(
            p for p in base.rglob("*") if p.suffix.lower() in HTML_SUFFIXES and p.is_file()
        )
        relative = [p.relative_to(base) for p in found]
        return (
            [(str(base / r), str(Path(output) / r.with_suffix(".pot"))) for r in relative],
            [str(Path(catalog) / r.with_suffix(".po")) for r in relative],
        )

    monkeypatch.chdir(tmp_path)
    for page in (str(root), f"{root}/", "site", "./site/"):
        for output, catalog in (("out", "po"), ("./out/", "/abs/po/"), (".", ".")):
            pages = folder_pages(page, output)
            jobs = file_jobs(page, output, ".pot", pages)
            assert (jobs, catalogs_for(catalog, pages)) == expected(page, output, catalog)
    assert len(jobs) == 11


def test_the_command_flushes_everything_before_its_fast_exit(tmp_path):
    """`pipeline` exits without the interpreter's teardown: what sits in the stdout buffer
    must still arrive, and the exit statuses stay those of click (0, 1 for an error, 2 for
    usage)."""
    import os

    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}

    def pipeline(*args):
        command = [sys.executable, "-m", "pipeline", *args]
        return subprocess.run(command, capture_output=True, env=buffered)

    page = tmp_path / "small.html"
    page.write_bytes(b"<p>Short enough to sit in the output buffer</p>")
    pot = tmp_path / "small.pot"
    assert pipeline("file", "extract", str(page), "-o", str(pot)).returncode == 0
    merged = pipeline("file", "merge", str(page), str(pot))  # nothing translated
    assert merged.returncode == 0 and merged.stdout == page.read_bytes()
    for args, status in ((["file", "extract", str(tmp_path / "none.html")], 1), (["--bad"], 2)):
        result = pipeline(*args)
        assert result.returncode == status and result.stderr.strip()


def test_a_settled_page_is_found_by_its_stat(tmp_path, page_cache, monkeypatch):
    """A merge finds a page unchanged for a while by its stat (not hashing its bytes), a
    copy of it (another inode: a clone, another checkout) by its bytes, and a page written
    since is segmented anew."""
    import dataclasses

    from pipeline.htmlfile import merge_file

    monkeypatch.setattr(pagecache, "SETTLED_SECONDS", 0.0)
    page, pot = tmp_path / "page.html", tmp_path / "page.pot"
    page.write_bytes(b"<html><body><p>Found by stat, unique 5d1e</p></body></html>")
    pot.write_text(
        'msgid "Found by stat, unique 5d1e"\nmsgstr "Hallada por stat"\n\n'
        'msgid "Found by stat, unique 5d1f"\nmsgstr "Hallada otra vez"\n'
    )
    out = tmp_path / "out.html"
    assert merge_file(str(page), str(pot), str(out), None)["completeness"] == 1
    known_as = pagecache.stat_key(str(page), "page")
    html_tag, slots, links, words = pagecache.load(known_as)  # the merge stored it by stat
    by_content = page_cache / pagecache.key_of(page.read_bytes())
    assert (page_cache / known_as).samefile(by_content)  # and by content: one entry, two names
    assert words == {"Found by stat, unique 5d1e": 5}  # with the words it counted
    marked = [
        dataclasses.replace(slot, msgid="Marked") if isinstance(slot, htmlfile.Segment) else slot
        for slot in slots
    ]
    pagecache.store(known_as, (html_tag, marked, links, words))
    item = merge_file(str(page), str(pot), str(out), None)
    assert item["completeness"] == 0  # the marked msgid has no translation
    by_content.unlink()
    pagecache.store(by_content.name, (html_tag, marked, links, words))
    copy = tmp_path / "copy" / "page.html"
    copy.parent.mkdir()
    copy.write_bytes(page.read_bytes())
    assert merge_file(str(copy), str(pot), str(out), None)["completeness"] == 0  # by content
    copy_known_as = page_cache / pagecache.stat_key(str(copy), "page")
    assert copy_known_as.samefile(by_content)
    copy_known_as.unlink()
    copy_known_as.write_bytes(b"damaged")  # a damaged stat entry is named anew
    assert merge_file(str(copy), str(pot), str(out), None)["completeness"] == 0
    assert copy_known_as.samefile(by_content)
    page.write_bytes(page.read_bytes().replace(b"5d1e", b"5d1f"))
    assert merge_file(str(page), str(pot), str(out), None)["completeness"] == 1
    assert b"<p>Hallada otra vez</p>" in out.read_bytes()


def test_a_merge_reads_the_words_it_counted_from_the_page_cache(tmp_path, page_cache):
    """Completeness weighs segments by their words, which the merge that fills the cache
    counts once: a merge from the cache takes them from there."""
    from pipeline.htmlfile import merge_file

    page, po = tmp_path / "page.html", tmp_path / "page.po"
    page.write_bytes(b"<h1>One two three, unique 77a0</h1><p>Four</p>")
    po.write_text('msgid "One two three, unique 77a0"\nmsgstr "Uno dos tres"\n')
    out = str(tmp_path / "out.html")
    assert merge_file(str(page), str(po), out, None)["completeness"] == round(5 / 6, 4)
    key = pagecache.key_of(page.read_bytes())
    html_tag, slots, links, words = pagecache.load(key)
    assert words == {"One two three, unique 77a0": 5, "Four": 1}
    pagecache.store(key, (html_tag, slots, links, {"One two three, unique 77a0": 1, "Four": 1}))
    assert merge_file(str(page), str(po), out, None)["completeness"] == 0.5


def test_the_page_cache_drops_old_entries_once_a_day(tmp_path, monkeypatch):
    """Entries older than a month (and temporary files older than a day) are dropped, at
    most once a day, so the cache does not grow with every page version and upgrade."""
    import os
    import time

    monkeypatch.setenv("PIPELINE_CACHE_DIR", str(tmp_path / "cache"))
    place = pagecache.folder()
    now = time.time()
    ages = {"old": 31 * 86400, "recent": 29 * 86400, "x.1.tmp": 2 * 86400, "y.2.tmp": 3600}
    pagecache.store("unused", 1)  # makes the folder
    for name, age in ages.items():
        (place / name).write_bytes(b"entry")
        os.utime(place / name, (now - age, now - age))
    assert pagecache.prune(now) == 2
    assert sorted(p.name for p in place.iterdir()) == [".pruned", "recent", "unused", "y.2.tmp"]
    os.utime(place / "recent", (now - 40 * 86400, now - 40 * 86400))
    assert pagecache.prune(now + 3600) == 0  # pruned within the day: not again
    assert pagecache.prune(now + 86401) == 2  # "recent", now 40 days old, and y.2.tmp
    monkeypatch.setenv("PIPELINE_CACHE_DIR", "off")
    assert pagecache.prune() == 0
    # Entries are written with write_atomic: what a killed store leaves is its dot-named
    # temporary file, which goes after a day too, while the marker stays.
    monkeypatch.setenv("PIPELINE_CACHE_DIR", str(tmp_path / "other-cache"))
    place = pagecache.folder()
    pagecache.store("kept", 1)
    assert sorted(p.name for p in place.iterdir()) == ["kept"]  # no temporary left
    left = place / ".cut.123-0.tmp"
    left.write_bytes(b"half an entry")
    os.utime(left, (now - 2 * 86400, now - 2 * 86400))
    assert pagecache.prune(now) == 1
    assert sorted(p.name for p in place.iterdir()) == [".pruned", "kept"]
    assert pagecache.load("kept") == 1


def test_merge_counts_a_repeated_entry_once_as_status_and_publish_do(tmp_path):
    """A sentence repeated on a page is one entry, translated once: file merge gives the
    figure `checks.completeness` gives (it counted every occurrence: 12 of 14 words)."""
    page = tmp_path / "page.html"
    repeated = "<p>One two three four.</p>"
    page.write_text(f"<html lang=en><body>{repeated * 3}<p>Five six.</p></body></html>")
    catalog = tmp_path / "de.po"
    run("file", "extract", str(page), "-o", str(catalog))
    po = polib.pofile(str(catalog))
    po.find("One two three four.").msgstr = "Eins zwei drei vier."
    po.save()
    for cache in ("off", str(tmp_path / "c"), str(tmp_path / "c")):  # counted now, or cached
        result = run_pipeline(
            *("file", "merge", str(page), str(catalog), "-o", str(tmp_path / "de.html")),
            "--json",
            env={"PIPELINE_CACHE_DIR": cache},
        )
        assert result.returncode == 0, result.stderr.decode()
        (item,) = json.loads(result.stdout)["items"]
        assert item["completeness"] == round(4 / 6, 4)


def test_utf7_label_is_ignored_as_a_browser_ignores_it():
    """A browser does not know the label utf-7: decoding "+ADw-" as "<" would put a script
    into the text a browser shows as plain characters."""
    data = b'<html><head><meta charset="utf-7"></head><body><p>+ADw-script+AD4-x</p></body></html>'
    text, encoding, _ = decode(data, "page.html")
    assert "<script" not in text and encoding == "utf-8"


def test_labels_follow_the_whatwg_table():
    """ks_c_5601-1987 is windows-949 for a browser: a Hangul syllable outside EUC-KR decodes."""
    data = '<meta charset="ks_c_5601-1987"><p>똠</p>'.encode("cp949")
    text, encoding, _ = decode(data, "page.html")
    assert "똠" in text and encoding == "cp949"


@given(st.sampled_from(sorted(webencodings.LABELS)), st.sampled_from(["", " ", "\t", "\n"]))
def test_label_case_and_spaces_do_not_matter(label, space):
    from pipeline.htmlfile import codec_name

    assert codec_name(f"{space}{label.upper()}{space}") == codec_name(label)
    if codec_name(label) is not None:
        expected = webencodings.lookup(label).codec_info.name
        assert codec_name(label) == codecs.lookup(expected).name
