"""How well `fetch` finds an article: word F1 against Readability's reference extractions.

    .venv/bin/python benchmarks/extraction.py [--corpus ../shared/corpus] [--json FILE]

For every page of the corpus, the words (lower-cased runs of letters and digits) of the
article `fetch` keeps are compared with those of `expected/<name>.html` as bags of words:
precision, recall and F1 per page, and their means. Two extractors side by side: `fetch`'s
own (trafilatura, then our cleaning) and the heuristic it had before (the densest block,
`pipeline.fetch.main_content`), cleaned the same way. No network: the pages are read from disk.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from collections import Counter
from pathlib import Path

from bs4 import BeautifulSoup

from pipeline.errors import SourceError
from pipeline.fetch import clean_page, clean_tree, main_content

HERE = Path(__file__).resolve().parent
WORDS = re.compile(r"\w+")


def words(html: str) -> Counter:
    text = BeautifulSoup(html, "lxml").get_text(" ")
    return Counter(word.lower() for word in WORDS.findall(text))


def scores(found: Counter, expected: Counter) -> tuple[float, float, float]:
    common = sum((found & expected).values())
    if not common:
        return 0.0, 0.0, 0.0
    precision = common / sum(found.values())
    recall = common / sum(expected.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def ours(text: str, url: str) -> str:
    """The article as `fetch` writes it (body only)."""
    try:
        document = clean_page(text, url).html
    except SourceError:
        return ""
    body = BeautifulSoup(document, "lxml").find("body")
    return str(body) if body else ""


def heuristic(text: str, url: str) -> str:
    """The densest-block heuristic alone, cleaned as `fetch` cleans."""
    soup = BeautifulSoup(text, "lxml")
    root = main_content(soup)
    if root is None:
        return ""
    clean_tree(root, url)
    return str(root)


def page_url(metadata: Path) -> str:
    """A stand-in address for the page (links are made absolute against it)."""
    return f"https://example.com/{metadata.stem}/"


def run(corpus: Path) -> dict:
    rows = []
    for page in sorted((corpus / "pages").glob("*.html")):
        expected_file = corpus / "expected" / page.name
        if not expected_file.is_file():
            continue
        text = page.read_text(encoding="utf-8", errors="replace")
        expected = words(expected_file.read_text(encoding="utf-8", errors="replace"))
        url = page_url(page)
        row = {"page": page.stem}
        for name, extractor in (("fetch", ours), ("heuristic", heuristic)):
            precision, recall, f1 = scores(words(extractor(text, url)), expected)
            row[name] = {"precision": precision, "recall": recall, "f1": f1}
        rows.append(row)
    summary = {
        name: {
            measure: round(statistics.mean(row[name][measure] for row in rows), 4)
            for measure in ("precision", "recall", "f1")
        }
        for name in ("fetch", "heuristic")
    }
    return {"pages": len(rows), "mean": summary, "rows": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=HERE.parent.parent / "shared" / "corpus")
    parser.add_argument("--json", type=Path, help="Also write the per-page figures here.")
    args = parser.parse_args()
    if not (args.corpus / "pages").is_dir():
        print(f"error: {args.corpus}/pages: no corpus there", file=sys.stderr)
        return 1
    result = run(args.corpus)
    for row in sorted(result["rows"], key=lambda row: row["fetch"]["f1"]):
        ours_f1, heuristic_f1 = row["fetch"]["f1"], row["heuristic"]["f1"]
        print(f"{row['page']:45} {ours_f1:.3f}  (heuristic {heuristic_f1:.3f})")
    for name, mean in result["mean"].items():
        print(
            f"mean word F1 of {name}: {mean['f1']:.3f} "
            f"(precision {mean['precision']:.3f}, recall {mean['recall']:.3f}) "
            f"over {result['pages']} pages"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
