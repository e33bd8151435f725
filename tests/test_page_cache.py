"""The page cache and the kept standby listing: a rebuild that uses them gives, byte for byte, the site of a cold build."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from site_support import BASE, make_corpus, similar_for

from jipp_kb.config import Config
from jipp_kb.corpus import load_corpus
from jipp_kb.render import pages, publish
from jipp_kb.render import site as site_module
from jipp_kb.render.page_cache import package_digest
from jipp_kb.render.site import build_site

SITE_I18N = Path(__file__).parents[1] / "site" / "i18n"


def _build(root: Path, out: Path, cache: Path, **config):
    corpus = load_corpus(root / "corpus")
    cfg = Config(base_url=BASE, corpus=Path("corpus"), root=root, **config)
    return build_site(corpus, cfg, similar_for(list(corpus.cases)), output=out, cache_dir=cache, search=False)


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _assert_same_as_cold(tmp: Path, out: Path, **config) -> None:
    cold = tmp / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    _build(tmp, cold / "site", cold / "cache", **config)
    got, want = _files(out), _files(cold / "site")
    assert got.keys() == want.keys(), sorted(got.keys() ^ want.keys())[:10]
    assert [rel for rel in want if got[rel] != want[rel]] == [], "files that differ from a cold build"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    make_corpus(tmp_path)
    return tmp_path


def test_a_rebuild_after_edits_a_deletion_and_a_rename_is_byte_for_byte_a_cold_build(project):
    out, cache = project / "out", project / "cache"
    first = _build(project, out, cache)
    again = _build(project, out, cache)  # makes the standby and its listing
    assert first.cached == 0 and again.cached > first.pages * 0.8 and again.rendered == 0
    corpus = project / "corpus"
    # a title other cases show (replicated by two, in a collection), a collection's title, a deleted case, a renamed one
    anc = corpus / "anc-hipnoterapi.md"
    anc.write_text(anc.read_text(encoding="utf-8").replace("title: ", "title: Baru - ", 1), encoding="utf-8")
    collection = corpus / "collections" / "kesehatan-ibu.yml"
    collection.write_text(
        collection.read_text(encoding="utf-8").replace("title_en: Maternal health", "title_en: Mothers"), encoding="utf-8"
    )
    (corpus / "sumpah-beruang.md").unlink()
    old = corpus / "selfi-palembang.md"
    (corpus / "selfi-palembang-kedua.md").write_text(
        old.read_text(encoding="utf-8").replace("id: selfi-palembang", "id: selfi-palembang-kedua", 1), encoding="utf-8"
    )
    old.unlink()
    rebuilt = _build(project, out, cache)
    assert 0 < rebuilt.cached < rebuilt.pages, "the cache was used, and not for everything"
    _assert_same_as_cold(project, out)
    html = "\n".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    assert "kasus/sumpah-beruang/" not in html and "kasus/selfi-palembang/" not in html, "gone from every list and link"
    assert "kasus/selfi-palembang-kedua/" in html
    glossary = corpus / "_glossary.yml"  # every case page lists the glossary terms it uses
    glossary.write_text(glossary.read_text(encoding="utf-8").replace("  expansion: ", "  expansion: (ubah) ", 1), encoding="utf-8")
    _build(project, out, cache)
    _assert_same_as_cold(project, out)


def test_a_page_of_a_long_list_is_rebuilt_when_the_list_changes_elsewhere(project, monkeypatch):
    """Page 1 of a province lists all its kabupaten/kota: a case on page 3 moving to another kota changes page 1
    although page 1 shows the same cases."""
    monkeypatch.setattr(pages, "CARDS_PER_PAGE", 2)
    monkeypatch.setattr(pages, "ROWS_PER_PAGE", 3)
    out, cache = project / "out", project / "cache"
    _build(project, out, cache)
    province = out / "provinsi" / "sulawesi-selatan"
    assert (province / "halaman" / "3" / "index.html").is_file()
    case = project / "corpus" / "dottorota-home-care.md"
    text = case.read_text(encoding="utf-8")
    assert "regency: Kota Makassar" in text
    case.write_text(text.replace("regency: Kota Makassar", "regency: Kota Palopo", 1), encoding="utf-8")
    assert not load_corpus(project / "corpus").problems
    before = (province / "index.html").read_text(encoding="utf-8")
    rebuilt = _build(project, out, cache)
    after = (province / "index.html").read_text(encoding="utf-8")
    assert 0 < rebuilt.cached < rebuilt.pages and "Kota Makassar" in before and "Kota Makassar" not in after
    _assert_same_as_cold(project, out)


def test_recorded_keys_are_not_used_after_a_change_of_strings_settings_or_package(project, monkeypatch):
    out, cache = project / "out", project / "cache"
    _build(project, out, cache)
    assert _build(project, out, cache).cached > 0
    theme = project / "tema" / "i18n"
    theme.mkdir(parents=True)
    en = (SITE_I18N / "en.yml").read_text(encoding="utf-8")
    assert 'page: "Innovations in {value}"' in en
    (theme / "en.yml").write_text(en.replace('page: "Innovations in {value}"', 'page: "Public-service innovations in {value}"'))
    strings = _build(project, out, cache, theme_dir=Path("tema"))
    assert strings.cached == 0 and strings.rendered == strings.pages
    assert "Public-service innovations in" in (out / "en" / "provinsi" / "sulawesi-selatan" / "index.html").read_text(encoding="utf-8")
    _assert_same_as_cold(project, out, theme_dir=Path("tema"))
    settings = _build(project, out, cache, theme_dir=Path("tema"), title="Pustaka Inovasi")
    assert settings.cached == 0
    _assert_same_as_cold(project, out, theme_dir=Path("tema"), title="Pustaka Inovasi")
    monkeypatch.setattr(site_module, "package_digest", lambda: "another version of jipp_kb")
    assert _build(project, out, cache, theme_dir=Path("tema"), title="Pustaka Inovasi").cached == 0


def test_the_package_digest_follows_code_and_data_files_not_bytecode(tmp_path):
    pkg = tmp_path / "jipp_kb"
    (pkg / "data").mkdir(parents=True)
    (pkg / "vocab.py").write_text("X = 1\n")
    (pkg / "data" / "provinces.yml").write_text("- Aceh\n")
    before = package_digest(pkg)
    (pkg / "__pycache__").mkdir()
    (pkg / "__pycache__" / "vocab.cpython-311.pyc").write_bytes(b"\0")
    assert package_digest(pkg) == before
    (pkg / "data" / "provinces.yml").write_text("- Aceh\n- Bali\n")
    assert package_digest(pkg) != before
    assert package_digest() != before, "the real package"


def test_a_standby_changed_since_the_last_build_is_walked_not_trusted_to_its_listing(project):
    out, cache = project / "out", project / "cache"
    _build(project, out, cache)
    _build(project, out, cache)
    standby = project / ".out.standby"
    (listing,) = cache.glob("standby-*.json")
    data = json.loads(listing.read_text(encoding="utf-8"))
    assert data["files"].keys() == _files(standby).keys(), "the listing is the standby's"
    (standby / "stray.html").write_text("not the site's", encoding="utf-8")
    _build(project, out, cache)
    assert not (out / "stray.html").exists()
    _assert_same_as_cold(project, out)
    # a wrong listing of an unchanged folder: files it names that are gone, files it forgets
    data = json.loads(listing.read_text(encoding="utf-8"))
    data["files"]["kasus/tidak-ada/index.html"] = 1
    del data["files"]["index.html"]
    listing.write_text(json.dumps(data), encoding="utf-8")
    case = project / "corpus" / "gebrakan-susi.md"
    case.write_text(case.read_text(encoding="utf-8").replace("Suami Siaga", "Suami Siap Siaga", 1), encoding="utf-8")
    _build(project, out, cache)
    _assert_same_as_cold(project, out)


def test_files_put_deep_in_the_site_by_hand_are_carried_over_and_their_removal_too(project, monkeypatch):
    """The site is not walked but checked folder by folder (modification times): a hand edit still shows."""
    monkeypatch.setattr(publish, "RACY_NS", 0)  # the builds here are quicker than the file system's clock margin
    walks = []
    tree = publish._tree
    monkeypatch.setattr(publish, "_tree", lambda root, start="": walks.append((root.name, start)) or tree(root, start))
    out, cache = project / "out", project / "cache"
    for _ in range(3):  # the third build finds the site through the kept listing
        _build(project, out, cache)
    note = out / "kasus" / "gebrakan-susi" / "catatan.txt"
    note.write_text("tulisan tangan", encoding="utf-8")
    (out / "en" / "tentang" / "index.html").unlink()
    walks.clear()
    _build(project, out, cache)
    assert walks == [], "neither tree walked"
    assert note.read_text(encoding="utf-8") == "tulisan tangan"
    assert (out / "en" / "tentang" / "index.html").is_file(), "a page gone from the site is written again"
    note.unlink()
    _build(project, out, cache)
    _build(project, out, cache)
    assert not note.exists() and not (project / ".out.standby" / "kasus" / "gebrakan-susi" / "catatan.txt").exists()
    _assert_same_as_cold(project, out)
