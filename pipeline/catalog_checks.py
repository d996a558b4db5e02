"""Checking whole catalogs: msgfmt's verdict, each entry's findings, and the translations
publish may use (`judged_translations`); the rules for one translation are
`pipeline.checks`."""

from __future__ import annotations

import bisect
import dataclasses
from dataclasses import dataclass

from pipeline import pagecache
from pipeline.catalogs import Translations, msgfmt_problems, read_translations
from pipeline.checks import (
    Completeness,
    Finding,
    completeness,
    segment_for,
    translation_errors,
    translation_warnings,
)
from pipeline.files import read_bytes
from pipeline.poreader import PoSyntaxError, read_entries


def msgfmt_verdicts(
    path, entries: list | None = None, data: bytes | None = None
) -> list[tuple[int, str, tuple | None]]:
    """(line, message, entry key) of every error msgfmt finds in a catalog; the key is None
    for an error of the header (msgfmt then refuses the whole catalog, and so do we).

    msgfmt reports some errors as two lines, "...": a duplicate names both definitions, a
    plural-form mismatch names the header and the entry: such a pair is one error, of the
    entries it names outside the header (of the header only when it names nothing else)."""
    problems = msgfmt_problems(path, check_header=True, data=data)
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


def judged_translations(path, glossary=None) -> Translations:
    """A catalog's translations with msgfmt's verdict on them (`refused`), and the
    `glossary`'s (a forbidden term is an error, as in check): what publish renders from. An
    error of the header refuses every entry of the catalog."""
    translations = glossary_verdict(read_translations(path), glossary)
    # msgfmt is a process per catalog: its verdict is kept in the page cache, by the bytes
    # it judged (or, once the file has settled, by its stat), so an unchanged catalog is
    # judged once.
    verdicts = pagecache.lookup(
        pagecache.stat_key(str(path), "msgfmt"),
        lambda: read_bytes(path),
        "msgfmt",
        lambda data: msgfmt_verdicts(path, data=data),
    )
    if not verdicts:
        return translations
    refused = {**translations.refused, **{key: f"msgfmt: {m}" for _, m, key in verdicts if key}}
    catalog = [message for _, message, key in verdicts if key is None]
    if catalog:
        refused = dict.fromkeys(translations.lines, f"msgfmt refuses the catalog: {catalog[0]}")
    return dataclasses.replace(translations, refused=refused)


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


def check_catalog(
    path, shown: str, phone_regions: tuple[str, ...], language: str = "", glossary=None
) -> CatalogReport:
    """Every finding in one catalog: syntax and msgfmt's errors, then each entry's (with the
    language's `glossary`, a `pipeline.glossary.Glossary`, its terms too). An untranslated
    entry is a finding of severity "untranslated" (progress, not a fault)."""
    try:
        entries = read_entries(read_bytes(path).decode("utf-8"))
    except UnicodeDecodeError:
        return CatalogReport([Finding("error", "syntax", "not UTF-8", shown, 1)], None)
    except PoSyntaxError as error:
        return unreadable(path, shown, error)
    verdicts = msgfmt_verdicts(path, entries)
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
    return CatalogReport(findings, completeness(judged), usable)


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
