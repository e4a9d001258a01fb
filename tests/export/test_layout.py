from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from embedtune.errors import EmbedtuneError
from embedtune.export.layout import check_model_dir, l2_normalize, pool, read_layout
from embedtune.export.onnx import CHECK_TEXTS, Tolerance, compare_embeddings

# batch of 2: row 0 has two real tokens then padding, row 1 is left-padded (first token masked)
TOKENS = np.array(
    [
        [[1.0, 2.0], [3.0, 6.0], [100.0, 100.0]],
        [[50.0, 50.0], [2.0, -4.0], [4.0, 0.0]],
    ],
    dtype=np.float32,
)
MASK = np.array([[1, 1, 0], [0, 1, 1]])


@pytest.mark.parametrize(
    ("modes", "expected"),
    [
        (["mean"], [[2.0, 4.0], [3.0, -2.0]]),
        (["cls"], [[1.0, 2.0], [2.0, -4.0]]),  # the first real token, also after left padding
        (["max"], [[3.0, 6.0], [4.0, 0.0]]),
        (["cls", "mean"], [[1.0, 2.0, 2.0, 4.0], [2.0, -4.0, 3.0, -2.0]]),
    ],
)
def test_pool_ignores_padding(modes: list, expected: list[list[float]]) -> None:
    assert pool(TOKENS, MASK, modes).tolist() == expected


def test_l2_normalize_keeps_zero_rows() -> None:
    out = l2_normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]], rtol=1e-6)
    assert out.dtype == np.float32


def test_compare_embeddings_by_hand() -> None:
    reference = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    candidate = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 0.0]])
    measured = compare_embeddings(reference, candidate)
    assert measured["max_abs_diff"] == 1.0
    assert measured["min_cosine"] == pytest.approx(2**-0.5)
    assert measured["mean_cosine"] == pytest.approx((2 + 2**-0.5) / 3)
    with pytest.raises(EmbedtuneError, match=r"shape \(3, 1\), torch's \(3, 2\)"):
        compare_embeddings(reference, candidate[:, :1])


@pytest.mark.parametrize(
    ("precision", "measured", "accepted"),
    [
        ("fp32", {"max_abs_diff": 5e-5, "min_cosine": 0.99995, "mean_cosine": 1.0}, True),
        ("fp32", {"max_abs_diff": 2e-4, "min_cosine": 1.0, "mean_cosine": 1.0}, False),
        ("fp32", {"max_abs_diff": 1e-6, "min_cosine": 0.9998, "mean_cosine": 1.0}, False),
        ("int8", {"max_abs_diff": 0.5, "min_cosine": 0.96, "mean_cosine": 0.99}, True),
        ("int8", {"max_abs_diff": 0.0, "min_cosine": 0.94, "mean_cosine": 0.99}, False),
        ("int8", {"max_abs_diff": 0.0, "min_cosine": 0.96, "mean_cosine": 0.975}, False),
    ],
)
def test_default_tolerance(precision: str, measured: dict, accepted: bool) -> None:
    assert Tolerance().accepts(precision, measured) is accepted  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fp32_max_abs_diff": 0.0}, "must be positive"),
        ({"int8_min_cosine": 1.5}, "int8_min_cosine 1.5 is not a cosine"),
        ({"int8_mean_cosine": -2.0}, "int8_mean_cosine -2.0 is not a cosine"),
    ],
)
def test_tolerance_checks(kwargs: dict, message: str) -> None:
    with pytest.raises(EmbedtuneError, match=message):
        Tolerance(**kwargs)


def test_check_texts_are_varied(tiny_model_dir: Path) -> None:
    from embedtune.models.registry import load_tokenizer

    assert len(set(CHECK_TEXTS)) == len(CHECK_TEXTS) == 32
    tokenizer = load_tokenizer(tiny_model_dir)
    lengths = sorted(len(tokenizer(t)["input_ids"]) for t in CHECK_TEXTS)
    assert lengths[0] <= 4  # a one-word query ([CLS] word [SEP])
    assert lengths[-1] > 512  # past any max_seq_length: truncation is checked too


def test_read_layout_of_the_tiny_model(tiny_model_dir: Path) -> None:
    layout = read_layout(tiny_model_dir)
    assert layout.pooling == ("mean",)
    assert layout.normalize is True
    assert layout.max_seq_length == 128  # tokenizer_config.json (sentence-transformers 6 format)
    assert layout.prompt("query") == "" and layout.prompt("document") == ""


def _variant(src: Path, dest: Path, pooling: dict, *, normalize: bool = True) -> Path:
    """A copy of the model folder ``src`` with another pooling config (and maybe no Normalize)."""
    shutil.copytree(src, dest)
    (dest / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    if not normalize:
        modules = json.loads((dest / "modules.json").read_text())
        (dest / "modules.json").write_text(json.dumps(modules[:2]))
    return dest


def test_read_layout_of_the_older_format(tiny_model_dir: Path, tmp_path: Path) -> None:
    legacy = {
        "word_embedding_dimension": 32,
        "pooling_mode_cls_token": True,
        "pooling_mode_mean_tokens": False,
        "pooling_mode_max_tokens": True,
    }
    folder = _variant(tiny_model_dir, tmp_path / "m", legacy, normalize=False)
    (folder / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": 64, "do_lower_case": True})
    )
    (folder / "config_sentence_transformers.json").write_text(
        json.dumps({"prompts": {"query": "query: ", "passage": "passage: "}})
    )
    layout = read_layout(folder)
    assert (layout.pooling, layout.normalize) == (("cls", "max"), False)
    assert (layout.max_seq_length, layout.do_lower_case) == (64, True)
    assert (layout.prompt("query"), layout.prompt("document")) == ("query: ", "passage: ")


@pytest.mark.parametrize(
    ("pooling", "message"),
    [
        ({"pooling_mode": "lasttoken"}, "pooling lasttoken of .* is not supported"),
        ({"pooling_mode": ["mean", "weightedmean"]}, "pooling weightedmean of"),
        ({"pooling_mode_mean_tokens": False}, "pooling none of"),
    ],
)
def test_unsupported_pooling_is_named(
    tiny_model_dir: Path, tmp_path: Path, pooling: dict, message: str
) -> None:
    folder = _variant(tiny_model_dir, tmp_path / "m", pooling)
    with pytest.raises(EmbedtuneError, match=message) as info:
        read_layout(folder)
    assert "mean, cls, max" in str(info.value)


def test_other_modules_are_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    folder = _variant(tiny_model_dir, tmp_path / "m", {"pooling_mode": "mean"})
    modules = json.loads((folder / "modules.json").read_text())
    modules.insert(2, {"idx": 2, "name": "2", "path": "2_Dense", "type": "x.models.Dense"})
    (folder / "modules.json").write_text(json.dumps(modules))
    with pytest.raises(EmbedtuneError, match="Transformer -> Pooling -> Dense -> Normalize"):
        read_layout(folder)


def test_bad_model_dir(tmp_path: Path) -> None:
    with pytest.raises(EmbedtuneError, match=r"model folder .*nowhere not found"):
        check_model_dir(tmp_path / "nowhere")
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "config.json").write_text("{}")
    with pytest.raises(EmbedtuneError, match="not a sentence-transformers model folder"):
        check_model_dir(tmp_path / "plain")
