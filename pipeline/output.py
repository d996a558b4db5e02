"""The output folder, double-buffered: a publish prepares a hidden standby tree, then
exchanges it with output/ in one rename.

The standby is the tree the previous publish retired. It differs from the live tree only by
what that publish changed, so bringing it up to date costs as much as the change, not as
much as the site (a fresh tree of 7,000 pages means 7,000 mkdirs). Files are replaced
through a temporary name and a rename, never rewritten in place: the standby shares most
inodes with the live tree through hard links. A standby without its manifest was left by an
interrupted publish; it is discarded and a fresh tree built.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

from pipeline.errors import PathError, PublishError
from pipeline.manifest import (  # noqa: F401 (publish, cms and serve name them from here)
    MANIFEST,
    ManifestWriter,
    PreviousManifest,
    dump_line,
    read_manifest,
)

# In a standby tree only: region, slug, sha256 and inputs of each page it holds. Written right
# after the exchange that retires the tree, removed when a publish starts updating it.
INDEX = ".pipeline-pages"
# In every tree publish makes: the mark of a folder that holds only what publish wrote. A folder
# without it is never exchanged, emptied or deleted by publish.
MARKER = ".pipeline-output"
MARKER_TEXT = "Made by pipeline publish: everything in this folder is replaced by each publish.\n"
FSYNC_LIMIT = 256  # files a publish fsyncs one by one; past that, one sync of the disk


class OutputTree:
    """The tree being prepared for one publish; `commit` makes it output/."""

    def __init__(self, output_dir: Path):
        self.output_dir = output_dir
        self.standby = output_dir.with_name(f".{output_dir.name}.standby")
        self.root, self.before = self.prepare()
        self.last_dir = ""  # pages come a folder at a time: remembering one is enough
        self.written: list[str] = []  # files written or linked by this publish, while few
        self.wrote_many = False  # more than FSYNC_LIMIT: one sync of the disk instead
        self.unwanted = set(self.before)  # pages held now that this publish has not placed
        # The index of the tree that this publish retires (the live one), written as the
        # previous manifest streams by; it becomes the standby's index after the exchange.
        self.index_path = self.output_dir.with_name(f".{output_dir.name}.index-{os.getpid()}")
        self.index = open(self.index_path, "w", encoding="utf-8")  # noqa: SIM115

    def prepare(self) -> tuple[Path, dict]:
        """The tree to update (standby or new) and the manifest it holds now."""
        claim(self.output_dir)
        claim(self.standby)
        for stale in self.output_dir.parent.glob(f".{self.output_dir.name}.building-*"):
            if is_ours(stale):  # left by a publish that was killed
                shutil.rmtree(stale, ignore_errors=True)
        for stale in self.output_dir.parent.glob(f".{self.output_dir.name}.index-*"):
            stale.unlink(missing_ok=True)
        index = self.standby / INDEX
        if self.output_dir.is_dir() and index.is_file():
            held = read_index(index)
            index.unlink()  # from here on the standby is dirty until committed
            if held is not None:
                return self.standby, held
        if self.standby.exists():
            remove_in_background(self.standby)
        name = f".{self.output_dir.name}.building-{uuid.uuid4().hex[:8]}"
        fresh = self.output_dir.with_name(name)
        fresh.mkdir()
        mark(fresh)
        return fresh, {}

    def write(self, relative: str, data: str | bytes) -> None:
        target = self.path(relative)
        temporary = f"{target}.{os.getpid()}.tmp"
        with open(temporary, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(temporary, target)
        self.wrote(target)

    def link_from_live(self, relative: str) -> None:
        source = self.output_dir / relative
        target = self.path(relative)
        temporary = f"{target}.{os.getpid()}.tmp"
        try:
            os.link(source, temporary)
        except FileNotFoundError:
            raise PublishError(
                f"{source} is missing from the previous publish (run: pipeline publish --force)"
            ) from None
        except OSError:
            shutil.copy2(source, temporary)
        os.replace(temporary, target)
        self.wrote(target)

    def wrote(self, path: str) -> None:
        if self.wrote_many:
            return
        self.written.append(path)
        if len(self.written) > FSYNC_LIMIT:
            self.wrote_many = True
            self.written.clear()

    def path(self, relative: str) -> str:
        folder, _, _ = relative.rpartition("/")
        if folder and folder != self.last_dir:
            os.makedirs(self.root / folder, exist_ok=True)
            self.last_dir = folder
        return f"{self.root}/{relative}"

    def placed(self, entry: dict) -> None:
        """A page built now (its files written) is part of this tree."""
        self.unwanted.discard((entry["region"], entry["slug"]))

    def keep(self, entry: dict) -> None:
        """A page not built now: bring it to its live version unless the tree holds that."""
        key = (entry["region"], entry["slug"])
        self.unwanted.discard(key)
        if self.before.get(key) != (entry["sha256"], entry["inputs"]):
            self.link_from_live(entry["path"])
            self.link_from_live(entry["json"])

    def retiring(self, entry: dict) -> None:
        """A page of the live tree, for the index it will have as the standby."""
        self.index.write(
            f"{entry['region']}\t{entry['slug']}\t{entry['sha256']}\t{entry.get('inputs', '')}\n"
        )

    def drop_unwanted(self) -> None:
        """Pages that left the site (their article, region or translation is gone)."""
        for key in self.unwanted:
            html_path, json_path = page_files(*key)
            for name in (html_path, json_path):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.root / name)
            page_folder = (self.root / html_path).parent
            # The page's folder, then its region's once it holds no other page: a tree that
            # publish updates holds the folders a fresh publish makes, and no empty ones.
            for folder in (page_folder, page_folder.parent):
                with contextlib.suppress(OSError):
                    os.rmdir(folder)

    def commit(self, files: list[str]) -> None:
        """Swap the tree in (`files`: written into it directly, such as the manifest)."""
        for path in files:
            self.wrote(path)
        self.index.close()
        self.flush()  # the new files reach the disk before they become visible
        if not self.output_dir.exists():
            os.rename(self.root, self.output_dir)
            self.index_path.unlink(missing_ok=True)
            return
        if exchange(self.root, self.output_dir):
            if self.root != self.standby:
                if self.standby.exists():
                    remove_in_background(self.standby)
                os.rename(self.root, self.standby)  # the retired tree waits for next time
        else:
            # No atomic exchange on this system: two renames, the old tree restored on failure.
            retired = self.output_dir.with_name(f".{self.output_dir.name}.retired")
            shutil.rmtree(retired, ignore_errors=True)
            os.rename(self.output_dir, retired)
            try:
                os.rename(self.root, self.output_dir)
            except OSError:
                os.rename(retired, self.output_dir)
                raise
            if self.standby.exists():
                remove_in_background(self.standby)
            os.rename(retired, self.standby)
        mark(self.standby)  # the retired tree may have been an empty folder made by hand
        os.replace(self.index_path, self.standby / INDEX)

    def flush(self) -> None:
        """fsync what this publish wrote (a few files: cheap), or the whole disk (many)."""
        if self.wrote_many:
            os.sync()
            return
        folders = {os.path.dirname(path) for path in self.written}
        for path in [*self.written, *folders]:
            descriptor = os.open(path, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)

    def abort(self) -> None:
        self.index.close()
        self.index_path.unlink(missing_ok=True)
        if self.root != self.standby:
            shutil.rmtree(self.root, ignore_errors=True)
        # A dirty standby (no manifest) is discarded by the next publish.


def is_ours(folder: Path) -> bool:
    """The folder was made by publish (it has the marker), or holds nothing to lose."""
    if (folder / MARKER).is_file():
        return True
    try:
        return next(os.scandir(folder), None) is None
    except FileNotFoundError:
        return True


def claim(folder: Path) -> None:
    """Refuse a folder that publish would exchange or delete but did not make."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise PathError(f"{folder}: not a folder; publish needs a folder of its own")
    if folder.is_dir() and not is_ours(folder):
        raise PathError(
            f"{folder}: holds files publish did not write (no {MARKER} marker); "
            "set `output` to a folder of its own, or empty this one"
        )


def mark(folder: Path) -> None:
    if not (folder / MARKER).is_file():
        (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


def page_files(region: str, slug: str) -> tuple[str, str]:
    return f"{region}/{slug}/index.html", f"{region}/{slug}.json"


def read_index(path: Path) -> dict | None:
    """The standby's pages, or None when the index is damaged (the standby is then unused)."""
    held = {}
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            region, slug, sha256, inputs = line.split("\t")
            held[(region, slug)] = (sha256, inputs)
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return held


def remove_in_background(folder: Path) -> None:
    """Deleting thousands of files need not hold up the command (as `git gc` detaches)."""
    doomed = folder.with_name(f"{folder.name}.doomed-{uuid.uuid4().hex[:8]}")
    try:
        os.rename(folder, doomed)
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import shutil, sys; shutil.rmtree(sys.argv[1], True)",
                str(doomed),
            ],
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


RENAME_EXCHANGE = 2
AT_FDCWD = -100


def exchange(first: Path, second: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): swap two paths atomically. False if unsupported."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
        renameat2.argtypes = [
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_uint,
        ]
        result = renameat2(
            AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE
        )
        return result == 0
    return False
