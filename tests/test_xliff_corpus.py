"""XLIFF round trips over real-world pages (../shared/corpus/pages; skipped where absent):
every page's catalog, translated as itself, exports to schema-valid XLIFF 2.1 and 1.2, and
importing either back changes no byte of any catalog."""

from __future__ import annotations

import json

import pytest

from conftest import CORPUS_PAGES, Cli
from exchange_helpers import validate

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.slow,
    pytest.mark.skipif(not CORPUS_PAGES, reason="../shared/corpus/pages is not here"),
]


def test_corpus_round_trip(copy_corpus_identity, tmp_path):
    """Both versions in one test: neither round trip may change a catalog."""
    corpus_project = copy_corpus_identity
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
