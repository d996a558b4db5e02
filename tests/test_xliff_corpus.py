"""XLIFF round trips over real-world pages (../shared/corpus/pages; skipped where absent):
every page's catalog, translated as itself, exports to schema-valid XLIFF 2.1 and 1.2, and
importing either back changes no byte of any catalog."""

from __future__ import annotations

import json
import shutil

import polib
import pytest

from conftest import CORPUS, REPO, Cli
from exchange_helpers import validate

PAGES = sorted((CORPUS / "pages").glob("*.html")) if (CORPUS / "pages").is_dir() else []
pytestmark = [
    pytest.mark.corpus,
    pytest.mark.slow,
    pytest.mark.skipif(not PAGES, reason="../shared/corpus/pages is not here"),
]


@pytest.fixture
def corpus_project(tmp_path):
    """A project whose articles are the corpus pages, with a French catalog each whose
    translations are the source texts (an identity translation)."""
    root = tmp_path / "corpus-project"
    root.mkdir()
    (root / "source").mkdir()
    for page in PAGES:
        shutil.copy(page, root / "source" / page.name)
    (root / "locales").mkdir()
    shutil.copy(REPO / "locales/regions.toml", root / "locales/regions.toml")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    cli = Cli(root)
    cli("extract")
    cli("init", "fr")
    for path in (root / "locales/fr/LC_MESSAGES").glob("*.po"):
        catalog = polib.pofile(str(path))
        for entry in catalog:
            entry.msgstr = entry.msgid
        catalog.save()
    return root


def test_corpus_round_trip(corpus_project, tmp_path):
    """Both versions in one test: they share the project (extracting and initialising 65
    real pages is the costly part), and neither round trip may change a catalog."""
    cli = Cli(corpus_project)
    before = {p.name: p.read_bytes() for p in corpus_project.rglob("*.po")}
    for version in ("2.1", "1.2"):
        path = tmp_path / f"fr-{version}.xlf"
        report = json.loads(
            cli(
                "xliff", "export", "--lang", "fr", "--version", version, "-o", str(path), "--json"
            ).stdout
        )
        validate(path)
        assert report["units"] > 1000 and report["translations"] > 0.95 * report["units"]
        data = json.loads(cli("xliff", "import", str(path), "--json").stdout)
        assert data["refused"] == [] and data["updated"] == 0, version
        assert data["unchanged"] == report["translations"], version
        assert {p.name: p.read_bytes() for p in corpus_project.rglob("*.po")} == before, version
