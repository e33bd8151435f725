"""A synthetic corpus with the real corpus's vocabulary, for measuring jipp-kb at 1,000-100,000 cases.

    python benchmarks/synth.py 10000 /tmp/synth-10k            # Markdown cases, validated by load_corpus
    python benchmarks/synth.py 10000 /tmp/synth-10k --full     # every case a full case study (the site benchmark)

Each synthetic case takes a real case as its *template* (drawn at random) and
keeps its topic: its urusan, SDGs, tags, awards, depth and the number and
length of its sections (scaled by 0.7-1.3). The text is written by a word
bigram chain trained on the real corpus: each next word is drawn from the
template's own bigrams (probability ``TOPIC``) or from the whole corpus's, so
word and bigram frequencies are the real ones (Zipf-like) and a query matches
about the same share of synthetic cases as of real ones — not most of them,
as the old 150-word generator did. Places are drawn from the real spread over
provinces (every province at least once in the weights) with a uniformly drawn
kabupaten/kota of that province; start years from the real years, moved by up
to three.

Deterministic: case ``i`` depends only on the seed, ``i`` and the template
corpus, so the 1,000-case corpus is the prefix of the 10,000-case one. The
templates are the real corpus **as of commit ``REFERENCE``** (read with ``git
archive``), the corpus issue 15's 1k / 10k / 30k measurements were made on:
as case studies grow, today's corpus makes heavier synthetic cases (5.5 chunks
a case against 2.9 at the reference), and numbers would drift with every
content pull request. ``--templates current`` uses today's ``corpus/``.

``template_of(i)`` gives the template of case ``i``: benchmarks give the
synthetic cases *perturbed copies of their template's real chunk vectors*
(``synthetic_vectors``), not vectors from the model — at 10,000 cases the cost
of the dense side is the matrix product, not the encoder, and embedding 100,000
chunks would take hours.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from jipp_kb import vocab
from jipp_kb.analysis import plain_text
from jipp_kb.corpus import load_corpus
from jipp_kb.schema import SECTIONS

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "corpus"
REFERENCE = "91c04b20d13f0c2b84f3641b8f3177e7641f4fee"
"""The commit whose corpus/ the synthetic cases are modelled on (2026-11-29, 282 cases)."""
TEMPLATES = REFERENCE
"""The template corpus in use: a commit, or "current" for today's corpus/ (``use_templates``)."""
SEED = 2026
TOPIC = 0.6
"""Share of words drawn from the template case's own bigrams (keeps each case on one topic)."""
CITE = re.compile(r"\s*\[\d+(?:[,–-]\s*\d+)*\]")
END = "\n"
"""The token that ends a sentence in the chain."""


@dataclass
class Chain:
    """Word bigrams: ``succ[w]`` lists every word seen after ``w`` (repeats give the probabilities)."""

    succ: dict[str, list[str]]
    starts: list[str]

    @classmethod
    def train(cls, texts: list[str]) -> Chain:
        succ: dict[str, list[str]] = {}
        starts: list[str] = []
        for text in texts:
            for sentence in re.split(r"(?<=[.!?])\s+", " ".join(CITE.sub("", text).split())):
                words = sentence.split()
                if len(words) < 3:
                    continue
                starts.append(words[0])
                for a, b in zip(words, words[1:] + [END]):
                    succ.setdefault(a, []).append(b)
        return cls(succ, starts)


@dataclass
class Model:
    """What the generator learns from the real corpus."""

    cases: list  # the real cases, sorted by id
    body: Chain
    english: Chain
    titles: Chain
    local: dict[str, Chain]
    provinces: list[str | None]
    province_weights: list[float]
    regencies: dict[str, list[vocab.Region]]
    years: list[int]


def use_templates(source: str) -> None:
    """Model synthetic cases on the corpus of commit ``source``, or on today's corpus/ ("current")."""
    global TEMPLATES
    TEMPLATES = source


def template_corpus() -> Path:
    """The template corpus's folder: corpus/, or the reference commit's corpus/ unpacked once under /tmp."""
    if TEMPLATES == "current":
        return REAL
    folder = Path(f"/tmp/jipp-synth-templates/{TEMPLATES[:12]}")
    if not folder.is_dir():
        tmp = folder.with_name(f".{folder.name}.{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", TEMPLATES, "corpus"], capture_output=True)
        if archive.returncode:
            raise SystemExit(
                f"cannot read corpus/ at commit {TEMPLATES[:12]} ({archive.stderr.decode().strip()}); "
                "in a shallow clone, fetch it (git fetch --unshallow) or pass --templates current"
            )
        subprocess.run(["tar", "-x", "-C", str(tmp), "--strip-components=1"], input=archive.stdout, check=True)
        os.rename(tmp, folder)
    return folder


def model() -> Model:
    return _model(template_corpus())


@cache
def _model(real: Path) -> Model:
    corpus = load_corpus(real)
    cases = corpus.sorted_cases()
    body_texts = lambda c: [plain_text(t) for t in c.sections.values() if t] + [c.meta.summary]  # noqa: E731
    counts = Counter(c.meta.province for c in cases)
    provinces = sorted({r.province for r in vocab.regions().values()})
    regencies: dict[str, list[vocab.Region]] = {}
    for r in sorted(vocab.regions().values(), key=lambda r: r.code):
        if r.kind in ("kabupaten", "kota"):
            regencies.setdefault(r.province, []).append(r)
    return Model(
        cases=cases,
        body=Chain.train([t for c in cases for t in body_texts(c)]),
        english=Chain.train([c.meta.summary_en for c in cases]),
        titles=Chain.train([c.meta.title + "." for c in cases]),
        local={c.id: Chain.train(body_texts(c)) for c in cases},
        provinces=[None, *provinces],
        province_weights=[counts[None] + 1] + [counts[p] + 1 for p in provinces],
        regencies=regencies,
        years=sorted(c.meta.year_started for c in cases if c.meta.year_started),
    )


def _sentences(rng: random.Random, chains: list[tuple[float, Chain]], words: int, max_sentence: int = 40) -> list[str]:
    """Sentences of about ``words`` words in all, each word drawn from one of ``chains`` by weight."""
    out: list[str] = []
    total = 0
    while total < words:
        word = rng.choice(chains[0][1].starts if chains[0][1].starts else chains[-1][1].starts)
        sentence = [word]
        while len(sentence) < max_sentence:
            options = None
            for share, chain in chains:
                if rng.random() < share and word in chain.succ:
                    options = chain.succ[word]
                    break
            if options is None:
                options = chains[-1][1].succ.get(word) or [END]
            word = rng.choice(options)
            if word == END:
                break
            sentence.append(word)
        text = " ".join(sentence)
        out.append(text if text[-1] in ".!?" else text.rstrip(",;:") + ".")
        total += len(sentence)
    return out


def _cite(rng: random.Random, sentence: str, sources: int) -> str:
    return sentence[:-1] + f" [{rng.randint(1, sources)}]." if rng.random() < 0.35 else sentence


def _paragraphs(rng: random.Random, sentences: list[str], sources: int) -> str:
    out, i = [], 0
    while i < len(sentences):
        n = rng.randint(3, 6)
        out.append(" ".join(_cite(rng, s, sources) for s in sentences[i : i + n]))
        i += n
    return "\n\n".join(out)


def _yaml(text: str | None) -> str:
    return "null" if text is None else json.dumps(text, ensure_ascii=False)


def template_of(i: int, full: bool = False, seed: int = SEED) -> str:
    """The id of the real case that synthetic case ``i`` is modelled on."""
    return _template(random.Random(seed * 1_000_003 + i), full)


def _template(rng: random.Random, full: bool):
    m = model()
    pool = [c for c in m.cases if c.meta.depth == "studi kasus"] if full else m.cases
    return rng.choice(pool).id


def case_id(i: int) -> str:
    return f"sintetis-{i:05d}"


def case_text(i: int, full: bool = False, seed: int = SEED) -> str:
    """The Markdown file of synthetic case ``i``."""
    m = model()
    rng = random.Random(seed * 1_000_003 + i)
    wanted = _template(rng, full)
    template = next(c for c in m.cases if c.id == wanted)
    tm = template.meta
    local = m.local[template.id]
    chains = [(TOPIC, local), (1.0, m.body)]
    province = rng.choices(m.provinces, m.province_weights)[0] if tm.province or tm.level != "nasional" else None
    if province is None:
        level, regency, village = "nasional", None, None
    elif tm.level == "provinsi":
        level, regency, village = "provinsi", None, None
    else:
        r = rng.choice(m.regencies.get(province) or [None])
        level, regency = (r.kind, r.name) if r else ("provinsi", None)
        village = f"Desa {rng.choice(m.titles.starts).strip('(').capitalize()}" if tm.level == "desa" and r else None
        level = "desa" if village else level
    sources = max(2, len(tm.sources))
    words = _sentences(rng, [(1.0, m.titles)], 2, max_sentence=6)[0].rstrip(".").split()
    place = regency or province or "Indonesia"
    title = " ".join([*words, place.removeprefix("Kabupaten ")])  # real titles often name the place; fewer look-alikes
    summary = " ".join(" ".join(_sentences(rng, chains, int(len(tm.summary.split()) * rng.uniform(0.7, 1.1)))).split()[:180])
    summary_en = " ".join(" ".join(_sentences(rng, [(1.0, m.english)], len(tm.summary_en.split()))).split()[:180])
    year = min(2025, max(1990, (tm.year_started or rng.choice(m.years)) + rng.randint(-3, 3)))
    awards = "".join(f"\n  - name: {_yaml(a.name)}\n    tier: {_yaml(a.tier)}\n    year: {max(a.year, year)}" for a in tm.awards if a.year)
    source_lines = "".join(
        f"\n  - url: https://contoh.go.id/berita/{i}/{k}\n    title: {_yaml(f'Berita {title} {k}')}\n"
        f"    publisher: Portal Contoh\n    accessed: 2026-01-01"
        for k in range(1, sources + 1)
    )
    front = f"""---
id: {case_id(i)}
title: {_yaml(title)}
summary: {_yaml(summary)}
summary_en: {_yaml(summary_en)}
province: {_yaml(province)}
regency: {_yaml(regency)}
village: {_yaml(village)}
agency: {_yaml(f"Dinas {rng.choice(['Kesehatan', 'Pendidikan', 'Kependudukan', 'Sosial', 'Perhubungan'])} {place}")}
level: {level}
urusan: {json.dumps(list(tm.urusan))}
jenis: {tm.jenis}
bentuk: {tm.bentuk}
tahapan: {tm.tahapan}
inisiator: {json.dumps(list(tm.inisiator))}
year_started: {year}
sdgs: {json.dumps(sorted(set(tm.sdgs)))}
kipp_category: {_yaml(tm.kipp_category)}
awards:{awards or " []"}
depth: {tm.depth}
status: {tm.status}
replicated_from: []
replicated_by: []
contacts: []
sources:{source_lines}
last_reviewed: 2026-01-01
tags: {json.dumps(list(tm.tags), ensure_ascii=False)}
---
"""
    sections = []
    for name in SECTIONS:
        text = template.sections.get(name, "")
        if not text:
            continue
        n = max(12, int(len(plain_text(text).split()) * rng.uniform(0.7, 1.3)))
        text = _paragraphs(rng, _sentences(rng, chains, n), sources).replace(" .", ".")
        sections.append(f"## {name}\n\n{text}")
    return front + "\n" + "\n\n".join(sections) + "\n"


def generate(n: int, folder: Path, full: bool = False, seed: int = SEED, start: int = 0) -> None:
    """Write cases ``start``..``n-1`` to ``folder`` (the ones already there are left as they are)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template_corpus() / "_glossary.yml", folder / "_glossary.yml")  # the query-time synonyms, as on the real corpus
    for i in range(start, n):
        path = folder / f"{case_id(i)}.md"
        if not path.exists():
            path.write_text(case_text(i, full, seed), encoding="utf-8")


def synthetic_vectors(
    ids: list[str],
    templates: list[str],
    chunks: list[int],
    real_index: Path,
    model_name: str,
    noise: float = 0.25,
    seed: int = SEED,
) -> tuple[list[dict], np.ndarray]:
    """Chunk records and unit vectors: each case's ``chunks`` (as many as its own text makes) are copies of its
    template's real chunk vectors, in turn, plus Gaussian noise.

    The count comes from the synthetic text, not from the template's chunks in today's index: a template
    grown since the reference commit would otherwise make the synthetic index heavier than its corpus.
    ``noise`` is the norm of the added noise relative to the unit vector (0.25 keeps a copy about
    0.97 cosine from its original): neighbours of a real topic stay neighbours, copies are not identical.
    """
    from jipp_kb import store, vectors
    from jipp_kb.models import model_info

    live = store.current(real_index, vectors.store_name(model_info(model_name)))
    if live is None:
        raise SystemExit(f"no embedding index for {model_name} in {real_index}: run `jipp-kb index` on the real corpus first")
    meta = json.loads((live / "chunks.json").read_text(encoding="utf-8"))
    real = np.load(live / "vectors.npy")
    rows: dict[str, list[int]] = {}
    for k, c in enumerate(meta["chunks"]):
        rows.setdefault(c["case"], []).append(k)
    rng = np.random.default_rng(seed)
    records, picks = [], []
    for cid, template, count in zip(ids, templates, chunks, strict=True):
        for j in range(count):
            k = rows[template][j % len(rows[template])]
            chunk = meta["chunks"][k]
            records.append({"case": cid, "section": chunk["section"], "key": f"{cid}-{len(records)}", "text": chunk["text"]})
            picks.append(k)
    matrix = real[picks] + rng.standard_normal((len(picks), real.shape[1])).astype(np.float32) * (noise / np.sqrt(real.shape[1]))
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    return records, matrix.astype(np.float32)


def query_df(folder: Path, queries: list[str]) -> list[float]:
    """Share of cases containing every word of each query (a rough check that queries do not match everything)."""
    texts = [p.read_text(encoding="utf-8").lower() for p in sorted(folder.glob("*.md"))]
    return [sum(all(w in t for w in q.lower().split()) for t in texts) / len(texts) for q in queries]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--full", action="store_true", help="every case a full case study (templates from the case studies only)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--templates", default=REFERENCE, help="commit whose corpus/ the cases are modelled on, or 'current' (default: REFERENCE)"
    )
    args = parser.parse_args()
    use_templates(args.templates)
    t = time.perf_counter()
    generate(args.n, args.folder, args.full, args.seed)
    took = time.perf_counter() - t
    words = [len(p.read_text(encoding="utf-8").split("\n---\n", 1)[-1].split()) for p in sorted(args.folder.glob("*.md"))[: args.n]]
    print(f"{args.n} cases in {args.folder} ({took:.1f} s); body words: mean {np.mean(words):.0f}, median {np.median(words):.0f}")
    corpus = load_corpus(args.folder)
    print(f"load_corpus: {len(corpus.cases)} valid, {len(corpus.problems)} problems", file=sys.stderr)
    for p in corpus.problems[:5]:
        print(" ", p, file=sys.stderr)


if __name__ == "__main__":
    main()
