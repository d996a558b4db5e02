"""Per-catalog work of `status` and `check` over worker processes.

Reading a catalog and running the translator checks on every entry costs about 20 ms, so a
site of 10,000 articles in three languages is ten minutes of one CPU. The catalogs go out in
groups; a worker has msgfmt judge a group's catalogs in one run (`judge_together`) before it
reads them, and the results come back in the order asked, so the report is the same however
many workers made it. A few groups stay in this process: a pool would cost more than it saves.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

from pipeline.catalogs import catalog_path
from pipeline.parallel import groups_of, ordered_map, workers_for
from pipeline.project import Project
from pipeline.state import StateStore, state_path

GROUP = 24  # catalogs in a group: one msgfmt run, one task

# In each worker process: the project, its state store (msgfmt's verdicts) and the work.
_WORKER: tuple | None = None


def map_catalogs(project: Project, work: Callable, pairs: list, jobs: int) -> Iterator:
    """`work(project, store, slug, language, path)` for each (slug, language) of `pairs`
    whose catalog exists, results in the order of `pairs`; over `jobs` worker processes
    (0: one per CPU). `work` is a module's function: workers are sent its name."""
    groups = list(groups_of(pairs, GROUP))
    if workers_for(jobs, len(groups)) <= 1:
        # In this process, with the caller's project (its glossaries and regions read once),
        # nothing shared between threads (the review server checks from its request threads).
        context = (project, StateStore(state_path(project.settings.root), keep_open=True), work)
        return itertools.chain.from_iterable(run_group(context, group) for group in groups)
    results = ordered_map(run_group_in_worker, groups, jobs, start_worker, (project.settings, work))
    return itertools.chain.from_iterable(results)


def start_worker(settings, work: Callable) -> None:
    global _WORKER
    _WORKER = (Project(settings), StateStore(state_path(settings.root), keep_open=True), work)


def run_group_in_worker(group: list) -> list:
    return run_group(_WORKER, group)


def run_group(context: tuple, group: list) -> list:
    """`work` over a group of catalogs, msgfmt having judged them in one run."""
    from pipeline.checks import judge_together

    project, store, work = context
    locales = project.settings.locales_dir
    paths = [catalog_path(locales, language, slug) for slug, language in group]
    judge_together(paths, store)
    return [
        work(project, store, slug, language, path)
        for (slug, language), path in zip(group, paths, strict=True)
        if path.exists()  # a FIFO or folder there is an error, named when it is read
    ]
