"""Medical review: records beside the catalogs, stale by construction, the publishing policy,
and what pages and the CMS data say about it (issue 20)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import jsonschema
import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import one_line_error
from pipeline.pagereview import script_json
from pipeline.review import review_form

SLUG = "ketamine-addiction"
SOURCE = f"source/{SLUG}.html"
SENTENCE = "Ketamine belongs to the chemical class of drugs known as arylcyclohexylamines"
EDITED = "Ketamine is one of the chemical class of drugs known as arylcyclohexylamines"
HOSTILE = 'Dr. Eve </script><script>alert(1)</script><!-- "x" & y'
SCHEMA = Path(__file__).parent.parent / "pipeline" / "schemas" / "manifest.schema.json"


def sign(cli, language: str, reviewer: str = "Dr. Ada Example", *extra: str, code: int = 0):
    return cli(
        "review", "sign", SLUG, "--lang", language, "--reviewer", reviewer,
        "--role", "MD, addiction medicine", *extra, code=code,
    )  # fmt: skip


def status(cli) -> dict:
    rows = json.loads(cli("review", "status", "--json").stdout)["reviews"]
    return {row["language"]: row for row in rows}


def set_policy(project: Path, policy: str, extra: str = "") -> None:
    pyproject = project / "pyproject.toml"
    lines = pyproject.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [line for line in lines if not line.startswith(("require_review", "review_interval"))]
    text = "".join(lines).replace(
        "[tool.pipeline]\n", f'[tool.pipeline]\nrequire_review = "{policy}"\n'
    )
    pyproject.write_text(text + extra, encoding="utf-8")


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def publish_json(cli, *args: str, code: int = 0) -> dict:
    return json.loads(cli("publish", "--json", *args, code=code).stdout)


def remove_records(project: Path) -> None:
    for path in project.glob("locales/*/reviews/*.toml"):
        path.unlink()


# -- records and staleness ------------------------------------------------------------------


def test_sign_then_a_source_edit_makes_every_language_stale_with_exactly_that_segment(cli, project):
    remove_records(project)
    for language in ("en", "es", "fr"):
        sign(cli, language)
    rows = status(cli)
    assert {lang: row["status"] for lang, row in rows.items()} == {
        "en": "reviewed", "es": "reviewed", "fr": "reviewed", "de": "missing",
        "es_MX": "missing", "es_US": "missing",  # the regional overrides (0.5 mg/kg)
    }  # fmt: skip
    record = project / f"locales/es/reviews/{SLUG}.toml"
    assert 'reviewer = "Dr. Ada Example"' in record.read_text(encoding="utf-8")

    replace_in(project / SOURCE, SENTENCE, EDITED)
    cli("extract")
    cli("update")
    rows = status(cli)
    for language in ("en", "es", "fr"):
        row = rows[language]
        assert row["status"] == "stale", language
        assert [c["msgid"][: len(EDITED)] for c in row["changed"]] == [EDITED], language
        assert row["removed"] == 0
        assert row["since"] == datetime.date.today().isoformat()
    text = cli("review", "status").stdout
    assert "stale since" in text and "Ketamine is one of the chemical class" in text


def test_block_skips_a_stale_language_keeps_the_others_and_publishes_it_once_signed(cli, project):
    remove_records(project)
    set_policy(project, "block")
    for language in ("en", "es", "fr", "es_MX", "es_US"):
        sign(cli, language)
    replace_in(project / SOURCE, SENTENCE, EDITED)
    cli("extract")
    cli("update")
    sign(cli, "en")  # the source and French reviewers have read the edit again
    sign(cli, "fr")
    data = publish_json(cli)
    skipped = {entry["region"]: entry["reason"] for entry in data["skipped"]}
    assert skipped == {"es-MX": "review stale", "es-US": "review stale", "de-DE": "review missing"}
    published = {entry["region"] for entry in data["pages"]}
    assert published == {"en-US", "en-GB", "en-AU", "fr-FR"}
    manifest = json.loads((project / "output/manifest.json").read_text(encoding="utf-8"))
    assert {e["region"]: e["reason"] for e in manifest["skipped"]} == skipped
    assert not (project / "output/es-MX").exists()

    for language in ("es", "es_MX", "es_US"):  # the language and its regional overrides
        sign(cli, language)
    data = publish_json(cli)
    assert {"es-MX", "es-US"} <= {entry["region"] for entry in data["pages"]}
    assert [entry["region"] for entry in data["skipped"]] == ["de-DE"]
    assert (project / f"output/es-MX/{SLUG}/index.html").is_file()


def test_block_skipping_every_requested_page_exits_3(cli, project):
    remove_records(project)
    set_policy(project, "block")
    result = cli("publish", "--region", "es-MX", code=3)
    assert "policy skipped every requested page" in result.stderr


def test_warn_publishes_and_says_which_pages_lack_a_review(cli, project):
    remove_records(project)
    set_policy(project, "warn")
    sign(cli, "en")
    data = publish_json(cli)
    assert not data["skipped"]
    warned = sorted(w.split(":")[0] for w in data["review_warnings"])
    assert warned == [f"{tag}/{SLUG}" for tag in ("de-DE", "es-MX", "es-US", "fr-FR")]
    result = cli("publish", "--force")
    assert "warning: fr-FR/ketamine-addiction: review missing" in result.stderr


def test_an_article_overrides_the_project_policy(cli, project):
    remove_records(project)
    set_policy(project, "none", f'\n[tool.pipeline.articles.{SLUG}]\nrequire_review = "block"\n')
    data = publish_json(cli, code=3)
    assert {entry["reason"] for entry in data["skipped"]} == {"review missing"}


def test_whitespace_and_tag_position_edits_do_not_make_a_review_stale(cli, project):
    remove_records(project)
    for language in ("en", "es"):
        sign(cli, language)
    replace_in(project / SOURCE, SENTENCE, SENTENCE.replace(" the ", "  the\n        "))
    catalog = project / f"locales/es/LC_MESSAGES/{SLUG}.po"
    # The link moves over one word, and a space doubles: what a reader learns is the same.
    replace_in(catalog, "Según la <1>Universidad", "Según <1>la  Universidad")
    cli("extract")
    cli("update")
    assert "Según <1>la  Universidad" in catalog.read_text(encoding="utf-8")
    rows = status(cli)
    assert rows["en"]["status"] == "reviewed" and rows["es"]["status"] == "reviewed"
    replace_in(catalog, "Según <1>la  Universidad", "Según <1>el  Universidad")
    assert status(cli)["es"]["status"] == "stale"


@given(st.text(), st.lists(st.sampled_from([" ", "\n", "\t", "  "]), min_size=1))
def test_review_form_ignores_whitespace_runs(text, spaces):
    words = text.split()
    assert review_form(spaces[0].join(words)) == review_form(" ".join(words))
    assert review_form(f"{spaces[-1]}{text}{spaces[0]}") == review_form(text)


@given(st.text(alphabet="abcdefgh ", min_size=1), st.integers(min_value=0))
def test_review_form_sees_every_change_of_a_letter(text, where):
    letters = [i for i, c in enumerate(text) if c != " "]
    if not letters:
        return
    index = letters[where % len(letters)]
    changed = text[:index] + ("x" if text[index] != "x" else "y") + text[index + 1 :]
    assert review_form(changed) != review_form(text)


def test_sign_refuses_a_catalog_with_check_errors(cli, project):
    remove_records(project)
    catalog = project / f"locales/fr/LC_MESSAGES/{SLUG}.po"
    text = catalog.read_text(encoding="utf-8")
    # A placeholder the source does not have: a check error
    catalog.write_text(text.replace('msgstr "Sommaire"', 'msgstr "{hotline_fax} Sommaire"'))
    result = sign(cli, "fr", code=1)
    one_line_error(result, "check error")
    assert f"locales/fr/LC_MESSAGES/{SLUG}.po:" in result.stderr
    assert not (project / f"locales/fr/reviews/{SLUG}.toml").exists()


def test_sign_refuses_a_date_to_come_and_an_unknown_language(cli, project):
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    one_line_error(sign(cli, "es", "A", "--date", tomorrow, code=1), "future")
    result = cli("review", "sign", SLUG, "--lang", "xx", "--reviewer", "A", "--role", "B", code=2)
    one_line_error(result)
    for name in ("Dr. \u202eevE", "Dr.\nEve"):
        one_line_error(sign(cli, "es", name, code=2), "control or bidi")
    result = cli("review", "status", "--json", "--lang", "it", code=2)
    assert json.loads(result.stdout)["error"]["code"] == "usage"


def test_a_second_sign_off_is_appended_and_the_newest_counts(cli, project):
    remove_records(project)
    sign(cli, "es", "First Reviewer", "--date", "2026-01-10")
    sign(cli, "es", "Second Reviewer", "--kind", "medical")
    record = (project / f"locales/es/reviews/{SLUG}.toml").read_text(encoding="utf-8")
    assert record.count("\n[[review]]\n") == 2 and "First Reviewer" in record
    assert status(cli)["es"]["review"]["reviewer"] == "Second Reviewer"


# -- damaged record files --------------------------------------------------------------------

GOOD = """\
[[review]]
kind = "medical"
reviewer = "A"
role = "MD"
date = 2024-01-01
language = "en"
article = "ketamine-addiction"
source_hash = "0"
segments = []
"""


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (GOOD.replace('role = "MD"', 'role = "MD'), 4, "Illegal character"),
        (GOOD.replace('language = "en"', 'language = "xx"'), 6, "unknown language 'xx'"),
        (GOOD.replace("2024-01-01", "2999-01-01"), 5, "2999-01-01 is in the future"),
        (GOOD.replace('kind = "medical"', 'kind = "linguistic"'), 2, "kind must be"),
        (GOOD.replace("reviewer = ", "reviewed_by = "), 3, "unknown key 'reviewed_by'"),
        (GOOD.replace('role = "MD"', 'role = "MD\\u202e"'), 4, "bidi characters in role"),
    ],
)
def test_a_damaged_record_file_is_one_line_naming_file_and_line(cli, project, text, line, words):
    path = project / f"locales/en/reviews/{SLUG}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# a record\n" + text, encoding="utf-8")
    for command in (("review", "status"), ("publish",)):
        result = cli(*command, code=1)
        one_line_error(result)
        assert f"locales/en/reviews/{SLUG}.toml:{line + 1}: " in result.stderr, result.stderr
        assert words in result.stderr
    result = cli("review", "status", "--json", code=1)
    assert json.loads(result.stdout)["error"]["code"] == "config"


# -- on the page and in the CMS data ---------------------------------------------------------


def json_ld_blocks(html: str) -> list[dict]:
    tree = lxml.html.document_fromstring(html)
    scripts = tree.xpath('//script[@type="application/ld+json"]')
    return [json.loads(script.text) for script in scripts]


def test_every_page_carries_one_medical_web_page_block_from_the_records(cli, project):
    remove_records(project)
    sign(cli, "en", HOSTILE, "--date", "2026-03-04")
    sign(cli, "es", "Ana Ejemplo", "--date", "2026-05-06")
    cli("publish")
    output = project / "output"
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    jsonschema.validate(manifest, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert len(manifest["pages"]) == 7
    for entry in manifest["pages"]:
        html = (output / entry["path"]).read_text(encoding="utf-8")
        blocks = json_ld_blocks(html)
        assert len(blocks) == 1, entry["region"]
        block = blocks[0]
        assert block["@type"] == "MedicalWebPage" and block["inLanguage"] == entry["region"]
        names = [person["name"] for person in block["reviewedBy"]]
        spanish = entry["language"] == "es"
        assert names == ([HOSTILE, "Ana Ejemplo"] if spanish else [HOSTILE])
        assert block["lastReviewed"] == ("2026-05-06" if spanish else "2026-03-04")
        assert block["datePublished"] == "2023-05-12"
        page = json.loads((output / entry["json"]).read_text(encoding="utf-8"))
        assert page["structured_data"] == block
        assert page["review"] == entry["review"]
        assert entry["review"]["last_reviewed"] == block["lastReviewed"]
        # The hostile name is text: one script element, no comment, nothing after it runs.
        tree = lxml.html.document_fromstring(html)
        assert len(tree.xpath("//script")) == 1
        assert "</script><script>" not in html.split("</head>")[0].replace(
            '<script type="application/ld+json">', ""
        )


def test_the_review_lines_are_translated_with_local_dates_and_a_due_date(cli, project):
    remove_records(project)
    sign(cli, "en", "Dr. Ada Example", "--date", "2026-03-04")
    sign(cli, "fr", "Luc Exemple", "--date", "2026-05-06")
    cli("publish")
    french = (project / f"output/fr-FR/{SLUG}/index.html").read_text(encoding="utf-8")
    footer = lxml.html.document_fromstring(french).xpath('//footer[@class="review"]')[0]
    lines = [p.text_content() for p in footer.xpath("p")]
    assert (
        lines[0]
        == "Contenu médical vérifié par Dr. Ada Example, MD, addiction medicine, le 4 mars 2026"
    )
    assert lines[1].startswith("Traduction relue par Luc Exemple") and "6 mai 2026" in lines[1]
    assert lines[2] == "Prochaine révision prévue : 4 mars 2029"
    assert "France" in lines[3]
    british = (project / f"output/en-GB/{SLUG}/index.html").read_text(encoding="utf-8")
    assert (
        "Medically reviewed by Dr. Ada Example, MD, addiction medicine, on 4 March 2026" in british
    )
    assert "readers in United Kingdom" in british
    german = (project / f"output/de-DE/{SLUG}/index.html").read_text(encoding="utf-8")
    assert "Medizinisch geprüft von Dr. Ada Example" in german
    assert "Übersetzung geprüft" not in german  # German has no review: none is claimed


def test_a_stale_review_is_not_claimed_on_the_page(cli, project):
    remove_records(project)
    sign(cli, "en")
    replace_in(project / SOURCE, SENTENCE, EDITED)
    data = publish_json(cli)
    statuses = {page["region"]: page["review"]["status"] for page in data["pages"]}
    assert statuses["en-US"] == "stale" and statuses["fr-FR"] == "missing"
    html = (project / f"output/en-US/{SLUG}/index.html").read_text(encoding="utf-8")
    assert "Medically reviewed" not in html and "reviewedBy" not in html


@given(st.text())
def test_json_ld_parses_back_and_cannot_end_its_script_element(text):
    written = script_json({"name": text, "list": [text]})
    assert json.loads(written) == {"name": text, "list": [text]}
    assert "<" not in written and ">" not in written and "&" not in written


def test_the_bundled_project_ships_current_reviews_and_shows_them(cli, project):
    """The example records cover the source, Spanish and French as shipped (after a source
    or catalog change: `pipeline review status` names what to re-read before re-signing)."""
    rows = status(cli)
    assert {lang: row["status"] for lang, row in rows.items()} == {
        "en": "reviewed", "es": "reviewed", "fr": "reviewed", "de": "missing",
        "es_MX": "reviewed", "es_US": "reviewed",
    }  # fmt: skip
    data = publish_json(cli)
    statuses = {page["region"]: page["review"]["status"] for page in data["pages"]}
    assert statuses.pop("de-DE") == "missing"
    assert set(statuses.values()) == {"reviewed"}
    assert data["review_warnings"] == [
        'de-DE/ketamine-addiction: review missing (published: require_review = "warn")'
    ]
    mexican = (project / f"output/es-MX/{SLUG}/index.html").read_text(encoding="utf-8")
    assert "Revisado médicamente por Dr. Alex Sample" in mexican
    assert "Traducción revisada por Lucía Muestra" in mexican


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ('require_review = "maybe"', 'require_review must be one of "none", "warn", "block"'),
        ("review_interval_months = 0", "review_interval_months must be between 1 and 120"),
        (f'articles = {{ {SLUG} = {{ require_review = "always" }} }}', "articles.ketamine-"),
        (f"articles = {{ {SLUG} = {{ reviewer = 1 }} }}", "unknown setting articles."),
    ],
)
def test_review_settings_are_checked(cli, project, setting, words):
    set_policy(project, "none")
    replace_in(project / "pyproject.toml", 'require_review = "none"', setting)
    result = cli("publish", code=1)
    one_line_error(result)
    assert "pyproject.toml [tool.pipeline]: " in result.stderr and words in result.stderr


def test_a_hostile_title_translation_stays_text_in_the_json_ld(cli, project):
    catalog = project / f"locales/es/LC_MESSAGES/{SLUG}.po"
    hostile = "Adicción &lt;/script>&lt;script>alert(1)&lt;/script> & más"
    replace_in(
        catalog,
        'msgctxt "title"\nmsgid "Ketamine Addiction"\nmsgstr "Adicción a la ketamina"',
        f'msgctxt "title"\nmsgid "Ketamine Addiction"\nmsgstr "{hostile}"',
    )
    cli("publish")
    html = (project / f"output/es-MX/{SLUG}/index.html").read_text(encoding="utf-8")
    tree = lxml.html.document_fromstring(html)
    assert len(tree.xpath("//script")) == 1
    (block,) = json_ld_blocks(html)
    assert block["name"] == "Adicción </script><script>alert(1)</script> & más"
    assert block["name"] == tree.findtext(".//title")  # the same text as the page shows
    assert block["about"]["name"] == block["name"]


def test_a_new_sign_off_rebuilds_the_pages_it_changes(cli, project):
    remove_records(project)
    set_policy(project, "none")
    publish_json(cli)
    assert publish_json(cli)["unchanged"]
    sign(cli, "fr", "Luc Exemple")
    data = publish_json(cli)
    assert not data["unchanged"] and "fr-FR" in {page["region"] for page in data["pages"]}
    french = (project / f"output/fr-FR/{SLUG}/index.html").read_text(encoding="utf-8")
    assert "Traduction relue par Luc Exemple" in french
    assert publish_json(cli)["unchanged"]
