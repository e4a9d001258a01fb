"""An evaluation report people read (report.md, report.html, PNG plots) and the model card.

The honest measures come first (the user's queries, titles, gold queries, general ability); the
generated queries last, labelled as the health check they are: the generator that wrote them
also wrote the training queries, so a rise there says little. A prepared folder with no honest
measure gets a warning saying how to add one (:data:`NO_HONEST_MEASURE`).

Plots (matplotlib, Agg backend, no display needed):

* ``metrics.png``: base vs fine-tuned for each evaluated set and metric;
* ``recall_at_k.png``: mean Recall@k for k = 1..100, per set and model;
* ``scores.png``: cosine scores of relevant (positive) documents against the non-relevant ones
  ranked in the top 10 (the hardest negatives), per model, on the first (most honest) set;
* ``training.png``: training loss and validation nDCG@10, MRR@10 and Recall@10 by step, when a
  training log exists (a ``trainer_state.json`` with a ``log_history`` list, in the model
  folder or given);
* ``interpolation.png``: domain gain vs general ability by the weight of the tuned model against
  the base (0 = base, 1 = tuned), and the weight chosen, when ``train_config.json`` beside the
  training log records the choice (``embedtune train``, ``interpolate: auto``).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from embedtune._io import write_text
from embedtune.evaluate.model_eval import NESTED_SETS, SET_ORDER, Evaluation, ModelEvaluation

REPORT_METRICS = ("ndcg@10", "mrr@10", "recall@10", "map@100", "accuracy@1")
HEALTH_CHECK = (
    "generated queries (health check: written by the same generator the model trained on)"
)
NO_HONEST_MEASURE = (
    "no honest measure: the scores below are the model grading its own training generator's "
    "queries; for an honest one pass --eval-queries FILE (your queries with the ids of their "
    "relevant postings), use a corpus with a title column (--title-column), or pass --general "
    "with a BEIR folder"
)
HONEST_SETS = ("user", "titles", "gold")
"""Sets that measure the task without the training generator (``general`` measures how much
general ability is kept, so it counts too, but not alone as the task's measure)."""


# ---------------------------------------------------------------------------------------------
# Training log


def find_training_log(path: str | Path | None) -> Path | None:
    """A ``trainer_state.json`` at ``path``, in it, or in its newest ``checkpoint-*`` folder."""
    if path is None:
        return None
    path = Path(path)
    if path.is_file():
        return path
    if not path.is_dir():
        return None
    direct = path / "trainer_state.json"
    if direct.is_file():
        return direct
    checkpoints = sorted(
        path.glob("checkpoint-*/trainer_state.json"),
        key=lambda p: int(p.parent.name.rsplit("-", 1)[-1]) if p.parent.name[11:].isdigit() else -1,
    )
    return checkpoints[-1] if checkpoints else None


def read_log_history(path: str | Path | None) -> list[dict[str, Any]]:
    """The ``log_history`` entries of a trainer state (or a bare JSON list); [] when absent."""
    log = find_training_log(path)
    if log is None:
        return []
    try:
        data = json.loads(log.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    history = data.get("log_history") if isinstance(data, dict) else data
    return [e for e in history if isinstance(e, dict)] if isinstance(history, list) else []


def training_curves(history: Sequence[Mapping[str, Any]]) -> dict[str, list[tuple[float, float]]]:
    """Series ``name -> [(step, value)]``: ``loss`` and every ``eval_*`` number in the log.

    >>> training_curves([{"step": 1, "loss": 2.0}, {"step": 2, "eval_loss": 1.5, "epoch": 1.0}])
    {'loss': [(1.0, 2.0)], 'eval_loss': [(2.0, 1.5)]}
    """
    series: dict[str, list[tuple[float, float]]] = {}
    for i, entry in enumerate(history):
        step = float(entry.get("step", i))
        for key, value in entry.items():
            if (key == "loss" or key.startswith("eval_")) and _is_number(value):
                if key.endswith(("_runtime", "_per_second")):
                    continue
                series.setdefault(key, []).append((step, float(value)))
    return series


# ---------------------------------------------------------------------------------------------
# Plots


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _label(evaluation: Evaluation, set_name: str) -> str:
    """A set's short name in tables and plots: ``your queries``, ``test titles``, ..."""
    config = evaluation.config
    if set_name == "user":
        return "your queries"
    if set_name == "general" and config.general is not None:
        return f"general ({Path(config.general).name})"
    if config.data is None:
        return Path(str(config.beir)).name
    return f"{config.split} " + {"titles": "titles", "gold": "gold"}.get(set_name, "generated")


def set_names(evaluation: Evaluation) -> list[str]:
    """The evaluated sets in :data:`SET_ORDER`: the honest measures first."""
    return [name for name in SET_ORDER if name in evaluation.model.results]


def set_notes(evaluation: Evaluation) -> list[str]:
    """What each evaluated set measures, one line each, in the report's order."""
    config = evaluation.config
    results = evaluation.model.results
    split = config.split
    notes = []
    for name in set_names(evaluation):
        result, label = results[name], _label(evaluation, name)
        if name == "user":
            where = (
                f"every posting of the prepared corpus, all splits ({result.num_documents}): "
                "your queries were never training queries, so none is held back"
                if config.data is not None
                else f"the {result.num_documents} documents of {config.beir}"
            )
            text = f"your {result.num_queries} queries ({config.eval_queries}), ranked over {where}"
        elif name == "titles":
            text = (
                f"the {result.num_queries} distinct titles of the held-back {split} postings as "
                f"queries, over the split's postings without their title line; no {split} "
                "posting gave a training query"
            )
        elif name == "gold":
            text = f"the corpus's own hand-written queries for the {split} postings"
        elif name == "general":
            text = "a general-domain BEIR folder: how much general ability the model keeps"
        elif config.data is not None and paired_queries(config.data):
            text = f"your own paired queries of the held-back {split} postings"
        elif config.data is not None:
            text = HEALTH_CHECK + "; a rise here says little"
            if split in trained_splits(evaluation.model_location):
                text += f"; the {split} postings' queries were trained on too (--train-on)"
        else:
            text = f"the BEIR folder {config.beir}"
        notes.append(f"{label}: {text}")
    return notes


def has_honest_measure(evaluation: Evaluation) -> bool:
    """Whether a set other than the generated queries measures the model (BEIR folders and the
    user's own paired queries count)."""
    if evaluation.config.data is None or paired_queries(evaluation.config.data):
        return True
    return any(name in evaluation.model.results for name in (*HONEST_SETS, "general"))


def paired_queries(data: str | Path) -> bool:
    """Whether a prepared folder's queries are the user's own (``--pairs``, a query column)."""
    try:
        config = json.loads((Path(data) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    source = config.get("queries", {}).get("source") if isinstance(config, dict) else None
    return isinstance(source, str) and source.startswith("column:")


def _models(evaluation: Evaluation) -> list[tuple[str, ModelEvaluation]]:
    pairs = [("fine-tuned" if evaluation.base else "model", evaluation.model)]
    if evaluation.base is not None:
        pairs.insert(0, ("base", evaluation.base))
    return pairs


def plot_metrics(evaluations: Sequence[Evaluation], out: Path) -> Path:
    """Grouped bars: one group per (set, metric), one bar per model."""
    plt = _pyplot()
    groups: list[str] = []
    values: dict[str, list[float]] = {}
    for ev in evaluations:
        for set_name in set_names(ev):
            for metric in REPORT_METRICS:
                groups.append(f"{_label(ev, set_name)}\n{metric}")
                for role, model in _models(ev):
                    values.setdefault(role, []).append(model.results[set_name].metrics[metric])
            if set_name == "main" and ev.model.triplet_accuracy is not None:
                groups.append(f"{_label(ev, set_name)}\ntriplet acc")
                for role, model in _models(ev):
                    values.setdefault(role, []).append(model.triplet_accuracy or 0.0)
    width = 0.8 / max(1, len(values))
    fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * len(groups)), 4.0))
    for i, (role, vals) in enumerate(values.items()):
        xs = [x + (i - (len(values) - 1) / 2) * width for x in range(len(groups))]
        ax.bar(xs, vals, width=width, label=role)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups, fontsize=7)
    ax.set_ylim(0, 1)
    ax.set_ylabel("score")
    ax.set_title("Retrieval metrics")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def plot_recall(evaluations: Sequence[Evaluation], out: Path) -> Path:
    """Recall@k curves, one line per (set, model); base dashed."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.0))
    for ev in evaluations:
        for set_name in set_names(ev):
            for role, model in _models(ev):
                curve = model.results[set_name].recall_curve
                style = "--" if role == "base" else "-"
                ax.plot(
                    range(1, len(curve) + 1), curve, style, label=f"{_label(ev, set_name)} {role}"
                )
    ax.set_xscale("log")
    ax.set_xlabel("k")
    ax.set_ylabel("mean Recall@k")
    ax.set_ylim(0, 1.02)
    ax.set_title("Recall@k")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def plot_scores(evaluation: Evaluation, out: Path) -> Path:
    """Histograms of positive vs top-10 negative scores on the first (most honest) set, one
    panel per model."""
    plt = _pyplot()
    models = _models(evaluation)
    set_name = set_names(evaluation)[0]
    fig, axes = plt.subplots(1, len(models), figsize=(5.0 * len(models), 3.6), squeeze=False)
    for ax, (role, model) in zip(axes[0], models, strict=True):
        result = model.results[set_name]
        bins = 30
        ax.hist(
            result.negative_scores, bins=bins, alpha=0.6, density=True, label="negatives (top 10)"
        )
        ax.hist(result.positive_scores, bins=bins, alpha=0.6, density=True, label="positives")
        ax.set_title(f"{role}: {model.model} ({_label(evaluation, set_name)})", fontsize=9)
        ax.set_xlabel("cosine similarity")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


# The validation metrics the training plot shows (key suffix -> label); the evaluator logs
# about 17 numbers per evaluation, and drawn together their legend hides the lines.
TRAINING_METRICS = {"ndcg@10": "nDCG@10", "mrr@10": "MRR@10", "recall@10": "Recall@10"}
_LOSSES = {"loss": "training loss", "eval_loss": "validation loss"}


def training_panels(
    curves: Mapping[str, list[tuple[float, float]]],
) -> dict[str, dict[str, list[tuple[float, float]]]]:
    """The series of the training plot by panel (``loss``, ``validation``) and label.

    Only the training and validation loss, and nDCG@10, MRR@10 and Recall@10 of the
    evaluator; a metric logged by several evaluators keeps its full name, so no label repeats.

    >>> training_panels({"loss": [(1.0, 2.0)], "eval_v_cosine_ndcg@10": [(1.0, 0.5)],
    ...                  "eval_v_cosine_map@100": [(1.0, 0.4)], "eval_runtime": [(1.0, 3.0)]})
    {'loss': {'training loss': [(1.0, 2.0)]}, 'validation': {'nDCG@10': [(1.0, 0.5)]}}
    """
    losses = {label: list(curves[key]) for key, label in _LOSSES.items() if key in curves}
    validation: dict[str, list[tuple[float, float]]] = {}
    for suffix, label in TRAINING_METRICS.items():
        keys = [k for k in curves if k.startswith("eval_") and k.endswith(f"_{suffix}")]
        for key in keys:
            validation[label if len(keys) == 1 else key[len("eval_") :]] = list(curves[key])
    return {"loss": losses, "validation": validation}


def plot_training(curves: Mapping[str, list[tuple[float, float]]], out: Path) -> Path:
    """Loss curves on the left; nDCG@10, MRR@10 and Recall@10 on the right (see
    :func:`training_panels`)."""
    plt = _pyplot()
    panels = training_panels(curves)
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 3.6))
    for ax, (title, series) in zip(axes, panels.items(), strict=True):
        for label, points in series.items():
            ax.plot([p[0] for p in points], [p[1] for p in points], marker=".", label=label)
        ax.set_title(title)
        ax.set_xlabel("step")
        if ax.lines:
            ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def _train_record(path: str | Path | None) -> dict[str, Any] | None:
    """The ``train_config.json`` beside the training log at ``path``, or None."""
    log = find_training_log(path)
    if log is None:
        return None
    try:
        record = json.loads((log.parent / "train_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def trained_splits(path: str | Path | None) -> list[str]:
    """The prepared splits the model at ``path`` was trained on (``train_config.json``); empty
    when unknown (a model trained elsewhere)."""
    record = _train_record(path) or {}
    splits = (record.get("speed") or {}).get("train_on", {}).get("splits")
    return [str(s) for s in splits] if isinstance(splits, list) else []


def read_interpolation(path: str | Path | None) -> dict[str, Any] | None:
    """The weight choice in the ``train_config.json`` beside the training log at ``path``."""
    record = _train_record(path)
    choice = record.get("interpolation") if record is not None else None
    return choice if isinstance(choice, dict) and choice.get("curve") else None


def plot_interpolation(choice: Mapping[str, Any], out: Path) -> Path:
    """nDCG@10 on validation and, where measured, on the general set, by the weight of the tuned
    model (0 = base, 1 = tuned); the chosen weight marked."""
    plt = _pyplot()
    curve = [p for p in choice["curve"] if _is_number(p.get("validation"))]
    fig, ax = plt.subplots(figsize=(6.5, 4.0))
    ax.plot(
        [p["weight"] for p in curve],
        [p["validation"] for p in curve],
        marker="o",
        label=f"domain: {choice.get('validation_set', 'validation')}",
    )
    general = [p for p in curve if _is_number(p.get("general"))]
    if general:
        docs = choice.get("general_docs")
        name = Path(str(choice.get("general_set"))).name + (f", {docs:,} docs" if docs else "")
        ax.plot(
            [p["weight"] for p in general],
            [p["general"] for p in general],
            marker="s",
            linestyle="--",
            label=f"general: {name}",
        )
    ax.axvline(float(choice["weight"]), color="grey", linestyle=":", label="chosen")
    ax.set_xlabel("weight of the tuned model (0 = base, 1 = tuned)")
    ax.set_ylabel("nDCG@10")
    ax.set_title("Domain gain vs general ability")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


# ---------------------------------------------------------------------------------------------
# Report


def metrics_table(evaluations: Sequence[Evaluation]) -> list[list[str]]:
    """Rows (header first): set, metric, base, model, delta."""
    rows = [["set", "metric", "base", "model", "delta"]]
    for ev in evaluations:
        for set_name in set_names(ev):
            names: list[str] = list(REPORT_METRICS)
            if set_name == "main" and ev.model.triplet_accuracy is not None:
                names.append("triplet_accuracy")
            for metric in names:
                value = _metric(ev.model, set_name, metric)
                base = _metric(ev.base, set_name, metric) if ev.base else None
                delta = None if value is None or base is None else value - base
                rows.append(
                    [
                        _label(ev, set_name),
                        metric,
                        _fmt(base),
                        _fmt(value),
                        "" if delta is None else f"{delta:+.3f}",
                    ]
                )
    return rows


def write_report(
    out: str | Path,
    evaluations: Sequence[Evaluation],
    *,
    training_log: str | Path | None = None,
    title: str = "Evaluation report",
) -> Path:
    """Write ``report.md``, ``report.html`` and the plots into ``out``; return ``out``.

    ``training_log``: a ``trainer_state.json`` or a folder holding one (default: the model
    folder of the first evaluation, when it is local).
    """
    if not evaluations:
        raise ValueError("write_report needs at least one evaluation")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    first = evaluations[0]
    plots = [
        ("Base vs fine-tuned", plot_metrics(evaluations, out / "metrics.png")),
        ("Recall@k", plot_recall(evaluations, out / "recall_at_k.png")),
        ("Scores of positives and negatives", plot_scores(first, out / "scores.png")),
    ]
    curves = training_curves(read_log_history(training_log or first.model_location))
    if curves:
        plots.append(("Training", plot_training(curves, out / "training.png")))
    choice = read_interpolation(training_log or first.model_location)
    if choice is not None:
        caption = f"Tuned vs base weights: {choice.get('message', '')}".rstrip(": ")
        plots.append((caption, plot_interpolation(choice, out / "interpolation.png")))
    table = metrics_table(evaluations)
    warnings = [w for ev in evaluations for w in ev.warnings]
    if not all(has_honest_measure(ev) for ev in evaluations):
        warnings.insert(0, NO_HONEST_MEASURE)
    notes = [note for ev in evaluations for note in set_notes(ev)]
    models = f"model **{first.model.model}**" + (
        f", base **{first.base.model}**" if first.base else ""
    )
    md = [f"# {title}", "", models, ""]
    md += [_md_row(table[0]), "|" + "---|" * len(table[0])] + [_md_row(r) for r in table[1:]]
    md += ["", "## What each set measures", ""] + [f"- {n}" for n in notes]
    if warnings:
        md += ["", "## Warnings", ""] + [f"- {w}" for w in warnings]
    for caption, path in plots:
        md += ["", f"## {caption}", "", f"![{caption}]({path.name})"]
    write_text(out / "report.md", "\n".join(md) + "\n")

    h = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;"
        "text-align:right}td:first-child,td:nth-child(2){text-align:left}"
        ".warn{color:#a40}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{html.escape(models.replace('**', ''))}</p>",
        "<table><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in table[0]) + "</tr>",
    ]
    h += [
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in table[1:]
    ]
    h.append("</table>")
    h += (
        ["<h2>What each set measures</h2><ul>"]
        + [f"<li>{html.escape(n)}</li>" for n in notes]
        + ["</ul>"]
    )
    if warnings:
        h += (
            ["<h2>Warnings</h2><ul>"]
            + [f"<li class='warn'>{html.escape(w)}</li>" for w in warnings]
            + ["</ul>"]
        )
    for caption, path in plots:
        h.append(
            f"<h2>{html.escape(caption)}</h2><img src='{path.name}' alt='{html.escape(caption)}'>"
        )
    h.append("</body></html>")
    write_text(out / "report.html", "\n".join(h) + "\n")
    return out


# ---------------------------------------------------------------------------------------------
# Model card


def write_model_card(
    model_dir: str | Path,
    results: Mapping[str, Any],
    *,
    base_model: str | None = None,
    filename: str = "README.md",
    name: str | None = None,
) -> Path:
    """Write a model card into ``model_dir``: how to load it and what it scored.

    ``results`` is an evaluation's ``to_dict()`` (the ``embedtune evaluate --json`` object);
    its ``compare`` part, if any, gives the base model and the deltas. ``name``: what the card
    loads (default: the folder's name).
    """
    model_dir = Path(model_dir)
    name = name or model_dir.name
    compare = results.get("compare") if isinstance(results.get("compare"), Mapping) else None
    base = base_model or (compare or {}).get("model")
    front = ["---", "library_name: sentence-transformers", "pipeline_tag: sentence-similarity"]
    front += ["tags:", "- sentence-transformers", "- embedtune"]
    if base:
        front.append(f"base_model: {base}")
    front.append("---")
    lines = [
        *front,
        "",
        f"# {name}",
        "",
        "A sentence-transformers embedding model fine-tuned with embedtune"
        + (f" from `{base}`." if base else "."),
        "",
        "```python",
        "from sentence_transformers import SentenceTransformer",
        "",
        f'model = SentenceTransformer("{name}")',
        'embeddings = model.encode(["senior data scientist, credit risk, python"])',
        "```",
        "",
        "## Evaluation",
        "",
    ]
    where = results.get("data") or results.get("beir") or "?"
    split = f", split {results['split']}" if results.get("split") else ""
    lines += [f"On `{where}`{split}:", ""]
    rows = [["set", "metric", "this model"] + (["base", "delta"] if compare else [])]
    for set_name, values, base_values in _card_sets(results, compare):
        for metric in (*REPORT_METRICS, "triplet_accuracy"):
            value = values.get(metric)
            if not _is_number(value):
                continue
            row = [set_name, metric, f"{value:.3f}"]
            if compare:
                b: Any = base_values.get(metric) if base_values else None
                row += [_fmt(b), f"{value - b:+.3f}" if _is_number(b) else ""]
            rows.append(row)
    lines += [_md_row(rows[0]), "|" + "---|" * len(rows[0])] + [_md_row(r) for r in rows[1:]]
    warnings = list(results.get("warnings") or [])
    if results.get("data") and not any(
        isinstance(results.get(n), Mapping) for n in (*HONEST_SETS, "general")
    ):
        warnings.insert(0, NO_HONEST_MEASURE)
    if warnings:
        lines += ["", "Warnings:", ""] + [f"- {w}" for w in warnings]
    lines.append("")
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / filename
    write_text(path, "\n".join(lines))
    return path


def _card_sets(
    results: Mapping[str, Any], compare: Mapping[str, Any] | None
) -> list[tuple[str, Mapping[str, Any], Mapping[str, Any] | None]]:
    """(label, values, base values) per set: the honest ones first, the generated queries last."""
    labels = {"user": "your queries", "titles": "titles", "gold": "gold", "general": "general"}
    out: list[tuple[str, Mapping[str, Any], Mapping[str, Any] | None]] = []
    for name in NESTED_SETS:
        if isinstance(results.get(name), Mapping):
            base = compare.get(name) if compare else None
            out.append((labels[name], results[name], base if isinstance(base, Mapping) else None))
    main = "generated queries (health check)" if results.get("data") else "queries"
    out.append((main, results, compare))
    return out


def _metric(model: ModelEvaluation | None, set_name: str, metric: str) -> float | None:
    if model is None or set_name not in model.results:
        return None
    if metric == "triplet_accuracy":
        return model.triplet_accuracy
    return model.results[set_name].metrics.get(metric)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if _is_number(value) else ""


def _md_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"
