"""What a posting's text says besides its role: years of experience, work mode, industry.

Each finder is a pure function of the text; the industries and their give-away words are data
(:mod:`embedtune.queries.offline.words`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from embedtune.data.facets import WorkMode
from embedtune.queries.offline.role import Role
from embedtune.queries.offline.words import offline_words

__all__ = ["Facets", "find_domain", "find_work_mode", "find_years"]


@dataclass(frozen=True)
class Facets:
    """Everything one posting's queries are made from: role, ranked keyphrases, and what the
    text says about years of experience, work mode and industry."""

    role: Role
    keyphrases: tuple[str, ...]
    years: str | None
    mode: WorkMode | None
    domain: str | None


_YEARS = re.compile(
    r"\b(\d{1,2})\s*(\+)?\s*(?:(?:-|–|to)\s*(\d{1,2})\s*(\+)?\s*)?(?:years?|yrs?)\b(?=\W{0,3}"
    r"(?:of|in|working|experience|exp|professional|industry|relevant|hands-on|post|with|building)\b)",
    re.I,
)


def find_years(text: str) -> str | None:
    """The first years-of-experience requirement, as people write it ("5+", "3-5").

    >>> find_years("You have 5+ years of experience with SQL; 2 years ago we began.")
    '5+'
    >>> find_years("3 - 5 years working in analytics"), find_years("founded in 2019")
    ('3-5', None)
    """
    for m in _YEARS.finditer(text):
        lo = int(m.group(1))
        if 0 < lo <= 25:
            return f"{lo}-{m.group(3)}" if m.group(3) else f"{lo}{m.group(2) or ''}"
    return None


_MODES: tuple[tuple[WorkMode, re.Pattern[str]], ...] = (
    (
        "hybrid",
        re.compile(
            r"\bhybrid\b(?![- ](?:cloud|model|approach|architecture|infrastructure|search|"
            r"retrieval|system|environment|solution))",
            re.I,
        ),
    ),
    (
        "remote",
        re.compile(
            r"\b(?:fully|100%)\s+remote\b|\bremote[- ](?:first|friendly|role|position|job|"
            r"opportunity|work|eligible)\b|\bremote\s*\(|\(\s*remote\b|[-–|]\s*remote\b|"
            r"\bwork from (?:home|anywhere)\b|^\s*remote\s*$|location:\s*remote\b|"
            r"\bremote[,/ -]+(?:us|usa|united states)\b",
            re.I | re.M,
        ),
    ),
    ("onsite", re.compile(r"\bon[- ]?site\b|\bin[- ]office\b|\bfully in[- ]person\b", re.I)),
)


def find_work_mode(text: str) -> WorkMode | None:
    """Remote, hybrid or on-site, whichever the text says first; None when it says none.

    >>> find_work_mode("Location: Denver (hybrid, 2 days in the office). We use hybrid search.")
    'hybrid'
    >>> find_work_mode("This is a fully remote role.")
    'remote'
    """
    hits = [(m.start(), mode) for mode, pattern in _MODES if (m := pattern.search(text))]
    return min(hits)[1] if hits else None


_DOMAINS = offline_words().domains  # industry → its give-away words, its name first
_DOMAIN_OF = {word: name for name, words in _DOMAINS.items() for word in words}
_DOMAIN_FIRST_WORDS = frozenset(w.split()[0] for w in _DOMAIN_OF)
_DOMAIN_RANK = {name: rank for rank, name in enumerate(_DOMAINS)}
_DOMAIN_LONGEST = max(len(w.split()) for w in _DOMAIN_OF)


def find_domain(text: str) -> str | None:
    """The industry the text is plainly about: three of its give-away words, its name counting two.

    >>> find_domain("We run a lending platform; our fraud models score every loan.")
    'fintech'
    >>> find_domain("Benefits: health insurance.") is None
    True
    """
    words = re.findall(r"[\w/&%+-]+", text.lower())
    found = {
        " ".join(words[i : i + n])
        for i, word in enumerate(words)
        if word in _DOMAIN_FIRST_WORDS
        for n in range(1, _DOMAIN_LONGEST + 1)
    }
    scores: dict[str, int] = {}
    for word in found & _DOMAIN_OF.keys():
        name = _DOMAIN_OF[word]
        scores[name] = scores.get(name, 0) + (2 if word == _DOMAINS[name][0] else 1)
    # Ties go to the domain listed first, never to set order (which changes with PYTHONHASHSEED).
    best = max(scores, key=lambda name: (scores[name], -_DOMAIN_RANK[name]), default=None)
    return best if best is not None and scores[best] >= 3 else None
