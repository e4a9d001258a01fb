"""Tests for embedtune.models.loading: tokenizers, the longest input, and models, offline."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.models.conftest import MPNET, install_fake_parts, tree, zip_bytes

from embedtune.errors import EmbedtuneError
from embedtune.models import (
    KNOWN_MODELS,
    KnownModel,
    ResolvedModel,
    load_model,
    load_tokenizer,
    max_seq_length,
    model_cache_dir,
    resolution,
    resolve_model,
)


def test_minilm_max_seq_length_is_256() -> None:
    assert max_seq_length("all-MiniLM-L6-v2") == 256
    assert max_seq_length(resolve_model("sentence-transformers/all-MiniLM-L6-v2")) == 256


def test_minilm_tokenizer_loads_offline() -> None:
    tokenizer = load_tokenizer("all-minilm-l6-v2")
    assert len(tokenizer) == 30522
    assert tokenizer("hello world")["input_ids"][0] == tokenizer.cls_token_id


def test_local_folder_loads(tiny_model_dir: Path) -> None:
    resolved = resolve_model(str(tiny_model_dir))
    assert max_seq_length(resolved) == 128
    model = load_model(resolved, device="cpu")
    embeddings = model.encode(["a short sentence", "another one"])
    assert embeddings.shape == (2, 32)
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, rtol=1e-5)
    assert len(load_tokenizer(tiny_model_dir)) == 30522


def test_old_style_folder_reads_transformer_subfolder(tmp_path: Path) -> None:
    """sentence-transformers v1 kept the transformer (and its max_seq_length) in 0_Transformer/."""
    (tmp_path / "0_Transformer").mkdir()
    (tmp_path / "modules.json").write_text(
        json.dumps([{"idx": 0, "name": "0", "path": "0_Transformer", "type": "x.Transformer"}])
    )
    (tmp_path / "0_Transformer" / "sentence_bert_config.json").write_text('{"max_seq_length": 200}')
    assert max_seq_length(resolve_model(tmp_path)) == 200


@pytest.mark.parametrize(
    ("tokenizer_config", "expected"),
    [({"model_max_length": 1e30}, 512), ({"model_max_length": 300}, 300)],
)
def test_max_seq_length_without_sbert_config_uses_tokenizer_capped(
    tmp_path: Path, tokenizer_config: dict[str, float], expected: int
) -> None:
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "tokenizer_config.json").write_text(json.dumps(tokenizer_config))
    assert max_seq_length(resolve_model(tmp_path)) == expected


# --- hub loading without a network --------------------------------------------------------------


@pytest.mark.parametrize("load", [load_model, load_tokenizer], ids=["model", "tokenizer"])
def test_hub_failure_for_a_known_model_names_the_pip_package(load: Callable[..., Any]) -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    hub = ResolvedModel(name="mpnet", location=MPNET.hub_id, source="hub", known=MPNET)
    with pytest.raises(EmbedtuneError) as caught:
        load(hub)
    assert f"could not load {MPNET.hub_id} from the Hugging Face Hub" in caught.value.problem
    assert caught.value.fix == f"install it offline instead: {MPNET.install}"


def test_hub_failure_for_an_unknown_model_names_the_offline_route() -> None:
    hub = ResolvedModel(name="owner/name", location="owner/name", source="hub", known=None)
    with pytest.raises(EmbedtuneError) as caught:
        load_model(hub)
    assert caught.value.fix is not None
    assert "all-MiniLM-L6-v2" in caught.value.fix
    assert "pass its folder" in caught.value.fix


def test_hub_max_seq_length_of_a_known_model_needs_no_network() -> None:
    hub = ResolvedModel(name="mpnet", location=MPNET.hub_id, source="hub", known=MPNET)
    assert max_seq_length(hub) == MPNET.max_seq_length


def test_mpnet_fake_packages_hold_a_loadable_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: Path, tiny_model_dir: Path
) -> None:
    install_fake_parts(tmp_path / "site", zip_bytes(tree(tiny_model_dir)))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    model = load_model("all-mpnet-base-v2", device="cpu")
    assert model.encode(["hello"]).shape == (1, 32)


# --- real models (slow) --------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("known", KNOWN_MODELS, ids=lambda k: k.name)
def test_known_model_loads_with_its_stated_dimension(known: KnownModel) -> None:
    """Each known model that is installed resolves offline and embeds at the table's dimension."""
    if resolution._installed_payload(known) is None:
        pytest.skip(f"{known.name} is not installed ({known.install})")
    resolved = resolve_model(known.name, offline=True)
    assert resolved.source == "package"
    if known.layout == "split-zip":
        assert Path(resolved.location).parent == model_cache_dir()
    assert max_seq_length(resolved) == known.max_seq_length
    model = load_model(resolved, device="cpu")
    embeddings = model.encode(["offline embeddings", "from a pip package"])
    assert embeddings.shape == (2, known.dimension)
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, rtol=1e-5)
    assert model.max_seq_length == known.max_seq_length
