"""Settings of `embedtune run`: a few run-wide ones, and each stage's own config as a section.

The sections are the stages' own dataclasses (:class:`~embedtune.data.config.PrepareConfig`,
:class:`~embedtune.train.config.TrainConfig`, ...), so every stage setting can be set from a run
and is checked by its stage. A run fills in the fields it owns itself (paths inside the run
folder, the seed, the base model; :data:`OWNED`); the others come from YAML sections or flags::

    out: runs/jobs
    corpus: postings.csv
    epochs: 2                 # a common setting, also a flag (--epochs): train.epochs
    train: {loss: gist, batch_size: 32}
    evaluate: {max_drop: 0.05}

A setting added to a stage's config is therefore settable from a run, and part of that stage's
key in ``run_state.json``, with no change here; only a new flag needs a line in :data:`FLAT`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from embedtune._config import normalise
from embedtune.errors import EmbedtuneError

if TYPE_CHECKING:
    from embedtune.data.config import PrepareConfig
    from embedtune.evaluate.model_eval import EvaluateConfig
    from embedtune.evaluate.select import SelectConfig
    from embedtune.index.config import IndexConfig
    from embedtune.negatives.mining import NegativeConfig
    from embedtune.queries.config import QueryConfig
    from embedtune.train.config import TrainConfig

StageName = Literal["prepare", "select", "train", "evaluate", "index"]
STAGES: tuple[StageName, ...] = ("prepare", "select", "train", "evaluate", "index")
TUTORIAL_QUERY = "data scientist 6 year experience, LLMs, credit risk, content marketing"

SectionName = Literal["prepare", "queries", "negatives", "select", "train", "evaluate", "index"]
SECTIONS: tuple[SectionName, ...] = (
    "prepare",
    "queries",
    "negatives",
    "select",
    "train",
    "evaluate",
    "index",
)
STAGE_SECTIONS: dict[StageName, tuple[SectionName, ...]] = {
    "prepare": ("prepare", "queries", "negatives"),
    "select": ("select",),
    "train": ("train",),
    "evaluate": ("evaluate",),
    "index": ("index",),
}
"""The sections whose settings make up each stage's key in ``run_state.json``."""

OWNED: dict[SectionName, frozenset[str]] = {
    "prepare": frozenset({"source", "out", "overwrite", "seed"}),
    "queries": frozenset({"seed"}),
    "negatives": frozenset({"seed"}),
    "select": frozenset({"data"}),
    "train": frozenset({"data", "out", "model", "overwrite", "resume", "seed"}),
    "evaluate": frozenset({"model", "data", "beir", "split", "compare"}),
    "index": frozenset(
        {"model", "corpus", "out", "overwrite", "update", "text_column", "title_column"}
        | {"id_column", "encoding"}
    ),
}
"""Fields a run fills in itself (from ``out``, ``seed``, ``model`` and the picked base model)."""

UNHASHED: dict[SectionName, frozenset[str]] = {
    "prepare": frozenset({"out", "overwrite"}),
    "queries": frozenset({"yes", "batch_poll_seconds"}),
    "select": frozenset({"data"}),
    "train": frozenset({"data", "out", "model", "overwrite", "resume", "checkpoint_dir"}),
    "evaluate": frozenset({"model", "data", "compare"}),
    "index": frozenset({"model", "corpus", "out", "overwrite", "known_queries"}),
}
"""Fields that do not change a stage's output, or are paths inside the run folder (a moved run
folder still counts as done); the picked base model reaches later keys through select's key."""

FLAT: dict[str, tuple[SectionName, str]] = {
    "text_column": ("prepare", "text_column"),
    "title_column": ("prepare", "title_column"),
    "id_column": ("prepare", "id_column"),
    "demo_size": ("prepare", "demo_size"),
    "prepare_model": ("prepare", "model"),
    "queries": ("queries", "source"),
    "llm_model": ("queries", "llm_model"),
    "llm_base_url": ("queries", "llm_base_url"),
    "yes": ("queries", "yes"),
    "negatives": ("negatives", "method"),
    "num_negatives": ("negatives", "num_negatives"),
    "max_train": ("train", "max_train"),
    "epochs": ("train", "epochs"),
    "loss": ("train", "loss"),
    "batch_size": ("train", "batch_size"),
    "learning_rate": ("train", "learning_rate"),
    "max_seq_length": ("train", "max_seq_length"),
    "train_on": ("train", "train_on"),
    "general": ("evaluate", "general"),
    "eval_queries": ("evaluate", "eval_queries"),
    "general_max_docs": ("evaluate", "general_max_docs"),
}
"""Top-level settings (the flags of `embedtune run`) that stand for a field of a section."""


def _prepare() -> PrepareConfig:
    from embedtune.data.config import PrepareConfig

    return PrepareConfig(source="demo", out=Path("data"))


def _queries() -> QueryConfig:
    from embedtune.queries.config import QueryConfig

    return QueryConfig()


def _negatives() -> NegativeConfig:
    from embedtune.negatives.mining import NegativeConfig

    return NegativeConfig()


def _select() -> SelectConfig:
    from embedtune.evaluate.select import SelectConfig

    return SelectConfig(data=Path("data"))


def _train() -> TrainConfig:
    from embedtune.train.config import TrainConfig

    return TrainConfig(data=Path("data"), out=Path("model"))


def _evaluate() -> EvaluateConfig:
    from embedtune.evaluate.model_eval import EvaluateConfig

    return EvaluateConfig(model="model", data=Path("data"))


def _index() -> IndexConfig:
    from embedtune.index.config import IndexConfig

    return IndexConfig(model="model", corpus="data", out=Path("index"))


DEFAULTS: dict[SectionName, Callable[[], Any]] = {
    "prepare": _prepare,
    "queries": _queries,
    "negatives": _negatives,
    "select": _select,
    "train": _train,
    "evaluate": _evaluate,
    "index": _index,
}
"""Each section as its stage's defaults (owned fields are placeholders until the run fills them)."""


def paths(out: Path) -> dict[StageName, Path]:
    """Where each stage writes inside the run folder."""
    return {
        "prepare": out / "data",
        "select": out / "select",
        "train": out / "model",
        "evaluate": out / "report",
        "index": out / "index",
    }


@dataclass
class RunConfig:
    """One run: where the data comes from, each stage's settings, and where everything goes.

    Build it from flat settings and sections with :meth:`from_dict`; the sections' owned fields
    (:data:`OWNED`) are always filled in here.
    """

    out: Path = Path("runs/demo")
    corpus: Path | None = None
    pairs: Path | None = None
    query_column: str | None = None
    model: str | None = None
    """The base model to fine-tune; unset: `embedtune select` picks among the installed ones."""
    seed: int = 42
    """The seed of every stage."""
    from_stage: StageName | None = None
    query: str | None = None
    """Searched in the finished index as the run's last step; unset: one from the user's own data
    (:func:`embedtune.run.summary.example_query`)."""
    prepare: PrepareConfig = field(default_factory=_prepare)
    queries: QueryConfig = field(default_factory=_queries)
    negatives: NegativeConfig = field(default_factory=_negatives)
    select: SelectConfig = field(default_factory=_select)
    train: TrainConfig = field(default_factory=_train)
    evaluate: EvaluateConfig = field(default_factory=_evaluate)
    index: IndexConfig = field(default_factory=_index)

    def __post_init__(self) -> None:
        self.out = Path(self.out)
        for name in ("corpus", "pairs"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, Path(value))
                _must_exist(name, Path(value))
        if self.evaluate.general is not None:
            _must_exist("general", Path(self.evaluate.general))
        if self.evaluate.eval_queries is not None:
            _must_exist("eval-queries", Path(self.evaluate.eval_queries))
        if self.corpus is not None and self.pairs is not None:
            raise EmbedtuneError(
                "both --corpus and --pairs were given",
                fix="pass --corpus for postings without queries, or --pairs for (query, document) rows",
            )
        if self.pairs is not None and not self.query_column:
            raise EmbedtuneError(
                "--pairs needs --query-column", fix="name the column that holds the queries"
            )
        if self.pairs is not None and self.queries.source not in ("offline", self.query_source):
            raise EmbedtuneError(
                f"--queries {self.queries.source} with --pairs",
                fix="--pairs brings its own queries; drop --queries, or use --corpus",
            )
        if self.from_stage is not None and self.from_stage not in STAGES:
            raise EmbedtuneError(
                f"unknown stage {self.from_stage!r} for --from",
                fix=f"use one of {', '.join(STAGES)}",
            )
        self._fill_owned()

    def _fill_owned(self) -> None:
        where = paths(self.out)
        replace = dataclasses.replace
        self.prepare = replace(
            self.prepare,
            source=self.source,
            out=where["prepare"],
            overwrite=True,
            seed=self.seed,
            model=self.model or self.prepare.model,
        )
        self.queries = replace(self.queries, source=self.query_source, seed=self.seed)
        self.negatives = replace(self.negatives, seed=self.seed)
        self.select = replace(self.select, data=where["prepare"])
        self.train = replace(
            self.train,
            data=where["prepare"],
            out=where["train"],
            model=self.model or self.train.model,  # without --model: the pick, at stage time
            overwrite=True,
            resume=False,
            seed=self.seed,
            # the weight choice watches the general set too (its own sample size, default 1000)
            general=self.train.general or self.evaluate.general,
        )
        self.evaluate = replace(
            self.evaluate,
            model=str(where["train"]),
            data=where["prepare"],
            beir=None,
            split="test",
            compare=None,  # the picked base model, at stage time
        )
        self.index = replace(
            self.index,
            model=str(where["train"]),
            corpus=str(where["prepare"]),
            out=where["index"],
            overwrite=True,
            # the user's own pairs (train and validation splits) stay in the index as known
            # queries (embedtune.index.known): a second way into the postings they lead to
            known_queries=str(where["prepare"]) if self.pairs is not None else None,
        )

    @property
    def source(self) -> str:
        """What `prepare` reads: the corpus, the pairs file, or the built-in demo."""
        path = self.corpus or self.pairs
        return str(path) if path is not None else "demo"

    @property
    def query_source(self) -> str:
        """Where training queries come from: the pairs' column, or ``queries.source``."""
        return f"column:{self.query_column}" if self.pairs is not None else self.queries.source

    def section(self, name: SectionName) -> Any:
        return getattr(self, name)

    def section_settings(self, name: SectionName) -> dict[str, Any]:
        """A section's settings that its stage's output depends on (as JSON values)."""
        values = _jsonable(dataclasses.asdict(self.section(name)), key=True)
        return {k: v for k, v in values.items() if k not in UNHASHED.get(name, ())}

    def to_dict(self) -> dict[str, Any]:
        """The resolved settings, run-wide ones and every section (JSON values)."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for name in SECTIONS:
            data[name] = dataclasses.asdict(data[name])
        return _jsonable(data)

    @classmethod
    def from_dict(cls, settings: Mapping[str, Any]) -> RunConfig:
        """A config from flat settings (the flags' names, ``-`` or ``_``; ``from``) and sections.

        A flat setting that stands for a section's field (:data:`FLAT`) wins over the section.

        >>> config = RunConfig.from_dict({"epochs": 2, "train": {"loss": "gist"}, "out": "r"})
        >>> (config.train.epochs, config.train.loss, str(config.train.out))
        (2, 'gist', 'r/model')
        """
        values = normalise(settings)
        if "from" in values:
            values["from_stage"] = values.pop("from")
        sections: dict[SectionName, dict[str, Any]] = {}
        for name in SECTIONS:
            if isinstance(values.get(name), Mapping):
                sections[name] = dict(values.pop(name))
        run_fields = {f.name for f in dataclasses.fields(cls)} - set(SECTIONS)
        for key in list(values):
            if key in run_fields:
                continue
            if key not in FLAT:
                valid = sorted((run_fields - {"from_stage"}) | set(FLAT) | {"from"})
                raise EmbedtuneError(
                    f"unknown setting {key!r}",
                    fix=f"use one of: {', '.join(valid)}; or a section: {', '.join(SECTIONS)}",
                )
            section, setting = FLAT[key]  # over the section's value: flags win over YAML
            sections.setdefault(section, {})[setting] = values.pop(key)
        built = {name: _section(name, sections.get(name, {})) for name in SECTIONS}
        return cls(**values, **built)


def _section(name: SectionName, values: Mapping[str, Any]) -> Any:
    """Section ``name``: its stage's defaults with ``values`` on top, checked by its stage."""
    default = DEFAULTS[name]()
    types = {f.name: str(f.type) for f in dataclasses.fields(default)}
    for key in values:
        if key not in types or key in OWNED[name]:
            valid = sorted(set(types) - OWNED[name] - {"extra"})
            problem = (
                f"{name}.{key} is set by embedtune run itself"
                if key in types
                else f"unknown setting {name}.{key}"
            )
            raise EmbedtuneError(problem, fix=f"{name} settings are: {', '.join(valid)}")
    coerced = {key: _coerce(types[key], value) for key, value in values.items()}
    return dataclasses.replace(default, **coerced)


def _coerce(type_name: str, value: Any) -> Any:
    """A YAML value as the field's type: strings to paths, lists (or ``a,b``) to tuples."""
    if "Path" in type_name and isinstance(value, str):
        return Path(value)
    if type_name.startswith("tuple") and isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if type_name.startswith("tuple") and isinstance(value, list):
        return tuple(value)
    return value


def _must_exist(flag: str, path: Path) -> None:
    if not path.exists():
        raise EmbedtuneError(
            f"--{flag} {path} does not exist", fix=f"pass an existing --{flag} path"
        )


def _jsonable(value: Any, *, key: bool = False) -> Any:
    """``value`` as JSON values; ``key``: whole floats as ints (``epochs`` 2 and 2.0, one key).

    >>> _jsonable({"epochs": 2.0, "out": Path("o"), "dims": (1,)}, key=True)
    {'epochs': 2, 'out': 'o', 'dims': [1]}
    """
    if isinstance(value, dict):
        return {k: _jsonable(v, key=key) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v, key=key) for v in value]
    if isinstance(value, Path):
        return str(value)
    if key and isinstance(value, float) and value.is_integer():
        return int(value)
    return value
