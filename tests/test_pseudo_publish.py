"""Pseudo-locales (en-XA, ar-XB) are for previews: publish, the manifest, the sitemap and push
leave them out unless asked for; `serve --build` shows them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cms_server import CMS
from pipeline.cli import main

SLUG = "ketamine-addiction"
REAL = ["de-DE", "en-AU", "en-GB", "en-US", "es-MX", "es-US", "fr-FR"]
PSEUDO = ["ar-XB", "en-XA"]
TOKEN = "pseudo-test-token-0123"


def manifest(project: Path) -> dict:
    return json.loads((project / "output/manifest.json").read_text(encoding="utf-8"))


def published_regions(project: Path) -> list[str]:
    return sorted(page["region"] for page in manifest(project)["pages"])


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_pseudo_then_publish_leaves_pseudo_regions_out(cli, project):
    cli("pseudo")
    data = json.loads(cli("publish", "--json").stdout)
    assert sorted(page["region"] for page in data["pages"]) == REAL
    assert published_regions(project) == REAL
    for tag in PSEUDO:
        assert not (project / "output" / tag).exists()
    sitemap = (project / "output/sitemap.xml").read_text(encoding="utf-8")
    assert sitemap.count("<url>") == len(REAL)
    assert "-XA" not in sitemap and "-XB" not in sitemap
    assert not any("-X" in w for w in data["warnings"])  # no hotline warnings for them either


def test_naming_pseudo_regions_publishes_them_and_keeps_the_rest(cli, project):
    """The issue's second sequence: 7 of 9 regions were gone after it."""
    cli("pseudo")
    cli("publish")
    before = snapshot(project / "output")
    cli("publish", "--region", "en-XA", "--region", "ar-XB")
    assert published_regions(project) == sorted(REAL + PSEUDO)
    after = snapshot(project / "output")
    for path, data in before.items():
        if path.parts[0] in REAL:  # real pages do not list the pseudo ones as alternates
            assert after[path] == data, path
    sitemap = (project / "output/sitemap.xml").read_text(encoding="utf-8")
    assert sitemap.count("<url>") == len(REAL) + len(PSEUDO)
    assert sitemap.count('hreflang="en-XA"') == 0  # the pseudo page's own <loc> only
    cli("publish")  # an unnarrowed publish that did not ask for them takes them out again
    assert published_regions(project) == REAL
    assert not (project / "output/en-XA").exists()


def test_include_pseudo_flag_and_setting(cli, project):
    cli("pseudo")
    cli("publish", "--include-pseudo")
    assert published_regions(project) == sorted(REAL + PSEUDO)
    cli("publish", "--region", "de-DE", "--include-pseudo", "--force")
    assert published_regions(project) == sorted(REAL + PSEUDO)
    cli("publish")
    assert published_regions(project) == REAL
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(
        text.replace("[tool.pipeline]\n", "[tool.pipeline]\ninclude_pseudo = true\n")
    )
    cli("publish")
    assert published_regions(project) == sorted(REAL + PSEUDO)


def push(cli, cms, *options) -> dict:
    arguments = ["--project", str(cli.root), "push", "--endpoint", cms.url, "--json", *options]
    result = cli.runner.invoke(main, arguments, env={"PIPELINE_CMS_TOKEN": TOKEN})
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_push_leaves_pseudo_pages_out_unless_asked(cli, project):
    cli("pseudo")
    cli("publish", "--include-pseudo")  # a manifest that holds them
    with CMS() as cms:
        data = push(cli, cms)
        assert sorted(key.split("/")[0] for key in data["sent"]) == REAL
        data = push(cli, cms, "--region", "en-XA")
        assert data["sent"] == [f"en-XA/{SLUG}"]
        data = push(cli, cms, "--include-pseudo")
        assert data["sent"] == [f"ar-XB/{SLUG}"]
        data = push(cli, cms, "--prune")  # not asked for: the delivered ones are taken back
        assert sorted(data["pruned"]) == [f"ar-XB/{SLUG}", f"en-XA/{SLUG}"]
        assert sorted(path.split("/")[3] for path in cms.pages) == REAL
        pyproject = project / "pyproject.toml"
        text = pyproject.read_text(encoding="utf-8")
        pyproject.write_text(
            text.replace("[tool.pipeline]\n", "[tool.pipeline]\ninclude_pseudo = true\n")
        )
        data = push(cli, cms)  # the include_pseudo setting is the default of the flag
        assert sorted(data["sent"]) == [f"ar-XB/{SLUG}", f"en-XA/{SLUG}"]


@pytest.mark.slow
def test_serve_build_shows_pseudo_pages(project, cli):
    cli("pseudo")
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "--project", str(project), "serve", "--build"]
        + ["--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert "serving" in line, process.stderr.read()
        folder = Path(line.split()[1])
        regions = {
            page["region"] for page in json.loads((folder / "manifest.json").read_text())["pages"]
        }
        assert set(PSEUDO) <= regions
    finally:
        process.kill()
        process.wait()
        if "folder" in locals():
            shutil.rmtree(folder.parent, ignore_errors=True)  # the killed preview's own
    assert not (project / "output").exists()


def test_a_publish_reads_no_catalog_of_a_region_it_leaves_out(cli, project):
    """Pseudo-locale regions are left out of a plain publish: their catalogs are not read,
    so one that cannot be read (here a folder in its place) fails nothing."""
    cli("pseudo")
    catalog = project / "locales/en_XA/LC_MESSAGES/ketamine-addiction.po"
    catalog.unlink()
    catalog.mkdir()
    cli("publish")
    assert not (project / "output/en-XA").exists()
