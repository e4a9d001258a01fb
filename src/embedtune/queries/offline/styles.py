"""Queries a job seeker would type for a posting without a title, in several styles.

Once the role is read from the text (:func:`embedtune.queries.offline.infer_role`), a posting's
queries are short (2 to 6 words), lower-case and without filler, one style each while styles
last: the role alone ("registered nurse"), the role with a work mode or town ("remote data
engineer"), with one or two skills ("django backend developer"), with its seniority ("senior
accountant"), or skills, seniority and work mode ("senior python developer remote"). The
phrasings and their weights are data (``query_styles`` in ``roles.json``); a phrasing is used
only when the posting fills all of its slots.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from embedtune.queries.keyphrase_words import keyphrase_words
from embedtune.queries.offline.facets import Facets
from embedtune.queries.offline.role import Role  # noqa: F401 (the doctest of style_queries)
from embedtune.queries.offline.role_words import QueryStyle, role_words
from embedtune.queries.offline.words import offline_words

__all__ = ["MAX_STYLE_WORDS", "MIN_STYLE_WORDS", "style_queries"]

MIN_STYLE_WORDS = 2
MAX_STYLE_WORDS = 6
_ROLE_WORDS = role_words()
_WORDS = offline_words()


def _typed(skill: str) -> bool:
    """Whether ``skill`` is a known skill (``known_skills`` of the keyphrase vocabulary).

    Tech-shaped keyphrases of scraped text hold words glued together ("materialswrite") and
    web addresses; in a query of four words one of them is noise, so only known skills go in.

    >>> [_typed(s) for s in ("power bi", "python", "p.w", "billingcompetence")]
    [True, True, False, False]
    """
    words = keyphrase_words()
    return skill in words.known_skills or skill in {w.lower() for w in words.cased_skills}


def _slots(facets: Facets, place: str | None, rng: random.Random) -> dict[str, str]:
    """What the posting fills: role, head, and when known sen, skill, skill2, mode, place."""
    role = facets.role.name.lower()
    values = {"role": role, "head": role.split()[-1]}
    if facets.role.seniority:
        values["sen"] = rng.choice(_WORDS.seniority_spellings[facets.role.seniority])
    skills = [k.lower() for k in facets.keyphrases if len(k.split()) <= 2]
    skills = [s for s in skills if _typed(s) and not set(s.split()) & set(role.split())]
    if skills:
        values["skill"] = skills[0]
    if len(skills) > 1:
        values["skill2"] = skills[1]
    if facets.mode:
        values["mode"] = rng.choice(_WORDS.mode_spellings[facets.mode])
    if place and place not in role:
        values["place"] = place
    return values


def _fill(text: str, values: dict[str, str]) -> str | None:
    slots = set(re.findall(r"\{(\w+)\}", text))
    if not slots <= values.keys():
        return None
    query = " ".join(text.format(**values).split())
    return query if MIN_STYLE_WORDS <= len(query.split()) <= MAX_STYLE_WORDS else None


def _weighted_order(styles: Sequence[QueryStyle], rng: random.Random) -> list[QueryStyle]:
    """``styles`` in a random order drawn by weight, without repeats."""
    pool = list(styles)
    order: list[QueryStyle] = []
    while pool:
        pick = rng.choices(pool, weights=[_ROLE_WORDS.style_weights[s] for s in pool])[0]
        order.append(pick)
        pool.remove(pick)
    return order


def style_queries(
    facets: Facets, n: int, rng: random.Random, *, place: str | None = None
) -> list[str]:
    """Up to ``n`` distinct queries, each in another style while styles last.

    A one-word role alone reads "nurse jobs". Fewer than ``n`` come back only when the posting
    fills too few phrasings.

    >>> facets = Facets(Role("data engineer", "senior"), ("Spark", "Airflow"), None, "remote", None)
    >>> queries = style_queries(facets, 5, random.Random(1))
    >>> len(queries), all(2 <= len(q.split()) <= 6 and q == q.lower() for q in queries)
    (5, True)
    """
    values = _slots(facets, place, rng)
    usable: dict[QueryStyle, list[str]] = {}
    for style, texts in _ROLE_WORDS.styles.items():
        filled = [q for t in texts if (q := _fill(t, values))]
        if style == "role" and len(values["role"].split()) == 1:
            filled = [f"{values['role']} jobs"]
        if filled:
            usable[style] = filled
    out: list[str] = []
    while len(out) < n and any(usable.values()):
        for style in _weighted_order([s for s in usable if usable[s]], rng):
            if len(out) == n:
                break
            query = usable[style].pop(rng.randrange(len(usable[style])))
            if query not in out:
                out.append(query)
    return out
