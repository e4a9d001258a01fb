from __future__ import annotations

import pytest
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer import losses

from embedtune.errors import EmbedtuneError
from embedtune.train.losses import build_loss


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("mnrl", losses.MultipleNegativesRankingLoss),
        ("cached-mnrl", losses.CachedMultipleNegativesRankingLoss),
        ("triplet", losses.TripletLoss),
    ],
)
def test_losses_by_name(tiny_model: SentenceTransformer, name: str, cls: type) -> None:
    loss = build_loss(name, tiny_model, negatives=1)  # type: ignore[arg-type]
    assert isinstance(loss, cls)


def test_gist_uses_the_guide(tiny_model: SentenceTransformer) -> None:
    import copy

    guide = copy.deepcopy(tiny_model)
    loss = build_loss("gist", tiny_model, negatives=0, guide=guide)
    assert isinstance(loss, losses.GISTEmbedLoss) and loss.guide is guide
    with pytest.raises(EmbedtuneError, match="needs a guide model"):
        build_loss("gist", tiny_model, negatives=0)


def test_gather_across_devices_is_passed(tiny_model: SentenceTransformer) -> None:
    loss = build_loss("mnrl", tiny_model, negatives=0, gather_across_devices=True)
    assert loss.gather_across_devices is True


def test_triplet_needs_negatives(tiny_model: SentenceTransformer) -> None:
    with pytest.raises(EmbedtuneError, match="needs a 'negative' column"):
        build_loss("triplet", tiny_model, negatives=0)


def test_matryoshka(tiny_model: SentenceTransformer) -> None:
    loss = build_loss("mnrl", tiny_model, negatives=1, matryoshka_dims=(8, 32, 16))
    assert isinstance(loss, losses.MatryoshkaLoss)
    assert list(loss.matryoshka_dims) == [32, 16, 8]
    cached = build_loss("cached-mnrl", tiny_model, negatives=1, matryoshka_dims=(32, 16))
    assert isinstance(cached, losses.MatryoshkaLoss)
    with pytest.raises(EmbedtuneError, match="exceed the model's embedding size 32"):
        build_loss("mnrl", tiny_model, negatives=1, matryoshka_dims=(64, 16))
