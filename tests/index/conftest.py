from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

ROLES = ["Data Scientist", "Data Engineer", "ML Engineer", "BI Analyst", "AI Engineer"]
SKILLS = ["Python, SQL", "Spark, Airflow", "PyTorch, LLMs", "Tableau, Excel", "RAG, vector search"]


def posting_rows(n: int = 30) -> list[dict[str, str]]:
    """Small, distinct postings with an id, a title, a text and two metadata columns."""
    return [
        {
            "job_id": f"j{i}",
            "title": f"{ROLES[i % 5]} {i}",
            "description": f"Work on project {i} with {SKILLS[i % 5]} for team {i * 7}.",
            "Location": "Remote" if i % 2 else "Paris",
            "Seniority": ["junior", "senior", "lead"][i % 3],
        }
        for i in range(n)
    ]


@pytest.fixture
def postings_csv(tmp_path: Path) -> Path:
    path = tmp_path / "jobs.csv"
    pd.DataFrame(posting_rows()).to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def shared_index(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 30-posting index built once with the tiny model (read-only in tests)."""
    from embedtune.index import IndexConfig, build_index

    folder = tmp_path_factory.mktemp("shared-index")
    csv = folder / "jobs.csv"
    pd.DataFrame(posting_rows()).to_csv(csv, index=False)
    build_index(IndexConfig(model=str(tiny_model_dir), corpus=str(csv), out=folder / "index"))
    return folder / "index"
