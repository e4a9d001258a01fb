from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from embedtune._config import load_settings
from embedtune.errors import EmbedtuneError
from embedtune.run.config import FLAT, OWNED, SECTIONS, RunConfig
from embedtune.run.stages import PIPELINE
from embedtune.run.state import RunState, stage_key
from embedtune.run.summary import comparison_rows


def _keys(config: RunConfig) -> dict[str, str]:
    """Each stage's key, as the pipeline computes it (a stage's key includes upstream keys)."""
    keys: list[str] = []
    for stage in PIPELINE:
        keys.append(stage_key(stage.name, stage.settings(config), keys))
    return {stage.name: key for stage, key in zip(PIPELINE, keys, strict=True)}


def test_defaults_are_the_demo(tmp_path: Path) -> None:
    config = RunConfig(out=tmp_path)
    assert config.source == "demo"
    assert config.query_source == "offline"
    assert config.model is None and config.train.epochs == 1 and config.negatives.method == "hard"
    assert RunConfig.from_dict({"out": tmp_path}) == config


def test_owned_fields_are_filled_from_the_run(tmp_path: Path) -> None:
    config = RunConfig.from_dict({"out": tmp_path / "r", "seed": 7, "model": "m"})
    assert config.prepare.out == tmp_path / "r" / "data" and config.prepare.overwrite
    assert config.train.data == tmp_path / "r" / "data"
    assert config.train.out == tmp_path / "r" / "model"
    assert config.evaluate.model == str(tmp_path / "r" / "model")
    assert config.index.out == tmp_path / "r" / "index"
    assert config.prepare.model == config.train.model == "m"
    for section in (config.prepare, config.queries, config.negatives, config.train):
        assert section.seed == 7


def test_pairs_bring_their_queries(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("q,doc\na,b\n")
    config = RunConfig.from_dict(
        {"out": tmp_path, "pairs": pairs, "query_column": "q", "text_column": "doc"}
    )
    assert config.source == str(pairs) == config.prepare.source
    assert config.query_source == "column:q" == config.queries.source
    assert config.prepare.text_column == "doc"
    # the pairs' train and validation queries stay in the index as known queries
    assert config.index.known_queries == str(tmp_path / "data") == config.index.corpus
    assert RunConfig.from_dict({"out": tmp_path}).index.known_queries is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"corpus": "missing.csv"}, "does not exist"),
        ({"general": "missing"}, "--general missing does not exist"),
        ({"pairs": "PAIRS"}, "needs --query-column"),
        ({"corpus": "PAIRS", "pairs": "PAIRS", "query_column": "q"}, "both --corpus and --pairs"),
        ({"pairs": "PAIRS", "query_column": "q", "queries": "openai"}, "with --pairs"),
        ({"queries": "gpt"}, "invalid --queries"),
        ({"max_train": 0}, "--max-train 0"),
        ({"epochs": 0}, "--epochs 0"),
        ({"loss": "cosine"}, "unknown loss 'cosine'"),
        ({"batch_size": 1}, "--batch-size 1 leaves no in-batch negatives"),
        ({"max_seq_length": 4}, "--max-seq-length 4 is too small"),
        ({"num_negatives": 0}, "num_negatives=0 is below 1"),
        ({"from_stage": "deploy"}, "unknown stage"),
        ({"epoch": 2}, "unknown setting 'epoch'"),
        ({"train": {"lr": 1e-5}}, "unknown setting train.lr"),
        ({"train": {"out": "x"}}, "train.out is set by embedtune run itself"),
        ({"evaluate": {"max_drop": 2}}, "max drop 2 is outside"),
    ],
)
def test_bad_settings_name_the_fix(tmp_path: Path, kwargs: dict[str, object], message: str) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("q,doc\na,b\n")
    kwargs = {k: (pairs if v == "PAIRS" else v) for k, v in kwargs.items()}
    with pytest.raises(EmbedtuneError, match=message) as info:
        RunConfig.from_dict({"out": tmp_path, **kwargs})
    assert info.value.fix


def test_unknown_settings_list_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(EmbedtuneError) as info:
        RunConfig.from_dict({"epoch": 2})
    assert "epochs" in (info.value.fix or "") and "train" in (info.value.fix or "")
    with pytest.raises(EmbedtuneError) as info:
        RunConfig.from_dict({"train": {"lr": 2}})
    fix = info.value.fix or ""
    assert "learning_rate" in fix and "warmup_ratio" in fix
    assert "out" not in fix.split(": ")[1].split(", ")  # owned fields are not offered


def test_every_stage_setting_is_reachable_and_flags_name_real_fields() -> None:
    import dataclasses

    config = RunConfig()
    for section, setting in FLAT.values():
        assert setting in {f.name for f in dataclasses.fields(config.section(section))}
        assert setting not in OWNED[section]
    for name in SECTIONS:
        settable = {f.name for f in dataclasses.fields(config.section(name))} - OWNED[name]
        assert settable, name


def test_yaml_settings_with_flags_on_top(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text("epochs: 3\nmax-train: 50\nfrom: train\nseed: 7\n")
    flags = {"seed": 9, "out": tmp_path / "o", "model": None}
    config = RunConfig.from_dict(load_settings(path, flags))
    assert (config.train.epochs, config.train.max_train, config.from_stage) == (3, 50, "train")
    assert config.seed == 9  # the flag wins
    assert config.out == tmp_path / "o"


def test_yaml_sections_with_flags_on_top(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text(
        "negatives: least-similar\n"
        "train:\n  loss: gist\n  batch-size: 32\n  epochs: 3\n  matryoshka_dims: [32, 16]\n"
        "evaluate: {max_drop: 0.05, general_max_docs: 500}\n"
        "index: {devices: [cpu], batch_size: 8}\n"
        "queries: {per_posting: 2}\n"
    )
    config = RunConfig.from_dict(load_settings(path, {"epochs": 2, "out": tmp_path}))
    assert (config.train.loss, config.train.batch_size) == ("gist", 32)
    assert config.train.epochs == 2  # the flag wins over the section
    assert config.train.matryoshka_dims == (32, 16)
    assert (config.evaluate.max_drop, config.evaluate.general_max_docs) == (0.05, 500)
    assert (config.index.devices, config.index.batch_size) == (("cpu",), 8)
    assert config.negatives.method == "least-similar" and config.queries.per_posting == 2
    json.dumps(config.to_dict())  # the resolved config is plain JSON


def test_train_watches_the_general_set(tmp_path: Path) -> None:
    """--general reaches the train section too: the interpolation weight is chosen watching it."""
    config = RunConfig.from_dict({"out": tmp_path, "general": str(tmp_path)})
    assert config.train.general == config.evaluate.general == tmp_path
    assert config.section_settings("train")["general"] == str(tmp_path)  # part of train's key
    assert RunConfig.from_dict({"out": tmp_path}).train.general is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("epochs: [1\n", "not valid YAML"),
        ("- 1\n", "holds a list, not a mapping"),
        ("epoch: 2\n", "unknown"),
        ("train: {loss: gist, lr: 1}\n", "unknown setting train.lr"),
    ],
)
def test_bad_yaml(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "run.yaml"
    path.write_text(text)
    with pytest.raises(EmbedtuneError, match=message):
        RunConfig.from_dict(load_settings(path, {}))
    with pytest.raises(EmbedtuneError, match="does not exist"):
        load_settings(tmp_path / "none.yaml", {})


@pytest.mark.parametrize(
    ("change", "rerun"),
    [
        ({"train": {"loss": "gist"}}, ["train", "evaluate", "index"]),
        ({"epochs": 2}, ["train", "evaluate", "index"]),
        ({"batch_size": 8}, ["train", "evaluate", "index"]),
        ({"epochs": 1.0, "train": {"learning_rate": 2e-5}}, []),  # the defaults, spelt out
        ({"num_negatives": 2}, ["prepare", "select", "train", "evaluate", "index"]),
        ({"demo_size": 50}, ["prepare", "select", "train", "evaluate", "index"]),
        ({"evaluate": {"max_drop": 0.1}}, ["evaluate", "index"]),
        ({"index": {"chunk_size": 64}}, ["index"]),
        ({"yes": True}, []),  # asking before a batch changes no output
        ({"train": {"checkpoint_dir": "elsewhere"}}, []),
    ],
)
def test_a_stage_key_changes_exactly_with_its_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: dict[str, Any], rerun: list[str]
) -> None:
    from embedtune.evaluate import select

    monkeypatch.setattr(select, "default_candidates", lambda: ("all-MiniLM-L6-v2",))
    before = _keys(RunConfig.from_dict({"out": tmp_path / "a"}))
    after = _keys(RunConfig.from_dict({"out": tmp_path / "b", **change}))  # another folder
    assert [name for name in before if before[name] != after[name]] == rerun


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
    assert comparison_rows(evaluation) == [  # the honest measure first
        ("nDCG@10, gold queries", 0.4, 0.6),
        ("nDCG@10", 0.5, 0.8),
        ("triplet accuracy", 0.9, 1.0),
    ]
    assert comparison_rows({"ndcg@10": 0.8}) == []


def test_select_stage_picks_a_lone_candidate_without_scoring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from embedtune.evaluate import select
    from embedtune.progress import NullReporter
    from embedtune.run import pipeline
    from embedtune.run.stages import Select, StageContext

    def no_scoring(*args: object, **kwargs: object) -> None:
        raise AssertionError("a single candidate must not be scored")

    monkeypatch.setattr(select, "default_candidates", lambda: ("all-MiniLM-L6-v2",))
    monkeypatch.setattr(select, "select_models", no_scoring)
    config = RunConfig(out=tmp_path / "run")
    where = pipeline.paths(config.out)
    context = StageContext(config, where, RunState.load(config.out), NullReporter())
    result = Select()(context)
    assert result == {"pick": "all-MiniLM-L6-v2", "chosen_by": "the only installed candidate"}
    assert (where["select"] / "pick.txt").read_text() == "all-MiniLM-L6-v2\n"
    key = Select().settings(config)
    monkeypatch.setattr(select, "default_candidates", lambda: ("all-MiniLM-L6-v2", "mpnet"))
    assert Select().settings(config) != key
