"""The project lock: one run at a time writes a project's catalogs, output and state.

Two runs at once (publish and publish, publish and update, update and update) would each
read what the other is halfway through replacing. The lock is an `flock` on
`.pipeline-cache/lock`: the kernel releases it when its process ends, however it ends, so a
killed run never leaves a stale lock behind. The file names the holder (process id and
command) for the message the second run prints while the lock is held; it is never deleted,
since deleting a lock file while another process waits on it would let a third one take a
second lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import BusyError

LOCK_NAME = "lock"


@contextmanager
def project_lock(cache_dir: Path, command: str, wait: bool = False) -> Iterator[None]:
    """Hold the project's lock for the block; BusyError at once if another run holds it
    (or, with `wait`, block until that run ends)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / LOCK_NAME
    handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise BusyError(
                f"{path}: another run is working on this project ({holder(handle)}); "
                "try again when it has finished, or pass --wait"
            ) from None
        name = f"{os.getpid()} {command}\n".encode()
        os.pwrite(handle, name, 0)  # then cut what a longer earlier name left: never empty
        os.ftruncate(handle, len(name))
        try:
            yield
        finally:
            # The name goes with the lock: a run refused in the moment between the next
            # holder's lock and its name waits for that name (`holder`) instead of reading
            # this run's. (A killed run leaves its name; the next holder overwrites it.)
            with contextlib.suppress(OSError):
                os.ftruncate(handle, 0)
    finally:
        os.close(handle)  # releases the lock (so does the end of the process)


def holder(handle: int, patience: float = 1.0) -> str:
    """Who holds the lock, as its holder wrote it: 'pid 123: pipeline publish'. The holder
    writes its name just after taking the lock: a run that comes in between waits for it a
    moment (up to `patience` seconds) rather than naming nobody."""
    deadline = time.monotonic() + patience
    text = os.pread(handle, 4096, 0).decode("utf-8", "replace").strip()
    while not text.partition(" ")[0].isdigit():
        if time.monotonic() > deadline:
            break
        time.sleep(0.02)
        text = os.pread(handle, 4096, 0).decode("utf-8", "replace").strip()
    pid, _, command = text.partition(" ")
    if not pid.isdigit():
        return "process unknown: it has only just started"
    return f"pid {pid}: {command}"
