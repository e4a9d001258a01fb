"""The index's lexical half: BM25 over each posting's title and text, beside its vector.

A posting's score for a query is ``s + weight * b / b_best``: ``s`` its vector score (with any
known-query lift), ``b`` its BM25 score for the query's words, ``b_best`` the best BM25 score any
posting gets for them. The lexical part lies in ``[0, weight]``; a query sharing no word with any
posting is ranked by its vectors alone, and weight 0 turns the half off.

Why it is there: words a searcher types often stand in the text they want — a job title in its
posting, a claim's rare terms in the abstract that backs it — and a small embedding model blurs
them. Measured in benchmarks/RESULTS.md ("A lexical half in the index"): job-title search gains
about as much from it as from fine-tuning and the two add up; SciFact, where fine-tuning on
generated queries gains nothing, gains +0.077 nDCG@10; DBpedia entity search (40 queries) loses
about 0.01.

Words are Unicode letter/digit runs, case-folded, without a possessive ``'s``; the stop words of
``queries/keyphrase_words.json`` are dropped and a plural ``s`` is cut (``engineers`` ->
``engineer``, ``companies`` -> ``company``). BM25 with k1 0.9 and b 0.4 (Anserini's defaults
for BEIR).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embedtune._io import write_bytes
from embedtune.errors import EmbedtuneError

DEFAULT_WEIGHT = 0.2
# weights tried on held-out known queries (:func:`embedtune.index.known.choose_weight`)
WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5)
MAX_WEIGHT = 1.0
K1 = 0.9
B = 0.4

_WORD = re.compile(r"[^\W_]+")
_POSSESSIVE = re.compile(r"['\u2019]s\b")


_MAX_CACHED = 500_000
_terms: dict[str, str] = {}  # word -> term ("" for a stop word), bounded by _MAX_CACHED


def _term(word: str) -> str:
    """A case-folded word as a term: "" for a stop word, else without a plural ending."""
    from embedtune.queries.keyphrase_words import keyphrase_words

    if word in keyphrase_words().stopwords:
        return ""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def term_counts(text: str) -> Counter[str]:
    """How often each term occurs in ``text``.

    >>> sorted(term_counts("Senior Data Engineers: the data team's engineer").items())
    [('data', 2), ('engineer', 2), ('senior', 1), ('team', 1)]
    """
    counts: Counter[str] = Counter()
    terms = _terms
    for word, n in Counter(_WORD.findall(_POSSESSIVE.sub("", text.casefold()))).items():
        term = terms.get(word)
        if term is None:
            if len(terms) >= _MAX_CACHED:
                terms.clear()
            term = terms[word] = _term(word)
        if term:
            counts[term] += n
    return counts


def check_weight(weight: float | None) -> None:
    """``--lexical-weight`` lies in [0, 1] (None: the default, or chosen)."""
    if weight is not None and not 0.0 <= weight <= MAX_WEIGHT:
        raise EmbedtuneError(
            f"--lexical-weight must be between 0 and {MAX_WEIGHT:g}, got {weight}",
            fix=f"pass e.g. --lexical-weight {DEFAULT_WEIGHT} (0 searches by vectors alone)",
        )


@dataclass
class Lexical:
    """BM25 weights of every (term, posting): ``matrix`` is terms x postings, in row order."""

    vocab: dict[str, int]
    matrix: object  # scipy.sparse.csr_matrix, terms x postings

    @classmethod
    def of(cls, texts: Sequence[str], *, k1: float = K1, b: float = B) -> Lexical:
        """BM25 over ``texts`` (one per posting, in row order).

        >>> lex = Lexical.of(["data engineer", "nurse", "data data analyst"])
        >>> lex.scores(["data engineers"]).astype(float).round(3).tolist()
        [[1.0, 0.0, 0.4]]
        """
        import scipy.sparse as sp

        vocab: dict[str, int] = {}
        indptr = [0]
        cols: list[int] = []
        counts: list[int] = []
        for text in texts:
            for term, n in term_counts(text).items():
                cols.append(vocab.setdefault(term, len(vocab)))
                counts.append(n)
            indptr.append(len(cols))
        n_docs = len(indptr) - 1
        tf = np.asarray(counts, dtype=np.float32)
        col = np.asarray(cols, dtype=np.int64)
        row = np.repeat(np.arange(n_docs), np.diff(indptr))
        lengths = np.bincount(row, weights=tf, minlength=n_docs)
        mean = float(lengths.mean()) if n_docs and lengths.any() else 1.0
        df = np.bincount(col, minlength=len(vocab))
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
        norm = k1 * (1.0 - b + b * lengths[row] / mean)
        weights = (tf * (k1 + 1.0) / (tf + norm) * idf[col]).astype(np.float32)
        matrix = sp.csr_matrix((weights, (col, row)), shape=(len(vocab), n_docs))
        return cls(vocab, matrix)

    @property
    def num_docs(self) -> int:
        return int(self.matrix.shape[1])  # type: ignore[attr-defined]

    def scores(self, queries: Sequence[str]) -> np.ndarray:
        """``b / b_best`` per (query, posting): 1 for the best match, 0 where no word is shared."""
        import scipy.sparse as sp

        rows, cols = [], []
        for i, query in enumerate(queries):
            for term in term_counts(query):
                j = self.vocab.get(term)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
        picks = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)),
            shape=(len(queries), len(self.vocab)),
        )
        out = np.asarray((picks @ self.matrix).todense(), dtype=np.float32)
        best = out.max(axis=1, keepdims=True) if out.size else out
        return np.divide(out, best, out=np.zeros_like(out), where=best > 0)

    def save(self, path: Path, version: object, ids: Sequence[str]) -> None:
        """Write to ``path`` (atomically: :func:`embedtune._io.write_bytes`) with the table
        ``version`` and the posting ``ids`` (in row order) it was built from."""
        m = self.matrix
        terms = np.array(sorted(self.vocab, key=self.vocab.__getitem__), dtype=object)
        buffer = io.BytesIO()
        np.savez(
            buffer,
            terms=terms.astype(str),
            data=m.data,  # type: ignore[attr-defined]
            indices=m.indices,  # type: ignore[attr-defined]
            indptr=m.indptr,  # type: ignore[attr-defined]
            shape=np.array(m.shape),  # type: ignore[attr-defined]
            version=np.array(str(version)),
            ids=np.array(list(ids), dtype=str),
        )
        write_bytes(path, buffer.getvalue())

    @classmethod
    def load(cls, path: Path, version: object, ids: Sequence[str]) -> Lexical | None:
        """What :meth:`save` wrote, or None when it is missing, unreadable, or was built from
        another table version or other ids."""
        import scipy.sparse as sp

        try:
            with np.load(path, allow_pickle=False) as f:
                if str(f["version"]) != str(version) or f["ids"].tolist() != list(ids):
                    return None
                matrix = sp.csr_matrix(
                    (f["data"], f["indices"], f["indptr"]), shape=tuple(f["shape"])
                )
                terms = f["terms"].tolist()
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            return None
        return cls({t: i for i, t in enumerate(terms)}, matrix)


def add_lexical(scores: np.ndarray, lexical: np.ndarray, weight: float) -> np.ndarray:
    """``scores + weight * lexical`` (``lexical`` from :meth:`Lexical.scores`).

    >>> add_lexical(np.array([[0.5, 0.4]]), np.array([[0.0, 1.0]]), 0.3).astype(float).round(3).tolist()
    [[0.5, 0.7]]
    """
    return (scores + np.float32(weight) * lexical).astype(np.float32)


def lexical_line(choice: dict[str, object]) -> str:
    """One line on the lexical half's weight and how it was set.

    >>> lexical_line({"weight": 0.1, "held_out_queries": 300, "reason": "best on held-out known "
    ...     "queries", "ndcg@10": {"0.0": 0.5, "0.1": 0.52}})
    'Words (BM25): weight 0.1, chosen on 300 held-out known queries (nDCG@10 0.500 without, 0.520 with)'
    >>> lexical_line({"weight": 0.2, "reason": "the default (no known queries to choose on)"})
    'Words (BM25): weight 0.2 (the default (no known queries to choose on))'
    """
    weight = choice["weight"]
    curve = choice.get("ndcg@10")
    if isinstance(curve, dict) and curve:
        return (
            f"Words (BM25): weight {weight}, chosen on {choice['held_out_queries']} held-out "
            f"known queries (nDCG@10 {curve['0.0']:.3f} without, "
            f"{curve[str(float(weight))]:.3f} with)"  # type: ignore[arg-type]
        )
    return f"Words (BM25): weight {weight} ({choice['reason']})"
