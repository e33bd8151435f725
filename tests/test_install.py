"""Installed, not run from the repository: the wheel carries its theme, and the light install is enough for contributors.

Both tests build the wheel once and install it into fresh virtual
environments. Nothing is downloaded: a ``.pth`` file lends the new
environment packages that are already installed (all of the current
environment's for the full install; only the core's, linked into a folder of
their own, for the light one).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from jipp_kb.extras import EXTRAS

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data"
CASES = ("sumpah-beruang", "sahabat-lapor-gowa", "uptpk-sragen")
"""Fixture cases (tests/data/corpus) without replication links, so the three stand alone."""
HEAVY = sorted(module for modules in EXTRAS.values() for module in modules)

SKIP = ("*.egg-info", "__pycache__", ".*", "_site", "build", "packs", "test-output", "tests")
"""What a wheel is not built from: caches, outputs, and setuptools' build/ (it would leak files deleted since)."""

pytestmark = pytest.mark.skipif(importlib.util.find_spec("pip") is None, reason="builds and installs with pip")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built offline from a clean copy of the sources."""
    tmp = tmp_path_factory.mktemp("wheel")
    shutil.copytree(ROOT, tmp / "src", ignore=shutil.ignore_patterns(*SKIP))
    pip = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index"]
    subprocess.run([*pip, "-w", str(tmp / "dist"), str(tmp / "src")], check=True, capture_output=True)
    return next((tmp / "dist").glob("jipp_kb-*.whl"))


def _venv(where: Path, wheel: Path, lent: list[str]) -> Path:
    """A fresh environment with the wheel installed and ``lent`` folders on its path; returns its bin folder."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = str(where / "bin" / "python")
    purelib = _python(python, "import sysconfig; print(sysconfig.get_path('purelib'))", where)
    Path(purelib, "lent.pth").write_text("\n".join(lent) + "\n", encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index"]
    subprocess.run([*pip, str(wheel)], check=True)
    return where / "bin"


def _python(python: str, code: str, cwd: Path) -> str:
    return subprocess.run([python, "-c", code], capture_output=True, text=True, check=True, cwd=cwd).stdout.strip()


def _project(where: Path) -> Path:
    """A folder holding only a small corpus, as a deployment or a contributor has it."""
    corpus = where / "corpus"
    corpus.mkdir(parents=True)
    for cid in CASES:
        shutil.copy(DATA / "corpus" / f"{cid}.md", corpus)
    shutil.copy(DATA / "valid" / "contoh-akta.md", corpus)
    for name in ("_template.md", "_glossary.yml"):
        shutil.copy(DATA / "corpus" / name, corpus)
    return where


def _run(bin_: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JIPP_KB_MODEL")}
    return subprocess.run([str(bin_ / "jipp-kb"), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


def test_wheel_builds_the_site_and_a_pack_outside_the_repository(wheel, tmp_path):
    bin_ = _venv(tmp_path / "venv", wheel, [p for p in sys.path if p.endswith("site-packages")])
    theme = _python(str(bin_ / "python"), "import jipp_kb.render.theme as t; print(t.packaged_theme())", tmp_path)
    assert Path(theme).is_relative_to(tmp_path / "venv"), "the theme comes from the installed wheel, not the repository"
    project = _project(tmp_path / "project")

    for args in (["check"], ["index", "--keyword-only", "-q"], ["build", "-q"], ["pack", "--cases", ",".join(CASES), "-o", "bimtek", "-q"]):
        result = _run(bin_, project, *args)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr

    site = project / "_site"
    assert (site / "index.html").is_file() and (site / "en" / "index.html").is_file()
    assert "Sumpah Beruang" in (site / "kasus" / "sumpah-beruang" / "index.html").read_text(encoding="utf-8")
    assert (site / "static" / "site.css").is_file() and (site / "pagefind").is_dir()
    pdf = project / "bimtek" / "handout.pdf"
    assert pdf.read_bytes().startswith(b"%PDF") and (project / "bimtek" / "matrix.csv").is_file()


def _core_closure(wheel_metadata: str) -> set[str]:
    """The distributions a plain ``pip install jipp-kb`` brings, read from the wheel's requirements (no extras)."""
    todo = [Requirement(line.split(":", 1)[1].strip()) for line in wheel_metadata.splitlines() if line.startswith("Requires-Dist:")]
    todo = [r for r in todo if not r.marker or r.marker.evaluate({"extra": ""})]
    seen: set[str] = set()
    while todo:
        req = todo.pop()
        name = metadata.distribution(req.name).metadata["Name"]
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        todo += [r for r in map(Requirement, metadata.requires(name) or []) if not r.marker or r.marker.evaluate({"extra": ""})]
    return seen


def _link_distributions(names: set[str], folder: Path) -> None:
    """A folder of links to the installed files of ``names`` only: a site-packages holding just those."""
    folder.mkdir()
    for name in names:
        dist = metadata.distribution(name)
        for top in sorted({f.parts[0] for f in dist.files or [] if f.parts[0] not in ("..", "__pycache__")}):
            target = Path(dist.locate_file(top))
            if target.exists() and not (folder / top).exists():
                (folder / top).symlink_to(target)


def test_light_install_checks_counts_and_exports_the_schema(wheel, tmp_path):
    import zipfile

    with zipfile.ZipFile(wheel) as z:
        meta = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    core = _core_closure(meta)
    assert core >= {"click", "pydantic", "pyyaml", "python-slugify"}
    assert not core & {"torch", "sentence-transformers", "onnxruntime", "onnx", "tokenizers", "weasyprint", "pagefind", "whoosh-reloaded"}
    _link_distributions(core, tmp_path / "core")
    bin_ = _venv(tmp_path / "venv", wheel, [str(tmp_path / "core")])
    found = _python(str(bin_ / "python"), f"import importlib.util as u; print([m for m in {HEAVY!r} if u.find_spec(m)])", tmp_path)
    assert found == "[]", "the light environment must not see the extras"
    project = _project(tmp_path / "project")

    check = _run(bin_, project, "check")
    assert check.returncode == 0 and "4 files checked, 0 errors" in check.stderr, check.stderr
    stats = _run(bin_, project, "stats", "--json")
    assert stats.returncode == 0 and json.loads(stats.stdout)["cases"] == 4, stats.stderr
    schema = _run(bin_, project, "schema")
    assert schema.returncode == 0 and "properties" in json.loads(schema.stdout)
    new = _run(bin_, project, "new", "--title", "Layanan Uji (LAYU)")
    assert new.returncode == 0 and (project / new.stdout.strip()).is_file(), new.stderr
    assert _run(bin_, project, "check").stderr.startswith("5 berkas diperiksa"), "the new file is a case to fill in"

    needs = ((["build"], "site"), (["index"], "search"), (["search", "akta"], "search"), (["pack", "--cases", CASES[0]], "site"))
    for args, extra in needs:
        result = _run(bin_, project, *args)
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr.startswith(f"Error: jipp-kb {args[0]} needs the '{extra}' extra"), (args, result.stderr)
        assert result.stderr.endswith(f"install it with: pip install 'jipp-kb[{extra}]'\n"), "one line, no traceback"


def test_an_import_failing_deep_inside_still_names_the_extra(tmp_path):
    """The safety net for imports no up-front check foresaw: still one line, exit 1."""
    code = (
        "import sys\nsys.modules['whoosh'] = None\n"
        "import jipp_kb.extras as e\ne.find_spec = lambda name: object()\n"
        "from jipp_kb.cli import cli\ncli(['search', 'akta', '--index-dir', '.'])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    hint = "install it with: pip install 'jipp-kb[search]'"
    assert result.stderr == f"Error: jipp-kb search needs the 'search' extra (missing: whoosh); {hint}\n"


def test_pyproject_extras_match_the_modules_checked():
    """The extras the code names exist in the package metadata, and the core stays light."""
    dist = metadata.distribution("jipp-kb")
    assert set(EXTRAS) | {"full", "test", "bench"} == set(dist.metadata.get_all("Provides-Extra") or [])  # bench: benchmarks/ only
    core = [Requirement(r) for r in dist.requires or []]
    assert sorted(r.name for r in core if not r.marker) == ["PyYAML", "click", "pydantic", "python-slugify"]
