"""The end of `embedtune run`: base vs fine-tuned at a glance, where things are, what to do next."""

from __future__ import annotations

from typing import Any

from embedtune.run.config import RunConfig
from embedtune.run.pipeline import RunResult, paths

ROWS = (
    ("triplet accuracy", ("triplet_accuracy",)),
    ("nDCG@10", ("ndcg@10",)),
    ("Recall@10", ("recall@10",)),
    ("nDCG@10, gold queries", ("gold", "ndcg@10")),
    ("Recall@10, gold queries", ("gold", "recall@10")),
    ("nDCG@10, general (BEIR)", ("general", "ndcg@10")),
)


def _get(data: dict[str, Any] | None, path: tuple[str, ...]) -> float | None:
    value: Any = data
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return None if value is None else float(value)


def comparison_rows(evaluation: dict[str, Any]) -> list[tuple[str, float, float]]:
    """(metric, base, fine-tuned) for each metric both sides have.

    >>> comparison_rows({"ndcg@10": 0.8, "compare": {"ndcg@10": 0.5}})
    [('nDCG@10', 0.5, 0.8)]
    >>> comparison_rows({"general": {"ndcg@10": 0.4}, "general_max_docs": 2000,
    ...                  "compare": {"general": {"ndcg@10": 0.5}}})
    [('nDCG@10, general (2,000-doc sample)', 0.5, 0.4)]
    """
    base = evaluation.get("compare")
    sample = evaluation.get("general_max_docs")
    rows = []
    for label, path in ROWS:
        tuned, before = _get(evaluation, path), _get(base, path)
        if path[0] == "general" and sample:
            label = f"nDCG@10, general ({sample:,}-doc sample)"
        if tuned is not None and before is not None:
            rows.append((label, before, tuned))
    return rows


def search_examples(config: RunConfig, *, k: int = 5) -> list[dict[str, Any]]:
    """The top ``k`` postings for ``config.query`` in the run's index (empty if none yet)."""
    from embedtune.index import open_index

    folder = paths(config.out)["index"]
    if not folder.exists():
        return []
    index = open_index(folder)
    return [hit.to_dict() for hit in index.search(config.query, k=k)]


def summary_lines(result: RunResult, examples: list[dict[str, Any]]) -> list[str]:
    """The closing summary, as rich-markup lines."""
    config = result.config
    where = paths(config.out)
    lines = []
    done = ", ".join(result.ran) or "nothing"
    skipped = f" (skipped, already done: {', '.join(result.skipped)})" if result.skipped else ""
    lines.append(f"[bold]Run finished[/] in {result.seconds:.0f} s: ran {done}{skipped}")
    train = result.results.get("train", {})
    base = train.get("base_model") or result.results.get("select", {}).get("pick")
    evaluation = result.results.get("evaluate", {})
    rows = comparison_rows(evaluation)
    if rows:
        lines.append("")
        lines.append(f"Test split: base [cyan]{base}[/] vs fine-tuned")
        width = max(len(r[0]) for r in rows)
        lines.append(f"  {'metric':<{width}}  {'base':>7}  {'tuned':>7}  {'delta':>7}")
        for label, before, tuned in rows:
            delta = tuned - before
            colour = "green" if delta > 0.0005 else "red" if delta < -0.0005 else "white"
            lines.append(
                f"  {label:<{width}}  {before:7.3f}  {tuned:7.3f}  [{colour}]{delta:+7.3f}[/]"
            )
    for warning in evaluation.get("warnings", []):
        lines.append(f"[yellow]warning:[/] {warning}")
    if examples:
        lines.append("")
        lines.append(f'Search: "{config.query}"')
        for rank, hit in enumerate(examples, 1):
            lines.append(f"  {rank}. {hit.get('score', 0):.3f}  {hit.get('title', '')}")
    lines.append("")
    lines.append(f"Model:  {where['train']}  (a sentence-transformers folder)")
    lines.append(f"Report: {where['evaluate'] / 'report.html'}")
    lines.append(f"Index:  {where['index']}")
    lines.append(f"Serve:  embedtune serve --index {where['index']}")
    return lines
