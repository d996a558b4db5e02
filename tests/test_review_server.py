"""`serve --review` over real HTTP on 127.0.0.1: pages, remarks, sign-off and who may change
what."""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import html as lxml_html

from conftest import Cli, serve_in_background
from pipeline.config import load_settings
from pipeline.project import Project
from pipeline.remarks import add_remark, read_remarks
from pipeline.reviewserver import make_review_server
from pipeline.signoff import current_state

SLUG = "ketamine-addiction"
PAGE = f"/es-MX/{SLUG}/"
HOSTILE = "<img src=x onerror=alert(1)>"


@contextmanager
def review_server(project: Path, shared: bool | None = None):
    server, url = make_review_server(load_settings(project), "127.0.0.1", 0, shared)
    serve_in_background(server)
    try:
        yield server, url
    finally:
        server.shutdown()
        server.server_close()


def request(url: str, data: dict | None = None, headers: dict | None = None):
    """(status, headers, text) of a GET, or of a POST of `data` as a form."""
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    sent = urllib.request.Request(url, data=body, headers=headers or {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(sent, timeout=60) as answer:
            return answer.status, answer.headers, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def page_form(text: str) -> dict:
    """The token and shown hashes of a review page's sign-off form."""
    tree = lxml_html.fromstring(text)
    form = tree.xpath("//form[contains(@class, 'review-sign-form')]")[0]
    fields = {}
    for field in form.xpath(".//input[@type='hidden']"):
        fields.setdefault(field.get("name"), []).append(field.get("value"))
    return {key: values[0] if len(values) == 1 else values for key, values in fields.items()}


def post(url: str, path: str, data: dict, origin: str | None = "same"):
    headers = {}
    if origin == "same":
        headers["Origin"] = url.rstrip("/")
    elif origin:
        headers["Origin"] = origin
    return request(url.rstrip("/") + path, data, headers)


def follow(url: str, answer) -> str:
    """The page a POST's redirect leads to, with the notice of what happened."""
    status, headers, _ = answer
    assert status == 303
    _, _, text = request(url.rstrip("/") + headers["Location"])
    [notice] = lxml_html.fromstring(text).xpath("//*[contains(@class, 'review-notice')]")
    return notice.text_content(), text


def first_paragraph_segment(text: str) -> str:
    tree = lxml_html.fromstring(text)
    return tree.xpath("//main//p//*[@data-segment]")[0].get("data-segment")


def remove_records(project: Path, *languages: str) -> None:
    for language in languages:
        path = project / f"locales/{language}/reviews/{SLUG}.toml"
        path.unlink()


def test_the_page_is_the_published_page_with_segments_marked(cli, project, published_project):
    published = (project / "output/es-MX" / SLUG / "index.html").read_text()
    assert "data-segment" not in published
    with review_server(project) as (_, url):
        status, headers, text = request(url.rstrip("/") + PAGE)
    assert status == 200
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    tree = lxml_html.fromstring(text)
    marked = tree.xpath("//main//*[@data-segment]")
    assert len(marked) > 50
    assert tree.xpath("//*[@data-changed]") == []
    # What a reader reads is what publish wrote: the same text, the marks aside.
    shown = tree.xpath("//main")[0].text_content()
    assert shown == lxml_html.fromstring(published).xpath("//main")[0].text_content()
    ident = first_paragraph_segment(text)
    section = tree.xpath(f"//*[@id='segment-{ident}']")[0]
    assert section.xpath(".//*[contains(@class, 'review-source')]")[0].text_content().strip()
    assert section.xpath(".//*[contains(@class, 'review-translation')]")[0].text_content().strip()


def test_after_a_source_edit_and_update_exactly_that_segment_is_marked_changed(cli, project):
    source = project / f"source/{SLUG}.html"
    text = source.read_text()
    old = "Ketamine belongs to the chemical class"
    assert text.count(old) == 1
    source.write_text(text.replace(old, "Ketamine belongs to the strong chemical class"))
    cli("extract")
    cli("update")
    with review_server(project) as (_, url):
        _, _, page = request(url.rstrip("/") + PAGE)
    tree = lxml_html.fromstring(page)
    changed = tree.xpath("//*[@data-changed]")
    assert len(changed) == 1
    ident = changed[0].get("data-segment")
    section = tree.xpath(f"//*[@id='segment-{ident}']")[0]
    assert (
        "the strong chemical class"
        in section.xpath(".//*[contains(@class, 'review-source')]")[0].text_content()
    )
    assert "changed since the last sign-off" in section.text_content()


def test_a_post_without_the_token_or_from_another_origin_is_refused(cli, project):
    before = sorted((p, p.read_bytes()) for p in project.glob("locales/*/reviews/*"))
    with review_server(project) as (_, url):
        _, _, page = request(url.rstrip("/") + PAGE)
        form = page_form(page)
        remark = {
            "article": SLUG,
            "region": "es-MX",
            "segment": first_paragraph_segment(page),
            "text": "x",
            "author": "Dr. A",
        }
        sign = {**form, "reviewer": "Dr. A", "role": "MD"}
        del sign["token"]
        assert post(url, "/_review/sign", sign)[0] == 403
        assert post(url, "/_review/remark", {**remark, "token": "wrong"})[0] == 403
        assert post(url, "/_review/remark", remark)[0] == 403
        token = {**remark, "token": form["token"]}
        assert post(url, "/_review/remark", token, origin="http://evil.example")[0] == 403
        assert post(url, "/_review/remark", token, origin=None)[0] == 403
        rebound = {"Host": "evil.example", "Origin": "http://evil.example"}
        assert request(url + "_review/remark", token, rebound)[0] == 403
        assert request(url.rstrip("/") + PAGE, headers={"Host": "evil.example"})[0] == 403
    assert sorted((p, p.read_bytes()) for p in project.glob("locales/*/reviews/*")) == before


def test_shared_on_a_lan_every_page_needs_the_printed_token(project):
    with review_server(project, shared=True) as (_, url):
        base = url.split("?")[0].rstrip("/")
        assert "?token=" in url
        assert request(base + PAGE)[0] == 403
        status, headers, _ = request(url)
        assert status == 303 and "token" not in headers["Location"]
        cookie = headers["Set-Cookie"].split(";")[0]
        assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
        assert request(base + PAGE, headers={"Cookie": cookie})[0] == 200
        assert request(base + PAGE, headers={"Cookie": "review_token=guess"})[0] == 403


def status_row(cli, language: str) -> dict:
    rows = json.loads(cli("review", "status", "--json").stdout)["reviews"]
    return next(row for row in rows if row["language"] == language)


def set_block(project: Path) -> None:
    path = project / "pyproject.toml"
    path.write_text(path.read_text().replace('require_review = "warn"', 'require_review = "block"'))


def published_regions(cli) -> set:
    report = json.loads(cli("publish", "--json", code=None).stdout)
    return {page["region"] for page in report["pages"]}


def test_remark_resolve_and_sign_off_then_block_publishes_the_language(cli, project):
    remove_records(project, "es", "es_MX")
    set_block(project)
    assert "es-MX" not in published_regions(cli)
    with review_server(project) as (_, url):
        _, _, page = request(url.rstrip("/") + PAGE)
        form = page_form(page)
        ident = first_paragraph_segment(page)
        remark = {"token": form["token"], "article": SLUG, "region": "es-MX", "segment": ident}
        status, headers, _ = post(
            url, "/_review/remark", {**remark, "text": f"Dose? {HOSTILE}", "author": HOSTILE}
        )
        assert status == 303 and headers["Location"].endswith(f"#segment-{ident}")
        row = status_row(cli, "es")
        assert row["status"] == "missing"
        [listed] = row["remarks"]
        assert listed["text"] == f"Dose? {HOSTILE}" and listed["author"] == HOSTILE
        assert listed["line"] and listed["resolved_on"] is None
        # Signing is refused while the remark is open, and the page says why.
        sign = {**form, "reviewer": f"Dr. {HOSTILE}", "role": "MD, psychiatry"}
        refused, page = follow(url, post(url, "/_review/sign", sign))
        assert "open remark" in refused
        assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
        cli("review", "resolve", SLUG, "--lang", "es", "--remark", "1", "--by", "Ana T.")
        assert status_row(cli, "es")["remarks"] == []
        # The page as it is now is what is signed.
        _, _, page = request(url.rstrip("/") + PAGE)
        form = page_form(page)
        sign = {**form, "reviewer": f"Dr. {HOSTILE}", "role": "MD, psychiatry"}
        notice, _ = follow(url, post(url, "/_review/sign", sign))
        assert notice.startswith("Signed: es_MX, es, by Dr. "), notice
    project_now = Project(load_settings(project))
    for language in ("es", "es_MX"):
        state, path = current_state(project_now, SLUG, language)
        record = path.read_text()
        assert f'reviewer = "Dr. {HOSTILE}"' in record
        assert re.search(r"date = \d{4}-\d\d-\d\d", record)
        assert f'translation_hash = "{state.translation_hash}"' in record
        assert f'source_hash = "{state.source_hash}"' in record
        # ... and exactly the hashes of the page the reviewer read.
        assert f"{language} {state.source_hash} {state.translation_hash}" in form["shown"]
        assert status_row(cli, language)["status"] == "reviewed"
    assert "es-MX" in published_regions(cli)


def test_a_page_shown_before_a_catalog_edit_cannot_be_signed(cli, project):
    remove_records(project, "es", "es_MX")
    with review_server(project) as (_, url):
        _, _, page = request(url.rstrip("/") + PAGE)
        catalog = project / f"locales/es/LC_MESSAGES/{SLUG}.po"
        catalog.write_text(catalog.read_text().replace("ketamina", "quetamina", 1))
        sign = {**page_form(page), "reviewer": "Dr. A", "role": "MD"}
        notice, _ = follow(url, post(url, "/_review/sign", sign))
    assert "changed since it was shown" in notice
    assert not (project / f"locales/es/reviews/{SLUG}.toml").exists()


def test_two_languages_reviewed_at_once_both_land(cli, project):
    remove_records(project, "es", "es_MX", "fr")
    pages = {"es-MX": None, "fr-FR": None}
    with review_server(project) as (_, url):
        for region in pages:
            pages[region] = request(f"{url}{region}/{SLUG}/")[2]
        results = {}

        def work(region: str) -> None:
            form = page_form(pages[region])
            ident = first_paragraph_segment(pages[region])
            for number in range(3):
                remark = {"article": SLUG, "region": region, "segment": ident}
                data = {**remark, "token": form["token"], "text": f"r{number}", "author": "A"}
                results[(region, number)] = post(url, "/_review/remark", data)[0]

        threads = [threading.Thread(target=work, args=(region,)) for region in pages]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert set(results.values()) == {303}
    for language in ("es", "fr"):
        remarks = read_remarks(project / f"locales/{language}/reviews/{SLUG}.remarks.toml")
        assert sorted(r.text for r in remarks) == ["r0", "r1", "r2"]
        assert sorted(r.id for r in remarks) == [1, 2, 3]


def test_concurrent_sign_offs_of_two_languages_both_land(cli, project):
    remove_records(project, "es", "es_MX", "fr")
    with review_server(project) as (_, url):
        forms = {r: page_form(request(f"{url}{r}/{SLUG}/")[2]) for r in ("es-MX", "fr-FR")}
        codes = {}

        def sign(region: str) -> None:
            data = {**forms[region], "reviewer": f"Dr. {region}", "role": "MD"}
            codes[region] = post(url, "/_review/sign", data)[0]

        threads = [threading.Thread(target=sign, args=(region,)) for region in forms]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert codes == {"es-MX": 303, "fr-FR": 303}
    for language in ("es", "es_MX", "fr"):
        assert status_row(cli, language)["status"] == "reviewed"


def test_a_damaged_remark_file_is_one_line_naming_file_and_line(cli, project):
    path = project / f"locales/es/reviews/{SLUG}.remarks.toml"
    path.write_text(
        '[[remark]]\nid = 1\nmsgid = "x"\ntext = "y"\nauthor = "A"\ndate = 2020-01-01\ncolour = 3\n'
    )
    result = cli("review", "status", code=1)
    assert f"{path}:7: unknown key 'colour'" in result.stderr
    assert "Traceback" not in result.output


def test_resolving_an_unknown_remark_is_a_usage_error(cli, project):
    result = cli("review", "resolve", SLUG, "--lang", "es", "--remark", "4", "--by", "A", code=2)
    assert "no remark 4" in result.stderr


@given(text=st.text(min_size=1, max_size=300), author=st.text(min_size=1, max_size=40))
def test_a_remark_is_kept_exactly_as_written_or_refused(tmp_path_factory, text, author):
    import datetime

    from pipeline.errors import UsageError

    path = tmp_path_factory.mktemp("remarks") / "a.remarks.toml"
    try:
        written = add_remark(path, SLUG, "es", (None, "m"), text, author, datetime.date.today())
    except UsageError:
        return  # empty, or with control characters: refused, nothing written
    [read] = read_remarks(path)
    assert read == written
    assert read.text == text.replace("\r\n", "\n").strip()


@pytest.fixture
def cli(project) -> Cli:
    return Cli(project)


def test_an_open_remark_keeps_a_reviewed_language_from_publishing_under_block(cli, project):
    import datetime

    set_block(project)
    assert "es-MX" in published_regions(cli)
    path = project / f"locales/es_MX/reviews/{SLUG}.remarks.toml"
    key = (None, "Ketamine Addiction")
    add_remark(path, SLUG, "es_MX", key, "Title?", "Dr. B", datetime.date.today())
    assert status_row(cli, "es_MX")["status"] == "open-remarks"
    report = json.loads(cli("publish", "--json", code=None).stdout)
    skipped = {entry["region"]: entry["reason"] for entry in report["skipped"]}
    assert skipped.get("es-MX") == "review has open remarks"
    assert (
        "open remark"
        in cli(
            "review", "sign", SLUG, "--lang", "es_MX", "--reviewer", "A", "--role", "MD", code=1
        ).stderr
    )
    cli("review", "resolve", SLUG, "--lang", "es-MX", "--remark", "1", "--by", "Ana")
    assert status_row(cli, "es_MX")["status"] == "reviewed"
    assert "es-MX" in published_regions(cli)


def test_serve_review_as_a_real_process_prints_its_url_and_stops_on_ctrl_c(project):
    import signal
    import subprocess
    import sys

    command = [sys.executable, "-m", "pipeline", "--project", str(project)]
    process = subprocess.Popen(
        [*command, "serve", "--review", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("review pages on http://127.0.0.1:"), process.stderr.read()
        url = line.split()[3]
        status, _, index = request(url)
        assert status == 200 and f'href="/es-MX/{SLUG}/"' in index
        assert request(f"{url}es-MX/{SLUG}/")[0] == 200
        assert request(f"{url}images/../../pyproject.toml")[0] == 404
        assert request(f"{url}xx-XX/{SLUG}/")[0] == 404
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        assert "stopped" in process.stdout.read()
    finally:
        if process.poll() is None:
            process.kill()
    usage = subprocess.run([*command, "serve", "--review", "--watch"], capture_output=True)
    assert usage.returncode == 2 and b"--review" in usage.stderr


def test_form_fields_in_the_redirect_cannot_add_a_header(project):
    """A resolve whose segment field carries CR/LF redirects to the page with the field
    quoted: no header of the reviewer's making reaches the browser."""
    import datetime

    path = project / f"locales/es_MX/reviews/{SLUG}.remarks.toml"
    key = (None, "Ketamine Addiction")
    add_remark(path, SLUG, "es_MX", key, "Title?", "Dr. B", datetime.date.today())
    with review_server(project) as (_, url):
        _, _, page = request(url.rstrip("/") + PAGE)
        fields = {"token": page_form(page)["token"], "article": SLUG, "region": "es-MX"}
        injected = "x\r\nX-Injected: 1\r\nSet-Cookie: stolen=1"
        status, headers, _ = post(
            url,
            "/_review/resolve",
            {**fields, "language": "es_MX", "remark": "1", "name": "Ana", "segment": injected},
        )
        assert status == 303
        assert headers.get("X-Injected") is None and headers.get("Set-Cookie") is None
        assert "\r" not in headers["Location"] and "\n" not in headers["Location"]
        assert headers["Location"].endswith(
            "#segment-x%0D%0AX-Injected%3A%201%0D%0ASet-Cookie%3A%20stolen%3D1"
        )
        assert read_remarks(path)[0].resolved_by == "Ana"


def test_the_review_server_serves_on_ipv6_loopback(project):
    """`--host ::1` binds an IPv6 socket (the standard library's server is IPv4 only) and
    the page answers there, to the Host it prints."""
    import socket

    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError as error:
        pytest.skip(f"no IPv6 loopback on this machine: {error}")
    server, url = make_review_server(load_settings(project), "::1", 0)
    serve_in_background(server)
    try:
        assert url.startswith("http://[::1]:")
        status, _, text = request(url.rstrip("/") + PAGE)
        assert status == 200 and "data-segment" in text
    finally:
        server.shutdown()
        server.server_close()
