from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from tests.fakes import RecordingReporter

from embedtune.models.encoder import TextKind
from embedtune.negatives.mining import NegativeConfig, mine_negatives
from embedtune.negatives.widen import widen_window

# cosine of each posting to the query "q"; posting 0 is the positive
SCORES = {"p0": 1.0, "p1": 0.99, "p2": 0.98, "p3": 0.5, "p4": 0.4, "p5": 0.3}


class TableEncoder:
    """Fixed 2-d vectors: the query on the x axis, each posting at its cosine from it."""

    dimension = 2

    def encode(self, texts: Sequence[str], *, kind: TextKind = "document") -> np.ndarray:
        s = np.array([SCORES.get(t, 1.0) for t in texts], dtype=np.float32)
        return np.stack([s, np.sqrt(1 - s**2)], axis=1)


def test_a_window_of_false_negatives_widens_until_one_is_found() -> None:
    corpus = list(SCORES)
    config = NegativeConfig(range_max=2, guard=0.95)
    first = mine_negatives(["q"], [0], corpus, TableEncoder(), config, groups=list(range(6)))
    chosen = [list(c) for c in first.negatives]
    assert chosen == [[]]  # p1 and p2 score above 0.95 x the positive: guarded out
    reporter = RecordingReporter()
    counts = widen_window(
        chosen, ["q"], [0], corpus, TableEncoder(), config, groups=list(range(6)), reporter=reporter
    )
    assert counts == {"short": 1, "completed": 1}
    assert chosen == [[3]]  # the best of ranks [2, 5): p3
    assert reporter.tasks == [["Mining hard negatives", 1, 1]]  # one wider round, shown


def test_nothing_to_widen_when_every_query_has_its_negatives() -> None:
    chosen = [[3]]
    counts = widen_window(chosen, ["q"], [0], list(SCORES), TableEncoder(), NegativeConfig())
    assert counts == {"short": 0, "completed": 0} and chosen == [[3]]
