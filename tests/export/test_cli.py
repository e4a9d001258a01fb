"""`embedtune export`, `embedtune train --export onnx`, and the error without the extra."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from tests.clirun import run_cli

from embedtune.errors import EmbedtuneError
from embedtune.train.config import TrainConfig

INSTALL = "Fix: pip install 'embedtune[onnx]'"


@pytest.fixture
def needs_onnx() -> None:
    pytest.importorskip("onnxruntime")


@pytest.fixture
def without_onnx(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import onnxruntime`` fail, as it does where the extra is not installed."""
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    monkeypatch.setitem(sys.modules, "onnxruntime.quantization", None)


def test_export_json(
    needs_onnx: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tiny_model_dir: Path,
    tmp_path: Path,
) -> None:
    args = ["export", "--model", str(tiny_model_dir), "--out", str(tmp_path), "--no-quantize"]
    code, out, err = run_cli(monkeypatch, capsys, *args, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert set(result) == {"folder", "model", "files", "tolerance", "texts", "seconds", "versions"}
    assert result["folder"] == str(tmp_path / "onnx")
    assert [(f["file"], f["precision"], f["passed"]) for f in result["files"]] == [
        ("model.onnx", "fp32", True)
    ]
    assert result["files"][0]["max_abs_diff"] <= 1e-4
    assert sorted(p.name for p in (tmp_path / "onnx").iterdir()) == [
        ".embedtune",
        "export.json",
        "model.onnx",
    ]
    # a second export into the same place needs --overwrite, and says so in one line
    code, out, err = run_cli(monkeypatch, capsys, *args)
    assert code == 2 and out == ""
    assert (
        err.startswith("error: ")
        and "already exists. Fix: choose another --out, or pass --overwrite" in err
    )


def test_export_table(
    needs_onnx: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tiny_model_dir: Path,
    tmp_path: Path,
) -> None:
    from embedtune.cli import reporting

    monkeypatch.setattr(reporting.stdout, "width", 200)  # one table row per line
    code, out, err = run_cli(
        monkeypatch, capsys, "export", "--model", str(tiny_model_dir), "--out", str(tmp_path)
    )
    assert code == 0, err
    assert "ONNX export vs torch on 32 texts" in out
    assert re.search(
        r"model\.onnx: fp32, 4\.1 MB .* max \|diff\| \d\.\de-0[5-9] \(<= 0\.0001\)", out
    )
    assert re.search(
        r"model_qint8\.onnx: int8, 1\.1 MB .* min cos 0\.99\d+ \(>= 0\.95\), mean 0\.99\d+ \(>= 0\.98\)",
        out,
    )
    assert f"Saved {tmp_path / 'onnx'} in " in out


def test_bad_model_dir_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pytest.importorskip("onnxruntime")
    code, out, err = run_cli(monkeypatch, capsys, "export", "--model", str(tmp_path / "nope"))
    assert (code, out) == (2, "")
    assert (
        err
        == f"error: model folder {tmp_path / 'nope'} not found. Fix: pass the folder of a saved model (--model)\n"
    )


def test_missing_extra(
    without_onnx: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tiny_model_dir: Path,
    tmp_path: Path,
) -> None:
    from embedtune.export import OnnxEncoder, export_onnx

    with pytest.raises(EmbedtuneError, match="needs the optional packages onnx and onnxruntime"):
        export_onnx(tiny_model_dir, tmp_path)
    with pytest.raises(EmbedtuneError, match="onnxruntime"):
        OnnxEncoder(tiny_model_dir)
    code, out, err = run_cli(monkeypatch, capsys, "export", "--model", str(tiny_model_dir))
    assert (code, out) == (2, "")
    assert err.startswith("error: ONNX export needs") and err.endswith(INSTALL + "\n")
    assert not (tiny_model_dir / "onnx").exists()


# --- embedtune train --export onnx


def test_train_config_export() -> None:
    assert TrainConfig(data=Path("d"), out=Path("o")).export is None
    assert TrainConfig.from_dict({"data": "d", "out": "o", "export": "onnx"}).export == "onnx"
    with pytest.raises(EmbedtuneError, match="unknown export format 'tflite'") as info:
        TrainConfig(data=Path("d"), out=Path("o"), export="tflite")  # type: ignore[arg-type]
    assert info.value.fix == "use --export onnx, or leave it out"


def test_train_export_fails_before_training(
    without_onnx: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("training started")

    monkeypatch.setattr("embedtune.train.trainer.train", no_training)
    args = ["train", "--data", str(tmp_path), "--out", str(tmp_path / "m"), "--export"]
    code, _, err = run_cli(monkeypatch, capsys, *args, "pdf")
    assert code == 2 and "unknown export format 'pdf'" in err
    code, _, err = run_cli(monkeypatch, capsys, *args, "onnx")
    assert code == 2 and err.endswith(INSTALL + "\n")


@pytest.mark.slow
def test_train_then_export(
    needs_onnx: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tiny_model_dir: Path,
    tmp_path: Path,
) -> None:
    from tests.train.conftest import write_prepared

    data = write_prepared(tmp_path / "data", train=16, validation=4)
    out = tmp_path / "model"
    code, stdout, err = run_cli(
        monkeypatch,
        capsys,
        "train",
        "--data",
        str(data),
        "--model",
        str(tiny_model_dir),
        "--out",
        str(out),
        "--max-steps",
        "1",
        "--batch-size",
        "4",
        "--eval-steps",
        "0",
        "--export",
        "onnx",
        "--json",
    )
    assert code == 0, err
    exported = json.loads(stdout)["exported"]
    assert exported["folder"] == str(out / "onnx")
    assert [f["file"] for f in exported["files"] if f["passed"]] == [
        "model.onnx",
        "model_qint8.onnx",
    ]
    assert json.loads((out / "onnx" / "export.json").read_text()) == exported
    saved = json.loads((out / "train_config.json").read_text())
    assert saved["config"]["export"] == "onnx"
