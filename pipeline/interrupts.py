"""Stopping a long command cleanly: the signals that end it raise KeyboardInterrupt, which
every command turns into its one-line "interrupted" report after removing what it had half
written."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def stopping_signals() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP raise KeyboardInterrupt (serving, publishing), even if the process
    was started with SIGINT ignored (a background job of a non-interactive shell inherits
    that, and Python then installs no handler); the previous handlers come back after."""
    numbers = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {number: signal.getsignal(number) for number in numbers}
    for number in numbers:
        signal.signal(number, signal.default_int_handler)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
