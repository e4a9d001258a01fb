"""The word lists of the keyphrase extractor, read from ``keyphrase_words.json`` beside this module.

They are data: to teach the extractor a skill, add it to the file. Which lists look like other
stages' lists and are kept apart on purpose is said in :mod:`embedtune._vocab`.

>>> words = keyphrase_words()
>>> "a/b testing" in words.known_skills, "experience" in words.generic
(True, True)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from embedtune._vocab import VocabularyFile
from embedtune.errors import EmbedtuneError

__all__ = ["WORDS_FILE", "KeyphraseWords", "keyphrase_words"]

WORDS_FILE = "keyphrase_words.json"


@dataclass(frozen=True)
class KeyphraseWords:
    """The extractor's vocabularies (lower case, except ``cased_skills`` and ``not_tech``).

    ``known_skills``: skills and topics of data, ML and software jobs, matched whole and
    case-insensitively, except ``cased_skills`` ("R", "Go", "Excel": also ordinary words, a
    skill only when written so mid-sentence). ``stopwords``, ``generic`` (words that say
    nothing about the job), ``verb_stems`` and ``irregular_verbs`` (job-ad verbs: a phrase is a
    thing, not an action) split candidate phrases. ``adjectives`` and ``not_adjectives`` correct
    the guess from word endings, ``not_adverbs`` the guess from "-ly". ``weak_single``: words too
    vague to be a keyphrase alone ("data"). ``not_tech``: ALL-CAPS words that are no tech name.
    """

    known_skills: frozenset[str]
    cased_skills: frozenset[str]
    stopwords: frozenset[str]
    generic: frozenset[str]
    verb_stems: frozenset[str]
    irregular_verbs: frozenset[str]
    adjectives: frozenset[str]
    not_adjectives: frozenset[str]
    not_adverbs: frozenset[str]
    weak_single: frozenset[str]
    not_tech: frozenset[str]

    def __post_init__(self) -> None:
        lower = {"cased_skills", "not_tech"}
        for name, words in vars(self).items():
            shouted = sorted(w for w in words if w != w.lower())
            if name not in lower and shouted:
                raise ValueError(f"{name} must be lower case; got {shouted[:3]}")
        uncased = sorted(w for w in self.cased_skills if w.lower() not in self.known_skills)
        if uncased:
            raise ValueError(f"cased_skills must be known skills; not known: {uncased}")

    @classmethod
    def from_file(cls, file: VocabularyFile) -> KeyphraseWords:
        """Each field from the list of the same name in ``file``.

        >>> KeyphraseWords.from_file(VocabularyFile("x.json", {"stopwords": ["a"]}))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        embedtune.errors.EmbedtuneError: vocabulary file x.json: 'known_skills' is missing. Fix: ...
        """
        lists = {name: file.word_set(name) for name in cls.__dataclass_fields__}
        try:
            return cls(**lists)
        except ValueError as exc:
            raise EmbedtuneError(f"vocabulary file {file.where}: {exc}", fix=_FIX) from exc


_FIX = "correct the list named in the message"


@functools.cache
def keyphrase_words() -> KeyphraseWords:
    """The extractor's word lists, read once from :data:`WORDS_FILE`."""
    return KeyphraseWords.from_file(VocabularyFile.load("embedtune.queries", WORDS_FILE))
