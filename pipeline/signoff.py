"""The review workflow: sign off an article in a language, report what holds, gate publishing.

Functions here take the project and return reports; the CLI decides what to print.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from pipeline.catalogs import Translations, catalog_path, read_translations
from pipeline.errors import PipelineError, UsageError
from pipeline.locales import parse_tag
from pipeline.model import Article, Region
from pipeline.remarks import language_lock, open_remarks, remarks_path
from pipeline.review import (
    SOURCE_KINDS,
    TRANSLATION_KINDS,
    Review,
    ReviewState,
    Verdict,
    judge,
    plain_line,
    read_reviews,
    record_path,
    review_language,
    review_state,
    write_review,
)

POLICIES = ("none", "warn", "block")
OPEN_REMARKS = "open-remarks"  # reviewed, but a remark on a segment is not resolved yet


class ReviewRefused(PipelineError):
    """A sign-off that may not be recorded (check errors, a date to come, a missing catalog)."""

    code = "review"


@dataclass(frozen=True)
class Reviewer:
    name: str
    role: str
    kind: str
    date: datetime.date
    note: str = ""


def current_state(project, slug: str, language: str) -> tuple[ReviewState, Path]:
    """The hashes a sign-off of (article, language) would record now, and its record file."""
    settings = project.settings
    folder, is_source = review_language(language, settings.source_locale)
    article = project.article(project.slugs((slug,))[0])
    translations = None
    if not is_source:
        path = catalog_path(settings.locales_dir, folder, slug)
        if not path.is_file():
            raise UsageError(f"no catalog {path} (run: pipeline init {folder} {slug})")
        translations = read_translations(path)
    state = review_state(article, folder, translations, is_source)
    return state, record_path(settings.locales_dir, folder, slug)


def sign(
    project,
    slug: str,
    language: str,
    reviewer: Reviewer,
    today: datetime.date,
    shown: tuple[str, str] | None = None,
) -> dict:
    """Record a review of the current state; refused while the catalog has check errors or
    open remarks. `shown`: the (source, translation) hashes of what the reviewer read (the
    review page's), refused if the catalog or source changed since."""
    state, path = current_state(project, slug, language)
    if shown is not None and shown != (state.source_hash, state.translation_hash):
        raise ReviewRefused(
            f"{slug} ({state.language}) changed since the page was shown: read it again"
        )
    kinds = SOURCE_KINDS if state.is_source else TRANSLATION_KINDS
    if reviewer.kind not in kinds:
        raise UsageError(
            f"a review of {'the source' if state.is_source else 'a translation'} "
            f"is one of: {', '.join(kinds)}"
        )
    if not reviewer.name.strip() or not reviewer.role.strip():
        raise UsageError("a review needs the reviewer's name and role")
    for text in (reviewer.name, reviewer.role, reviewer.note):
        if not plain_line(text):
            # Shown on every page: no line breaks, and no reordering of what follows
            raise UsageError(f"control or bidi characters in {text!r}")
    if reviewer.date > today:
        raise ReviewRefused(f"review date {reviewer.date} is in the future")
    if not state.is_source:
        refuse_check_errors(project, state)
    with language_lock(project.settings.root, state.language):
        read_reviews(path, state.language, slug, today)  # a damaged file is reported, not grown
        refuse_open_remarks(project, state)
        review = Review(
            kind=reviewer.kind,
            reviewer=reviewer.name.strip(),
            role=reviewer.role.strip(),
            date=reviewer.date,
            language=state.language,
            article=slug,
            source_hash=state.source_hash,
            translation_hash=state.translation_hash,
            segments=tuple(segment.pair for segment in state.segments),
            note=reviewer.note,
        )
        write_review(path, review, state)
    return {
        "record": relative(project, path),
        **review.as_json(),
        "language": state.language,
        "article": slug,
        "segments": len(state.segments),
    }


def refuse_check_errors(project, state: ReviewState) -> None:
    """A translation's sign-off is refused while its catalog has check errors."""
    from pipeline import workflow

    findings, _ = workflow.check(project, (state.language,), (state.article,))
    path = catalog_path(project.settings.locales_dir, state.language, state.article)
    shown = relative(project, path)
    errors = [f for f in findings if f.severity == "error" and f.catalog == shown]
    if errors:
        first = errors[0]
        raise ReviewRefused(
            f"{first.catalog}:{first.line}: {len(errors)} check error(s), first: "
            f"{first.message} (run: pipeline check --lang {state.language})"
        )


def refuse_open_remarks(project, state: ReviewState) -> None:
    """A sign-off is refused while a remark on the article in its language is open."""
    remarks = open_remarks(project.settings.locales_dir, state.language, state.article)
    if remarks:
        path = remarks_path(project.settings.locales_dir, state.language, state.article)
        raise ReviewRefused(
            f"{relative(project, path)}: {len(remarks)} open remark(s), first: "
            f"{remarks[0].text[:60]!r} (resolve them: pipeline review resolve "
            f"{state.article} --lang {state.language} --remark N --by NAME)"
        )


def status(project, slugs=(), languages=(), today: datetime.date | None = None) -> list[dict]:
    """Per article and language (the source first): reviewed, stale (with the segments to
    re-read) or never reviewed."""
    today = today or datetime.date.today()
    settings = project.settings
    source = parse_tag(settings.source_locale).language
    wanted = {review_language(name, settings.source_locale)[0] for name in languages}
    project.languages(tuple(wanted - {source}))  # a language without catalogs: usage error
    rows = []
    for slug in project.slugs(slugs):
        names = [source, *project.languages()]
        for name in names:
            if wanted and name not in wanted:
                continue
            if name != source and not catalog_path(settings.locales_dir, name, slug).is_file():
                continue
            state, path = current_state(project, slug, name)
            remarks = open_remarks(settings.locales_dir, state.language, slug)
            verdict = with_remarks(
                judge(read_reviews(path, state.language, slug, today), state), remarks
            )
            row = status_row(project, state, path, verdict)
            row["remarks"] = [remark_row(state, remark) for remark in remarks]
            rows.append(row)
    return rows


def status_row(project, state: ReviewState, path: Path, verdict: Verdict) -> dict:
    row = {
        "article": state.article,
        "language": state.language,
        "kind": "source" if state.is_source else "translation",
        "status": verdict.status,
        "record": relative(project, path),
        "review": verdict.review.as_json() if verdict.review else None,
    }
    if verdict.status == "stale":
        row["since"] = changed_since(project, state).isoformat()
        row["changed"] = [
            {"line": segment.line, "msgctxt": segment.context, "msgid": segment.msgid}
            for segment in verdict.changed
        ]
        row["removed"] = verdict.removed
    return row


def with_remarks(verdict: Verdict, remarks) -> Verdict:
    """A review that holds does not while a remark on the article is open."""
    if remarks and verdict.status == "reviewed":
        return Verdict(OPEN_REMARKS, verdict.review)
    return verdict


def remark_row(state: ReviewState, remark) -> dict:
    """An open remark as `review status --json` lists it (with the segment's source line)."""
    line = next((s.line for s in state.segments if (s.context, s.msgid) == remark.key), None)
    return {**remark.as_json(), "line": line}


def changed_since(project, state: ReviewState) -> datetime.date:
    """When a stale review's inputs last changed: the newer of the source file and catalog."""
    settings = project.settings
    paths = [settings.source_dir / f"{state.article}.html"]
    if not state.is_source:
        paths.append(catalog_path(settings.locales_dir, state.language, state.article))
    stamp = max(path.stat().st_mtime for path in paths if path.exists())
    return datetime.date.fromtimestamp(stamp)


def relative(project, path: Path) -> str:
    try:
        return path.relative_to(project.settings.root).as_posix()
    except ValueError:
        return str(path)


# -- publishing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PageVerdict:
    """The reviews a page needs (the source's, and each catalog's it is translated from)."""

    status: str  # the worst of them: missing, then stale, then reviewed
    medical: Review | None  # the source's review, when it still holds
    translation: Review | None  # the newest translation review that still holds


def page_verdict(
    locales_dir: Path,
    source_locale: str,
    article: Article,
    region: Region,
    chain: tuple[Translations, ...],
    today: datetime.date,
    memo: dict | None = None,
) -> PageVerdict:
    """`memo` (language -> Verdict) shares the verdicts of one article between its regions."""
    memo = {} if memo is None else memo
    source = parse_tag(source_locale).language
    if source not in memo:
        memo[source] = judge_files(locales_dir, article, source, None, today)
    verdicts = [(True, memo[source])]
    for translations in chain:
        name = Path(translations.path).parent.parent.name
        if name not in memo:
            memo[name] = judge_files(locales_dir, article, name, translations, today)
        verdicts.append((False, memo[name]))
    statuses = {verdict.status for _, verdict in verdicts}
    worst = next(s for s in ("missing", "stale", OPEN_REMARKS, "reviewed") if s in statuses)
    holding = [(is_source, v.review) for is_source, v in verdicts if v.status == "reviewed"]
    medical = next((review for is_source, review in holding if is_source), None)
    translated = [review for is_source, review in holding if not is_source]
    newest = max(translated, key=lambda r: r.date, default=None)
    return PageVerdict(worst, medical, newest)


def judge_files(locales_dir, article, language, translations, today) -> Verdict:
    path = record_path(locales_dir, language, article.slug)
    reviews = read_reviews(path, language, article.slug, today)
    if not reviews:  # most pages of a large site: no hashing needed to say so
        return Verdict("missing", None)
    state = review_state(article, language, translations, translations is None)
    return with_remarks(judge(reviews, state), open_remarks(locales_dir, language, article.slug))


def gate(verdict: PageVerdict, policy: str) -> str | None:
    """The skip reason of a page under `policy`, or None to publish it."""
    if policy != "block" or verdict.status == "reviewed":
        return None
    if verdict.status == OPEN_REMARKS:
        return "review has open remarks"
    return f"review {verdict.status}"


def article_policy(settings, slug: str) -> str:
    """`require_review` of an article: its own `[tool.pipeline.articles.<slug>]`, or the
    project's."""
    own = settings.articles.get(slug, {})
    return own.get("require_review", settings.require_review)
