from __future__ import annotations

from pathlib import Path

import pytest

from embedtune.errors import EmbedtuneError
from embedtune.run.config import RunConfig
from embedtune.run.state import RunState, stage_key
from embedtune.run.summary import comparison_rows


def test_defaults_are_the_demo(tmp_path: Path) -> None:
    config = RunConfig(out=tmp_path)
    assert config.source == "demo"
    assert config.query_source == "offline"
    assert config.model is None and config.epochs == 1 and config.negatives == "hard"


def test_pairs_bring_their_queries(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("q,doc\na,b\n")
    config = RunConfig(out=tmp_path, pairs=pairs, query_column="q", text_column="doc")
    assert config.source == str(pairs)
    assert config.query_source == "column:q"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"corpus": "missing.csv"}, "does not exist"),
        ({"pairs": "PAIRS"}, "needs --query-column"),
        ({"corpus": "PAIRS", "pairs": "PAIRS", "query_column": "q"}, "both --corpus and --pairs"),
        ({"pairs": "PAIRS", "query_column": "q", "queries": "openai"}, "with --pairs"),
        ({"queries": "gpt"}, "invalid --queries"),
        ({"max_train": 0}, "--max-train 0"),
        ({"epochs": 0}, "--epochs 0"),
        ({"from_stage": "deploy"}, "unknown stage"),
    ],
)
def test_bad_settings_name_the_fix(tmp_path: Path, kwargs: dict[str, object], message: str) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("q,doc\na,b\n")
    kwargs = {k: (pairs if v == "PAIRS" else v) for k, v in kwargs.items()}
    with pytest.raises(EmbedtuneError, match=message) as info:
        RunConfig(out=tmp_path, **kwargs)  # type: ignore[arg-type]
    assert info.value.fix


def test_yaml_settings_with_flags_on_top(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text("epochs: 3\nmax-train: 50\nfrom: train\nseed: 7\n")
    config = RunConfig.from_yaml(path, seed=9, out=tmp_path / "o", model=None)
    assert (config.epochs, config.max_train, config.from_stage) == (3, 50, "train")
    assert config.seed == 9  # the flag wins
    assert config.out == tmp_path / "o"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("epochs: [1\n", "not valid YAML"),
        ("- 1\n", "not a YAML mapping"),
        ("epoch: 2\n", "unknown"),
    ],
)
def test_bad_yaml(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "run.yaml"
    path.write_text(text)
    with pytest.raises(EmbedtuneError, match=message):
        RunConfig.from_yaml(path)
    with pytest.raises(EmbedtuneError, match="does not exist"):
        RunConfig.from_yaml(tmp_path / "none.yaml")


def test_stage_key_depends_on_settings_and_upstream() -> None:
    key = stage_key("train", {"epochs": 1}, ["a"])
    assert key == stage_key("train", {"epochs": 1}, ["a"])
    assert key != stage_key("train", {"epochs": 2}, ["a"])
    assert key != stage_key("train", {"epochs": 1}, ["b"])
    assert key != stage_key("evaluate", {"epochs": 1}, ["a"])


def test_state_round_trip_and_forget(tmp_path: Path) -> None:
    state = RunState.load(tmp_path)
    output = tmp_path / "model"
    output.mkdir()
    state.finish("train", "k1", 1.26, {"steps": 3})
    again = RunState.load(tmp_path)
    assert again.is_done("train", "k1", output)
    assert not again.is_done("train", "k2", output)
    assert not again.is_done("train", "k1", tmp_path / "gone")
    assert again.result("train") == {"steps": 3}
    assert again.stages["train"]["seconds"] == 1.3
    again.forget(["train", "index"])
    assert RunState.load(tmp_path).stages == {}


def test_broken_state_file_means_nothing_done(tmp_path: Path) -> None:
    (tmp_path / "run_state.json").write_text("{not json")
    assert RunState.load(tmp_path).stages == {}


def test_comparison_rows_only_where_both_sides_have_the_metric() -> None:
    evaluation = {
        "triplet_accuracy": 1.0,
        "ndcg@10": 0.8,
        "recall@10": 0.9,
        "gold": {"ndcg@10": 0.6},
        "compare": {"triplet_accuracy": 0.9, "ndcg@10": 0.5, "gold": {"ndcg@10": 0.4}},
    }
    assert comparison_rows(evaluation) == [
        ("triplet accuracy", 0.9, 1.0),
        ("nDCG@10", 0.5, 0.8),
        ("nDCG@10, gold queries", 0.4, 0.6),
    ]
    assert comparison_rows({"ndcg@10": 0.8}) == []


def test_select_stage_picks_a_lone_candidate_without_scoring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from embedtune.evaluate import select
    from embedtune.run import pipeline

    def no_scoring(*args: object, **kwargs: object) -> None:
        raise AssertionError("a single candidate must not be scored")

    monkeypatch.setattr(select, "default_candidates", lambda: ("all-MiniLM-L6-v2",))
    monkeypatch.setattr(select, "select_models", no_scoring)
    config = RunConfig(out=tmp_path / "run")
    where = pipeline.paths(config.out)
    result = pipeline._select(config, where, None, None, None)  # type: ignore[arg-type]
    assert result == {"pick": "all-MiniLM-L6-v2", "chosen_by": "the only installed candidate"}
    assert (where["select"] / "pick.txt").read_text() == "all-MiniLM-L6-v2\n"
    key = pipeline._settings(config, "select", RunState.load(tmp_path / "run"))
    monkeypatch.setattr(select, "default_candidates", lambda: ("all-MiniLM-L6-v2", "mpnet"))
    assert pipeline._settings(config, "select", RunState.load(tmp_path / "run")) != key
