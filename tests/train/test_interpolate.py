"""Forgetting control: weight interpolation on the tiny BERT, and the weight choice with fakes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from embedtune.errors import EmbedtuneError
from embedtune.train.interpolate import (
    GRID,
    PAIRS_NOTE,
    WeightChoice,
    WeightPoint,
    choose_interpolation,
    choose_weight,
    honest_validation,
    interpolate_state,
    state_copy,
)


def _perturbed(model: Any, seed: int = 1) -> dict[str, torch.Tensor]:
    """``model``'s state with every floating tensor moved by seeded noise: a stand-in "tuned"."""
    gen = torch.Generator().manual_seed(seed)
    out = {}
    for key, t in state_copy(model).items():
        if t.is_floating_point():
            t = t + 0.05 * torch.randn(t.shape, generator=gen)
        out[key] = t
    return out


def test_interpolate_state_on_the_tiny_bert(tiny_model: Any) -> None:
    base = state_copy(tiny_model)
    tuned = _perturbed(tiny_model)
    zero, one, half = (interpolate_state(base, tuned, w) for w in (0.0, 1.0, 0.5))
    assert len(base) == len(half) > 30
    for key, b in base.items():
        t = tuned[key]
        assert torch.equal(zero[key], b) and torch.equal(one[key], t)
        assert torch.allclose(half[key], (b + t) / 2, atol=1e-6)
    now = state_copy(tiny_model)
    assert all(torch.equal(base[k], now[k]) for k in base)  # the model was not touched

    tiny_model.load_state_dict(half)
    emb = tiny_model.encode(["data engineer python", "ml engineer pytorch"])
    assert np.isfinite(emb).all() and np.allclose(np.linalg.norm(emb, axis=1), 1, atol=1e-5)


def test_integer_buffers_come_from_the_tuned_model() -> None:
    base = {"w": torch.tensor([1.0, 3.0]), "ids": torch.tensor([0, 1])}
    tuned = {"w": torch.tensor([3.0, 5.0]), "ids": torch.tensor([5, 6])}
    mid = interpolate_state(base, tuned, 0.5)
    assert mid["w"].tolist() == [2.0, 4.0] and mid["ids"].tolist() == [5, 6]
    assert mid["ids"].dtype == torch.int64 and interpolate_state(base, tuned, 0)[
        "ids"
    ].tolist() == [5, 6]


def test_interpolate_state_refuses_other_models() -> None:
    base = {"a": torch.zeros(2), "b": torch.zeros(3)}
    with pytest.raises(EmbedtuneError, match="differ in their tensors") as info:
        interpolate_state(base, {"a": torch.zeros(2)}, 0.5)
    assert "'b'" in str(info.value) and "fine-tuned from" in str(info.value)
    with pytest.raises(EmbedtuneError, match=r"shape \(3,\) in the base and \(4,\)"):
        interpolate_state(base, {"a": torch.zeros(2), "b": torch.zeros(4)}, 0.5)
    with pytest.raises(EmbedtuneError, match=r"outside 0\.\.1"):
        interpolate_state(base, base, 1.5)


class Calls:
    """A score function from a table that records which weights it was asked for."""

    def __init__(self, table: dict[float, float]) -> None:
        self.table, self.asked = table, []  # type: ignore[var-annotated]

    def __call__(self, w: float) -> float:
        self.asked.append(w)
        return self.table[w]


def test_choose_weight_takes_the_best_validation_weight() -> None:
    val = Calls({0.0: 0.50, 0.25: 0.60, 0.5: 0.70, 0.75: 0.72, 1.0: 0.71})
    weight, curve = choose_weight(GRID, val)
    assert weight == 0.75
    assert [p.weight for p in curve] == list(GRID) and sorted(val.asked) == list(GRID)
    assert [p.validation for p in curve] == [0.50, 0.60, 0.70, 0.72, 0.71]
    assert all(p.general is None for p in curve)


def test_choose_weight_keeps_the_base_when_nothing_beats_it() -> None:
    val = Calls({0.0: 0.60, 0.25: 0.59, 0.5: 0.55, 0.75: 0.60, 1.0: 0.40})
    gen = Calls({0.0: 0.3, 0.25: 0.3, 0.5: 0.3, 0.75: 0.3, 1.0: 0.3})
    weight, _curve = choose_weight(GRID, val, gen)
    assert weight == 0.0  # 0.75 only ties the base: a tie keeps the base
    assert gen.asked == [0.0]  # no tuned weight ranks above the base: none scored on general


def test_choose_weight_respects_the_general_drop_lazily() -> None:
    val = Calls({0.0: 0.50, 0.25: 0.60, 0.5: 0.70, 0.75: 0.72, 1.0: 0.74})
    gen = Calls({0.0: 0.400, 0.25: 0.399, 0.5: 0.391, 0.75: 0.385, 1.0: 0.300})
    weight, curve = choose_weight(GRID, val, gen, max_general_drop=0.01)
    assert weight == 0.5  # 1.0 and 0.75 lose more than 0.01 of general nDCG@10
    assert gen.asked == [0.0, 1.0, 0.75, 0.5]  # best validation first; 0.25 never needed
    assert [p.general for p in curve] == [0.400, None, 0.391, 0.385, 0.300]
    # a looser allowance takes the best validation weight
    assert choose_weight(GRID, val, Calls(gen.table), max_general_drop=0.2)[0] == 1.0


def test_weight_choice_says_what_it_kept() -> None:
    curve = [WeightPoint(0.0, 0.317), WeightPoint(0.5, 0.31), WeightPoint(1.0, 0.299)]
    kept = WeightChoice("auto", 0.0, "validation-gold", "gold", curve)
    assert kept.kept_base and kept.message == (
        "fine-tuning did not beat the base model on ir/validation-gold: keeping the base weights"
    )
    data = kept.to_dict()
    assert data["kept_base"] is True and data["validation_set"] == "ir/validation-gold"
    assert data["curve"][2] == {"weight": 1.0, "validation": 0.299, "general": None}

    tuned = WeightChoice("auto", 1.0, "validation", "generated", [*curve[:1], WeightPoint(1, 0.4)])
    assert not tuned.kept_base and "0.317 -> 0.400 (+0.083)" in tuned.message
    blocked = [WeightPoint(0.0, 0.3, 0.5), WeightPoint(1.0, 0.4, 0.3)]
    general = WeightChoice("auto", 0.0, "validation", "g", blocked, max_general_drop=0.01)
    assert "cost in general ability above 0.01" in general.message
    worse = WeightChoice("fixed", 1.0, "validation", "g", [*curve[:1], WeightPoint(1, 0.2)])
    assert "NOT better than the base" in worse.message


def test_honest_validation_prefers_gold_then_titles_over_generated(
    prepared_dir: Path, tmp_path: Path
) -> None:
    name, note = honest_validation(prepared_dir) or ("", "")
    assert name == "validation" and "same generator" in note  # said in the result
    data = tmp_path / "data"
    shutil.copytree(prepared_dir / "ir", data / "ir")
    shutil.copytree(data / "ir" / "validation", data / "ir" / "validation-titles")
    assert honest_validation(data)[0] == "validation-titles"  # type: ignore[index]
    shutil.copytree(data / "ir" / "validation", data / "ir" / "validation-gold")
    assert honest_validation(data)[0] == "validation-gold"  # type: ignore[index]
    assert honest_validation(tmp_path / "nothing") is None


def test_honest_validation_of_pairs_names_the_users_queries(
    prepared_dir: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(prepared_dir / "ir", data / "ir")
    (data / "config.json").write_text('{"queries": {"source": "column:query"}}')
    name, note = honest_validation(data) or ("", "")
    assert name == "validation" and "your own queries" in note and "generator" not in note
    # the user's own queries come before the titles and gold queries the folder also has
    for extra in ("validation-titles", "validation-gold"):
        shutil.copytree(data / "ir" / "validation", data / "ir" / extra)
    assert honest_validation(data) == ("validation", PAIRS_NOTE)


def test_choose_interpolation_on_the_tiny_bert(
    tiny_model: Any, prepared_dir: Path, tmp_path: Path
) -> None:
    """The real scorer: base wins when the "tuned" weights are noise; the model ends up holding
    the chosen weights; a general BEIR folder is scored lazily."""
    base = state_copy(tiny_model)
    noise = _perturbed(tiny_model, seed=2)
    noise = {k: (v * 20 if v.is_floating_point() else v) for k, v in noise.items()}  # ruined
    general = prepared_dir / "ir" / "validation"  # any BEIR folder will do
    choice = choose_interpolation(
        tiny_model,
        base,
        noise,
        data=prepared_dir,
        weights=(0.0, 1.0),
        general=general,
        general_max_docs=None,
        max_general_drop=0.0,
    )
    assert choice is not None and choice.validation_set == "validation"
    by_weight = {p.weight: p for p in choice.curve}
    assert set(by_weight) == {0.0, 1.0}
    assert by_weight[0.0].general == pytest.approx(by_weight[0.0].validation)  # same folder
    if choice.kept_base:
        assert all(torch.equal(v, base[k]) for k, v in state_copy(tiny_model).items())
    else:  # noise happened to win on 12 queries: then it is what the model holds
        assert by_weight[1.0].validation > by_weight[0.0].validation
    assert choice.general_docs == 12 and choice.to_dict()["metric"] == "ndcg@10"

    fixed = choose_interpolation(tiny_model, base, noise, data=prepared_dir, weights=(0.5,))
    assert fixed is not None and fixed.mode == "fixed" and fixed.weight == 0.5
    assert [p.weight for p in fixed.curve] == [0.0, 0.5]
    half = interpolate_state(base, noise, 0.5)
    assert all(torch.equal(v, half[k]) for k, v in state_copy(tiny_model).items())
    assert choose_interpolation(tiny_model, base, noise, data=tmp_path) is None
