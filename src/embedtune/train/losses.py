"""Build the training loss by name, with an optional Matryoshka wrapper.

- ``mnrl``: MultipleNegativesRankingLoss, in-batch negatives plus any hard negatives (default).
- ``cached-mnrl``: the same loss with GradCache, so a large batch fits in small memory.
- ``gist``: GISTEmbedLoss; a guide model drops in-batch negatives it scores above the positive
  (likely false negatives).
- ``triplet``: TripletLoss on (anchor, positive, negative); needs a negative column.

In data-parallel runs the in-batch losses gather embeddings from every process
(``gather_across_devices``), so each query is contrasted with the whole global batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from embedtune.errors import EmbedtuneError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from torch import nn

    from embedtune.train.config import LossName

__all__ = ["build_loss"]


def build_loss(
    name: LossName,
    model: SentenceTransformer,
    *,
    negatives: int,
    guide: SentenceTransformer | None = None,
    mini_batch_size: int = 16,
    triplet_margin: float = 5.0,
    matryoshka_dims: tuple[int, ...] = (),
    gather_across_devices: bool = False,
) -> nn.Module:
    """The loss ``name`` for ``model``; ``negatives`` is the number of negative columns."""
    from sentence_transformers.sentence_transformer import losses

    loss: nn.Module
    if name == "mnrl":
        loss = losses.MultipleNegativesRankingLoss(
            model, gather_across_devices=gather_across_devices
        )
    elif name == "cached-mnrl":
        loss = losses.CachedMultipleNegativesRankingLoss(
            model, mini_batch_size=mini_batch_size, gather_across_devices=gather_across_devices
        )
    elif name == "gist":
        if guide is None:
            raise EmbedtuneError("the gist loss needs a guide model", fix="pass guide_model")
        loss = losses.GISTEmbedLoss(model, guide, gather_across_devices=gather_across_devices)
    elif name == "triplet":
        if negatives < 1:
            raise EmbedtuneError(
                "the triplet loss needs a 'negative' column, and the triplets have none",
                fix="prepare with negatives (e.g. --negatives hard), or use --loss mnrl",
            )
        loss = losses.TripletLoss(model, triplet_margin=triplet_margin)
    else:  # guarded by TrainConfig; kept for direct callers
        raise EmbedtuneError(
            f"unknown loss {name!r}", fix="use one of: mnrl, cached-mnrl, gist, triplet"
        )
    if matryoshka_dims:
        loss = _matryoshka(loss, model, matryoshka_dims)
    return loss


def _matryoshka(loss: nn.Module, model: SentenceTransformer, dims: tuple[int, ...]) -> nn.Module:
    from sentence_transformers.sentence_transformer import losses

    size = model.get_embedding_dimension() or max(dims)
    too_big = [d for d in dims if d > size]
    if too_big:
        raise EmbedtuneError(
            f"--matryoshka-dims {','.join(map(str, too_big))} exceed the model's "
            f"embedding size {size}",
            fix=f"use sizes up to {size}, e.g. {size},{size // 2},{size // 4}",
        )
    # MatryoshkaLoss wraps the GradCache losses (cached-mnrl) itself
    return losses.MatryoshkaLoss(model, loss, matryoshka_dims=sorted(dims, reverse=True))
