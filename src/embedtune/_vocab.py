"""Word lists shipped as package data: JSON files read once, checked, and named in every error.

The vocabularies of the cleaner and of the offline query generator are data, not code: each
lives in a JSON file beside the module that uses it, and is loaded into a frozen dataclass the
first time it is needed. A file is an object of named lists and tables; ``_about`` says what it
holds. :class:`VocabularyFile` reads one and fails with the file and key named.

Which vocabularies exist, and which copies of "the job vocabulary" are kept apart on purpose:

- ``data/clean/cues.json``: cues of boilerplate (EEO, benefits, pay, apply, recruiter, company)
  and of role text. Its job nouns ("scientist", "coordinator", ...) only tell the cleaner that
  a paragraph speaks about the role; a missing noun costs a kept company blurb, nothing more.
- ``queries/keyphrase_words.json``: known skills, stopwords, generic words (job nouns and
  seniority words among them: never part of a keyphrase), verbs and vague single words.
- ``queries/offline/words.json``: title head nouns and seniority words (to read the role from a
  title), industries, the phrasing templates and the spellings people type.
- ``data/demo``: the demo corpus generator's role families, skills and industries.

These look alike and are kept apart on purpose: each answers another question, and merging
them would change what each stage does. Above all the demo generator's vocabulary must never
be shared with the offline query generator or the keyphrase prior: the demo corpus is the
benchmark the offline queries are scored on, and a query generator that knows the corpus
generator's words would be scored on its own words. Only copies of one concept are merged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

from embedtune.errors import EmbedtuneError

__all__ = ["VocabularyFile"]


class VocabularyFile:
    """One JSON vocabulary file of a package, with typed readers that check each entry.

    >>> words = VocabularyFile.from_text("x.json", '{"colors": ["red", "blue"]}')
    >>> sorted(words.word_set("colors"))
    ['blue', 'red']
    >>> words.word_set("sizes")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    embedtune.errors.EmbedtuneError: vocabulary file x.json: 'sizes' is missing. Fix: ...
    """

    def __init__(self, where: str, data: Mapping[str, Any]) -> None:
        self.where = where
        self.data = data

    @classmethod
    def load(cls, package: str, name: str) -> VocabularyFile:
        """The file ``name`` beside the modules of ``package`` (e.g. ``embedtune.queries``)."""
        where = f"{package.replace('.', '/')}/{name}"
        try:
            text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
        except OSError as exc:
            raise EmbedtuneError(
                f"vocabulary file {where} cannot be read: {exc}", fix=_REINSTALL
            ) from exc
        return cls.from_text(where, text)

    @classmethod
    def from_text(cls, where: str, text: str) -> VocabularyFile:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise EmbedtuneError(
                f"vocabulary file {where} is not valid JSON: {exc}", fix=_REINSTALL
            ) from exc
        if not isinstance(data, dict):
            raise EmbedtuneError(
                f"vocabulary file {where} holds {type(data).__name__}, not a JSON object",
                fix=_REINSTALL,
            )
        return cls(where, data)

    def error(self, key: str, problem: str) -> EmbedtuneError:
        return EmbedtuneError(f"vocabulary file {self.where}: {key!r} {problem}", fix=_REINSTALL)

    def get(self, key: str) -> Any:
        """The raw entry ``key`` (a dotted path reaches into objects: ``"rules.eeo"``)."""
        value: Any = self.data
        for part in key.split("."):
            if not isinstance(value, dict) or part not in value:
                raise self.error(key, "is missing")
            value = value[part]
        return value

    def strings(self, key: str, value: Any = None) -> tuple[str, ...]:
        """A list of non-empty strings, in file order (repeats allowed: they can be weights)."""
        value = self.get(key) if value is None else value
        if not isinstance(value, list) or not value:
            raise self.error(key, "must be a non-empty list of strings")
        for item in value:
            if not isinstance(item, str) or not item.strip() or item != item.strip():
                raise self.error(key, f"holds {item!r}, not a non-empty trimmed string")
        return tuple(value)

    def word_set(self, key: str) -> frozenset[str]:
        """A list of distinct strings, or an object of such lists (groups), as one set."""
        value = self.get(key)
        groups = value if isinstance(value, dict) else {"": value}
        seen: set[str] = set()
        for group, items in groups.items():
            for word in self.strings(f"{key}.{group}" if group else key, items):
                if word in seen:
                    raise self.error(key, f"lists {word!r} twice")
                seen.add(word)
        return frozenset(seen)

    def table(self, key: str) -> dict[str, tuple[str, ...]]:
        """An object whose values are lists of strings, in file order."""
        value = self.get(key)
        if not isinstance(value, dict) or not value:
            raise self.error(key, "must be a non-empty object of lists of strings")
        return {name: self.strings(f"{key}.{name}", items) for name, items in value.items()}

    def mapping(self, key: str) -> dict[str, str]:
        """An object whose values are non-empty strings, in file order."""
        value = self.get(key)
        if not isinstance(value, dict) or not value:
            raise self.error(key, "must be a non-empty object of strings")
        for name, item in value.items():
            if not isinstance(item, str) or not item:
                raise self.error(f"{key}.{name}", f"is {item!r}, not a non-empty string")
        return dict(value)

    def pattern(self, key: str, text: str, flags: int = 0) -> re.Pattern[str]:
        """``text`` compiled; a bad regex names the entry it came from."""
        try:
            return re.compile(text, flags)
        except re.error as exc:
            raise self.error(key, f"holds a bad regex {text!r}: {exc}") from exc


_REINSTALL = "restore the file from the embedtune release (pip install --force-reinstall embedtune)"
