"""Terminology: one glossary per language (`locales/<lang>/glossary.toml`), the terms of the
source with the translations a translator may use and those that are wrong.

Terms are found through Snowball stemmers (case and inflection tolerant: "délirantes" is
found by "délirant", "overdoses" by "overdose"); German and other compounding languages
also find an allowed translation inside a compound ("Ketaminentzug" holds "Entzug").
"""

from __future__ import annotations

import functools
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import read_toml
from pipeline.errors import ConfigError
from pipeline.files import read_bytes

GLOSSARY_FILE = "glossary.toml"
WORD = re.compile(r"\w+")
COMPOUNDING = {"de", "nl", "sv", "da", "nb", "no", "fi", "is"}


@dataclass(frozen=True)
class Term:
    """A source term (with its spelling variants) and its translations."""

    sources: tuple[str, ...]
    allowed: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    note: str = ""

    @property
    def source(self) -> str:
        return self.sources[0]


@functools.cache
def stemmer_for(language: str):
    """A Snowball stemmer for a language tag (None where Snowball has none: words are then
    matched as written, case aside); one per language for the process, with its words' stems
    kept, because a site's words repeat across segments, terms, regions and articles and
    Snowball is pure Python."""
    import snowballstemmer
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(language.replace("-", "_").split("_")[0]).english_name.lower()
    except (UnknownLocaleError, ValueError):
        return None
    if name not in snowballstemmer.algorithms():
        return None
    return cached_stems(snowballstemmer.stemmer(name))


def cached_stems(stemmer):
    """The stemmer as a function of a word, memoized; a Snowball stemmer keeps its word in
    the instance, so threads (the review server's) take turns."""
    lock = threading.Lock()

    @functools.lru_cache(maxsize=100_000)
    def stem(word: str) -> str:
        with lock:
            return stemmer.stemWord(word)

    return stem


@functools.lru_cache(maxsize=1024)
def stemmed_words(language: str, text: str) -> tuple[tuple[str, str], ...]:
    """`Stems.words` of a text in a language. The last 1,024 are kept (about 3.5 MB): a
    glossary's phrases are looked for in every entry, and a source text is looked through
    again for each language."""
    stemmer = stemmer_for(language)
    words = [word.lower() for word in WORD.findall(text)]
    stems = [stemmer(word) for word in words] if stemmer else words
    return tuple((s, s + w[len(s) : len(s) + 1]) for s, w in zip(stems, words, strict=True))


class Stems:
    """A language's stemming of texts and phrases.

    Two words are the same term when their Snowball stems are equal and the words go on
    alike after the stem: "overdoses" is "overdose", "depends" is not "dependence" (English
    Snowball gives both "depend"), "délirantes" is not "délire"."""

    def __init__(self, language: str):
        self.language = language
        self.compounding = language.replace("-", "_").split("_")[0] in COMPOUNDING

    def words(self, text: str) -> tuple[tuple[str, str], ...]:
        """(stem, key) of each word: the key is the stem and the letter after it."""
        return stemmed_words(self.language, text)

    def has(
        self, text: tuple[tuple[str, str], ...], phrase: str, inside_words: bool = False
    ) -> bool:
        """Whether the phrase's words appear in a row among the text's; with
        `inside_words`, a one-word phrase may also be part of a compound."""
        wanted = [key for _, key in self.words(phrase)]
        if not wanted:
            return False
        keys, size = [key for _, key in text], len(wanted)
        if any(keys[i : i + size] == wanted for i in range(len(keys) - size + 1)):
            return True
        stem = self.words(phrase)[0][0]
        if inside_words and self.compounding and size == 1 and len(stem) >= 4:
            return any(stem in word_stem for word_stem, _ in text)
        return False


class Glossary:
    """The terms of one language, ready to look for in a source text and its translation."""

    def __init__(self, language: str, terms: list[Term], source_language: str = "en"):
        self.language = language
        self.terms = terms
        self.source = Stems(source_language)
        self.target = Stems(language)
        # First word's key -> (term number, every word's key) of each source spelling: a text
        # is looked up a word at a time, not compared with every term (every catalog entry
        # of every page is looked through).
        self.index: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        for number, term in enumerate(terms):
            for phrase in term.sources:
                keys = tuple(key for _, key in self.source.words(phrase))
                if keys:
                    self.index.setdefault(keys[0], []).append((number, keys))

    def terms_in(self, source_text: str) -> list[Term]:
        """The terms that a source text holds (as plain text or a catalog message): those
        with a spelling whose words are among the text's in a row (`Stems.has`)."""
        keys = [key for _, key in self.source.words(plain(source_text))]
        found = set()
        for start, key in enumerate(keys):
            for number, wanted in self.index.get(key, ()):
                if tuple(keys[start : start + len(wanted)]) == wanted:
                    found.add(number)
        return [term for number, term in enumerate(self.terms) if number in found]

    def problems(self, msgid: str, msgstr: str) -> list[tuple[str, str]]:
        """(severity, message) for each term of the source that the translation renders
        with a forbidden word (an error) or with none of its allowed ones (a warning)."""
        terms = self.terms_in(msgid)
        stems = self.target.words(plain(msgstr))
        found = []
        for term in terms:
            wrong = next((w for w in term.forbidden if self.target.has(stems, w)), None)
            if wrong and not self.excused(wrong, term, terms):
                found.append(
                    (
                        "error",
                        f"forbidden translation {wrong!r} of {term.source!r} ({self.use(term)})",
                    )
                )
            elif term.allowed and not any(
                self.target.has(stems, a, inside_words=True) for a in term.allowed
            ):
                found.append(
                    (
                        "warning",
                        f"{term.source!r} without any of its translations ({self.use(term)})",
                    )
                )
        return found

    def excused(self, word: str, term: Term, terms: list[Term]) -> bool:
        """Whether a forbidden word is another term's allowed translation in the same text
        ("délire" is wrong for delirium but right for delusion, when both are there)."""
        wanted = [key for _, key in self.target.words(word)]
        return any(
            wanted == [key for _, key in self.target.words(allowed)]
            for other in terms
            if other is not term
            for allowed in other.allowed
        )

    @staticmethod
    def use(term: Term) -> str:
        return "glossary: " + (" or ".join(repr(a) for a in term.allowed) or "see its note")


def plain(message: str) -> str:
    from pipeline.checks import plain_text

    return plain_text(message)


# -- the file --------------------------------------------------------------------------------


def glossary_path(locales_dir: Path, language: str) -> Path:
    from pipeline.files import safe_name

    return locales_dir / safe_name(language, "locale") / GLOSSARY_FILE


def load_glossary(locales_dir: Path, language: str, source_language: str = "en"):
    """The glossary of a catalog language (a regional one falls back to its language's),
    or None when there is none."""
    base = language.replace("-", "_").split("_")[0]
    for name in dict.fromkeys((language, base)):
        path = glossary_path(locales_dir, name)
        if path.is_file():
            return Glossary(language, read_terms(path), source_language)
    return None


def read_terms(path: Path) -> list[Term]:
    """The terms of a glossary file; a ConfigError names the file (and line) when wrong."""
    data = read_toml(path)
    terms = []
    for number, item in enumerate(data.get("term", []), 1):
        if not isinstance(item, dict):
            raise ConfigError(f"{path}: term {number} is not a table")
        sources = strings(item.get("source"), path, number, "source")
        if not sources:
            raise ConfigError(f"{path}: term {number} has no source")
        terms.append(
            Term(
                sources,
                strings(item.get("allowed"), path, number, "allowed"),
                strings(item.get("forbidden"), path, number, "forbidden"),
                str(item.get("note", "")),
            )
        )
    return terms


def strings(value, path: Path, number: int, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise ConfigError(f"{path}: term {number}: {key} must be text or a list of texts")
    return tuple(values)


def format_terms(terms: list[Term], header: str) -> str:
    """A glossary file's text (TOML; strings written as JSON strings, which TOML reads)."""

    def value(items: tuple[str, ...], single: bool = False) -> str:
        if single and len(items) == 1:
            return json.dumps(items[0], ensure_ascii=False)
        return "[" + ", ".join(json.dumps(i, ensure_ascii=False) for i in items) + "]"

    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    for term in terms:
        lines += ["", "[[term]]", f"source = {value(term.sources, single=True)}"]
        for key in ("allowed", "forbidden"):
            if getattr(term, key):
                lines.append(f"{key} = {value(getattr(term, key))}")
        if term.note:
            lines.append(f"note = {json.dumps(term.note, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def merge_terms(old: list[Term], new: list[Term]) -> tuple[list[Term], int]:
    """(terms, how many were added or grew): `new` laid over `old` by source term, keeping
    everything either has (a glossary import never drops what a team wrote)."""
    merged = {t.source.lower(): t for t in old}
    changed = 0
    for term in new:
        key = term.source.lower()
        have = merged.get(key)
        if have is None:
            merged[key] = term
            changed += 1
            continue
        grown = Term(
            tuple(dict.fromkeys(have.sources + term.sources)),
            tuple(dict.fromkeys(have.allowed + term.allowed)),
            tuple(dict.fromkeys(have.forbidden + term.forbidden)),
            have.note or term.note,
        )
        changed += grown != have
        merged[key] = grown
    return list(merged.values()), changed


def header_of(path: Path, language: str) -> str:
    """A glossary file's leading comment (kept when the file is rewritten)."""
    if not path.is_file():
        return (
            f"Glossary of the articles' terms for {language}: for each source term, the\n"
            "translations a translator may use (allowed) and those that are wrong (forbidden)."
        )
    lines = []
    for line in read_bytes(path).decode("utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].removeprefix(" "))
    return "\n".join(lines)


def import_terms(locales_dir: Path, language: str, terms: list[Term]) -> tuple[Path, int]:
    """Merge `terms` into a language's glossary file (written atomically)."""
    from pipeline.files import write_atomic

    path = glossary_path(locales_dir, language)
    old = read_terms(path) if path.is_file() else []
    merged, changed = merge_terms(old, terms)
    if changed:
        write_atomic(path, format_terms(merged, header_of(path, language)))
    return path, changed
