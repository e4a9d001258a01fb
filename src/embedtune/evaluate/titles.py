"""The titles view of a split: its postings' own titles as queries, an honest measure for free.

Each distinct normalised title of the split's postings is a query; every posting of the split with
that title is relevant to it. The documents are the split's postings **without their title
line**, or the query would find its posting by the words it starts with.

It is honest for the held-back splits: training queries are written for the training split's
postings only, so no validation or test posting, nor its title, ever became a training query
(the model may have seen the same title on a *training* posting, as a real user's query would
be). ``embedtune prepare`` writes ``ir/validation-titles`` and ``ir/test-titles`` when the corpus
has a title column; ``embedtune evaluate`` scores ``ir/{split}-titles`` as the ``titles`` set.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from embedtune.evaluate.beir_write import write_beir_records

TITLE_SPLITS = ("validation", "test")
"""The splits that get a titles view (never ``train``: its postings gave the training queries)."""
Records = tuple[list[dict[str, str]], list[dict[str, str]], list[tuple[str, str, int]]]


def normalise_title(title: str) -> str:
    """A title as a query: lower case, runs of white space as one space.

    >>> normalise_title("  Senior   Data Scientist ")
    'senior data scientist'
    """
    return " ".join(str(title).split()).casefold()


def without_title(title: str, text: str) -> str:
    """``text`` without a first line that is its ``title`` (the text alone if nothing is left).

    >>> without_title("Data Scientist", "Data Scientist\\nBuild credit models.")
    'Build credit models.'
    >>> without_title("Data Scientist", "We need a data scientist.")
    'We need a data scientist.'
    """
    first, _, rest = text.partition("\n")
    if normalise_title(first) == normalise_title(title) and rest.strip():
        return rest.strip()
    return text


def title_records(postings: pd.DataFrame) -> Records:
    """The titles view of ``postings`` (columns ``id``, ``title``, ``text``) as BEIR records.

    Queries are numbered ``t1``, ``t2``, ... in the order their title first appears; a posting
    without a title is a document that no query finds relevant.

    >>> postings = pd.DataFrame({"id": ["a", "b", "c"],
    ...     "title": ["Data Scientist", "data  scientist", ""],
    ...     "text": ["Data Scientist\\nModels.", "data  scientist\\nSQL.", "Cook\\nSoups."]})
    >>> corpus, queries, qrels = title_records(postings)
    >>> [d["text"] for d in corpus], queries, qrels
    (['Models.', 'SQL.', 'Cook\\nSoups.'], [{'_id': 't1', 'text': 'data scientist'}], [('t1', 'a', 1), ('t1', 'b', 1)])
    """
    corpus: list[dict[str, str]] = []
    query_of: dict[str, str] = {}
    qrels: list[tuple[str, str, int]] = []
    for pid, title, text in zip(postings["id"], postings["title"], postings["text"], strict=True):
        title = str(title or "")
        corpus.append({"_id": str(pid), "title": "", "text": without_title(title, str(text))})
        key = normalise_title(title)
        if not key:
            continue
        qid = query_of.setdefault(key, f"t{len(query_of) + 1}")
        qrels.append((qid, str(pid), 1))
    queries = [{"_id": qid, "text": key} for key, qid in query_of.items()]
    return corpus, queries, qrels


def write_titles(folder: Path, postings: pd.DataFrame) -> bool:
    """Write the titles view of ``postings`` into a new ``folder``; False (nothing written) when
    no posting has a title."""
    corpus, queries, qrels = title_records(postings)
    if not queries:
        return False
    write_beir_records(folder, corpus, queries, qrels)
    return True
