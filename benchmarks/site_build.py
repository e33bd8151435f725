"""How fast `jipp-kb build` renders synthetic corpora of 1,000 and 10,000 cases.

    .venv/bin/python benchmarks/site_build.py            # N = 1000 and 10000
    .venv/bin/python benchmarks/site_build.py 1000 --pagefind

Each case is valid per the schema, with about 700 words in nine sections,
generated from a seed (case i is the same in every corpus, so the 1k corpus is
the prefix of the 10k one). Written to /tmp/jipp-bench/<N>/. Prints, per N:
corpus loading (not part of the build), a cold build (empty caches), a
rebuild with nothing changed, a build into an empty folder with the rendered
Markdown cached (a CI job that keeps .jipp/site-cache), and a rebuild after
one case changed. Pagefind is timed separately, when asked for. Targets: 1,000 cases in under 3 s,
10,000 in under 30 s, one changed case in under 2 s (excluding Pagefind).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import sys
import time
from pathlib import Path

from jipp_kb import vocab
from jipp_kb.config import Config
from jipp_kb.corpus import load_corpus
from jipp_kb.render.site import build_site
from jipp_kb.schema import SECTIONS

ROOT = Path("/tmp/jipp-bench")
SEED = 2024
VOCABULARY = """
pelayanan publik masyarakat warga desa kelurahan kecamatan puskesmas sekolah guru murid bidan dokter perawat pasien
antrean data aplikasi layanan dokumen akta kelahiran kartu keluarga izin usaha pengaduan laporan petugas kader relawan
posyandu balita ibu hamil stunting gizi air bersih sanitasi sampah jalan irigasi petani nelayan pasar koperasi pajak
retribusi anggaran dana peraturan bupati wali kota gubernur dinas badan kantor unit tim program kegiatan inovasi
replikasi pelatihan pendampingan kunjungan rumah jemput bola daring luring pesan singkat telepon formulir verifikasi
validasi target capaian cakupan persen meningkat menurun menjadi sebelum sesudah sejak tahun bulan minggu hari setiap
semua beberapa banyak sedikit lebih kurang dengan untuk dari ke di pada oleh dalam antara agar supaya karena sehingga
namun tetapi juga serta atau yang ini itu tersebut mudah cepat murah dekat jauh terpencil pulau pegunungan pesisir
perkotaan perdesaan lansia disabilitas perempuan anak remaja sekolah filial beasiswa perpustakaan keliling ambulans
rujukan persalinan imunisasi vaksin obat apotek klinik rumah sakit
"""
WORDS = VOCABULARY.split()


def _sentence(rng: random.Random, cite: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
    text = " ".join(words).capitalize()
    return text + (f" [{rng.randint(1, cite)}]." if rng.random() < 0.35 else ".")


def _paragraph(rng: random.Random, cite: int) -> str:
    return " ".join(_sentence(rng, cite) for _ in range(rng.randint(3, 5)))


def _section(rng: random.Random, cite: int) -> str:
    parts = [_paragraph(rng, cite)]
    if rng.random() < 0.4:
        parts.append("\n".join(f"- **{rng.choice(WORDS)}**: {_sentence(rng, cite)}" for _ in range(rng.randint(2, 4))))
    if rng.random() < 0.5:
        parts.append(_paragraph(rng, cite))
    return "\n\n".join(parts)


def _yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def case_text(i: int, regions: list[vocab.Region], urusan: list[str], awards: dict[str, dict], reviewed_day: int = 1) -> str:
    rng = random.Random(SEED * 1_000_003 + i)
    region = rng.choice(regions)
    level = region.kind
    province = region.province
    regency = region.name if level != "provinsi" else None
    n_sources = rng.randint(2, 4)
    title = f"Inovasi {rng.choice(WORDS).capitalize()} {rng.choice(WORDS).capitalize()} {i}"
    award_lines = []
    for _ in range(rng.choice((0, 0, 1, 2))):
        name = rng.choice([a for a in awards if awards[a]["tiers"]])
        award_lines.append(
            f"  - name: {_yaml_str(name)}\n    tier: {_yaml_str(rng.choice(awards[name]['tiers']))}\n    year: {rng.randint(2014, 2024)}"
        )
    sources = "\n".join(
        f"  - url: https://example.org/berita/{i}/{k}\n    title: Berita inovasi {i} nomor {k}\n"
        f"    publisher: Portal Contoh\n    accessed: 2026-01-{reviewed_day:02d}"
        for k in range(1, n_sources + 1)
    )
    summary = " ".join(re.sub(r" \[\d+\]", "", _sentence(rng, 1)) for _ in range(5))
    front = f"""---
id: bench-{i:05d}
title: {_yaml_str(title)}
summary: {_yaml_str(" ".join(summary.split()[:150]))}
summary_en: {_yaml_str("Synthetic benchmark case number " + str(i) + " about " + " ".join(rng.choice(WORDS) for _ in range(40)) + ".")}
province: {_yaml_str(province)}
regency: {_yaml_str(regency) if regency else "null"}
agency: {_yaml_str("Dinas " + rng.choice(WORDS).capitalize() + " " + (regency or province))}
level: {level}
urusan: [{", ".join(_yaml_str(u) for u in rng.sample(urusan, rng.randint(1, 3)))}]
jenis: {rng.choice(["digital", "non-digital"])}
bentuk: {rng.choice(["tata kelola", "pelayanan publik", "lainnya"])}
tahapan: {rng.choice(["inisiatif", "uji coba", "penerapan"])}
inisiator: [{rng.choice(["kepala daerah", "perangkat daerah", "asn", "masyarakat"])}]
year_started: {rng.randint(2005, 2024)}
sdgs: [{", ".join(str(n) for n in sorted(rng.sample(range(1, 18), rng.randint(1, 3))))}]
kipp_category: null
awards:{chr(10) + chr(10).join(award_lines) if award_lines else " []"}
status: {rng.choice(["berjalan", "berhenti", "tidak diketahui"])}
replicated_from: []
replicated_by: []
contacts:
  - office: {_yaml_str("Kantor " + (regency or province))}
sources:
{sources}
last_reviewed: 2026-01-{reviewed_day:02d}
tags: [{", ".join(sorted(set(rng.sample(WORDS, 4))))}]
---
"""
    body = "\n\n".join(f"## {title_}\n\n{_section(rng, n_sources)}" for title_ in SECTIONS)
    return front + "\n" + body + "\n"


def generate(n: int, folder: Path) -> None:
    regions = sorted((r for r in vocab.regions().values()), key=lambda r: r.code)
    regions = [r for r in regions if r.kind in ("provinsi", "kabupaten", "kota")]
    urusan = vocab.urusan().names
    awards = vocab.awards()
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"bench-{i:05d}.md").write_text(case_text(i, regions, urusan, awards), encoding="utf-8")


def similar_map(ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    rng = random.Random(SEED)
    return {cid: [(o, "kata kunci yang sama") for o in rng.sample(ids, 4) if o != cid][:3] for cid in ids}


def _cpu() -> float:
    """CPU seconds of this process and its finished workers: less sensitive than wall time to a busy machine."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run(n: int, pagefind: bool) -> None:
    base = ROOT / str(n)
    if base.exists():
        shutil.rmtree(base)
    corpus_dir, site, cache = base / "corpus", base / "site", base / "cache"
    t = time.perf_counter()
    generate(n, corpus_dir)
    size = sum(p.stat().st_size for p in corpus_dir.glob("*.md")) / 1e6
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n== {n:,} cases (generated in {time.perf_counter() - t:.1f} s, {size:.1f} MB; {os.cpu_count()} CPUs, load average {load})")

    t = time.perf_counter()
    corpus = load_corpus(corpus_dir)
    took = time.perf_counter() - t
    print(f"load_corpus (not part of the build):  {took:6.2f} s   ({len(corpus.cases):,} valid, {len(corpus.problems)} problems)")
    if corpus.problems:
        print("  first problem:", corpus.problems[0], file=sys.stderr)
    similar = similar_map(sorted(corpus.cases))
    config = Config(corpus=corpus_dir, site_dir=site, index_dir=cache)

    def build(label: str) -> None:
        cpu, t = _cpu(), time.perf_counter()
        r = build_site(corpus, config, similar, search=False, cache_dir=cache)
        total, cpu = time.perf_counter() - t, _cpu() - cpu
        steps = ", ".join(f"{k} {v:.2f}" for k, v in r.timings.items())
        print(
            f"{label:37s} {total:6.2f} s   (CPU {cpu:.1f} s; {r.pages:,} pages, {r.rendered:,} rendered, {r.written:,} written, "
            f"{r.markdown_rendered:,} sections rendered; {steps})"
        )

    build("cold build (empty caches)")
    build("rebuild, nothing changed")
    shutil.rmtree(site)
    for manifest in cache.glob("manifest-*.json"):
        manifest.unlink()
    build("new output, Markdown cache kept")
    victim = corpus_dir / "bench-00007.md"
    text = victim.read_text(encoding="utf-8").replace(
        "## Pelajaran\n\n", "## Pelajaran\n\nSatu kalimat baru untuk uji pembangunan ulang [1].\n\n", 1
    )
    victim.write_text(text.replace("last_reviewed: 2026-01-01", "last_reviewed: 2026-02-01"), encoding="utf-8")
    t = time.perf_counter()
    corpus = load_corpus(corpus_dir)
    print(f"load_corpus again (not part of build): {time.perf_counter() - t:5.2f} s")
    build("rebuild after one changed case")

    if pagefind:
        from jipp_kb.render.pagefind import index_site

        t = time.perf_counter()
        stats = index_site(site)
        print(f"{'Pagefind (separate step)':37s} {time.perf_counter() - t:6.2f} s   ({stats.pages:,} pages indexed, {stats.files:,} files)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--pagefind", action="store_true", help="also time the Pagefind index (slow and memory-hungry at 10k)")
    args = parser.parse_args()
    for n in args.sizes:
        run(n, args.pagefind)


if __name__ == "__main__":
    main()
