"""Turn an LLM's raw answer into clean search queries, or say why it holds none.

LLMs decorate their answers: quotes (often nested, sometimes curly), numbering, bullets, labels,
markdown, a chatty first line, a reasoning model's ``<think>`` block, or JSON. Cleaning strips all
of that, one line per query:

>>> clean_raw_answer('"\\\\"Compliance Testing, Generative AI, Prompt Engineering\\\\""')
['Compliance Testing, Generative AI, Prompt Engineering']
>>> clean_raw_answer('Here are 2 queries:\\n1. **Query:** "ML engineer, PyTorch"\\n2) nurse Berlin.')
['ML engineer, PyTorch', 'nurse Berlin']

:func:`select_queries` then drops empty, over-long and duplicate queries and keeps up to ``n``;
:func:`parse_answer` does both and names the reason when nothing usable is left.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from embedtune.errors import EmbedtuneError

__all__ = [
    "ParsedAnswer",
    "clean_line",
    "clean_raw_answer",
    "is_refusal",
    "parse_answer",
    "select_queries",
]

_THINK = re.compile(r"<think>.*?(?:</think>|\Z)", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"^\s*```[\w-]*\s*$")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"</?[A-Za-z|][^<>]*>")
_HEADING = re.compile(r"^(?:#{1,6}\s+|>\s*)")
_BULLET = re.compile(r"^(?:[-*+•·‣▪●◦–—]\s+|[•·‣▪●◦]\s*)")
_NUMBER = re.compile(r"^(?:\(\d{1,3}\)|\d{1,3}[.):\]](?!\d))\s*")
_LABEL = re.compile(
    r"^(?:(?:job|search|suggested|example|sample)\s+)?(?:search|quer(?:y|ies)|q)\s*#?\s*\d*\s*[:：]\s*"
    r"|^(?:(?:job|search)\s+)?quer(?:y|ies)\s*#?\s*\d+\s*[-–—.)]\s+",
    re.IGNORECASE,
)
_DOUBLE_WRAP = '"“”„‟«»`*_ \t\\'
_SINGLE_QUOTES = "'‘’‚‛"
_TRAILING_PUNCT = re.compile(r"[\s.,;:!?…。]+$")
_CHATTER = re.compile(
    r"^(?:here(?:'s| is| are)|sure\b|certainly\b|of course\b|below (?:is|are)|these are|"
    r"the following|i hope\b|note\b|let me know\b)",
    re.IGNORECASE,
)
_REFUSAL = re.compile(
    r"^(?:i'?m sorry|i am sorry|sorry\b|i apologi[sz]e|i can(?:'t|not| not)\b|i'?m unable|"
    r"i am unable|i'?m not able|i am not able|i won'?t\b|as an ai\b|unfortunately\b)",
    re.IGNORECASE,
)
_JUNK = re.compile(r"[{}\[\]<>]")
_WORD = re.compile(r"\w")
_NOTHING = frozenset({"null", "none", "n/a", "na", "nil", "nan", "undefined", "true", "false"})


@dataclass(frozen=True)
class ParsedAnswer:
    """The queries kept from one raw answer; ``reason`` says why none were, else ``None``."""

    queries: list[str]
    reason: str | None = None


def _unwrap(text: str) -> str:
    """Strip wrapping quotes, emphasis marks and trailing punctuation until nothing changes.

    Single quotes are only stripped as a pair, so ``nurses'`` and ``'s`` survive.

    >>> _unwrap('"“\\'data analyst\\'”".')
    'data analyst'
    """
    previous = None
    while text != previous:
        previous = text
        text = _TRAILING_PUNCT.sub("", text.strip(_DOUBLE_WRAP))
        if len(text) >= 2 and text[0] in _SINGLE_QUOTES and text[-1] in _SINGLE_QUOTES:
            text = text[1:-1]
    return text


def clean_line(line: str) -> str:
    """One line without markdown, bullets, numbering, labels, quotes and trailing punctuation.

    >>> clean_line('- 3) Search query 2: "“senior .NET developer”."')
    'senior .NET developer'
    >>> clean_line("1.5 years python")
    '1.5 years python'
    """
    text = line.replace('\\"', '"').replace("\\'", "'")
    text = _LINK.sub(r"\1", text)
    text = text.replace("**", "").replace("__", "").replace("~~", "")
    previous = None
    while text != previous:
        previous = text
        text = text.strip(_DOUBLE_WRAP)
        for pattern in (_HEADING, _BULLET, _NUMBER, _LABEL):
            text = pattern.sub("", text)
        text = _unwrap(text)
    return " ".join(text.split())


def is_refusal(raw: str) -> bool:
    """Whether the answer opens with a refusal or an apology ("I'm sorry, but ...").

    >>> is_refusal("I’m sorry, but I can’t help with that.")
    True
    >>> is_refusal("sorting algorithm engineer")
    False
    """
    for line in _THINK.sub("", raw).splitlines():
        text = _unwrap(line.strip(_DOUBLE_WRAP).replace("’", "'"))
        if text:
            return bool(_REFUSAL.match(text))
    return False


def _json_strings(value: Any) -> list[str]:
    """The query strings inside decoded JSON: a list of strings, or lists under query-like keys."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _json_strings(item)]
    if isinstance(value, dict):
        wanted = [v for k, v in value.items() if re.search(r"quer|search", str(k), re.IGNORECASE)]
        return [s for item in wanted for s in _json_strings(item)]
    return []


def _json_candidates(text: str) -> list[str] | None:
    """Candidate lines from an answer that is JSON as a whole, or ``None`` if it is not JSON."""
    body = "\n".join(line for line in text.splitlines() if not _FENCE.match(line)).strip()
    if not body.startswith(("[", "{")):
        return None
    try:
        value = json.loads(body)
    except json.JSONDecodeError:
        return None
    return [line for s in _json_strings(value) for line in s.splitlines()]


def _keep(line: str) -> bool:
    """Whether a raw line may hold a query: not chatter, a refusal, a fence or JSON junk."""
    stripped = line.strip()
    if not stripped or _FENCE.match(stripped):
        return False
    plain = stripped.strip(_DOUBLE_WRAP).replace("’", "'")
    chatter = stripped.endswith((":", "：")) or _CHATTER.match(plain)
    return not (chatter or _REFUSAL.match(plain))


def _looks_like_query(query: str) -> bool:
    """Whether a cleaned line has a word in it and no JSON or markup left (``null`` is no query)."""
    if not _WORD.search(query) or _JUNK.search(query):
        return False
    return query.casefold() not in _NOTHING


def clean_raw_answer(raw: str) -> list[str]:
    """The cleaned candidate queries in one raw answer, one per line, in order (may be empty).

    Drops a ``<think>`` block, chatter ("Here are 3 queries:"), refusals, code fences and lines of
    JSON junk; an answer that is valid JSON contributes its strings (a list, or values under
    query-like keys). No deduplication or length limit here: see :func:`select_queries`.

    >>> clean_raw_answer('```json\\n{"queries": ["data engineer spark", "1. dbt analyst"]}\\n```')
    ['data engineer spark', 'dbt analyst']
    >>> clean_raw_answer('{"error": null}')
    []
    """
    text = _THINK.sub("", raw)
    lines = _json_candidates(text)
    if lines is None:
        lines = text.splitlines()
    cleaned = []
    for line in lines:
        if not _keep(line):
            continue
        query = clean_line(_TAG.sub(" ", line))
        if _looks_like_query(query):
            cleaned.append(query)
    return cleaned


def select_queries(candidates: Iterable[str], n: int, max_words: int) -> list[str]:
    """Up to ``n`` queries from ``candidates``: no empty, over-long or repeated ones, order kept.

    Repeats are found ignoring case and spacing; a query longer than ``max_words`` words is dropped.

    >>> select_queries(["Data Scientist", "data  scientist", "", "a b c d", "nurse"], 2, 3)
    ['Data Scientist', 'nurse']
    """
    if n < 1:
        raise EmbedtuneError(f"invalid number of queries per posting: {n}", fix="use 1 or more")
    if max_words < 1:
        raise EmbedtuneError(f"invalid max_words: {max_words}", fix="use 1 or more")
    kept: list[str] = []
    seen: set[str] = set()
    for candidate in candidates:
        query = " ".join(candidate.split())
        key = query.casefold()
        if not query or len(query.split()) > max_words or key in seen:
            continue
        seen.add(key)
        kept.append(query)
        if len(kept) == n:
            break
    return kept


def parse_answer(raw: str, *, n: int, max_words: int) -> ParsedAnswer:
    """Clean and select the queries in ``raw``; when none are left, say why.

    >>> parse_answer("I'm sorry, I can't do that.", n=1, max_words=16).reason
    'refusal'
    >>> parse_answer('"ICU nurse, night shifts"', n=1, max_words=16).queries
    ['ICU nurse, night shifts']
    """
    if not raw.strip():
        return ParsedAnswer([], "empty answer")
    if is_refusal(raw):
        return ParsedAnswer([], "refusal")
    candidates = clean_raw_answer(raw)
    queries = select_queries(candidates, n, max_words)
    if queries:
        return ParsedAnswer(queries)
    if candidates:
        return ParsedAnswer([], f"every query in the answer is longer than {max_words} words")
    return ParsedAnswer([], "no query-like line in the answer")
