"""Atomic file writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

from pipeline.errors import PathError

SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def write_atomic(
    path: Path,
    data: bytes | str,
    encoding: str = "utf-8",
    sync: bool = True,
    only_if: Callable[[], bool] | None = None,
) -> bool:
    """Write to a temporary file beside `path`, flush it to disk, then rename it over;
    whether it did.

    `sync=False` leaves the flush to the caller, who syncs the disk once after a batch (the
    rename stays atomic: an interrupted batch leaves each file old or new, never cut short).
    `only_if` is asked just before the rename, when the new content is on disk: False
    leaves `path` as it is (a file someone else changed meanwhile is not written over).
    """
    if isinstance(data, str):
        data = data.encode(encoding)
    try:
        handle, temporary = open_temporary(path)
    except FileNotFoundError:  # the folder is new (asked only then: a syscall a file saved)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = open_temporary(path)
    try:
        try:
            write_all(handle, data)
            if sync:
                os.fsync(handle)
        finally:
            os.close(handle)
        if only_if is not None and not only_if():
            os.unlink(temporary)
            return False
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return True


def write_all(handle: int, data: bytes) -> None:
    """`data` written with os.write, which may write less than asked: no file object (an
    io.open costs an fstat, an ioctl and an lseek per file, a third of writing a page)."""
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view) :]


_numbers = itertools.count()


def temporary_name(path: Path) -> str:
    """A new name beside `path` for its next content (old ones a killed run left are pruned
    by their `.tmp` ending)."""
    return str(path.with_name(f".{path.name}.{os.getpid()}-{next(_numbers)}.tmp"))


def open_temporary(path: Path) -> tuple[int, str]:
    """A new file beside `path` for its next content, with the mode `path` has: a file
    replaced keeps its permissions, a new one gets the usual ones (0o666 less the umask;
    tempfile.mkstemp would make every file written private to its owner, 0o600)."""
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        mode = None
    while True:
        temporary = temporary_name(path)
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:  # left by a killed run with the same process id
            continue
        if mode is not None:
            os.fchmod(handle, mode)
        return handle, temporary


def write_if_changed(path: Path, data: bytes | str, sync: bool = True) -> bool:
    """Atomic write that leaves an identical file untouched (mtime and all); whether it wrote.
    A file of another size is not read to be compared."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        same_size = os.stat(path).st_size == len(data)
    except OSError:
        same_size = False
    if same_size and read_if_present(path) == data:
        return False
    write_atomic(path, data, sync=sync)
    return True


def read_if_present(path: Path) -> bytes | None:
    try:
        return read_bytes(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


MAX_INPUT_BYTES = 256 * 1024 * 1024  # no page, catalog or setting file comes near this


def read_bytes(path: str | Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """A whole regular file, as `Path.read_bytes` reads it, without a file object (for the
    many small files a batch reads that was a third of reading one).

    Anything else is refused with an OSError naming the file: a FIFO would block forever
    (it is opened without waiting for a writer), /dev/zero or /dev/urandom never end, and a
    file over `limit` bytes would exhaust memory."""
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        status = os.fstat(handle)
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, f"not a regular file ({file_kind(status.st_mode)})", path)
        os.set_blocking(handle, True)
        size = status.st_size
        data = os.read(handle, min(size, limit) + 1)  # one byte more: a file that grew
        if len(data) <= size and len(data) <= limit:
            return data
        chunks, total = [data], len(data)
        while total <= limit and (chunk := os.read(handle, 1 << 20)):
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise too_large(path, limit)
        return b"".join(chunks)
    finally:
        os.close(handle)


def read_stream(stream, name: str, limit: int = MAX_INPUT_BYTES) -> bytes:
    """All of a binary stream (stdin), refused past `limit` bytes."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise too_large(name, limit)
    return data


def too_large(path, limit: int) -> OSError:
    return OSError(errno.EFBIG, f"larger than the {limit // (1 << 20)} MiB limit", path)


def file_kind(mode: int) -> str:
    kinds = [
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((name for test, name in kinds if test(mode)), "not a file")


def safe_name(name: str, what: str) -> str:
    """A slug or locale used as a file name: refuse anything that could leave its folder."""
    if not SAFE_NAME.match(name) or ".." in name:
        raise PathError(f"invalid {what} {name!r}: use letters, digits, '-', '_' and '.'")
    return name


def read_utf8(path: Path, fail, missing: str = "no such file") -> str:
    """A text input's characters (a UTF-8 BOM dropped), read as every input is: a regular
    file, size-limited. `fail(message)` makes the project error to raise; its message names
    the file (and the line of a byte that is not UTF-8)."""
    try:
        data = read_bytes(path)
    except FileNotFoundError:
        raise fail(f"{path}: {missing}") from None
    except OSError as error:
        raise fail(f"{path}: {error.strerror}") from None
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise fail(
            f"{path}:{line}: not UTF-8 (byte {data[error.start]:#04x}); save the file as UTF-8"
        ) from None
