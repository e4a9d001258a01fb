"""The tiny model exported once per session (fp32 and int8), for the tests that only read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedtune.export.onnx import ExportResult


@pytest.fixture(scope="session")
def exported(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> ExportResult:
    """``export_onnx(tiny_model_dir, OUT)``; its files are in ``result.folder``. Do not modify."""
    pytest.importorskip("onnxruntime")
    from embedtune.export import export_onnx

    return export_onnx(tiny_model_dir, tmp_path_factory.mktemp("tiny-export"))
