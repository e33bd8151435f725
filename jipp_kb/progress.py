"""One way to report progress: ``progress(length, label)`` opens a meter whose ``update(n)`` advances it.

Every long step (keyword index, embedding, pages, PDFs) takes a :data:`Progress`
and calls it once it knows how much work there is. The CLI passes
:func:`terminal` (on stderr, so ``--json`` output stays clean) or :func:`silent`.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from typing import Protocol

import click


class Bar(Protocol):
    def update(self, n: int) -> None: ...


Progress = Callable[[int, str], contextlib.AbstractContextManager[Bar]]

LOG_EVERY = 15.0
"""Seconds between progress lines when stderr is not a terminal (a log file, CI)."""


class _Silent:
    def update(self, n: int) -> None:
        pass


@contextlib.contextmanager
def silent(length: int, label: str) -> Iterator[Bar]:
    yield _Silent()


@contextlib.contextmanager
def terminal(length: int, label: str) -> Iterator[Bar]:
    """A :class:`Meter` on stderr, closed when the step ends."""
    meter = Meter(length, label)
    try:
        yield meter
    finally:
        meter.close()


class Meter:
    """Progress of a long run with its rate and the time left.

    On a terminal it is click's bar; elsewhere (a log, CI) one line every
    ``LOG_EVERY`` seconds and a last line with the total time, as a bar's
    carriage returns would be lost there.
    """

    def __init__(self, total: int, label: str, out=None, clock: Callable[[], float] = time.monotonic, every: float = LOG_EVERY) -> None:
        self.total, self.label, self.out, self.clock, self.every = total, label, out or sys.stderr, clock, every
        self.unit = label.split()[-1] if label.split() else "items"
        self.done = 0
        self.started = self.last = clock()
        self.bar = None
        if self.out.isatty():
            self.bar = click.progressbar(length=total, label=label, file=self.out, show_pos=True, item_show_func=lambda _: self.rate())
            self.bar.__enter__()

    def rate(self) -> str:
        elapsed = self.clock() - self.started
        return f"{self.done / elapsed:.1f} {self.unit}/s" if elapsed > 0 and self.done else ""

    def update(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
            return
        now = self.clock()
        if now - self.last >= self.every and self.done < self.total:
            self.last = now
            left = (now - self.started) / self.done * (self.total - self.done)
            click.echo(f"{self.label}: {self.done}/{self.total}, {self.rate()}, about {_duration(left)} left", file=self.out)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
        elif self.done:
            elapsed = self.clock() - self.started
            click.echo(f"{self.label}: {self.done} in {_duration(elapsed)}, {self.rate()}", file=self.out)


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
