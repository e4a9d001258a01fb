"""The role a job seeker would type, read from a posting's title.

The title loses its level, team, location and requisition number ("Sr. Data Engineer II -
Remote" → senior, "data engineer"). Which words name a job and which give the level is data
(:mod:`embedtune.queries.offline.words`); this module holds how a title is taken apart. A posting
without a title has its role read from the text (:mod:`embedtune.queries.offline.infer`).

>>> parse_title("Sr. Machine Learning Engineer II (Remote)")
Role(name='machine learning engineer', seniority='senior')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from embedtune.data.facets import Seniority
from embedtune.queries.keyphrases import stem_key
from embedtune.queries.offline.role_words import role_words
from embedtune.queries.offline.words import offline_words

__all__ = ["HEAD_NOUNS", "MAX_ROLE_WORDS", "Role", "names_a_job", "parse_title", "role_topics"]

MAX_ROLE_WORDS = 4

_WORDS = offline_words()
_SENIORITY = _WORDS.title_seniority
HEAD_NOUNS = _WORDS.head_nouns
_ROLE_WORDS = role_words()
_JOB_NOUNS = HEAD_NOUNS | _ROLE_WORDS.job_nouns
_SENIORITY_PHRASES = re.compile(r"\b(?:entry[- ]level|new grad(?:uate)?|mid[- ]level)\b", re.I)
# "Associate Director" is a rank of management, not a junior role.
_MANAGEMENT_RANK = re.compile(r"\b(?:associate|assistant|deputy)\s+(?=director|manager|vice)", re.I)
_LEVEL = re.compile(
    r"^(?:i{1,3}|iv|v|vi{1,3}|[ivx]+/[ivx]+|l?\d{1,2}|level|grade|remote|hybrid|onsite|on-site|"
    r"#?\w*\d{3,}\w*)$",
    re.I,
)
_TITLE_SPLIT = re.compile(r"\s+[-–—|/]\s+|[–—|,:;]|\s-(?=\w)|(?<=\w)-\s")
_BRACKETS = re.compile(r"\([^)]*\)?|\[[^\]]*\]?")


@dataclass(frozen=True)
class Role:
    """What a job seeker would call the job: ``name`` without level, and its seniority."""

    name: str
    seniority: Seniority | None = None


def parse_title(title: str) -> Role:
    """The role and seniority a title names, without level numbers, teams or locations.

    >>> parse_title("Director, Data Science")
    Role(name='data science director', seniority=None)
    >>> parse_title("Staff Data Analyst, Product")
    Role(name='data analyst', seniority='staff')
    >>> parse_title("Data Scientist SR - R12345 (Bay Area)")
    Role(name='data scientist', seniority='senior')
    """
    text = _MANAGEMENT_RANK.sub("", _BRACKETS.sub(" ", title))
    seniority: Seniority | None = None
    found = _SENIORITY_PHRASES.search(text)
    if found:
        seniority = "mid" if found.group().lower().startswith("mid") else "junior"
        text = _SENIORITY_PHRASES.sub(" ", text)
    pieces = [_title_words(p) for p in _TITLE_SPLIT.split(text)]
    pieces = [p for p in pieces if p]
    if not pieces:
        return Role(name=title.strip().lower() or "job", seniority=seniority)
    words, level = _strip_seniority(_pick_piece(pieces))
    return Role(name=_role_case(_shorten(words), title), seniority=seniority or level)


def names_a_job(role: Role) -> bool:
    """Whether ``role`` names a job ("payroll accountant") rather than a topic: the first line of
    a text without a title ("influenza a virus"), or a title column that holds no job titles.

    >>> names_a_job(Role("data engineer")), names_a_job(Role("chronic lymphocytic leukemia"))
    (True, False)
    """
    name = role.name.lower()
    return name in _ROLE_WORDS.job_names or any(w in _JOB_NOUNS for w in name.split())


def _title_words(piece: str) -> list[str]:
    words = []
    for raw in piece.split():
        word = raw.strip(".&-/'\"")
        if "/" in word and not _LEVEL.match(word):  # "Analyst/Scientist": the first one
            word = word.split("/")[0]
        if word and not _LEVEL.match(word):
            words.append(word)
    return words


def _has_head(words: Sequence[str]) -> bool:
    return any(w.lower() in HEAD_NOUNS for w in words)


def _only_head(words: Sequence[str]) -> bool:
    return all(w.lower() in HEAD_NOUNS or w.lower() in _SENIORITY for w in words)


def _pick_piece(pieces: list[list[str]]) -> list[str]:
    """The piece that names the role; a bare "Director" borrows its topic from the next piece."""
    at = next((i for i, p in enumerate(pieces) if _has_head(p)), 0)
    words = pieces[at]
    rest = pieces[at + 1] if at + 1 < len(pieces) else None
    if rest and _only_head(words):
        if _has_head(rest):  # "Senior Scientist - Biostatistician"
            return [w for w in words if w.lower() in _SENIORITY] + rest
        heads = [w for w in words if w.lower() not in _SENIORITY] or words
        return [w for w in words if w.lower() in _SENIORITY] + rest + heads
    return words


def _shorten(words: list[str]) -> list[str]:
    """At most :data:`MAX_ROLE_WORDS` words: the first "and" part naming a job, then the head
    noun with the words just before it.

    >>> _shorten("Geospatial Software Developer and Data Scientist".split())
    ['Geospatial', 'Software', 'Developer']
    >>> _shorten("Logic Gated CAR T Cell Therapy Scientist".split())
    ['Cell', 'Therapy', 'Scientist']
    """
    if len(words) <= MAX_ROLE_WORDS:
        return words
    parts: list[list[str]] = [[]]
    for word in words:
        if word.lower() == "and":
            parts.append([])
        else:
            parts[-1].append(word)
    words = next((p for p in parts if _has_head(p)), words)
    if len(words) <= MAX_ROLE_WORDS:
        return words
    heads = [i for i, w in enumerate(words) if w.lower() in HEAD_NOUNS]
    at = heads[-1] if heads else len(words) - 1
    return words[max(0, at - 2) : at + 1] if at else words[:MAX_ROLE_WORDS]


def _strip_seniority(words: list[str]) -> tuple[list[str], Seniority | None]:
    """Seniority words at either end go, unless nothing naming the job would be left."""
    level: Seniority | None = None
    words = list(words)
    for end in (0, -1):
        while len(words) > 1 and words[end].lower() in _SENIORITY:
            rest = words[1:] if end == 0 else words[:-1]
            if not _has_head(rest) and words[end].lower() in HEAD_NOUNS:
                break
            level = level or _SENIORITY[words[end].lower()]
            words = rest
    return words, level


def _role_case(words: Sequence[str], title: str) -> str:
    """Lower-case, except acronyms ("BI developer") unless the whole title shouts."""
    shouting = sum(c.isupper() for c in title) > 0.6 * sum(c.isalpha() for c in title)
    out = [w if (w.isupper() and len(w) <= 4 and not shouting) else w.lower() for w in words]
    return " ".join(out)


def role_topics(role: Role, title: str) -> set[str]:
    """Stemmed words a keyphrase may not consist of: the title's words and their topics."""
    words = {*stem_key(title), *stem_key(role.name)}
    for head, topics in _WORDS.head_topics.items():
        if head in words:
            words.update(topics)
    for long, short in _WORDS.abbreviations:
        if short.lower() in words:
            words.update(long.split())
        if set(long.split()) <= words:
            words.add(short.lower())
    return words
