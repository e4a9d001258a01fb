"""Queries encoded by the model's ONNX export find what torch finds, in the same index."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from embedtune.errors import EmbedtuneError
from embedtune.index import IndexConfig, Searcher, build_index

from .conftest import posting_rows

QUERIES = ["python data engineer", "nurse in boston", "machine learning", "sales manager remote"]


@pytest.fixture(scope="module")
def exported_index(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("onnxruntime")
    from embedtune.export import export_onnx

    folder = tmp_path_factory.mktemp("onnx-index")
    model = folder / "model"
    shutil.copytree(tiny_model_dir, model)
    export_onnx(model)
    csv = folder / "jobs.csv"
    pd.DataFrame(posting_rows()).to_csv(csv, index=False)
    build_index(IndexConfig(model=str(model), corpus=str(csv), out=folder / "index"))
    return folder / "index"


@pytest.mark.parametrize("encoder", ["onnx", "onnx-int8"])
def test_onnx_queries_rank_like_torch(exported_index: Path, encoder: str) -> None:
    torch_search = Searcher.open(exported_index)
    onnx_search = Searcher.open(exported_index, query_encoder=encoder)  # type: ignore[arg-type]
    assert type(onnx_search.encoder).__name__ == "OnnxEncoder"
    assert onnx_search.model == torch_search.model  # the same fingerprint was checked
    a = torch_search.encode_queries(QUERIES)
    b = onnx_search.encode_queries(QUERIES)
    cosine = (a * b).sum(axis=1)
    assert cosine.min() > (0.9999 if encoder == "onnx" else 0.95)
    for query in QUERIES:
        expected = [h.id for h in torch_search.search(query, 5)]
        got = [h.id for h in onnx_search.search(query, 5)]
        if encoder == "onnx":
            assert got == expected
        else:  # int8 weights may swap near-ties, never lose the best hit
            assert got[0] == expected[0] and len(set(got) & set(expected)) >= 4


def test_onnx_encoder_errors(shared_index: Path, exported_index: Path) -> None:
    pytest.importorskip("onnxruntime")
    with pytest.raises(EmbedtuneError, match="unknown query encoder 'tensorrt'"):
        Searcher.open(exported_index, query_encoder="tensorrt")  # type: ignore[arg-type]
    with pytest.raises(EmbedtuneError, match=r"ONNX file .*model_qint8\.onnx not found") as info:
        Searcher.open(shared_index, query_encoder="onnx-int8")  # its model was never exported
    assert "embedtune export --model" in str(info.value.fix)
