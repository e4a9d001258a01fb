"""The offline generator's entry point: keyphrases of a chunk of postings, one encoder call.

Each posting's candidate phrases are short-listed by prior, the whole chunk's phrases encoded
at once, and each posting's keyphrases picked by MMR against the count-weighted mean of its
phrase vectors (a stand-in for encoding the posting: see :mod:`embedtune.queries.offline`).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from embedtune.models.encoder import Encoder, normalize_rows
from embedtune.progress import NullReporter, Reporter
from embedtune.queries.keyphrases import Candidate, find_candidates, mmr_select, prior, stem_key
from embedtune.queries.offline.compose import compose_queries
from embedtune.queries.offline.config import OfflineQueryConfig
from embedtune.queries.offline.facets import Facets, find_domain, find_work_mode, find_years
from embedtune.queries.offline.infer import RoleGuess, infer_role
from embedtune.queries.offline.place import find_place, lowercase_words
from embedtune.queries.offline.role import Role, parse_title, role_topics
from embedtune.queries.offline.styles import style_queries
from embedtune.queries.records import Posting, QueryRecord

__all__ = ["CANDIDATES_PER_POSTING", "CHUNK_SIZE", "generate_offline_queries", "posting_role"]

CHUNK_SIZE = 64  # postings whose candidate phrases go to the encoder in one call
CANDIDATES_PER_POSTING = 16  # best candidates by prior that get encoded
_DEFAULT_CONFIG = OfflineQueryConfig()


def _body(posting: Posting) -> str:
    """The posting text without its leading title line."""
    text = posting.text
    first, _, rest = text.partition("\n")
    return rest if first.strip().lower() == posting.title.strip().lower() else text


def _shortlist(posting: Posting, role: Role, title: str) -> list[Candidate]:
    """The posting's best candidates by prior, without ones that only repeat the title."""
    topics = role_topics(role, title)
    cands = [c for c in find_candidates(_body(posting)) if not set(stem_key(c.phrase)) <= topics]
    cands.sort(key=lambda c: (-prior(c), -c.count, c.first))
    return cands[:CANDIDATES_PER_POSTING]


def _posting_vectors(
    shortlists: Sequence[Sequence[Candidate]], phrase_vecs: Sequence[np.ndarray]
) -> np.ndarray:
    """Each posting's vector: the mean of its candidates' vectors, weighted by count.

    A stand-in for encoding the posting (see the module docstring); zero when it has none.
    """
    rows = []
    for cands, vecs in zip(shortlists, phrase_vecs, strict=True):
        if not cands:
            rows.append(np.zeros(vecs.shape[1], dtype=np.float32))
            continue
        weights = np.log1p(np.array([c.count for c in cands], dtype=np.float32))
        rows.append((weights[:, None] * vecs).sum(axis=0))
    return normalize_rows(np.stack(rows))


def _choose_keyphrases(
    postings: Sequence[Posting],
    roles: Sequence[tuple[Role, str]],
    encoder: Encoder,
    config: OfflineQueryConfig,
) -> list[tuple[tuple[str, ...], frozenset[str]]]:
    """The MMR-ranked keyphrases of each posting, and which of them are skills or tech names;
    one encoder call for the whole chunk.

    ``roles``: each posting's role and the title (given or inferred) its keyphrases may not repeat.
    """
    shortlists = [_shortlist(p, *r) for p, r in zip(postings, roles, strict=True)]
    unique = list(dict.fromkeys(c.phrase for cands in shortlists for c in cands))
    at = {phrase: i for i, phrase in enumerate(unique)}
    table = encoder.encode(unique, kind="query") if unique else np.zeros((0, encoder.dimension))
    phrase_vecs = [table[[at[c.phrase] for c in cands]] for cands in shortlists]
    docs = _posting_vectors(shortlists, phrase_vecs)
    keep = config.max_keyphrases + config.per_posting + 1
    out = []
    for cands, vecs, doc in zip(shortlists, phrase_vecs, docs, strict=True):
        relevance = vecs @ doc + np.array([prior(c) for c in cands], dtype=np.float32)
        phrases = [c.phrase for c in cands]
        order = mmr_select(phrases, vecs, relevance, keep, diversity=config.diversity)
        ranked = tuple(phrases[i] for i in _one_topic_early(order, cands))
        out.append((ranked, frozenset(c.phrase for c in cands if c.tech)))
    return out


def _one_topic_early(order: Sequence[int], cands: Sequence[Candidate]) -> list[int]:
    """``order`` with every topic phrase after the first moved to the end.

    People type skills and tools, and now and then one topic ("credit risk"): a query built from
    the first picks then holds at most one phrase that is neither a skill nor a tech name.
    """
    topics = [i for i in order if not cands[i].tech]
    late = set(topics[1:])
    return [i for i in order if i not in late] + topics[1:]


def generate_offline_queries(
    postings: Sequence[Posting],
    encoder: Encoder,
    config: OfflineQueryConfig = _DEFAULT_CONFIG,
    *,
    reporter: Reporter | None = None,
) -> list[QueryRecord]:
    """``config.per_posting`` search queries for each posting, written without an LLM.

    Postings are handled in chunks of :data:`CHUNK_SIZE`; each chunk's candidate phrases are
    encoded in one ``encoder.encode(..., kind="query")`` call. The same postings, encoder and
    seed give the same queries. A posting without a title gets short queries in several
    styles (:func:`style_queries`) for the role read from its text (:func:`posting_role`).
    """
    reporter = reporter or NullReporter()
    # Whether a capitalised word is a town depends on how the whole corpus writes it.
    common = lowercase_words(p.text for p in postings if not p.title.strip())
    out: list[QueryRecord] = []
    with reporter.task("Writing offline queries", total=len(postings)) as task:
        for start in range(0, len(postings), CHUNK_SIZE):
            chunk = postings[start : start + CHUNK_SIZE]
            out.extend(_chunk_queries(chunk, encoder, config, common))
            task.advance(len(chunk))
    return out


def posting_role(posting: Posting) -> tuple[Role, str, RoleGuess | None]:
    """The role of a posting, the title its keyphrases may not repeat, and the guess it came from.

    A posting with a title is read from it, as always; one without gets its role inferred from
    the text (:func:`infer_role`), or, when the text names none, the first line read as a title
    (and keyphrase queries, as before role inference).

    >>> posting_role(Posting("1", "", "We are hiring a Payroll Accountant in Leeds."))[:2]
    (Role(name='payroll accountant', seniority=None), 'Payroll Accountant')
    """
    if not posting.title.strip():
        guess = infer_role(posting.text)
        if guess is not None:
            return guess.parsed(), guess.role, guess
    return parse_title(posting.title or posting.text.partition("\n")[0]), posting.title, None


def _chunk_queries(
    chunk: Sequence[Posting],
    encoder: Encoder,
    config: OfflineQueryConfig,
    common: frozenset[str] = frozenset(),
) -> list[QueryRecord]:
    roles = [posting_role(p) for p in chunk]
    keyphrases = _choose_keyphrases(chunk, [r[:2] for r in roles], encoder, config)
    out: list[QueryRecord] = []
    for posting, (role, _, guess), (keys, tech) in zip(chunk, roles, keyphrases, strict=True):
        body = _body(posting)
        facets = Facets(
            role, keys, find_years(body), find_work_mode(posting.text), find_domain(body)
        )
        rng = random.Random(f"{config.seed}:{posting.id}")
        if guess is not None:  # skills only: a topic phrase reads as noise in a short query
            facets = replace(facets, keyphrases=tuple(k for k in keys if k in tech))
            place = find_place(posting.text, common)
            queries = style_queries(facets, config.per_posting, rng, place=place)
        else:
            queries = compose_queries(facets, config.per_posting, rng, config, posting.text)
        out.extend(QueryRecord(posting_id=posting.id, query=q) for q in queries)
    return out
