"""Role inference from posting text, the no-title query styles, and how generation uses them.

Every posting snippet here is written for the test, not taken from a dataset.
"""

from __future__ import annotations

import random
import re

import pytest
from tests.fakes import HashingEncoder

from embedtune._vocab import VocabularyFile
from embedtune.errors import EmbedtuneError
from embedtune.queries.offline import (
    Facets,
    OfflineQueryConfig,
    Role,
    RoleGuess,
    RoleWords,
    find_place,
    generate_offline_queries,
    infer_role,
    lowercase_words,
    posting_role,
    role_words,
    style_queries,
)
from embedtune.queries.offline.infer import singular
from embedtune.queries.records import Posting


@pytest.mark.parametrize(
    ("text", "role", "evidence"),
    [
        ("Job Title: Forklift Driver\nShift: nights, 11.50 per hour", "Forklift Driver", "label"),
        ("Position: Senior Payroll Officer (m/f/d) - Hamburg", "Senior Payroll Officer", "label"),
        (
            "Mobile Plumber  Bristol  Salary 35k plus van. We fix boilers.",
            "Mobile Plumber",
            "opening",
        ),
        ("HVAC SERVICE TECHNICIAN\nWe keep hospitals cool.", "HVAC SERVICE TECHNICIAN", "opening"),
        (
            "Bright Smiles is hiring a Dental Hygienist for our Leeds clinic.",
            "Dental Hygienist",
            "hiring",
        ),
        (
            "We are seeking a motivated, experienced Site Manager to lead builds.",
            "Site Manager",
            "hiring",
        ),
        ("We're looking for an email copywriter who loves tests.", "email copywriter", "hiring"),
        ("About us: a bakery.\nAs a Night Baker, you will prove dough.", "Night Baker", "as_a"),
        ("Come and join our friendly kitchen as a Pastry Chef today.", "Pastry Chef", "join_as"),
        (
            "Busy depot. The Warehouse Supervisor will plan shifts and train staff.",
            "Warehouse Supervisor",
            "the_role",
        ),
        (
            "Home visits daily. Our Care Assistants see clients. Care Assistants drive.",
            "Care Assistant",
            "noun_phrase",
        ),
        (
            "Tools for data scientists: notebooks. All data scientists share GPUs.",
            "data scientist",
            "noun_phrase",
        ),
        ("Bistro in York hiring a Chef de Partie for the summer.", "Chef de Partie", "hiring"),
    ],
)
def test_infer_role_reads_each_kind_of_evidence(text: str, role: str, evidence: str) -> None:
    guess = infer_role(text)
    assert guess is not None
    assert (guess.role, guess.evidence) == (role, evidence)


def test_infer_role_prefers_the_more_reliable_evidence() -> None:
    text = "We are hiring a Team Leader.\nJob title: Logistics Coordinator\nAs a Driver, you will."
    assert infer_role(text) == RoleGuess("Logistics Coordinator", "label", 0.95)
    # Equal confidence: the earlier cue wins.
    guess = infer_role("We are hiring a Line Cook. We also need a Dishwasher Porter.")
    assert guess is not None and guess.role == "Line Cook"


@pytest.mark.parametrize(
    "text",
    [
        "Fresh bread every morning, and coffee.",
        "We are looking for a manager.",  # a weak noun alone names no job
        "Our business partners love us, and every business partner gets a gift.",
        "",
    ],
)
def test_infer_role_gives_none_without_a_job_name(text: str) -> None:
    assert infer_role(text) is None


def test_infer_role_cuts_praise_places_and_company_names() -> None:
    guess = infer_role("Acme's Senior Accountant\nWe are based in Leeds.")
    assert guess is not None and guess.role == "Senior Accountant"
    guess = infer_role("We seek a high-impact, trusted creative Data Analyst in Leeds, UK.")
    assert guess is not None and guess.role == "Data Analyst"
    guess = infer_role("Registered Nurses wanted for our care home in Fife.")
    assert guess is not None and guess.parsed() == Role("registered nurse")


def test_parsed_guess_separates_seniority() -> None:
    assert RoleGuess("Sr. Backend Developers", "opening", 0.8).parsed() == Role(
        "backend developer", "senior"
    )
    assert singular("Secretaries") == "Secretary" and singular("Attorneys") == "Attorney"


def test_find_place() -> None:
    assert find_place("Location: Cardiff  Salary: 30k") == "cardiff"
    assert find_place("Location: Remote (US)") is None
    assert find_place("Based near Cardiff") == "cardiff"
    assert (
        find_place("We are recruiting a Sous Chef for a hotel near Northampton.") == "northampton"
    )
    assert find_place("Care home in Newcastle upon Tyne, Tyne and Wear") == "newcastle upon tyne"
    assert find_place("A manager for a health club in the City of London area") == "london"
    assert find_place("Specialist Nurse, Blackley: in North Manchester") == "manchester"


@pytest.mark.parametrize(
    "text",
    [
        "Fluent in English and German, you join our desk.",  # a language
        "Experience in Python and Django is a must.",  # a skill
        "A career in Nursing: our nursing team is growing.",  # the text writes it in lower case
        "Start in January in Our Lady's wing.",  # a month; a possessive
        "Experience in Mentoring new starters.",  # common in the corpus (``common`` below)
    ],
)
def test_find_place_skips_capitalised_words_that_are_not_towns(text: str) -> None:
    assert find_place(text, frozenset({"mentoring"})) is None


def test_lowercase_words_of_a_corpus_tell_names_from_words() -> None:
    texts = ["Nurse in Leeds", "nursing in leeds.gov", "Nursing homes", "our nursing team"]
    common = lowercase_words(texts)
    assert "nursing" in common and "leeds" not in common  # one web address is not a rule
    assert find_place("Join our team in Nursing", common) is None
    assert find_place("Join our team in Leeds", common) == "leeds"


FACETS = Facets(Role("backend developer", "senior"), ("Django", "PostgreSQL"), "5+", "remote", None)


def test_styles_are_short_lower_case_and_distinct() -> None:
    queries = style_queries(FACETS, 6, random.Random(3), place="leeds")
    assert len(queries) == 6 and len(set(queries)) == 6
    for query in queries:
        assert 2 <= len(query.split()) <= 6
        assert query == query.lower()
        assert not re.search(r"\b(?:with|and|looking|for)\b", query)
    # The first five come one per style; the role alone is one of them.
    assert "backend developer" in queries


def test_styles_fill_only_what_the_posting_gives() -> None:
    bare = Facets(Role("nurse"), (), None, None, None)
    assert style_queries(bare, 5, random.Random(0)) == ["nurse jobs"]
    senior = Facets(Role("accountant", "senior"), (), None, None, None)
    queries = style_queries(senior, 5, random.Random(0))
    assert set(queries) == {"accountant jobs"} | {q for q in queries if q.endswith(" accountant")}
    assert any(q.split()[0] in {"senior", "sr", "sr."} for q in queries)


def test_styles_are_seeded() -> None:
    runs = [tuple(style_queries(FACETS, 2, random.Random(s))) for s in range(12)]
    assert runs[0] == tuple(style_queries(FACETS, 2, random.Random(0)))
    assert len(set(runs)) > 3


TITLE_LESS = [
    Posting(
        "a",
        "",
        "We are hiring a Backend Developer to build APIs in Django and PostgreSQL. "
        "This is a fully remote role. 5+ years of experience with Python.",
    ),
    Posting("b", "", "Location: Leeds, UK\nAs a Payroll Officer, you will run payroll in Sage."),
    Posting("c", "", "Fresh bread every morning. Bake sourdough, croissants and rye with us."),
    Posting("d", "", "We are hiring a Staff Nurse for our nursing home in Bagshot, Surrey."),
]


def test_title_less_postings_get_style_queries_and_fall_back_without_a_role() -> None:
    config = OfflineQueryConfig(per_posting=3, seed=7)
    records = generate_offline_queries(TITLE_LESS, HashingEncoder(), config)
    by_id: dict[str, list[str]] = {}
    for record in records:
        by_id.setdefault(record.posting_id, []).append(record.query)
    assert set(by_id) == {"a", "b", "c", "d"}
    assert any(q.endswith("bagshot") and "nurse" in q for q in by_id["d"])  # role and town
    assert all("backend developer" in q or "developer" in q for q in by_id["a"])
    assert all("payroll officer" in q for q in by_id["b"])
    assert any("leeds" in q for q in by_id["b"]) or len(by_id["b"]) == 3
    assert all(2 <= len(q.split()) <= 6 and q == q.lower() for q in by_id["a"] + by_id["b"])
    assert posting_role(TITLE_LESS[2])[2] is None  # no job named: keyphrase queries
    assert by_id["c"]
    again = generate_offline_queries(TITLE_LESS, HashingEncoder(), config)
    assert again == records


def test_a_posting_with_a_title_is_read_from_the_title() -> None:
    posting = Posting("t", "Data Analyst", "Data Analyst\nWe are hiring a Payroll Officer.")
    role, title, guess = posting_role(posting)
    assert (role, title, guess) == (Role("data analyst"), "Data Analyst", None)


def test_role_vocabulary_checks_itself() -> None:
    words = role_words()
    assert [c.evidence for c in words.cues][:2] == ["label", "opening"]
    assert words.weak_nouns <= words.job_nouns
    bad = VocabularyFile.from_text("roles.json", '{"cues": {"label": {"confidence": 2}}}')
    with pytest.raises(EmbedtuneError, match=r"roles\.json.*cues"):
        RoleWords.from_file(bad)
