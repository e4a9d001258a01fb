"""Known queries as a second way into a document: title search with known queries as memory.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/known_queries.py [--set onet] [--pairs 3000]
        [--memory-from RUN_DIR/data] [--models base,RUN_DIR/model] [--alphas 0,0.3,0.5,0.7,1]
        [--work /tmp/embedtune-domain] [--out known_queries.json]

Issue 16, goal 3: the user's (alternate title -> occupation) pairs train the model; they can also
be kept beside the index, so that a new query reaches a document through the known queries that
lead to it (query-to-query matching, as FAQ retrieval does with stored paraphrases). Per
document ``j`` with known queries ``K(j)``::

    score(q, j) = d + (1 - alpha) * max(0, m - d),   d = cos(q, doc j),  m = max_{k in K(j)} cos(q, k)

``alpha`` 1 is the document alone; 0 is the better of the document and its nearest known query;
documents without known queries keep ``d``. ``alpha`` is chosen on VALIDATION, never on the test
titles: a seeded 10% of the pairs are held out as queries, and the memory then holds only the
other 90% (a held-out title never finds itself). The test score is reported at that ``alpha``,
the memory holding every pair, and at every ``alpha`` for the curve.

Sets: the harness's O*NET view (``domain_adaptation.build_view``: the 6,390 reported titles over
the 1,016 occupations, the first ``--pairs`` seeded alternate-title pairs; 0: all 42,960). With
``--set linkedin|adzuna|glassdoor|scifact`` the memory is ``--memory-from``: the queries that
``embedtune prepare`` wrote into a prepared folder (every split's ``ir/SPLIT``: generated queries
with the postings they were written for), as doc2query expansions; the test is the harness's
view of the set (distinct titles over the whole corpus; SciFact's test queries).
Models: ``base`` (all-MiniLM-L6-v2) or sentence-transformers folders, each at its own 256 tokens.
One JSON line per model on stdout, all of them in ``--out``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from domain_adaptation import BASE, SEED, SHARED, build_view, read_jsonl
from train_speed import machine

from embedtune.index.known import Groups, blend, memory_scores

HOLD_OUT = 0.1


def memory_max(
    query_emb: np.ndarray, memory_emb: np.ndarray, memory_doc: Sequence[int], num_docs: int
) -> np.ndarray:
    """Per (query, document row): the best cosine to one of its known queries (-inf: none),
    by the index's own code (:mod:`embedtune.index.known`).

    >>> q = np.array([[1.0, 0.0]]); k = np.array([[0.0, 1.0], [0.6, 0.8]])
    >>> memory_max(q, k, [1, 1], 3).astype(float).round(3).tolist()
    [[-inf, 0.6, -inf]]
    """
    groups = Groups.of(memory_emb, [str(j) for j in memory_doc])
    return memory_scores(groups, query_emb, np.array([int(j) for j in groups.ids]), num_docs)


def ndcg10(
    scores: np.ndarray, query_ids: Sequence[str], doc_ids: Sequence[str], qrels: Mapping[str, Any]
) -> float:
    """nDCG@10 of ranking ``doc_ids`` by each row of ``scores`` (embedtune's own metric)."""
    from embedtune.evaluate.metrics import rank_ids, retrieval_metrics

    ranked = dict(zip(query_ids, rank_ids(scores, doc_ids, 10), strict=True))
    return retrieval_metrics(ranked, {q: qrels[q] for q in query_ids})["ndcg@10"]


def read_pairs(pairs_csv: Path, text_to_id: Mapping[str, str]) -> list[tuple[str, str]]:
    """(known query, occupation id) per row of the harness's pairs CSV."""
    with pairs_csv.open(encoding="utf-8", newline="") as f:
        return [(row["query"], text_to_id[row["text"]]) for row in csv.DictReader(f)]


def prepared_queries(data: Path, doc_ids: set[str]) -> list[tuple[str, str]]:
    """(query, posting id) for every query of every split ``embedtune prepare`` wrote to ``data``
    (``ir/train``, ``ir/validation``, ``ir/test``), kept where the posting is in ``doc_ids``."""
    from embedtune.evaluate.beir import load_queries, read_qrels

    out = []
    for split in ("train", "validation", "test"):
        folder = data / "ir" / split
        if not (folder / "queries.jsonl").is_file():
            continue
        queries = load_queries(folder / "queries.jsonl")
        for qid, did, grade in read_qrels(folder / "qrels" / "test.tsv"):
            if grade > 0 and qid in queries and did in doc_ids:
                out.append((queries[qid], did))
    return out


def score_model(name: str, data: Any, pairs: list[tuple[str, str]], alphas: list[float]) -> dict:
    from embedtune.models.encoder import SentenceTransformerEncoder
    from embedtune.models.loading import load_model

    start = time.perf_counter()
    encoder = SentenceTransformerEncoder(load_model(BASE if name == "base" else name))
    position = {d: j for j, d in enumerate(data.doc_ids)}
    docs = encoder.encode(data.documents, kind="document")
    memory = encoder.encode([q for q, _ in pairs], kind="query")
    memory_doc = [position[d] for _, d in pairs]
    encode_seconds = time.perf_counter() - start

    # validation: 10% of the pairs held out as queries, the memory holding the other 90%
    order = list(range(len(pairs)))
    random.Random(SEED).shuffle(order)
    cut = max(1, int(len(order) * HOLD_OUT))
    held, kept = order[:cut], order[cut:]
    val_ids = [f"v{k}" for k in held]
    val_qrels = {f"v{k}": {pairs[k][1]: 1} for k in held}
    val_doc = memory[held] @ docs.T
    val_mem = memory_max(memory[held], memory[kept], [memory_doc[k] for k in kept], len(docs))
    validation = {
        a: ndcg10(blend(val_doc, val_mem, 1 - a), val_ids, data.doc_ids, val_qrels) for a in alphas
    }
    chosen = max(alphas, key=lambda a: (validation[a], a))  # ties: more of the document

    query_ids = data.judged
    queries = encoder.encode([data.queries[q] for q in query_ids], kind="query")
    test_doc = queries @ docs.T
    test_mem = memory_max(queries, memory, memory_doc, len(docs))
    test = {
        a: ndcg10(blend(test_doc, test_mem, 1 - a), query_ids, data.doc_ids, data.qrels)
        for a in alphas
    }
    return {
        "model": name,
        "pairs": len(pairs),
        "documents_with_known_queries": len(set(memory_doc)),
        "validation_queries": len(held),
        "alpha_chosen_on_validation": chosen,
        "test_ndcg@10_document_alone": round(test[1.0], 4) if 1.0 in test else None,
        "test_ndcg@10_at_chosen_alpha": round(test[chosen], 4),
        "curve": [
            {"alpha": a, "validation": round(validation[a], 4), "test": round(test[a], 4)}
            for a in alphas
        ],
        "encode_seconds": round(encode_seconds, 1),
        "seconds": round(time.perf_counter() - start, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", default="onet", help="onet, or a harness set with --memory-from")
    parser.add_argument("--pairs", type=int, default=3000, help="onet pairs (0: all 42,960)")
    parser.add_argument("--memory-from", type=Path, default=None, help="a prepared folder")
    parser.add_argument("--models", default="base", help="comma-separated: base or folders")
    parser.add_argument("--alphas", default="0,0.3,0.5,0.7,1", help="weights of the document")
    parser.add_argument("--work", type=Path, default=Path("/tmp/embedtune-domain"))
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    import torch

    from embedtune.evaluate import document_text, load_beir

    torch.set_num_threads(1)
    alphas = sorted({float(a) for a in args.alphas.split(",")} | {1.0})
    view = build_view(args.set, args.work, onet_n=args.pairs)
    data = load_beir(view.beir)
    if args.set == "onet":
        assert view.pairs_csv is not None
        text_to_id = {
            document_text(str(r.get("title") or ""), str(r["text"] or "")): str(r["_id"])
            for r in read_jsonl(SHARED / "onet_titles" / "beir" / "corpus.jsonl")
        }
        pairs = read_pairs(view.pairs_csv, text_to_id)
    elif args.memory_from is not None:
        pairs = prepared_queries(args.memory_from, set(data.doc_ids))
    else:
        raise SystemExit(f"--set {args.set} needs --memory-from RUN/data (a prepared folder)")
    report: dict[str, Any] = {
        "set": args.set,
        "memory_from": str(args.memory_from or view.pairs_csv),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "command": " ".join(sys.argv),
        "results": [],
    }
    for name in args.models.split(","):
        row = score_model(name, data, pairs, alphas)
        print(json.dumps(row), flush=True)
        report["results"].append(row)
        if args.out:
            args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
