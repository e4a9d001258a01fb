"""The demo's vocabularies: JSON files in `vocab/`, read once into frozen records and checked.

One file per kind of words, each with an `_about` line saying what it holds:

- ``skills.json``: skill -> other ways people write it (`SKILL_ALIASES`).
- ``roles.json``, ``industries.json``: `RoleFamily` and `Industry` records.
- ``seniority.json``: `Level` records, one per `DEMO_SENIORITIES` (junior to principal).
- ``companies.json``, ``channels.json``: the boilerplate around a role (`CompanyPhrases`,
  `ChannelPhrases`).
- ``postings.json``: the role part of a posting (`PostingPhrases`).
- ``queries.json``: search-box words for gold queries (`QueryPhrases`).

Each file is read by `embedtune._vocab.VocabularyFile` (which says why the vocabularies of the
demo, the cleaner and the query generators are kept apart) and converted by `schema.convert`; a
file that does not parse or does not match its record raises `EmbedtuneError` naming the file and
the place inside it (``vocab/roles.json: 'roles.data_scientist.skills[2]' expected str, ...``).
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any, TypeVar

from embedtune._vocab import VocabularyFile
from embedtune.data.demo.schema import SchemaError, convert
from embedtune.data.facets import SENIORITIES, WORK_MODES, Seniority, WorkMode

__all__ = [
    "DEMO_SENIORITIES",
    "POSTING_SLOTS",
    "ChannelPhrases",
    "City",
    "CompanyPhrases",
    "Industry",
    "Level",
    "PostingPhrases",
    "QueryPhrases",
    "RoleFamily",
    "channel_phrases",
    "company_phrases",
    "industries",
    "levels",
    "parse_vocabulary",
    "posting_phrases",
    "query_phrases",
    "role_families",
    "skill_aliases",
]

# The levels the demo writes postings for: all but intern.
DEMO_SENIORITIES: tuple[Seniority, ...] = tuple(s for s in SENIORITIES if s != "intern")

_R = TypeVar("_R")

# The slots a posting's templates may use (see `originals.make_slots`).
POSTING_SLOTS = frozenset((
    "title", "a_title", "company", "team", "problem", "problem2", "objects", "text", "vision",
    "users", "industry", "area", "n", "y", "city", "st", "d",
))  # fmt: skip


def _require(record: Any, minimum: Mapping[str, int]) -> None:
    """Raise if a tuple field is shorter than the generator needs (it samples that many)."""
    for name, least in minimum.items():
        if len(getattr(record, name)) < least:
            raise ValueError(f"{name} needs at least {least} entries")


def _require_all(record: Any, *, except_: frozenset[str] = frozenset()) -> None:
    """Raise if a tuple field other than `except_` is empty."""
    for field in fields(record):
        value = getattr(record, field.name)
        if isinstance(value, tuple) and not value and field.name not in except_:
            raise ValueError(f"{field.name} is empty")


@dataclass(frozen=True)
class RoleFamily:
    """One kind of job: how it is titled and searched for, and what its postings say.

    Templates use the slots {problem}, {problem2}, {objects}, {text}, {vision}, {users},
    {company}, {team}; `skills` and `extra_skills` are keys of `SKILL_ALIASES`.
    """

    titles: tuple[str, ...]
    aliases: tuple[str, ...]  # how job seekers name the role in a search box
    teams: tuple[str, ...]
    missions: tuple[str, ...]  # verb phrases: "to <mission>"
    duties: tuple[str, ...]
    requirements: tuple[str, ...]
    experience: tuple[str, ...]  # "<n>+ years of experience in <experience>"
    skills: tuple[str, ...]
    extra_skills: tuple[str, ...]
    degrees: tuple[str, ...]
    focuses: tuple[str, ...]  # title suffixes: "Senior Data Scientist, Pricing"
    weight: float = 1.0
    needs_vision: bool = False  # only industries with image problems hire for it
    hires_junior: bool = True
    salary_factor: float = 1.0  # times the seniority's salary range

    def __post_init__(self) -> None:
        _require_all(self)
        _require(self, {"duties": 4, "requirements": 2, "skills": 3, "extra_skills": 2})
        if self.weight <= 0 or self.salary_factor <= 0:
            raise ValueError(f"weight and salary_factor must be positive, got {self}")
        for template in self.missions + self.duties:
            unknown = _slots(template) - POSTING_SLOTS
            if unknown:
                raise ValueError(f"unknown slots {sorted(unknown)} in {template!r}")


@dataclass(frozen=True)
class Industry:
    """A sector: what its companies say about themselves and what their data work is about."""

    aliases: tuple[str, ...]  # how job seekers name the sector
    suffixes: tuple[str, ...]  # company name endings
    kinds: tuple[str, ...]  # "digital lending platform"
    missions: tuple[str, ...]  # gerund phrases: "helping small businesses ..."
    users: tuple[str, ...]
    problems: tuple[str, ...]
    objects: tuple[str, ...]
    texts: tuple[str, ...]
    vision: tuple[str, ...]  # image problems; empty if none fit
    context: tuple[str, ...]  # domain sentences for the role intro
    regulations: tuple[str, ...] = ()
    weight: float = 1.0

    def __post_init__(self) -> None:
        _require_all(self, except_=frozenset({"vision", "regulations"}))
        _require(self, {"aliases": 2, "problems": 2})
        if self.weight <= 0:
            raise ValueError(f"weight must be positive, got {self.weight}")


@dataclass(frozen=True)
class Level:
    """A seniority level: its years of experience, share of postings and what postings add."""

    years: tuple[int, int]
    weight: float
    salary_k: tuple[int, int]  # base salary range in $K
    title_prefixes: tuple[str, ...]  # "" for none
    duties: tuple[str, ...]
    requirements: tuple[str, ...]

    def __post_init__(self) -> None:
        _require_all(self, except_=frozenset({"requirements"}))
        if not (0 <= self.years[0] <= self.years[1] and 0 < self.salary_k[0] < self.salary_k[1]):
            raise ValueError(f"years {self.years} and salary_k {self.salary_k} must be ranges")


@dataclass(frozen=True)
class City:
    name: str
    state: str  # two-letter code
    search_names: tuple[str, ...]  # how people type it in a search box


@dataclass(frozen=True)
class CompanyPhrases:
    """What companies write around a role; `headings` maps a section kind to its options."""

    name_heads: tuple[str, ...]
    name_tails: tuple[str, ...]
    mailboxes: tuple[str, ...]
    cities: tuple[City, ...]
    pay_transparency_states: tuple[str, ...]  # where a salary range is the norm
    sizes: tuple[str, ...]
    customer_counts: tuple[str, ...]
    blurb_openers: tuple[str, ...]
    blurb_followers: tuple[str, ...]
    health_benefits: tuple[str, ...]
    benefits: tuple[str, ...]
    benefits_paragraphs: tuple[str, ...]
    pay_lines: tuple[str, ...]
    eeo_lines: tuple[str, ...]
    apply_lines: tuple[str, ...]
    headings: Mapping[str, tuple[str | None, ...]]

    def __post_init__(self) -> None:
        _require_all(self)
        _require(self, {"benefits": 6})


@dataclass(frozen=True)
class ChannelPhrases:
    """Job-board and agency text; agencies reuse the companies' generic EEO and apply lines."""

    boards: tuple[str, ...]
    board_lines: tuple[str, ...]
    agencies: tuple[str, ...]
    recruiter_openers: tuple[str, ...]
    recruiter_closers: tuple[str, ...]
    recruiter_adjectives: tuple[str, ...]
    recruiter_intros: tuple[str, ...]
    recruiter_eeo_line: int  # index into CompanyPhrases.eeo_lines
    recruiter_apply_lines: tuple[int, ...]  # indices into CompanyPhrases.apply_lines

    def __post_init__(self) -> None:
        _require_all(self)


@dataclass(frozen=True)
class PostingPhrases:
    """The role part of a posting; `skill_lines` and `nice_lines` are keyed by skills named."""

    intros: tuple[str, ...]
    industry_duties: tuple[str, ...]
    years_lines: tuple[str, ...]
    junior_years_lines: tuple[str, ...]
    skill_lines: Mapping[int, tuple[str, ...]]
    nice_lines: Mapping[int, tuple[str, ...]]
    industry_nice: tuple[str, ...]
    stack_headings: tuple[str, ...]
    mode_lines: Mapping[WorkMode, tuple[str, ...]]
    repost_notes: tuple[str, ...]

    def __post_init__(self) -> None:
        _require_all(self)
        for name in ("skill_lines", "nice_lines"):
            if sorted(getattr(self, name)) != list(range(1, len(getattr(self, name)) + 1)):
                raise ValueError(f"{name} must be keyed 1, 2, ... without gaps")
        _check_keys("mode_lines", self.mode_lines, WORK_MODES)


@dataclass(frozen=True)
class QueryPhrases:
    """Search-box words: by seniority, by work mode, years of experience, and templates."""

    seniority: Mapping[Seniority, tuple[str, ...]]
    where: Mapping[WorkMode, tuple[str, ...]]
    years: tuple[str, ...]
    junior_years: tuple[str, ...]
    templates: tuple[str, ...]

    def __post_init__(self) -> None:
        _require_all(self)
        _check_keys("seniority", self.seniority, DEMO_SENIORITIES)
        _check_keys("where", self.where, WORK_MODES)


def _check_keys(name: str, table: Mapping[Any, object], choices: tuple[str, ...]) -> None:
    missing = [key for key in choices if key not in table]
    if missing:
        raise ValueError(f"{name} lacks {missing}")


def _slots(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# --------------------------------------------------------------------------------------------
# Loading: each file once, then frozen.
# --------------------------------------------------------------------------------------------


def parse_vocabulary(file: VocabularyFile, annotation: Any, key: str | None = None) -> Any:
    """The entries of `file` as `annotation` (just the entry `key`, if given), besides `_about`.

    >>> file = VocabularyFile.from_text("x.json", '{"_about": "demo", "skills": {"SQL": []}}')
    >>> parse_vocabulary(file, dict[str, tuple[str, ...]], key="skills")
    {'SQL': ()}
    """
    data = dict(file.data)
    if not isinstance(data.pop("_about", None), str):
        raise file.error("_about", "is missing: one line that says what the file holds")
    if key is not None:
        if list(data) != [key]:
            raise file.error(key, f"must be the one entry besides _about, found {list(data)}")
        data = data[key]
    try:
        return convert(annotation, data, key or "")
    except SchemaError as error:
        raise file.error(error.path, error.problem) from None


def _load(name: str, annotation: Any, key: str | None = None) -> tuple[VocabularyFile, Any]:
    file = VocabularyFile.load("embedtune.data.demo", f"vocab/{name}")
    return file, parse_vocabulary(file, annotation, key)


def _record(name: str, cls: type[_R]) -> _R:
    """The file `name`, one record of type `cls`."""
    _, record = _load(name, cls)
    return record


def _table(name: str, key: str, value_type: Any) -> tuple[VocabularyFile, Mapping[Any, Any]]:
    """The file `name` and its entry `key`, a read-only table of `value_type` in file order."""
    file, table = _load(name, dict[str, value_type], key)
    return file, MappingProxyType(table)


@functools.cache
def skill_aliases() -> Mapping[str, tuple[str, ...]]:
    return _table("skills.json", "skills", tuple[str, ...])[1]


@functools.cache
def role_families() -> Mapping[str, RoleFamily]:
    file, roles = _table("roles.json", "roles", RoleFamily)
    known = skill_aliases()
    for key, role in roles.items():
        unknown = [skill for skill in role.skills + role.extra_skills if skill not in known]
        if unknown:
            raise file.error(f"roles.{key}", f"names skills {unknown} that skills.json lacks")
    return roles


@functools.cache
def industries() -> Mapping[str, Industry]:
    return _table("industries.json", "industries", Industry)[1]


@functools.cache
def levels() -> Mapping[Seniority, Level]:
    file, table = _table("seniority.json", "levels", Level)
    if list(table) != list(DEMO_SENIORITIES):
        raise file.error("levels", f"must list {list(DEMO_SENIORITIES)} in order")
    return table


@functools.cache
def company_phrases() -> CompanyPhrases:
    return _record("companies.json", CompanyPhrases)


@functools.cache
def channel_phrases() -> ChannelPhrases:
    file, loaded = _load("channels.json", ChannelPhrases)
    phrases: ChannelPhrases = loaded
    company = company_phrases()
    numbers = [("recruiter_eeo_line", phrases.recruiter_eeo_line, company.eeo_lines)]
    numbers += [
        ("recruiter_apply_lines", i, company.apply_lines) for i in phrases.recruiter_apply_lines
    ]
    for key, number, lines in numbers:
        if not 0 <= number < len(lines):
            raise file.error(key, f"holds {number}, not a line number in companies.json")
    return phrases


@functools.cache
def posting_phrases() -> PostingPhrases:
    return _record("postings.json", PostingPhrases)


@functools.cache
def query_phrases() -> QueryPhrases:
    return _record("queries.json", QueryPhrases)
