"""Where indexes live under ``.jipp/``, and how they change safely.

A full rebuild is written into a fresh directory and published by replacing
a symbolic link in one ``rename`` (atomic on POSIX), so a killed run leaves
the previous index intact and readers never see half an index. One lock file
keeps two ``jipp-kb index`` runs from writing at once.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from jipp_kb.errors import JippError


class IndexBusy(JippError, RuntimeError):
    pass


@contextmanager
def write_lock(root: Path, wait: float = 60.0, notify: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold ``root/index.lock``; wait up to ``wait`` seconds for another writer."""
    root.mkdir(parents=True, exist_ok=True)
    busy = IndexBusy(f"another 'jipp-kb index' is still writing to {root}; try again when it has finished")
    waiting = f"another 'jipp-kb index' is writing to {root}; waiting up to {wait:.0f} s…"
    with exclusive(root / "index.lock", wait, busy, lambda: notify(waiting) if notify else None):
        yield


@contextmanager
def exclusive(path: Path, wait: float, busy: Exception, on_wait: Callable[[], None]) -> Iterator[None]:
    """Hold an flock on ``path`` (released by the kernel even on kill -9); raise ``busy`` after ``wait`` seconds."""
    with open(path, "w") as handle:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise busy from None
                if not told:
                    on_wait()
                    told = True
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current(root: Path, name: str) -> Path | None:
    """The published directory for ``name`` (``root/name`` is a symlink to it), if any."""
    link = root / name
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


def new_generation(root: Path, name: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{name}.{time.time_ns()}.{os.getpid()}"
    path.mkdir()
    return path


def publish(root: Path, name: str, generation: Path) -> None:
    """Point ``root/name`` at ``generation`` atomically, then delete older generations."""
    tmp_link = root / f".{name}.link.{os.getpid()}"
    if tmp_link.is_symlink():
        tmp_link.unlink()
    tmp_link.symlink_to(generation.name)
    os.replace(tmp_link, root / name)
    collect_garbage(root, name)


def collect_garbage(root: Path, name: str) -> None:
    """Remove generations that are not published (left by killed runs or replaced)."""
    live = current(root, name)
    for path in root.glob(f"{name}.*"):
        if path.is_dir() and path.resolve() != live:
            shutil.rmtree(path, ignore_errors=True)


GENERATION = re.compile(r"(.+)\.\d+\.\d+")
"""``<name>.<time_ns>.<pid>``, as ``new_generation`` names them."""


def remove_leftovers(root: Path) -> int:
    """Remove every generation no index link points at, and half-made links; the caller holds the write lock.

    A run killed before ``publish`` leaves its generation behind (7 were seen after a
    series of kills); without this they stay until the next full rebuild of that index.
    """
    if not root.is_dir():
        return 0
    removed = 0
    for path in root.iterdir():
        if path.is_symlink() and path.name.startswith(".") and ".link." in path.name:
            path.unlink()
            continue
        match = GENERATION.fullmatch(path.name)
        if match and path.is_dir() and not path.is_symlink() and current(root, match[1]) != path.resolve():
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed
