"""Gettext's own tools change nothing in the catalogs and templates the pipeline writes:
`msgcat` rewrites each byte for byte, `msgmerge --previous` of a catalog with its template
gives the catalog back, and the pipeline's own data on an entry (critical, role) survives."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import polib

from conftest import REPO

SOURCE = "source/ketamine-addiction.html"
TEMPLATE = "locales/templates/ketamine-addiction.pot"


def msgcat(path: Path) -> bytes:
    return subprocess.run(["msgcat", str(path)], capture_output=True, check=True).stdout


def msgmerge(catalog: Path, template: Path) -> bytes:
    command = ["msgmerge", "--quiet", "--previous", str(catalog), str(template), "-o", "-"]
    return subprocess.run(command, capture_output=True, check=True).stdout


def assert_gettext_tools_change_nothing(root: Path) -> int:
    """msgcat leaves every .po and .pot under `root/locales` as it is, and msgmerge leaves
    each catalog whose template is there as it is; the number of files looked at."""
    files = sorted((root / "locales").rglob("*.po*"))
    for path in files:
        assert msgcat(path) == path.read_bytes(), f"msgcat changes {path}"
        template = root / "locales/templates" / f"{path.stem}.pot"
        if path.suffix == ".po" and template.is_file():
            assert msgmerge(path, template) == path.read_bytes(), f"msgmerge changes {path}"
    return len(files)


def test_gettext_tools_change_no_bundled_catalog_or_template():
    assert assert_gettext_tools_change_nothing(REPO) == 6


def test_gettext_tools_change_no_catalog_the_pipeline_writes(cli, project):
    """A new language, an edited article (fuzzy entries with their previous text, obsolete
    ones, a new critical entry) and a TMX import: every file is left as it is by msgcat and
    msgmerge, and the critical entries are still critical afterwards."""
    path = project / SOURCE
    text = path.read_text()
    text = text.replace("Ketamine addiction symptoms are often easy", "Symptoms are often easy")
    text = text.replace("<li>Tear secretions</li>", "<li>Salivation</li>")
    path.write_text(text.replace("<h2>", '<h2 data-l10n-critical="yes">', 1))
    cli("extract")
    cli("init", "it")
    catalog = polib.pofile(str(project / "locales/it/LC_MESSAGES/ketamine-addiction.po"))
    for entry in catalog:
        entry.msgstr = "T:" + entry.msgid
    catalog.save()
    cli("update")
    tmx = project / "es.tmx"
    cli("tm", "export", "--lang", "es", "-o", str(tmx))
    cli("init", "es_AR")
    cli("tm", "import", str(tmx))
    assert assert_gettext_tools_change_nothing(project) == 8
    report = json.loads(cli("publish", "--region", "de-DE", "--json").stdout)
    assert report["pages"], report
    for language in ("de", "es", "it", "es_MX", "es_AR"):
        po = project / f"locales/{language}/LC_MESSAGES/ketamine-addiction.po"
        critical = [e for e in polib.pofile(str(po)) if "pipeline: critical" in e.comment]
        assert len(critical) >= 3 and not any("critical" in e.flags for e in critical)
        assert po.read_text().count("#. pipeline: role=heading") >= 5
