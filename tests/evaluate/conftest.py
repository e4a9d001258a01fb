"""Fixtures for the evaluation tests: a fake encoder and hand-built prepared and BEIR folders."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pytest

from embedtune.models.encoder import TextKind, normalize_rows


class FakeEncoder:
    """Fixed vectors per text (L2-normalised); counts how many texts it was asked to embed."""

    def __init__(self, vectors: Mapping[str, Sequence[float]]) -> None:
        self.vectors = {t: np.asarray(v, dtype=np.float32) for t, v in vectors.items()}
        self.calls: list[tuple[TextKind, int]] = []

    @property
    def dimension(self) -> int:
        return len(next(iter(self.vectors.values())))

    def encode(self, texts: Sequence[str], *, kind: TextKind = "document") -> np.ndarray:
        self.calls.append((kind, len(texts)))
        if not texts:
            return np.empty((0, self.dimension), dtype=np.float32)
        return normalize_rows(np.stack([self.vectors[t] for t in texts]))


def write_beir(
    folder: Path,
    corpus: Sequence[tuple[str, str, str]],
    queries: Sequence[tuple[str, str]],
    qrels: Sequence[tuple[str, str, int]],
    *,
    header: bool = True,
) -> Path:
    """A BEIR folder: corpus rows (id, title, text), queries (id, text), qrels (q, doc, score)."""
    (folder / "qrels").mkdir(parents=True)
    with (folder / "corpus.jsonl").open("w") as f:
        for did, title, text in corpus:
            f.write(json.dumps({"_id": did, "title": title, "text": text}) + "\n")
    with (folder / "queries.jsonl").open("w") as f:
        for qid, text in queries:
            f.write(json.dumps({"_id": qid, "text": text}) + "\n")
    lines = ["query-id\tcorpus-id\tscore"] if header else []
    lines += [f"{q}\t{d}\t{s}" for q, d, s in qrels]
    (folder / "qrels" / "test.tsv").write_text("\n".join(lines) + "\n")
    return folder


POSTINGS = [
    ("p1", "Data Scientist", "Data Scientist\nCredit risk models in Python and SQL."),
    ("p2", "Data Engineer", "Data Engineer\nSpark pipelines on AWS, Airflow and dbt."),
    ("p3", "ML Engineer", "ML Engineer\nServe LLM features with PyTorch and Kubernetes."),
    ("p4", "BI Analyst", "BI Analyst\nDashboards in Tableau for the finance team."),
    ("p5", "AI Researcher", "AI Researcher\nPublish work on retrieval and embeddings."),
    ("p6", "Analytics Engineer", "Analytics Engineer\nModel the warehouse in dbt and Looker."),
]


@pytest.fixture
def prepared_dir(tmp_path: Path) -> Path:
    """A prepared folder with ir/ and triplets/ for validation and test.

    Generated queries are the exact text of their posting, so any model ranks the posting first:
    nDCG@10 = accuracy@1 = triplet accuracy = 1. Gold queries are the text of another posting,
    so the top hit is never relevant: accuracy@1 = 0.
    """
    from datasets import Dataset, DatasetDict

    root = tmp_path / "prepared"
    splits = {"validation": POSTINGS[:3], "test": POSTINGS[3:]}
    triplets = {}
    for split, rows in splits.items():
        texts = {pid: text for pid, _, text in rows}
        ids = list(texts)
        queries = [(f"{pid}:q1", texts[pid]) for pid in ids]
        write_beir(root / "ir" / split, rows, queries, [(f"{pid}:q1", pid, 1) for pid in ids])
        gold = [(f"g{i}", texts[ids[(i + 1) % len(ids)]]) for i, pid in enumerate(ids)]
        write_beir(
            root / "ir" / f"{split}-gold",
            rows,
            gold,
            [(f"g{i}", pid, 1) for i, pid in enumerate(ids)],
        )
        triplets[split] = Dataset.from_dict(
            {
                "anchor": [texts[pid] for pid in ids],
                "positive": [texts[pid] for pid in ids],
                "negative": [texts[ids[(i + 1) % len(ids)]] for i in range(len(ids))],
                "query_id": [f"{pid}:q1" for pid in ids],
                "positive_id": ids,
                "negative_id": [ids[(i + 1) % len(ids)] for i in range(len(ids))],
            }
        )
    triplets["train"] = triplets["validation"]
    DatasetDict(triplets).save_to_disk(str(root / "triplets"))
    return root
