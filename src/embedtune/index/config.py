"""Settings of `embedtune index`, checked when made."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from embedtune.errors import EmbedtuneError
from embedtune.index.known import check_weight
from embedtune.index.lexical import check_weight as check_lexical_weight
from embedtune.index.store import DEFAULT_ANN_THRESHOLD


@dataclass(frozen=True)
class IndexConfig:
    """What to index with which model, and where.

    ``update`` adds to (or replaces postings by id in) an existing index instead of building a new
    one; ``devices`` (e.g. ``("cuda:0", "cuda:1")``) encodes with one process per device; empty
    means automatic: every GPU when there are several, else one process using every CPU core.
    ``known_queries``: a table of (query, id) pairs kept beside the postings
    (:mod:`embedtune.index.known`); ``known_weight`` fixes their weight (default: chosen on
    held-out known queries). ``lexical_weight``: how much BM25 adds to a score
    (:mod:`embedtune.index.lexical`; 0 turns it off; default: chosen on held-out known queries
    when there are known queries, else 0.2; an update keeps the index's weight).
    """

    model: str
    corpus: str
    out: Path
    text_column: str | None = None
    title_column: str | None = None
    id_column: str | None = None
    batch_size: int = 64
    chunk_size: int = 2048
    ann_threshold: int = DEFAULT_ANN_THRESHOLD
    devices: tuple[str, ...] = ()
    overwrite: bool = False
    update: bool = False
    encoding: str = "utf-8"
    known_queries: str | None = None
    known_weight: float | None = None
    lexical_weight: float | None = None

    def __post_init__(self) -> None:
        for name in ("batch_size", "chunk_size", "ann_threshold"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise EmbedtuneError(
                    f"{name} must be a positive integer, got {value!r}",
                    fix=f"pass --{name.replace('_', '-')} 1 or more",
                )
        if self.overwrite and self.update:
            raise EmbedtuneError(
                "--overwrite and --update contradict each other",
                fix="--overwrite rebuilds the index, --update adds to it: pass one",
            )
        if not self.model.strip():
            raise EmbedtuneError("empty --model", fix="pass a model folder or name")
        if not self.corpus.strip():
            raise EmbedtuneError("empty --corpus", fix="pass a corpus file or prepared folder")
        check_weight(self.known_weight)
        check_lexical_weight(self.lexical_weight)
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            raise EmbedtuneError(
                f"unknown encoding {self.encoding!r}",
                fix="pass --encoding utf-8, cp1252 or latin-1",
            ) from None
