from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.clirun import run_cli

from embedtune.data.load import (
    check_column_types,
    guess_column,
    load_corpus,
    read_table,
    resolve_columns,
)
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


# --- reading inputs: separators, encodings, binary files, column types --------------------------


def test_jsonl_with_unicode_line_separators(tmp_path: Path) -> None:
    # pandas writes U+2028, U+2029 and NEL raw; they are not line breaks in JSON Lines.
    rows = [{"title": f"T{i}", "text": f"line\u2028sep\u2029para\x85nel {i}"} for i in range(9)]
    path = tmp_path / "jobs.jsonl"
    pd.DataFrame(rows).to_json(path, orient="records", lines=True, force_ascii=False)
    assert "\u2028" in path.read_text(encoding="utf-8")
    assert read_table(path)["text"].tolist() == [r["text"] for r in rows]


def test_byte_order_marks_are_dropped(tmp_path: Path) -> None:
    csv, jsonl = tmp_path / "bom.csv", tmp_path / "bom.jsonl"
    csv.write_bytes("\ufefftitle,description\nA,b\n".encode())
    jsonl.write_bytes('\ufeff{"title": "A", "description": "b"}\n'.encode())
    for path in (csv, jsonl):
        assert list(read_table(path).columns) == ["title", "description"]


def test_json_array_errors(tmp_path: Path) -> None:
    path = tmp_path / "rows.json"
    path.write_text('[{"text": "a"}, 3]')
    with pytest.raises(EmbedtuneError, match=r"item 2 of the array is int, not an object"):
        read_table(path)
    path.write_text('[{"text": "a"},\n {"text": }]')
    with pytest.raises(EmbedtuneError, match=r"rows\.json, line 2: invalid JSON"):
        read_table(path)


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_binary_file_is_not_a_text_table(tmp_path: Path, encoding: str) -> None:
    png = tmp_path / "jobs.csv"
    png.write_bytes(PNG)
    with pytest.raises(EmbedtuneError) as e:
        read_table(png, encoding=encoding)
    assert "jobs.csv is not a text table: it looks like a PNG image" in str(e.value)
    assert "--encoding" not in str(e.value)
    blob = tmp_path / "blob.jsonl"
    blob.write_bytes(b'{"a": 1}\x00\x01')
    with pytest.raises(EmbedtuneError, match=r"binary data \(a NUL byte at offset 8\)"):
        read_table(blob, encoding=encoding)


def test_utf16_file_is_named_and_readable(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("title,description\nCafé,SQL\n".encode("utf-16"))
    with pytest.raises(EmbedtuneError, match=r"is UTF-16 text.*--encoding utf-16"):
        read_table(path)
    assert read_table(path, encoding="utf-16")["title"].tolist() == ["Café"]


def test_unknown_encoding(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("title,description\nA,b\n")
    with pytest.raises(EmbedtuneError, match=r"unknown encoding 'utf-9'.*--encoding utf-8"):
        read_table(path, encoding="utf-9")


@pytest.mark.parametrize(
    ("column", "values", "message"),
    [
        ("description", [["python", "sql"], ["spark"]], "text column 'description' holds list"),
        ("description", [7, 8], "text column 'description' holds int values, not text (e.g. 7)"),
        ("title", [{"a": 1}, {"a": 2}], "title column 'title' holds dict values"),
        ("job_id", [["a"], ["b"]], "id column 'job_id' holds list values"),
        ("job_id", [1.5, 2.5], "id column 'job_id' holds float values, not whole numbers or text"),
    ],
)
def test_columns_that_are_not_text_are_named(
    tmp_path: Path, column: str, values: list[Any], message: str
) -> None:
    frame = pd.DataFrame(ROWS).assign(**{column: values})
    path = tmp_path / "jobs.parquet"
    frame.to_parquet(path)
    loaded = read_table(path)
    with pytest.raises(EmbedtuneError, match=re.escape(message)) as e:
        check_column_types(loaded, resolve_columns(list(loaded.columns)))
    flag = {"description": "text", "title": "title", "job_id": "id"}[column]
    assert f"--{flag}-column" in str(e.value) and "\n" not in str(e.value)


def test_text_ids_numbers_and_missing_cells_pass() -> None:
    frame = pd.DataFrame(
        {"title": ["A", None], "text": ["x", float("nan")], "id": [1, 2]}
    )  # ids may be whole numbers; missing cells are empty texts
    check_column_types(frame, resolve_columns(list(frame.columns)))


def test_empty_id_or_title_column_means_none() -> None:
    cols = resolve_columns(["id", "title", "text"], id="", title="")
    assert (cols.text, cols.title, cols.id) == ("text", None, None)
    with pytest.raises(EmbedtuneError, match="column '' not found"):
        resolve_columns(["id", "text"], text="")


def test_following_the_repeated_id_fix_succeeds(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path
) -> None:
    rows = [
        {"id": "same", "title": f"Analyst {i}", "description": f"SQL dashboards {i} for {i * 7}"}
        for i in range(40)
    ]
    path = tmp_path / "jobs.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    args = ["prepare", str(path), "--out", str(tmp_path / "o"), "--json"]
    code, _, err = run_cli(monkeypatch, capsys, *args)
    assert code == 2 and "id column 'id' has empty or repeated values" in err
    assert "--id-column ''" in err
    code, out, _ = run_cli(monkeypatch, capsys, *args, "--id-column", "")
    assert code == 0, out
    assert json.loads(out)["counts"]["kept"] == 40
