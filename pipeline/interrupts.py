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


class HeldSignals:
    """Holds the stopping signals over a step that must not be cut in two (making a folder and
    arming its cleanup); `release` puts the handlers back and raises one that came meanwhile.

    A Python handler that only notes the signal is used rather than a signal mask: the mask is
    per thread, and with other threads running the kernel may hand the signal to one of them,
    whose flag the main thread then acts on at once, inside the step."""

    NUMBERS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def __init__(self) -> None:
        self.arrived: list[int] = []
        self.previous = {number: signal.signal(number, self.note) for number in self.NUMBERS}

    def note(self, number: int, frame) -> None:
        self.arrived.append(number)

    def release(self) -> None:
        for number, handler in self.previous.items():
            signal.signal(number, handler)
        if self.arrived:
            # Delivered again now under the previous handler, so it acts as it would have.
            signal.raise_signal(self.arrived[0])
