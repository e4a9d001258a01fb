from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from embedtune.errors import EmbedtuneError
from embedtune.train.config import TrainConfig, load_yaml_config, parse_dims


def make(**kw: Any) -> TrainConfig:
    return TrainConfig(data=Path("d"), out=Path("runs/m"), **kw)


def test_tutorial_defaults() -> None:
    c = make()
    assert (c.epochs, c.batch_size, c.learning_rate, c.warmup_ratio, c.eval_steps) == (
        1.0,
        16,
        2e-5,
        0.1,
        100,
    )
    assert c.loss == "mnrl" and c.model == "all-MiniLM-L6-v2" and c.length_grouping
    assert c.checkpoints == Path("runs/m.checkpoints")
    assert make(checkpoint_dir=Path("/tmp/c")).checkpoints == Path("/tmp/c")


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"loss": "cosine"}, "unknown loss 'cosine'"),
        ({"precision": "fp16"}, "unknown precision 'fp16'"),
        ({"negative_columns": "sometimes"}, "unknown --negative-columns 'sometimes'"),
        ({"model": " "}, "model name is empty"),
        ({"epochs": 0}, "--epochs 0 must be positive"),
        ({"batch_size": 0}, "--batch-size 0 must be positive"),
        ({"batch_size": 1}, "no in-batch negatives"),
        ({"learning_rate": -1.0}, "--learning-rate -1.0 must be positive"),
        ({"save_steps": 0}, "--save-steps 0 must be positive"),
        ({"mini_batch_size": 0}, "--mini-batch-size 0 must be positive"),
        ({"warmup_ratio": 1.0}, "--warmup-ratio 1.0 is out of range"),
        ({"eval_steps": -1}, "--eval-steps -1 is negative"),
        ({"max_steps": 0}, "--max-steps 0 must be positive"),
        ({"max_train": 0}, "--max-train 0 must be positive"),
        ({"early_stopping_patience": 0}, "--early-stopping-patience 0 must be positive"),
        ({"early_stopping_patience": 2, "eval_steps": 0}, "early stopping needs validation"),
        ({"eval_steps": 30, "save_steps": 50}, "not a multiple of --eval-steps"),
        ({"matryoshka_dims": (64, 0)}, "non-positive size"),
        ({"matryoshka_dims": (64, 64)}, "repeats a size"),
        ({"threads": 0}, "--threads 0 must be positive"),
        ({"max_seq_length": 4}, "--max-seq-length 4 is too small"),
        ({"push_to_hub": "noslash"}, "is not a repository id"),
        ({"resume": True, "overwrite": True}, "contradict"),
        ({"interpolate": "sometimes"}, "--interpolate 'sometimes' is not a mode or a weight"),
        ({"interpolate": 1.5}, "--interpolate 1.5 is outside 0..1"),
        ({"interpolate": True}, "is not a mode or a weight"),
        ({"general_max_docs": 50}, "a general sample of 50 documents is too small"),
        ({"max_general_drop": -0.1}, "--max-general-drop -0.1 is outside 0..1"),
    ],
)
def test_checks(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(EmbedtuneError, match=message) as info:
        make(**kw)
    assert info.value.fix  # every refusal says how to fix it


def test_interpolate_settings() -> None:
    c = make()
    assert (c.interpolate, c.general, c.general_max_docs, c.max_general_drop) == (
        "auto",
        None,
        1000,
        0.01,
    )
    assert make(interpolate="0.25").interpolate == 0.25  # a flag or YAML string
    assert make(interpolate=" OFF ").interpolate == "off" and make(interpolate=0).interpolate == 0
    d = make(general="beir", interpolate=0.5).to_dict()
    assert d["general"] == "beir" and TrainConfig.from_dict(d) == make(
        general=Path("beir"), interpolate=0.5
    )


def test_triplet_allows_batch_of_one() -> None:
    assert make(loss="triplet", batch_size=1).batch_size == 1


def test_to_dict_round_trips() -> None:
    c = make(matryoshka_dims=(384, 64), loss="gist")
    d = c.to_dict()
    assert d["data"] == "d" and d["matryoshka_dims"] == [384, 64] and d["checkpoint_dir"] is None
    assert TrainConfig.from_dict(d) == c


def test_yaml_with_flags_on_top(tmp_path: Path) -> None:
    path = tmp_path / "train.yaml"
    path.write_text(
        "data: prep\nout: model\nloss: gist\nbatch-size: 32\nmatryoshka_dims: 384,128\n"
    )
    c = load_yaml_config(path, {"batch_size": 8})
    assert (c.loss, c.batch_size, c.matryoshka_dims) == ("gist", 8, (384, 128))
    assert c.data == Path("prep")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("loss: [unclosed", "is not valid YAML"),
        ("- a\n- b\n", "holds a list, not a mapping"),
        ("data: d\nout: o\nbatchsize: 3\n", "unknown training setting"),
        ("loss: gist\n", "incomplete training settings"),
    ],
)
def test_bad_yaml(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(EmbedtuneError, match=message):
        load_yaml_config(path, {})


def test_missing_yaml(tmp_path: Path) -> None:
    with pytest.raises(EmbedtuneError, match="does not exist"):
        load_yaml_config(tmp_path / "none.yaml", {})


def test_parse_dims() -> None:
    assert parse_dims("384, 256,64") == (384, 256, 64)
    assert parse_dims("") == ()
    with pytest.raises(EmbedtuneError, match="not a list of integers"):
        parse_dims("384,half")
