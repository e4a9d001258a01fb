"""What a posting is made of before it becomes text: a company, facts, sections and a draft."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from embedtune.data.demo.vocab import City
from embedtune.data.facets import Seniority, WorkMode

__all__ = ["Channel", "Company", "Draft", "Facets", "Section", "Style", "TextFormat"]

TextFormat = Literal["html", "markdown", "plain"]
# Direct from the company's careers site, via a job board, or through a recruiting agency.
Channel = Literal["direct", "aggregator", "recruiter"]


@dataclass(frozen=True)
class Style:
    """How one applicant-tracking system formats text; a company keeps its style."""

    fmt: TextFormat
    heading: int  # index into the format's heading patterns
    marker: str  # markdown bullet marker
    compact: bool  # html: no newlines between blocks; plain: bullets run into a paragraph
    apostrophe: str  # html only: how ' is written


@dataclass(frozen=True)
class Company:
    name: str
    industry: str
    city: City
    email: str
    site: str
    blurb: tuple[str, ...]
    headings: dict[str, str | None]
    benefits: tuple[str, ...]
    benefits_as_list: bool
    eeo: str
    apply: str
    uses: frozenset[str]  # which optional boilerplate sections it usually includes
    style: Style


@dataclass(frozen=True)
class Section:
    kind: str
    heading: str | None = None
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    inline: bool = False  # "Heading: text" on one line


@dataclass(frozen=True)
class Facets:
    """What a posting is about: the facts its gold queries are built from."""

    family: str
    seniority: Seniority
    years: int
    skills: tuple[str, ...]
    industry: str
    mode: WorkMode
    city: City
    title: str
    company: str


@dataclass(frozen=True)
class Draft:
    """A posting ready to render; reposts are edited drafts."""

    facets: Facets
    slots: dict[str, str]
    sections: tuple[Section, ...]
    style: Style
    noise_seed: int
    salary: tuple[int, int]
    pay_line: int
