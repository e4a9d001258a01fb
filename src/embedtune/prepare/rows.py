"""Training rows for one split: its queries, their positives, and negatives mined in the split."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
    """
    position = {pid: i for i, pid in enumerate(postings["id"])}
    texts = postings["text"].tolist()
    ids = postings["id"].tolist()
    names = negative_columns(num_negatives) if negatives is not None else []
    columns = ["anchor", "positive", *names, "query_id", "positive_id"]
    columns += [f"{name}_id" for name in names]
    rows: list[dict[str, str]] = []
    short = 0
    for i, q in enumerate(queries.itertuples(index=False)):
        pos = position[q.posting_id]
        row = {"anchor": q.query, "positive": texts[pos], "query_id": q.query_id}
        row["positive_id"] = ids[pos]
        if negatives is not None:
            chosen = [j for j in list(negatives[i])[:num_negatives] if j != pos]
            if len(chosen) < num_negatives:
                short += 1
                continue
            for name, j in zip(names, chosen, strict=True):
                row[name], row[f"{name}_id"] = texts[j], ids[j]
        rows.append(row)
    return pd.DataFrame(rows, columns=columns), short


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
            chosen, anchors, positives, texts, encoder, config, groups=groups
        )
    frame, short = triplet_frame(queries, postings, chosen, max(n, 1))
    report["rows_without_enough_negatives"] = short
    return frame, report
