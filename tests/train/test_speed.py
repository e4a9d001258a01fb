from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embedtune.train import speed


def test_native_bf16_reads_cpu_flags() -> None:
    assert speed.native_bf16("cpu", frozenset({"avx512f", "avx512_bf16"}))
    assert speed.native_bf16("cpu", frozenset({"amx_bf16"}))
    assert not speed.native_bf16("cpu", frozenset({"avx512f", "avx512_vnni"}))


def test_resolve_precision(monkeypatch: object) -> None:
    assert speed.resolve_precision("fp32") == "fp32"
    assert speed.resolve_precision("bf16") == "bf16"
    expected = "bf16" if speed.native_bf16("cpu") else "fp32"
    assert speed.resolve_precision("auto", "cpu") == expected


def test_cpu_flags_file(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("processor : 0\nflags\t\t: fpu avx512_bf16 sse\n")
    assert speed.cpu_flags.__wrapped__(str(info)) == frozenset({"fpu", "avx512_bf16", "sse"})
    assert speed.cpu_flags.__wrapped__(str(tmp_path / "none")) == frozenset()


def test_threads(monkeypatch: object) -> None:
    import torch

    before = torch.get_num_threads()
    try:
        assert speed.set_threads(1) == 1 and torch.get_num_threads() == 1
        assert speed.set_threads(None) >= 1
    finally:
        torch.set_num_threads(before)


def test_token_lengths_and_rows(tiny_model_dir: Path) -> None:
    from datasets import Dataset
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    lengths = speed.token_lengths(tok, ["hello", "hello world again", ""], batch_size=2)
    assert lengths.tolist() == [3, 5, 2]  # [CLS] ... [SEP]
    data = Dataset.from_dict({"positive": ["a b c d", "a"], "negative": ["a", "a b c d e f"]})
    assert speed.row_lengths(data, ["positive", "negative"], tok).tolist() == [6, 8]
    assert speed.fit_max_seq_length(256, int(np.int64(70))) == 70


@pytest.mark.parametrize(
    ("model_max", "longest", "cap", "expected"),
    [(256, 240, 128, 128), (256, 90, 128, 90), (64, 240, 128, 64), (512, 400, None, 400),
     (256, 300, None, 256)],
)  # fmt: skip
def test_training_length_is_the_shortest_of_model_data_and_flag(
    model_max: int, longest: int, cap: int | None, expected: int
) -> None:
    assert speed.fit_max_seq_length(model_max, longest, cap) == expected
