"""Translator quality checks: errors keep a translation off the page, warnings inform.

The same `translation_errors` decides what `pipeline check` calls an error and what
rendering refuses (the segment then falls back to the source), so nothing `check` would
flag as an error ever reaches a reader.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

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

SCRIPT_URL = re.compile(r"\b(?:javascript|vbscript|data)\s*:", re.I)
EVENT_ATTRIBUTE = re.compile(r"\bon[a-z]+\s*=", re.I)
# A word (taken whole: possessive, as only a whole word can be followed by a space) twice.
DOUBLED_WORD = re.compile(r"\b(\w{2,}+)\s+\1\b", re.I | re.U)
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
    msgstr: str, segment: Segment, phone_regions: tuple[str, ...] = (), well_formed=False
) -> list[tuple[str, str]]:
    """(code, message) of every error in a translation; empty when it may be rendered.
    `well_formed`: the caller has read the translation with `parse_message` already (the
    renderer, which needs its tokens), so its notation is not read again."""
    errors = []
    try:
        if not well_formed:
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
    msgstr: str,
    segment: Segment,
    phone_regions: tuple[str, ...],
    refused: str | None = None,
    well_formed: bool = False,
) -> str | None:
    """Why a translation may not be published, or None: the one verdict. `check` reports
    exactly these as errors (`refused`: msgfmt's verdict on the entry, see msgfmt_verdicts)
    and publish shows the source text instead. `well_formed`: as for `translation_errors`."""
    if refused:
        return refused
    errors = translation_errors(msgstr, segment, phone_regions, well_formed)
    return errors[0][1] if errors else None


# (pattern, what it is, a character every match of it holds)
MARKUP_IN_TEXT = ((SCRIPT_URL, "a script URL", ":"), (EVENT_ATTRIBUTE, "an event handler", "="))


def content_errors(
    msgstr: str, segment: Segment, phone_regions: tuple[str, ...] = ()
) -> list[tuple[str, str]]:
    """Errors in what a well-formed translation says: script URLs, handlers, phone numbers."""
    errors = []
    target = plain_text(msgstr)
    for pattern, what, needs in MARKUP_IN_TEXT:
        # Most translations have no ":" or "=" at all: the search is skipped for them.
        found = needs in target and pattern.search(target)
        if found and not pattern.search(plain_text(segment.msgid)):
            errors.append(("markup", f"{what} not in the source: {found.group(0)!r}"))
    errors.extend(hostile_text_errors(msgstr, segment))
    number = written_phone_number(target, segment.msgid, phone_regions)
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
BIDI_ANY = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
PLACEHOLDER_LIKE = re.compile(r"\{[A-Za-z_]\w*\}")
NOT_IN_URLS = re.compile("[\t\n\r]")  # removed by URL parsers wherever they are


def bidi_problem(msgstr: str) -> str | None:
    """Why the translation's bidi controls may reorder a placeholder's value, or None."""
    if not BIDI_ANY.search(msgstr):
        return None  # nothing to reorder with (almost every translation)
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
    hidden = ":" in msgstr and SCRIPT_URL.search(NOT_IN_URLS.sub("", msgstr))
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


NOT_DIGIT = re.compile(r"\D")
# A phone number as people write one: at least 7 digits (a valid 4-digit German number is a
# year to a reader), joined by the separators phonenumbers' matcher itself allows between the
# digits of one number (dashes and slashes of several scripts, brackets, dots, spaces).
PHONE_SEPARATOR = (
    r"[\s\-x\u2010-\u2015\u2212\u30fc\uff0d-\uff0f\u00ad\u200b\u2060"
    r"()\uff08\uff09\uff3b\uff3d.\[\]/~\u2053\u223c\uff5e]"
)
MIN_PHONE_DIGITS = 7
WRITTEN_PHONE = re.compile(rf"\d(?:{PHONE_SEPARATOR}{{0,4}}\d){{{MIN_PHONE_DIGITS - 1},}}")


def written_phone_number(target: str, msgid: str, regions: tuple[str, ...]) -> str | None:
    """A phone number in the translation (its plain text) that the source text does not
    contain: at least `MIN_PHONE_DIGITS` digits that phonenumbers reads as a valid number in
    one of `regions` (every country of the region file)."""
    if not WRITTEN_PHONE.search(target):
        return None
    source_digits = NOT_DIGIT.sub("", plain_text(msgid))
    # A number found is a run of the translation's digits: when all of them, in order, are a
    # run of the source's, no number found can be new (the common case: the same figures).
    if NOT_DIGIT.sub("", target) in source_digits:
        return None
    import phonenumbers

    # Valid numbers only: a merely possible number in one of the countries is any run of
    # digits ("1.234.567 usuarios", "2019").
    for region in regions or ("US",):
        for match in phonenumbers.PhoneNumberMatcher(
            target, region, leniency=phonenumbers.Leniency.VALID
        ):
            digits = number_digits(match)
            if len(digits) >= MIN_PHONE_DIGITS and digits not in source_digits:
                return match.raw_string
    return None


def number_digits(match) -> str:
    """The digits of a matched number as written, without its extension ("x 12")."""
    digits = NOT_DIGIT.sub("", match.raw_string)
    extension = match.number.extension or ""
    return digits[: len(digits) - len(extension)]


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


# -- the rules a translation is held to, read off its msgid ------------------------------------


@functools.lru_cache(maxsize=1024)
def segment_for(msgid: str, is_format: bool) -> Segment:
    """The tags and placeholders a translation must keep, read off the msgid itself (the
    last 1,024 are kept: checks, imports and exports each ask several times per entry)."""
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


# The catalog checks build on this module; their names are found here too.
from pipeline.catalog_checks import (  # noqa: E402, F401
    CatalogReport,
    check_catalog,
    judge_together,
    judged_translations,
    msgfmt_verdicts,
    remembered_verdicts,
)
