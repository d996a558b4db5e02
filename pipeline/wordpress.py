"""Delivering a publish to WordPress through its REST API (`wp/v2` pages or posts).

Each published page becomes a WordPress page (or post) with its title, body, excerpt (the
meta description), slug and status; a region maps to a site of a multisite network, or to a
parent page (pages) or category (posts) of one site (`[tool.pipeline.wordpress]`). Images
the body links to go to the media library once. The state file keeps every WordPress id and
the hash of what was sent, so a second push sends nothing; without it, ids are found again
by slug and an entry already equal to the page is left as it is. Requests, retries, the stop
after unanswered attempts and redaction are those of `pipeline.cms`; credentials come from
PIPELINE_WP_USER and PIPELINE_WP_APP_PASSWORD only and are never printed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from urllib.parse import quote

from pipeline.cms import (
    PushOptions,
    PushResult,
    PushStopped,
    live_pages,
    page_file,
    page_key,
    read_manifest,
)
from pipeline.errors import PublishError
from pipeline.files import write_atomic
from pipeline.wordpress_api import (
    VISIBLE,
    Session,
    credentials,
    open_session,
)
from pipeline.wordpress_map import Mapping, Target, media_sources, wordpress_slug


@dataclass
class WordPressResult(PushResult):
    ids: dict = field(default_factory=dict)  # "region/slug" -> WordPress id
    media: list = field(default_factory=list)  # images uploaded by this push

    def as_json(self) -> dict:
        return {**super().as_json(), "ids": self.ids, "media": self.media}


class WordPressState:
    """What WordPress holds of this project, per endpoint: page ids and the hash of what was
    sent, media ids and URLs, the ids of the regions' parent pages or categories."""

    def __init__(self, folder: Path, endpoint: str):
        digest = hashlib.sha256(endpoint.encode()).hexdigest()[:16]
        self.path = folder / f"wordpress-{digest}.json"
        self.endpoint = endpoint
        self.data: dict = {"endpoint": endpoint, "pages": {}, "media": {}, "groups": {}}
        if self.path.is_file():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError):
                data = None
            if not isinstance(data, dict) or not all(
                isinstance(data.get(name), dict) for name in ("pages", "media", "groups")
            ):
                raise PublishError(f"{self.path}: damaged WordPress state; delete it to recover")
            if data.get("endpoint") == endpoint:
                self.data = data

    @property
    def pages(self) -> dict:
        return self.data["pages"]

    def save(self) -> None:
        write_atomic(self.path, json.dumps(self.data, indent=1, sort_keys=True))


def push(
    output_dir: Path,
    state_dir: Path,
    login: tuple[str | None, str | None],
    options: PushOptions,
    mapping: Mapping,
    status: str = "draft",
    on_item=None,
) -> WordPressResult:
    """Create or update every page WordPress does not hold as it is now; trash the pages
    that are no longer published (with `options.prune`)."""
    manifest = read_manifest(output_dir)
    user, password = credentials(*login, options.dry_run)
    state = WordPressState(state_dir, options.endpoint)
    live = live_pages(manifest["pages"], options)  # pseudo-locales only when asked for
    pages = [p for p in live if not options.regions or p["region"] in options.regions]
    result = WordPressResult()
    session = open_session(user, password, options)
    pusher = Pusher(session, state, mapping, output_dir, status, result)
    try:
        if not options.dry_run:
            pusher.check_login(options.endpoint)
        for page in pages:
            pusher.page(page)
            if on_item:
                on_item()
        if options.prune:
            pusher.prune({page_key(p) for p in live}, options.regions)
    except PushStopped as error:
        result.stopped = session.redact(str(error))
        result.stop_code = error.code
        handled = {*result.sent, *result.unchanged, *(page_key(f) for f in result.failed)}
        result.not_sent = [key for key in map(page_key, pages) if key not in handled]
    finally:
        session.delivery.session.close()
        if not options.dry_run:
            state.save()
    return result


class Pusher:
    """The steps of one push: log in, groups, media, pages, prune."""

    def __init__(self, session, state, mapping, output_dir, status, result):
        self.session: Session = session
        self.state: WordPressState = state
        self.mapping: Mapping = mapping
        self.output_dir: Path = output_dir
        self.status: str = status
        self.result: WordPressResult = result
        self.dry_run = session.delivery.options.dry_run

    def check_login(self, site: str) -> None:
        """One authenticated request before anything is sent: a wrong password or an address
        that is no WordPress stops the push at once."""
        status, answer = self.session.call("GET", site, "/wp/v2/users/me")
        if status != 200:
            raise PushStopped(f"{site}: no WordPress REST API answered ({status}: {answer})")

    def fail(self, key: str, status: int, message) -> None:
        region, slug = key.split("/", 1)
        self.result.failed.append(
            {"region": region, "slug": slug, "status": status, "message": str(message)[:200]}
        )

    def page(self, page: dict) -> None:
        key = page_key(page)
        try:
            data = json.loads(page_file(self.output_dir, page).read_text(encoding="utf-8"))
            target = self.mapping.target(page["region"])
            fields = self.fields(page, data, target)
        except (PublishError, ValueError, OSError) as error:
            self.fail(key, 0, error)
            return
        except Upload as error:
            self.fail(key, error.status, error.message)
            return
        digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()
        known = self.state.pages.get(key)
        if known and known.get("sha256") == digest and known.get("site") == target.site:
            self.result.unchanged.append(key)
            self.result.ids[key] = known["id"]
        elif self.dry_run:
            self.result.sent.append(key)
        else:
            self.send(key, target, fields, digest, known)

    def fields(self, page: dict, data: dict, target: Target) -> dict:
        """What WordPress is given for a page: title, content, excerpt, slug, status and the
        region's parent page or category."""
        body = self.with_media(data.get("body", ""), page, target)
        language = escape(page["region"])
        direction = escape(str(data.get("direction") or "ltr"))
        # WordPress reads a title and an excerpt as HTML (themes print them as they are); ours
        # are plain text, which a translation must never be able to turn into markup.
        fields = {
            "title": escape(str(data.get("title", "")), quote=False),
            "content": f'<div class="pipeline-article" lang="{language}" dir="{direction}">\n'
            f"{body}\n</div>",
            "excerpt": escape(str(data.get("description", "")), quote=False),
            "slug": wordpress_slug(page["slug"], page["region"], target),
            "status": self.status,
        }
        group = self.group(target)
        if target.kind == "pages":
            fields["parent"] = group or 0  # also what a page found by slug must have
        elif group is not None:
            fields["categories"] = [group]
        return fields

    def send(self, key: str, target: Target, fields: dict, digest: str, known) -> None:
        """Update the page WordPress has (by id, else found by slug), or create it."""
        if known and (known.get("site"), known.get("kind", "pages")) != (target.site, target.kind):
            known = None  # the region moved to another site, or pages became posts
        found = None if known else self.find(target, fields)
        page_id = found["id"] if found else (known or {}).get("id")
        if found and same_entry(found, fields):
            status, answer = 200, found
            done = self.result.unchanged
        elif page_id:
            route = f"/wp/v2/{target.kind}/{page_id}"
            status, answer = self.session.call("PUT", target.site, route, json=fields)
            if status == 404:  # deleted in WordPress since: make it again
                status, answer = self.create(target, fields)
            done = self.result.sent
        else:
            status, answer = self.create(target, fields)
            done = self.result.sent
        if 200 <= status < 300 and isinstance(answer, dict):
            self.state.pages[key] = {
                "id": answer["id"],
                "sha256": digest,
                "site": target.site,
                "kind": target.kind,
            }
            self.result.ids[key] = answer["id"]
            done.append(key)
        else:
            self.fail(key, status, answer)

    def create(self, target: Target, fields: dict) -> tuple[int, object]:
        return self.session.call("POST", target.site, f"/wp/v2/{target.kind}", json=fields)

    def find(self, target: Target, fields: dict) -> dict | None:
        """The entry WordPress already has under this slug (and parent), raw fields included."""
        params = {"slug": fields["slug"], "status": VISIBLE, "context": "edit"}
        if "parent" in fields:
            params["parent"] = fields["parent"]
        status, answer = self.session.call(
            "GET", target.site, f"/wp/v2/{target.kind}", params=params
        )
        return answer[0] if status == 200 and isinstance(answer, list) and answer else None

    def group(self, target: Target) -> int | None:
        """The region's parent page or category: configured, remembered, found by slug, or
        made (a draft page, or a category, named after the region)."""
        if target.group is not None or not target.group_slug:
            return target.group
        key = f"{target.site}|{target.kind}|{target.group_slug}"
        groups = self.state.data["groups"]
        if key in groups or self.dry_run:
            return groups.get(key)
        route = "/wp/v2/pages" if target.kind == "pages" else "/wp/v2/categories"
        params = {"slug": target.group_slug, "context": "edit"}
        if target.kind == "pages":
            params.update(status=VISIBLE, parent=0)
        status, answer = self.session.call("GET", target.site, route, params=params)
        if status == 200 and isinstance(answer, list) and answer:
            groups[key] = answer[0]["id"]
            return groups[key]
        made = {"slug": target.group_slug, "status": "draft", "title": target.group_name}
        if target.kind == "posts":
            made = {"slug": target.group_slug, "name": target.group_name}
        status, answer = self.session.call("POST", target.site, route, json=made)
        if not (200 <= status < 300 and isinstance(answer, dict)):
            raise Upload(status, f"cannot make the region's {route.rsplit('/', 1)[1]}: {answer}")
        groups[key] = answer["id"]
        return groups[key]

    def with_media(self, body: str, page: dict, target: Target) -> str:
        """The body with every local image replaced by its media library copy."""
        for source, path in media_sources(body, page, self.output_dir):
            url = self.media(path, target)
            if url:
                body = body.replace(f'src="{source}"', f'src="{url}"')
        return body

    def media(self, path: Path, target: Target) -> str | None:
        """The media library URL of an image, uploaded when WordPress does not have it."""
        relative = path.relative_to(self.output_dir.resolve()).as_posix()
        key = f"{target.site}|{relative}"
        content = path.read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        known = self.state.data["media"].get(key)
        if known and known["sha256"] == digest:
            return known["url"]
        if self.dry_run:
            return None
        found = self.find_media(path, target) if not known else None
        if found:
            entry = {"id": found["id"], "url": found["source_url"], "sha256": digest}
        else:
            entry = self.upload(path, content, digest, target)
            self.result.media.append(relative)
        self.state.data["media"][key] = entry
        return entry["url"]

    def find_media(self, path: Path, target: Target) -> dict | None:
        """An image an earlier push uploaded (its slug is the file's name without suffix)."""
        status, answer = self.session.call(
            "GET", target.site, "/wp/v2/media", params={"slug": path.stem.lower()}
        )
        if status == 200 and isinstance(answer, list):
            for item in answer:
                if str(item.get("source_url", "")).rsplit("/", 1)[-1] == path.name:
                    return item
        return None

    def upload(self, path: Path, content: bytes, digest: str, target: Target) -> dict:
        import mimetypes

        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        plain = path.name.encode("ascii", "replace").decode().replace('"', "_")
        headers = {  # the name in UTF-8 too (RFC 6266): a header is Latin-1 at most
            "Content-Type": kind,
            "Content-Disposition": f'attachment; filename="{plain}"; '
            f"filename*=UTF-8''{quote(path.name)}",
        }
        status, answer = self.session.call(
            "POST", target.site, "/wp/v2/media", data=content, headers=headers
        )
        if not (200 <= status < 300 and isinstance(answer, dict)):
            raise Upload(status, f"image {path.name} refused by the media library: {answer}")
        return {"id": answer["id"], "url": answer["source_url"], "sha256": digest}

    def prune(self, published: set[str], regions: tuple[str, ...]) -> None:
        """Trash what an earlier push delivered that the publish no longer has."""
        for key in sorted(set(self.state.pages) - published):
            if regions and key.split("/", 1)[0] not in regions:
                continue
            if self.dry_run:
                self.result.pruned.append(key)
                continue
            known = self.state.pages[key]
            kind = known.get("kind", self.mapping.kind)
            route = f"/wp/v2/{kind}/{known['id']}"
            status, answer = self.session.call("DELETE", known["site"], route)
            if 200 <= status < 300 or status in (404, 410):  # 410: already in the trash
                del self.state.pages[key]
                self.result.pruned.append(key)
            else:
                self.fail(key, status, answer)


class Upload(Exception):
    """WordPress refused something a page needs (an image, the region's parent)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def same_entry(found: dict, fields: dict) -> bool:
    """Whether WordPress's entry (raw fields) already is what would be sent."""
    for name, value in fields.items():
        have = found.get(name)
        if isinstance(have, dict):
            have = have.get("raw")
        if have != value:
            return False
    return True
