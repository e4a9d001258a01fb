"""Stage 1, first half: raw postings -> clean, deduplicated, token-fitted, leakage-safe splits.

``prepare(config)`` loads and saves; ``prepare_corpus(corpus, ...)`` does the work on data in
memory and is what tests exercise.
"""

from __future__ import annotations

import hashlib
import platform
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from embedtune._io import atomic_dir, write_json
from embedtune.data.budget import count_tokens, fit_to_budget
from embedtune.data.clean import BOILERPLATE_KINDS, CleanResult, clean_posting
from embedtune.data.config import PrepareConfig
from embedtune.data.dedupe import find_duplicates
from embedtune.data.load import Corpus, _key, load_corpus, resolve_columns
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
    ['p-5fb5e9a4c3a1', 'p-5fb5e9a4c3a1-2']
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
        key = _key(name)
        if name in used or not key or key.startswith("unnamed") or key == "index":
            continue
        if key in CORE_COLUMNS or key in columns:
            key = f"meta_{key}"
        columns[key] = _column(frame, name)
    return columns


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
    frame = corpus.frame
    cols = resolve_columns(
        list(frame.columns), text=config.text_column, title=config.title_column, id=config.id_column
    )
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
    company_col = next((c for c in frame.columns if _key(c) in ("company", "company_name")), None)
    companies = [c.splitlines()[0] if c else "" for c in _column(frame, company_col)]
    metadata = _metadata(frame, {c for c in (cols.text, cols.title, cols.id) if c})

    dropped: list[dict[str, Any]] = []
    counts: dict[str, int] = {"loaded": len(frame)}

    def drop(row: int, reason: str, **extra: Any) -> None:
        dropped.append(
            {"row": row, "id": ids[row], "title": titles[row], "reason": reason, **extra}
        )

    alive = list(range(len(frame)))
    if config.keep_titles:
        if cols.title is None:
            raise EmbedtuneError(
                "--keep-titles needs a title column, and none was found",
                fix="name it with --title-column",
            )
        keep = title_filter(titles, config.keep_titles)
        for i in alive:
            if not keep[i]:
                drop(i, "title_filter")
        alive = [i for i in alive if keep[i]]
    for i in alive:
        if not raw[i].strip():
            drop(i, "empty_text")
    alive = [i for i in alive if raw[i].strip()]

    cleaned: dict[int, CleanResult] = {}
    if config.clean:
        for i in track(reporter, alive, "Cleaning postings"):
            cleaned[i] = clean_posting(raw[i], company=companies[i] or None)
    bodies = {i: cleaned[i].text if i in cleaned else raw[i].strip() for i in alive}
    for i in alive:
        if not bodies[i].strip():
            drop(i, "empty_after_cleaning")
    alive = [i for i in alive if bodies[i].strip()]
    if not alive:
        raise EmbedtuneError(
            "no postings left to prepare: every row was empty or filtered out",
            fix="check --text-column and --keep-titles",
        )

    with reporter.task("Finding duplicates", total=None):
        result = find_duplicates(
            [bodies[i] for i in alive],
            titles=[titles[i] for i in alive],
            threshold=config.near_dup_threshold,
            group_threshold=config.group_threshold,
            near=config.dedupe,
        )
    if config.dedupe:
        for dup in result.duplicates:
            row, of = alive[dup.index], alive[dup.duplicate_of]
            drop(row, f"{dup.reason}_duplicate", duplicate_of=ids[of], similarity=dup.similarity)
        kept = [alive[k] for k in result.keep]
        groups = result.groups
    else:  # keep every row, but exact repeats and near-duplicates still share a group
        kept = alive
        root = {alive[d.index]: alive[d.duplicate_of] for d in result.duplicates}
        group_of_kept = {alive[k]: g for k, g in zip(result.keep, result.groups, strict=True)}
        groups = [group_of_kept[root.get(i, i)] for i in kept]

    documents = [with_title(titles[i], bodies[i]) for i in kept]
    with reporter.task("Fitting the token budget", total=None):
        fitted = fit_to_budget(tokenizer, documents, token_budget)
    splits = grouped_split(groups, config.split, seed=config.seed)

    postings = pd.DataFrame(
        {
            "id": [ids[i] for i in kept],
            "title": [titles[i] for i in kept],
            "text": [f.text for f in fitted],
            "split": splits,
            "group": [f"g{g}" for g in groups],
            **{k: [v[i] for i in kept] for k, v in metadata.items()},
        }
    )
    for reason in DROP_REASONS:
        counts[reason] = sum(1 for d in dropped if d["reason"] == reason)
    counts["kept"] = len(postings)

    with reporter.task("Counting tokens", total=None):
        tokens = _token_report(tokenizer, raw, cleaned, documents, fitted, kept)
    gold = _gold_queries(corpus.gold_queries, dropped, postings)
    group_sizes = Counter(groups)
    report = {
        "source": corpus.source,
        "columns": {"text": cols.text, "title": cols.title, "id": cols.id},
        "model": config.model,
        "token_budget": token_budget,
        "counts": counts,
        "splits": {name: int((postings["split"] == name).sum()) for name in SPLIT_NAMES},
        "groups": {
            "count": len(group_sizes),
            "with_several_postings": sum(1 for s in group_sizes.values() if s > 1),
        },
        "tokens": tokens,
        "gold_queries": (
            {name: int((gold["split"] == name).sum()) for name in SPLIT_NAMES}
            if gold is not None
            else None
        ),
        "seconds": round(time.perf_counter() - started, 2),
    }
    return PreparedCorpus(
        postings, sorted(dropped, key=lambda d: d["row"]), gold, report, row_ids=tuple(ids)
    )


def _token_report(
    tokenizer: Any,
    raw: list[str],
    cleaned: dict[int, CleanResult],
    documents: list[str],
    fitted: list[Any],
    kept: list[int],
) -> dict[str, Any]:
    """Tokens at each cleaning step, summed over the postings that were kept."""
    n = max(len(kept), 1)
    before = sum(count_tokens(tokenizer, [raw[i] for i in kept]))
    removed: dict[str, int] = {}
    if all(i in cleaned for i in kept):
        markup = sum(count_tokens(tokenizer, [cleaned[i].after_markup for i in kept]))
        normal = sum(count_tokens(tokenizer, [cleaned[i].normalized for i in kept]))
        removed["markup"] = before - markup
        removed["unicode_whitespace"] = markup - normal
        for kind in BOILERPLATE_KINDS:
            segments = ["\n".join(cleaned[i].removed.get(kind, [])) for i in kept]
            removed[kind] = sum(count_tokens(tokenizer, [s for s in segments if s]))
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


def save_prepared(prepared: PreparedCorpus, out: Path, config: PrepareConfig) -> None:
    """Write the dataset (Arrow + Parquet), gold queries, dropped rows, report and config."""
    import datasets

    by_split = {
        name: prepared.postings[prepared.postings["split"] == name].reset_index(drop=True)
        for name in SPLIT_NAMES
    }
    dataset = datasets.DatasetDict(
        {
            name: datasets.Dataset.from_pandas(df, preserve_index=False)
            for name, df in by_split.items()
        }
    )
    with _quiet_datasets():
        dataset.save_to_disk(str(out / "dataset"))
    (out / "parquet").mkdir()
    for name, df in by_split.items():
        df.to_parquet(out / "parquet" / f"{name}.parquet", index=False)
    if prepared.gold_queries is not None:
        prepared.gold_queries.to_parquet(out / "gold_queries.parquet", index=False)
    pd.DataFrame(prepared.dropped).to_json(out / "dropped.jsonl", orient="records", lines=True)
    write_json(out / "prepare_report.json", prepared.report)
    write_json(out / "config.json", {"prepare": config.to_dict(), "versions": _versions()})


@contextmanager
def _quiet_datasets() -> Iterator[None]:
    """Hide datasets' own progress bars for a moment (we show ours), then restore the setting."""
    import datasets

    was_enabled = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    try:
        yield
    finally:
        if was_enabled:
            datasets.enable_progress_bars()


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in ("embedtune", "datasets", "transformers", "tokenizers", "pandas"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


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
    """Refuse an existing ``--out`` (before any slow work), then load the tokenizer, the token
    budget and the corpus."""
    from embedtune.models import load_tokenizer, max_seq_length

    if config.out.exists() and not config.overwrite:
        raise EmbedtuneError(
            f"output folder {config.out} already exists",
            fix="choose another --out, or pass --overwrite to replace it",
        )
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


def write_output(config: PrepareConfig, reporter: Reporter, write: Callable[[Path], None]) -> None:
    """``write(folder)`` into a temporary folder that replaces ``config.out`` when it succeeds;
    then push to the Hub if asked."""
    with (
        reporter.task(f"Writing {config.out}", total=None),
        atomic_dir(config.out, overwrite=config.overwrite) as tmp,
    ):
        write(tmp)
    if config.push_to_hub:
        from embedtune.data.hub import push_prepared

        with reporter.task(f"Pushing to the Hub: {config.push_to_hub}", total=None):
            push_prepared(config.out, config.push_to_hub)


def prepare(config: PrepareConfig, *, reporter: Reporter | None = None) -> PreparedCorpus:
    """Stage 1a alone: load ``config.source``, prepare it, and write it atomically to
    ``config.out`` (``embedtune prepare`` adds queries and negatives: see
    :func:`embedtune.triplets.prepare_training_data`)."""
    reporter = reporter or NullReporter()
    corpus, tokenizer, budget = load_source(config, reporter)
    prepared = prepare_corpus(corpus, config, tokenizer, budget, reporter=reporter)
    write_output(config, reporter, lambda tmp: save_prepared(prepared, tmp, config))
    return prepared
