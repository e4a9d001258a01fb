from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from embedtune.data.config import PrepareConfig
from embedtune.data.load import Corpus
from embedtune.data.postings import (
    load_source,
    prepare_corpus,
    stable_ids,
    title_filter,
    with_title,
)
from embedtune.errors import EmbedtuneError
from embedtune.progress import NullReporter

ROLES = ["Data Scientist", "Data Engineer", "ML Engineer", "BI Analyst", "Research Scientist"]
SKILLS = ["Python", "SQL", "Spark", "PyTorch", "Tableau", "Airflow", "Kubernetes", "dbt"]
DOMAINS = [
    "credit risk",
    "fraud detection",
    "clinical trials",
    "ad bidding",
    "supply chain",
    "churn",
]
EEO = "We are an equal opportunity employer and consider all applicants without regard to race, color, religion or sex."


def posting(i: int) -> dict[str, str]:
    role = ROLES[i % len(ROLES)]
    a, b = SKILLS[i % len(SKILLS)], SKILLS[(i * 3 + 1) % len(SKILLS)]
    domain = DOMAINS[(i // 2) % len(DOMAINS)]
    body = (
        f"<p>We are looking for a {role} to work on {domain} (team {i}).</p>"
        f"<p><strong>Responsibilities:</strong></p><ul><li>Build {domain} models with {a} and {b}.</li>"
        f"<li>Own project {i} end to end, from data to production.</li>"
        f"<li>Work with product on experiment {i * 7}.</li></ul>"
        f"<p>Requirements: {2 + i % 6} years of {a}; experience with {b}.</p>"
        f"<p>Benefits:</p><ul><li>Medical, dental and vision insurance</li><li>401(k) match</li></ul>"
        f"<p>{EEO}</p>"
    )
    return {"job_id": f"j{i:03d}", "title": role, "description": body, "company": f"Acme {i % 4}"}


def corpus(n: int = 60) -> tuple[Corpus, pd.DataFrame]:
    rows = [posting(i) for i in range(n)]
    repost = dict(rows[5], job_id="j900")
    repost["description"] = rows[5]["description"].replace(
        "</p><p>Benefits", " Remote is fine.</p><p>Benefits"
    )
    rows += [
        dict(rows[3], job_id="j901"),
        repost,
        {"job_id": "j902", "title": "Data Scientist", "description": "  ", "company": ""},
    ]
    frame = pd.DataFrame(rows)
    queries = pd.DataFrame(
        [
            {"query_id": "q1", "query": "ml engineer pytorch", "posting_id": "j002"},
            {"query_id": "q2", "query": "repost query", "posting_id": "j900"},
            {"query_id": "q3", "query": "empty", "posting_id": "j902"},
        ]
    )
    return Corpus(frame, "test", queries), frame


def config(tmp_path: Path, **kw: Any) -> PrepareConfig:
    return PrepareConfig(source="test", out=tmp_path / "out", **kw)


def test_pipeline_counts_and_drop_records(tmp_path: Path, minilm_tokenizer: Any) -> None:
    c, _frame = corpus()
    p = prepare_corpus(c, config(tmp_path), minilm_tokenizer, 254)
    counts = p.report["counts"]
    assert counts["loaded"] == 63
    assert (counts["empty_text"], counts["exact_duplicate"], counts["near_duplicate"]) == (1, 1, 1)
    assert counts["kept"] == 60 == len(p.postings)
    reasons = {d["id"]: (d["reason"], d.get("duplicate_of")) for d in p.dropped}
    assert reasons == {
        "j901": ("exact_duplicate", "j003"),
        "j900": ("near_duplicate", "j005"),
        "j902": ("empty_text", None),
    }
    assert p.postings["id"].tolist() == [f"j{i:03d}" for i in range(60)]


def test_texts_are_clean_titled_and_within_budget(tmp_path: Path, minilm_tokenizer: Any) -> None:
    c, _ = corpus()
    p = prepare_corpus(c, config(tmp_path), minilm_tokenizer, 254)
    for title, text in zip(p.postings["title"], p.postings["text"], strict=True):
        assert text.startswith(title + "\n")
        assert "<" not in text and "equal opportunity" not in text.lower() and "401(k)" not in text
        assert "years of" in text
        assert len(minilm_tokenizer(text, add_special_tokens=False)["input_ids"]) <= 254
    removed = p.report["tokens"]["removed"]
    assert removed["markup"] > 0 and removed["eeo"] > 0 and removed["benefits"] > 0


def test_token_report_equals_counting_every_cleaned_text(
    tmp_path: Path, minilm_tokenizer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting tokens chunk by chunk while cleaning (to keep one copy of each text) gives the
    figures of counting every intermediate text of the kept postings afterwards."""
    import embedtune.data.postings as postings_module
    from embedtune.data.budget import count_tokens
    from embedtune.data.clean import BOILERPLATE_KINDS, clean_posting

    monkeypatch.setattr(postings_module, "_CLEAN_CHUNK", 7)  # several chunks, a ragged last one
    c, frame = corpus()
    p = prepare_corpus(c, config(tmp_path), minilm_tokenizer, 254)
    kept = frame[frame["job_id"].isin(set(p.postings["id"]))]
    results = [
        clean_posting(d, company=co)
        for d, co in zip(kept["description"], kept["company"], strict=True)
    ]

    def total(texts: list[str]) -> int:
        return sum(count_tokens(minilm_tokenizer, [t for t in texts if t]))

    raw = total(kept["description"].tolist())
    markup = total([r.after_markup for r in results])
    normal = total([r.normalized for r in results])
    removed = p.report["tokens"]["removed"]
    assert p.report["tokens"]["raw"] == raw
    assert (removed["markup"], removed["unicode_whitespace"]) == (raw - markup, markup - normal)
    for kind in BOILERPLATE_KINDS:
        assert removed[kind] == total(["\n".join(r.removed[kind]) for r in results]), kind
    assert removed["eeo"] > 0 and removed["benefits"] > 0


def test_token_budget_truncates(tmp_path: Path, minilm_tokenizer: Any) -> None:
    c, _ = corpus()
    p = prepare_corpus(c, config(tmp_path), minilm_tokenizer, 24)
    tokens = p.report["tokens"]
    assert tokens["truncated_postings"] == 60
    assert tokens["removed"]["budget"] > 0
    assert all(
        len(minilm_tokenizer(t, add_special_tokens=False)["input_ids"]) <= 24
        for t in p.postings["text"]
    )


def test_split_is_grouped_seeded_and_proportional(tmp_path: Path, minilm_tokenizer: Any) -> None:
    c, _ = corpus()
    p1 = prepare_corpus(c, config(tmp_path, seed=7), minilm_tokenizer, 254)
    p2 = prepare_corpus(c, config(tmp_path, seed=7), minilm_tokenizer, 254)
    assert p1.postings["split"].tolist() == p2.postings["split"].tolist()
    splits = p1.report["splits"]
    assert sum(splits.values()) == 60
    assert abs(splits["train"] - 48) <= 3 and splits["validation"] >= 4 and splits["test"] >= 4
    assert (p1.postings.groupby("group")["split"].nunique() == 1).all()


def test_no_dedupe_keeps_repeats_in_one_group(tmp_path: Path, minilm_tokenizer: Any) -> None:
    c, _ = corpus()
    p = prepare_corpus(c, config(tmp_path, dedupe=False), minilm_tokenizer, 254)
    assert len(p.postings) == 62
    by_id = p.postings.set_index("id")
    assert by_id.loc["j901", "group"] == by_id.loc["j003", "group"]
    assert by_id.loc["j901", "split"] == by_id.loc["j003", "split"]


def test_gold_queries_follow_their_posting(tmp_path: Path, minilm_tokenizer: Any) -> None:
    c, _ = corpus()
    p = prepare_corpus(c, config(tmp_path), minilm_tokenizer, 254)
    assert p.gold_queries is not None
    gold = p.gold_queries.set_index("query_id")
    assert gold.loc["q2", "posting_id"] == "j005"  # the repost's query moves to the original
    assert "q3" not in gold.index  # its posting was empty
    split_of = dict(zip(p.postings["id"], p.postings["split"], strict=True))
    assert all(split_of[pid] == s for pid, s in zip(gold["posting_id"], gold["split"], strict=True))


def test_keep_titles_filter(tmp_path: Path, minilm_tokenizer: Any) -> None:
    c, _ = corpus()
    p = prepare_corpus(
        c, config(tmp_path, keep_titles=("data scientist", "ML engineer")), minilm_tokenizer, 254
    )
    assert set(p.postings["title"]) == {"Data Scientist", "ML Engineer"}
    assert (
        p.report["counts"]["title_filter"]
        == sum(1 for d in p.dropped if d["reason"] == "title_filter")
        > 0
    )


def test_title_filter_matches_whole_words() -> None:
    assert title_filter(
        ["Sr. Data Scientist", "Data Science Lead", "AI Engineer II"],
        ("data scientist", "ai engineer"),
    ) == [True, False, True]


def test_stable_ids_and_titles() -> None:
    assert stable_ids(["a"], ["x"]) == stable_ids(["a"], ["x"])
    assert stable_ids(["a"], ["x"]) != stable_ids(["a"], ["y"])
    assert with_title("Data Scientist", "data scientist at Acme") == "data scientist at Acme"
    assert with_title("", "body") == "body"


def test_repeated_id_column_is_an_error(tmp_path: Path, minilm_tokenizer: Any) -> None:
    _c, frame = corpus()
    frame.loc[1, "job_id"] = "j000"
    with pytest.raises(EmbedtuneError, match="id column 'job_id' has empty or repeated values"):
        prepare_corpus(Corpus(frame, "t"), config(tmp_path), minilm_tokenizer, 254)


def test_all_empty_is_an_error(tmp_path: Path, minilm_tokenizer: Any) -> None:
    frame = pd.DataFrame({"title": ["a", "b"], "description": ["", " "]})
    with pytest.raises(EmbedtuneError, match="no postings left"):
        prepare_corpus(Corpus(frame, "t"), config(tmp_path), minilm_tokenizer, 254)


def _prepare_source(config: PrepareConfig) -> Any:
    corpus, tokenizer, budget = load_source(config, NullReporter())
    return prepare_corpus(corpus, config, tokenizer, budget)


@pytest.mark.slow
def test_real_glassdoor_postings(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "glassdoor"
    p = _prepare_source(
        PrepareConfig(source=str(shared_data / "glassdoor_ds_jobs" / "glassdoor_jobs.csv"), out=out)
    )
    counts = p.report["counts"]
    # 956 rows hold only 596 distinct descriptions: the reposts must be found. (One description
    # appears under two titles: two jobs, kept.)
    assert counts["exact_duplicate"] >= 956 - 596 - 5
    assert 500 <= counts["kept"] <= 600
    assert (p.postings.groupby("group")["split"].nunique() == 1).all()
    assert p.report["tokens"]["final"] < p.report["tokens"]["raw"]
    assert sum(p.report["tokens"]["removed"][k] for k in ("company", "benefits", "eeo")) > 0


@pytest.mark.slow
def test_real_messy_postings(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / "glassdoor_ds_jobs_2021" / "Uncleaned_DS_jobs.csv"
    p = _prepare_source(
        PrepareConfig(source=str(src), out=tmp_path / "messy", keep_titles=("data scientist",))
    )
    counts = p.report["counts"]
    assert counts["title_filter"] > 0
    assert counts["exact_duplicate"] + counts["near_duplicate"] > 0
    assert all(p.postings["title"].str.lower().str.contains("data scientist"))
