"""Group redacted complaints into themes by meaning, and name each theme: the third step of ``jipp-kb complaints``.

How (numbers in docs/complaints.md):

- **Only what must be embedded is.** Complaints are compared in a normal form
  (placeholders and chat spellings such as *sy*, *tdk*, *blm* undone, lower
  case); identical ones are grouped and embedded once. At most
  ``embed_limit`` distinct complaints — an even, deterministic sample — are
  embedded with the library's model (first ``EMBED_WORDS`` words each, about
  128 tokens), and clustered; the rest are assigned to the nearest theme by a
  classifier trained on the sample's words. Embedding costs ~2 ms a token on
  two cores; the classifier costs nothing by comparison.
- **Two views, one consensus.** Short complaints share little vocabulary, and
  the embedding alone groups them partly by style (English, angry, "Saya
  [NAMA] …"). Each view — words (TF-IDF reduced by SVD) and meaning (the
  embedding, centred) and both together — is clustered by k-means for several
  k and seeds (scikit-learn); two complaints that end up together in many runs
  belong together. The co-association matrix is cut by average linkage; the
  number of themes is the one with the best silhouette.
- **The sector beside the words.** The urusan a complaint names (*dokter*,
  *obat* → kesehatan; the words of ``match.URUSAN_TERMS`` and urusan.yml)
  joins its words as a feature: complaints about one sector share it even
  when they share no word, as desks sort them.
- **English complaints** share words only with each other, so in the word
  views they made a theme of their own; they take the words of their nearest
  Indonesian complaints by meaning (the multilingual embedding places them by
  subject) and are embedded first.
- **Names** are each theme's characteristic words by class-based TF-IDF
  (c-TF-IDF, as BERTopic): frequent in the theme, rare in the others.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from jipp_kb.analysis import Analysis
from jipp_kb.threads import one_thread

EMBED_WORDS = 64
"""Words of a complaint that are embedded: ~110 tokens at 1.75 tokens a word; a complaint's problem is in its first lines."""
DEFAULT_EMBED_LIMIT = 400
"""Distinct complaints embedded (a sample when there are more); the rest are assigned by their words."""
MIN_THEME_SHARE = 0.01
"""A cluster smaller than this share of the complaints (and than 3) joins its nearest theme."""
SEEDS = 8
LSA_DIMS = 30
WORD_WEIGHT = 2.0
"""Weight of the words beside the meaning in the combined view."""
VIEWS = ("words", "both")
SECTOR_WEIGHT = 0.5
"""Weight of the urusan a complaint names (:func:`_sectors`) beside its words."""
"""Views, seeds and dimensions chosen on the tune half of the labelled set among the settings tried
(``benchmarks/complaints.py tune``; docs/complaints.md)."""

SLANG = {
    "sy": "saya", "sya": "saya", "tdk": "tidak", "gak": "tidak", "ga": "tidak", "nggak": "tidak", "ndak": "tidak", "ora": "tidak",
    "yg": "yang", "dgn": "dengan", "blm": "belum", "sdh": "sudah", "udh": "sudah", "udah": "sudah", "bgt": "banget", "krn": "karena",
    "karna": "karena", "gmn": "bagaimana", "gimana": "bagaimana", "dr": "dari", "pdhl": "padahal", "knp": "kenapa", "utk": "untuk",
    "jln": "jalan", "jl": "jalan", "tlg": "tolong", "mhn": "mohon", "org": "orang", "bpk": "bapak", "kmrn": "kemarin",
    "skrg": "sekarang", "sm": "sama", "aja": "saja", "antri": "antre", "antrian": "antrean", "capil": "dukcapil",
    "disdukcapil": "dukcapil", "pju": "lampu", "sertipikat": "sertifikat", "tgl": "tanggal", "bln": "bulan", "thn": "tahun",
}  # fmt: skip
"""Chat spellings and abbreviations of complaint desks, undone before comparing (not in what the report shows)."""
GENERIC = frozenset(
    """saya kami kita kalian anda mereka tolong mohon minta pak bapak bu ibu sdr warga masyarakat sudah belum tidak bisa harus ada
    tiap setiap sampai sejak lagi terus sangat sekali banget kenapa bagaimana apa siapa kapan mana katanya padahal juga hanya cuma baru
    lama bulan minggu hari tahun jam kali lalu kemarin sekarang datang dibantu segera diperbaiki perbaiki tindak ditindaklanjuti lanjut
    pelapor nama email telepon alamat nik nomor kontak hubungi info informasi ya iye mi ji ki kodong tawwa dong deh sih kok kah pun lah
    yang dan di ke dari untuk dengan ini itu karena jadi atau tapi tetapi akan pada oleh sama saja masih kalau lebih semua banyak
    masalah tahu pernah selaku tokoh mengalami hal melayani waktu dibina mewakili tanpa dipakai dibuat kembali luar biasa
    terima kasih lapor berkali merugikan selesai
    the a an is are to of and in for our we it not no please this that have has been there has was were they our at on
    by be can cannot does do with from asap keeps still every""".split()
)
"""Words every complaint uses; they say nothing about its theme."""
PLACEHOLDER = re.compile(r"\[[A-Z\-]+\]")
NEIGHBOURS = 10
"""Nearest complaints by meaning whose words an English complaint takes (its own share no vocabulary with the others); 0: none."""


def is_english(form: str) -> bool:
    """Mostly English: more English function words than Indonesian ones (of a normal form), and at least two."""
    from jipp_kb.analysis import stopwords

    words, english_words = form.split(), stopwords("en")
    english = sum(w in english_words for w in words)
    return english >= 2 and english > sum(w in stopwords() and w not in english_words for w in words)  # the list holds a few English words


def normal_form(text: str) -> str:
    """The complaint as compared: no placeholders, chat spellings undone, lower case, ``anak2`` as ``anak``."""
    text = PLACEHOLDER.sub(" ", text).lower()
    words = re.findall(r"\w+(?:-\w+)*", re.sub(r"\b([a-z]{2,})2\b", r"\1", text))
    return " ".join(SLANG.get(w, w) for w in words)


@dataclass
class Theme:
    members: list[int]
    """Indexes of the complaints (in the input order) in this theme."""
    words: list[str]
    """Characteristic words, best first."""
    centroid: np.ndarray | None = None
    """Mean embedding of the embedded members (unit length), for the urusan and the search."""
    central: list[int] = field(default_factory=list)
    """Members closest to the theme's centre, most typical first (examples are chosen from these)."""
    direction: np.ndarray | None = None
    """Mean of the embedded members' centred vectors (the export's common direction removed), unit length: what sets
    this theme's complaints apart from the others, matched against the cases' problem statements."""


@dataclass
class Grouping:
    themes: list[Theme]
    distinct: int
    """Distinct complaints after normalising."""
    embedded: int
    """Distinct complaints embedded."""
    tokens: int
    """Tokens embedded."""


class _Terms:
    """Stemmed content words of normal-form texts, remembering the commonest spelling of each stem for names."""

    def __init__(self) -> None:
        self.analysis = Analysis()
        self.surface: dict[str, Counter] = defaultdict(Counter)
        self.generic = GENERIC | {self.analysis.stem_word(w) for w in GENERIC}

    def __call__(self, text: str) -> list[str]:
        """Content words, and each pair of neighbouring ones (*dana desa*, *lampu jalan*: compounds carry the theme)."""
        out = []
        previous = None
        for stem, start, end in self.analysis.terms(text):
            if stem in self.generic or stem.isdigit() or len(stem) < 3:
                previous = None
                continue
            self.surface[stem][text[start:end]] += 1
            out.append(stem)
            if previous:
                pair = f"{previous[0]} {stem}"
                self.surface[pair][f"{previous[1]} {text[start:end]}"] += 1
                out.append(pair)
            previous = (stem, text[start:end])
        return out

    def word(self, stem: str) -> str:
        return self.surface[stem].most_common(1)[0][0] if self.surface.get(stem) else stem


def group(
    texts: Sequence[str],
    embed: Callable[[list[str]], np.ndarray],
    count_tokens: Callable[[str], int] | None = None,
    embed_limit: int = DEFAULT_EMBED_LIMIT,
    max_themes: int = 20,
) -> Grouping:
    """Themes of redacted ``texts``; ``embed`` maps texts to unit vectors (the library's encoder)."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    forms = [normal_form(t) for t in texts]
    distinct = sorted(set(forms))
    if not distinct or not any(distinct):
        return Grouping([], len(distinct), 0, 0)
    index_of = {f: i for i, f in enumerate(distinct)}
    weight = np.bincount([index_of[f] for f in forms], minlength=len(distinct)).astype(float)
    terms = _Terms()
    tfidf = TfidfVectorizer(analyzer=terms, sublinear_tf=True, min_df=2 if len(distinct) >= 50 else 1)
    try:
        words = tfidf.fit_transform(distinct)
    except ValueError:  # no content word at all (numbers, placeholders): one theme
        words = sparse.csr_matrix((len(distinct), 1))
    plain = words
    if SECTOR_WEIGHT:
        words = sparse.hstack([words, SECTOR_WEIGHT * _sectors(distinct)]).tocsr()
    english = np.array([is_english(f) for f in distinct], dtype=bool)
    sample = _sample(distinct, embed_limit, english)
    clipped = [" ".join(distinct[i].split()[:EMBED_WORDS]) for i in sample]
    vectors = embed(clipped) if clipped else np.zeros((0, 1))
    tokens = sum(count_tokens(t) for t in clipped) if count_tokens else 0
    centred = _centred(vectors)
    with one_thread():
        sample_words = _borrow_words(words[sample], centred, english[sample])
        labels_sample = _consensus(sample_words, centred, max_themes)
        labels = np.full(len(distinct), -1)
        labels[sample] = labels_sample
        rest = np.setdiff1d(np.arange(len(distinct)), sample)
        if len(rest) and len(set(labels_sample)) > 1:
            classifier = LogisticRegression(C=4.0, max_iter=2000).fit(sample_words, labels_sample)
            labels[rest] = classifier.predict(words[rest])
        elif len(rest):
            labels[rest] = labels_sample[0]
    labels = _absorb_small(labels, weight, words)
    members_of: dict[int, list[int]] = defaultdict(list)
    for i, form in enumerate(forms):
        members_of[int(labels[index_of[form]])].append(i)
    names = _names(plain, labels, weight, terms, tfidf)
    themes = []
    for label, members in members_of.items():
        in_sample = [k for k, i in enumerate(sample) if labels[i] == label]
        centroid = direction = None
        if in_sample and centred.size:
            centroid, direction = _unit(vectors[in_sample].mean(0)), _unit(centred[in_sample].mean(0))
        central = _central(forms, members, index_of, sample, in_sample, centred)
        themes.append(Theme(members, names.get(label, []), centroid, central, direction))
    themes.sort(key=lambda t: (-len(t.members), t.words))
    return Grouping(themes, len(distinct), len(sample), tokens)


def _sample(distinct: list[str], limit: int, english: np.ndarray | None = None) -> np.ndarray:
    """At most ``limit`` indexes, spread evenly over a hash order: the same input gives the same sample.

    English complaints come first, up to a tenth of the sample: their words cannot place them (see
    :func:`_borrow_words`), only their meaning can, so they are embedded rather than left to the classifier.
    """
    if len(distinct) <= limit:
        return np.arange(len(distinct))
    english = np.zeros(len(distinct), dtype=bool) if english is None else english
    order = sorted(range(len(distinct)), key=lambda i: hashlib.sha1(distinct[i].encode("utf-8")).hexdigest())
    first = [i for i in order if english[i]][: limit // 10]
    taken = set(first)
    others = [i for i in order if i not in taken]
    step = len(others) / (limit - len(first))
    return np.array(sorted(first + [others[int(k * step)] for k in range(limit - len(first))]))


def _sectors(forms: list[str]):
    """Which urusan each complaint names (rows of unit length): the sector is what a complaint desk sorts by."""
    from scipy import sparse
    from sklearn.preprocessing import normalize

    from jipp_kb.complaints.match import stems, urusan_terms

    sectors = urusan_terms()
    names = sorted(sectors)
    rows = np.zeros((len(forms), len(names)))
    for i, form in enumerate(forms):
        named = stems(form)
        for j, name in enumerate(names):
            rows[i, j] = sum(1 for phrase in sectors[name] if phrase and phrase <= named)
    return sparse.csr_matrix(normalize(np.log1p(rows)))


def _borrow_words(words, centred: np.ndarray, english: np.ndarray):
    """English complaints take the words of their nearest Indonesian complaints by meaning.

    Their own words (*garbage*, *certificate*) are shared only with other English complaints, so in the word
    views they formed a theme of their own; the multilingual embedding places them by subject, so the
    words of the complaints nearest in meaning stand in for theirs.
    """
    from scipy import sparse

    if not NEIGHBOURS or not english.any() or english.all() or len(centred) != words.shape[0]:
        return words
    indonesian = np.flatnonzero(~english)
    rows = words.tolil(copy=True)
    for i in np.flatnonzero(english):
        nearest = indonesian[np.argsort(-(centred[indonesian] @ centred[i]), kind="stable")[:NEIGHBOURS]]
        mean = np.asarray(words[nearest].mean(0)).ravel()
        rows[i] = _unit(mean)
    return sparse.csr_matrix(rows)


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / (np.linalg.norm(vector) or 1.0)


def _centred(vectors: np.ndarray) -> np.ndarray:
    """E5 vectors share a large common direction (mean cosine ~0.84 between complaints); without it the differences show."""
    if len(vectors) < 2:
        return vectors
    centred = vectors - vectors.mean(0)
    return centred / np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-9)


def _consensus(words, meaning: np.ndarray, max_themes: int) -> np.ndarray:
    """Cluster labels of the sample: k-means over views, k and seeds, combined in a co-association matrix.

    ``meaning``: the sample's embeddings, centred (:func:`_centred`)."""
    from sklearn.cluster import AgglomerativeClustering, KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import normalize

    n = words.shape[0]
    if n < 4:
        return np.zeros(n, dtype=int)
    views = {}
    dims = min(LSA_DIMS, words.shape[1] - 1, n - 1)
    if dims >= 2:
        views["words"] = normalize(TruncatedSVD(dims, random_state=0).fit_transform(words))
    if len(meaning) == n and meaning.shape[1] > 1:
        views["meaning"] = meaning
        if "words" in views:
            views["both"] = normalize(np.hstack([meaning, WORD_WEIGHT * views["words"]]))
    views = [views[name] for name in VIEWS if name in views] or list(views.values())
    if not views:
        return np.zeros(n, dtype=int)
    top = max(2, min(max_themes, n // 4))
    ks = sorted({max(2, min(top, k)) for k in (top // 2, (2 * top) // 3, (5 * top) // 6, top)})
    together = np.zeros((n, n))
    runs = 0
    for view in views:
        for k in ks:
            for seed in range(SEEDS):
                found = KMeans(k, n_init=1, random_state=seed).fit_predict(view)
                together += found[:, None] == found[None, :]
                runs += 1
    distance = 1.0 - together / runs
    best, best_score = np.zeros(n, dtype=int), -2.0
    for k in range(2, min(max_themes, n - 1) + 1):
        labels = AgglomerativeClustering(k, metric="precomputed", linkage="average").fit_predict(distance)
        if len(set(labels)) < 2:
            continue
        score = silhouette_score(distance, labels, metric="precomputed")
        if score > best_score + 1e-9:
            best, best_score = labels, score
    return best


def _absorb_small(labels: np.ndarray, weight: np.ndarray, words) -> np.ndarray:
    """Clusters too small to be a theme join the theme whose words they share most."""
    sizes = {lab: weight[labels == lab].sum() for lab in set(labels.tolist())}
    total = weight.sum()
    small = {lab for lab, size in sizes.items() if size < max(3, MIN_THEME_SHARE * total)}
    big = [lab for lab in sizes if lab not in small]
    if not small or not big:
        return labels
    centroids = np.vstack([np.asarray(words[labels == lab].mean(0)) for lab in big])
    out = labels.copy()
    for i in np.flatnonzero(np.isin(labels, list(small))):
        row = words[i].toarray()[0]
        out[i] = big[int(np.argmax(centroids @ row))] if row.any() else big[int(np.argmax([sizes[b] for b in big]))]
    return out


def _names(words, labels: np.ndarray, weight: np.ndarray, terms: _Terms, tfidf, n: int = 4) -> dict[int, list[str]]:
    """c-TF-IDF: a term's frequency in the theme × log(1 + average words per theme / its frequency over all themes)."""
    vocab = tfidf.get_feature_names_out() if words.shape[1] > 1 or getattr(tfidf, "vocabulary_", None) else []
    binary = (words > 0).multiply(weight[:, None]).tocsr() if len(vocab) else None
    out: dict[int, list[str]] = {}
    if binary is None:
        return {int(lab): [] for lab in set(labels.tolist())}
    classes = sorted(set(labels.tolist()))
    per_class = np.vstack([np.asarray(binary[labels == lab].sum(0)).ravel() for lab in classes])
    overall = per_class.sum(0)
    average = per_class.sum() / len(classes)
    for row, lab in zip(per_class, classes):
        tf = row / (row.sum() or 1.0)
        score = tf * np.log1p(average / np.maximum(overall, 1.0))
        out[lab] = _distinct_names([vocab[j] for j in np.argsort(-score, kind="stable") if row[j] > 0], terms, n)
    return out


def _distinct_names(ranked: list[str], terms: _Terms, n: int) -> list[str]:
    """The first ``n`` terms without repeats: a pair whose words are both shown takes their place ("dana desa", not "dana, desa")."""
    chosen: list[str] = []
    for term in ranked:
        parts = term.split()
        if len(parts) == 1 and any(term in c.split() for c in chosen if " " in c):
            continue
        if len(parts) == 2 and all(p in chosen for p in parts):
            first = min(chosen.index(p) for p in parts)
            chosen = [term if i == first else c for i, c in enumerate(chosen) if c not in parts or i == first]
            continue
        chosen.append(term)
        if len(chosen) >= n:
            break
    return [terms.word(c) for c in chosen]


def _central(
    forms: list[str], members: list[int], index_of: dict[str, int], sample: np.ndarray, in_sample: list[int], centred: np.ndarray
) -> list[int]:
    """Members most typical of the theme (closest to its centre), one per distinct text, best first; input order without vectors."""
    seen: set[str] = set()
    firsts = []
    for i in members:
        if forms[i] not in seen:
            seen.add(forms[i])
            firsts.append(i)
    if not in_sample or not centred.size:
        return firsts[:10]
    centre = centred[in_sample].mean(0)
    closeness = {int(sample[k]): float(centred[k] @ centre) for k in in_sample}
    ranked = sorted(firsts, key=lambda i: (-closeness.get(index_of[forms[i]], -math.inf), i))
    return ranked[:10]
