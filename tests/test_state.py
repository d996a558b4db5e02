"""The project's state file: one SQLite store under .pipeline-cache/, only ever a shortcut."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

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
    hashes = store.get("file-hash", "files")
    merged = store.entries("merged")
    assert hashes and merged
    store.put("file-hash", {"files": {path: ["junk", 1] for path in hashes}})
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


values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=8,
)


@given(st.dictionaries(st.text(min_size=1), values, max_size=20), st.text(min_size=1))
def test_entries_read_back_as_written(tmp_path_factory, entries, kind):
    store = StateStore(tmp_path_factory.mktemp("state") / "state.sqlite")
    store.put(kind, entries)
    assert store.entries(kind) == entries
    for key, value in entries.items():
        assert store.get(kind, key) == value
