from __future__ import annotations

from embedtune.index.snippets import (
    format_passages,
    highlight_spans,
    make_snippet,
    query_terms,
    title_or_start,
)


def test_query_terms_drop_fillers_numbers_and_repeats() -> None:
    assert query_terms("Data scientist 6 year experience, LLMs, credit risk, data") == [
        "data",
        "scientist",
        "llms",
        "credit",
        "risk",
    ]
    assert query_terms("C++ and C# developer, R") == ["c++", "c#", "developer", "r"]
    assert query_terms("  ") == []


def test_highlight_spans_whole_words_plural_and_case() -> None:
    text = "LLM tooling; llms at scale; Datastore is not data. Risk!"
    spans = highlight_spans(text, ["llms", "data", "risk"])
    assert [text[a:b] for a, b in spans] == ["LLM", "llms", "data", "Risk"]
    assert highlight_spans(text, []) == []


def test_snippet_centres_on_terms_and_stays_short() -> None:
    text = ("filler words here " * 40) + "credit risk models in Python " + ("more filler " * 40)
    snippet = make_snippet(text, ["credit", "risk"], width=120)
    assert "credit risk" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) <= 122
    assert make_snippet("short text", ["x"], width=120) == "short text"
    assert make_snippet("<p>R&amp;D <b>lead</b></p>", ["lead"]) == "R&D lead"
    head = make_snippet(text, ["absent"], width=60)
    assert head.startswith("filler") and head.endswith("…")


def test_format_passages_numbers_and_cuts() -> None:
    context = format_passages([("a", "T1", "one two"), ("b", "", "x " * 100)], max_chars=20)
    blocks = context.split("\n\n")
    assert blocks[0] == "[1] T1 (id: a)\none two"
    assert blocks[1].startswith("[2] (untitled) (id: b)\n")
    assert blocks[1].endswith(" …") and len(blocks[1].split("\n")[1]) <= 22


def test_densest_window_matches_the_quadratic_definition() -> None:
    import random

    from embedtune.index.snippets import _densest

    def by_definition(spans: list[tuple[int, int]], width: int) -> int:
        counts = [
            sum(1 for a, _ in spans[i:] if a < spans[i][0] + width) for i in range(len(spans))
        ]
        return counts.index(max(counts))

    rng = random.Random(0)
    for _ in range(2000):
        starts = sorted(rng.sample(range(2000), rng.randint(1, 30)))
        spans = [(a, a + 3) for a in starts]
        width = rng.choice([50, 240, 500])
        assert _densest(spans, width) == by_definition(spans, width)


def test_title_or_start_falls_back_to_the_start_of_the_text() -> None:
    assert title_or_start("Data Scientist", "Python, SQL") == "Data Scientist"
    assert (
        title_or_start("", "  Senior  data\nscientist, Python ") == "Senior data scientist, Python"
    )
    long = "Build credit risk models in Python with a small team of analysts and engineers daily"
    short = title_or_start(" ", long, max_chars=40)
    assert short == "Build credit risk models in Python with…"
    assert len(short) <= 41 and long.startswith(short[:-1])
    assert title_or_start("", "<p>R&amp;D lead</p>") == "R&D lead"
    assert title_or_start("", "x" * 100, max_chars=10) == "x" * 10 + "…"
    assert title_or_start("", "   ") == ""
