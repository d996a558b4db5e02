"""What a page says about its review: the visible lines, the disclaimer, and schema.org data.

Everything here is plain text or JSON; the page shell escapes the text, and the JSON-LD is
escaped for a `<script>` element here, so that nothing a reviewer or translator wrote can
end the element or add markup.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
import json
import re
from functools import cache
from pathlib import Path

from pipeline.catalogs import read_translations
from pipeline.locales import parse_tag
from pipeline.model import Article, Region
from pipeline.review import Review
from pipeline.signoff import PageVerdict

STRINGS = Path(__file__).parent / "locale"
MEDICAL = "Medically reviewed by {reviewer}, {role}, on {date}"
TRANSLATION = "Translation reviewed by {reviewer}, {role}, on {date}"
NEXT_DUE = "Next review due: {date}"
DISCLAIMER = (
    "This page gives general health information for readers in {country}. It does not "
    "replace advice from a doctor, pharmacist or other health professional, and medicines, "
    "laws and services differ between countries."
)
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@cache
def page_strings(language: str) -> dict:
    """msgid -> msgstr of the shell's sentences in a catalog language ({} when none)."""
    path = STRINGS / language / "LC_MESSAGES" / "page.po"
    if not path.is_file():
        return {}
    return {msgid: msgstr for (_, msgid), msgstr in read_translations(path).entries.items()}


def strings_version() -> str:
    """A hash of the shell's translations: new sentences mean pages to build again."""
    digest = hashlib.sha256()
    for path in sorted(STRINGS.rglob("*.po")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def sentence(msgid: str, region: Region, values: dict) -> dict:
    """A sentence in the region's language (its catalogs in order), else in English, with
    its placeholders filled: {"text": ..., "lang": None, or "en" when not translated}."""
    for name in region.catalogs:
        msgstr = page_strings(name).get(msgid)
        if msgstr:
            return {"text": fill(msgstr, values), "lang": None}
    english = region.language.split("_")[0] == "en"
    return {"text": fill(msgid, values), "lang": None if english else "en"}


def fill(text: str, values: dict) -> str:
    """Named placeholders replaced by plain values; anything else stays as written (no
    format mini-language: `{date.__class__}` is not an attribute lookup here)."""
    return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def country_name(region: Region) -> str:
    tag = parse_tag(region.tag)
    if tag.territory is None or tag.is_pseudo:
        return region.tag
    return tag.babel.territories.get(tag.territory, tag.territory)


def review_lines(verdict: PageVerdict, region: Region, interval_months: int) -> list[dict]:
    """The visible lines: who reviewed the content and the translation, when, and when the
    next review is due; then the disclaimer."""
    tag = parse_tag(region.tag)
    lines = []
    for msgid, review in ((MEDICAL, verdict.medical), (TRANSLATION, verdict.translation)):
        if review is not None:
            values = {
                "reviewer": review.reviewer,
                "role": review.role,
                "date": tag.format_date(review.date.isoformat()),
            }
            lines.append(sentence(msgid, region, values))
    if verdict.medical is not None:
        due = add_months(verdict.medical.date, interval_months).isoformat()
        lines.append(sentence(NEXT_DUE, region, {"date": tag.format_date(due)}))
    lines.append(sentence(DISCLAIMER, region, {"country": country_name(region)}))
    return lines


def reviews_of(verdict: PageVerdict) -> list[Review]:
    return [review for review in (verdict.medical, verdict.translation) if review is not None]


def review_data(
    verdict: PageVerdict, article: Article, region: Region, interval_months: int, about: str
) -> dict:
    """The page's review as the page JSON and the manifest carry it (`about`: the page's
    topic, its title in the page's language)."""
    reviews = reviews_of(verdict)
    dates = [review.date for review in reviews]
    published = article.date or None
    due = add_months(verdict.medical.date, interval_months) if verdict.medical else None
    return {
        "status": verdict.status,
        "in_language": region.tag,
        "last_reviewed": max(dates).isoformat() if dates else None,
        "next_review_due": due.isoformat() if due else None,
        "reviewed_by": [review.as_json() for review in reviews],
        "date_published": published,
        "date_modified": max(
            [d.isoformat() for d in dates] + ([published] if published else []), default=None
        ),
        "about": about,
        "audience": {"audience_type": "Patient", "country": parse_tag(region.tag).territory},
    }


def structured_data(data: dict, title: str, description: str, canonical: str) -> dict:
    """schema.org `MedicalWebPage` of a page, from its review data."""
    document = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": title,
        "description": description,
        "url": canonical,
        "inLanguage": data["in_language"],
        "about": {"@type": "Thing", "name": data["about"]},
        "audience": {
            "@type": "MedicalAudience",
            "audienceType": data["audience"]["audience_type"],
            "geographicArea": {"@type": "Country", "name": data["audience"]["country"]},
        },
    }
    optional = {
        "datePublished": data["date_published"],
        "dateModified": data["date_modified"],
        "lastReviewed": data["last_reviewed"],
    }
    document.update({key: value for key, value in optional.items() if value})
    if data["reviewed_by"]:
        document["reviewedBy"] = [
            {"@type": "Person", "name": person["reviewer"], "jobTitle": person["role"]}
            for person in data["reviewed_by"]
        ]
    return document


def script_json(document: dict) -> str:
    """JSON for a `<script type="application/ld+json">` element: `<`, `>` and `&` written as
    JSON escapes, so that no text in it can close the element or start a comment; U+2028 and
    U+2029 likewise, for readers that take the JSON for JavaScript."""
    text = json.dumps(document, ensure_ascii=False, sort_keys=False)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text
