"""The incremental site build: what a change renders again, the search page's word counts, and the kept staged copy."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURE_CORPUS

from jipp_kb.config import Config
from jipp_kb.corpus import load_corpus
from jipp_kb.render.publish import sync
from jipp_kb.render.site import build_site

CASE = "gebrakan-susi"


def _build(tmp: Path, corpus_dir: Path, out: str = "out", cache: str = "cache", **config):
    corpus = load_corpus(corpus_dir)
    cfg = Config(corpus=Path("corpus"), root=tmp, **config)
    return build_site(corpus, cfg, {}, output=tmp / out, cache_dir=tmp / cache, search=False)


def _inodes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE_CORPUS, tmp_path / "corpus")
    return tmp_path / "corpus"


def test_one_changed_case_renders_its_pages_and_the_lists_showing_it_and_nothing_else(tmp_path, corpus):
    first = _build(tmp_path, corpus)
    before = _inodes(tmp_path / "out")
    case = corpus / f"{CASE}.md"
    case.write_text(case.read_text(encoding="utf-8").replace("Gebrakan SUSI (Suami Siaga)", "Gebrakan SUSI (Suami Siap Siaga)", 1))
    again = _build(tmp_path, corpus)
    after = _inodes(tmp_path / "out")
    changed = {rel for rel in after if before.get(rel) != after[rel]}
    out = tmp_path / "out"
    showing = {rel for rel in after if rel.endswith(".html") and f"/kasus/{CASE}/" in (out / rel).read_text(encoding="utf-8")}
    html = {rel for rel in changed if rel.endswith(".html")}
    search_pages = {"cari/index.html", "en/cari/index.html"}  # the word list's versioned URL changes with a new word
    assert {f"kasus/{CASE}/index.html", f"en/kasus/{CASE}/index.html", "index.html", "kasus/index.html"} <= html
    assert html - search_pages == showing - search_pages, "re-rendered: exactly the pages that show the case"
    assert again.rendered == len(html) < first.pages / 3
    assert changed - html <= {"feed.xml", "en/feed.xml", "static/search-terms.json"}


def test_a_template_change_renders_every_page_again(tmp_path, corpus):
    first = _build(tmp_path, corpus)
    theme = tmp_path / "tema" / "templates"
    theme.mkdir(parents=True)
    base = (Path(__file__).parents[1] / "site" / "templates" / "base.html").read_text(encoding="utf-8")
    (theme / "base.html").write_text(base.replace("</body>", "<!-- kantor -->\n</body>"), encoding="utf-8")
    again = _build(tmp_path, corpus, theme_dir=Path("tema"))
    assert again.rendered == again.pages == first.pages
    assert "<!-- kantor -->" in (tmp_path / "out" / "kasus" / CASE / "index.html").read_text(encoding="utf-8")


def test_search_word_counts_kept_between_builds_equal_counting_from_scratch(tmp_path, corpus):
    _build(tmp_path, corpus)
    case = corpus / f"{CASE}.md"
    case.write_text(case.read_text(encoding="utf-8").replace("## Ringkasan\n\n", "## Ringkasan\n\nKatalisator istimewa.\n\n", 1))
    (corpus / "gesit-ptsp-sulsel.md").unlink()
    _build(tmp_path, corpus)
    _build(tmp_path, corpus, out="fresh", cache="fresh-cache")
    terms = "static/search-terms.json"
    kept = (tmp_path / "out" / terms).read_bytes()
    assert "katalisator" in kept.decode() and kept == (tmp_path / "fresh" / terms).read_bytes()


def test_the_staged_copy_is_kept_and_synced_by_inode_files_others_put_in_the_site_survive(tmp_path, corpus):
    _build(tmp_path, corpus)
    (tmp_path / "out" / "CNAME").write_text("inovasi.example.id\n", encoding="utf-8")
    _build(tmp_path, corpus)
    standby = tmp_path / ".out.standby"
    assert _inodes(standby).keys() == _inodes(tmp_path / "out").keys(), "the old site, kept for the next build"
    case = corpus / f"{CASE}.md"
    case.write_text(case.read_text(encoding="utf-8").replace("Suami Siaga", "Suami Siap Siaga", 1))
    _build(tmp_path, corpus)
    assert (tmp_path / "out" / "CNAME").read_text(encoding="utf-8") == "inovasi.example.id\n"
    assert "Suami Siap Siaga" in (tmp_path / "out" / "kasus" / CASE / "index.html").read_text(encoding="utf-8")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith((".tmp", ".old"))]


def test_sync_links_only_what_differs_and_removes_what_is_gone(tmp_path):
    src, copy = tmp_path / "src", tmp_path / "copy"
    for rel, text in {"a.html": "a", "d/b.html": "b", "d/e/c.html": "c", "x": "file"}.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text, encoding="utf-8")
    os.symlink("a.html", src / "link.html")
    assert sync(src, copy).changed == 5
    assert _inodes(copy) == _inodes(src) and os.readlink(copy / "link.html") == "a.html"
    assert sync(src, copy).changed == 0
    (src / "d" / "b.html").unlink()
    (src / "d" / "b.html").write_text("b2", encoding="utf-8")  # replaced, as the build does: a new inode
    shutil.rmtree(src / "d" / "e")
    (src / "x").unlink()
    (src / "x").mkdir()
    (src / "x" / "new.html").write_text("n", encoding="utf-8")
    (copy / "stray.html").write_text("s", encoding="utf-8")
    assert sync(src, copy).changed == 6  # b out and in, c out, x out, stray out, x/new in
    assert _inodes(copy) == _inodes(src)
    assert sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*")) == sorted(p.relative_to(src).as_posix() for p in src.rglob("*"))
    assert (copy / "d" / "b.html").read_text(encoding="utf-8") == "b2"
    assert sync(tmp_path / "no-site", copy).changed == 4 and list(copy.iterdir()) == [], "no site: an empty copy"


def test_sync_replaces_a_standby_that_is_a_link_and_leaves_its_target_alone(tmp_path):
    src, elsewhere, copy = tmp_path / "src", tmp_path / "elsewhere", tmp_path / "copy"
    src.mkdir()
    (src / "a.html").write_text("a", encoding="utf-8")
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine", encoding="utf-8")
    os.symlink(elsewhere, copy)
    assert sync(src, copy).changed == 1
    assert not copy.is_symlink() and (copy / "a.html").read_text(encoding="utf-8") == "a"
    assert (elsewhere / "keep.txt").read_text(encoding="utf-8") == "mine"
