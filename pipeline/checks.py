"""Translator quality checks: errors keep a translation off the page, warnings inform.

The same `translation_errors` decides what `pipeline check` calls an error and what
rendering refuses (the segment then falls back to the source), so nothing `check` would
flag as an error ever reaches a reader.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline import pagecache
from pipeline.catalogs import Translations, msgfmt_problems, read_translations
from pipeline.files import read_bytes
from pipeline.model import Segment, Tag, Variable
from pipeline.notation import (
    NotationError,
    parse_message,
    placeholders,
    plain_text,
    tags,
    visible_text,
)
from pipeline.notation import words as source_words
from pipeline.poreader import PoSyntaxError, read_entries
from pipeline.segment import MAYBE_PHONE

SCRIPT_URL = re.compile(r"\b(?:javascript|vbscript|data)\s*:", re.I)
EVENT_ATTRIBUTE = re.compile(r"\bon[a-z]+\s*=", re.I)
DOUBLED_WORD = re.compile(r"\b(\w{2,})\s+\1\b", re.I | re.U)
END_PUNCTUATION = ".!?:;…。！？"
# Doubled words that are correct grammar ("nous nous attachons", "en en consommant").
LEGITIMATE_DOUBLES = {
    "fr": {"nous", "vous", "en", "le", "la", "les"},
    "de": {"die", "der", "das", "sie"},
    "en": {"that", "had", "is"},
    "es": {"que"},
    "nl": {"die", "dat"},
}


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" | "warning"
    code: str
    message: str
    catalog: str = ""
    line: int = 0
    msgid: str = ""

    def as_json(self) -> dict:
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "catalog": self.catalog,
            "line": self.line,
            "msgid": self.msgid[:60],
        }


def translation_errors(
    msgstr: str, segment: Segment, phone_regions: tuple[str, ...] = ()
) -> list[tuple[str, str]]:
    """(code, message) of every error in a translation; empty when it may be rendered."""
    errors = []
    try:
        parse_message(msgstr, segment)
    except NotationError as error:
        errors.append((error.code, str(error)))
    else:
        errors.extend(placeholder_errors(msgstr, segment))
    errors.extend(content_errors(msgstr, segment, phone_regions))
    return errors


# Anything in braces: `{hotline_fax}`, `{hotline_phone.__class__}`, `{{ 7*7 }}`'s inner part.
BRACE_GROUP = re.compile(r"\{[^{}]*\}")


def placeholder_errors(msgstr: str, segment: Segment) -> list[tuple[str, str]]:
    """A placeholder-looking token the source does not have: a translator cannot add a
    region value (or a template expression), and the page must not show it literally."""
    return [
        ("placeholder", f"{token} is not in the source (placeholders come from the source only)")
        for token in dict.fromkeys(BRACE_GROUP.findall(msgstr))
        if token not in segment.msgid
    ]


def refusal(
    msgstr: str, segment: Segment, phone_regions: tuple[str, ...], refused: str | None = None
) -> str | None:
    """Why a translation may not be published, or None: the one verdict. `check` reports
    exactly these as errors (`refused`: msgfmt's verdict on the entry, see msgfmt_verdicts)
    and publish shows the source text instead."""
    if refused:
        return refused
    errors = translation_errors(msgstr, segment, phone_regions)
    return errors[0][1] if errors else None


def content_errors(
    msgstr: str, segment: Segment, phone_regions: tuple[str, ...] = ()
) -> list[tuple[str, str]]:
    """Errors in what a well-formed translation says: script URLs, handlers, phone numbers."""
    errors = []
    source = plain_text(segment.msgid)
    target = plain_text(msgstr)
    for pattern, what in ((SCRIPT_URL, "a script URL"), (EVENT_ATTRIBUTE, "an event handler")):
        found = pattern.search(target)
        if found and not pattern.search(source):
            errors.append(("markup", f"{what} not in the source: {found.group(0)!r}"))
    errors.extend(hostile_text_errors(msgstr, segment))
    number = written_phone_number(target, source, phone_regions)
    if number:
        errors.append(
            (
                "phone",
                f"phone number {number!r} written into the translation "
                "(use the placeholder; each region shows its own number)",
            )
        )
    return errors


# Bidi embeddings, overrides and isolates reorder what a reader sees: "\u202e{hotline_phone}"
# shows the hotline number reversed. They are refused where they reach a placeholder (its
# value is the region's, which no translator sees) or are left open; around plain text they
# are the translator's (and the ar-XB pseudo-locale's) business. Marks (U+200E, U+200F)
# are refused beside a placeholder.
BIDI_OR_PLACEHOLDER = re.compile("[\u202a-\u202e\u2066-\u2069]|\\{[A-Za-z_]\\w*\\}")
BIDI_CLOSERS = "\u202c\u2069"  # PDF, PDI
BIDI_MARK_AT_PLACEHOLDER = re.compile("[\u200e\u200f]\\{|\\}[\u200e\u200f]")
PLACEHOLDER_LIKE = re.compile(r"\{[A-Za-z_]\w*\}")
NOT_IN_URLS = re.compile("[\t\n\r]")  # removed by URL parsers wherever they are


def bidi_problem(msgstr: str) -> str | None:
    """Why the translation's bidi controls may reorder a placeholder's value, or None."""
    mark = BIDI_MARK_AT_PLACEHOLDER.search(msgstr)
    if mark:
        code = next(ord(c) for c in mark.group(0) if c not in "{}")
        return f"bidi mark U+{code:04X} beside a placeholder"
    open_controls: list[str] = []
    for match in BIDI_OR_PLACEHOLDER.finditer(msgstr):
        token = match.group(0)
        if token[0] == "{" and open_controls:
            return f"placeholder {token} inside bidi control U+{ord(open_controls[-1]):04X}"
        if token in BIDI_CLOSERS:
            if not open_controls:
                return f"bidi control U+{ord(token):04X} closes nothing"
            open_controls.pop()
        elif token[0] != "{":
            open_controls.append(token)
    if open_controls:
        return f"bidi control U+{ord(open_controls[-1]):04X} is never closed"
    return None


def hostile_text_errors(msgstr: str, segment: Segment) -> list[tuple[str, str]]:
    """Errors in characters a translation may not carry onto a page: NUL, bidi controls,
    a placeholder where none is substituted, a script URL hidden by controls."""
    errors = []
    if "\x00" in msgstr:
        errors.append(("control", "NUL character in the translation"))
    bidi = bidi_problem(msgstr)
    if bidi:
        errors.append(("bidi", f"{bidi} (it reorders what the reader sees)"))
    if not segment.is_format:  # here a {name} is not substituted: it would be shown as written
        found = next(
            (
                m.group(0)
                for m in PLACEHOLDER_LIKE.finditer(msgstr)
                if m.group(0) not in segment.msgid
            ),
            None,
        )
        if found:
            errors.append(("placeholder", f"{found} is not a placeholder of this text"))
    hidden = SCRIPT_URL.search(NOT_IN_URLS.sub("", msgstr))
    if hidden and not SCRIPT_URL.search(NOT_IN_URLS.sub("", segment.msgid)):
        errors.append(("markup", f"a script URL not in the source: {hidden.group(0)!r}"))
    return errors


def source_url_findings(text: str, shown: str) -> list[Finding]:
    """A warning for each link of a source article that would run a script
    (`pipeline.urls.runs_script`), as `extract` gives; `check --strict` makes it an error."""
    from pipeline.urls import script_url_attributes

    return [
        Finding("warning", "url", f"{what}: a link that runs a script", shown, line)
        for line, what in (
            (text.count("\n", 0, start) + 1, what) for start, _, what in script_url_attributes(text)
        )
    ]


def written_phone_number(target: str, source: str, regions: tuple[str, ...]) -> str | None:
    """A phone number in the translation that the source text does not contain."""
    if not MAYBE_PHONE.search(target):
        return None
    import phonenumbers

    source_digits = re.sub(r"\D", "", source)
    # Valid numbers only: `regions` is every country of the region file, and a merely
    # possible number in one of them is any run of digits ("1.234.567 usuarios", "2019").
    for region in regions or ("US",):
        for match in phonenumbers.PhoneNumberMatcher(
            target, region, leniency=phonenumbers.Leniency.VALID
        ):
            digits = re.sub(r"\D", "", match.raw_string)
            if digits not in source_digits:
                return match.raw_string
    return None


def translation_warnings(
    msgstr: str, segment: Segment, language: str = ""
) -> list[tuple[str, str]]:
    """(code, message) of every warning on a translation: things a reviewer should look at
    that do not stop it from being published."""
    source, target = segment.msgid, msgstr
    warnings = []
    if target == source and len(plain_text(source).split()) > 2:
        warnings.append(("identical", "translation identical to the source"))
    if (
        source[:1].isspace() != target[:1].isspace()
        or source[-1:].isspace() != target[-1:].isspace()
    ):
        warnings.append(("whitespace", "leading or trailing whitespace differs from the source"))
    source_text, target_text = visible_text(source).strip(), visible_text(target).strip()
    if source_text and target_text:
        warnings += shape_warnings(source_text, target_text, language)
    allowed = LEGITIMATE_DOUBLES.get(language.split("_")[0], set())
    for doubled in DOUBLED_WORD.finditer(plain_text(target)):
        if doubled.group(1).lower() not in allowed:
            warnings.append(("doubled-word", f"doubled word {doubled.group(0)!r}"))
            break
    if "  " in target and "  " not in source:
        warnings.append(("double-space", "double space"))
    return warnings


def shape_warnings(source_text: str, target_text: str, language: str) -> list[tuple[str, str]]:
    """Warnings on how a translation's visible text (neither empty) differs in shape from
    the source's: end punctuation, capitalization, length."""
    warnings = []
    if (source_text[-1] in END_PUNCTUATION) != (target_text[-1] in END_PUNCTUATION):
        warnings.append(("punctuation", "end punctuation differs from the source"))
    source_letter = next((c for c in source_text if c.isalpha()), "")
    target_letter = next((c for c in target_text if c.isalpha()), "")
    if capitalization_differs(source_letter, target_letter, language):
        warnings.append(("capitalization", "capitalization differs from the source"))
    ratio = len(target_text) / len(source_text)
    if len(source_text) >= 20 and not 0.33 <= ratio <= 3.0:
        warnings.append(("length", f"length is {ratio:.1f} times the source's"))
    return warnings


# -- completeness ------------------------------------------------------------------------


@dataclass(frozen=True)
class Completeness:
    """How much of an article's source text has a usable translation, in source words."""

    words: int
    translated_words: int

    @property
    def share(self) -> float:
        return 1.0 if self.words == 0 else self.translated_words / self.words


def completeness(
    entries: Iterable[tuple[tuple, str, bool]], counted: dict | None = None
) -> Completeness:
    """The one measure of completeness that status, check, publish, the manifest and
    `file merge` give: over (key, msgid, usable) of an article's entries, each distinct
    entry counted once (a sentence repeated on the page is translated once), by the words of
    its msgid; usable means translated, not fuzzy, and not refused (`refusal`). `counted`
    (msgid -> words) saves counting words a caller has counted already."""
    usable: dict = {}
    words: dict = {}
    for key, msgid, ok in entries:
        words[key] = msgid
        usable[key] = usable.get(key, False) or ok
    counted = counted or {}

    def words_of(msgid: str) -> int:
        found = counted.get(msgid)
        return source_words(msgid) if found is None else found

    total = sum(words_of(msgid) for msgid in words.values())
    done = sum(words_of(words[key]) for key, ok in usable.items() if ok)
    return Completeness(total, done)


# Languages that capitalize every noun: "ketamine addiction" is rightly "Ketaminabhängigkeit".
NOUNS_CAPITALIZED = {"de", "lb"}


def capitalization_differs(source_letter: str, target_letter: str, language: str) -> bool:
    if not source_letter or not target_letter:
        return False
    if source_letter.isupper() == target_letter.isupper():
        return False
    # Lower case to upper case may be a noun in these languages; the reverse never is.
    return not (language.split("_")[0] in NOUNS_CAPITALIZED and target_letter.isupper())


# -- checking catalogs ----------------------------------------------------------------------


def segment_for(msgid: str, is_format: bool) -> Segment:
    """The tags and placeholders a translation must keep, read off the msgid itself."""
    names = placeholders(msgid) if is_format else ()
    return Segment(
        msgid=msgid,
        context=None,
        role="",
        start=0,
        end=0,
        line=0,
        tags=tuple(Tag(number, "", "", void, 0) for number, void in tags(msgid)),
        variables=tuple(Variable(name, "element") for name in names),
    )


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
