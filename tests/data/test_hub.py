from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.fakes import HashingEncoder

from embedtune.data.config import PrepareConfig
from embedtune.errors import EmbedtuneError
from embedtune.negatives.mining import NegativeConfig
from embedtune.prepare import prepare


@pytest.fixture
def prepared_csv(write_csv: Any) -> Path:
    return write_csv(
        [
            {
                "title": f"Data Engineer {i}",
                "description": f"Own pipeline {i} in Airflow and dbt, table {i * 7}.",
            }
            for i in range(30)
        ]
    )


def test_push_uploads_parquet_splits_and_card(
    monkeypatch: pytest.MonkeyPatch, prepared_csv: Path, tmp_path: Path
) -> None:
    from huggingface_hub import HfApi

    calls: dict[str, Any] = {}

    def create_repo(self: HfApi, repo_id: str, **kw: Any) -> str:
        calls["create_repo"] = (repo_id, kw)
        return f"https://huggingface.co/datasets/{repo_id}"

    def upload_folder(self: HfApi, **kw: Any) -> None:  # the network call: record what would go up
        folder = Path(kw["folder_path"])
        calls["files"] = sorted(
            str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()
        )
        calls["rows"] = len(pd.read_parquet(folder / "data" / "train.parquet"))
        calls["card"] = (folder / "README.md").read_text()
        calls["repo"] = kw["repo_id"]

    monkeypatch.setattr(HfApi, "create_repo", create_repo)
    monkeypatch.setattr(HfApi, "upload_folder", upload_folder)
    result = prepare(
        PrepareConfig(source=str(prepared_csv), out=tmp_path / "o", push_to_hub="me/jobs"),
        negatives=NegativeConfig(method="none"),
        encoder=HashingEncoder(),
    )
    assert calls["create_repo"] == (
        "me/jobs",
        {"repo_type": "dataset", "private": True, "exist_ok": True},
    )
    assert calls["repo"] == "me/jobs"
    assert calls["files"] == [
        "README.md",
        "data/test.parquet",
        "data/train.parquet",
        "data/validation.parquet",
        "prepare_report.json",
    ]
    assert calls["rows"] == result.report["splits"]["train"]
    assert "path: data/validation.parquet" in calls["card"] and "| kept | 30 |" in calls["card"]


def test_push_failure_is_clear_and_keeps_local_copy(
    monkeypatch: pytest.MonkeyPatch, prepared_csv: Path, tmp_path: Path
) -> None:
    from huggingface_hub import HfApi

    def refuse(self: HfApi, repo_id: str, **kw: Any) -> str:
        raise ConnectionError("Failed to resolve 'huggingface.co'")

    monkeypatch.setattr(HfApi, "create_repo", refuse)
    with pytest.raises(
        EmbedtuneError,
        match=r"could not push to the Hub repository 'me/jobs': Failed to resolve.*saved locally",
    ):
        prepare(
            PrepareConfig(source=str(prepared_csv), out=tmp_path / "o", push_to_hub="me/jobs"),
            negatives=NegativeConfig(method="none"),
            encoder=HashingEncoder(),
        )
    assert (tmp_path / "o" / "dataset").is_dir()
