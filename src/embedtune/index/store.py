"""The persistent index: postings and their vectors in a LanceDB table, plus a JSON record of
the model that built it.

One file on purpose (about 780 lines): every LanceDB call lives here, so a change of
LanceDB's API or on-disk format is mended in one place; the integrity checks are in
:mod:`embedtune.index.integrity`.

Layout of an index folder::

    DIR/postings.lance/    the LanceDB table: id, title, text, vector, metadata columns (strings)
    DIR/known.lance/       known queries, when added: id (of the posting), query, vector
    DIR/lexical.npz        BM25 weights of the postings' words (a cache, rebuilt when the table
                           has changed since; :mod:`embedtune.index.lexical`)
    DIR/index.json         model (name, fingerprint, dimension), metadata columns, ANN settings,
                           the known queries' weight and how it was chosen, the lexical weight

Known queries (:mod:`embedtune.index.known`) lift the postings they lead to: every search blends
the cosine to the nearest known query of a posting into its score. The lexical half
(:mod:`embedtune.index.lexical`) adds ``weight * BM25 / best BM25`` for the query's words when the
query's text is given; an index written before it (no ``lexical`` in index.json) has weight 0.

Vectors are L2-normalised, so the score of a hit is its cosine similarity (``1 - dot distance``).
While the vectors fit in :data:`IN_MEMORY_MAX_BYTES` (1 GiB: ~700,000 384-d vectors) a query is
exact: the first search loads the table into memory (vectors, ids, texts, metadata) and scores
every vector with one matrix product. On a 2-core machine that is faster than LanceDB's scan and
than its IVF-PQ index (100,000 vectors: p95 ~16 ms exact against ~58 ms IVF-PQ at recall 0.82;
benchmarks/RESULTS.md); writes through the store drop that copy. At or above
``ann_threshold`` rows an IVF-PQ index is built too, and beyond the memory limit queries go to
LanceDB, refining the index's candidates with exact distances.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from embedtune._io import write_json
from embedtune.data.postings import with_title
from embedtune.errors import EmbedtuneError
from embedtune.index.integrity import IndexDamagedError, damaged, rebuild_command, short_reason
from embedtune.index.known import Groups, blend, memory_scores, top_rows
from embedtune.index.lexical import Lexical, add_lexical
from embedtune.index.model_info import ModelInfo
from embedtune.index.source import Posting

TABLE = "postings"
KNOWN_TABLE = "known"
LEXICAL_FILE = "lexical.npz"
META_FILE = "index.json"
FORMAT_VERSION = 1
DEFAULT_ANN_THRESHOLD = 50_000
IN_MEMORY_MAX_BYTES = 1 << 30
_META_KEYS = ("format_version", "model", "metadata_columns", "ann_threshold")
FilterValue = str | int | float | bool | Sequence[str | int | float | bool]


@dataclass(frozen=True)
class StoredHit:
    """One search result straight from the store."""

    id: str
    title: str
    text: str
    score: float
    metadata: dict[str, str]


def filter_sql(filters: Mapping[str, FilterValue] | None, allowed: Sequence[str]) -> str | None:
    """A SQL ``WHERE`` clause for equality filters on metadata columns (lists mean "any of").

    Keys must be known columns (named in the error otherwise); values are quoted as strings.

    >>> filter_sql({"location": "Remote", "seniority": ["senior", "lead"]}, ["location", "seniority"])
    "location = 'Remote' AND seniority IN ('senior', 'lead')"
    """
    if not filters:
        return None
    clauses = []
    for key, value in filters.items():
        if key not in allowed:
            known = ", ".join(allowed) or "(none)"
            raise EmbedtuneError(
                f"unknown filter {key!r}; this index can filter on: {known}",
                fix="use one of those keys",
            )
        values: list[str | int | float | bool] = (
            list(value) if isinstance(value, list | tuple) else [value]  # type: ignore[list-item]
        )
        if not values:
            raise EmbedtuneError(f"filter {key!r} has no values", fix="give at least one value")
        quoted = [_quote(v) for v in values]
        column = f"`{key}`" if not key.isidentifier() else key
        clauses.append(
            f"{column} = {quoted[0]}" if len(quoted) == 1 else f"{column} IN ({', '.join(quoted)})"
        )
    return " AND ".join(clauses)


def _quote(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        value = str(value).lower()
    return "'" + str(value).replace("'", "''") + "'"


def _id_in(ids: Sequence[str]) -> str:
    """The SQL condition "id is one of ``ids``".

    >>> _id_in(["a", "b'c"])
    "id IN ('a', 'b''c')"
    """
    return f"id IN ({', '.join(_quote(i) for i in ids)})"


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def read_meta(path: Path) -> dict[str, Any]:
    """The checked contents of ``path/index.json``; a clear error when absent or damaged."""
    import json

    meta_path = path / META_FILE
    if not meta_path.exists():
        if (path / f"{TABLE}.lance").exists():
            raise damaged(path, f"{META_FILE} is missing")
        raise EmbedtuneError(
            f"{path} is not an embedtune index (no {META_FILE})",
            fix="build one with `embedtune index --model DIR --corpus FILE --out DIR`",
        )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise damaged(path, f"{META_FILE} is not valid JSON ({short_reason(e)})") from None
    if not isinstance(meta, dict):
        raise damaged(path, f"{META_FILE} holds a {type(meta).__name__}, not an object")
    missing = [k for k in _META_KEYS if k not in meta]
    if missing:
        raise damaged(path, f"{META_FILE} lacks {', '.join(missing)}", meta)
    if meta["format_version"] != FORMAT_VERSION:
        raise EmbedtuneError(
            f"{path} has index format {meta['format_version']}, expected {FORMAT_VERSION}",
            fix=f"rebuild it with {rebuild_command(path, meta)}",
        )
    try:
        ModelInfo.from_dict(meta["model"])
        list(meta["metadata_columns"])
        int(meta["ann_threshold"])
    except (KeyError, TypeError, ValueError) as e:
        raise damaged(
            path, f"{META_FILE} has a bad value ({type(e).__name__}: {e})", meta
        ) from None
    return meta


def ann_settings(rows: int, dimension: int) -> dict[str, int]:
    """IVF-PQ parameters for ``rows`` vectors: ~sqrt(n) partitions, 8 dims per PQ sub-vector.

    >>> ann_settings(100_000, 384)
    {'num_partitions': 316, 'num_sub_vectors': 48}
    """
    sub = next(
        s for s in (dimension // 8, dimension // 4, dimension // 2, 1) if s and dimension % s == 0
    )
    return {"num_partitions": max(1, int(math.sqrt(rows))), "num_sub_vectors": sub}


@dataclass
class _InMemory:
    """The whole table as arrays, for exact search below the ANN threshold."""

    ids: list[str]
    titles: list[str]
    texts: list[str]
    metadata: dict[str, np.ndarray]
    vectors: np.ndarray
    known: Groups | None = None
    known_rows: np.ndarray | None = None  # the document row of each of known.ids (-1: none)
    weight: float = 0.0
    lexical_weight: float = 0.0

    def search(
        self,
        queries: np.ndarray,
        k: int,
        filters: Mapping[str, FilterValue] | None,
        lexical: np.ndarray | None = None,
    ) -> list[list[StoredHit]]:
        """Exact top ``k``; ``lexical``: :meth:`.Lexical.scores` of the queries' texts, in row
        order (None: vectors only)."""
        mask = None
        for key, value in (filters or {}).items():
            values = [str(v).lower() if isinstance(v, bool) else str(v) for v in
                      (value if isinstance(value, list | tuple) else [value])]  # fmt: skip
            hit = np.isin(self.metadata[key], values)
            mask = hit if mask is None else mask & hit
        scores = np.ascontiguousarray((self.vectors @ queries.T).T)  # faster than Q @ V.T
        if self.known is not None and self.known_rows is not None and self.weight > 0:
            memory = memory_scores(self.known, queries, self.known_rows, len(self.ids))
            scores = blend(scores, memory, self.weight)
        if lexical is not None and self.lexical_weight > 0:
            scores = add_lexical(scores, lexical, self.lexical_weight)
        if mask is not None:
            scores[:, ~mask] = -np.inf
        allowed = len(self.ids) if mask is None else int(mask.sum())
        top = min(k, allowed)
        out = []
        for row in scores:
            best = top_rows(row, top)
            out.append(
                [
                    StoredHit(
                        id=self.ids[i],
                        title=self.titles[i],
                        text=self.texts[i],
                        score=float(row[i]),
                        metadata={c: str(a[i]) for c, a in self.metadata.items()},
                    )
                    for i in best
                ]
            )
        return out


@dataclass
class _LexicalHalf:
    """BM25 of every posting (:class:`.Lexical`; its columns are ``ids``' order)."""

    ids: list[str]
    lexical: Lexical
    column: dict[str, int]  # id -> its column


class PostingStore:
    """Postings and vectors on disk, with add/update/delete by id and filtered top-k search."""

    def __init__(
        self, path: Path, table: Any, meta: dict[str, Any], known: Any | None = None
    ) -> None:
        self.path = Path(path)
        self._table = table
        self._known_table = known
        self.meta = meta
        self._memory: _InMemory | None = None
        self._known: Groups | None = None
        self._lexical: _LexicalHalf | None = None
        self._fits: bool | None = None  # see _fits_in_memory

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        path: Path,
        model: ModelInfo,
        metadata_columns: Sequence[str],
        *,
        ann_threshold: int = DEFAULT_ANN_THRESHOLD,
        source: str = "",
    ) -> PostingStore:
        """A new, empty index in ``path`` (which must not hold one yet)."""
        import lancedb
        import pyarrow as pa

        path = Path(path)
        if (path / META_FILE).exists():
            raise EmbedtuneError(f"{path} already holds an index", fix="pass --overwrite")
        path.mkdir(parents=True, exist_ok=True)
        fields = [
            pa.field("id", pa.string()),
            pa.field("title", pa.string()),
            pa.field("text", pa.string()),
            pa.field("vector", pa.list_(pa.float32(), model.dimension)),
        ] + [pa.field(c, pa.string()) for c in metadata_columns]
        table = lancedb.connect(str(path)).create_table(TABLE, schema=pa.schema(fields))
        meta = {
            "format_version": FORMAT_VERSION,
            "model": model.to_dict(),
            "metric": "cosine",
            "metadata_columns": list(metadata_columns),
            "ann_threshold": ann_threshold,
            "ann": None,
            "source": source,
        }
        write_json(path / META_FILE, meta)
        return cls(path, table, meta)

    @classmethod
    def open(cls, path: Path, *, allow_repeats: bool = False) -> PostingStore:
        """An existing index folder, checked: a clear error when ``path`` is not one or is damaged.

        The checks read ``index.json``, the table's schema and its id column (~30 ms for 100,000
        postings): damaged files, vectors of another dimension than recorded, and ids stored
        more than once (left by writers that raced before the writer lock) are refused unless
        ``allow_repeats`` (for writers, which then call :meth:`remove_repeats`).
        """
        import lancedb

        path = Path(path)
        meta = read_meta(path)
        try:
            table = lancedb.connect(str(path)).open_table(TABLE)
        except (RuntimeError, ValueError, OSError) as e:
            if not (path / f"{TABLE}.lance" / "_versions").is_dir():
                raise damaged(path, f"table {TABLE}.lance is missing", meta) from None
            raise damaged(path, f"cannot open table {TABLE}.lance ({short_reason(e)})", meta) from e
        known = None
        if (path / f"{KNOWN_TABLE}.lance").is_dir():
            try:
                known = lancedb.connect(str(path)).open_table(KNOWN_TABLE)
            except (RuntimeError, ValueError, OSError) as e:
                why = f"cannot open table {KNOWN_TABLE}.lance ({short_reason(e)})"
                raise damaged(path, why, meta) from e
        store = cls(path, table, meta, known)
        store._check_schema()
        if not allow_repeats:
            repeats = store.repeated_ids()
            if repeats:
                raise store._repeats_error(repeats)
        return store

    def _check_schema(self) -> None:
        try:
            schema = self._table.schema
        except (RuntimeError, ValueError, OSError) as e:
            raise self._damaged(f"cannot read table {TABLE}.lance ({short_reason(e)})") from e
        needed = ["id", "title", "text", "vector", *self.metadata_columns]
        missing = [c for c in needed if c not in schema.names]
        if missing:
            raise self._damaged(f"table {TABLE}.lance lacks the columns {', '.join(missing)}")
        size = getattr(schema.field("vector").type, "list_size", None)
        if size != self.model.dimension:
            raise self._damaged(
                f"table {TABLE}.lance holds {size}-d vectors but {META_FILE} says "
                f"{self.model.dimension}-d"
            )
        if self._known_table is not None:
            try:
                known = self._known_table.schema
            except (RuntimeError, ValueError, OSError) as e:
                why = f"cannot read table {KNOWN_TABLE}.lance ({short_reason(e)})"
                raise self._damaged(why) from e
            size = getattr(known.field("vector").type, "list_size", None)
            if [c for c in ("id", "query") if c not in known.names] or size != self.model.dimension:
                raise self._damaged(
                    f"table {KNOWN_TABLE}.lance is not {self.model.dimension}-d known queries"
                )

    def _damaged(self, why: str) -> IndexDamagedError:
        return damaged(self.path, why, self.meta)

    def _repeats_error(self, repeats: list[str]) -> IndexDamagedError:
        examples = ", ".join(repr(i) for i in repeats[:3]) + (", …" if len(repeats) > 3 else "")
        model = self.model.name
        corpus = self.meta.get("source") or "CORPUS"
        return damaged(
            self.path,
            f"{len(repeats)} ids are stored more than once ({examples})",
            fix=f"run `embedtune index --out {self.path} --update --model {model} "
            f"--corpus {corpus}` (an update removes the repeats), or rebuild it with "
            f"{rebuild_command(self.path, self.meta)}",
        )

    # -- properties ------------------------------------------------------------------------
    @property
    def model(self) -> ModelInfo:
        return ModelInfo.from_dict(self.meta["model"])

    @property
    def metadata_columns(self) -> list[str]:
        return list(self.meta["metadata_columns"])

    def count(self) -> int:
        return int(self._table.count_rows())

    def ids(self) -> list[str]:
        """Every id in the index (reads only the id column)."""
        return [str(i) for i in self._id_column().to_pylist()]

    def _id_column(self) -> Any:
        with self._reading():
            return self._table.search().select(["id"]).to_arrow().column("id")

    def repeated_ids(self) -> list[str]:
        """Ids stored more than once, sorted (none in a healthy index)."""
        import pyarrow.compute as pc

        ids = self._id_column()
        if pc.count_distinct(ids).as_py() == len(ids):
            return []
        counts = pc.value_counts(ids)
        repeated = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
        return sorted(str(i) for i in repeated.to_pylist())

    def remove_repeats(self) -> int:
        """Keep one row per repeated id (any one: racing writers stored the same posting twice);
        return how many rows were removed.

        Call it under :func:`~embedtune.index.integrity.writer_lock`.
        """
        import pyarrow as pa

        repeats = self.repeated_ids()
        if not repeats:
            return 0
        self._memory, self._fits, self._lexical = None, None, None
        before = self.count()
        kept: dict[str, dict[str, Any]] = {}
        columns = self._table.schema.names
        for chunk in _chunks(repeats, 1000):
            with self._reading():
                rows = self._table.search().where(_id_in(chunk)).select(columns).to_list()
            for row in rows:
                kept.setdefault(row["id"], {c: row[c] for c in columns})
        for chunk in _chunks(repeats, 1000):
            self._table.delete(_id_in(chunk))
        self._table.add(pa.Table.from_pylist(list(kept.values()), schema=self._table.schema))
        return before - self.count()

    def get(self, ids: Sequence[str]) -> dict[str, Posting]:
        """The stored postings with these ids (missing ids are absent from the result)."""
        if not ids:
            return {}
        with self._reading():
            rows = self._table.search().where(_id_in(ids)).to_list()
        return {r["id"]: self._posting(r) for r in rows}

    def _posting(self, row: dict[str, Any]) -> Posting:
        meta = {c: row.get(c) or "" for c in self.metadata_columns}
        return Posting(row["id"], row["title"], row["text"], meta)

    # -- writing ---------------------------------------------------------------------------
    def _checked(self, vectors: np.ndarray, rows: int, what: str) -> np.ndarray:
        """``vectors`` as float32 rows, one per item: an error naming ``what`` otherwise."""
        dim = self.model.dimension
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (rows, dim):
            raise EmbedtuneError(
                f"got vectors of shape {vectors.shape} for {rows} {what}; "
                f"this index holds {dim}-d vectors",
                fix="encode with the model that built the index",
            )
        return vectors

    def _arrow(self, postings: Sequence[Posting], vectors: np.ndarray) -> Any:
        import pyarrow as pa

        dim = self.model.dimension
        vectors = self._checked(vectors, len(postings), "postings")
        columns: dict[str, Any] = {
            "id": [p.id for p in postings],
            "title": [p.title for p in postings],
            "text": [p.text for p in postings],
            "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), dim),
        }
        for c in self.metadata_columns:
            columns[c] = [p.metadata.get(c, "") for p in postings]
        return pa.table(columns, schema=self._table.schema)

    def add(self, postings: Sequence[Posting], vectors: np.ndarray) -> None:
        """Append new postings (the caller makes sure their ids are new; see :meth:`upsert`)."""
        if postings:
            self._memory, self._fits, self._lexical = None, None, None
            self._table.add(self._arrow(postings, vectors))

    def upsert(self, postings: Sequence[Posting], vectors: np.ndarray) -> None:
        """Insert postings, replacing any stored posting with the same id."""
        if postings:
            self._memory, self._fits, self._lexical = None, None, None
            data = self._arrow(postings, vectors)
            (
                self._table.merge_insert("id")
                .when_matched_update_all()
                .when_not_matched_insert_all()
                .execute(data)
            )

    def delete(self, ids: Sequence[str]) -> int:
        """Remove postings by id; returns how many were removed."""
        if not ids:
            return 0
        self._memory, self._fits, self._lexical = None, None, None
        before = self.count()
        for chunk in _chunks(ids, 1000):
            self._table.delete(_id_in(chunk))
        self.delete_known(ids)
        return before - self.count()

    # -- known queries ---------------------------------------------------------------------
    @property
    def known_weight(self) -> float:
        """How much known queries lift their postings (0 without any; see :mod:`.known`)."""
        known = self.meta.get("known_queries") or {}
        return float(known.get("weight", 0.0)) if self._known_table is not None else 0.0

    def known_count(self) -> int:
        return int(self._known_table.count_rows()) if self._known_table is not None else 0

    def known_queries(self) -> tuple[list[str], list[str], np.ndarray]:
        """Every known query: ``(texts, posting ids, vectors)``."""
        if self._known_table is None:
            return [], [], np.zeros((0, self.model.dimension), dtype=np.float32)
        with self._reading():
            table = self._known_table.to_arrow()
        vectors = self._matrix(table)
        return table.column("query").to_pylist(), table.column("id").to_pylist(), vectors

    def _matrix(self, table: Any) -> np.ndarray:
        """The ``vector`` column of an Arrow table as a float32 (rows x dimension) array."""
        flat = table.column("vector").combine_chunks().flatten().to_numpy()
        return np.ascontiguousarray(flat.reshape(-1, self.model.dimension), dtype=np.float32)

    def add_known(self, texts: Sequence[str], ids: Sequence[str], vectors: np.ndarray) -> None:
        """Append known queries (``texts[i]`` leads to posting ``ids[i]``)."""
        import lancedb
        import pyarrow as pa

        if not len(texts):
            return
        dim = self.model.dimension
        vectors = self._checked(vectors, len(texts), "known queries")
        data = pa.table(
            {
                "id": pa.array(list(ids), pa.string()),
                "query": pa.array(list(texts), pa.string()),
                "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), dim),
            }
        )
        self._memory, self._known = None, None
        if self._known_table is None:
            db = lancedb.connect(str(self.path))
            self._known_table = db.create_table(KNOWN_TABLE, data=data)
        else:
            self._known_table.add(data)

    def delete_known(self, ids: Sequence[str]) -> int:
        """Remove the known queries that lead to these posting ids; returns how many."""
        if self._known_table is None or not ids:
            return 0
        self._memory, self._known = None, None
        before = self.known_count()
        for chunk in _chunks(ids, 1000):
            self._known_table.delete(_id_in(chunk))
        return before - self.known_count()

    def _known_groups(self) -> Groups | None:
        if self._known_table is None:
            return None
        if self._known is None:
            _, ids, vectors = self.known_queries()
            self._known = Groups.of(vectors, ids)
        return self._known

    # -- the lexical half ------------------------------------------------------------------
    @property
    def lexical_weight(self) -> float:
        """How much BM25 adds to a score (0: vectors only; see :mod:`.lexical`)."""
        return float((self.meta.get("lexical") or {}).get("weight", 0.0))

    def lexical(self) -> Lexical:
        """BM25 of every posting, in :meth:`document_vectors`' order when those fit in memory."""
        if self._fits_in_memory():
            self._in_memory()
        return self._lexical_half().lexical

    def _lexical_half(self) -> _LexicalHalf:
        """BM25 over every posting's title and text (in the in-memory copy's row order when
        there is one): from :data:`LEXICAL_FILE` when it was built from the table as it is now,
        else built and saved there (a folder that cannot be written rebuilds it once per
        process)."""
        if self._lexical is None:
            version = self._table.version
            path = self.path / LEXICAL_FILE
            if self._memory is not None:
                ids, titles, texts = self._memory.ids, self._memory.titles, self._memory.texts
            else:
                with self._reading():
                    table = self._table.search().select(["id", "title", "text"]).to_arrow()
                ids = [str(i) for i in table.column("id").to_pylist()]
                titles = table.column("title").to_pylist()
                texts = table.column("text").to_pylist()
            lexical = Lexical.load(path, version, ids)
            if lexical is None:
                lexical = Lexical.of(  # the title line and the text, as Posting.document
                    [with_title(t or "", x or "") for t, x in zip(titles, texts, strict=True)]
                )
                with suppress(OSError):  # a read-only folder: kept in memory only
                    lexical.save(path, version, ids)
            self._lexical = _LexicalHalf(ids, lexical, {d: i for i, d in enumerate(ids)})
        return self._lexical

    def maybe_build_ann(self, *, force: bool = False) -> bool:
        """Build (or rebuild) the IVF-PQ index when the table has reached ``ann_threshold`` rows.

        Returns whether an index was built. Rows added later are still found (LanceDB scans
        unindexed rows exactly) until :meth:`optimize` folds them in.
        """
        rows = self.count()
        if not force and rows < int(self.meta["ann_threshold"]):
            return False
        settings = ann_settings(rows, self.model.dimension)
        self._table.create_index(
            metric="dot",
            vector_column_name="vector",
            index_type="IVF_PQ",
            replace=True,
            **settings,
        )
        self.meta["ann"] = {"type": "IVF_PQ", "rows_at_build": rows, **settings}
        write_json(self.path / META_FILE, self.meta)
        return True

    def optimize(self) -> None:
        """Compact files and add rows written since the ANN index was built into it."""
        self._table.optimize()

    def set_meta(self, **values: Any) -> None:
        self.meta.update(values)
        write_json(self.path / META_FILE, self.meta)
        self._memory = None

    # -- reading ---------------------------------------------------------------------------
    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Report a table that fails to read (files damaged since it was opened) as damaged."""
        import pyarrow as pa

        try:
            yield
        except (RuntimeError, OSError, pa.ArrowException) as e:
            raise self._damaged(f"cannot read table {TABLE}.lance ({short_reason(e)})") from e

    def _in_memory(self) -> _InMemory:
        if self._memory is None:
            with self._reading():
                table = self._table.to_arrow()
            self._memory = _InMemory(
                ids=table.column("id").to_pylist(),
                titles=table.column("title").to_pylist(),
                texts=table.column("text").to_pylist(),
                metadata={
                    c: np.asarray(["" if v is None else v for v in table.column(c).to_pylist()])
                    for c in self.metadata_columns
                },
                vectors=self._matrix(table),
            )
            known = self._known_groups()
            if known is not None:
                row_of = {d: i for i, d in enumerate(self._memory.ids)}
                self._memory.known = known
                self._memory.known_rows = np.array(
                    [row_of.get(i, -1) for i in known.ids], dtype=np.int64
                )
                self._memory.weight = self.known_weight
            self._memory.lexical_weight = self.lexical_weight
            self._lexical = None  # rebuilt in this copy's row order
        return self._memory

    def document_vectors(self) -> tuple[list[str], np.ndarray] | None:
        """Every posting's id and vector, or None when they do not fit in memory."""
        if not self._fits_in_memory():
            return None
        memory = self._in_memory()
        return memory.ids, memory.vectors

    def _fits_in_memory(self) -> bool:
        """Whether the vectors fit :data:`IN_MEMORY_MAX_BYTES` (rows counted once per write)."""
        if self._fits is None:
            self._fits = self.count() * self.model.dimension * 4 <= IN_MEMORY_MAX_BYTES
        return self._fits

    def search(
        self,
        vectors: np.ndarray,
        k: int,
        filters: Mapping[str, FilterValue] | None = None,
        *,
        in_memory: bool | None = None,
        texts: Sequence[str] | None = None,
    ) -> list[list[StoredHit]]:
        """Top ``k`` postings per query row of ``vectors``, best first, after ``filters``.

        ``texts``: the queries as typed, one per row, for the lexical half (None: vectors only).
        ``in_memory`` (default: while the vectors fit :data:`IN_MEMORY_MAX_BYTES`, or when there
        is no ANN index) scores exactly in numpy instead of in LanceDB; without an ANN index both
        give the same hits.
        """
        where = filter_sql(filters, self.metadata_columns)
        queries = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        if texts is not None and len(texts) != len(queries):
            raise ValueError(f"{len(texts)} query texts for {len(queries)} query vectors")
        if in_memory is None:
            in_memory = not self.meta.get("ann") or self._fits_in_memory()
        words = list(texts) if texts is not None and self.lexical_weight > 0 else None
        if in_memory:
            memory = self._in_memory()
            lexical = self._lexical_half().lexical.scores(words) if words else None
            return memory.search(queries, k, filters, lexical)
        half = self._lexical_half() if words else None
        columns = ["id", "title", "text", *self.metadata_columns, "_distance"]
        out = []
        for n, vector in enumerate(queries):
            query = self._table.search(vector).distance_type("dot").limit(k).select(columns)
            if self.meta.get("ann"):
                query = query.nprobes(20).refine_factor(5)
            if where:
                query = query.where(where, prefilter=True)
            with self._reading():
                rows = query.to_arrow().to_pylist()
            scores = {r["id"]: 1.0 - float(r["_distance"]) for r in rows}
            if self.known_weight > 0 or half is not None:
                row = (half, half.lexical.scores([words[n]])[0]) if half and words else None
                rows, scores = self._rescore(vector, k, where, rows, scores, row)
            out.append(
                [
                    StoredHit(
                        id=r["id"],
                        title=r["title"],
                        text=r["text"],
                        score=scores[r["id"]],
                        metadata={c: r.get(c) or "" for c in self.metadata_columns},
                    )
                    for r in rows
                ]
            )
        return out

    def _rescore(
        self,
        vector: np.ndarray,
        k: int,
        where: str | None,
        rows: list[dict[str, Any]],
        scores: dict[str, float],
        lexical: tuple[_LexicalHalf, np.ndarray] | None,
    ) -> tuple[list[dict[str, Any]], dict[str, float]]:
        """Beyond memory: the LanceDB hits plus the postings of the ``k`` nearest known queries
        and of the ``k`` best lexical matches (``lexical``: the half and the query's
        :meth:`.Lexical.scores` row; read by id, after ``where``), every score blended as the
        in-memory search does; the best ``k`` of them."""
        near: list[str] = []
        memory: dict[str, float] = {}
        groups = self._known_groups() if self.known_weight > 0 else None
        if groups is not None:
            best = groups.best(vector[None, :])[0]
            near += [groups.ids[j] for j in top_rows(best, k)]
            memory = dict(zip(groups.ids, best.tolist(), strict=True))
        if lexical is not None:
            half, row = lexical
            near += [half.ids[j] for j in top_rows(row, k) if row[j] > 0]
        near = [i for i in dict.fromkeys(near) if i not in scores]
        if near:
            columns = ["id", "title", "text", *self.metadata_columns, "vector"]
            condition = _id_in(near) + (f" AND ({where})" if where else "")
            with self._reading():
                extra = self._table.search().where(condition).select(columns).to_list()
            for r in extra:
                scores[r["id"]] = float(np.asarray(r.pop("vector"), dtype=np.float32) @ vector)
            rows = rows + extra
        ids = list(scores)
        final = np.array([[scores[i] for i in ids]], dtype=np.float32)
        if groups is not None:
            m = np.array([[memory.get(i, -np.inf) for i in ids]], dtype=np.float32)
            final = blend(final, m, self.known_weight)
        if lexical is not None:
            half, row = lexical
            lex = np.array([[row[half.column[i]] if i in half.column else 0.0 for i in ids]])
            final = add_lexical(final, lex, self.lexical_weight)
        rescored = dict(zip(ids, final[0].tolist(), strict=True))
        rows = sorted(rows, key=lambda r: (-rescored[r["id"]], r["id"]))[:k]
        return rows, rescored
