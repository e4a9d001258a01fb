"""Invented companies: a name, a city, a style, and the boilerplate they reuse in every posting."""

from __future__ import annotations

import random
import re

from embedtune.data.demo.drafts import Company, Style, TextFormat
from embedtune.data.demo.draws import pick, weighted
from embedtune.data.demo.vocab import Industry, company_phrases, industries

__all__ = ["company_count", "make_companies", "random_style"]

_FORMAT_WEIGHTS: dict[TextFormat, float] = {"html": 0.35, "markdown": 0.35, "plain": 0.3}
_MARKERS = ("- ", "• ", "* ", "– ")
_APOSTROPHES = ("'", "'", "&#39;", "&rsquo;")


def company_count(n_jobs: int) -> int:
    """About one company per six jobs, at most 400."""
    return max(1, min(400, n_jobs // 6 + 1))


def make_companies(rng: random.Random, count: int) -> list[Company]:
    """`count` companies with distinct names, industries drawn by weight."""
    phrases = company_phrases()
    industry_weights = {key: industry.weight for key, industry in industries().items()}
    taken: set[str] = set()
    companies: list[Company] = []
    while len(companies) < count:
        industry = weighted(rng, industry_weights)
        name = pick(rng, phrases.name_heads) + pick(rng, phrases.name_tails)
        name += " " + pick(rng, industries()[industry].suffixes)
        if name not in taken:
            taken.add(name)
            companies.append(_make_company(rng, name, industry))
    return companies


def random_style(rng: random.Random) -> Style:
    return Style(
        fmt=weighted(rng, _FORMAT_WEIGHTS),
        heading=rng.randrange(3),
        marker=pick(rng, _MARKERS),
        compact=rng.random() < 0.4,
        apostrophe=pick(rng, _APOSTROPHES),
    )


def _make_company(rng: random.Random, name: str, industry_key: str) -> Company:
    phrases = company_phrases()
    industry = industries()[industry_key]
    city = pick(rng, phrases.cities)
    domain = re.sub(r"[^a-z]", "", name.lower()) + ".com"
    email = f"{pick(rng, phrases.mailboxes)}@{domain}"
    uses = {
        kind for kind, p in (("about", 0.85), ("benefits", 0.8), ("eeo", 0.8)) if rng.random() < p
    }
    headings = {kind: pick(rng, options) for kind, options in phrases.headings.items()}
    headings["about"] = (headings["about"] or "About us").format(company=name)
    return Company(
        name=name,
        industry=industry_key,
        city=city,
        email=email,
        site=f"https://www.{domain}",
        blurb=_make_blurb(rng, name, industry, city.name),
        headings=headings,
        benefits=_make_benefits(rng),
        benefits_as_list=rng.random() < 0.75,
        eeo=pick(rng, phrases.eeo_lines).format(company=name, email=email),
        apply=pick(rng, phrases.apply_lines).format(email=email, site=f"https://{domain}"),
        uses=frozenset(uses),
        style=random_style(rng),
    )


def _make_blurb(rng: random.Random, name: str, industry: Industry, city: str) -> tuple[str, ...]:
    phrases = company_phrases()
    slots = {
        "name": name,
        "kind": pick(rng, industry.kinds),
        "mission": pick(rng, industry.missions),
        "year": str(rng.randint(1998, 2022)),
        "city": city,
        "size": pick(rng, phrases.sizes),
        "customers": pick(rng, phrases.customer_counts),
    }
    opener = pick(rng, phrases.blurb_openers).format_map(slots)
    return (opener, pick(rng, phrases.blurb_followers).format_map(slots))


def _make_benefits(rng: random.Random) -> tuple[str, ...]:
    phrases = company_phrases()
    picked = rng.sample(phrases.benefits, rng.randint(3, 6))
    slots = {
        "n": rng.choice((3, 4, 6)),
        "n2": rng.choice((15, 20, 25)),
        "budget": rng.choice((1000, 1500, 2000, 2500)),
    }
    items = [pick(rng, phrases.health_benefits)] + [item.format_map(slots) for item in picked]
    return tuple(items)
