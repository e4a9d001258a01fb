"""Stream a corpus in chunks of postings: a CSV/TSV, JSONL or Parquet file, a prepared folder,
a saved ``datasets`` folder, or ``demo``. Memory stays bounded by the chunk size.

Each chunk is a list of :class:`Posting`; columns are resolved once, on the first chunk, with the
same rules as ``embedtune prepare`` (``embedtune.data.load.resolve_columns``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from embedtune.data.load import (
    ColumnMap,
    check_column_types,
    column_key,
    iter_table,
    resolve_columns,
)
from embedtune.data.postings import with_title
from embedtune.errors import EmbedtuneError

CORE_COLUMNS = ("id", "title", "text", "vector")


@dataclass(frozen=True)
class Posting:
    """One document of the index; ``metadata`` values are strings (filterable)."""

    id: str
    title: str
    text: str
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def document(self) -> str:
        """What gets embedded: the title line first, then the text (as ``prepare`` writes it)."""
        return with_title(self.title, self.text)


@dataclass(frozen=True)
class Columns:
    """Which source columns are text, title and id (None: absent)."""

    text: str | None = None
    title: str | None = None
    id: str | None = None


def metadata_key(name: str) -> str | None:
    """The filter key a source column is stored under, or None to drop it.

    >>> metadata_key("Salary Estimate"), metadata_key("Unnamed: 0"), metadata_key("id")
    ('salary_estimate', None, 'meta_id')
    """
    key = column_key(name)
    if not key or key.startswith("unnamed") or key == "index":
        return None
    return f"meta_{key}" if key in CORE_COLUMNS or key.startswith("_") else key


def content_id(title: str, text: str) -> str:
    """The id ``prepare`` gives a posting without an id column: the same content, the same id."""
    return "p-" + hashlib.sha1(f"{title}\n{text}".encode()).hexdigest()[:12]


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def postings_from_rows(rows: pd.DataFrame, columns: ColumnMap) -> list[Posting]:
    """Turn a chunk of source rows into postings (ids from content when there is no id column)."""
    texts = [_text(v) for v in rows[columns.text]]
    titles = [_text(v) for v in rows[columns.title]] if columns.title else [""] * len(rows)
    if columns.id:
        ids = [_text(v) for v in rows[columns.id]]
    else:
        ids = [content_id(t, x) for t, x in zip(titles, texts, strict=True)]
    used = {columns.text, columns.title, columns.id}
    meta_cols = [(c, metadata_key(str(c))) for c in rows.columns if c not in used]
    meta_values = {key: [_text(v) for v in rows[c]] for c, key in meta_cols if key is not None}
    return [
        Posting(ids[i], titles[i], texts[i], {k: v[i] for k, v in meta_values.items()})
        for i in range(len(rows))
    ]


def iter_postings(
    corpus: str | Path,
    columns: Columns = Columns(),
    *,
    chunk_size: int = 2048,
    encoding: str = "utf-8",
) -> Iterator[list[Posting]]:
    """Chunks of at most ``chunk_size`` postings from ``corpus`` (see the module docstring).

    Files are read by ``embedtune.data.load.iter_table``, the reader ``prepare`` uses, so both
    take the same formats and ``encoding``.
    """
    resolved: ColumnMap | None = None
    for frame in _iter_frames(str(corpus), chunk_size, encoding):
        if frame.empty:
            continue
        if resolved is None:
            resolved = resolve_columns(
                list(frame.columns), text=columns.text, title=columns.title, id=columns.id
            )
        check_column_types(frame, resolved)
        yield postings_from_rows(frame, resolved)
    if resolved is None:
        raise EmbedtuneError(f"{corpus} has no rows", fix="pass a corpus with at least one posting")


def _iter_frames(corpus: str, chunk_size: int, encoding: str) -> Iterator[pd.DataFrame]:
    if corpus == "demo":
        from embedtune.data.load import load_corpus

        frame = load_corpus("demo").frame
        for start in range(0, len(frame), chunk_size):
            yield frame.iloc[start : start + chunk_size]
        return
    path = Path(corpus[3:] if corpus.startswith("hf:") else corpus)
    if not path.exists():
        raise EmbedtuneError(
            f"{path} does not exist",
            fix="pass a CSV, JSONL or Parquet file, a prepared folder, or 'demo'",
        )
    if path.is_dir():
        yield from _iter_dataset(path, chunk_size)
        return
    yield from iter_table(path, encoding=encoding, chunk_size=chunk_size)


def _iter_dataset(path: Path, chunk_size: int) -> Iterator[pd.DataFrame]:
    """A prepared folder (``DIR/dataset``) or a saved Dataset/DatasetDict: every split, in order."""
    import datasets

    folder = path / "dataset" if (path / "dataset").is_dir() else path
    if not ((folder / "dataset_dict.json").exists() or (folder / "state.json").exists()):
        raise EmbedtuneError(
            f"{path} is a folder but not a prepared dataset (no dataset/ inside)",
            fix="pass a file, or a folder written by `embedtune prepare --out DIR`",
        )
    loaded = datasets.load_from_disk(str(folder))
    splits: Iterable[Any] = (
        loaded.values() if isinstance(loaded, datasets.DatasetDict) else [loaded]
    )
    for split in splits:
        for batch in split.iter(batch_size=chunk_size):
            yield pd.DataFrame(batch)
