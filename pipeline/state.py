"""The project's local state: one SQLite file, `.pipeline-cache/state.sqlite`.

Every memory a run keeps between runs lives here as (kind, key) -> JSON value: the content
hashes of input files that let `publish` skip unchanged pages (`FileHashes`), msgfmt's
verdicts on catalogs (`catalog_checks.remembered_verdicts`) and the merge memory that lets
`update` skip catalogs already in step (`workflow.MergeMemory`). All of it is
a shortcut keyed by content hashes: a missing, deleted or damaged file costs the next run
its speed, never its result, so every read that fails is a miss and every write that fails
is dropped. SQLite in WAL mode keeps each write atomic and lets two processes read and write
the file at once (a writer waits up to `BUSY_SECONDS` for the other).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import time
from pathlib import Path

from pipeline.files import read_bytes

STATE_FILE = "state.sqlite"
INHERITED: list = []  # connections a forked process found open: kept, never used
BUSY_SECONDS = 30.0
QUERY_KEYS = 500  # keys looked up by one query
SCHEMA = "CREATE TABLE IF NOT EXISTS entries (kind TEXT, key TEXT, value TEXT NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID"  # noqa: E501


def state_path(root: Path) -> Path:
    """Where a project keeps its state."""
    return Path(root) / ".pipeline-cache" / STATE_FILE


class StateStore:
    """One project's state file. Each call opens its own connection, so a store may be made
    before worker processes fork and is never shared across them; with `keep_open`, the
    calls of one process share a connection, which it keeps until it ends (a worker looks
    up and keeps a verdict per catalog, and opening and closing the file costs more than
    either: closing the last connection writes the WAL back into the file)."""

    def __init__(self, path: Path, keep_open: bool = False):
        self.path = Path(path)
        self.keep_open = keep_open
        self.kept: tuple[int, sqlite3.Connection] | None = None  # (pid, its connection)

    @contextlib.contextmanager
    def connection(self):
        """The connection for one call: the process's kept one, or one of its own."""
        if not self.keep_open:
            with contextlib.closing(self.connect()) as db:
                yield db
            return
        if self.kept is None or self.kept[0] != os.getpid():
            if self.kept is not None:
                # Opened before a fork: SQLite's connections must not be used across one,
                # closing included, so the child leaves it alone for good.
                INHERITED.append(self.kept[1])
            self.kept = (os.getpid(), self.connect())
        yield self.kept[1]

    def connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Two processes making a new file at once: switching it to WAL can be refused as
        # "locked" at once, without SQLite's busy wait, so the setup is tried again.
        deadline = time.monotonic() + BUSY_SECONDS
        while True:
            db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")  # a crash may lose the last entries
                db.execute(SCHEMA)
                return db
            except sqlite3.OperationalError as error:
                db.close()
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
            except sqlite3.DatabaseError:
                db.close()
                raise

    def entries(self, kind: str) -> dict:
        """Every entry of `kind` (key -> value); {} when the file cannot be read."""
        try:
            with self.connection() as db:
                rows = db.execute("SELECT key, value FROM entries WHERE kind = ?", (kind,))
                return decoded(rows)
        except (OSError, sqlite3.Error):
            self.failed()
            return {}

    def get(self, kind: str, key: str):
        """The value kept for (kind, key), or None."""
        try:
            with self.connection() as db:
                rows = db.execute(
                    "SELECT key, value FROM entries WHERE kind = ? AND key = ?", (kind, key)
                )
                return decoded(rows).get(key)
        except (OSError, sqlite3.Error):
            self.failed()
            return None

    def get_many(self, kind: str, keys: list[str]) -> dict:
        """The values kept for (kind, key) of each of `keys` that has one, a query for every
        `QUERY_KEYS` of them (SQLite's limit on a statement's parameters may be as low as
        999)."""
        found: dict = {}
        try:
            with self.connection() as db:
                for start in range(0, len(keys), QUERY_KEYS):
                    batch = keys[start : start + QUERY_KEYS]
                    marks = ",".join("?" * len(batch))
                    rows = db.execute(
                        f"SELECT key, value FROM entries WHERE kind = ? AND key IN ({marks})",
                        (kind, *batch),
                    )
                    found.update(decoded(rows))
        except (OSError, sqlite3.Error):
            self.failed()
            return {}
        return found

    def put(self, kind: str, values: dict) -> None:
        """Keep `values` (key -> JSON-able value) under `kind`, all or none of them."""
        if not values:
            return
        rows = [(kind, key, json.dumps(value)) for key, value in values.items()]
        try:
            with self.connection() as db:
                # One transaction: another process sees all of them or none.
                db.execute("BEGIN IMMEDIATE")
                try:
                    db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", rows)
                    db.execute("COMMIT")
                finally:
                    if db.in_transaction:  # a kept connection stays open: roll back
                        db.rollback()
        except (OSError, sqlite3.Error):
            self.failed()  # a full disk or a damaged file: no memory this time

    def failed(self) -> None:
        """After a call failed: the kept connection is closed (the next call opens the file
        again, a new one if this one was damaged) and a damaged file removed."""
        if self.kept is not None and self.kept[0] == os.getpid():
            with contextlib.suppress(sqlite3.Error):
                self.kept[1].close()
            self.kept = None
        self.discard_if_damaged()

    def forget(self, kind: str, key: str) -> None:
        """Drop the entry (kind, key), if there is one."""
        try:
            with self.connection() as db:
                db.execute("DELETE FROM entries WHERE kind = ? AND key = ?", (kind, key))
        except (OSError, sqlite3.Error):
            self.failed()

    def discard_if_damaged(self) -> None:
        """Remove the file if SQLite cannot read it as a database, so the next run starts a
        new one; a file that is only busy or unwritable is left alone."""
        try:
            with contextlib.closing(sqlite3.connect(self.path, timeout=BUSY_SECONDS)) as db:
                if db.execute("PRAGMA quick_check").fetchone()[0] == "ok":
                    return
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "unable to open" in str(error):
                return
        except sqlite3.DatabaseError:
            pass
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(f"{self.path}{suffix}")


def decoded(rows) -> dict:
    """{key: value} of rows whose value is JSON; a value that is not is left out (a miss)."""
    values = {}
    loads = json.loads
    for key, value in rows:
        try:
            values[key] = loads(value)
        except (ValueError, TypeError):
            continue
    return values


class FileHashes:
    """Content hashes of input files, trusted while size, mtime, inode and ctime are unchanged.

    As git's index does, a file hashed within two seconds of its last change is hashed again
    ("racy" files), so a quick edit that keeps size and mtime is still seen; ctime
    cannot be set back, so neither is an edit whose mtime was put back (as pagecache.stat_key).
    Each file's entry is its own row, read when that file is asked for (an article's files in
    one query) and kept in batches of `BATCH` (the rest by `save`), so that what is held stays
    the same whatever the number of files. `keep=False` (a dry run) writes nothing.
    """

    KIND = "file-hash"  # key: the file's path
    WHOLE = "files"  # the key of every file's entry as one value, as earlier versions kept it
    RACY_SECONDS = 2.0
    BATCH = 500

    def __init__(self, store: StateStore, keep: bool = True):
        self.store = store
        self.keep = keep
        self.changed: dict = {}

    @classmethod
    def of_project(cls, root: Path, keep: bool = True) -> FileHashes:
        # A file's entry is asked for on its own: one connection serves them all.
        return cls(StateStore(state_path(root), keep_open=True), keep)

    def get(self, path: str) -> str:
        return self.get_many([path])[path]

    def get_many(self, paths: list[str]) -> dict[str, str]:
        """path -> digest ("missing" for a file that is not there) of each of `paths`, their
        entries looked up in one query (a publish asks for an article's files together)."""
        stats = {}
        digests = {}
        for path in paths:
            try:
                stats[path] = os.stat(path)
            except FileNotFoundError:
                digests[path] = "missing"
        known = self.store.get_many(self.KIND, list(stats))
        for path, stat in stats.items():
            key = [stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns]
            changed_at = max(stat.st_mtime_ns, stat.st_ctime_ns) / 1e9
            digest = trusted(known.get(path), key, changed_at + self.RACY_SECONDS)
            digests[path] = digest if digest is not None else self.hashed(path, key)
        return digests

    def hashed(self, path: str, key: list) -> str:
        """The file's digest, read now and kept with its stat `key`."""
        hashed_at = time.time()  # before reading: an edit during the read is after it
        digest = hashlib.sha256(read_bytes(path)).hexdigest()
        self.changed[path] = [*key, digest, hashed_at]
        if len(self.changed) >= self.BATCH:
            self.save()
        return digest

    def save(self) -> None:
        """Keep the hashes taken since the last save, each with the time it was taken."""
        if self.keep and self.changed:
            self.store.put(self.KIND, self.changed)
            self.store.forget(self.KIND, self.WHOLE)  # a site's worth of entries, never read
        self.changed = {}


def trusted(entry, key: list, settled_before: float) -> str | None:
    """The digest an entry holds if it still describes the file: the same stat `key`, taken
    after `settled_before` (the file's last change and the racy window: an edit after the
    hash then has to move the file's times, however coarse the file system keeps them).
    None for anything else, a damaged entry too."""
    try:
        if entry[:4] == key and entry[5] > settled_before and isinstance(entry[4], str):
            return entry[4]
    except (TypeError, IndexError, KeyError):
        pass
    return None
