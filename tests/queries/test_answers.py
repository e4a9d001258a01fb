"""Cleaning raw LLM answers into queries, and the prompt template (prompt.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedtune.errors import EmbedtuneError
from embedtune.queries.answers import (
    clean_line,
    clean_raw_answer,
    is_refusal,
    parse_answer,
    select_queries,
)
from embedtune.queries.prompt import (
    DEFAULT_PROMPT,
    check_template,
    load_prompt_template,
    render_prompt,
)

TUTORIAL = "Compliance Testing, Generative AI, Prompt Engineering"


@pytest.mark.parametrize(
    "raw",
    [
        # the tutorial's raw outputs: the answer wrapped in quotes, sometimes twice over
        '"\\"Compliance Testing, Generative AI, Prompt Engineering\\""',
        '"Compliance Testing, Generative AI, Prompt Engineering"',
        '""Compliance Testing, Generative AI, Prompt Engineering""',
        "“Compliance Testing, Generative AI, Prompt Engineering”",
        '“"Compliance Testing, Generative AI, Prompt Engineering"”.',
        "'Compliance Testing, Generative AI, Prompt Engineering'",
        "Compliance Testing, Generative AI, Prompt Engineering.",
        "  Compliance   Testing, Generative AI,  Prompt Engineering  ",
    ],
)
def test_tutorial_quotes_are_stripped(raw: str) -> None:
    assert clean_raw_answer(raw) == [TUTORIAL]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("1. data scientist remote", "data scientist remote"),
        ("1) data scientist remote", "data scientist remote"),
        ("(2) data scientist remote", "data scientist remote"),
        ("3: data scientist remote", "data scientist remote"),
        ("- data scientist remote", "data scientist remote"),
        ("* data scientist remote", "data scientist remote"),
        ("• data scientist remote", "data scientist remote"),
        ("•data scientist remote", "data scientist remote"),
        ("Query: data scientist remote", "data scientist remote"),
        ("Search query 2: data scientist remote", "data scientist remote"),
        ("query #3 - data scientist remote", "data scientist remote"),
        ("Q1: data scientist remote", "data scientist remote"),
        ("**Query 1:** data scientist remote", "data scientist remote"),
        ('1. Query: "data scientist remote"', "data scientist remote"),
        ("- **data scientist** remote", "data scientist remote"),
        ("### data scientist remote", "data scientist remote"),
        ("> data scientist remote", "data scientist remote"),
        ("`data scientist remote`", "data scientist remote"),
        ("*data scientist remote*", "data scientist remote"),
        ("[data scientist remote](https://example.com)", "data scientist remote"),
        ("data scientist remote!?", "data scientist remote"),
        ("data scientist remote…", "data scientist remote"),
        ('"data scientist remote."', "data scientist remote"),
    ],
)
def test_decorations_are_stripped(line: str, expected: str) -> None:
    assert clean_line(line) == expected


@pytest.mark.parametrize(
    "query",
    [
        "C++ developer embedded",
        "C# .NET engineer",
        "Node.js developer",
        ".NET developer",
        "1.5 years python",
        "10 years experience python",
        "data scientist 6 year experience, LLMs, credit risk",
        "women's health nurse",
        "ML/AI engineer, 5+ yrs",
        "sorting center associate",
        "surgical nurse",
    ],
)
def test_real_queries_survive_unchanged(query: str) -> None:
    assert clean_raw_answer(query) == [query]


def test_multi_line_answer_with_chatter_is_split() -> None:
    raw = (
        "Sure! Here are 3 search queries for this posting:\n\n"
        "1. **data scientist** credit risk\n"
        '2) "ML engineer, PyTorch, 3 years"\n'
        "- Search query 3: nurse Berlin nights.\n\n"
        "Let me know if you need more."
    )
    assert clean_raw_answer(raw) == [
        "data scientist credit risk",
        "ML engineer, PyTorch, 3 years",
        "nurse Berlin nights",
    ]


def test_think_block_and_chat_tokens_are_dropped() -> None:
    raw = "<think>\nThe user wants queries.\nLet me think.\n</think>\ndata engineer spark<|im_end|>"
    assert clean_raw_answer(raw) == ["data engineer spark"]
    assert clean_raw_answer("<think>never finished thinking about data") == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('["data engineer spark", "dbt analyst"]', ["data engineer spark", "dbt analyst"]),
        ('{"queries": ["data engineer spark"]}', ["data engineer spark"]),
        ('{"query": "1. data engineer spark"}', ["data engineer spark"]),
        ('```json\n{"search_queries": ["a b c"]}\n```', ["a b c"]),
        ('{"error": null}', []),
        ('{"id": 3, "ok": true}', []),
        ('{"queries": [', []),
        ("[]", []),
        ("```\n```", []),
        ("...", []),
        ("null", []),
        ("N/A", []),
        ("None.", []),
    ],
)
def test_json_answers(raw: str, expected: list[str]) -> None:
    assert clean_raw_answer(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "I'm sorry, but I can't help with that.",
        "I’m sorry, I can’t assist with that request.",
        "Sorry, I cannot do that.",
        "I cannot generate queries for this posting.",
        "As an AI language model, I do not write search queries.",
        '"I apologize, but this posting is empty."',
    ],
)
def test_refusals_are_recognised(raw: str) -> None:
    assert is_refusal(raw)
    assert clean_raw_answer(raw) == []
    assert parse_answer(raw, n=1, max_words=16).reason == "refusal"


def test_select_queries_dedupes_limits_and_keeps_order() -> None:
    candidates = [
        "Data Scientist  Remote",
        "data scientist remote",
        "",
        "   ",
        "one two three four five six",
        "ML engineer",
        "DATA SCIENTIST REMOTE",
        "nurse",
        "analyst",
    ]
    assert select_queries(candidates, 3, 5) == ["Data Scientist Remote", "ML engineer", "nurse"]
    assert select_queries(candidates, 10, 6)[1] == "one two three four five six"
    assert select_queries([], 3, 5) == []


@pytest.mark.parametrize(("n", "max_words"), [(0, 16), (1, 0)])
def test_select_queries_rejects_bad_limits(n: int, max_words: int) -> None:
    with pytest.raises(EmbedtuneError, match="invalid"):
        select_queries(["a"], n, max_words)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty answer"),
        ("  \n\n ", "empty answer"),
        ("I'm sorry, I can't.", "refusal"),
        (" ".join(["word"] * 17), "every query in the answer is longer than 16 words"),
        ('{"error": "overloaded"}', "no query-like line in the answer"),
        ("Here are the queries:", "no query-like line in the answer"),
    ],
)
def test_parse_answer_names_the_reason(raw: str, reason: str) -> None:
    parsed = parse_answer(raw, n=2, max_words=16)
    assert parsed.queries == []
    assert parsed.reason == reason


def test_parse_answer_takes_up_to_n() -> None:
    raw = "1. a b\n2. c d\n3. A  B\n4. e f"
    assert parse_answer(raw, n=2, max_words=16).queries == ["a b", "c d"]
    assert parse_answer(raw, n=5, max_words=16).queries == ["a b", "c d", "e f"]
    assert parse_answer(raw, n=5, max_words=16).reason is None


# --- prompt.py ---------------------------------------------------------------------------------


def test_default_prompt_renders_posting_and_count() -> None:
    prompt = render_prompt(DEFAULT_PROMPT, title="ICU Nurse", text="Nights in Berlin.", n=3)
    assert "Job title: ICU Nurse" in prompt
    assert "Nights in Berlin." in prompt
    assert "write 3 search queries" in prompt
    assert "data scientist 6 year experience, LLMs, credit risk" in prompt
    assert "{" not in prompt


def test_template_with_literal_braces_is_valid() -> None:
    template = 'Answer as JSON {{"queries": [...]}} for {title}: {text}'
    assert check_template(template) == template
    rendered = render_prompt(template, title="T", text="X", n=1)
    assert rendered == 'Answer as JSON {"queries": [...]} for T: X'


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{title} at {company}: {text}", r"unknown fields: \{company\}"),
        ("{0} {text}", r"unknown fields: \{0\}"),
        ("{} {text}", "unknown fields"),
        ("{title.upper} {text}", "unknown fields"),
        ("Queries for {title}", r"never uses \{text\}"),
        ("Queries for {title: {text}", "not a valid format string"),
        ("JSON {queries: []} {text}", "unknown fields"),
    ],
)
def test_bad_templates_are_rejected(template: str, message: str) -> None:
    with pytest.raises(EmbedtuneError, match=message) as info:
        check_template(template)
    assert "Fix: " in str(info.value)
    assert "{text}" in str(info.value)


def test_load_prompt_template(tmp_path: Path) -> None:
    path = tmp_path / "prompt.txt"
    path.write_text("Give {n} queries for {title}:\n{text}\n", encoding="utf-8")
    assert load_prompt_template(path) == "Give {n} queries for {title}:\n{text}\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "not found"), ("  \n", "is empty"), ("{company} {text}", "unknown fields")],
)
def test_load_prompt_template_errors(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "prompt.txt"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(EmbedtuneError, match=message):
        load_prompt_template(path)
