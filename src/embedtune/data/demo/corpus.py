"""The entry point: companies, original postings, reposts, shuffled ids, and gold queries."""

from __future__ import annotations

import random
from dataclasses import dataclass

from embedtune.data.demo.companies import company_count, make_companies
from embedtune.data.demo.drafts import Draft
from embedtune.data.demo.originals import make_original
from embedtune.data.demo.queries import query_records
from embedtune.data.demo.render import render
from embedtune.data.demo.reposts import make_repost
from embedtune.errors import EmbedtuneError

__all__ = ["DemoCorpus", "generate_demo_corpus"]


@dataclass(frozen=True)
class DemoCorpus:
    """Postings (originals and reposts, shuffled) and gold queries for the originals.

    Posting keys: id, title, company, location, description, seniority, industry, skills
    (comma-separated canonical names), repost_of ("" for originals). Query keys: query_id,
    query, posting_id.
    """

    postings: list[dict[str, str]]
    queries: list[dict[str, str]]


def generate_demo_corpus(
    n_jobs: int = 1000, *, seed: int = 0, repost_rate: float = 0.08
) -> DemoCorpus:
    """Write `n_jobs` original postings plus `round(repost_rate * n_jobs)` reposts, shuffled,
    and one or two gold queries per original.

    >>> corpus = generate_demo_corpus(10, seed=0, repost_rate=0.2)
    >>> len(corpus.postings), sum(p["repost_of"] != "" for p in corpus.postings)
    (12, 2)
    """
    _check_args(n_jobs, repost_rate)
    rng = random.Random(seed)
    companies = make_companies(rng, company_count(n_jobs))
    weights = [1.0 / (rank + 1) ** 0.5 for rank in range(len(companies))]
    originals = [make_original(rng, rng.choices(companies, weights)[0]) for _ in range(n_jobs)]
    sources = rng.sample(range(n_jobs), round(repost_rate * n_jobs))
    entries: list[tuple[Draft, int | None]] = [(draft, None) for draft in originals]
    entries += [(make_repost(rng, originals[i]), i) for i in sources]
    order = list(range(len(entries)))
    rng.shuffle(order)
    width = max(5, len(str(len(entries) - 1)))
    ids = [""] * len(entries)
    for position, entry in enumerate(order):
        ids[entry] = f"demo-{position:0{width}d}"
    postings: list[dict[str, str]] = []
    queries: list[dict[str, str]] = []
    for entry in order:
        draft, source = entries[entry]
        repost_of = "" if source is None else ids[source]
        postings.append(_record(draft, ids[entry], repost_of))
        if source is None:
            queries += query_records(rng, draft.facets, ids[entry])
    return DemoCorpus(postings=postings, queries=queries)


def _check_args(n_jobs: int, repost_rate: float) -> None:
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1:
        raise EmbedtuneError(
            f"Invalid n_jobs: {n_jobs!r}; the demo corpus needs at least 1 job",
            fix="pass an integer n_jobs >= 1, e.g. 1000",
        )
    if not 0.0 <= repost_rate <= 1.0:
        raise EmbedtuneError(
            f"Invalid repost_rate: {repost_rate!r}; valid: a fraction from 0 to 1",
            fix="pass a repost_rate between 0 and 1, e.g. 0.08",
        )


def _record(draft: Draft, posting_id: str, repost_of: str) -> dict[str, str]:
    facets = draft.facets
    city = facets.city
    return {
        "id": posting_id,
        "title": facets.title,
        "company": facets.company,
        "location": "Remote (US)" if facets.mode == "remote" else f"{city.name}, {city.state}",
        "description": render(draft),
        "seniority": facets.seniority,
        "industry": facets.industry,
        "skills": ", ".join(facets.skills),
        "repost_of": repost_of,
    }
