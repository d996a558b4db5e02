"""Translator quality checks: errors keep a translation off the page, warnings inform.

The same `translation_errors` decides what `pipeline check` calls an error and what
rendering refuses (the segment then falls back to the source), so nothing `check` would
flag as an error ever reaches a reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.catalogs import msgfmt_problems
from pipeline.files import read_bytes
from pipeline.merge import MessageError, parse_message
from pipeline.model import Segment, Tag, Variable
from pipeline.pofile import PoSyntaxError, read_entries
from pipeline.segment import MAYBE_PHONE, TAG_OR_PLACEHOLDER, unescape_text

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


def plain_text(message: str) -> str:
    return unescape_text(TAG_OR_PLACEHOLDER.sub(" ", message), False)


def visible_text(message: str) -> str:
    """The message as a reader sees its shape: tags gone, each placeholder a neutral 0."""
    return unescape_text(re.sub(r"\{\w+\}", "0", re.sub(r"</?\d+/?>", "", message)), False)


def translation_errors(
    msgstr: str, segment: Segment, phone_regions: tuple[str, ...] = ()
) -> list[tuple[str, str]]:
    """(code, message) of every error in a translation; empty when it may be rendered."""
    errors = []
    try:
        parse_message(msgstr, segment)
    except MessageError as error:
        text = str(error)
        code = "markup" if "markup" in text else "placeholder" if "{" in text else "tags"
        errors.append((code, text))
    errors.extend(content_errors(msgstr, segment, phone_regions))
    return errors


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
        source_end = source_text[-1] in END_PUNCTUATION
        target_end = target_text[-1] in END_PUNCTUATION
        if source_end != target_end:
            warnings.append(("punctuation", "end punctuation differs from the source"))
        source_letter = next((c for c in source_text if c.isalpha()), "")
        target_letter = next((c for c in target_text if c.isalpha()), "")
        if source_letter and target_letter and source_letter.isupper() != target_letter.isupper():
            warnings.append(("capitalization", "capitalization differs from the source"))
        ratio = len(target_text) / len(source_text)
        if len(source_text) >= 20 and not 0.33 <= ratio <= 3.0:
            warnings.append(("length", f"length is {ratio:.1f} times the source's"))
    allowed = LEGITIMATE_DOUBLES.get(language.split("_")[0], set())
    for doubled in DOUBLED_WORD.finditer(plain_text(target)):
        if doubled.group(1).lower() not in allowed:
            warnings.append(("doubled-word", f"doubled word {doubled.group(0)!r}"))
            break
    if "  " in target and "  " not in source:
        warnings.append(("double-space", "double space"))
    return warnings


# -- checking catalogs ----------------------------------------------------------------------

TAG = re.compile(r"<(\d+)(/?)>")
VARIABLE = re.compile(r"(?<!\{)\{([A-Za-z_]\w*)\}(?!\})")


def segment_for(msgid: str, is_format: bool) -> Segment:
    """The tags and placeholders a translation must keep, read off the msgid itself."""
    tags = {}
    for match in TAG.finditer(msgid):
        number = int(match.group(1))
        tags[number] = Tag(number, "", "", bool(match.group(2)), 0)
    variables = ()
    if is_format:
        names = dict.fromkeys(VARIABLE.findall(msgid))
        variables = tuple(Variable(name, "element") for name in names)
    return Segment(
        msgid=msgid,
        context=None,
        role="",
        start=0,
        end=0,
        line=0,
        tags=tuple(tags.values()),
        variables=variables,
    )


def check_catalog(
    path, shown: str, phone_regions: tuple[str, ...], language: str = ""
) -> list[Finding]:
    """Every finding in one catalog: syntax and header (msgfmt), then each entry."""
    findings = [
        Finding("error", "msgfmt", message, shown, line)
        for line, message in msgfmt_problems(path, check_header=True)
    ]
    try:
        entries = list(read_entries(read_bytes(path).decode("utf-8")))
    except UnicodeDecodeError:
        return findings + [Finding("error", "syntax", "not UTF-8", shown, 1)]
    except PoSyntaxError as error:
        if not any(f.line == error.line for f in findings):
            findings.append(Finding("error", "syntax", error.message, shown, error.line))
        return findings
    for _context, msgid, msgstr, flags, line in entries:
        if not msgid:
            continue

        def add(severity, code, message, line=line, msgid=msgid):
            findings.append(Finding(severity, code, message, shown, line, msgid))

        if not msgstr:
            add("warning", "untranslated", "untranslated")
            continue
        if "fuzzy" in flags:
            add("warning", "fuzzy", "fuzzy: needs review before it is used")
            continue
        segment = segment_for(msgid, "python-brace-format" in flags)
        for code, message in translation_errors(msgstr, segment, phone_regions):
            add("error", code, message)
        for code, message in translation_warnings(msgstr, segment, language):
            add("warning", code, message)
    return findings
