"""How well an index's own search ranks judged queries: what ``embedtune search`` returns.

The model alone is scored by :mod:`embedtune.evaluate` (its vectors over a set's documents).
The index ranks with more than the model: its lexical half (BM25, :mod:`.lexical`) and any known
queries (:mod:`.known`), at the weights it keeps. :func:`score_search` puts judged queries
through :meth:`~embedtune.index.store.PostingStore.search` (texts and vectors, ``filters`` as a
search request would give them) and scores the rankings with the same metrics
(:func:`embedtune.evaluate.metrics.retrieval_metrics`), so that the two can stand side by side.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from embedtune.evaluate.metrics import Qrels, judged_queries, retrieval_metrics
from embedtune.progress import NullReporter, Reporter

if TYPE_CHECKING:
    from embedtune.index.search import Searcher
    from embedtune.index.store import FilterValue

DEPTH = 100
"""Postings ranked per query (as the model's evaluation: MAP@100 needs 100)."""
BATCH = 256
"""Queries encoded and searched at once."""


@dataclass(frozen=True)
class SearchScore:
    """The metrics of an index's search on one set of judged queries."""

    metrics: dict[str, float]
    num_queries: int
    filters: dict[str, Any] | None
    words: bool

    def to_dict(self) -> dict[str, Any]:
        """The metrics (rounded to 4 places) and what was searched, for JSON."""
        return {
            **{name: round(value, 4) for name, value in self.metrics.items()},
            "num_queries": self.num_queries,
            "filters": self.filters,
            "words": self.words,
        }


def score_search(
    searcher: Searcher,
    queries: Mapping[str, str],
    qrels: Qrels,
    *,
    filters: Mapping[str, FilterValue] | None = None,
    words: bool = True,
    depth: int = DEPTH,
    reporter: Reporter | None = None,
) -> SearchScore:
    """Search every judged query of ``qrels`` (its text in ``queries``) through ``searcher``'s
    index, ``depth`` postings deep under ``filters``, and score the rankings.

    ``words``: pass the query texts, so the lexical half counts as in a search request (False:
    vectors and known queries alone). A judged query without a text is an error, as in the
    model's evaluation.
    """
    scores = score_searches(
        searcher, queries, qrels, filters=filters, words=(words,), depth=depth, reporter=reporter
    )
    return scores[words]


def score_searches(
    searcher: Searcher,
    queries: Mapping[str, str],
    qrels: Qrels,
    *,
    filters: Mapping[str, FilterValue] | None = None,
    words: Sequence[bool] = (True, False),
    depth: int = DEPTH,
    reporter: Reporter | None = None,
) -> dict[bool, SearchScore]:
    """:func:`score_search` once per setting of ``words``, each query encoded once for all."""
    judged = judged_queries(qrels)
    missing = [q for q in judged if q not in queries]
    if missing:
        raise ValueError(f"{len(missing)} judged queries have no text, e.g. {missing[0]!r}")
    ranked: dict[bool, dict[str, list[str]]] = {w: {} for w in words}
    with (reporter or NullReporter()).task("Searching the index", total=len(judged)) as task:
        for start in range(0, len(judged), BATCH):
            batch = judged[start : start + BATCH]
            texts = [queries[q] for q in batch]
            vectors = searcher.encode_queries(texts)
            for w, run in ranked.items():
                hits = searcher.store.search(vectors, depth, filters, texts=texts if w else None)
                run.update({q: [h.id for h in row] for q, row in zip(batch, hits, strict=True)})
            task.advance(len(batch))
    judgements = {q: qrels[q] for q in judged}
    return {
        w: SearchScore(
            retrieval_metrics(run, judgements), len(judged), dict(filters) if filters else None, w
        )
        for w, run in ranked.items()
    }
