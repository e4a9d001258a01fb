"""The offline query generator's vocabulary, read from ``words.json`` beside this module.

Titles, industries and phrasings are data: to teach the generator an industry or a way of
phrasing a search, edit the file. It is kept apart on purpose from the demo corpus generator's
vocabulary, which the offline queries are benchmarked on (see :mod:`embedtune._vocab`).

>>> words = offline_words()
>>> words.title_seniority["sr"], words.domains["fintech"][0], words.templates[0]
('senior', 'fintech', Template(text='{role} {skills}', joiner='space', weight=3.0))
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Literal, get_args

from embedtune._vocab import VocabularyFile
from embedtune.data.facets import SENIORITIES, WORK_MODES, Seniority, WorkMode
from embedtune.errors import EmbedtuneError

__all__ = [
    "SLOTS",
    "WORDS_FILE",
    "Joiner",
    "OfflineWords",
    "Template",
    "offline_words",
]

WORDS_FILE = "words.json"

Joiner = Literal["space", "comma", "and"]
# What a template may hold: the role, its seniority, the keyphrases, years ("5+ years", or
# "5+ years experience" as yexp), the work mode and the industry.
SLOTS = frozenset({"role", "sen", "skills", "years", "yexp", "mode", "domain"})


_JOB_WORDS = re.compile(r"\b(?:jobs?|position|looking for)\b")


@dataclass(frozen=True)
class Template:
    """A phrasing: ``text`` with ``{slot}`` fields, how the keyphrases join, and its weight.

    ``needs``: the slots besides ``{skills}`` that the posting must fill for it to be used.
    """

    text: str
    joiner: Joiner
    weight: float

    @property
    def says_job(self) -> bool:
        """Whether the phrasing itself says it is a job search ("{role} jobs", "looking for")."""
        return _JOB_WORDS.search(self.text) is not None

    def __post_init__(self) -> None:
        if self.joiner not in get_args(Joiner):
            raise ValueError(
                f"invalid joiner {self.joiner!r}; valid: {', '.join(get_args(Joiner))}"
            )
        if (
            isinstance(self.weight, bool)
            or not isinstance(self.weight, int | float)
            or self.weight <= 0
        ):
            raise ValueError(
                f"invalid weight {self.weight!r} of {self.text!r}; valid: a number > 0"
            )
        unknown = self.slots - SLOTS
        if unknown:
            raise ValueError(
                f"unknown slot {sorted(unknown)} in {self.text!r}; valid: {sorted(SLOTS)}"
            )

    @functools.cached_property
    def slots(self) -> frozenset[str]:
        return frozenset(re.findall(r"\{(\w+)\}", self.text))

    @functools.cached_property
    def needs(self) -> frozenset[str]:
        return self.slots - {"skills"}


@dataclass(frozen=True)
class OfflineWords:
    """The generator's vocabulary; every table keeps the order of the file.

    ``title_seniority``: title words that give the level ("sr" → senior). ``head_nouns``: words
    that name a job in a title ("engineer"); ``head_topics``: the topic words of a head noun
    ("scientist" → "science") a keyphrase should not repeat. ``abbreviations``: how people
    shorten a role ("machine learning" → "ML"). ``domains``: industry → the words that give it
    away, the first one how people type the industry. ``templates`` (with keyphrases) and
    ``bare_templates`` (without): the phrasings. ``seniority_spellings``, ``mode_spellings``,
    ``domain_spellings``: how people type a level, a work mode, an industry (a repeat is a weight).
    ``skill_shorthands``: how people shorten a skill ("kubernetes" → "k8s").
    """

    title_seniority: dict[str, Seniority]
    head_nouns: frozenset[str]
    head_topics: dict[str, tuple[str, ...]]
    abbreviations: tuple[tuple[str, str], ...]
    domains: dict[str, tuple[str, ...]]
    templates: tuple[Template, ...]
    bare_templates: tuple[Template, ...]
    seniority_spellings: dict[Seniority, tuple[str, ...]]
    mode_spellings: dict[WorkMode, tuple[str, ...]]
    domain_spellings: dict[str, tuple[str, ...]]
    skill_shorthands: dict[str, str]

    def __post_init__(self) -> None:
        levels, modes = SENIORITIES, WORK_MODES
        bad = sorted(set(self.title_seniority.values()) - set(levels))
        if bad:
            raise ValueError(f"title_seniority: invalid level {bad}; valid: {', '.join(levels)}")
        if tuple(self.seniority_spellings) != levels:
            raise ValueError(f"seniority_spellings: spell every level, in order: {levels}")
        if set(self.mode_spellings) != set(modes):
            raise ValueError(f"mode_spellings: spell every work mode: {', '.join(modes)}")
        unknown = sorted(set(self.domain_spellings) - set(self.domains))
        if unknown:
            raise ValueError(f"domain_spellings: unknown industry {unknown}; valid: domains")
        if any("skills" not in t.slots for t in self.templates):
            raise ValueError("templates: each one holds {skills} (bare_templates do not)")
        if any("skills" in t.slots for t in self.bare_templates):
            raise ValueError("bare_templates: none holds {skills}")

    @classmethod
    def from_file(cls, file: VocabularyFile) -> OfflineWords:
        try:
            return cls(
                title_seniority=file.mapping("title_seniority"),  # type: ignore[arg-type]
                head_nouns=file.word_set("head_nouns"),
                head_topics=file.table("head_topics"),
                abbreviations=tuple(file.mapping("abbreviations").items()),
                domains=file.table("domains"),
                templates=_templates(file, "templates"),
                bare_templates=_templates(file, "bare_templates"),
                seniority_spellings=file.table("seniority_spellings"),  # type: ignore[arg-type]
                mode_spellings=file.table("mode_spellings"),  # type: ignore[arg-type]
                domain_spellings=file.table("domain_spellings"),
                skill_shorthands=file.mapping("skill_shorthands"),
            )
        except ValueError as exc:
            raise EmbedtuneError(
                f"vocabulary file {file.where}: {exc}", fix="correct the entry named in the message"
            ) from exc


def _templates(file: VocabularyFile, key: str) -> tuple[Template, ...]:
    """``[[text, joiner, weight], ...]`` as templates."""
    rows: Any = file.get(key)
    if not isinstance(rows, list) or not rows:
        raise file.error(key, "must be a non-empty list of [template, joiner, weight]")
    out = []
    for row in rows:
        if not (isinstance(row, list) and len(row) == 3 and isinstance(row[0], str)):
            raise file.error(key, f"holds {row!r}, not [template, joiner, weight]")
        out.append(Template(row[0], row[1], row[2]))
    return tuple(out)


@functools.cache
def offline_words() -> OfflineWords:
    """The generator's vocabulary, read once from :data:`WORDS_FILE`."""
    return OfflineWords.from_file(VocabularyFile.load("embedtune.queries.offline", WORDS_FILE))
