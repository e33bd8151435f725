"""Keyword search with whoosh — the only module that imports it.

The index holds one document per case: weighted text fields (title and
acronym, summary, sections, tags), an unstemmed ``spell`` field for "did you
mean", and facet fields for filters. Field weights are applied at query time,
so they can be tuned without reindexing.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path

from whoosh import collectors, highlight, index, qparser, query, searching
from whoosh.analysis import LowercaseFilter, RegexTokenizer, Token, Tokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from jipp_kb.errors import NoIndex
from jipp_kb.progress import Progress, silent
from jipp_kb import store
from jipp_kb.analysis import Analysis, plain_text, stopwords
from jipp_kb.glossary import Glossary

NAME = "keyword"
FIELD_WEIGHTS = {"title": 2.0, "acronym": 1.0, "summary": 3.0, "tags": 3.0, "body": 2.0}
"""BM25F weights, chosen on the tune half of the judged queries (docs/search.md): summaries and curated tags say most about a case."""
ENGLISH_WEIGHT = 4.0
"""Weight of the English summaries analysed as English, searched for a query in English (:meth:`KeywordIndex.is_english`);
chosen on the tune half (1 / 2 / 3 / 4 / 6 / 9: English queries 0.902 / 0.913 / 0.931 / 0.934 / 0.934 / 0.933)."""
FACETS = ("province", "regency", "level", "urusan", "jenis", "bentuk", "tahapan", "year", "sdg", "award", "status")
MULTI = {"urusan", "sdg", "award"}
TIME_BUDGET = 1.0
"""Seconds a keyword search may collect matches; past it, the best found so far are returned (``complete`` False)."""
RANKER_FOLDER = "tantivy"
"""Sub-folder of a generation holding the tantivy copy (``keyword_engine = "tantivy"``)."""
INDEX_FORMAT = 8
"""Bump when ``make_schema`` or ``document`` change: an index of another format is rebuilt."""


class IndonesianTokenizer(Tokenizer):
    """Whoosh wrapper around :class:`Analysis` (positions and offsets for highlighting)."""

    language = "id"

    def __init__(self, stemmer: str = "snowball", stop: bool = True) -> None:
        self.stemmer, self.stop = stemmer, stop

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and (self.stemmer, self.stop) == (other.stemmer, other.stop)

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        analysis = Analysis(stemmer=self.stemmer, stop=self.stop, language=self.language)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, (text, start, end) in enumerate(analysis.terms(value)):
            token.text, token.boost, token.stopped = text, 1.0, False
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


class EnglishTokenizer(IndonesianTokenizer):
    """The same for the English summaries: Snowball English and English function words."""

    language = "en"


def make_schema(analysis: Analysis) -> Schema:
    # chars=True stores character offsets, so snippets need no re-analysis (PinpointFragmenter).
    text = lambda stored=False: TEXT(analyzer=IndonesianTokenizer(analysis.stemmer, analysis.stop), stored=stored, phrase=True, chars=True)
    facet = lambda: ID(stored=True)
    multi = lambda: KEYWORD(stored=True, commas=True, lowercase=False, scorable=False)
    return Schema(
        id=ID(stored=True, unique=True),
        digest=STORED(),
        title=text(stored=True),
        acronym=text(stored=True),
        summary=text(stored=True),
        body=text(stored=True),
        tags=text(stored=True),
        english=TEXT(analyzer=EnglishTokenizer(analysis.stemmer, analysis.stop), phrase=True),
        spell=TEXT(analyzer=RegexTokenizer(r"\w+") | LowercaseFilter()),
        region=STORED(),
        depth=STORED(),
        replicated=NUMERIC(int, stored=True),
        province=facet(),
        regency=facet(),
        level=facet(),
        jenis=facet(),
        bentuk=facet(),
        tahapan=facet(),
        status=facet(),
        urusan=multi(),
        sdg=multi(),
        award=multi(),
        year=NUMERIC(int, stored=True),
    )


def document(case) -> dict:
    """A corpus case as whoosh fields."""
    m = case.meta
    body = "\n\n".join(f"{title}\n{plain_text(text)}" for title, text in case.sections.items())
    awards = sorted({a.name for a in m.awards} | {_multi_value(f"{a.name} {a.tier}") for a in m.awards})
    return {
        "id": m.id,
        "digest": case.digest,
        "title": m.title,
        "acronym": m.acronym_expansion or "",
        "summary": f"{m.summary}\n\n{m.summary_en}",
        "body": body,
        "tags": ", ".join(m.tags),
        "english": m.summary_en,
        "spell": " ".join([m.title, m.acronym_expansion or "", m.summary, m.summary_en, body, " ".join(m.tags)]),
        "region": m.region,
        "depth": m.depth,
        "replicated": len(m.replicated_by),
        "province": m.province or "",
        "regency": m.regency or "",
        "level": m.level,
        "jenis": m.jenis,
        "bentuk": m.bentuk,
        "tahapan": m.tahapan,
        "status": m.status,
        "urusan": ",".join(_multi_value(u) for u in m.urusan),
        "sdg": ",".join(str(s) for s in m.sdgs),
        "award": ",".join(awards),
        "year": m.year_started or 0,
    }


@dataclass
class IndexReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    rebuilt: bool = False
    compacted: bool = False


def build(
    root: Path,
    cases: list,
    glossary: list[dict],
    analysis: Analysis = Analysis(),
    rebuild: bool = False,
    progress: Progress = silent,
    engine: str = "whoosh",
) -> IndexReport:
    """Bring the keyword index under ``root`` up to date with ``cases``.

    Incremental when the published index was built with the same analysis:
    only added, changed (content hash) or deleted cases are touched.
    Otherwise a full rebuild into a new generation, swapped in atomically.
    With ``engine`` "tantivy", the generation also holds the tantivy copy that ranks queries.
    """
    report = IndexReport()
    live = store.current(root, NAME)
    meta = _read_meta(live) if live else None
    if rebuild or meta is None or meta.get("analysis") != analysis.signature or meta.get("format") != INDEX_FORMAT:
        gen = store.new_generation(root, NAME)
        ix = index.create_in(str(gen), make_schema(analysis))
        writer = ix.writer(limitmb=128)
        docs = []
        with progress(len(cases), "Indexing cases") as bar:
            for case in cases:
                docs.append(document(case))
                writer.add_document(**docs[-1])
                report.added.append(case.id)
                bar.update(1)
        writer.commit()
        if engine == "tantivy":
            from jipp_kb import tantivy_index

            tantivy_index.build(gen, docs, analysis, MULTI)
        _write_meta(gen, analysis, glossary, fresh_bytes=_size(gen), engine=engine)
        store.publish(root, NAME, gen)
        report.rebuilt = True
        return report
    ix = index.open_dir(str(live))
    with ix.searcher() as searcher:
        indexed = {f["id"]: f["digest"] for f in searcher.all_stored_fields()}
    wanted = {c.id: c for c in cases}
    writer = ix.writer(limitmb=128)
    for cid in sorted(set(indexed) - set(wanted)):
        writer.delete_by_term("id", cid)
        report.deleted.append(cid)
    docs = []
    changed = [c for c in cases if indexed.get(c.id) != c.digest]
    with progress(len(changed), "Indexing cases") as bar:
        for case in changed:
            docs.append(document(case))
            writer.update_document(**docs[-1])
            (report.updated if case.id in indexed else report.added).append(case.id)
            bar.update(1)
    report.unchanged = len(cases) - len(report.added) - len(report.updated)
    if report.added or report.updated or report.deleted:
        writer.commit()
    else:
        writer.cancel()
    if _grown(ix, live, meta):
        ix.optimize()
        report.compacted = True
    _sync_ranker(live, engine, meta.get("engine", "whoosh"), report, docs, cases, analysis)
    _write_meta(live, analysis, glossary, fresh_bytes=meta.get("fresh_bytes") or _size(live), engine=engine)
    return report


def _sync_ranker(live: Path, engine: str, was: str, report: IndexReport, docs: list[dict], cases: list, analysis: Analysis) -> None:
    """Keep the tantivy copy in step with the whoosh index: updated, made when first asked for, dropped when not."""
    if engine != "tantivy":
        shutil.rmtree(live / RANKER_FOLDER, ignore_errors=True)  # a copy left stale would rank wrongly if switched back
        return
    from jipp_kb import tantivy_index

    if was == "tantivy" and tantivy_index.exists(live):
        if report.added or report.updated or report.deleted:
            tantivy_index.update(live, report.deleted, docs, analysis, MULTI)
    else:
        tantivy_index.build(live, [document(c) for c in cases], analysis, MULTI)


MAX_SEGMENTS = 4
"""More segments than this, or twice the size of a fresh build, and the index is merged into one segment.

Each incremental update adds a segment and only marks replaced documents deleted:
across updates the index grew from 3 MB to 32 MB, and every search reads every segment.
"""


def _grown(ix: index.Index, live: Path, meta: dict) -> bool:
    """Whether the live index has outgrown its fresh build (segments or bytes)."""
    segments = ix._segments()  # whoosh has no public accessor; the list the TOC holds
    fresh = meta.get("fresh_bytes")
    return len(segments) > MAX_SEGMENTS or (bool(fresh) and _size(live) > 2 * fresh)


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.iterdir() if p.is_file())


def _write_meta(path: Path, analysis: Analysis, glossary: list[dict], fresh_bytes: int, engine: str = "whoosh") -> None:
    tmp = path / "jipp-meta.json.tmp"
    tmp.write_text(
        json.dumps(
            {
                "format": INDEX_FORMAT,
                "analysis": analysis.signature,
                "stemmer": analysis.stemmer,
                "stop": analysis.stop,
                "glossary": glossary,
                "fresh_bytes": fresh_bytes,
                "engine": engine,
            },
            ensure_ascii=False,
            sort_keys=True,
        ),
        encoding="utf-8",
    )
    tmp.replace(path / "jipp-meta.json")


def _read_meta(path: Path) -> dict | None:
    try:
        return json.loads((path / "jipp-meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@dataclass
class Hit:
    id: str
    title: str
    region: str
    score: float
    _snippet: Callable[[], str] = field(repr=False)

    @property
    def snippet(self) -> str:
        """The best passage with the matched words in <mark>; made only when asked (it is the slow part)."""
        return " ".join(self._snippet().split())


@dataclass
class KeywordResults:
    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]]
    suggestion: str | None
    expanded: list[str]
    complete: bool = True


class KeywordIndex:
    """An opened keyword index; cheap to keep and query many times."""

    def __init__(self, root: Path, use_glossary: bool = True) -> None:
        live = store.current(root, NAME)
        meta = _read_meta(live) if live else None
        if meta is None:
            raise NoIndex(f"no keyword index in {root}; run 'jipp-kb index' first")
        self.analysis = Analysis(stemmer=meta["stemmer"], stop=meta["stop"])
        self.glossary = meta["glossary"] if use_glossary else []
        forms = [f for e in self.glossary for f in (e["term"], e.get("expansion") or "", *e.get("synonyms", []))]
        self.glossary_words = {w.lower() for form in forms for w in form.split()}
        """Words the spelling corrector leaves alone: the glossary already relates them."""
        self.expander = Glossary(self.glossary, self.analysis)
        self._stored: dict[str, dict | None] = {}
        self._briefs: dict[int, tuple[str, str, str]] = {}
        self.ix = index.open_dir(str(live))
        self.searcher = self.ix.searcher()
        self.ranker = None
        """The tantivy copy that ranks queries, when the index was built with ``keyword_engine = "tantivy"``."""
        if meta.get("engine") == "tantivy":
            from jipp_kb import tantivy_index

            self.ranker = tantivy_index.Ranker(live, MULTI)
        self.parser = _parser(self.ix.schema, FIELD_WEIGHTS)
        self.english_parser = _parser(self.ix.schema, FIELD_WEIGHTS | {"english": ENGLISH_WEIGHT})
        self.english = replace(self.analysis, language="en")

    def close(self) -> None:
        self.searcher.close()

    def search(
        self,
        text: str,
        filters: dict | None = None,
        limit: int = 10,
        facets: bool = False,
        budget: float = TIME_BUDGET,
    ) -> KeywordResults:
        """Best matches first. Block-quality skipping is off: it loops forever on some queries (whoosh #446, #461)."""
        parser = self.english_parser if self.is_english(text) else self.parser
        q = parser.parse(text)
        suggestion, corrected = self._spelling(text)
        alternatives = list(dict.fromkeys(self.expander.expansions(suggestion or text) + corrected))  # a corrected word's synonyms too
        if alternatives:
            q = query.Or([q] + [parser.parse(f'"{a}"' if " " in a else a).with_boost(0.8) for a in alternatives])
        flt = filter_query(filters or {})
        if self.ranker is not None and not facets:
            ranked = self._rank(q, flt, limit)
            if ranked is not None:
                hits = [self._ranked_hit(cid, score, q) for cid, score in ranked[0]]
                return KeywordResults(hits, ranked[1], {}, suggestion, alternatives)
        results, complete = self._collect(q, None if facets else limit, flt, budget)
        results.fragmenter = highlight.PinpointFragmenter(maxchars=240, surround=70, autotrim=True)
        results.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
        hits = [Hit(*self._brief(r.docnum), round(r.score, 4), lambda r=r: self._whoosh_snippet(r)) for r in results[:limit]]
        facet_counts = _count_facets(results) if facets else {}
        return KeywordResults(hits, len(results) if facets else results.scored_length(), facet_counts, suggestion, alternatives, complete)

    def _collect(self, q: query.Query, limit: int | None, flt: query.Query | None, budget: float, mask: set[int] | None = None):
        """Run ``q`` without block-quality optimisation, stopping at the time budget with what was found.

        Nor does the collector *replace* the matcher as it goes (``replace=0``):
        whoosh rebuilds an OR query's coordination wrapper around the terms still
        active, so a document's score depended on how far the collection had
        got (up to 10 points apart for one case), and computing the bounds for
        it took a fifth of a warm query.
        """
        top = collectors.TopCollector(limit, usequality=False) if limit else collectors.UnlimitedCollector()
        top.replace = 0  # one place for both collectors (UnlimitedCollector takes no argument for it)
        c = _Deadline(collectors.TermsCollector(top), budget)
        if flt is not None or mask:
            c = collectors.FilterCollector(c, flt, mask)  # outermost, so filtered-out documents are never scored
        try:
            self.searcher.search_with_collector(q, c)
        except searching.TimeLimit:
            return c.results(), False
        return c.results(), True

    def _rank(self, q: query.Query, flt: query.Query | None, limit: int) -> tuple[list[tuple[str, float]], int] | None:
        """(id, score) best first and the number of matches, from tantivy; None for a query it cannot take."""
        from jipp_kb.tantivy_index import Unsupported

        try:
            return self.ranker.rank(q, flt, limit)
        except Unsupported:
            return None

    def _whoosh_snippet(self, r: searching.Hit) -> str:
        """From the case's stored fields as :meth:`stored` keeps them (the shown results' are read already)."""
        fields = self.stored(self._brief(r.docnum)[0]) or {}
        return (
            r.highlights("body", text=fields.get("body", ""), top=1)
            or r.highlights("summary", text=fields.get("summary", ""), top=1)
            or _opening(fields.get("summary", ""))
        )

    def _ranked_hit(self, case_id: str, score: float, q: query.Query) -> Hit:
        fields = self.stored(case_id) or {}
        return Hit(case_id, fields.get("title", case_id), fields.get("region", ""), round(score, 4), lambda: self._highlight(fields, q))

    def _highlight(self, fields: dict, q: query.Query) -> str:
        """A snippet as whoosh would make it, by analysing the stored text again (only for the hits shown)."""
        for name in ("body", "summary"):
            words = {text for field_name, text in q.iter_all_terms() if field_name == name}
            text = fields.get(name) or ""
            if words and text:
                found = highlight.highlight(
                    text,
                    frozenset(words),
                    self.ix.schema[name].analyzer,
                    highlight.ContextFragmenter(maxchars=240, surround=70),  # Pinpoint needs the offsets whoosh's own search records
                    highlight.HtmlFormatter(tagname="mark", between=" … "),
                    top=1,
                )
                if found:
                    return found
        return _opening(fields.get("summary", ""))

    def is_english(self, text: str) -> bool:
        """More of the query's words are found only in English (the English summaries, English function words) than only in Indonesian."""
        reader = self.searcher.reader()
        votes = 0
        for word in qparser_words(text):
            if ":" in word or not word.isalpha():
                continue
            english = word in stopwords("en") or reader.doc_frequency("english", self.english.stem_word(word)) > 0
            indonesian = word in stopwords() or reader.doc_frequency("body", self.analysis.stem_word(word)) > 0
            votes += english - indonesian
        return votes > 0

    def _spelling(self, text: str) -> tuple[str | None, list[str]]:
        """A corrected query when a word is unknown to the corpus, plus the corrections."""
        reader = self.searcher.reader()
        corrector = self.searcher.corrector("spell")
        fixed, changed = [], []
        for word in qparser_words(text):
            if len(word) < 4 or word.isdigit() or ":" in word or word in self.glossary_words or reader.doc_frequency("spell", word):
                fixed.append(word)
                continue
            # A word cut short is completed, as the site's search finds the words it begins: "puskes" is
            # "puskesmas" (the commonest such word), not "pushes".
            options = sorted((t.decode() for t in reader.expand_prefix("spell", word)), key=lambda t: -reader.doc_frequency("spell", t))
            # Else one edit for a short word, two for a longer one (as the site's search page): "bikin" is not "bukan".
            # Typos rarely hit the first letter (and prefix=1 is 5-10x faster).
            options = options or corrector.suggest(word, limit=1, maxdist=1 if len(word) < 6 else 2, prefix=1)
            options = [o for o in options if o not in stopwords()]  # a stop word is not searched: "susah" is not "sudah"
            if options:
                fixed.append(options[0])
                changed.append(options[0])
            else:
                fixed.append(word)
        return (" ".join(fixed) if changed else None), changed

    def matching_ids(self, filters: dict) -> set[str]:
        """Ids of every case the filters allow, to filter the embedding side the same way."""
        if self.ranker is not None:
            ranked = self._rank(query.Every(), filter_query(filters), max(1, self.searcher.doc_count()))
            if ranked is not None:
                return {cid for cid, _ in ranked[0]}
        results = self.searcher.search(query.Every(), filter=filter_query(filters), limit=None)
        return {r["id"] for r in results}

    def replicated_ids(self, filters: dict) -> set[str]:
        """Ids of the cases with documented replicas that the filters allow."""
        results = self.searcher.search(query.NumericRange("replicated", 1, None), filter=filter_query(filters), limit=None)
        return {r["id"] for r in results}

    def more_like(self, case_id: str, limit: int = 50) -> list[tuple[str, float]]:
        """Cases sharing the most distinctive words of ``case_id`` (whoosh's key-term query)."""
        docnum = self.searcher.document_number(id=case_id)
        if docnum is None:
            return []
        terms = self.searcher.key_terms([docnum], "body", numterms=25, normalize=True)
        q = query.Or([query.Term("body", word, boost=weight) for word, weight in terms])
        if self.ranker is not None:
            ranked = self._rank(q, None, limit + 1)
            if ranked is not None:
                return [(cid, round(score, 4)) for cid, score in ranked[0] if cid != case_id][:limit]
        hits, _ = self._collect(q, limit, None, TIME_BUDGET, mask={docnum})  # whoosh's own more_like can loop forever (#340)
        return [(h["id"], round(h.score, 4)) for h in hits if h["id"] != case_id]

    def _brief(self, docnum: int) -> tuple[str, str, str]:
        """A hit's id, title and region, kept once read: a whole stored document (its body too) is a ~0.1 ms read, and hybrid search ranks 100 keyword hits."""
        if docnum not in self._briefs:
            fields = self.searcher.stored_fields(docnum)
            self._briefs[docnum] = (fields["id"], fields["title"], fields["region"])
        return self._briefs[docnum]

    def stored(self, case_id: str) -> dict | None:
        """A case's stored fields, kept once read: this searcher's index never changes, and whoosh takes ~0.4 ms a read."""
        if case_id not in self._stored:
            self._stored[case_id] = self.searcher.document(id=case_id)
        return self._stored[case_id]


class _Deadline(collectors.WrappingCollector):
    """Stops collecting at a deadline. whoosh's TimeLimitCollector would, if wrapped around a filter, bypass the filter."""

    def __init__(self, child: collectors.Collector, budget: float) -> None:
        super().__init__(child)
        self.budget = budget

    def prepare(self, top_searcher, q, context) -> None:
        self.deadline = time.monotonic() + self.budget
        self.child.prepare(top_searcher, q, context)

    def collect(self, sub_docnum: int):
        if time.monotonic() > self.deadline:
            raise searching.TimeLimit
        return self.child.collect(sub_docnum)


def _parser(schema: Schema, weights: dict[str, float]) -> qparser.MultifieldParser:
    """Words OR-grouped over the weighted fields (a case with more of them scores higher); no wildcards."""
    parser = qparser.MultifieldParser(list(weights), schema, fieldboosts=weights, group=qparser.OrGroup.factory(0.9))
    parser.remove_plugin_class(qparser.WildcardPlugin)
    return parser


def qparser_words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[\w:-]+", text)]


def filter_query(filters: dict) -> query.Query | None:
    """AND across fields, OR within a field; ``year`` takes (from, to)."""
    parts = []
    for name, values in sorted(filters.items()):
        if not values:
            continue
        if name == "year":
            lo, hi = values
            parts.append(query.NumericRange("year", lo, hi))
            continue
        if name not in FACETS:
            raise ValueError(f"unknown filter '{name}'")
        values = [values] if isinstance(values, (str, int)) else values
        parts.append(query.Or([query.Term(name, _multi_value(str(v)) if name in MULTI else str(v)) for v in values]))
    return query.And(parts) if parts else None


def _multi_value(value: str) -> str:
    """Multi-valued fields are stored comma-separated, so a value's own commas are stored as ';'."""
    return value.replace(",", ";")


def multi_values(raw: object) -> list[str]:
    """The values of a stored multi-valued field, their own commas back in place.

    Two urusan names hold commas ("koperasi, usaha kecil, dan menengah"); split
    as stored before, they broke into fragments and their filter found nothing.
    """
    return [v.replace(";", ",") for v in str(raw or "").split(",") if v]


def _count_facets(results) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for hit in results:
        f = hit.fields()
        for name in FACETS:
            raw = f.get(name)
            if raw in (None, "", 0):
                continue
            values = multi_values(raw) if name in MULTI else [str(raw)]
            for v in values:
                counts[name][v] = counts[name].get(v, 0) + 1
    return {n: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))) for n, c in counts.items() if c}


def _opening(text: str, n: int = 240) -> str:
    return escape(text[:n].rsplit(" ", 1)[0] + " …" if len(text) > n else text)
