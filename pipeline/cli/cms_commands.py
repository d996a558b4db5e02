"""Commands that talk to the web: push output/ to a CMS, fetch a source article."""

from __future__ import annotations

import os
import sys

import click

from pipeline.cli.options import (
    include_pseudo_option,
    json_option,
    locked,
    pass_project,
    regions_option,
)
from pipeline.cli.output import emit_json, progress
from pipeline.errors import PipelineError


@click.command()
@click.option(
    "--endpoint",
    required=True,
    help="The CMS's base URL (see docs/cms-api.yaml); with --to wordpress, the site's address.",
)
@click.option(
    "--to",
    "target",
    type=click.Choice(["http", "wordpress"]),
    default="http",
    show_default=True,
    help="The CMS: our HTTP contract, or WordPress's REST API.",
)
@click.option(
    "--status",
    "wp_status",
    type=click.Choice(["draft", "publish", "pending", "private"]),
    default=None,
    help="WordPress status of the pages pushed (default: draft); --to wordpress only.",
)
@regions_option
@click.option(
    "--prune",
    is_flag=True,
    help="Also DELETE pages an earlier push delivered that the publish no longer has "
    "(WordPress: move them to the trash).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be sent, send nothing.")
@click.option(
    "--retries",
    type=click.IntRange(0, 20),
    default=5,
    show_default=True,
    help="Attempts after the first on connection errors, timeouts, 429 and 5xx.",
)
@click.option(
    "--backoff",
    type=click.FloatRange(0, 60),
    default=0.5,
    show_default=True,
    help="Seconds before the first retry; doubled each time.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 600),
    default=30.0,
    show_default=True,
    help="Seconds to wait for each response.",
)
@click.option(
    "--give-up-after",
    type=click.IntRange(1, 100),
    default=None,
    help="Stop the push after this many attempts in a row without a response "
    "(default: the push_give_up_after setting, else 3).",
)
@include_pseudo_option
@json_option
@pass_project
@locked
def push(
    context,
    endpoint,
    target,
    wp_status,
    regions,
    prune,
    dry_run,
    retries,
    backoff,
    timeout,
    give_up_after,
    include_pseudo,
    as_json,
):
    """Deliver the last publish to a CMS: only pages it has not accepted yet.

    The API token is read from the PIPELINE_CMS_TOKEN environment variable, never a flag;
    for WordPress, the user from PIPELINE_WP_USER and its application password from
    PIPELINE_WP_APP_PASSWORD."""
    from pipeline.cms import PushOptions
    from pipeline.cms import read_manifest as read_push_manifest

    settings = context.project.settings
    if not endpoint.startswith(("http://", "https://")):
        raise click.BadParameter("must be an http(s) URL", param_hint="--endpoint")
    if wp_status and target != "wordpress":
        raise click.BadParameter("only with --to wordpress", param_hint="--status")
    options = PushOptions(
        endpoint,
        regions,
        dry_run,
        prune,
        retries,
        backoff,
        (min(5.0, timeout), timeout),
        give_up_after=give_up_after,
        include_pseudo=include_pseudo,
    )
    total = len(read_push_manifest(settings.output_dir)["pages"])
    with progress(total, "push", as_json) as advance:
        if target == "wordpress":
            result = push_to_wordpress(settings, options, wp_status or "draft", advance)
        else:
            result = push_to_cms(settings, options, advance)
    if as_json:
        emit_json({"dry_run": dry_run, **result.as_json()})
    else:
        push_summary(result, dry_run)
    if result.stopped:
        click.echo(f"error: {result.stopped}", err=True)
    if result.failed or result.stopped:
        sys.exit(1)


def push_summary(result, dry_run: bool) -> None:
    """What `push` prints: each page not delivered, then the counts."""
    for failure in result.failed:
        status = failure["status"] or "not delivered"
        click.echo(
            f"failed {failure['region']}/{failure['slug']} ({status}): {failure['message']}",
            err=True,
        )
    verb = "would send" if dry_run else "sent"
    click.echo(
        f"{verb} {len(result.sent)}, unchanged {len(result.unchanged)}, "
        f"failed {len(result.failed)}, pruned {len(result.pruned)}"
        + (f", not sent {len(result.not_sent)}" if result.not_sent else "")
    )


def push_to_cms(settings, options, advance):
    """`push --to http`: the token from the environment."""
    from pipeline.cms import TOKEN_VARIABLE
    from pipeline.cms import push as run_push

    return run_push(
        settings.output_dir,
        settings.root / ".pipeline-cache",
        os.environ.get(TOKEN_VARIABLE),
        options,
        on_item=advance,
    )


def push_to_wordpress(settings, options, status: str, advance):
    """`push --to wordpress`: the credentials from the environment, the mapping from the
    settings."""
    from pipeline import wordpress
    from pipeline.wordpress_api import PASSWORD_VARIABLE, USER_VARIABLE
    from pipeline.wordpress_map import load_mapping

    mapping = load_mapping(options.endpoint, settings.wordpress, settings.root / "pyproject.toml")
    login = (os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE))
    return wordpress.push(
        settings.output_dir,
        settings.root / ".pipeline-cache",
        login,
        options,
        mapping,
        status,
        on_item=advance,
    )


@click.command()
@click.argument("url")
@click.option(
    "--from",
    "origin",
    type=click.Choice(["web", "wordpress"]),
    default="web",
    show_default=True,
    help="Any web page, or a WordPress post or page through the site's REST API.",
)
@click.option(
    "--slug", help="Name of the source file (default: from the URL, or the WordPress slug)."
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace an existing source article; import one not in the source language.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 300),
    default=15.0,
    show_default=True,
    help="Seconds the whole fetch may take (connecting, redirects and download).",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(1),
    default=10 * 1024 * 1024,
    show_default=True,
    help="Largest page accepted.",
)
@json_option
@pass_project
def fetch(context, url, origin, slug, force, timeout, max_bytes, as_json):
    """Import an article from URL into source/<slug>.html (main content only).

    With --from wordpress, URL is a WordPress post or page (its address or its REST API
    address), read through the REST API; with PIPELINE_WP_USER and PIPELINE_WP_APP_PASSWORD
    set, drafts too."""
    from pipeline import workflow
    from pipeline.fetch import FetchOptions, check_language, slug_from_url
    from pipeline.files import safe_name, write_atomic

    project = context.project
    # A WordPress entry names itself: without --slug, the file is known once it is read.
    named_later = origin == "wordpress" and not slug
    slug = safe_name(slug or slug_from_url(url), "slug")
    target = None if named_later else new_source_path(project, slug, force)
    fetched = fetch_from(origin, url, FetchOptions(timeout=timeout, max_bytes=max_bytes))
    if named_later:
        slug = safe_name(fetched.slug or slug, "slug")
        target = new_source_path(project, slug, force)
    if not force:
        check_language(fetched, project.settings.source_locale)
    write_atomic(target, fetched.html)
    shown = workflow.relative(project, target)
    if as_json:
        emit_json({"source": shown, "slug": slug, **fetched_fields(fetched)})
        return
    if fetched.language_detected:
        click.echo(f"note: the page declares no language; detected {fetched.language!r}", err=True)
    click.echo(
        f"wrote {shown}: {fetched.title!r}, {fetched.words} words (next: pipeline extract {slug})"
    )


def new_source_path(project, slug: str, force: bool):
    """The source file of `slug`: refused when it exists, unless --force replaces it."""
    from pipeline import workflow
    from pipeline.source import article_path

    target = article_path(project.settings.source_dir, slug)
    if target.exists() and not force:
        raise PipelineError(
            f"{workflow.relative(project, target)} exists (use --force to replace it)"
        )
    return target


def fetched_fields(fetched) -> dict:
    """What `fetch --json` says of the page it read."""
    return {
        "url": fetched.url,
        "title": fetched.title,
        "language": fetched.language,
        "language_detected": fetched.language_detected,
        "words": fetched.words,
    }


def fetch_from(origin: str, url: str, options):
    """A page from the web, or a WordPress entry (with the credentials of the environment)."""
    if origin == "wordpress":
        from pipeline.wordpress_api import PASSWORD_VARIABLE, USER_VARIABLE
        from pipeline.wordpress_fetch import fetch_entry

        login = (os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE))
        return fetch_entry(url, login, options)
    from pipeline.fetch import fetch as fetch_page

    return fetch_page(url, options)


COMMANDS = [push, fetch]
