"""Bringing a catalog up to date with its template (`pipeline update`): the merge that
loses nothing, the fuzzy matches and translation memory that fill new entries, and the
write that keeps a translator's save made during the run."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.files import read_if_present, write_atomic
from pipeline.pofile import Catalog, Entry


@dataclass
class UpdateReport:
    path: str
    kept: int = 0
    added: int = 0
    fuzzy: list = field(default_factory=list)  # (new msgid, previous msgid, score)
    obsoleted: int = 0
    revived: int = 0
    trivial: list = field(default_factory=list)  # (new msgid, previous msgid) kept as is
    from_memory: list = field(default_factory=list)  # (msgid, article, score)
    changed: bool = False
    skipped: bool = False  # template and catalog as the last update left them
    conflict: str | None = None  # where the merge went: the catalog changed while it ran

    def as_json(self) -> dict:
        return {
            "catalog": self.path,
            "kept": self.kept,
            "new": self.added,
            "fuzzy": [
                {
                    "msgid": new,
                    "previous": old,
                    "score": round(score, 3),
                    "meaning_changed": meaning,
                }
                for new, old, score, meaning in self.fuzzy
            ],
            "kept_trivial": [{"msgid": new, "previous": old} for new, old in self.trivial],
            "from_memory": [
                {"msgid": msgid, "article": slug, "score": score}
                for msgid, slug, score in self.from_memory
            ],
            "obsolete": self.obsoleted,
            "revived": self.revived,
            "changed": self.changed,
            "skipped": self.skipped,
            "conflict": self.conflict,
        }


def merged_entry(template_entry: Entry, old: Entry) -> Entry:
    """The template's entry carrying the old entry's translation and translator's notes."""
    flags = tuple(flag for flag in template_entry.flags if flag != "fuzzy")
    fuzzy = old.fuzzy and bool(old.msgstr)
    return Entry(
        msgid=template_entry.msgid,
        msgctxt=template_entry.msgctxt,
        msgstr=old.msgstr,
        occurrences=template_entry.occurrences,
        comment=template_entry.comment,
        tcomment=old.tcomment,
        flags=("fuzzy", *flags) if fuzzy else flags,
        previous_msgid=old.previous_msgid if fuzzy else None,
        previous_msgctxt=old.previous_msgctxt if fuzzy else None,
    )


def as_fuzzy(entry: Entry, msgstr: str, previous: Entry | None = None, **changes) -> Entry:
    """The entry translated with `msgstr` for review, from the `previous` text if given."""
    if previous is not None:
        changes.update(previous_msgid=previous.msgid, previous_msgctxt=previous.msgctxt)
    return replace(entry, msgstr=msgstr, flags=("fuzzy", *entry.flags), **changes)


@dataclass
class Merge:
    """One update's inputs: the catalog's entries by key, and what may fill a new one."""

    active: dict  # key -> live entry of the catalog
    obsolete: dict  # key -> obsolete entry
    vanished: list  # translated entries whose text left the template
    threshold: float
    keep_trivial: bool
    memory: TranslationMemory | None


def update_catalog(
    catalog: Catalog,
    template: Catalog,
    path: str,
    threshold: float,
    keep_trivial: bool = False,
    memory: TranslationMemory | None = None,
) -> tuple[Catalog, UpdateReport]:
    """Merge a template into a catalog the way `msgmerge --previous` does, losing nothing.

    Unchanged entries keep their translation; an edited text takes the translation of its
    most similar vanished entry (same msgctxt) as fuzzy, with `#|` previous msgid, or keeps
    it outright for a trivial edit when `keep_trivial` (never when a negation or a number
    changed); a new text is filled from the translation memory of other articles; vanished
    translated entries become obsolete and come back if their text does.
    """
    report = UpdateReport(path)
    active = {e.key: e for e in catalog if not e.obsolete}
    obsolete = {e.key: e for e in catalog if e.obsolete}
    template_keys = {e.key for e in template}
    vanished = [e for key, e in active.items() if key not in template_keys and e.msgstr]
    vanished += [e for key, e in obsolete.items() if key not in template_keys and e.msgstr]
    merge = Merge(active, obsolete, vanished, threshold, keep_trivial, memory)
    entries = [merge_one(entry, merge, report) for entry in template]
    entries += obsolete_entries(merge, template_keys, report)
    metadata = dict(catalog.metadata)
    metadata["POT-Creation-Date"] = template.metadata.get(
        "POT-Creation-Date", metadata.get("POT-Creation-Date", "")
    )
    return Catalog(catalog.header, metadata, tuple(entries)), report


def obsolete_entries(merge: Merge, template_keys: set, report: UpdateReport) -> list[Entry]:
    """The entries whose text left the template, kept obsolete if they hold a translation
    or a translator's comment (nothing a translator wrote is dropped)."""
    kept = []
    for key, old in list(merge.active.items()) + list(merge.obsolete.items()):
        if key in template_keys or not (old.msgstr or old.tcomment):
            continue
        report.obsoleted += not old.obsolete
        kept.append(
            Entry(
                msgid=old.msgid,
                msgctxt=old.msgctxt,
                msgstr=old.msgstr,
                tcomment=old.tcomment,
                flags=old.flags,
                obsolete=True,
            )
        )
    return kept


def merge_one(template_entry: Entry, merge: Merge, report: UpdateReport) -> Entry:
    """The catalog's entry for one template entry: its old translation if the text is
    known, else the nearest vanished text's (fuzzy), else the memory's, else untranslated."""
    key = template_entry.key
    old = merge.active.get(key)
    if old is None and key in merge.obsolete:
        old = merge.obsolete[key]
        report.revived += 1
    same, certain = (
        (None, False) if old else same_text_other_context(template_entry, merge.vanished)
    )
    if old is not None or certain:
        report.kept += old is None or old is merge.active.get(key)
        return merged_entry(template_entry, old or same)
    entry = merged_entry(template_entry, Entry(msgid=template_entry.msgid))
    best, score = best_candidate(template_entry, merge.vanished, merge.threshold)
    if best is None and same is not None:
        best, score = same, 1.0
    if best is not None:
        return from_vanished(entry, best, score, merge.keep_trivial, report)
    found = merge.memory.lookup(template_entry, merge.threshold) if merge.memory else None
    if found:
        return from_memory(entry, found, report)
    report.added += 1
    return entry


def from_vanished(entry: Entry, best: Entry, score: float, keep_trivial: bool, report) -> Entry:
    """The entry translated as the vanished `best` was: as is for a trivial edit (when
    asked), else fuzzy."""
    if keep_trivial and not best.fuzzy and is_trivial_edit(best.msgid, entry.msgid):
        report.trivial.append((entry.msgid, best.msgid))
        return replace(entry, msgstr=best.msgstr)
    meaning = changes_meaning(best.msgid, entry.msgid)
    report.fuzzy.append((entry.msgid, best.msgid, score, meaning))
    return as_fuzzy(entry, best.msgstr, best)


def from_memory(entry: Entry, found: tuple, report: UpdateReport) -> Entry:
    """The entry translated from the translation memory (fuzzy unless an exact match)."""
    msgstr, source_msgid, slug, score = found
    report.from_memory.append((entry.msgid, slug, round(score, 3)))
    note = f"From the translation memory: article {slug}"
    if score >= 1.0:
        return replace(entry, msgstr=msgstr, tcomment=note)
    return as_fuzzy(entry, msgstr, tcomment=note, previous_msgid=source_msgid)


NEGATIONS = frozenset(
    "not no never none nobody nothing neither nor cannot can't don't doesn't didn't isn't "
    "aren't wasn't weren't won't wouldn't shouldn't couldn't without".split()
)
QUOTES = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "–": "-",
        "—": "-",
    }
)


def changes_meaning(old: str, new: str) -> bool:
    """An edit that adds or removes a negation or changes a number is never trivial."""

    def negations(text):
        return sorted(
            w for w in re.findall(r"[\w'’]+", text.lower().replace("’", "'")) if w in NEGATIONS
        )

    def numbers(text):
        return re.findall(r"\d+(?:[.,]\d+)*", text)

    return negations(old) != negations(new) or numbers(old) != numbers(new)


def is_trivial_edit(old: str, new: str) -> bool:
    """Whitespace, quote or dash style, or a typo fix of at most two characters."""
    if changes_meaning(old, new):
        return False
    a = " ".join(old.translate(QUOTES).split())
    b = " ".join(new.translate(QUOTES).split())
    return a == b or (min(len(a), len(b)) >= 20 and edit_distance(a, b, 2) <= 2)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or limit + 1 once it is sure to exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            current[j] = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)
            )
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


class TranslationMemory:
    """Translations of one language from other articles' catalogs, for filling new entries."""

    def __init__(self, catalogs: list[tuple[str, Path]]):
        self.catalogs = catalogs
        self.exact: dict | None = None  # loaded on the first lookup

    def load(self) -> None:
        """Every translated entry, first article first, filed by key and, per msgctxt, in
        a fuzzy index of its msgid (only texts of the same msgctxt are compared)."""
        from pipeline.catalogs import read_translations
        from pipeline.fuzzy import FuzzyIndex

        self.exact = {}
        found: dict[str | None, list] = {}
        for slug, path in self.catalogs:
            for key, msgstr in read_translations(path).entries.items():
                if key in self.exact:
                    continue
                self.exact[key] = (msgstr, key[1], slug, 1.0)
                found.setdefault(key[0], []).append((key[1], msgstr, slug))
        self.by_context = {
            context: (FuzzyIndex([msgid for msgid, _, _ in entries]), entries)
            for context, entries in found.items()
        }

    def lookup(self, entry: Entry, threshold: float):
        """(msgstr, source msgid, article, score) of the best match, or None."""
        if self.exact is None:
            self.load()
        key = entry.key
        if key in self.exact:
            return self.exact[key]
        if key[0] not in self.by_context:
            return None
        index, entries = self.by_context[key[0]]
        match = index.best(entry.msgid, threshold)
        if match is None:
            return None
        msgid, msgstr, slug = entries[match[0]]
        return (msgstr, msgid, slug, match[1])


def role_of(template_entry: Entry) -> str:
    """The role a template entry plays (its pipeline note's `role=`; "text" by default)."""
    return template_entry.role


def compatible_context(candidate: Entry, template_entry: Entry) -> bool:
    """Same msgctxt, or the candidate's context names the role the template entry plays."""
    context = candidate.msgctxt or None
    return context == (template_entry.msgctxt or None) or context == role_of(template_entry)


def same_text_other_context(template_entry, vanished):
    """(entry, certain) for the same text whose msgctxt came or went, or (None, False).

    A context that went (the text now plays one role) names that role: certain. A context
    that came (the text now plays several roles) leaves the old role unknown: to review.
    """
    role, context_now = role_of(template_entry), template_entry.msgctxt or None
    uncertain = None
    for candidate in vanished:
        if candidate.msgid != template_entry.msgid or "fuzzy" in candidate.flags:
            continue
        context_before = candidate.msgctxt or None
        if context_now is None and context_before == role:
            return candidate, True
        if context_before is None and context_now is not None and uncertain is None:
            uncertain = candidate
    return uncertain, False


def best_candidate(template_entry, candidates, threshold):
    """(entry, score) of the vanished entry most like the template's (the first of equals),
    or (None, 0.0). A catalog has few: each is compared."""
    from pipeline.fuzzy import most_similar

    fitting = [c for c in candidates if compatible_context(c, template_entry)]
    found = most_similar(template_entry.msgid, [c.msgid for c in fitting], threshold)
    return (None, 0.0) if found is None else (fitting[found[0]], found[1])


CONFLICT_SUFFIX = ".update-conflict"


def write_merged(path: Path, data: bytes, read: bytes | None) -> str:
    """Write a merged catalog's bytes over the file it was merged from, if that file still
    holds the bytes `read` (None: there was no file) just before the rename: "written",
    "unchanged" (the merge changed nothing), or "conflict": the file was changed meanwhile
    (a translator saved it while the merge ran); it is left as it is and the merge is
    written beside it, to `<slug>.po.update-conflict`."""
    if data == read:
        return "unchanged"
    if write_atomic(path, data, only_if=lambda: read_if_present(path) == read):
        return "written"
    write_atomic(path.with_name(path.name + CONFLICT_SUFFIX), data)
    return "conflict"
