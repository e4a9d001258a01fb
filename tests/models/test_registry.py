"""Tests for embedtune.models.registry, the old import path of the model names."""

from __future__ import annotations

import subprocess
import sys

import embedtune.models
from embedtune.models import registry


def test_registry_names_are_the_package_names() -> None:
    assert registry.__all__ == embedtune.models.__all__
    for name in registry.__all__:
        assert getattr(registry, name) is getattr(embedtune.models, name), name


def test_importing_the_models_does_not_import_torch() -> None:
    code = (
        "import sys, embedtune.models.registry; "
        "heavy = {'torch', 'transformers', 'sentence_transformers', 'huggingface_hub'}; "
        "sys.exit(sorted(heavy & set(sys.modules)) or 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
