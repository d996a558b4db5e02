"""Publish on a dask cluster against the local executor (run on demand, not in the tests).

    python benchmarks/cluster.py [--articles 2000] [--regions 7] [--workers 1 2]
                                 [--out benchmarks/cluster.json]

Generates a project (benchmarks/generate.py: N articles in `--regions` regions), then
publishes every page (`--force`) with the local executor (one worker process) and on local
dask clusters of 1 and 2 worker processes that this script starts on 127.0.0.1 (the publish
connects to it with --scheduler, as it would to a real cluster). Each publish runs in a fresh
process (the coordinator), which reports its wall time, CPU time and peak RSS (VmHWM); the
workers report their own. A first, untimed `pipeline status` fills the cache of msgfmt's
verdicts (as any earlier status or publish of the project has). The outputs must be
byte-identical. From the figures: the cost of a page on a worker and on the coordinator,
and the model of a larger site on more workers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

# The coordinator: one publish in this fresh process, its own figures on stdout as JSON.
COORDINATOR = """
import json, resource, sys, time
from pathlib import Path
from pipeline.config import load_settings
from pipeline.parallel import Executor
from pipeline.project import Project
from pipeline.publish import PublishOptions, publish
root, kind, scheduler, jobs = sys.argv[1], sys.argv[2], sys.argv[3] or None, int(sys.argv[4])
force = sys.argv[5] != "False" if len(sys.argv) > 5 else True
articles = tuple(sys.argv[6:])  # a narrowed publish: only these are built
start = time.perf_counter()
result = publish(Project(load_settings(Path(root))),
                 PublishOptions(force=force, jobs=jobs, executor=Executor(kind, scheduler),
                                articles=articles))
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
children = resource.getrusage(resource.RUSAGE_CHILDREN)  # msgfmt, and the local pool's workers
status = Path("/proc/self/status").read_text()
peak = int(status.split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "children_cpu": children.ru_utime + children.ru_stime,
                  "peak_mb": peak, "pages": result.built, "kept": result.kept}))
"""


def worker_peak_mb() -> float:
    """A process's own peak RSS: VmHWM starts afresh at exec, where ru_maxrss would carry
    the peak of the process that started it (here, this benchmark's)."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def tree_digests(folder: Path) -> dict[str, str]:
    """sha256 of every file of the output, by path."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(p for p in folder.rglob("*") if p.is_file())
    }


def tree_digest(files: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()


def coordinate(root: Path, kind: str, scheduler: str, jobs: int) -> dict:
    os.sync()
    done = subprocess.run(
        [sys.executable, "-c", COORDINATOR, str(root), kind, scheduler, str(jobs)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(done.stdout.splitlines()[-1])
    files = tree_digests(root / "output")
    figures["output_sha256"] = tree_digest(files)
    if FIRST_OUTPUT:  # name the files that differ from the first run's, if any
        differ = sorted(set(files.items()) ^ set(FIRST_OUTPUT.items()))
        figures["differing_files"] = sorted({path for path, _ in differ})[:20]
    else:
        FIRST_OUTPUT.update(files)
    return figures


FIRST_OUTPUT: dict[str, str] = {}


def run_local(root: Path) -> dict:
    return {"executor": "local", "workers": 1, **coordinate(root, "local", "", 1)}


def run_dask(root: Path, workers: int) -> dict:
    import distributed

    with (
        distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        figures = coordinate(root, "dask", cluster.scheduler_address, 0)
        peaks = sorted(client.run(worker_peak_mb).values())
    return {"executor": "dask", "workers": workers, **figures, "worker_peak_mb": peaks}


def model(runs: list[dict], pages_total: int, workers: int) -> dict:
    """Wall time of a publish of `pages_total` pages on `workers` workers: the measured cost of
    a page on one worker (CPU of a one-process local publish, msgfmt included), divided among
    the workers, plus the coordinator's CPU per page on the smallest cluster (receiving
    manifest entries, writing the manifest and sitemaps, and its fixed start), which does not
    divide."""
    local = next(run for run in runs if run["executor"] == "local")
    one = min((run for run in runs if run["executor"] == "dask"), key=lambda run: run["workers"])
    worker_page = (local["cpu"] + local["children_cpu"]) / local["pages"]  # build and write
    coordinator_page = one["cpu"] / one["pages"]
    seconds = pages_total * worker_page / workers + pages_total * coordinator_page
    return {
        "pages": pages_total,
        "workers": workers,
        "worker_seconds_per_page": round(worker_page, 6),
        "coordinator_seconds_per_page": round(coordinator_page, 6),
        "minutes": round(seconds / 60, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--regions", type=int, default=generate.BUNDLED_REGIONS)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--out", type=Path, default=HERE / "cluster.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pipeline-cluster-") as folder:
        root = Path(folder) / "project"
        start = time.perf_counter()
        generate.generate(root, args.articles, seed=7, regions=args.regions)
        print(f"generated {args.articles} articles in {time.perf_counter() - start:.0f} s")
        # Untimed: msgfmt's verdicts on every catalog, as any earlier status or publish has
        # left them (a publish of the whole site to warm them took as long as a timed one).
        subprocess.run(
            [sys.executable, "-m", "pipeline", "status", "--json"],
            cwd=root,
            stdout=subprocess.DEVNULL,
            check=True,
        )
        runs = [run_local(root)]
        runs += [run_dask(root, workers) for workers in args.workers]
    for run in runs:
        run["pages_per_second"] = round(run["pages"] / run["wall"], 1)
        print(json.dumps(run))
    identical = len({run["output_sha256"] for run in runs}) == 1
    models = [model(runs, 100_000 * 30, workers) for workers in (16, 64)]
    report = {
        "articles": args.articles,
        "regions": args.regions,
        "runs": runs,
        "identical": identical,
        "model": models,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(models))
    if not identical:
        sys.exit("outputs differ between executors")


if __name__ == "__main__":
    main()
