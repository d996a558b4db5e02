"""Work on a dask.distributed cluster: parallel.ordered_map's contract (every item once,
results in the items' order) over the workers of a cluster.

The coordinator sends each worker the task (an article's slug, the project's settings) and
gets back its result; the workers read the project itself (sources, catalogs, regions) from
the same path as the coordinator, so a cluster of several machines needs the project on a
shared volume (NFS or the like) mounted at the same path. Results arrive in order whatever
the order in which tasks finish, so the output is the same bytes as with the local executor.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError

from pipeline.errors import ClusterError, UsageError
from pipeline.parallel import Executor, batched, default_jobs

CONNECT_TIMEOUT = "20s"
WINDOW_PER_WORKER = 4  # tasks in flight per worker: results wait in order, memory stays flat

# In each worker process: the run whose initializer last ran there. Worker threads share the
# module state an initializer sets up (a publish's article builder), so one batch runs at a
# time in a process: start workers with one thread each (`dask worker --nthreads 1`).
_STARTED = {"run": None}
_LOCK = threading.Lock()


def dask_map(
    function: Callable,
    items: list,
    executor: Executor,
    jobs: int,
    initializer=None,
    initargs: tuple = (),
    chunks: bool = False,
    in_flight: int = WINDOW_PER_WORKER,
) -> Iterator:
    """`function` over `items` on the cluster of `executor`, results in order (see module);
    `in_flight` tasks a worker ahead of the consumer."""
    if not items:
        return
    distributed = import_distributed()
    run = uuid.uuid4().hex  # each run sets its workers up afresh: the project may have changed
    with quiet_logs(), connect(distributed, executor, jobs) as client:
        workers = max(1, len(client.scheduler_info()["workers"]))
        pending: deque = deque()
        try:
            for batch in batched(items, workers, chunks):
                pending.append(
                    client.submit(
                        run_batch, function, batch, initializer, initargs, run, pure=False
                    )
                )
                if len(pending) >= workers * in_flight:
                    yield from result_of(pending.popleft(), distributed, executor)
            while pending:
                yield from result_of(pending.popleft(), distributed, executor)
        finally:
            for future in pending:
                future.cancel()


def run_batch(function: Callable, batch: list, initializer, initargs: tuple, run: str) -> list:
    """A task on a worker: set the worker up for this run once, then `function` over `batch`."""
    with _LOCK:
        if initializer and _STARTED["run"] != run:
            initializer(*initargs)
            _STARTED["run"] = run
        return [function(item) for item in batch]


def result_of(future, distributed, executor: Executor) -> list:
    """A task's result; a lost worker or scheduler becomes one line (the work's own errors,
    such as a broken catalog, come back as they were raised)."""
    where = executor.scheduler or "the local dask cluster"
    try:
        return future.result()
    except distributed.KilledWorker:
        raise ClusterError(
            f"dask: the workers of {where} died while running a task "
            "(each worker that took it was lost)"
        ) from None
    except (distributed.comm.CommClosedError, OSError, TimeoutError) as error:
        raise ClusterError(f"dask: lost {where} ({error or type(error).__name__})") from None
    except CancelledError:  # the scheduler went away and took its tasks with it
        raise ClusterError(f"dask: lost {where} (the work was cancelled)") from None


def import_distributed():
    try:
        import distributed
    except ImportError:
        raise UsageError(
            "--executor dask needs dask.distributed (install: pip install 'pipeline[dask]')"
        ) from None
    return distributed


@contextlib.contextmanager
def connect(distributed, executor: Executor, jobs: int):
    """A client of the cluster at `executor.scheduler`, or of a local cluster of `jobs`
    worker processes (0: one per CPU) on 127.0.0.1, closed with the run."""
    if executor.scheduler:
        try:
            client = distributed.Client(
                executor.scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False
            )
        except ValueError as error:
            raise UsageError(f"--scheduler {executor.scheduler!r}: {error}") from None
        except (OSError, TimeoutError) as error:
            raise ClusterError(
                f"cannot reach the dask scheduler at {executor.scheduler} ({error})"
            ) from None
        with client:
            yield client
        return
    cluster = distributed.LocalCluster(
        n_workers=jobs or default_jobs(),
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        # The scheduler serves HTTP (health, metrics) even without a dashboard, by default on
        # port 8787; where that port was taken (another cluster, another run) dask printed a
        # four-line warning. Any free loopback port does.
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        silence_logs=logging.CRITICAL,
    )
    with cluster, distributed.Client(cluster, set_as_default=False) as client:
        yield client


@contextlib.contextmanager
def quiet_logs():
    """dask's own log lines (a worker lost and its tasks moved, a scheduler gone) stay off
    stderr: the command reports what matters in one line. dask sets the levels of its
    loggers one by one, so each is silenced."""
    loggers = [logging.getLogger("distributed")] + [
        logger
        for name, logger in list(logging.root.manager.loggerDict.items())
        if name.startswith("distributed.") and isinstance(logger, logging.Logger)
    ]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
