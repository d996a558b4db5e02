"""The manifest of a large site: its page entries in `manifest-0001.jsonl`,
`manifest-0002.jsonl`... (one entry a line, `manifest_shard_pages` lines a shard, in
(slug, region) order), and `manifest.json` the index that lists them:

    {"version":1,"base_url":"...","source_locale":"en-US",
     "shards":[{"path":"manifest-0001.jsonl","pages":50000,"sha256":"..."},...],
     "assets":[...],"skipped":[...],"warnings":[...]}

A site of up to `manifest_shard_pages` pages keeps the one `manifest.json` holding `pages`.
Both are written and read a line at a time: memory does not grow with the site.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import orjson

SHARD = "manifest-{:04d}.jsonl"
SHARD_NAME = re.compile(r"manifest-[0-9]{4,}\.jsonl")


class ShardWriter:
    """Page lines into shards of `shard_pages` lines in `folder`, each hashed as written."""

    def __init__(self, folder: str, shard_pages: int):
        self.folder = folder
        self.shard_pages = shard_pages
        self.temporaries: list[str] = []
        self.shards: list[dict] = []  # path, pages, sha256 of each shard, in order
        self.stream = None
        self.digest = hashlib.sha256()

    def add(self, line: str) -> None:
        if self.stream is None or self.shards[-1]["pages"] >= self.shard_pages:
            self.finish_shard()
            name = SHARD.format(len(self.shards) + 1)
            self.temporaries.append(f"{self.folder}/{name}.{os.getpid()}.tmp")
            self.stream = open(self.temporaries[-1], "wb")  # noqa: SIM115
            self.shards.append({"path": name, "pages": 0, "sha256": ""})
        data = line.encode("utf-8") + b"\n"
        self.stream.write(data)
        self.digest.update(data)
        self.shards[-1]["pages"] += 1

    def finish_shard(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.shards[-1]["sha256"] = self.digest.hexdigest()
            self.digest = hashlib.sha256()

    def close(self) -> list[str]:
        """Rename the shards into place; their paths."""
        self.finish_shard()
        self.stream = None
        paths = [f"{self.folder}/{shard['path']}" for shard in self.shards]
        for temporary, path in zip(self.temporaries, paths, strict=True):
            os.replace(temporary, path)
        return paths

    def discard(self) -> None:
        if self.stream is not None:
            self.stream.close()
        for temporary in self.temporaries:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)


def checked_shards(shards) -> list[dict]:
    """The index's list of shards, each a plain file name beside manifest.json."""
    if not isinstance(shards, list):
        raise ValueError('"shards" is not a list')
    for shard in shards:
        if not (
            isinstance(shard, dict)
            and isinstance(shard.get("path"), str)
            and SHARD_NAME.fullmatch(shard["path"])
            and isinstance(shard.get("sha256"), str)
        ):
            raise ValueError(f"a shard that is not manifest-NNNN.jsonl: {str(shard)[:60]}")
    return shards


def shard_lines(folder: Path, shards: list[dict]) -> Iterator[tuple[dict, str]]:
    """(entry, line) of every page of the shards, in order. A shard whose bytes are not the
    ones the index names (cut short, edited, from another publish) raises ValueError once
    it has been read."""
    for shard in shards:
        digest = hashlib.sha256()
        with open(folder / shard["path"], "rb") as stream:
            for data in stream:
                digest.update(data)
                text = data.decode("utf-8").rstrip("\n")
                yield orjson.loads(text), text  # as manifest.loads
        if digest.hexdigest() != shard["sha256"]:
            raise ValueError(f"{shard['path']} does not hold what the index says")


def remove_stale_shards(folder: str, written: list[str]) -> None:
    """Shards of an earlier, larger publish left in a reused tree."""
    keep = {Path(path).name for path in written}
    for path in Path(folder).glob("manifest-*.jsonl"):
        if path.name not in keep:
            path.unlink(missing_ok=True)
