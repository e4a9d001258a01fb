"""Settings of `embedtune run`: from a YAML file, flags on top; checked on construction."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Literal, cast

from embedtune.errors import EmbedtuneError

StageName = Literal["prepare", "select", "train", "evaluate", "index"]
STAGES: tuple[StageName, ...] = ("prepare", "select", "train", "evaluate", "index")
TUTORIAL_QUERY = "data scientist 6 year experience, LLMs, credit risk, content marketing"


@dataclass
class RunConfig:
    """One run: where the data comes from, what to train, and where everything goes."""

    out: Path = Path("runs/demo")
    corpus: Path | None = None
    pairs: Path | None = None
    text_column: str | None = None
    title_column: str | None = None
    id_column: str | None = None
    query_column: str | None = None
    queries: str = "offline"
    negatives: str = "hard"
    llm_model: str = "gpt-4o-mini"
    llm_base_url: str | None = None
    yes: bool = False
    """Send an OpenAI batch without asking (``--queries openai-batch``)."""
    model: str | None = None
    """The base model to fine-tune; unset: `embedtune select` picks among the installed ones."""
    prepare_model: str = "all-MiniLM-L6-v2"
    """Tokenizer budget and reference model of the prepare stage when ``model`` is unset."""
    max_train: int | None = None
    epochs: int = 1
    seed: int = 42
    demo_size: int = 1000
    general: Path | None = None
    """A BEIR folder to check general ability on (base vs fine-tuned)."""
    general_max_docs: int | None = None
    """Check general ability on a seeded sample of this many of its documents (faster)."""
    from_stage: StageName | None = None
    query: str = TUTORIAL_QUERY
    """Searched in the finished index as the run's last step."""

    def __post_init__(self) -> None:
        self.out = Path(self.out)
        for name in ("corpus", "pairs", "general"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, Path(value))
                if not Path(value).exists():
                    raise EmbedtuneError(
                        f"--{name} {value} does not exist", fix=f"pass an existing --{name} path"
                    )
        if self.general_max_docs is not None and self.general_max_docs < 100:
            raise EmbedtuneError(
                f"--general-max-docs {self.general_max_docs} is too small to rank",
                fix="use at least 100 (e.g. 2000), or leave it out for the whole corpus",
            )
        if self.corpus is not None and self.pairs is not None:
            raise EmbedtuneError(
                "both --corpus and --pairs were given",
                fix="pass --corpus for postings without queries, or --pairs for (query, document) rows",
            )
        if self.pairs is not None and not self.query_column:
            raise EmbedtuneError(
                "--pairs needs --query-column", fix="name the column that holds the queries"
            )
        if self.pairs is not None and self.queries != "offline":
            raise EmbedtuneError(
                f"--queries {self.queries} with --pairs",
                fix="--pairs brings its own queries; drop --queries, or use --corpus",
            )
        if self.queries not in ("offline", "openai", "openai-batch"):
            raise EmbedtuneError(
                f"invalid --queries {self.queries!r}", fix="use offline, openai or openai-batch"
            )
        if self.max_train is not None and self.max_train < 1:
            raise EmbedtuneError(f"--max-train {self.max_train} is below 1", fix="use 1 or more")
        if self.epochs < 1:
            raise EmbedtuneError(f"--epochs {self.epochs} is below 1", fix="use 1 or more")
        if self.from_stage is not None and self.from_stage not in STAGES:
            raise EmbedtuneError(
                f"unknown stage {self.from_stage!r} for --from",
                fix=f"use one of {', '.join(STAGES)}",
            )

    @property
    def source(self) -> str:
        """What `prepare` reads: the corpus, the pairs file, or the built-in demo."""
        path = self.corpus or self.pairs
        return str(path) if path is not None else "demo"

    @property
    def query_source(self) -> str:
        return f"column:{self.query_column}" if self.pairs is not None else self.queries

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, Path):
                data[key] = str(value)
        return data

    @classmethod
    def from_yaml(cls, path: Path, **overrides: Any) -> RunConfig:
        """Settings from a YAML mapping (keys as the flags, ``-`` or ``_``); ``overrides`` win."""
        import yaml

        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except FileNotFoundError:
            raise EmbedtuneError(
                f"config file {path} does not exist", fix="pass a YAML file"
            ) from None
        except yaml.YAMLError as e:
            raise EmbedtuneError(f"{path} is not valid YAML: {e}", fix="fix the file") from None
        if not isinstance(data, dict):
            raise EmbedtuneError(f"{path} is not a YAML mapping", fix="write key: value lines")
        known = {f.name for f in fields(cls)}
        settings = {str(k).replace("-", "_"): v for k, v in data.items()}
        settings = {("from_stage" if k == "from" else k): v for k, v in settings.items()}
        unknown = sorted(set(settings) - known)
        if unknown:
            raise EmbedtuneError(
                f"unknown settings in {path}: {', '.join(unknown)}",
                fix=f"use only: {', '.join(sorted(known))}",
            )
        settings.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**cast(dict[str, Any], settings))
