"""The project's side of the TMX and TBX exchanges: which catalogs and glossary a language has."""

from __future__ import annotations

from pathlib import Path

from pipeline.catalogs import catalog_path
from pipeline.errors import UsageError


def language_catalogs(project, language: str) -> list[Path]:
    """The catalogs of `language` that exist, one per article, in the articles' order."""
    locales = project.settings.locales_dir
    paths = [catalog_path(locales, language, slug) for slug in project.slugs()]
    return [path for path in paths if path.is_file()]


def project_catalogs(project) -> dict[str, list[Path]]:
    """The catalogs that exist, by language (every language of the project)."""
    return {language: language_catalogs(project, language) for language in project.languages()}


def language_tbx(project, language: str) -> bytes:
    """The TBX of a catalog language's glossary (a usage error when it has none)."""
    from pipeline.glossary import load_glossary
    from pipeline.tbx import write_tbx

    (name,) = project.languages((language,))
    glossary = load_glossary(project.settings.locales_dir, name, project.settings.source_locale)
    if glossary is None:
        raise UsageError(f"no glossary for {name} (locales/{name}/glossary.toml)")
    return write_tbx(glossary.terms, project.settings.source_locale, name)


def import_glossaries(project, data: bytes, name: str, languages: tuple[str, ...]) -> list[dict]:
    """Merge a TBX file's terms into the glossaries of `languages` (default: all); one item
    (language, glossary, terms added or extended) per glossary that had terms to take."""
    from pipeline.glossary import import_terms
    from pipeline.tbx import read_tbx

    items = []
    for language in project.languages(languages):
        terms = read_tbx(data, name, project.settings.source_locale, language)
        if terms:
            path, changed = import_terms(project.settings.locales_dir, language, terms)
            items.append({"language": language, "glossary": str(path), "terms": changed})
    return items
