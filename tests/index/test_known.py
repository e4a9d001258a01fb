"""Known queries: the blend, the weight's choice, the store's second table, build and CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.clirun import run_cli

from embedtune.errors import EmbedtuneError
from embedtune.index.build import add_known_queries
from embedtune.index.known import Groups, blend, choose_weight, memory_scores
from embedtune.index.model_info import ModelInfo
from embedtune.index.source import Posting
from embedtune.index.store import PostingStore
from embedtune.models.encoder import normalize_rows

MODEL = ModelInfo(name="fake", fingerprint="f00", dimension=8)


def _unit(*values: float) -> np.ndarray:
    v = np.zeros(8, dtype=np.float32)
    v[: len(values)] = values
    return v / np.linalg.norm(v)


def _store(tmp_path: Path, n: int = 20, seed: int = 0) -> tuple[PostingStore, np.ndarray]:
    rng = np.random.default_rng(seed)
    vectors = normalize_rows(rng.normal(size=(n, 8)))
    store = PostingStore.create(tmp_path / "idx", MODEL, ["city"])
    store.add(
        [
            Posting(f"p{i}", f"T{i}", f"text {i}", {"city": "Oslo" if i % 2 else "Rome"})
            for i in range(n)
        ],
        vectors,
    )
    return store, vectors


def test_memory_takes_the_nearest_known_query_per_posting() -> None:
    known = np.stack([_unit(1, 0), _unit(0, 1), _unit(1, 1)])
    groups = Groups.of(known, ["b", "a", "b"])
    assert groups.ids == ["a", "b"]
    q = _unit(1, 0)[None, :]
    best = groups.best(q)
    assert best[0].round(4).tolist() == [0.0, 1.0]  # a: (0,1); b: max((1,0), (1,1)/sqrt2) = 1
    rows = np.array([2, -1])  # "a" is document row 2; "b" is not in the index
    m = memory_scores(groups, q, rows, 3)
    assert m[0, 2] == pytest.approx(0.0) and np.isneginf(m[0, :2]).all()


def test_blend_lifts_only_where_a_known_query_is_closer() -> None:
    d = np.array([[0.2, 0.8, 0.4]])
    m = np.array([[0.9, 0.5, -np.inf]])
    assert blend(d, m, 0.0)[0].tolist() == pytest.approx(d[0].tolist())
    assert blend(d, m, 1.0)[0].tolist() == pytest.approx([0.9, 0.8, 0.4])
    assert blend(d, m, 0.5)[0].tolist() == pytest.approx([0.55, 0.8, 0.4])


def _paraphrase_world(
    noise: bool,
) -> tuple[np.ndarray, list[str], np.ndarray, list[str], list[str]]:
    """40 documents; 10 known queries per document, far from its text. Paraphrases of one
    document's queries sit close together (memory helps) unless ``noise`` (memory misleads)."""
    rng = np.random.default_rng(1)
    docs = normalize_rows(rng.normal(size=(40, 8)))
    doc_ids = [f"d{j}" for j in range(40)]
    centres = normalize_rows(rng.normal(size=(40, 8)))
    vectors, texts, ids = [], [], []
    for j in range(40):
        for r in range(10):
            centre = centres[j] if not noise else normalize_rows(rng.normal(size=(1, 8)))[0]
            vectors.append(centre + 0.05 * rng.normal(size=8))
            texts.append(f"q{j}-{r}")
            ids.append(doc_ids[j])
    return docs, doc_ids, normalize_rows(np.array(vectors)), texts, ids


def test_choose_weight_picks_memory_when_paraphrases_find_each_other() -> None:
    docs, doc_ids, vectors, texts, ids = _paraphrase_world(noise=False)
    choice = choose_weight(docs, doc_ids, vectors, texts, ids)
    assert choice.held_out == 40  # a tenth of 400 distinct texts
    assert choice.weight == 1.0
    assert choice.curve[1.0] > 0.9 > choice.curve[0.0]
    assert set(choice.curve) == {0.0, 0.3, 0.5, 0.7, 1.0}


def test_choose_weight_keeps_memory_off_when_it_adds_nothing() -> None:
    """Known queries that say what their posting's text says lift nothing: every weight ties,
    and a tie goes to the smaller weight (0: memory off)."""
    docs, doc_ids, _, texts, ids = _paraphrase_world(noise=False)
    same = docs[[doc_ids.index(i) for i in ids]]
    choice = choose_weight(docs, doc_ids, same, texts, ids)
    assert choice.curve[0.0] == pytest.approx(1.0)
    assert len(set(round(v, 6) for v in choice.curve.values())) == 1
    assert choice.weight == 0.0


def test_choose_weight_falls_back_to_the_default_with_few_queries() -> None:
    docs, doc_ids, vectors, texts, ids = _paraphrase_world(noise=False)
    choice = choose_weight(docs, doc_ids, vectors[:50], texts[:50], ids[:50])
    assert choice.held_out == 5 and choice.weight == 0.5 and "too few" in choice.reason
    assert choice.curve == {}


@pytest.mark.parametrize("in_memory", [True, False])
def test_a_known_query_lifts_its_posting_in_both_search_paths(
    tmp_path: Path, in_memory: bool
) -> None:
    store, vectors = _store(tmp_path)
    query = -vectors[7]  # as far from p7's text as can be
    before = [h.id for h in store.search(query, 5, in_memory=in_memory)[0]]
    assert "p7" not in before
    store.add_known(["my query"], ["p7"], query[None, :])
    store.set_meta(known_queries={"weight": 1.0})
    hits = store.search(query, 5, in_memory=in_memory)[0]
    assert hits[0].id == "p7" and hits[0].score == pytest.approx(1.0, abs=1e-5)
    assert [h.id for h in hits[1:]] == before[:4]  # the others keep their order and scores
    # a filter that excludes p7 keeps it out, lifted or not
    filtered = store.search(query, 5, {"city": "Rome"}, in_memory=in_memory)[0]
    assert "p7" not in [h.id for h in filtered]


def test_both_search_paths_agree_with_known_queries(tmp_path: Path) -> None:
    store, _ = _store(tmp_path, n=30)
    rng = np.random.default_rng(5)
    known = normalize_rows(rng.normal(size=(12, 8)))
    store.add_known([f"k{i}" for i in range(12)], [f"p{i % 6}" for i in range(12)], known)
    store.set_meta(known_queries={"weight": 0.5})
    queries = normalize_rows(rng.normal(size=(4, 8)))
    exact = store.search(queries, 6, in_memory=True)
    lance = store.search(queries, 6, in_memory=False)
    for a, b in zip(exact, lance, strict=True):
        assert [h.id for h in a] == [h.id for h in b]
        assert [h.score for h in a] == pytest.approx([h.score for h in b], abs=1e-5)


def test_delete_drops_the_known_queries_of_deleted_postings(tmp_path: Path) -> None:
    store, vectors = _store(tmp_path)
    store.add_known(["a", "b", "c"], ["p1", "p2", "p2"], vectors[[1, 2, 2]])
    assert store.delete(["p2"]) == 1
    texts, ids, _ = store.known_queries()
    assert (texts, ids) == (["a"], ["p1"])
    reopened = PostingStore.open(store.path)
    assert reopened.known_count() == 1


def test_add_known_queries_skips_repeats_and_unknown_ids(tmp_path: Path) -> None:
    store, vectors = _store(tmp_path)

    def encode(texts: list[str]) -> np.ndarray:
        return np.stack([vectors[int(t[1:])] for t in texts])

    report = add_known_queries(
        store, [("q1", "p1"), ("q2", "p2"), ("q1", "p1"), ("q9", "nope")], encode, weight=0.3
    )
    assert report["known_queries_added"] == 2
    assert report["known_queries_unknown_ids"] == 1
    assert report["known_weight"] == 0.3
    again = add_known_queries(store, [("q1", "p1"), ("q3", "p3")], encode, weight=0.3)
    assert (again["known_queries_added"], again["known_queries"]) == (1, 3)
    meta = json.loads((store.path / "index.json").read_text())
    assert meta["known_queries"]["weight"] == 0.3 and store.known_count() == 3
    with pytest.raises(EmbedtuneError, match="none of the 1 known queries leads to a posting"):
        add_known_queries(store, [("q5", "zzz"), ("q5", "zzz")], encode)


def test_index_cli_builds_updates_and_deletes_known_queries(
    tmp_path: Path,
    tiny_model_dir: Path,
    postings_csv: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def invoke(args: list[str]) -> tuple[int, str, str]:
        return run_cli(monkeypatch, capsys, *args)

    known = tmp_path / "known.csv"
    pd.DataFrame(
        {
            "query": ["night shift baker", "orbital mechanic", "night shift baker"],
            "id": ["j3", "j4", "j5"],
        }
    ).to_csv(known, index=False)
    out = tmp_path / "idx"
    args = ["index", "--model", str(tiny_model_dir), "--corpus", str(postings_csv)]
    code, out_text, err = invoke([*args, "--out", str(out), "--id-column", "job_id",
                                  "--known-queries", str(known), "--known-weight", "1"])  # fmt: skip
    assert code == 0, err
    assert "Known queries: 3 (3 added); weight 1.0 (given (--known-weight))" in out_text
    from embedtune.index import Searcher

    hits = Searcher.open(out).search("orbital mechanic", 3)
    assert hits[0].id == "j4" and hits[0].score == pytest.approx(1.0, abs=1e-4)

    more = tmp_path / "more.csv"
    pd.DataFrame({"query": ["pastry chef"], "id": ["j6"]}).to_csv(more, index=False)
    code, out_text, err = invoke(["index", "--out", str(out), "--update", "--model",
                                  str(tiny_model_dir), "--known-queries", str(more),
                                  "--json"])  # fmt: skip
    assert code == 0, err
    report = json.loads(out_text)
    assert (report["known_queries"], report["known_queries_added"]) == (4, 1)
    assert report["known_weight"] == 1.0  # a weight once given is kept by updates
    assert report["known_choice"]["reason"] == "given (--known-weight)"

    code, _, err = invoke(["index", "--out", str(out), "--delete", "j4"])
    assert code == 0, err
    assert PostingStore.open(out).known_count() == 3

    code, _, err = invoke([*args, "--out", str(tmp_path / "x"), "--known-queries",
                           str(known), "--known-weight", "2"])  # fmt: skip
    assert code != 0 and "--known-weight must be between 0 and 1" in err


def test_a_prepared_folder_gives_its_train_and_validation_queries(tmp_path: Path) -> None:
    from embedtune.index.build import read_known_queries

    for split, rows in {
        "train": [("q1", "night nurse", "p1"), ("q2", "cook", "p2")],
        "validation": [("q3", "baker", "p3")],
        "test": [("q4", "held back", "p4")],
    }.items():
        folder = tmp_path / "data" / "ir" / split
        (folder / "qrels").mkdir(parents=True)
        (folder / "queries.jsonl").write_text(
            "".join(json.dumps({"_id": q, "text": t}) + "\n" for q, t, _ in rows)
        )
        (folder / "qrels" / "test.tsv").write_text(
            "query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{p}\t1\n" for q, _, p in rows)
        )
    pairs = read_known_queries(tmp_path / "data")
    assert pairs == [("night nurse", "p1"), ("cook", "p2"), ("baker", "p3")]  # no test pairs
    with pytest.raises(EmbedtuneError, match=r"--known-queries .*missing\.csv does not exist"):
        read_known_queries(tmp_path / "missing.csv")


def test_known_vectors_of_another_dimension_are_refused(tmp_path: Path) -> None:
    store, _ = _store(tmp_path)
    with pytest.raises(EmbedtuneError, match=r"shape \(1, 4\) for 1 known queries; .* 8-d"):
        store.add_known(["q"], ["p1"], np.ones((1, 4)))
    assert store.known_count() == 0


def test_a_missing_known_queries_file_fails_before_any_encoding(tmp_path: Path) -> None:
    from embedtune.index import IndexConfig, build_index

    config = IndexConfig(
        model="no-such-model",  # would fail to load: the file is checked first
        corpus=str(tmp_path / "jobs.csv"),
        out=tmp_path / "idx",
        known_queries=str(tmp_path / "clicks.csv"),
    )
    with pytest.raises(EmbedtuneError, match=r"--known-queries .*clicks\.csv does not exist"):
        build_index(config)
