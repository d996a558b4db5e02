"""A project on disk: its settings, regions, articles and catalog languages, and the paths
the workflow reports relative to its root."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from pipeline.catalogs import catalog_languages
from pipeline.config import Settings
from pipeline.errors import UsageError
from pipeline.files import safe_name
from pipeline.locales import parse_tag
from pipeline.model import Article, Region
from pipeline.regions import load_regions, phone_countries
from pipeline.segment import HotlineSpec
from pipeline.source import list_slugs, load_article

PSEUDO_REGIONS = "regions.pseudo.toml"


@dataclass(frozen=True)
class Project:
    settings: Settings

    @cached_property
    def regions(self) -> dict[str, Region]:
        """The region file's regions, then the pseudo-locales if `pipeline pseudo` made them."""
        regions = load_regions(self.settings.regions_file)
        pseudo = self.settings.regions_file.with_name(PSEUDO_REGIONS)
        if pseudo.is_file():
            regions.update(load_regions(pseudo))
        return regions

    @cached_property
    def phone_countries(self) -> tuple[str, ...]:
        """Every country of the region file: a number in any of their formats typed into a
        translation is an error for `check` and is never published."""
        if not self.settings.regions_file.is_file():
            return ()
        return phone_countries(self.regions, self.settings.source_locale)

    @cached_property
    def glossaries(self) -> dict:
        """Catalog language -> its glossary or None, filled as `glossary` reads them."""
        return {}

    def glossary(self, language: str):
        """The language's glossary (`pipeline.glossary`), or None: read once per project."""
        from pipeline.glossary import load_glossary

        if language not in self.glossaries:
            settings = self.settings
            self.glossaries[language] = load_glossary(
                settings.locales_dir, language, settings.source_locale
            )
        return self.glossaries[language]

    @cached_property
    def source_hotline(self) -> HotlineSpec | None:
        """The hotline the articles are written with (the source locale's region).

        Without one (no such region, or it has no hotline) the spec has no numbers: any
        phone number in an article then keeps its pages out of other countries' regions."""
        if not self.settings.regions_file.is_file():
            return None
        source = parse_tag(self.settings.source_locale)
        region = self.regions.get(source.bcp47)
        numbers = frozenset({region.hotline.e164}) if region and region.hotline else frozenset()
        return HotlineSpec(source.territory or "US", numbers, self.phone_countries)

    def slugs(self, wanted: tuple[str, ...] = ()) -> list[str]:
        available = list_slugs(self.settings.source_dir)
        if not wanted:
            return available
        for slug in wanted:
            safe_name(slug, "slug")  # a slug with '../' is a usage error, not a missing file
        missing = [slug for slug in wanted if slug not in available]
        if missing:
            raise UsageError(f"no source article {missing[0]!r} in {self.settings.source_dir}")
        return list(wanted)

    def article(self, slug: str) -> Article:
        """The article `slug`, read and segmented (see `load_article`)."""
        settings = self.settings
        return load_article(settings.source_dir, slug, self.source_hotline, settings.root)

    def languages(self, wanted: tuple[str, ...] = ()) -> list[str]:
        available = catalog_languages(self.settings.locales_dir)
        if not wanted:
            return available
        names = [parse_tag(language).gettext for language in wanted]
        missing = [name for name in names if name not in available]
        if missing:
            raise UsageError(
                f"no catalogs for language {missing[0]!r} (run: pipeline init {missing[0]})"
            )
        return names


def is_override(project: Project, language: str) -> bool:
    """Whether a catalog language is a regional override (es_MX) of a language (es) that has
    catalogs: it holds only the entries that differ."""
    base = parse_tag(language).language
    return base != language and base in project.languages()


def relative(project: Project, path) -> str:
    try:
        return path.relative_to(project.settings.root).as_posix()
    except ValueError:
        return str(path)


def pseudo_languages(project: Project) -> set[str]:
    """The catalog languages of the pseudo regions (`pipeline pseudo`)."""
    path = project.settings.regions_file.with_name(PSEUDO_REGIONS)
    return {region.language for region in load_regions(path).values()} if path.is_file() else set()


def phone_regions_for(project: Project, language: str) -> tuple[str, ...]:
    """The countries whose numbers check looks for in a language's translations: those of
    the regions that use its catalogs, and the source's."""
    regions = project.regions if project.settings.regions_file.is_file() else {}
    source = parse_tag(project.settings.source_locale)
    territories = [parse_tag(r.tag).territory for r in regions.values() if language in r.catalogs]
    # The language's own countries first, then every other of the region file (as publish
    # finds them): a number of any of them must not reach a page.
    return tuple(dict.fromkeys([*territories, source.territory or "US", *project.phone_countries]))
