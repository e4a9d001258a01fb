"""Sentences and lines of a posting, classified: which boilerplate kind each one is, if any.

Outside drop sections each line is split into sentences and only sentences that match a strong
cue go, so an equal-opportunity sentence at the end of a requirements paragraph leaves the
paragraph. A sentence about the company goes when nothing in its line hints at the role; in a
line that does, only strong company statements without a role hint of their own go. The rules
lean towards keeping: losing a requirement costs more than keeping a benefits line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from embedtune.data.clean.cues import BoilerplateKind, Rule, cues
from embedtune.data.clean.headings import Heading, find_heading

__all__ = ["Classifier", "Spans", "all_removed", "closes_section"]

_CUES = cues()
# A line that plainly speaks about the role: it closes a drop section.
_ROLE_LINE = _CUES.role_line
# Anything that hints at role content: a paragraph about the company has none of it.
_ROLE_HINT = _CUES.role_hint
# Statements about the company (the role hints around them decide what goes, see
# Classifier.classify_line).
_COMPANY = _CUES.company_statement
_SENTENCE_RULES = _CUES.sentence_rules()
# Literals of the rules narrowed per posting (the role rules run too rarely to need it).
_LINE_LITERALS = tuple(
    sorted(frozenset().union(*(rule.literals for _, rule, _ in _SENTENCE_RULES), _COMPANY.literals))
)
_RECRUITER_PREAMBLE_STARTS = (
    "our client",
    "we are recruiting",
    "we are partnering",
    "we are working",
)
# "Our client, a leading X, is seeking a data scientist ...": only the preamble goes.
_RECRUITER_PREAMBLE = re.compile(
    r"^(?:our client|we are recruiting (?:for|on behalf of) (?:our|a) client|we are (?:partnering"
    r"|working) with (?:our|a) client)\b[^.]{0,200}?\b(?:is|are) (?:currently )?(?:seeking|looking"
    r" for|hiring|searching for|in need of)\s+",
    re.IGNORECASE,
)

# After the company's name, these make a sentence about the company: "Acme is ...".
_COMPANY_VERB = re.compile(
    r"(?:,? (?:is|are|was|has|have|provides?|offers?|helps?|serves?|delivers?|builds?|"
    r"develops?|operates?|specializes?|employs?|brings?|makes?|enables?|combines?|works?|"
    r"empowers?|creates?|designs?|manufactures?|partners?|believes?|exists|strives|uses|invests?|"
    r"sells?|supplies|produces?|runs?|owns?|powers?|connects?|leads?|transforms?|"
    r"pioneered|started|began|grew|continues|remains)\b)"
)
_COMPANY_NAME_SUFFIX = re.compile(
    r"[\s,]+(?:inc\.?|incorporated|llc|l\.l\.c\.|ltd\.?|limited|corp\.?|corporation|co\.?|"
    r"company|group|plc|lp|llp|holdings)$"
)
# The company is the subject of a sentence when its name starts within this many characters
# ("Founded in 2008, Acme is ...").
_MAX_SUBJECT_OFFSET = 30
_TRAILING_RATING = re.compile(r"\s+\d(?:\.\d)?\s*$")

_SENTENCE_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9#$])")
_ABBREVIATION_END = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|inc|co|corp|ltd|llc|dr|mr|mrs|ms|no|vs|st|jr|sr|approx|dept|u\.s|"
    r"u\.k|a\.m|p\.m|ph\.d|b\.s|m\.s|b\.a|m\.a)|\b[A-Z])\.$",
    re.IGNORECASE,
)

# A "sentence" longer than this that speaks about the role is a glued blob (postings scraped
# without line breaks): a boilerplate phrase inside it does not take the role text with it.
_BLOB_CHARS = 300
_BLOB_ROLE_CUES = 3


def _sentence_spans(line: str) -> list[tuple[int, int]]:
    """Split a line into sentence spans, not breaking after abbreviations.

    >>> line = "We use Python, e.g. Pandas. We are an EOE."
    >>> [line[a:b] for a, b in _sentence_spans(line)]
    ['We use Python, e.g. Pandas.', 'We are an EOE.']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for boundary in _SENTENCE_BOUNDARY.finditer(line):
        end = boundary.start() + len(boundary.group().rstrip())
        if _ABBREVIATION_END.search(line[max(start, boundary.start() - 8) : boundary.start()]):
            continue
        spans.append((start, end))
        start = boundary.end()
    spans.append((start, len(line)))
    return [(a, b) for a, b in spans if line[a:b].strip()]


def _company_name(company: str | None) -> str | None:
    """The employer's name in lower case, without a glued rating or a legal suffix.

    >>> _company_name("HG Insights Inc.\\n4.2"), _company_name("-1")
    ('hg insights', None)
    """
    if company is None:
        return None
    name = _TRAILING_RATING.sub("", company.strip().split("\n")[0]).strip().lower()
    name = _COMPANY_NAME_SUFFIX.sub("", name).strip(" ,.")
    return name if len(name) >= 2 and name != "-1" else None


def _names_company(low: str, name: str) -> bool:
    """Whether a lower-cased sentence opens with the company as subject, or says "at <name>".

    >>> _names_company("acme is a leading provider of widgets.", "acme")
    True
    >>> _names_company("we model acmeville traffic.", "acme"), _names_company("at acme, we ...", "acme")
    (False, True)
    >>> _names_company("we cut costs and grow revenue so that acme is profitable.", "acme")
    False
    """
    start = low.find(name)
    while -1 < start <= _MAX_SUBJECT_OFFSET:
        end = start + len(name)
        bounded = (start == 0 or not low[start - 1].isalnum()) and (
            end == len(low) or not low[end].isalnum()
        )
        if bounded and (_COMPANY_VERB.match(low, end) or low.endswith("at ", 0, start)):
            return True
        start = low.find(name, end)
    return False


# The kind of each sentence of a line: None where the sentence stays.
Spans = list[tuple[int, int, BoilerplateKind | None]]


@dataclass(frozen=True)
class _Rules:
    """The sentence and company rules narrowed to the cue literals present in one posting."""

    sentence_rules: tuple[tuple[BoilerplateKind, Rule, bool], ...]
    company_statement: Rule
    literals: tuple[str, ...]  # every literal left: a line with none of them is all role text

    @classmethod
    def for_text(cls, low_text: str) -> _Rules:
        """Test each literal once per posting, so that lines and sentences only try the cues
        that can match, and a line with none of the literals is skipped at once."""
        present = frozenset(literal for literal in _LINE_LITERALS if literal in low_text)
        narrowed = ((kind, rule.narrow(present), soft) for kind, rule, soft in _SENTENCE_RULES)
        return cls(
            tuple(entry for entry in narrowed if entry[1].cues),
            _COMPANY.narrow(present),
            tuple(sorted(present)),
        )


@dataclass(frozen=True)
class Classifier:
    """Headings, sentences and lines of one posting."""

    rules: _Rules
    company_name: str | None

    @classmethod
    def for_text(cls, text: str, company: str | None) -> Classifier:
        low = text.lower()
        name = _company_name(company)
        return cls(_Rules.for_text(low), name if name is not None and name in low else None)

    def heading(self, line: str) -> Heading | None:
        """Recognise ``line`` as a section heading (see :func:`find_heading`).

        >>> Classifier.for_text("", None).heading("Benefits:")
        Heading(kind='benefits', field=False, rest='')
        """
        return find_heading(line, self.company_name)

    # -- sentences and lines -----------------------------------------------------------------

    def classify_line(self, line: str) -> Spans:
        """Sentence spans of ``line`` with the boilerplate kind of each (None: keep).

        Company sentences go when no sentence of the line hints at the role; in a line that
        does, only strong company statements without a role hint of their own go.

        >>> line = "Build models in Python. We are an equal opportunity employer."
        >>> [(line[a:b], kind) for a, b, kind in Classifier.for_text(line, None).classify_line(line)]
        [('Build models in Python.', None), ('We are an equal opportunity employer.', 'eeo')]
        """
        low_line = line.lower()
        rules = self.rules
        preamble_start = low_line.startswith(_RECRUITER_PREAMBLE_STARTS)
        named = self.company_name is not None and self.company_name in low_line
        if not (preamble_start or named or any(lit in low_line for lit in rules.literals)):
            return [(0, len(line), None)]
        spans = _sentence_spans(line)
        preset: list[BoilerplateKind | None] = [None] * len(spans)
        preamble = _RECRUITER_PREAMBLE.match(line) if preamble_start else None
        if preamble and spans and preamble.end() < spans[0][1]:
            spans[0:1] = [(0, preamble.end()), (preamble.end(), spans[0][1])]
            preset.insert(0, "recruiter")
        lows = [line[a:b].lower() for a, b in spans]
        kinds = [kind or _sentence_kind(low, rules) for kind, low in zip(preset, lows, strict=True)]
        free = [i for i, kind in enumerate(kinds) if kind is None]
        if any(self.about_company(lows[i], rules) for i in free):
            whole = not any(_says_role(lows[i]) for i in free)
            for i in free:
                strong = rules.company_statement.search(lows[i]) and not _says_role(lows[i])
                if whole or strong:
                    kinds[i] = "company"
        return [(a, b, kind) for (a, b), kind in zip(spans, kinds, strict=True)]

    def about_company(self, low: str, rules: _Rules) -> bool:
        """Whether a sentence describes the company (and not the role)."""
        name = self.company_name
        if rules.company_statement.search(low) or (name and _names_company(low, name)):
            return not _ROLE_LINE.search(low)
        return False


def _sentence_kind(low: str, rules: _Rules) -> BoilerplateKind | None:
    """The kind of one lower-cased sentence by its cues, or None.

    A soft cue yields to a role line in the sentence; a hard cue only to a long sentence that
    is plainly about the role (a glued blob, see ``_BLOB_CHARS``).
    """
    for kind, rule, soft in rules.sentence_rules:
        if not rule.search(low):
            continue
        if soft and _ROLE_LINE.search(low):
            continue
        if not soft and len(low) > _BLOB_CHARS and _is_role_blob(low):
            continue
        return kind
    return None


def _is_role_blob(low: str) -> bool:
    """Whether a long sentence carries several different role cues (not just one word)."""
    return _ROLE_LINE.count(low) + _ROLE_HINT.count(low) >= _BLOB_ROLE_CUES


def _says_role(low: str) -> bool:
    return _ROLE_LINE.search(low) or _ROLE_HINT.search(low)


def closes_section(line: str, spans: Spans) -> bool:
    """A line about the role ends a drop section, unless it is all boilerplate itself."""
    return _ROLE_LINE.search(line.lower()) and not all_removed(spans)


def all_removed(spans: Spans) -> bool:
    return all(kind is not None for _, _, kind in spans)
