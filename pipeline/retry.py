"""HTTP retries for every push target: urllib3's `Retry` through a requests adapter, with a
streak of unanswered attempts that ends a push when the other side stays silent."""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    InvalidHeader,
    MaxRetryError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.util.retry import Retry

USER_AGENT = "pipeline/0.1 (content localization; push)"
RETRY_STATUSES = {429, 500, 502, 503, 504}
# No response at all: refused or timed-out connections (NewConnectionError is a
# ConnectTimeoutError), read timeouts, connections closed unanswered.
UNANSWERED = (ConnectTimeoutError, ReadTimeoutError, ProtocolError)


class Streak:
    """Attempts in a row that got no response, shared by every request of one push."""

    def __init__(self, limit: int):
        self.limit = limit
        self.failures = 0
        self.last_error = ""


class PushRetry(Retry):
    """urllib3's Retry, with the backoff counted from the first retry (`--backoff` seconds,
    then doubled) and a stop when the push's streak of unanswered attempts reaches its limit.
    A Retry-After that is neither seconds nor an HTTP date is ignored (the backoff applies)."""

    def __init__(self, *args, streak: Streak | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.streak = streak

    def new(self, **kwargs):
        kwargs.setdefault("streak", self.streak)
        return super().new(**kwargs)

    def get_backoff_time(self) -> float:
        errors = len(self.history)
        return min(self.backoff_max, self.backoff_factor * 2 ** (errors - 1)) if errors else 0

    def parse_retry_after(self, retry_after: str) -> float:
        try:
            return super().parse_retry_after(retry_after)
        except (InvalidHeader, ValueError, OverflowError):
            return 0

    def increment(self, method=None, url=None, response=None, error=None, **kwargs):
        if self.streak is not None and isinstance(error, UNANSWERED):
            self.streak.failures += 1
            self.streak.last_error = type(error).__name__
            if self.streak.failures >= self.streak.limit:
                raise MaxRetryError(kwargs.get("_pool"), url, error) from error
        elif self.streak is not None and response is not None:
            self.streak.failures = 0
        return super().increment(method, url, response, error, **kwargs)


def retrying_session(options, streak: Streak, methods: set[str]) -> requests.Session:
    """A session without credentials whose requests urllib3 retries (`methods` also on a
    read error or a retryable status; any method on a refused connection) and counts in
    `streak`. Shared by every push target; `options` (a cms.PushOptions) gives the number of
    retries, the backoff and the longest Retry-After wait."""
    retry = PushRetry(
        total=options.retries,
        backoff_factor=options.backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=methods,
        respect_retry_after_header=True,
        retry_after_max=options.max_wait,
        raise_on_status=False,
        streak=streak,
    )
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.headers.update({"User-Agent": USER_AGENT})
    return session
