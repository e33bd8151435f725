"""``jipp-kb index``: bring the keyword and embedding indexes up to date, in order."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import click

from jipp_kb import keyword, store
from jipp_kb.analysis import Analysis
from jipp_kb.config import Config
from jipp_kb.corpus import Corpus


@dataclass
class IndexSummary:
    keyword: keyword.IndexReport
    vectors: object | None


def glossary_dicts(corpus: Corpus) -> list[dict]:
    return [e.model_dump(exclude_none=True) for e in corpus.glossary]


def index_corpus(
    corpus: Corpus, config: Config, rebuild: bool = False, semantic: bool = True, quiet: bool = False, analysis: Analysis = Analysis()
) -> IndexSummary:
    """Keyword index first (fast, always), then the vectors (slow, only what changed)."""
    root = config.resolve(config.index_dir)
    cases = corpus.sorted_cases()
    with store.write_lock(root, notify=lambda m: click.echo(m, err=True)):
        store.remove_leftovers(root)
        with _bar(quiet, len(cases), "keyword index") as bar:
            kw = keyword.build(root, cases, glossary_dicts(corpus), analysis, rebuild=rebuild, progress=bar)
        vec = None
        if semantic:
            from jipp_kb import vectors

            with _counter(quiet, "embedding") as tick:
                vec = vectors.build(root, cases, config.model, progress=tick)
    return IndexSummary(kw, vec)


@contextmanager
def _bar(quiet: bool, length: int, label: str) -> Iterator:
    if quiet or length < 50:
        yield None
        return

    def wrap(items):
        with click.progressbar(items, label=label, file=sys.stderr) as bar:
            yield from bar

    yield wrap


@contextmanager
def _counter(quiet: bool, label: str) -> Iterator:
    """A progress factory for the chunks to embed; the progress opens once their number is known."""
    opened: list[Progress] = []

    def start(total: int):
        if quiet:
            return None
        opened.append(Progress(total, label))
        return opened[-1].update

    try:
        yield start
    finally:
        for progress in opened:
            progress.close()


LOG_EVERY = 15.0
"""Seconds between progress lines when stderr is not a terminal (a log file, CI)."""


class Progress:
    """Progress of a long run on stderr, with its rate and the time left.

    On a terminal it is click's bar; elsewhere (a log, CI) one line every
    ``LOG_EVERY`` seconds and a last line with the total time, as a bar's
    carriage returns would be lost there.
    """

    def __init__(self, total: int, label: str, out=None, clock: Callable[[], float] = time.monotonic, every: float = LOG_EVERY) -> None:
        self.total, self.label, self.out, self.clock, self.every = total, label, out or sys.stderr, clock, every
        self.done = 0
        self.started = self.last = clock()
        self.bar = None
        if self.out.isatty():
            self.bar = click.progressbar(length=total, label=label, file=self.out, show_pos=True, item_show_func=lambda _: self.rate())
            self.bar.__enter__()

    def rate(self) -> str:
        elapsed = self.clock() - self.started
        return f"{self.done / elapsed:.1f} chunks/s" if elapsed > 0 and self.done else ""

    def update(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
            return
        now = self.clock()
        if now - self.last >= self.every and self.done < self.total:
            self.last = now
            left = (now - self.started) / self.done * (self.total - self.done)
            click.echo(f"{self.label}: {self.done}/{self.total} chunks, {self.rate()}, about {_duration(left)} left", file=self.out)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
        elif self.done:
            elapsed = self.clock() - self.started
            click.echo(f"{self.label}: {self.done} chunks in {_duration(elapsed)}, {self.rate()}", file=self.out)


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
