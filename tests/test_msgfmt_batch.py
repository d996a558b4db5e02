"""msgfmt judging many catalogs in one run: an acceptance from one run must mean what each
catalog's own run would have said, and a publish that judges in batches must give the bytes
of one that judges each catalog alone."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import generated_project, run_pipeline
from pipeline import build, catalog_checks
from pipeline.msgfmt import accepts_together, batchable
from pipeline.state import StateStore, state_path

pytestmark = pytest.mark.skipif(not shutil.which("msgfmt"), reason="needs gettext's msgfmt")

HEADER = (
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n"Language: es\\n"\n\n'
)
GOOD = 'msgid "Hello"\nmsgstr "Hola"\n'

# Catalogs msgfmt accepts, refuses, or that cannot go into a batch, each of a kind that
# could make a batch's reading differ from a catalog's own.
CATALOGS = {
    "good": HEADER + GOOD,
    "non-ascii": HEADER + 'msgid "Café"\nmsgstr "Café, niño"\n',
    "no final newline": HEADER + 'msgid "a"\nmsgstr "b"',
    "comment first": "# Traducción: Zoë\n" + HEADER + GOOD,
    "fuzzy header": "#, fuzzy\n" + HEADER + GOOD,
    "word domain in a string": HEADER + 'msgid "public domain"\nmsgstr "dominio público"\n',
    "plural": HEADER + 'msgid "a pill"\nmsgid_plural "%d pills"\nmsgstr[0] "una"\nmsgstr[1] "%d"\n',
    "context": HEADER + 'msgctxt "title"\nmsgid "Hello"\nmsgstr "Hola"\n' + GOOD,
    "obsolete": HEADER + GOOD + '\n#~ msgid "old"\n#~ msgstr "viejo"\n',
    "duplicate": HEADER + GOOD + "\n" + GOOD,
    "c-format": HEADER + '#, c-format\nmsgid "Take %d pills"\nmsgstr "Tome pastillas"\n',
    "newline mismatch": HEADER + 'msgid "a\\n"\nmsgstr "b"\n',
    "bad plural header": HEADER.replace("plural=(n != 1)", "plural=(n !=") + GOOD,
    "plural out of range": HEADER.replace("nplurals=2", "nplurals=1") + GOOD,
    "one plural form short": HEADER + 'msgid "a pill"\nmsgid_plural "%d pills"\nmsgstr[0] "una"\n',
    "unterminated string": HEADER + 'msgid "a\nmsgstr "b"\n',
    "no msgstr": HEADER + GOOD + 'msgid "alone"\n',
    "no header": GOOD,
    "latin-1": (HEADER.replace("UTF-8", "ISO-8859-1") + 'msgid "a"\nmsgstr "ni\xf1o"\n').encode(
        "latin-1"
    ),
    "bad utf-8": (HEADER + 'msgid "a"\nmsgstr "').encode() + b'\xff"\n',
    "domain": HEADER + 'domain "other"\n' + GOOD,
    "obsolete domain": HEADER + '#~ domain "other"\n' + GOOD,
    "crlf": (HEADER + GOOD).replace("\n", "\r\n"),
    "bom": "\ufeff" + HEADER + GOOD,
}


def data(name: str) -> bytes:
    value = CATALOGS[name]
    return value if isinstance(value, bytes) else value.encode()


@functools.cache
def accepted_alone(name: str) -> bool:
    done = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", "-"], input=data(name), capture_output=True
    )
    return done.returncode == 0


def test_the_variants_are_what_their_names_say():
    """The property below can fail only if some variants are refused, some accepted, and
    some kept out of batches."""
    refused = {name for name in CATALOGS if not accepted_alone(name)}
    assert {"duplicate", "c-format", "bad plural header", "plural out of range"} <= refused
    assert {"good", "plural", "no final newline", "comment first"}.isdisjoint(refused)
    kept_out = {name for name in CATALOGS if not batchable(data(name))}
    assert kept_out == {
        "no header", "latin-1", "bad utf-8", "domain", "obsolete domain", "crlf", "bom"
    }  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(sorted(CATALOGS)), min_size=1, max_size=6))
def test_one_run_accepts_a_batch_exactly_when_each_alone_is_accepted(names):
    batch = [name for name in names if batchable(data(name))]
    if not batch:
        return
    together = accepts_together([data(name) for name in batch])
    assert together == all(accepted_alone(name) for name in batch), batch


def broken_project(root: Path) -> Path:
    """A generated project with a catalog msgfmt refuses whole (its header) and one with a
    refused entry: the batches that hold them fail and their catalogs are judged alone."""
    generated_project(root, 12, seed=3)
    es = root / "locales" / "es" / "LC_MESSAGES"
    header = es / "article-00002.po"
    text = header.read_text(encoding="utf-8")
    header.write_text(text.replace("plural=(n != 1);", "plural=(n !=;"), encoding="utf-8")
    entry = root / "locales" / "fr" / "LC_MESSAGES" / "article-00005.po"
    with entry.open("a", encoding="utf-8") as catalog:
        catalog.write('\n#, c-format\nmsgid "Take %d pills"\nmsgstr "Prenez des pilules"\n')
    return root


def outputs(root: Path) -> dict:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted((root / "output").rglob("*"))
        if path.is_file()
    }


def verdicts(root: Path) -> dict:
    store = StateStore(state_path(root))
    return {
        str(path.relative_to(root)): catalog_checks.remembered_verdicts(path, store)
        for path in sorted((root / "locales").rglob("*.po"))
    }


def test_a_publish_judging_in_batches_gives_the_bytes_of_one_judging_alone(tmp_path, monkeypatch):
    alone = broken_project(tmp_path / "alone")
    with monkeypatch.context() as each_alone:  # no batch accepted: each catalog judged alone
        each_alone.setattr(catalog_checks, "accepts_together", lambda catalogs: False)
        done = run_pipeline("--project", str(alone), "publish", "-j", "1", "--json")
    assert done.returncode == 0, done.stderr

    runs = []

    def counted(catalogs):
        runs.append((len(catalogs), accepts_together(catalogs)))  # the real one, counted
        return runs[-1][1]

    grouped = broken_project(tmp_path / "grouped")
    monkeypatch.setattr(build.TaskGroups, "GROUPS", 1)  # 12 tasks: groups of 5, 5 and 2
    monkeypatch.setattr(build.TaskGroups, "GROUP", 5)
    monkeypatch.setattr(catalog_checks, "accepts_together", counted)
    again = run_pipeline("--project", str(grouped), "publish", "-j", "1", "--json")
    assert again.returncode == 0, again.stderr

    assert len(runs) == 3 and [ok for _, ok in runs].count(True) == 1, runs
    assert again.stdout == done.stdout
    assert outputs(grouped) == outputs(alone)
    # The refused header keeps the Spanish pages of that article off.
    skipped = {(skip["region"], skip["slug"]) for skip in json.loads(done.stdout)["skipped"]}
    assert {("es-MX", "article-00002"), ("es-US", "article-00002")} <= skipped
    found = verdicts(grouped)
    assert found == verdicts(alone)
    assert found["locales/es/LC_MESSAGES/article-00002.po"]
    assert found["locales/fr/LC_MESSAGES/article-00005.po"]
