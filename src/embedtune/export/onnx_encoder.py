"""Embed texts with an exported ONNX file and onnxruntime: numpy in, numpy out, no torch."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from embedtune.errors import EmbedtuneError
from embedtune.export.layout import l2_normalize, pool, read_layout

if TYPE_CHECKING:
    from embedtune.models.encoder import TextKind

__all__ = ["DEFAULT_FILE", "INSTALL_FIX", "OUTPUT_NAME", "OnnxEncoder", "require_onnx"]

INSTALL_FIX = "pip install 'embedtune[onnx]'"
DEFAULT_FILE = "onnx/model.onnx"
OUTPUT_NAME = "last_hidden_state"  # the token vectors; sentence-transformers' ONNX name too


def require_onnx() -> None:
    """Raise a clear error unless the optional extra (onnx, onnxruntime) is installed."""
    for module in ("onnx", "onnxruntime", "onnxruntime.quantization"):
        try:
            importlib.import_module(module)
        except ImportError as e:
            raise EmbedtuneError(
                f"ONNX export needs the optional packages onnx and onnxruntime ({module}: {e})",
                fix=INSTALL_FIX,
            ) from None


class OnnxEncoder:
    """Embed texts with an exported ONNX file: numpy in, numpy out, no torch.

    Tokenizes with the folder's tokenizer (truncating at the model's max_seq_length), runs the
    file with onnxruntime, then pools and (where the model has a Normalize module) normalises as
    the sentence-transformers model does. ``file`` is relative to ``model_dir`` unless absolute.

    >>> encoder = OnnxEncoder(model_dir, "onnx/model_qint8.onnx")  # doctest: +SKIP
    >>> encoder.encode(["python developer"]).shape  # doctest: +SKIP
    (1, 384)
    """

    def __init__(
        self,
        model_dir: Path,
        file: str | Path = DEFAULT_FILE,
        *,
        batch_size: int = 32,
        threads: int | None = None,
    ) -> None:
        require_onnx()
        import onnxruntime as ort

        from embedtune.models.registry import load_tokenizer

        if batch_size < 1:
            raise EmbedtuneError(f"batch size {batch_size} must be positive", fix="use e.g. 32")
        self.layout = read_layout(model_dir)
        self.path = self.layout.folder / file  # an absolute `file` replaces the folder
        if not self.path.is_file():
            raise EmbedtuneError(
                f"ONNX file {self.path} not found",
                fix=f"run `embedtune export --model {self.layout.folder}` first",
            )
        self.batch_size = batch_size
        self.tokenizer = load_tokenizer(self.layout.folder)
        options = ort.SessionOptions()
        options.log_severity_level = 3  # errors only
        if threads is not None:
            options.intra_op_num_threads = threads
        self.session = ort.InferenceSession(
            str(self.path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.input_names = [i.name for i in self.session.get_inputs()]

    @property
    def dimension(self) -> int:
        shape = self.session.get_outputs()[0].shape
        return int(shape[-1]) * len(self.layout.pooling)

    def encode(self, texts: Sequence[str], *, kind: TextKind = "document") -> np.ndarray:
        """(len(texts), dimension) float32 embeddings, in the order given."""
        texts = [str(t) for t in texts]
        if not texts:
            return np.empty((0, self.dimension), dtype=np.float32)
        prompt = self.layout.prompt(kind)
        # longest first, as sentence-transformers batches, so padding stays short
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            index = order[start : start + self.batch_size]
            out[index] = self._encode_batch([prompt + texts[i] for i in index])
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        if self.layout.do_lower_case:
            texts = [t.lower() for t in texts]
        features = self.tokenizer(
            texts,
            padding=True,
            truncation="longest_first",
            max_length=self.layout.max_seq_length,
            return_tensors="np",
        )
        feed = {name: np.asarray(features[name], dtype=np.int64) for name in self.input_names}
        tokens = self.session.run([OUTPUT_NAME], feed)[0]
        vectors = pool(tokens, feed["attention_mask"], self.layout.pooling)
        return l2_normalize(vectors) if self.layout.normalize else vectors
