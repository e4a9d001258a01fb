"""Fit texts to a model's token budget, cutting at a line or sentence end rather than mid-word."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from embedtune.errors import EmbedtuneError

_BOUNDARY = re.compile(r"\n|(?<=[.!?;:])\s")


@dataclass(frozen=True)
class Fitted:
    text: str
    tokens_before: int
    tokens_after: int

    @property
    def truncated(self) -> bool:
        return self.tokens_after < self.tokens_before


def count_tokens(tokenizer: Any, texts: Sequence[str], *, batch_size: int = 256) -> list[int]:
    """Number of tokens of each text, without special tokens."""
    counts: list[int] = []
    for start in range(0, len(texts), batch_size):
        batch = list(texts[start : start + batch_size])
        encoded = tokenizer(batch, add_special_tokens=False, truncation=False, verbose=False)
        counts.extend(len(ids) for ids in encoded["input_ids"])
    return counts


def cut_point(text: str, limit: int) -> int:
    """Where to cut ``text`` so that it ends before character ``limit``, at a natural boundary.

    Prefers the last line break or sentence end in the final 40% of the allowed text, then the
    last space, then ``limit`` itself.

    >>> t = "Title\\nBuild models. Ship them to production every week."
    >>> t[: cut_point(t, 30)]
    'Title\\nBuild models.'
    """
    if limit >= len(text):
        return len(text)
    window_start = int(limit * 0.6)
    best = None
    for match in _BOUNDARY.finditer(text, window_start, limit + 1):
        best = match.start()
    if best is None:
        space = text.rfind(" ", window_start, limit + 1)
        best = space if space > 0 else limit
    return best


def fit_to_budget(
    tokenizer: Any, texts: Sequence[str], max_tokens: int, *, batch_size: int = 256
) -> list[Fitted]:
    """Shorten each text to at most ``max_tokens`` tokens (special tokens not counted)."""
    if max_tokens < 8:
        raise EmbedtuneError(f"token budget {max_tokens} is too small", fix="use --max-tokens >= 8")
    if not getattr(tokenizer, "is_fast", False):
        raise EmbedtuneError(
            "fitting texts to the token budget needs a fast (Rust) tokenizer",
            fix="use a model that ships tokenizer.json",
        )
    shortened: list[str] = []
    before: list[int] = []
    for start in range(0, len(texts), batch_size):
        batch = list(texts[start : start + batch_size])
        encoded = tokenizer(
            batch, add_special_tokens=False, return_offsets_mapping=True, verbose=False
        )
        for text, offsets in zip(batch, encoded["offset_mapping"], strict=True):
            before.append(len(offsets))
            if len(offsets) <= max_tokens:
                shortened.append(text)
            else:
                shortened.append(text[: cut_point(text, offsets[max_tokens - 1][1])].rstrip())
    after = count_tokens(tokenizer, shortened, batch_size=batch_size)
    return [Fitted(t, b, a) for t, b, a in zip(shortened, before, after, strict=True)]
