"""O*NET, the user's pairs as known queries, and what else the index could keep beside them.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/onet_known_variants.py --model RUN/model
        [--variants pairs,generated,uncovered,titles,generated+titles] [--pairs 3000]
        [--work /tmp/embedtune-domain] [--out onet_known_variants.json]

Issue 16, goal 3 (the 3,000-pair half): ``embedtune run --pairs`` keeps the user's pairs in its
index as known queries (``embedtune.index.known``), so an occupation with pairs has a second way
in; of the 1,016 occupations the harness tests, those without pairs have none. Each variant
builds ``embedtune index --model MODEL --known-queries FILE`` over the harness's O*NET documents
(``domain_adaptation.build_view``) with one set of known queries, the known and lexical weights
chosen by the index on held-out known queries, and searches the 6,390 reported titles through it
(``embedtune.index.scoring.score_searches``: with the query words, and without):

* ``pairs``: the first ``--pairs`` seeded alternate-title pairs (as the harness's ``--known``);
* ``generated``: plus the offline queries ``embedtune prepare`` writes for every occupation
  (``--negatives none``; every split; the run's model never trained on them);
* ``uncovered``: plus those of the occupations without a pair only;
* ``titles``: plus each occupation's own title (the corpus's ``title``);
* ``generated+titles``: both.

The test titles never enter the index. One JSON line per variant on stdout, all in ``--out``.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from domain_adaptation import (
    ONET_PAIRS,
    SHARED,
    build_view,
    onet_occupations,
    onet_pair_rows,
    read_jsonl,
    timed,
    write_corpus_csv,
)
from train_speed import machine

VARIANTS = ("pairs", "generated", "uncovered", "titles", "generated+titles")


def generated_queries(corpus: Path, out: Path) -> list[tuple[str, str]]:
    """The offline queries ``embedtune prepare`` writes for ``corpus`` (every split)."""
    from embedtune.evaluate.user_queries import read_eval_queries

    if not (out / "ir").is_dir():
        cli = str(Path(sys.executable).with_name("embedtune"))
        subprocess.run(
            [cli, "prepare", str(corpus), "--text-column", "text", "--id-column", "id",
             "--negatives", "none", "--out", str(out), "--overwrite"],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    rows = []
    for split in ("train", "validation", "test"):
        queries, qrels = read_eval_queries(out / "ir" / split)
        rows += [(queries[q], d) for q, rel in qrels.items() for d, g in rel.items() if g > 0]
    return rows


def known_rows(variant: str, pairs: list[tuple[str, str]], generated: list[tuple[str, str]],
               titles: list[tuple[str, str]]) -> list[tuple[str, str]]:  # fmt: skip
    """The known queries of one variant (see the module docstring)."""
    covered = {d for _, d in pairs}
    extra = {
        "pairs": [],
        "generated": generated,
        "uncovered": [(q, d) for q, d in generated if d not in covered],
        "titles": titles,
        "generated+titles": generated + titles,
    }
    return pairs + extra[variant]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--model", required=True, help="a sentence-transformers folder or name")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--pairs", type=int, default=ONET_PAIRS, help="known pairs (0: all)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/embedtune-domain"))
    parser.add_argument("--out", type=Path, default=Path("onet_known_variants.json"))
    args = parser.parse_args()
    variants = [v for v in args.variants.split(",") if v]
    unknown = sorted(set(variants) - set(VARIANTS))
    if unknown:
        parser.error(f"unknown variant(s) {', '.join(unknown)}; valid: {', '.join(VARIANTS)}")

    from embedtune.evaluate import load_beir
    from embedtune.index import Searcher
    from embedtune.index.scoring import score_searches

    work = args.work
    (work / "corpora").mkdir(parents=True, exist_ok=True)
    view = build_view("onet", work, onet_n=args.pairs)
    src = SHARED / "onet_titles" / "beir"
    corpus = write_corpus_csv(work / "corpora" / "onet-documents.csv", onet_occupations(src))
    pairs = onet_pair_rows(src, n=args.pairs)
    titles = [(str(r["title"]), str(r["_id"])) for r in read_jsonl(src / "corpus.jsonl")]
    generated = generated_queries(corpus, work / "onet-generated")
    data = load_beir(view.beir)
    tag = Path(args.model).parent.name or "model"
    cli = str(Path(sys.executable).with_name("embedtune"))
    report: dict[str, Any] = {
        "command": " ".join(sys.argv),
        "machine": machine(),
        "model": args.model,
        "pairs": len(pairs),
        "generated": len(generated),
        "variants": {},
    }
    for variant in variants:
        name = f"onet-known-{args.pairs}-{variant.replace('+', '-')}-{tag}"
        known = work / "corpora" / f"{name}.csv"
        with known.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["query", "id"])
            writer.writerows(known_rows(variant, pairs, generated, titles))
        cmd = [cli, "index", "--model", args.model, "--corpus", str(corpus), "--text-column",
               "text", "--id-column", "id", "--out", str(work / f"index-{name}"), "--overwrite",
               "--json", "--known-queries", str(known)]  # fmt: skip
        build = timed(cmd, work / f"index-{name}.stdout")
        built = json.loads((work / f"index-{name}.stdout").read_text())
        both = score_searches(Searcher.open(work / f"index-{name}"), data.queries, data.qrels)
        row = {
            "known_queries": built["known_queries"],
            "known_weight": built["known_choice"]["weight"],
            "lexical_weight": (built.get("lexical") or {}).get("weight"),
            "ndcg@10": round(both[True].metrics["ndcg@10"], 4),
            "recall@10": round(both[True].metrics["recall@10"], 4),
            "ndcg@10 without words": round(both[False].metrics["ndcg@10"], 4),
            "build": build,
        }
        report["variants"][variant] = row
        print(json.dumps({"variant": variant, **row}), flush=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
