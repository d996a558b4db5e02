"""The `file` commands' cache: pages already segmented and catalogs already read, kept by
content hash: merging a page into a second language (or extracting it again) reads its
segments back instead of parsing the page again, and a catalog merged again unchanged is not
parsed again. Merges fill the cache; `file extract` only reads it. A project's articles are
kept here too once parsed (`source.cached_article`); what else commands run in a project
remember is in the project's state file (`pipeline.state`), which holds no pickles.

The cache lives in $PIPELINE_CACHE_DIR, else $XDG_CACHE_HOME/pipeline, else ~/.cache/pipeline;
PIPELINE_CACHE_DIR=off turns it off. Keys hash the page's bytes with this package's code, so
a new version never reads an old entry; a file that has not changed for a while is also
known by its inode, size and times (`stat_key`), so it need not be read and hashed again.
The cache is only ever a shortcut: an entry that cannot be read or written is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import time
from functools import lru_cache
from pathlib import Path

from pipeline.files import read_bytes, temporary_name, write_atomic

PACKAGE = Path(__file__).parent


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of this package's code and templates: new code means new results."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".py", ".html", ".json") and path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def folder() -> Path | None:
    # Asked for every file a batch reads: the path is built once per setting.
    environ = os.environ
    return folder_for(
        environ.get("PIPELINE_CACHE_DIR"), environ.get("XDG_CACHE_HOME"), environ.get("HOME")
    )


@lru_cache(maxsize=8)
def folder_for(configured: str | None, xdg_cache: str | None, home: str | None) -> Path | None:
    if configured == "off":
        return None
    if configured:
        return Path(configured) / "pages"
    base = xdg_cache or Path(home or Path.home()) / ".cache"
    return Path(base) / "pipeline" / "pages"


def key_of(data: bytes, kind: str = "page") -> str:
    # SHA-256: OpenSSL computes it with the CPU's SHA instructions where it has them (here
    # 2.5 times faster than BLAKE2b, which Python builds from portable C).
    digest = hashlib.sha256(f"{code_version()} {kind} ".encode())
    digest.update(data)
    return digest.hexdigest()


# A file changed less than this long ago may change again within the same mtime tick:
# it is not known by its stat (as git's index treats "racy" files).
SETTLED_SECONDS = 2.0


def stat_key(path: str, kind: str) -> str | None:
    """A key from the file's identity, size and times, or None while it may still change.

    Taken before the file is read: a change after that gives the file a new mtime and ctime,
    and so a new key. Hitting it saves reading and hashing the file (for a catalog, a tenth
    of merging a page). ctime cannot be set back, so a restored mtime does not fool it.
    None too when the cache is off."""
    if folder() is None:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    if time.time() - max(info.st_mtime, info.st_ctime) < SETTLED_SECONDS:
        return None
    identity = (
        f"{code_version()} {kind} {info.st_dev} {info.st_ino} {info.st_size} "
        f"{info.st_mtime_ns} {info.st_ctime_ns}"
    )
    return hashlib.sha256(identity.encode()).hexdigest()


def lookup(known_as: str | None, contents, kind: str, make, fill: bool = True):
    """The cached value for a file, else `make(its bytes)`, kept when `fill`; `contents()`
    reads those bytes.

    `known_as`: the file's `stat_key`, taken before it was read. A settled file is looked
    up by it first; its bytes are read and hashed only when that misses. An entry is kept
    under its content key, and under the stat key as a second name for the same file: the
    stat key finds an unchanged file without reading it, the content key finds the same bytes
    in a copy, a fresh clone or another checkout. Without `fill` (`file extract`), a settled
    file is looked up by its stat alone. With the cache off, nothing is hashed."""
    if folder() is None:
        return make(contents())
    if known_as:
        value = load(known_as)
        if value is not None:
            return value
        if not fill:
            return make(contents())
    data = contents()
    key = key_of(data, kind)
    value = load(key)
    if value is None:
        value = make(data)
        if not fill:
            return value
        store(key, value)
    if known_as:
        alias(known_as, key, value)
    return value


def alias(known_as: str, key: str, value) -> None:
    """Keep the entry stored under `key` under `known_as` too, in place of whatever is there
    (a damaged entry): a hard link, as entries are never changed (a second copy where the
    file system has no links)."""
    place = folder()
    temporary = temporary_name(place / known_as)
    try:
        os.link(place / key, temporary)
        os.replace(temporary, place / known_as)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        store(known_as, value)


def load(key: str):
    place = folder()
    if place is None:
        return None
    try:
        return pickle.loads(read_bytes(os.path.join(place, key)))
    except Exception:  # noqa: BLE001 (missing, cut short, written by something else: rebuild)
        return None


def store(key: str, value) -> None:
    place = folder()
    if place is None:
        return
    pickled = io.BytesIO()
    pickler = pickle.Pickler(pickled, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = compact_reducers()
    pickler.dump(value)
    # A full disk or a read-only home: no cache this time. No fsync: an entry lost in a crash
    # is only made again.
    with contextlib.suppress(OSError):
        write_atomic(place / key, pickled.getvalue(), sync=False)


KEEP_DAYS = 30  # an entry is dropped this long after it was written, used or not
PRUNE_EVERY_SECONDS = 86400.0
PRUNED_MARKER = ".pruned"  # its mtime: when the cache was last pruned


def prune(now: float | None = None) -> int:
    """Drop entries older than KEEP_DAYS, at most once a day; the number dropped.

    Entries are never updated, so without this the cache grows with every page and catalog
    version and every upgrade of this package (whose entries no new key can name). An entry
    still in use is simply made again once a month. Temporary files a killed run left are
    dropped after a day."""
    place = folder()
    if place is None:
        return 0
    now = time.time() if now is None else now
    marker = place / PRUNED_MARKER
    try:
        if now - marker.stat().st_mtime < PRUNE_EVERY_SECONDS:
            return 0
    except FileNotFoundError:
        pass
    except OSError:
        return 0
    dropped = 0
    with contextlib.suppress(OSError):
        with os.scandir(place) as entries:
            for entry in entries:
                if expired(entry.name, now - entry.stat().st_mtime):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
                        dropped += 1
        marker.touch()
        os.utime(marker, (now, now))
    return dropped


def expired(name: str, age: float) -> bool:
    if name == PRUNED_MARKER:
        return False
    # Temporary files are write_atomic's (".<entry>.<pid>-<n>.tmp"), left by a killed run.
    return age > (PRUNE_EVERY_SECONDS if name.endswith(".tmp") else KEEP_DAYS * 86400)


@lru_cache(maxsize=1)
def compact_reducers() -> dict:
    """Pickle the model's dataclasses as constructor calls with positional fields.

    The default pickling of slotted dataclasses restores each object field by field through
    `dataclasses`' __setstate__, which looked the fields up again for every object: a quarter
    of the time of merging a page from the cache.
    """
    import dataclasses
    from operator import attrgetter

    from pipeline import model

    def reducer(cls):
        names = [field.name for field in dataclasses.fields(cls)]
        if len(names) == 1:
            return lambda obj: (cls, (getattr(obj, names[0]),))
        fields_of = attrgetter(*names)  # a tuple of the fields, read in C
        return lambda obj: (cls, fields_of(obj))

    return {
        cls: reducer(cls)
        for cls in vars(model).values()
        if isinstance(cls, type)
        and dataclasses.is_dataclass(cls)
        and cls.__module__ == model.__name__
    }
