"""`pipeline pseudo` over a project: catalogs and regions for the pseudo-locales."""

from __future__ import annotations

import dataclasses
import json

from pipeline.catalogs import catalog_path, init_catalog, read_catalog, template_path
from pipeline.errors import CatalogError
from pipeline.files import write_atomic
from pipeline.locales import parse_tag
from pipeline.model import Region
from pipeline.parallel import Outcome
from pipeline.project import PSEUDO_REGIONS, Project, relative


def pseudo(project: Project) -> Outcome:
    """Catalogs and regions for the pseudo-locales en-XA (accented, longer) and ar-XB
    (right to left), from every template, so a content lead can publish them and look."""
    from pipeline.checks import segment_for
    from pipeline.pseudo import accented, mirrored, pseudo_translate

    outcome = Outcome()
    locales = {"en_XA": accented, "ar_XB": mirrored}
    for slug in project.slugs():
        template_file = template_path(project.settings.templates_dir, slug)
        try:
            template = read_catalog(template_file)
        except CatalogError as error:
            outcome.errors.append(f"{error} (run: pipeline extract)")
            continue
        for language, transform in locales.items():
            tag = parse_tag(language)
            entries = tuple(
                dataclasses.replace(
                    entry,
                    msgstr=pseudo_translate(segment_for(entry.msgid, entry.is_format), transform),
                )
                for entry in template
            )
            path = catalog_path(project.settings.locales_dir, language, slug)
            write_atomic(
                path,
                init_catalog(
                    dataclasses.replace(template, entries=entries),
                    language,
                    tag.plural_forms,
                    f"Pseudo-locale {tag.bcp47}",
                    keep_msgstr=True,
                ),
            )
            outcome.items.append(
                {"article": slug, "language": language, "catalog": relative(project, path)}
            )
    source = project.regions.get(parse_tag(project.settings.source_locale).bcp47)
    write_atomic(
        project.settings.regions_file.with_name(PSEUDO_REGIONS),
        pseudo_regions(source, parse_tag(project.settings.source_locale)),
    )
    return outcome


def pseudo_regions(source: Region | None, source_tag) -> str:
    """The pseudo regions, with the source region's hotline so pages show a real number."""
    lines = ["# Made by `pipeline pseudo`: pseudo-locales for layout testing. Do not edit.", ""]
    hotline = source.hotline if source else None
    for tag, language in (("en-XA", "en_XA"), ("ar-XB", "ar_XB")):
        lines += [
            f"[regions.{tag}]",
            f'language = "{language}"',
            f'phone_region = "{source_tag.territory or "US"}"',
        ]
        if source and source.emergency:
            lines.append(f"emergency = {json.dumps(list(source.emergency))}")
        if hotline:
            fields = {
                "kind": hotline.kind,
                "name": hotline.name,
                "phone": hotline.phone,
                "hours": hotline.hours,
                "cost": hotline.cost,
                "website": hotline.website,
            }
            if hotline.free is not None:
                fields["free"] = hotline.free
            body = ", ".join(
                f"{key} = {json.dumps(value, ensure_ascii=False)}"
                for key, value in fields.items()
                if value
            )
            lines.append(f"hotline = {{ {body} }}")
        lines.append("")
    return "\n".join(lines)
