"""`serve --review`: the review pages over HTTP, and the three things a reviewer may change
(add a remark, resolve one, sign off).

Safe by construction: pages are written by autoescaped Jinja2 and a script that builds no
markup from data; every request must name this server as its Host (no DNS rebinding); a
POST needs the run's token and an Origin of this server, else 403; off loopback every page
needs the token too (from the printed URL, then a cookie). Writes go only to review records
and remark files, atomically, under the language's lock.
"""

from __future__ import annotations

import datetime
import hmac
import ipaddress
import secrets
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlencode, urlparse

from pipeline.errors import PipelineError
from pipeline.project import Project
from pipeline.publish import ASSET_FOLDER
from pipeline.remarks import add_remark, language_lock, remarks_path, resolve_remark
from pipeline.serve import http_server
from pipeline.signoff import Reviewer, sign

TEMPLATES = Path(__file__).parent / "templates" / "review"
COOKIE = "review_token"
MAX_FORM = 64 * 1024  # bytes of a posted form: a remark is at most a few KB
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
STATUS_TEXT = {
    "reviewed": "reviewed",
    "stale": "stale (changed since the sign-off)",
    "missing": "never reviewed",
    "open-remarks": "reviewed, but remarks are open",
}
STATIC = {"/_review/review.css": "text/css", "/_review/review.js": "text/javascript"}


class Refused(Exception):
    """A request this server does not answer (the status and the reason)."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status


def templates():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class ReviewHandler(BaseHTTPRequestHandler):
    """One request: GET an index, a review page or an asset; POST a remark, a resolution or
    a sign-off."""

    settings = None
    project = None  # read afresh for each request: sources and catalogs change meanwhile
    token = ""
    hosts: frozenset = frozenset()  # Host header values naming this server (empty: any)
    notices: dict = {}  # one-time key -> the outcome of a POST, shown once by the next page
    pages_need_token = False  # off loopback: every page, not only a change, needs the token
    environment = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.answer(self.get)

    def do_POST(self):
        self.answer(self.post)

    def answer(self, action) -> None:
        try:
            # On loopback, a page of another site renamed to 127.0.0.1 (DNS rebinding) would
            # be same-origin: only this server's own names are answered. Off loopback the
            # token guards every page, whatever name the LAN uses.
            if self.hosts and self.headers.get("Host", "") not in self.hosts:
                raise Refused(403, "unknown Host")
            self.project = Project(self.settings)
            action()
        except Refused as refused:
            self.send_body(refused.status, str(refused).encode(), "text/plain; charset=utf-8")
        except ConnectionError:
            pass  # the browser went away
        except Exception as error:  # noqa: BLE001 (a damaged file must not end this thread)
            message = f"cannot show this page ({type(error).__name__}: {error})"
            self.send_body(500, message.encode(), "text/plain; charset=utf-8")

    # -- GET ----------------------------------------------------------------------------------

    def get(self) -> None:
        url = urlparse(self.path)
        if url.path in STATIC:
            data = (TEMPLATES / Path(url.path).name).read_bytes()
            return self.send_body(200, data, f"{STATIC[url.path]}; charset=utf-8")
        query = parse_qs(url.query)
        given = query.get("token", [""])[0]
        if given and self.valid(given):
            return self.trade_token(url.path, query)
        if self.pages_need_token and not self.valid(self.cookie()):
            raise Refused(403, "open the URL with the token `pipeline serve --review` printed")
        if url.path in ("/", "/index.html"):
            return self.send_html(200, self.index())
        if url.path.startswith(f"/{ASSET_FOLDER}/"):
            return self.send_asset(url.path)
        parts = [part for part in url.path.split("/") if part]
        if len(parts) == 2 and url.path.endswith("/"):
            notice = self.notices.pop(query.get("notice", [""])[0], None)
            return self.send_html(200, self.review_page(parts[1], parts[0], notice))
        raise Refused(404, "no such page")

    def trade_token(self, path: str, query: dict) -> None:
        """The token of the printed URL becomes a cookie, and leaves the address bar."""
        rest = urlencode({k: v for k, v in query.items() if k != "token"}, doseq=True)
        self.send_response(303)
        cookie = f"{COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/"
        self.send_header("Set-Cookie", cookie)
        # One leading slash: '//host/...' would send the browser to another site.
        self.send_header("Location", "/" + path.lstrip("/") + (f"?{rest}" if rest else ""))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send_asset(self, path: str) -> None:
        """An image of the articles (`source/images/`), where published pages find it."""
        import mimetypes

        folder = (self.settings.source_dir / ASSET_FOLDER).resolve()
        try:
            target = (folder / unquote(path).removeprefix(f"/{ASSET_FOLDER}/")).resolve()
        except (OSError, RuntimeError, ValueError):
            raise Refused(404, "no such file") from None
        if folder not in target.parents or not target.is_file():
            raise Refused(404, "no such file")
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return self.send_body(200, target.read_bytes(), kind)

    def index(self) -> str:
        """Every article in every region that has a page of it (its catalogs, or the
        source's language)."""
        from pipeline.build import catalog_chain_paths
        from pipeline.regions import is_pseudo_region, is_source_language

        project, settings = self.project, self.settings
        pages = [
            (slug, tag)
            for slug in project.slugs()
            for tag, region in sorted(project.regions.items())
            if not is_pseudo_region(tag)
            and (
                is_source_language(settings, region)
                or bool(catalog_chain_paths(settings, region, slug))
            )
        ]
        return self.environment.get_template("index.html").render(pages=pages)

    def review_page(self, slug: str, region: str, notice: dict | None = None) -> str:
        from pipeline.locales import parse_tag
        from pipeline.review import SOURCE_KINDS, TRANSLATION_KINDS
        from pipeline.reviewview import build_review

        try:
            page = build_review(self.project, slug, region)
        except PipelineError as error:
            raise Refused(404, str(error)) from None
        source = page.signed_languages[0].is_source
        panel = self.environment.get_template("panel.html").render(
            page=page,
            token=self.token,
            notice=notice,
            status_text=STATUS_TEXT,
            kinds=SOURCE_KINDS if source else TRANSLATION_KINDS,
            source_lang=parse_tag(self.project.settings.source_locale).bcp47,
            page_lang=region,
        )
        return with_panel(page.html, panel)

    # -- POST ---------------------------------------------------------------------------------

    def post(self) -> None:
        form = self.form()
        self.same_origin()
        if not self.valid(form.get("token", "")):
            raise Refused(403, "this page's session token is missing or wrong: reload the page")
        actions = {
            "/_review/remark": self.remark,
            "/_review/resolve": self.resolve,
            "/_review/sign": self.sign_off,
        }
        action = actions.get(urlparse(self.path).path)
        if action is None:
            raise Refused(404, "no such action")
        slug, region = form.get("article", ""), form.get("region", "")
        try:
            done, anchor = action(form)
            notice = {"kind": "done", "text": done}
        except PipelineError as error:
            notice, anchor = {"kind": "error", "text": str(error)}, "review-panel"
        # Post, then redirect: a reload does not send the form again. The notice waits for
        # that page under a one-time key (a page's URL carries no text to show).
        key = secrets.token_urlsafe(9)
        self.notices[key] = notice
        self.send_response(303)
        # Every part from the form is quoted: a CR/LF in a field must not start a header.
        where = f"/{quote(region, safe='')}/{quote(slug, safe='')}/"
        self.send_header("Location", f"{where}?notice={key}#{quote(anchor, safe='')}")
        self.send_header("Content-Length", "0")
        self.end_headers()
        return None

    def form(self) -> dict:
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            raise Refused(400, "bad Content-Length") from None
        if length > MAX_FORM:
            raise Refused(413, "form too large")
        kind = self.headers.get("Content-Type", "").split(";")[0].strip()
        if kind != "application/x-www-form-urlencoded":
            raise Refused(415, "a form is expected")
        fields = parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        return {key: values[0] if len(values) == 1 else values for key, values in fields.items()}

    def same_origin(self) -> None:
        """A state change comes from a page of this server, never from another site."""
        origin = self.headers.get("Origin")
        if origin is None:
            referer = urlparse(self.headers.get("Referer", ""))
            origin = f"{referer.scheme}://{referer.netloc}" if referer.netloc else ""
        if origin != f"http://{self.headers.get('Host', '')}":
            raise Refused(403, "refused: not from a page of this server")

    def segment(self, slug: str, region: str, ident: str):
        from pipeline.reviewview import build_review

        page = build_review(self.project, slug, region)
        found = next((s for s in page.segments if s.id == ident), None)
        if found is None:
            raise Refused(400, "no such segment on this page: reload it")
        return found

    def remark(self, form: dict) -> tuple[str, str]:
        slug, region = form.get("article", ""), form.get("region", "")
        segment = self.segment(slug, region, form.get("segment", ""))
        settings = self.project.settings
        path = remarks_path(settings.locales_dir, segment.language, slug)
        with language_lock(settings.root, segment.language):
            add_remark(
                path,
                slug,
                segment.language,
                (segment.msgctxt, segment.source),
                str(form.get("text", "")),
                str(form.get("author", "")),
                datetime.date.today(),
            )
        return "Remark added.", f"segment-{segment.id}"

    def resolve(self, form: dict) -> tuple[str, str]:
        from pipeline.files import safe_name

        slug, language = form.get("article", ""), str(form.get("language", ""))
        settings = self.project.settings
        path = remarks_path(settings.locales_dir, safe_name(language, "locale"), slug)
        try:
            number = int(form.get("remark", ""))
        except (TypeError, ValueError):
            raise Refused(400, "no remark named") from None
        with language_lock(settings.root, language):
            resolve_remark(
                path, slug, language, number, str(form.get("name", "")), datetime.date.today()
            )
        return f"Remark {number} resolved.", f"segment-{form.get('segment', '')}"

    def sign_off(self, form: dict) -> tuple[str, str]:
        """Sign every language the page was shown in, each exactly as shown: all of them or,
        when one would be refused, none."""
        from pipeline.reviewview import build_review
        from pipeline.signoff import ReviewRefused

        slug, region = str(form.get("article", "")), str(form.get("region", ""))
        shown = form.get("shown", [])
        shown = sorted([shown] if isinstance(shown, str) else shown)
        page = build_review(self.project, slug, region)
        if shown != sorted(f"{x.language} {x.shown}" for x in page.signed_languages):
            raise ReviewRefused("the page changed since it was shown: read it again")
        if page.refusals:
            raise ReviewRefused("not signed: " + "; ".join(page.refusals))
        today = datetime.date.today()
        source = page.signed_languages[0].is_source
        kind = str(form.get("kind", "")) or ("medical" if source else "linguistic")
        who = Reviewer(str(form.get("reviewer", "")), str(form.get("role", "")), kind, today)
        for language in page.signed_languages:
            hashes = tuple((language.shown.split(" ") + [""])[:2])
            sign(self.project, slug, language.language, who, today, shown=hashes)
        names = ", ".join(language.language for language in page.signed_languages)
        return f"Signed: {names}, by {who.name.strip()} on {today}.", "review-panel"

    # -- answers ------------------------------------------------------------------------------

    def valid(self, token: str) -> bool:
        return bool(token) and hmac.compare_digest(str(token).encode(), self.token.encode())

    def cookie(self) -> str:
        jar = SimpleCookie()
        try:
            jar.load(self.headers.get("Cookie", ""))
        except Exception:  # noqa: BLE001 (a malformed cookie is no cookie)
            return ""
        morsel = jar.get(COOKIE)
        return morsel.value if morsel else ""

    def send_html(self, status: int, text: str) -> None:
        self.send_body(status, text.encode("utf-8"), "text/html; charset=utf-8")

    def send_body(self, status: int, data: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "same-origin")
        self.end_headers()
        self.wfile.write(data)


def with_panel(page: str, panel: str) -> str:
    """The page with the review stylesheet in its head and the panel and script at the end
    of its body."""
    head = '<link rel="stylesheet" href="/_review/review.css">\n'
    tail = panel + '<script src="/_review/review.js"></script>\n'
    at = page.find("</head>")
    page = page[:at] + head + page[at:] if at >= 0 else head + page
    at = page.rfind("</body>")
    return page[:at] + tail + page[at:] if at >= 0 else page + tail


def make_review_server(
    settings, host: str, port: int, shared: bool | None = None
) -> tuple[ThreadingHTTPServer, str]:
    """The review server and the URL to open. `shared` (default: a host that is not
    loopback): every page needs the token, given in the URL once, then kept in a cookie."""
    shared = not is_loopback(host) if shared is None else shared
    token = secrets.token_urlsafe(24)
    handler = type(
        "Handler",
        (ReviewHandler,),
        {
            "settings": settings,
            "token": token,
            "pages_need_token": shared,
            "notices": {},
            "environment": templates(),
        },
    )
    server = http_server(host, port, handler)
    port = server.server_port
    shown = f"[{host}]" if ":" in host else host
    if not shared:
        names = {shown, "127.0.0.1", "localhost", "[::1]"}
        handler.hosts = frozenset(f"{name}:{port}" for name in names)
    return server, f"http://{shown}:{port}/" + (f"?token={token}" if shared else "")
