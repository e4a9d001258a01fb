"""What an evaluation leaves on disk, the same for `embedtune evaluate --report` and `run`.

Into the report folder: ``report.md``, ``report.html`` with the plots, and ``evaluation.json``
(the ``--json`` object); and a model card: the model folder's ``README.md`` in a run, or
``model_card.md`` in the report folder (a model passed to `embedtune evaluate` is not written to).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from embedtune._io import write_json
from embedtune.evaluate.report import write_model_card, write_report

if TYPE_CHECKING:
    from embedtune.evaluate.model_eval import Evaluation

EVALUATION_FILE = "evaluation.json"
REPORT_CARD = "model_card.md"


def write_evaluation(
    out: str | Path,
    evaluation: Evaluation,
    *,
    model_card: str | Path | None = None,
    training_log: str | Path | None = None,
    title: str = "Evaluation report",
) -> dict[str, Any]:
    """Write the report, ``evaluation.json`` and the model card; return the results written.

    ``model_card``: the card's path (default ``out/model_card.md``, loading the model by the
    name it was evaluated under); a card beside a model loads it by its folder's name.
    """
    out = Path(out)
    results = evaluation.to_dict()
    write_report(out, [evaluation], training_log=training_log, title=title)
    write_json(out / EVALUATION_FILE, results)
    card = Path(model_card) if model_card is not None else out / REPORT_CARD
    name = None if model_card is not None else evaluation.model.model
    write_model_card(card.parent, results, filename=card.name, name=name)
    return results
