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

from pipeline.errors import PathError, PublishError
from pipeline.shards import ShardWriter, checked_shards, remove_stale_shards, shard_lines
from pipeline.sitemap import SitemapWriter

MANIFEST = "manifest.json"
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


def read_manifest(output_dir: Path) -> dict:
    """A publish's manifest, whole, {} when there is none (for push and serve; publish
    streams it with PreviousManifest)."""
    path = output_dir / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError as error:
        raise PublishError(f"{path}: unreadable manifest ({error})") from None
    try:
        manifest = checked_manifest(json.loads(text))
        if "shards" in manifest:  # a large site's: its pages read from the shards
            shards = checked_shards(manifest.pop("shards"))
            manifest["pages"] = [check_entry(entry) for entry, _ in shard_lines(output_dir, shards)]
    except (OSError, json.JSONDecodeError, UnicodeDecodeError, ValueError) as error:
        raise PublishError(f"{path}: unreadable manifest ({error})") from None
    shared: dict = {}  # one alternates list per article, as the publish itself holds them
    for entry in manifest.get("pages", []):
        alternates = entry.get("alternates")
        if isinstance(alternates, list):
            key = json.dumps(alternates, sort_keys=True)
            entry["alternates"] = shared.setdefault(key, alternates)
    return manifest


def checked_manifest(data) -> dict:
    """`data` as a manifest: an object whose pages and skips name their region and article."""
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    for key in ("pages", "skipped"):
        entries = data.get(key, [])
        if not isinstance(entries, list):
            raise ValueError(f'"{key}" is not a list')
        for entry in entries:
            check_entry(entry)
    return data


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

PAGES_OPEN = '"pages":['


def dump_line(data) -> str:
    # Compact: with `indent`, json falls back to its pure-Python encoder (4 s per 7,000 pages).
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class ManifestWriter:
    """manifest.json and sitemap.xml of a publish, written page by page into `folder`.

    Past `shard_pages` pages (0: never) the pages go to manifest-NNNN.jsonl shards and
    manifest.json becomes their index (pipeline/shards.py); the sitemap splits by itself
    (pipeline/sitemap.py)."""

    def __init__(self, folder: str, head: dict, shard_pages: int = 0):
        self.folder, self.head, self.shard_pages = folder, head, shard_pages
        self.path = f"{folder}/{MANIFEST}"
        self.temporary = f"{self.path}.{os.getpid()}.tmp"
        self.manifest = open(self.temporary, "w", encoding="utf-8")  # noqa: SIM115
        self.sitemap = SitemapWriter(folder, head.get("base_url", ""))
        opening = dump_line(head)[:-1]
        self.manifest.write(opening + ("," if head else "") + PAGES_OPEN)
        self.separator = "\n"
        self.count = 0
        self.shards: ShardWriter | None = None

    def add(self, entry: dict, line: str | None = None) -> None:
        """One page (`line`: its entry as the previous manifest held it, if unchanged)."""
        text = line or dump_line(entry)
        self.count += 1
        if self.shards is None and self.shard_pages and self.count > self.shard_pages:
            self.start_shards()
        if self.shards is not None:
            self.shards.add(text)
        else:
            self.manifest.write(self.separator + text)
            self.separator = ",\n"
        self.sitemap.add(entry)

    def start_shards(self) -> None:
        """The site outgrew one manifest: move the pages written so far into the first shard."""
        self.manifest.close()
        self.shards = ShardWriter(self.folder, self.shard_pages)
        with open(self.temporary, encoding="utf-8") as written:
            written.readline()  # the head
            for line in written:
                self.shards.add(line.rstrip("\n").removesuffix(","))
        self.manifest = open(self.temporary, "w", encoding="utf-8")  # noqa: SIM115

    def close(self, tail: dict) -> list[str]:
        """Finish the files; their paths (renamed into place)."""
        shards = []
        if self.shards is None:
            self.manifest.write("\n]," + dump_line(tail)[1:] + "\n")
        else:
            shards = self.shards.close()
            index = {**self.head, "shards": self.shards.shards, **tail}
            self.manifest.write(dump_line(index) + "\n")
        self.manifest.close()
        os.replace(self.temporary, self.path)
        remove_stale_shards(self.folder, shards)
        return [self.path, *shards, *self.sitemap.close()]

    def discard(self) -> None:
        self.manifest.close()
        self.sitemap.discard()
        if self.shards is not None:
            self.shards.discard()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.temporary)


class PreviousManifest:
    """The live manifest, read a page at a time: its head and tail, and `pages()` in
    (slug, region) order as (entry, line). A manifest in another layout (hand-made, or from
    an older version) is read whole and sorted."""

    def __init__(self, output_dir: Path | None):
        self.path = output_dir / MANIFEST if output_dir else None
        self.head: dict = {}
        self.tail: dict = {}
        self.whole: list | None = None  # the pages of a manifest not in the streamed layout
        self.shards: list | None = None  # the shards of a large site's manifest
        self.count = 0  # pages read so far by pages()
        if self.path is None:
            return
        try:
            with open(self.path, encoding="utf-8") as stream:
                first = stream.readline()
                if first.rstrip("\n").endswith(PAGES_OPEN):
                    self.head = json.loads(first.rstrip("\n")[: -len(PAGES_OPEN)] + '"pages":[]}')
                    self.head.pop("pages")
                    self.tail = json.loads("{" + tail_line(self.path)[2:])
                    for entry in self.tail.get("skipped", []):
                        check_entry(entry)
                    return
            self.read_whole()
        except FileNotFoundError:
            self.path = None
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as error:
            raise PublishError(f"{self.path}: unreadable manifest ({error})") from None

    def read_whole(self) -> None:
        data = checked_manifest(json.loads(self.path.read_text(encoding="utf-8")))
        pages = data.pop("pages", [])
        if "shards" in data:  # the index of a large site's manifest: pages stay in the shards
            self.shards = checked_shards(data.pop("shards"))
        self.head = {
            key: data[key] for key in ("version", "base_url", "source_locale") if key in data
        }
        self.tail = {key: value for key, value in data.items() if key not in self.head}
        if self.shards is None:
            self.whole = sorted(pages, key=lambda e: (e["slug"], e["region"]))

    def sharded_as(self, shard_pages: int) -> bool:
        """Whether this manifest (its pages all read) is laid out as a publish of as many
        pages would write it now: one file up to `shard_pages` pages, shards of as many past."""
        if self.shards is None:
            return self.count <= shard_pages
        sizes = [shard.get("pages") for shard in self.shards]
        return self.count > shard_pages and all(size == shard_pages for size in sizes[:-1])

    def pages(self):
        self.count = 0
        for item in self.page_lines():
            self.count += 1
            yield item

    def page_lines(self):
        if self.path is None:
            return
        if self.shards is not None:
            try:
                for entry, text in shard_lines(self.path.parent, self.shards):
                    yield check_entry(entry), text
            except (OSError, UnicodeDecodeError, ValueError) as error:
                raise PublishError(f"{self.path}: unreadable manifest ({error})") from None
            return
        if self.whole is not None:
            yield from ((entry, None) for entry in self.whole)
            return
        with open(self.path, encoding="utf-8") as stream:
            stream.readline()
            for line in stream:
                if line.startswith("]"):
                    return
                text = line.rstrip("\n").removesuffix(",")
                try:
                    entry = check_entry(json.loads(text))
                except (json.JSONDecodeError, ValueError) as error:
                    raise PublishError(f"{self.path}: unreadable manifest ({error})") from None
                yield entry, text
        raise PublishError(f"{self.path}: unreadable manifest (cut short)")


def check_entry(entry) -> dict:
    """A page or skip entry names its region and article (publish orders pages by them)."""
    if not (
        isinstance(entry, dict)
        and isinstance(entry.get("slug"), str)
        and isinstance(entry.get("region"), str)
    ):
        raise ValueError(f"an entry without slug and region: {str(entry)[:60]}")
    return entry


def tail_line(path: Path) -> str:
    """The manifest's last line (`],"assets":...}`), read from the end of the file."""
    with open(path, "rb") as stream:
        stream.seek(0, os.SEEK_END)
        end = position = stream.tell()
        block = b""
        while position > 0:
            step = min(65536, position)
            position -= step
            stream.seek(position)
            block = stream.read(step) + block
            found = block.rfind(b"\n]", 0, len(block) - 1)
            if found >= 0:
                return block[found + 1 :].decode("utf-8").rstrip("\n")
        if end and block.startswith(b"]"):
            return block.decode("utf-8").rstrip("\n")
    raise ValueError("no end of the page list")
