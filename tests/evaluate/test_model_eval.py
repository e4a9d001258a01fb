from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.evaluate.conftest import POSTINGS, FakeEncoder

from embedtune.errors import EmbedtuneError
from embedtune.evaluate.model_eval import (
    EvaluateConfig,
    Evaluation,
    deltas,
    drop_warnings,
    evaluate_sets,
    load_sets,
)


def _text_encoder(texts: list[str], dim: int = 8, seed: int = 0) -> FakeEncoder:
    rng = np.random.default_rng(seed)
    return FakeEncoder({t: rng.normal(size=dim) for t in texts})


ALL_TEXTS = [text for _, _, text in POSTINGS]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one of --data"),
        ({"data": Path("a"), "beir": Path("b")}, "exactly one of --data"),
        ({"data": Path("a"), "split": "dev"}, "invalid split 'dev'"),
        ({"data": Path("a"), "batch_size": 0}, "batch size 0"),
        ({"data": Path("a"), "depth": 5}, "ranking depth 5"),
        ({"data": Path("a"), "max_drop": -0.1}, "max drop"),
        ({"data": Path("a"), "on_unknown": "ignore"}, "invalid on_unknown"),
    ],
)
def test_config_checks(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(EmbedtuneError, match=message):
        EvaluateConfig(model="m", **kwargs)


def test_missing_ir_folder_says_how_to_fix(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    with pytest.raises(EmbedtuneError, match="has no ir/test") as info:
        load_sets(EvaluateConfig(model="m", data=tmp_path / "d"))
    assert "embedtune prepare" in str(info.value.fix)
    with pytest.raises(EmbedtuneError, match="not found"):
        load_sets(EvaluateConfig(model="m", data=tmp_path / "nope"))


def test_prepared_split_with_gold(prepared_dir: Path) -> None:
    sets = load_sets(EvaluateConfig(model="m", data=prepared_dir, split="test"))
    assert set(sets.sets) == {"main", "gold"} and sets.prepared
    assert sets.triplets is not None and len(sets.triplets) == 3
    result = evaluate_sets("fake", _text_encoder(ALL_TEXTS), sets)
    d = result.to_dict()
    # generated queries are the posting's own text: always ranked first
    assert d["ndcg@10"] == d["accuracy@1"] == d["mrr@10"] == d["recall@1"] == 1.0
    # gold queries are another posting's text: the top hit is never relevant
    assert d["gold"]["accuracy@1"] == 0.0 and 0 < d["gold"]["mrr@10"] <= 0.5
    assert d["num_queries"] == 3 and d["num_documents"] == 3
    assert d["triplet_accuracy"] == 1.0  # anchors are their positive's text


def test_deltas_and_drop_warning(prepared_dir: Path, tmp_path: Path) -> None:
    config = EvaluateConfig(
        model="good", data=prepared_dir, split="validation", compare="bad", max_drop=0.02
    )
    sets = load_sets(config)
    good = evaluate_sets("good", _text_encoder(ALL_TEXTS), sets)
    # "bad" maps every text to the same vector: every ranking is p1, p2, p3 (ties by index)
    bad_vectors = {t: [1.0, 0.0] for t in ALL_TEXTS}
    bad = evaluate_sets("bad", FakeEncoder(bad_vectors), sets)
    ev = Evaluation(config, good, bad)
    ev.warnings = drop_warnings(good, bad, sets, config.max_drop)
    out = ev.to_dict()
    assert out["compare"]["model"] == "bad"
    delta = out["compare"]["delta"]
    assert delta["ndcg@10"] == pytest.approx(out["ndcg@10"] - out["compare"]["ndcg@10"])
    assert delta["gold"]["mrr@10"] == pytest.approx(
        out["gold"]["mrr@10"] - out["compare"]["gold"]["mrr@10"]
    )
    # "good" is perfect on the generated queries and "bad" is not (nDCG@10 0.77): no warning
    # there; with the roles reversed, the drop is reported
    assert out["compare"]["ndcg@10"] == pytest.approx((1 + 1 / np.log2(3) + 0.5) / 3)
    reverse = drop_warnings(bad, good, sets, 0.02)
    assert any("retrieval: nDCG@10 on" in w and "ir/validation " in w for w in reverse)
    assert all("ir/validation " not in w for w in ev.warnings)


def test_deltas_only_for_shared_metrics() -> None:
    assert deltas({"ndcg@10": 0.5, "triplet_accuracy": None}, {"ndcg@10": 0.5}) == {"ndcg@10": 0.0}


def test_sets_honest_first_and_nested_in_json(prepared_dir: Path, tmp_path: Path) -> None:
    import pandas as pd

    from embedtune.evaluate.titles import write_titles

    rows = POSTINGS[3:]
    postings = pd.DataFrame(rows, columns=["id", "title", "text"])
    write_titles(prepared_dir / "ir" / "test-titles", postings)
    queries = tmp_path / "q.csv"
    queries.write_text("query,id\ncredit risk,p1\n")
    config = EvaluateConfig(model="m", data=prepared_dir, eval_queries=queries)
    sets = load_sets(config)
    assert list(sets.sets) == ["user", "titles", "gold", "main"]
    assert len(sets.sets["user"].doc_ids) == 6  # every split's postings
    assert sets.sets["titles"].queries == {
        "t1": "bi analyst",
        "t2": "ai researcher",
        "t3": "analytics engineer",
    }
    model = evaluate_sets(
        "m",
        _text_encoder(
            [
                *ALL_TEXTS,
                *(t.split("\n")[1] for t in ALL_TEXTS),
                "credit risk",
                "bi analyst",
                "ai researcher",
                "analytics engineer",
            ]
        ),
        sets,
    )
    data = Evaluation(config, model).to_dict()
    assert data["titles"]["num_queries"] == 3 and data["user"]["num_documents"] == 6
    assert data["eval_queries"] == str(queries)
