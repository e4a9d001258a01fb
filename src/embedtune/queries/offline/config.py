"""Settings of the offline query generator."""

from __future__ import annotations

from dataclasses import dataclass, fields

from embedtune.errors import EmbedtuneError

__all__ = ["OfflineQueryConfig"]


@dataclass(frozen=True)
class OfflineQueryConfig:
    """Settings of the offline query generator.

    ``diversity`` is MMR's trade-off as in KeyBERT: 0 picks keyphrases by relevance alone,
    1 only avoids picking similar ones.
    """

    per_posting: int = 1
    seed: int = 42
    min_keyphrases: int = 2
    max_keyphrases: int = 3
    diversity: float = 0.6

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            kinds = (int, float) if f.name == "diversity" else (int,)
            if isinstance(value, bool) or not isinstance(value, kinds):
                kind = "a number" if f.name == "diversity" else "a whole number"
                raise EmbedtuneError(
                    f"invalid {f.name} {value!r}: not {kind}", fix=f"pass {f.name} as {kind}"
                )
        _check_range("per_posting", self.per_posting, 1, 10)
        _check_range("min_keyphrases", self.min_keyphrases, 1, 5)
        _check_range("max_keyphrases", self.max_keyphrases, 1, 5)
        if self.max_keyphrases < self.min_keyphrases:
            raise EmbedtuneError(
                f"max_keyphrases ({self.max_keyphrases}) is below min_keyphrases "
                f"({self.min_keyphrases})",
                fix="pass max_keyphrases >= min_keyphrases (valid range 1..5 for both)",
            )
        _check_range("diversity", self.diversity, 0.0, 1.0)


def _check_range(name: str, value: float, lo: float, hi: float) -> None:
    if not lo <= value <= hi:
        raise EmbedtuneError(
            f"invalid {name} {value!r}; valid: {lo}..{hi}", fix=f"pass {name} between {lo} and {hi}"
        )
