"""Index integrity: one writer at a time, repeated ids refused and repaired, damage reported."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.clirun import run_cli
from tests.fakes import RecordingReporter

from embedtune.errors import EmbedtuneError
from embedtune.index.build import delete_postings, update_postings
from embedtune.index.integrity import IndexDamagedError, writer_lock
from embedtune.index.model_info import ModelInfo
from embedtune.index.source import Posting
from embedtune.index.store import PostingStore
from embedtune.models.encoder import normalize_rows

MODEL = ModelInfo(name="fake", fingerprint="f00", dimension=8)


def _postings(n: int, prefix: str = "p") -> list[Posting]:
    return [
        Posting(f"{prefix}{i}", f"T{i}", f"{prefix} text {i}", {"city": "Oslo"}) for i in range(n)
    ]


def _encode(texts: list[str]) -> np.ndarray:
    """A fake document encoder: a fixed vector per text (hash of its words), 8-d."""
    rng = [np.random.default_rng(abs(hash(t)) % 2**32) for t in texts]
    return normalize_rows(np.stack([r.normal(size=8) for r in rng]).astype(np.float32))


def _store(tmp_path: Path, n: int = 10) -> PostingStore:
    store = PostingStore.create(tmp_path / "idx", MODEL, ["city"])
    store.add(_postings(n), _encode([p.text for p in _postings(n)]))
    return store


def _chunks(postings: list[Posting], size: int = 20) -> Iterator[list[Posting]]:
    for start in range(0, len(postings), size):
        yield postings[start : start + size]


# -- one writer at a time ---------------------------------------------------------------------
def test_writer_lock_excludes_a_second_writer(tmp_path: Path) -> None:
    store = _store(tmp_path)
    busy = r"another process \(pid \d+\) is writing index .*idx"
    with (
        writer_lock(store.path),
        pytest.raises(EmbedtuneError, match=busy),
        writer_lock(store.path, timeout=0.2),
    ):
        pass  # pragma: no cover - never entered
    with writer_lock(store.path, timeout=0.2):  # released on exit: free again
        pass


def test_writer_lock_waits_for_the_holder(tmp_path: Path) -> None:
    store = _store(tmp_path)
    order: list[str] = []
    held = threading.Event()

    def first() -> None:
        with writer_lock(store.path):
            held.set()
            order.append("first in")
            threading.Event().wait(0.3)
            order.append("first out")

    thread = threading.Thread(target=first)
    thread.start()
    held.wait()
    with writer_lock(store.path):
        order.append("second in")
    thread.join()
    assert order == ["first in", "first out", "second in"]


def test_writer_lock_on_a_folder_that_is_not_an_index(tmp_path: Path) -> None:
    with (
        pytest.raises(EmbedtuneError, match="not an embedtune index"),
        writer_lock(tmp_path / "nothing"),
    ):
        pass  # pragma: no cover - never entered


@pytest.mark.parametrize("code", [errno.EACCES, errno.EROFS])
def test_an_index_that_cannot_be_written_is_refused_before_any_encoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    store = _store(tmp_path)
    encoded: list[int] = []

    def refuse(*args: Any, **kwargs: Any) -> int:
        raise OSError(code, os.strerror(code))

    def encode(texts: list[str]) -> np.ndarray:  # pragma: no cover - must not run
        encoded.append(len(texts))
        return np.zeros((len(texts), 4), dtype=np.float32)

    monkeypatch.setattr("embedtune.index.integrity.os.open", refuse)
    with pytest.raises(EmbedtuneError, match=f"cannot write index .*idx: {os.strerror(code)}"):
        update_postings(store.path, MODEL, _chunks(_postings(3, "n")), encode)
    assert encoded == []


def test_other_errors_opening_the_lock_are_not_renamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(tmp_path)

    def full(*args: Any, **kwargs: Any) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("embedtune.index.integrity.os.open", full)
    with pytest.raises(OSError, match="No space left") as caught:
        update_postings(store.path, MODEL, _chunks(_postings(3, "n")), _encode)
    assert not isinstance(caught.value, EmbedtuneError)


def test_concurrent_updates_with_the_same_new_ids_write_each_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14 item 2: two `index --update` at once with 65 new ids wrote every id twice."""
    store = _store(tmp_path, n=10)
    new = _postings(65, prefix="new")
    # Hold each writer just before it writes until the other one gets there too (or 2 s pass):
    # without the lock both write the same new ids; with it the second waits for the first.
    both_writing = threading.Barrier(2, timeout=2)
    upsert = PostingStore.upsert

    def racing_upsert(self: PostingStore, postings: Any, vectors: np.ndarray) -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            both_writing.wait()
        upsert(self, postings, vectors)

    monkeypatch.setattr(PostingStore, "upsert", racing_upsert)
    errors: list[BaseException] = []

    def update() -> None:
        try:
            update_postings(store.path, MODEL, _chunks(new, size=65), _encode)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=update) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    reopened = PostingStore.open(store.path)
    ids = reopened.ids()
    assert len(ids) == len(set(ids)) == 75
    hits = reopened.search(_encode([new[3].document]), 5)[0]
    assert hits[0].id == "new3" and len({h.id for h in hits}) == 5


# -- repeated ids: refused on open, repaired by writers ---------------------------------------
def _with_repeats(tmp_path: Path) -> PostingStore:
    """An index where p0..p9 are stored twice (what the unlocked race left behind)."""
    store = _store(tmp_path, n=12)
    store.add(_postings(10), _encode([p.text for p in _postings(10)]))
    assert store.count() == 22
    return store


def test_open_refuses_repeated_ids_with_the_repair(tmp_path: Path) -> None:
    store = _with_repeats(tmp_path)
    with pytest.raises(IndexDamagedError) as err:
        PostingStore.open(store.path)
    message = str(err.value)
    assert f"index at {store.path} is damaged: 10 ids are stored more than once" in message
    assert "'p0'" in message and "--update" in message and "--overwrite" in message
    assert message.count("\n") == 0
    assert PostingStore.open(store.path, allow_repeats=True).count() == 22


def test_update_repairs_repeated_ids(tmp_path: Path) -> None:
    store = _with_repeats(tmp_path)
    report = update_postings(store.path, MODEL, _chunks(_postings(1, prefix="x")), _encode)
    assert report["repeats_removed"] == 10 and report["written"] == 1
    reopened = PostingStore.open(store.path)
    assert sorted(reopened.ids()) == sorted([*(f"p{i}" for i in range(12)), "x0"])
    assert reopened.get(["p3"])["p3"] == _postings(4)[3]
    hits = reopened.search(_encode(["p text 3"]), 13)[0]
    assert hits[0].id == "p3" and len(hits) == len({h.id for h in hits}) == 13


def test_delete_repairs_repeated_ids_too(tmp_path: Path) -> None:
    store = _with_repeats(tmp_path)
    report = delete_postings(store.path, ["p1"])
    assert report["deleted"] == 1 and report["repeats_removed"] == 10
    assert sorted(PostingStore.open(store.path).ids()) == sorted(
        f"p{i}" for i in range(12) if i != 1
    )


def test_an_emptied_index_is_not_damaged(tmp_path: Path) -> None:
    store = _store(tmp_path, n=3)
    assert delete_postings(store.path, ["p0", "p1", "p2"])["postings"] == 0
    reopened = PostingStore.open(store.path)
    assert reopened.count() == 0 and reopened.search(_encode(["p text 1"]), 5) == [[]]


# -- damaged indexes: one line naming the damage and the rebuild, exit 2 ----------------------
def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _edit_meta(index: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    meta = json.loads((index / "index.json").read_text())
    edit(meta)
    (index / "index.json").write_text(json.dumps(meta))


def _only_children(folder: Path) -> None:
    for child in folder.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "index.json truncated": (lambda i: _truncate(i / "index.json"), "index.json is not valid"),
    "index.json not JSON": (
        lambda i: (i / "index.json").write_bytes(b"\x00\xffgarbage"),
        "index.json is not valid",
    ),
    "index.json missing keys": (
        lambda i: _edit_meta(i, lambda m: m.pop("model")),
        "index.json lacks model",
    ),
    "table folder missing": (
        lambda i: shutil.rmtree(i / "postings.lance"),
        "table postings.lance is missing",
    ),
    "data file truncated": (
        lambda i: [_truncate(f) for f in (i / "postings.lance" / "data").glob("*.lance")],
        "cannot read table postings.lance",
    ),
    "manifest truncated": (
        lambda i: [_truncate(f) for f in (i / "postings.lance" / "_versions").glob("*.manifest")],
        "cannot open table postings.lance",
    ),
    "wrong dimension": (
        lambda i: _edit_meta(i, lambda m: m["model"].update(dimension=16)),
        "table postings.lance holds 32-d vectors but index.json says 16-d",
    ),
    "empty table": (
        lambda i: _only_children(i / "postings.lance"),
        "table postings.lance is missing",
    ),
}


@pytest.fixture
def index_copy(shared_index: Path, tmp_path: Path) -> Path:
    """A private copy of the 30-posting tiny-model index, free to damage."""
    return Path(shutil.copytree(shared_index, tmp_path / "index"))


@pytest.mark.parametrize("case", list(DAMAGE))
def test_open_reports_damage_and_the_rebuild(index_copy: Path, case: str) -> None:
    damage, reason = DAMAGE[case]
    damage(index_copy)
    with pytest.raises(IndexDamagedError) as err:
        PostingStore.open(index_copy)
    message = str(err.value)
    assert message.startswith(f"index at {index_copy} is damaged: {reason}"), message
    assert "--overwrite" in message and "\n" not in message


@pytest.mark.parametrize("case", list(DAMAGE))
def test_search_and_serve_refuse_a_damaged_index(
    index_copy: Path, case: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    import torch

    import embedtune.serve as serve_pkg

    started: list[Any] = []
    monkeypatch.setattr(serve_pkg, "serve", lambda index, **kw: started.append(index))
    monkeypatch.setattr(torch, "set_num_threads", lambda n: None)
    DAMAGE[case][0](index_copy)
    for command in (["search", "data", "--index"], ["serve", "--threads", "1", "--index"]):
        code, _, err = run_cli(monkeypatch, capsys, *command, str(index_copy))
        assert code == 2, err
        assert err.startswith(f"error: index at {index_copy} is damaged: ") and err.count("\n") == 1
        assert "rebuild" in err and "--overwrite" in err
    assert started == []  # serve never started


def test_intact_copy_searches_and_serves(
    index_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """The control for the damage cases: the same copy, undamaged, works."""
    import torch

    import embedtune.serve as serve_pkg

    started: list[Any] = []
    monkeypatch.setattr(serve_pkg, "serve", lambda index, **kw: started.append(index))
    monkeypatch.setattr(torch, "set_num_threads", lambda n: None)
    code, out, err = run_cli(monkeypatch, capsys, "search", "data", "--index", str(index_copy))
    assert code == 0 and out.lstrip().startswith("1."), err
    code, _, err = run_cli(
        monkeypatch, capsys, "serve", "--threads", "1", "--index", str(index_copy)
    )
    assert code == 0 and len(started) == 1, err


def test_damage_after_open_is_reported_on_search(tmp_path: Path) -> None:
    store = _store(tmp_path, n=10)
    opened = PostingStore.open(store.path)
    for data in (store.path / "postings.lance" / "data").glob("*.lance"):
        _truncate(data)
    with pytest.raises(IndexDamagedError, match=r"is damaged: cannot read table"):
        opened.search(_encode(["p text 1"]), 3)


def test_api_answers_503_when_the_index_is_damaged_after_start(index_copy: Path) -> None:
    from fastapi.testclient import TestClient

    from embedtune.index import Searcher
    from embedtune.serve import create_app

    client = TestClient(create_app(Searcher.open(index_copy)), base_url="http://127.0.0.1:8000")
    for data in (index_copy / "postings.lance" / "data").glob("*.lance"):
        _truncate(data)
    response = client.post("/search", json={"query": "data", "k": 3})
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert detail.startswith(f"index at {index_copy} is damaged: cannot read table")
    assert "--overwrite" in detail and "Traceback" not in detail


def test_writers_refuse_a_folder_that_is_not_an_index_without_touching_it(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    with pytest.raises(EmbedtuneError, match="not an embedtune index"):
        update_postings(tmp_path / "notes", MODEL, _chunks(_postings(1)), _encode)
    with pytest.raises(EmbedtuneError, match="not an embedtune index"):
        delete_postings(tmp_path / "notes", ["p0"])
    assert list((tmp_path / "notes").iterdir()) == []


class _SignalReporter(RecordingReporter):
    """Sets ``waiting`` once a task "Waiting for another writer ..." starts."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = threading.Event()

    @contextlib.contextmanager
    def task(self, description: str, total: int | None = None) -> Iterator[Any]:
        if description.startswith("Waiting for another writer"):
            self.waiting.set()
        with super().task(description, total) as task:
            yield task


@pytest.mark.slow  # builds an index twice with the tiny model (a few seconds)
def test_overwrite_swaps_the_index_only_when_no_update_is_writing(
    tiny_model_dir: Path, postings_csv: Path, tmp_path: Path
) -> None:
    """`index --overwrite` replaced the folder under a running `--update`: it now takes the
    writer lock for the swap, so the update finishes in the old folder first."""
    from embedtune.index import IndexConfig, build_index

    out = tmp_path / "idx"
    config = IndexConfig(model=str(tiny_model_dir), corpus=str(postings_csv), out=out)
    build_index(config)
    reporter = _SignalReporter()
    order: list[str] = []
    held = threading.Event()

    def update() -> None:
        with writer_lock(out):
            held.set()
            order.append("update in")
            order.append("overwrite waits" if reporter.waiting.wait(60) else "no wait")
            order.append("update out")

    thread = threading.Thread(target=update)
    thread.start()
    held.wait()
    report = build_index(dataclasses.replace(config, overwrite=True), reporter=reporter)
    order.append("swapped")
    thread.join()
    assert order == ["update in", "overwrite waits", "update out", "swapped"]
    assert report["postings"] == 30 and PostingStore.open(out).count() == 30
    with writer_lock(out, timeout=0.2):  # the new folder's lock is free
        pass
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".idx")]
