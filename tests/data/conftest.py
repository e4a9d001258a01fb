from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def minilm_tokenizer() -> Any:
    """The real all-MiniLM-L6-v2 tokenizer from the installed package (no model weights loaded)."""
    from embedtune.models import load_tokenizer

    return load_tokenizer("all-MiniLM-L6-v2")


@pytest.fixture
def write_csv(tmp_path: Path) -> Any:
    """Write rows (a list of dicts) to a CSV file and return its path."""
    import pandas as pd

    def write(rows: list[dict[str, str]], name: str = "postings.csv") -> Path:
        path = tmp_path / name
        pd.DataFrame(rows).to_csv(path, index=False)
        return path

    return write
