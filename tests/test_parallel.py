"""Work over processes: every item once, results in the items' order, whatever the chunks."""

from __future__ import annotations

import os

import pytest

from pipeline.parallel import ordered_map


def square_with_pid(number: int) -> tuple[int, int]:
    return number * number, os.getpid()


@pytest.mark.parametrize("chunks", [False, True])
@pytest.mark.parametrize("count", [1, 7, 8, 65, 1000])
def test_results_come_in_order_from_worker_processes(count, chunks):
    results = list(ordered_map(square_with_pid, list(range(count)), jobs=2, chunks=chunks))
    assert [square for square, _ in results] == [n * n for n in range(count)]
    workers = {pid for _, pid in results}
    if count >= 8:  # enough work for a pool: done in (up to two) other processes
        assert os.getpid() not in workers and len(workers) <= 2
    else:
        assert workers == {os.getpid()}
