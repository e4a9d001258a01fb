"""Evaluate a model on a prepared split or any BEIR folder, optionally against a base model.

On a prepared folder (``embedtune prepare --out DIR``) the model ranks every posting of the split
for the split's generated queries (``ir/{split}``), for the titles of its postings when the
corpus has titles (``ir/{split}-titles``, :mod:`.titles`), and for its gold queries when the data
has them (``ir/{split}-gold``); triplet accuracy comes from ``triplets/{split}``. On a BEIR
folder it ranks that corpus. ``eval_queries`` adds the user's own queries (:mod:`.user_queries`),
ranked over every posting of a prepared folder (all splits) or over the BEIR corpus.
``general`` adds any BEIR folder as a check of general ability; with a base model to compare, a
drop of nDCG@10 above ``max_drop`` on any set raises a warning.

The sets are kept in :data:`SET_ORDER`: the honest measures first (the user's queries, titles,
gold, general), the generated queries (``main``, a health check) last.

:func:`evaluate_sets` is the part that loads nothing and takes any encoder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from embedtune._io import iter_json_lines, iter_lines
from embedtune.data.split import SPLIT_NAMES
from embedtune.errors import EmbedtuneError
from embedtune.evaluate.beir import BeirData, OnUnknown, load_beir, load_corpus, sample_documents
from embedtune.evaluate.metrics import METRIC_NAMES
from embedtune.evaluate.retrieval import DEFAULT_DEPTH, RetrievalResult, evaluate_retrieval
from embedtune.evaluate.triplets import load_triplets, triplet_accuracy
from embedtune.evaluate.user_queries import user_set
from embedtune.models.encoder import Encoder
from embedtune.progress import NullReporter, Reporter

if TYPE_CHECKING:
    from datasets import Dataset
    from sentence_transformers import SentenceTransformer

    from embedtune.models.encoder import SentenceTransformerEncoder

SetName = Literal["user", "titles", "gold", "general", "main"]
"""``user``: the user's own queries (``--eval-queries``); ``titles``: the split's postings'
titles; ``gold``: the split's gold queries; ``general``: the general-ability BEIR folder;
``main``: the split's generated queries, or the ``--beir`` folder."""
SET_ORDER: tuple[SetName, ...] = ("user", "titles", "gold", "general", "main")
"""The order sets are evaluated, reported and summarised in: the honest measures first."""
NESTED_SETS: tuple[SetName, ...] = ("user", "titles", "gold", "general")
"""The sets nested under their name in the JSON object (``main`` is at its top level)."""
DELTA_KEYS = (*METRIC_NAMES, "triplet_accuracy")


@dataclass(frozen=True)
class EvaluateConfig:
    """What to evaluate: ``model`` on a prepared ``data`` folder's ``split`` or on ``beir``."""

    model: str
    data: Path | None = None
    split: str = "test"
    beir: Path | None = None
    compare: str | None = None
    eval_queries: Path | None = None  # the user's queries with their relevant ids (user_queries)
    general: Path | None = None
    general_max_docs: int | None = None  # score general ability on a seeded sample this big
    batch_size: int = 64
    depth: int = DEFAULT_DEPTH
    max_drop: float = 0.02
    on_unknown: OnUnknown = "warn"

    def __post_init__(self) -> None:
        if not str(self.model).strip():
            raise EmbedtuneError("--model is empty", fix="pass a model name or folder")
        if (self.data is None) == (self.beir is None):
            raise EmbedtuneError(
                "give exactly one of --data (a prepared folder) and --beir (a BEIR folder)",
                fix="e.g. --data runs/demo/data --split test, or --beir path/to/beir",
            )
        if self.split not in SPLIT_NAMES:
            raise EmbedtuneError(
                f"invalid split {self.split!r}", fix=f"use one of {', '.join(SPLIT_NAMES)}"
            )
        if self.general_max_docs is not None and self.general_max_docs < 100:
            raise EmbedtuneError(
                f"a general sample of {self.general_max_docs} documents is too small to rank",
                fix="use at least 100 (e.g. 2000), or leave it out for the whole corpus",
            )
        if self.batch_size < 1:
            raise EmbedtuneError(f"batch size {self.batch_size} is below 1", fix="use e.g. 64")
        if self.depth < 10:
            raise EmbedtuneError(
                f"ranking depth {self.depth} is below 10", fix="use 100 (MAP@100 needs it)"
            )
        if not 0 <= self.max_drop <= 1:
            raise EmbedtuneError(f"max drop {self.max_drop} is outside 0..1", fix="use 0.02")
        if self.on_unknown not in ("warn", "error"):
            raise EmbedtuneError(
                f"invalid on_unknown {self.on_unknown!r}", fix="use one of warn, error"
            )


@dataclass
class EvalSets:
    """The loaded retrieval sets (by :data:`SetName`) and triplets of one evaluation."""

    sets: dict[str, BeirData]
    triplets: Dataset | None = None
    prepared: bool = False

    @property
    def warnings(self) -> list[str]:
        return [w for data in self.sets.values() for w in data.warnings]


@dataclass
class ModelEvaluation:
    """One model's results on every set."""

    model: str
    results: dict[str, RetrievalResult]
    triplet_accuracy: float | None = None
    prepared: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Main metrics at the top level, the other sets (:data:`NESTED_SETS`) nested."""
        out: dict[str, Any] = self.results["main"].to_dict()
        if self.prepared:
            out["triplet_accuracy"] = self.triplet_accuracy
        for name in NESTED_SETS:
            if name in self.results:
                out[name] = self.results[name].to_dict()
        return out


@dataclass
class Evaluation:
    """A model's evaluation, the base model's when compared, and warnings for people."""

    config: EvaluateConfig
    model: ModelEvaluation
    base: ModelEvaluation | None = None
    warnings: list[str] = field(default_factory=list)
    model_location: str | None = None
    notes: list[str] = field(default_factory=list)  # for people: e.g. a result reused

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` object: see docs/evaluate.md."""
        out: dict[str, Any] = {"model": self.model.model}
        if self.config.data is not None:
            out |= {"data": str(self.config.data), "split": self.config.split}
        else:
            out["beir"] = str(self.config.beir)
        if self.config.eval_queries is not None:
            out["eval_queries"] = str(self.config.eval_queries)
        if self.config.general is not None:
            out["general_beir"] = str(self.config.general)
            if self.config.general_max_docs is not None:
                out["general_max_docs"] = self.config.general_max_docs
        out |= self.model.to_dict()
        if self.base is not None:
            base = self.base.to_dict()
            out["compare"] = {"model": self.base.model, **base, "delta": deltas(out, base)}
        out["warnings"] = list(self.warnings)
        out["notes"] = list(self.notes)
        return out


def deltas(model: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    """``model - base`` for every metric both have, nested sets (user, titles, gold, general) too.

    >>> deltas({"ndcg@10": 0.5, "gold": {"ndcg@10": 0.4}}, {"ndcg@10": 0.25, "gold": {"ndcg@10": 0.5}})
    {'ndcg@10': 0.25, 'gold': {'ndcg@10': -0.09999999999999998}}
    """
    out: dict[str, Any] = {}
    for key in DELTA_KEYS:
        a, b = model.get(key), base.get(key)
        if isinstance(a, int | float) and isinstance(b, int | float):
            out[key] = a - b
    for name in NESTED_SETS:
        if isinstance(model.get(name), Mapping) and isinstance(base.get(name), Mapping):
            out[name] = deltas(model[name], base[name])
    return out


def drop_warnings(
    model: ModelEvaluation, base: ModelEvaluation, sets: EvalSets, max_drop: float
) -> list[str]:
    """A line for each set where nDCG@10 fell by more than ``max_drop`` against the base."""
    lines = []
    for name, result in model.results.items():
        if name not in base.results:
            continue
        now, before = result.metrics["ndcg@10"], base.results[name].metrics["ndcg@10"]
        if before - now > max_drop:
            general = name == "general" or (name == "main" and not sets.prepared)
            kind = "general ability" if general else "retrieval"
            lines.append(
                f"{kind}: nDCG@10 on {sets.sets[name].folder} dropped by {before - now:.3f} "
                f"({before:.3f} -> {now:.3f}, {base.model} -> {model.model}), more than "
                f"{max_drop:g}"
            )
    return lines


def load_sets(config: EvaluateConfig) -> EvalSets:
    """Read the retrieval sets and triplets ``config`` names, checking them."""
    sets: dict[str, BeirData] = {}
    triplets = None
    if config.data is not None:
        data = Path(config.data)
        if not data.is_dir():
            raise EmbedtuneError(
                f"prepared folder {data} not found", fix="run embedtune prepare --out DIR first"
            )
        ir = data / "ir" / config.split
        if not ir.is_dir():
            raise EmbedtuneError(
                f"{data} has no ir/{config.split} (queries and judgements for retrieval)",
                fix="prepare the data with queries (embedtune prepare ... --out DIR), or pass "
                "--beir for a folder in BEIR layout",
            )
        main = load_beir(ir, on_unknown=config.on_unknown)
        for name in ("titles", "gold"):
            folder = data / "ir" / f"{config.split}-{name}"
            if folder.is_dir():
                sets[name] = load_beir(folder, on_unknown=config.on_unknown)
        sets["main"] = main
        triplets = load_triplets(data, config.split)
    else:
        assert config.beir is not None
        sets["main"] = load_beir(config.beir, on_unknown=config.on_unknown)
    if config.eval_queries is not None:
        sets["user"] = _user_queries(config)
    if config.general is not None:
        general = load_beir(config.general, on_unknown=config.on_unknown)
        if config.general_max_docs is not None:
            general = sample_documents(general, config.general_max_docs)
        sets["general"] = general
    ordered: dict[str, BeirData] = {name: sets[name] for name in SET_ORDER if name in sets}
    return EvalSets(ordered, triplets, prepared=config.data is not None)


def whole_corpus(data: Path) -> tuple[list[str], list[str]]:
    """Every posting of a prepared folder, all splits (ids and embedded texts, split order)."""
    doc_ids: list[str] = []
    documents: list[str] = []
    for split in SPLIT_NAMES:
        path = data / "ir" / split / "corpus.jsonl"
        if path.is_file():
            ids, texts = load_corpus(path)
            doc_ids += ids
            documents += texts
    return doc_ids, documents


def dropped_ids(data: Path) -> dict[str, str | None]:
    """Posting id -> the id kept in its place (a duplicate), or None: a prepared folder's
    ``dropped.jsonl``."""
    path = data / "dropped.jsonl"
    if not path.is_file():
        return {}
    return {
        str(row["id"]): (str(row["duplicate_of"]) if row.get("duplicate_of") else None)
        for _, row in iter_json_lines(iter_lines(path), path)
        if row.get("id") is not None
    }


def _user_queries(config: EvaluateConfig) -> BeirData:
    """The user's queries: over every posting of the prepared folder, or the BEIR corpus."""
    assert config.eval_queries is not None
    if config.data is not None:
        data = Path(config.data)
        doc_ids, documents = whole_corpus(data)
        return user_set(config.eval_queries, doc_ids, documents, redirect=dropped_ids(data))
    assert config.beir is not None
    doc_ids, documents = load_corpus(Path(config.beir) / "corpus.jsonl")
    return user_set(config.eval_queries, doc_ids, documents)


def evaluate_sets(
    name: str,
    encoder: Encoder,
    sets: EvalSets,
    *,
    depth: int = DEFAULT_DEPTH,
    reporter: Reporter | None = None,
    known: Mapping[str, RetrievalResult] | None = None,
) -> ModelEvaluation:
    """Evaluate ``encoder`` on every set, and on the split's triplets when there are any.
    ``known``: results already measured for this model, by set name (not encoded again)."""
    known = known or {}
    results = {
        set_name: known[set_name]
        if set_name in known
        else evaluate_retrieval(encoder, data, depth=depth, reporter=reporter)
        for set_name, data in sets.sets.items()
    }
    accuracy = None
    if sets.triplets is not None:
        with (reporter or NullReporter()).task("Triplet accuracy"):
            accuracy = triplet_accuracy(encoder, sets.triplets)
    return ModelEvaluation(name, results, accuracy, prepared=sets.prepared)


def load_encoder(
    name: str, *, batch_size: int = 64, reporter: Reporter | None = None
) -> tuple[SentenceTransformer, SentenceTransformerEncoder, str]:
    """Resolve and load ``name`` (offline-aware); return the model, its encoder and location."""
    from embedtune.models.encoder import SentenceTransformerEncoder
    from embedtune.models.registry import load_model, resolve_model

    resolved = resolve_model(name, reporter=reporter)
    with (reporter or NullReporter()).task(f"Loading {name}"):
        model = load_model(resolved)
    encoder = SentenceTransformerEncoder(model, batch_size=batch_size, reporter=reporter)
    return model, encoder, resolved.location


def _kept_general(
    model: SentenceTransformer, folder: str | None, sets: EvalSets, depth: int
) -> dict[str, RetrievalResult]:
    """``{"general": result}`` when the evaluated model's folder keeps this model's result on
    the same general set at the same depth (:mod:`embedtune.evaluate.scored`), else empty."""
    from embedtune.evaluate.scored import read_general_scores, reuse_for
    from embedtune.index.model_info import model_fingerprint

    general = sets.sets.get("general")
    scores = read_general_scores(folder) if general is not None else None
    if general is None or scores is None:
        return {}
    result = reuse_for(scores, model_fingerprint(model), general, depth)
    return {} if result is None else {"general": result}


def evaluate(config: EvaluateConfig, *, reporter: Reporter | None = None) -> Evaluation:
    """Load the sets and the model(s), evaluate, compare, and collect warnings."""
    sets = load_sets(config)
    results = []
    location = None
    notes: list[str] = []
    for name in (config.model, config.compare):
        if name is None:
            continue
        model, encoder, where = load_encoder(name, batch_size=config.batch_size, reporter=reporter)
        location = location or where
        known = _kept_general(model, location, sets, config.depth)
        if known:
            notes.append(
                f"general ability of {name}: scored by training's weight choice with the same "
                "weights on the same documents and queries (MODEL/general_scores.json), not "
                "encoded again"
            )
        results.append(
            evaluate_sets(
                name,
                encoder,
                sets,
                depth=config.depth,
                reporter=reporter,
                known=known,
            )
        )
        del model, encoder
    evaluation = Evaluation(
        config, results[0], warnings=sets.warnings, model_location=location, notes=notes
    )
    if len(results) == 2:
        evaluation.base = results[1]
        evaluation.warnings += drop_warnings(results[0], results[1], sets, config.max_drop)
    return evaluation
