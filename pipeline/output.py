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
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

from pipeline.errors import PublishError
from pipeline.files import write_atomic

MANIFEST = "manifest.json"
# In a standby tree only: region, slug, sha256 and inputs of each page it holds. Written right
# after the exchange that retires the tree, removed when a publish starts updating it.
INDEX = ".pipeline-pages"


class OutputTree:
    """The tree being prepared for one publish; `commit` makes it output/."""

    def __init__(self, output_dir: Path):
        self.output_dir = output_dir
        self.standby = output_dir.with_name(f".{output_dir.name}.standby")
        self.root, self.before = self.prepare()
        self.made_dirs: set[str] = set()
        self.written: list[str] = []  # files written or linked by this publish

    def prepare(self) -> tuple[Path, dict]:
        """The tree to update (standby or new) and the manifest it holds now."""
        for stale in self.output_dir.parent.glob(f".{self.output_dir.name}.building-*"):
            shutil.rmtree(stale, ignore_errors=True)  # left by a publish that was killed
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
        return fresh, {}

    def write(self, relative: str, data: str | bytes) -> None:
        target = self.path(relative)
        temporary = f"{target}.{os.getpid()}.tmp"
        with open(temporary, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(temporary, target)
        self.written.append(target)

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
        self.written.append(target)

    def path(self, relative: str) -> str:
        folder, _, _ = relative.rpartition("/")
        if folder and folder not in self.made_dirs:
            os.makedirs(self.root / folder, exist_ok=True)
            self.made_dirs.add(folder)
        return f"{self.root}/{relative}"

    def sync_pages(self, entries: list[dict], built: set) -> None:
        """Bring every page not built now to its live version; drop pages that left."""
        held = self.before
        wanted = set()
        for entry in entries:
            key = (entry["region"], entry["slug"])
            wanted.add(key)
            if key in built:
                continue
            old = held.get(key)
            if old != (entry["sha256"], entry["inputs"]):
                self.link_from_live(entry["path"])
                self.link_from_live(entry["json"])
        for key in held:
            if key not in wanted:
                html_path, json_path = page_files(*key)
                for name in (html_path, json_path):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(self.root / name)
                with contextlib.suppress(OSError):
                    os.rmdir((self.root / html_path).parent)

    def commit(self, manifest_text: str, sitemap_text: str, live_pages: list[dict]) -> None:
        """Swap the tree in; `live_pages` (the manifest being retired) indexes the standby."""
        self.write("sitemap.xml", sitemap_text)
        self.write(MANIFEST, manifest_text)
        self.flush()  # the new files reach the disk before they become visible
        if not self.output_dir.exists():
            os.rename(self.root, self.output_dir)
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
        write_index(self.standby / INDEX, live_pages)

    def flush(self) -> None:
        """fsync what this publish wrote (a few files: cheap), or the whole disk (many)."""
        if len(self.written) > 256:
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
        if self.root != self.standby:
            shutil.rmtree(self.root, ignore_errors=True)
        # A dirty standby (no manifest) is discarded by the next publish.


def read_manifest(output_dir: Path) -> dict:
    """A publish's manifest, {} when there is none (the one reader: publish, push, serve)."""
    path = output_dir / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise PublishError(f"{path}: unreadable manifest ({error})") from None
    shared: dict = {}  # one alternates list per article, as the publish itself holds them
    for entry in manifest.get("pages", []):
        key = tuple((a["hreflang"], a["href"]) for a in entry["alternates"])
        entry["alternates"] = shared.setdefault(key, entry["alternates"])
    return manifest


def page_files(region: str, slug: str) -> tuple[str, str]:
    return f"{region}/{slug}/index.html", f"{region}/{slug}.json"


def write_index(path: Path, pages: list[dict]) -> None:
    lines = [f"{p['region']}\t{p['slug']}\t{p['sha256']}\t{p.get('inputs', '')}" for p in pages]
    write_atomic(path, "\n".join(lines))


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
