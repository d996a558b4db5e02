"""The coordinator's memory against the size of the site (run on demand, not in the tests).

    python benchmarks/coordinator.py [--pages 10000 50000] [--regions 30] [--jobs 2]
                                     [--out benchmarks/coordinator.json]

For each size: generates a project (benchmarks/generate.py) of pages / regions articles in
`--regions` regions, then publishes it three times in fresh processes with the local
executor and `--jobs` worker processes, so that the process measured (the coordinator)
plans, merges and writes while the workers build: a first publish into a new tree, then
two with --force, the last of which updates the standby tree the second retired (the
case that reads the previous manifest and the standby's index beside the publish). Each
reports its wall time and peak RSS (VmHWM). Memory flat with the site means the same peak
at both sizes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
from cluster import COORDINATOR  # noqa: E402


def publish(root: Path, jobs: int, force: bool) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", COORDINATOR, str(root), "local", "", str(jobs), str(force)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def measure(pages: int, regions: int, jobs: int) -> dict:
    articles = max(1, pages // regions)
    with tempfile.TemporaryDirectory(prefix="pipeline-coordinator-") as folder:
        root = Path(folder) / "project"
        start = time.perf_counter()
        generate.generate(root, articles, seed=7, regions=regions)
        print(f"generated {articles} articles in {time.perf_counter() - start:.0f} s", flush=True)
        runs = [publish(root, jobs, force) for force in (False, True, True)]
    for run in runs:
        print(json.dumps(run), flush=True)
    return {"articles": articles, "regions": regions, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--regions", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE / "coordinator.json")
    args = parser.parse_args()
    sizes = [measure(pages, args.regions, args.jobs) for pages in args.pages]
    args.out.write_text(json.dumps({"sizes": sizes}, indent=2) + "\n")


if __name__ == "__main__":
    main()
