"""Scores already measured, kept beside a model so that evaluating it again costs nothing.

Training with a general set (``--general``) scores that set at weight 0 (the base model) and at
the chosen weight (the model that gets saved) while it chooses the weight; the evaluate stage
then scored the same set with the same two models again (on the demo, two of its ~2 minutes).
:func:`write_general_scores` keeps what the weight choice measured in ``MODEL/general_scores.json``
and :func:`reuse_for` hands a result back only when it is provably the same measurement: the
same weights (:func:`~embedtune.index.model_info.model_fingerprint`, a hash of every tensor), the
same set (:func:`set_fingerprint`: document ids, texts, queries and judgements, so a differently
seeded sample does not match) and the same ranking depth. Anything else is encoded afresh.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from embedtune._io import write_json
from embedtune.evaluate.beir import BeirData
from embedtune.evaluate.retrieval import RetrievalResult

__all__ = [
    "GENERAL_SCORES",
    "GeneralScores",
    "read_general_scores",
    "reuse_for",
    "set_fingerprint",
    "write_general_scores",
]

GENERAL_SCORES = "general_scores.json"
"""The file in a trained model's folder that holds the weight choice's general-set results."""
_VERSION = 1


def set_fingerprint(data: BeirData) -> str:
    """A hash of what a retrieval set scores: its documents (ids and texts, in order), judged
    queries and judgements. Two samples of one folder match only when they hold the same rows.

    >>> from pathlib import Path
    >>> a = BeirData(Path("x"), ["d1"], ["text"], {"q": "query"}, {"q": {"d1": 1}})
    >>> b = BeirData(Path("y"), ["d1"], ["text"], {"q": "query"}, {"q": {"d1": 2}})
    >>> set_fingerprint(a) == set_fingerprint(a), set_fingerprint(a) == set_fingerprint(b)
    (True, False)
    """
    digest = hashlib.sha256()
    for doc_id, text in zip(data.doc_ids, data.documents, strict=True):
        digest.update(f"d\x1f{doc_id}\x1f{text}\x1e".encode())
    for qid in data.judged:
        digest.update(f"q\x1f{qid}\x1f{data.queries[qid]}\x1e".encode())
        for doc_id, grade in sorted(data.qrels[qid].items()):
            digest.update(f"r\x1f{doc_id}\x1f{grade}\x1e".encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class GeneralScores:
    """One general set's results, by the weight fingerprint of the model that scored them."""

    set_fingerprint: str
    depth: int
    results: Mapping[str, RetrievalResult]  # model fingerprint -> its result on the set

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": _VERSION,
            "set_fingerprint": self.set_fingerprint,
            "depth": self.depth,
            "results": {fp: r.to_record() for fp, r in self.results.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GeneralScores:
        return cls(
            set_fingerprint=str(data["set_fingerprint"]),
            depth=int(data["depth"]),
            results={str(fp): RetrievalResult.from_record(r) for fp, r in data["results"].items()},
        )


def write_general_scores(folder: Path, scores: GeneralScores) -> Path:
    """Write ``scores`` into a model's ``folder`` (:data:`GENERAL_SCORES`); return the path."""
    path = Path(folder) / GENERAL_SCORES
    write_json(path, scores.to_dict())
    return path


def read_general_scores(folder: str | Path | None) -> GeneralScores | None:
    """The scores kept in a model folder, or None: no folder, no file, or a file this version
    cannot read (then the set is simply encoded again)."""
    if folder is None:
        return None
    path = Path(folder) / GENERAL_SCORES
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != _VERSION:
            return None
        return GeneralScores.from_dict(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def reuse_for(
    scores: GeneralScores | None, model_fingerprint: str, data: BeirData, depth: int
) -> RetrievalResult | None:
    """The kept result of the model with ``model_fingerprint`` on ``data`` at ``depth``, or None
    when any of the three differs from what was measured.

    >>> from pathlib import Path
    >>> data = BeirData(Path("g"), ["d1"], ["text"], {"q": "query"}, {"q": {"d1": 1}})
    >>> result = RetrievalResult({"ndcg@10": 1.0}, 1, 1)
    >>> kept = GeneralScores(set_fingerprint(data), 100, {"abc": result})
    >>> reuse_for(kept, "abc", data, 100).metrics, reuse_for(kept, "abc", data, 10)
    ({'ndcg@10': 1.0}, None)
    >>> reuse_for(kept, "other", data, 100) is None
    True
    """
    if scores is None or scores.depth != depth:
        return None
    if scores.set_fingerprint != set_fingerprint(data):
        return None
    return scores.results.get(model_fingerprint)
