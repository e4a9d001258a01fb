"""Read a postings corpus from a file, a Hugging Face dataset or the built-in demo.

Everything is read into a pandas DataFrame of strings; column mapping is resolved here, so the
stages after it only ever see ``id``, ``title`` and ``text`` (plus metadata columns).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from embedtune._io import iter_json_lines, iter_lines
from embedtune.errors import EmbedtuneError

TEXT_GUESSES = (
    "text",
    "description",
    "job_description",
    "body",
    "content",
    "job_posting",
    "posting",
    "document",
    "passage",
)
TITLE_GUESSES = ("title", "job_title", "position", "role", "job_name", "position_title")
ID_GUESSES = ("id", "_id", "job_id", "posting_id", "doc_id", "uid")
SUFFIXES = {
    ".csv": "csv",
    ".tsv": "csv",
    ".jsonl": "jsonl",
    ".json": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


@dataclass(frozen=True)
class Corpus:
    """A loaded corpus: the raw table, where it came from, and gold queries if the source has any."""

    frame: pd.DataFrame
    source: str
    gold_queries: pd.DataFrame | None = None  # query_id, query, posting_id


@dataclass(frozen=True)
class ColumnMap:
    text: str
    title: str | None
    id: str | None


def column_key(name: str) -> str:
    """A column name as matched: lower case, other runs of characters one ``_``.

    >>> column_key(" Job  Title ")
    'job_title'
    """
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


def guess_column(columns: Sequence[str], guesses: Sequence[str]) -> str | None:
    """The first column whose normalised name is one of ``guesses`` (in order of preference).

    >>> guess_column(["Job Title", "Job Description"], ("text", "description", "job_description"))
    'Job Description'
    """
    by_key = {column_key(c): c for c in columns}
    for guess in guesses:
        if guess in by_key:
            return by_key[guess]
    return None


def resolve_columns(
    columns: Sequence[str],
    *,
    text: str | None = None,
    title: str | None = None,
    id: str | None = None,
) -> ColumnMap:
    """Map the user's column names (or guesses) to text/title/id; name the columns on a miss.

    ``None`` guesses a column; an empty ``title`` or ``id`` means none (no title; ids derived
    from the content), so ``--id-column ''`` turns a repeated id column off:

    >>> resolve_columns(["id", "text"], id="").id is None
    True
    """
    columns = [str(c) for c in columns]
    listing = ", ".join(repr(c) for c in columns) or "(none)"
    for flag, name in (("--text-column", text), ("--title-column", title), ("--id-column", id)):
        if name == "" and flag != "--text-column":
            continue
        if name is not None and name not in columns:
            raise EmbedtuneError(
                f"column {name!r} not found; the columns are: {listing}",
                fix=f"pass {flag} with one of those",
            )
    text = text or guess_column(columns, TEXT_GUESSES)
    if text is None:
        raise EmbedtuneError(
            f"no text column found; the columns are: {listing}",
            fix="name the column holding the posting text with --text-column",
        )
    return ColumnMap(
        text=text,
        title=guess_column(columns, TITLE_GUESSES) if title is None else title or None,
        id=guess_column(columns, ID_GUESSES) if id is None else id or None,
    )


def check_column_types(frame: pd.DataFrame, columns: ColumnMap) -> None:
    """Refuse a text or title column that holds anything but strings (numbers, lists, objects)
    and an id column that holds anything but strings and whole numbers; missing cells pass.

    Converting those with ``str`` would embed ``"[1, 2]"`` or ``"42"`` as a posting.
    """
    checks = (
        ("--text-column", "text", columns.text, (str,)),
        ("--title-column", "title", columns.title, (str,)),
        ("--id-column", "id", columns.id, (str, int, np.integer)),
    )
    for flag, role, name, allowed in checks:
        if name is None or isinstance(frame[name].dtype, pd.StringDtype):
            continue
        bad = next((v for v in frame[name] if not _missing(v) and not _is(v, allowed)), None)
        if bad is None:
            continue
        kind = "whole numbers or text" if role == "id" else "text"
        fix = f"pass {flag} with a column of {kind}"
        if role != "text":
            fix += f", or {flag} '' for none"
        raise EmbedtuneError(
            f"{role} column {name!r} holds {_type_name(bad)} values, not {kind} "
            f"(e.g. {_short(bad)})",
            fix=fix,
        )


def _missing(value: Any) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def _is(value: Any, allowed: tuple[type, ...]) -> bool:
    return isinstance(value, allowed) and not isinstance(value, bool | np.bool_)


def _type_name(value: Any) -> str:
    """A JSON-ish name: Parquet list cells arrive as numpy arrays, struct cells as dicts."""
    if isinstance(value, np.ndarray | list | tuple):
        return "list"
    if isinstance(value, np.generic):
        return value.dtype.name
    return type(value).__name__


def _short(value: Any) -> str:
    text = repr(value.tolist() if isinstance(value, np.ndarray) else value)
    return text if len(text) <= 40 else text[:37] + "..."


def load_corpus(
    source: str,
    *,
    encoding: str = "utf-8",
    hf_split: str = "train",
    demo_size: int = 1000,
    seed: int = 42,
) -> Corpus:
    """Load ``source``: ``demo``, ``hf:OWNER/NAME`` (or ``hf:`` a local dataset folder) or a file."""
    if source == "demo":
        return _load_demo(demo_size, seed)
    if source.startswith("hf:"):
        return Corpus(_load_hf(source[3:], hf_split), source)
    return Corpus(read_table(Path(source), encoding=encoding), source)


def _load_demo(n_jobs: int, seed: int) -> Corpus:
    from embedtune.data.demo import generate_demo_corpus

    demo = generate_demo_corpus(n_jobs, seed=seed)
    frame = pd.DataFrame(demo.postings).astype(str)
    queries = pd.DataFrame(demo.queries, columns=["query_id", "query", "posting_id"])
    return Corpus(frame, f"demo (n_jobs={n_jobs}, seed={seed})", queries)


def _load_hf(name: str, split: str) -> pd.DataFrame:
    import datasets

    if not name:
        raise EmbedtuneError("empty dataset name after 'hf:'", fix="use hf:OWNER/NAME")
    path = Path(name)
    try:
        if path.is_dir() and (
            (path / "dataset_dict.json").exists() or (path / "state.json").exists()
        ):
            loaded = datasets.load_from_disk(str(path))
        else:
            loaded = datasets.load_dataset(name, split=split)
    except (FileNotFoundError, ValueError, ConnectionError, OSError) as e:
        raise EmbedtuneError(
            f"could not load dataset {name!r} (split {split!r}): {_first_line(e)}",
            fix="check the name and --hf-split; offline, save the data to a file and pass its path",
        ) from e
    if isinstance(loaded, datasets.DatasetDict):
        if split not in loaded:
            raise EmbedtuneError(
                f"dataset {name!r} has no split {split!r}; it has {sorted(loaded)}",
                fix="pass --hf-split with one of those",
            )
        loaded = loaded[split]
    if not isinstance(loaded, datasets.Dataset):
        raise EmbedtuneError(f"{name!r} is not a map-style dataset", fix="pass a saved dataset")
    frame = loaded.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    return frame


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


def read_table(path: Path, *, encoding: str = "utf-8") -> pd.DataFrame:
    """Read a CSV/TSV, JSON Lines, JSON array or Parquet file into one DataFrame."""
    frames = list(iter_table(path, encoding=encoding))
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if frame.empty:
        raise EmbedtuneError(f"{path} has no rows", fix="pass a file with at least one posting")
    return frame


def iter_table(
    path: Path, *, encoding: str = "utf-8", chunk_size: int | None = None
) -> Iterator[pd.DataFrame]:
    """The rows of a table file in frames of at most ``chunk_size`` rows (None: one frame).

    The one reader of table files: ``prepare`` reads the whole file through it, ``index``
    streams it. CSV and JSON cells stay as written (CSV cells are all strings); a header-only
    CSV gives one empty frame. ``encoding`` applies to CSV and JSON; a UTF-8 byte order mark
    is dropped.
    """
    kind = _check_file(path, encoding)
    try:
        if kind == "csv":
            yield from _iter_csv(path, encoding, chunk_size)
        elif kind == "jsonl":
            yield from _iter_json(path, encoding, chunk_size)
        else:
            import pyarrow.parquet as pq

            if chunk_size is None:
                yield pd.read_parquet(path)
            else:
                for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_size):
                    yield batch.to_pandas()
    except UnicodeDecodeError as e:
        raise EmbedtuneError(
            f"{path} is not valid {encoding}: byte 0x{e.object[e.start]:02x} at offset {e.start}",
            fix="re-save it as UTF-8 (iconv -f cp1252 -t utf-8), or pass --encoding cp1252 (or latin-1)",
        ) from e
    except EmbedtuneError:
        raise
    except Exception as e:  # pandas/pyarrow raise many types for a broken file
        raise EmbedtuneError(
            f"could not read {path} as {kind}: {_first_line(e)}",
            fix=f"check that the file is valid {kind}",
        ) from e


# What a binary file that is not a table usually is, by its first bytes.
_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook?)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"PAR1", "a Parquet file (name it .parquet)"),
)


def _check_file(path: Path, encoding: str) -> str:
    """The file's kind (csv, jsonl, parquet) once it exists, is known, non-empty and readable."""
    if not path.exists():
        raise EmbedtuneError(
            f"{path} does not exist",
            fix="pass a CSV, JSONL or Parquet file, 'hf:OWNER/NAME', or 'demo'",
        )
    if path.is_dir():
        raise EmbedtuneError(
            f"{path} is a folder", fix="pass a file, or 'hf:PATH' for a saved dataset folder"
        )
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise EmbedtuneError(
            f"unknown file type {path.suffix!r} for {path}",
            fix=f"use one of {', '.join(sorted(SUFFIXES))}",
        )
    if path.stat().st_size == 0:
        raise EmbedtuneError(f"{path} is empty", fix="pass a file with a header and rows")
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise EmbedtuneError(
            f"unknown encoding {encoding!r}", fix="pass --encoding utf-8, cp1252 or latin-1"
        ) from None
    if kind != "parquet" and not codec.startswith(("utf-16", "utf-32")):
        _refuse_binary(path)
    return kind


def _refuse_binary(path: Path) -> None:
    """A text table has no NUL bytes; name what the file looks like instead."""
    with path.open("rb") as f:
        head = f.read(8192)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\x00" in head:
        raise EmbedtuneError(
            f"{path} is UTF-16 text", fix="pass --encoding utf-16, or re-save it as UTF-8"
        )
    what = next((name for magic, name in _MAGIC if head.startswith(magic)), None)
    nul = head.find(b"\x00")
    if what is None and nul >= 0:
        what = f"binary data (a NUL byte at offset {nul})"
    if what is not None:
        raise EmbedtuneError(
            f"{path} is not a text table: it looks like {what}",
            fix="pass a CSV, TSV, JSON Lines or Parquet file (export spreadsheets as CSV)",
        )


def _text_encoding(encoding: str) -> str:
    """``encoding``, with a UTF-8 byte order mark dropped when there is one."""
    return "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding


def _iter_csv(path: Path, encoding: str, chunk_size: int | None) -> Iterator[pd.DataFrame]:
    options: dict[str, Any] = {
        "sep": "\t" if path.suffix.lower() == ".tsv" else ",",
        "dtype": str,
        "keep_default_na": False,
        "encoding": _text_encoding(encoding),
    }
    if chunk_size is None:
        yield pd.read_csv(path, **options)
        return
    with pd.read_csv(path, chunksize=chunk_size, **options) as reader:
        yield from reader


def _iter_json(path: Path, encoding: str, chunk_size: int | None) -> Iterator[pd.DataFrame]:
    """JSON Lines, or (for ``.json``) one JSON array of objects."""
    if path.suffix.lower() == ".json" and _starts_with_bracket(path, encoding):
        rows: Iterable[dict[str, Any]] = _json_array(path, encoding)
    else:
        rows = (row for _, row in iter_json_lines(iter_lines(path, encoding=encoding), path))
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if chunk_size is not None and len(chunk) >= chunk_size:
            yield pd.DataFrame(chunk)
            chunk = []
    if chunk or chunk_size is None:
        yield pd.DataFrame(chunk)


def _starts_with_bracket(path: Path, encoding: str) -> bool:
    with path.open(encoding=_text_encoding(encoding)) as f:
        while head := f.read(1024):
            if head.strip():
                return head.lstrip().startswith("[")
    return False


def _json_array(path: Path, encoding: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding=_text_encoding(encoding)))
    except json.JSONDecodeError as e:
        raise EmbedtuneError(
            f"{path}, line {e.lineno}: invalid JSON ({e.msg})",
            fix="write a JSON array of objects, or one JSON object per line (.jsonl)",
        ) from None
    if not isinstance(data, list):
        raise EmbedtuneError(f"{path} is not a list of objects", fix="use JSON Lines")
    for number, row in enumerate(data, start=1):
        if not isinstance(row, dict):
            raise EmbedtuneError(
                f"{path}: item {number} of the array is {type(row).__name__}, not an object",
                fix="write a JSON array of objects, one per posting",
            )
    return data
