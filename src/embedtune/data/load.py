"""Read a postings corpus from a file, a Hugging Face dataset or the built-in demo.

Everything is read into a pandas DataFrame of strings; column mapping is resolved here, so the
stages after it only ever see ``id``, ``title`` and ``text`` (plus metadata columns).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from embedtune._io import iter_json_lines
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


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


def guess_column(columns: Sequence[str], guesses: Sequence[str]) -> str | None:
    """The first column whose normalised name is one of ``guesses`` (in order of preference).

    >>> guess_column(["Job Title", "Job Description"], ("text", "description", "job_description"))
    'Job Description'
    """
    by_key = {_key(c): c for c in columns}
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
    """Map the user's column names (or guesses) to text/title/id; name the columns on a miss."""
    columns = [str(c) for c in columns]
    listing = ", ".join(repr(c) for c in columns) or "(none)"
    for flag, name in (("--text-column", text), ("--title-column", title), ("--id-column", id)):
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
        title=title or guess_column(columns, TITLE_GUESSES),
        id=id or guess_column(columns, ID_GUESSES),
    )


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
    """Read a CSV/TSV, JSON Lines or Parquet file into a DataFrame of strings."""
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
        if kind == "csv":
            frame = pd.read_csv(
                path,
                sep="\t" if path.suffix.lower() == ".tsv" else ",",
                dtype=str,
                keep_default_na=False,
                encoding=encoding,
            )
        elif kind == "jsonl":
            frame = _read_jsonl(path, encoding)
        else:
            frame = pd.read_parquet(path)
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
    if frame.empty:
        raise EmbedtuneError(f"{path} has no rows", fix="pass a file with at least one posting")
    return frame


def _read_jsonl(path: Path, encoding: str) -> pd.DataFrame:
    rows = []
    with path.open(encoding=encoding) as f:
        text = f.read()
    if path.suffix.lower() == ".json" and text.lstrip().startswith("["):
        data = json.loads(text)
        if not isinstance(data, list):
            raise EmbedtuneError(f"{path} is not a list of objects", fix="use JSON Lines")
        rows = data
    else:
        rows = [row for _, row in iter_json_lines(text.splitlines(), path)]
    return pd.DataFrame(rows)
