"""Files written into an output tree being prepared, by the publish or its build workers.

The tree is the hidden one beside output/ that a publish swaps in whole (pipeline/output.py).
Workers that see it (local workers, a cluster's with the output on the shared volume) write
their pages there themselves; the publish writes its token into the tree for them to find.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
import weakref
from pathlib import Path

from pipeline.errors import PublishError

# In a tree being prepared: the publish's token. A build worker that reads it there writes its
# pages into the tree itself (it sees the coordinator's disk); one that does not sends them.
WRITING = ".pipeline-writing"
# In a tree being prepared: files being written, renamed into place once whole. Removed before
# the tree is swapped in, with whatever a writer killed midway left there.
TEMPORARY = ".pipeline-tmp"
RECENT_FOLDERS = 64  # an article's folders in every region, with room to spare


class PageWriter:
    """Files written into a tree being prepared, by the coordinator or a build worker.

    Each file is written whole in the tree's TEMPORARY folder, then renamed into place, never
    rewritten in place (the tree shares inodes with the live one); a writer killed midway
    leaves its part there, and `commit` removes the folder. Everything is done relative to
    the tree's folder as it was opened, never by its path: a worker whose publish has ended
    (its tree removed, or discarded by the next publish) writes nowhere a publish reads,
    not into a later tree at the same path."""

    def __init__(self, root: Path | str, token: str | None = None):
        self.root = str(root)
        self.token = token  # a worker's: the publish it writes for
        self.fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
        weakref.finalize(self, os.close, self.fd)
        with contextlib.suppress(FileExistsError):
            os.mkdir(TEMPORARY, dir_fd=self.fd)
        # Folders made lately, oldest first: a page's two files are in two folders
        # (region/slug/index.html, region/slug.json), and pages come an article at a time.
        self.made_dirs: dict[str, None] = {}

    @classmethod
    def attach(cls, root: str, token: str) -> PageWriter | None:
        """A writer into the tree at `root` if this process sees that publish's tree there
        (a worker on another machine may not), else None: the worker then sends its pages."""
        try:
            writer = cls(root, token)
        except OSError:
            return None
        return writer if writer.token_seen() == token else None

    def token_seen(self) -> str | None:
        try:
            descriptor = os.open(WRITING, os.O_RDONLY, dir_fd=self.fd)
        except OSError:
            return None
        with open(descriptor, encoding="utf-8", errors="replace") as stream:
            return stream.read()

    def check(self) -> None:
        """Refuse to build for a publish that has ended (it failed: a task on a cluster can
        outlive its command); its tree no longer holds the token."""
        if self.token is not None and self.token_seen() != self.token:
            raise PublishError(f"{self.root}: the publish these pages were built for has ended")

    def write(self, relative: str, data: str | bytes) -> str:
        """Write `data` at `relative` (a path under the root); the path written."""
        temporary = self.temporary()
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666, dir_fd=self.fd)
        with open(descriptor, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
        return self.place(temporary, relative)

    def link(self, source: Path, relative: str) -> str:
        """Hard-link `source` (a copy where links are refused) at `relative`; the path."""
        temporary = self.temporary()
        try:
            os.link(source, temporary, dst_dir_fd=self.fd)
        except FileNotFoundError:
            raise
        except OSError:
            shutil.copy2(source, f"{self.root}/{temporary}")
        return self.place(temporary, relative)

    def temporary(self) -> str:
        return f"{TEMPORARY}/{uuid.uuid4().hex}"

    def place(self, temporary: str, relative: str) -> str:
        folder, _, _ = relative.rpartition("/")
        if folder and folder not in self.made_dirs:
            self.make_folders(folder)
            self.made_dirs[folder] = None
            if len(self.made_dirs) > RECENT_FOLDERS:
                del self.made_dirs[next(iter(self.made_dirs))]
        os.replace(temporary, relative, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        return f"{self.root}/{relative}"

    def make_folders(self, folder: str) -> None:
        """`folder` and those above it, under the root (one mkdir when its parent exists)."""
        try:
            os.mkdir(folder, dir_fd=self.fd)
        except FileExistsError:
            return
        except FileNotFoundError:
            parent = folder.rpartition("/")[0]
            if not parent:
                raise
            self.make_folders(parent)
            with contextlib.suppress(FileExistsError):
                os.mkdir(folder, dir_fd=self.fd)
