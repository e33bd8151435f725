"""Publish a site build all at once, one build at a time.

A build writes into a complete copy of the site made of hard links to the
published files, so the incremental build still renders only what changed
and Pagefind can run there. The finished folder then takes the place of the
site in one ``renameat2(RENAME_EXCHANGE)``: ``_site`` stays a real folder and
is, at every moment, either the old complete site or the new one.

The copy is kept between builds (the *standby*, ``.<site>.standby`` beside
the site): after the exchange it holds the previous site, and the next build
brings it level with the published one by linking only the files that differ
(same inode: same file) instead of linking all of them into a fresh folder and
deleting the old tree — at 10,000 cases that was about 4 of a rebuild's 7
CPU-seconds. It lives beside the site, not in the index folder, so that a CI
cache of ``.jipp/`` does not carry a second copy of the site.

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

    The copy is the standby ``.<site>.standby`` beside the site, brought level
    with it first. Callers hold ``site_lock``: the leftovers removed first could
    otherwise be another build's folder.
    """
    recover(output)
    work = standby_of(output)
    sync(output, work)
    yield work  # on an error the standby stays as it is: the next build brings it level again
    publish(work, output)


def standby_of(output: Path) -> Path:
    """Where the copy of ``output`` is kept between builds (hidden, beside it: one file system, so hard links work)."""
    return output.parent / f".{output.name}.standby"


def publish(work: Path, output: Path) -> None:
    """Put ``work`` in the place of ``output`` atomically; the old site is left at ``work``, the next build's copy."""
    if not output.exists():
        os.rename(work, output)
    elif not _exchange(work, output):
        trash = output.parent / f"{output.name}.{os.getpid()}.old"
        os.rename(output, trash)
        os.rename(work, output)
        os.rename(trash, work)


def sync(source: Path, copy: Path) -> int:
    """Make ``copy`` hold exactly the files of ``source``, as hard links; only what differs is touched.

    A file whose inode is the one in ``source`` is the same file (a hard link
    shares its bytes), so only the files written or deleted since the copy
    was last synced are unlinked and linked again. Returns that number.
    """
    want_files, want_dirs = _tree(source) if source.is_dir() else ({}, set())
    if copy.is_symlink() or (copy.exists() and not copy.is_dir()):
        copy.unlink()  # not a copy of a site (a file put there by hand)
    copy.mkdir(parents=True, exist_ok=True)
    have_files, have_dirs = _tree(copy)
    gone = have_dirs - want_dirs
    changed = 0
    for rel in sorted(gone):
        if rel.rpartition("/")[0] not in gone:  # the topmost folder of a gone subtree goes with its contents
            shutil.rmtree(copy / rel, ignore_errors=True)
    for rel, inode in have_files.items():
        if want_files.get(rel) != inode:
            if rel.rpartition("/")[0] not in gone:
                os.unlink(copy / rel)
            changed += 1
    for rel in sorted(want_dirs - have_dirs):  # parents first
        os.makedirs(copy / rel, exist_ok=True)
    for rel, inode in want_files.items():
        if have_files.get(rel) != inode:
            link_or_copy(str(source / rel), str(copy / rel))
            changed += 1
    return changed


def _tree(root: Path) -> tuple[dict[str, int], set[str]]:
    """Files (with their inode, read from the directory listing: no stat per file) and folders under ``root``."""
    files: dict[str, int] = {}
    dirs: set[str] = set()
    stack = [""]
    while stack:
        rel = stack.pop()
        with os.scandir(os.path.join(root, rel) if rel else root) as entries:
            for entry in entries:
                path = rel + entry.name
                if entry.is_dir(follow_symlinks=False):
                    dirs.add(path)
                    stack.append(path + "/")
                else:
                    files[path] = entry.inode()
    return files, dirs


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
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


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
