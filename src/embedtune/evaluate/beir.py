"""Load a retrieval set in BEIR layout and check it, with errors that say which file and line.

A BEIR folder holds ``corpus.jsonl`` (``{"_id", "title", "text"}``), ``queries.jsonl``
(``{"_id", "text"}``) and ``qrels/test.tsv`` (``query-id``, ``corpus-id``, ``score``, tab
separated). Here the qrels header row is optional, scores may be graded (0 = judged not
relevant, above 0 = relevant, higher = more relevant), and rows naming ids that are in neither
file are skipped and counted (or rejected with ``on_unknown="error"``).

The text embedded for a document is its ``text`` alone when it already starts with the
``title`` (as in folders written by ``embedtune prepare``), else ``title`` and ``text`` on two
lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from embedtune._io import iter_json_lines, iter_lines
from embedtune.errors import EmbedtuneError
from embedtune.evaluate.metrics import judged_queries

OnUnknown = Literal["warn", "error"]
_LAYOUT_FIX = "pass a folder in BEIR layout: corpus.jsonl, queries.jsonl and qrels/test.tsv"


@dataclass
class BeirData:
    """One retrieval set: documents to rank, queries, and their graded judgements."""

    folder: Path
    doc_ids: list[str]
    documents: list[str]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    skipped_qrels: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def judged(self) -> list[str]:
        """Query ids with at least one relevant document: the queries that are evaluated."""
        return judged_queries(self.qrels)


def document_text(title: str, text: str) -> str:
    """What gets embedded for a document.

    >>> document_text("Data Scientist", "Data Scientist\\nBuild models.")
    'Data Scientist\\nBuild models.'
    >>> document_text("Paris", "Capital of France.")
    'Paris\\nCapital of France.'
    """
    title, text = title.strip(), text.strip()
    if not title or text.startswith(title):
        return text
    return f"{title}\n{text}" if text else title


def load_beir(
    folder: str | Path, *, qrels_split: str = "test", on_unknown: OnUnknown = "warn"
) -> BeirData:
    """Read and check the BEIR folder ``folder``; see the module docstring for the rules."""
    if on_unknown not in ("warn", "error"):
        raise ValueError(f"invalid on_unknown {on_unknown!r}. Valid: warn, error")
    folder = Path(folder)
    if not folder.is_dir():
        raise EmbedtuneError(f"BEIR folder {folder} not found", fix=_LAYOUT_FIX)
    corpus_path = _require(folder / "corpus.jsonl")
    queries_path = _require(folder / "queries.jsonl")
    qrels_path = _require(folder / "qrels" / f"{qrels_split}.tsv")

    doc_ids, documents = load_corpus(corpus_path)
    queries = load_queries(queries_path)

    known_docs = set(doc_ids)
    qrels: dict[str, dict[str, int]] = {}
    unknown_q: list[str] = []
    unknown_d: list[str] = []
    for qid, did, grade in read_qrels(qrels_path):
        if qid not in queries:
            unknown_q.append(qid)
        elif did not in known_docs:
            unknown_d.append(did)
        else:
            qrels.setdefault(qid, {})[did] = grade

    data = BeirData(folder, doc_ids, documents, queries, qrels)
    if unknown_q or unknown_d:
        message = _unknown_message(qrels_path, unknown_q, unknown_d)
        if on_unknown == "error":
            raise EmbedtuneError(
                message, fix="fix the ids in the qrels file, or allow skipping them"
            )
        data.skipped_qrels = {"unknown_query": len(unknown_q), "unknown_document": len(unknown_d)}
        data.warnings.append(f"{message}; those rows were skipped")
    if not data.judged:
        raise EmbedtuneError(
            f"{qrels_path} judges no known query relevant to a known document (score > 0)",
            fix="check that the qrels ids match corpus.jsonl and queries.jsonl",
        )
    return data


def load_corpus(path: Path) -> tuple[list[str], list[str]]:
    """The document ids and embedded texts (:func:`document_text`) of a ``corpus.jsonl``."""
    doc_ids: list[str] = []
    documents: list[str] = []
    for _line_no, row in _jsonl(path, ("_id", "text")):
        doc_ids.append(str(row["_id"]))
        documents.append(document_text(str(row.get("title") or ""), str(row["text"] or "")))
    _no_duplicates(doc_ids, path)
    if not doc_ids:
        raise EmbedtuneError(f"{path} holds no documents", fix=_LAYOUT_FIX)
    return doc_ids, documents


def load_queries(path: Path) -> dict[str, str]:
    """Query id -> text of a ``queries.jsonl`` (every text non-empty, every id once)."""
    queries: dict[str, str] = {}
    query_ids: list[str] = []
    for line_no, row in _jsonl(path, ("_id", "text")):
        qid, text = str(row["_id"]), str(row["text"] or "").strip()
        if not text:
            raise EmbedtuneError(
                f"{path} line {line_no}: query {qid!r} has empty text",
                fix="give every query a text, or remove it",
            )
        query_ids.append(qid)
        queries[qid] = text
    _no_duplicates(query_ids, path)
    return queries


def _require(path: Path) -> Path:
    if not path.is_file():
        raise EmbedtuneError(f"{path} not found", fix=_LAYOUT_FIX)
    return path


def _jsonl(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The JSON objects of a JSON Lines file with their line numbers; blank lines are skipped."""
    try:
        for line_no, row in iter_json_lines(iter_lines(path), path):
            missing = [key for key in required if key not in row]
            if missing:
                raise EmbedtuneError(
                    f"{path} line {line_no} has no {', '.join(repr(m) for m in missing)}",
                    fix=f"give every line the keys {', '.join(required)}",
                )
            yield line_no, row
    except UnicodeDecodeError:
        raise EmbedtuneError(f"{path} is not valid utf-8", fix="save it as utf-8") from None


def _no_duplicates(ids: list[str], path: Path) -> None:
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        dup = next(i for i in ids if i in seen or seen.add(i))  # type: ignore[func-returns-value]
        raise EmbedtuneError(f"{path} repeats the id {dup!r}", fix="give every line its own _id")


def read_qrels(path: Path) -> Iterator[tuple[str, str, int]]:
    """(query id, document id, grade) rows; a first row whose score is not a number is a header.

    Tab-separated; lines without a tab are split on whitespace. Four columns are read as TREC
    (``query-id 0 corpus-id score``).
    """
    first = True
    try:
        lines = list(iter_lines(path))
    except UnicodeDecodeError:
        raise EmbedtuneError(f"{path} is not valid utf-8", fix="save it as utf-8") from None
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        cols = line.split("\t") if "\t" in line else line.split()
        cols = [c.strip() for c in cols]
        if len(cols) == 4:
            cols = [cols[0], cols[2], cols[3]]
        if len(cols) != 3:
            raise EmbedtuneError(
                f"{path} line {line_no} has {len(cols)} columns, expected 3",
                fix="write query-id, corpus-id and score separated by tabs",
            )
        grade = _grade(cols[2])
        if grade is None:
            if first:  # the header row
                first = False
                continue
            raise EmbedtuneError(
                f"{path} line {line_no}: score {cols[2]!r} is not a whole number",
                fix="use integer relevance grades (0 = not relevant, 1, 2, ... = relevant)",
            )
        first = False
        yield cols[0], cols[1], grade


def _grade(text: str) -> int | None:
    """An integer grade from ``"2"`` or ``"2.0"``; None when it is not a whole number."""
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


def _unknown_message(path: Path, queries: list[str], docs: list[str]) -> str:
    parts = []
    if queries:
        parts.append(f"{len(queries)} rows name a query not in queries.jsonl (e.g. {queries[0]!r})")
    if docs:
        parts.append(f"{len(docs)} rows name a document not in corpus.jsonl (e.g. {docs[0]!r})")
    return f"{path}: " + " and ".join(parts)


def sample_documents(data: BeirData, max_docs: int, *, seed: int = 42) -> BeirData:
    """At most ``max_docs`` documents of ``data``: every document judged relevant to a query
    first (a seeded sample of them if they alone are too many), then a seeded sample of the
    rest; corpus order kept, judgements restricted to the kept documents.

    A cheaper general-ability check: scores on a smaller corpus run higher than on the whole one,
    so compare base and fine-tuned on the same sample, never with figures from the full corpus.

    >>> d = BeirData(Path("x"), ["a", "b", "c", "d"], ["A", "B", "C", "D"], {"q": "Q"},
    ...              {"q": {"c": 1, "d": 0}})
    >>> s = sample_documents(d, 2, seed=0)
    >>> "c" in s.doc_ids, len(s.doc_ids), s.qrels["q"].get("c")
    (True, 2, 1)
    """
    if max_docs < 1:
        raise EmbedtuneError(f"a sample of {max_docs} documents", fix="keep at least 1 document")
    total = len(data.doc_ids)
    if max_docs >= total:
        return data
    rng = np.random.default_rng(seed)
    relevant = {d for judged in data.qrels.values() for d, grade in judged.items() if grade > 0}
    first = np.array([i for i, d in enumerate(data.doc_ids) if d in relevant], dtype=np.int64)
    rest = np.array([i for i, d in enumerate(data.doc_ids) if d not in relevant], dtype=np.int64)
    picked = rng.permutation(first)[:max_docs]
    fill = max_docs - len(picked)
    if fill > 0:
        picked = np.concatenate([picked, rng.permutation(rest)[:fill]])
    keep = np.sort(picked)
    doc_ids = [data.doc_ids[i] for i in keep]
    kept = set(doc_ids)
    qrels = {q: {d: g for d, g in judged.items() if d in kept} for q, judged in data.qrels.items()}
    sampled = BeirData(
        data.folder,
        doc_ids,
        [data.documents[i] for i in keep],
        dict(data.queries),
        {q: j for q, j in qrels.items() if j},
        dict(data.skipped_qrels),
        list(data.warnings),
    )
    if not sampled.judged:
        raise EmbedtuneError(
            f"a sample of {max_docs} documents of {data.folder} keeps no relevant document",
            fix="sample more documents",
        )
    return sampled
