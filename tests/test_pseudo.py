"""Pseudo-locales and right-to-left pages."""

from __future__ import annotations

import re

import lxml.html
import polib

SLUG = "ketamine-addiction"


def page(project, region):
    return (project / f"output/{region}/{SLUG}/index.html").read_text(encoding="utf-8")


def article_dom(html):
    root = lxml.html.document_fromstring(html)
    return root.find(".//article")


def test_en_xa_changes_every_text_node_and_keeps_links_and_hotline(cli, project):
    # Compared with the source region's page, which shows the same passages (the pseudo
    # regions have its hotline), with the authoring attributes kept to tell values apart.
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "[tool.pipeline]", "[tool.pipeline]\nkeep_authoring_attributes = true"
        )
    )
    cli("pseudo")
    cli("publish", "--include-pseudo")
    source = page(project, "en-US").replace("In the United States, ketamine", "Ketamine")
    pseudo_html = page(project, "en-XA")
    before, after = article_dom(source), article_dom(pseudo_html)
    pairs = list(zip(before.iter(), after.iter(), strict=True))
    for old, new in pairs:
        assert old.tag == new.tag
        if old.get("data-l10n-var"):
            continue  # region values, not translated text
        for old_text, new_text in ((old.text, new.text), (old.tail, new.tail)):
            if old_text and any(c.isalpha() for c in old_text):
                assert new_text != old_text, old_text
        if old.tag == "a" and not old.get("href", "").startswith("tel:"):
            assert new.get("href") == old.get("href")
    assert 'href="tel:+18773784154"' in pseudo_html and "(877) 378-4154" in pseudo_html


def test_ar_xb_is_right_to_left_with_isolated_numbers(cli, project):
    cli("pseudo")
    cli("publish", "--region", "ar-XB")
    html = page(project, "ar-XB")
    assert '<html lang="ar-XB" dir="rtl">' in html
    assert '<bdi dir="ltr">(877) 378-4154</bdi>' in html
    links = re.findall(r'<a href="(#[^"]+)"', html)
    assert len(links) == 5


def test_rtl_fallback_carries_lang_and_dir(cli, project):
    cli("pseudo")
    path = project / "locales/ar_XB/LC_MESSAGES/ketamine-addiction.po"
    catalog = polib.pofile(str(path))
    catalog.find("Depression").msgstr = ""
    catalog.save()
    cli("publish", "--region", "ar-XB")
    assert '<li><span lang="en" dir="ltr">Depression</span></li>' in page(project, "ar-XB")


def test_pseudo_catalogs_pass_check_and_msgfmt(cli, project):
    cli("pseudo")
    from conftest import msgfmt_check

    for language in ("en_XA", "ar_XB"):
        msgfmt_check(project / f"locales/{language}/LC_MESSAGES/{SLUG}.po")
    result = cli("check", "--lang", "en_XA", "--lang", "ar_XB", "--json")
    assert '"errors": 0' in result.stdout
