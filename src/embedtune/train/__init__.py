"""Stages 3 and 4: contrastive fine-tuning of a sentence-transformers model on prepared triplets.

Importing this package is light; torch, transformers and sentence-transformers load when
:func:`train` runs.
"""

from __future__ import annotations

from embedtune.train.config import LOSSES, TrainConfig, load_yaml_config
from embedtune.train.data import IRSplit, TrainData, load_ir_split, load_triplets
from embedtune.train.trainer import TrainResult, push_model, train

__all__ = [
    "LOSSES",
    "IRSplit",
    "TrainConfig",
    "TrainData",
    "TrainResult",
    "load_ir_split",
    "load_triplets",
    "load_yaml_config",
    "push_model",
    "train",
]
