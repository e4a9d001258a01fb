from __future__ import annotations

import math

import pytest
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer import losses

from embedtune.errors import EmbedtuneError
from embedtune.train.losses import build_loss

ANCHORS = ["python developer", "icu nurse nights", "truck driver cdl"]


def _loss_value(loss: torch.nn.Module, model: SentenceTransformer, *columns: list[str]) -> float:
    """``loss`` on one batch whose columns are ``columns`` (anchor, positive, negatives...)."""
    features = [model.tokenize(texts) for texts in columns]
    model.eval()  # no dropout: the same batch gives the same value
    with torch.no_grad():
        return float(loss(features, torch.zeros(len(columns[0]))))


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("mnrl", losses.MultipleNegativesRankingLoss),
        ("cached-mnrl", losses.CachedMultipleNegativesRankingLoss),
        ("triplet", losses.TripletLoss),
    ],
)
def test_losses_by_name(tiny_model: SentenceTransformer, name: str, cls: type) -> None:
    """Each name builds its loss, which is finite and prefers the true positive to a negative."""
    loss = build_loss(name, tiny_model, negatives=1)  # type: ignore[arg-type]
    assert isinstance(loss, cls)
    # the positive is the anchor's own text, the negative another anchor's
    right = _loss_value(loss, tiny_model, ANCHORS, ANCHORS, ANCHORS[1:] + ANCHORS[:1])
    wrong = _loss_value(loss, tiny_model, ANCHORS, ANCHORS[1:] + ANCHORS[:1], ANCHORS)
    assert math.isfinite(right) and math.isfinite(wrong)
    assert right < wrong


def test_cached_mnrl_agrees_with_mnrl(tiny_model: SentenceTransformer) -> None:
    """GradCache in mini-batches of one computes the plain loss's value."""
    batch = (ANCHORS, ANCHORS[1:] + ANCHORS[:1], ANCHORS[2:] + ANCHORS[:2])
    plain = _loss_value(build_loss("mnrl", tiny_model, negatives=1), tiny_model, *batch)
    cached = build_loss("cached-mnrl", tiny_model, negatives=1, mini_batch_size=1)
    assert _loss_value(cached, tiny_model, *batch) == pytest.approx(plain, rel=1e-5)


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
