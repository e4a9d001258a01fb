"""Forgetting control: average the tuned and base weights, the weight chosen on validation.

Fine-tuning on one domain can cost general ability, and on a small or unusual corpus it can make
the domain itself worse. Interpolating the weights, ``w * tuned + (1 - w) * base`` (WiSE-FT),
moves smoothly between the two. After training, each weight of :data:`GRID` is scored on the
most honest validation set the prepared folder has (:func:`honest_validation`) and, when a
general BEIR folder is given, on a seeded sample of it; the best validation weight wins whose
general nDCG@10 is at most ``max_general_drop`` below the base model's. Weight 0 *is* the base
model: when it wins, the base weights are what gets saved, and the result says so.

:func:`interpolate_state` and :func:`choose_weight` are pure; :func:`choose_interpolation` scores
a real model, swapping state dicts into it in place (loaded once).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from embedtune.errors import EmbedtuneError
from embedtune.progress import NullReporter, Reporter

if TYPE_CHECKING:
    import torch
    from sentence_transformers import SentenceTransformer

    from embedtune.evaluate.beir import BeirData
    from embedtune.evaluate.retrieval import RetrievalResult
    from embedtune.evaluate.scored import GeneralScores

__all__ = [
    "GRID",
    "WeightChoice",
    "WeightPoint",
    "choose_interpolation",
    "choose_weight",
    "honest_validation",
    "interpolate_state",
    "state_copy",
]

GRID: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
"""The weights of the tuned model tried by ``interpolate: auto`` (0 = base, 1 = tuned)."""

# Most honest first: gold queries (written apart from the generator of the training queries; the
# demo has them), then the postings' own titles, then generated queries. On the demo the 86 title
# queries of validation are too few to tell tuned from base (2026-11-30: -0.005 there, +0.026 on
# the test titles), while gold agrees with the test split.
VALIDATION_SETS: tuple[tuple[str, str], ...] = (
    (
        "validation-gold",
        "gold queries of validation postings (written apart from the generator of the training "
        "queries)",
    ),
    ("validation-titles", "the titles of validation postings as queries"),
    (
        "validation",
        "generated queries of validation postings: never trained on, but written by the same "
        "generator as the training queries, so they favour the tuned model",
    ),
)


def interpolate_state(
    base: Mapping[str, torch.Tensor], tuned: Mapping[str, torch.Tensor], weight: float
) -> dict[str, torch.Tensor]:
    """``weight * tuned + (1 - weight) * base`` for every floating tensor; integer buffers (such
    as BERT's ``position_ids``) from ``tuned``. Both must have the same keys and shapes.

    >>> import torch
    >>> base, tuned = {"w": torch.tensor([0.0, 2.0])}, {"w": torch.tensor([4.0, 2.0])}
    >>> interpolate_state(base, tuned, 0.25)["w"].tolist()
    [1.0, 2.0]
    """
    if not 0 <= weight <= 1:
        raise EmbedtuneError(f"interpolation weight {weight} is outside 0..1", fix="use 0..1")
    if set(base) != set(tuned):
        only = sorted(set(base) ^ set(tuned))
        raise EmbedtuneError(
            f"the base and tuned weights differ in their tensors (e.g. {only[0]!r})",
            fix="interpolate a model with the base model it was fine-tuned from",
        )
    out: dict[str, torch.Tensor] = {}
    for key, t in tuned.items():
        b = base[key]
        if b.shape != t.shape:
            raise EmbedtuneError(
                f"tensor {key!r} has shape {tuple(b.shape)} in the base and {tuple(t.shape)} "
                "in the tuned model",
                fix="interpolate a model with the base model it was fine-tuned from",
            )
        if not t.is_floating_point():
            out[key] = t.clone()
        elif weight == 0:
            out[key] = b.to(t.dtype).clone()
        elif weight == 1:
            out[key] = t.clone()
        else:
            out[key] = (weight * t + (1 - weight) * b.to(t.dtype)).to(t.dtype)
    return out


def state_copy(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """A detached copy of ``model``'s state on the CPU (training does not change it)."""
    return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}


PAIRS_NOTE = (
    "your own queries of validation postings (the query column of --pairs), never trained on"
)
"""What ``ir/validation`` holds when the queries came from the user's column, not a generator."""


def honest_validation(data: Path) -> tuple[str, str] | None:
    """``(folder name under DATA/ir, what its queries are)`` of the most honest validation set
    ``data`` has (:data:`VALIDATION_SETS`), or None when it has none.

    ``ir/validation`` of a folder whose queries came from a column (``--pairs``) holds the
    user's own queries, and then it comes first: they are the searches the model is tuned for,
    where titles are a stand-in (on SciFact's training claims with its abstracts' titles the
    titles of the 57 validation abstracts scored 0.994 already and chose weight 0.25, 2026-12-01)."""
    from embedtune.evaluate.report import paired_queries

    def has(name: str) -> bool:
        return (Path(data) / "ir" / name / "qrels" / "test.tsv").is_file()

    if paired_queries(data) and has("validation"):
        return "validation", PAIRS_NOTE
    for name, note in VALIDATION_SETS:
        if has(name):
            return name, note
    return None


@dataclass
class WeightPoint:
    """One weight's scores: validation nDCG@10, and general nDCG@10 when it was measured."""

    weight: float
    validation: float
    general: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"weight": self.weight, "validation": self.validation, "general": self.general}


def choose_weight(
    grid: Sequence[float],
    score_validation: Callable[[float], float],
    score_general: Callable[[float], float] | None = None,
    *,
    max_general_drop: float = 0.01,
) -> tuple[float, list[WeightPoint]]:
    """The weight to keep, and the curve measured to choose it.

    Every weight is scored on validation. Then, best validation first (ties to the smaller
    weight, i.e. nearer the base), the first weight whose general score is at most
    ``max_general_drop`` below weight 0's wins. General scores are computed lazily: only weight
    0's and those of the weights tried, so weights that cannot win cost nothing. Weight 0 is
    always a candidate, so the base model wins when nothing beats it.

    >>> val = {0.0: 0.5, 0.5: 0.7, 1.0: 0.8}.__getitem__
    >>> gen = {0.0: 0.40, 0.5: 0.395, 1.0: 0.30}.__getitem__
    >>> w, curve = choose_weight((0.0, 0.5, 1.0), val, gen, max_general_drop=0.01)
    >>> w, [p.general for p in curve]
    (0.5, [0.4, 0.395, 0.3])
    >>> choose_weight((0.0, 1.0), {0.0: 0.6, 1.0: 0.6}.__getitem__)[0]  # a tie keeps the base
    0.0
    """
    weights = sorted(set(grid) | {0.0})
    points = {w: WeightPoint(w, float(score_validation(w))) for w in weights}
    order = sorted(weights, key=lambda w: (-points[w].validation, w))
    if score_general is None:
        return order[0], [points[w] for w in weights]
    base_general = points[0.0].general = float(score_general(0.0))
    floor = base_general - max_general_drop
    chosen = 0.0
    for w in order:
        if w == 0:
            break
        general = points[w].general = float(score_general(w))
        if general >= floor - 1e-12:
            chosen = w
            break
    return chosen, [points[w] for w in weights]


@dataclass
class WeightChoice:
    """What the weight choice measured and decided (``interpolation`` in train_config.json)."""

    mode: Literal["auto", "fixed"]  # fixed: the user's weight (``interpolate: 0.5``)
    weight: float
    validation_set: str
    validation_note: str
    curve: list[WeightPoint]
    general_set: str | None = None
    general_docs: int | None = None
    max_general_drop: float | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    validation_seen: bool = False  # its queries were trained on (``train_on`` with validation)
    # the general set's full results at weight 0 and the chosen weight, by weight fingerprint
    # (kept in MODEL/general_scores.json so the evaluate stage need not encode the set again)
    general_scores: GeneralScores | None = field(default=None, repr=False, compare=False)

    def point(self, weight: float) -> WeightPoint | None:
        return next((p for p in self.curve if p.weight == weight), None)

    @property
    def kept_base(self) -> bool:
        """True when the saved weights are the base model's (weight 0)."""
        return self.weight == 0

    @property
    def message(self) -> str:
        """One plain sentence about the decision, for people."""
        where = f"ir/{self.validation_set}"
        if self.validation_seen:
            where += " (trained on: a forgetting check, not a held-out score)"
        base, chosen = self.point(0.0), self.point(self.weight)
        if base is None or chosen is None:
            return f"saved weight {self.weight:g} of the tuned model"
        tuned = [p for p in self.curve if p.weight > 0]
        if self.kept_base:
            better = [p for p in tuned if p.validation > base.validation]
            if better and base.general is not None:
                return (
                    f"fine-tuning beat the base model on {where} only at a cost in general "
                    f"ability above {self.max_general_drop:g} nDCG@10: keeping the base weights"
                )
            return f"fine-tuning did not beat the base model on {where}: keeping the base weights"
        gain = chosen.validation - base.validation
        text = (
            f"saved weight {self.weight:g} of the tuned model (1 = fully tuned): nDCG@10 on "
            f"{where} {base.validation:.3f} -> {chosen.validation:.3f} ({gain:+.3f})"
        )
        if gain <= 0:
            text += "; it is NOT better than the base model on this set"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "weight": self.weight,
            "kept_base": self.kept_base,
            "message": self.message,
            "validation_set": f"ir/{self.validation_set}",
            "validation_note": self.validation_note,
            "validation_seen": self.validation_seen,
            "general_set": self.general_set,
            "general_docs": self.general_docs,
            "max_general_drop": self.max_general_drop,
            "metric": "ndcg@10",
            "curve": [p.to_dict() for p in self.curve],
            "seconds": round(self.seconds, 1),
            "notes": list(self.notes),
        }


def choose_interpolation(
    model: SentenceTransformer,
    base: Mapping[str, torch.Tensor],
    tuned: Mapping[str, torch.Tensor],
    *,
    data: Path,
    seen: Collection[str] = frozenset(),
    weights: Sequence[float] = GRID,
    general: Path | None = None,
    general_max_docs: int | None = None,
    max_general_drop: float = 0.01,
    seed: int = 42,
    reporter: Reporter | None = None,
) -> WeightChoice | None:
    """Score ``weights`` of ``model`` (see the module docstring), leave the chosen weights loaded
    in ``model`` and return the choice; None (``model`` untouched) when ``data`` has no
    validation set. One weight in ``weights`` (with 0 scored for comparison) is a fixed choice.
    ``seen``: the prepared splits trained on; when the validation set's queries are among them
    the curve favours the tuned model, and the choice says so (only ``--general`` then guards
    against forgetting).
    """
    import time

    from embedtune.evaluate.beir import load_beir, sample_documents
    from embedtune.evaluate.retrieval import evaluate_retrieval
    from embedtune.models.encoder import SentenceTransformerEncoder

    found = honest_validation(data)
    if found is None:
        return None
    start = time.perf_counter()
    name, note = found
    validation = load_beir(Path(data) / "ir" / name)
    general_data: BeirData | None = None
    if general is not None:
        general_data = load_beir(general)
        if general_max_docs is not None:
            general_data = sample_documents(general_data, general_max_docs, seed=seed)
    encoder = SentenceTransformerEncoder(model, cache=False)  # the weights change under it
    loaded: list[float] = []

    def load(weight: float) -> None:
        if loaded[-1:] != [weight]:
            model.load_state_dict(interpolate_state(base, tuned, weight))
            loaded.append(weight)

    fixed = len(weights) == 1
    measured: dict[float, RetrievalResult] = {}  # the general set's results, by weight
    with (reporter or NullReporter()).task("Choosing the weight of the tuned model") as task:

        def scorer(dataset: BeirData) -> Callable[[float], float]:
            def score(weight: float) -> float:
                load(weight)
                result = evaluate_retrieval(encoder, dataset)
                if dataset is general_data:
                    measured[weight] = result
                task.advance(1)
                return result.metrics["ndcg@10"]

            return score

        score_general = scorer(general_data) if general_data is not None else None
        if fixed:  # the user's weight; the base (0) scored beside it, for the record
            chosen = float(weights[0])
            points = [WeightPoint(w, scorer(validation)(w)) for w in sorted({0.0, chosen})]
            if score_general is not None:
                for point in points:
                    point.general = score_general(point.weight)
        else:
            chosen, points = choose_weight(
                weights, scorer(validation), score_general, max_general_drop=max_general_drop
            )
    load(chosen)
    kept = None
    if general_data is not None and 0.0 in measured and chosen in measured:
        kept = _general_scores(general_data, measured, base, chosen, model)
    notes = []
    validation_seen = "validation" in seen  # every ir/validation* set's postings were trained on
    if validation_seen:
        notes.append(
            f"the postings of ir/{name} were trained on (train_on: every split), so its curve "
            "favours the tuned model; only a general set (--general) can hold the weight back"
        )
    if general_data is not None and not fixed:
        skipped = [p.weight for p in points if p.general is None]
        if skipped:
            notes.append(
                "general ability not measured at weight(s) "
                + ", ".join(f"{w:g}" for w in skipped)
                + ": not needed, they scored no better than the chosen weight on validation"
            )
    return WeightChoice(
        mode="fixed" if fixed else "auto",
        weight=chosen,
        validation_set=name,
        validation_note=note,
        curve=points,
        general_set=None if general is None else str(general),
        general_docs=None if general_data is None else len(general_data.doc_ids),
        max_general_drop=max_general_drop if general_data is not None and not fixed else None,
        seconds=time.perf_counter() - start,
        notes=notes,
        validation_seen=validation_seen,
        general_scores=kept,
    )


def _general_scores(
    general: BeirData,
    measured: Mapping[float, RetrievalResult],
    base: Mapping[str, torch.Tensor],
    chosen: float,
    model: SentenceTransformer,
) -> GeneralScores:
    """The general results of the base (weight 0) and of ``model`` as it stands (``chosen``
    loaded), each under the fingerprint of its weights."""
    from embedtune.evaluate.retrieval import DEFAULT_DEPTH
    from embedtune.evaluate.scored import GeneralScores, set_fingerprint
    from embedtune.index.model_info import model_fingerprint, state_fingerprint

    results = {state_fingerprint(base): measured[0.0], model_fingerprint(model): measured[chosen]}
    return GeneralScores(set_fingerprint(general), DEFAULT_DEPTH, results)
