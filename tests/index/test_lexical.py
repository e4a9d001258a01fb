"""The index's lexical half: terms, BM25, its cache file, both search paths, the weight, the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from tests.clirun import run_cli

from embedtune.index.known import choose_weight
from embedtune.index.lexical import WEIGHTS, Lexical, add_lexical, term_counts
from embedtune.index.model_info import ModelInfo
from embedtune.index.source import Posting
from embedtune.index.store import LEXICAL_FILE, PostingStore
from embedtune.models.encoder import normalize_rows

MODEL = ModelInfo(name="fake", fingerprint="f00", dimension=8)
WORDS = ["zebra", "quokka", "narwhal", "okapi", "axolotl", "tapir", "dugong", "pangolin"]


def test_terms_fold_case_drop_stop_words_possessives_and_plurals() -> None:
    assert term_counts("The Engineers' team's ENGINEER; companies and Ingénieurs") == {
        "engineer": 2,
        "team": 1,
        "company": 1,
        "ingénieur": 1,
    }
    assert term_counts("class status analysis") == {"class": 1, "status": 1, "analysis": 1}
    assert term_counts("") == {}


def test_bm25_matches_a_hand_computation() -> None:
    docs = ["data engineer", "nurse", "data data analyst"]
    k1, b, n, mean = 0.9, 0.4, 3, 2.0

    def weight(tf: int, length: int, df: int) -> float:
        idf = math.log1p((n - df + 0.5) / (df + 0.5))
        return tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / mean)) * idf

    first = weight(1, 2, 2) + weight(1, 2, 1)  # "data" and "engineer" in doc 0
    third = weight(2, 3, 2)  # "data" twice in doc 2
    scores = Lexical.of(docs).scores(["data engineers", "violin"])
    assert scores[0].tolist() == pytest.approx([1.0, 0.0, third / first], abs=1e-6)
    assert scores[1].tolist() == [0.0, 0.0, 0.0]  # no shared word: no lexical part


def test_a_rare_word_outweighs_a_common_one() -> None:
    docs = ["python developer"] * 8 + ["python kotlin developer", "kotlin"]
    scores = Lexical.of(docs).scores(["python kotlin"])[0]
    assert min(scores[8], scores[9]) > 5 * scores[0]  # "kotlin" is in 2 of 10, "python" in 9


def test_add_lexical_keeps_scores_where_no_word_is_shared() -> None:
    out = add_lexical(np.array([[0.5, 0.4, 0.1]]), np.array([[0.0, 1.0, 0.5]]), 0.2)
    assert out[0].tolist() == pytest.approx([0.5, 0.6, 0.2])


def test_the_cache_file_round_trips_and_refuses_another_version_or_ids(tmp_path: Path) -> None:
    lexical = Lexical.of(["data engineer", "nurse", "data analyst"])
    path = tmp_path / LEXICAL_FILE
    lexical.save(path, 7, ["a", "b", "c"])
    loaded = Lexical.load(path, 7, ["a", "b", "c"])
    assert loaded is not None
    assert loaded.scores(["data nurse"]).tolist() == lexical.scores(["data nurse"]).tolist()
    assert Lexical.load(path, 8, ["a", "b", "c"]) is None
    assert Lexical.load(path, 7, ["a", "c", "b"]) is None
    assert Lexical.load(tmp_path / "missing.npz", 7, ["a"]) is None
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])  # cut short: a damaged file is rebuilt, not fatal
    assert Lexical.load(path, 7, ["a", "b", "c"]) is None
    path.write_bytes(b"not a numpy file")
    assert Lexical.load(path, 7, ["a", "b", "c"]) is None
    assert [f.name for f in tmp_path.iterdir()] == [LEXICAL_FILE]  # no temporary file left


def _store(tmp_path: Path, n: int = 16, seed: int | None = 0) -> tuple[PostingStore, np.ndarray]:
    """``n`` postings with random vectors (``seed`` None: the 8 axes, n = 8); posting i's text
    holds the word WORDS[i % 8]; odd ones are in Oslo, even ones in Rome."""
    rng = np.random.default_rng(seed)
    vectors = (
        np.eye(8, dtype=np.float32) if seed is None else normalize_rows(rng.normal(size=(n, 8)))
    )
    store = PostingStore.create(tmp_path / "idx", MODEL, ["city"])
    postings = [
        Posting(
            f"p{i}", f"T{i}", f"a {WORDS[i % 8]} job {i}", {"city": "Oslo" if i % 2 else "Rome"}
        )
        for i in range(n)
    ]
    store.add(postings, vectors)
    return store, vectors


@pytest.mark.parametrize("in_memory", [True, False])
def test_a_shared_word_lifts_a_posting_in_both_search_paths(
    tmp_path: Path, in_memory: bool
) -> None:
    store, _ = _store(tmp_path, n=8, seed=None)
    query = normalize_rows(np.array([[0.0, 0.0, 0.0, 0.3, 0.0, 0.0, 0.0, 1.0]]))[0]
    before = store.search(query, 3, in_memory=in_memory, texts=["okapi"])[0]
    assert [h.id for h in before][:2] == ["p7", "p3"]  # weight 0: no `lexical` in index.json
    store.set_meta(lexical={"weight": 1.0})
    hits = store.search(query, 3, in_memory=in_memory, texts=["okapi"])[0]
    assert [h.id for h in hits][:2] == ["p3", "p7"]
    assert hits[0].score == pytest.approx(before[1].score + 1.0, abs=1e-5)
    assert hits[1].score == pytest.approx(before[0].score, abs=1e-5)  # no shared word: as before
    # no texts: vectors alone; a filter that excludes p3 keeps it out
    assert store.search(query, 1, in_memory=in_memory)[0][0].id == "p7"
    filtered = store.search(query, 3, {"city": "Rome"}, in_memory=in_memory, texts=["okapi"])
    assert "p3" not in [h.id for h in filtered[0]]


def test_both_search_paths_agree_with_words_and_known_queries(tmp_path: Path) -> None:
    store, _ = _store(tmp_path, n=30)
    rng = np.random.default_rng(5)
    known = normalize_rows(rng.normal(size=(12, 8)))
    store.add_known([f"k{i}" for i in range(12)], [f"p{i % 6}" for i in range(12)], known)
    store.set_meta(known_queries={"weight": 0.5}, lexical={"weight": 0.3})
    queries = normalize_rows(rng.normal(size=(4, 8)))
    texts = ["zebra job", "tapir", "nothing shared", "pangolin dugong"]
    exact = store.search(queries, 6, in_memory=True, texts=texts)
    lance = store.search(queries, 6, in_memory=False, texts=texts)
    for a, b in zip(exact, lance, strict=True):
        assert [h.id for h in a] == [h.id for h in b]
        assert [h.score for h in a] == pytest.approx([h.score for h in b], abs=1e-5)


def test_the_cache_file_is_written_once_and_rebuilt_after_a_write(tmp_path: Path) -> None:
    store, vectors = _store(tmp_path, n=8, seed=None)
    store.set_meta(lexical={"weight": 1.0})
    query = normalize_rows(np.array([[0, 0, 0, 0, 0, 0, 1.0, 1.0]]))[0]  # p6, p7: 0.707
    assert store.search(query, 1, texts=["okapi"])[0][0].id == "p3"
    cache = store.path / LEXICAL_FILE
    assert cache.is_file()
    reopened = PostingStore.open(store.path)
    assert reopened.search(query, 1, texts=["okapi"])[0][0].id == "p3"  # read from the file
    reopened.upsert([Posting("p5", "T5", "an okapi keeper", {"city": "Oslo"})], vectors[[5]])
    hits = reopened.search(query, 2, texts=["okapi"])[0]
    assert {h.id for h in hits} == {"p3", "p5"}  # the stale cache was rebuilt


def test_texts_must_match_the_vectors(tmp_path: Path) -> None:
    store, vectors = _store(tmp_path, n=4)
    with pytest.raises(ValueError, match="2 query texts for 1 query vectors"):
        store.search(vectors[0], 2, texts=["a", "b"])


def test_choose_weight_turns_words_on_where_they_find_the_posting() -> None:
    """Documents whose vectors say nothing (random) but whose words match their queries: the
    held-out known queries choose a lexical weight above 0."""
    rng = np.random.default_rng(1)
    n = 60
    doc_ids = [f"d{i}" for i in range(n)]
    words = [f"w{i}x" for i in range(n)]
    docs = normalize_rows(rng.normal(size=(n, 8)))
    texts = [f"{words[i % n]} role {j}" for j in range(4) for i in range(n)]
    ids = [doc_ids[i % n] for _ in range(4) for i in range(n)]
    vectors = normalize_rows(rng.normal(size=(len(texts), 8)))
    lexical = Lexical.of([f"a {w} posting" for w in words])
    choice = choose_weight(docs, doc_ids, vectors, texts, ids, lexical=lexical)
    assert set(choice.lexical_curve) == set(WEIGHTS)
    assert choice.lexical_weight is not None and choice.lexical_weight > 0
    assert choice.lexical_curve[choice.lexical_weight] > choice.lexical_curve[0.0] + 0.2
    assert choice.lexical_dict()["weight"] == choice.lexical_weight


def test_index_cli_sets_keeps_and_checks_the_lexical_weight(
    tmp_path: Path,
    tiny_model_dir: Path,
    postings_csv: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "idx"
    args = ["index", "--model", str(tiny_model_dir), "--corpus", str(postings_csv),
            "--id-column", "job_id"]  # fmt: skip
    code, text, err = run_cli(monkeypatch, capsys, *args, "--out", str(out))
    assert code == 0, err
    assert "Words (BM25): weight 0.2 (the default (no known queries to choose on))" in text
    code, text, err = run_cli(monkeypatch, capsys, *args, "--out", str(out), "--overwrite",
                              "--lexical-weight", "0", "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(text)["lexical"] == {"weight": 0.0, "reason": "given (--lexical-weight)"}
    code, text, err = run_cli(monkeypatch, capsys, *args, "--out", str(out), "--update", "--json")
    assert code == 0, err
    assert json.loads(text)["lexical"]["weight"] == 0.0  # an update keeps it
    from embedtune.index import Searcher

    assert Searcher.open(out).info()["lexical_weight"] == 0.0
    code, _, err = run_cli(monkeypatch, capsys, *args, "--out", str(out), "--update",
                           "--lexical-weight", "0.5")  # fmt: skip
    assert code == 0, err
    assert PostingStore.open(out).lexical_weight == 0.5
    # the weight alone, no corpus or model: nothing is encoded
    code, text, err = run_cli(monkeypatch, capsys, "index", "--out", str(out), "--update",
                              "--lexical-weight", "0.1")  # fmt: skip
    assert code == 0, err
    assert "Words (BM25): weight 0.1 (given (--lexical-weight))" in text
    assert PostingStore.open(out).lexical_weight == 0.1
    code, _, err = run_cli(monkeypatch, capsys, *args, "--out", str(tmp_path / "x"),
                           "--lexical-weight", "1.5")  # fmt: skip
    assert code != 0 and "--lexical-weight must be between 0 and 1" in err
