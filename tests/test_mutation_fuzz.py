"""Seeded mutation fuzz of `check`: 2,000 case files a contributor could plausibly produce.

Each file is the valid fixture with one to three realistic mutations
(impossible dates, YAML tags, deep nesting, huge headings, bracket runs,
NULs, BOMs, CRLF, truncation…). Files are loaded in-process through
``read_and_validate`` one at a time, each under a 10 s alarm (a hang or a
super-linear file fails the test instead of stalling it), then through
``load_corpus`` 100 at a time for the cross-file rules. Every file must
come out as either a valid case or located problems, never a traceback, and
the sections of every valid one must render (as build would) in bounded time.
"""

from __future__ import annotations

import random
import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from jipp_kb.corpus import load_corpus, read_and_validate
from jipp_kb.render.markdown import to_html

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
VALID = (DATA / "valid" / "contoh-akta.md").read_text(encoding="utf-8")

FILES = 2000
BATCH = 100
SECONDS_PER_FILE = 10
SEED = 20261129


def _replace_value(rng: random.Random, text: str, values: list[str]) -> str:
    lines = text.split("\n")
    keyed = [i for i, line in enumerate(lines) if ": " in line and not line.startswith("#")]
    if not keyed:
        return text
    i = rng.choice(keyed)
    lines[i] = lines[i].split(": ", 1)[0] + ": " + rng.choice(values)
    return "\n".join(lines)


def _insert_body(rng: random.Random, text: str, block: str) -> str:
    lines = text.split("\n")
    i = rng.randrange(len(lines) + 1)
    return "\n".join(lines[:i] + [block] + lines[i:])


DATES = ["2026-02-30", "2026-13-01", "0000-00-00", "2026-01-01 25:00:00", "2026-11-27T24:61:00", "9999-99-99", "2026-2-3", "1-1-1"]
TAGS = ["!!int abc", "!!bool maybe", "!!float x", "!!timestamp soon", "!!binary '%%'", "!!str [a]", "!!null x", "!!set [a]", "!!omap a",
        "!!python/object:os.system x", "!custom x", "!!map [1]", "!!seq {a: 1}", "&a x", "*a", "!!int 0x", "!!float .nan"]  # fmt: skip


def _mutations() -> list[Callable[[random.Random, str], str]]:
    return [
        lambda r, t: _replace_value(r, t, DATES),
        lambda r, t: _replace_value(r, t, TAGS),
        lambda r, t: _replace_value(r, t, ["[" * r.choice([10, 500, 990, 1200]) + "]" * r.choice([0, 10, 990, 1200])]),
        lambda r, t: _replace_value(r, t, ["{a: " * r.choice([10, 500, 995]) + "1" + "}" * r.choice([0, 995])]),
        lambda r, t: _insert_body(r, t, "## " + " " * r.choice([100, 4000]) + r.choice(["x", "#" * 3000, ""]) + " " * r.randrange(3000)),
        lambda r, t: _insert_body(
            r, t, r.choice(["[", "[1, ", "![", "[a](", '[a]("', "(", "<a", "`", "*", "\\"]) * r.choice([100, 2000, 8000])
        ),
        lambda r, t: _insert_body(r, t, "\x00"),
        lambda r, t: "\ufeff" + t,
        lambda r, t: t.replace("\n", "\r\n"),
        lambda r, t: t.replace("\n", "\r"),
        lambda r, t: t[: r.randrange(len(t) + 1)],
        lambda r, t: _insert_body(r, t, r.choice(["---", "...", "- [", "? [a, b]\n: 1", "key: 'unclosed", "\t- x", "｜", "\udcff"])),
        lambda r, t: _insert_body(r, t, "\n".join(" " * i + "- x" for i in range(0, r.choice([50, 400]), 2))),
        lambda r, t: _replace_value(r, t, ["1e999", "-0", "99999999999999999999999", "0o17", "0b2", ".inf", "~", "''", "null", "[]", "{}"]),
    ]


MUTATIONS = _mutations()


def _mutant(rng: random.Random) -> bytes:
    text = VALID
    for _ in range(rng.randint(1, 3)):
        text = rng.choice(MUTATIONS)(rng, text)
    return text.encode("utf-8", "surrogatepass")


class Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise Hang


@pytest.fixture(scope="module")
def alarm():
    """SIGALRM raises :class:`Hang` in the test; the previous handler comes back after the module."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def _bounded(seconds: float, run: Callable[[], object]) -> object:
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return run()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


@pytest.mark.parametrize("batch", range(FILES // BATCH))
def test_check_survives_mutated_cases(tmp_path: Path, batch: int, alarm: None):
    rng = random.Random(SEED + batch)
    root = tmp_path / "corpus"
    root.mkdir()
    shutil.copy(ROOT / "tests" / "data" / "corpus" / "_template.md", root)
    paths = [root / f"mutan-{batch}-{i}.md" for i in range(BATCH)]
    for path in paths:
        path.write_bytes(_mutant(rng).replace(b"id: contoh-akta", f"id: {path.stem}".encode(), 1))
    for path in paths:  # each file alone, under its own time bound
        start = time.monotonic()
        try:
            case, problems = _bounded(SECONDS_PER_FILE, lambda path=path: read_and_validate(path, root))
        except Hang:
            pytest.fail(f"{path.name} took over {SECONDS_PER_FILE} s:\n{path.read_bytes()[:300]!r}")
        assert time.monotonic() - start < SECONDS_PER_FILE
        assert (case is None) == any(p.severity == "error" for p in problems), path.name
        for p in problems:
            assert p.path.endswith(path.name) and p.line >= 1 and p.field.strip() and p.message.strip(), p
    corpus = _bounded(SECONDS_PER_FILE, lambda: load_corpus(root))  # and together, with the cross-file rules
    assert corpus.files_checked == BATCH
    invalid = {p.path.rsplit("/", 1)[-1] for p in corpus.problems}
    for path in paths:
        assert path.stem in corpus.cases or path.name in invalid, path.name  # a valid case may also be a likely duplicate of another
    for case in corpus.cases.values():  # what passes check is what build renders
        start = time.monotonic()
        try:
            _bounded(SECONDS_PER_FILE, lambda case=case: [to_html(text) for text in case.sections.values()])
        except Hang:
            pytest.fail(f"rendering {case.display} took over {SECONDS_PER_FILE} s")
        assert time.monotonic() - start < SECONDS_PER_FILE
