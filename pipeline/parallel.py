"""Work over processes: ordered results, inline when a pool would cost more than it saves."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

MIN_ITEMS_PER_WORKER = 4


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


def ordered_map(
    function: Callable, items: list, jobs: int, initializer=None, initargs: tuple = ()
) -> Iterator:
    """`function` over `items`, results in order; a pool only for enough work per worker."""
    jobs = min(jobs or default_jobs(), max(1, len(items) // MIN_ITEMS_PER_WORKER))
    if jobs <= 1:
        if initializer:
            initializer(*initargs)
        yield from map(function, items)
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=initializer, initargs=initargs) as pool:
        yield from pool.map(function, items, chunksize=max(1, min(8, len(items) // (jobs * 4))))


def consume(results: Iterable, on_item=None) -> list:
    out = []
    for result in results:
        out.append(result)
        if on_item:
            on_item()
    return out
