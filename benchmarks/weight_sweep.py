"""nDCG@10 of a fine-tuned model interpolated with its base, on BEIR folders (issue 16).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/weight_sweep.py RUN/model BEIR_DIR [BEIR_DIR ...]
        [--weights 0,0.5,0.75,1] [--base all-MiniLM-L6-v2] [--max-seq-length N]

For each weight ``w``, the model's weights become ``w * tuned + (1 - w) * base``
(``embedtune.train.interpolate.interpolate_state``; ``w`` 0 is the base model, 1 the model as
saved) and each folder is scored with ``evaluate_retrieval`` over its whole corpus. One JSON line
per (weight, folder) on stdout. Save a run's model with ``interpolate: off`` to sweep the fully
tuned weights. The title-search views of the job sets are the BEIR folders that
``benchmarks/domain_adaptation.py`` writes under ``WORK/beir/NAME``.
"""

from __future__ import annotations

import argparse
import json
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", help="a fine-tuned sentence-transformers folder")
    parser.add_argument("folders", nargs="+", help="BEIR folders to score")
    parser.add_argument("--weights", default="0,0.5,0.75,1", help="comma-separated, 0..1")
    parser.add_argument("--base", default="all-MiniLM-L6-v2", help="the model it was tuned from")
    parser.add_argument("--max-seq-length", type=int, default=None, help="score at N tokens")
    args = parser.parse_args()

    from embedtune.evaluate import evaluate_retrieval, load_beir
    from embedtune.models.encoder import SentenceTransformerEncoder
    from embedtune.models.loading import load_model
    from embedtune.train.interpolate import interpolate_state, state_copy

    weights = [float(w) for w in args.weights.split(",")]
    model = load_model(args.model)
    tuned = state_copy(model)
    base = state_copy(load_model(args.base))
    data = {folder: load_beir(folder) for folder in args.folders}
    for weight in weights:
        model.load_state_dict(interpolate_state(base, tuned, weight))
        if args.max_seq_length:
            model.max_seq_length = args.max_seq_length
        encoder = SentenceTransformerEncoder(model)
        for folder, beir in data.items():
            start = time.perf_counter()
            result = evaluate_retrieval(encoder, beir)
            row = {
                "model": args.model,
                "folder": folder,
                "weight": weight,
                "max_seq_length": model.max_seq_length,
                "ndcg@10": round(result.metrics["ndcg@10"], 4),
                "seconds": round(time.perf_counter() - start, 1),
            }
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
