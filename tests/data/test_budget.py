from __future__ import annotations

from typing import Any

import pytest

from embedtune.data.budget import count_tokens, cut_point, fit_to_budget
from embedtune.errors import EmbedtuneError

LONG = "Data Scientist\n" + " ".join(
    f"Build model number {i} with Python and SQL." for i in range(200)
)


def test_short_text_is_untouched(minilm_tokenizer: Any) -> None:
    [f] = fit_to_budget(minilm_tokenizer, ["Data scientist, Python"], 50)
    assert f.text == "Data scientist, Python"
    assert not f.truncated and f.tokens_before == f.tokens_after == 4


def test_long_text_fits_and_ends_at_a_sentence(minilm_tokenizer: Any) -> None:
    [f] = fit_to_budget(minilm_tokenizer, [LONG], 64)
    assert f.truncated
    assert f.tokens_after <= 64 < f.tokens_before
    assert f.tokens_after == count_tokens(minilm_tokenizer, [f.text])[0]
    assert f.tokens_after >= 64 * 0.6  # cut near the limit, not far before it
    assert f.text.endswith(".")
    assert LONG.startswith(f.text)


def test_cut_point_prefers_line_then_sentence_then_space() -> None:
    assert cut_point("abc def ghi", 100) == 11
    assert cut_point("aaaa aaaa\nbbbb bbbb", 14) == 9
    assert cut_point("one two three four five", 16) == 13


def test_budget_too_small(minilm_tokenizer: Any) -> None:
    with pytest.raises(EmbedtuneError, match="too small"):
        fit_to_budget(minilm_tokenizer, ["x"], 4)
