"""Clean job postings: strip markup, normalise text, remove what says nothing about the role.

Three pure stages, each usable alone, each in its own module:

1. :func:`strip_markup` (:mod:`.markup`) turns HTML and markdown into plain text that keeps its
   line structure.
2. :func:`normalize_text` (:mod:`.normalize`) repairs mojibake and unicode oddities and tidies
   whitespace and bullets.
3. :func:`remove_boilerplate` (:mod:`.walk`) drops company blurbs, benefits, equal-opportunity
   statements, pay-transparency notes, application instructions and recruiter/aggregator noise.

:func:`clean_posting` runs all three and keeps every intermediate text.

How boilerplate is found: the text is read line by line (:mod:`.walk`). A short line that names
a section ("Benefits:", "About Us", "EEO Statement") opens a *drop section* (:mod:`.headings`):
its lines go until a heading of a role section ("Requirements", "What You'll Do") or a line that
is plainly about the role ("you will ...", "experience with ...") closes it. Outside drop
sections each line is split into sentences and only sentences that match a strong cue go
(:mod:`.classify`), so an equal-opportunity sentence at the end of a requirements paragraph
leaves the paragraph. A paragraph that describes the company and says nothing about the role
goes whole. The rules lean towards keeping: losing a requirement costs more than keeping a
benefits line.

The cues themselves are data, ``cues.json`` (:mod:`.cues`): each is a literal plus the regex
that must match where the literal occurs, so the regexes only run on the few sentences that
contain a literal.
"""

from __future__ import annotations

from dataclasses import dataclass

from embedtune.data.clean.cues import BOILERPLATE_KINDS, BoilerplateKind
from embedtune.data.clean.markup import strip_markup
from embedtune.data.clean.normalize import normalize_text
from embedtune.data.clean.walk import check_text, remove_boilerplate

__all__ = [
    "BOILERPLATE_KINDS",
    "BoilerplateKind",
    "CleanResult",
    "clean_posting",
    "normalize_text",
    "remove_boilerplate",
    "strip_markup",
]


@dataclass(frozen=True)
class CleanResult:
    """Every stage of one cleaned posting.

    ``removed`` has one key per kind in :data:`BOILERPLATE_KINDS` (empty lists included); each
    segment is a substring of ``normalized``: a run of whole lines, or sentences of one line.
    """

    text: str
    after_markup: str
    normalized: str
    removed: dict[str, list[str]]


def clean_posting(text: str, *, company: str | None = None) -> CleanResult:
    """Strip markup, normalise, and remove boilerplate from one posting.

    >>> result = clean_posting("<p>Data Scientist</p><p>We are an equal opportunity employer.</p>")
    >>> result.text, result.removed["eeo"]
    ('Data Scientist', ['We are an equal opportunity employer.'])
    """
    check_text(text, company)
    after_markup = strip_markup(text)
    normalized = normalize_text(after_markup)
    cleaned, removed = remove_boilerplate(normalized, company=company)
    return CleanResult(cleaned, after_markup, normalized, removed)
