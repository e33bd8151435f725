"""Nothing half-writes: kill -9 during `build` and `index`, two builds at once, and the keyword index's compaction."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURE_CORPUS

from jipp_kb import keyword, store
from jipp_kb.corpus import load_corpus
from jipp_kb.render.publish import leftovers, recover, site_lock

KILLS = 20
BASES = ("/a/", "/b/")
"""Builds alternate between two base URLs, so every page of the old site differs from the new one."""


def _build_cmd(corpus: Path, out: Path, base: str) -> list[str]:
    return [sys.executable, "-m", "jipp_kb", "build", "--corpus", str(corpus), "--output", str(out), "--no-packs", "-q", "--base-url", base]


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)


def _assert_complete_site(out: Path) -> str:
    """The site is whole and from one build: every linked page exists, the search bundle parses, one base URL throughout."""
    assert out.is_dir() and not out.is_symlink()
    home = (out / "index.html").read_text(encoding="utf-8")
    base = next(b for b in BASES if f'href="{b}static/' in home)
    links = {href.split("#")[0].split("?")[0] for href in re.findall(r'href="([^"]+)"', home) if href.startswith(base)}
    assert len(links) > 20
    for href in links:
        path = out / href.removeprefix(base)
        assert (path / "index.html" if href.endswith("/") else path).is_file(), href
    entries = [json.loads((out / bundle / "pagefind-entry.json").read_text(encoding="utf-8")) for bundle in ("pagefind", "en/pagefind")]
    assert sum(lang["page_count"] for entry in entries for lang in entry["languages"].values()) == 34
    other = BASES[1 - BASES.index(base)]
    mixed = [p for p in out.rglob("*.html") if f'"{other}static/' in p.read_text(encoding="utf-8")]
    assert mixed == [], "pages of two builds in one site"
    return base


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE_CORPUS, tmp_path / "corpus")
    return tmp_path / "corpus"


def test_kill_9_during_build_leaves_the_old_or_the_new_site(tmp_path, corpus):
    out = tmp_path / "_site"
    first = _run(_build_cmd(corpus, out, BASES[0]), tmp_path)
    assert first.returncode == 0, first.stderr
    start = time.monotonic()
    assert _run(_build_cmd(corpus, out, BASES[1]), tmp_path).returncode == 0
    took = time.monotonic() - start
    rng = random.Random(20261129)
    previous = BASES[1]
    for i in range(KILLS):
        proc = subprocess.Popen(_build_cmd(corpus, out, BASES[i % 2]), cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, took * 1.1))  # Python's start-up is the first 0.2 s
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        found = _assert_complete_site(out)
        assert found in (previous, BASES[i % 2]), "neither the previous site nor the one being built"
        previous = found
    again = _run(_build_cmd(corpus, out, BASES[0]), tmp_path)
    assert again.returncode == 0, again.stderr
    assert _assert_complete_site(out) == BASES[0]
    assert leftovers(out) == [] and sorted(p.name for p in tmp_path.iterdir()) == [
        "._site.lock",
        "._site.standby",
        ".jipp",
        "_site",
        "corpus",
    ]


def test_two_builds_at_once_one_waits_and_a_busy_build_stops_with_one_line(tmp_path, corpus):
    out = tmp_path / "_site"
    procs = [
        subprocess.Popen(_build_cmd(corpus, out, base), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for base in BASES
    ]
    results = [(proc.communicate(timeout=120)[1], proc.returncode) for proc in procs]
    assert all(code == 0 for _, code in results), results
    assert not any("Traceback" in err for err, _ in results)
    _assert_complete_site(out)
    with site_lock(out):  # a build that never finishes
        busy = _run(_build_cmd(corpus, out, BASES[0]), tmp_path)
    assert busy.returncode == 1 and "Traceback" not in busy.stderr
    assert busy.stderr.strip().splitlines()[-1] == f"Error: another 'jipp-kb build' is still writing {out}; try again when it has finished"
    _assert_complete_site(out)


def _index_cmd(corpus: Path, root: Path, rebuild: bool) -> list[str]:
    return [sys.executable, "-m", "jipp_kb", "index", "--keyword-only", "-q", "--corpus", str(corpus), "--index-dir", str(root)] + (
        ["--rebuild"] if rebuild else []
    )


def _assert_searchable(root: Path) -> None:
    ix = keyword.KeywordIndex(root)
    try:
        assert "lahir-procot-pulang-bawa-akta" in [h.id for h in ix.search("akta kelahiran", limit=5).hits]
    finally:
        ix.close()


def test_kill_9_during_index_leaves_a_searchable_index_and_the_next_run_no_leftovers(tmp_path, corpus):
    root = tmp_path / "jipp"
    assert _run(_index_cmd(corpus, root, rebuild=True), tmp_path).returncode == 0
    case = corpus / "sumpah-beruang.md"
    text = case.read_text(encoding="utf-8")
    rng = random.Random(17)
    for i in range(KILLS):
        case.write_text(text + f"\nPerubahan {i}.\n", encoding="utf-8")  # an incremental run has something to write
        proc = subprocess.Popen(
            _index_cmd(corpus, root, rebuild=i % 2 == 0), cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.2, 0.9))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        _assert_searchable(root)
    done = _run(_index_cmd(corpus, root, rebuild=False), tmp_path)
    assert done.returncode == 0, done.stderr
    _assert_searchable(root)
    live = store.current(root, keyword.NAME)
    assert live is not None
    assert sorted(p.name for p in root.iterdir()) == sorted(["index.lock", keyword.NAME, live.name])


def test_incremental_updates_are_compacted_past_the_bound(tmp_path, corpus):
    root = tmp_path / "jipp"
    keyword.build(root, load_corpus(corpus).sorted_cases(), [])
    live = store.current(root, keyword.NAME)
    assert live is not None
    fresh = json.loads((live / "jipp-meta.json").read_text(encoding="utf-8"))["fresh_bytes"]
    case = corpus / "sumpah-beruang.md"
    text = case.read_text(encoding="utf-8")
    compacted = []
    for i in range(2 * keyword.MAX_SEGMENTS):
        case.write_text(text + f"\nPerubahan {i}.\n", encoding="utf-8")
        report = keyword.build(root, load_corpus(corpus).sorted_cases(), [])
        assert report.updated == ["sumpah-beruang"]
        compacted.append(report.compacted)
        segments = [p for p in live.iterdir() if p.suffix == ".seg"]
        assert len(segments) <= keyword.MAX_SEGMENTS + 1
        assert sum(p.stat().st_size for p in live.iterdir() if p.is_file()) <= 2 * fresh + 64 * 1024
    assert any(compacted) and not all(compacted)
    _assert_searchable(root)


def test_next_build_restores_a_site_left_renamed_aside_and_removes_temporary_folders(tmp_path, corpus):
    """Where the atomic exchange is unavailable, a kill between the two renames leaves only ``<site>.<pid>.old``."""
    out = tmp_path / "_site"
    assert _run(_build_cmd(corpus, out, BASES[0]), tmp_path).returncode == 0
    os.rename(out, tmp_path / "_site.123.old")
    (tmp_path / "_site.456.tmp" / "kasus").mkdir(parents=True)
    recover(out)
    assert _assert_complete_site(out) == BASES[0] and leftovers(out) == []


def test_a_symlinked_site_folder_keeps_its_link(tmp_path, corpus):
    (tmp_path / "real").mkdir()
    out = tmp_path / "_site"
    out.symlink_to("real")
    for base in BASES:
        built = _run(_build_cmd(corpus, out, base), tmp_path)
        assert built.returncode == 0, built.stderr
    assert out.is_symlink() and _assert_complete_site(tmp_path / "real") == BASES[1]
