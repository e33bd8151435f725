"""Mangled case files: the loader reports problems and never raises.

Every file a contributor can produce (binary junk, a truncated save, a bad
merge that drops or repeats lines, stray unicode, Windows line endings, a
byte-order mark) must turn into located problems, so ``jipp-kb check`` lists
them instead of crashing with a traceback.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jipp_kb.corpus import read_and_validate

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
VALID = (DATA / "valid" / "contoh-akta.md").read_bytes()
LINES = VALID.split(b"\n")

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus folder with the template, so the placeholder rule runs too."""
    root = tmp_path_factory.mktemp("fuzz") / "corpus"
    root.mkdir()
    shutil.copy(ROOT / "tests" / "data" / "corpus" / "_template.md", root)
    return root


def _check(corpus: Path, content: bytes) -> None:
    path = corpus / "contoh-akta.md"  # the fixture's id, so an unharmed file is a valid case
    path.write_bytes(content)
    for root in (corpus, None):
        case, problems = read_and_validate(path, root)
        assert (case is None) == any(p.severity == "error" for p in problems), "a file is either a valid case or has errors"
        for p in problems:
            assert p.path and p.path.endswith("contoh-akta.md"), p
            assert isinstance(p.line, int) and p.line >= 1, p
            assert isinstance(p.field, str) and p.field.strip(), p
            assert isinstance(p.message, str) and p.message.strip(), p


def _variant(content: bytes, ending: str, bom: bool) -> bytes:
    if ending != "\n":
        content = content.replace(b"\n", ending.encode())
    return (b"\xef\xbb\xbf" if bom else b"") + content


variants = st.tuples(st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())


@FUZZ
@given(content=st.binary(max_size=4000))
def test_random_bytes(corpus: Path, content: bytes):
    _check(corpus, content)


@FUZZ
@given(cut=st.integers(min_value=0, max_value=len(VALID)), variant=variants)
def test_truncations(corpus: Path, cut: int, variant: tuple[str, bool]):
    _check(corpus, _variant(VALID[:cut], *variant))


@FUZZ
@given(
    edits=st.lists(st.tuples(st.sampled_from(["delete", "duplicate", "swap"]), st.integers(0, len(LINES) - 1)), min_size=1, max_size=8),
    variant=variants,
)
def test_line_deletions_and_duplications(corpus: Path, edits: list[tuple[str, int]], variant: tuple[str, bool]):
    lines = list(LINES)
    for op, i in edits:
        i %= len(lines) or 1
        if not lines:
            break
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        else:
            j = (i + 1) % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
    _check(corpus, _variant(b"\n".join(lines), *variant))


@FUZZ
@given(text=st.text(max_size=2000), variant=variants)
def test_random_unicode(corpus: Path, text: str, variant: tuple[str, bool]):
    _check(corpus, _variant(text.encode("utf-8", "surrogatepass"), *variant))


@FUZZ
@given(
    inserts=st.lists(st.tuples(st.integers(0, len(LINES) - 1), st.text(min_size=1, max_size=40)), min_size=1, max_size=5),
    variant=variants,
)
def test_unicode_spliced_into_valid_lines(corpus: Path, inserts: list[tuple[int, str]], variant: tuple[str, bool]):
    lines = [line.decode("utf-8") for line in LINES]
    for i, text in inserts:
        cut = len(lines[i]) // 2
        lines[i] = lines[i][:cut] + text + lines[i][cut:]
    _check(corpus, _variant("\n".join(lines).encode("utf-8", "surrogatepass"), *variant))


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("bom", [False, True])
def test_line_endings_and_bom_keep_a_valid_case_valid(corpus: Path, ending: str, bom: bool):
    path = corpus / "contoh-akta.md"
    path.write_bytes(_variant(VALID, ending, bom))
    case, problems = read_and_validate(path, corpus)
    assert problems == [] and case is not None and case.line("province") == 11


@pytest.mark.parametrize(
    "front_matter, line",
    [
        ("id: &x [*x]\n", 2),  # recursive: walking it would never end
        ("".join(f"k{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10 if i else ['x'] * 10)}]\n" for i in range(9)), 3),  # exponential
    ],
    ids=["recursive", "exponential"],
)
def test_yaml_aliases_are_refused_not_expanded(corpus: Path, front_matter: str, line: int):
    path = corpus / "contoh-akta.md"
    path.write_text(f"---\n{front_matter}---\n", encoding="utf-8")
    case, problems = read_and_validate(path, corpus)
    assert case is None
    assert [(p.line, p.field) for p in problems] == [(line, "front matter")]
    assert "aliases" in problems[0].message
