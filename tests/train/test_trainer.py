from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
import torch
from tests.fakes import RecordingReporter
from tests.train.conftest import posting, write_prepared
from transformers import TrainerCallback

from embedtune.errors import EmbedtuneError
from embedtune.train import TrainConfig, push_model, train
from embedtune.train.trainer import remove_checkpoints

pytestmark = pytest.mark.slow  # each test trains the tiny model for a few steps (5-15 s)


class Interrupt(Exception):
    pass


class InterruptAfterSave(TrainerCallback):
    """Simulates a crash right after the checkpoint of step ``step`` is written."""

    def __init__(self, step: int) -> None:
        self.step = step

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if state.global_step == self.step:
            raise Interrupt


def config(prepared: Path, model: Path, out: Path, **kw: Any) -> TrainConfig:
    settings: dict[str, Any] = {"batch_size": 8, "eval_steps": 2, "save_steps": 2, "seed": 3}
    settings.update(kw)
    return TrainConfig(data=prepared, out=out, model=str(model), **settings)


def test_train_writes_a_loadable_model(
    prepared_dir: Path, tiny_model_dir: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "model"
    reporter = RecordingReporter()
    result = train(config(prepared_dir, tiny_model_dir, out), reporter=reporter)
    # the model card's examples are the first rows, not a library sample behind its own bar
    assert "Computing widget examples" not in capfd.readouterr().err
    assert result.out == out and result.global_step == result.max_steps == 6  # 48 rows / 8
    # every optimizer step reaches the reporter (a redirected log prints lines from it)
    assert reporter.tasks == [
        ["Scoring the base model", None, 0],
        ["Training", 6, 6],
        ["Choosing the weight of the tuned model", None, 5],  # interpolate auto: 5 weights
    ]
    assert not out.with_name("model.checkpoints").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folders left

    state = json.loads((out / "trainer_state.json").read_text())
    losses = [e["loss"] for e in state["log_history"] if "loss" in e]
    ndcg = {e["step"]: e[result.metric] for e in state["log_history"] if result.metric in e}
    assert len(losses) == 4 and set(ndcg) == {0, 2, 4, 6}  # logged at 1, 2, 4, 6; base at 0
    assert result.best_metric == max(v for s, v in ndcg.items() if s > 0)
    assert ndcg[result.best_step] == result.best_metric
    assert result.base_metric == ndcg[0]

    record = json.loads((out / "train_config.json").read_text())
    assert record["seed"] == 3 and record["config"]["loss"] == "mnrl"
    assert {"torch", "transformers", "sentence-transformers", "python"} <= set(record["versions"])
    assert record["speed"]["max_seq_length"] == record["speed"]["longest_text_tokens"] < 128
    card = (out / "README.md").read_text()
    assert card.startswith("---") and "source_sentence:" in card
    # interpolate auto: five weights scored on ir/validation (no gold or title queries here)
    choice = record["interpolation"]
    assert choice == result.interpolation and choice["validation_set"] == "ir/validation"
    assert "same generator" in choice["validation_note"]
    curve = {p["weight"]: p["validation"] for p in choice["curve"]}
    assert list(curve) == [0.0, 0.25, 0.5, 0.75, 1.0]
    # its end points are the trainer's own scores of the base and of the best checkpoint
    assert curve[0.0] == pytest.approx(result.base_metric, abs=1e-6)
    assert curve[1.0] == pytest.approx(result.best_metric, abs=1e-6)
    # 6 steps at 2e-5 leave the tiny model's ranking as it was: a tie keeps the base, plainly
    kept = max(v for w, v in curve.items() if w > 0) <= curve[0.0]
    assert result.kept_base is kept is choice["kept_base"] is (choice["weight"] == 0)
    if kept:
        assert result.message == (
            "fine-tuning did not beat the base model on ir/validation: keeping the base weights"
        )
        assert record["result"]["kept_base"] is True

    code = (
        "import sys, numpy as np; from sentence_transformers import SentenceTransformer as S\n"
        "m = S(sys.argv[1]); a = m.encode(['data engineer python'])\n"
        "b = S(sys.argv[2]).encode(['data engineer python'])\n"
        "print(a.shape[1], float(np.abs(a - b).max()), m.max_seq_length)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(out), str(tiny_model_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    dim, diff, max_len = proc.stdout.split()
    assert int(dim) == 32  # loads cleanly
    assert float(diff) < 1e-6 if kept else float(diff) > 1e-4  # the base's weights, or changed
    assert int(max_len) == 128  # trained on the longest prepared text, saved with the model's own


def test_resume_ends_where_an_uninterrupted_run_ends(
    prepared_dir: Path, tiny_model_dir: Path, tmp_path: Path
) -> None:
    full = train(config(prepared_dir, tiny_model_dir, tmp_path / "full"))
    out = tmp_path / "model"
    cfg = config(prepared_dir, tiny_model_dir, out)
    with pytest.raises(Interrupt):
        train(cfg, callbacks=[InterruptAfterSave(4)])
    assert not out.exists() and (cfg.checkpoints / "checkpoint-4").is_dir()
    with pytest.raises(EmbedtuneError, match="unfinished run left checkpoints"):
        train(cfg)

    resumed = train(config(prepared_dir, tiny_model_dir, out, resume=True))
    assert resumed.global_step == full.global_step == 6
    history = json.loads((out / "trainer_state.json").read_text())["log_history"]
    full_history = json.loads((tmp_path / "full" / "trainer_state.json").read_text())["log_history"]
    steps = [e["step"] for e in history if "loss" in e]
    assert steps == [1, 2, 4, 6]  # the loss curve continues from before the interruption
    loss = {e["step"]: e["loss"] for e in history if "loss" in e}
    full_loss = {e["step"]: e["loss"] for e in full_history if "loss" in e}
    assert loss == pytest.approx(full_loss, rel=1e-3)  # same batches, same updates
    # the base model's score, measured by the interrupted run, survives the resume
    assert resumed.base_metric is not None and full.base_metric is not None
    assert resumed.base_metric == pytest.approx(full.base_metric)
    assert next(e["step"] for e in history if resumed.metric in e) == 0
    record = json.loads((out / "train_config.json").read_text())
    assert record["result"]["base_metric"] == resumed.base_metric

    with pytest.raises(EmbedtuneError, match="already exists"):  # a finished run stays as it is
        train(config(prepared_dir, tiny_model_dir, out, resume=True))
    with pytest.raises(EmbedtuneError, match="nothing to resume"):
        train(config(prepared_dir, tiny_model_dir, tmp_path / "other", resume=True))


def test_refuses_an_existing_output(prepared_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "model"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(EmbedtuneError, match="already exists") as info:
        train(TrainConfig(data=prepared_dir, out=out, model="no-such-model"))
    assert "--overwrite" in str(info.value)
    assert (out / "keep.txt").read_text() == "mine"


def test_refuses_a_checkpoint_folder_whose_removal_would_take_user_files(
    prepared_dir: Path, tmp_path: Path
) -> None:
    """Checkpoints are deleted once a run finishes: the folder may not be an input, hold the
    output, or hold files of its own (before, ``--checkpoint-dir DATA`` deleted the data)."""
    before = sorted(p.relative_to(prepared_dir) for p in prepared_dir.rglob("*"))
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    cases = [
        (prepared_dir, "checkpoint folder .* is .*"),
        (prepared_dir / "triplets" / "ckpt", "lies inside"),
        (tmp_path, "contains .*model"),  # holds --out
        (mine, "holds files embedtune did not write \\(notes.txt\\)"),
    ]
    for ckpt, message in cases:
        config = TrainConfig(
            data=prepared_dir, out=tmp_path / "model", model="no-such-model", checkpoint_dir=ckpt
        )
        with pytest.raises(EmbedtuneError, match=message):
            train(config)
    assert sorted(p.relative_to(prepared_dir) for p in prepared_dir.rglob("*")) == before
    assert (mine / "notes.txt").read_text() == "mine"


def test_remove_checkpoints_takes_only_what_training_wrote(tmp_path: Path) -> None:
    ckpt = tmp_path / "ckpt"
    for folder in ("checkpoint-2", "tmp-checkpoint-4", "eval"):
        (ckpt / folder).mkdir(parents=True)
        (ckpt / folder / "x.bin").write_bytes(b"1")
    (ckpt / "base_eval.json").write_text("{}")
    (ckpt / "later.txt").write_text("a user's file, put there during the run")
    remove_checkpoints(ckpt)
    assert [p.name for p in ckpt.iterdir()] == ["later.txt"]
    (ckpt / "later.txt").unlink()
    (ckpt / "checkpoint-6").mkdir()
    remove_checkpoints(ckpt)
    assert not ckpt.exists()  # emptied: the folder goes too
    remove_checkpoints(ckpt)  # nothing there: nothing to do


class FakeApi:
    calls: ClassVar[list[tuple[str, dict[str, Any]]]] = []

    def __init__(self, token: str | None = None) -> None:
        pass

    def create_repo(self, repo_id: str, **kw: Any) -> str:
        self.calls.append(("create_repo", {"repo_id": repo_id, **kw}))
        return f"https://huggingface.co/{repo_id}"

    def upload_folder(self, **kw: Any) -> None:
        self.calls.append(("upload_folder", kw))


def test_push_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import huggingface_hub

    FakeApi.calls = []
    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    assert push_model(tmp_path, "me/model") == "https://huggingface.co/me/model"
    (name, kw) = FakeApi.calls[-1]
    assert name == "upload_folder" and kw["folder_path"] == str(tmp_path)
    assert kw["ignore_patterns"] == [".embedtune"]  # our marker stays local
    assert kw["repo_id"] == "me/model" and kw["repo_type"] == "model"

    class Broken(FakeApi):
        def upload_folder(self, **kw: Any) -> None:
            raise OSError("401 Unauthorized\nmore")

    monkeypatch.setattr(huggingface_hub, "HfApi", Broken)
    with pytest.raises(EmbedtuneError, match="401 Unauthorized") as info:
        push_model(tmp_path, "me/model")
    assert "saved in" in str(info.value)


@pytest.mark.parametrize("loss", ["gist", "triplet"])
def test_other_losses_train(
    prepared_dir: Path, tiny_model_dir: Path, tmp_path: Path, loss: str
) -> None:
    result = train(
        config(prepared_dir, tiny_model_dir, tmp_path / "m", loss=loss, eval_steps=0, max_steps=2)
    )
    assert result.global_step == 2 and result.best_metric is None
    history = json.loads((tmp_path / "m" / "trainer_state.json").read_text())["log_history"]
    assert all(e["loss"] > 0 for e in history if "loss" in e)


def test_least_similar_negatives_are_dropped(
    prepared_dir: Path, tiny_model_dir: Path, tmp_path: Path
) -> None:
    """auto drops least-similar negatives: the run equals training on the pairs alone."""
    least = tmp_path / "least"
    shutil.copytree(prepared_dir, least)
    (least / "config.json").write_text('{"negatives": {"method": "least-similar"}}')
    pairs = write_prepared(tmp_path / "pairs", negatives=False)
    settings = {"eval_steps": 0, "max_steps": 3, "interpolate": "off"}  # the trained weights
    dropped = train(config(least, tiny_model_dir, tmp_path / "a", **settings))
    train(config(pairs, tiny_model_dir, tmp_path / "b", **settings))
    kept = train(config(least, tiny_model_dir, tmp_path / "c", negative_columns="keep", **settings))

    info = dropped.speed["negative_columns"]
    assert info["dropped"] is True and info["method"] == "least-similar"
    assert info["columns"] == ["negative"] and "least-similar" in info["why"]
    assert kept.speed["negative_columns"]["dropped"] is False
    assert dropped.interpolation is None and not dropped.kept_base
    record = json.loads((tmp_path / "a" / "train_config.json").read_text())
    assert record["data"]["columns"] == ["anchor", "positive"]

    from sentence_transformers import SentenceTransformer

    texts = ["data engineer python", posting(3)]
    a, b, c = (SentenceTransformer(str(tmp_path / n)).encode(texts) for n in "abc")
    assert np.abs(a - b).max() < 1e-5  # same batches, same loss: same model
    assert np.abs(a - c).max() > 1e-5  # the kept negative changes the loss


def _listing(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in sorted(root.rglob("*"))}


def test_max_train_never_writes_into_a_read_only_data_folder(
    prepared_dir: Path, tiny_model_dir: Path, tmp_path: Path
) -> None:
    """--max-train samples rows; the sample's index must not be cached next to the inputs."""
    data = tmp_path / "data"
    shutil.copytree(prepared_dir, data)
    before = _listing(data)
    modes = {p: p.stat().st_mode for p in (data, *data.rglob("*")) if p.is_dir()}
    for folder in modes:
        folder.chmod(0o555)  # tests run as root, which may write anyway: the listing decides
    try:
        result = train(config(data, tiny_model_dir, tmp_path / "m", max_train=20, max_steps=2))
    finally:
        for folder, mode in modes.items():
            folder.chmod(mode)
    assert result.global_step == 2 and result.train_rows == 20
    assert _listing(data) == before


def test_generated_queries_without_titles_train_on_every_split(
    prepared_dir: Path, tiny_model_dir: Path, tmp_path: Path
) -> None:
    """auto: no honest set held back, so validation and test are trained on, not validated on;
    the weight choice says its validation queries were seen."""
    data = tmp_path / "data"
    shutil.copytree(prepared_dir, data)
    (data / "config.json").write_text('{"queries": {"source": "offline"}}')
    result = train(config(data, tiny_model_dir, tmp_path / "m", max_steps=2))
    assert result.train_on == ("train", "validation", "test")
    assert result.train_rows == 48 + 12 + 12
    assert result.metric is None  # no validation during training: it was trained on
    assert result.interpolation is not None and result.interpolation["validation_seen"] is True
    assert "trained on" in str(result.message)
    record = json.loads((tmp_path / "m" / "train_config.json").read_text())
    assert record["speed"]["train_on"]["splits"] == ["train", "validation", "test"]

    kept = train(config(data, tiny_model_dir, tmp_path / "k", max_steps=2, train_on="train"))
    assert kept.train_on == ("train",) and kept.train_rows == 48 and kept.metric is not None
    assert kept.interpolation is not None and kept.interpolation["validation_seen"] is False


def test_the_weight_choice_keeps_its_general_scores_for_evaluate(
    prepared_dir: Path, tiny_model_dir: Path, tmp_path: Path
) -> None:
    """With a general set, training keeps what the weight choice measured on it beside the
    model, and evaluate reuses it for the same weights on the same set instead of encoding the
    set again: the same figures as a fresh encoding; other weights or another sample do not
    match."""
    from embedtune.evaluate.model_eval import EvaluateConfig, evaluate
    from embedtune.evaluate.scored import GENERAL_SCORES

    general = prepared_dir / "ir" / "validation"  # any BEIR folder will do
    out = tmp_path / "model"
    # the tuned weights kept whatever validation says (a fixed weight scores 0 and 1 on general)
    settings = {"max_steps": 2, "eval_steps": 0, "general": general, "interpolate": 1.0}
    train(config(prepared_dir, tiny_model_dir, out, **settings))
    scores = json.loads((out / GENERAL_SCORES).read_text())
    assert scores["depth"] == 100 and len(scores["results"]) == 2  # the base and tuned weights

    def run(model: Path, **kw: Any) -> Any:
        settings = {"data": prepared_dir, "split": "validation", "general": general, **kw}
        return evaluate(EvaluateConfig(model=str(model), compare=str(tiny_model_dir), **settings))

    reused = run(out)
    assert len(reused.notes) == 2 and "not encoded again" in reused.notes[0]
    fresh_dir = tmp_path / "fresh"
    shutil.copytree(out, fresh_dir)
    (fresh_dir / GENERAL_SCORES).unlink()
    fresh = run(fresh_dir)
    assert fresh.notes == []
    for a, b in ((reused.model, fresh.model), (reused.base, fresh.base)):
        assert a is not None and b is not None
        kept, encoded = a.results["general"], b.results["general"]
        assert kept.metrics == pytest.approx(encoded.metrics, abs=1e-6)
        assert kept.recall_curve == pytest.approx(encoded.recall_curve, abs=1e-6)
    delta = reused.to_dict()["compare"]["delta"]["general"]
    assert delta == pytest.approx(fresh.to_dict()["compare"]["delta"]["general"], abs=1e-6)
    # weights that are not the ones measured: their result is encoded, the base's still reused
    from sentence_transformers import SentenceTransformer

    changed = SentenceTransformer(str(out), device="cpu", local_files_only=True)
    with torch.no_grad():
        next(p for p in changed.parameters() if p.ndim == 2).add_(0.01)
    other = tmp_path / "other"
    changed.save_pretrained(str(other))
    shutil.copy(out / GENERAL_SCORES, other / GENERAL_SCORES)
    notes = run(other).notes
    assert len(notes) == 1 and notes[0].startswith(f"general ability of {tiny_model_dir}:")
