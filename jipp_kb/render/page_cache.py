"""The keys of the last build's pages, by the digest of each page group's inputs.

A page's key is the hash of everything it shows (render/site.py); working it
out means building the page's data, which at 10,000 cases is most of a
rebuild (about 2.5 of 4 CPU-seconds, for 24,600 pages, of which a changed case
needs 6). A page group (render/pages.py ``PageGroup``) also has an *inputs*
digest: the file digests of the cases it shows, and what it shows of others.
When a group's inputs and the build's *scope* are those of a past build, its
pages' keys are the ones recorded then, and its data is not built at all.

The scope is everything else a page can read: the theme (templates, strings,
static files, pages, with the code that renders them), every file of the
``jipp_kb`` package (code and data such as the regions and vocabularies),
the versions of the libraries, the settings and the language. Any change to
one of them leaves every recorded key unused, so a stale key can only come
from an input a group forgot to name — hence the tests that compare a
rebuild with a cold build byte for byte.

The cache is a plain memo (inputs -> keys): whether the site was published
does not matter to it, and a lost or unreadable file costs one full build.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import jipp_kb

VERSION = 2


@dataclass(frozen=True, slots=True)
class Record:
    """What the build needs of a page it does not build: where it goes, its key, and its sitemap entry."""

    path: str
    """Page path (``Urls.output_file`` gives its file)."""
    key: str
    lastmod: str | None
    """ISO date, or None."""
    in_sitemap: bool

    def line(self) -> str:
        return f"{self.path}\t{self.key}\t{self.lastmod or ''}\t{int(self.in_sitemap)}"

    @classmethod
    def parse(cls, line: str) -> Record:
        path, key, lastmod, in_sitemap = line.split("\t")
        return cls(path, key, lastmod or None, in_sitemap == "1")


def package_digest(root: Path = Path(jipp_kb.__file__).parent) -> str:
    """Every file of the jipp_kb package (``root``): its code and the data files it reads (regions, vocabularies)."""
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


class PageCache:
    """Records of page groups by ``scope`` and inputs, and card digests by scope and case; :meth:`save` keeps what this build used."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.old: dict[str, str] = {}
        self.new: dict[str, str] = {}
        """Group name -> its records, a line each (one JSON string a group: a third of the time of a list a page)."""
        self.old_cards: dict[str, dict[str, str]] = {}
        self.new_cards: dict[str, dict[str, str]] = {}
        if path and path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("version") == VERSION:
                    self.old, self.old_cards = dict(data["groups"]), dict(data["cards"])
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                self.old, self.old_cards = {}, {}

    @staticmethod
    def name(scope: str, inputs: str) -> str:
        return hashlib.blake2b(f"{scope} {inputs}".encode(), digest_size=20).hexdigest()

    def get(self, name: str) -> list[Record] | None:
        text = self.old.get(name)
        if text is None:
            return None
        try:
            return [Record.parse(line) for line in text.split("\n")] if text else []
        except (ValueError, AttributeError):  # not a cache this code wrote
            return None

    def put(self, name: str, records: list[Record]) -> None:
        if not any(c in r.path for r in records for c in "\t\n"):  # page paths are slugs; a stranger is not kept
            self.new[name] = "\n".join(r.line() for r in records)

    def keep(self, name: str) -> None:
        """The group was taken from the cache: record it again."""
        self.new[name] = self.old[name]

    def cards(self, scope: str) -> dict[str, str]:
        """Case stamp -> card digest in ``scope``; the caller adds the cards it makes, and they are saved."""
        known = self.old_cards.get(scope)
        self.new_cards[scope] = dict(known) if isinstance(known, dict) else {}
        return self.new_cards[scope]

    def save(self, stamps: set[str]) -> None:
        """Write the groups of this build and the cards of the cases in ``stamps`` (a new file renamed into place)."""
        if not self.path:
            return
        cards = {scope: {s: d for s, d in known.items() if s in stamps} for scope, known in self.new_cards.items()}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"version": VERSION, "groups": self.new, "cards": cards}, separators=(",", ":")), encoding="utf-8")
        tmp.replace(self.path)
