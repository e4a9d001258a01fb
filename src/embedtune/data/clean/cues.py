"""The cues of boilerplate and of role text: rules read from ``cues.json`` beside this module.

A rule is a list of cues, a literal plus the regex that must match where the literal occurs
(:class:`Rule`): the literals are tested once per posting and once per line with ``in``, and
the regexes only run on the few sentences that contain one. This keeps a posting at a
millisecond or two; running every pattern on every sentence is several times slower.

The cues are data (what counts as an equal-opportunity sentence, a benefit, a role line); the
kinds they stand for, and the order in which the sentence rules are tried, are code here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Set
from dataclasses import dataclass, fields
from typing import Literal

from embedtune._vocab import VocabularyFile

__all__ = [
    "BOILERPLATE_KINDS",
    "CUES_FILE",
    "BoilerplateKind",
    "Cues",
    "Rule",
    "cues",
]

CUES_FILE = "cues.json"

BoilerplateKind = Literal["company", "benefits", "eeo", "pay", "apply", "recruiter"]
BOILERPLATE_KINDS: tuple[BoilerplateKind, ...] = (
    "company",
    "benefits",
    "eeo",
    "pay",
    "apply",
    "recruiter",
)


# A cue: a literal, and the regex that must then match (None: the literal alone is the cue).
Cue = tuple[str, "re.Pattern[str] | None"]


@dataclass(frozen=True)
class Rule:
    """Cues of one kind of text; the rule fires when any cue is found.

    Every match of a cue's regex contains the cue's literal, so the fast ``in`` test skips
    the slow regex almost everywhere. ``narrow`` keeps the cues whose literal occurs in one
    document, so most rules cost next to nothing on most sentences.

    >>> rule = Rule.of("parental leave", ("401", r"\\b401 ?\\(?k\\)?"))
    >>> rule.search("401(k) match"), rule.search("4011 rows"), rule.narrow({"sql"}).cues
    (True, False, ())
    """

    cues: tuple[Cue, ...]

    @classmethod
    def of(cls, *specs: str | tuple[str, str]) -> Rule:
        """Cues from ``"lit1|lit2"`` (literals alone) or ``("lit1|lit2", regex)``."""
        cues: list[Cue] = []
        for spec in specs:
            literals, pattern = (spec, None) if isinstance(spec, str) else spec
            compiled = re.compile(pattern) if pattern is not None else None
            cues.extend((literal, compiled) for literal in literals.split("|"))
        return cls(tuple(cues))

    def search(self, low: str) -> bool:
        for literal, pattern in self.cues:  # a plain loop: any() costs twice as much here
            if literal in low and (pattern is None or pattern.search(low)):
                return True
        return False

    def count(self, low: str) -> int:
        """How many different cues are found in ``low``."""
        found = {
            (lit, pat) for lit, pat in self.cues if lit in low and (pat is None or pat.search(low))
        }
        return len({pattern or literal for literal, pattern in found})

    @property
    def literals(self) -> frozenset[str]:
        return frozenset(literal for literal, _ in self.cues)

    def narrow(self, present: Set[str]) -> Rule:
        """The cues whose literal is ``present`` in one document: the rule for that document."""
        return Rule(tuple(cue for cue in self.cues if cue[0] in present))


@dataclass(frozen=True)
class Cues:
    """Every rule of ``cues.json``, one field per rule of the same name (see its ``_about``)."""

    eeo_hard: Rule
    eeo_soft: Rule
    recruiter_hard: Rule
    recruiter_soft: Rule
    apply: Rule
    pay: Rule
    benefits: Rule
    company_statement: Rule
    role_line: Rule
    role_hint: Rule
    role_heading_strong: Rule

    @classmethod
    def from_file(cls, file: VocabularyFile) -> Cues:
        """Each rule from its list of cues: ``"lit1|lit2"`` or ``["lit1|lit2", regex]``.

        >>> Cues.from_file(VocabularyFile("c.json", {"eeo_hard": [["eeo", "(eeo"]]}))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        embedtune.errors.EmbedtuneError: vocabulary file c.json: 'eeo_hard' holds a bad regex ...
        """
        return cls(**{f.name: _rule(file, f.name) for f in fields(cls)})

    def sentence_rules(self) -> tuple[tuple[BoilerplateKind, Rule, bool], ...]:
        """The sentence rules in the order they are tried, each with its kind and softness.

        A soft rule yields to a role line in the same sentence ("experience with dental claims
        data" is a requirement, not a benefit).
        """
        return (
            ("eeo", self.eeo_hard, False),
            ("eeo", self.eeo_soft, True),
            ("recruiter", self.recruiter_hard, False),
            ("recruiter", self.recruiter_soft, True),
            ("apply", self.apply, False),
            ("pay", self.pay, False),
            ("benefits", self.benefits, True),
        )


def _rule(file: VocabularyFile, key: str) -> Rule:
    specs = file.get(key)
    if not isinstance(specs, list) or not specs:
        raise file.error(key, 'must be a non-empty list of "literals" or ["literals", regex]')
    cues: list[Cue] = []
    for spec in specs:
        literals, pattern = (spec, None) if isinstance(spec, str) else _pair(spec)
        if not isinstance(literals, str) or not isinstance(pattern, str | None):
            raise file.error(key, f'holds {spec!r}, not "literals" or ["literals", regex]')
        split = literals.split("|")
        if not all(split) or literals != literals.lower():
            raise file.error(key, f"holds literals {literals!r}: lower case, none empty")
        compiled = file.pattern(key, pattern) if pattern is not None else None
        cues.extend((literal, compiled) for literal in split)
    return Rule(tuple(cues))


def _pair(spec: object) -> tuple[object, object]:
    """``[literals, regex]`` as a pair; anything else as a pair that fails the type check."""
    if isinstance(spec, list) and len(spec) == 2:
        return spec[0], spec[1]
    return None, None


@functools.cache
def cues() -> Cues:
    """The cleaner's rules, read once from :data:`CUES_FILE`."""
    return Cues.from_file(VocabularyFile.load("embedtune.data.clean", CUES_FILE))
