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

# The manifest's reader and writer live in pipeline/manifest.py; these names stay importable
# from here for the modules that read a publish (push, serve).
from pipeline.manifest import (  # noqa: F401
    MANIFEST,
    ManifestWriter,
    PreviousManifest,
    check_entry,
    dump_line,
    read_manifest,
)
from pipeline.pagewriter import TEMPORARY, WRITING, PageWriter

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
        self.root, self.held = self.prepare()
        self.files = PageWriter(self.root)
        self.token = uuid.uuid4().hex
        (self.root / WRITING).write_text(self.token, encoding="utf-8")
        self.written: list[str] = []  # files written or linked by this publish, while few
        self.wrote_many = False  # more than FSYNC_LIMIT: one sync of the disk instead
        # The index of the tree that this publish retires (the live one), written as the
        # previous manifest streams by; it becomes the standby's index after the exchange.
        self.index_path = self.output_dir.with_name(f".{output_dir.name}.index-{os.getpid()}")
        self.index = open(self.index_path, "w", encoding="utf-8")  # noqa: SIM115

    def prepare(self) -> tuple[Path, HeldPages]:
        """The tree to update (standby or new) and the pages it holds now."""
        claim(self.output_dir)
        claim(self.standby)
        for stale in self.output_dir.parent.glob(f".{self.output_dir.name}.building-*"):
            if is_ours(stale):  # left by a publish that was killed
                shutil.rmtree(stale, ignore_errors=True)
        for stale in self.output_dir.parent.glob(f".{self.output_dir.name}.index-*"):
            stale.unlink(missing_ok=True)
        index = self.standby / INDEX
        if self.output_dir.is_dir() and index.is_file():
            held = open_index(index)
            index.unlink()  # from here on the standby is dirty until committed
            if held is not None:
                return self.standby, held
        if self.standby.exists():
            remove_in_background(self.standby)
        name = f".{self.output_dir.name}.building-{uuid.uuid4().hex[:8]}"
        fresh = self.output_dir.with_name(name)
        fresh.mkdir()
        mark(fresh)
        return fresh, HeldPages(None)

    def write(self, relative: str, data: str | bytes) -> None:
        self.wrote(self.files.write(relative, data))

    def target(self) -> tuple[str, str]:
        """What a build worker needs to write pages into this tree (`PageWriter.attach`)."""
        return str(self.root), self.token

    def written_there(self, relative: str) -> None:
        """A file a build worker wrote into this tree."""
        self.wrote(f"{self.root}/{relative}")

    def link_from_live(self, relative: str) -> None:
        source = self.output_dir / relative
        try:
            self.wrote(self.files.link(source, relative))
        except FileNotFoundError:
            if source.exists():
                raise
            raise PublishError(
                f"{source} is missing from the previous publish (run: pipeline publish --force)"
            ) from None

    def wrote(self, path: str) -> None:
        if self.wrote_many:
            return
        self.written.append(path)
        if len(self.written) > FSYNC_LIMIT:
            self.wrote_many = True
            self.written.clear()

    def placed(self, entry: dict) -> None:
        """A page built now (its files written) is part of this tree."""
        self.held.take(entry["slug"], entry["region"])

    def keep(self, entry: dict) -> None:
        """A page not built now: bring it to its live version unless the tree holds that."""
        held = self.held.take(entry["slug"], entry["region"])
        if held != (entry["sha256"], entry["inputs"]):
            self.link_from_live(entry["path"])
            self.link_from_live(entry["json"])

    def retiring(self, entry: dict) -> None:
        """A page of the live tree, for the index it will have as the standby."""
        self.index.write(
            f"{entry['region']}\t{entry['slug']}\t{entry['sha256']}\t{entry.get('inputs', '')}\n"
        )

    def drop_unwanted(self) -> None:
        """Pages that left the site (their article, region or translation is gone)."""
        for slug, region in self.held.rest():
            html_path, json_path = page_files(region, slug)
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
        self.stop_writers()
        shutil.rmtree(self.root / TEMPORARY, ignore_errors=True)
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

    def stop_writers(self) -> None:
        """Build workers write no more into this tree: those that check find no token."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.root / WRITING)

    def abort(self) -> None:
        self.stop_writers()
        self.held.close()
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


def open_index(path: Path) -> HeldPages | None:
    """The standby's pages, or None when its index is damaged or not in (slug, region)
    order (the standby is then unused). The index is checked whole here and read again as
    the publish goes: the file stays open, so it may be unlinked meanwhile."""
    try:
        stream = open(path, encoding="utf-8")  # noqa: SIM115
    except OSError:
        return None
    last = None
    try:
        for line in stream:
            key = index_key(line)
            if last is not None and key <= last:
                raise ValueError("pages out of order")
            last = key
        stream.seek(0)
    except (OSError, UnicodeDecodeError, ValueError):
        stream.close()
        return None
    return HeldPages(stream)


def index_key(line: str) -> tuple[str, str]:
    region, slug, _, _ = line.rstrip("\n").split("\t")
    return slug, region


class HeldPages:
    """The pages a standby tree holds (its index), walked once beside the publish: pages are
    placed in (slug, region) order, the index's own, so that no page needs to be held in
    memory. Those the walk passes over are pages the publish does not place: they left the
    site (an article, region or translation gone; few), and are removed at the end."""

    def __init__(self, stream):
        self.stream = stream
        self.unwanted: list[tuple[str, str]] = []
        self.current = self.read()

    def read(self):
        """(key, (sha256, inputs)) of the next page of the index; None at its end."""
        line = self.stream.readline() if self.stream is not None else ""
        if not line:
            return None
        region, slug, sha256, inputs = line.rstrip("\n").split("\t")
        return (slug, region), (sha256, inputs)

    def take(self, slug: str, region: str) -> tuple[str, str] | None:
        """(sha256, inputs) of the page the tree holds for (slug, region), if any."""
        key = (slug, region)
        while self.current is not None and self.current[0] < key:
            self.unwanted.append(self.current[0])
            self.current = self.read()
        if self.current is not None and self.current[0] == key:
            held = self.current[1]
            self.current = self.read()
            return held
        return None

    def rest(self) -> list[tuple[str, str]]:
        """(slug, region) of every page held that was not taken."""
        while self.current is not None:
            self.unwanted.append(self.current[0])
            self.current = self.read()
        self.close()
        return self.unwanted

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()


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


# -- manifest.json and sitemap.xml, streamed ------------------------------------------------
#
# The manifest holds one page entry per line, in (slug, region) order:
#
#   {"version":1,"base_url":"...","source_locale":"en-US","pages":[
#   {"region":"de-DE","slug":"a",...},
#   {"region":"en-GB","slug":"a",...}
#   ],"assets":[...],"skipped":[...],"warnings":[...]}
#
# It is plain JSON for any reader; a publish writes it, and reads the previous one, a line at a
# time, so memory does not grow with the number of pages.
