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
import json
import os
import re
import shutil
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

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
def staged(output: Path, listing: Path | None = None) -> Iterator[Path]:
    """A copy of ``output`` to build into, published in place of ``output`` when the block ends without error.

    The copy is the standby ``.<site>.standby`` beside the site, brought level
    with it first. Callers hold ``site_lock``: the leftovers removed first could
    otherwise be another build's folder.

    ``listing``: a file where the listings of both trees are kept between
    builds, so that neither is walked (at 10,000 cases each walk of ~25,000
    folders was 0.3 of a rebuild's seconds). After the exchange the standby is
    the old site, whose listing this build read when it brought the copy
    level. The site is the copy this build wrote into: its listing is that
    same listing, with each folder's modification time taken before the
    build wrote anything; the next build looks at each folder's time (one
    ``stat``, not a listing) and lists again only the folders that changed —
    written by the build, or by someone else since. The file is removed
    before the standby is touched, so a killed build leaves none; it names
    both folders (device and inode; the standby's modification time too): a
    folder replaced is walked.
    """
    recover(output)
    work = standby_of(output)
    kept = _read_listing(listing, work, output) if listing else None
    if listing:
        listing.unlink(missing_ok=True)
    site = _site_tree(output, *kept.site) if kept and kept.site else None
    tree = sync(output, work, kept.standby if kept else None, site).tree
    marks = _marks(work, tree[1])  # before the build writes: what it changes, the next build sees changed
    yield work  # on an error the standby stays as it is: the next build brings it level again
    publish(work, output)
    if listing and work.is_dir():
        _write_listing(listing, work, output, tree, marks)


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


Tree = tuple[dict[str, int], set[str]]
"""Files (relative path -> inode) and folders of a site."""


class Synced(NamedTuple):
    changed: int
    """Files unlinked or linked."""
    tree: Tree
    """The listing of the source, which the copy now has."""


def sync(source: Path, copy: Path, known: Tree | None = None, source_tree: Tree | None = None) -> Synced:
    """Make ``copy`` hold exactly the files of ``source``, as hard links; only what differs is touched.

    A file whose inode is the one in ``source`` is the same file (a hard link
    shares its bytes), so only the files written or deleted since the copy
    was last synced are unlinked and linked again. ``known``: the copy's
    listing, if the caller knows it (else the copy is walked); should it be
    wrong, the copy is walked and synced again. ``source_tree``: the listing
    of ``source``, if the caller knows it.
    """
    want = source_tree or (_tree(source) if source.is_dir() else ({}, set()))
    if copy.is_symlink() or (copy.exists() and not copy.is_dir()):
        copy.unlink()  # not a copy of a site (a file put there by hand)
    copy.mkdir(parents=True, exist_ok=True)
    if known is not None or source_tree is not None:
        try:
            return Synced(_apply(source, copy, want, known or _tree(copy)), want)
        except OSError:  # a listing was wrong: walk both
            want = _tree(source) if source.is_dir() else ({}, set())
    return Synced(_apply(source, copy, want, _tree(copy)), want)


def _apply(source: Path, copy: Path, want: Tree, have: Tree) -> int:
    """Change ``copy``, whose listing is ``have``, into ``want`` (the listing of ``source``); the number of files touched."""
    (want_files, want_dirs), (have_files, have_dirs) = want, have
    gone = have_dirs - want_dirs
    changed = 0
    for rel in sorted(gone):
        if rel.rpartition("/")[0] not in gone:  # the topmost folder of a gone subtree goes with its contents
            shutil.rmtree(copy / rel, ignore_errors=True)
    for rel, inode in have_files.items():
        if want_files.get(rel) != inode:
            if rel.rpartition("/")[0] not in gone:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(copy / rel)
            changed += 1
    for rel in sorted(want_dirs - have_dirs):  # parents first
        os.makedirs(copy / rel, exist_ok=True)
    for rel, inode in want_files.items():
        if have_files.get(rel) != inode:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(copy / rel)  # only there if ``have`` was wrong; never copied into: it may be a link to the site
            link_or_copy(str(source / rel), str(copy / rel))
            changed += 1
    return changed


RACY_NS = 2_000_000_000
"""A folder changed this close before its time was taken may change again within the same tick of the file
system's clock (coarse, up to 2 s on some file systems) without its time moving: it is listed again anyway."""


class Kept(NamedTuple):
    standby: Tree | None
    """The standby's listing, if the standby is the folder the last build left."""
    site: tuple[Tree, dict[str, int]] | None
    """The site's listing before the last build wrote into it, and its folders' times then."""


def _read_listing(listing: Path, standby: Path, site: Path) -> Kept | None:
    """The listings the last build left, for the folders that are still the ones it left."""
    try:
        data = json.loads(listing.read_text(encoding="utf-8"))
        tree = dict(data["files"]), set(data["dirs"])
        st = os.stat(standby, follow_symlinks=False)
        same = data["standby"] == [st.st_dev, st.st_ino, st.st_mtime_ns] and stat.S_ISDIR(st.st_mode)
        st = os.stat(site, follow_symlinks=False)
        ours = data["site"] == [st.st_dev, st.st_ino] and stat.S_ISDIR(st.st_mode)
        return Kept(tree if same else None, (tree, dict(data["marks"])) if ours else None)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_listing(listing: Path, standby: Path, site: Path, tree: Tree, marks: dict[str, int]) -> None:
    st, site_st = os.stat(standby, follow_symlinks=False), os.stat(site, follow_symlinks=False)
    data = {
        "standby": [st.st_dev, st.st_ino, st.st_mtime_ns],
        "site": [site_st.st_dev, site_st.st_ino],
        "files": tree[0],
        "dirs": sorted(tree[1]),
        "marks": marks,
    }
    listing.parent.mkdir(parents=True, exist_ok=True)
    tmp = listing.with_name(f"{listing.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    tmp.replace(listing)


def _marks(root: Path, dirs: set[str]) -> dict[str, int]:
    """Modification time of each folder (``""``: the root); -1 for one changed too recently to be told apart (``RACY_NS``)."""
    since = time.time_ns() - RACY_NS
    out = {}
    for rel in ("", *dirs):
        mtime = os.stat(f"{root}/{rel}", follow_symlinks=False).st_mtime_ns
        out[rel] = mtime if mtime < since else -1
    return out


def _site_tree(root: Path, base: Tree, marks: dict[str, int]) -> Tree:
    """The listing of ``root``, from ``base`` (its listing when ``marks`` were taken): only changed folders are listed.

    A folder's time moves whenever an entry is added, removed or renamed in it
    (a replaced file is a new entry); a file written into keeps its inode, so
    the listing of a folder whose time is unchanged still holds."""
    files, dirs = dict(base[0]), set(base[1])
    in_dir: dict[str, list[str]] = {}
    for rel in files:
        in_dir.setdefault(rel.rpartition("/")[0], []).append(rel)
    subdirs: dict[str, list[str]] = {}
    for rel in dirs:
        subdirs.setdefault(rel.rpartition("/")[0], []).append(rel)

    def drop(rel: str) -> None:
        dirs.discard(rel)
        for name in in_dir.pop(rel, []):
            files.pop(name, None)
        for sub in subdirs.pop(rel, []):
            drop(sub)

    for rel in ("", *sorted(dirs)):  # a folder before its subfolders
        if rel and rel not in dirs:
            continue  # dropped with its parent
        try:
            st = os.stat(f"{root}/{rel}", follow_symlinks=False)
        except FileNotFoundError:
            drop(rel)
            continue
        if not stat.S_ISDIR(st.st_mode):  # replaced by a file: its parent, listed again before it, has it
            drop(rel)
            continue
        if marks.get(rel) == st.st_mtime_ns:
            continue
        for name in in_dir.pop(rel, []):
            files.pop(name, None)
        seen = set()
        prefix = f"{rel}/" if rel else ""
        with os.scandir(f"{root}/{rel}") as entries:
            for entry in entries:
                path = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    seen.add(path)
                    if path not in dirs:
                        new_files, new_dirs = _tree(root, path + "/")
                        files.update(new_files)
                        dirs |= new_dirs | {path}
                else:
                    files[path] = entry.inode()
        for sub in subdirs.get(rel, []):
            if sub not in seen:
                drop(sub)
    return files, dirs


def _tree(root: Path, start: str = "") -> Tree:
    """Files (with their inode, read from the directory listing: no stat per file) and folders under ``root``.

    ``start``: only under this subfolder (``"a/b/"``); paths stay relative to ``root``."""
    files: dict[str, int] = {}
    dirs: set[str] = set()
    stack = [start]
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
