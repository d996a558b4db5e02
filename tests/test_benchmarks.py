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
