"""Publishing on a dask.distributed cluster: the same bytes as the local executor, whatever
the number of workers and the order in which tasks finish; a worker lost mid-publish leaves
output/ as it was or the publish completes on the workers left.

The cluster is a real one: a scheduler and two worker processes on 127.0.0.1, started here."""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import generated_project
from pipeline.config import load_settings
from pipeline.errors import ClusterError
from pipeline.parallel import Executor, ordered_map
from pipeline.project import Project
from pipeline.publish import PublishOptions, publish

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
ARTICLES = 6  # tasks of one article each: several in flight on each worker at once
# A scheduler's HTTP server on any free port, as pipeline's own local cluster has it: on
# dask's default one, the second cluster of the run warned that it was taken.
QUIET_HTTP = {"dashboard_address": "127.0.0.1:0"}


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        scheduler_kwargs=QUIET_HTTP,
    ) as running:
        yield running


@pytest.fixture
def generated(tmp_path) -> Path:
    """A small generated project: a few articles in seven regions."""
    return generated_project(tmp_path / "project", ARTICLES, seed=3)


def pipeline(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "--project", str(root), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=None if env is None else {**os.environ, **env},
    )


def snapshot(folder: Path) -> dict:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_output_is_the_same_whatever_executor_workers_and_verdict_cache(
    generated, cluster, tmp_path
):
    """`--executor dask` gives the bytes (and the summary) of `--executor local`: the same
    from one process, two local workers, two dask workers, and the local cluster that a run
    without `--scheduler` starts, of one worker whose cache of msgfmt's verdicts starts empty
    (a cache shared by earlier runs must not be what decides a page), and with the cache off.
    That run's stderr holds its warnings only, though dask's usual port is taken."""
    cold = {"PIPELINE_CACHE_DIR": str(tmp_path / "cold-cache")}
    outputs = []

    def publish_with(*args: str, env: dict | None = None) -> str:
        done = pipeline(generated, "publish", "--force", *args, env=env)
        assert done.returncode == 0, done.stderr
        outputs.append((args, snapshot(generated / "output"), done.stdout))
        return done.stderr

    publish_with("-j", "1", env={"PIPELINE_CACHE_DIR": "off"})
    publish_with("-j", "2")
    publish_with("--executor", "dask", "--scheduler", cluster.scheduler_address)
    for name in ("state.sqlite", "state.sqlite-wal", "state.sqlite-shm"):
        # msgfmt's verdicts are kept in the project's state: the cold run starts without them
        (generated / ".pipeline-cache" / name).unlink(missing_ok=True)
    with port_taken(8787):  # dask's default for a scheduler's HTTP server
        stderr = publish_with("--executor", "dask", "--jobs", "1", env=cold)
    assert all(line.startswith("warning: ") for line in stderr.splitlines()), stderr
    _, expected, stdout = outputs[0]
    assert len([name for name in expected if name.endswith("index.html")]) == ARTICLES * 7
    for args, found, out in outputs[1:]:
        assert found == expected, args
        assert out == stdout, args


@contextlib.contextmanager
def port_taken(port: int):
    """The 127.0.0.1 port held by a listener here, unless something else holds it already."""
    import socket

    with socket.socket() as holder:
        with contextlib.suppress(OSError):
            holder.bind(("127.0.0.1", port))
            holder.listen()
        yield


def test_dask_extract_writes_the_same_templates(generated, cluster):
    templates = generated / "locales" / "templates"
    assert pipeline(generated, "extract").returncode == 0
    expected = snapshot(templates)
    assert len(expected) == ARTICLES
    for template in templates.iterdir():
        template.unlink()
    result = pipeline(
        generated, "extract", "--executor", "dask", "--scheduler", cluster.scheduler_address
    )
    assert result.returncode == 0, result.stderr
    found = snapshot(templates)
    assert all(b'"POT-Creation-Date: 20' in data for data in found.values())
    assert undated(found) == undated(expected)


def undated(templates: dict) -> dict:
    """Templates with their POT-Creation-Date (the minute each was written) left out: two
    extracts a minute boundary apart date theirs differently."""
    stamp = re.compile(rb'"POT-Creation-Date: [^"\\]*\\n"\n')
    return {name: stamp.sub(b"", data, count=1) for name, data in templates.items()}


def test_a_scheduler_without_dask_executor_is_a_usage_error(generated):
    result = pipeline(generated, "publish", "--scheduler", "tcp://127.0.0.1:1")
    assert result.returncode == 2
    assert result.stderr == "error: --scheduler needs --executor dask\n"


# `python -m pipeline` waiting 2 s for a scheduler instead of CONNECT_TIMEOUT's 20: dask
# tries a port that refuses again and again until the timeout, and the test would wait it out.
QUICK_GIVE_UP = (
    "import runpy, pipeline.cluster; pipeline.cluster.CONNECT_TIMEOUT = '2s'; "
    "runpy.run_module('pipeline', run_name='__main__', alter_sys=True)"
)


def test_an_unreachable_scheduler_is_one_line(generated):
    with socket_without_listener() as address:
        publish = ["--project", str(generated), "publish", "--json", "--executor", "dask"]
        result = subprocess.run(
            [sys.executable, "-c", QUICK_GIVE_UP, *publish, "--scheduler", address],
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"error: cannot reach the dask scheduler at {address}"
    )
    assert '"code": "cluster"' in result.stdout
    assert not (generated / "output").exists()


class socket_without_listener:
    """A 127.0.0.1 port that nothing listens on (bound, never listening)."""

    def __enter__(self) -> str:
        import socket

        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{self.socket.getsockname()[1]}"

    def __exit__(self, *exc) -> None:
        self.socket.close()


def shuffled_square(number: int) -> int:
    time.sleep(random.random() / 50)  # tasks finish in a random order
    return number * number


@settings(max_examples=5)
@given(st.lists(st.integers(), max_size=60), st.booleans())
def test_results_come_in_order_whatever_order_tasks_finish(cluster, numbers, chunks):
    executor = Executor("dask", cluster.scheduler_address)
    results = list(ordered_map(shuffled_square, numbers, 0, chunks=chunks, executor=executor))
    assert results == [n * n for n in numbers]


def test_a_worker_killed_mid_publish_leaves_output_or_completes(generated, cluster):
    project = Project(load_settings(generated))
    publish(project, PublishOptions(jobs=1))
    before = snapshot(generated / "output")
    publish(project, PublishOptions(jobs=1, force=True, dry_run=True))
    with distributed.Client(cluster, set_as_default=False) as client:
        pids = sorted(client.run(os.getpid).values())
    killed = []

    def kill_a_worker() -> None:
        if not killed:  # mid-publish: the first article is in, the others are in flight
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    options = PublishOptions(force=True, executor=Executor("dask", cluster.scheduler_address))
    try:
        result = publish(project, options, on_item=kill_a_worker)
    except ClusterError as error:  # every worker that took a task died: nothing changed
        assert "\n" not in str(error)
        assert snapshot(generated / "output") == before
    else:
        assert result.written and result.built == ARTICLES * 7
        # Completed on the worker left: the same bytes as the first publish.
        assert snapshot(generated / "output") == before
    assert killed


def test_a_scheduler_lost_mid_publish_fails_in_one_line_and_leaves_output(generated):
    project = Project(load_settings(generated))
    publish(project, PublishOptions(jobs=1))
    before = snapshot(generated / "output")
    doomed = distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        scheduler_kwargs=QUIET_HTTP,
    )
    options = PublishOptions(force=True, executor=Executor("dask", doomed.scheduler_address))
    try:
        with pytest.raises(ClusterError, match=r"^dask: lost tcp://127\.0\.0\.1:\d+ \(") as caught:
            publish(project, options, on_item=doomed.close)  # gone after the first article
    finally:
        doomed.close()
    assert "\n" not in str(caught.value)
    assert snapshot(generated / "output") == before
