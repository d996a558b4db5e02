"""Rendering: (article, catalogs, region) -> a localized page. Pure: no files, no printing."""

from __future__ import annotations

import functools
import html
import traceback
from pathlib import Path

from markupsafe import Markup

from pipeline.catalogs import Translations
from pipeline.checks import completeness, refusal
from pipeline.errors import PublishError
from pipeline.files import read_utf8
from pipeline.locales import parse_tag, same_language
from pipeline.model import Article, Draft, Page, Region, Segment
from pipeline.passages import published_markup, region_terms
from pipeline.skeleton import Phone, Renderer, Values

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"


def lookup(chain: tuple[Translations, ...], source_language: bool):
    """msgstr for a segment from the most specific catalog that translates it."""

    def translate(segment: Segment) -> str | None:
        for translations in chain:
            msgstr = translations.entries.get(segment.key)
            if msgstr is not None:
                return msgstr
        return segment.msgid if source_language else None

    return translate


def region_values(region: Region, source_language: str) -> Values:
    tag = parse_tag(region.tag)
    hotline = region.hotline
    source_dir = parse_tag(source_language).direction
    return Values(
        variables={
            "hotline_name": hotline.name,
            "hotline_hours": hotline.hours,
            "hotline_cost": hotline.cost,
            "hotline_website": hotline.website,
        }
        if hotline
        else {},
        phone=Phone(hotline.e164, hotline.national) if hotline else None,
        has_hotline=hotline is not None,
        date=tag.format_date,
        fallback_lang=parse_tag(source_language).language,
        fallback_dir=source_dir if source_dir != region.direction else None,
        isolate_ltr=region.direction == "rtl",
        phones=other_phones(region),
        region_terms=region_terms(region),
    )


def other_phones(region: Region) -> dict:
    """The region's phone placeholders besides `{hotline_phone}`: `{emergency_phone}` (the
    first emergency number) and `{poison_phone}`."""
    phones = {}
    if region.emergency:
        number = region.emergency[0]
        phones["emergency_phone"] = Phone(number, number)
    if region.poison is not None:
        phones["poison_phone"] = Phone(region.poison.e164, region.poison.national)
    return phones


def render_draft(
    article: Article,
    region: Region,
    chain: tuple[Translations, ...],
    source_language: str,
    memo: dict | None = None,
    phone_regions: tuple[str, ...] = (),
    keep_authoring: bool = False,
) -> Draft:
    """The article's body for a region; `memo` shares segments between regions of a chain.

    `phone_regions`: the countries in whose formats a number typed into a translation is
    found (`regions.phone_countries`: all of the region file's, as `check` uses), by
    default the region's and the source's."""
    translate = lookup(chain, same_language(region.language, source_language))
    if not phone_regions:
        tags = (parse_tag(region.tag), parse_tag(source_language))
        phone_regions = tuple(dict.fromkeys(tag.territory for tag in tags if tag.territory))
    judge = Judge(chain, phone_regions, memo)
    renderer = Renderer(
        article.text,
        translate,
        region_values(region, source_language),
        memo=memo,
        validate=judge.validate,
        refused=judge.refused,
    )
    body = renderer.render(article.body.parts)
    if not keep_authoring:
        body = published_markup(body)
    head = {
        name: head_text(renderer.segment(segment), segment, article.text)
        for name, segment in article.head_segments.items()
    }
    measured = completeness(
        (segment.key, segment.msgid, judge.usable(translate(segment), segment))
        for segment in article.segments
        if segment.translatable
    )
    missing = missing_critical(article, chain, renderer.report, translate)
    return Draft(article, region, body, head, renderer.report, missing, measured)


class Judge:
    """Whether a segment's translation may be shown: msgfmt's verdict on the catalog entry
    that would be used, and `refusal`'s on the text. Verdicts are shared by the regions of a
    chain (as rendered segments are, in `memo`)."""

    def __init__(self, chain: tuple[Translations, ...], phone_regions: tuple, memo: dict | None):
        self.chain = chain
        self.phone_regions = phone_regions
        self.verdicts: dict = {} if memo is None else memo.setdefault("verdicts", {})

    def refused(self, segment: Segment) -> str | None:
        """msgfmt's verdict on the catalog entry that would be used (the first that has it)."""
        for translations in self.chain:
            if segment.key in translations.entries:
                return translations.refused.get(segment.key)
        return None

    def validate(self, msgstr: str, segment: Segment, well_formed: bool = True) -> str | None:
        """`refusal`'s verdict; the renderer asks once it has read the translation's
        notation (`well_formed`). The verdict is the same either way for a translation that
        reads, and only one that reads reaches the renderer's question."""
        verdicts = self.verdicts
        key = (self.phone_regions, segment.key, msgstr)
        found = verdicts.get(key, verdicts)
        if found is verdicts:
            found = verdicts[key] = refusal(
                msgstr, segment, self.phone_regions, well_formed=well_formed
            )
        return found

    def usable(self, msgstr: str | None, segment: Segment) -> bool:
        if msgstr is None or self.refused(segment):
            return False
        # The msgid itself brings nothing the source does not have (the renderer shows it
        # as it is, unchecked, too).
        return msgstr == segment.msgid or not self.validate(msgstr, segment, well_formed=False)


def missing_critical(article: Article, chain, report, translate) -> tuple[str, ...]:
    """The msgids of critical segments the page shows untranslated or with a translation
    that fell back to the source."""
    critical_keys = set().union(*(translations.critical for translations in chain))
    problems = {id(segment) for segment, _ in report.fallbacks}
    return tuple(
        segment.msgid
        for segment in article.segments
        if segment.translatable
        and (segment.critical or segment.key in critical_keys)
        and segment.key in report.rendered
        and (translate(segment) is None or id(segment) in problems)
    )


def head_text(rendered: str, segment: Segment, source: str) -> str:
    """A rendered head segment as plain text.

    A segment renders as markup for the place it came from: a `<title>`'s text, or an
    attribute value written for its own quotes (single, double or none). The page shell puts
    these texts into its own double-quoted attributes, so it must receive plain text and
    escape it itself (Jinja2's autoescape, the one escaping function of the shell); markup
    passed through would let a `"` in a translation end the shell's attribute."""
    if (
        segment.kind == "attribute"
        and not segment.quote
        and rendered != source[segment.start : segment.end]
    ):
        # A translation of an unquoted value is written in double quotes (it may hold
        # spaces): they belong to the markup, not to the text.
        rendered = rendered[1:-1]
    return html.unescape(rendered)


def page_url(base_url: str, region: str, slug: str) -> str:
    return f"{base_url}/{region}/{slug}/"


def load_shell(custom: Path | None):
    """The Jinja2 page shell: the project's own (`custom`) or the built-in one. Read on
    each call, so an edited shell is seen; compiled once per text and process."""
    path = custom or BUILTIN_TEMPLATES / "page.html"
    return compiled_shell(str(path), read_shell(path))


@functools.lru_cache(maxsize=8)
def compiled_shell(name: str, text: str):
    """A shell's text as a jinja2.Template (jinja2 is imported here: a publish with nothing
    to build needs none). Kept per text: a compile costs about as much as building a page,
    and every publish, worker and review page starts from the same shell."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda _: (text, name, lambda: True)),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    try:
        return environment.get_template(Path(name).name)
    except jinja2.TemplateSyntaxError as error:
        raise PublishError(
            f"page template {error.filename}:{error.lineno}: {error.message}"
        ) from None


def read_shell(path: Path) -> str:
    """A page shell's text, read as every input is: a regular file, UTF-8, size-limited."""
    return read_utf8(path, lambda message: PublishError(f"page template {message}"))


def render_shell(shell, **fields) -> str:
    """The page shell filled in. A shell is code a project supplies: whatever its
    expressions raise (an undefined name, a division by zero) is a PublishError naming the
    template and the line."""
    try:
        return shell.render(**fields)
    except Exception as error:  # noqa: BLE001 (any exception a template expression raises)
        line = next(
            (
                frame.lineno
                for frame in reversed(traceback.extract_tb(error.__traceback__))
                if frame.filename == shell.filename
            ),
            None,
        )
        where = shell.filename if line is None else f"{shell.filename}:{line}"
        raise PublishError(f"page template {where}: {error}") from None


def finish_page(
    draft: Draft,
    alternates: tuple[tuple[str, str], ...],
    base_url: str,
    shell,  # a jinja2.Template from load_shell
    review: dict | None = None,  # review data (pagereview.review_data)
    review_lines: tuple = (),  # the visible review lines and disclaimer (pagereview)
) -> Page:
    from pipeline.pagereview import script_json, structured_data

    region, article = draft.region, draft.article
    tag = parse_tag(region.tag)
    canonical = page_url(base_url, region.tag, article.slug)
    # Plain text: the shell's autoescape is what escapes every value it writes.
    title = draft.head.get("title", article.title)
    description = draft.head.get("description", html.unescape(article.description))
    hotline = hotline_fields(region)
    schema = structured_data(review, title, description, canonical) if review else None
    document = render_shell(
        shell,
        lang=region.tag,
        dir=region.direction,
        title=title,
        description=description,
        og_title=draft.head.get("og:title", title),
        og_description=draft.head.get("og:description", description),
        og_locale=tag.gettext,
        canonical=canonical,
        alternates=alternates,
        hotline=hotline,
        lines=[line_fields(line) for line in region.lines],
        emergency=list(region.emergency),
        body=Markup(draft.body),
        source_lang=article.language,
        review_lines=review_lines,
        # Escaped for a <script> element by script_json; Markup keeps autoescape off it.
        structured_data=Markup(script_json(schema)) if schema else None,
    )
    return Page(
        slug=article.slug,
        region=region.tag,
        language=region.language,
        direction=region.direction,
        title=title,
        description=description,
        canonical=canonical,
        alternates=alternates,
        html=document,
        body=draft.body,
        completeness=round(draft.completeness, 4),
        fallbacks=tuple(
            {"msgid": segment.msgid[:80], "line": segment.line, "reason": reason}
            for segment, reason in draft.report.fallbacks
        ),
        source_hash=article.content_hash,
        hotline=hotline,
        review=review,
        structured_data=schema,
    )


def hotline_fields(region: Region) -> dict | None:
    hotline = region.hotline
    if hotline is None:
        return None
    return {
        "name": hotline.name,
        "phone": hotline.national,
        "e164": hotline.e164,
        "tel": f"tel:{hotline.e164}",
        "hours": hotline.hours,
        "cost": hotline.cost,
        "website": hotline.website,
        "verified_on": hotline.verified_on.isoformat() if hotline.verified_on else None,
    }


def line_fields(line) -> dict:
    """A contact line as the page shell receives it (plain text; the shell escapes it)."""
    return {
        "kind": line.kind,
        "name": line.name,
        "operator": line.operator,
        "phone": line.national,
        "tel": f"tel:{line.e164}",
        "hours": line.hours,
        "cost": line.cost,
        "tty": line.tty,
        "tty_tel": f"tel:{line.tty_tel}" if line.tty_tel else "",
        "text": line.text,
        "website": line.website,
    }
