"""The manifest of a publish: written a page at a time (with the sitemap), read back a page
at a time by the next publish (`PreviousManifest`), or whole for push and serve.

manifest.json holds the head (`version`, `base_url`, `source_locale`), `pages` one entry a
line in (slug, region) order, then `assets`, `skipped` and `warnings`; past
`manifest_shard_pages` pages it is the index of manifest-NNNN.jsonl shards
(pipeline/shards.py). Reading and writing it never holds a site's worth of entries.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import orjson

from pipeline.errors import PublishError
from pipeline.shards import ShardWriter, checked_shards, remove_stale_shards, shard_lines
from pipeline.sitemap import SitemapWriter

MANIFEST = "manifest.json"


PAGES_OPEN = '"pages":['
# Manifests are read with orjson: a publish reads the previous one a page at a time in each of
# its two passes (plan, then merge), and orjson builds the same dicts in about half the time
# of the standard library's decoder (1,000 articles x 7: 0.11 s a pass instead of 0.19 s).
# Its errors are json.JSONDecodeErrors. Manifests are written with json, whose bytes they keep.
loads = orjson.loads


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
                    self.head = loads(first.rstrip("\n")[: -len(PAGES_OPEN)] + '"pages":[]}')
                    self.head.pop("pages")
                    self.tail = loads("{" + tail_line(self.path)[2:])
                    for entry in self.tail.get("skipped", []):
                        check_entry(entry)
                    return
            self.read_whole()
        except FileNotFoundError:
            self.path = None
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as error:
            raise PublishError(f"{self.path}: unreadable manifest ({error})") from None

    def read_whole(self) -> None:
        data = checked_manifest(loads(self.path.read_text(encoding="utf-8")))
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
                    entry = check_entry(loads(text))
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
        manifest = checked_manifest(loads(text))
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
