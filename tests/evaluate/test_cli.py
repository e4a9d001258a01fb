from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.clirun import run_cli
from tests.conftest import build_tiny_model
from tests.evaluate.conftest import POSTINGS, write_beir


@pytest.fixture(scope="module")
def other_tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second tiny model with other random weights: a different ranking."""
    return build_tiny_model(tmp_path_factory.mktemp("tiny-other") / "tiny-1", seed=1)


@pytest.fixture
def beir_dir(tmp_path: Path) -> Path:
    queries = [(f"q{i}", f"{title} job") for i, (_, title, _) in enumerate(POSTINGS)]
    qrels = [(f"q{i}", pid, 1 + i % 2) for i, (pid, _, _) in enumerate(POSTINGS)]
    qrels += [("q0", "p2", 0), ("q9", "p1", 1)]  # a score-0 row, and an unknown query
    return write_beir(tmp_path / "beir", POSTINGS, queries, qrels, header=False)


def test_json_contract_on_prepared_data(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, tiny_model_dir: Path, prepared_dir: Path
) -> None:
    code, out, _ = run_cli(
        monkeypatch,
        capsys,
        "evaluate",
        "--model",
        str(tiny_model_dir),
        "--data",
        str(prepared_dir),
        "--split",
        "test",
        "--json",
    )
    assert code == 0
    result = json.loads(out)
    for key in ("ndcg@10", "mrr@10", "recall@10", "accuracy@1", "triplet_accuracy"):
        assert key in result
    # generated queries are their posting's exact text: ranked first by any model
    assert result["ndcg@10"] == result["accuracy@1"] == result["recall@1"] == 1.0
    assert result["triplet_accuracy"] == 1.0
    assert result["gold"]["accuracy@1"] == 0.0  # gold queries are another posting's text
    assert result["num_documents"] == result["gold"]["num_documents"] == 3
    assert result["split"] == "test" and result["warnings"] == []
    assert "compare" not in result


def test_beir_with_compare(
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    tiny_model_dir: Path,
    other_tiny_model: Path,
    beir_dir: Path,
    tmp_path: Path,
) -> None:
    args = ["evaluate", "--model", str(tiny_model_dir), "--beir", str(beir_dir)]
    args += ["--compare", str(other_tiny_model), "--report", str(tmp_path / "rep")]
    code, out, err = run_cli(monkeypatch, capsys, *args, "--json")
    assert code == 0
    result = json.loads(out)
    assert "triplet_accuracy" not in result  # BEIR folders have no triplets
    assert result["num_queries"] == 6 and result["num_documents"] == 6
    base = result["compare"]
    assert base["model"] == str(other_tiny_model)
    for key in ("ndcg@10", "mrr@10", "recall@10", "accuracy@1", "map@100"):
        assert 0 <= result[key] <= 1
        assert base["delta"][key] == pytest.approx(result[key] - base[key])
    assert "1 rows name a query not in queries.jsonl" in err
    assert any("query not in queries.jsonl" in w for w in result["warnings"])
    # the same writer as `embedtune run`: the report, evaluation.json and a model card
    report = tmp_path / "rep"
    assert (report / "report.html").is_file() and (report / "report.md").is_file()
    assert json.loads((report / "evaluation.json").read_text()) == result
    card = (report / "model_card.md").read_text()
    assert f"base_model: {other_tiny_model}" in card
    assert f'SentenceTransformer("{tiny_model_dir}")' in card
    assert "| queries | ndcg@10 |" in card
    assert not (tiny_model_dir / "model_card.md").exists()  # the evaluated model is left alone
    # the same model against itself: every delta is exactly 0, no drop warning
    args = ["evaluate", "--model", str(tiny_model_dir), "--beir", str(beir_dir)]
    code, out, _ = run_cli(monkeypatch, capsys, *args, "--compare", str(tiny_model_dir), "--json")
    same = json.loads(out)
    assert set(same["compare"]["delta"].values()) == {0.0}
    assert not any("dropped" in w for w in same["warnings"])
    # human output: a table with the base and the deltas
    code, out, _ = run_cli(monkeypatch, capsys, *args, "--compare", str(tiny_model_dir))
    assert code == 0 and "ndcg@10" in out and "+0.000" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give exactly one of --data"),
        (["--beir", "/nonexistent/beir"], "BEIR folder /nonexistent/beir not found"),
        (["--data", "/nonexistent/d"], "prepared folder /nonexistent/d not found"),
        (["--data", ".", "--split", "dev"], "invalid split 'dev'"),
    ],
)
def test_bad_input_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, args: list[str], message: str
) -> None:
    code, _, err = run_cli(monkeypatch, capsys, "evaluate", "--model", "m", *args)
    assert code == 2
    assert err.startswith("error: ") and message in err
    assert err.count("\n") == 1


def test_strict_rejects_unknown_ids(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, tiny_model_dir: Path, beir_dir: Path
) -> None:
    args = ["evaluate", "--model", str(tiny_model_dir), "--beir", str(beir_dir), "--strict"]
    code, _, err = run_cli(monkeypatch, capsys, *args)
    assert code == 2 and "name a query not in queries.jsonl (e.g. 'q9')" in err


def test_select_ranks_and_writes(
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    tiny_model_dir: Path,
    other_tiny_model: Path,
    prepared_dir: Path,
    tmp_path: Path,
) -> None:
    models = f"{tiny_model_dir},{other_tiny_model}"
    args = ["select", "--data", str(prepared_dir), "--models", models]
    args += ["--by", "gold_ndcg@10", "--out", str(tmp_path / "sel"), "--json"]
    code, out, _ = run_cli(monkeypatch, capsys, *args)
    assert code == 0
    board = json.loads(out)
    rows = board["candidates"]
    assert {r["model"] for r in rows} == {str(tiny_model_dir), str(other_tiny_model)}
    assert rows[0]["gold_ndcg@10"] >= rows[1]["gold_ndcg@10"]
    assert board["pick"] == rows[0]["model"] and board["split"] == "validation"
    for row in rows:
        assert row["ndcg@10"] == 1.0 and row["triplet_accuracy"] == 1.0
        assert row["dimension"] == 32 and row["parameters"] > 0 and row["size_mb"] > 0
        assert row["postings_per_s"] > 0
    saved = json.loads((tmp_path / "sel" / "leaderboard.json").read_text())
    assert saved == board
    assert (
        f"Pick (best gold_ndcg@10): **{board['pick']}**"
        in (tmp_path / "sel" / "leaderboard.md").read_text()
    )


def test_select_human_output(
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    tiny_model_dir: Path,
    prepared_dir: Path,
    tmp_path: Path,
) -> None:
    args = ["select", "--data", str(prepared_dir), "--models", str(tiny_model_dir)]
    code, out, _ = run_cli(monkeypatch, capsys, *args, "--out", str(tmp_path / "sel"))
    assert code == 0
    assert "Pick (best ndcg@10)" in out and "1.000" in out  # nDCG@10 on generated queries
    assert (tmp_path / "sel" / "leaderboard.md").is_file()
    code, _, err = run_cli(monkeypatch, capsys, *args, "--by", "speed")
    assert code == 2 and "invalid --by 'speed'" in err


def test_eval_queries_rank_the_whole_prepared_corpus(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, prepared_dir: Path, tmp_path: Path
) -> None:
    """Hashing encoder (bag of words): the ranks, and so nDCG@10, are known by hand."""
    import math

    from tests.fakes import HashingEncoder

    from embedtune.evaluate import model_eval

    monkeypatch.setattr(
        model_eval, "load_encoder", lambda name, **_: (object(), HashingEncoder(), name)
    )
    queries = tmp_path / "mine.csv"
    queries.write_text(
        "query,ids\n"
        "credit risk python,p1\n"  # p1 (validation) shares all three words: rank 1
        "kubernetes pytorch dashboards tableau finance,p3\n"  # p4 shares three, p3 two: rank 2
        "spark pipelines embeddings retrieval,p2;p5\n"  # p2 and p5 share two each: ranks 1-2
    )
    args = ["evaluate", "--model", "m", "--data", str(prepared_dir), "--split", "test"]
    code, out, err = run_cli(monkeypatch, capsys, *args, "--eval-queries", str(queries), "--json")
    assert code == 0, err
    result = json.loads(out)
    user = result["user"]
    assert user["num_queries"] == 3 and user["num_documents"] == 6  # every split, not only test
    assert result["num_documents"] == 3  # the generated queries rank the test split
    expected = (1.0 + 1 / math.log2(3) + 1.0) / 3
    assert user["ndcg@10"] == pytest.approx(expected)
    assert user["accuracy@1"] == pytest.approx(2 / 3)
    assert result["eval_queries"] == str(queries)
    # the human output leads with the user's queries, the generated ones last, labelled
    code, out, _ = run_cli(monkeypatch, capsys, *args, "--eval-queries", str(queries))
    assert code == 0
    assert out.index("your queries: 3") < out.index("gold: 3") < out.index("generated queries")
    assert "no honest measure" not in out

    queries.write_text("query,id\ncredit risk,p1\nnurse,x1\ncook,x2\n")
    code, _, err = run_cli(monkeypatch, capsys, *args, "--eval-queries", str(queries))
    assert code == 2 and err.count("\n") == 1
    assert "2 relevant ids are not in the evaluated corpus, e.g. 'x1', 'x2'" in err
