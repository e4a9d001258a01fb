"""Which training recipe moves title search on real postings, one factor at a time (issue 16, items 1, 3).

    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 .venv/bin/python benchmarks/domain_ablation.py \
        --set linkedin [--variants base,baseline,pp1,...] [--out runs/ablation-linkedin.jsonl]

For one job set (descriptions only; titles never reach training):

* documents: each description cleaned as ``prepare`` cleans it (``clean_posting``); Glassdoor's
  identical descriptions are one document (596);
* queries to train on: ``generate_offline_queries`` on postings whose title is empty, so the role
  is read from the text (``infer_role``) and written in job-board styles; postings whose text
  names no job fall back to keyphrase queries, as in the library;
* training: all-MiniLM-L6-v2, sentence-transformers ``MultipleNegativesRankingLoss`` (in-batch
  negatives), AdamW with 10% linear warm-up then linear decay (the sentence-transformers
  default), max_seq_length 256 (`--max-seq`), a plain loop, ONE CPU thread, seed 0;
* score: each distinct normalised title is a query, relevant = the postings with that title,
  nDCG@10 over the whole corpus (embedtune's ``rank_ids`` + ``ndcg_at_k``);
* held-back pseudo-queries (item 3's early-stopping signal): queries 4-5 of a seeded 100
  postings (generated with per_posting 5, never trained on), MRR@10 to their posting.

Variants, one factor at a time from ``baseline`` (per_posting 3, 1 epoch, lr 5e-5, batch 32):
``pp1``/``pp5``; ``ep3`` (scored after each epoch of one 3-epoch schedule: rows ``ep3@1``,
``ep3@2``, ``ep3@3``); ``lr2e-5``/``lr1e-4``; ``bs16``/``bs64``; ``roleonly`` (one query a
posting: the inferred role alone, keyphrase fallback kept); ``keyphrase`` (role inference off:
every posting gets the old keyphrase queries, as before issue 16). One JSON line per row is
appended to ``--out`` as soon as it is scored, so a cut-short run keeps its rows.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
import torch

from embedtune.data.clean import clean_posting
from embedtune.evaluate.metrics import ndcg_at_k, rank_ids, reciprocal_rank_at_k
from embedtune.models.encoder import SentenceTransformerEncoder
from embedtune.models.loading import load_model
from embedtune.queries.offline import OfflineQueryConfig, generate_offline_queries
from embedtune.queries.offline import generate as gen_mod
from embedtune.queries.records import Posting

torch.set_num_threads(1)

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SETS = {
    "linkedin": (SHARED / "linkedin_jobs_2024" / "postings_sample.csv", "title", "description"),
    "glassdoor": (
        SHARED / "glassdoor_ds_jobs" / "glassdoor_jobs.csv",
        "Job Title",
        "Job Description",
    ),
    "adzuna": (SHARED / "adzuna_uk_jobs" / "Train_rev1_first2499.csv", "Title", "FullDescription"),
}
MODEL = "all-MiniLM-L6-v2"
MAX_SEQ = 256
SEED = 0
VAL_POSTINGS = 100


@dataclass(frozen=True)
class Recipe:
    per_posting: int = 3
    epochs: int = 1
    lr: float = 5e-5
    batch: int = 32
    queries: str = "styles"  # styles | roleonly | keyphrase


VARIANTS = {
    "baseline": Recipe(),
    "pp1": Recipe(per_posting=1),
    "pp5": Recipe(per_posting=5),
    "ep3": Recipe(epochs=3),
    "lr2e-5": Recipe(lr=2e-5),
    "lr1e-4": Recipe(lr=1e-4),
    "bs16": Recipe(batch=16),
    "bs64": Recipe(batch=64),
    "roleonly": Recipe(per_posting=1, queries="roleonly"),
    "keyphrase": Recipe(queries="keyphrase"),
}


def normalise_title(title: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", title).split()).casefold()


def load_set(name: str) -> tuple[list[str], dict[str, str], dict[str, dict[str, int]]]:
    """Cleaned documents (index = posting id), title queries and qrels."""
    path, tcol, dcol = SETS[name]
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    docs: list[str] = []
    doc_of: dict[str, int] = {}
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    for row in rows:
        raw, title = (row[dcol] or "").strip(), (row[tcol] or "").strip()
        if not raw:
            continue
        if raw not in doc_of:
            doc_of[raw] = len(docs)
            docs.append(clean_posting(raw).text or raw)
        key = normalise_title(title)
        if key:
            queries.setdefault(key, " ".join(title.split()))
            qrels.setdefault(key, {})[str(doc_of[raw])] = 1
    return docs, queries, qrels


def make_queries(docs: list[str], per_posting: int, kind: str, encoder) -> list[tuple[int, str]]:
    """(posting index, query) pairs from descriptions only (every title empty)."""
    postings = [Posting(str(i), "", t) for i, t in enumerate(docs)]
    if kind == "keyphrase":  # role inference off: the pre-issue-16 path for every posting
        saved = gen_mod.infer_role
        gen_mod.infer_role = lambda text: None
        try:
            recs = generate_offline_queries(
                postings, encoder, OfflineQueryConfig(per_posting=per_posting)
            )
        finally:
            gen_mod.infer_role = saved
    elif kind == "roleonly":  # the inferred role alone; keyphrase fallback as the library has it
        saved = gen_mod.style_queries

        def role_only(facets, n, rng, *, place=None):
            role = facets.role.name
            return [role if len(role.split()) > 1 else f"{role} jobs"]

        gen_mod.style_queries = role_only
        try:
            recs = generate_offline_queries(postings, encoder, OfflineQueryConfig(per_posting=1))
        finally:
            gen_mod.style_queries = saved
    else:
        recs = generate_offline_queries(
            postings, encoder, OfflineQueryConfig(per_posting=per_posting)
        )
    return [(int(r.posting_id), r.query) for r in recs]


def encode(model, texts: list[str], batch: int = 64) -> np.ndarray:
    model.eval()
    with torch.no_grad():
        vecs = model.encode(
            texts,
            batch_size=batch,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
    return np.asarray(vecs, dtype=np.float32)


def score(model, docs, queries, qrels, val) -> dict[str, float]:
    """Title nDCG@10 (and MRR@10) over the whole corpus, and held-back pseudo-query MRR@10."""
    doc_ids = [str(i) for i in range(len(docs))]
    dv = encode(model, docs)
    keys = list(qrels)
    qv = encode(model, [queries[k] for k in keys])
    ranked = rank_ids(qv @ dv.T, doc_ids, 10)
    ndcg = float(np.mean([ndcg_at_k(r, qrels[k], 10) for r, k in zip(ranked, keys, strict=True)]))
    mrr = float(
        np.mean([reciprocal_rank_at_k(r, qrels[k], 10) for r, k in zip(ranked, keys, strict=True)])
    )
    out = {"ndcg@10": ndcg, "mrr@10": mrr}
    if val:
        vv = encode(model, [q for _, q in val])
        vr = rank_ids(vv @ dv.T, doc_ids, 10)
        out["val_mrr@10"] = float(
            np.mean(
                [
                    reciprocal_rank_at_k(r, {str(p): 1}, 10)
                    for r, (p, _) in zip(vr, val, strict=True)
                ]
            )
        )
    return out


def train(pairs, docs, recipe: Recipe, on_epoch) -> float:
    """Plain MNRL training; calls ``on_epoch(epoch, model, seconds)`` after each epoch."""
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from transformers import get_linear_schedule_with_warmup

    torch.manual_seed(SEED)
    model = load_model(MODEL, device="cpu")
    model.max_seq_length = MAX_SEQ
    loss_fn = MultipleNegativesRankingLoss(model)
    opt = torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=0.01)
    steps_per_epoch = math.ceil(len(pairs) / recipe.batch)
    total = steps_per_epoch * recipe.epochs
    sched = get_linear_schedule_with_warmup(opt, int(0.1 * total), total)
    rng = random.Random(SEED)
    seconds = 0.0
    for epoch in range(1, recipe.epochs + 1):
        t0 = time.perf_counter()
        model.train()
        order = pairs[:]
        rng.shuffle(order)
        # no two queries of one posting in a batch: they would be each other's false negatives
        batches, cur, seen = [], [], set()
        pending = order
        while pending:
            rest = []
            for p, q in pending:
                if p in seen:
                    rest.append((p, q))
                    continue
                cur.append((p, q))
                seen.add(p)
                if len(cur) == recipe.batch:
                    batches.append(cur)
                    cur, seen = [], set()
            if rest and len(rest) == len(pending):  # only duplicates left: flush
                if cur:
                    batches.append(cur)
                cur, seen = [], set()
            pending = rest
        if cur:
            batches.append(cur)
        for b in batches:
            qf = model.tokenize([q for _, q in b])
            df = model.tokenize([docs[p] for p, _ in b])
            loss = loss_fn([qf, df], None)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
        seconds += time.perf_counter() - t0
        on_epoch(epoch, model, seconds)
    return seconds


def main() -> None:
    global MAX_SEQ
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default="linkedin", choices=sorted(SETS))
    ap.add_argument("--variants", default="base," + ",".join(VARIANTS))
    ap.add_argument("--out", type=Path, default=Path("runs/ablation.jsonl"))
    ap.add_argument("--max-seq", type=int, default=MAX_SEQ, help="token cap, training and scoring")
    args = ap.parse_args()
    MAX_SEQ = args.max_seq
    args.out.parent.mkdir(parents=True, exist_ok=True)

    docs, queries, qrels = load_set(args.set)
    print(f"{args.set}: {len(docs)} documents, {len(qrels)} title queries", flush=True)
    base = load_model(MODEL, device="cpu")
    base.max_seq_length = MAX_SEQ
    encoder = SentenceTransformerEncoder(base)

    # role-inference coverage, and held-back pseudo-queries (queries 4-5 of per_posting 5)
    from embedtune.queries.offline import infer_role

    covered = sum(infer_role(t) is not None for t in docs)
    print(f"role inference coverage: {covered}/{len(docs)} = {covered / len(docs):.3f}", flush=True)
    cache: dict[tuple[int, str], list[tuple[int, str]]] = {}

    def pairs_for(pp: int, kind: str) -> list[tuple[int, str]]:
        if (pp, kind) not in cache:
            cache[(pp, kind)] = make_queries(docs, pp, kind, encoder)
        return cache[(pp, kind)]

    five = pairs_for(5, "styles")
    val_posts = set(random.Random(SEED).sample(range(len(docs)), VAL_POSTINGS))
    by_post: dict[int, list[str]] = {}
    for p, q in five:
        by_post.setdefault(p, []).append(q)
    val = [(p, q) for p in sorted(val_posts) for q in by_post.get(p, [])[3:5]]
    print(f"held-back pseudo-queries: {len(val)}", flush=True)

    base_row: dict | None = None

    def emit(row: dict) -> None:
        row = {
            "set": args.set,
            "docs": len(docs),
            "title_queries": len(qrels),
            "coverage": covered / len(docs),
            **row,
        }
        if base_row is not None:
            row["delta"] = row["ndcg@10"] - base_row["ndcg@10"]
        print(json.dumps(row), flush=True)
        with args.out.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")

    for name in args.variants.split(","):
        if name == "base":
            t0 = time.perf_counter()
            base_row = {
                "variant": "base",
                "pairs": 0,
                "train_s": 0.0,
                **score(base, docs, queries, qrels, val),
            }
            base_row["score_s"] = time.perf_counter() - t0
            emit(base_row)
            continue
        if base_row is None:
            base_row = {"variant": "base", **score(base, docs, queries, qrels, val)}
        recipe = VARIANTS[name]
        pairs = pairs_for(recipe.per_posting, recipe.queries)
        trained = set(pairs)
        held_back = round(1 - sum(v in trained for v in val) / max(len(val), 1), 3)

        def on_epoch(
            epoch, model, seconds, name=name, recipe=recipe, pairs=pairs, held_back=held_back
        ):
            label = name if recipe.epochs == 1 else f"{name}@{epoch}"
            emit(
                {
                    "variant": label,
                    **recipe.__dict__,
                    "pairs": len(pairs),
                    "train_s": round(seconds, 1),
                    "val_held_back_frac": held_back,
                    **score(model, docs, queries, qrels, val),
                }
            )

        train(pairs, docs, recipe, on_epoch)


if __name__ == "__main__":
    sys.exit(main())
