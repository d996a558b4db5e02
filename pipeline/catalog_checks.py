"""Checking whole catalogs: msgfmt's verdict, each entry's findings, and the translations
publish may use (`judged_translations`); the rules for one translation are
`pipeline.checks`."""

from __future__ import annotations

import bisect
import dataclasses
from dataclasses import dataclass
from pathlib import Path

from pipeline import pagecache
from pipeline.catalogs import Translations, read_translations
from pipeline.checks import (
    Completeness,
    Finding,
    completeness,
    segment_for,
    translation_errors,
    translation_warnings,
)
from pipeline.files import read_bytes
from pipeline.msgfmt import accepts_together, batchable, msgfmt_outcome
from pipeline.poreader import PoSyntaxError, read_entries
from pipeline.state import StateStore


def msgfmt_problems(
    path: Path, check_header: bool, data: bytes | None = None
) -> list[tuple[int, str]]:
    """(line, message) of what msgfmt refuses (its warnings left out); [] without msgfmt.
    With `data`, msgfmt reads those bytes (the catalog's as read) instead of the file."""
    return msgfmt_outcome(path, check_header, data)[0]


def msgfmt_verdicts(
    path, entries: list | None = None, data: bytes | None = None
) -> list[tuple[int, str, tuple | None]]:
    """(line, message, entry key) of every error msgfmt finds in a catalog; the key is None
    for an error of the header (msgfmt then refuses the whole catalog, and so do we)."""
    return verdicts_of(path, msgfmt_problems(path, check_header=True, data=data), entries, data)


def verdicts_of(
    path, problems: list, entries: list | None = None, data: bytes | None = None
) -> list[tuple[int, str, tuple | None]]:
    """msgfmt's `problems` with a catalog as (line, message, entry key).

    msgfmt reports some errors as two lines, "...": a duplicate names both definitions, a
    plural-form mismatch names the header and the entry: such a pair is one error, of the
    entries it names outside the header (of the header only when it names nothing else)."""
    if not problems:
        return []
    if entries is None:
        text = data.decode("utf-8") if data is not None else path.read_text(encoding="utf-8")
        entries = read_entries(text)
    starts = [(entry.line, entry.key) for entry in entries if not entry.obsolete]
    verdicts = []
    for group in paired(problems):
        message = "; ".join(text.strip(". ") for _, text in group)
        keys = [key for key in (entry_at(starts, line) for line, _ in group) if key]
        for line, _ in group:
            key = entry_at(starts, line)
            if key or not keys:
                verdicts.append((line, message, key))
    return verdicts


def paired(problems: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """msgfmt's problems, a message ending in "..." grouped with the "..." line after it."""
    groups: list[list[tuple[int, str]]] = []
    for line, message in problems:
        if groups and groups[-1][-1][1].endswith("...") and message.startswith("..."):
            groups[-1].append((line, message))
        else:
            groups.append([(line, message)])
    return groups


def entry_at(starts: list, line: int) -> tuple | None:
    """The key of the entry that holds `line`; None for the header or before any entry."""
    index = bisect.bisect_right([start for start, _ in starts], line) - 1
    if index < 0 or not starts[index][1][1]:
        return None
    return starts[index][1]


def judged_translations(path, glossary=None, store: StateStore | None = None) -> Translations:
    """A catalog's translations with msgfmt's verdict on them (`refused`), and the
    `glossary`'s (a forbidden term is an error, as in check): what publish renders from. An
    error of the header refuses every entry of the catalog. With the project's `store`,
    msgfmt's verdict is remembered there (`remembered_verdicts`)."""
    translations = glossary_verdict(read_translations(path), glossary)
    verdicts = remembered_verdicts(path, store)
    if not verdicts:
        return translations
    refused = {**translations.refused, **{key: f"msgfmt: {m}" for _, m, key in verdicts if key}}
    catalog = [message for _, message, key in verdicts if key is None]
    if catalog:
        reason = f"msgfmt refuses the catalog: {catalog[0]}"
        refused = dict.fromkeys(translations.lines, reason)
    return dataclasses.replace(translations, refused=refused)


VERDICTS = "msgfmt"  # the state store's kind for msgfmt's verdicts


def remembered_verdicts(
    path, store: StateStore | None, data: bytes | None = None, entries: list | None = None
) -> list[tuple[int, str, tuple | None]]:
    """`msgfmt_verdicts` of a catalog, kept in the project's state by the hash of the bytes
    msgfmt judged (with this package's code version): msgfmt is a process per catalog, and an
    unchanged catalog is judged once. A msgfmt that is missing, could not run or was killed
    gave no verdict on the catalog: what it said is used this once, never kept. `data` and
    `entries`: the catalog's bytes and entries, when the caller has read them already."""
    data = read_bytes(path) if data is None else data
    key = pagecache.key_of(data, "msgfmt")
    if store is not None:
        kept = revived(store.get(VERDICTS, key))
        if kept is not None:
            return kept
    problems, judged = msgfmt_outcome(path, True, data)
    verdicts = verdicts_of(path, problems, entries, data)
    if judged and store is not None:
        store.put(VERDICTS, {key: verdicts})
    return verdicts


def judge_together(paths, store: StateStore) -> None:
    """msgfmt's verdict on those of `paths` that `store` holds none for yet, from one msgfmt
    run: when it accepts them all, each is kept as accepted, which is what
    `remembered_verdicts` would have kept, for one msgfmt start instead of one a catalog.
    Otherwise nothing is kept, and each is judged alone when it is read, for its errors."""
    waiting: dict[str, bytes] = {}
    for path in paths:
        try:
            data = read_bytes(path)
        except OSError:
            continue  # judged (and refused) when it is read
        key = pagecache.key_of(data, "msgfmt")
        if key in waiting or not batchable(data):
            continue
        if revived(store.get(VERDICTS, key)) is None:
            waiting[key] = data
    if len(waiting) > 1 and accepts_together(list(waiting.values())):
        store.put(VERDICTS, dict.fromkeys(waiting, []))


def revived(value) -> list[tuple[int, str, tuple | None]] | None:
    """Verdicts as `remembered_verdicts` keeps them (JSON: lists for tuples), or None for
    anything else (a miss: a damaged entry is judged again)."""
    if not isinstance(value, list) or not all(map(well_formed, value)):
        return None
    return [(line, message, key and tuple(key)) for line, message, key in value]


def well_formed(verdict) -> bool:
    """Whether a kept verdict is [line, message, None or [msgctxt, msgid]]."""
    if not (isinstance(verdict, list) and len(verdict) == 3):
        return False
    line, message, key = verdict
    if not (isinstance(line, int) and isinstance(message, str)):
        return False
    if key is None:
        return True
    return (
        isinstance(key, list)
        and len(key) == 2
        and (key[0] is None or isinstance(key[0], str))
        and isinstance(key[1], str)
    )


def glossary_verdict(translations: Translations, glossary) -> Translations:
    """`translations` with the entries the glossary calls an error refused."""
    if glossary is None:
        return translations
    refused = {}
    for key, msgstr in translations.entries.items():
        errors = [m for severity, m in glossary.problems(key[1], msgstr) if severity == "error"]
        if errors:
            refused[key] = f"glossary: {errors[0]}"
    return dataclasses.replace(translations, refused=refused) if refused else translations


@dataclass(frozen=True)
class CatalogReport:
    """What check finds in one catalog, and its completeness (None when it cannot be read)."""

    findings: list[Finding]
    completeness: Completeness | None
    usable: frozenset = frozenset()  # keys of the translations publish may use
    entries: tuple = ()  # the catalog's entries, as read (for further checks)


def check_catalog(
    path,
    shown: str,
    phone_regions: tuple[str, ...],
    language: str = "",
    glossary=None,
    store: StateStore | None = None,
) -> CatalogReport:
    """Every finding in one catalog: syntax and msgfmt's errors, then each entry's (with the
    language's `glossary`, a `pipeline.glossary.Glossary`, its terms too). An untranslated
    entry is a finding of severity "untranslated" (progress, not a fault). With the
    project's `store`, msgfmt's verdict is remembered there, as publish remembers it."""
    data = read_bytes(path)
    try:
        entries = read_entries(data.decode("utf-8"))
    except UnicodeDecodeError:
        return CatalogReport([Finding("error", "syntax", "not UTF-8", shown, 1)], None)
    except PoSyntaxError as error:
        return unreadable(path, shown, error)
    verdicts = remembered_verdicts(path, store, data, entries)
    findings = [
        Finding(
            "error",
            "msgfmt",
            message if key else f"{message} (the catalog is not used: pages show the source)",
            shown,
            line,
            key[1] if key else "",
        )
        for line, message, key in verdicts
    ]
    refused = {key for _, _, key in verdicts}  # None among them: the whole catalog
    judged = []
    for entry in entries:
        if entry.msgid and not entry.obsolete:
            found = entry_findings(entry.msgid, entry.msgstr, entry.flags, phone_regions, language)
            found += glossary_findings(entry, glossary)
            findings.extend(Finding(*finding, shown, entry.line, entry.msgid) for finding in found)
            judged.append((entry.key, entry.msgid, is_usable(entry, found, refused)))
    usable = frozenset(key for key, _, ok in judged if ok)
    return CatalogReport(findings, completeness(judged), usable, tuple(entries))


def glossary_findings(entry, glossary) -> list[tuple[str, str, str]]:
    """(severity, "glossary", message) of a translated entry's terms against the language's
    glossary (a `pipeline.glossary.Glossary`, or None)."""
    if glossary is None or not entry.msgstr or entry.fuzzy:
        return []
    problems = glossary.problems(entry.msgid, entry.msgstr)
    return [(severity, "glossary", message) for severity, message in problems]


def is_usable(entry, findings: list, refused: set) -> bool:
    """Whether publish may use the entry's translation: translated, not fuzzy, without an
    error of its own or of msgfmt's (`refused`: keys msgfmt refuses, None for the catalog)."""
    if not entry.translated or refused & {entry.key, None}:
        return False
    return not any(finding[0] == "error" for finding in findings)


def unreadable(path, shown: str, error: PoSyntaxError) -> CatalogReport:
    """The report on a catalog the reader refuses: msgfmt's errors, and the reader's own
    where msgfmt names no fault on that line."""
    findings = [
        Finding("error", "msgfmt", message, shown, line)
        for line, message in msgfmt_problems(path, check_header=True)
    ]
    if not any(f.line == error.line for f in findings):
        findings.append(Finding("error", "syntax", error.message, shown, error.line))
    return CatalogReport(findings, None)


def entry_findings(
    msgid: str, msgstr: str, flags, phone_regions: tuple[str, ...], language: str
) -> list[tuple[str, str, str]]:
    """(severity, code, message) of one entry's translation."""
    if not msgstr:
        return [("untranslated", "untranslated", "untranslated")]
    if "fuzzy" in flags:
        return [("warning", "fuzzy", "fuzzy: needs review before it is used")]
    segment = segment_for(msgid, "python-brace-format" in flags)
    return [
        *(
            ("error", code, message)
            for code, message in translation_errors(msgstr, segment, phone_regions)
        ),
        *(
            ("warning", code, message)
            for code, message in translation_warnings(msgstr, segment, language)
        ),
    ]
