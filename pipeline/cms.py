"""Delivering a publish to a CMS over HTTP (the contract: docs/cms-api.yaml).

PUT {endpoint}/pages/{region}/{slug} with the page's JSON; DELETE for pages an earlier push
delivered that the manifest no longer has (only when asked). A state file records the sha256
of every page the CMS accepted, so unchanged pages are not sent again and an interrupted
push resumes where it stopped. The token comes from PIPELINE_CMS_TOKEN only and is never
printed: it is checked before use, and every message from the CMS is redacted.

Retries are urllib3's (`Retry` through a requests adapter); a CMS that gives no response to
`give_up_after` attempts in a row ends the push at once, with what was and was not delivered.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import requests

from pipeline.errors import NetworkError, PublishError
from pipeline.files import write_atomic
from pipeline.manifest import MANIFEST
from pipeline.manifest import read_manifest as read_output_manifest
from pipeline.regions import is_pseudo_region
from pipeline.retry import Streak, retrying_session

TOKEN_VARIABLE = "PIPELINE_CMS_TOKEN"
# Visible ASCII only: anything else (a "\r" left by a CRLF file, a space, "€") would be
# refused by the HTTP library in a message that quotes the whole header, token and all.
TOKEN_SHAPE = re.compile(r"[\x21-\x7e]+")
REDACTED = "[token]"


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
    give_up_after: int = 3  # attempts in a row without a response that end the push
    include_pseudo: bool = False  # deliver pseudo-locale pages (en-XA, ar-XB) too


@dataclass
class PushResult:
    sent: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # {"region", "slug", "status", "message"}
    pruned: list = field(default_factory=list)
    not_sent: list = field(default_factory=list)  # pages left undelivered by a stop
    stopped: str | None = None  # why the push stopped early (e.g. the token was refused)
    stop_code: str | None = None  # the stop's machine-readable reason

    def as_json(self) -> dict:
        report = {
            "sent": self.sent,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "pruned": self.pruned,
            "not_sent": self.not_sent,
            "stopped": self.stopped,
        }
        if self.stopped:
            report["error"] = {"code": self.stop_code, "message": self.stopped}
        return report


class PushStopped(NetworkError):
    """A reason to send nothing more: the CMS refused the token, or does not answer."""

    code = "push_stopped"


class AuthenticationRefused(PushStopped):
    code = "token_refused"


class CmsUnreachable(PushStopped):
    code = "cms_unreachable"


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
            data = self.read()
            if data.get("endpoint") == endpoint:
                self.pages = data["pages"]

    def read(self) -> dict:
        """The saved state; a damaged one is an error (never a guess at what was accepted)."""
        damaged = PublishError(
            f"{self.path}: damaged push state; delete it to push everything again"
        )
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise damaged from None
        pages = data.get("pages", {}) if isinstance(data, dict) else None
        if not isinstance(pages, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in pages.items()
        ):
            raise damaged
        return {"endpoint": data.get("endpoint"), "pages": pages}

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


@dataclass
class Delivery:
    """What one push needs to talk to the CMS: the session, its streak, the secret to hide."""

    session: requests.Session
    options: PushOptions
    streak: Streak
    token: str = field(repr=False)

    def redact(self, text: str) -> str:
        return text.replace(self.token, REDACTED) if self.token else text


def push(
    output_dir: Path, state_dir: Path, token: str | None, options: PushOptions, on_item=None
) -> PushResult:
    """Send what changed since the last accepted push; the state survives any interruption."""
    manifest = read_manifest(output_dir)
    token = checked_token(token, options.dry_run)
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
    streak = Streak(options.give_up_after)
    delivery = Delivery(cms_session(token, options, streak), options, streak, token)
    try:
        send_pages(delivery, output_dir, pages, state, result, on_item)
        if options.prune:
            prune_pages(delivery, live, state, result)
    except PushStopped as error:
        result.stopped = delivery.redact(str(error))
        result.stop_code = error.code
        handled = {
            *result.sent,
            *result.unchanged,
            *(f"{f['region']}/{f['slug']}" for f in result.failed),
        }
        result.not_sent = [key for key in map(page_key, pages) if key not in handled]
    finally:
        delivery.session.close()
        if not options.dry_run:
            state.save()
    return result


def send_pages(delivery: Delivery, output_dir: Path, pages: list, state, result, on_item) -> None:
    """PUT every page the CMS has not accepted as it is now."""
    for page in pages:
        key = page_key(page)
        if state.pages.get(key) == page["sha256"]:
            result.unchanged.append(key)
        elif delivery.options.dry_run:
            result.sent.append(key)
        else:
            try:
                body = page_file(output_dir, page).read_bytes()
            except PublishError as error:
                outcome = (0, str(error))
            else:
                url = page_url(delivery.options.endpoint, page)
                outcome = deliver(delivery, "PUT", url, body)
            record(result, state, key, page["sha256"], outcome, result.sent)
        if on_item:
            on_item()


def prune_pages(delivery: Delivery, live: list, state: PushState, result) -> None:
    """DELETE the pages an earlier push delivered that are no longer live (`live_pages`)."""
    options = delivery.options
    current = {page_key(p) for p in live}
    for key in sorted(set(state.pages) - current):
        region, slug = key.split("/", 1)
        if options.regions and region not in options.regions:
            continue
        if options.dry_run:
            result.pruned.append(key)
            continue
        url = page_url(options.endpoint, {"region": region, "slug": slug})
        outcome = deliver(delivery, "DELETE", url)
        if outcome[0] == 404:
            outcome = (204, "")  # already gone: the goal is reached
        record(result, state, key, None, outcome, result.pruned)


def checked_token(raw: str | None, dry_run: bool) -> str:
    """The token without surrounding whitespace (a CRLF file leaves a "\r"); refused, never
    shown, when it holds anything but visible ASCII."""
    token = (raw or "").strip()
    if not token and not dry_run:
        raise PublishError(f"no token: set {TOKEN_VARIABLE} to the CMS's API token")
    if token and not TOKEN_SHAPE.fullmatch(token):
        raise PublishError(
            f"{TOKEN_VARIABLE} is not a valid API token: it holds a space, a line break or a "
            "character outside ASCII (the token is not shown)"
        )
    return token


def cms_session(token: str, options: PushOptions, streak: Streak) -> requests.Session:
    """A session whose every request is retried by urllib3 and counted in `streak`."""
    session = retrying_session(options, streak, {"PUT", "DELETE"})
    session.headers.update({"Authorization": f"Bearer {token}"})
    return session


def page_key(page: dict) -> str:
    return f"{page['region']}/{page['slug']}"


def page_file(output_dir: Path, page: dict) -> Path:
    """The page's JSON file, which must be a regular file inside the output folder: a manifest
    naming `../../etc/hostname` must not send that file to the CMS."""
    name = page.get("json")
    root = output_dir.resolve()
    target = (output_dir / name).resolve() if isinstance(name, str) and name else root
    if root not in target.parents or not target.is_file():
        raise PublishError(
            f"{output_dir / MANIFEST}: refused: the json path {str(name)[:80]!r} of "
            f"{page_key(page)} is not a file inside {output_dir.name}/"
        )
    return target


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


def attempt(delivery: Delivery, method: str, url: str, target: tuple[str, str], redact, **kwargs):
    """(the response, "") of one request after urllib3's retries, or (None, why) when none
    came; CmsUnreachable once the target (its name and where it is: ("the CMS", URL)) has
    left the streak's limit of attempts in a row unanswered. Shared by every push target."""
    name, where = target
    streak = delivery.streak
    try:
        response = delivery.session.request(method, url, timeout=delivery.options.timeout, **kwargs)
    except (requests.ConnectionError, requests.Timeout) as error:
        if streak.failures >= streak.limit:
            raise CmsUnreachable(
                f"no response from {name} at {where} to {streak.failures} "
                f"attempts in a row ({streak.last_error}); the push stopped"
            ) from None
        return None, f"{name.removeprefix('the ')} not reachable: {type(error).__name__}"
    except requests.RequestException as error:
        return None, redact(f"request failed: {type(error).__name__}")
    streak.failures = 0
    return response, ""


def deliver(delivery: Delivery, method: str, url: str, body: bytes | None = None):
    """(status, message) after urllib3's retries; status 0 when no response came."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    target = ("the CMS", delivery.options.endpoint)
    response, why = attempt(
        delivery, method, url, target, delivery.redact, data=body, headers=headers
    )
    if response is None:
        return 0, why
    if response.status_code in (401, 403):
        raise AuthenticationRefused(
            f"the CMS refused the token ({response.status_code}): check "
            f"{TOKEN_VARIABLE}; {cms_message(response, delivery.redact)}"
        )
    return response.status_code, "" if response.ok else cms_message(response, delivery.redact)


def cms_message(response, redact) -> str:
    """The CMS's own explanation: a JSON `message`/`error` field, else the body's start.
    Redacted before it is shortened, so that no part of an echoed token is left."""
    try:
        data = response.json()
        if isinstance(data, dict):
            text = data.get("message") or data.get("error") or json.dumps(data)
            return redact(str(text))[:200]
    except ValueError:
        pass
    text = " ".join(redact(response.text).split())[:200]
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
