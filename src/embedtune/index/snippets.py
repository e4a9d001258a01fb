"""Pure text helpers for showing hits: the query's skill terms, a snippet around them, and the
character spans to highlight. No I/O, no model.

>>> terms = query_terms("data scientist 6 year experience, LLMs, credit risk")
>>> terms
['data', 'scientist', 'llms', 'credit', 'risk']
>>> text = "Senior Data Scientist. Build LLM tools for credit risk teams."
>>> [text[a:b] for a, b in highlight_spans(text, terms)]
['Data', 'Scientist', 'LLM', 'credit', 'risk']
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache

# Words of a job-search query that are not skills: fillers, seniority words and counts.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "or",
        "the",
        "of",
        "for",
        "in",
        "on",
        "at",
        "to",
        "with",
        "without",
        "as",
        "by",
        "from",
        "into",
        "my",
        "me",
        "i",
        "we",
        "our",
        "you",
        "your",
        "job",
        "jobs",
        "role",
        "roles",
        "position",
        "positions",
        "work",
        "working",
        "looking",
        "want",
        "need",
        "hiring",
        "year",
        "years",
        "yr",
        "yrs",
        "experience",
        "exp",
        "experienced",
        "plus",
        "than",
        "more",
        "less",
        "least",
        "at",
        "remote",
        "onsite",
        "hybrid",
    ]
)
_TAG = re.compile(r"<[^>]{0,200}>")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9+#.\-]*[A-Za-z0-9+#]|[A-Za-z0-9]")


def query_terms(query: str) -> list[str]:
    """The query's skill words, lower-case, in order, without stopwords, numbers or repeats."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(query.lower()):
        if word in STOPWORDS or word.replace(".", "").isdigit() or (len(word) < 2 and word != "r"):
            continue
        seen.setdefault(word, None)
    return list(seen)


def _pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    """One regex for all terms: whole words, case-insensitive, a plural 's' optional."""
    return _compiled(tuple(sorted(set(terms))))


@lru_cache(maxsize=1024)
def _compiled(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = []
    for term in sorted(set(terms), key=len, reverse=True):
        stem = term[:-1] if len(term) > 3 and term.endswith("s") else term
        parts.append(re.escape(stem) + ("s?" if stem != term or stem[-1].isalpha() else ""))
    if not parts:
        return None
    return re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(parts) + r")(?![A-Za-z0-9])", re.I)


def highlight_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """``(start, end)`` of every occurrence of a term in ``text``, in order, not overlapping."""
    pattern = _pattern(terms)
    return [] if pattern is None else [m.span() for m in pattern.finditer(text)]


def plain_text(text: str) -> str:
    """``text`` without HTML tags, entities unescaped (prepared corpora are already clean).

    >>> plain_text("<p>R&amp;D <b>lead</b></p>")
    ' R&D  lead  '
    """
    if "<" not in text and "&" not in text:
        return text
    return html.unescape(_TAG.sub(" ", text))


def make_snippet(text: str, terms: Sequence[str], width: int = 240) -> str:
    """About ``width`` characters of ``text`` around the densest cluster of query terms.

    Starts and ends at word boundaries, with "…" where text was cut; the start of the text when
    no term occurs. HTML tags and entities of a raw corpus are dropped first.
    """
    text = " ".join(plain_text(text).split())
    if len(text) <= width:
        return text
    spans = highlight_spans(text, terms)
    start = 0
    if spans:
        start = max(0, spans[_densest(spans, width)][0] - width // 6)
    end = min(len(text), start + width)
    start = max(0, end - width)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")


def title_or_start(title: str, text: str, max_chars: int = 80) -> str:
    """``title``, or for an untitled posting the start of its text, cut at a word with "…".

    >>> title_or_start("", "Senior data scientist wanted for our credit risk team", 30)
    'Senior data scientist wanted…'
    """
    if title.strip():
        return title
    start = " ".join(plain_text(text[: max_chars * 4]).split())
    if len(start) <= max_chars:
        return start
    space = start.rfind(" ", 0, max_chars + 1)
    cut = space if space > max_chars // 2 else max_chars
    return start[:cut].rstrip(" ,;:.-") + "…"


def _densest(spans: Sequence[tuple[int, int]], width: int) -> int:
    """The first span whose window of ``width`` characters holds the most span starts.

    >>> _densest([(0, 2), (100, 102), (110, 112), (120, 122)], 50)
    1
    """
    best, most, end = 0, 0, 0
    for i, (a, _) in enumerate(spans):
        end = max(end, i)
        while end < len(spans) and spans[end][0] < a + width:
            end += 1
        if end - i > most:
            best, most = i, end - i
    return best


def format_passages(passages: Sequence[tuple[str, str, str]], max_chars: int = 1500) -> str:
    """Numbered passages ``(id, title, text)`` ready to paste into an LLM prompt as context.

    >>> print(format_passages([("j1", "Data Scientist", "Python, SQL.")]))
    [1] Data Scientist (id: j1)
    Python, SQL.
    """
    blocks = []
    for n, (pid, title, text) in enumerate(passages, start=1):
        body = " ".join(plain_text(text).split())
        if len(body) > max_chars:
            body = body[:max_chars].rsplit(" ", 1)[0] + " …"
        blocks.append(f"[{n}] {title or '(untitled)'} (id: {pid})\n{body}")
    return "\n\n".join(blocks)
