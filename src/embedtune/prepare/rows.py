"""Training rows for one split: its queries, their positives, and negatives mined in the split."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from embedtune.errors import EmbedtuneError
from embedtune.models.encoder import Encoder
from embedtune.negatives.mining import NegativeConfig, mine_negatives
from embedtune.negatives.widen import widen_window
from embedtune.progress import NullReporter, Reporter


def negative_columns(n: int) -> list[str]:
    """``negative``, ``negative_2``, ... for ``n`` negatives.

    >>> negative_columns(3)
    ['negative', 'negative_2', 'negative_3']
    """
    return ["negative" if k == 1 else f"negative_{k}" for k in range(1, n + 1)]


def triplet_frame(
    queries: pd.DataFrame,
    postings: pd.DataFrame,
    negatives: Sequence[Sequence[int]] | None,
    num_negatives: int,
) -> tuple[pd.DataFrame, int]:
    """Training rows for one split: anchor, positive, negative(_2, ...) and their ids.

    ``queries`` rows refer to ``postings`` by ``posting_id``; ``negatives[i]`` holds row indices
    into ``postings`` for query ``i`` (None: in-batch negatives only, no negative columns). Rows
    with fewer than ``num_negatives`` negatives (a negative equal to the positive does not count)
    are left out; their number is returned too.

    Built column by column with object columns: a text cell refers to its posting's one Python
    string (no copy per row; pandas' ``str`` columns would copy every cell's text), so the frame
    costs a pointer a cell, whatever the number of rows.
    """
    position = {pid: i for i, pid in enumerate(postings["id"])}
    texts = postings["text"].to_numpy(dtype=object)
    ids = postings["id"].to_numpy(dtype=object)
    names = negative_columns(num_negatives) if negatives is not None else []
    columns = ["anchor", "positive", *names, "query_id", "positive_id"]
    columns += [f"{name}_id" for name in names]
    pos = np.fromiter((position[p] for p in queries["posting_id"]), np.int64, len(queries))
    keep = np.ones(len(queries), dtype=bool)
    chosen = np.zeros((len(queries), len(names)), dtype=np.int64)
    if negatives is not None:
        for i, (negs, p) in enumerate(zip(negatives, pos, strict=True)):
            row = [j for j in list(negs)[:num_negatives] if j != p]
            if len(row) < num_negatives:
                keep[i] = False
            else:
                chosen[i] = row
    pos, chosen = pos[keep], chosen[keep]
    data: dict[str, Any] = {
        "anchor": queries["query"].to_numpy(dtype=object)[keep],
        "positive": texts[pos],
        "query_id": queries["query_id"].to_numpy(dtype=object)[keep],
        "positive_id": ids[pos],
    }
    for k, name in enumerate(names):
        data[name], data[f"{name}_id"] = texts[chosen[:, k]], ids[chosen[:, k]]
    return pd.DataFrame(data, columns=columns, dtype=object), int((~keep).sum())


def split_rows(
    name: str,
    postings: pd.DataFrame,
    queries: pd.DataFrame,
    config: NegativeConfig,
    encoder: Encoder,
    *,
    reporter: Reporter | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The training rows of split ``name``, negatives mined among that split's postings only;
    and the mining report."""
    reporter = reporter or NullReporter()
    if len(queries) == 0:
        frame, _ = triplet_frame(queries, postings, None if config.method == "none" else [], 1)
        return frame, {"queries": 0, "postings": len(postings)}
    n = config.num_negatives if config.method != "none" else 0
    if config.method != "none" and len(postings) - 1 < n:
        raise EmbedtuneError(
            f"the {name} split has {len(postings)} postings: too few for {n} negatives per query",
            fix="use a larger corpus, fewer --num-negatives, or --negatives none",
        )
    position = {pid: i for i, pid in enumerate(postings["id"])}
    texts, anchors = postings["text"].tolist(), queries["query"].tolist()
    positives = [position[p] for p in queries["posting_id"]]
    groups = pd.factorize(postings["group"])[0].tolist()
    result = mine_negatives(
        anchors, positives, texts, encoder, config, groups=groups, reporter=reporter
    )
    chosen = None if config.method == "none" else result.negatives
    report = {"queries": len(queries), "postings": len(postings), **result.report}
    if config.method == "hard" and chosen is not None:
        report["widened"] = widen_window(
            chosen, anchors, positives, texts, encoder, config, groups=groups, reporter=reporter
        )
    frame, short = triplet_frame(queries, postings, chosen, max(n, 1))
    report["rows_without_enough_negatives"] = short
    return frame, report
