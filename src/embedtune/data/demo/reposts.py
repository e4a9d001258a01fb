"""Reposts: the same draft with two or three small edits, as boards re-list an open role."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

from embedtune.data.demo.drafts import Draft, Section
from embedtune.data.demo.draws import pick
from embedtune.data.demo.sections import aggregator_section, pay_text
from embedtune.data.demo.vocab import posting_phrases, role_families

__all__ = ["make_repost"]


def make_repost(rng: random.Random, original: Draft) -> Draft:
    """`original` after two or three different edits, drawn from `_EDITS`."""
    draft = original
    for edit in rng.sample(_EDITS, rng.randint(2, 3)):
        draft = edit(rng, draft)
    return draft


def _with_section(draft: Draft, kind: str, change: Callable[[Section], Section]) -> Draft:
    sections = tuple(change(s) if s.kind == kind else s for s in draft.sections)
    return replace(draft, sections=sections)


def _drop_duty(rng: random.Random, draft: Draft) -> Draft:
    def drop(section: Section) -> Section:
        bullets = list(section.bullets)
        del bullets[rng.randrange(len(bullets))]
        return replace(section, bullets=tuple(bullets))

    return _with_section(draft, "duties", drop)


def _add_note(rng: random.Random, draft: Draft) -> Draft:
    note = pick(rng, posting_phrases().repost_notes)
    return _with_section(draft, "intro", lambda s: replace(s, paragraphs=(*s.paragraphs, note)))


def _reword_duty(rng: random.Random, draft: Draft) -> Draft:
    role = role_families()[draft.facets.family]
    duties = next(s for s in draft.sections if s.kind == "duties")
    unused = [d.format_map(draft.slots) for d in role.duties]
    unused = [d for d in unused if d not in duties.bullets]
    if not unused:
        return _add_note(rng, draft)
    bullets = list(duties.bullets)
    bullets[rng.randrange(len(bullets))] = pick(rng, unused)
    return _with_section(draft, "duties", lambda s: replace(s, bullets=tuple(bullets)))


def _reorder_benefits(rng: random.Random, draft: Draft) -> Draft:
    benefits = next((s for s in draft.sections if s.kind == "benefits"), None)
    if benefits is None or len(benefits.bullets) < 3:
        return _new_reference(rng, draft)
    shift = rng.randint(1, len(benefits.bullets) - 1)
    bullets = benefits.bullets[shift:] + benefits.bullets[:shift]
    return _with_section(draft, "benefits", lambda s: replace(s, bullets=bullets))


def _new_reference(rng: random.Random, draft: Draft) -> Draft:
    fresh = aggregator_section(rng, draft.facets)
    if draft.sections[0].kind == "board":
        return replace(draft, sections=(fresh, *draft.sections[1:]))
    return replace(draft, sections=(fresh, *draft.sections))


def _change_salary(rng: random.Random, draft: Draft) -> Draft:
    if not any(section.kind == "pay" for section in draft.sections):
        return _add_note(rng, draft)
    bump = rng.choice((-10000, -5000, 5000, 10000, 15000))
    salary = (draft.salary[0] + bump, draft.salary[1] + bump)
    text = pay_text(draft.pay_line, salary, draft.facets.city.state)
    draft = replace(draft, salary=salary)
    return _with_section(draft, "pay", lambda s: replace(s, paragraphs=(text,)))


_EDITS: tuple[Callable[[random.Random, Draft], Draft], ...] = (
    _drop_duty,
    _add_note,
    _reword_duty,
    _reorder_benefits,
    _new_reference,
    _change_salary,
)
