from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from embedtune.errors import EmbedtuneError
from embedtune.export import OnnxEncoder
from embedtune.export.onnx import ExportResult

pytest.importorskip("onnxruntime")

# not the texts the export checked: other lengths, a duplicate, one past max_seq_length (128)
TEXTS = [
    "kubernetes platform engineer",
    "Nurse practitioner, family medicine clinic, weekdays only, four years of experience.",
    "a",
    "kubernetes platform engineer",
    " ".join(["Responsibilities include data modelling, pipeline reviews and mentoring."] * 30),
    "Barista",
]


def _torch(model_dir: Path, texts: list[str]) -> np.ndarray:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    return model.encode_document(texts, convert_to_numpy=True, show_progress_bar=False)


@pytest.mark.parametrize("batch_size", [1, 4, 32])
def test_fp32_matches_torch_in_order(
    exported: ExportResult, tiny_model_dir: Path, batch_size: int
) -> None:
    encoder = OnnxEncoder(tiny_model_dir, exported.folder / "model.onnx", batch_size=batch_size)
    out = encoder.encode(TEXTS)
    assert out.shape == (len(TEXTS), 32) and out.dtype == np.float32
    np.testing.assert_allclose(out, _torch(tiny_model_dir, TEXTS), atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-5)  # Normalize module
    np.testing.assert_array_equal(out[0], out[3])
    assert encoder.dimension == 32
    assert encoder.encode([]).shape == (0, 32)


def test_int8_is_close_but_not_equal(exported: ExportResult, tiny_model_dir: Path) -> None:
    fp32 = OnnxEncoder(tiny_model_dir, exported.folder / "model.onnx").encode(TEXTS)
    int8 = OnnxEncoder(tiny_model_dir, exported.folder / "model_qint8.onnx").encode(TEXTS)
    cosine = (fp32 * int8).sum(axis=1)  # both are unit rows
    assert cosine.min() > 0.999
    assert np.abs(fp32 - int8).max() > 1e-6  # the weights really are quantized


@pytest.mark.parametrize(
    ("pooling", "normalize"),
    [("cls", True), ("max", False), ("mean", False), (["cls", "mean"], False)],
)
def test_pooling_and_normalize_follow_the_folder(
    exported: ExportResult, tiny_model_dir: Path, tmp_path: Path, pooling: object, normalize: bool
) -> None:
    """The transformer is the same, so one ONNX file serves every pooling of the folder."""
    folder = tmp_path / "variant"
    shutil.copytree(tiny_model_dir, folder)
    (folder / "1_Pooling" / "config.json").write_text(
        json.dumps({"embedding_dimension": 32, "pooling_mode": pooling})
    )
    if not normalize:
        modules = json.loads((folder / "modules.json").read_text())
        (folder / "modules.json").write_text(json.dumps(modules[:2]))
    out = OnnxEncoder(folder, exported.folder / "model.onnx", batch_size=2).encode(TEXTS)
    reference = _torch(folder, TEXTS)
    assert out.shape == reference.shape
    np.testing.assert_allclose(out, reference, atol=1e-5)
    norms = np.linalg.norm(out, axis=1)
    assert np.allclose(norms, 1.0, rtol=1e-5) is normalize


def test_missing_file_says_how_to_make_it(tiny_model_dir: Path) -> None:
    with pytest.raises(EmbedtuneError, match=r"ONNX file .*onnx/model\.onnx not found") as info:
        OnnxEncoder(tiny_model_dir)  # the default file: MODEL/onnx/model.onnx
    assert info.value.fix == f"run `embedtune export --model {tiny_model_dir.resolve()}` first"
    with pytest.raises(EmbedtuneError, match="batch size 0 must be positive"):
        OnnxEncoder(tiny_model_dir, batch_size=0)
