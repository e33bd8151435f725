"""First build step: index the corpus by every facet the site browses.

Everything here is language-neutral and sorted, so the pages built from it
come out in the same order on every run.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from jipp_kb.corpus import Case, Corpus, replication_links
from jipp_kb.glossary import term_finder
from jipp_kb.schema import Collection, GlossaryEntry

Similar = dict[str, list[tuple[str, str]]]
"""Case id -> [(other case id, reason)], as the search module computes it."""


@dataclass
class Gathered:
    cases: list[Case]
    by_id: dict[str, Case]
    provinces: dict[str | None, list[str]] = field(default_factory=dict)
    """Province (None: national) -> case ids."""
    regencies: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    urusan: dict[str, list[str]] = field(default_factory=dict)
    sdgs: dict[int, list[str]] = field(default_factory=dict)
    years: dict[int | None, list[str]] = field(default_factory=dict)
    awards: dict[str, list[str]] = field(default_factory=dict)
    jenis: dict[str, list[str]] = field(default_factory=dict)
    tahapan: dict[str, list[str]] = field(default_factory=dict)
    status: dict[str, list[str]] = field(default_factory=dict)
    replicated_from: dict[str, list[str]] = field(default_factory=dict)
    replicated_by: dict[str, list[str]] = field(default_factory=dict)
    similar: Similar = field(default_factory=dict)
    collections: dict[str, Collection] = field(default_factory=dict)
    case_collections: dict[str, list[str]] = field(default_factory=dict)
    edit_files: dict[str, str] = field(default_factory=dict)
    """Case id -> path of its file in the repository, for 'edit this page'."""
    terms: Callable[[str], list[GlossaryEntry]] = lambda text: []
    """The glossary entries a text uses, explained on a case's page (and searchable there, in English too).

    Called only for the pages rendered this build (2 ms a case); their keys hold :attr:`glossary_key` instead."""
    glossary_key: str = ""
    stamps: dict[str, str] = field(default_factory=dict)
    """Case id -> ``"<id> <file digest>"``: how page groups name the cases they show (render/pages.py ``PageGroup``)."""
    collection_digests: dict[str, str] = field(default_factory=dict)
    inputs: dict[tuple, str] = field(default_factory=dict)
    """Inputs digests of page groups, worked out once for both languages (render/pages.py ``Views.inputs``)."""
    title_order: list[str] = field(default_factory=list)
    """Case ids in title order, as lists show them."""
    newest: list[str] = field(default_factory=list)
    """Case ids, latest start year first (then by title)."""
    reviewed: list[str] = field(default_factory=list)
    """Case ids, last reviewed first: the home page's list and the feeds."""
    lists: dict[str, list[tuple[int, int, list[tuple[int, list[str]]]]]] = field(default_factory=dict)
    """A list's path -> its pages: (number, total, [(section, case ids)]), worked out once for both languages."""
    sections: dict[tuple[str, str], list[tuple[str, list[str]]]] = field(default_factory=dict)
    """The sections of a list cut by something other than the facet (an award's year and tier), for both languages."""
    rank: dict[str, int] = field(default_factory=dict)
    """Position of each case in title order: lists sort by it instead of comparing titles."""


def _index(pairs) -> dict:
    """key -> case ids in first-seen order, each id once."""
    out: dict = defaultdict(dict)
    for key, case_id in pairs:
        out[key][case_id] = None
    return {key: list(ids) for key, ids in out.items()}


def gather(corpus: Corpus, similar: Similar, corpus_dir: Path) -> Gathered:
    """Facets, two-way replication links, 'similar' lists and collections of the valid cases."""
    cases = corpus.sorted_cases()
    by_id = {c.id: c for c in cases}
    g = Gathered(cases, by_id)
    metas = [(c.meta, cid) for cid, c in by_id.items()]  # in id order, like cases
    g.provinces = _index((m.province, cid) for m, cid in metas)
    g.regencies = _index(((m.province, m.regency), cid) for m, cid in metas if m.province and m.regency)
    g.urusan = _index((u, cid) for m, cid in metas for u in m.urusan)
    g.sdgs = _index((n, cid) for m, cid in metas for n in sorted(set(m.sdgs)))
    g.years = _index((m.year_started, cid) for m, cid in metas)
    g.awards = _index((a.name, cid) for m, cid in metas for a in m.awards)
    g.jenis = _index((m.jenis, cid) for m, cid in metas)
    g.tahapan = _index((m.tahapan, cid) for m, cid in metas)
    g.status = _index((m.status, cid) for m, cid in metas)
    g.replicated_from, g.replicated_by = replication_links(cases)
    g.similar = {
        cid: [(other, reason) for other, reason in similar.get(cid, []) if other in by_id and other != cid]
        for cid in by_id
        if similar.get(cid)
    }
    g.collections = {k: corpus.collections[k] for k in sorted(corpus.collections)}
    g.case_collections = _index((cid, col_id) for col_id, col in g.collections.items() for cid in col.cases if cid in by_id)
    prefix = corpus_dir.as_posix().strip("/") if not corpus_dir.is_absolute() else "corpus"
    root = corpus.root.absolute().as_posix().rstrip("/") + "/"
    g.edit_files = {cid: _repo_file(c, root, prefix) for cid, c in by_id.items()}
    g.terms = lru_cache(maxsize=64)(term_finder(corpus.glossary))  # a case's two language pages ask in turn
    g.glossary_key = hashlib.sha256(json.dumps([e.model_dump() for e in corpus.glossary], sort_keys=True).encode()).hexdigest()[:16]
    g.stamps = {cid: f"{cid} {c.digest}" for cid, c in by_id.items()}
    g.collection_digests = {k: _digest(col.model_dump(mode="json")) for k, col in g.collections.items()}
    g.title_order = [cid for _, cid in sorted((m.title.casefold(), cid) for m, cid in metas)]
    g.rank = {cid: i for i, cid in enumerate(g.title_order)}
    g.newest = [cid for *_, cid in sorted((-(m.year_started or 0), g.rank[cid], cid) for m, cid in metas)]
    g.reviewed = [cid for _, cid in sorted((-m.last_reviewed.toordinal(), cid) for m, cid in metas)]
    return g


def _digest(data: object) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def _repo_file(case: Case, root: str, prefix: str) -> str:
    """``corpus/<id>.md`` as the repository names it, even when the corpus was loaded from elsewhere."""
    path = case.path.absolute().as_posix()
    inside = path[len(root) :] if path.startswith(root) else case.path.name
    return f"{prefix}/{inside}" if prefix not in ("", ".") else inside
