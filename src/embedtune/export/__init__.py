"""Export a trained model for serving without torch: ONNX, with an int8 variant.

Needs the optional extra ``pip install 'embedtune[onnx]'``; importing this package does not
(onnx and onnxruntime load when an export or an :class:`OnnxEncoder` runs).
"""

from __future__ import annotations

from embedtune.export.layout import ModelLayout, pool, read_layout
from embedtune.export.onnx import (
    CHECK_TEXTS,
    ExportResult,
    FileCheck,
    Tolerance,
    compare_embeddings,
    export_onnx,
)
from embedtune.export.onnx_encoder import INSTALL_FIX, OnnxEncoder, require_onnx

__all__ = [
    "CHECK_TEXTS",
    "INSTALL_FIX",
    "ExportResult",
    "FileCheck",
    "ModelLayout",
    "OnnxEncoder",
    "Tolerance",
    "compare_embeddings",
    "export_onnx",
    "pool",
    "read_layout",
    "require_onnx",
]
