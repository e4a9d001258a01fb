"""The index reads files through prepare's reader: the same formats, encodings and checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.clirun import run_cli

from embedtune.data.load import read_table, resolve_columns
from embedtune.errors import EmbedtuneError
from embedtune.index.source import Columns, content_id, iter_postings

ROWS = [
    {"id": f"j{i}", "title": f"Café analyst {i}", "text": f"SQL\u2028and Excel\x85{i}"}
    for i in range(7)
]


def _json_array(path: Path) -> str:
    path.write_text(json.dumps(ROWS), encoding="utf-8")
    return "utf-8"


def _cp1252_csv(path: Path) -> str:
    rows = [{**r, "text": r["text"].replace("\u2028", " ").replace("\x85", " ")} for r in ROWS]
    pd.DataFrame(rows).to_csv(path, index=False, encoding="cp1252")
    return "cp1252"


def _separator_jsonl(path: Path) -> str:
    pd.DataFrame(ROWS).to_json(path, orient="records", lines=True, force_ascii=False)
    assert "\u2028" in path.read_text(encoding="utf-8")
    return "utf-8"


@pytest.mark.parametrize(
    ("name", "write"),
    [("jobs.json", _json_array), ("jobs.csv", _cp1252_csv), ("jobs.jsonl", _separator_jsonl)],
)
def test_the_same_file_reads_the_same_for_prepare_and_index(
    tmp_path: Path, name: str, write: Any
) -> None:
    path = tmp_path / name
    encoding = write(path)
    frame = read_table(path, encoding=encoding)  # what prepare reads
    cols = resolve_columns(list(frame.columns))
    chunks = list(iter_postings(path, chunk_size=3, encoding=encoding))  # what index reads
    assert [len(c) for c in chunks] == [3, 3, 1]
    postings = [p for c in chunks for p in c]
    assert [p.id for p in postings] == frame[cols.id].tolist() == [r["id"] for r in ROWS]
    assert [p.title for p in postings] == frame[cols.title].tolist()
    assert [p.text for p in postings] == frame[cols.text].tolist()
    assert postings[0].title == "Café analyst 0"


def test_wrong_encoding_and_binary_file_are_named(tmp_path: Path) -> None:
    csv = tmp_path / "jobs.csv"
    _cp1252_csv(csv)
    with pytest.raises(EmbedtuneError, match=r"is not valid utf-8: byte 0xe9.*--encoding cp1252"):
        list(iter_postings(csv))
    png = tmp_path / "photo.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(EmbedtuneError, match="is not a text table: it looks like a PNG image"):
        list(iter_postings(png, encoding="cp1252"))


def test_empty_id_column_derives_content_ids(tmp_path: Path) -> None:
    path = tmp_path / "jobs.csv"
    pd.DataFrame({"id": ["same", "same"], "title": ["A", "B"], "text": ["x", "y"]}).to_csv(
        path, index=False
    )
    postings = [p for c in iter_postings(path, Columns(id="")) for p in c]
    assert [p.id for p in postings] == [content_id("A", "x"), content_id("B", "y")]
    assert postings[0].metadata == {"meta_id": "same"}


def test_a_list_column_is_refused_in_any_chunk(tmp_path: Path) -> None:
    path = tmp_path / "jobs.jsonl"
    rows: list[dict[str, Any]] = [{"title": f"T{i}", "text": f"body {i}"} for i in range(5)]
    rows[4]["text"] = ["python", "sql"]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    chunks = iter_postings(path, chunk_size=2)
    assert len(next(chunks)) == 2
    with pytest.raises(EmbedtuneError, match=r"text column 'text' holds list values, not text"):
        list(chunks)


def test_cli_index_honours_encoding(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, tiny_model_dir: Path, tmp_path: Path
) -> None:
    csv = tmp_path / "jobs.csv"
    _cp1252_csv(csv)
    args = ["index", "--model", str(tiny_model_dir), "--corpus", str(csv), "--json"]
    code, _, err = run_cli(monkeypatch, capsys, *args, "--out", str(tmp_path / "a"))
    assert code == 2 and "--encoding cp1252" in err and err.count("\n") == 1
    code, out, _ = run_cli(
        monkeypatch, capsys, *args, "--out", str(tmp_path / "b"), "--encoding", "cp1252"
    )
    assert code == 0 and json.loads(out)["postings"] == len(ROWS)
    code, _, err = run_cli(
        monkeypatch, capsys, *args, "--out", str(tmp_path / "c"), "--encoding", "nope"
    )
    assert code == 2 and "unknown encoding 'nope'" in err
