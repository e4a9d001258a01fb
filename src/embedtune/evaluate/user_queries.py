"""The user's own queries (``--eval-queries FILE``): the most honest measure there is.

The file is a table (CSV/TSV, JSON Lines, JSON or Parquet, read by
:func:`embedtune.data.load.read_table`) with a ``query`` column and the ids of the postings
relevant to it in ``id`` (one per row; several rows per query are allowed) or ``ids`` (a list,
or ``;``-separated), or a BEIR folder (its ``queries.jsonl`` and ``qrels/test.tsv``; its
``corpus.jsonl``, if any, is not read). The ids are the evaluated corpus's: in a prepared folder
the values of ``--id-column``.

The queries rank the evaluated corpus, for a prepared folder every posting of every split: they
were never training queries, so no posting has to be held back for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from embedtune.errors import EmbedtuneError
from embedtune.evaluate.beir import BeirData, load_queries, read_qrels

_FORMAT_FIX = (
    "give a table with a 'query' column and an 'id' (or 'ids', ';'-separated) column of "
    "relevant posting ids, or a BEIR folder (queries.jsonl, qrels/test.tsv)"
)


def read_eval_queries(path: str | Path) -> tuple[dict[str, str], dict[str, dict[str, int]]]:
    """``(queries, qrels)`` of a user's query file or BEIR folder: query id -> text, and
    query id -> {posting id: grade}. Table rows get query ids ``u1``, ``u2``, ... by first
    appearance of their text; rows repeating a query add relevant ids to it."""
    path = Path(path)
    if not path.exists():
        raise EmbedtuneError(f"--eval-queries {path} does not exist", fix=_FORMAT_FIX)
    if path.is_dir():
        queries_path, qrels_path = path / "queries.jsonl", path / "qrels" / "test.tsv"
        for needed in (queries_path, qrels_path):
            if not needed.is_file():
                raise EmbedtuneError(f"{needed} not found", fix=_FORMAT_FIX)
        queries = load_queries(queries_path)
        qrels: dict[str, dict[str, int]] = {}
        for qid, did, grade in read_qrels(qrels_path):
            if qid not in queries:
                raise EmbedtuneError(
                    f"{qrels_path} names query {qid!r}, which is not in {queries_path}",
                    fix="give every judged query a line in queries.jsonl",
                )
            qrels.setdefault(qid, {})[did] = grade
        return queries, qrels
    from embedtune.data.load import read_table

    return query_table(read_table(path).to_dict("records"), path)


def query_table(
    rows: Sequence[Mapping[str, Any]], path: Path
) -> tuple[dict[str, str], dict[str, dict[str, int]]]:
    """``(queries, qrels)`` of table rows (see :func:`read_eval_queries`).

    >>> query_table([{"query": "nurse", "id": 7}, {"query": "nurse", "id": "8"},
    ...              {"query": "cook", "id": "1"}], Path("q.csv"))
    ({'u1': 'nurse', 'u2': 'cook'}, {'u1': {'7': 1, '8': 1}, 'u2': {'1': 1}})
    >>> query_table([{"Query": "nurse", "ids": "7; 8"}], Path("q.csv"))[1]
    {'u1': {'7': 1, '8': 1}}
    """
    from embedtune.data.load import column_key

    columns = {column_key(c): c for c in (rows[0] if rows else {})}
    query_col = columns.get("query")
    id_col = columns.get("id") or columns.get("ids")
    if query_col is None or id_col is None:
        found = ", ".join(repr(c) for c in (rows[0] if rows else {})) or "(none)"
        raise EmbedtuneError(
            f"{path} needs a 'query' and an 'id' (or 'ids') column; its columns are: {found}",
            fix=_FORMAT_FIX,
        )
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    id_of: dict[str, str] = {}
    for number, row in enumerate(rows, start=1):
        text = _text(row[query_col])
        ids = _ids(row[id_col])
        if not text or not ids:
            what = "query" if not text else "relevant id"
            raise EmbedtuneError(
                f"{path} row {number} has no {what}",
                fix="give every row a query and the id(s) of its relevant postings",
            )
        qid = id_of.setdefault(text, f"u{len(id_of) + 1}")
        queries[qid] = text
        for pid in ids:
            qrels.setdefault(qid, {})[pid] = 1
    return queries, qrels


def user_set(
    path: str | Path,
    doc_ids: list[str],
    documents: list[str],
    *,
    redirect: Mapping[str, str | None] | None = None,
) -> BeirData:
    """The user's queries over ``doc_ids`` / ``documents``, ids checked.

    ``redirect``: ids the corpus dropped (a prepared folder's ``dropped.jsonl``): a duplicate to
    the posting kept in its place, any other (``None``) skipped with a warning. An id neither in
    the corpus nor dropped is an error naming a few of them.
    """
    queries, qrels = read_eval_queries(path)
    redirect = redirect or {}
    known = set(doc_ids)
    judged: dict[str, dict[str, int]] = {}
    unknown: list[str] = []
    skipped: list[str] = []
    for qid, rel in qrels.items():
        for pid, grade in rel.items():
            target = redirect.get(pid, pid) if pid not in known else pid
            if target in known:
                judged.setdefault(qid, {})[target] = max(grade, judged.get(qid, {}).get(target, 0))
            elif pid in redirect:
                skipped.append(pid)
            else:
                unknown.append(pid)
    if unknown:
        raise EmbedtuneError(
            f"{path}: {len(set(unknown))} relevant ids are not in the evaluated corpus, "
            f"e.g. {_few(unknown)}",
            fix="use the corpus's own ids (in a run or a prepared folder, the values of its "
            "--id-column; without one, ids are derived from the text)",
        )
    data = BeirData(Path(path), doc_ids, documents, queries, judged)
    if skipped:
        data.warnings.append(
            f"{path}: {len(set(skipped))} relevant ids were dropped by prepare (e.g. "
            f"{_few(skipped)}); their judgements were skipped"
        )
    if not data.judged:
        raise EmbedtuneError(
            f"{path} judges no query relevant to a posting of the evaluated corpus",
            fix="give each query the id of at least one posting it should find",
        )
    return data


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):  # NaN: an empty cell
        return ""
    return " ".join(str(value).split())


def _ids(value: Any) -> list[str]:
    """Ids from a cell: a list, a ``;``-separated string, or one value (whole floats as ints).

    >>> _ids("a; b;"), _ids(["a", 3]), _ids(12.0), _ids(None)
    (['a', 'b'], ['a', '3'], ['12'], [])
    """
    if value is None or isinstance(value, str):
        items: Iterable[Any] = (value or "").split(";")
    elif isinstance(value, Iterable):
        items = value
    else:
        items = [value]
    out = []
    for item in items:
        if isinstance(item, float):
            if item != item:
                continue
            item = int(item) if item.is_integer() else item
        text = str(item).strip()
        if text:
            out.append(text)
    return out


def _few(ids: Sequence[str], n: int = 3) -> str:
    return ", ".join(repr(i) for i in list(dict.fromkeys(ids))[:n])
