"""Work over processes: every item once, results in the items' order, whatever the chunks;
workers that end with the process that started them."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.parallel import ordered_map

REPO = Path(__file__).resolve().parent.parent


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


def live_group_members(group: int) -> list[int]:
    """Processes of a process group that have not ended, from /proc (zombies are ended)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = (Path("/proc") / entry / "stat").read_text()
        except OSError:
            continue
        state, _parent, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == group and state != "Z":
            members.append(int(entry))
    return members


@pytest.fixture(scope="module")
def big_project(tmp_path_factory) -> Path:
    """A generated project big enough for a publish to be caught while its workers build."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    root = tmp_path_factory.mktemp("big") / "project"
    generate.generate(root, 80, seed=7)
    return root


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGKILL])
def test_workers_end_when_a_publish_is_killed(big_project, signal_number):
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "--project", str(big_project), "publish", "-j", "2"],
        start_new_session=True,  # its own process group: the workers are found by it
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    group = process.pid
    try:
        deadline = time.monotonic() + 60
        while len(live_group_members(group)) < 3:  # the publish and two workers: mid-run
            assert process.poll() is None, "the publish ended before its workers were seen"
            assert time.monotonic() < deadline, "no worker processes appeared"
            time.sleep(0.02)
        process.send_signal(signal_number)
        process.wait(timeout=30)
        deadline = time.monotonic() + 10  # a bound for correctness, not a measurement
        while live_group_members(group) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert live_group_members(group) == []
    finally:
        for pid in live_group_members(group):
            os.kill(pid, signal.SIGKILL)


WATCHING_CHILD = """
import os, sys, time
from pipeline.parallel import end_with_parent
parent = os.getpid()
if os.fork() == 0:
    end_with_parent(parent, main_thread=False)  # the watching thread alone, no prctl
    time.sleep(60)
    os._exit(0)
print("ready", flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_the_watching_thread_alone_ends_a_worker_with_its_parent():
    process = subprocess.Popen(
        [sys.executable, "-c", WATCHING_CHILD], start_new_session=True, stdout=subprocess.PIPE
    )
    group = process.pid
    try:
        assert process.stdout.readline() == b"ready\n"
        assert len(live_group_members(group)) == 2
        process.kill()
        process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while live_group_members(group) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert live_group_members(group) == []
    finally:
        for pid in live_group_members(group):
            os.kill(pid, signal.SIGKILL)


def test_a_publish_ended_by_sigterm_leaves_no_temporary_tree(big_project, tmp_path):
    """SIGTERM (a service manager stopping it, `kill`) ends a publish as Ctrl-C does: the
    tree it was building and its index are removed, exit 130. Killed by the default
    handler, it left `.output.building-*` and `.output.index-*` beside the project."""
    project = tmp_path / "project"
    for name in ("source", "locales"):
        shutil.copytree(big_project / name, project / name)
    shutil.copy(big_project / "pyproject.toml", project / "pyproject.toml")
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "--project", str(project), "publish", "-j", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not list(project.glob(".output.building-*/*/*")):  # pages are being written
            assert process.poll() is None, "the publish ended before its tree was seen"
            assert time.monotonic() < deadline, "no tree appeared"
            time.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    assert b"Traceback" not in stderr
    assert sorted(p.name for p in project.iterdir()) == [".pipeline-cache", "locales"] + [
        "pyproject.toml",
        "source",
    ]
