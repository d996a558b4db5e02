"""The compiled build of the hot modules: used when fresh, and the same bytes as the .py.

setup.py compiles the modules below with Cython from the very .py files the pure-Python
install runs; these tests hold the two to the same output on markup nobody here wrote.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from conftest import CORPUS, REPO

PACKAGE = REPO / "pipeline"
BUILT = sorted(p.name.partition(".")[0] for p in PACKAGE.glob("*.so"))
needs_build = pytest.mark.skipif(not BUILT, reason="no compiled build (pure-Python install)")


def setup_modules() -> list[str]:
    """HOT_MODULES as setup.py lists them."""
    tree = ast.parse((REPO / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "HOT_MODULES":
            return ast.literal_eval(node.value)
    raise AssertionError("setup.py lists no HOT_MODULES")


def run(args: list[str], pure: bool, cwd: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PIPELINE_PURE_PYTHON": "1" if pure else "0",
        "PIPELINE_CACHE_DIR": "off",  # both builds compute everything themselves
        "SOURCE_DATE_EPOCH": "1700000000",
    }
    command = [sys.executable, "-m", "pipeline", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=True)


def test_an_install_with_a_compiler_is_compiled():
    """Where Cython and a C compiler are at hand (the test tools bring Cython; CI has gcc), the
    install must have built the modules: otherwise every test below would be skipped, and a
    broken build would pass unseen as a pure-Python install."""
    import importlib.util
    import sysconfig

    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if importlib.util.find_spec("Cython") is None or shutil.which(compiler) is None:
        pytest.skip("no Cython or no C compiler: a pure-Python install is expected")
    assert BUILT, "the install left no compiled module (see pip's warning from setup.py)"


@needs_build
def test_every_hot_module_is_built_and_used():
    assert sorted(setup_modules()) == BUILT
    code = "import importlib, pipeline\n"
    code += "".join(f"importlib.import_module('pipeline.{name}')\n" for name in BUILT)
    code += "print(' '.join(pipeline.compiled_modules()))"
    for pure, expected in ((False, [f"pipeline.{n}" for n in BUILT]), (True, [])):
        env = {**os.environ, "PIPELINE_PURE_PYTHON": "1" if pure else "0"}
        result = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        assert result.stdout.split() == expected


def compiled_in(folder: Path) -> list[str]:
    """The package's modules that run compiled when it is imported from `folder`."""
    code = "import pipeline.htmlfile, pipeline; print(' '.join(pipeline.compiled_modules()))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(folder), "PIPELINE_PURE_PYTHON": "0"},
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


@needs_build
def test_a_build_from_other_sources_is_not_used(tmp_path):
    """An edited module runs as written, and so does every other: no stale C types. A file
    touched but unchanged (a checkout) keeps the build."""
    copy = tmp_path / "pipeline"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.c"))
    assert len(compiled_in(tmp_path)) == len(BUILT)
    edited = copy / "markup.py"
    os.utime(edited)
    assert len(compiled_in(tmp_path)) == len(BUILT)
    edited.write_text(edited.read_text() + "\n# edited\n")
    # All or nothing: the compiled segmenter shares the compiled scanner's C types.
    assert compiled_in(tmp_path) == []
    edited.write_text(edited.read_text().removesuffix("\n# edited\n"))
    (copy / "segment.pxd").write_text((copy / "segment.pxd").read_text() + "\n# edited\n")
    assert compiled_in(tmp_path) == []


@needs_build
def test_a_regular_install_runs_compiled(tmp_path):
    """pip writes the .py files and the built modules in no set order, with the install's
    file times: the build must still be recognised as built from those very files."""
    target = tmp_path / "site"
    command = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target"]
    subprocess.run([*command, str(target), str(REPO)], check=True, capture_output=True)
    assert compiled_in(target) == [f"pipeline.{name}" for name in BUILT]


def translated_catalogs(templates: Path, catalogs: Path) -> None:
    """Every other entry translated as itself, the rest upper-cased: the second kind puts
    text through the message parser, and an upper-cased placeholder is refused (fallback)."""
    for template in templates.glob("*.pot"):
        catalog = polib.pofile(str(template))
        for number, entry in enumerate(catalog):
            entry.msgstr = entry.msgid if number % 2 else entry.msgid.upper()
        catalog.save(str(catalogs / template.with_suffix(".po").name))


def outputs(pages: Path, work: Path, pure: bool) -> dict[str, bytes]:
    templates, merged = work / "templates", work / "merged"
    run(["file", "extract", str(pages), "-o", str(templates)], pure, work)
    catalogs = work / "catalogs"
    if not catalogs.is_dir():
        catalogs.mkdir()
        translated_catalogs(templates, catalogs)
    run(["file", "merge", str(pages), str(catalogs), "-o", str(merged), "--lang", "ar"], pure, work)
    return {
        str(path.relative_to(work)): path.read_bytes()
        for folder in (templates, merged)
        for path in sorted(folder.iterdir())
    }


@needs_build
@pytest.mark.corpus
@pytest.mark.skipif(not (CORPUS / "pages").is_dir(), reason="../shared/corpus is not here")
def test_compiled_and_pure_python_give_the_same_bytes(tmp_path):
    pages = tmp_path / "pages"
    shutil.copytree(CORPUS / "pages", pages)
    shutil.copy(REPO / "source" / "ketamine-addiction.html", pages)
    compiled = outputs(pages, tmp_path, pure=False)
    pure = outputs(pages, tmp_path, pure=True)
    assert len(compiled) == 2 * len(list(pages.glob("*.html")))
    assert compiled.keys() == pure.keys()
    different = [name for name in compiled if compiled[name] != pure[name]]
    assert not different


@needs_build
def test_compiled_and_pure_python_publish_the_same_site(project, tmp_path):
    """The bundled article through every region: pages, manifest and sitemap, byte for byte
    (pseudo-locales too: right-to-left text and fallbacks go through the same code)."""
    twin = tmp_path / "twin"
    shutil.copytree(project, twin)
    trees = []
    for root, pure in ((project, False), (twin, True)):
        run(["pseudo"], pure, root)
        run(["publish"], pure, root)
        output = root / "output"
        trees.append(
            {str(p.relative_to(output)): p.read_bytes() for p in output.rglob("*") if p.is_file()}
        )
    assert len(trees[0]) > 10
    assert trees[0] == trees[1]


MODEL_CHECK = """
import dataclasses, sys
from pathlib import Path
from pipeline import htmlfile, pagecache
from pipeline.model import Segment

text = Path(sys.argv[1]).read_text(encoding="utf-8")
slots = htmlfile.segment_page(text)[1]
segment = next(slot for slot in slots if isinstance(slot, Segment) and slot.tags)
try:
    segment.msgid = "changed"
except AttributeError:  # FrozenInstanceError is one too
    pass
else:
    raise SystemExit("a Segment field could be assigned")
twin = dataclasses.replace(segment)
assert twin == segment and hash(twin) == hash(segment) and twin is not segment
assert dataclasses.replace(segment, context="heading").key == ("heading", segment.msgid)
assert [f.name for f in dataclasses.fields(segment.tags[0])][3] == "self_closing"
if sys.argv[2] == "write":
    pagecache.store("entry", slots)
else:  # an entry the other build wrote: the same slots, as this build's classes
    loaded = pagecache.load("entry")
    assert loaded == slots, "the other build's cache entry reads differently"
    assert type(loaded[0]) is type(slots[0])
print("ok")
"""


@needs_build
def test_the_model_is_frozen_data_and_its_cache_entries_cross_builds(tmp_path):
    """Compiled, the model's page slots are C classes: still frozen dataclasses (no field
    can be assigned; equality, hashing, replace and fields as before), and a page-cache
    entry one build wrote reads the same in the other (both share the cache and its keys)."""
    page = REPO / "source" / "ketamine-addiction.html"
    for writer, reader in ((False, True), (True, False)):
        cache = tmp_path / f"cache-{writer}"
        for pure, mode in ((writer, "write"), (reader, "read")):
            env = {
                **os.environ,
                "PIPELINE_PURE_PYTHON": "1" if pure else "0",
                "PIPELINE_CACHE_DIR": str(cache),
            }
            result = subprocess.run(
                [sys.executable, "-c", MODEL_CHECK, str(page), mode],
                env=env,
                capture_output=True,
                text=True,
            )
            assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
