"""Shared fixtures: a real project folder in a temporary directory, and the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from pipeline.cli import main

# Property tests run real tools (msgfmt, processes) on a machine that may be busy: a
# per-example deadline would fail them for the machine's load, not for what they test.
settings.register_profile("pipeline", deadline=None)
# PIPELINE_THOROUGH=1: every property test draws its large number of examples (see
# `examples`), and those that name none draw 1,000 instead of hypothesis' 100.
settings.register_profile("thorough", settings.get_profile("pipeline"), max_examples=1000)
THOROUGH = os.environ.get("PIPELINE_THOROUGH", "0") not in ("", "0")
settings.load_profile("thorough" if THOROUGH else "pipeline")


MEMORY_FOLDER = Path("/dev/shm")
MEMORY_NEEDED = 4 * 2**30  # a run writes about 0.7 GB; the last run's folders are kept


def temporary_folders_in_memory(config) -> None:
    """The tests' temporary folders on a RAM file system where one has room, unless the
    user chose where they go."""
    # A run makes, links and removes about 40,000 files (projects, output trees, page
    # caches): on a disk that kernel work is a large share of the run (README, Testing).
    if config.option.basetemp or "PYTEST_DEBUG_TEMPROOT" in os.environ:
        return
    if "TMPDIR" in os.environ or not os.access(MEMORY_FOLDER, os.W_OK | os.X_OK):
        return
    room = os.statvfs(MEMORY_FOLDER)
    if room.f_bavail * room.f_frsize >= MEMORY_NEEDED:
        os.environ["PYTEST_DEBUG_TEMPROOT"] = str(MEMORY_FOLDER)  # pytest's own setting


def pytest_configure(config):
    temporary_folders_in_memory(config)
    compile_package()


def compile_package():
    """Bytecode for the package, once: the tests start hundreds of `python -m pipeline`
    processes, and where nothing writes it (an editable install run with
    PYTHONDONTWRITEBYTECODE set) each would compile every module it imports first, about
    0.3 s a process. Python reads an existing cache whatever that variable says."""
    import compileall

    compileall.compile_dir(REPO / "pipeline", quiet=1)


LONG = ("slow", "corpus", "browser")  # the markers of the runs that take seconds each


def pytest_collection_modifyitems(items):
    """Modules with a long run go first, each module kept whole (for its fixtures): the test
    workers take tests in this order, and a run ends when its last long test does, so those
    start first and the short ones fill in around them."""
    long = {item.path for item in items if any(item.get_closest_marker(m) for m in LONG)}
    items.sort(key=lambda item: item.path not in long)


def generated_project(root: Path, articles: int, seed: int) -> Path:
    """A project made by benchmarks/generate.py (the benchmarks' generator) at `root`."""
    import sys

    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    generate.generate(root, articles, seed=seed)
    return root


def examples(everyday: int, thorough: int) -> int:
    """How many examples a costly property test draws: `everyday` in the test command's run,
    `thorough` under PIPELINE_THOROUGH=1 (before a release, or after touching what it guards)."""
    return thorough if THOROUGH else everyday


REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed" / "ketamine-addiction.txt"
CORPUS = SHARED / "corpus"


@pytest.fixture(autouse=True, scope="session")
def page_cache(tmp_path_factory) -> Path:
    """The tests' own page cache (never the user's), shared by the whole run: by every test
    worker too (entries are written atomically and keyed by content, as the user's own cache
    is shared by the processes of a publish), so an article or catalog is parsed once a run."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the folder the workers' own temporary folders are made in
    folder = base / "page-cache"
    folder.mkdir(exist_ok=True)
    os.environ["PIPELINE_CACHE_DIR"] = str(folder)
    return folder / "pages"


def copy_bundled_project(root: Path) -> Path:
    """The bundled project's source, locales and settings, copied into `root`."""
    root.mkdir()
    shutil.copytree(REPO / "source", root / "source")
    # What the repository holds, not what a local `pipeline pseudo` generated beside it.
    generated = shutil.ignore_patterns("en_XA", "ar_XB", "regions.pseudo.toml")
    shutil.copytree(REPO / "locales", root / "locales", ignore=generated)
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the bundled project (source, locales, settings) to work on."""
    return copy_bundled_project(tmp_path / "project")


# What a plain `pipeline publish` adds to the bundled project.
PUBLISHED = ("output", ".pipeline-cache")


@pytest.fixture(scope="session")
def published_once(tmp_path_factory, page_cache) -> Path:
    """The bundled project after one `pipeline publish`, made once per test process and
    never changed: many tests start from a published project."""
    root = copy_bundled_project(tmp_path_factory.mktemp("published-once") / "project")
    Cli(root)("publish")
    made = {path.name for path in root.iterdir()} - {"source", "locales", "pyproject.toml"}
    assert made == set(PUBLISHED), made  # anything else a publish adds must be copied too
    return root


@pytest.fixture
def published_project(project, published_once) -> Path:
    """The test's project as `pipeline publish` leaves it: the shared publish's output/ and
    state copied in, which are what a publish of this copy writes (same inputs, same bytes)."""
    for name in PUBLISHED:
        shutil.copytree(published_once / name, project / name, symlinks=True)
    return project


def identity_translated(catalog: Path) -> None:
    """Give every entry of a catalog its msgid as msgstr, with gettext's own `msgen`."""
    filled = catalog.with_suffix(".msgen")
    subprocess.run(["msgen", "-o", str(filled), str(catalog)], check=True)
    filled.replace(catalog)


CORPUS_PAGES = sorted((CORPUS / "pages").glob("*.html")) if (CORPUS / "pages").is_dir() else []


@pytest.fixture(scope="session")
def corpus_identity(tmp_path_factory, page_cache) -> Path:
    """A project whose articles are the corpus pages, extracted, with a French catalog each
    translated as itself (an identity translation). Made once per test process and never
    changed: tests work on a copy (`copy_corpus_identity`)."""
    root = tmp_path_factory.mktemp("corpus-identity") / "project"
    (root / "source").mkdir(parents=True)
    for page in CORPUS_PAGES:
        shutil.copy(page, root / "source" / page.name)
    (root / "locales").mkdir()
    shutil.copy(REPO / "locales/regions.toml", root / "locales/regions.toml")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    cli = Cli(root)
    cli("extract")
    cli("init", "fr")
    for catalog in (root / "locales/fr/LC_MESSAGES").glob("*.po"):
        identity_translated(catalog)
    return root


@pytest.fixture
def copy_corpus_identity(corpus_identity, tmp_path) -> Path:
    """A copy of `corpus_identity` for one test to work on."""
    root = tmp_path / "corpus-project"
    shutil.copytree(corpus_identity, root, symlinks=True)
    return root


@pytest.fixture
def partial_german(project) -> Path:
    """The project with its German catalog 57% translated (the bundled one is complete): the
    entries from "Is Ketamine Addictive When Used for Depression?" on lose their
    translations, as in a catalog still in progress."""
    import polib

    path = project / "locales/de/LC_MESSAGES/ketamine-addiction.po"
    catalog = polib.pofile(str(path))
    start = next(
        i for i, e in enumerate(catalog) if e.msgid.startswith("Is Ketamine Addictive When")
    )
    for entry in catalog[start:]:
        if "critical" not in entry.flags:
            entry.msgstr = ""
    catalog.save()
    return project


class Cli:
    def __init__(self, root: Path):
        self.root = root
        self.runner = CliRunner()

    def __call__(self, *args: str, code: int | None = 0, input: str | None = None):
        result = self.runner.invoke(main, ["--project", str(self.root), *args], input=input)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        if code is not None:
            assert result.exit_code == code, (result.output, result.stderr)
        return result


@pytest.fixture
def cli(project) -> Cli:
    return Cli(project)


def run_pipeline(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None, text: bool = False
) -> subprocess.CompletedProcess:
    """`pipeline ARGS` run in this process through CliRunner, as a CompletedProcess (exit
    status, stdout, stderr) like the one subprocess.run gives: the same checks without a new
    interpreter's start for each command. Tests of the process itself (signals, its exit, two
    at once) start a real one instead. An exception that escapes the CLI is raised here: a
    real process would have printed a traceback."""
    result = CliRunner().invoke(main, list(args), input=stdin, env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    out, err = result.stdout_bytes, result.stderr_bytes
    if text:
        out, err = out.decode(), err.decode()
    return subprocess.CompletedProcess(["pipeline", *args], result.exit_code, out, err)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (through Playwright) per test process, for every browser test:
    each test opens its own page, and so its own context (cookies, storage). Playwright's
    driver and Chromium took about two seconds to start for each module."""
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not CHROMIUM:
        pytest.skip("no Chromium on this machine")
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS
        )
        yield chromium
        chromium.close()


def serve_in_background(server) -> threading.Thread:
    """Start a loopback test server on a daemon thread. It looks for `shutdown()` every
    50 ms: with the default half second, every test that stops a server waited that long."""
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    return thread


def msgfmt_check(path: Path) -> None:
    """The real msgfmt must accept the catalog (format strings and header included)."""
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def one_line_error(result, *words) -> None:
    """A failure as users see it: non-zero exit, one `error:` line naming it, no traceback."""
    assert result.exit_code != 0
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.stderr, result.stderr
