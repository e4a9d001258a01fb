"""Queries from a posting's facets: a phrasing (template) filled in the way people type.

The phrasings and spellings are data (:mod:`embedtune.queries.offline.words`): a template is
used only when the posting fills all of its slots, and ``{role}`` carries the seniority now and
then when the template has no ``{sen}``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from embedtune.queries.offline.config import OfflineQueryConfig
from embedtune.queries.offline.facets import Facets
from embedtune.queries.offline.role import Role, names_a_job  # noqa: F401 (Role: the doctest)
from embedtune.queries.offline.words import Joiner, Template, offline_words

__all__ = [
    "BARE_TEMPLATES",
    "MAX_WORDS",
    "MIN_WORDS",
    "SKILL_SHORTHANDS",
    "TEMPLATES",
    "compose_queries",
]

MIN_WORDS = 2
MAX_WORDS = 12
_COPY_SPAN = 6  # a query may not repeat this many consecutive words of its posting

_WORDS = offline_words()
TEMPLATES: tuple[Template, ...] = _WORDS.templates
BARE_TEMPLATES: tuple[Template, ...] = _WORDS.bare_templates  # for a posting without keyphrases
SKILL_SHORTHANDS = _WORDS.skill_shorthands  # never applied to the first keyphrase


def compose_queries(
    facets: Facets, n: int, rng: random.Random, config: OfflineQueryConfig, text: str
) -> list[str]:
    """Up to ``n`` distinct queries for one posting (fewer only if the phrasings run out).

    The first query takes the best keyphrases; later ones favour keyphrases not used yet. A
    query outside 2..12 words, repeating six consecutive words of ``text``, or whose words are
    all in another query (or hold all of another's) is not kept.

    >>> facets = Facets(Role("data scientist", "senior"), ("PyTorch", "credit risk"), "5+", None, None)
    >>> cfg = OfflineQueryConfig(min_keyphrases=2, max_keyphrases=2)
    >>> [len(q.split()) >= 4 for q in compose_queries(facets, 2, random.Random(0), cfg, "")]
    [True, True]
    """
    copied = _word_spans(text, _COPY_SPAN)
    job = names_a_job(facets.role)  # a topic ("influenza a virus") gets no "... jobs" phrasing
    used = [0] * len(facets.keyphrases)
    out: list[str] = []
    for _ in range(30 * n):
        if len(out) == n:
            break
        picks = _pick_keyphrases(facets.keyphrases, used, rng, config, first=not out)
        query = _compose(facets, [facets.keyphrases[i] for i in picks], rng, job=job)
        if not MIN_WORDS <= len(query.split()) <= MAX_WORDS or _repeats(query, out):
            continue
        if _word_spans(query, _COPY_SPAN) & copied:
            continue
        out.append(query)
        for i in picks:
            used[i] += 1
    return out


def _repeats(query: str, kept: Sequence[str]) -> bool:
    """Whether ``query`` says no more, or no less, than a query already kept.

    >>> _repeats("ML engineer, GPU", ["ml engineer gpu mlflow"]), _repeats("ml engineer k8s", [])
    (True, False)
    """
    words = set(_words(query))
    return any(words <= other or other <= words for other in (set(_words(q)) for q in kept))


def _words(text: str) -> list[str]:
    return re.findall(r"[\w+#/.-]+", text.lower())


def _pick_keyphrases(
    keyphrases: Sequence[str],
    used: list[int],
    rng: random.Random,
    config: OfflineQueryConfig,
    *,
    first: bool,
) -> list[int]:
    """Indices of the keyphrases for one query: the best ones first, then fresh ones."""
    count = min(rng.randint(config.min_keyphrases, config.max_keyphrases), len(keyphrases))
    if first:
        return list(range(count))
    weights = [0.75**rank * 0.3 ** used[rank] for rank in range(len(keyphrases))]
    picks: list[int] = []
    pool = list(range(len(keyphrases)))
    for _ in range(count):
        i = rng.choices(pool, weights=[weights[j] for j in pool])[0]
        picks.append(i)
        pool.remove(i)
    return sorted(picks)


def _compose(facets: Facets, skills: list[str], rng: random.Random, *, job: bool) -> str:
    """One query: a template that fits the facets, filled in, sometimes lower-cased; without
    ``job`` (the role names no job), none that says it is a job search."""
    values = _slot_values(facets, rng)
    templates = TEMPLATES if skills else BARE_TEMPLATES
    usable = [t for t in templates if t.needs <= values.keys()]
    if not job:
        usable = [t for t in usable if not t.says_job]
    if not usable:
        return values["role"]
    chosen = rng.choices(usable, weights=[t.weight for t in usable])[0]
    template, joiner = chosen.text, chosen.joiner
    if "{sen}" not in template and "sen" in values and rng.random() < 0.5:
        values["role"] = f"{values['sen']} {values['role']}"
    skills = [s if i == 0 else _shorthand(s, rng) for i, s in enumerate(skills)]
    if rng.random() < 0.3:
        rng.shuffle(skills)
    while True:
        values["skills"] = _join(skills, joiner)
        query = _fill(template, values)
        if len(query.split()) <= MAX_WORDS or len(skills) <= 1:
            break
        skills = skills[:-1]
    query = _add_extra(query, template, values, rng)
    return query.lower() if rng.random() < 0.65 else query


def _slot_values(facets: Facets, rng: random.Random) -> dict[str, str]:
    role = facets.role.name
    for long, short in _WORDS.abbreviations:
        if long in role.lower() and rng.random() < 0.5:
            role = re.sub(long, short, role, flags=re.I)
    values = {"role": role}
    if facets.role.seniority:
        values["sen"] = rng.choice(_WORDS.seniority_spellings[facets.role.seniority])
    if facets.years:
        n = facets.years
        values["years"] = rng.choice((f"{n} years", f"{n} yrs", f"{n} years exp"))
        values["yexp"] = rng.choice(
            (f"{n} year experience", f"{n} years experience", f"{n} yrs exp")
        )
    if facets.mode:
        values["mode"] = rng.choice(_WORDS.mode_spellings[facets.mode])
    if facets.domain and not any(facets.domain in k.lower() for k in facets.keyphrases):
        values["domain"] = rng.choice(_WORDS.domain_spellings.get(facets.domain, (facets.domain,)))
    return values


def _shorthand(skill: str, rng: random.Random) -> str:
    short = SKILL_SHORTHANDS.get(skill.lower())
    return short if short and rng.random() < 0.25 else skill


def _join(skills: Sequence[str], joiner: Joiner) -> str:
    """The keyphrases as one slot.

    >>> _join(["python", "sql", "dbt"], "and")
    'python, sql and dbt'
    """
    if joiner == "space" or len(skills) < 2:
        return " ".join(skills)
    if joiner == "comma":
        return ", ".join(skills)
    return f"{', '.join(skills[:-1])} and {skills[-1]}"


def _fill(template: str, values: dict[str, str]) -> str:
    return re.sub(r"\s+", " ", template.format(**values)).strip(" ,")


def _add_extra(query: str, template: str, values: dict[str, str], rng: random.Random) -> str:
    """Now and then, tack on the work mode or industry the template left out."""
    extras = [values[k] for k in ("mode", "domain") if k in values and f"{{{k}}}" not in template]
    if extras and rng.random() < 0.2:
        extra = rng.choice(extras)
        if len(query.split()) + len(extra.split()) <= MAX_WORDS:
            return f"{query} {extra}"
    return query


def _word_spans(text: str, n: int) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}
