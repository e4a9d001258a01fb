"""The demo corpus generator: determinism, structure, boilerplate, reposts and gold queries."""

from __future__ import annotations

import difflib
import hashlib
import html
import json
import random
import re
from collections import Counter, defaultdict

import pytest

from embedtune.data.demo import (
    INDUSTRIES,
    ROLE_FAMILIES,
    SENIORITY_YEARS,
    SKILL_ALIASES,
    DemoCorpus,
    generate_demo_corpus,
)
from embedtune.errors import EmbedtuneError

N_JOBS = 300
POSTING_KEYS = {
    "id",
    "title",
    "company",
    "location",
    "description",
    "seniority",
    "industry",
    "skills",
    "repost_of",
}

# One marker per boilerplate kind; every variant the generator writes contains one of them.
BOILERPLATE = {
    "about": r"\b(founded in|since) (19|20)\d\d\b",
    "benefits": r"dental",
    "pay": r"\$\d{2,3}(,\d{3}|K)",
    "eeo": r"equal (employment )?opportunit|\bEOE\b",
    "apply": r"\bapply\b",
    "preamble": r"job id|posted via|req #|job reference|our client|applicants · via",
}


@pytest.fixture(scope="module")
def corpus() -> DemoCorpus:
    return generate_demo_corpus(N_JOBS, seed=7)


@pytest.fixture(scope="module")
def clean(corpus: DemoCorpus) -> dict[str, str]:
    """Each posting's description, normalized once: id -> text."""
    return {p["id"]: normalize(p["description"]) for p in corpus.postings}


def normalize(text: str) -> str:
    """What a cleaner would see: entities decoded, invisible characters gone, spaces collapsed."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = text.replace("\u200b", "").replace("\u00a0", " ").replace("\u2019", "'")
    return " ".join(text.split())


def mentions(text: str, phrase: str) -> bool:
    """Whole-word, case-insensitive: 'R' must not match inside 'Sr.'."""
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE) is not None


def family_of(title: str) -> str:
    """The role family whose longest base title appears in `title`."""
    matches = [
        (len(base), family)
        for family, role in ROLE_FAMILIES.items()
        for base in role.titles
        if base in title
    ]
    assert matches, title
    return max(matches)[1]


def originals(corpus: DemoCorpus) -> list[dict[str, str]]:
    return [p for p in corpus.postings if p["repost_of"] == ""]


def test_same_seed_same_corpus_and_other_seeds_differ() -> None:
    first = generate_demo_corpus(60, seed=3)
    assert first == generate_demo_corpus(60, seed=3)
    other = generate_demo_corpus(60, seed=4)
    assert [p["description"] for p in first.postings] != [p["description"] for p in other.postings]
    assert [q["query"] for q in first.queries] != [q["query"] for q in other.queries]


def test_global_random_state_is_untouched() -> None:
    random.seed(123)
    state = random.getstate()
    generate_demo_corpus(30, seed=0)
    assert random.getstate() == state


def test_counts_ids_and_fields(corpus: DemoCorpus) -> None:
    assert len(originals(corpus)) == N_JOBS
    assert len(corpus.postings) == N_JOBS + round(0.08 * N_JOBS)
    ids = [p["id"] for p in corpus.postings]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"demo-\d{5}", i) for i in ids)
    for posting in corpus.postings:
        assert set(posting) == POSTING_KEYS
        assert all(isinstance(value, str) for value in posting.values())
        assert posting["seniority"] in SENIORITY_YEARS
        assert posting["industry"] in INDUSTRIES
        assert re.fullmatch(r"Remote \(US\)|[A-Z][A-Za-z .]+, [A-Z]{2}", posting["location"])


def test_repost_rate_zero_and_one() -> None:
    assert all(p["repost_of"] == "" for p in generate_demo_corpus(20, repost_rate=0).postings)
    assert len(generate_demo_corpus(20, repost_rate=1.0).postings) == 40


def test_reposts_are_shuffled_near_copies_of_originals(
    corpus: DemoCorpus, clean: dict[str, str]
) -> None:
    by_id = {p["id"]: p for p in corpus.postings}
    reposts = [p for p in corpus.postings if p["repost_of"]]
    assert reposts
    positions = [i for i, p in enumerate(corpus.postings) if p["repost_of"]]
    assert positions[0] < len(corpus.postings) // 2  # shuffled in, not appended
    for repost in reposts:
        original = by_id[repost["repost_of"]]
        assert original["repost_of"] == ""
        for key in ("title", "company", "location", "seniority", "industry", "skills"):
            assert repost[key] == original[key]
        old, new = clean[original["id"]], clean[repost["id"]]
        assert old != new
        assert difflib.SequenceMatcher(None, old.split(), new.split()).ratio() >= 0.8


def test_many_role_families_and_industries(corpus: DemoCorpus) -> None:
    families = Counter(family_of(p["title"]) for p in corpus.postings)
    assert len(families) >= 12
    assert len({p["industry"] for p in corpus.postings}) >= 10
    assert len({p["seniority"] for p in corpus.postings}) == len(SENIORITY_YEARS)


def test_description_mentions_title_and_every_skill(
    corpus: DemoCorpus, clean: dict[str, str]
) -> None:
    for posting in corpus.postings:
        text = clean[posting["id"]]
        assert posting["title"] in text
        skills = posting["skills"].split(", ")
        assert len(skills) >= 4
        for skill in skills:
            forms = (skill, *SKILL_ALIASES[skill])
            assert any(mentions(text, form) for form in forms), (posting["id"], skill)


def test_years_of_experience_match_seniority(corpus: DemoCorpus, clean: dict[str, str]) -> None:
    for posting in corpus.postings:
        text = clean[posting["id"]]
        years = [
            int(a or b) for a, b in re.findall(r"(\d+)\+ years|at least (\d+) years", text, re.I)
        ]
        low, high = SENIORITY_YEARS[posting["seniority"]]  # type: ignore[index]
        if posting["seniority"] == "junior":
            assert not years
            assert "0-2 years" in text or "Up to 2 years" in text
        else:
            assert years, posting["id"]
            assert all(low <= y <= high for y in years), (posting["seniority"], years)


@pytest.mark.parametrize("kind", sorted(BOILERPLATE))
def test_each_boilerplate_kind_is_common_but_not_universal(
    clean: dict[str, str], kind: str
) -> None:
    pattern = re.compile(BOILERPLATE[kind], re.IGNORECASE)
    hits = sum(bool(pattern.search(text)) for text in clean.values())
    share = hits / len(clean)
    assert 0.2 <= share < 0.99, (kind, share)


def test_formats_vary(corpus: DemoCorpus) -> None:
    descriptions = [p["description"] for p in corpus.postings]
    with_html = [d for d in descriptions if "<li>" in d]
    assert 0.15 < len(with_html) / len(descriptions) < 0.6
    assert any("&amp;" in d for d in with_html)
    assert any(re.search(r"^(- |• |\* )", d, re.MULTILINE) for d in descriptions)
    assert any("<" not in d and not re.search(r"^(- |• |\* )", d, re.M) for d in descriptions)
    assert any("\u00a0" in d or "&nbsp;" in d for d in descriptions)
    assert any("\u200b" in d for d in descriptions)
    assert any("\u2019" in d for d in descriptions)


def test_companies_reuse_boilerplate_across_different_roles(
    corpus: DemoCorpus, clean: dict[str, str]
) -> None:
    by_company: dict[str, list[dict[str, str]]] = defaultdict(list)
    for posting in originals(corpus):
        by_company[posting["company"]].append(posting)
    assert max(len(postings) for postings in by_company.values()) >= 5
    shared = 0
    for company, postings in by_company.items():
        blurb = re.compile(
            rf"((?:At )?{re.escape(company)}(?:,| is)[^.]*\.) (?:Founded in|Since) \d{{4}}"
        )
        families_by_blurb: dict[str, set[str]] = defaultdict(set)
        for posting in postings:
            found = blurb.search(clean[posting["id"]])
            if found:
                families_by_blurb[found.group(1)].add(family_of(posting["title"]))
        assert len(families_by_blurb) <= 1, company  # one company, one blurb
        shared += any(len(families) >= 2 for families in families_by_blurb.values())
    assert shared >= 5


def test_gold_queries_point_at_originals_and_share_a_facet(
    corpus: DemoCorpus, clean: dict[str, str]
) -> None:
    by_id = {p["id"]: p for p in corpus.postings}
    per_posting = Counter(q["posting_id"] for q in corpus.queries)
    assert set(per_posting) == {p["id"] for p in originals(corpus)}
    assert set(per_posting.values()) <= {1, 2}
    assert len({q["query_id"] for q in corpus.queries}) == len(corpus.queries)
    for query in corpus.queries:
        posting = by_id[query["posting_id"]]
        assert posting["repost_of"] == ""
        number = posting["id"].removeprefix("demo-")
        assert re.fullmatch(rf"q-{number}-[12]", query["query_id"])
        text = query["query"]
        assert 2 <= len(text.split()) <= 10
        assert text.lower() not in clean[posting["id"]].lower()
        role = ROLE_FAMILIES[family_of(posting["title"])]
        facets = [*role.aliases]
        for skill in posting["skills"].split(", "):
            facets += [skill, *SKILL_ALIASES[skill]]
        assert any(mentions(text, facet) for facet in facets), (text, posting["title"])


def test_queries_use_synonyms_and_varied_phrasing(corpus: DemoCorpus) -> None:
    texts = [q["query"] for q in corpus.queries]
    assert len(set(texts)) > 0.95 * len(texts)
    aliases = {alias.lower() for forms in SKILL_ALIASES.values() for alias in forms}
    with_alias = sum(any(mentions(t, alias) for alias in aliases) for t in texts)
    assert with_alias / len(texts) > 0.15
    assert any(t.islower() for t in texts) and any(not t.islower() for t in texts)


def test_thousand_jobs_default_repost_rate() -> None:
    corpus = generate_demo_corpus(1000, seed=1)
    assert len(corpus.postings) == 1080
    assert sum(p["repost_of"] != "" for p in corpus.postings) == 80


def sha256(rows: list[dict[str, str]]) -> str:
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


# Recorded from the single-module generator before it became a package (vocabularies moved to
# JSON); any change to the words, the draws or their order changes these. Change them only on
# purpose, and say so: benchmark numbers on the demo corpus are tied to its exact text.
PINNED = [
    (
        {"n_jobs": 60, "seed": 3},
        "a1ce1dc7832d63eaf69d3109aeadf5ec5d76e829f721b62c86c6d148cdb15b04",
        "b9cf14596b5c30d2d1ca31fd59112c85e41bcea8534b4f6373364b88d228290a",
    ),
    (
        {"n_jobs": 20, "seed": 1, "repost_rate": 1.0},
        "8b43f353587d00ada34f2b515892d6c513b42217737c7749036bd61c91e0b5cb",
        "c8a821fa330fc2e072dd1aaf41328f6ab506c9e4b0a687879b33149c8eea9029",
    ),
]


@pytest.mark.parametrize(("kwargs", "postings_sha", "queries_sha"), PINNED)
def test_output_is_pinned(kwargs: dict[str, float], postings_sha: str, queries_sha: str) -> None:
    corpus = generate_demo_corpus(**kwargs)  # type: ignore[arg-type]
    assert sha256(corpus.postings) == postings_sha
    assert sha256(corpus.queries) == queries_sha


def test_first_rows_are_pinned() -> None:
    """The same pin, readable: what changed shows here first."""
    corpus = generate_demo_corpus(10, seed=0, repost_rate=0.2)
    first = corpus.postings[0]
    assert {k: v for k, v in first.items() if k != "description"} == {
        "id": "demo-00000",
        "title": "Data Architect",
        "company": "Larkworks Learning",
        "location": "Los Angeles, CA",
        "seniority": "mid",
        "industry": "edtech",
        "skills": "data modeling, ETL, AWS, PostgreSQL, Terraform",
        "repost_of": "",
    }
    assert first["description"].startswith("\n ABOUT LARKWORKS LEARNING\nLarkworks Learning is")
    assert [q["query"] for q in corpus.queries[:2]] == [
        "data architecture jobs la hybrid terraform",
        "dimensional modeling data architecture la hybrid",
    ]


@pytest.mark.parametrize(
    ("kwargs", "bad"),
    [
        ({"n_jobs": 0}, "n_jobs: 0"),
        ({"n_jobs": -5}, "n_jobs: -5"),
        ({"n_jobs": 2.5}, "n_jobs: 2.5"),
        ({"n_jobs": 10, "repost_rate": -0.1}, "repost_rate: -0.1"),
        ({"n_jobs": 10, "repost_rate": 1.5}, "repost_rate: 1.5"),
    ],
)
def test_bad_arguments_raise_embedtune_error(kwargs: dict[str, float], bad: str) -> None:
    with pytest.raises(EmbedtuneError, match=re.escape(bad)) as excinfo:
        generate_demo_corpus(**kwargs)  # type: ignore[arg-type]
    assert excinfo.value.fix


def test_single_job() -> None:
    corpus = generate_demo_corpus(1, seed=0)
    assert len(corpus.postings) == 1
    assert 1 <= len(corpus.queries) <= 2
