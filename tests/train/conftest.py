"""A tiny prepared folder in the layout `embedtune prepare` writes: triplets/ and ir/validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROLES = ["data engineer", "ml engineer", "data scientist", "analytics engineer", "nlp engineer"]
SKILLS = ["python", "spark", "sql", "pytorch", "airflow", "dbt", "kafka", "llm", "tableau", "go"]


def posting(i: int) -> str:
    role = ROLES[i % len(ROLES)]
    a, b = SKILLS[i % len(SKILLS)], SKILLS[(i * 3 + 1) % len(SKILLS)]
    return f"{role.title()} {i}\nWe need a {role} with {a} and {b}. " + " ".join(
        f"Duty {i}-{k}: build {a} pipelines." for k in range(1 + i % 4)
    )


def query(i: int) -> str:
    return f"{ROLES[i % len(ROLES)]} {SKILLS[i % len(SKILLS)]} job {i}"


def write_prepared(
    root: Path, *, train: int = 48, validation: int = 12, negatives: bool = True
) -> Path:
    """Write ``root`` with triplets (train, validation, test) and ir/validation; return it."""
    from datasets import Dataset, DatasetDict

    def split(start: int, n: int) -> Dataset:
        ids = list(range(start, start + n))
        rows: dict[str, list[str]] = {
            "anchor": [query(i) for i in ids],
            "positive": [posting(i) for i in ids],
        }
        if negatives:
            rows["negative"] = [posting(start + (i - start + 1) % n) for i in ids]
        rows["query_id"] = [f"p{i}:q1" for i in ids]
        rows["positive_id"] = [f"p{i}" for i in ids]
        if negatives:
            rows["negative_id"] = [f"p{start + (i - start + 1) % n}" for i in ids]
        return Dataset.from_dict(rows)

    DatasetDict(
        {
            "train": split(0, train),
            "validation": split(1000, validation),
            "test": split(2000, validation),
        }
    ).save_to_disk(str(root / "triplets"))
    ir = root / "ir" / "validation"
    (ir / "qrels").mkdir(parents=True)
    ids = range(1000, 1000 + validation)
    (ir / "corpus.jsonl").write_text(
        "".join(
            json.dumps({"_id": f"p{i}", "title": posting(i).split("\n")[0], "text": posting(i)})
            + "\n"
            for i in ids
        )
    )
    (ir / "queries.jsonl").write_text(
        "".join(json.dumps({"_id": f"p{i}:q1", "text": query(i)}) + "\n" for i in ids)
    )
    (ir / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"p{i}:q1\tp{i}\t1\n" for i in ids)
    )
    return root


@pytest.fixture(scope="session")
def prepared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny prepared folder (48 train triplets, 12 validation), built once; do not modify."""
    return write_prepared(tmp_path_factory.mktemp("prepared") / "data")
