"""The coordinator's memory against the size of the site (run on demand, not in the tests).

    python benchmarks/coordinator.py [--pages 10000 50000] [--regions 30] [--jobs 2]
                                     [--out benchmarks/coordinator.json]

For each size: generates a project (benchmarks/generate.py) of pages / regions articles in
`--regions` regions, then publishes it three times in fresh processes with the local
executor and `--jobs` worker processes, so that the process measured (the coordinator)
plans, merges and writes while the workers build: a first publish into a new tree, one with
--force (every page built again, into a new tree), then one of a single article
(`--article`, forced), which builds its pages and carries every other page over while it
updates the standby tree the second publish retired (the merge alone, reading the previous
manifest and the standby's list of pages beside it). Each reports its wall time and peak
RSS (VmHWM). Memory flat with the site means the same peak at both sizes. `--keep DIR`
keeps the projects there.
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

# What each publish measures: a new tree (the first), every page built into a new tree (the
# live one becomes the standby, with its list of pages), then one article built and every
# other page carried over, updating that standby (the merge alone, beside the standby's list).
RUNS = (
    ("new tree", False, ()),
    ("force", True, ()),
    ("one article", True, ("article-00000",)),
)


def publish(root: Path, jobs: int, force: bool, articles: tuple = ()) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", COORDINATOR, str(root), "local", "", str(jobs), str(force)]
        + list(articles),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def measure(pages: int, regions: int, jobs: int, keep: Path | None) -> dict:
    articles = max(1, pages // regions)
    with tempfile.TemporaryDirectory(prefix="pipeline-coordinator-") as folder:
        root = keep / f"project-{pages}" if keep else Path(folder) / "project"
        start = time.perf_counter()
        generate.generate(root, articles, seed=7, regions=regions)
        print(f"generated {articles} articles in {time.perf_counter() - start:.0f} s", flush=True)
        runs = []
        for name, force, narrowed in RUNS:
            runs.append({"run": name, **publish(root, jobs, force, narrowed)})
            print(json.dumps(runs[-1]), flush=True)
    return {"articles": articles, "regions": regions, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--regions", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE / "coordinator.json")
    parser.add_argument("--keep", type=Path, help="keep the generated projects in this folder")
    args = parser.parse_args()
    sizes = [measure(pages, args.regions, args.jobs, args.keep) for pages in args.pages]
    args.out.write_text(json.dumps({"sizes": sizes}, indent=2) + "\n")


if __name__ == "__main__":
    main()
