from __future__ import annotations

import json
from pathlib import Path

import pytest

from embedtune.evaluate.model_eval import EvaluateConfig, Evaluation, ModelEvaluation
from embedtune.evaluate.report import (
    plot_training,
    read_log_history,
    training_curves,
    training_panels,
    write_model_card,
    write_report,
)
from embedtune.evaluate.retrieval import RetrievalResult


def _result(ndcg: float) -> RetrievalResult:
    metrics = {
        "ndcg@10": ndcg,
        "mrr@10": ndcg,
        "recall@1": ndcg / 2,
        "recall@5": ndcg,
        "recall@10": ndcg,
        "map@100": ndcg,
        "accuracy@1": ndcg / 2,
    }
    return RetrievalResult(
        metrics,
        num_queries=10,
        num_documents=50,
        recall_curve=[min(1.0, ndcg + k / 100) for k in range(100)],
        positive_scores=[0.7, 0.8, 0.75],
        negative_scores=[0.2, 0.3, 0.5, 0.6],
    )


@pytest.fixture
def evaluation(tmp_path: Path) -> Evaluation:
    config = EvaluateConfig(model="ft", data=tmp_path, split="test", compare="base")
    model = ModelEvaluation("ft", {"main": _result(0.8), "gold": _result(0.6)}, 0.95, True)
    base = ModelEvaluation("base", {"main": _result(0.5), "gold": _result(0.55)}, 0.9, True)
    return Evaluation(config, model, base, warnings=["general ability: nDCG@10 dropped"])


def test_report_files_and_numbers(evaluation: Evaluation, tmp_path: Path) -> None:
    log = tmp_path / "trainer_state.json"
    history = [{"step": s, "loss": 2.0 / s} for s in (1, 2, 3)]
    history.append({"step": 3, "epoch": 1.0, "eval_loss": 0.9, "eval_runtime": 1.0})
    log.write_text(json.dumps({"log_history": history}))
    out = write_report(tmp_path / "report", [evaluation], training_log=log)
    for name in ("report.md", "report.html", "metrics.png", "recall_at_k.png", "scores.png"):
        assert (out / name).stat().st_size > 0
    assert (out / "training.png").read_bytes()[:4] == b"\x89PNG"
    md = (out / "report.md").read_text()
    assert "| test generated | ndcg@10 | 0.500 | 0.800 | +0.300 |" in md
    assert "| test gold | ndcg@10 | 0.550 | 0.600 | +0.050 |" in md
    assert "| test generated | triplet_accuracy | 0.900 | 0.950 | +0.050 |" in md
    # the honest measure (gold) leads; the generated queries come last, labelled as a check
    assert md.index("| test gold |") < md.index("| test generated |")
    assert "- test generated: generated queries (health check: written by the same" in md
    assert "no honest measure" not in md
    assert "general ability: nDCG@10 dropped" in md
    html = (out / "report.html").read_text()
    assert "<img src='training.png'" in html and "<td>+0.300</td>" in html


def test_honest_sets_lead_and_a_report_without_one_warns(tmp_path: Path) -> None:
    config = EvaluateConfig(
        model="ft", data=tmp_path, split="test", compare="b", eval_queries=tmp_path / "q.csv"
    )
    results = {"main": _result(0.9), "titles": _result(0.4), "user": _result(0.3)}
    model = ModelEvaluation("ft", results, 0.95, True)
    base = ModelEvaluation("b", {k: _result(0.2) for k in results}, 0.9, True)
    md = (write_report(tmp_path / "r", [Evaluation(config, model, base)]) / "report.md").read_text()
    rows = [line.split(" | ")[0] for line in md.splitlines() if "| ndcg@10 |" in line]
    assert rows == ["| your queries", "| test titles", "| test generated"]
    assert "- your queries: your 10 queries (" in md and "all splits (50)" in md
    assert "never training queries" in md
    assert "- test titles: the 10 distinct titles of the held-back test postings" in md
    assert "no honest measure" not in md

    only_generated = Evaluation(
        EvaluateConfig(model="ft", data=tmp_path, split="test"),
        ModelEvaluation("ft", {"main": _result(0.9)}, 0.95, True),
    )
    md = (write_report(tmp_path / "r2", [only_generated]) / "report.md").read_text()
    assert "- no honest measure: the scores below are the model grading its own" in md
    assert "--eval-queries FILE" in md and "--title-column" in md and "--general" in md
    card = write_model_card(tmp_path / "m", only_generated.to_dict()).read_text()
    assert "| generated queries (health check) | ndcg@10 | 0.900 |" in card
    assert "- no honest measure" in card


def test_no_training_plot_without_a_log(evaluation: Evaluation, tmp_path: Path) -> None:
    out = write_report(tmp_path / "r", [evaluation])
    assert not (out / "training.png").exists()
    assert "## Training" not in (out / "report.md").read_text()


def test_training_log_in_newest_checkpoint(tmp_path: Path) -> None:
    for step, loss in ((5, 1.0), (40, 0.5)):
        folder = tmp_path / f"checkpoint-{step}"
        folder.mkdir()
        (folder / "trainer_state.json").write_text(
            json.dumps({"log_history": [{"step": step, "loss": loss}]})
        )
    assert read_log_history(tmp_path) == [{"step": 40, "loss": 0.5}]
    assert read_log_history(tmp_path / "missing") == []
    curves = training_curves(
        [{"step": 10, "loss": 1.2, "eval_ndcg@10": 0.7, "eval_samples_per_second": 9.0}]
    )
    assert curves == {"loss": [(10.0, 1.2)], "eval_ndcg@10": [(10.0, 0.7)]}


def test_model_card(evaluation: Evaluation, tmp_path: Path) -> None:
    path = write_model_card(tmp_path / "my-model", evaluation.to_dict())
    card = path.read_text()
    assert path.name == "README.md"
    assert card.startswith("---\nlibrary_name: sentence-transformers")
    assert "base_model: base" in card
    assert "| generated queries (health check) | ndcg@10 | 0.800 | 0.500 | +0.300 |" in card
    assert "| gold | ndcg@10 | 0.600 | 0.550 | +0.050 |" in card
    assert card.index("| gold |") < card.index("| generated queries (health check) |")
    assert "| generated queries (health check) | triplet_accuracy | 0.950 | 0.900 |" in card


def _trainer_eval(step: int, score: float) -> dict[str, float]:
    """A log entry as SentenceTransformerTrainer writes it for the IR evaluator (17 numbers)."""
    prefix = "eval_validation_cosine_"
    entry: dict[str, float] = {"step": step, "epoch": step / 10}
    for name in ("accuracy", "precision", "recall"):
        entry.update({f"{prefix}{name}@{k}": score / k for k in (1, 3, 5, 10)})
    entry.update({f"{prefix}ndcg@10": score, f"{prefix}mrr@10": score / 2})
    entry.update({f"{prefix}map@100": score / 3, "eval_sequential_score": score})
    entry.update({"eval_model_preparation_time": 0.002, "eval_runtime": 1.5})
    entry.update({"eval_samples_per_second": 10.0, "eval_steps_per_second": 1.0})
    return entry


def test_training_plot_shows_the_few_series_that_matter(tmp_path: Path) -> None:
    history = [_trainer_eval(0, 0.4), {"step": 1, "loss": 2.0}, {"step": 2, "loss": 1.5}]
    history += [_trainer_eval(2, 0.6), {"step": 2, "eval_loss": 1.2}]
    curves = training_curves(history)
    assert len([name for name in curves if name.startswith("eval_")]) == 18  # what was drawn
    panels = training_panels(curves)
    assert panels == {
        "loss": {"training loss": [(1.0, 2.0), (2.0, 1.5)], "validation loss": [(2.0, 1.2)]},
        "validation": {
            "nDCG@10": [(0.0, 0.4), (2.0, 0.6)],
            "MRR@10": [(0.0, 0.2), (2.0, 0.3)],
            "Recall@10": [(0.0, 0.04), (2.0, 0.06)],
        },
    }
    assert (plot_training(curves, tmp_path / "t.png")).read_bytes()[:4] == b"\x89PNG"


def test_training_panels_name_each_series_once() -> None:
    """Two evaluators (say cosine and dot) keep their full names, so no label is drawn twice."""
    curves = {
        "eval_a_cosine_ndcg@10": [(1.0, 0.5)],
        "eval_a_dot_ndcg@10": [(1.0, 0.4)],
        "eval_a_cosine_map@100": [(1.0, 0.3)],
    }
    assert training_panels(curves) == {
        "loss": {},
        "validation": {"a_cosine_ndcg@10": [(1.0, 0.5)], "a_dot_ndcg@10": [(1.0, 0.4)]},
    }


def test_interpolation_curve_in_the_report(evaluation: Evaluation, tmp_path: Path) -> None:
    """train_config.json's weight choice beside the training log becomes interpolation.png."""
    model = tmp_path / "model"
    model.mkdir()
    (model / "trainer_state.json").write_text(json.dumps({"log_history": [{"step": 1, "loss": 1}]}))
    curve = [
        {"weight": 0.0, "validation": 0.317, "general": 0.40},
        {"weight": 0.5, "validation": 0.310, "general": None},
        {"weight": 1.0, "validation": 0.299, "general": None},
    ]
    message = (
        "fine-tuning did not beat the base model on ir/validation-gold: keeping the base weights"
    )
    choice = {"weight": 0.0, "curve": curve, "message": message, "general_set": "beir-x"}
    (model / "train_config.json").write_text(json.dumps({"interpolation": choice}))
    out = write_report(tmp_path / "r", [evaluation], training_log=model)
    assert (out / "interpolation.png").read_bytes()[:4] == b"\x89PNG"
    md = (out / "report.md").read_text()
    assert f"## Tuned vs base weights: {message}" in md and "(interpolation.png)" in md

    (model / "train_config.json").write_text(json.dumps({"interpolation": None}))  # off
    out = write_report(tmp_path / "r2", [evaluation], training_log=model)
    assert not (out / "interpolation.png").exists()


def test_trained_splits_reads_the_model_folder(tmp_path: Path) -> None:
    from embedtune.evaluate.report import trained_splits

    assert trained_splits(tmp_path) == [] and trained_splits(None) == []
    (tmp_path / "trainer_state.json").write_text("{}")
    (tmp_path / "train_config.json").write_text(
        json.dumps({"speed": {"train_on": {"splits": ["train", "test"], "why": "x"}}})
    )
    assert trained_splits(tmp_path) == ["train", "test"]
    (tmp_path / "train_config.json").write_text("not json")
    assert trained_splits(tmp_path) == []
