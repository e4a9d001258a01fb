from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.clirun import run_cli

from embedtune.cli.main import _fractions
from embedtune.errors import EmbedtuneError


@pytest.fixture
def postings_csv(tmp_path: Path) -> Path:
    rows = [
        {
            "title": f"Data Scientist {i}",
            "description": f"Build model {i} for credit risk with Python, SQL and feature {i * 13}.",
        }
        for i in range(40)
    ]
    path = tmp_path / "jobs.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_prepare_json_contract(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, postings_csv: Path, tmp_path: Path
) -> None:
    code, out, _ = run_cli(
        monkeypatch, capsys, "prepare", str(postings_csv), "--out", str(tmp_path / "o"), "--json"
    )
    assert code == 0
    report = json.loads(out)
    assert report["counts"]["kept"] == 40
    assert report["splits"] == {"train": 32, "validation": 4, "test": 4}


def test_prepare_human_output(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, postings_csv: Path, tmp_path: Path
) -> None:
    code, out, _ = run_cli(
        monkeypatch,
        capsys,
        "prepare",
        str(postings_csv),
        "--out",
        str(tmp_path / "o"),
        "--split",
        "80/10/10",
    )
    assert code == 0
    assert "Splits: train 32, validation 4, test 4" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--text-column", "body"],
            "error: column 'body' not found; the columns are: 'title', 'description'. Fix: pass --text-column",
        ),
        (["--model", "no-such-model"], "error: unknown model"),
        (["--split", "0.5,0.5"], "needs three parts"),
        (["--keep-titles", "astronaut"], "no postings left"),
    ],
)
def test_bad_input_is_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    postings_csv: Path,
    tmp_path: Path,
    args: list[str],
    message: str,
) -> None:
    out_dir = tmp_path / "o"
    code, _, err = run_cli(
        monkeypatch, capsys, "prepare", str(postings_csv), "--out", str(out_dir), *args
    )
    assert code == 2
    assert err.startswith(message) or message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out_dir.exists()


def test_bad_files(monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("title,description\nCaf\xe9,SQL\n".encode("latin-1"))
    for path, message in (
        (empty, "is empty"),
        (latin, "not valid utf-8"),
        (tmp_path / "none.csv", "does not exist"),
    ):
        code, _, err = run_cli(
            monkeypatch, capsys, "prepare", str(path), "--out", str(tmp_path / "o")
        )
        assert code == 2 and message in err and err.count("\n") == 1


def test_existing_output_needs_overwrite(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, postings_csv: Path, tmp_path: Path
) -> None:
    out_dir = tmp_path / "o"
    out_dir.mkdir()
    (out_dir / "keep.txt").write_text("mine")
    code, _, err = run_cli(monkeypatch, capsys, "prepare", str(postings_csv), "--out", str(out_dir))
    assert code == 2 and "already exists" in err and "--overwrite" in err
    assert (out_dir / "keep.txt").read_text() == "mine"


def test_empty_rows_warn(monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path) -> None:
    rows = [
        {
            "title": f"Analyst {i}",
            "description": f"SQL dashboards number {i} for finance" if i % 10 else "",
        }
        for i in range(40)
    ]
    path = tmp_path / "jobs.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    code, _out, err = run_cli(
        monkeypatch, capsys, "prepare", str(path), "--out", str(tmp_path / "o")
    )
    assert code == 0
    assert "warning: 4 rows with empty text were dropped" in err


def test_fractions_parsing() -> None:
    assert _fractions("0.8,0.1,0.1") == (0.8, 0.1, 0.1)
    assert _fractions("80/10/10") == (0.8, 0.1, 0.1)
    with pytest.raises(EmbedtuneError, match="not a list of numbers"):
        _fractions("a,b,c")


def test_debug_shows_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "EMBEDTUNE_DEBUG": "1"}
    cmd = [
        sys.executable,
        "-m",
        "embedtune.cli.main",
        "prepare",
        str(tmp_path / "x.csv"),
        "--out",
        str(tmp_path / "o"),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr and "does not exist" in proc.stderr
