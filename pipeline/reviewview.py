"""Review in context: a localized page as published, its segments marked, with what a
reviewer needs beside each (source, translation, notes, check findings, changes, remarks).

Pure data and HTML: the server (`pipeline.reviewserver`) decides who may see and change it.
The page is rendered by the publish's own functions from an article whose text segments are
wrapped in `<span data-segment="ID">`; the published output never has them.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
from dataclasses import dataclass
from pathlib import Path

from pipeline.catalogs import catalog_path, read_catalog
from pipeline.model import Article, RegionBlock, Segment, Skeleton
from pipeline.pagereview import review_data, review_lines
from pipeline.remarks import read_remarks, remarks_path
from pipeline.review import judge, read_reviews, review_language
from pipeline.signoff import current_state, relative, with_remarks

SEGMENT_ATTRIBUTE = "data-segment"


def segment_id(key: tuple[str | None, str]) -> str:
    """A segment's id on the review page: short, stable across edits of other segments."""
    context, msgid = key
    return hashlib.sha256(f"{context or ''}\x04{msgid}".encode()).hexdigest()[:12]


def marked_parts(parts, changed: set) -> tuple:
    """Skeleton parts with each text segment of the body inside a marking span (not those
    of `<title>`/`<option>`, where no markup may go)."""
    out = []
    for part in parts:
        if type(part) is Segment and part.kind == "text" and not part.text_only_parent:
            ident = segment_id(part.key)
            flag = ' data-changed="yes"' if ident in changed else ""
            out += [f'<span {SEGMENT_ATTRIBUTE}="{ident}"{flag}>', part, "</span>"]
        elif type(part) is RegionBlock:
            out.append(dataclasses.replace(part, parts=marked_parts(part.parts, changed)))
        else:
            out.append(part)
    return tuple(out)


def marked_article(article: Article, changed: set) -> Article:
    return dataclasses.replace(article, body=Skeleton(marked_parts(article.body.parts, changed)))


@dataclass(frozen=True)
class LanguageReview:
    """One language a page depends on (the source's, or a catalog's) and its review."""

    language: str
    is_source: bool
    status: str
    reviewer: str  # of the newest sign-off, '' when none
    date: str
    shown: str  # "source-hash translation-hash" of what the page shows
    changed: tuple[str, ...]  # segment ids changed since the newest sign-off
    errors: tuple[str, ...]  # check errors (a sign-off is refused while there are any)
    remarks: tuple  # every remark, open and resolved


@dataclass(frozen=True)
class SegmentView:
    """What the panel shows of one segment."""

    id: str
    msgctxt: str | None
    source: str
    translation: str | None
    language: str  # where a remark on it goes: the catalog that translates it, or the source's
    in_body: bool
    notes: tuple[str, ...]
    findings: tuple[str, ...]
    changed: bool
    remarks: tuple


def page_languages(settings, region, chain) -> list[str]:
    """The source language, then each catalog language the region's page is translated from."""
    source, _ = review_language(settings.source_locale, settings.source_locale)
    return [source] + [Path(t.path).parent.parent.name for t in chain or ()]


def language_review(project, slug: str, language: str, findings: list) -> LanguageReview:
    settings = project.settings
    today = datetime.date.today()
    state, path = current_state(project, slug, language)
    remarks = read_remarks(remarks_path(settings.locales_dir, state.language, slug))
    verdict = judge(read_reviews(path, state.language, slug, today), state)
    verdict = with_remarks(verdict, [r for r in remarks if r.is_open])
    shown = relative(project, catalog_path(settings.locales_dir, state.language, slug))
    errors = tuple(
        f"{f.catalog}:{f.line}: {f.message}"
        for f in findings
        if f.severity == "error" and f.catalog == shown and not state.is_source
    )
    review = verdict.review
    return LanguageReview(
        language=state.language,
        is_source=state.is_source,
        status=verdict.status,
        reviewer=review.reviewer if review else "",
        date=review.date.isoformat() if review else "",
        shown=f"{state.source_hash} {state.translation_hash}".strip(),
        changed=tuple(segment_id((s.context, s.msgid)) for s in verdict.changed),
        errors=errors,
        remarks=remarks,
    )


def catalog_notes(chain) -> dict:
    """(msgctxt, msgid) -> the `#.` and `#` comments of the region's catalogs."""
    notes: dict = {}
    for translations in chain or ():
        for entry in read_catalog(Path(translations.path)):
            key = (entry.msgctxt, entry.msgid)
            for text in (entry.comment, entry.tcomment):
                if text and text not in notes.get(key, ()):
                    notes.setdefault(key, []).append(text)
    return notes


def segment_findings(project, chain, findings: list) -> dict:
    """(msgctxt, msgid) -> check findings on the entry that translates it."""
    found: dict = {}
    for translations in chain or ():
        shown = relative(project, Path(translations.path))
        by_line = {line: key for key, line in translations.lines.items()}
        for finding in findings:
            key = by_line.get(finding.line) if finding.catalog == shown else None
            if key is not None:
                found.setdefault(key, []).append(f"{finding.severity}: {finding.message}")
    return found


@dataclass(frozen=True)
class ReviewPage:
    """A page under review: the published page's HTML with segments marked, and its panel's
    data."""

    slug: str
    region: str
    title: str
    html: str
    languages: tuple[LanguageReview, ...]
    segments: tuple[SegmentView, ...]

    @property
    def refusals(self) -> list[str]:
        """Why a sign-off would be refused now (shown before the reviewer tries)."""
        reasons = []
        for language in self.languages:
            if language.errors:
                reasons.append(
                    f"{language.language}: {len(language.errors)} check error(s), first: "
                    f"{language.errors[0]}"
                )
            opened = [r for r in language.remarks if r.is_open]
            if opened:
                reasons.append(f"{language.language}: {len(opened)} open remark(s)")
        return reasons

    @property
    def signed_languages(self) -> list[LanguageReview]:
        """What a sign-off from this page records: the translation's catalogs, or the
        source's own review on a page of the source language."""
        translated = [language for language in self.languages if not language.is_source]
        return translated or list(self.languages)


def build_review(project, slug: str, tag: str) -> ReviewPage:
    """The review page of an article in a region (UsageError for an unknown one)."""
    from pipeline import workflow
    from pipeline.build import ArticleBuilder, article_alternates
    from pipeline.errors import UsageError
    from pipeline.render import finish_page, render_draft

    settings = project.settings
    slug = project.slugs((slug,))[0]
    region = project.regions.get(tag)
    if region is None:
        raise UsageError(f"unknown region {tag!r}")
    shell = settings.root / settings.page_template if settings.page_template else None
    builder = ArticleBuilder(project, shell)
    chain = builder.chain(region, slug)
    if chain is None:
        raise UsageError(f"{slug} has no catalog for {tag}")
    names = page_languages(settings, region, chain)
    findings, _ = workflow.check(project, tuple(names[1:]), (slug,)) if chain else ([], [])
    languages = tuple(language_review(project, slug, name, findings) for name in names)
    changed = {ident for language in languages for ident in language.changed}
    article = project.article(slug)
    draft = render_draft(
        marked_article(article, changed),
        region,
        chain,
        settings.source_locale,
        phone_regions=project.phone_countries,
        keep_authoring=settings.keep_authoring_attributes,
    )
    verdict = builder.review_verdict(draft)
    interval = settings.review_interval_months
    title = draft.head.get("title", article.title)
    page = finish_page(
        draft,
        article_alternates({tag}, settings.base_url, tag, slug),
        settings.base_url,
        builder.shell,
        review=review_data(verdict, article, region, interval, title),
        review_lines=tuple(review_lines(verdict, region, interval)),
    )
    views = segment_views(project, article, chain, languages, findings, page.html)
    return ReviewPage(slug, tag, title, page.html, languages, views)


def segment_views(project, article: Article, chain, languages, findings, html: str) -> tuple:
    """Every translatable segment of the article, in order, as the panel shows it (`html`:
    the marked page, to tell the segments it shows)."""
    notes = catalog_notes(chain)
    found = segment_findings(project, chain, findings)
    changed = {ident for language in languages for ident in language.changed}
    remarks = {}
    for language in languages:
        for remark in language.remarks:
            remarks.setdefault(remark.key, []).append(remark)
    views, seen = [], set()
    for segment in article.segments:
        if not segment.translatable or segment.key in seen:
            continue
        seen.add(segment.key)
        translation, language = translated(segment, chain, languages)
        own = [segment.note] if segment.note else []
        views.append(
            SegmentView(
                id=segment_id(segment.key),
                msgctxt=segment.context,
                source=segment.msgid,
                translation=translation,
                language=language,
                in_body=f'{SEGMENT_ATTRIBUTE}="{segment_id(segment.key)}"' in html,
                notes=tuple(dict.fromkeys(own + notes.get(segment.key, []))),
                findings=tuple(found.get(segment.key, ())),
                changed=segment_id(segment.key) in changed,
                remarks=tuple(remarks.get(segment.key, ())),
            )
        )
    return tuple(views)


def translated(segment: Segment, chain, languages) -> tuple[str | None, str]:
    """(the translation publish would use, or None; the language a remark on it goes to)."""
    for translations in chain or ():
        msgstr = translations.entries.get(segment.key)
        if msgstr is not None:
            return msgstr, Path(translations.path).parent.parent.name
    if chain:
        return None, Path(chain[-1].path).parent.parent.name
    return segment.msgid, languages[0].language
