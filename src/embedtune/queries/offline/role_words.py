"""The vocabulary of role inference and of the no-title query styles, read from ``roles.json``.

Which cues announce a role ("we are hiring a"), which words end a job name ("nurse"), which
words before it are praise rather than part of it ("experienced"), and how a job seeker
phrases a search for a role are data: to teach the inference a cue or a job, edit the file.

>>> words = role_words()
>>> words.cues[0].evidence, "nurse" in words.job_nouns, words.styles["role"][0]
('label', True, '{role}')
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal, get_args

from embedtune._vocab import VocabularyFile
from embedtune.errors import EmbedtuneError

__all__ = [
    "ROLES_FILE",
    "STYLE_SLOTS",
    "Cue",
    "Evidence",
    "QueryStyle",
    "RoleWords",
    "role_words",
]

ROLES_FILE = "roles.json"

# Where a role was read, most reliable first (see :func:`embedtune.queries.offline.infer_role`).
Evidence = Literal["label", "opening", "hiring", "as_a", "join_as", "the_role", "noun_phrase"]
QueryStyle = Literal["role", "role_place", "role_skills", "seniority_role", "skills_seniority_mode"]
# role: the inferred role; head: its last word; sen: its seniority; skill, skill2: keyphrases;
# mode: remote/hybrid/onsite; place: the town the text names (:func:`find_place`).
STYLE_SLOTS = frozenset({"role", "head", "sen", "skill", "skill2", "mode", "place"})


@dataclass(frozen=True)
class Cue:
    """A kind of evidence: its confidence and the regexes after which a role follows."""

    evidence: Evidence
    confidence: float
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class RoleWords:
    """Role inference's vocabulary; see the ``_about`` entry of :data:`ROLES_FILE`."""

    cues: tuple[Cue, ...]
    job_nouns: frozenset[str]
    weak_nouns: frozenset[str]
    job_names: frozenset[str]
    fillers: frozenset[str]
    role_adjectives: frozenset[str]
    stops: frozenset[str]
    place_edges: frozenset[str]
    not_places: frozenset[str]
    styles: dict[QueryStyle, tuple[str, ...]]
    style_weights: dict[QueryStyle, float]

    def __post_init__(self) -> None:
        valid = get_args(QueryStyle)
        if set(self.styles) != set(valid) or set(self.style_weights) != set(valid):
            raise ValueError(f"query_styles, style_weights: give each style: {', '.join(valid)}")
        for style, texts in self.styles.items():
            for text in texts:
                unknown = set(re.findall(r"\{(\w+)\}", text)) - STYLE_SLOTS
                if unknown:
                    raise ValueError(
                        f"query_styles.{style}: unknown slot {sorted(unknown)} in {text!r}; "
                        f"valid: {sorted(STYLE_SLOTS)}"
                    )
        if not self.weak_nouns <= self.job_nouns:
            raise ValueError(
                f"weak_nouns: not job nouns: {sorted(self.weak_nouns - self.job_nouns)}"
            )
        bad = {s: w for s, w in self.style_weights.items() if not w > 0}
        if bad:
            raise ValueError(f"style_weights: {bad} not above 0")

    @classmethod
    def from_file(cls, file: VocabularyFile) -> RoleWords:
        try:
            return cls(
                cues=_cues(file),
                job_nouns=file.word_set("job_nouns"),
                weak_nouns=file.word_set("weak_nouns"),
                job_names=file.word_set("job_names"),
                fillers=file.word_set("fillers"),
                role_adjectives=file.word_set("role_adjectives"),
                stops=file.word_set("stops"),
                place_edges=file.word_set("place_edges"),
                not_places=file.word_set("not_places"),
                styles=file.table("query_styles"),  # type: ignore[arg-type]
                style_weights={
                    name: float(w)  # type: ignore[misc]
                    for name, w in file.mapping("style_weights").items()
                },
            )
        except ValueError as exc:
            raise EmbedtuneError(
                f"vocabulary file {file.where}: {exc}", fix="correct the entry named in the message"
            ) from exc


def _cues(file: VocabularyFile) -> tuple[Cue, ...]:
    raw = file.get("cues")
    valid = get_args(Evidence)
    if not isinstance(raw, dict) or list(raw) != list(valid):
        raise file.error("cues", f"must name each kind of evidence, in order: {', '.join(valid)}")
    out = []
    for name, entry in raw.items():
        confidence = entry.get("confidence") if isinstance(entry, dict) else None
        if not isinstance(confidence, float | int) or not 0 < confidence <= 1:
            raise file.error(f"cues.{name}", "needs a confidence in (0, 1]")
        texts = (
            file.strings(f"cues.{name}.patterns", entry["patterns"]) if "patterns" in entry else ()
        )
        patterns = tuple(file.pattern(f"cues.{name}", t, re.I) for t in texts)
        out.append(Cue(name, float(confidence), patterns))
    return tuple(out)


@functools.cache
def role_words() -> RoleWords:
    """Role inference's vocabulary, read once from :data:`ROLES_FILE`."""
    return RoleWords.from_file(VocabularyFile.load("embedtune.queries.offline", ROLES_FILE))
