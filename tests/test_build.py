"""The build order (jipp_kb/build.py): packs and pages are published together, a failed build changes nothing, and the
watch of `serve --watch` survives a failed rebuild."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from jipp_kb import build, serve
from jipp_kb.config import Config
from jipp_kb.corpus import load_corpus
from jipp_kb.pack import PackError

DATA = Path(__file__).parent / "data"


@pytest.fixture
def project(tmp_path: Path) -> tuple[Config, Path]:
    shutil.copytree(DATA / "corpus", tmp_path / "corpus")
    return Config(root=tmp_path, corpus=Path("corpus"), site_dir=Path("_site"), index_dir=Path(".jipp")), tmp_path / "corpus"


def _snapshot(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_packs_are_published_with_the_pages_and_a_failed_build_changes_nothing(project, monkeypatch: pytest.MonkeyPatch):
    config, corpus_dir = project
    corpus = load_corpus(corpus_dir)
    site = config.resolve(config.site_dir)
    monkeypatch.setattr("jipp_kb.pack.build._layout_all", lambda htmls, workers: iter([(b"%PDF-1.7 stand-in", 1)] * len(htmls)))
    result = build.render(corpus, config, {}, search=False)
    assert set(result.packs) == {"kesehatan-ibu"} and (site / result.packs["kesehatan-ibu"]["handout.html"]).is_file()
    assert "packs/kesehatan-ibu/handout.html" in (site / "koleksi" / "kesehatan-ibu" / "index.html").read_text(encoding="utf-8")
    before = _snapshot(site)

    def broken_packs(corpus, config, folder, progress=None):
        (folder / "packs" / "kesehatan-ibu" / "handout.html").unlink()  # half-written, then it fails
        raise PackError("layout failed")

    monkeypatch.setattr("jipp_kb.pack.build_packs", broken_packs)
    with pytest.raises(PackError):
        build.render(corpus, config, {}, search=False)
    assert _snapshot(site) == before, "the published site is the last good one, packs included"
    assert not [p for p in site.parent.iterdir() if p.name.endswith(".tmp")], "no staged copy is left behind"


def test_watch_reports_a_failed_rebuild_and_goes_on(tmp_path: Path, capfd: pytest.CaptureFixture):
    (tmp_path / "a.md").write_text("x", encoding="utf-8")
    calls: list[int] = []

    def on_change() -> None:
        calls.append(len(calls))
        if len(calls) == 1:
            raise PackError("layout failed")

    stop = threading.Event()
    thread = threading.Thread(target=serve.watch, args=(tmp_path, on_change, 0.05, stop), daemon=True)
    thread.start()
    stamp = 0
    for n in (1, 2):  # each edit is repeated until the watch sees it: the thread may start late on a busy machine
        deadline = time.monotonic() + 20
        while len(calls) < n and time.monotonic() < deadline:
            stamp += 1
            (tmp_path / "a.md").write_text(f"edit {stamp}", encoding="utf-8")
            os.utime(tmp_path / "a.md", ns=(stamp * 10**9, stamp * 10**9))
            wait = time.monotonic() + 1
            while len(calls) < n and time.monotonic() < wait:
                time.sleep(0.05)
    stop.set()
    thread.join(5)
    assert len(calls) >= 2, "the watch called the rebuild again after it failed"
    assert "rebuild failed (PackError: layout failed); still serving the last good site" in capfd.readouterr().err


def test_an_unchanged_site_build_lays_out_no_pdf_again(project, monkeypatch: pytest.MonkeyPatch):
    """The staged copy's folder name changes every build; the PDF cache must still recognise the packs' PDFs."""
    config, corpus_dir = project
    corpus = load_corpus(corpus_dir)
    laid: list[str] = []

    def layout(htmls, workers):
        laid.extend(htmls)
        return iter([(b"%PDF-1.7 stand-in", 1)] * len(htmls))

    monkeypatch.setattr("jipp_kb.pack.build._layout_all", layout)
    build.render(corpus, config, {}, search=False)
    first = len(laid)
    real_pid = os.getpid()
    monkeypatch.setattr(os, "getpid", lambda: real_pid + 1)  # the next build is another process: another staged folder
    build.render(corpus, config, {}, search=False)
    assert first > 0 and len(laid) == first
