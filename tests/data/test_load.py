from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from embedtune.data.load import guess_column, load_corpus, read_table, resolve_columns
from embedtune.errors import EmbedtuneError

ROWS = [
    {"Job Title": "Data Scientist", "Job Description": "Build models in Python.", "job_id": "a1"},
    {"Job Title": "Data Engineer", "Job Description": "Build pipelines in Spark.", "job_id": "a2"},
]


def test_guess_columns_by_normalised_name() -> None:
    cols = resolve_columns(["Job Title", "Job Description", "job_id", "Salary"])
    assert (cols.text, cols.title, cols.id) == ("Job Description", "Job Title", "job_id")
    assert guess_column(["body", "Text"], ("text", "body")) == "Text"


def test_missing_column_lists_the_columns() -> None:
    with pytest.raises(EmbedtuneError) as e:
        resolve_columns(["title", "summary"], text="description")
    assert "column 'description' not found; the columns are: 'title', 'summary'" in str(e.value)
    assert "--text-column" in str(e.value)
    with pytest.raises(
        EmbedtuneError, match="no text column found; the columns are: 'title', 'salary'"
    ):
        resolve_columns(["title", "salary"])


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet", ".json"])
def test_read_each_format(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"jobs{suffix}"
    frame = pd.DataFrame(ROWS)
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".parquet":
        frame.to_parquet(path)
    elif suffix == ".json":
        path.write_text(json.dumps(ROWS))
    else:
        frame.to_json(path, orient="records", lines=True)
    loaded = read_table(path)
    assert loaded["Job Description"].tolist() == [r["Job Description"] for r in ROWS]


def test_csv_keeps_empty_cells_as_empty_strings(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("title,description\nA,\nB,text\n")
    assert read_table(path)["description"].tolist() == ["", "text"]


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("title,description\nCaf\xe9 analyst,SQL\n".encode("latin-1"))
    with pytest.raises(EmbedtuneError, match=r"not valid utf-8: byte 0xe9 .*--encoding cp1252"):
        read_table(path)
    assert read_table(path, encoding="latin-1")["title"].tolist() == ["Café analyst"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "is empty"),
        ("header.csv", b"title,description\n", "has no rows"),
        ("bad.jsonl", b'{"a": 1}\nnot json\n', "line 2: invalid JSON"),
        ("list.jsonl", b"[1, 2]\n", "line 1: expected a JSON object, got list"),
        ("bad.parquet", b"not a parquet file", "could not read"),
        ("notes.txt", b"hello", "unknown file type '.txt'"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(EmbedtuneError, match=message):
        read_table(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(EmbedtuneError, match="does not exist"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(EmbedtuneError, match="is a folder"):
        read_table(tmp_path)


def test_hf_route_with_a_local_dataset_folder(tmp_path: Path) -> None:
    # A folder of data files goes through datasets.load_dataset, as a hub id would.
    folder = tmp_path / "linkedin_like"
    folder.mkdir()
    pd.DataFrame(ROWS).to_parquet(folder / "train.parquet")
    corpus = load_corpus(f"hf:{folder}")
    assert corpus.frame["Job Title"].tolist() == ["Data Scientist", "Data Engineer"]
    with pytest.raises(EmbedtuneError, match="could not load dataset"):
        load_corpus(f"hf:{folder}", hf_split="nosuchsplit")


def test_hf_route_with_a_saved_dataset(tmp_path: Path) -> None:
    import datasets

    datasets.DatasetDict({"train": datasets.Dataset.from_list(ROWS)}).save_to_disk(
        str(tmp_path / "saved")
    )
    assert len(load_corpus(f"hf:{tmp_path / 'saved'}").frame) == 2
    with pytest.raises(EmbedtuneError, match="has no split 'test'"):
        load_corpus(f"hf:{tmp_path / 'saved'}", hf_split="test")


def test_demo_source_brings_gold_queries() -> None:
    corpus = load_corpus("demo", demo_size=30, seed=1)
    assert len(corpus.frame) >= 30
    assert corpus.gold_queries is not None
    assert set(corpus.gold_queries.columns) == {"query_id", "query", "posting_id"}
    assert set(corpus.gold_queries["posting_id"]) <= set(corpus.frame["id"])


def test_real_glassdoor_files_load(shared_data: Any) -> None:
    frame = read_table(shared_data / "glassdoor_ds_jobs" / "glassdoor_jobs.csv")
    assert len(frame) == 956
    cols = resolve_columns(list(frame.columns))
    assert (cols.text, cols.title) == ("Job Description", "Job Title")
