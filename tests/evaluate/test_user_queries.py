from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.evaluate.conftest import write_beir

from embedtune.errors import EmbedtuneError
from embedtune.evaluate.user_queries import read_eval_queries, user_set

DOCS = ["p1", "p2", "p3"]
TEXTS = ["one", "two", "three"]


def test_csv_rows_group_by_query(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text("query,id\nnurse nights,p1\n nurse  nights ,p2\ncook,p3\n")
    queries, qrels = read_eval_queries(path)
    assert queries == {"u1": "nurse nights", "u2": "cook"}
    assert qrels == {"u1": {"p1": 1, "p2": 1}, "u2": {"p3": 1}}


def test_jsonl_ids_as_a_list_or_separated(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    rows = [{"query": "a", "ids": ["p1", "p2"]}, {"query": "b", "ids": "p3; p1"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert read_eval_queries(path) == (
        {"u1": "a", "u2": "b"},
        {"u1": {"p1": 1, "p2": 1}, "u2": {"p3": 1, "p1": 1}},
    )


def test_numeric_ids_match_the_corpus_ids(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"query": "a", "id": 12}\n')
    data = user_set(path, ["12", "13"], ["x", "y"])
    assert data.qrels == {"u1": {"12": 1}} and data.judged == ["u1"]


def test_a_beir_folder_uses_its_queries_and_qrels(tmp_path: Path) -> None:
    folder = write_beir(tmp_path / "b", [("z", "", "ignored")], [("q", "nurse")], [("q", "p2", 2)])
    data = user_set(folder, DOCS, TEXTS)
    assert data.queries == {"q": "nurse"} and data.qrels == {"q": {"p2": 2}}
    assert data.doc_ids == DOCS  # ranked over the evaluated corpus, not the folder's


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("text,id\na,p1\n", "needs a 'query' and an 'id' (or 'ids') column; its columns are: "),
        ("query,id\na,p1\n,p2\n", "row 2 has no query"),
        ("query,id\na,\n", "row 1 has no relevant id"),
        (
            "query,id\na,p1\nb,x9\nc,x8\nd,x9\n",
            "2 relevant ids are not in the evaluated corpus, e.g. 'x9', 'x8'",
        ),
    ],
)
def test_errors_name_the_problem(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "q.csv"
    path.write_text(content)
    with pytest.raises(EmbedtuneError) as info:
        user_set(path, DOCS, TEXTS)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file_and_dropped_ids(tmp_path: Path) -> None:
    with pytest.raises(EmbedtuneError, match=r"--eval-queries .*missing\.csv does not exist"):
        user_set(tmp_path / "missing.csv", DOCS, TEXTS)
    path = tmp_path / "q.csv"
    path.write_text("query,id\na,dup\na,empty\nb,p3\n")
    data = user_set(path, DOCS, TEXTS, redirect={"dup": "p1", "empty": None})
    assert data.qrels == {"u1": {"p1": 1}, "u2": {"p3": 1}}  # a duplicate: its kept original
    assert data.warnings == [
        f"{path}: 1 relevant ids were dropped by prepare (e.g. 'empty'); "
        "their judgements were skipped"
    ]
