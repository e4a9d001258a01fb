from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.clirun import run_cli

from embedtune.index.search import shape_hits
from embedtune.index.store import StoredHit


def test_shape_hits_titles_untitled_postings_with_the_start_of_their_text() -> None:
    hits = shape_hits(
        "python",
        [
            StoredHit("a", "", "Python developer for a fintech team in Lyon.", 0.9, {}),
            StoredHit("b", "Data Engineer", "Spark and Python.", 0.8, {}),
        ],
    )
    assert hits[0].title == "Python developer for a fintech team in Lyon."
    assert hits[0].title_highlights == [(0, 6)]
    assert hits[1].title == "Data Engineer" and hits[1].title_highlights == []


def test_cli_search_shows_the_start_of_the_text_without_titles(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, tiny_model_dir: Path, tmp_path: Path
) -> None:
    corpus = tmp_path / "untitled.csv"
    texts = [f"Posting {i}: build Python services for team {i}." for i in range(5)]
    pd.DataFrame({"id": [f"u{i}" for i in range(5)], "text": texts}).to_csv(corpus, index=False)
    out = tmp_path / "idx"
    args = ["index", "--model", str(tiny_model_dir), "--corpus", str(corpus), "--out", str(out)]
    assert run_cli(monkeypatch, capsys, *args)[0] == 0
    code, stdout, err = run_cli(monkeypatch, capsys, "search", "python", "--index", str(out))
    assert code == 0, err
    lines = [line for line in stdout.splitlines() if line.lstrip()[:2].rstrip(".").isdigit()]
    assert len(lines) == 5 and "(untitled)" not in stdout
    assert all("Posting " in line and "build Python" in line for line in lines)
    code, stdout, _ = run_cli(
        monkeypatch, capsys, "search", "python", "--index", str(out), "--json"
    )
    titles = {h["id"]: h["title"] for h in json.loads(stdout)["hits"]}
    assert titles == {f"u{i}": texts[i] for i in range(5)}
