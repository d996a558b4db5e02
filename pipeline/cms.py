"""Delivering a publish to a CMS over HTTP (the contract: docs/cms-api.yaml).

PUT {endpoint}/pages/{region}/{slug} with the page's JSON; DELETE for pages an earlier push
delivered that the manifest no longer has (only when asked). A state file records the sha256
of every page the CMS accepted, so unchanged pages are not sent again and an interrupted
push resumes where it stopped. The token comes from PIPELINE_CMS_TOKEN only and is never
printed: messages name pages and statuses, never headers.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import requests

from pipeline.errors import NetworkError, PublishError
from pipeline.files import write_atomic
from pipeline.output import MANIFEST
from pipeline.output import read_manifest as read_output_manifest
from pipeline.regions import is_pseudo_region

TOKEN_VARIABLE = "PIPELINE_CMS_TOKEN"
USER_AGENT = "pipeline/0.1 (content localization; push)"
RETRY_STATUSES = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class PushOptions:
    endpoint: str
    regions: tuple[str, ...] = ()
    dry_run: bool = False
    prune: bool = False
    retries: int = 5  # attempts after the first
    backoff: float = 0.5  # seconds before the first retry, doubled each time
    timeout: tuple[float, float] = (5.0, 30.0)  # connect, read
    max_wait: float = 60.0  # longest Retry-After honoured
    include_pseudo: bool = False  # deliver pseudo-locale pages (en-XA, ar-XB) too


@dataclass
class PushResult:
    sent: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # {"region", "slug", "status", "message"}
    pruned: list = field(default_factory=list)
    stopped: str | None = None  # why the push stopped early (e.g. the token was refused)

    def as_json(self) -> dict:
        return {
            "sent": self.sent,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "pruned": self.pruned,
            "stopped": self.stopped,
        }


class AuthenticationRefused(NetworkError):
    pass


class PushState:
    """sha256 of every page the CMS accepted, per endpoint; saved now and then, and at exit."""

    SAVE_EVERY = 2.0  # seconds

    def __init__(self, folder: Path, endpoint: str):
        digest = hashlib.sha256(endpoint.encode()).hexdigest()[:16]
        self.path = folder / f"push-{digest}.json"
        self.endpoint = endpoint
        self.pages: dict[str, str] = {}
        self.saved_at = time.monotonic()
        if self.path.is_file():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise PublishError(
                    f"{self.path}: unreadable push state; delete it to push everything again"
                ) from None
            if data.get("endpoint") == endpoint:
                self.pages = data.get("pages", {})

    def accepted(self, key: str, sha256: str | None) -> None:
        if sha256 is None:
            self.pages.pop(key, None)
        else:
            self.pages[key] = sha256
        if time.monotonic() - self.saved_at > self.SAVE_EVERY:
            self.save()

    def save(self) -> None:
        write_atomic(
            self.path,
            json.dumps({"endpoint": self.endpoint, "pages": self.pages}, indent=1, sort_keys=True),
        )
        self.saved_at = time.monotonic()


def push(
    output_dir: Path, state_dir: Path, token: str | None, options: PushOptions, on_item=None
) -> PushResult:
    """Send what changed since the last accepted push; the state survives any interruption."""
    manifest = read_manifest(output_dir)
    if not token and not options.dry_run:
        raise PublishError(f"no token: set {TOKEN_VARIABLE} to the CMS's API token")
    state = PushState(state_dir, options.endpoint)
    live = live_pages(manifest["pages"], options)
    pages = [
        p
        for p in live
        if not options.regions
        or p["region"] in options.regions
        or is_pseudo_region(p["region"])  # live only when asked for: --include-pseudo
    ]
    result = PushResult()
    session = requests.Session()
    session.headers.update({"User-Agent": USER_AGENT, "Authorization": f"Bearer {token}"})
    try:
        for page in pages:
            key = f"{page['region']}/{page['slug']}"
            if state.pages.get(key) == page["sha256"]:
                result.unchanged.append(key)
            elif options.dry_run:
                result.sent.append(key)
            else:
                body = (output_dir / page["json"]).read_bytes()
                outcome = deliver(session, "PUT", page_url(options.endpoint, page), options, body)
                record(result, state, key, page["sha256"], outcome, result.sent)
            if on_item:
                on_item()
        if options.prune:
            current = {f"{p['region']}/{p['slug']}" for p in live}
            for key in sorted(set(state.pages) - current):
                region, slug = key.split("/", 1)
                if options.regions and region not in options.regions:
                    continue
                if options.dry_run:
                    result.pruned.append(key)
                    continue
                url = page_url(options.endpoint, {"region": region, "slug": slug})
                outcome = deliver(session, "DELETE", url, options)
                if outcome[0] == 404:
                    outcome = (204, "")  # already gone: the goal is reached
                record(result, state, key, None, outcome, result.pruned)
    except AuthenticationRefused as error:
        result.stopped = str(error)
    finally:
        if not options.dry_run:
            state.save()
    return result


def record(result: PushResult, state: PushState, key: str, sha256, outcome, done: list):
    status, message = outcome
    if 200 <= status < 300:
        state.accepted(key, sha256)
        done.append(key)
    else:
        region, slug = key.split("/", 1)
        result.failed.append({"region": region, "slug": slug, "status": status, "message": message})


def page_url(endpoint: str, page: dict) -> str:
    return (
        f"{endpoint.rstrip('/')}/pages/{quote(page['region'], safe='')}/"
        f"{quote(page['slug'], safe='')}"
    )


def deliver(
    session, method: str, url: str, options: PushOptions, body: bytes | None = None
) -> tuple[int, str]:
    """(status, message) after retries; status 0 when the CMS could not be reached."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    delay = options.backoff
    for attempt in range(options.retries + 1):
        last = attempt == options.retries
        try:
            response = session.request(
                method, url, data=body, headers=headers, timeout=options.timeout
            )
        except (requests.ConnectionError, requests.Timeout) as error:
            if last:
                return 0, f"CMS not reachable: {type(error).__name__}"
            time.sleep(delay)
            delay *= 2
            continue
        if response.status_code in (401, 403):
            raise AuthenticationRefused(
                f"the CMS refused the token ({response.status_code}): check "
                f"{TOKEN_VARIABLE}; {cms_message(response)}"
            )
        if response.status_code in RETRY_STATUSES and not last:
            time.sleep(min(retry_after(response) or delay, options.max_wait))
            delay *= 2
            continue
        return response.status_code, "" if response.ok else cms_message(response)
    return 0, "no attempt made"


def retry_after(response) -> float | None:
    """Seconds from a Retry-After header (a number or an HTTP date)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        moment = email.utils.parsedate_to_datetime(value)
        return max(0.0, moment.timestamp() - time.time()) if moment else None


def cms_message(response) -> str:
    """The CMS's own explanation: a JSON `message`/`error` field, else the body's start."""
    try:
        data = response.json()
        if isinstance(data, dict):
            text = data.get("message") or data.get("error") or json.dumps(data)
            return str(text)[:200]
    except ValueError:
        pass
    text = " ".join(response.text.split())[:200]
    return text or response.reason or f"HTTP {response.status_code}"


def live_pages(pages: list, options: PushOptions) -> list:
    """The pages that belong on the CMS. Pseudo-locale pages are for previews: they belong
    there only when named with --region or asked for, so that --prune takes back any that
    an earlier push delivered."""
    return [
        page
        for page in pages
        if options.include_pseudo
        or page["region"] in options.regions
        or not is_pseudo_region(page["region"])
    ]


def read_manifest(output_dir: Path) -> dict:
    """The last publish's manifest; pushing without one is an error."""
    manifest = read_output_manifest(output_dir)
    if not manifest:
        raise PublishError(f"{output_dir / MANIFEST}: no publish to push (run: pipeline publish)")
    return manifest
