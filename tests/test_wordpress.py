"""push --to wordpress and fetch --from wordpress against a real WordPress on 127.0.0.1
(Debian's wordpress, MariaDB and PHP's built-in server: tests/wordpress_site.py)."""

from __future__ import annotations

import json
import re
import shutil
import time

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, Cli, one_line_error
from pipeline.cli import main
from wordpress_site import WordPressServer, missing

# What an environment variable can hold: any text but NUL.
ENVIRONMENT = st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"])
REGIONS = ["de-DE", "en-AU", "en-GB", "en-US", "es-MX", "es-US", "fr-FR"]


@pytest.fixture(scope="module")
def wordpress():
    """One WordPress for this module's tests (about 10 s to start), removed after them."""
    reason = missing()
    if reason:
        pytest.skip(reason)
    server = WordPressServer()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def site_project(tmp_path, wordpress, request):
    """A copy of the bundled project whose article has a slug of its own on the shared
    WordPress (each test's pages are apart from the others')."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "source", root / "source")
    generated = shutil.ignore_patterns("en_XA", "ar_XB", "regions.pseudo.toml")
    shutil.copytree(REPO / "locales", root / "locales", ignore=generated)
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower())[:40].strip("-")
    rename_article(root, "ketamine-addiction", name)
    return root


def rename_article(root, old: str, new: str) -> None:
    for path in [*root.glob(f"source/{old}.html"), *root.glob(f"locales/**/{old}.po*")]:
        path.rename(path.with_name(path.name.replace(old, new)))


def push(root, site, *options, code=0, password=None):
    env = {"PIPELINE_WP_USER": site.user, "PIPELINE_WP_APP_PASSWORD": password or site.password}
    result = Cli(root).runner.invoke(
        main,
        ["--project", str(root), "push", "--to", "wordpress", "--endpoint", site.url, "--json"]
        + ["--backoff", "0.01", *options],
        env=env,
    )
    assert result.exit_code == code, (result.output, result.stderr)
    for secret in (site.password, site.password.replace(" ", ""), password):
        assert not secret or secret not in result.output + result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else {}


def ours(site, slug: str) -> dict[int, dict]:
    """The pages of this test's article on the site, by id."""
    return {page["id"]: page for page in site.all("pages", slug=slug)}


def snapshot(pages: dict[int, dict]) -> dict[int, str]:
    return {page_id: page["modified_gmt"] for page_id, page in pages.items()}


def test_push_is_idempotent_and_updates_exactly_what_changed(site_project, wordpress):
    cli = Cli(site_project)
    slug = site_project.joinpath("source").glob("*.html").__next__().stem
    cli("publish")
    first = push(site_project, wordpress)
    first_pushed = time.monotonic()
    assert sorted(first["sent"]) == sorted(f"{r}/{slug}" for r in REGIONS)
    pages = ours(wordpress, slug)
    assert len(pages) == 7 and {p["status"] for p in pages.values()} == {"draft"}
    parents = {p["parent"] for p in pages.values()}
    assert len(parents) == 7  # one parent page per region
    media = wordpress.api("/wp/v2/media", per_page=100).json()
    uploaded = len(first["media"])
    assert uploaded >= 7 and all(m.endswith(".svg") for m in first["media"])
    for page in pages.values():
        content = page["content"]["raw"]
        assert "/images/" not in content.replace("wp-content/uploads", "")
        assert "wp-content/uploads" in content
    # A second push: nothing sent, nothing uploaded, every id and modified date unchanged.
    again = push(site_project, wordpress)
    assert again["sent"] == [] and again["media"] == [] and len(again["unchanged"]) == 7
    assert snapshot(ours(wordpress, slug)) == snapshot(pages)
    assert len(wordpress.api("/wp/v2/media", per_page=100).json()) == len(media)
    # Edit the German catalog: exactly the de-DE page changes.
    catalog = site_project / f"locales/de/LC_MESSAGES/{slug}.po"
    text = catalog.read_text()
    catalog.write_text(text.replace('msgstr "Ketaminabhängigkeit"', 'msgstr "Ketaminsucht"', 1))
    cli("publish")
    # WordPress dates a change to the second: an update in the first push's second would
    # keep its modified date, and the changed page could not be told from the others.
    time.sleep(max(0.0, 1.1 - (time.monotonic() - first_pushed)))
    edited = push(site_project, wordpress)
    assert edited["sent"] == [f"de-DE/{slug}"] and len(edited["unchanged"]) == 6
    after = ours(wordpress, slug)
    changed = {i for i in after if after[i]["modified_gmt"] != pages[i]["modified_gmt"]}
    assert changed == {edited["ids"][f"de-DE/{slug}"]}
    assert after[edited["ids"][f"de-DE/{slug}"]]["title"]["raw"] == "Ketaminsucht"


def test_ids_are_recovered_by_slug_when_the_state_is_gone(site_project, wordpress):
    Cli(site_project)("publish")
    slug = next(site_project.joinpath("source").glob("*.html")).stem
    push(site_project, wordpress)
    before = snapshot(ours(wordpress, slug))
    shutil.rmtree(site_project / ".pipeline-cache")
    again = push(site_project, wordpress)
    assert again["sent"] == [] and again["media"] == [] and len(again["unchanged"]) == 7
    assert snapshot(ours(wordpress, slug)) == before


def test_prune_trashes_exactly_a_removed_regions_pages(site_project, wordpress):
    cli = Cli(site_project)
    slug = next(site_project.joinpath("source").glob("*.html")).stem
    cli("publish")
    ids = push(site_project, wordpress, "--status", "publish")["ids"]
    regions = site_project / "locales/regions.toml"
    text = regions.read_text()
    start = text.index("[regions.en-AU]")
    regions.write_text(text[:start])
    cli("publish")
    pruned = push(site_project, wordpress, "--status", "publish", "--prune")
    assert pruned["pruned"] == [f"en-AU/{slug}"] and pruned["sent"] == []
    trashed = wordpress.api(f"/wp/v2/pages/{ids[f'en-AU/{slug}']}", context="edit").json()
    assert trashed["status"] == "trash"
    left = ours(wordpress, slug)
    assert sorted(left) == sorted(v for k, v in ids.items() if not k.startswith("en-AU/"))
    assert {p["status"] for p in left.values()} == {"publish"}


def test_a_wrong_application_password_stops_at_once(site_project, wordpress):
    Cli(site_project)("publish")
    wrong = "abcd EFGH ijkl MNOP qrst UVWX"
    result = Cli(site_project).runner.invoke(
        main,
        ["--project", str(site_project), "push", "--to", "wordpress", "--endpoint", wordpress.url],
        env={"PIPELINE_WP_USER": wordpress.user, "PIPELINE_WP_APP_PASSWORD": wrong},
    )
    assert result.exit_code == 1
    assert "refused the application password (401)" in result.stderr
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.output
    for secret in (wrong, wrong.replace(" ", ""), wordpress.password):
        assert secret not in result.output + result.stderr
    data = push(site_project, wordpress, code=1, password=wrong)
    assert data["error"]["code"] == "token_refused" and data["sent"] == []
    assert len(data["not_sent"]) == 7


def test_fetch_from_wordpress_gives_back_the_sources_text(site_project, wordpress):
    cli = Cli(site_project)
    slug = next(site_project.joinpath("source").glob("*.html")).stem
    cli("publish")
    ids = push(site_project, wordpress)["ids"]
    page = wordpress.api(f"/wp/v2/pages/{ids[f'en-US/{slug}']}").json()
    env = {"PIPELINE_WP_USER": wordpress.user, "PIPELINE_WP_APP_PASSWORD": wordpress.password}
    result = cli.runner.invoke(
        main,
        ["--project", str(site_project), "fetch", "--from", "wordpress", page["link"]]
        + ["--slug", "imported", "--json"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["language"] == "en-US" and data["title"] == "Ketamine Addiction"
    imported = (site_project / "source/imported.html").read_text()
    # The en-US page pushed: the source as en-US readers get it (its region's values and
    # passages; the other regions' alternatives are not on it), word for word.
    pushed = json.loads((site_project / f"output/en-US/{slug}.json").read_text())["body"]
    assert words(imported) == words(pushed)
    source = words((site_project / f"source/{slug}.html").read_text())
    assert len(words(pushed)) > 0.5 * len(source)
    assert "<script" not in imported
    cli("extract", "imported")


def words(html: str) -> list[str]:
    article = BeautifulSoup(html, "lxml").find("article")
    return article.get_text(" ").split()


def test_without_credentials_nothing_is_sent(site_project, wordpress):
    Cli(site_project)("publish")
    result = Cli(site_project).runner.invoke(
        main,
        ["--project", str(site_project), "push", "--to", "wordpress", "--endpoint", wordpress.url],
        env={"PIPELINE_WP_USER": "", "PIPELINE_WP_APP_PASSWORD": ""},
    )
    one_line_error(result)
    assert "PIPELINE_WP_APP_PASSWORD" in result.stderr
    dry = push(site_project, wordpress, "--dry-run")
    assert len(dry["sent"]) == 7


def configure(root, text: str) -> None:
    """Append a [tool.pipeline.wordpress] table to the project's settings."""
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n" + text)


def test_posts_go_to_a_category_per_region(site_project, wordpress):
    configure(site_project, '[tool.pipeline.wordpress]\ntype = "posts"\n')
    Cli(site_project)("publish")
    slug = next(site_project.joinpath("source").glob("*.html")).stem
    ids = push(site_project, wordpress)["ids"]
    de = wordpress.api(f"/wp/v2/posts/{ids[f'de-DE/{slug}']}", context="edit").json()
    assert de["slug"] == f"{slug}-de-de" and de["status"] == "draft"
    category = wordpress.api(f"/wp/v2/categories/{de['categories'][0]}").json()
    assert category["slug"] == "de-de" and category["name"] == "de-DE"
    assert 'lang="de-DE"' in de["content"]["raw"]
    assert push(site_project, wordpress)["sent"] == []


def test_a_region_with_a_site_of_its_own_is_at_the_top_of_that_site(site_project, wordpress):
    # The test site stands for the region's site of a multisite network.
    configure(
        site_project,
        f'[tool.pipeline.wordpress.regions.fr-FR]\nsite = "{wordpress.url}"\n',
    )
    Cli(site_project)("publish")
    slug = next(site_project.joinpath("source").glob("*.html")).stem
    ids = push(site_project, wordpress, "--region", "fr-FR", "--region", "de-DE")["ids"]
    pages = ours(wordpress, slug)
    assert pages[ids[f"fr-FR/{slug}"]]["parent"] == 0
    assert pages[ids[f"de-DE/{slug}"]]["parent"] != 0


def test_a_bad_wordpress_setting_is_one_line_naming_it(site_project, wordpress):
    configure(site_project, '[tool.pipeline.wordpress]\ntype = "articles"\n')
    Cli(site_project)("publish")
    result = Cli(site_project).runner.invoke(
        main,
        ["--project", str(site_project), "push", "--to", "wordpress", "--endpoint", wordpress.url],
        env={"PIPELINE_WP_USER": wordpress.user, "PIPELINE_WP_APP_PASSWORD": wordpress.password},
    )
    one_line_error(result)
    assert "pyproject.toml [tool.pipeline.wordpress]: type must be" in result.stderr


def test_dry_run_sends_nothing(site_project, wordpress):
    Cli(site_project)("publish")
    slug = next(site_project.joinpath("source").glob("*.html")).stem
    dry = push(site_project, wordpress, "--dry-run")
    assert len(dry["sent"]) == 7 and dry["dry_run"] is True
    assert ours(wordpress, slug) == {}


def test_a_hostile_post_is_imported_clean(site_project, wordpress):
    import requests

    hostile = (
        '<h1>Sevrage</h1><p onclick="steal()">Le sevrage est une étape importante du '
        "traitement, accompagnée par des professionnels de santé pendant les premiers jours."
        '</p><script>steal()</script><p><a href="java&#9;script:alert(1)">aide</a> '
        '<img src="x.png" onerror="steal()" alt="une image"></p>'
    )
    created = requests.post(
        wordpress.url + "/",
        params={"rest_route": "/wp/v2/posts"},
        json={"title": "Sevrage", "content": hostile, "status": "draft", "slug": "sevrage"},
        auth=(wordpress.user, wordpress.password),
        timeout=30,
    )
    created.raise_for_status()
    link = created.json()["link"]
    env = {"PIPELINE_WP_USER": wordpress.user, "PIPELINE_WP_APP_PASSWORD": wordpress.password}
    args = ["--project", str(site_project), "fetch", "--from", "wordpress", link]
    refused = Cli(site_project).runner.invoke(main, args, env=env)
    assert refused.exit_code == 1 and "'fr' (detected from its text)" in refused.stderr
    result = Cli(site_project).runner.invoke(main, [*args, "--force", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["slug"] == "sevrage"
    text = (site_project / "source/sevrage.html").read_text()
    for unsafe in ("<script", "onclick", "onerror", "javascript", "steal"):
        assert unsafe not in text, unsafe
    assert f'src="{wordpress.url}/' in text  # made absolute against the post's address


def test_a_hostile_title_or_description_stays_text_in_wordpress(site_project, wordpress):
    """A page's title and description are plain text (check keeps markup out of them; this
    holds whatever they hold): WordPress reads both as HTML, so they are sent escaped."""
    Cli(site_project)("publish", "--region", "de-DE")
    slug = next(site_project.joinpath("source").glob("*.html")).stem
    page_json = site_project / f"output/de-DE/{slug}.json"
    page = json.loads(page_json.read_text())
    page["title"] = 'Ketamin <script>alert(1)</script><img src=x onerror="alert(2)">'
    page["description"] = "<b onmouseover=alert(3)>Anzeichen</b> & Behandlung"
    page_json.write_text(json.dumps(page))
    ids = push(site_project, wordpress, "--region", "de-DE", "--status", "publish")["ids"]
    entry = wordpress.api(f"/wp/v2/pages/{ids[f'de-DE/{slug}']}").json()
    shown = entry["title"]["rendered"] + entry["excerpt"]["rendered"]
    for markup in ("<script", "<img", "<b "):
        assert markup not in shown, shown
    assert "&lt;script&gt;" in entry["title"]["rendered"]


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    user=st.text(ENVIRONMENT, min_size=1, max_size=20),
    password=st.text(ENVIRONMENT, min_size=1, max_size=40).filter(lambda p: len(p.strip()) > 4),
)
def test_any_credentials_end_in_one_line_without_the_password(
    site_project, wordpress, user, password
):
    if not (site_project / "output").exists():
        Cli(site_project)("publish", "--region", "en-US")
    result = Cli(site_project).runner.invoke(
        main,
        ["--project", str(site_project), "push", "--to", "wordpress", "--endpoint", wordpress.url],
        env={"PIPELINE_WP_USER": user, "PIPELINE_WP_APP_PASSWORD": password},
    )
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.stderr.count("\n") == 1
    assert password.strip() not in result.output + result.stderr
