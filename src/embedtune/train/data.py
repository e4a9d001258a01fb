"""Read what training needs from a prepared folder: triplets and the BEIR validation split.

The layout is the one ``embedtune prepare`` writes: ``triplets/`` is a ``datasets.DatasetDict``
with ``anchor``, ``positive`` and optionally ``negative``, ``negative_2``, … text columns plus
``*_id`` columns; ``ir/{split}/`` holds ``corpus.jsonl``, ``queries.jsonl`` and
``qrels/test.tsv``. Only the text columns go to the loss, in the order anchor, positive,
negatives: the id columns would otherwise be embedded as text.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from embedtune.errors import EmbedtuneError

if TYPE_CHECKING:
    from datasets import Dataset

__all__ = [
    "ALL_SPLITS",
    "IRSplit",
    "NegativeColumns",
    "TrainData",
    "TrainOn",
    "drop_negatives",
    "load_ir_split",
    "load_triplets",
    "negative_decision",
    "prepared_negative_method",
    "prepared_record",
    "sample_train",
    "text_columns",
    "train_splits",
    "widget_examples",
]

# What to do with the negative columns: "auto" drops them when `embedtune prepare` mined them
# least-similar (see negative_decision), "keep" and "drop" force it.
NegativeColumns = Literal["auto", "keep", "drop"]
# Which prepared splits to train on: "auto" trains on every split when nothing honest is held
# back in them (see train_splits), "train" and "all" force it.
TrainOn = Literal["auto", "train", "all"]
ALL_SPLITS = ("train", "validation", "test")

REQUIRED = ("anchor", "positive")
_NEGATIVE = re.compile(r"^negative(?:_(\d+))?$")
_PREPARE_FIX = (
    "run `embedtune prepare SOURCE --out DIR` (it writes triplets/ and ir/) and pass that DIR"
)


@dataclass(frozen=True)
class TrainData:
    """The training triplets, the validation triplets (if any), and their text columns."""

    train: Dataset
    validation: Dataset | None
    columns: tuple[str, ...]

    @property
    def negatives(self) -> int:
        return len(self.columns) - 2


def negative_decision(
    policy: NegativeColumns, method: str | None, loss: str, negatives: int
) -> tuple[bool, str]:
    """Whether to drop the negative columns, and why, in one line.

    ``auto`` drops them when they were mined ``least-similar``: that negative is the posting least
    similar to the positive in the whole split, so every in-batch negative (the other rows'
    positives) is at least as hard and MultipleNegativesRankingLoss gains next to nothing from
    it, while encoding it doubles the document work of a step. Measured side by side in
    benchmarks/tutorial_vs_run.py (RESULTS.md). Hard negatives are kept. The triplet loss needs
    its negative, so it always keeps them.

    >>> negative_decision("auto", "least-similar", "mnrl", 1)[0]
    True
    >>> negative_decision("auto", "hard", "mnrl", 1)[0], negative_decision("auto", None, "mnrl", 1)[0]
    (False, False)
    >>> negative_decision("auto", "least-similar", "triplet", 1)[0]
    False
    """
    if negatives == 0:
        return False, "no negative columns"
    if loss == "triplet":
        if policy == "drop":
            raise EmbedtuneError(
                "--negative-columns drop leaves the triplet loss without its negative",
                fix="use --loss mnrl, or --negative-columns auto|keep",
            )
        return False, "kept: the triplet loss needs them"
    if policy == "keep":
        return False, "kept (--negative-columns keep)"
    if policy == "drop":
        return True, "dropped (--negative-columns drop); in-batch negatives only"
    if method == "least-similar":
        return True, (
            "dropped: mined least-similar, so every in-batch negative is at least as hard; "
            "--negative-columns keep trains on them"
        )
    return False, f"kept (mined {method})" if method else "kept"


def train_splits(
    policy: TrainOn, prepared: dict[str, Any] | None, honest_sets: Iterable[str] = ()
) -> tuple[tuple[str, ...], str]:
    """The prepared splits to train on, and why, in one line.

    ``prepared`` is ``DATA/config.json`` (None when missing), ``honest_sets`` the names of the
    folders under ``DATA/ir``. ``auto`` trains on all three splits when the queries were
    generated (offline or by an LLM) and no honest set was held back (``validation-titles``,
    ``test-titles``, ``*-gold``: a title column, or the demo's gold queries): then the validation
    and test postings hold only more queries by the same generator (the user's own queries,
    ``--eval-queries``, search the whole corpus anyway), and adapting to a corpus means learning
    all of it. On Glassdoor (596 postings, no titles) training on 98% of the postings instead of
    80% moved title search from +0.099 to +0.117 nDCG@10 over the base (benchmarks/RESULTS.md). The user's own pairs (``--pairs``, a
    query column) keep ``train`` only: their held-back pairs are the honest measure.

    >>> offline = {"queries": {"source": "offline"}}
    >>> train_splits("auto", offline, ["train", "validation", "test"])[0]
    ('train', 'validation', 'test')
    >>> train_splits("auto", offline, ["test", "test-titles"])[0]
    ('train',)
    >>> train_splits("all", offline, ["test-titles"])[0]
    ('train', 'validation', 'test')
    >>> train_splits("auto", {"queries": {"source": "column:query"}})[0]
    ('train',)
    >>> train_splits("auto", None)[0]
    ('train',)
    """
    if policy == "train":
        return ("train",), "the train split (--train-on train)"
    if policy == "all":
        return ALL_SPLITS, "every split (--train-on all): validation and test queries trained on"
    try:
        source = str(prepared["queries"]["source"])  # type: ignore[index]
    except (KeyError, TypeError):
        return ("train",), "the train split (no record of how the queries were made)"
    if source.startswith("column"):
        return ("train",), "the train split: the held-back pairs are your own queries"
    honest = sorted(
        n for n in honest_sets if n.endswith(("-titles", "-gold")) and n != "train-gold"
    )
    if honest:
        return ("train",), f"the train split: {', '.join(honest)} held back as honest measures"
    return ALL_SPLITS, (
        "every split: the held-back postings have only generated queries (no titles, no gold), "
        "so the whole corpus is learnt; --train-on train keeps validation and test out"
    )


def prepared_record(data: Path) -> dict[str, Any] | None:
    """``DATA/config.json`` as written by ``embedtune prepare``; None when missing or unreadable."""
    try:
        record = json.loads((Path(data) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def prepared_negative_method(data: Path) -> str | None:
    """The negative-mining method ``embedtune prepare`` recorded in ``DATA/config.json``.

    None when the file or the key is missing (triplets made some other way).
    """
    try:
        method = (prepared_record(data) or {})["negatives"]["method"]
    except (KeyError, TypeError):
        return None
    return method if isinstance(method, str) else None


def drop_negatives(data: TrainData) -> TrainData:
    """``data`` with only the anchor and positive columns, in every split."""
    keep = list(REQUIRED)
    validation = data.validation.select_columns(keep) if data.validation is not None else None
    return TrainData(train=data.train.select_columns(keep), validation=validation, columns=REQUIRED)


def sample_train(data: TrainData, rows: int, seed: int) -> TrainData:
    """``data`` with a seeded sample of at most ``rows`` training rows (``--max-train``).

    The sample's index mapping stays in memory: ``datasets`` would otherwise cache it as an
    Arrow file next to the loaded split, that is inside the user's ``--data`` folder, which
    may be read-only or shared (inputs are never written to).
    """
    if len(data.train) <= rows:
        return data
    shuffled = data.train.shuffle(seed=seed, keep_in_memory=True)
    sample = shuffled.select(range(rows), keep_in_memory=True)
    return TrainData(train=sample, validation=data.validation, columns=data.columns)


def widget_examples(rows: Dataset, columns: tuple[str, ...], n: int = 3) -> list[dict[str, Any]]:
    """Model-card widget examples from the first ``n`` rows: each anchor with its positive, its
    negatives and the next row's positive (three texts at most).

    Given to the model card before training, so that sentence-transformers does not sample a
    thousand rows to choose its own (work, and a stray "Computing widget examples" bar).

    >>> from datasets import Dataset
    >>> rows = Dataset.from_dict({"anchor": ["q1", "q2"], "positive": ["d1", "d2"]})
    >>> widget_examples(rows, ("anchor", "positive"))
    [{'source_sentence': 'q1', 'sentences': ['d1', 'd2']}, {'source_sentence': 'q2', 'sentences': ['d2']}]
    """
    head = rows.select(range(min(n + 1, len(rows))), keep_in_memory=True).to_list()
    out = []
    for i, row in enumerate(head[:n]):
        texts = [str(row[c]) for c in columns[1:]]
        if i + 1 < len(head):
            texts.append(str(head[i + 1][columns[1]]))
        out.append({"source_sentence": str(row[columns[0]]), "sentences": texts[:3]})
    return out


@dataclass(frozen=True)
class IRSplit:
    """A BEIR-style retrieval split: id → text maps and the relevant documents of each query."""

    corpus: dict[str, str]
    queries: dict[str, str]
    relevant: dict[str, set[str]]


def text_columns(columns: list[str]) -> tuple[str, ...]:
    """The columns the loss reads, in order: anchor, positive, then negatives by number.

    >>> text_columns(["query_id", "negative_2", "positive", "negative", "anchor", "negative_id"])
    ('anchor', 'positive', 'negative', 'negative_2')
    """
    negatives = sorted(
        (int(m.group(1) or 1), name) for name in columns if (m := _NEGATIVE.match(name))
    )
    return (*REQUIRED, *(name for _, name in negatives))


def load_triplets(
    data: Path, *, validation: bool = True, train_on: tuple[str, ...] = ("train",)
) -> TrainData:
    """``data/triplets`` with its splits checked: columns present, train not empty.

    ``train_on``: the splits concatenated into the training rows (see :func:`train_splits`);
    when ``validation`` is among them it is not returned as validation as well.
    """
    from datasets import DatasetDict, load_from_disk

    data = Path(data)
    if not data.is_dir():
        raise EmbedtuneError(f"data folder {data} does not exist", fix=_PREPARE_FIX)
    folder = data / "triplets"
    if not folder.is_dir():
        raise EmbedtuneError(
            f"{data} has no triplets/ folder, so it holds no training pairs", fix=_PREPARE_FIX
        )
    for name in _empty_splits(folder):
        raise EmbedtuneError(f"{folder}/{name} is empty", fix=_PREPARE_FIX + " with more postings")
    try:
        splits = load_from_disk(str(folder))
    except (FileNotFoundError, ValueError, OSError) as e:
        raise EmbedtuneError(
            f"{folder} is not a saved datasets.DatasetDict ({type(e).__name__})", fix=_PREPARE_FIX
        ) from e
    if not isinstance(splits, DatasetDict) or "train" not in splits:
        raise EmbedtuneError(f"{folder} has no train split", fix=_PREPARE_FIX)
    train = _select(splits["train"], f"{folder}/train")
    columns = tuple(train.column_names)
    extra = [
        _select(splits[name], f"{folder}/{name}", columns=columns)
        for name in train_on
        if name != "train" and name in splits and len(splits[name])
    ]
    if extra:
        from datasets import concatenate_datasets

        train = concatenate_datasets([train, *extra])
    val = None
    if validation and "validation" not in train_on and len(splits.get("validation", ())):
        val = _select(splits["validation"], f"{folder}/validation", columns=columns)
    return TrainData(train=train, validation=val, columns=columns)


def _empty_splits(folder: Path) -> list[str]:
    """Splits saved with no rows (``datasets`` cannot load those back; we name them instead)."""
    empty = []
    for state in sorted(folder.glob("*/state.json")):
        try:
            files = json.loads(state.read_text(encoding="utf-8")).get("_data_files")
        except (OSError, ValueError, AttributeError):
            continue
        if files == []:
            empty.append(state.parent.name)
    return empty


def _select(split: Dataset, where: str, columns: tuple[str, ...] | None = None) -> Dataset:
    names = list(split.column_names)
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise EmbedtuneError(
            f"{where} lacks column(s) {', '.join(map(repr, missing))}; it has "
            f"{', '.join(map(repr, names)) or 'none'}",
            fix="training needs 'anchor' (query) and 'positive' (document) text columns; "
            + _PREPARE_FIX,
        )
    if len(split) == 0:
        raise EmbedtuneError(f"{where} is empty", fix=_PREPARE_FIX + " with more postings")
    wanted = columns or text_columns(names)
    absent = [c for c in wanted if c not in names]
    if absent:
        raise EmbedtuneError(
            f"{where} lacks column(s) {', '.join(map(repr, absent))} that the train split has",
            fix="prepare all splits in one run of `embedtune prepare`",
        )
    for column in wanted:
        dtype = getattr(split.features[column], "dtype", None)
        if dtype not in ("string", "large_string"):
            raise EmbedtuneError(
                f"column {column!r} of {where} holds {dtype or 'non-text values'}, not text",
                fix=_PREPARE_FIX,
            )
    return split.select_columns(list(wanted))


def load_ir_split(data: Path, split: str) -> IRSplit:
    """``data/ir/{split}`` in BEIR layout, checked: every qrel names a known query and document."""
    folder = Path(data) / "ir" / split
    files = [folder / "corpus.jsonl", folder / "queries.jsonl", folder / "qrels" / "test.tsv"]
    missing = [str(f.relative_to(folder)) for f in files if not f.is_file()]
    if missing:
        raise EmbedtuneError(
            f"{folder} lacks {', '.join(missing)} (BEIR layout), needed for validation",
            fix=_PREPARE_FIX + ", or pass --eval-steps 0 to train without validation",
        )
    corpus = _jsonl_texts(files[0])
    queries = _jsonl_texts(files[1])
    relevant: dict[str, set[str]] = {}
    with files[2].open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            qid, cid = row.get("query-id"), row.get("corpus-id")
            if qid is None or cid is None:
                raise EmbedtuneError(
                    f"{files[2]} has no 'query-id' and 'corpus-id' header",
                    fix="write the header 'query-id\\tcorpus-id\\tscore'",
                )
            if float(row.get("score") or 1) > 0 and qid in queries and cid in corpus:
                relevant.setdefault(qid, set()).add(cid)
    if not relevant:
        raise EmbedtuneError(
            f"{folder} has no query with a relevant document in its corpus",
            fix=_PREPARE_FIX + ", or pass --eval-steps 0 to train without validation",
        )
    return IRSplit(corpus=corpus, queries={q: queries[q] for q in relevant}, relevant=relevant)


def _jsonl_texts(path: Path) -> dict[str, str]:
    """id → text of a BEIR jsonl file (prepared texts already start with their title line)."""
    out: dict[str, str] = {}
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                key, text = str(record["_id"]), str(record["text"])
            except (ValueError, KeyError, TypeError):
                raise EmbedtuneError(
                    f"line {n} of {path} is not a JSON object with '_id' and 'text'",
                    fix=_PREPARE_FIX,
                ) from None
            out[key] = text
    return out
