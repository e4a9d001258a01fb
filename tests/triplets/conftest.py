"""A bag-of-words encoder whose rankings are predictable, and small postings files."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from embedtune.models.encoder import TextKind, normalize_rows

ROLES = ("Data Scientist", "Data Engineer", "ML Engineer", "Data Analyst")
SKILLS = ("python", "sql", "spark", "pytorch", "tableau", "airflow", "kafka", "dbt")


class BagOfWordsEncoder:
    """Hashed word counts, L2-normalised: a query shares a posting's words -> it ranks high."""

    dimension = 512

    def __init__(self) -> None:
        self.calls: list[tuple[TextKind, int]] = []

    def encode(self, texts: Sequence[str], *, kind: TextKind = "document") -> np.ndarray:
        self.calls.append((kind, len(texts)))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1
        return normalize_rows(out)


class ExplodingEncoder:
    """For runs that must not encode anything."""

    dimension = 8

    def encode(self, texts: Sequence[str], *, kind: TextKind = "document") -> np.ndarray:
        raise AssertionError("this run should not encode")


@pytest.fixture
def bow() -> BagOfWordsEncoder:
    return BagOfWordsEncoder()


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
