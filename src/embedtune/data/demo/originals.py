"""Original postings: draw a posting's facts, fill its slots, assemble its sections."""

from __future__ import annotations

import random

from embedtune.data.demo.companies import random_style
from embedtune.data.demo.drafts import Channel, Company, Draft, Facets
from embedtune.data.demo.draws import pick, weighted, with_article
from embedtune.data.demo.sections import assemble
from embedtune.data.demo.vocab import (
    Industry,
    RoleFamily,
    company_phrases,
    industries,
    levels,
    role_families,
)
from embedtune.data.facets import Seniority, WorkMode

__all__ = ["make_original"]

_MODE_WEIGHTS: dict[WorkMode, float] = {"remote": 0.3, "hybrid": 0.4, "onsite": 0.3}
_CHANNEL_WEIGHTS: dict[Channel, float] = {"direct": 0.68, "aggregator": 0.22, "recruiter": 0.1}
_HIGH_PAY_STATES = frozenset({"CA", "NY", "WA"})  # salaries 8% above the rest


def make_original(rng: random.Random, company: Company) -> Draft:
    """One posting of `company`: its facts, slots, sections, salary and rendering style."""
    industry = industries()[company.industry]
    family = _pick_family(rng, industry)
    role = role_families()[family]
    seniority = _pick_seniority(rng, role)
    channel = weighted(rng, _CHANNEL_WEIGHTS)
    city = company.city if rng.random() < 0.75 else pick(rng, company_phrases().cities)
    facets = Facets(
        family=family,
        seniority=seniority,
        years=rng.randint(*levels()[seniority].years),
        skills=_pick_skills(rng, role),
        industry=company.industry,
        mode=weighted(rng, _MODE_WEIGHTS),
        city=city,
        title=_make_title(rng, role, seniority),
        company=company.name,
    )
    slots = _make_slots(rng, company, industry, role, facets, channel)
    salary = _salary(rng, facets)
    pay_line = rng.randrange(len(company_phrases().pay_lines))
    sections = assemble(rng, company, facets, slots, channel, salary, pay_line)
    style = company.style if channel == "direct" else random_style(rng)
    return Draft(facets, slots, sections, style, rng.getrandbits(32), salary, pay_line)


def _pick_family(rng: random.Random, industry: Industry) -> str:
    weights = {
        key: role.weight
        for key, role in role_families().items()
        if industry.vision or not role.needs_vision
    }
    return weighted(rng, weights)


def _pick_seniority(rng: random.Random, role: RoleFamily) -> Seniority:
    weights = {
        name: level.weight
        for name, level in levels().items()
        if role.hires_junior or name != "junior"
    }
    return weighted(rng, weights)


def _pick_skills(rng: random.Random, role: RoleFamily) -> tuple[str, ...]:
    core = rng.sample(role.skills, rng.randint(3, min(5, len(role.skills))))
    extra = rng.sample(role.extra_skills, rng.randint(1, 2))
    return tuple(core + extra)


def _make_title(rng: random.Random, role: RoleFamily, seniority: Seniority) -> str:
    base = pick(rng, role.titles)
    title = f"{pick(rng, levels()[seniority].title_prefixes)} {base}".strip()
    if seniority == "mid" and rng.random() < 0.25:
        title += " II"
    if rng.random() < 0.2:
        focus = pick(rng, role.focuses)
        title += pick(rng, (f", {focus}", f" - {focus}", f" ({focus})"))
    return title


def _make_slots(
    rng: random.Random,
    company: Company,
    industry: Industry,
    role: RoleFamily,
    facets: Facets,
    channel: Channel,
) -> dict[str, str]:
    """The values of `vocab.POSTING_SLOTS` for one posting."""
    problem, problem2 = rng.sample(industry.problems, 2)
    return {
        "title": facets.title,
        "a_title": with_article(facets.title),
        "company": "our client" if channel == "recruiter" else company.name,
        "team": pick(rng, role.teams),
        "problem": problem,
        "problem2": problem2,
        "objects": pick(rng, industry.objects),
        "text": pick(rng, industry.texts),
        "vision": pick(rng, industry.vision) if industry.vision else "",
        "users": pick(rng, industry.users),
        "industry": pick(rng, industry.aliases[:2]),
        "area": pick(rng, role.experience),
        "n": str(rng.randint(3, 8)),
        "y": str(facets.years),
        "city": facets.city.name,
        "st": facets.city.state,
        "d": str(rng.randint(2, 3)),
    }


def _salary(rng: random.Random, facets: Facets) -> tuple[int, int]:
    low_k, high_k = levels()[facets.seniority].salary_k
    factor = role_families()[facets.family].salary_factor
    if facets.city.state in _HIGH_PAY_STATES:
        factor *= 1.08
    low = round(rng.uniform(low_k, (low_k + high_k) / 2) * factor) * 1000
    high = round(low * rng.uniform(1.18, 1.4) / 1000) * 1000
    return low, high
