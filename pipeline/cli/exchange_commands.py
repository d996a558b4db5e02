"""The exchange commands: translation memory (TMX), XLIFF and glossaries (TBX)."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.options import (
    articles_option,
    json_flag,
    json_option,
    language_option,
    languages_option,
    locked,
    output_option,
    pass_project,
)
from pipeline.cli.output import emit_json, one_document_on_stdout, shorten, write_output

existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def tm():
    """Translation memory: exchange translations with CAT tools as TMX."""


@tm.command("export")
@language_option("The catalog language to export.")
@output_option("TMX file to write (default: stdout).")
@click.option(
    "--glossary",
    "glossary_output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the language's glossary to this TBX file.",
)
@json_flag("Machine-readable summary (needs -o).")
@pass_project
def tm_export(context, language, output, glossary_output, as_json):
    """Write every translated segment of a language as a TMX 1.4 file.

    Translations that check reports as errors are left out, and counted."""
    from pipeline import workflow
    from pipeline.exchange import language_catalogs, language_tbx
    from pipeline.files import write_atomic
    from pipeline.tm import export_tmx

    one_document_on_stdout(as_json, output)
    project = context.project
    (name,) = project.languages((language,))
    data, report = export_tmx(
        language_catalogs(project, name),
        project.settings.source_locale,
        name,
        workflow.phone_regions_for(project, name),
        project.glossary(name),
    )
    tbx = language_tbx(project, name) if glossary_output else None
    write_output(output, data)
    if tbx:
        write_atomic(glossary_output, tbx)
    if as_json:
        emit_json({"tmx": str(output), "units": report.units, "left_out": len(report.left_out)})
    else:
        tm_export_lines(report, output, glossary_output if tbx else None)


def tm_export_lines(report, output, glossary_output) -> None:
    """What `tm export` says, on stderr when the TMX itself went to stdout."""
    for catalog, msgid, reason in report.left_out:
        click.echo(f"left out of {catalog}: {shorten(msgid)!r}: {reason}", err=True)
    if report.left_out:
        click.echo(f"{len(report.left_out)} translations with check errors left out", err=True)
    if glossary_output:
        click.echo(f"wrote {glossary_output}", err=output is None)
    summary = f"{report.units} segments, {len(report.left_out)} left out (check errors)"
    click.echo(f"wrote {output}: {summary}" if output else summary, err=output is None)


@tm.command("import")
@click.argument("tmx_file", type=existing_file)
@json_option
@pass_project
@locked
def tm_import(context, tmx_file, as_json):
    """Fill untranslated entries from a TMX file (translated ones are never overwritten)."""
    from pipeline.exchange import project_catalogs
    from pipeline.files import read_bytes
    from pipeline.tm import import_tmx, read_tmx

    project = context.project
    memories = read_tmx(read_bytes(tmx_file), str(tmx_file), project.settings.source_locale)
    report = import_tmx(memories, project_catalogs(project))
    if as_json:
        emit_json(
            {
                "filled": report.filled,
                "catalogs": report.catalogs,
                "skipped": [{"catalog": c, "msgid": m, "reason": r} for c, m, r in report.skipped],
            }
        )
        return
    for catalog, msgid, reason in report.skipped:
        click.echo(f"skipped in {catalog}: {shorten(msgid)!r}: {reason}", err=True)
    click.echo(f"filled {report.filled} entries in {len(report.catalogs)} catalogs")


@click.group()
def xliff():
    """Exchange translations with agencies and CAT tools as XLIFF 2.1 or 1.2."""


@xliff.command("export")
@language_option("The catalog language to export.")
@articles_option
@click.option(
    "--version",
    "version",
    type=click.Choice(["2.1", "1.2"]),
    default="2.1",
    show_default=True,
    help="XLIFF version (1.2 for Translate Toolkit and Weblate).",
)
@click.option(
    "--glossary/--no-glossary",
    default=True,
    show_default=True,
    help="Carry the language's glossary in each unit (XLIFF 2 glossary module).",
)
@output_option("XLIFF file to write (default: stdout).")
@json_option
@pass_project
def xliff_export(context, language, slugs, version, glossary, output, as_json):
    """Write a language's catalogs as XLIFF: one file element per article, a unit per entry."""
    from pipeline.xliff import export_project

    one_document_on_stdout(as_json, output)
    data, report = export_project(context.project, language, slugs, version, glossary)
    write_output(output, data)
    if as_json:
        emit_json({"output": str(output), "version": version, **report.as_json()})
        return
    for catalog, unit, reason in report.left_out:
        click.echo(f"{catalog}: unit {unit}: {reason}", err=True)
    left = f", {len(report.left_out)} left out" if report.left_out else ""
    where = f"wrote {output}: " if output else ""
    click.echo(f"{where}{report.units} units, {report.translations} translated{left}", err=True)


@xliff.command("import")
@click.argument("xliff_file", type=existing_file)
@click.option("--lang", "language", help="Refuse the file unless it is for this language.")
@json_option
@pass_project
@locked
def xliff_import(context, xliff_file, language, as_json):
    """Bring an XLIFF 2.x or 1.2 file's translations into the catalogs, through the checks."""
    from pipeline.files import read_bytes
    from pipeline.xliff_import import import_project

    data = read_bytes(xliff_file)
    report = import_project(context.project, data, str(xliff_file), language)
    if as_json:
        emit_json(report.as_json())
        return
    for catalog, unit, line, reason in report.refused:
        click.echo(f"{xliff_file}:{line}: unit {unit} refused ({catalog}): {reason}", err=True)
    click.echo(
        f"updated {report.updated} entries in {len(report.catalogs)} catalogs, "
        f"{report.unchanged} unchanged, {len(report.refused)} refused"
    )


@click.group("glossary")
def glossary_group():
    """Terminology: each language's glossary (locales/<lang>/glossary.toml) and TBX."""


@glossary_group.command("import")
@click.argument("tbx_file", type=existing_file)
@languages_option
@json_option
@pass_project
@locked
def glossary_import(context, tbx_file, languages, as_json):
    """Merge a TBX-Basic file's terms into the glossaries (nothing is removed)."""
    from pipeline.exchange import import_glossaries
    from pipeline.files import read_bytes

    project = context.project
    items = import_glossaries(project, read_bytes(tbx_file), str(tbx_file), languages)
    if as_json:
        emit_json({"items": items})
        return
    for item in items:
        click.echo(f"{item['glossary']}: {item['terms']} terms added or extended")
    if not items:
        click.echo(f"no terms in {tbx_file} for the project's languages")


@glossary_group.command("export")
@language_option("The glossary language to export.")
@output_option("TBX file to write (default: stdout).")
@pass_project
def glossary_export(context, language, output):
    """Write a language's glossary as TBX-Basic, for CAT tools and agencies."""
    from pipeline.exchange import language_tbx

    write_output(output, language_tbx(context.project, language))
    if output:
        click.echo(f"wrote {output}")


COMMANDS = [tm, xliff, glossary_group]
