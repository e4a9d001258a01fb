from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.evaluate.conftest import write_beir

from embedtune.errors import EmbedtuneError
from embedtune.evaluate.beir import document_text, load_beir, sample_documents

CORPUS = [("d1", "Paris", "Capital of France."), ("d2", "", "Rome is old."), ("d3", "X", "X\nY")]
QUERIES = [("q1", "french capital"), ("q2", "italy"), ("q3", "nothing relevant")]


@pytest.mark.parametrize("header", [True, False])
def test_graded_qrels_with_and_without_header(tmp_path: Path, header: bool) -> None:
    qrels = [("q1", "d1", 2), ("q1", "d2", 0), ("q2", "d2", 1), ("q3", "d3", 0)]
    data = load_beir(write_beir(tmp_path / "b", CORPUS, QUERIES, qrels, header=header))
    assert data.doc_ids == ["d1", "d2", "d3"]
    assert data.documents == ["Paris\nCapital of France.", "Rome is old.", "X\nY"]
    assert data.queries == {"q1": "french capital", "q2": "italy", "q3": "nothing relevant"}
    assert data.qrels == {"q1": {"d1": 2, "d2": 0}, "q2": {"d2": 1}, "q3": {"d3": 0}}
    assert data.judged == ["q1", "q2"]  # q3 has only a score-0 judgement
    assert data.warnings == []


def test_document_text_does_not_repeat_the_title() -> None:
    assert document_text("Data Scientist", "Data Scientist\nPython") == "Data Scientist\nPython"
    assert document_text("", "Body") == "Body"
    assert document_text("Title", "") == "Title"


def test_unknown_ids_are_counted_or_rejected(tmp_path: Path) -> None:
    qrels = [("q1", "d1", 1), ("q9", "d1", 1), ("q2", "d7", 1), ("q2", "d8", 1)]
    folder = write_beir(tmp_path / "b", CORPUS, QUERIES, qrels)
    data = load_beir(folder)
    assert data.qrels == {"q1": {"d1": 1}}
    assert data.skipped_qrels == {"unknown_query": 1, "unknown_document": 2}
    assert len(data.warnings) == 1
    assert "1 rows name a query not in queries.jsonl (e.g. 'q9')" in data.warnings[0]
    assert "2 rows name a document not in corpus.jsonl (e.g. 'd7')" in data.warnings[0]
    with pytest.raises(EmbedtuneError, match=r"name a document not in corpus\.jsonl"):
        load_beir(folder, on_unknown="error")


def test_float_scores_and_trec_columns(tmp_path: Path) -> None:
    folder = write_beir(tmp_path / "b", CORPUS, QUERIES, [])
    (folder / "qrels" / "test.tsv").write_text("q1 0 d1 1.0\nq2 0 d2 2\n")
    assert load_beir(folder).qrels == {"q1": {"d1": 1}, "q2": {"d2": 2}}


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda f: (f / "corpus.jsonl").unlink(), "corpus.jsonl not found"),
        (lambda f: (f / "qrels" / "test.tsv").unlink(), "test.tsv not found"),
        (lambda f: (f / "queries.jsonl").write_text('{"_id": "q1"}\n'), "line 1 has no 'text'"),
        (lambda f: (f / "corpus.jsonl").write_text("{oops\n"), "line 1: invalid JSON"),
        (
            lambda f: (f / "queries.jsonl").write_text(
                '{"_id": "q1", "text": "a"}\n{"_id": "q1", "text": "b"}\n'
            ),
            "repeats the id 'q1'",
        ),
        (
            lambda f: (f / "qrels" / "test.tsv").write_text("q-id\td-id\tscore\nq1\td1\thigh\n"),
            "line 2: score 'high' is not a whole number",
        ),
        (lambda f: (f / "qrels" / "test.tsv").write_text("q1\td1\n"), "has 2 columns"),
        (
            lambda f: (f / "qrels" / "test.tsv").write_text("q1\td1\t0\n"),
            "judges no known query relevant",
        ),
        (lambda f: (f / "corpus.jsonl").write_bytes(b'{"_id": "d1", "text": "\xe9"}\n'), "utf-8"),
    ],
)
def test_bad_folders_say_what_is_wrong(tmp_path: Path, breakage: object, message: str) -> None:
    folder = write_beir(tmp_path / "b", CORPUS, QUERIES, [("q1", "d1", 1)])
    breakage(folder)  # type: ignore[operator]
    with pytest.raises(EmbedtuneError, match=message) as info:
        load_beir(folder)
    assert info.value.fix


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(EmbedtuneError, match=r"BEIR folder .* not found") as info:
        load_beir(tmp_path / "nowhere")
    assert "corpus.jsonl, queries.jsonl and qrels/test.tsv" in str(info.value.fix)


def test_dbpedia_subset(shared_data: Path) -> None:
    data = load_beir(shared_data / "beir-dbpedia-5k")
    assert len(data.doc_ids) == 5000 and len(data.queries) == 50
    assert len(data.judged) == 40
    grades = [g for judged in data.qrels.values() for g in judged.values()]
    assert len(grades) == 3709 and sorted(set(grades)) == [0, 1, 2]
    assert data.warnings == []
    assert all(doc.strip() for doc in data.documents)


def test_dbpedia_sample_keeps_every_relevant_document(shared_data: Path) -> None:
    data = load_beir(shared_data / "beir-dbpedia-5k")
    relevant = {d for j in data.qrels.values() for d, g in j.items() if g > 0}
    sample = sample_documents(data, 2000, seed=1)
    assert len(sample.doc_ids) == 2000 and len(set(sample.doc_ids)) == 2000
    assert relevant <= set(sample.doc_ids)
    assert sample.judged == data.judged  # every evaluated query keeps its relevant documents
    positions = [data.doc_ids.index(d) for d in sample.doc_ids[:50]]
    assert positions == sorted(positions)  # corpus order kept
    text_of = dict(zip(data.doc_ids, data.documents, strict=True))
    assert all(text_of[d] == t for d, t in zip(sample.doc_ids, sample.documents, strict=True))
    assert all(set(j) <= set(sample.doc_ids) for j in sample.qrels.values())
    assert sample_documents(data, 2000, seed=1).doc_ids == sample.doc_ids  # seeded
    assert sample_documents(data, 2000, seed=2).doc_ids != sample.doc_ids
    assert sample_documents(data, 9999) is data


def test_sample_smaller_than_the_relevant_set(tmp_path: Path) -> None:
    from embedtune.evaluate.beir import BeirData

    ids = [f"d{i}" for i in range(10)]
    data = BeirData(tmp_path, ids, ids, {"q": "x", "r": "y"}, {"q": {i: 1 for i in ids[:6]}})
    sample = sample_documents(data, 3, seed=0)
    assert len(sample.doc_ids) == 3 and set(sample.doc_ids) <= set(ids[:6])
    assert set(sample.qrels["q"]) == set(sample.doc_ids)
    with pytest.raises(EmbedtuneError, match="keep at least 1"):
        sample_documents(data, 0)


def test_unicode_separators_and_byte_order_marks(tmp_path: Path) -> None:
    # Raw U+2028/NEL inside strings are not line breaks; Windows tools start files with a BOM.
    corpus = [("d1", "Paris", "Capital\u2028of\x85France."), *CORPUS[1:]]
    folder = write_beir(tmp_path / "b", corpus, QUERIES, [("q1", "d1", 1), ("q2", "d2", 1)])
    lines = [
        json.dumps({"_id": d, "title": t, "text": x}, ensure_ascii=False) for d, t, x in corpus
    ]
    (folder / "corpus.jsonl").write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    qrels = folder / "qrels" / "test.tsv"
    qrels.write_text("\ufeff" + qrels.read_text(encoding="utf-8"), encoding="utf-8")
    data = load_beir(folder)
    assert data.doc_ids == ["d1", "d2", "d3"]
    assert data.documents[0] == "Paris\nCapital\u2028of\x85France."
    assert data.qrels == {"q1": {"d1": 1}, "q2": {"d2": 1}}
