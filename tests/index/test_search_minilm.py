from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

POSTINGS = [
    ("ds-credit", "Senior Data Scientist, Credit Risk",
     "6+ years building credit risk and default models. Fine-tune LLMs to read loan documents; "
     "Python, SQL, scorecards, PD/LGD models for a consumer lending bank."),
    ("de-spark", "Data Engineer",
     "Build Spark and Airflow pipelines on AWS; dbt, Kafka, data warehouse modelling."),
    ("bi", "BI Analyst", "Tableau dashboards and Excel reports for the sales team."),
    ("fe", "Frontend Developer", "React, TypeScript and CSS for our design system."),
    ("ds-marketing", "Data Scientist, Marketing",
     "Uplift models and A/B tests for marketing campaigns; Python and SQL."),
    ("nurse", "Registered Nurse", "Patient care on a surgical ward, night shifts."),
]  # fmt: skip


@pytest.mark.slow
def test_minilm_ranks_the_matching_posting_first(tmp_path: Path) -> None:
    from embedtune.index import IndexConfig, Searcher, build_index

    csv = tmp_path / "jobs.csv"
    pd.DataFrame(POSTINGS, columns=["id", "title", "text"]).to_csv(csv, index=False)
    build_index(IndexConfig(model="all-MiniLM-L6-v2", corpus=str(csv), out=tmp_path / "idx"))
    searcher = Searcher.open(tmp_path / "idx")
    assert searcher.model.dimension == 384
    hits = searcher.search("data scientist 6 year experience, LLMs, credit risk", k=6)
    assert hits[0].id == "ds-credit"
    assert hits[-1].id in {"nurse", "fe"}
    assert searcher.search("spark airflow pipelines", k=1)[0].id == "de-spark"
