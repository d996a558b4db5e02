"""The benchmark's generator runs against the current package (the benchmark itself runs on
demand, not here): a rename in the package must not wait for the next benchmark to show."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_generated_project_is_deterministic_and_its_catalogs_compile(tmp_path):
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    generate.generate(tmp_path / "one", 3, seed=7)
    generate.generate(tmp_path / "two", 3, seed=7)
    first = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*"))
    assert len([p for p in first if p.suffix == ".html"]) == 3
    catalogs = [p for p in first if p.suffix == ".po"]
    assert catalogs
    for relative in first:
        one, two = tmp_path / "one" / relative, tmp_path / "two" / relative
        assert one.is_dir() or one.read_bytes() == two.read_bytes(), relative
    for relative in catalogs:
        path = tmp_path / "one" / relative
        check = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)])
        assert check.returncode == 0, relative


def test_the_update_scenario_edits_the_paragraphs_it_says(tmp_path):
    """The update benchmark's edits change 17 paragraphs of each article, each into a text
    that is still close to the old one or clearly rewritten, never into markup damage."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import generate
        import run
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    generate.generate(tmp_path / "p", 3, seed=7)
    before = {p.name: p.read_text() for p in (tmp_path / "p/source").glob("*.html")}
    assert run.edit_paragraphs(tmp_path / "p", 17) == 3 * 17
    for path in (tmp_path / "p/source").glob("*.html"):
        text = path.read_text()
        assert text.count("<p>") == before[path.name].count("<p>")
        assert text.count("</p>") == before[path.name].count("</p>")
        changed = text.count("Ask your doctor about this") + text.count("Our clinical team")
        assert changed == 17


def test_the_cluster_benchmark_names_what_the_package_has():
    """benchmarks/cluster.py's coordinator imports the package's names, and its model is
    the worker cost divided among the workers plus the coordinator's cost."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import cluster
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    imports = [line for line in cluster.COORDINATOR.splitlines() if "import" in line]
    exec("\n".join(imports), {})
    runs = [
        {"executor": "local", "workers": 1, "cpu": 8.0, "children_cpu": 2.0, "pages": 1000},
        {"executor": "dask", "workers": 1, "cpu": 1.0, "children_cpu": 0.0, "pages": 1000},
    ]
    figures = cluster.model(runs, 3_000_000, 16)
    assert figures["minutes"] == round((3_000_000 * 0.01 / 16 + 3_000_000 * 0.001) / 60, 1)
