"""Two runs at once on one project: one works, the other is refused naming it (or waits)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, run_pipeline

ARTICLES = 60  # enough that a publish or an update is still running when the other starts


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A generated project with templates and catalogs that `update` has work on."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    root = tmp_path_factory.mktemp("locking") / "pristine"
    generate.generate(root, ARTICLES, seed=7)
    assert pipeline(root, "extract").returncode == 0
    return root


@pytest.fixture
def project(generated, tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(generated, root)
    return root


def pipeline(root: Path, *args: str) -> subprocess.CompletedProcess:
    """A run in this process, for what comes before or after the runs at once."""
    return run_pipeline("--project", str(root), *args, text=True)


def in_own_process(root: Path, *args: str) -> subprocess.CompletedProcess:
    """A run in a process of its own, as a user's second terminal would start it."""
    command = [sys.executable, "-m", "pipeline", "--project", str(root), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def start(root: Path, *args: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "pipeline", "--project", str(root), *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def assert_published_whole(root: Path) -> None:
    """The manifest lists exactly the pages on disk, each with its bytes' sha256, and a
    publish of the same inputs finds nothing to change."""
    output = root / "output"
    manifest = json.loads((output / "manifest.json").read_text())
    listed = {page["path"]: page["sha256"] for page in manifest["pages"]}
    on_disk = {str(p.relative_to(output)) for p in output.rglob("index.html")}
    assert set(listed) == on_disk and len(on_disk) == ARTICLES * 7
    for path, digest in listed.items():
        assert hashlib.sha256((output / path).read_bytes()).hexdigest() == digest
    again = pipeline(root, "publish", "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["unchanged"], again.stderr


def assert_updated_whole(root: Path) -> None:
    again = pipeline(root, "update", "--json")
    assert again.returncode == 0, again.stderr
    assert all(item["skipped"] for item in json.loads(again.stdout)["items"])


@pytest.mark.slow
@pytest.mark.parametrize(
    "first, second", [("publish", "publish"), ("publish", "update"), ("update", "update")]
)
def test_two_runs_at_once_one_works_the_other_names_it(project, first, second):
    jobs = ("--jobs", "1") if first == "publish" else ()  # update has no workers
    runs = [start(project, first, *jobs), start(project, second)]
    outcomes = [(run, *run.communicate(timeout=300)) for run in runs]
    finished = [outcome for outcome in outcomes if outcome[0].returncode == 0]
    refused = [outcome for outcome in outcomes if outcome[0].returncode == 1]
    assert len(finished) == 1 and len(refused) == 1, [o[2] for o in outcomes]
    winner, loser = finished[0][0], refused[0]
    message = loser[2]
    assert message.count("\n") == 1 and "Traceback" not in message
    assert message.startswith("error: ") and "another run is working on this project" in message
    assert f"pid {winner.pid}: pipeline {winner.args[5]}" in message
    if winner.args[5] == "publish":
        assert_published_whole(project)
    else:
        assert not (project / "output").exists()
        assert_updated_whole(project)


def hold_lock(root: Path) -> subprocess.Popen:
    """A process holding the project's lock until it is killed."""
    code = (
        "import sys, time; from pathlib import Path; from pipeline.lock import project_lock\n"
        f"with project_lock(Path({str(root)!r}) / '.pipeline-cache', 'pipeline publish'):\n"
        "    print('held', flush=True); time.sleep(600)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "held\n"
    return holder


def test_a_run_that_ended_is_never_named_as_the_holder(project):
    """A finished run takes its name away with its lock: a run refused in the moment
    between the next holder's lock and its name is not told of the run that ended (the
    project's extract, here, run in this process before)."""
    lock = project / ".pipeline-cache" / "lock"
    assert lock.read_bytes() == b""  # the fixture's extract ended
    code = (
        "import fcntl, os, sys, time\n"
        f"handle = os.open({str(lock)!r}, os.O_RDWR)\n"
        "fcntl.flock(handle, fcntl.LOCK_EX)\n"  # locked, its name not yet written
        "print('held', flush=True); time.sleep(600)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        busy = pipeline(project, "publish", "--json")
        assert busy.returncode == 1
        message = json.loads(busy.stdout)["error"]["message"]
        assert "process unknown: it has only just started" in message, message
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()


@pytest.mark.slow
def test_a_killed_run_leaves_no_stale_lock(project):
    holder = hold_lock(project)
    try:
        busy = in_own_process(project, "publish", "--json")
        assert busy.returncode == 1
        error = json.loads(busy.stdout)["error"]
        assert error["code"] == "busy" and f"pid {holder.pid}: pipeline publish" in error["message"]
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    assert pipeline(project, "update").returncode == 0


@pytest.mark.slow
def test_wait_takes_the_lock_when_the_other_run_ends(project):
    holder = hold_lock(project)
    waiting = start(project, "update", "--wait")
    try:
        time.sleep(1)  # long enough for a refusal to have come back; --wait never gives one
        assert waiting.poll() is None
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    out, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err
    assert_updated_whole(project)
