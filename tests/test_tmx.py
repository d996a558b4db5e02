"""TMX level 2: inline codes as <bpt>/<ept>/<ph>, no translations with check errors, and an
import that reads the codes back (and TMX files written before them)."""

from __future__ import annotations

import json
from pathlib import Path

import polib
from hypothesis import given
from lxml import etree

from exchange_helpers import CATALOG, TOC, messages
from pipeline.inline import message_tokens, tokens_message
from pipeline.tm import build_flat, seg_tokens

HOTLINE = "Hotline {hotline_phone}"


def export(cli, tmp_path: Path, language: str = "fr"):
    path = tmp_path / f"{language}.tmx"
    result = cli("tm", "export", "--lang", language, "-o", str(path))
    return etree.parse(str(path)).getroot(), result


def units(root) -> dict[str, etree._Element]:
    """The source text of each unit (codes left out) -> its unit."""
    return {"".join(tu.find("tuv/seg").xpath("text()")): tu for tu in root.iter("tu")}


def test_export_leaves_out_translations_with_check_errors(cli, project, tmp_path):
    catalog = polib.pofile(str(project / CATALOG))
    catalog.find("Delirium").msgstr = '<a href="javascript:alert(1)">Délire</a>'
    catalog.find("Depression").msgstr = "Dépression onerror=alert(1)"
    catalog.find(HOTLINE).msgstr = "Ligne d’écoute"  # its placeholder dropped
    catalog.save()
    root, result = export(cli, tmp_path)
    assert "3 translations with check errors left out" in result.stderr
    texts = etree.tostring(root, encoding=str)
    assert "javascript" not in texts and "onerror" not in texts and "Ligne d’écoute<" not in texts
    assert "Delirium" not in units(root) and len(units(root)) > 100


def test_tags_and_placeholders_are_inline_codes(cli, project, tmp_path):
    root, _ = export(cli, tmp_path)
    for seg in root.iter("seg"):
        text = "".join(seg.xpath("text()"))  # the segment's own text, codes left out
        assert "<1>" not in text and "&lt;" not in text and "{hotline_phone}" not in text
    toc = next(tu for tu in root.iter("tu") if len(tu.findall("tuv/seg/bpt")) == 10)
    for seg in toc.iter("seg"):
        starts = {b.get("i"): b.text for b in seg.findall("bpt")}
        ends = {e.get("i"): e.text for e in seg.findall("ept")}
        assert starts == {str(n): f"<{n}>" for n in range(1, 6)}
        assert ends == {str(n): f"</{n}>" for n in range(1, 6)}
        assert [b.get("x") for b in seg.findall("bpt")] == list("12345")
    hotline = units(root)["Hotline "]
    assert [ph.text for ph in hotline.iter("ph")] == ["{hotline_phone}"] * 2


def cleared(project) -> dict:
    """Clear every translation of the French catalog; returns what it held."""
    catalog = polib.pofile(str(project / CATALOG))
    held = {
        (e.msgctxt, e.msgid): e.msgstr
        for e in catalog
        if e.msgstr and not e.fuzzy and not e.obsolete
    }
    for entry in catalog:
        entry.msgstr = ""
    catalog.save()
    return held


def test_import_reads_the_codes_back(cli, project, tmp_path):
    export(cli, tmp_path)
    held = cleared(project)
    data = json.loads(cli("tm", "import", str(tmp_path / "fr.tmx"), "--json").stdout)
    assert data["skipped"] == [] and data["filled"] == len(held)
    restored = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(project / CATALOG))}
    assert {key: restored[key] for key in held} == held


def offered(tmp_path: Path, seg: str) -> Path:
    path = tmp_path / "offer.tmx"
    source = "".join(
        f'<bpt i="{n}">&lt;{n}&gt;</bpt>x<ept i="{n}">&lt;/{n}&gt;</ept>' for n in range(1, 6)
    )
    path.write_text(
        '<?xml version="1.0"?><tmx version="1.4"><header srclang="en-US"/><body><tu>'
        f'<tuv xml:lang="en-US"><seg>{source}</seg></tuv>'
        f'<tuv xml:lang="fr"><seg>{seg}</seg></tuv></tu></body></tmx>'
    )
    return path


def toc_source(project) -> None:
    """Make the TOC entry's msgid what `offered` offers a translation for."""
    catalog = polib.pofile(str(project / CATALOG))
    entry = catalog.find(TOC)
    entry.msgid = "".join(f"<{n}>x</{n}>" for n in range(1, 6))
    entry.msgstr = ""
    catalog.save()


def test_import_takes_reordered_codes_and_refuses_broken_ones(cli, project, tmp_path):
    toc_source(project)
    pairs = [(5, "e"), (1, "a"), (2, "b"), (3, "c"), (4, "d")]
    reordered = "".join(
        f'<bpt i="{n}">&lt;{n}&gt;</bpt>{t}<ept i="{n}">&lt;/{n}&gt;</ept>' for n, t in pairs
    )
    for seg, reason in [
        (reordered.replace('<ept i="3">&lt;/3&gt;</ept>', ""), "tag <3> is never closed"),
        (reordered + '<ph x="9">&lt;9/&gt;</ph>', "tag <9/> is not in the source"),
        (reordered + "<script>x</script>", "markup not in the source: <script>"),
        (reordered + " &lt;img src=x onerror=alert(1)&gt;", "markup not in the source: <img>"),
    ]:
        data = json.loads(cli("tm", "import", str(offered(tmp_path, seg)), "--json").stdout)
        assert [s["reason"] for s in data["skipped"]] == [reason]
    data = json.loads(cli("tm", "import", str(offered(tmp_path, reordered)), "--json").stdout)
    assert data["filled"] == 1 and data["skipped"] == []
    entry = polib.pofile(str(project / CATALOG)).find("".join(f"<{n}>x</{n}>" for n in range(1, 6)))
    assert entry.msgstr == "<5>e</5><1>a</1><2>b</2><3>c</3><4>d</4>"


def test_import_reads_tmx_written_before_inline_codes(cli, project, tmp_path):
    toc_source(project)
    old = "".join(f"&lt;{n}&gt;t{n}&lt;/{n}&gt;" for n in range(1, 6))  # codes as text
    data = json.loads(cli("tm", "import", str(offered(tmp_path, old)), "--json").stdout)
    assert data["filled"] == 1


@given(messages())
def test_any_message_survives_tmx_inline_codes(message):
    msgid, is_format = message
    tokens = message_tokens(msgid, msgid, is_format)
    seg = etree.Element("seg")
    build_flat(seg, tokens)
    read_back = seg_tokens(etree.fromstring(etree.tostring(seg)))
    assert tokens_message(read_back, is_format) == tokens_message(tokens, is_format)
