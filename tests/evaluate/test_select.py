from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from embedtune.errors import EmbedtuneError
from embedtune.evaluate.select import (
    Candidate,
    Leaderboard,
    SelectConfig,
    folder_size_mb,
    rank_candidates,
    write_leaderboard,
)


def _row(model: str, **kw: Any) -> Candidate:
    base: dict[str, Any] = {
        "model": model,
        "location": f"/m/{model}",
        "dimension": 384,
        "parameters": 22_000_000,
        "size_mb": 90.0,
        "ndcg_at_10": 0.5,
        "mrr_at_10": 0.4,
        "recall_at_10": 0.7,
        "accuracy_at_1": 0.3,
        "gold_ndcg_at_10": None,
        "triplet_accuracy": 0.9,
        "postings_per_s": 100.0,
    }
    return Candidate(**{**base, **kw})


ROWS = [
    _row("small", ndcg_at_10=0.60, size_mb=90.0, parameters=22_000_000, postings_per_s=200.0),
    _row("big", ndcg_at_10=0.70, size_mb=440.0, parameters=110_000_000, postings_per_s=40.0),
    _row("tied", ndcg_at_10=0.60, size_mb=50.0, parameters=10_000_000, triplet_accuracy=None),
]


@pytest.mark.parametrize(
    ("by", "order"),
    [
        ("ndcg@10", ["big", "tied", "small"]),  # tie on nDCG@10: fewer parameters first
        ("postings_per_s", ["small", "tied", "big"]),
        ("size_mb", ["tied", "small", "big"]),  # lower is better
        ("triplet_accuracy", ["big", "small", "tied"]),  # missing last; tie by nDCG, then size
    ],
)
def test_selection_order(by: str, order: list[str]) -> None:
    assert [r.model for r in rank_candidates(ROWS, by)] == order


def test_bad_by() -> None:
    with pytest.raises(ValueError, match="invalid by 'speed'"):
        rank_candidates(ROWS, "speed")
    with pytest.raises(EmbedtuneError, match="invalid --by 'speed'"):
        SelectConfig(data=Path("x"), by="speed")
    with pytest.raises(EmbedtuneError, match="invalid split"):
        SelectConfig(data=Path("x"), split="dev")


def test_leaderboard_files(tmp_path: Path) -> None:
    board = Leaderboard("ndcg@10", "validation", "data", rank_candidates(ROWS, "ndcg@10"))
    json_path, md_path = write_leaderboard(board, tmp_path / "out")
    data = json.loads(json_path.read_text())
    assert data["pick"] == "big"
    assert [c["model"] for c in data["candidates"]] == ["big", "tied", "small"]
    assert data["candidates"][0]["ndcg@10"] == 0.7
    md = md_path.read_text()
    assert "| 1 | big | 0.700 |" in md and "Pick (best ndcg@10): **big**" in md


def test_folder_size(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "w.bin").write_bytes(b"x" * 2_000_000)
    assert folder_size_mb(str(tmp_path)) == pytest.approx(2.0)
    assert folder_size_mb("owner/model") is None
