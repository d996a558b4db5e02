"""Generate a benchmark project: N articles shaped like real ones, with es/fr/de catalogs.

Deterministic for a seed: the same arguments give the same bytes. Articles have headings,
paragraphs with inline links and emphasis, lists, figures and call-to-action blocks with the
hotline; catalogs are filled with a reversible transformation of the source text (es and fr
complete, de about 85%), so every page exercises tags and placeholders.

    python benchmarks/generate.py OUT_DIR [--articles 1000] [--seed 7] [--regions 7]

`--regions N` (more than the region file's 7) adds regions of the same four languages in
other countries (en-IE, es-AR, fr-BE, de-AT...), each without a hotline of its own, so that
a site of many regions per article can be measured.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.catalogs import template_entries  # noqa: E402
from pipeline.notation import parse_message  # noqa: E402
from pipeline.notation import serialize as serialize_message  # noqa: E402
from pipeline.pseudo import accented  # noqa: E402
from pipeline.segment import HotlineSpec  # noqa: E402
from pipeline.source import load_article  # noqa: E402

WORDS = (
    "ketamine addiction treatment recovery support withdrawal symptoms therapy clinical "
    "patients doctors research studies dependence tolerance psychological physical brain "
    "effects risks dose health mental program care family detox relapse prevention help "
    "community counseling medication substance abuse anxiety depression sleep pain safety "
    "hospital clinic evidence trial results doctor nurse people life hope change plan day "
    "week month often usually rarely quickly slowly carefully together safely early later "
).split()
HOTLINE = '<a href="tel:+18773784154">(877) 378-4154</a>'
LANGUAGES = {"es": 1.0, "fr": 1.0, "de": 0.85}


def sentence(rng: random.Random, inline: bool) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 22))]
    if inline and rng.random() < 0.5:
        at = rng.randrange(len(words) - 2)
        kind = rng.choice(["a", "strong", "em"])
        span = " ".join(words[at : at + 2])
        attrs = (
            f' href="/articles/{rng.choice(WORDS)}-{rng.randint(1, 999)}"' if kind == "a" else ""
        )
        words[at : at + 2] = [f"<{kind}{attrs}>{span}</{kind}>"]
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", "?", "!"])


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng, True) for _ in range(rng.randint(3, 7)))


def article_html(slug: str, rng: random.Random) -> str:
    title = " ".join(rng.choice(WORDS) for _ in range(4)).title()
    out = [
        "<!DOCTYPE html>",
        '<html lang="en-US">',
        "<head>",
        '  <meta charset="utf-8">',
        f"  <title>{title}</title>",
        f'  <meta name="description" content="{sentence(rng, False)}">',
        f'  <link rel="canonical" href="https://www.example.org/en-US/{slug}/">',
        "</head>",
        "<body>",
        f'  <article id="{slug}">',
        f"    <h1>{title}</h1>",
        '    <p class="byline">Updated <time datetime="2024-03-01" data-l10n-var="date">'
        "March 1, 2024</time></p>",
    ]
    for section in range(rng.randint(6, 10)):
        out.append(f'    <section id="s{section}">')
        out.append(f"      <h2>{sentence(rng, False)[:-1]}</h2>")
        for _ in range(rng.randint(2, 5)):
            out.append(f"      <p>{paragraph(rng)}</p>")
        if rng.random() < 0.4:
            out.append("      <ul>")
            out.extend(f"        <li>{sentence(rng, True)}</li>" for _ in range(rng.randint(3, 8)))
            out.append("      </ul>")
        if rng.random() < 0.3:
            out.append("      <figure>")
            out.append(
                f'        <img src="/img/{slug}-{section}.jpg" alt="{sentence(rng, False)}"'
                ' width="800" height="450">'
            )
            out.append(f"        <figcaption>{sentence(rng, False)}</figcaption>")
            out.append("      </figure>")
        out.append("    </section>")
        if section % 3 == 1:
            out.append('    <aside class="cta">')
            out.append(f"      <p>{paragraph(rng)}</p>")
            out.append('      <div class="hotline" data-l10n-region="hotline">')
            out.append(f'        <p data-l10n-critical="yes">Call {HOTLINE} today.</p>')
            out.append("      </div>")
            out.append("    </aside>")
    out += ["  </article>", "</body>", "</html>", ""]
    return "\n".join(out)


def po_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def catalog_text(article, language: str, share: float, rng: random.Random) -> str:
    transform = accented if language == "es" else str.upper
    lines = [
        'msgid ""',
        'msgstr ""',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        '"Content-Transfer-Encoding: 8bit\\n"',
        f'"Language: {language}\\n"',
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
        "",
    ]
    by_key = {s.key: s for s in article.segments}
    for entry in template_entries(article):
        segment = by_key[(entry.msgctxt, entry.msgid)]
        translated = entry.critical or rng.random() < share
        msgstr = ""
        if translated:
            tokens = [
                (k, transform(v) if k == "text" else v)
                for k, v in parse_message(entry.msgid, segment)
            ]
            msgstr = serialize_message(tokens, segment.is_format)
        if entry.is_format:
            lines.append("#, python-brace-format")
        if entry.msgctxt:
            lines.append(f"msgctxt {po_string(entry.msgctxt)}")
        lines += [f"msgid {po_string(entry.msgid)}", f"msgstr {po_string(msgstr)}", ""]
    return "\n".join(lines)


# Regions beyond the bundled seven, in the order `--regions` adds them.
EXTRA_REGIONS = (
    "en-IE en-CA en-NZ en-ZA en-IN en-SG en-PH en-NG es-ES es-AR es-CO es-CL es-PE es-UY "
    "es-EC fr-BE fr-CA fr-CH fr-LU de-AT de-CH de-LU de-LI es-VE es-BO es-PY en-KE en-GH "
    "en-JM fr-MC es-CR es-PA es-GT es-HN en-MT"
).split()
BUNDLED_REGIONS = 7


def generate(out: Path, articles: int, seed: int, regions: int = BUNDLED_REGIONS) -> None:
    if out.exists():
        shutil.rmtree(out)
    (out / "source").mkdir(parents=True)
    (out / "locales").mkdir()
    shutil.copy(REPO / "locales/regions.toml", out / "locales/regions.toml")
    extra = EXTRA_REGIONS[: max(0, regions - BUNDLED_REGIONS)]
    if regions - BUNDLED_REGIONS > len(EXTRA_REGIONS):
        raise SystemExit(f"--regions: at most {BUNDLED_REGIONS + len(EXTRA_REGIONS)}")
    with open(out / "locales/regions.toml", "a", encoding="utf-8") as stream:
        for tag in extra:
            stream.write(f'\n[regions.{tag}]\nlanguage = "{tag.split("-")[0]}"\n')
    (out / "pyproject.toml").write_text(
        '[tool.pipeline]\nsource_locale = "en-US"\nbase_url = "https://www.example.org"\n'
        "min_complete = 50\n"
    )
    hotline = HotlineSpec("US", frozenset({"+18773784154"}))
    for number in range(articles):
        slug = f"article-{number:05d}"
        rng = random.Random(f"{seed}-{slug}")
        (out / "source" / f"{slug}.html").write_text(article_html(slug, rng), encoding="utf-8")
        article = load_article(out / "source", slug, hotline, out)
        for language, share in LANGUAGES.items():
            folder = out / "locales" / language / "LC_MESSAGES"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{slug}.po").write_text(
                catalog_text(article, language, share, random.Random(f"{seed}-{slug}-{language}")),
                encoding="utf-8",
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--regions", type=int, default=BUNDLED_REGIONS)
    args = parser.parse_args()
    generate(args.out, args.articles, args.seed, args.regions)


if __name__ == "__main__":
    main()
