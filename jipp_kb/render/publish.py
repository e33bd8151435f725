"""Publish a site build all at once, one build at a time.

A build writes into a sibling folder ``<site>.<pid>.tmp``, seeded with hard
links to the current site so the incremental build still renders only what
changed and Pagefind can run there. The finished folder then takes the place
of the site in one ``renameat2(RENAME_EXCHANGE)``: ``_site`` stays a real
folder and is, at every moment, either the old complete site or the new one.
Where the exchange is not available (not Linux, or a file system without it)
the old site is renamed aside and the new one into place; a run killed
between the two renames leaves no ``_site``, and the next build puts the old
one back. Leftovers of killed builds are removed by the next build.
Measurements and the choice against a symlinked ``_site`` are in docs/site.md.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from jipp_kb.errors import JippError
from jipp_kb.store import exclusive

WAIT = 10.0
"""Seconds a second build waits for the first before giving up."""
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class SiteBusy(JippError, RuntimeError):
    pass


@contextlib.contextmanager
def site_lock(output: Path, wait: float = WAIT) -> Iterator[None]:
    """Hold ``.<site>.lock`` beside the site: two builds writing at once crashed 4 of 15 times."""
    output.parent.mkdir(parents=True, exist_ok=True)
    busy = SiteBusy(f"another 'jipp-kb build' is still writing {output}; try again when it has finished")
    with exclusive(output.parent / f".{output.name}.lock", wait, busy, lambda: None):
        yield


@contextlib.contextmanager
def staged(output: Path) -> Iterator[Path]:
    """A copy of ``output`` to build into, published in place of ``output`` when the block ends without error.

    Callers hold ``site_lock``: the leftovers removed first could otherwise be another build's folder.
    """
    recover(output)
    work = output.parent / f"{output.name}.{os.getpid()}.tmp"
    try:
        if output.is_dir():
            shutil.copytree(output, work, symlinks=True, copy_function=link_or_copy)
        else:
            work.mkdir(parents=True)
        yield work
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    publish(work, output)


def publish(work: Path, output: Path) -> None:
    """Put ``work`` in the place of ``output`` atomically and delete the old site."""
    if not output.exists():
        os.rename(work, output)
    elif _exchange(work, output):
        shutil.rmtree(work)  # now the old site
    else:
        trash = output.parent / f"{output.name}.{os.getpid()}.old"
        os.rename(output, trash)
        os.rename(work, output)
        shutil.rmtree(trash)


def recover(output: Path) -> None:
    """Put back a site that a killed publish left renamed aside, and remove what killed builds left."""
    found = leftovers(output)
    if not output.exists():
        olds = sorted((p for p in found if p.suffix == ".old"), key=lambda p: p.stat().st_mtime_ns)
        if olds:  # the complete old site: it is only deleted once the new one is in place
            os.rename(olds[-1], output)
            found.remove(olds[-1])
    for path in found:
        shutil.rmtree(path, ignore_errors=True)


def leftovers(output: Path) -> list[Path]:
    """Folders named like a build's temporary or old site, ``<site>.<pid>.tmp`` or ``.old``."""
    pattern = re.compile(re.escape(output.name) + r"\.\d+\.(tmp|old)")
    if not output.parent.is_dir():
        return []
    return [p for p in output.parent.iterdir() if pattern.fullmatch(p.name) and p.is_dir() and not p.is_symlink()]


def link_or_copy(src: str, dst: str) -> None:
    """Hard-link instead of copying (the build replaces files, never writes into them); copy where links fail."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2``); False where the system or file system cannot."""
    fn = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if fn is None:
        return False
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))
