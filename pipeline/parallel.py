"""Work over processes: ordered results, inline when a pool would cost more than it saves."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

MIN_ITEMS_PER_WORKER = 4
MAX_CHUNK = 16


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
    items: list,
    jobs: int,
    initializer=None,
    initargs: tuple = (),
    chunks: bool = False,
) -> Iterator:
    """`function` over `items`, results in order; a pool only for enough work per worker.

    `chunks`: items are small (a page, not an article in every region), so they go to the
    workers several at a time."""
    jobs = min(jobs or default_jobs(), max(1, len(items) // MIN_ITEMS_PER_WORKER))
    if jobs <= 1:
        if initializer:
            initializer(*initargs)
        yield from map(function, items)
        return
    # Items go to the workers in chunks: one task each cost about as much in pickling and
    # waking processes as a small page took to extract. Eight chunks a worker at least, so
    # that none is left with a long one at the end.
    size = max(1, min(MAX_CHUNK, len(items) // (jobs * 8))) if chunks else 1
    batches = [items[start : start + size] for start in range(0, len(items), size)]
    # A bounded window of submitted work: results wait for the consumer in order, and a
    # slow consumer must not let finished results pile up (memory stays flat).
    window = jobs * 4
    with ProcessPoolExecutor(max_workers=jobs, initializer=initializer, initargs=initargs) as pool:
        pending: deque = deque()
        for batch in batches:
            pending.append(pool.submit(map_chunk, function, batch))
            if len(pending) >= window:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def map_chunk(function: Callable, chunk: list) -> list:
    return [function(item) for item in chunk]
