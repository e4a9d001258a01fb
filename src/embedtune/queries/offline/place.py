"""The town a posting is in, as a job seeker would add it to a query ("staff nurse bagshot").

Job boards put the town in the title ("Home Manager Stockport", "RGN Staff Nurse Cardiff"), so a
query of the role and the town is one people type. The text says where the job is in a
"Location:" line, or in running text: "in Westerham, Kent", "a hotel near Northampton", "based
in Leeds". A capitalised word after such a cue is a place only when it is a proper noun: the
corpus never writes it in lower case (:func:`lowercase_words`), it is not a skill, a job noun, a
language or a compass word ("North Manchester" gives "manchester").
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable

from embedtune.queries.keyphrase_words import keyphrase_words
from embedtune.queries.offline.role_words import role_words

__all__ = ["find_place", "lowercase_words"]

_LOCATION_LINE = re.compile(r"(?im)^[ \t]*location[ \t]*[:\-–][ \t]*([A-Z][A-Za-z.' -]{1,40})")
_WORD = r"[A-Z][a-z'’]+"
# A cue, then up to four capitalised words joined by spaces, hyphens or a town's small words
# ("Newcastle upon Tyne", "Burton on Trent", "City of London").
_CUED = re.compile(
    r"(?:\b(?:[Bb]ased|[Ll]ocated|[Ss]ituated)\s+(?:in|near|at|around)|\b(?:in|near|around)(?:\s+the)?|"
    r"\b[Ll]ocation\s*[:\-–]?|\b[Aa]rea\s+of)\s+"
    rf"({_WORD}(?:[ -](?:{_WORD}|upon|on|under|of|le)){{0,3}})"
)
_SMALL = frozenset({"upon", "on", "under", "of", "le"})


def lowercase_words(texts: Iterable[str]) -> frozenset[str]:
    """The words the texts write in lower case as a rule: in at least two texts, and in at least
    a fifth as many as write them capitalised. A capitalised word missing from this set is a
    proper noun of the corpus (a town, a company, a product); a web address's "london" or two
    sentences that start with "Reading" do not make a town common.

    >>> sorted(lowercase_words(["Nurses in Leeds", "nursing homes", "nursing in leeds.gov", "Nursing"]))
    ['in', 'nursing']
    """
    lower: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    for text in texts:
        lower.update(set(re.findall(r"\b[a-z][a-z'’]+\b", text)))
        capital.update({w.lower() for w in re.findall(r"\b[A-Z][a-z'’]+\b", text)})
    return frozenset(w for w, n in lower.items() if n >= 2 and 5 * n >= capital[w])


@functools.cache
def _known_words() -> frozenset[str]:
    """Words of known skills, job nouns and role stops: never part of a town's name."""
    skills = keyphrase_words()
    role = role_words()
    return frozenset(
        word
        for phrase in (
            *skills.known_skills,
            *(s.lower() for s in skills.cased_skills),
            *role.job_nouns,
            *role.stops,
        )
        for word in phrase.split()
    )


def _as_place(phrase: str, common: frozenset[str], own: frozenset[str]) -> str | None:
    """``phrase`` (capitalised words) as a lower-case place, or None when a word is not a name."""
    words = [w for w in re.split(r"[ -]", phrase) if w]
    edges = role_words().place_edges
    while words and (words[0].lower() in edges or words[0] in _SMALL):
        words = words[1:]
    while words and (words[-1].lower() in edges or words[-1] in _SMALL):
        words = words[:-1]
    names = [w.lower() for w in words if w not in _SMALL]
    if not names or any(
        len(w) < 3
        or w in common
        or w in own
        or w in role_words().not_places
        or w in _known_words()
        or w.endswith(("'s", "’s"))
        for w in names
    ):
        return None
    return " ".join(w.lower() for w in words)


def find_place(text: str, common: frozenset[str] = frozenset()) -> str | None:
    """The town the posting is in, lower-case; None when the text names none (or says remote).

    A "Location:" line comes first; otherwise the first capitalised name after "in", "near",
    "based in", "located in", "around" or "area of" that is a proper noun: none of its words is
    in ``common`` (the corpus's :func:`lowercase_words`) or written in lower case in
    the text itself, a skill, a job noun, a language, a month or a country.

    >>> find_place("Pay: 30k\\nLocation: Leeds, West Yorkshire\\nDays"), find_place("Remote role")
    ('leeds', None)
    >>> find_place("A Sous Chef for a hotel near Northampton, in Paediatric care and nursing")
    'northampton'
    >>> find_place("Specialist nurse in Blackley, North Manchester"), find_place("Fluent in English")
    ('blackley', None)
    """
    m = _LOCATION_LINE.search(text)
    if m:
        place = re.split(r",|\s{2,}|\s[-–(]", m.group(1))[0].strip(" .-").lower()
        words = place.split()
        if words and len(words) <= 3 and not role_words().not_places & set(words):
            return place
    own = frozenset(re.findall(r"\b[a-z][a-z'’]+\b", text))
    for m in _CUED.finditer(text):
        place = _as_place(m.group(1), common, own)
        if place is not None:
            return place
    return None
