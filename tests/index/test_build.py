from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.clirun import run_cli

from embedtune.errors import EmbedtuneError
from embedtune.index import IndexConfig, PostingStore, Searcher, build_index
from embedtune.index.source import Columns, content_id, iter_postings

from .conftest import posting_rows


def test_config_checks_values() -> None:
    with pytest.raises(EmbedtuneError, match="batch_size must be a positive integer"):
        IndexConfig(model="m", corpus="c", out=Path("o"), batch_size=0)
    with pytest.raises(EmbedtuneError, match="chunk_size"):
        IndexConfig(model="m", corpus="c", out=Path("o"), chunk_size=-1)
    with pytest.raises(EmbedtuneError, match="ann_threshold"):
        IndexConfig(model="m", corpus="c", out=Path("o"), ann_threshold=0)
    with pytest.raises(EmbedtuneError, match="contradict"):
        IndexConfig(model="m", corpus="c", out=Path("o"), overwrite=True, update=True)
    with pytest.raises(EmbedtuneError, match="empty --model"):
        IndexConfig(model=" ", corpus="c", out=Path("o"))


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_sources_stream_in_chunks(tmp_path: Path, suffix: str) -> None:
    frame = pd.DataFrame(posting_rows(23))
    path = tmp_path / f"jobs{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True)
    else:
        frame.to_parquet(path)
    chunks = list(iter_postings(path, chunk_size=5))
    assert [len(c) for c in chunks] == [5, 5, 5, 5, 3]
    first = chunks[0][0]
    assert first.id == "j0" and first.title == "Data Scientist 0"
    assert first.metadata == {"location": "Paris", "seniority": "junior"}
    assert first.document.startswith("Data Scientist 0\nWork on project 0")


def test_prepared_folder_and_content_ids(tmp_path: Path) -> None:
    import datasets

    rows = [
        {"id": f"x{i}", "title": f"T{i}", "text": f"T{i}\nbody {i}", "split": s, "group": str(i)}
        for i, s in enumerate(["train", "train", "validation", "test"])
    ]
    splits = {s: [r for r in rows if r["split"] == s] for s in ("train", "validation", "test")}
    dd = datasets.DatasetDict({s: datasets.Dataset.from_list(r) for s, r in splits.items()})
    dd.save_to_disk(str(tmp_path / "prep" / "dataset"))
    postings = [p for c in iter_postings(tmp_path / "prep") for p in c]
    assert [p.id for p in postings] == ["x0", "x1", "x2", "x3"]
    assert postings[0].document == "T0\nbody 0"  # the title line is not repeated
    assert set(postings[0].metadata) == {"split", "group"}
    no_ids = tmp_path / "n.csv"
    pd.DataFrame([{"title": "A", "text": "b"}]).to_csv(no_ids, index=False)
    assert next(iter_postings(no_ids))[0].id == content_id("A", "b")


def test_source_errors(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("hi")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "folder").mkdir()
    for corpus, message in [
        (tmp_path / "none.csv", "does not exist"),
        (tmp_path / "x.txt", "unknown file type"),
        (tmp_path / "empty.csv", "is empty"),
        (tmp_path / "folder", "not a prepared dataset"),
    ]:
        with pytest.raises(EmbedtuneError, match=message):
            list(iter_postings(corpus))
    csv = tmp_path / "jobs.csv"
    pd.DataFrame(posting_rows(3)).to_csv(csv, index=False)
    with pytest.raises(EmbedtuneError, match="column 'body' not found"):
        list(iter_postings(csv, Columns(text="body")))


@pytest.mark.slow  # builds three indexes and a second model (> 5 s on a shared 2-core machine)
def test_build_update_delete_and_model_check(
    tiny_model_dir: Path, postings_csv: Path, tmp_path: Path
) -> None:
    from tests.conftest import build_tiny_model

    out = tmp_path / "idx"
    config = IndexConfig(model=str(tiny_model_dir), corpus=str(postings_csv), out=out, chunk_size=7)
    report = build_index(config)
    assert report["postings"] == report["written"] == 30 and report["ann"] is None
    store = PostingStore.open(out)
    assert sorted(store.ids()) == sorted(f"j{i}" for i in range(30))
    assert store.model.dimension == 32 and store.model.name == str(tiny_model_dir.resolve())
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".idx")]  # no temp left

    with pytest.raises(EmbedtuneError, match="already exists"):
        build_index(config)

    extra = tmp_path / "extra.csv"
    rows = [{**posting_rows(1)[0], "title": "Changed title"}, {**posting_rows(31)[30]}]
    pd.DataFrame(rows + rows[:1]).to_csv(extra, index=False)
    update = IndexConfig(model=str(tiny_model_dir), corpus=str(extra), out=out, update=True)
    report = build_index(update)
    assert report["written"] == 2 and report["skipped_repeats_or_empty"] == 1
    assert report["postings"] == 31
    assert PostingStore.open(out).get(["j0"])["j0"].title == "Changed title"

    searcher = Searcher.open(out)
    hit = searcher.search("Changed title", k=31)
    assert sorted(h.id for h in hit) == sorted([*(f"j{i}" for i in range(31))])
    assert [h.rank for h in hit] == list(range(1, 32))
    scores = [h.score for h in hit]
    assert scores == sorted(scores, reverse=True)

    from embedtune.index import delete_postings

    assert delete_postings(out, ["j0", "nope"])["deleted"] == 1
    assert "j0" not in {h.id for h in Searcher.open(out).search("data", k=50)}

    other = build_tiny_model(tmp_path / "other", seed=1)
    with pytest.raises(EmbedtuneError, match=r"was built with model .*not with") as err:
        Searcher.open(out, model=str(other))
    assert "--model" in str(err.value)
    with pytest.raises(EmbedtuneError, match="was built with model"):
        build_index(IndexConfig(model=str(other), corpus=str(extra), out=out, update=True))


def test_failed_build_leaves_nothing(tiny_model_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"title": "a", "text": "b"}) + "\n" + "{broken\n")
    out = tmp_path / "idx"
    with pytest.raises(EmbedtuneError, match="line 2: invalid JSON"):
        build_index(IndexConfig(model=str(tiny_model_dir), corpus=str(bad), out=out, chunk_size=1))
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.jsonl"]


def test_cli_index_search_delete(
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    tiny_model_dir: Path,
    postings_csv: Path,
    tmp_path: Path,
) -> None:
    out = tmp_path / "idx"
    args = ["index", "--model", str(tiny_model_dir), "--corpus", str(postings_csv)]
    code, stdout, _ = run_cli(monkeypatch, capsys, *args, "--out", str(out), "--json")
    assert code == 0 and json.loads(stdout)["postings"] == 30
    code, stdout, _ = run_cli(
        monkeypatch, capsys, "search", "--index", str(out), "python, sql", "-k", "4", "--json"
    )
    hits = json.loads(stdout)["hits"]
    assert code == 0 and [h["rank"] for h in hits] == [1, 2, 3, 4]
    code, stdout, _ = run_cli(
        monkeypatch, capsys, "search", "--index", str(out), "ml", "-k", "30",
        "--filter", "seniority=lead", "--json",
    )  # fmt: skip
    hits = json.loads(stdout)["hits"]
    assert len(hits) == 10 and {h["metadata"]["seniority"] for h in hits} == {"lead"}
    code, stdout, _ = run_cli(monkeypatch, capsys, "search", "--index", str(out), "data", "-k", "2")
    assert code == 0 and stdout.lstrip().startswith("1.")
    code, stdout, _ = run_cli(
        monkeypatch, capsys, "index", "--out", str(out), "--delete", "j1,j2", "--json"
    )
    assert code == 0 and json.loads(stdout)["delete"]["postings"] == 28
    for bad, message in [
        (["search", "--index", str(out), "x", "-k", "0"], "k must be between 1 and 100"),
        (["search", "--index", str(tmp_path), "x"], "not an embedtune index"),
        (["search", "--index", str(out), "x", "--filter", "city=Oslo"], "unknown filter 'city'"),
        (["index", "--out", str(out), "--corpus", str(postings_csv)], "--model and --corpus"),
    ]:
        code, _, err = run_cli(monkeypatch, capsys, *bad)
        assert code == 2 and message in err and err.count("\n") == 1, err
