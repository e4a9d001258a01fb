from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from datasets import Dataset

from embedtune.errors import EmbedtuneError
from embedtune.evaluate.triplets import load_triplets, triplet_accuracy
from embedtune.models.encoder import SentenceTransformerEncoder


def test_triplet_accuracy_matches_cosine_comparison(tiny_model: Any) -> None:
    anchors = ["data scientist", "spark engineer", "tableau analyst", "llm researcher"]
    positives = ["data science python", "spark pipelines aws", "dashboards tableau", "llm papers"]
    negatives = ["bakery manager", "nurse night shift", "truck driver", "retail cashier"]
    rows = Dataset.from_dict({"anchor": anchors, "positive": positives, "negative": negatives})
    encoder = SentenceTransformerEncoder(tiny_model, batch_size=2)
    got = triplet_accuracy(encoder, rows)
    enc = lambda t: tiny_model.encode(t, normalize_embeddings=True)  # noqa: E731
    a, p, n = enc(anchors), enc(positives), enc(negatives)
    expected = float(np.mean((a * p).sum(1) > (a * n).sum(1)))
    assert got == pytest.approx(expected)
    # the same figure as sentence-transformers' TripletEvaluator
    from sentence_transformers.sentence_transformer.evaluation import TripletEvaluator

    evaluator = TripletEvaluator(anchors, positives, negatives, batch_size=2, write_csv=False)
    assert got == pytest.approx(evaluator(tiny_model)[evaluator.primary_metric])


def test_triplet_accuracy_reuses_cached_embeddings(tiny_model: Any) -> None:
    rows = Dataset.from_dict(
        {"anchor": ["q1", "q2"], "positive": ["d1", "d2"], "negative": ["d2", "d1"]}
    )
    encoder = SentenceTransformerEncoder(tiny_model)
    encoder.encode(["d1", "d2"], kind="document")
    calls: list[list[str]] = []
    real = encoder._encode
    encoder._encode = lambda texts, kind: calls.append(texts) or real(texts, kind)  # type: ignore[method-assign]
    triplet_accuracy(encoder, rows)
    assert calls == [["q1", "q2"]]  # only the anchors were new


def test_no_negatives_means_no_triplet_accuracy(tiny_model: Any) -> None:
    rows = Dataset.from_dict({"anchor": ["a"], "positive": ["b"]})
    assert triplet_accuracy(SentenceTransformerEncoder(tiny_model), rows) is None


def test_load_triplets(prepared_dir: Path, tmp_path: Path) -> None:
    rows = load_triplets(prepared_dir, "test")
    assert rows is not None and rows["positive_id"] == ["p4", "p5", "p6"]
    assert load_triplets(tmp_path, "test") is None
    with pytest.raises(EmbedtuneError, match="no split 'holdout'"):
        load_triplets(prepared_dir, "holdout")
