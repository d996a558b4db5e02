"""Work over processes: ordered results, inline when a pool would cost more than it saves.

Where the work runs is an `Executor`: this machine's processes ("local", the default), or the
workers of a dask.distributed cluster ("dask", see pipeline/cluster.py). Both give the same
results in the same order, so the output does not depend on the choice.

Workers end with the process that started them, however it ends: a SIGKILL or an unhandled
SIGTERM gives the pool no chance to shut down, and its workers would otherwise wait for work
forever (reparented to PID 1).
"""

from __future__ import annotations

import itertools
import os
import select
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

MIN_ITEMS_PER_WORKER = 4
MAX_CHUNK = 16
PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_POLL = 0.5  # seconds between looks at the parent where it cannot be waited on


@dataclass(frozen=True)
class Executor:
    """Where a batch command's work runs: `kind` "local" (a process pool here) or "dask"
    (a dask.distributed cluster: the one at `scheduler`, or a local cluster without one)."""

    kind: str = "local"
    scheduler: str | None = None


LOCAL = Executor()


@dataclass
class Outcome:
    """Per-item results of a batch command, and the errors that did not stop it."""

    items: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


def ordered_map(
    function: Callable,
    items,
    jobs: int,
    initializer=None,
    initargs: tuple = (),
    chunks: bool = False,
    executor: Executor = LOCAL,
    in_flight: int = 4,
) -> Iterator:
    """`function` over `items` (a list, or any sized iterable), results in order; a pool
    only for enough work per worker.

    `chunks`: items are small (a page, not an article in every region), so they go to the
    workers several at a time. `executor`: where the work runs (jobs: workers of a local
    cluster). `in_flight`: items submitted per worker ahead of the consumer (fewer when an
    item's result is large)."""
    if executor.kind == "dask":
        from pipeline.cluster import dask_map  # dask is an optional extra

        yield from dask_map(
            function, items, executor, jobs, initializer, initargs, chunks, in_flight
        )
        return
    jobs = workers_for(jobs, len(items))
    if jobs <= 1:
        if initializer:
            initializer(*initargs)
        yield from map(function, items)
        return
    # Items go to the workers in chunks: one task each cost about as much in pickling and
    # waking processes as a small page took to extract. Eight chunks a worker at least, so
    # that none is left with a long one at the end.
    batches = batched(items, jobs, chunks)
    # A bounded window of submitted work: results wait for the consumer in order, and a
    # slow consumer must not let finished results pile up (memory stays flat).
    window = jobs * in_flight
    with ProcessPoolExecutor(
        max_workers=jobs,
        initializer=start_worker,
        initargs=(os.getpid(), on_main_thread(), initializer, initargs),
    ) as pool:
        pending: deque = deque()
        for batch in batches:
            pending.append(pool.submit(map_chunk, function, batch))
            if len(pending) >= window:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def workers_for(jobs: int, items: int) -> int:
    """Worker processes for `items` items with `jobs` asked (0: one per CPU): one (this
    process, no pool) unless each worker gets a few items."""
    return min(jobs or default_jobs(), max(1, items // MIN_ITEMS_PER_WORKER))


def batched(items, workers: int, chunks: bool) -> Iterator[list]:
    """`items` in the batches sent to workers: one item each, or chunks of up to MAX_CHUNK.
    Made as they are taken: `items` may be a sized iterable whose items are made on demand
    (a publish's article tasks), so that only the batches in flight exist at a time."""
    size = max(1, min(MAX_CHUNK, len(items) // (workers * 8))) if chunks else 1
    return groups_of(items, size)


def groups_of(items, size: int) -> Iterator[list]:
    """`items` in lists of `size` (the last may be shorter), made as they are taken."""
    iterator = iter(items)
    while group := list(itertools.islice(iterator, size)):
        yield group


def map_chunk(function: Callable, chunk: list) -> list:
    return [function(item) for item in chunk]


def on_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def start_worker(parent: int, main_thread: bool, initializer, initargs: tuple) -> None:
    """A worker's first step: bind its life to `parent`, then the caller's own initializer."""
    end_with_parent(parent, main_thread)
    if initializer:
        initializer(*initargs)


def end_with_parent(parent: int, main_thread: bool = True) -> None:
    """Make this process end when `parent` ends.

    On Linux the kernel sends SIGKILL when the parent dies (prctl PR_SET_PDEATHSIG). That
    signal follows the parent's thread that started the worker, so it is asked for only when
    that was the main thread. A thread also waits on the parent (a pidfd, else a poll of its
    pid), which covers other systems and a parent that is not our direct one (forkserver)."""
    if main_thread and os.getppid() == parent and sys.platform == "linux":
        import ctypes  # only in workers

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # no prctl: the thread below still watches
        if os.getppid() != parent:  # it ended before the signal was asked for
            os._exit(1)
    threading.Thread(target=wait_for_parent, args=(parent,), daemon=True).start()


def parent_alive(parent: int) -> bool:
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, as another user's process
    return True


def wait_for_parent(parent: int) -> None:
    """Block until `parent` has ended, then end this process at once (no cleanup to do:
    a worker's results are worth nothing without the parent that would collect them)."""
    try:
        handle = os.pidfd_open(parent)
    except ProcessLookupError:
        os._exit(1)  # already gone
    except (AttributeError, OSError):
        handle = None
    if handle is not None:
        select.select([handle], [], [])  # readable once the process has exited
    else:
        while parent_alive(parent):
            threading.Event().wait(PARENT_POLL)
    os._exit(1)
