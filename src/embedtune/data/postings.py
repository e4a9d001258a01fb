"""Stage 1, first half: raw postings -> clean, deduplicated, token-fitted, leakage-safe splits.

:func:`load_source` loads the corpus and the tokenizer; :func:`prepare_corpus` does the work on
data in memory, in small steps (read rows, filter, clean, dedupe, fit, split), and is what tests
exercise. :func:`embedtune.prepare.prepare` runs both and writes the result.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from embedtune._io import check_out
from embedtune.data.budget import count_tokens, fit_to_budget
from embedtune.data.clean import BOILERPLATE_KINDS, CleanResult, clean_posting
from embedtune.data.config import PrepareConfig
from embedtune.data.dedupe import find_duplicates
from embedtune.data.load import (
    ColumnMap,
    Corpus,
    check_column_types,
    column_key,
    load_corpus,
    resolve_columns,
)
from embedtune.data.split import SPLIT_NAMES, grouped_split
from embedtune.errors import EmbedtuneError
from embedtune.progress import NullReporter, Reporter, track

CORE_COLUMNS = ("id", "title", "text", "split", "group")
DROP_REASONS = (
    "title_filter",
    "empty_text",
    "empty_after_cleaning",
    "exact_duplicate",
    "near_duplicate",
)
COMPANY_COLUMNS = ("company", "company_name")


@dataclass(frozen=True)
class PreparedCorpus:
    postings: pd.DataFrame
    """One row per kept posting: id, title, text, split, group and metadata columns."""
    dropped: list[dict[str, Any]]
    """One record per dropped row: row, id, title, reason (and duplicate_of, similarity)."""
    gold_queries: pd.DataFrame | None
    """query_id, query, posting_id, split (when the source brings queries)."""
    report: dict[str, Any]
    row_ids: tuple[str, ...] = ()
    """The id of every input row, in input order (dropped rows too; see ``dropped``)."""

    def posting_of_rows(self) -> list[str | None]:
        """Per input row, the kept posting it became: itself, its kept original, or None."""
        redirect = {d["id"]: d.get("duplicate_of") for d in self.dropped}
        return [redirect.get(pid, pid) for pid in self.row_ids]


def stable_ids(titles: list[str], texts: list[str]) -> list[str]:
    """Content-derived ids: the same posting gets the same id in every run; repeats get a suffix.

    >>> stable_ids(["DS", "DS"], ["Python", "Python"])
    ['p-3f14ac3efda1', 'p-3f14ac3efda1-2']
    """
    seen: Counter[str] = Counter()
    ids = []
    for title, text in zip(titles, texts, strict=True):
        base = "p-" + hashlib.sha1(f"{title}\n{text}".encode()).hexdigest()[:12]
        seen[base] += 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return ids


def title_filter(titles: list[str], keep: tuple[str, ...]) -> list[bool]:
    """Which titles contain one of the ``keep`` phrases (case-insensitive, whole words).

    >>> title_filter(["Senior Data Scientist", "Data Science Manager"], ("data scientist",))
    [True, False]
    """
    patterns = [re.compile(rf"(?<!\w){re.escape(k.lower())}(?!\w)") for k in keep]
    return [any(p.search(t.lower()) for p in patterns) for t in titles]


def with_title(title: str, body: str) -> str:
    """The document text: the title on its own line first, unless the body already starts with it."""
    if not title or body.lower().startswith(title.lower()):
        return body
    return f"{title}\n{body}"


def _column(frame: pd.DataFrame, name: str | None) -> list[str]:
    if name is None:
        return [""] * len(frame)
    return ["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in frame[name]]


def _metadata(frame: pd.DataFrame, used: set[str]) -> dict[str, list[str]]:
    columns: dict[str, list[str]] = {}
    for name in frame.columns:
        key = column_key(name)
        if name in used or not key or key.startswith("unnamed") or key == "index":
            continue
        if key in CORE_COLUMNS or key in columns:
            key = f"meta_{key}"
        columns[key] = _column(frame, name)
    return columns


@dataclass(frozen=True)
class _Rows:
    """The input rows as strings, by column: what the steps of :func:`prepare_corpus` read."""

    columns: ColumnMap
    raw: list[str]
    titles: list[str]
    ids: list[str]
    companies: list[str]
    metadata: dict[str, list[str]]


@dataclass
class _Drops:
    """The rows dropped so far, one record each: row, id, title, reason (and extras)."""

    rows: _Rows
    records: list[dict[str, Any]] = field(default_factory=list)

    def drop(self, row: int, reason: str, **extra: Any) -> None:
        record = {"row": row, "id": self.rows.ids[row], "title": self.rows.titles[row]}
        self.records.append({**record, "reason": reason, **extra})

    def keep_if(self, alive: list[int], keep: Callable[[int], bool], reason: str) -> list[int]:
        """The rows of ``alive`` that ``keep``; the others dropped for ``reason``."""
        for i in alive:
            if not keep(i):
                self.drop(i, reason)
        return [i for i in alive if keep(i)]


def prepare_corpus(
    corpus: Corpus,
    config: PrepareConfig,
    tokenizer: Any,
    token_budget: int,
    *,
    reporter: Reporter | None = None,
) -> PreparedCorpus:
    """Filter, clean, dedupe, fit to ``token_budget`` tokens and split ``corpus``."""
    reporter = reporter or NullReporter()
    started = time.perf_counter()
    rows = _read_rows(corpus.frame, config)
    drops = _Drops(rows)
    alive = _filter(rows, config, drops)
    cleaned = _clean(rows, alive, config, tokenizer, reporter)
    bodies = {i: cleaned.bodies[i] if i in cleaned.bodies else rows.raw[i].strip() for i in alive}
    alive = drops.keep_if(alive, lambda i: bool(bodies[i].strip()), "empty_after_cleaning")
    if not alive:
        raise EmbedtuneError(
            "no postings left to prepare: every row was empty or filtered out",
            fix="check --text-column and --keep-titles",
        )
    kept, groups = _dedupe(rows, alive, bodies, config, drops, reporter)
    documents = [with_title(rows.titles[i], bodies[i]) for i in kept]
    with reporter.task("Fitting the token budget", total=None):
        fitted = fit_to_budget(tokenizer, documents, token_budget)
    postings = pd.DataFrame(
        {
            "id": [rows.ids[i] for i in kept],
            "title": [rows.titles[i] for i in kept],
            "text": [f.text for f in fitted],
            "split": grouped_split(groups, config.split, seed=config.seed),
            "group": [f"g{g}" for g in groups],
            **{k: [v[i] for i in kept] for k, v in rows.metadata.items()},
        }
    )
    dropped = sorted(drops.records, key=lambda d: d["row"])
    with reporter.task("Counting tokens", total=None):
        tokens = _token_report(tokenizer, rows.raw, cleaned, fitted, kept)
    gold = _gold_queries(corpus.gold_queries, dropped, postings)
    report = {
        "source": corpus.source,
        "columns": {"text": rows.columns.text, "title": rows.columns.title, "id": rows.columns.id},
        "model": config.model,
        "token_budget": token_budget,
        "counts": _counts(len(rows.raw), dropped, len(postings)),
        "splits": {name: int((postings["split"] == name).sum()) for name in SPLIT_NAMES},
        "groups": _group_report(groups),
        "tokens": tokens,
        "gold_queries": (
            {name: int((gold["split"] == name).sum()) for name in SPLIT_NAMES}
            if gold is not None
            else None
        ),
        "seconds": round(time.perf_counter() - started, 2),
    }
    return PreparedCorpus(postings, dropped, gold, report, row_ids=tuple(rows.ids))


def _read_rows(frame: pd.DataFrame, config: PrepareConfig) -> _Rows:
    """Resolve and check the columns, and read every row's text, title, id, company, metadata."""
    cols = resolve_columns(
        list(frame.columns), text=config.text_column, title=config.title_column, id=config.id_column
    )
    check_column_types(frame, cols)
    raw = _column(frame, cols.text)
    titles = [t.strip() for t in _column(frame, cols.title)]
    if cols.id is not None:
        ids = [i.strip() for i in _column(frame, cols.id)]
        repeated = [i for i, c in Counter(ids).items() if c > 1 or not i]
        if repeated:
            raise EmbedtuneError(
                f"id column {cols.id!r} has empty or repeated values, e.g. {repeated[:3]}",
                fix="pass --id-column with a unique column, or --id-column '' to derive ids",
            )
    else:
        ids = stable_ids(titles, raw)
    company_col = next((c for c in frame.columns if column_key(c) in COMPANY_COLUMNS), None)
    companies = [c.splitlines()[0] if c else "" for c in _column(frame, company_col)]
    metadata = _metadata(frame, {c for c in (cols.text, cols.title, cols.id) if c})
    return _Rows(cols, raw, titles, ids, companies, metadata)


def _filter(rows: _Rows, config: PrepareConfig, drops: _Drops) -> list[int]:
    """The rows left after ``--keep-titles`` and without empty texts."""
    alive = list(range(len(rows.raw)))
    if config.keep_titles:
        if rows.columns.title is None:
            raise EmbedtuneError(
                "--keep-titles needs a title column, and none was found",
                fix="name it with --title-column",
            )
        keep = title_filter(rows.titles, config.keep_titles)
        alive = drops.keep_if(alive, lambda i: keep[i], "title_filter")
    return drops.keep_if(alive, lambda i: bool(rows.raw[i].strip()), "empty_text")


@dataclass
class _Cleaned:
    """Each cleaned row's text and the tokens each cleaning step left (not its intermediate texts).

    ``steps[i]``: tokens after markup, after normalising, then removed per boilerplate kind (in
    :data:`BOILERPLATE_KINDS` order). Holding counts instead of every :class:`CleanResult` keeps
    one cleaned copy of each text in memory, not four (100,000 postings: ~1 GB less).
    """

    bodies: dict[int, str] = field(default_factory=dict)
    steps: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def add(self, tokenizer: Any, rows: list[int], results: list[CleanResult]) -> None:
        """Keep the texts of ``results`` (one per row of ``rows``) and count their steps' tokens."""
        columns = [
            count_tokens(tokenizer, [r.after_markup for r in results]),
            count_tokens(tokenizer, [r.normalized for r in results]),
        ]
        for kind in BOILERPLATE_KINDS:
            segments = ["\n".join(r.removed.get(kind, [])) for r in results]
            counted = iter(count_tokens(tokenizer, [s for s in segments if s]))
            columns.append([next(counted) if s else 0 for s in segments])
        for k, (i, result) in enumerate(zip(rows, results, strict=True)):
            self.bodies[i] = result.text
            self.steps[i] = tuple(column[k] for column in columns)


_CLEAN_CHUNK = 256  # postings cleaned before their tokens are counted (one tokenizer batch)


def _clean(
    rows: _Rows, alive: list[int], config: PrepareConfig, tokenizer: Any, reporter: Reporter
) -> _Cleaned:
    """Each alive row's text without markup and boilerplate (nothing with ``--no-clean``)."""
    cleaned = _Cleaned()
    if not config.clean:
        return cleaned
    pending: tuple[list[int], list[CleanResult]] = ([], [])
    for i in track(reporter, alive, "Cleaning postings"):
        pending[0].append(i)
        pending[1].append(clean_posting(rows.raw[i], company=rows.companies[i] or None))
        if len(pending[0]) == _CLEAN_CHUNK:
            cleaned.add(tokenizer, *pending)
            pending = ([], [])
    if pending[0]:
        cleaned.add(tokenizer, *pending)
    return cleaned


def _dedupe(
    rows: _Rows,
    alive: list[int],
    bodies: dict[int, str],
    config: PrepareConfig,
    drops: _Drops,
    reporter: Reporter,
) -> tuple[list[int], list[int]]:
    """The rows kept and the similarity group of each; duplicates dropped with ``--dedupe``."""
    with reporter.task("Finding duplicates", total=None):
        result = find_duplicates(
            [bodies[i] for i in alive],
            titles=[rows.titles[i] for i in alive],
            threshold=config.near_dup_threshold,
            group_threshold=config.group_threshold,
            near=config.dedupe,
        )
    if config.dedupe:
        for dup in result.duplicates:
            row, of = alive[dup.index], alive[dup.duplicate_of]
            drops.drop(
                row,
                f"{dup.reason}_duplicate",
                duplicate_of=rows.ids[of],
                similarity=dup.similarity,
            )
        return [alive[k] for k in result.keep], list(result.groups)
    # keep every row, but exact repeats and near-duplicates still share a group
    root = {alive[d.index]: alive[d.duplicate_of] for d in result.duplicates}
    group_of_kept = {alive[k]: g for k, g in zip(result.keep, result.groups, strict=True)}
    return alive, [group_of_kept[root.get(i, i)] for i in alive]


def _counts(loaded: int, dropped: list[dict[str, Any]], kept: int) -> dict[str, int]:
    """Rows loaded, dropped for each reason, and kept."""
    counts = {"loaded": loaded}
    for reason in DROP_REASONS:
        counts[reason] = sum(1 for d in dropped if d["reason"] == reason)
    counts["kept"] = kept
    return counts


def _group_report(groups: list[int]) -> dict[str, int]:
    sizes = Counter(groups)
    return {"count": len(sizes), "with_several_postings": sum(1 for s in sizes.values() if s > 1)}


def _token_report(
    tokenizer: Any,
    raw: list[str],
    cleaned: _Cleaned,
    fitted: list[Any],
    kept: list[int],
) -> dict[str, Any]:
    """Tokens at each cleaning step, summed over the postings that were kept."""
    n = max(len(kept), 1)
    before = sum(count_tokens(tokenizer, [raw[i] for i in kept]))
    removed: dict[str, int] = {}
    if all(i in cleaned.steps for i in kept):
        steps = [cleaned.steps[i] for i in kept]
        totals = [sum(column) for column in zip(*steps, strict=True)]
        markup, normal, *kinds = totals or [0] * (2 + len(BOILERPLATE_KINDS))
        removed["markup"] = before - markup
        removed["unicode_whitespace"] = markup - normal
        removed.update(zip(BOILERPLATE_KINDS, kinds, strict=True))
    with_titles = sum(f.tokens_before for f in fitted)
    final = sum(f.tokens_after for f in fitted)
    removed["budget"] = with_titles - final
    return {
        "raw": before,
        "removed": removed,
        "final": final,
        "mean_raw_per_posting": round(before / n, 1),
        "mean_final_per_posting": round(final / n, 1),
        "truncated_postings": sum(1 for f in fitted if f.truncated),
        "note": "summed over kept postings; the title line added to each text is not a removal",
    }


def _gold_queries(
    queries: pd.DataFrame | None, dropped: list[dict[str, Any]], postings: pd.DataFrame
) -> pd.DataFrame | None:
    """Gold queries follow their posting: to its kept original if it was a duplicate."""
    if queries is None:
        return None
    redirect = {d["id"]: d["duplicate_of"] for d in dropped if "duplicate_of" in d}
    split_of = dict(zip(postings["id"], postings["split"], strict=True))
    gold = queries.copy()
    gold["posting_id"] = [redirect.get(p, p) for p in gold["posting_id"]]
    gold = gold[gold["posting_id"].isin(split_of.keys())].reset_index(drop=True)
    gold["split"] = [split_of[p] for p in gold["posting_id"]]
    return gold


def load_prepared(path: Path) -> Any:
    """The saved ``datasets.DatasetDict`` of a prepared folder."""
    import datasets

    folder = Path(path) / "dataset"
    if not folder.is_dir():
        raise EmbedtuneError(
            f"{path} is not a prepared dataset (no dataset/ folder)",
            fix="run `embedtune prepare SOURCE --out DIR` and pass that DIR",
        )
    return datasets.load_from_disk(str(folder))


def load_source(config: PrepareConfig, reporter: Reporter) -> tuple[Corpus, Any, int]:
    """Refuse a ``--out`` that would destroy something (see :func:`embedtune._io.check_out`)
    before any slow work, then load the tokenizer, the token budget and the corpus."""
    from embedtune.models import load_tokenizer, max_seq_length

    check_out(config.out, sources=[config.source], overwrite=config.overwrite)
    tokenizer = load_tokenizer(config.model)
    budget = (
        config.max_tokens or max_seq_length(config.model) - tokenizer.num_special_tokens_to_add()
    )
    with reporter.task(f"Loading {config.source}", total=None):
        corpus = load_corpus(
            config.source,
            encoding=config.encoding,
            hf_split=config.hf_split,
            demo_size=config.demo_size,
            seed=config.seed,
        )
    return corpus, tokenizer, budget
