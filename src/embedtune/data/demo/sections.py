"""A posting's sections: role content (intro, duties, requirements, nice-to-haves, stack) wrapped
in boilerplate (board or agency preamble, company blurb, benefits, pay, EEO, how to apply)."""

from __future__ import annotations

import random
from collections.abc import Mapping

from embedtune.data.demo.drafts import Channel, Company, Facets, Section
from embedtune.data.demo.draws import (
    capfirst,
    join_and,
    lower_first,
    pick,
    skill_surface,
    with_article,
)
from embedtune.data.demo.vocab import (
    Industry,
    RoleFamily,
    channel_phrases,
    company_phrases,
    industries,
    levels,
    posting_phrases,
    role_families,
)

__all__ = ["aggregator_section", "assemble", "pay_text"]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def assemble(
    rng: random.Random,
    company: Company,
    facets: Facets,
    slots: dict[str, str],
    channel: Channel,
    salary: tuple[int, int],
    pay_line: int,
) -> tuple[Section, ...]:
    """Order: preamble, maybe the blurb, role content, then benefits/pay, the blurb, EEO/apply."""
    head: list[Section] = []
    if channel == "aggregator":
        head.append(aggregator_section(rng, facets))
    if channel == "recruiter":
        head.append(_recruiter_opener(rng, company, facets))
    about = _about_section(company) if channel != "recruiter" and "about" in company.uses else None
    about_first = about is not None and rng.random() < 0.55
    if about is not None and about_first:
        head.append(about)
    middle = _benefit_and_pay(rng, company, facets, channel, salary, pay_line)
    rng.shuffle(middle)
    if about is not None and not about_first:
        middle.append(about)
    tail = _eeo_and_apply(rng, company, channel)
    rng.shuffle(tail)
    if channel == "recruiter":
        agency = pick(rng, channel_phrases().agencies)
        closer = pick(rng, channel_phrases().recruiter_closers).format(agency=agency)
        tail.append(Section("recruiter", paragraphs=(closer,)))
    return tuple(head + _role_sections(rng, company, facets, slots) + middle + tail)


def aggregator_section(rng: random.Random, facets: Facets) -> Section:
    """A job board's reference line: "Job ID: 48213 | Posted via JobPulse | 2025-03-14"."""
    phrases = channel_phrases()
    city = facets.city
    line = pick(rng, phrases.board_lines).format(
        jid=rng.randint(10000, 999999),
        board=pick(rng, phrases.boards),
        date=_random_date(rng),
        title=facets.title,
        location="Remote" if facets.mode == "remote" else f"{city.name}, {city.state}",
        days=rng.randint(1, 30),
        applicants=rng.randint(3, 400),
    )
    return Section("board", paragraphs=(line,))


def pay_text(pay_line: int, salary: tuple[int, int], state: str) -> str:
    """Pay line number `pay_line` of companies.json filled with `salary` (dollars a year)."""
    low, high = salary
    template = company_phrases().pay_lines[pay_line]
    return template.format(lo=low, hi=high, lo_k=low // 1000, hi_k=high // 1000, state=state)


# --------------------------------------------------------------------------------------------
# Role content.
# --------------------------------------------------------------------------------------------


def _role_sections(
    rng: random.Random, company: Company, facets: Facets, slots: dict[str, str]
) -> list[Section]:
    role = role_families()[facets.family]
    industry = industries()[facets.industry]
    core = [skill for skill in facets.skills if skill in role.skills]
    extra = [skill for skill in facets.skills if skill not in role.skills]
    headings = company.headings
    sections = [
        _intro_section(rng, company, role, industry, facets, slots),
        Section("duties", headings["duties"], bullets=_duties(rng, role, facets, slots)),
        Section(
            "requirements",
            headings["requirements"],
            bullets=_requirements(rng, role, facets, core, slots),
        ),
        Section("nice", headings["nice"], bullets=_nice(rng, industry, extra, slots)),
    ]
    if rng.random() < 0.3:
        stack = ", ".join(
            skill_surface(rng, skill, 0.8)
            for skill in rng.sample(facets.skills, len(facets.skills))
        )
        position = pick(rng, (1, 3, 4))
        heading = pick(rng, posting_phrases().stack_headings)
        sections.insert(position, Section("stack", heading, (stack,), inline=True))
    return sections


def _intro_section(
    rng: random.Random,
    company: Company,
    role: RoleFamily,
    industry: Industry,
    facets: Facets,
    slots: dict[str, str],
) -> Section:
    recruited = slots["company"] == "our client"
    templates = channel_phrases().recruiter_intros if recruited else posting_phrases().intros
    mission = pick(rng, role.missions).format_map(slots)
    sentences = [capfirst(pick(rng, templates).format_map({**slots, "mission": mission}))]
    if rng.random() < 0.7:
        sentences.append(pick(rng, industry.context))
    mode_line = pick(rng, posting_phrases().mode_lines[facets.mode]).format_map(slots)
    if rng.random() < 0.5:
        return Section("intro", company.headings["intro"], (" ".join(sentences), mode_line))
    return Section("intro", company.headings["intro"], (" ".join([*sentences, mode_line]),))


def _duties(
    rng: random.Random, role: RoleFamily, facets: Facets, slots: dict[str, str]
) -> tuple[str, ...]:
    duties = rng.sample(role.duties, rng.randint(4, min(6, len(role.duties))))
    duties.insert(rng.randint(1, len(duties)), pick(rng, levels()[facets.seniority].duties))
    if rng.random() < 0.35:
        duties.append(pick(rng, posting_phrases().industry_duties))
    return tuple(duty.format_map(slots) for duty in duties)


def _requirements(
    rng: random.Random,
    role: RoleFamily,
    facets: Facets,
    core: list[str],
    slots: dict[str, str],
) -> tuple[str, ...]:
    phrases = posting_phrases()
    junior = facets.seniority == "junior"
    years_lines = phrases.junior_years_lines if junior else phrases.years_lines
    lines = [pick(rng, years_lines).format_map(slots)]
    lines += _skill_lines(rng, core, phrases.skill_lines)
    lines += rng.sample(role.requirements, rng.randint(1, 2))
    lines += list(levels()[facets.seniority].requirements)
    if rng.random() < 0.55:
        lines.append(pick(rng, role.degrees))
    return tuple(lines)


def _nice(
    rng: random.Random, industry: Industry, extra: list[str], slots: dict[str, str]
) -> tuple[str, ...]:
    lines = _skill_lines(rng, extra, posting_phrases().nice_lines)
    if industry.regulations and rng.random() < 0.5:
        lines.append(pick(rng, industry.regulations))
    if rng.random() < 0.35:
        lines.append(pick(rng, posting_phrases().industry_nice).format_map(slots))
    return tuple(lines)


def _skill_lines(
    rng: random.Random, skills: list[str], templates: Mapping[int, tuple[str, ...]]
) -> list[str]:
    """Mention every skill once, in groups of one to the largest group the templates allow."""
    lines = []
    rest = list(skills)
    while rest:
        size = rng.randint(1, min(len(rest), max(templates)))
        group, rest = rest[:size], rest[size:]
        surfaces = [skill_surface(rng, skill) for skill in group]
        lines.append(pick(rng, templates[size]).format(*surfaces))
    return lines


# --------------------------------------------------------------------------------------------
# Boilerplate.
# --------------------------------------------------------------------------------------------


def _about_section(company: Company) -> Section:
    heading = company.headings["about"]
    return Section("about", heading, (" ".join(company.blurb),), inline=heading == "About us")


def _benefit_and_pay(
    rng: random.Random,
    company: Company,
    facets: Facets,
    channel: Channel,
    salary: tuple[int, int],
    pay_line: int,
) -> list[Section]:
    sections = []
    benefits_p = 0.5 if channel == "recruiter" else 0.95
    if "benefits" in company.uses and rng.random() < benefits_p:
        sections.append(_benefits_section(company))
    pay_states = company_phrases().pay_transparency_states
    pay_p = 0.85 if facets.mode == "remote" or facets.city.state in pay_states else 0.35
    if rng.random() < pay_p:
        heading = company.headings["pay"]
        text = pay_text(pay_line, salary, facets.city.state)
        sections.append(Section("pay", heading, (text,), inline=heading is not None))
    return sections


def _benefits_section(company: Company) -> Section:
    heading = company.headings["benefits"]
    if company.benefits_as_list:
        return Section("benefits", heading, bullets=company.benefits)
    paragraphs = company_phrases().benefits_paragraphs
    template = paragraphs[len(company.name) % len(paragraphs)]
    lowered = [lower_first(item) for item in company.benefits]
    return Section("benefits", heading, (template.format(items=join_and(lowered)),))


def _eeo_and_apply(rng: random.Random, company: Company, channel: Channel) -> list[Section]:
    """The company's own EEO and apply lines; an agency uses generic ones without the name."""
    sections = []
    recruiter = channel == "recruiter"
    lines, agency = company_phrases(), channel_phrases()
    if "eeo" in company.uses and (not recruiter or rng.random() < 0.4):
        eeo = lines.eeo_lines[agency.recruiter_eeo_line] if recruiter else company.eeo
        sections.append(Section("eeo", company.headings["eeo"], (eeo,)))
    if rng.random() < 0.6:
        generic = [lines.apply_lines[i] for i in agency.recruiter_apply_lines]
        apply = pick(rng, generic) if recruiter else company.apply
        sections.append(Section("apply", company.headings["apply"], (apply,)))
    return sections


def _random_date(rng: random.Random) -> str:
    year, month, day = rng.choice((2024, 2025)), rng.randint(1, 12), rng.randint(1, 28)
    if rng.random() < 0.5:
        return f"{year}-{month:02d}-{day:02d}"
    return f"{_MONTHS[month - 1]} {day}, {year}"


def _recruiter_opener(rng: random.Random, company: Company, facets: Facets) -> Section:
    phrases = channel_phrases()
    text = pick(rng, phrases.recruiter_openers).format(
        adj=pick(rng, phrases.recruiter_adjectives),
        kind=pick(rng, industries()[company.industry].kinds),
        city=facets.city.name,
        a_title=with_article(facets.title),
    )
    return Section("recruiter", paragraphs=(text,))
