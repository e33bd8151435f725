"""Keyword ranking with tantivy, for large libraries — the only module that imports tantivy.

whoosh scores every matching document in Python: at 10,000 cases a query with
one everyday word ("warga", "layanan") costs 0.5-2 s of CPU. tantivy (Rust)
ranks the same query in milliseconds. It holds a copy of the keyword index's
text fields *already analysed* by jipp-kb's Indonesian analysis (stems joined by
spaces, split again by tantivy's whitespace tokenizer) and its filter fields,
and runs the query whoosh's parser made — the same stems, field weights,
phrases and filters — translated node by node. whoosh keeps everything else
(parsing, spelling, stored fields, snippets, facets). Chosen by
``keyword_engine = "tantivy"`` in jipp-kb.toml; whoosh stays the default.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import tantivy

from jipp_kb.analysis import Analysis

TEXT_FIELDS = ("title", "acronym", "summary", "body", "tags", "english")
FACET_FIELDS = ("province", "regency", "level", "urusan", "jenis", "bentuk", "tahapan", "year", "sdg", "award", "status")
FOLDER = "tantivy"
"""Sub-folder of a keyword index generation holding the tantivy copy (keyword.RANKER_FOLDER)."""


class Unsupported(ValueError):
    """A whoosh query node with no tantivy translation: the caller ranks this query with whoosh."""


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in TEXT_FIELDS:
        sb.add_text_field(name, stored=False, tokenizer_name="whitespace", index_option="position")
    for name in FACET_FIELDS:
        if name == "year":
            sb.add_integer_field("year", indexed=True, fast=True)
        else:
            sb.add_text_field(name, stored=False, tokenizer_name="raw")
    return sb.build()


def _document(fields: dict, analysis: Analysis, multi: set[str]) -> tantivy.Document:
    """A keyword-index document (``keyword.document``) as tantivy fields: text as analysed terms."""
    doc = tantivy.Document()
    doc.add_text("id", fields["id"])
    english = dataclasses.replace(analysis, language="en")  # the English summaries, analysed as keyword.EnglishTokenizer does
    for name in TEXT_FIELDS:
        doc.add_text(name, " ".join(term for term, _, _ in (english if name == "english" else analysis).terms(fields[name])))
    for name in FACET_FIELDS:
        value = fields[name]
        if name == "year":
            doc.add_integer("year", int(value or 0))
        elif value:
            for v in str(value).split(",") if name in multi else [str(value)]:
                doc.add_text(name, v)
    return doc


def build(folder: Path, documents: list[dict], analysis: Analysis, multi: set[str]) -> None:
    """Write the tantivy copy of ``documents`` into ``folder/tantivy`` from scratch."""
    path = folder / FOLDER
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    index = tantivy.Index(_schema(), path=str(path))
    writer = index.writer(heap_size=64_000_000, num_threads=1)
    for fields in documents:
        writer.add_document(_document(fields, analysis, multi))
    writer.commit()
    writer.wait_merging_threads()


def update(folder: Path, deleted: list[str], documents: list[dict], analysis: Analysis, multi: set[str]) -> None:
    """Replace changed and remove deleted documents of the copy in ``folder/tantivy``."""
    index = tantivy.Index.open(str(folder / FOLDER))
    writer = index.writer(heap_size=64_000_000, num_threads=1)
    for cid in [*deleted, *(d["id"] for d in documents)]:
        writer.delete_documents_by_term("id", cid)
    for fields in documents:
        writer.add_document(_document(fields, analysis, multi))
    writer.commit()
    writer.wait_merging_threads()


def exists(folder: Path) -> bool:
    return (folder / FOLDER / "meta.json").is_file()


class Ranker:
    """An opened tantivy copy: ``rank(whoosh query, filter, limit)`` -> [(case id, score)], best first."""

    def __init__(self, folder: Path, multi: set[str]) -> None:
        self.index = tantivy.Index.open(str(folder / FOLDER))
        self.schema = self.index.schema
        self.searcher = self.index.searcher()
        self.multi = multi

    def rank(self, q, flt, limit: int) -> tuple[list[tuple[str, float]], int]:
        """The best ``limit`` (case id, score) for whoosh query ``q`` within filter ``flt``, and how many match."""
        main = self._translate(q)
        if flt is not None:
            main = tantivy.Query.boolean_query([(tantivy.Occur.Must, main), (tantivy.Occur.Must, self._translate(flt))])
        result = self.searcher.search(main, limit, count=True)
        return [(self.searcher.doc(address)["id"][0], float(score)) for score, address in result.hits], result.count

    def _translate(self, node) -> tantivy.Query:
        """A whoosh query node as a tantivy query (boosts kept); :class:`Unsupported` for any other kind."""
        kind = type(node).__name__
        boost = getattr(node, "boost", 1.0)
        if kind == "Term":
            if node.fieldname == "year":
                out = tantivy.Query.range_query(self.schema, "year", tantivy.FieldType.Integer, int(node.text), int(node.text))
            elif node.fieldname in TEXT_FIELDS or node.fieldname in FACET_FIELDS or node.fieldname == "id":
                out = tantivy.Query.term_query(self.schema, node.fieldname, node.text)
            else:
                raise Unsupported(node.fieldname)
        elif kind == "Phrase":
            if node.fieldname not in TEXT_FIELDS:
                raise Unsupported(node.fieldname)
            out = tantivy.Query.phrase_query(self.schema, node.fieldname, list(node.words), slop=node.slop)
        elif kind in ("Or", "And"):
            if not node.subqueries:
                return tantivy.Query.empty_query()
            occur = tantivy.Occur.Should if kind == "Or" else tantivy.Occur.Must
            out = tantivy.Query.boolean_query([(occur, self._translate(s)) for s in node.subqueries])
        elif kind == "Not":
            out = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, tantivy.Query.all_query()), (tantivy.Occur.MustNot, self._translate(node.query))]
            )
        elif kind == "NumericRange" and node.fieldname == "year":
            lo = -(2**62) if node.start is None else int(node.start)
            hi = 2**62 if node.end is None else int(node.end)
            out = tantivy.Query.range_query(
                self.schema, "year", tantivy.FieldType.Integer, lo, hi, include_lower=not node.startexcl, include_upper=not node.endexcl
            )
        elif kind == "Every":
            out = tantivy.Query.all_query()
        elif kind == "NullQuery" or kind == "_NullQuery":
            return tantivy.Query.empty_query()
        else:
            raise Unsupported(kind)
        return tantivy.Query.boost_query(out, float(boost)) if boost != 1.0 else out
