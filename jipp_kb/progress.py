"""One way to report progress: ``progress(length, label)`` opens a bar whose ``update(n)`` advances it.

Every long step (keyword index, embedding, pages, PDFs) takes a :data:`Progress`
and calls it once it knows how much work there is; the CLI passes
:func:`terminal` (a bar on stderr, so ``--json`` output stays clean) or
:func:`silent`.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Protocol


class Bar(Protocol):
    def update(self, n: int) -> None: ...


Progress = Callable[[int, str], contextlib.AbstractContextManager[Bar]]


class _Silent:
    def update(self, n: int) -> None:
        pass


@contextlib.contextmanager
def silent(length: int, label: str) -> Iterator[Bar]:
    yield _Silent()


@contextlib.contextmanager
def terminal(length: int, label: str) -> Iterator[Bar]:
    """A bar with position, percentage and time left on stderr."""
    import click

    with click.progressbar(length=length, label=label, file=sys.stderr, show_pos=True, show_eta=True) as bar:
        yield bar
