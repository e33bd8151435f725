"""Match each theme to its urusan and to the library's innovations, and find the gaps: the fourth step of ``jipp-kb complaints``.

- **Innovations** come from the library's own hybrid search (``Searcher.search``):
  its keyword side asked with the theme's characteristic words, its meaning
  side with the mean embedding of the theme's complaints (every complaint
  speaks, not just four words), and the theme's urusan preferred as a query
  naming it would be. Places in complaint words never become filters
  (``infer=False``).
- **Problem statements**: a complaint states a problem, and a case states the
  problem it tackled (its *Latar Belakang dan Masalah* section, and its
  summary). The search's best ``CANDIDATES`` are re-ranked by how close the
  theme's complaints come to those statements by meaning, with the common
  direction of all complaints and of all the library's passages taken out
  (E5 puts every public-service text at cosine 0.80-0.88 of every other;
  centred, a theme about village funds finds the cases whose problem was
  village funds). All settings chosen on the tune half of the test set
  (docs/complaints.md).
- **Why** an innovation matches: the theme's words found in its title,
  summary or tags, the section its text matched by meaning, and its rank on
  each side of the search.
- **Gaps**: a theme is addressed when one of its top innovations names the
  theme's leading term (all its words) anywhere in its text; otherwise
  nothing in the library tackles it yet (measured: docs/complaints.md). Embedding similarity
  alone cannot tell (E5 puts every public-service text at cosine 0.80-0.88).
- **Urusan**: the urusan (``jipp_kb/data/urusan.yml``) that the theme's words
  name — by its name, an alias, or a usual word of its sub-urusan (*pdam*,
  *sertifikat*, *pkh*) — weighted by the words' rank; else the commonest
  urusan of its innovations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from jipp_kb.analysis import Analysis
from jipp_kb.search import Searcher
from jipp_kb.vectors import SUMMARY_SECTION

TOP = 3
CANDIDATES = 10
"""The search's best this many are re-ranked by their problem statements."""
PROBLEM_WEIGHT = 0.5
"""Weight of the problem statements' closeness (min-max over the candidates, 0-1) beside the search's score (best 1, +1 for the
theme's urusan)."""
PROBLEM_SECTIONS = ("Latar Belakang dan Masalah", SUMMARY_SECTION)
"""Where a case states its problem: the section for it (full case studies) and the summary (profiles have only that)."""


@dataclass
class Innovation:
    id: str
    title: str
    region: str
    score: float
    shared_words: list[str]
    section: str | None
    keyword_rank: int | None
    semantic_rank: int | None
    url: str
    year: int | None = None
    problem_rank: int | None = None
    """Its rank among the candidates by how close its problem statement is to the theme's complaints."""

    @property
    def reason(self) -> str:
        """Why it matches, Indonesian first (the report shows it under the title)."""
        parts = []
        if self.shared_words:
            parts.append(f"kata yang sama / shared words: {', '.join(self.shared_words)}")
        if self.section:
            parts.append(f"bagian serupa / similar section: {self.section}")
        ranks = [
            f"kata kunci / keyword #{self.keyword_rank}" if self.keyword_rank else "",
            f"makna / meaning #{self.semantic_rank}" if self.semantic_rank else "",
            f"masalah / problem #{self.problem_rank} (dari / of {CANDIDATES})" if self.problem_rank else "",
        ]
        if any(ranks):
            parts.append("peringkat / rank: " + ", ".join(r for r in ranks if r))
        return "; ".join(parts)


@dataclass
class Match:
    urusan: str
    urusan_en: str
    innovations: list[Innovation] = field(default_factory=list)
    addressed: bool = False


def stems(text: str) -> set[str]:
    return {stem for stem, _, _ in Analysis().terms(text)}


@cache
def _urusan_entries() -> list[dict]:
    """The urusan of jipp_kb/data/urusan.yml, the same list the case format validates against."""
    from importlib import resources

    import yaml

    return yaml.safe_load(resources.files("jipp_kb").joinpath("data", "urusan.yml").read_text(encoding="utf-8"))


URUSAN_TERMS = {
    "administrasi kependudukan dan pencatatan sipil": "ktp kk akta dukcapil kependudukan domisili nik kia suket",
    "kesehatan": "puskesmas pustu dokter bidan perawat pasien berobat obat rsud posyandu imunisasi ambulans bpjs",
    "pekerjaan umum dan penataan ruang": "jalan jembatan aspal drainase gorong-gorong pdam pipa sumur talud",
    "lingkungan hidup": "sampah tps tpa limbah kebersihan",
    "penanaman modal": "izin perizinan pbg imb nib oss ptsp dpmptsp slf reklame",
    "sosial": "bansos pkh blt bpnt dtks sembako kks miskin kemiskinan lansia disabilitas rtlh",
    "pendidikan": "sekolah guru murid siswa ppdb kelas paud smp sd rapor ijazah pip",
    "perhubungan": "pju penerangan terminal angkot trayek rambu",
    "energi dan sumber daya mineral": "listrik pln padam plts",
    "pertanahan": "tanah sertifikat bpn ptsl lahan girik",
    "pemberdayaan masyarakat dan desa": "desa apbdes bumdes kades bpd musdes",
    "kepegawaian": "pegawai asn pns honorer oknum pejabat",
}
"""Words officials and citizens use for each urusan (sub-urusan of UU 23/2014), beyond the names and aliases in urusan.yml."""
URUSAN_PHRASES = {
    "kesehatan": ["rumah sakit"],
    "pekerjaan umum dan penataan ruang": ["air bersih", "air minum", "air pdam"],
    "perhubungan": ["lampu jalan", "lalu lintas"],
    "pemberdayaan masyarakat dan desa": ["dana desa", "kepala desa"],
}


def urusan_for(words: list[str], innovations: list[Innovation], case_urusan: Callable[[str], list[str]]) -> str:
    """A theme's urusan: the one its words name (weighted by rank), else the commonest among its innovations; "" if neither."""
    votes: dict[str, float] = {}
    for rank, word in enumerate(words):
        named = stems(word)
        for name, phrases in urusan_terms().items():
            if named and any(phrase <= named for phrase in phrases):
                votes[name] = votes.get(name, 0.0) + 1.0 / (rank + 1)
    if not votes:
        for inn in innovations:
            for name in case_urusan(inn.id):
                votes[name] = votes.get(name, 0.0) + 1.0
    return min(votes, key=lambda name: (-votes[name], name)) if votes else ""


@cache
def urusan_terms() -> dict[str, list[frozenset[str]]]:
    """urusan -> the stems of each of its names, aliases, usual words and phrases; a theme word containing one names it."""
    out: dict[str, list[frozenset[str]]] = {}
    for entry in _urusan_entries():
        out[entry["name"]] = [frozenset(stems(p)) for p in [entry["name"], *entry.get("aliases", [])] if stems(p)]
    for name, words in URUSAN_TERMS.items():
        out[name] += [frozenset(stems(w)) for w in words.split() if stems(w)]
    for name, phrases in URUSAN_PHRASES.items():
        out[name] += [frozenset(stems(p)) for p in phrases]
    return out


def urusan_english(name: str) -> str:
    return next((e.get("en", "") for e in _urusan_entries() if e["name"] == name), "")


class ProblemStatements:
    """Each case's problem statements (:data:`PROBLEM_SECTIONS`) as the embedding index holds them, centred.

    The mean of all the library's passages is taken out, as a theme's ``direction`` has the mean of all the
    export's complaints taken out: what is left is what sets one problem apart from the others.
    """

    def __init__(self, chunks: list[dict], vectors: np.ndarray) -> None:
        mean = vectors.mean(0)  # of every passage; only the problem statements are copied and centred
        rows: dict[str, list[int]] = {}
        for i, chunk in enumerate(chunks):
            if chunk["section"] in PROBLEM_SECTIONS:
                rows.setdefault(chunk["case"], []).append(i)
        self.rows = {}
        for case, found in rows.items():
            centred = vectors[found] - mean
            self.rows[case] = centred / np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-9)

    @classmethod
    def of(cls, searcher: Searcher) -> ProblemStatements:
        return cls(searcher.vectors.chunks, searcher.vectors.vectors)

    def closeness(self, direction: np.ndarray, case: str) -> float:
        """Cosine of ``direction`` (a theme's, centred) with the case's closest problem statement; -1 without one."""
        rows = self.rows.get(case)
        return float((rows @ direction).max()) if rows is not None else -1.0


def innovations_for(
    searcher: Searcher,
    words: list[str],
    case_url: Callable[[str], str],
    limit: int = TOP,
    meaning: np.ndarray | None = None,
    urusan: str = "",
    problem: tuple[ProblemStatements, np.ndarray] | None = None,
    candidates: int = CANDIDATES,
) -> tuple[list[Innovation], bool]:
    """The library's best innovations for a theme, and whether one of them addresses it (see the module's note on gaps).

    The library's own hybrid search, asked with the theme's words; its meaning side with ``meaning`` (the mean
    embedding of the theme's complaints, in the space of queries) when given, and the theme's ``urusan``
    preferred as if the words named it. With ``problem`` (the cases' problem statements and the theme's
    centred ``direction``), the search's best ``candidates`` are re-ranked by their problem statements.
    """
    if not words:
        return [], False
    response = searcher.search(
        " ".join(words),
        limit=max(limit, candidates) if problem else limit,
        infer=False,
        snippets=False,
        floor=0,
        meaning=meaning,
        prefer_urusan=[urusan] if urusan else (),
    )
    results, problem_rank = response.results, {}
    score = {r.id: r.score for r in results}
    if problem and results:
        statements, direction = problem
        closeness = {r.id: statements.closeness(direction, r.id) for r in results}
        low, high = min(closeness.values()), max(closeness.values())
        scaled = {cid: (c - low) / (high - low) if high > low else 1.0 for cid, c in closeness.items()}
        problem_rank = {cid: rank for rank, cid in enumerate(sorted(closeness, key=lambda c: (-closeness[c], c)), 1)}
        score = {cid: s + PROBLEM_WEIGHT * scaled[cid] for cid, s in score.items()}
        results = sorted(results, key=lambda r: (-score[r.id], r.id))
    leading = stems(words[0])
    out, addressed = [], False
    for result in results[:limit]:
        fields = searcher.keyword.stored(result.id) or {}
        headline = stems(" ".join(str(fields.get(f, "")) for f in ("title", "acronym", "summary", "tags")))
        shared = [w for w in words if stems(w) and stems(w) <= headline]
        addressed = addressed or bool(leading and leading <= headline | stems(str(fields.get("body", ""))))
        out.append(
            Innovation(
                result.id,
                result.title,
                result.region,
                round(score[result.id], 4),
                shared,
                result.section,
                result.keyword_rank,
                result.semantic_rank,
                case_url(result.id),
                result.year,
                problem_rank.get(result.id),
            )
        )
    return out, addressed
