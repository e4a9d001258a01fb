"""The end of `embedtune run`: base vs fine-tuned at a glance, where things are, what to do next.

The table leads with the honest measures, the ones where the model does not grade its own
training generator's queries: the user's queries (``--eval-queries``), the titles of the
held-back test postings, the corpus's gold queries, general ability (``--general``). The scores
on generated queries follow, labelled as the health check they are; without any honest measure a
warning says so and how to get one. The honest sets are then searched through the run's index
(:func:`search_scores`): what ``embedtune search`` ranks with its words and known queries, beside
the model alone. The example search uses a query from the user's own data.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from embedtune.evaluate.report import HEALTH_CHECK, NO_HONEST_MEASURE
from embedtune.index.known import known_line
from embedtune.index.lexical import lexical_line
from embedtune.run.config import TUTORIAL_QUERY, RunConfig
from embedtune.run.pipeline import RunResult, paths

if TYPE_CHECKING:
    from embedtune.index import Searcher
    from embedtune.progress import Reporter

Row = tuple[str, float, float]
"""(label, base, fine-tuned)."""

HONEST_ROWS = (
    ("nDCG@10, your queries", ("user", "ndcg@10")),
    ("Recall@10, your queries", ("user", "recall@10")),
    ("nDCG@10, test titles", ("titles", "ndcg@10")),
    ("Recall@10, test titles", ("titles", "recall@10")),
    ("nDCG@10, gold queries", ("gold", "ndcg@10")),
    ("Recall@10, gold queries", ("gold", "recall@10")),
    ("nDCG@10, general (BEIR)", ("general", "ndcg@10")),
)
"""The honest measures, in order of preference."""
GENERATED_ROWS = (
    ("nDCG@10", ("ndcg@10",)),
    ("Recall@10", ("recall@10",)),
    ("triplet accuracy", ("triplet_accuracy",)),
)
"""The split's generated queries (a health check), or the user's paired queries (``--pairs``)."""
PAIRED_LABEL = ", your paired queries"
HARD_TRIPLETS = " (negatives the base mined: favour it)"
"""Hard negatives are mined from the base model's ranking below the false-negative guard, so the
base scores ~1.0 triplet accuracy on them and any change of the model can only lose."""


def _get(data: dict[str, Any] | None, path: tuple[str, ...]) -> float | None:
    value: Any = data
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return None if value is None else float(value)


def _rows(
    evaluation: dict[str, Any], specs: tuple[tuple[str, tuple[str, ...]], ...], suffix: str = ""
) -> list[Row]:
    base = evaluation.get("compare")
    sample = evaluation.get("general_max_docs")
    rows = []
    for label, path in specs:
        tuned, before = _get(evaluation, path), _get(base, path)
        if path[0] == "general" and sample:
            label = f"nDCG@10, general ({sample:,}-doc sample)"
        if tuned is not None and before is not None:
            rows.append((label + suffix, before, tuned))
    return rows


def honest_rows(evaluation: dict[str, Any]) -> list[Row]:
    """(metric, base, fine-tuned) of the honest measures both sides have, best first.

    >>> honest_rows({"general": {"ndcg@10": 0.4}, "general_max_docs": 2000,
    ...              "compare": {"general": {"ndcg@10": 0.5}}})
    [('nDCG@10, general (2,000-doc sample)', 0.5, 0.4)]
    """
    return _rows(evaluation, HONEST_ROWS)


def generated_rows(
    evaluation: dict[str, Any], *, paired: bool = False, hard_negatives: bool = False
) -> list[Row]:
    """(metric, base, fine-tuned) on the split's own queries; ``paired``: they are the user's
    held-out paired queries (``--pairs``), labelled so. Triplet accuracy is shown for paired
    queries only with ``hard_negatives``, and then (both ways) labelled :data:`HARD_TRIPLETS`.

    >>> generated_rows({"ndcg@10": 0.8, "compare": {"ndcg@10": 0.5}})
    [('nDCG@10', 0.5, 0.8)]
    >>> generated_rows({"triplet_accuracy": 0.9, "compare": {"triplet_accuracy": 0.99}},
    ...                hard_negatives=True)[0][0]
    'triplet accuracy (negatives the base mined: favour it)'
    """
    rows = _rows(evaluation, GENERATED_ROWS[:2], PAIRED_LABEL if paired else "")
    if hard_negatives or not paired:
        label = "triplet accuracy" + (HARD_TRIPLETS if hard_negatives else "")
        rows += _rows(evaluation, ((label, ("triplet_accuracy",)),))
    return rows


def comparison_rows(
    evaluation: dict[str, Any], *, paired: bool = False, hard_negatives: bool = False
) -> list[Row]:
    """Every row of the summary's table in its order: the honest measures, then the split's
    own queries (see :func:`honest_rows`, :func:`generated_rows`).

    >>> comparison_rows({"ndcg@10": 0.8, "gold": {"ndcg@10": 0.6},
    ...                  "compare": {"ndcg@10": 0.5, "gold": {"ndcg@10": 0.4}}})
    [('nDCG@10, gold queries', 0.4, 0.6), ('nDCG@10', 0.5, 0.8)]
    """
    return honest_rows(evaluation) + generated_rows(
        evaluation, paired=paired, hard_negatives=hard_negatives
    )


Origin = Literal["flag", "eval_queries", "demo", "test_title", "pairs", "generated"]
_ORIGIN_LABEL: dict[Origin, str] = {
    "flag": "",
    "eval_queries": "the first of your --eval-queries",
    "demo": "the tutorial's query, on the demo corpus",
    "test_title": "a held-back test posting's title",
    "pairs": "a held-back query of your --pairs",
    "generated": "a generated query of a test posting: the query generator's, not a user's",
}


@dataclass(frozen=True)
class ExampleQuery:
    """The query searched at the end of a run, and where it came from."""

    text: str
    origin: Origin

    @property
    def label(self) -> str:
        return _ORIGIN_LABEL[self.origin]

    def to_dict(self) -> dict[str, str]:
        return {"query": self.text, "from": self.origin}


def example_query(config: RunConfig) -> ExampleQuery | None:
    """The query to show a search for: ``--query``; else the first of the user's
    ``--eval-queries``; else, on the demo corpus, the tutorial's query; else the first title of
    the held-back test postings; else a query of a test posting: the user's own with ``--pairs``,
    otherwise a generated one (labelled so); None when the run has none of them yet."""
    from embedtune.evaluate.beir import load_queries
    from embedtune.evaluate.user_queries import read_eval_queries

    if config.query:
        return ExampleQuery(config.query, "flag")
    if config.evaluate.eval_queries is not None:
        queries, _ = read_eval_queries(config.evaluate.eval_queries)
        return ExampleQuery(next(iter(queries.values())), "eval_queries")
    if config.source == "demo":
        return ExampleQuery(TUTORIAL_QUERY, "demo")
    ir = paths(config.out)["prepare"] / "ir"
    split_origin: Origin = "pairs" if config.pairs is not None else "generated"
    origins: tuple[tuple[str, Origin], ...] = (
        ("test-titles", "test_title"),
        ("test", split_origin),
    )
    for folder, origin in origins:
        path = ir / folder / "queries.jsonl"
        if path.is_file():
            queries = load_queries(path)
            if queries:
                return ExampleQuery(next(iter(queries.values())), origin)
    return None


def run_searcher(config: RunConfig) -> Searcher | None:
    """The run's index opened for searching, or None when the run has not built one."""
    from embedtune.index import open_index

    folder = paths(config.out)["index"]
    return open_index(folder) if (folder / "index.json").is_file() else None


def search_examples(
    config: RunConfig,
    *,
    k: int = 5,
    query: str | None = None,
    searcher: Searcher | None = None,
) -> list[dict[str, Any]]:
    """The top ``k`` postings for ``query`` (default ``config.query``) in the run's index
    (``searcher``, default: opened here; empty if there is no index or no query)."""
    query = query or config.query
    if not query:
        return []
    searcher = searcher or run_searcher(config)
    if searcher is None:
        return []
    return [hit.to_dict() for hit in searcher.search(query, k=k)]


SEARCHED_SETS = ("user", "gold")
"""The honest sets searched through the run's index (and ``main`` with ``--pairs``: the user's
held-back pairs). Not ``titles``: its documents are the postings without their titles
(:mod:`embedtune.evaluate.titles`) while the index keeps them, so a title would find its own
posting by its words; not ``general``: another corpus, not in the index."""
SEARCH_ROWS = (
    *(row for row in HONEST_ROWS if row[1][0] in SEARCHED_SETS),
    *((label + PAIRED_LABEL, ("main", *path)) for label, path in GENERATED_ROWS[:2]),
)
"""The summary's rows of the sets searched through the index, labelled as in its table."""
SEARCH_HEADING = (
    "Search through the index (what `embedtune search` ranks: the tuned vectors with the "
    "index's words and known queries) vs the tuned model alone"
)


def search_scores(
    config: RunConfig, searcher: Searcher | None, *, reporter: Reporter | None = None
) -> dict[str, dict[str, Any]]:
    """The run's honest query sets searched through its index (:mod:`embedtune.index.scoring`):
    the user's queries (``--eval-queries``) over every posting; the test split's gold queries
    and, with ``--pairs``, its held-back pairs over the test split's postings (the index's
    ``split`` filter), as the model alone was scored (:data:`SEARCHED_SETS`). Empty without an
    index or prepared data."""
    from embedtune.evaluate.model_eval import load_sets
    from embedtune.index.scoring import score_search

    settings = dataclasses.replace(config.evaluate, general=None)
    if searcher is None or settings.data is None or not (settings.data / "ir").is_dir():
        return {}
    sets = load_sets(settings).sets
    names = [*SEARCHED_SETS, "main"] if config.pairs is not None else list(SEARCHED_SETS)
    has_split = "split" in searcher.store.metadata_columns
    out = {}
    for name in names:
        data = sets.get(name)
        if data is None or (name != "user" and not has_split):
            continue
        filters = None if name == "user" else {"split": settings.split}
        score = score_search(searcher, data.queries, data.qrels, filters=filters, reporter=reporter)
        out[name] = score.to_dict()
    return out


def search_lines(evaluation: dict[str, Any], scores: dict[str, dict[str, Any]]) -> list[str]:
    """The honest sets' scores through the index beside the tuned model's own (a table like the
    comparison's: model alone, search, and the difference).

    >>> search_lines({"gold": {"ndcg@10": 0.5}}, {"gold": {"ndcg@10": 0.6}})[2:]
    ['  metric                   model   search    delta', '  nDCG@10, gold queries    0.500    0.600  [green] +0.100[/]']
    """
    rows = []
    for label, path in SEARCH_ROWS:
        # the split's own queries (``main``) are at the top level of the evaluation
        alone = _get(evaluation, path[1:] if path[0] == "main" else path)
        searched = _get(scores, path)
        if alone is not None and searched is not None:
            rows.append((label, alone, searched))
    if not rows:
        return []
    width = max(len(r[0]) for r in rows)
    header = f"  {'metric':<{width}}  {'model':>7}  {'search':>7}  {'delta':>7}"
    return ["", SEARCH_HEADING, header, *_table(rows, width)]


def _table(rows: list[Row], width: int) -> list[str]:
    lines = []
    for label, before, tuned in rows:
        delta = tuned - before
        colour = "green" if delta > 0.0005 else "red" if delta < -0.0005 else "white"
        lines.append(f"  {label:<{width}}  {before:7.3f}  {tuned:7.3f}  [{colour}]{delta:+7.3f}[/]")
    return lines


def comparison_lines(
    evaluation: dict[str, Any],
    base: str | None,
    *,
    paired: bool,
    test_trained: bool = False,
    hard_negatives: bool = False,
) -> list[str]:
    """The table: the honest measures first; the generated queries under their health-check
    heading, after a warning when nothing honest was measured. ``test_trained``: the test
    postings' queries were trained on (``--train-on``), which the heading says;
    ``hard_negatives``: the test triplets' negatives were mined hard (labelled so)."""
    honest = honest_rows(evaluation)
    own = generated_rows(evaluation, paired=paired, hard_negatives=hard_negatives)
    if not honest and not own:
        return []
    width = max(len(r[0]) for r in honest + own)
    where = "test split" + ("; your queries: every posting" if "user" in evaluation else "")
    lines = ["", f"Base [cyan]{base}[/] vs fine-tuned ({where})"]
    lines.append(f"  {'metric':<{width}}  {'base':>7}  {'tuned':>7}  {'delta':>7}")
    lines += _table(honest, width)
    if paired:
        return lines + _table(own, width)
    if not honest:
        lines.append(f"[yellow]warning:[/] {NO_HONEST_MEASURE}")
    if own:
        trained = "; the test postings' queries were trained on too" if test_trained else ""
        lines.append(f"  {HEALTH_CHECK}{trained}")
        lines += _table(own, width)
    return lines


def summary_lines(
    result: RunResult,
    examples: list[dict[str, Any]],
    *,
    example: ExampleQuery | None = None,
    search: dict[str, dict[str, Any]] | None = None,
) -> list[str]:
    """The closing summary, as rich-markup lines; ``example``: the query ``examples`` are for
    (default ``--query``); ``search``: :func:`search_scores`."""
    config = result.config
    where = paths(config.out)
    lines = []
    done = ", ".join(result.ran) or "nothing"
    skipped = f" (skipped, already done: {', '.join(result.skipped)})" if result.skipped else ""
    lines.append(f"[bold]Run finished[/] in {result.seconds:.0f} s: ran {done}{skipped}")
    train = result.results.get("train", {})
    base = train.get("base_model") or result.results.get("select", {}).get("pick")
    evaluation = result.results.get("evaluate", {})
    paired = config.query_source.startswith("column:")
    test_trained = "test" in (train.get("train_on") or ())
    hard = config.negatives.method == "hard"
    lines += comparison_lines(
        evaluation, base, paired=paired, test_trained=test_trained, hard_negatives=hard
    )
    lines += search_lines(evaluation, search or {})
    for warning in evaluation.get("warnings", []):
        lines.append(f"[yellow]warning:[/] {warning}")
    if train.get("message"):  # the weight choice: kept the base, or how much of the tuning
        colour = "yellow" if train.get("kept_base") else "white"
        lines.append(f"[{colour}]train:[/] {train['message']}")
    index = result.results.get("index", {})
    if "known_queries" in index:  # --pairs: the user's pairs kept in the index
        lines.append(f"index: {known_line(index)}")
    if index.get("lexical"):
        lines.append(f"index: {lexical_line(index['lexical'])}")
    if example is None and config.query:
        example = ExampleQuery(config.query, "flag")
    if examples and example is not None:
        lines.append("")
        source = f" ({example.label})" if example.label else ""
        lines.append(f'Search{source}: "{example.text}"')
        for rank, hit in enumerate(examples, 1):
            lines.append(f"  {rank}. {hit.get('score', 0):.3f}  {hit.get('title', '')}")
    lines.append("")
    lines.append(f"Model:  {where['train']}  (a sentence-transformers folder)")
    lines.append(f"Report: {where['evaluate'] / 'report.html'}")
    lines.append(f"Index:  {where['index']}")
    lines.append(f"Serve:  embedtune serve --index {where['index']}")
    return lines
