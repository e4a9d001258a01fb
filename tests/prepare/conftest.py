"""Encoders with predictable rankings (or none at all), and small postings files."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.fakes import HashingEncoder

from embedtune.models.encoder import TextKind

ROLES = ("Data Scientist", "Data Engineer", "ML Engineer", "Data Analyst")
SKILLS = ("python", "sql", "spark", "pytorch", "tableau", "airflow", "kafka", "dbt")


class ExplodingEncoder:
    """For runs that must not encode anything."""

    dimension = 8

    def encode(self, texts: Sequence[str], *, kind: TextKind = "document") -> np.ndarray:
        raise AssertionError("this run should not encode")


@pytest.fixture
def bow() -> HashingEncoder:
    return HashingEncoder()


FILLER = [
    "forecasting",
    "churn",
    "pricing",
    "fraud",
    "search",
    "ranking",
    "logistics",
    "retail",
    "banking",
    "insurance",
    "health",
    "energy",
    "media",
    "travel",
    "gaming",
    "security",
    "payments",
    "lending",
    "marketing",
    "supply",
    "chain",
    "telemetry",
    "genomics",
    "robotics",
    "advertising",
    "billing",
    "compliance",
    "inventory",
    "routing",
    "scheduling",
]


def posting_rows(n: int) -> list[dict[str, str]]:
    """``n`` distinct postings: a role, two skills, a unique code word ``codeN`` and seeded
    filler topics (so no two postings are near-duplicates or grouped together)."""
    rows = []
    for i in range(n):
        role = ROLES[i % len(ROLES)]
        a, b = SKILLS[i % len(SKILLS)], SKILLS[(i * 3 + 1) % len(SKILLS)]
        topics = random.Random(i).sample(FILLER, 8)
        rows.append(
            {
                "title": f"{role} {i}",
                "description": f"We need a {role.lower()} for project code{i} using {a} and {b}. "
                f"Focus areas: {', '.join(topics[:4])}. Later also {' and '.join(topics[4:])}.",
            }
        )
    return rows


@pytest.fixture
def postings_csv(tmp_path: Path) -> Path:
    path = tmp_path / "jobs.csv"
    pd.DataFrame(posting_rows(60)).to_csv(path, index=False)
    return path
