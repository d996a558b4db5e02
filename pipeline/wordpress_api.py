"""Talking to WordPress's REST API for a push: credentials, the retrying session, one call.

Requests go to `{site}/?rest_route=/wp/v2/...` (with or without pretty permalinks) through
push's retrying session (`pipeline.cms`): urllib3's retries, the stop after unanswered
attempts, and an application password that never appears in a message.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field

from pipeline.cms import (
    AuthenticationRefused,
    Delivery,
    PushOptions,
    Streak,
    attempt,
    cms_message,
    retrying_session,
)
from pipeline.errors import PublishError

USER_VARIABLE = "PIPELINE_WP_USER"
PASSWORD_VARIABLE = "PIPELINE_WP_APP_PASSWORD"
VISIBLE = "publish,future,draft,pending,private"  # every status but trash
# What basic authentication can carry: WordPress's passwords are letters, digits and spaces.
PASSWORD_SHAPE = re.compile(r"[\x20-\x7e]+")
USER_SHAPE = re.compile(r"[\x20-\x7e\xa0-\xff]+")  # Latin-1, as basic authentication sends it
HTTP_HINT = (
    " (over plain HTTP, WordPress accepts application passwords only on a site whose "
    "WP_ENVIRONMENT_TYPE is local)"
)


@dataclass
class Session:
    """One push's connection to WordPress: the retrying session, the secrets to hide."""

    delivery: Delivery
    secrets: tuple[str, ...] = field(repr=False)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[password]")
        return text

    def call(self, method: str, site: str, route: str, **kwargs) -> tuple[int, object]:
        """(status, decoded JSON or message) of one REST request; status 0 without answer.
        A refused password stops the push; so does a WordPress that stopped answering."""
        url = site.rstrip("/") + "/"
        params = {"rest_route": route, **kwargs.pop("params", {})}
        target = ("WordPress", site)
        response, why = attempt(
            self.delivery, method, url, target, self.redact, params=params, **kwargs
        )
        if response is None:
            return 0, why
        if response.status_code in (401, 403):
            hint = HTTP_HINT if url.startswith("http://") else ""
            raise AuthenticationRefused(
                f"WordPress at {site} refused the application password "
                f"({response.status_code}): check {USER_VARIABLE} and {PASSWORD_VARIABLE}"
                f"{hint}; {cms_message(response, self.redact)}"
            )
        if not response.ok:
            return response.status_code, cms_message(response, self.redact)
        try:
            return response.status_code, response.json()
        except ValueError:
            return 0, f"{site}: the answer to {route} is not JSON (is this a WordPress site?)"


def credentials(user: str | None, password: str | None, dry_run: bool) -> tuple[str, str]:
    """The user name and application password (without surrounding whitespace: a CRLF file
    leaves a "\r"), required unless nothing is sent; refused, never shown, when HTTP's basic
    authentication cannot carry them."""
    user, password = (user or "").strip(), (password or "").strip()
    if not dry_run and not (user and password):
        raise PublishError(
            f"no WordPress credentials: set {USER_VARIABLE} to the user name and "
            f"{PASSWORD_VARIABLE} to an application password of that user"
        )
    if password and not PASSWORD_SHAPE.fullmatch(password):
        raise PublishError(
            f"{PASSWORD_VARIABLE} is not an application password: it holds a line break or a "
            "character outside ASCII (the password is not shown)"
        )
    if user and not USER_SHAPE.fullmatch(user):
        raise PublishError(f"{USER_VARIABLE} holds a line break or a control character")
    return user, password


def open_session(user: str, password: str, options: PushOptions) -> Session:
    """Retries for GET, PUT and DELETE (a POST creates: retried only when no connection was
    made, never after WordPress may have received it)."""
    streak = Streak(options.give_up_after)
    http = retrying_session(options, streak, {"GET", "PUT", "DELETE"})
    http.auth = (user, password)
    delivery = Delivery(http, options, streak, password)
    # The password as typed, without its spaces, and as the Authorization header carries it.
    basic = base64.b64encode(f"{user}:{password}".encode("latin-1")).decode()
    secrets = tuple(s for s in {password, password.replace(" ", ""), basic} if len(s) > 4)
    return Session(delivery, secrets)
