"""Preview: serve a publish on loopback with an index and a region switcher on every page.

The switcher is added as pages are served, so the published files stay exactly what a CMS
receives. With watching on, an article is published again when its source or one of its
catalogs changes.
"""

from __future__ import annotations

import html
import json
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

from pipeline.errors import PublishError
from pipeline.interrupts import HeldSignals
from pipeline.output import read_manifest as read_output_manifest

INDEX_STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-inline-size: 60rem;
       padding-inline: 1rem; }
table { border-collapse: collapse; inline-size: 100%; }
th, td { border-block-end: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: start; }
.skipped { color: #888; }
"""
SWITCHER = """<nav class="region-switcher" aria-label="Regions" style="padding:0.4rem 1rem;\
font:14px system-ui,sans-serif;background:#eef"><a href="/">All pages</a> · {links}</nav>"""


class PreviewHandler(SimpleHTTPRequestHandler):
    """Files of the output folder; `/` is the index; pages get the region switcher."""

    output_dir: Path

    def log_message(self, *args):
        pass

    def translate_path(self, path: str) -> str:
        root = self.output_dir.resolve()
        outside = str(root / "__outside__")  # answered 404: nothing outside output/
        relative = unquote(urlparse(path).path).lstrip("/")
        if "\x00" in relative:  # no file has it in its name; resolve() would raise
            return outside
        try:
            target = (self.output_dir / relative).resolve()
        except (OSError, RuntimeError):  # a symlink loop, a name too long
            return outside
        if target != root and root not in target.parents:
            return outside
        return str(target)

    def do_GET(self):
        try:
            return self.answer_get()
        except ConnectionError:
            return None  # the browser went away
        except Exception as error:  # a damaged manifest or page must not end this thread
            self.send_error(500, f"cannot show this page ({type(error).__name__})")
            return None

    def answer_get(self):
        """The index, a page with its switcher, or a plain file."""
        path = urlparse(self.path).path
        if path in ("/", "/index.html"):
            return self.send_text(index_page(self.output_dir), "text/html; charset=utf-8")
        target = Path(self.translate_path(self.path))
        if target.is_dir() and (target / "index.html").is_file():
            if not path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", path + "/")
                self.end_headers()
                return None
            page = (target / "index.html").read_text(encoding="utf-8")
            return self.send_text(
                with_switcher(page, self.output_dir, path), "text/html; charset=utf-8"
            )
        return super().do_GET()

    def send_text(self, text: str, kind: str):
        data = text.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)


def read_manifest(output_dir: Path) -> dict:
    """The served publish's manifest; a missing or damaged one shows an empty index."""
    try:
        manifest = read_output_manifest(output_dir)
    except PublishError:
        manifest = {}
    return {"pages": manifest.get("pages", []), "skipped": manifest.get("skipped", [])}


def index_page(output_dir: Path) -> str:
    manifest = read_manifest(output_dir)
    rows = [shown(page_row, output_dir, page) for page in manifest["pages"]]
    rows += [shown(skipped_row, output_dir, skipped) for skipped in manifest["skipped"]]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Preview</title><style>{INDEX_STYLE}</style></head><body>"
        "<h1>Published pages</h1><table><thead><tr><th>Article</th><th>Region</th>"
        "<th>Translated</th><th>Hotline</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></body></html>"
    )


def shown(row, output_dir: Path, entry: dict) -> str:
    """One row of the index; a damaged manifest entry says so instead of ending the page."""
    try:
        return row(output_dir, entry)
    except (KeyError, TypeError, ValueError, AttributeError):
        return (
            f'<tr class="skipped"><td colspan="4">damaged manifest entry: '
            f"{html.escape(str(entry)[:80])}</td></tr>"
        )


def page_row(output_dir: Path, page: dict) -> str:
    return (
        f'<tr><td><a href="/{html.escape(page["region"])}/{html.escape(page["slug"])}/">'
        f"{html.escape(page['title'])}</a></td><td>{html.escape(page['region'])}</td>"
        f"<td>{page['completeness']:.0%}</td><td>{hotline_cell(output_dir, page)}</td></tr>"
    )


def skipped_row(output_dir: Path, skipped: dict) -> str:
    return (
        f'<tr class="skipped"><td>{html.escape(skipped["slug"])}</td>'
        f"<td>{html.escape(skipped['region'])}</td>"
        f"<td>{skipped['completeness']:.0%}</td>"
        f"<td>not published: {html.escape(skipped['reason'])}</td></tr>"
    )


def hotline_cell(output_dir: Path, page: dict) -> str:
    try:
        data = json.loads((output_dir / page["json"]).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    hotline = data.get("hotline")
    if not hotline:
        return "none"
    return f'{html.escape(hotline["name"])}: <span dir="ltr">{html.escape(hotline["phone"])}</span>'


def with_switcher(page: str, output_dir: Path, path: str) -> str:
    """The page with a region switcher after <body>, built from its hreflang alternates."""
    parts = [part for part in path.split("/") if part]
    if len(parts) < 2:
        return page
    region, slug = parts[0], parts[1]
    entry = next(
        (
            p
            for p in read_manifest(output_dir)["pages"]
            if p["region"] == region and p["slug"] == slug
        ),
        None,
    )
    if entry is None:
        return page
    try:
        switcher = SWITCHER.format(links=switcher_links(entry, region, slug))
    except (KeyError, TypeError, AttributeError):
        return page  # damaged alternates: the page as published, without a switcher
    marker = page.find("<body")
    if marker < 0:
        return switcher + page
    end = page.find(">", marker) + 1
    return page[:end] + "\n" + switcher + page[end:]


def switcher_links(entry: dict, region: str, slug: str) -> str:
    return " ".join(
        f'<a href="/{html.escape(a["hreflang"])}/{html.escape(slug)}/" hreflang="'
        f'{html.escape(a["hreflang"])}" lang="{html.escape(a["hreflang"])}"'
        + (' aria-current="page"' if a["hreflang"] == region else "")
        + f">{html.escape(a['hreflang'])}</a>"
        for a in entry["alternates"]
        if a["hreflang"] != "x-default"
    )


def make_server(output_dir: Path, host: str, port: int) -> ThreadingHTTPServer:
    handler = type("Handler", (PreviewHandler,), {"output_dir": output_dir})
    return http_server(host, port, handler)


class IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


def http_server(host: str, port: int, handler) -> ThreadingHTTPServer:
    """A server on `host`, an IPv6 address (`::1`) as well as an IPv4 address or a name
    (the standard library's server is IPv4 only)."""
    server = (IPv6Server if ":" in host else ThreadingHTTPServer)((host, port), handler)
    server.daemon_threads = True
    return server


@contextmanager
def preview_folder() -> Iterator[Path]:
    """The output folder of `serve --build`: inside a new temporary folder that is removed
    however serving ends (Ctrl-C, SIGTERM, an error, even during the build)."""
    # The stopping signals wait while the folder is made and the cleanup armed: one that came
    # just after mkdtemp made it, before the `try`, left the folder behind.
    held = HeldSignals()
    try:
        folder = Path(tempfile.mkdtemp(prefix="pipeline-preview-"))
    except BaseException:
        held.release()
        raise
    try:
        held.release()  # one that waited is raised here
        yield folder / "output"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class Watcher(threading.Thread):
    """Publishes an article again when its source or a catalog of it changes."""

    def __init__(self, project, republish, interval: float = 1.0):
        super().__init__(daemon=True)
        self.project = project
        self.republish = republish
        self.interval = interval
        self.stopped = threading.Event()
        self.seen = self.snapshot()

    def snapshot(self) -> dict:
        settings = self.project.settings
        files = list(settings.source_dir.glob("*.html"))
        files += list(settings.locales_dir.glob("*/LC_MESSAGES/*.po"))
        stamps = {}
        for path in files:
            try:
                stamps[path] = path.stat().st_mtime_ns
            except FileNotFoundError:
                continue
        return stamps

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            now = self.snapshot()
            changed = {path.stem for path, stamp in now.items() if self.seen.get(path) != stamp}
            self.seen = now
            for slug in sorted(changed):
                self.republish(slug)

    def stop(self) -> None:
        self.stopped.set()


def serve_forever(server: ThreadingHTTPServer, watcher: Watcher | None = None) -> None:
    """Serve until interrupted; stop promptly and cleanly."""
    if watcher:
        watcher.start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        if watcher:
            watcher.stop()
        server.server_close()
        time.sleep(0)  # let daemon threads notice
