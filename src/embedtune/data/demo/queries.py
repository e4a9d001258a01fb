"""Gold queries: short search-box text built from a posting's facets, never copied from its text."""

from __future__ import annotations

import random
import re

from embedtune.data.demo.drafts import Facets
from embedtune.data.demo.draws import pick, skill_surface
from embedtune.data.demo.vocab import industries, query_phrases, role_families

__all__ = ["MAX_QUERY_WORDS", "query_records"]

MAX_QUERY_WORDS = 10


def query_records(rng: random.Random, facets: Facets, posting_id: str) -> list[dict[str, str]]:
    """One or two queries for the posting `posting_id`, with ids ``q-<number>-<k>``."""
    number = posting_id.removeprefix("demo-")
    texts = _make_queries(rng, facets, 1 if rng.random() < 0.5 else 2)
    return [
        {"query_id": f"q-{number}-{k}", "query": text, "posting_id": posting_id}
        for k, text in enumerate(texts, start=1)
    ]


def _make_queries(rng: random.Random, facets: Facets, count: int) -> list[str]:
    """Up to `count` different queries, templates tried in a random order."""
    templates = query_phrases().templates
    queries: list[str] = []
    for template in rng.sample(templates, len(templates)):
        query = _fill_query(rng, template, facets)
        too_long = len(query.split()) > MAX_QUERY_WORDS
        if not too_long and query.lower() not in {q.lower() for q in queries}:
            queries.append(query)
        if len(queries) == count:
            break
    return queries


def _fill_query(rng: random.Random, template: str, facets: Facets) -> str:
    """One search-box query: facets with synonyms, mostly lowercase, no punctuation to speak of.

    For a senior ML engineer posting in fintech with PyTorch, "{sen} {role} {skill} {industry}
    {where}" may give "sr mle torch credit risk remote".
    """
    words = query_phrases()
    skill, skill2 = rng.sample(facets.skills, 2)
    city_alias = pick(rng, facets.city.search_names)
    years_options = words.junior_years if facets.seniority == "junior" else words.years
    slots = {
        "role": pick(rng, role_families()[facets.family].aliases),
        "sen": pick(rng, words.seniority[facets.seniority]),
        "years": pick(rng, years_options).format(y=facets.years),
        "skill": skill_surface(rng, skill, 0.5),
        "skill2": skill_surface(rng, skill2, 0.5),
        "industry": pick(rng, industries()[facets.industry].aliases),
        "where": pick(rng, words.where[facets.mode]).format(city=city_alias),
    }
    query = " ".join(template.format_map(slots).split())
    query = re.sub(r"\s+,", ",", query).strip(" ,")
    return query.lower() if rng.random() < 0.8 else query
