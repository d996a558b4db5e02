"""Benchmarks, side by side with Translate Toolkit (run on demand, not in the test suite).

    python benchmarks/run.py [--articles 1000] [--pages ../shared/corpus/pages]
                             [--scale 5000] [--jobs 2] [--out benchmarks/results.json]

Scenarios on a generated project (benchmarks/generate.py): extract all; update all catalogs
after a 1% source edit; full publish of every article for every region; publish with
nothing changed; publish after one article changed; and a check that the fast path's pages
are byte-identical to a plain single-process publish. Then, on the same pages for both
tools (a folder of real pages and the generated ones): extract with `pipeline file extract`
vs `html2po`, rebuild one language with `pipeline file merge` vs `po2html`, fidelity of an
identity catalog, and lxml parse+serialize as the floor. Both tools are installed the regular
way into the benchmark's own environments (benchmarks/.venv-ours, reinstalled from this
checkout on every run, and benchmarks/.venv-tt).
Every figure is a wall time in seconds with the peak memory of the process that did it; a
side-by-side step is the fastest of three runs (all three are in the JSON).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

PIPELINE = [sys.executable, "-m", "pipeline"]  # until install_ours() runs
FLOOR_PYTHON = sys.executable
TT_ENV = HERE / ".venv-tt"
OURS_ENV = HERE / ".venv-ours"


# The measured command runs under this small launcher, which reports its wall time and peak
# RSS: Linux carries a process's peak RSS over fork and exec, so a child of the benchmark
# itself would report at least the benchmark's own (57 MB after the side-by-side runs).
LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
report = f"{time.perf_counter() - start} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}"
os.write(int(sys.argv[1]), report.encode())
"""


def measure(
    command: list[str], cwd: Path | None = None, check: bool = True, env: dict | None = None
) -> dict:
    """Wall time and peak RSS (MB) of one command."""
    # Whatever the set-up (or the previous command) wrote reaches the disk first: otherwise a
    # tool that fsyncs its files (ours does, Translate Toolkit does not) pays for writing it.
    os.sync()
    report, report_to = os.pipe()
    process = subprocess.Popen(
        [sys.executable, "-S", "-E", "-c", LAUNCHER, str(report_to), *command],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
        pass_fds=(report_to,),
    )
    os.close(report_to)
    stderr = process.stderr.read().decode(errors="replace")
    process.wait()
    process.stderr.close()
    with os.fdopen(report) as reader:
        wall, peak_kb, code = reader.read().split()
    code = int(code)
    if check and code != 0:
        raise SystemExit(f"failed ({code}): {' '.join(command)}\n{stderr[-2000:]}")
    return {
        "seconds": round(float(wall), 3),
        "peak_mb": round(int(peak_kb) / 1024, 1),
        "exit": code,
    }


def install_ours() -> None:
    """This checkout installed into the benchmark's own environment the way a site installs
    it (a regular install, compiled to bytecode), as Translate Toolkit is in its own: an
    editable development install adds an import hook to every process we time."""
    global PIPELINE, FLOOR_PYTHON
    python = OURS_ENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(OURS_ENV)], check=True)
    # Dependencies added since the environment was made are installed too.
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(REPO)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(REPO)],
        check=True,
    )
    PIPELINE = [str(python), "-m", "pipeline"]
    FLOOR_PYTHON = str(python)


def tt_tools() -> Path:
    binary = TT_ENV / "bin"
    if not (binary / "html2po").exists():
        subprocess.run([sys.executable, "-m", "venv", str(TT_ENV)], check=True)
        subprocess.run([str(binary / "pip"), "install", "-q", "translate-toolkit"], check=True)
    return binary


def tt_version(binary: Path) -> str:
    result = subprocess.run(
        [str(binary / "python"), "-c", "from translate.__version__ import sver; print(sver)"],
        capture_output=True,
        text=True,
    )
    return result.stdout.strip() or "unknown"


# -- the generated project ------------------------------------------------------------------


def edit_sources(project: Path, share: float) -> int:
    """Change one sentence in `share` of the articles (a realistic editorial pass)."""
    sources = sorted((project / "source").glob("*.html"))
    step = max(1, round(1 / share))
    for path in sources[::step]:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("</p>", " Updated guidance.</p>", 1), encoding="utf-8")
    return len(sources[::step])


def edit_paragraphs(project: Path, per_article: int) -> int:
    """Edit `per_article` paragraphs of every article, as a content lead's review does: one
    in two gets a sentence added, the others have their first sentence rewritten."""
    edited = 0
    for path in sorted((project / "source").glob("*.html")):
        pieces = path.read_text(encoding="utf-8").split("<p>")
        prose = [i for i, piece in enumerate(pieces) if i and piece[:1].isupper()]
        for count, index in enumerate(prose[:per_article]):
            body, rest = pieces[index].split("</p>", 1)
            if count % 2:
                body += " Ask your doctor about this before you change anything."
            else:
                body = (
                    "Our clinical team reviewed this advice recently." + body[body.find(".") + 1 :]
                )
            pieces[index] = f"{body}</p>{rest}"
            edited += 1
        path.write_text("<p>".join(pieces), encoding="utf-8")
    return edited


def update_scenario(root: Path, articles: int, per_article: int) -> dict:
    """`update` after `per_article` paragraphs of every article were edited: each edited text
    is matched against its catalog's vanished entries and the translation memory."""
    project = root / f"update-{articles}"
    generate.generate(project, articles, seed=7)
    measure(PIPELINE + ["extract"], project)
    measure(PIPELINE + ["update"], project)  # in step, as in any working project
    edited = edit_paragraphs(project, per_article)
    measure(PIPELINE + ["extract"], project)
    result = measure(PIPELINE + ["update", "--json"], project)
    shutil.rmtree(project)
    return {"articles": articles, "edited_paragraphs": edited, "update": result}


def touch_one_article(project: Path) -> None:
    path = sorted((project / "source").glob("*.html"))[3]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("<h2>", "<h2>Revised: ", 1), encoding="utf-8")


def first_publish(project: Path, jobs: int):
    """A measure of the project's first publish, each call as the first: the output of the
    call before moved aside (not deleted: see `fastest`) and the state put back as it was
    before the first (msgfmt's verdicts not yet kept)."""
    state = project / ".pipeline-cache"
    kept = project.parent / f"{project.name}-state-before-publish"
    state.mkdir(exist_ok=True)
    shutil.copytree(state, kept)
    calls = itertools.count()

    def publish() -> dict:
        call = next(calls)
        if call:
            for tree in [project / "output", *project.glob(".output*")]:
                tree.rename(project.parent / f"{project.name}-publish-{call}-{tree.name}")
            shutil.rmtree(state, ignore_errors=True)
            shutil.copytree(kept, state)
        return measure(PIPELINE + ["publish", "--jobs", str(jobs)], project)

    return publish


def trees_identical(first: Path, second: Path) -> tuple[bool, int]:
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    others = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    if files != others:
        return False, len(files)
    same = all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    return same, len(files)


def scale_scenario(root: Path, articles: int, jobs: int) -> dict:
    """Only what the memory comparison needs: a full publish of a bigger project."""
    project = root / f"project-{articles}"
    generate.generate(project, articles, seed=7)
    size = sum(p.stat().st_size for p in (project / "source").glob("*.html"))
    results = {"articles": articles, "source_mb": round(size / 1e6, 1)}
    results["publish_full"] = measure(PIPELINE + ["publish", "--jobs", str(jobs)], project)
    results["publish_full_1_job"] = measure(
        PIPELINE + ["publish", "--force", "--jobs", "1"], project
    )
    results["pages"] = sum(1 for _ in (project / "output").glob("*/*/index.html"))
    shutil.rmtree(project)
    return results


def generate_project(root: Path, articles: int) -> tuple[Path, float]:
    project = root / f"project-{articles}"
    started = time.perf_counter()
    generate.generate(project, articles, seed=7)
    return project, round(time.perf_counter() - started, 1)


def project_scenarios(project: Path, articles: int, generated_in: float, jobs: int) -> dict:
    root = project.parent
    size = sum(p.stat().st_size for p in (project / "source").glob("*.html"))
    results = {
        "articles": articles,
        "regions": 7,
        "source_mb": round(size / 1e6, 1),
        "generate_seconds": generated_in,
    }
    results["extract_all"] = measure(PIPELINE + ["extract"], project)
    # The catalogs are brought in step with the templates once, as in any working project.
    results["update_first"] = measure(PIPELINE + ["update"], project)
    edited = edit_sources(project, 0.01)
    measure(PIPELINE + ["extract"], project)
    results["update_after_1pct_edit"] = measure(PIPELINE + ["update"], project)
    results["update_after_1pct_edit"]["edited_articles"] = edited
    results["publish_full"] = fastest_of(first_publish(project, jobs))
    results["publish_full_1_job"] = measure(
        PIPELINE + ["publish", "--force", "--jobs", "1"], project
    )
    time.sleep(2.1)  # past the hash cache's racy window, as between real edits
    publish = PIPELINE + ["publish", "--jobs", str(jobs)]
    # The two short publishes are the fastest of RUNS (all kept), as the side-by-side steps
    # are: a second-long command on a shared machine varies by half from one run to the next.
    results["publish_nothing_changed"] = fastest_of(lambda: measure(publish, project))

    def one_article_changed() -> dict:
        touch_one_article(project)  # a new edit each time: "Revised: Revised: ..."
        return measure(publish, project)

    results["publish_one_article_changed"] = fastest_of(one_article_changed)
    pages = sum(1 for _ in (project / "output").glob("*/*/index.html"))
    for name in ("publish_full", "publish_full_1_job"):
        results[name]["pages_per_second"] = round(pages / results[name]["seconds"], 1)
    results["pages"] = pages
    # Correctness at speed: a plain single-process publish from scratch gives the same bytes.
    plain = root / f"plain-{articles}"
    shutil.copytree(
        project, plain, ignore=shutil.ignore_patterns("output", ".output*", ".pipeline-cache")
    )
    measure(PIPELINE + ["publish", "--jobs", "1"], plain)
    same, files = trees_identical(project / "output", plain / "output")
    results["fast_path_byte_identical"] = same
    results["files_compared"] = files
    shutil.rmtree(plain)
    return results


# -- side by side with Translate Toolkit ----------------------------------------------------


def identity_catalogs(pot_dir: Path, po_dir: Path) -> None:
    import polib

    for pot in pot_dir.rglob("*.pot"):
        catalog = polib.pofile(str(pot))
        for entry in catalog:
            entry.msgstr = entry.msgid
        target = po_dir / pot.relative_to(pot_dir).with_suffix(".po")
        target.parent.mkdir(parents=True, exist_ok=True)
        catalog.save(str(target))


def dom(data: bytes):
    import lxml.html

    try:
        root = lxml.html.document_fromstring(data)
    except Exception:  # noqa: BLE001 (an unparsable output counts as different)
        return None
    return [
        (
            e.tag,
            sorted(e.attrib.items()),
            " ".join((e.text or "").split()),
            " ".join((e.tail or "").split()),
        )
        for e in root.iter()
        if isinstance(e.tag, str)
    ]


def fidelity(pages: list[Path], pot_dir: Path, out_dir: Path) -> dict:
    byte_identical = dom_identical = empty = missing = 0
    for page in pages:
        source = page.read_bytes()
        pot = pot_dir / page.with_suffix(".pot").name
        if (
            not pot.is_file()
            or "msgid" not in pot.read_text(errors="replace").split('msgstr ""', 1)[-1]
        ):
            empty += 1
        out = out_dir / page.name
        if not out.is_file():
            missing += 1
            continue
        result = out.read_bytes()
        byte_identical += result == source
        dom_identical += dom(result) == dom(source)
    return {
        "pages": len(pages),
        "byte_identical": byte_identical,
        "dom_identical": dom_identical,
        "empty_templates": empty,
        "no_output": missing,
    }


def lxml_floor_command(pages: list[Path]) -> list[str]:
    code = (
        "import sys, lxml.html\n"
        "for p in sys.argv[1:]:\n"
        "    lxml.html.tostring(lxml.html.document_fromstring(open(p, 'rb').read()))\n"
    )
    return [FLOOR_PYTHON, "-c", code, *map(str, pages)]


# Each side-by-side step runs this many times and the fastest run counts: one run on this
# machine varies by 30% and more, for both tools. The tools take turns, so that a slow spell
# of the machine falls on both.
RUNS = 3


def fastest_of(run_once) -> dict:
    """The fastest of RUNS runs of `run_once()` (a measure), with every run's seconds."""
    done = [run_once() for _ in range(RUNS)]
    return min(done, key=lambda run: run["seconds"]) | {"runs": [r["seconds"] for r in done]}


def fastest(tasks: list[tuple]) -> dict:
    """{name: fastest run} of (name, command of run i, env of run i) tasks, in turns.

    Every run writes to a folder of its own and nothing is deleted until the side-by-side
    is over: on an ext4 without a journal (this machine's), each new file skips the inodes
    freed in the last minute one by one, so emptying the previous run's output just before a
    run made creating 1,000 files take 0.66 s instead of 0.19 s, the same seconds for both
    tools but a third of our extract."""
    runs: dict[str, list] = {name: [] for name, *_ in tasks}
    for run in range(RUNS):
        for name, command, env in tasks:
            runs[name].append(measure(command(run), check=False, env=env(run) if env else None))
    return {
        name: min(done, key=lambda run: run["seconds"]) | {"runs": [r["seconds"] for r in done]}
        for name, done in runs.items()
    }


STEPS = (
    ("extract", "extract_ours", "extract_theirs"),
    ("rebuild", "rebuild_ours", "rebuild_theirs"),
    ("rebuild_cold", "rebuild_ours_cold", "rebuild_theirs"),
)


def side_by_side(name: str, folder: Path, root: Path, tt: Path) -> dict:
    pages = sorted(folder.glob("*.html"))
    work = root / f"side-{name}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    flat = work / "pages"  # both tools read the same flat folder of .html files
    flat.mkdir()
    for page in pages:
        shutil.copy(page, flat / page.name)
    pages = sorted(flat.glob("*.html"))
    size = sum(p.stat().st_size for p in pages)
    ours, theirs = work / "ours", work / "theirs"
    ours.mkdir()
    theirs.mkdir()
    result = {"pages": len(pages), "mb": round(size / 1e6, 1)}
    # Every extract starts with an empty page cache of its own.
    result |= fastest(
        [
            (
                "extract_ours",
                lambda run: PIPELINE + ["file", "extract", str(flat), "-o", f"{ours}/pot-{run}"],
                lambda run: {"PIPELINE_CACHE_DIR": f"{work}/page-cache-{run}"},
            ),
            (
                "extract_theirs",
                lambda run: [str(tt / "html2po"), "-P", str(flat), f"{theirs}/pot-{run}"],
                None,
            ),
            ("floor_lxml", lambda run: lxml_floor_command(pages), None),
        ]
    )
    identity_catalogs(ours / "pot-0", ours / "po")
    identity_catalogs(theirs / "pot-0", theirs / "po")
    warm = {"PIPELINE_CACHE_DIR": str(work / "page-cache-merge")}

    def merge(output: str) -> list[str]:
        return PIPELINE + ["file", "merge", str(flat), str(ours / "po"), "-o", f"{ours}/{output}"]

    # The page cache as a first merge leaves it for the next language (`file extract` only
    # reads the cache): that first merge is the cold one, measured below without a cache.
    measure(merge("out-first"), env=warm)
    result |= fastest(
        [
            ("rebuild_ours", lambda run: merge(f"out-{run}"), lambda run: warm),
            # The same rebuild without the page cache.
            (
                "rebuild_ours_cold",
                lambda run: merge(f"out-cold-{run}"),
                lambda run: {"PIPELINE_CACHE_DIR": "off"},
            ),
            (
                "rebuild_theirs",
                lambda run: [
                    str(tt / "po2html"),
                    "-t",
                    str(flat),
                    "-i",
                    str(theirs / "po"),
                    "-o",
                    f"{theirs}/out-{run}",
                ],
                None,
            ),
        ]
    )
    result["fidelity_ours"] = fidelity(pages, ours / "pot-0", ours / "out-0")
    result["fidelity_theirs"] = fidelity(pages, theirs / "pot-0", theirs / "out-0")
    for step, our_run, their_run in STEPS:
        result[f"{step}_ratio_ours_to_theirs"] = round(
            result[our_run]["seconds"] / result[their_run]["seconds"], 3
        )
        # Run i of each tool came right after the other's: their ratio is the least touched by
        # the machine's slow and fast spells (which move both tools' fastest runs apart).
        turns = zip(result[our_run]["runs"], result[their_run]["runs"], strict=True)
        result[f"{step}_x_faster_by_turn"] = [round(b / a, 1) for a, b in turns]
        result[f"{step}_ratio_ours_to_floor"] = round(
            result[our_run]["seconds"] / result["floor_lxml"]["seconds"], 2
        )
    return result  # the work folder goes with the benchmark's root, at the very end


# -- report ---------------------------------------------------------------------------------


def table(results: dict) -> str:
    lines = []
    for articles, scenario in results["projects"].items():
        lines.append(
            f"\nGenerated project: {articles} articles x 7 regions "
            f"({scenario['source_mb']} MB of HTML, {scenario['pages']} pages)"
        )
        lines.append(f"{'scenario':<32} {'seconds':>8} {'peak MB':>8} {'pages/s':>8}")
        for name in (
            "extract_all",
            "update_after_1pct_edit",
            "publish_full",
            "publish_full_1_job",
            "publish_nothing_changed",
            "publish_one_article_changed",
        ):
            row = scenario[name]
            rate = row.get("pages_per_second", "")
            lines.append(f"{name:<32} {row['seconds']:>8.2f} {row['peak_mb']:>8.0f} {rate:>8}")
        lines.append(
            f"fast path byte-identical to a plain publish: "
            f"{scenario['fast_path_byte_identical']} ({scenario['files_compared']} files)"
        )
    if "scale" in results:
        scale = results["scale"]
        base = next(iter(results["projects"].values()))
        lines.append(
            f"\nMemory as articles grow (full publish, peak MB of the main process): "
            f"{base['articles']} articles: {base['publish_full']['peak_mb']:.0f} "
            f"({base['publish_full_1_job']['peak_mb']:.0f} with 1 job); "
            f"{scale['articles']} articles: {scale['publish_full']['peak_mb']:.0f} "
            f"({scale['publish_full_1_job']['peak_mb']:.0f} with 1 job), "
            f"{scale['publish_full']['seconds']:.1f} s"
        )
    if "update_edited" in results:
        edited = results["update_edited"]
        lines.append(
            f"\nupdate after {edited['edited_paragraphs']} paragraphs of {edited['articles']} "
            f"articles were edited (3 languages): {edited['update']['seconds']:.1f} s, "
            f"{edited['update']['peak_mb']:.0f} MB"
        )
    for name, side in results["side_by_side"].items():
        lines.append(
            f"\nSide by side on {name}: {side['pages']} pages, {side['mb']} MB "
            f"(Translate Toolkit {results['translate_toolkit']})"
        )
        lines.append(
            f"{'step':<13} {'ours s':>8} {'theirs s':>9} {'x faster':>9} {'ours/lxml floor':>16}"
            f"  {'x faster, turn by turn':>22}"
        )
        for step, ours, theirs in STEPS:
            if ours not in side:
                continue
            lines.append(
                f"{step:<13} {side[ours]['seconds']:>8.2f} "
                f"{side[theirs]['seconds']:>9.2f} "
                f"{1 / side[f'{step}_ratio_ours_to_theirs']:>9.1f} "
                f"{side[f'{step}_ratio_ours_to_floor']:>16.2f}"
                f"  {' '.join(map(str, side.get(f'{step}_x_faster_by_turn', []))):>22}"
            )
        lines.append(
            "(rebuild reads the pages' segments and the catalogs' entries from the cache a "
            "first merge filled; rebuild_cold parses every page and catalog again)"
        )
        lines.append(f"lxml parse+serialize floor: {side['floor_lxml']['seconds']:.2f} s")
        for who in ("ours", "theirs"):
            f = side[f"fidelity_{who}"]
            lines.append(
                f"identity catalog, {who:<6}: byte-identical {f['byte_identical']}/"
                f"{f['pages']}, DOM-identical {f['dom_identical']}/{f['pages']}, "
                f"empty templates {f['empty_templates']}, no output {f['no_output']}"
            )
    return "\n".join(lines)


def run_all(args, results: dict, root: Path, tt: Path) -> None:
    project, generated_in = generate_project(root, args.articles)
    # The side-by-side runs come first: the project scenarios delete thousands of files,
    # which would slow down creating files for a minute (see `fastest`).
    if args.pages.is_dir():
        results["side_by_side"]["real pages"] = side_by_side("real", args.pages, root, tt)
    generated = project / "source"
    results["side_by_side"]["generated pages"] = side_by_side("generated", generated, root, tt)
    if not args.side_by_side_only:
        results["projects"][args.articles] = project_scenarios(
            project, args.articles, generated_in, args.jobs
        )
        if args.scale:
            results["scale"] = scale_scenario(root, args.scale, args.jobs)
        results["update_edited"] = update_scenario(root, args.update_articles, args.paragraphs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        help="also run the project scenarios with this many articles",
    )
    parser.add_argument(
        "--pages",
        type=Path,
        default=REPO.parent / "shared/corpus/pages",
        help="a folder of real pages for the side-by-side run",
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--update-articles",
        type=int,
        default=150,
        help="articles of the project whose paragraphs are edited before an update",
    )
    parser.add_argument("--paragraphs", type=int, default=17, help="edited per article")
    parser.add_argument(
        "--update-only",
        action="store_true",
        help="only the update after edited paragraphs (merged into --out if it exists)",
    )
    parser.add_argument(
        "--project-only",
        action="store_true",
        help="only the scenarios of the generated project (merged into --out if it exists)",
    )
    parser.add_argument(
        "--side-by-side-only",
        action="store_true",
        help="only the runs against Translate Toolkit (merged into --out if it exists)",
    )
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    os.environ["PIPELINE_CACHE_DIR"] = str(root / "page-cache")  # cold at the start of a run
    results = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "projects": {},
        "side_by_side": {},
    }
    try:
        install_ours()
        if (args.side_by_side_only or args.update_only) and args.out.is_file():
            kept = json.loads(args.out.read_text())
            results = kept | ({} if args.update_only else {"side_by_side": {}})
        if args.update_only:
            results["update_edited"] = update_scenario(root, args.update_articles, args.paragraphs)
        elif args.project_only:
            if args.out.is_file():
                results = json.loads(args.out.read_text())
            project, generated_in = generate_project(root, args.articles)
            results["projects"][str(args.articles)] = project_scenarios(
                project, args.articles, generated_in, args.jobs
            )
        else:
            tt = tt_tools()
            results["translate_toolkit"] = tt_version(tt)
            run_all(args, results, root, tt)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print(f"\nresults: {args.out}")


if __name__ == "__main__":
    main()
