from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embedtune.errors import EmbedtuneError
from embedtune.index.model_info import ModelInfo
from embedtune.index.source import Posting
from embedtune.index.store import PostingStore, ann_settings, filter_sql
from embedtune.models.encoder import normalize_rows

MODEL = ModelInfo(name="fake", fingerprint="f00", dimension=8)


def _postings(n: int, start: int = 0) -> list[Posting]:
    return [
        Posting(f"p{i}", f"Title {i}", f"text {i}", {"city": "Paris" if i % 2 else "Oslo"})
        for i in range(start, start + n)
    ]


def _store(tmp_path: Path, **kw: object) -> PostingStore:
    return PostingStore.create(tmp_path / "idx", MODEL, ["city"], **kw)  # type: ignore[arg-type]


def test_filter_sql_quotes_and_checks_keys() -> None:
    assert filter_sql(None, ["city"]) is None
    assert filter_sql({"city": "O'Hare"}, ["city"]) == "city = 'O''Hare'"
    assert filter_sql({"city": ["a", "b"]}, ["city"]) == "city IN ('a', 'b')"
    with pytest.raises(EmbedtuneError, match=r"unknown filter 'town'.*can filter on: city"):
        filter_sql({"town": "x"}, ["city"])
    with pytest.raises(EmbedtuneError, match="no values"):
        filter_sql({"city": []}, ["city"])


def test_ann_settings_divide_the_dimension() -> None:
    assert ann_settings(100_000, 384) == {"num_partitions": 316, "num_sub_vectors": 48}
    assert 30 % ann_settings(500, 30)["num_sub_vectors"] == 0


@pytest.mark.parametrize("in_memory", [True, False])
def test_search_agrees_with_brute_force_and_filters(tmp_path: Path, in_memory: bool) -> None:
    rng = np.random.default_rng(0)
    vectors = normalize_rows(rng.normal(size=(40, 8)))
    store = _store(tmp_path)
    store.add(_postings(40), vectors)
    queries = normalize_rows(rng.normal(size=(3, 8)))
    results = store.search(queries, 5, in_memory=in_memory)
    for query, hits in zip(queries, results, strict=True):
        expected = np.argsort(-(vectors @ query))[:5]
        assert [h.id for h in hits] == [f"p{i}" for i in expected]
        assert np.allclose([h.score for h in hits], (vectors @ query)[expected], atol=1e-5)
        assert hits[0].title == f"Title {expected[0]}" and hits[0].text == f"text {expected[0]}"
    hits = store.search(queries[0], 40, {"city": "Paris"}, in_memory=in_memory)[0]
    assert len(hits) == 20 and all(h.metadata["city"] == "Paris" for h in hits)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    both = store.search(queries[0], 3, {"city": ["Paris", "Oslo"]}, in_memory=in_memory)[0]
    assert [h.id for h in both] == [h.id for h in results[0][:3]]
    assert store.search(queries[0], 3, {"city": "Rome"}, in_memory=in_memory) == [[]]


def test_in_memory_copy_follows_writes(tmp_path: Path) -> None:
    eye = np.eye(8, dtype=np.float32)
    store = _store(tmp_path)
    store.add(_postings(2), eye[:2])
    assert store.search(eye[5], 3)[0][0].id in {"p0", "p1"}
    store.add(_postings(1, start=5), eye[5:6])
    assert store.search(eye[5], 1)[0][0].id == "p5"
    store.delete(["p5"])
    assert [h.id for h in store.search(eye[5], 3)[0]] != ["p5"]
    assert len(store.search(eye[5], 3)[0]) == 2


def test_upsert_and_delete_by_id(tmp_path: Path) -> None:
    eye = np.eye(8, dtype=np.float32)
    store = _store(tmp_path)
    store.add(_postings(4), eye[:4])
    replaced = Posting("p1", "New title", "new text", {"city": "Rome"})
    store.upsert([replaced, *_postings(1, start=4)], eye[[7, 4]])
    assert store.count() == 5
    assert store.get(["p1"])["p1"] == replaced
    assert store.search(eye[7], 1)[0][0].id == "p1"  # the new vector took effect
    assert store.delete(["p0", "p4", "missing"]) == 2
    assert sorted(store.ids()) == ["p1", "p2", "p3"]
    reopened = PostingStore.open(store.path)
    assert reopened.count() == 3 and reopened.model == MODEL


def test_wrong_dimension_and_not_an_index(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with pytest.raises(EmbedtuneError, match=r"vectors of shape \(2, 4\).*8-d"):
        store.add(_postings(2), np.zeros((2, 4), dtype=np.float32))
    with pytest.raises(EmbedtuneError, match="not an embedtune index"):
        PostingStore.open(tmp_path / "nothing")
    with pytest.raises(EmbedtuneError, match="already holds an index"):
        _store(tmp_path)


def test_ann_index_above_threshold_still_finds_exact_matches(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    vectors = normalize_rows(rng.normal(size=(600, 8)))
    store = _store(tmp_path, ann_threshold=500)
    store.add(_postings(300), vectors[:300])
    assert store.maybe_build_ann() is False  # below the threshold: exact search
    store.add(_postings(300, start=300), vectors[300:])
    assert store.maybe_build_ann() is True
    assert store.meta["ann"]["type"] == "IVF_PQ"
    assert PostingStore.open(store.path).meta["ann"]["rows_at_build"] == 600
    for i in range(0, 600, 60):  # PQ codes are approximate; the exact re-rank finds the match
        hits = store.search(vectors[i], 5, in_memory=False)[0]
        assert f"p{i}" in [h.id for h in hits]
        assert max(h.score for h in hits) == pytest.approx(1.0, abs=1e-4)
    store.add([Posting("late", "t", "x", {"city": "Oslo"})], vectors[:1] * -1)
    late = store.search(-vectors[0], 1, in_memory=False)[0][0]
    assert late.id == "late"  # rows added after the ANN index are searched too


def test_ann_index_answers_only_beyond_the_memory_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from embedtune.index import store as store_module

    rng = np.random.default_rng(2)
    vectors = normalize_rows(rng.normal(size=(600, 8)))
    store = _store(tmp_path, ann_threshold=500)
    store.add(_postings(600), vectors)
    assert store.maybe_build_ann() is True
    assert store.search(vectors[7], 3)[0][0].id == "p7"
    assert store._memory is not None  # 600 x 8 floats fit: exact, in memory
    monkeypatch.setattr(store_module, "IN_MEMORY_MAX_BYTES", 600 * 8 * 4 - 1)
    reopened = PostingStore.open(store.path)
    assert reopened.search(vectors[7], 3)[0][0].id == "p7"
    assert reopened._memory is None  # one byte too many: LanceDB's IVF-PQ answered
