"""Atomic writes, and the checks that keep --out/--overwrite from destroying anything."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from embedtune._io import (
    MARKER,
    atomic_dir,
    check_out,
    iter_json_lines,
    iter_lines,
    remove_stale,
    replace_dir,
    write_bytes,
    write_json,
    write_text,
    written_by_embedtune,
)
from embedtune.errors import EmbedtuneError


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder nobody running the tests may create anything in."""
    if os.geteuid() != 0:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o555)
        return folder
    folder = Path("/sys")  # root may write anywhere, except on a read-only or virtual filesystem
    try:
        (folder / "embedtune-probe").mkdir()
    except OSError:
        return folder
    (folder / "embedtune-probe").rmdir()
    pytest.skip("no folder here that root may not write")


# ------------------------------------------------------------------------------ permissions


def test_write_json_honours_the_umask(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "a.json"
    write_json(path, {"a": 1})
    assert _mode(path) == 0o644  # mkstemp made it 0600
    os.umask(0o077)
    write_json(path, {"a": 2})
    assert _mode(path) == 0o600
    assert path.read_text() == '{\n  "a": 2\n}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_atomic_dir_honours_the_umask_and_marks_the_folder(tmp_path: Path, umask_022: None) -> None:
    out = tmp_path / "out"
    with atomic_dir(out) as tmp:
        (tmp / "f.txt").write_text("x")
    assert _mode(out) == 0o755  # mkdtemp made it 0700
    assert (out / MARKER).is_file() and written_by_embedtune(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failed_write_leaves_the_old_folder_and_no_marker(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with atomic_dir(out) as tmp:
        (tmp / "f.txt").write_text("old")
    with pytest.raises(KeyboardInterrupt), atomic_dir(out, overwrite=True) as tmp:
        (tmp / "f.txt").write_text("half")
        raise KeyboardInterrupt
    assert (out / "f.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


# ------------------------------------------------------------------------------ stale folders


def test_stale_temporary_folders_of_dead_writers_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "index"
    dead = tmp_path / f".index.tmp-{_dead_pid()}-0a1b2c3d"
    live = tmp_path / f".index.tmp-{os.getppid()}-0a1b2c3d"  # a writer still running
    other = tmp_path / f".other.tmp-{_dead_pid()}-0a1b2c3d"  # another output's: not ours to judge
    for folder in (dead, live, other):
        folder.mkdir()
        (folder / "part.lance").write_text("half")
    with atomic_dir(out) as tmp:
        (tmp / "f.txt").write_text("new")
    assert not dead.exists()
    assert live.is_dir() and other.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["index", live.name, other.name])


def test_a_writer_killed_mid_swap_gets_its_old_folder_back(tmp_path: Path) -> None:
    out = tmp_path / "index"
    aside = tmp_path / f".index.old-{_dead_pid()}-0a1b2c3d"
    aside.mkdir()
    (aside / "f.txt").write_text("old")
    assert remove_stale(out) == []
    assert (out / "f.txt").read_text() == "old" and not aside.exists()


# ------------------------------------------------------------------------------ check_out


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "jobs.csv").write_text("title,description\n")
    return folder


@pytest.mark.parametrize(
    ("out", "relation"),
    [("src/jobs.csv", "is"), ("src", "contains"), ("src/jobs.csv/x", "lies inside")],
)
def test_out_may_not_touch_an_input(
    tmp_path: Path, src: Path, out: str, relation: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for overwrite in (False, True):
        with pytest.raises(EmbedtuneError) as e:
            check_out(Path(out), sources=["demo", None, Path("src/jobs.csv")], overwrite=overwrite)
        assert e.value.problem == f"output folder {out} {relation} the input src/jobs.csv"
    assert (src / "jobs.csv").read_text() == "title,description\n"


def test_out_inside_a_model_folder_is_allowed_when_nested(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    check_out(model / "onnx", sources=[model], nested_ok=True)
    with pytest.raises(EmbedtuneError, match="lies inside the input"):
        check_out(model / "onnx", sources=[model])
    with pytest.raises(EmbedtuneError, match="is the input"):
        check_out(model, sources=[model], nested_ok=True)


def test_overwrite_replaces_only_what_embedtune_wrote(tmp_path: Path, src: Path) -> None:
    with pytest.raises(EmbedtuneError) as e:
        check_out(src, overwrite=True)
    assert (
        e.value.problem
        == f"{src} was not written by embedtune (it has no {MARKER} file), so embedtune will not write over it"
    )
    with pytest.raises(EmbedtuneError, match="is a file, not a folder embedtune wrote"):
        check_out(src / "jobs.csv", overwrite=True)
    with pytest.raises(EmbedtuneError, match="already exists"):
        check_out(src)
    empty = tmp_path / "empty"
    empty.mkdir()
    check_out(empty, overwrite=True)  # nothing to lose
    (src / MARKER).write_text("")
    check_out(src, overwrite=True)


@pytest.mark.parametrize(
    "files",
    [
        ("prepare_report.json", "dataset/"),
        ("train_config.json", "modules.json"),
        ("index.json", "postings.lance/"),
        ("export.json", "model.onnx"),
        ("run_state.json",),
    ],
)
def test_folders_written_before_the_marker_are_recognised(
    tmp_path: Path, files: tuple[str, ...]
) -> None:
    out = tmp_path / "old"
    out.mkdir()
    for name in files:
        (out / name.rstrip("/")).mkdir() if name.endswith("/") else (out / name).write_text("{}")
    assert written_by_embedtune(out)
    with atomic_dir(out, overwrite=True) as tmp:
        (tmp / "new.txt").write_text("new")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "new.txt"]
    (out / MARKER).unlink()
    (out / "index.json").write_text("{}")  # one known file alone is not enough
    assert not written_by_embedtune(out)


def test_atomic_dir_refuses_to_replace_a_foreign_folder(tmp_path: Path, src: Path) -> None:
    with (
        pytest.raises(EmbedtuneError, match="not written by embedtune"),
        atomic_dir(src, overwrite=True),
    ):
        pytest.fail("the body must not run")
    assert sorted(p.name for p in src.iterdir()) == ["jobs.csv"]


def test_an_unwritable_out_is_refused_before_any_work(tmp_path: Path) -> None:
    locked = unwritable_folder(tmp_path)
    with pytest.raises(EmbedtuneError) as e:
        check_out(locked / "new" / "out")
    assert e.value.problem.startswith(
        f"cannot write {locked / 'new' / 'out'}: {locked} is not writable"
    )
    assert not (locked / "new").exists()


# --- iter_lines: lines split on "\n" only ------------------------------------------------------

SEPARATORS = "a\u2028b\u2029c\x85d\x0be\x0cf\x1cg"  # all of these are str.splitlines breaks


def test_iter_lines_splits_on_newline_only(tmp_path: Path) -> None:
    text = f"\ufeff{SEPARATORS}\r\nsecond\n\nlast"
    expected = [SEPARATORS, "second", "", "last"]
    assert list(iter_lines(text)) == expected
    path = tmp_path / "x.txt"
    path.write_bytes(text.encode("utf-8"))
    assert list(iter_lines(path)) == expected
    path.write_bytes(text[1:].encode("utf-16"))  # the codec writes its own BOM
    assert list(iter_lines(path, encoding="utf-16")) == expected
    assert list(iter_lines("one\n")) == ["one"]
    assert list(iter_lines("")) == []


def test_json_lines_keep_unicode_line_separators(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    rows = [{"text": SEPARATORS}, {"text": "plain"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    assert "\u2028" in path.read_text(encoding="utf-8")  # written raw, as pandas does
    assert list(iter_json_lines(iter_lines(path), path)) == [(1, rows[0]), (2, rows[1])]
    with pytest.raises(EmbedtuneError, match="line 2: invalid JSON"):
        list(iter_json_lines(iter_lines('{"a": 1}\n{"a": \n'), path))


# ------------------------------------------------------------------------------ text, bytes, swap


def test_write_text_and_bytes_replace_whole_files(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "sub" / "notes.md"
    write_text(path, "é\n")
    assert path.read_bytes() == "é\n".encode() and _mode(path) == 0o644
    write_bytes(path, b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"
    assert [p.name for p in path.parent.iterdir()] == ["notes.md"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.txt"
    write_text(path, "old")

    def broken(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_text(path, "new")
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_replace_dir_swaps_in_the_new_folder(tmp_path: Path) -> None:
    out, new = tmp_path / "out", tmp_path / "new"
    out.mkdir()
    (out / "f").write_text("old")
    new.mkdir()
    (new / "f").write_text("new")
    replace_dir(new, out)
    assert (out / "f").read_text() == "new" and sorted(p.name for p in tmp_path.iterdir()) == [
        "out"
    ]
    other = tmp_path / "other"
    other.mkdir()
    replace_dir(other, tmp_path / "fresh")  # nothing to move aside
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh", "out"]
