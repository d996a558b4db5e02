"""A batch of `file` command jobs: the pages of a folder, where each one's template,
catalog and output go, and the jobs run in worker processes."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.errors import SourceError
from pipeline.parallel import Outcome

HTML_SUFFIXES = (".html", ".htm", ".xhtml")


def pages_in(folder: str) -> list[str]:
    """The HTML files under `folder` as relative paths, in the order of their parts, as
    `Path.rglob` finds them (symlinked folders are not entered, unreadable ones skipped).
    Plain strings, because the walk comes before any worker has started: pathlib there
    held every worker back on large folders."""
    found: list[str] = []
    pending = [""]
    while pending:
        prefix = pending.pop()
        try:
            with os.scandir(os.path.join(folder, prefix)) as entries:
                for entry in entries:
                    if entry.is_dir() and not entry.is_symlink():
                        pending.append(prefix + entry.name + "/")
                    elif suffix_of(entry.name).lower() in HTML_SUFFIXES and entry.is_file():
                        found.append(prefix + entry.name)
        except PermissionError:
            continue
    return sorted(found, key=lambda name: name.split("/"))


def suffix_of(name: str) -> str:
    """The suffix `Path(name).suffix` gives (a leading or trailing dot is none)."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def with_suffix(relative: str, suffix: str) -> str:
    """`relative` with its last part's suffix replaced, as `Path.with_suffix` does."""
    return relative[: len(relative) - len(suffix_of(relative.rpartition("/")[2]))] + suffix


def mirrored(root: str, relatives: list[str]) -> list[str]:
    """Each relative path below `root`, written as str(Path(root) / relative) writes it."""
    root = str(Path(root))
    if root == ".":
        return list(relatives)
    prefix = root if root.endswith("/") else root + "/"
    return [prefix + relative for relative in relatives]


def folder_pages(page: str, output: str | None) -> list[str] | None:
    """The pages of a folder PAGE, relative to it; None when PAGE is one file (or -)."""
    if page == "-" or not Path(page).is_dir():
        return None
    if not output:
        raise SourceError(f"{page} is a folder: give an output folder with -o")
    return pages_in(page)


def file_jobs(
    page: str, output: str | None, suffix: str, pages: list[str] | None
) -> list[tuple[str, str | None]]:
    """(input, output) pairs: one file, or every page of a folder mirrored under output."""
    if pages is None:
        return [(page, output)]
    targets = mirrored(output, [with_suffix(relative, suffix) for relative in pages])
    return list(zip(mirrored(page, pages), targets, strict=True))


def catalogs_for(catalog: str, pages: list[str] | None) -> list[str]:
    """The catalog of each page: CATALOG itself, or its mirror in a catalog folder."""
    if pages is None:
        return [str(Path(catalog))]
    return mirrored(catalog, [with_suffix(relative, ".po") for relative in pages])


def run_jobs(job, tasks: list, jobs: int, wrote_files: bool, on_item=None) -> Outcome:
    """Run `job` over `tasks` (each an input path first) in `jobs` workers; the results in
    the order of the tasks, a job's error as an error of the outcome."""
    from pipeline import pagecache
    from pipeline.parallel import ordered_map

    # Largest pages first, so that no worker is left with a big one at the end; results are
    # reported in the given order.
    order = sorted(range(len(tasks)), key=lambda index: -input_size(tasks[index][0]))
    results: list = [None] * len(tasks)
    for index, result in zip(
        order, ordered_map(job, [tasks[i] for i in order], jobs, chunks=True), strict=False
    ):
        results[index] = result
        if on_item:
            on_item()
    if wrote_files:
        os.sync()  # the jobs wrote their files without an fsync each: one sync for the batch
    pagecache.prune()
    outcome = Outcome()
    for result in results:
        if "error" in result:
            outcome.errors.append(result["error"])
        else:
            outcome.items.append(result)
    return outcome


def input_size(name: str) -> int:
    """The size of an input file; 0 for stdin or a file that cannot be read."""
    try:
        return os.stat(name).st_size if name != "-" else 0
    except OSError:
        return 0  # reported by the job itself
