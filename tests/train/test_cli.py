from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from datasets import Dataset, DatasetDict
from tests.clirun import run_cli


def _triplets(root: Path, **splits: dict[str, list[str]]) -> Path:
    DatasetDict({k: Dataset.from_dict(v) for k, v in splits.items()}).save_to_disk(
        str(root / "triplets")
    )
    return root


@pytest.mark.slow
def test_train_json_and_push(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    prepared_dir: Path,
    tiny_model_dir: Path,
    tmp_path: Path,
) -> None:
    import huggingface_hub

    uploads: list[dict[str, Any]] = []

    class FakeApi:
        def __init__(self, token: str | None = None) -> None:
            pass

        def create_repo(self, repo_id: str, **kw: Any) -> str:
            return f"https://huggingface.co/{repo_id}"

        def upload_folder(self, **kw: Any) -> None:
            uploads.append(kw)

    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    monkeypatch.setenv("EMBEDTUNE_PROGRESS_INTERVAL", "0")  # a line per step, not per 30 s
    config = tmp_path / "train.yaml"
    config.write_text("batch_size: 8\neval_steps: 3\nsave_steps: 3\nloss: cached-mnrl\n")
    out = tmp_path / "model"
    code, stdout, err = run_cli(
        monkeypatch,
        capsys,
        "train",
        "--config",
        str(config),
        "--data",
        str(prepared_dir),
        "--model",
        str(tiny_model_dir),
        "--out",
        str(out),
        "--eval-steps",
        "2",
        "--save-steps",
        "4",
        "--matryoshka-dims",
        "32,16",
        "--max-train",
        "40",
        "--push-to-hub",
        "me/tiny",
        "--json",
    )
    assert code == 0, err
    result = json.loads(stdout)
    assert result["train_rows"] == 40 and result["global_step"] == 5  # 40 of 48 rows, batch 8
    # stderr is no terminal here: progress comes as plain lines, not an invisible bar
    assert "Training: 1/5 (20%), " in err and "Training: 5/5 (100%), " in err
    assert "✓ Training: 5/5 in " in err
    assert result["pushed"] == "https://huggingface.co/me/tiny"
    assert uploads and uploads[0]["folder_path"] == str(out)
    saved = json.loads((out / "train_config.json").read_text())["config"]
    # the YAML set the loss and batch; the flags overrode eval and save steps
    assert (saved["loss"], saved["batch_size"], saved["eval_steps"], saved["save_steps"]) == (
        "cached-mnrl",
        8,
        2,
        4,
    )
    assert saved["matryoshka_dims"] == [32, 16]


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        ("columns", [], "lacks column(s) 'anchor'; it has 'query', 'positive'"),
        ("empty", [], "triplets/train is empty"),
        ("none", [], "has no triplets/ folder"),
        ("ok", ["--model", "no-such-model"], "unknown model 'no-such-model'"),
        ("ok", ["--loss", "cosine"], "unknown loss 'cosine'"),
        ("ok", ["--batch-size", "0"], "--batch-size 0 must be positive"),
        ("ok", ["--resume"], "nothing to resume"),
    ],
)
def test_bad_input_is_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    setup: str,
    args: list[str],
    message: str,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    if setup == "columns":
        _triplets(data, train={"query": ["q"], "positive": ["d"]})
    elif setup == "empty":
        _triplets(data, train={"anchor": [], "positive": []})
    elif setup == "ok":
        _triplets(data, train={"anchor": ["q1", "q2"], "positive": ["d1", "d2"]})
    out = tmp_path / "model"
    code, _, err = run_cli(
        monkeypatch,
        capsys,
        "train",
        "--data",
        str(data),
        "--out",
        str(out),
        "--eval-steps",
        "0",
        *args,
    )
    assert code == 2, err
    assert err.startswith("error: ") and message in err
    assert err.count("\n") == 1 and "Fix:" in err
    assert not out.exists()


def test_missing_required_flag(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run_cli(monkeypatch, capsys, "train", "--data", str(tmp_path))
    assert code == 2 and err == "error: --out is missing. Fix: pass --out DIR (or --config)\n"


def test_existing_output_is_kept(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    prepared_dir: Path,
    tmp_path: Path,
) -> None:
    out = tmp_path / "model"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    code, _, err = run_cli(
        monkeypatch, capsys, "train", "--data", str(prepared_dir), "--out", str(out)
    )
    assert code == 2 and "already exists" in err and "--overwrite" in err
    assert (out / "keep.txt").read_text() == "mine"
