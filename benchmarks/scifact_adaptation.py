"""Unsupervised domain adaptation on BEIR SciFact from its corpus alone (issue 16, goals 2 and 4).

    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 HF_HUB_OFFLINE=1 .venv/bin/python \
        benchmarks/scifact_adaptation.py [--variants claim,interp,offline,title,ict,mix]
        [--pairs 512] [--scifact-docs 1000] [--dbpedia-docs 2000] [--seed 42]
        [--out /tmp/embedtune-scifact/results.json]

Pseudo-queries come from ``../shared/data/beir-scifact/corpus.jsonl`` only (no queries, no
qrels are read for training). Each generator makes one (query, positive) pair per abstract of
the same seeded sample of ``--pairs`` abstracts:

* ``title``:   the title -> the abstract without its title;
* ``ict``:     inverse cloze task: a seeded random sentence -> title + abstract without it;
* ``claim``:   the last "claim-like" sentence (a result verb: increases, reduces, is associated
  with, causes, ...; else the first sentence) -> title + abstract without it;
* ``offline``: ``embedtune.queries.offline.generate_offline_queries`` (empty title, the text is
  title + abstract, as a user's corpus without a title column would be) -> title + abstract:
  the baseline to beat;
* ``interp``:  the generator named just before it in ``--variants``, its weights averaged with
  the base (w = 0.5, state-dict average), no further training;
* ``mix``:     the pairs of the two best generators, half each (same total), and its w=0.5 average.

Training: plain sentence-transformers MultipleNegativesRankingLoss (scale 20), max_seq_length
256, batch 32, 1 epoch, AdamW lr 2e-5, 10% linear warm-up, on one CPU thread.

Scoring: nDCG@10 of the 300 SciFact test queries (``qrels/test.tsv``) over ``--scifact-docs``
abstracts (0: the whole corpus of 5,183; N: every relevant document kept, then a seeded sample,
via ``embedtune.evaluate.beir.sample_documents``), and of ``beir-dbpedia-5k`` over a seeded
``--dbpedia-docs`` sample (every relevant document kept). Base and variants are scored on the
same samples. Every row is printed and the JSON written after each, so a cut-short run keeps
its figures.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import random
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
import torch

torch.set_num_threads(1)

from embedtune.evaluate.beir import BeirData, load_beir, sample_documents  # noqa: E402
from embedtune.evaluate.metrics import ndcg_at_k  # noqa: E402
from embedtune.models.loading import load_model  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SCIFACT = SHARED / "beir-scifact"
DBPEDIA = SHARED / "beir-dbpedia-5k"
BASE = "all-MiniLM-L6-v2"
MAX_SEQ = 256
BATCH = 32
GENERATORS = ("title", "ict", "claim", "offline")

_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")
_CLAIM = re.compile(
    r"\b(increas\w*|reduc\w*|decreas\w*|associat\w* with|caus\w*|improv\w*|inhibit\w*|induc\w*|"
    r"promot\w*|correlat\w*|predict\w*|lead\w* to|result\w* in|prevent\w*|enhanc\w*|"
    r"suppress\w*|requir\w*|regulat\w*|contribut\w* to|protect\w*)\b",
    re.IGNORECASE,
)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT.split(text.strip()) if len(s.strip()) > 20]


def read_corpus() -> list[dict[str, str]]:
    with (SCIFACT / "corpus.jsonl").open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [
        {"id": str(r["_id"]), "title": str(r.get("title") or "").strip(), "text": str(r["text"])}
        for r in rows
    ]


def doc(title: str, body: str) -> str:
    return f"{title}\n{body}" if title else body


def without(sents: list[str], i: int) -> str:
    return " ".join(s for j, s in enumerate(sents) if j != i)


def pairs_title(docs: list[dict[str, str]], seed: int) -> list[tuple[str, str]]:
    return [(d["title"], d["text"]) for d in docs if d["title"] and d["text"].strip()]


def pairs_ict(docs: list[dict[str, str]], seed: int) -> list[tuple[str, str]]:
    out = []
    for d in docs:
        sents = sentences(d["text"])
        if len(sents) < 2:
            continue
        i = random.Random(f"{seed}-{d['id']}").randrange(len(sents))
        out.append((sents[i], doc(d["title"], without(sents, i))))
    return out


def pairs_claim(docs: list[dict[str, str]], seed: int) -> list[tuple[str, str]]:
    out = []
    for d in docs:
        sents = sentences(d["text"])
        if len(sents) < 2:
            continue
        hits = [i for i, s in enumerate(sents) if _CLAIM.search(s)]
        i = hits[-1] if hits else 0
        out.append((sents[i], doc(d["title"], without(sents, i))))
    return out


def pairs_offline(docs: list[dict[str, str]], seed: int, base: Any) -> list[tuple[str, str]]:
    from embedtune.models.encoder import SentenceTransformerEncoder
    from embedtune.queries.offline import OfflineQueryConfig, generate_offline_queries
    from embedtune.queries.records import Posting

    postings = [Posting(id=d["id"], title="", text=doc(d["title"], d["text"])) for d in docs]
    records = generate_offline_queries(
        postings, SentenceTransformerEncoder(base), OfflineQueryConfig(seed=seed)
    )
    text_of = {p.id: p.text for p in postings}
    return [(r.query, text_of[r.posting_id]) for r in records if r.query.strip()]


def train(base: Any, pairs: list[tuple[str, str]], seed: int) -> tuple[Any, float]:
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    torch.manual_seed(seed)
    model = copy.deepcopy(base)
    model.max_seq_length = MAX_SEQ
    model.train()
    loss_fn = MultipleNegativesRankingLoss(model)
    order = list(range(len(pairs)))
    random.Random(seed).shuffle(order)
    batches = [order[i : i + BATCH] for i in range(0, len(order), BATCH)]
    batches = [b for b in batches if len(b) > 1]
    opt = torch.optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.01)
    warm = max(1, math.ceil(0.1 * len(batches)))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt,
        lambda s: (
            (s + 1) / warm if s < warm else max(0.0, (len(batches) - s) / (len(batches) - warm))
        ),
    )
    t0 = time.perf_counter()
    for step, b in enumerate(batches):
        q = model.tokenize([pairs[i][0] for i in b])
        p = model.tokenize([pairs[i][1] for i in b])
        loss = loss_fn([q, p], torch.empty(0))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        if step % 4 == 0 or step == len(batches) - 1:
            log(f"  step {step + 1}/{len(batches)} loss {loss.item():.4f}")
    model.eval()
    return model, time.perf_counter() - t0


def interpolate(base: Any, tuned: Any, w: float = 0.5) -> Any:
    model = copy.deepcopy(base)
    b, t = base.state_dict(), tuned.state_dict()
    model.load_state_dict(
        {k: (w * t[k] + (1 - w) * b[k]) if b[k].is_floating_point() else b[k] for k in b}
    )
    model.eval()
    return model


def ndcg10(model: Any, data: BeirData) -> float:
    model.max_seq_length = MAX_SEQ
    qids = data.judged
    with torch.inference_mode():
        d = model.encode(data.documents, batch_size=32, normalize_embeddings=True)
        q = model.encode([data.queries[x] for x in qids], batch_size=32, normalize_embeddings=True)
    scores = q @ d.T
    top = np.argsort(-scores, axis=1)[:, :10]
    return float(
        np.mean(
            [
                ndcg_at_k([data.doc_ids[j] for j in top[i]], data.qrels[qid], 10)
                for i, qid in enumerate(qids)
            ]
        )
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--variants", default="claim,interp,offline,title,ict,mix")
    ap.add_argument("--pairs", type=int, default=512)
    ap.add_argument("--scifact-docs", type=int, default=1000, help="0: the whole corpus")
    ap.add_argument("--dbpedia-docs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", type=Path, default=Path("/tmp/embedtune-scifact/results.json"))
    args = ap.parse_args()
    for folder in (SCIFACT, DBPEDIA):
        if not folder.is_dir():
            print(f"skipped: {folder} is absent (a fresh clone has no ../shared)")
            return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]

    sci = load_beir(SCIFACT)
    if args.scifact_docs:
        sci = sample_documents(sci, args.scifact_docs, seed=args.seed)
    dbp = sample_documents(load_beir(DBPEDIA), args.dbpedia_docs, seed=args.seed)
    corpus = read_corpus()
    train_docs = random.Random(args.seed).sample(corpus, min(args.pairs, len(corpus)))
    log(
        f"scifact: {len(sci.judged)} queries over {len(sci.doc_ids)} docs; dbpedia: "
        f"{len(dbp.judged)} queries over {len(dbp.doc_ids)} docs; {len(train_docs)} training abstracts"
    )

    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "settings": vars(args) | {"out": str(args.out), "max_seq_length": MAX_SEQ, "batch": BATCH},
        "scifact_docs": len(sci.doc_ids),
        "dbpedia_docs": len(dbp.doc_ids),
        "rows": [],
        "examples": {},
    }

    base = load_model(BASE, device="cpu")
    base.max_seq_length = MAX_SEQ
    base.eval()
    t0 = time.perf_counter()
    base_sci, base_dbp = ndcg10(base, sci), ndcg10(base, dbp)
    log(f"base: scifact {base_sci:.4f} dbpedia {base_dbp:.4f} ({time.perf_counter() - t0:.0f} s)")

    def row(
        name: str, model: Any, n_pairs: int, secs: float, scores: tuple[float, float] | None = None
    ) -> dict[str, Any]:
        t = time.perf_counter()
        s, g = scores or (ndcg10(model, sci), ndcg10(model, dbp))
        r = {
            "variant": name,
            "pairs": n_pairs,
            "train_s": round(secs, 1),
            "scifact_ndcg10": round(s, 4),
            "scifact_delta": round(s - base_sci, 4),
            "dbpedia_ndcg10": round(g, 4),
            "dbpedia_delta": round(g - base_dbp, 4),
            "eval_s": round(time.perf_counter() - t, 1),
        }
        report["rows"].append(r)
        args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
        log("ROW " + json.dumps(r))
        return r

    row("base", base, 0, 0.0, (base_sci, base_dbp))
    pair_sets: dict[str, list[tuple[str, str]]] = {}
    tuned: dict[str, Any] = {}
    results: dict[str, dict[str, Any]] = {}
    makers = {"title": pairs_title, "ict": pairs_ict, "claim": pairs_claim}
    last: str | None = None
    for name in variants:
        if name == "interp":  # the generator just trained, weights averaged with the base
            if last is not None:
                row(
                    f"{last} + interp w=0.5",
                    interpolate(base, tuned[last]),
                    len(pair_sets[last]),
                    results[last]["train_s"],
                )
            continue
        if name not in GENERATORS:
            continue
        t = time.perf_counter()
        pairs = (
            pairs_offline(train_docs, args.seed, base)
            if name == "offline"
            else makers[name](train_docs, args.seed)
        )
        log(
            f"{name}: {len(pairs)} pairs in {time.perf_counter() - t:.1f} s; e.g. {pairs[0][0][:120]!r}"
        )
        report["examples"][name] = [p[0] for p in pairs[:8]]
        pair_sets[name] = pairs
        model, secs = train(base, pairs, args.seed)
        tuned[name] = model
        results[name] = row(name, model, len(pairs), secs)
        last = name

    ranked = sorted(results, key=lambda n: -results[n]["scifact_delta"])
    if "mix" in variants and len(ranked) >= 2:
        a, b = ranked[0], ranked[1]
        # the first half of the sampled abstracts through generator a, the rest through b
        half_a = len(pair_sets[a]) // 2
        mixed = (
            pair_sets[a][:half_a] + pair_sets[b][len(pair_sets[b]) - (len(train_docs) - half_a) :]
        )
        model, secs = train(base, mixed, args.seed)
        row(f"mix {a}+{b}", model, len(mixed), secs)
        row(f"mix {a}+{b} + interp w=0.5", interpolate(base, model), len(mixed), secs)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print("\n| variant | pairs | train s | SciFact nDCG@10 | delta | DBpedia nDCG@10 | delta |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in report["rows"]:
        print(
            f"| {r['variant']} | {r['pairs']} | {r['train_s']} | {r['scifact_ndcg10']:.4f} | "
            f"{r['scifact_delta']:+.4f} | {r['dbpedia_ndcg10']:.4f} | {r['dbpedia_delta']:+.4f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
