"""Issue 16's goals in one run: domain adaptation from descriptions alone, side by side.

    .venv/bin/python benchmarks/domain_adaptation.py [--only linkedin,glassdoor,scifact]
        [--models base,RUN_DIR/model] [--train] [--work /tmp/embedtune-domain]
        [--max-docs N] [--onet-pairs N] [--recipe] [--known] [--index] [--no-base]
        [--out results.json]

Sets (built at run time from ``../shared/data``, never copied into the repository; each view
is written as a BEIR folder under ``WORK/beir/NAME`` and read back with ``load_beir``):

* ``linkedin`` (500 postings), ``adzuna`` (2,499), ``glassdoor`` (596 distinct descriptions:
  identical descriptions deduplicated first): the description alone is the document (no title
  column); each distinct normalised title is a query, relevant = every posting with that title.
  Goal 1: fine-tuned nDCG@10 >= base + 0.10.
* ``scifact``: its 300 test queries over the 5,183 abstracts. Goal 2: >= base + 0.03, adapted on
  the corpus alone (no qrels, no queries).
* ``onet``: the reported titles (``queries_test_reported`` + ``qrels/test_reported``) over the
  1,016 occupations. Goal 3: >= base + 0.08 (trained on alternate-title pairs); the tutorial's
  plain recipe on the same pairs (+0.04 to beat) is passed as a ``--models`` folder.
* ``dbpedia``: ``beir-dbpedia-5k`` as is. Goal 4: every fine-tuned model >= base - 0.01.

Models: ``--models`` (``base`` is all-MiniLM-L6-v2) are scored on every set. With ``--train``,
``embedtune run --corpus WORK/corpora/NAME.csv --text-column text --id-column id --model
all-MiniLM-L6-v2 --out WORK/run-NAME`` (offline queries, every other setting at its default;
for ``onet``: ``--pairs`` of 3,000 seeded alternate title -> occupation pairs) is run per
selected set, and ``WORK/run-NAME/model`` is scored on its own set and on ``dbpedia``; the wall
time and peak RSS (``wait4`` of the child) of each run are recorded (goal 5: 1,000 postings
within 20 minutes on 2 cores).

``--onet-pairs N`` adapts ``onet`` on N pairs (default 3,000; 0: all 42,960 of the train file's
alternate titles); ``--recipe`` (with ``--train``) also trains the tutorial's plain recipe on the
same pairs (``embedtune prepare`` with least-similar negatives, same split and seed; then
``train_speed.plain_train``: MNRL, batch 16, lr 2e-5, one epoch, on the train split) and scores it
as ``recipe-onet`` beside ``run-onet`` (goal 3: the run beats it by >= 0.04).

``--index`` also scores every set the way the product searches: per model (base, ``--models``,
each run's), ``embedtune index`` over the set's documents, the test queries searched through it
(vectors plus the index's lexical half, ``embedtune.index.lexical``, at the weight the index
sets); rows ``MODEL via index``, and ``MODEL via index, no words`` for the same index searched
without the query texts (vectors alone: what ``score`` measures, through the index).
``--index-only`` skips ``score`` for ``--models`` (one encoding of the corpus per model). ``--known`` does the same for ``onet`` with the same pairs kept
as known queries (``--known-queries``; the known and lexical weights chosen by the index on
held-out pairs; ``embedtune.index.known``); rows ``MODEL + known queries``.

``--max-docs N`` scores each set on a seeded sample of N documents (every relevant document of
the judged queries kept first); only for quick checks, the goals are stated on whole sets.
Prints one Markdown table (set, queries, docs, base, model, model nDCG@10, delta, goal, met?)
and writes the JSON report to ``--out`` after every set, so a cut-short run keeps its figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_speed import machine

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BASE = "all-MiniLM-L6-v2"
SETS = ("linkedin", "adzuna", "glassdoor", "scifact", "onet", "dbpedia")
JOB_SETS = {
    # name: (csv, title column, description column)
    "linkedin": (SHARED / "linkedin_jobs_2024" / "postings_sample.csv", "title", "description"),
    "adzuna": (
        SHARED / "adzuna_uk_jobs" / "Train_rev1_first2499.csv",
        "Title",
        "FullDescription",
    ),
    "glassdoor": (
        SHARED / "glassdoor_ds_jobs" / "glassdoor_jobs.csv",
        "Job Title",
        "Job Description",
    ),
}
# Minimum nDCG@10 delta (model - base) per set; dbpedia's is the largest drop allowed.
GOALS = {
    "linkedin": 0.10,
    "adzuna": 0.10,
    "glassdoor": 0.10,
    "scifact": 0.03,
    "onet": 0.08,
    "dbpedia": -0.01,
}
ONET_PAIRS = 3000
SEED = 0


@dataclass
class SetView:
    """A set ready to score: its BEIR folder and, for ``--train``, the corpus CSV to adapt on."""

    name: str
    beir: Path
    corpus_csv: Path | None = None
    pairs_csv: Path | None = None


def normalise_title(title: str) -> str:
    """The key that groups postings under one title query.

    >>> normalise_title("  Senior  Data\\u00a0Scientist ")
    'senior data scientist'
    """
    return " ".join(unicodedata.normalize("NFKC", title).split()).casefold()


def job_views(
    rows: list[dict[str, str]], title_col: str, text_col: str, *, dedupe: bool
) -> tuple[dict[str, str], dict[str, str], dict[str, list[str]]]:
    """Documents (id -> description), title queries (id -> title) and qrels (id -> doc ids).

    With ``dedupe``, identical descriptions (after stripping) are one document, relevant to
    every title posted with it.

    >>> rows = [{"t": "Nurse", "d": "A"}, {"t": "nurse ", "d": "A"}, {"t": "Cook", "d": "B"}]
    >>> job_views(rows, "t", "d", dedupe=True)
    ({'d0': 'A', 'd1': 'B'}, {'t0': 'Nurse', 't1': 'Cook'}, {'t0': ['d0'], 't1': ['d1']})
    """
    docs: dict[str, str] = {}
    doc_of: dict[str, str] = {}
    query_of: dict[str, str] = {}
    queries: dict[str, str] = {}
    qrels: dict[str, list[str]] = {}
    for row in rows:
        text, title = (row[text_col] or "").strip(), (row[title_col] or "").strip()
        if not text:
            continue
        if dedupe and text in doc_of:
            did = doc_of[text]
        else:
            did = f"d{len(docs)}"
            docs[did], doc_of[text] = text, did
        key = normalise_title(title)
        if not key:
            continue
        if key not in query_of:
            query_of[key] = f"t{len(queries)}"
            queries[query_of[key]] = " ".join(title.split())
        judged = qrels.setdefault(query_of[key], [])
        if did not in judged:
            judged.append(did)
    return docs, queries, qrels


def write_beir(
    folder: Path, docs: dict[str, str], queries: dict[str, str], qrels: dict[str, list[str]]
) -> Path:
    """A BEIR folder (replaced if it exists): documents without a title, grade-1 qrels."""
    from embedtune.evaluate.beir_write import write_beir_records

    shutil.rmtree(folder, ignore_errors=True)
    write_beir_records(
        folder,
        [{"_id": did, "title": "", "text": text} for did, text in docs.items()],
        [{"_id": qid, "text": text} for qid, text in queries.items()],
        [(qid, did, 1) for qid, dids in qrels.items() for did in dids],
    )
    return folder


def write_corpus_csv(path: Path, docs: dict[str, str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text"])
        writer.writerows(docs.items())
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def build_view(name: str, work: Path, *, onet_n: int = ONET_PAIRS) -> SetView:
    """Write set ``name``'s BEIR view (and the corpus or pairs to adapt on) under ``work``.

    ``onet_n``: alternate-title pairs to adapt on (0: all of them).
    """
    from embedtune.evaluate import document_text

    if name in JOB_SETS:
        path, title_col, text_col = JOB_SETS[name]
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        docs, queries, qrels = job_views(rows, title_col, text_col, dedupe=name == "glassdoor")
        beir = write_beir(work / "beir" / name, docs, queries, qrels)
        return SetView(
            name, beir, corpus_csv=write_corpus_csv(work / "corpora" / f"{name}.csv", docs)
        )
    if name == "scifact":
        beir = SHARED / "beir-scifact"
        docs = {
            str(r["_id"]): document_text(str(r.get("title") or ""), str(r["text"] or ""))
            for r in read_jsonl(beir / "corpus.jsonl")
        }
        return SetView(
            name, beir, corpus_csv=write_corpus_csv(work / "corpora" / f"{name}.csv", docs)
        )
    if name == "dbpedia":
        return SetView(name, SHARED / "beir-dbpedia-5k")
    if name == "onet":
        src = SHARED / "onet_titles" / "beir"
        folder = work / "beir" / "onet"
        (folder / "qrels").mkdir(parents=True, exist_ok=True)
        for link, target in (
            (folder / "corpus.jsonl", src / "corpus.jsonl"),
            (folder / "queries.jsonl", src / "queries_test_reported.jsonl"),
            (folder / "qrels" / "test.tsv", src / "qrels" / "test_reported.tsv"),
        ):
            if not link.exists():
                link.symlink_to(target)
        pairs = (
            work / "corpora" / f"onet_pairs{'-' + str(onet_n) if onet_n != ONET_PAIRS else ''}.csv"
        )
        return SetView(name, folder, pairs_csv=onet_pairs(src, pairs, n=onet_n))
    raise ValueError(f"unknown set {name!r}. Valid: {', '.join(SETS)}")


def onet_occupations(src: Path) -> dict[str, str]:
    """O*NET occupation id -> its document (title line, then description)."""
    from embedtune.evaluate import document_text

    return {
        str(r["_id"]): document_text(str(r.get("title") or ""), str(r["text"] or ""))
        for r in read_jsonl(src / "corpus.jsonl")
    }


def onet_pair_rows(src: Path, *, n: int = ONET_PAIRS, seed: int = SEED) -> list[tuple[str, str]]:
    """``n`` seeded (alternate title, occupation id) pairs (0: all)."""
    occupations = onet_occupations(src)
    titles = {
        str(r["_id"]): str(r["text"]) for r in read_jsonl(src / "queries_train_alternate.jsonl")
    }
    pairs: list[tuple[str, str]] = []
    with (src / "qrels" / "train_alternate.tsv").open(encoding="utf-8") as f:
        for line in f:
            qid, did, *_ = line.rstrip("\n").split("\t")
            if qid in titles and did in occupations:
                pairs.append((titles[qid], did))
    random.Random(seed).shuffle(pairs)
    return pairs[: n or None]


def onet_pairs(src: Path, out: Path, *, n: int = ONET_PAIRS, seed: int = SEED) -> Path:
    """``n`` seeded (alternate title, occupation title + description) pairs as a CSV (0: all)."""
    occupations = onet_occupations(src)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "query", "text"])
        writer.writerows(
            (f"p{i}", q, occupations[d])
            for i, (q, d) in enumerate(onet_pair_rows(src, n=n, seed=seed))
        )
    return out


def index_score(
    model: str, view: SetView, work: Path, *, known: int | None = None
) -> dict[str, Any]:
    """The product's search: ``embedtune index`` over the view's documents with ``model`` (its
    lexical half at the weight the index sets), then the view's test queries searched through
    it (their texts and vectors, top 100). With ``known`` (onet only): the first ``known`` seeded
    alternate-title pairs (0: all) kept as known queries (``--known-queries``), the known and
    lexical weights chosen by the index on held-out pairs. Returns the build's report, the
    scores (``view.name``) and the same index searched without the query texts (``"no words"``:
    vectors, and known queries, alone)."""
    from embedtune.evaluate import document_text, load_beir
    from embedtune.index import Searcher
    from embedtune.index.scoring import score_searches

    docs = {
        str(r["_id"]): document_text(str(r.get("title") or ""), str(r["text"] or ""))
        for r in read_jsonl(view.beir / "corpus.jsonl")
    }
    corpus = write_corpus_csv(work / "corpora" / f"{view.name}-documents.csv", docs)
    tag = "base" if model == "base" else Path(model).parent.name
    name = f"index-{view.name}" + (f"-{known}" if known is not None else "") + f"-{tag}"
    cli = str(Path(sys.executable).with_name("embedtune"))
    cmd = [cli, "index", "--model", BASE if model == "base" else model, "--corpus", str(corpus),
           "--text-column", "text", "--id-column", "id", "--out", str(work / name),
           "--overwrite", "--json"]  # fmt: skip
    if known is not None:
        path = work / "corpora" / f"onet_known-{known}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["query", "id"])
            writer.writerows(onet_pair_rows(SHARED / "onet_titles" / "beir", n=known))
        cmd += ["--known-queries", str(path)]
    build = timed(cmd, work / f"{name}.stdout")
    report = json.loads((work / f"{name}.stdout").read_text())
    data = load_beir(view.beir)
    searcher = Searcher.open(work / name)
    # the product's own scoring of its search (what `embedtune run` prints beside the model)
    start = time.perf_counter()
    both = score_searches(searcher, data.queries, data.qrels)  # each query encoded once
    seconds = round(time.perf_counter() - start, 1)
    searched, alone = both[True], both[False]

    def scored(score: Any) -> dict[str, Any]:
        return {
            **{k: round(v, 4) for k, v in score.metrics.items()},
            "num_queries": score.num_queries,
            "num_documents": report["postings"],
        }

    return {
        "build": build,
        "lexical": report.get("lexical"),
        **{k: report[k] for k in ("known_queries", "known_choice") if k in report},
        view.name: {**scored(searched), "seconds": seconds},
        "no words": scored(alone),
    }


def sample_docs(data: Any, max_docs: int, *, seed: int = SEED) -> Any:
    """``data`` with at most ``max_docs`` documents: relevant ones first, then a seeded draw."""
    from embedtune.evaluate import BeirData

    if len(data.doc_ids) <= max_docs:
        return data
    relevant = {d for q in data.judged for d, g in data.qrels[q].items() if g > 0}
    keep = [i for i, d in enumerate(data.doc_ids) if d in relevant][:max_docs]
    rest = [i for i, d in enumerate(data.doc_ids) if d not in relevant]
    keep += random.Random(seed).sample(rest, max(0, min(len(rest), max_docs - len(keep))))
    keep.sort()
    kept = {data.doc_ids[i] for i in keep}
    qrels = {q: {d: g for d, g in judged.items() if d in kept} for q, judged in data.qrels.items()}
    return BeirData(
        folder=data.folder,
        doc_ids=[data.doc_ids[i] for i in keep],
        documents=[data.documents[i] for i in keep],
        queries=data.queries,
        qrels={q: j for q, j in qrels.items() if j},
    )


def train(view: SetView, work: Path, tag: str = "") -> dict[str, Any]:
    """``embedtune run`` on the view's corpus (or pairs); wall seconds and peak RSS."""
    out = work / f"run-{view.name}{tag}"
    cli = str(Path(sys.executable).with_name("embedtune"))
    if view.pairs_csv is not None:
        source = ["--pairs", str(view.pairs_csv), "--query-column", "query"]
    else:
        source = ["--corpus", str(view.corpus_csv)]
    cmd = [cli, "run", *source, "--text-column", "text", "--id-column", "id",
           "--model", BASE, "--out", str(out), "--json"]  # fmt: skip
    return {**timed(cmd, work / f"run-{view.name}{tag}.stdout"), "model": str(out / "model")}


def timed(cmd: list[str], log: Path) -> dict[str, Any]:
    """Run ``cmd`` (stdout to ``log``): the command, wall seconds and the child's peak RSS."""
    print("$", " ".join(cmd), file=sys.stderr, flush=True)
    start = time.perf_counter()
    with log.open("w") as stdout:
        proc = subprocess.Popen(cmd, stdout=stdout)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code:
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {code} (stdout: {log})")
    return {
        "command": " ".join(cmd),
        "wall_seconds": round(seconds, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }


def tutorial_recipe(view: SetView, work: Path, tag: str = "") -> dict[str, Any]:
    """The tutorial's plain recipe on the view's pairs: ``embedtune prepare`` with least-similar
    negatives (same split and seed as the run), then plain sentence-transformers
    (``train_speed.plain_train``: MNRL, batch 16, lr 2e-5, 1 epoch) on the train split."""
    assert view.pairs_csv is not None
    out = work / f"recipe-{view.name}{tag}"
    data, model = out / "data", out / "model"
    cli = str(Path(sys.executable).with_name("embedtune"))
    prepare_cmd = [cli, "prepare", str(view.pairs_csv), "--queries", "column:query",
                   "--text-column", "text", "--id-column", "id", "--model", BASE,
                   "--negatives", "least-similar", "--out", str(data), "--overwrite",
                   "--json"]  # fmt: skip
    prep = timed(prepare_cmd, work / f"recipe-{view.name}{tag}-prepare.stdout")
    script = (
        "import sys; sys.path.insert(0, sys.argv[4]); import train_speed as t; "
        "from pathlib import Path; t.plain_train(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))"
    )
    here = str(Path(__file__).resolve().parent)
    train_cmd = [sys.executable, "-c", script, str(data), base_model_path(), str(model), here]
    train_run = timed(train_cmd, work / f"recipe-{view.name}{tag}-train.stdout")
    return {"prepare": prep, "train": train_run, "model": str(model)}


def base_model_path() -> str:
    """Where the installed all-MiniLM-L6-v2 weights are (the recipe loads them by path)."""
    from embedtune.models.resolution import resolve_model

    return str(resolve_model(BASE).location)


def score(
    model: str,
    views: dict[str, SetView],
    max_docs: int | None,
    results: dict[str, Any],
    save: Any,
) -> dict[str, Any]:
    """nDCG@10 (and friends) of ``model`` on each view into ``results``; ``save()`` after each."""
    from embedtune.evaluate import evaluate_retrieval, load_beir
    from embedtune.evaluate.model_eval import load_encoder

    _, encoder, _ = load_encoder(BASE if model == "base" else model)
    for name, view in views.items():
        data = load_beir(view.beir)
        if max_docs:
            data = sample_docs(data, max_docs)
        start = time.perf_counter()
        result = evaluate_retrieval(encoder, data)
        results[name] = {
            **{k: round(v, 4) for k, v in result.metrics.items()},
            "num_queries": result.num_queries,
            "num_documents": result.num_documents,
            "seconds": round(time.perf_counter() - start, 1),
        }
        print(f"{model} {name}: {results[name]}", file=sys.stderr, flush=True)
        save()
    return results


def table(report: dict[str, Any]) -> str:
    """One row per (set, model): base and model nDCG@10, delta, goal, met?"""
    lines = [
        "| set | queries | docs | base nDCG@10 | model | model nDCG@10 | Δ | goal | met? |",
        "|---|---:|---:|---:|---|---:|---:|---|---|",
    ]
    scores = report["scores"]
    for name in report["sets"]:
        # the base model alone: scored, or (--index-only) its index searched without words
        key = next(
            (k for k in ("base", "base via index, no words") if name in scores.get(k, {})), ""
        )
        b = scores.get(key, {}).get(name)
        rows = [(m, s[name]) for m, s in scores.items() if m != key and name in s]
        if b is None:
            continue
        goal = GOALS[name]
        goal_text = f"Δ ≥ {goal:+.2f}"
        head = f"| {name} | {b['num_queries']} | {b['num_documents']} | {b['ndcg@10']:.3f} |"
        if not rows:
            lines.append(f"{head} — | — | — | {goal_text} | to run |")
        for model, s in rows:
            delta = s["ndcg@10"] - b["ndcg@10"]
            met = "yes" if delta >= goal else "no"
            lines.append(
                f"{head} {model} | {s['ndcg@10']:.3f} | {delta:+.3f} | {goal_text} | {met} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--only", default=",".join(SETS), help="comma-separated sets")
    parser.add_argument("--models", default="base", help="base and/or model folders")
    parser.add_argument("--train", action="store_true", help="embedtune run per set, scored")
    parser.add_argument("--work", type=Path, default=Path("/tmp/embedtune-domain"))
    parser.add_argument("--max-docs", type=int, default=None)
    parser.add_argument(
        "--onet-pairs", type=int, default=ONET_PAIRS, help="onet pairs to adapt on (0: all)"
    )
    parser.add_argument(
        "--recipe",
        action="store_true",
        help="with --train: also the tutorial's plain recipe on onet's pairs, scored",
    )
    parser.add_argument(
        "--known",
        action="store_true",
        help="also score onet through an index holding its pairs as known queries, per model",
    )
    parser.add_argument(
        "--index",
        action="store_true",
        help="also score every set through `embedtune index` (vectors + its lexical half)",
    )
    parser.add_argument(
        "--index-only",
        action="store_true",
        help="with --index: --models only through the index (its 'no words' row: vectors alone)",
    )
    parser.add_argument(
        "--no-base",
        action="store_true",
        help="score only --models, not the base too (its figures from an earlier run; the "
        "table, which needs the base, stays empty: read --out)",
    )
    parser.add_argument("--out", type=Path, default=Path("results.json"))
    args = parser.parse_args()
    names = [s.strip() for s in args.only.split(",") if s.strip()]
    bad = sorted(set(names) - set(SETS))
    if bad:
        parser.error(f"invalid --only {', '.join(bad)}. Valid: {', '.join(SETS)}")
    if not SHARED.is_dir():
        raise SystemExit(f"skipped: {SHARED} not found (the data sets live outside the repo)")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args.work.mkdir(parents=True, exist_ok=True)
    views = {name: build_view(name, args.work, onet_n=args.onet_pairs) for name in names}
    tag = f"-{args.onet_pairs}" if args.onet_pairs != ONET_PAIRS else ""
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine(),
        "sets": names,
        "max_docs": args.max_docs,
        "onet_pairs": args.onet_pairs,
        "runs": {},
        "scores": {},
    }

    def save() -> None:
        args.out.write_text(json.dumps(report, indent=2) + "\n")

    models = [m.strip() for m in args.models.split(",") if m.strip()]
    if "base" not in models and not args.no_base:
        models.insert(0, "base")

    def via_index(model: str, label: str, names: list[str]) -> None:
        for name in names:
            known = name == "onet" and args.known
            if not (known or args.index):
                continue
            result = index_score(
                model, views[name], args.work, known=args.onet_pairs if known else None
            )
            row = f"{label} + known queries" if known else f"{label} via index"
            report["runs"].setdefault(row, {})[name] = {
                k: v for k, v in result.items() if k not in (name, "no words")
            }
            report["scores"].setdefault(row, {})[name] = result[name]
            report["scores"].setdefault(f"{row}, no words", {})[name] = result["no words"]
            save()

    for model in models:
        if not args.index_only:
            score(model, views, args.max_docs, report["scores"].setdefault(model, {}), save)
        via_index(model, model, list(views))
    if args.train:
        general = {k: v for k, v in views.items() if k == "dbpedia"}
        for name, view in views.items():
            if name == "dbpedia":
                continue
            suffix = tag if name == "onet" else ""
            run = train(view, args.work, suffix)
            report["runs"][name + suffix] = run
            save()
            tuned = report["scores"].setdefault(f"run-{name}{suffix}", {})
            score(run["model"], {name: view, **general}, args.max_docs, tuned, save)
            via_index(run["model"], f"run-{name}{suffix}", [name, *general])
            if args.recipe and view.pairs_csv is not None:
                recipe = tutorial_recipe(view, args.work, suffix)
                report["runs"][f"recipe-{name}{suffix}"] = recipe
                save()
                scores = report["scores"].setdefault(f"recipe-{name}{suffix}", {})
                score(recipe["model"], {name: view, **general}, args.max_docs, scores, save)
    report["load_average_at_end"] = os.getloadavg()
    save()
    print(table(report))


if __name__ == "__main__":
    main()
