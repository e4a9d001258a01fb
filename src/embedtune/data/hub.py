"""Push a prepared dataset to the Hugging Face Hub as Parquet splits with a dataset card."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from embedtune.data.split import SPLIT_NAMES
from embedtune.hub import push_folder

CARD = """---
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train.parquet
  - split: validation
    path: data/validation.parquet
  - split: test
    path: data/test.parquet
tags:
- embedtune
- sentence-transformers
---
# Prepared with embedtune

Job postings cleaned of boilerplate, deduplicated and split without leakage
(near-duplicates never cross splits) by `embedtune prepare`.

| step | rows |
|---|---|
{rows}

Token budget per text: {budget}.
"""


def dataset_card(report: dict[str, object]) -> str:
    counts = report.get("counts", {})
    assert isinstance(counts, dict)
    rows = "\n".join(f"| {k.replace('_', ' ')} | {v} |" for k, v in counts.items())
    return CARD.format(rows=rows, budget=report.get("token_budget"))


def push_prepared(
    folder: Path, repo_id: str, *, private: bool = True, token: str | None = None
) -> str:
    """Upload ``folder`` (an ``embedtune prepare`` output) to the dataset repo ``repo_id``."""
    folder = Path(folder)
    report = json.loads((folder / "prepare_report.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="embedtune-push-") as tmp:
        stage = Path(tmp)
        (stage / "data").mkdir()
        for split in SPLIT_NAMES:
            shutil.copy(
                folder / "parquet" / f"{split}.parquet", stage / "data" / f"{split}.parquet"
            )
        for extra in ("gold_queries.parquet", "prepare_report.json"):
            if (folder / extra).exists():
                shutil.copy(folder / extra, stage / extra)
        (stage / "README.md").write_text(dataset_card(report), encoding="utf-8")
        return push_folder(
            stage,
            repo_id,
            repo_type="dataset",
            private=private,
            token=token,
            commit_message="Upload dataset prepared by embedtune",
            kept=f"the dataset is saved locally in {folder} either way",
        )
