"""CPU speed settings for training, each kept only where a measurement showed it helps.

Measured on the 2-core Xeon these tools are developed on (see docs/train.md and
benchmarks/train_speed.py for the figures):

- **bf16 autocast** doubles the throughput of a CPU that computes bf16 natively (``avx512_bf16``
  or ``amx_bf16``) and of a recent GPU, but on a CPU without those instructions bf16 is emulated
  and a MiniLM training step took 1.5-2.2x *longer*. So ``precision="auto"`` turns it on only
  where the hardware has it (:func:`native_bf16`).
- **Length-aware batching** (:mod:`embedtune.train.sampler`): rows are shuffled,
  then sorted by length inside windows of a few batches, so a batch pads its postings to a
  similar length instead of to the longest of a random draw. Batches are still built by the
  no-duplicates rule, then shuffled.
- **Training length**: the model's limit, lowered to the longest prepared text
  (:func:`fit_max_seq_length`); the saved model keeps its own limit. ``--max-seq-length 128``
  trains 3.4x faster on the demo data (postings fill the 256-token budget), but measured side by
  side it cost 0.03 nDCG@10 on gold queries (benchmarks/tutorial_vs_run.py, RESULTS.md), so it
  is an option, not the default. Texts are tokenized once up front to measure their length, and
  those lengths drive the batching too. Batches are still tokenized per step: 39 ms of a ~20 s
  MiniLM step, not worth caching.
- **Threads**: one intra-op thread per core this process may use (``sched_getaffinity``).
- **Least-similar negatives are not encoded** (:func:`embedtune.train.data.negative_decision`):
  in-batch negatives are always at least as hard, and skipping the column halves the postings
  per step: 2.5x the plain tutorial script at equal nDCG@10 on its own data (RESULTS.md).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from datasets import Dataset
    from transformers import PreTrainedTokenizerBase

__all__ = [
    "BF16_CPU_FLAGS",
    "cpu_flags",
    "fit_max_seq_length",
    "native_bf16",
    "resolve_precision",
    "row_lengths",
    "set_threads",
    "token_lengths",
]

BF16_CPU_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})


@lru_cache(maxsize=1)
def cpu_flags(cpuinfo: str = "/proc/cpuinfo") -> frozenset[str]:
    """The CPU feature flags the kernel reports (empty where /proc/cpuinfo does not exist)."""
    try:
        text = Path(cpuinfo).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.partition(":")[2].split())
    return frozenset()


def native_bf16(device: str = "cpu", flags: frozenset[str] | None = None) -> bool:
    """Whether ``device`` computes bf16 natively: a bf16-capable GPU, or a CPU with bf16 flags."""
    if device.startswith("cuda"):
        import torch

        return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())
    return bool((cpu_flags() if flags is None else flags) & BF16_CPU_FLAGS)


def resolve_precision(
    precision: Literal["auto", "fp32", "bf16"], device: str = "cpu"
) -> Literal["fp32", "bf16"]:
    """``"auto"`` → bf16 where :func:`native_bf16`, else fp32; explicit choices pass through."""
    if precision == "auto":
        return "bf16" if native_bf16(device) else "fp32"
    return precision


def set_threads(threads: int | None = None) -> int:
    """Use ``threads`` intra-op threads (default: the cores this process may run on)."""
    import torch

    if threads is None:
        try:
            threads = len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            threads = os.cpu_count() or 1
        world = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
        threads = max(1, threads // max(world, 1))  # processes on one machine share its cores
    torch.set_num_threads(threads)
    return threads


def token_lengths(
    tokenizer: PreTrainedTokenizerBase, texts: Sequence[str], batch_size: int = 1000
) -> np.ndarray:
    """Tokens per text, special tokens included, without truncation."""
    out = np.zeros(len(texts), dtype=np.int64)
    for start in range(0, len(texts), batch_size):
        chunk = list(texts[start : start + batch_size])
        ids = tokenizer(chunk, add_special_tokens=True, truncation=False)["input_ids"]
        out[start : start + len(chunk)] = [len(x) for x in ids]
    return out


def row_lengths(
    dataset: Dataset, columns: Sequence[str], tokenizer: PreTrainedTokenizerBase
) -> np.ndarray:
    """For each row, the token length of its longest text among ``columns``."""
    lengths = [token_lengths(tokenizer, dataset[c]) for c in columns]
    return np.max(np.stack(lengths), axis=0) if lengths else np.zeros(len(dataset), np.int64)


def fit_max_seq_length(model_max: int, longest: int, cap: int | None = None) -> int:
    """Tokens per text for training: the model's limit, lowered to ``longest`` (the longest
    prepared text) and to ``cap`` (``--max-seq-length``) when those are shorter.

    >>> fit_max_seq_length(256, 100), fit_max_seq_length(256, 400), fit_max_seq_length(64, 400)
    (100, 256, 64)
    >>> fit_max_seq_length(256, 400, cap=128)
    128
    """
    return max(1, min(model_max, longest, cap or model_max))
