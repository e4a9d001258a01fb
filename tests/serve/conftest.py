from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

TITLES = ["Data Scientist", "Data Engineer", "ML Engineer", "BI Analyst"]
SKILLS = ["Python, SQL, credit risk", "Spark, Airflow", "PyTorch, LLMs", "Tableau, Excel"]


@pytest.fixture(scope="session")
def searcher(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A Searcher over 24 postings embedded with the tiny model (read-only in tests)."""
    from embedtune.index import IndexConfig, Searcher, build_index

    folder = tmp_path_factory.mktemp("serve-index")
    rows = [
        {
            "id": f"s{i}",
            "title": f"{TITLES[i % 4]} {i}",
            "text": f"Team {i} needs {SKILLS[i % 4]}. " + "Details about the role. " * 20,
            "location": "Remote" if i % 2 else "Paris",
        }
        for i in range(24)
    ]
    csv = folder / "jobs.csv"
    pd.DataFrame(rows).to_csv(csv, index=False)
    build_index(IndexConfig(model=str(tiny_model_dir), corpus=str(csv), out=folder / "index"))
    return Searcher.open(folder / "index")
