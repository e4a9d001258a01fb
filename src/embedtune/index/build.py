"""Build or update an index: stream the corpus in chunks, encode each chunk, write it.

Memory holds one chunk of texts and vectors at a time (plus the set of ids seen, to skip
repeats). Encoding uses one process per device when several GPUs (or ``devices``) are given —
sentence-transformers' multi-process pool — and otherwise one process on every CPU core.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from embedtune._io import atomic_dir, check_out
from embedtune.errors import EmbedtuneError
from embedtune.index import lexical as lex
from embedtune.index.config import IndexConfig
from embedtune.index.integrity import writer_lock
from embedtune.index.known import WEIGHTS, check_weight, choose_weight
from embedtune.index.model_info import ModelInfo, check_same_model, describe_model
from embedtune.index.source import Columns, Posting, iter_postings
from embedtune.index.store import META_FILE, PostingStore, read_meta
from embedtune.models.encoder import SentenceTransformerEncoder, normalize_rows
from embedtune.progress import NullReporter, Reporter

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

EncodeFn = Callable[[list[str]], np.ndarray]


def auto_devices() -> tuple[str, ...]:
    """Every GPU when there are several; else () (one process; torch uses every CPU core)."""
    import torch

    n = torch.cuda.device_count() if torch.cuda.is_available() else 0
    return tuple(f"cuda:{i}" for i in range(n)) if n > 1 else ()


@contextmanager
def document_encoder(
    model: SentenceTransformer, devices: Sequence[str], batch_size: int
) -> Iterator[EncodeFn]:
    """A function that embeds documents as normalised rows, on ``devices`` when there are 2+."""
    if len(devices) > 1:
        pool = model.start_multi_process_pool(list(devices))
        try:
            yield lambda texts: normalize_rows(
                model.encode_document(
                    texts, pool=pool, batch_size=batch_size, convert_to_numpy=True
                )
            )
        finally:
            model.stop_multi_process_pool(pool)
    else:
        encoder = SentenceTransformerEncoder(model, batch_size=batch_size, cache=False)
        yield lambda texts: encoder.encode(texts, kind="document")


def write_chunks(
    store: PostingStore,
    chunks: Iterator[list[Posting]],
    encode: EncodeFn,
    *,
    upsert: bool,
    reporter: Reporter,
) -> dict[str, int]:
    """Encode and write every chunk; repeated ids in the stream are skipped after the first."""
    seen: set[str] = set()
    written = skipped = 0
    with reporter.task("Encoding and indexing postings") as task:
        for chunk in chunks:
            fresh = []
            for p in chunk:
                if p.id in seen or not p.text.strip():
                    skipped += 1
                    continue
                seen.add(p.id)
                fresh.append(p)
            if not fresh:
                continue
            vectors = encode([p.document for p in fresh])
            (store.upsert if upsert else store.add)(fresh, vectors)
            written += len(fresh)
            task.advance(len(fresh))
    return {"written": written, "skipped": skipped}


def _model_name(model: str) -> str:
    path = Path(model)
    return str(path.resolve()) if path.is_dir() else model


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def build_index(config: IndexConfig, *, reporter: Reporter | None = None) -> dict[str, Any]:
    """Build ``config.out`` from ``config.corpus`` (or update it); return a report."""
    from embedtune.models.registry import load_model

    reporter = reporter or NullReporter()
    started = time.perf_counter()
    if not config.update:  # refuse a --out that would destroy something, before any slow work
        check_out(config.out, sources=[config.corpus, config.model], overwrite=config.overwrite)
    # read before the slow work, so that a bad file fails first
    known_pairs = read_known_queries(config.known_queries) if config.known_queries else None
    model = load_model(config.model)
    info = describe_model(model, _model_name(config.model))
    columns = Columns(config.text_column, config.title_column, config.id_column)
    chunks = iter_postings(
        config.corpus, columns, chunk_size=config.chunk_size, encoding=config.encoding
    )
    devices = config.devices or auto_devices()
    known: dict[str, Any] = {}
    with document_encoder(model, devices, config.batch_size) as encode:
        if config.update:
            counts = update_postings(config.out, info, chunks, encode, reporter=reporter)
            ann_built = bool(counts["ann_built"])
            out = Path(config.out)
            if known_pairs is not None:
                known = update_known_queries(
                    out,
                    info,
                    known_pairs,
                    _query_encoder(model, config.batch_size, reporter),
                    weight=config.known_weight,
                    lexical_weight=config.lexical_weight,
                    reporter=reporter,
                )
            elif config.lexical_weight is not None:
                set_lexical_weight(out, config.lexical_weight, reporter=reporter)
            store = PostingStore.open(out)
        else:
            first = next(chunks)
            replacing = (Path(config.out) / META_FILE).is_file()  # --overwrite of an index
            with ExitStack() as swap, atomic_dir(config.out, overwrite=config.overwrite) as tmp:
                store = PostingStore.create(
                    tmp,
                    info,
                    sorted(first[0].metadata),
                    ann_threshold=config.ann_threshold,
                    source=str(config.corpus),
                )
                counts = write_chunks(
                    store, _chain(first, chunks), encode, upsert=False, reporter=reporter
                )
                if known_pairs is not None:
                    known = add_known_queries(
                        store,
                        known_pairs,
                        _query_encoder(model, config.batch_size, reporter),
                        weight=config.known_weight,
                        lexical_weight=config.lexical_weight,
                        reporter=reporter,
                    )
                else:
                    store.set_meta(lexical=_lexical_default(config.lexical_weight))
                with reporter.task("Building the ANN index"):
                    ann_built = store.maybe_build_ann()
                if replacing:  # held through the swap: no update is mid-write in the old folder
                    swap.enter_context(writer_lock(config.out, reporter=reporter))
            out = Path(config.out)
            store = PostingStore.open(out)
    if store.lexical_weight > 0:  # so that the first search does not wait for it
        with reporter.task("Indexing the postings' words (BM25)"):
            store.lexical()
    return {
        "out": str(out),
        "model": info.to_dict(),
        "postings": store.count(),
        "written": counts["written"],
        "skipped_repeats_or_empty": counts["skipped"],
        "repeats_removed": counts.get("repeats_removed", 0),
        "ann": store.meta.get("ann"),
        "ann_built": ann_built,
        **known,
        "lexical": store.meta.get("lexical"),
        "devices": list(devices) or ["single process"],
        "size_bytes": folder_size(out),
        "seconds": round(time.perf_counter() - started, 2),
    }


def _chain(first: list[Posting], rest: Iterator[list[Posting]]) -> Iterator[list[Posting]]:
    yield first
    yield from rest


def update_postings(
    path: Path,
    model: ModelInfo,
    chunks: Iterator[list[Posting]],
    encode: EncodeFn,
    *,
    reporter: Reporter | None = None,
) -> dict[str, Any]:
    """Upsert ``chunks`` into the index at ``path`` built with ``model``; return counts.

    Holds the index's writer lock throughout, so concurrent updates apply one after the
    other (with the same new ids, the second replaces what the first wrote). Ids stored
    more than once (by writers that raced before the lock) are first reduced to one row.
    """
    reporter = reporter or NullReporter()
    read_meta(path)  # not an index: say so before creating a lock file in it
    with writer_lock(path, reporter=reporter):
        store = PostingStore.open(path, allow_repeats=True)
        check_same_model(store.model, model, str(path))
        removed = store.remove_repeats()
        counts = write_chunks(store, chunks, encode, upsert=True, reporter=reporter)
        if store.meta.get("ann"):
            store.optimize()
        ann_built = store.maybe_build_ann() if not store.meta.get("ann") else False
    return {**counts, "repeats_removed": removed, "ann_built": ann_built}


def delete_postings(index: Path, ids: Sequence[str]) -> dict[str, Any]:
    """Remove postings by id from the index at ``index``; report how many were found.

    Like an update, holds the writer lock and first removes repeated ids.
    """
    read_meta(index)
    with writer_lock(index):
        store = PostingStore.open(index, allow_repeats=True)
        repeats = store.remove_repeats()
        removed = store.delete(list(ids))
        postings = store.count()
    return {
        "out": str(index),
        "requested": len(ids),
        "deleted": removed,
        "postings": postings,
        "repeats_removed": repeats,
    }


def build_index_from_prepared(
    *,
    model: str | Path,
    data: str | Path,
    out: Path,
    reporter: Reporter | None = None,
    overwrite: bool = True,
) -> dict[str, Any]:
    """Index every split of a prepared folder (``embedtune prepare --out DATA``) with ``model``.

    For ``embedtune run``: a rerun replaces the index (``overwrite``).
    """
    config = IndexConfig(model=str(model), corpus=str(data), out=Path(out), overwrite=overwrite)
    return build_index(config, reporter=reporter)


KNOWN_SPLITS = ("train", "validation")


def read_known_queries(path: str | Path) -> list[tuple[str, str]]:
    """``(query, posting id)`` pairs of a known-queries file: the table (or BEIR folder) that
    ``--eval-queries`` reads (:func:`embedtune.evaluate.user_queries.read_eval_queries`), or a
    prepared folder (``embedtune prepare --out DATA``): the queries of its train and validation
    splits (the test split's stay out, so that they still test)."""
    from embedtune.evaluate.user_queries import read_eval_queries

    path = Path(path)
    if not path.exists():
        raise EmbedtuneError(
            f"--known-queries {path} does not exist",
            fix="give a table with a 'query' and an 'id' column (the posting it leads to)",
        )
    folders = [path / "ir" / s for s in KNOWN_SPLITS if (path / "ir" / s).is_dir()]
    pairs = []
    for folder in folders if (path / "ir").is_dir() else [path]:
        queries, qrels = read_eval_queries(folder)
        pairs += [(queries[q], pid) for q, rel in qrels.items() for pid, g in rel.items() if g > 0]
    return pairs


def _query_encoder(model: SentenceTransformer, batch_size: int, reporter: Reporter) -> EncodeFn:
    encoder = SentenceTransformerEncoder(
        model, batch_size=batch_size, reporter=reporter, cache=False
    )
    return lambda texts: encoder.encode(texts, kind="query")


def add_known_queries(
    store: PostingStore,
    pairs: Sequence[tuple[str, str]],
    encode_queries: EncodeFn,
    *,
    weight: float | None = None,
    lexical_weight: float | None = None,
    reporter: Reporter | None = None,
) -> dict[str, Any]:
    """Keep ``pairs`` (query, posting id) in ``store`` as known queries and set their weight:
    ``weight``, or the one chosen on held-out known queries (:func:`.known.choose_weight`); the
    lexical half's weight likewise (``lexical_weight``, or chosen on the same queries).

    Pairs already stored are skipped; pairs naming no posting of the index are counted and
    skipped (an error when none names one). Returns counts and the weight's choice.
    """
    reporter = reporter or NullReporter()
    texts, ids, _ = store.known_queries()
    have = set(zip(texts, ids, strict=True))
    postings = set(store.ids())
    fresh: list[tuple[str, str]] = []
    unknown = []
    distinct = list(dict.fromkeys(pairs))
    for pair in distinct:
        if pair[1] not in postings:
            unknown.append(pair[1])
        elif pair not in have:
            fresh.append(pair)
    if distinct and len(unknown) == len(distinct):
        examples = ", ".join(repr(i) for i in list(dict.fromkeys(unknown))[:3])
        raise EmbedtuneError(
            f"none of the {len(distinct)} known queries leads to a posting of {store.path} "
            f"(ids such as {examples})",
            fix="use the ids of the indexed corpus (its --id-column; in a run's index, the "
            "prepared folder's ids)",
        )
    if fresh:
        with reporter.task("Encoding known queries"):
            vectors = encode_queries([t for t, _ in fresh])
        store.add_known([t for t, _ in fresh], [i for _, i in fresh], vectors)
    choice, lexical = _choose(store, weight, lexical_weight, reporter)
    store.set_meta(known_queries=choice, lexical=lexical)
    return {
        "known_queries": store.known_count(),
        "known_queries_added": len(fresh),
        "known_queries_unknown_ids": len(unknown),
        "known_weight": choice["weight"],
        "known_choice": choice,
    }


GIVEN = "given (--known-weight)"
LEXICAL_GIVEN = "given (--lexical-weight)"


def _lexical_given(weight: float) -> dict[str, Any]:
    lex.check_weight(weight)
    return {"weight": weight, "reason": LEXICAL_GIVEN}


def set_lexical_weight(
    path: Path, weight: float, *, reporter: Reporter | None = None
) -> dict[str, Any]:
    """``embedtune index --update --lexical-weight A`` (no corpus needed): fix the index's
    lexical weight, under its writer lock; returns the new setting."""
    given = _lexical_given(weight)
    read_meta(path)
    with writer_lock(path, reporter=reporter):
        PostingStore.open(path, allow_repeats=True).set_meta(lexical=given)
    return given


def _lexical_default(weight: float | None) -> dict[str, Any]:
    """The lexical weight of an index without known queries: given, or the default."""
    if weight is not None:
        return _lexical_given(weight)
    return {"weight": lex.DEFAULT_WEIGHT, "reason": "the default (no known queries to choose on)"}


def _choose(
    store: PostingStore, weight: float | None, lexical_weight: float | None, reporter: Reporter
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The known queries' weight and the lexical half's: each given now, given before, or
    chosen now on held-out known queries."""
    from embedtune.index.known import DEFAULT_WEIGHT

    before = store.meta.get("known_queries") or {}
    if weight is None and before.get("reason") == GIVEN:
        weight = float(before["weight"])
    lexical_before = store.meta.get("lexical") or {}
    if lexical_weight is None and lexical_before.get("reason") == LEXICAL_GIVEN:
        lexical_weight = float(lexical_before["weight"])
    known = {"weight": weight, "reason": GIVEN} if weight is not None else None
    lexical = _lexical_given(lexical_weight) if lexical_weight is not None else None
    if known is not None and lexical is not None:
        return known, lexical
    docs = store.document_vectors()
    if docs is None:
        why = "the index is beyond memory: the default"
        return (
            known or {"weight": DEFAULT_WEIGHT, "reason": why},
            lexical or {"weight": lex.DEFAULT_WEIGHT, "reason": why},
        )
    texts, ids, vectors = store.known_queries()
    with reporter.task("Choosing the weights of known queries and words on held-out queries"):
        choice = choose_weight(
            docs[1],
            docs[0],
            vectors,
            texts,
            ids,
            weights=(weight,) if weight is not None else WEIGHTS,
            lexical=store.lexical() if lexical is None else None,
        )
    return known or choice.to_dict(), lexical or choice.lexical_dict()


def update_known_queries(
    path: Path,
    model: ModelInfo,
    pairs: Sequence[tuple[str, str]],
    encode_queries: EncodeFn,
    *,
    weight: float | None = None,
    lexical_weight: float | None = None,
    reporter: Reporter | None = None,
) -> dict[str, Any]:
    """:func:`add_known_queries` to the index at ``path`` under its writer lock."""
    read_meta(path)
    with writer_lock(path, reporter=reporter):
        store = PostingStore.open(path, allow_repeats=True)
        check_same_model(store.model, model, str(path))
        return add_known_queries(
            store,
            pairs,
            encode_queries,
            weight=weight,
            lexical_weight=lexical_weight,
            reporter=reporter,
        )


def add_known_to_index(
    out: Path,
    model: str,
    path: str | Path,
    *,
    weight: float | None = None,
    lexical_weight: float | None = None,
    batch_size: int = 64,
    reporter: Reporter | None = None,
) -> dict[str, Any]:
    """``embedtune index --update --known-queries FILE`` without a corpus: only known queries."""
    from embedtune.models.registry import load_model

    reporter = reporter or NullReporter()
    started = time.perf_counter()
    check_weight(weight)
    lex.check_weight(lexical_weight)
    pairs = read_known_queries(path)
    read_meta(out)
    st_model = load_model(model)
    info = describe_model(st_model, _model_name(model))
    encode = _query_encoder(st_model, batch_size, reporter)
    report = update_known_queries(
        out, info, pairs, encode, weight=weight, lexical_weight=lexical_weight, reporter=reporter
    )
    return {"out": str(out), **report, "seconds": round(time.perf_counter() - started, 2)}
