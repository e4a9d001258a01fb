"""`embedtune run` end to end on a small demo corpus with the tiny model (about a minute)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from tests.clirun import run_cli

from embedtune.run import RunConfig, RunState, paths, run

pytestmark = pytest.mark.slow


def _config(out: Path, model: Path, **kwargs: Any) -> RunConfig:
    # Least-similar: the tiny model's random weights score every posting alike, so the hard
    # negatives' false-negative guard would (rightly) remove every candidate.
    kwargs.setdefault("negatives", "least-similar")
    return RunConfig.from_dict({"out": out, "model": str(model), "demo_size": 60, **kwargs})


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> Path:
    """One finished run, shared by the module: tests read it, and never change it."""
    out = tmp_path_factory.mktemp("run") / "demo"
    result = run(_config(out, tiny_model_dir))
    assert result.ran == ["prepare", "select", "train", "evaluate", "index"]
    assert result.skipped == []
    return out


@pytest.fixture
def run_copy(finished_run: Path, tmp_path: Path) -> Path:
    """A fresh copy of the finished run, for a test that reruns it (so tests keep no order)."""
    out = tmp_path / "demo"
    shutil.copytree(finished_run, out)
    return out


def test_every_stage_writes_its_folder(finished_run: Path, tiny_model_dir: Path) -> None:
    where = paths(finished_run)
    assert (where["prepare"] / "triplets").is_dir()
    assert (where["select"] / "pick.txt").read_text().strip() == str(tiny_model_dir)
    assert (where["train"] / "config_sentence_transformers.json").is_file()
    assert (where["train"] / "README.md").is_file()  # the model card
    for name in ("report.md", "report.html", "evaluation.json"):
        assert (where["evaluate"] / name).is_file()
    assert (where["index"] / "index.json").is_file()
    state = RunState.load(finished_run)
    assert list(state.stages) == ["prepare", "select", "train", "evaluate", "index"]
    evaluation = state.result("evaluate")
    for key in ("triplet_accuracy", "ndcg@10", "recall@10"):
        assert 0.0 <= evaluation[key] <= 1.0
        assert 0.0 <= evaluation["compare"][key] <= 1.0
    assert "gold" in evaluation  # the demo has gold queries
    assert state.result("index")  # postings were indexed


def test_a_rerun_skips_what_is_done(run_copy: Path, tiny_model_dir: Path) -> None:
    before = json.loads((run_copy / "run_state.json").read_text())
    result = run(_config(run_copy, tiny_model_dir))
    assert result.ran == []
    assert result.skipped == ["prepare", "select", "train", "evaluate", "index"]
    assert json.loads((run_copy / "run_state.json").read_text()) == before
    assert result.results["evaluate"] == before["stages"]["evaluate"]["result"]


def test_from_stage_and_changed_settings_rerun_downstream(
    run_copy: Path, tiny_model_dir: Path
) -> None:
    steps = RunState.load(run_copy).result("train")["global_step"]
    result = run(_config(run_copy, tiny_model_dir, from_stage="evaluate"))
    assert result.skipped == ["prepare", "select", "train"]
    assert result.ran == ["evaluate", "index"]
    result = run(_config(run_copy, tiny_model_dir, epochs=2))
    assert result.skipped == ["prepare", "select"]
    assert result.ran == ["train", "evaluate", "index"]
    assert result.results["train"]["epochs"] == 2
    assert result.results["train"]["global_step"] == 2 * steps
    # a train section's setting retrains, but neither prepares nor selects again
    result = run(_config(run_copy, tiny_model_dir, epochs=2, train={"loss": "cached-mnrl"}))
    assert result.skipped == ["prepare", "select"]
    assert result.ran == ["train", "evaluate", "index"]
    saved = json.loads((paths(run_copy)["train"] / "train_config.json").read_text())["config"]
    assert saved["loss"] == "cached-mnrl"


def test_cli_json_and_summary(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, run_copy: Path, tiny_model_dir: Path
) -> None:
    args = ["run", "--out", str(run_copy), "--model", str(tiny_model_dir), "--demo-size", "60"]
    args += ["--negatives", "least-similar"]
    args += ["--epochs", "2", "--loss", "mnrl", "--batch-size", "8", "--learning-rate", "3e-5"]
    args += ["--max-seq-length", "32", "--num-negatives", "1"]
    code, out, err = run_cli(monkeypatch, capsys, *args, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["ran"] == ["train", "evaluate", "index"]  # --num-negatives 1 is the default
    saved = json.loads((run_copy / "model" / "train_config.json").read_text())["config"]
    assert (saved["batch_size"], saved["learning_rate"], saved["max_seq_length"]) == (8, 3e-5, 32)
    assert data["out"] == str(run_copy)
    assert len(data["search"]) == 5
    assert set(data["search_scores"]) == {"gold"}
    assert 0.0 <= data["search_scores"]["gold"]["ndcg@10"] <= 1.0
    assert all(hit["title"] for hit in data["search"])
    code, out, err = run_cli(monkeypatch, capsys, *args, "--query", "nlp engineer")
    assert code == 0, err
    assert "Run finished" in out and "nothing" in out
    assert "nDCG@10" in out and "base" in out
    assert 'Search: "nlp engineer"' in out
    assert "Search through the index" in out
    assert f"embedtune serve --index {run_copy / 'index'}" in out.replace("\n", "")


def test_the_honest_sets_are_searched_through_the_index(
    run_copy: Path, tiny_model_dir: Path
) -> None:
    """Without words (weight 0) and known queries the index ranks the test split's postings as
    the model alone does; with words the same queries are searched and scored again."""
    from embedtune.index.build import set_lexical_weight
    from embedtune.run.summary import run_searcher, search_lines, search_scores

    config = _config(run_copy, tiny_model_dir)
    evaluation = RunState.load(run_copy).result("evaluate")
    set_lexical_weight(paths(run_copy)["index"], 0.0)
    scores = search_scores(config, run_searcher(config))
    assert set(scores) == {"gold"}  # the demo's gold queries (its titles view has no titles)
    for name in scores:
        assert scores[name]["filters"] == {"split": "test"}
        assert scores[name]["num_queries"] == evaluation[name]["num_queries"]
        for metric in ("ndcg@10", "recall@10", "mrr@10"):
            assert scores[name][metric] == pytest.approx(evaluation[name][metric], abs=1e-4)
    lines = search_lines(evaluation, scores)
    assert lines[1].startswith("Search through the index")
    assert any("nDCG@10, gold queries" in line and "0.000[/]" in line for line in lines)
    set_lexical_weight(paths(run_copy)["index"], 1.0)
    worded = search_scores(config, run_searcher(config))
    assert worded["gold"]["ndcg@10"] != scores["gold"]["ndcg@10"]


def test_cli_bad_flags_are_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path
) -> None:
    code, out, err = run_cli(monkeypatch, capsys, "run", "--out", str(tmp_path), "--epochs", "0")
    assert (code, out) == (2, "")
    assert err.startswith("error: --epochs 0 must be positive")
    assert not (tmp_path / "run_state.json").exists()
    code, out, err = run_cli(monkeypatch, capsys, "run", "--out", str(tmp_path), "--loss", "x")
    assert (code, out) == (2, "")
    assert err.startswith("error: unknown loss 'x'") and err.count("\n") == 1
    config = tmp_path / "run.yaml"
    config.write_text("train: {lr: 1}\n")
    code, out, err = run_cli(monkeypatch, capsys, "run", str(config), "--out", str(tmp_path))
    assert code == 2 and err.startswith("error: unknown setting train.lr. Fix: train settings")


def test_a_guard_that_removes_every_negative_stops_prepare(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    from embedtune.errors import EmbedtuneError

    # one query a posting: with several, a random model may still rank some negative low enough
    config = _config(tmp_path / "run", tiny_model_dir, negatives="hard", queries={"per_posting": 1})
    with pytest.raises(EmbedtuneError, match="no training row kept a negative") as info:
        run(config)
    assert "--negatives least-similar" in (info.value.fix or "")
    assert RunState.load(tmp_path / "run").stages == {}


def test_a_run_folder_from_before_the_marker_still_reruns(
    run_copy: Path, tiny_model_dir: Path
) -> None:
    """Folders written before `.embedtune` existed are recognised by their files, so a rerun
    may still replace every stage's output (and a folder embedtune did not write may not)."""
    from embedtune._io import MARKER
    from embedtune.errors import EmbedtuneError

    for marker in run_copy.rglob(MARKER):
        marker.unlink()
    result = run(_config(run_copy, tiny_model_dir, from_stage="prepare"))
    assert result.ran == ["prepare", "select", "train", "evaluate", "index"]
    for folder in (run_copy, *(paths(run_copy)[s] for s in ("prepare", "train", "index"))):
        assert (folder / MARKER).is_file()

    foreign = run_copy.parent / "photos"
    foreign.mkdir()
    (foreign / "cat.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(EmbedtuneError, match="was not written by embedtune"):
        run(_config(foreign, tiny_model_dir))
    assert sorted(p.name for p in foreign.iterdir()) == ["cat.jpg"]
