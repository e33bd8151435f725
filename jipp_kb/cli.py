"""The ``jipp-kb`` command line: thin commands that call the library.

Exit codes: 0 success, 1 content or build problems, 2 usage errors.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from jipp_kb import __version__

CONTEXT = {"help_option_names": ["-h", "--help"]}


def _config(ctx: click.Context, **overrides: object):
    from jipp_kb.config import ConfigError, load_config

    try:
        return load_config(ctx.obj.get("config_path"), **overrides)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


def _corpus_path(ctx: click.Context, corpus: Path | None) -> Path:
    config = _config(ctx)
    return corpus or config.resolve(config.corpus)


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False))


corpus_option = click.option(
    "--corpus", type=click.Path(path_type=Path, file_okay=False), default=None, help="Corpus folder (default: from jipp-kb.toml, else ./corpus)."
)
json_option = click.option("as_json", "--json", is_flag=True, help="Print JSON instead of text.")


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", message=f"%(prog)s %(version)s (Python {sys.version.split()[0]})")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Config file (default: ./jipp-kb.toml if present).")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """jipp-kb: search and share Indonesia's public-service innovations.

    \b
    Typical use:
      jipp-kb check              validate every case study in corpus/
      jipp-kb search "antrean puskesmas" --province "Jawa Timur"
      jipp-kb build              render the static site to _site/
    """
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, exists=True))
@corpus_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True, help="github prints workflow annotations.")
@click.pass_context
def check(ctx: click.Context, paths: tuple[Path, ...], corpus: Path | None, fmt: str) -> None:
    """Validate case studies, collections and the glossary.

    Checks every file under the corpus, or only PATHS (files or folders; the
    cross-file rules still see the whole corpus). Prints one line per problem
    as path:line: field: message and exits 1 if there are any.
    """
    from jipp_kb.corpus import case_files, load_corpus
    from jipp_kb.problems import format_problems

    root = _corpus_path(ctx, corpus)
    files: list[Path] = []
    for p in paths:
        files += case_files(p) if p.is_dir() else [p]
    if paths and not files:
        raise click.UsageError("no .md case files in the given paths")
    result = load_corpus(root, files or None)
    if result.problems or fmt == "json":
        click.echo(format_problems(result.problems, fmt))
    n = len(result.problems)
    click.echo(f"{result.files_checked} files checked, {n} problem{'s' * (n != 1)}", err=True)
    ctx.exit(1 if n else 0)


@cli.command()
@click.option("--title", prompt="Nama inovasi (title)", help="Official name with acronym; the file name is made from it.")
@click.option("--province", default="", help="Province, e.g. 'Sulawesi Selatan'.")
@click.option("--regency", default="", help="Kabupaten/kota, e.g. 'Kabupaten Luwu Utara'.")
@click.option("--agency", default="", help="The OPD / instansi that runs it.")
@corpus_option
@click.pass_context
def new(ctx: click.Context, title: str, province: str, regency: str, agency: str, corpus: Path | None) -> None:
    """Start a new case study from corpus/_template.md.

    Prompts for the title when it is not given; refuses to overwrite a file.
    """
    from jipp_kb.scaffold import ScaffoldError, new_case

    root = _corpus_path(ctx, corpus)
    try:
        path = new_case(root, title, {"province": province, "regency": regency, "agency": agency}, date.today())
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(path)
    click.echo(f"Fill in every field and section, then run: jipp-kb check {path}", err=True)


@cli.command()
@corpus_option
@json_option
@click.pass_context
def stats(ctx: click.Context, corpus: Path | None, as_json: bool) -> None:
    """Count cases by province, level, urusan, year, jenis, status and award.

    Also lists the coverage goals the corpus does not meet yet.
    """
    from jipp_kb.corpus import load_corpus
    from jipp_kb.stats import corpus_stats, format_stats

    result = load_corpus(_corpus_path(ctx, corpus))
    data = corpus_stats(result)
    if as_json:
        _echo_json(data)
    else:
        click.echo(format_stats(data))
    if result.problems:
        click.echo(f"{len(result.problems)} problems: invalid files are not counted (run jipp-kb check)", err=True)


@cli.command()
@click.argument("output", type=click.Path(path_type=Path, dir_okay=False), required=False)
def schema(output: Path | None) -> None:
    """Print (or write to OUTPUT) the JSON Schema of the front matter, for editors."""
    from jipp_kb.schema import json_schema

    text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
