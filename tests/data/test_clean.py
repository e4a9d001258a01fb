"""Tests for embedtune.data.clean: invented postings, then the real Glassdoor corpora."""

from __future__ import annotations

import csv
import doctest
import json
import re
from dataclasses import dataclass, fields
from importlib.resources import files
from pathlib import Path

import pytest

from embedtune._vocab import VocabularyFile
from embedtune.data import clean
from embedtune.data.clean import (
    BOILERPLATE_KINDS,
    CleanResult,
    classify,
    clean_posting,
    cues,
    headings,
    markup,
    normalize,
    normalize_text,
    remove_boilerplate,
    strip_markup,
    walk,
)
from embedtune.errors import EmbedtuneError

CLEAN_MODULES = (clean, classify, cues, headings, markup, normalize, walk)


def test_docstring_examples_hold() -> None:
    results = [doctest.testmod(module, optionflags=doctest.ELLIPSIS) for module in CLEAN_MODULES]
    assert sum(r.failed for r in results) == 0
    assert sum(r.attempted for r in results) >= 20


# --------------------------------------------------------------------------------------------
# The cues file
# --------------------------------------------------------------------------------------------


def _cues_with(rule: str, specs: object) -> dict[str, object]:
    data = json.loads(files("embedtune.data.clean").joinpath(cues.CUES_FILE).read_text())
    return {**data, rule: specs}


def test_cues_file_is_the_rules_in_use() -> None:
    loaded = cues.cues()
    assert loaded.eeo_hard.search("we are an equal opportunity employer")
    assert not loaded.eeo_hard.search("we model equal-width bins")
    assert [kind for kind, _, _ in loaded.sentence_rules()] == [
        "eeo", "eeo", "recruiter", "recruiter", "apply", "pay", "benefits"
    ]  # fmt: skip
    assert [soft for _, _, soft in loaded.sentence_rules()] == [
        False, True, False, True, False, False, True
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        ([["eeo", "(eeo"]], "'pay' holds a bad regex '(eeo'"),
        (["Equal Opportunity"], "'pay' holds literals 'Equal Opportunity': lower case"),
        (["eeo||eoe"], "'pay' holds literals 'eeo||eoe'"),
        ([["eeo", "x", "y"]], "'pay' holds ['eeo', 'x', 'y'], not"),
        ([], "'pay' must be a non-empty list"),
    ],
)
def test_malformed_cues_name_the_file_and_rule(specs: object, message: str) -> None:
    file = VocabularyFile("embedtune/data/clean/cues.json", _cues_with("pay", specs))
    with pytest.raises(
        EmbedtuneError, match=r"vocabulary file embedtune/data/clean/cues\.json"
    ) as exc:
        cues.Cues.from_file(file)
    assert message in str(exc.value)


def test_a_cue_regex_matches_only_where_one_of_its_literals_occurs() -> None:
    """The speed-up's premise: the regex of a cue is only tried where its literal occurs."""
    loaded = cues.cues()
    texts = [p.lower() for p in _invented_boilerplate()]
    matched = 0
    for rule in (getattr(loaded, f.name) for f in fields(loaded)):
        literals_of: dict[re.Pattern[str], set[str]] = {}
        for literal, pattern in rule.cues:
            if pattern is not None:
                literals_of.setdefault(pattern, set()).add(literal)
        for pattern, literals in literals_of.items():
            for text in (t for t in texts if pattern.search(t)):
                matched += 1
                assert any(literal in text for literal in literals), (pattern.pattern, text)
    assert matched > 20


def _invented_boilerplate() -> list[str]:
    return [
        "We are an Equal Opportunity Employer; all qualified applicants will receive consideration "
        "without regard to race, color, religion, sex, sexual orientation or veteran status.",
        "Benefits: medical, dental and vision insurance, 401(k) match, paid time off, PTO.",
        "The salary range is $120,000 - $150,000 per year. Base pay depends on experience.",
        "To apply, please send your resume to jobs@example.com. No phone calls. Apply now!",
        "Job ID: R12345. Our client, a leading bank, is seeking a data scientist. No agencies.",
        "Acme is a leading provider of widgets, founded in 1999, with 5,000 employees.",
        "You will build models in Python; 3+ years of experience with SQL is required.",
        "We celebrate diversity and are committed to an inclusive workplace for minorities.",
    ]


# --------------------------------------------------------------------------------------------
# strip_markup
# --------------------------------------------------------------------------------------------


def test_html_list_becomes_bullets() -> None:
    html = "<p>Data Scientist</p><ul><li>Build models</li><li>Ship &amp; monitor</li></ul>"
    assert strip_markup(html) == "Data Scientist\n\n- Build models\n- Ship & monitor"


def test_html_breaks_entities_and_stray_tags() -> None:
    html = "Line one<br>Line two<br/><b>Line</b>&nbsp;three &lt;SQL&gt;"
    assert strip_markup(html) == "Line one\nLine two\nLine\u00a0three <SQL>"


def test_html_script_and_style_vanish_with_their_content() -> None:
    html = "<style>p {color: red}</style><p>Python</p><script>track()</script>"
    assert strip_markup(html) == "Python"


def test_html_source_newlines_inside_paragraphs_are_spaces() -> None:
    assert strip_markup("<p>Build models\n  in Python</p>") == "Build models in Python"


def test_markdown_emphasis_and_headers_are_stripped() -> None:
    text = "### **What You'll Do**\n*Own* the __pipeline__ and _tests_\n\\#LI-Remote"
    assert strip_markup(text) == "What You'll Do\nOwn the pipeline and tests\n#LI-Remote"


def test_markdown_keeps_bullets_snake_case_and_arithmetic() -> None:
    text = "* Build my_model_v2\n2*3*4 cores"
    assert strip_markup(text) == text


def test_plain_text_with_angle_brackets_and_ampersands_is_unchanged() -> None:
    text = "Experience: 3-5 years, R&D, x < y"
    assert strip_markup(text) == text


def test_unclosed_angle_brackets_stay_text_and_reach_the_parser_escaped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """html.parser rescans every unfinished tag (quadratic on this text): it gets none.

    The time it takes is measured by benchmarks/clean_speed.py.
    """
    from html.parser import HTMLParser

    fed: list[str] = []
    real_feed = HTMLParser.feed

    def spy(self: HTMLParser, data: str) -> None:
        fed.append(data)
        real_feed(self, data)

    monkeypatch.setattr(HTMLParser, "feed", spy)
    text = "x<y and <5 years " * 3000
    assert strip_markup(text) == text.strip()
    assert strip_markup("<p>5 < 6 and x<y</p>") == "5 < 6 and x<y"
    assert len(fed) == 2
    assert "<" not in fed[0]
    assert fed[1] == "<p>5 &lt; 6 and x&lt;y</p>"


def test_horizontal_rules_and_cdata_ends_go() -> None:
    assert strip_markup("Python\n-----\nSQL\n]]>") == "Python\n\nSQL"


# --------------------------------------------------------------------------------------------
# normalize_text
# --------------------------------------------------------------------------------------------


def test_mojibake_nbsp_and_zero_width_are_repaired() -> None:
    assert normalize_text("Itâ€™s a\u00a0great\u200b role") == "It's a great role"


def test_lost_byte_mojibake_leftovers_are_dropped() -> None:
    assert normalize_text("Position Type:\u00c2Direct hire\n\u00c2") == "Position Type: Direct hire"


def test_curly_quotes_are_straightened() -> None:
    assert normalize_text("\u201cData\u201d \u2018science\u2019") == "\"Data\" 'science'"


def test_nfkc_ligatures_and_soft_hyphens() -> None:
    assert normalize_text("e\ufb03cient data\u00adrelated") == "efficient datarelated"


def test_bullets_become_dashes_and_inline_bullets_new_lines() -> None:
    text = "• Python\n· SQL\n▪ Spark\n* Airflow\n+ Docker\nSkills: • R • Scala"
    assert (
        normalize_text(text)
        == "- Python\n- SQL\n- Spark\n- Airflow\n- Docker\nSkills:\n- R\n- Scala"
    )


def test_whitespace_is_collapsed_and_blank_lines_limited() -> None:
    assert normalize_text("  a   b  \r\n\n\n\n c \t d  \n") == "a b\n\nc d"


def test_normalize_is_idempotent() -> None:
    messy = "Itâ€™s\u00a0a  “role”\u200b\n\n\n• Python •SQL·\n  - R  "
    once = normalize_text(messy)
    assert normalize_text(once) == once


# --------------------------------------------------------------------------------------------
# remove_boilerplate / clean_posting: one kind at a time
# --------------------------------------------------------------------------------------------

BENEFITS_THEN_REQUIREMENTS = """Data Scientist
We are looking for a senior data scientist to join our team.
Benefits:
- Medical, dental and vision insurance
- 401(k) with company match
- Generous PTO
Requirements:
- 3+ years of experience with Python and SQL
- Degree in statistics or a related field"""


def test_benefits_section_goes_requirements_stay() -> None:
    cleaned, removed = remove_boilerplate(BENEFITS_THEN_REQUIREMENTS)
    assert cleaned == (
        "Data Scientist\n"
        "We are looking for a senior data scientist to join our team.\n"
        "Requirements:\n"
        "- 3+ years of experience with Python and SQL\n"
        "- Degree in statistics or a related field"
    )
    assert removed["benefits"] == [
        "Benefits:\n- Medical, dental and vision insurance\n- 401(k) with company match\n"
        "- Generous PTO"
    ]
    assert all(not removed[kind] for kind in BOILERPLATE_KINDS if kind != "benefits")


def test_eeo_sentence_goes_but_its_paragraph_stays() -> None:
    text = (
        "Requirements:\n"
        "You have 5+ years of experience with Spark and Python, and you write clean code. "
        "Acme is an equal opportunity employer."
    )
    cleaned, removed = remove_boilerplate(text)
    assert cleaned == (
        "Requirements:\n"
        "You have 5+ years of experience with Spark and Python, and you write clean code."
    )
    assert removed["eeo"] == ["Acme is an equal opportunity employer."]


def test_eeo_section_goes_until_a_role_heading() -> None:
    text = (
        "EEO Statement\n"
        "We do not discriminate on the basis of race, color or religion.\n"
        "All hiring decisions are made on merit.\n"
        "What You'll Do\n"
        "- Build churn models"
    )
    cleaned, removed = remove_boilerplate(text)
    assert cleaned == "What You'll Do\n- Build churn models"
    assert removed["eeo"] == [
        "EEO Statement\nWe do not discriminate on the basis of race, color or religion.\n"
        "All hiring decisions are made on merit."
    ]


def test_company_blurb_goes_role_intro_stays() -> None:
    blurb = (
        "Acme Analytics is a leading provider of retail software, founded in 2004 and "
        "headquartered in Ohio."
    )
    intro = "We are looking for a senior data scientist to join our team."
    for company in (None, "Acme Analytics", "Acme Analytics\n4.2"):
        cleaned, removed = remove_boilerplate(f"{blurb}\n{intro}", company=company)
        assert cleaned == intro
        assert removed["company"] == [blurb]


def test_company_name_makes_a_plain_blurb_recognisable() -> None:
    text = "Acme sells garden tools to hardware stores.\nYou will forecast weekly demand in Python."
    assert remove_boilerplate(text)[0] == text  # nothing marks the first line as a blurb
    cleaned, removed = remove_boilerplate(text, company="Acme Inc.")
    assert cleaned == "You will forecast weekly demand in Python."
    assert removed["company"] == ["Acme sells garden tools to hardware stores."]


def test_about_us_section_goes_until_role_heading() -> None:
    text = (
        "About Us\n"
        "Acme builds tools for farmers. Our customers include large co-ops.\n"
        "What You'll Do\n"
        "- Build forecasting models"
    )
    cleaned, removed = remove_boilerplate(text)
    assert cleaned == "What You'll Do\n- Build forecasting models"
    assert removed["company"] == [
        "About Us\nAcme builds tools for farmers. Our customers include large co-ops."
    ]


def test_about_the_team_is_role_content() -> None:
    text = "About the Team\nThe forecasting team owns demand models for 40 warehouses."
    assert remove_boilerplate(text)[0] == text


def test_drop_section_ends_at_a_line_about_the_role() -> None:
    text = (
        "Who We Are\n"
        "Acme moves freight across the Midwest.\n"
        "As a data scientist you will build routing models in Python."
    )
    cleaned, removed = remove_boilerplate(text)
    assert cleaned == "As a data scientist you will build routing models in Python."
    assert removed["company"] == ["Who We Are\nAcme moves freight across the Midwest."]


def test_pay_transparency_goes() -> None:
    text = (
        "Build pricing models in Python.\n"
        "The salary range for this role is $120,000 - $150,000.\n"
        "Compensation: $60/hr"
    )
    cleaned, removed = remove_boilerplate(text)
    assert cleaned == "Build pricing models in Python."
    assert removed["pay"] == [
        "The salary range for this role is $120,000 - $150,000.\nCompensation: $60/hr"
    ]


def test_money_in_role_content_stays() -> None:
    text = "You will own a $5M marketing budget and report to the CMO."
    assert remove_boilerplate(text)[0] == text


def test_application_instructions_go() -> None:
    text = (
        "Build dashboards in Tableau.\n"
        "To apply, send your resume to jobs@acme.com. No phone calls, please.\n"
        "Principals only."
    )
    cleaned, removed = remove_boilerplate(text)
    assert cleaned == "Build dashboards in Tableau."
    assert removed["apply"] == [
        "To apply, send your resume to jobs@acme.com. No phone calls, please.\nPrincipals only."
    ]


def test_ability_to_apply_methods_is_role_content() -> None:
    text = "Ability to apply statistical methods to messy data."
    assert remove_boilerplate(text)[0] == text


def test_recruiter_preamble_goes_but_the_role_it_introduces_stays() -> None:
    text = "Our client, a fast-growing fintech firm, is seeking a Data Scientist to build fraud models."
    cleaned, removed = remove_boilerplate(text)
    assert cleaned == "a Data Scientist to build fraud models."
    assert removed["recruiter"] == ["Our client, a fast-growing fintech firm, is seeking"]


def test_recruiter_footers_go() -> None:
    text = "Build fraud models.\nJob ID: 20WD39526\nRequisition ID\n5568\n#LI-Remote"
    cleaned, removed = remove_boilerplate(text)
    assert cleaned == "Build fraud models."
    assert removed["recruiter"] == ["Job ID: 20WD39526\nRequisition ID\n5568\n#LI-Remote"]


def test_agency_disclaimer_goes() -> None:
    text = (
        "Build fraud models.\nAcme does not accept unsolicited resumes from recruitment agencies."
    )
    cleaned, removed = remove_boilerplate(text)
    assert cleaned == "Build fraud models."
    assert len(removed["recruiter"]) == 1


def test_benefit_words_in_a_requirement_stay() -> None:
    text = "Experience with medical, dental and vision claims data is a plus."
    assert remove_boilerplate(text) == (text, {kind: [] for kind in BOILERPLATE_KINDS})


def test_glued_posting_keeps_role_text_around_a_boilerplate_phrase() -> None:
    # Scraped postings sometimes lose every line break: one long "sentence" holds it all.
    blob = (
        "Responsibilities Develop algorithms that turn large datasets into insights and build "
        "scalable pipelines in Python and SQL Requirements Bachelor's degree in statistics and "
        "5 years of experience with machine learning models Job ID 335762 Keywords Python SQL "
        "Tableau statistics forecasting"
    )
    assert remove_boilerplate(blob)[0] == blob


# --------------------------------------------------------------------------------------------
# remove_boilerplate / clean_posting: contracts
# --------------------------------------------------------------------------------------------


def test_posting_without_boilerplate_is_only_normalised() -> None:
    raw = (
        "<h2>Senior Data Scientist</h2><p>We are looking for a data scientist to build "
        "demand\u00a0forecasts.</p><ul><li>5+ years with Python</li><li>SQL • Spark</li></ul>"
    )
    result = clean_posting(raw)
    assert result.text == result.normalized == normalize_text(strip_markup(raw))
    assert result.text == (
        "Senior Data Scientist\n\n"
        "We are looking for a data scientist to build demand forecasts.\n\n"
        "- 5+ years with Python\n- SQL\n- Spark"
    )
    assert result.removed == {kind: [] for kind in BOILERPLATE_KINDS}


def test_clean_result_keeps_every_stage() -> None:
    raw = "<p>Build models\u00a0in Python.</p><p>We are an equal opportunity employer.</p>"
    result = clean_posting(raw)
    assert isinstance(result, CleanResult)
    assert (
        result.after_markup
        == "Build models\u00a0in Python.\n\nWe are an equal opportunity employer."
    )
    assert result.normalized == "Build models in Python.\n\nWe are an equal opportunity employer."
    assert result.text == "Build models in Python."
    assert result.removed["eeo"] == ["We are an equal opportunity employer."]


def test_removed_lists_segments_by_kind_and_in_order() -> None:
    text = (
        "Data Scientist\n"
        "Acme is a global leader in logistics software.\n"
        "- Build routing models in Python\n"
        "Perks\n"
        "- Free lunch\n"
        "Acme is an equal opportunity employer. Apply now!\n"
        "#LI-DS1"
    )
    cleaned, removed = remove_boilerplate(text)
    assert cleaned == "Data Scientist\n- Build routing models in Python"
    assert list(removed) == list(BOILERPLATE_KINDS)
    assert removed == {
        "company": ["Acme is a global leader in logistics software."],
        "benefits": ["Perks\n- Free lunch"],
        "eeo": ["Acme is an equal opportunity employer."],
        "pay": [],
        "apply": ["Apply now!"],
        "recruiter": ["#LI-DS1"],
    }
    assert all(seg in text for segments in removed.values() for seg in segments)


def test_all_boilerplate_input_comes_back_whole() -> None:
    text = "We are an equal opportunity employer.\nApply now!"
    assert remove_boilerplate(text) == (text, {kind: [] for kind in BOILERPLATE_KINDS})


def test_non_text_is_refused_with_the_bad_value() -> None:
    with pytest.raises(TypeError, match=r"text must be a str, got float: nan"):
        clean_posting(float("nan"))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"company must be a str or None, got float: nan"):
        remove_boilerplate("Build models.", company=float("nan"))  # type: ignore[arg-type]


def test_empty_input() -> None:
    result = clean_posting("")
    assert (result.text, result.after_markup, result.normalized) == ("", "", "")
    assert result.removed == {kind: [] for kind in BOILERPLATE_KINDS}


# --------------------------------------------------------------------------------------------
# Real data: the Glassdoor corpora in ../shared/data (skipped when absent)
# --------------------------------------------------------------------------------------------

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CORPORA = (
    DATA / "glassdoor_ds_jobs" / "glassdoor_jobs.csv",
    DATA / "glassdoor_ds_jobs_2021" / "Uncleaned_DS_jobs.csv",
)
# Matched against lower-cased lines (a case-insensitive regex is several times slower).
ROLE_LINE = re.compile(r"experience with|responsib|python|sql|machine learning|degree")


@dataclass(frozen=True)
class RealRun:
    results: list[CleanResult]  # one per distinct (description, company) of both corpora


def _read_postings(path: Path) -> list[tuple[str, str]]:
    """Distinct (description, company) pairs: both corpora hold many reposts."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [(row["Job Description"], row["Company Name"]) for row in csv.DictReader(handle)]
    return list(dict.fromkeys(rows))


@pytest.fixture(scope="module")
def real() -> RealRun:
    missing = [str(path) for path in CORPORA if not path.is_file()]
    if missing:
        pytest.skip(f"real corpora not found (a fresh clone has no ../shared/data): {missing}")
    postings = [posting for path in CORPORA for posting in _read_postings(path)]
    return RealRun([clean_posting(text, company=company) for text, company in postings])


def _count_role_lines(text: str) -> int:
    return sum(1 for line in text.lower().split("\n") if ROLE_LINE.search(line))


def test_real_role_lines_are_kept(real: RealRun) -> None:
    before = sum(_count_role_lines(result.normalized) for result in real.results)
    after = sum(_count_role_lines(result.text) for result in real.results)
    assert before > 3000
    assert after / before >= 0.97


def test_real_equal_opportunity_statements_are_removed(real: RealRun) -> None:
    n = len(real.results)
    raw = sum("equal opportunity" in result.normalized.lower() for result in real.results) / n
    cleaned = sum("equal opportunity" in result.text.lower() for result in real.results) / n
    assert raw > 0.2
    assert cleaned < 0.02


def test_real_every_kind_is_found(real: RealRun) -> None:
    n = len(real.results)
    share = {
        kind: sum(bool(result.removed[kind]) for result in real.results) / n
        for kind in BOILERPLATE_KINDS
    }
    assert all(value >= 0.03 for value in share.values()), share
    assert share["eeo"] >= 0.3
    assert share["company"] >= 0.3


def test_real_removes_a_fair_share_but_never_everything(real: RealRun) -> None:
    removed = sum(len(r.normalized) - len(r.text) for r in real.results)
    total = sum(len(r.normalized) for r in real.results)
    assert 0.08 < removed / total < 0.35
    assert all(result.text.strip() for result in real.results)


def test_real_removed_segments_come_from_the_normalised_text(real: RealRun) -> None:
    for result in real.results:
        for segments in result.removed.values():
            assert all(segment and segment in result.normalized for segment in segments)
