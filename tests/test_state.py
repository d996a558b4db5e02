"""The project's state file: one SQLite store under .pipeline-cache/, only ever a shortcut."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import examples, generated_project
from pipeline.config import load_settings
from pipeline.manifest import PreviousManifest
from pipeline.plan import plan_publish
from pipeline.project import Project
from pipeline.publish import PublishOptions, select_regions
from pipeline.state import FileHashes, StateStore, state_path

CATALOG = "locales/de/LC_MESSAGES/ketamine-addiction.po"


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the project's catalogs and output, by path."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for folder in ("locales", "output")
        for path in sorted((root / folder).rglob("*"))
        if path.is_file()
    }


def edit_catalog(root: Path) -> None:
    path = root / CATALOG
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('msgstr "Ketamin', 'msgstr "Das Ketamin', 1), encoding="utf-8")


def test_one_state_file_holds_what_update_and_publish_remember(cli, project):
    cli("update")
    cli("publish")
    cache = project / ".pipeline-cache"
    assert state_path(project).is_file()
    assert not (cache / "merged.json").exists() and not (cache / "file-hashes.json").exists()
    store = StateStore(state_path(project))
    assert store.entries("merged") and store.entries("file-hash")
    again = cli("update", "--json").stdout
    assert '"skipped": true' in again  # the merge memory was read back


def test_damaged_or_deleted_state_only_costs_speed(cli, project):
    """Garbage in the state file, or no state file, gives what a plain run gives."""
    cli("update")
    cli("publish")
    edit_catalog(project)
    state = state_path(project)
    state.write_bytes(b"not a database" * 100)
    cli("update")
    cli("publish")
    damaged = snapshot(project)
    assert StateStore(state).entries("merged")  # a new file replaced the damaged one
    state.unlink()
    cli("update")
    cli("publish")
    assert snapshot(project) == damaged
    shutil.rmtree(project / ".pipeline-cache")
    shutil.rmtree(project / "output")
    cli("update")
    cli("publish")
    assert snapshot(project) == damaged


def test_malformed_entries_are_misses(cli, project):
    """Entries of the wrong shape (a damaged value SQLite cannot see) are not trusted."""
    cli("update")
    cli("publish")
    store = StateStore(state_path(project))
    hashes = store.entries("file-hash")
    merged = store.entries("merged")
    assert hashes and merged
    store.put("file-hash", {path: ["junk", 1] for path in hashes})
    store.put("merged", {catalog: 42 for catalog in merged})
    edit_catalog(project)
    cli("update")
    cli("publish")
    damaged = snapshot(project)
    shutil.rmtree(project / ".pipeline-cache")
    shutil.rmtree(project / "output")
    cli("update")
    cli("publish")
    assert snapshot(project) == damaged


WRITER = """
import sys
from pathlib import Path
from pipeline.state import StateStore
store = StateStore(Path(sys.argv[1]))
name = sys.argv[2]
for n in range(150):
    store.put(name, {f"{name}-{n}": [n, name]})
    assert store.get(name, f"{name}-{n}") == [n, name], n
    assert len(store.entries(name)) == n + 1
"""


def test_two_processes_write_the_state_at_once(tmp_path):
    path = tmp_path / ".pipeline-cache" / "state.sqlite"
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), name], stderr=subprocess.PIPE)
        for name in ("one", "two")
    ]
    for writer in writers:
        assert writer.wait(timeout=300) == 0, writer.stderr.read().decode()
    store = StateStore(path)
    for name in ("one", "two"):
        assert store.entries(name) == {f"{name}-{n}": [n, name] for n in range(150)}


def test_file_hashes_see_edits_and_survive_a_lost_file(tmp_path):
    source = tmp_path / "a.po"
    source.write_text("one")
    hashes = FileHashes(StateStore(tmp_path / "state.sqlite"))
    first = hashes.get(str(source))
    hashes.save()
    (tmp_path / "state.sqlite").unlink()
    assert FileHashes(StateStore(tmp_path / "state.sqlite")).get(str(source)) == first
    source.write_text("two, longer")
    assert FileHashes(StateStore(tmp_path / "state.sqlite")).get(str(source)) != first


class RecordingStore(StateStore):
    """A state file that notes the keys asked for."""

    def __init__(self, path: Path):
        super().__init__(path)
        self.asked: list[str] = []

    def get_many(self, kind: str, keys: list[str]):
        self.asked.extend(keys)
        return super().get_many(kind, keys)


def test_file_hashes_read_and_keep_one_file_at_a_time(tmp_path, monkeypatch):
    """What FileHashes holds does not grow with the project: each file's entry is its own
    row, read when that file is asked for, and hashes are kept in batches as they are taken."""
    # The files are hashed as soon as they are written: without a racy window here, their
    # hashes are trusted at once (the window has its own test).
    monkeypatch.setattr(FileHashes, "RACY_SECONDS", 0.0)
    files = []
    for number in range(FileHashes.BATCH + 3):
        files.append(tmp_path / f"{number}.po")
        files[-1].write_text(f"catalog {number}")
    hashes = FileHashes(StateStore(tmp_path / "state.sqlite"))
    digests = [hashes.get(str(path)) for path in files]
    assert len(hashes.changed) < FileHashes.BATCH
    assert len(StateStore(tmp_path / "state.sqlite").entries(FileHashes.KIND)) >= FileHashes.BATCH
    hashes.save()
    store = RecordingStore(tmp_path / "state.sqlite")
    again = FileHashes(store)
    assert again.get(str(files[7])) == digests[7]
    assert store.asked == [str(files[7])]
    assert not again.changed  # trusted as kept, not hashed again


def test_many_entries_are_read_in_queries_of_a_few_hundred(tmp_path, monkeypatch):
    monkeypatch.setattr("pipeline.state.QUERY_KEYS", 7)  # batches, and one cut short
    store = StateStore(tmp_path / "state.sqlite")
    values = {f"key {number}": [number] for number in range(45)}
    store.put("kind", values)
    assert store.get_many("kind", [*values, "none"]) == values
    assert store.get_many("kind", []) == {}


def test_file_hashes_of_a_dry_run_keep_nothing(tmp_path):
    files = []
    for number in range(FileHashes.BATCH + 1):
        files.append(tmp_path / f"{number}.po")
        files[-1].write_text(f"catalog {number}")
    hashes = FileHashes(StateStore(tmp_path / "state.sqlite"), keep=False)
    for path in files:
        hashes.get(str(path))
    hashes.save()
    assert StateStore(tmp_path / "state.sqlite").entries(FileHashes.KIND) == {}


def test_a_plan_holds_the_file_hashes_of_one_article_at_a_time(tmp_path):
    """The plan's input hashes: an article's regions share its files' digests, but the
    digests of the articles before are not kept (a site's worth of them)."""
    project = Project(load_settings(generated_project(tmp_path / "project", 3, seed=3)))
    regions = select_regions(project, ())
    plan = plan_publish(project, PublishOptions(), regions, PreviousManifest(None), None, 50, None)
    assert len(plan.builds) == 3
    held = plan.fingerprint.file_hashes
    assert held and all(plan.builds[-1] in path for path in held)


def test_a_plan_looks_up_each_articles_files_in_one_query(tmp_path, monkeypatch):
    """An article's source, catalogs and review files: one query for all of them, and
    the same digests as asking for each file on its own."""
    root = generated_project(tmp_path / "project", 3, seed=4)
    review = root / "locales/de/reviews/article-00001.toml"
    review.parent.mkdir(parents=True)
    review.write_text("# no reviews yet\n")
    asked = []
    get_many = StateStore.get_many

    def recording(store, kind, keys):
        asked.append(list(keys))
        return get_many(store, kind, keys)

    monkeypatch.setattr(StateStore, "get_many", recording)
    project = Project(load_settings(root))
    regions = select_regions(project, ())
    plan = plan_publish(project, PublishOptions(), regions, PreviousManifest(None), None, 50, None)
    assert len(asked) == len(plan.builds) == 3
    for slug, keys in zip(plan.builds, asked, strict=True):
        names = sorted(Path(key).relative_to(root).as_posix() for key in keys)
        reviews = ["locales/de/reviews/article-00001.toml"] if slug == "article-00001" else []
        catalogs = [f"locales/{lang}/LC_MESSAGES/{slug}.po" for lang in ("de", "es", "fr")]
        assert names == sorted([f"source/{slug}.html", *catalogs, *reviews])
    one_by_one = FileHashes(StateStore(tmp_path / "other.sqlite"))
    fingerprint = plan.fingerprint
    for slug in plan.builds:
        fingerprint.page(slug, project.regions["de-DE"])
        for path, digest in fingerprint.file_hashes.items():
            assert one_by_one.get(path) == digest


values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=8,
)


# Each example makes a new SQLite file (about 60 ms): hypothesis' default 100 cost 6 s.
@settings(max_examples=examples(40, 1000))
@given(st.dictionaries(st.text(min_size=1), values, max_size=20), st.text(min_size=1))
def test_entries_read_back_as_written(tmp_path_factory, entries, kind):
    store = StateStore(tmp_path_factory.mktemp("state") / "state.sqlite")
    store.put(kind, entries)
    assert store.entries(kind) == entries
    for key, value in entries.items():
        assert store.get(kind, key) == value


# -- msgfmt's verdicts: in the project's state, keyed by the bytes judged (issue 18.4) --------

GERMAN = Path("output/de-DE/ketamine-addiction/index.html")


def verdict_key(root: Path, catalog: str = CATALOG) -> str:
    from pipeline import pagecache

    return pagecache.key_of((root / catalog).read_bytes(), "msgfmt")


def test_publish_keeps_msgfmt_verdicts_in_the_project_state(cli, project, tmp_path, monkeypatch):
    """Not in the user's cache folder (shared by every project): in the project's state."""
    # A cache folder of the test's own: the run's shared one is written by other tests.
    monkeypatch.setenv("PIPELINE_CACHE_DIR", str(tmp_path / "cache"))
    cli("publish")  # the cache now holds what a publish of these sources keeps there
    edit_catalog(project)  # bytes never judged
    before = sorted((tmp_path / "cache").rglob("*"))
    cli("publish")
    assert sorted((tmp_path / "cache").rglob("*")) == before
    kept = StateStore(state_path(project)).entries("msgfmt")
    assert kept[verdict_key(project)] == []  # the German catalog, judged clean
    catalogs = list((project / "locales").rglob("*.po"))
    assert {verdict_key(project, str(path.relative_to(project))) for path in catalogs} <= set(kept)


def test_a_kept_verdict_serves_those_bytes_only(cli, project, published_project):
    """The verdict found under a catalog's bytes is msgfmt's (here a made-up refusal, to
    show it is read); once the catalog changes, msgfmt judges it again."""
    store = StateStore(state_path(project))
    store.put("msgfmt", {verdict_key(project): [[5, "made-up refusal", None]]})
    cli("publish", "--force")
    assert not (project / GERMAN).exists()
    edit_catalog(project)
    cli("publish")
    assert (project / GERMAN).is_file()


def test_damaged_verdicts_are_misses(cli, project, published_project):
    expected = snapshot(project)
    store = StateStore(state_path(project))
    assert store.entries("msgfmt")
    junk = ["junk", 42, [[1, 2, 3]], [[1, "m", ["a"]]], [[1, "m", "ab"]], [[1, "m"]]]
    for value in junk:
        store.put("msgfmt", dict.fromkeys(store.entries("msgfmt"), value))
        cli("publish", "--force")
        assert snapshot(project) == expected, value
    assert all(value == [] for value in store.entries("msgfmt").values())  # judged again


JUDGE = """
import sys
from pathlib import Path
from pipeline.checks import remembered_verdicts
from pipeline.state import StateStore
store = StateStore(Path(sys.argv[1]))
for n in range(3):
    for catalog in sys.argv[2:]:
        assert remembered_verdicts(Path(catalog), store) == [], catalog
"""


def test_two_processes_judge_catalogs_into_one_state_at_once(project, tmp_path):
    path = state_path(project)
    catalogs = sorted(str(p) for p in (project / "locales").rglob("*.po"))
    halves = [catalogs[::2], catalogs[1::2]]
    judges = [
        subprocess.Popen([sys.executable, "-c", JUDGE, str(path), *half], stderr=subprocess.PIPE)
        for half in halves
    ]
    for judge in judges:
        assert judge.wait(timeout=300) == 0, judge.stderr.read().decode()
    from pipeline import pagecache

    kept = StateStore(path).entries("msgfmt")
    for catalog in catalogs:
        assert kept[pagecache.key_of(Path(catalog).read_bytes(), "msgfmt")] == []


def test_a_hash_taken_just_after_the_last_change_is_not_trusted(tmp_path):
    """The racy window, as git's index keeps it: on a file system whose times are coarse
    (an NFS volume), an edit right after the hash may leave size, mtime and ctime as they
    were, so a hash taken within two seconds of the file's last change is taken again; one
    taken later is trusted."""
    source = tmp_path / "a.po"
    source.write_text("one")
    stat = source.stat()
    key = [stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns]
    changed_at = max(stat.st_mtime_ns, stat.st_ctime_ns) / 1e9
    store = StateStore(tmp_path / "state.sqlite")
    # What an entry looks like after an edit that moved no time: the old text's digest.
    store.put(FileHashes.KIND, {str(source): [*key, "digest of the old text", changed_at + 0.5]})
    real = FileHashes(store).get(str(source))
    assert real != "digest of the old text" and len(real) == 64
    store.put(FileHashes.KIND, {str(source): [*key, "settled digest", changed_at + 3.0]})
    assert FileHashes(store).get(str(source)) == "settled digest"
