"""A small CMS on 127.0.0.1 for tests: records requests, fails on demand."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import serve_in_background


class CMS:
    def __init__(self):
        self.requests: list[dict] = []
        self.pages: dict[str, dict] = {}
        self.fail_first: dict[str, list] = {}  # path -> statuses to answer before success
        self.always: dict[str, int] = {}  # path -> status to answer every time
        self.status_for_all: int | None = None
        self.retry_after = "0"
        self.echo_headers = False  # error bodies quote the request's headers, as some do
        self.lock = threading.Lock()
        cms = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status, payload=None, headers=()):
                body = json.dumps(payload or {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with cms.lock:
                    cms.requests.append(
                        {
                            "method": self.command,
                            "path": self.path,
                            "auth": self.headers.get("Authorization"),
                            "type": self.headers.get("Content-Type"),
                            "body": body,
                        }
                    )
                    queued = cms.fail_first.get(self.path)
                    status = queued.pop(0) if queued else None
                if cms.status_for_all:
                    message = "invalid API token"
                    if cms.echo_headers:
                        message += f": {self.headers.get('Authorization')}"
                    return self.answer(cms.status_for_all, {"message": message})
                if self.path in cms.always:
                    message = "page rejected"
                    if cms.echo_headers:
                        message += f"; you sent Authorization: {self.headers['Authorization']}"
                    return self.answer(cms.always[self.path], {"message": message})
                if status:
                    headers = [("Retry-After", cms.retry_after)] if status == 429 else []
                    return self.answer(status, {"message": "busy"}, headers)
                if self.command == "PUT":
                    cms.pages[self.path] = json.loads(body)
                    return self.answer(201)
                if self.command == "DELETE":
                    existed = cms.pages.pop(self.path, None)
                    return self.answer(204 if existed else 404)
                return self.answer(405)

            do_PUT = do_DELETE = do_GET = handle_any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api"

    def __enter__(self):
        self.thread = serve_in_background(self.server)
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def sent(self, method="PUT") -> list[str]:
        return [r["path"] for r in self.requests if r["method"] == method]
