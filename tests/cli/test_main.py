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


# ------------------------------------------------------------------------- exit status


def test_usage_errors_exit_2_with_clicks_message(
    monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    code, _, err = run_cli(monkeypatch, capsys, "prepare", "--no-such-flag")
    assert code == 2
    assert "No such option: --no-such-flag" in err and "unexpected" not in err


def _interrupt(*_args: Any, **_kwargs: Any) -> Any:
    raise KeyboardInterrupt


def test_ctrl_c_in_run_exits_130_and_says_rerun(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path
) -> None:
    monkeypatch.setattr("embedtune.run.pipeline.run", _interrupt)
    code, out, err = run_cli(monkeypatch, capsys, "run", "--out", str(tmp_path / "r"))
    assert (code, out) == (130, "")
    assert err == "interrupted; rerun the same command to resume (finished stages are skipped)\n"


@pytest.mark.parametrize(
    ("resume", "checkpoint", "note"),
    [
        (False, False, "no checkpoint was saved yet, so a rerun starts over ({out} not written)"),
        (
            False,
            True,
            "rerun the same command with --resume to resume from the last checkpoint in {ckpt}",
        ),
        (True, True, "rerun the same command to resume from the last checkpoint in {ckpt}"),
    ],
)
def test_ctrl_c_in_train_exits_130_and_says_how_to_resume(
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    tmp_path: Path,
    resume: bool,
    checkpoint: bool,
    note: str,
) -> None:
    out, ckpt = tmp_path / "model", tmp_path / "model.checkpoints"

    def train(*_args: Any, **_kwargs: Any) -> Any:
        if checkpoint:
            (ckpt / "checkpoint-5").mkdir(parents=True)
        raise KeyboardInterrupt

    monkeypatch.setattr("embedtune.train.trainer.train", train)
    args = ["train", "--data", str(tmp_path / "d"), "--out", str(out)]
    code, _, err = run_cli(monkeypatch, capsys, *args, *(["--resume"] if resume else []))
    assert code == 130
    assert err == f"interrupted; {note.format(out=out, ckpt=ckpt)}\n"


def test_sigint_stops_index_with_130_and_writes_nothing(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    """For real: Ctrl-C (SIGINT) reaches a running `embedtune index` in another process."""
    import signal
    import time

    corpus = tmp_path / "jobs.csv"
    rows = [
        {"title": f"Analyst {i}", "description": f"SQL report {i} for team {i % 97}"}
        for i in range(20_000)
    ]
    pd.DataFrame(rows).to_csv(corpus, index=False)
    out = tmp_path / "idx"
    cmd = [sys.executable, "-m", "embedtune.cli.main", "index", "--model", str(tiny_model_dir)]
    cmd += ["--corpus", str(corpus), "--out", str(out), "--batch-size", "1"]  # slow on purpose
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    env.pop("EMBEDTUNE_DEBUG", None)
    # A shell's background job (`make test &`, nohup) starts with SIGINT ignored, and a child
    # inherits that, so Python would never see the Ctrl-C: give the child the default handling.
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 300
        while not list(tmp_path.glob(".idx.tmp-*")):  # encoding has started
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the index never started"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr
    assert stdout == ""
    assert stderr.splitlines()[-1] == (
        f"interrupted; nothing was written to {out}; rerun the same command to start again"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jobs.csv"]


# ------------------------------------------------------------------------- --out safety


@pytest.fixture
def src(tmp_path: Path, postings_csv: Path) -> Path:
    """A folder holding the corpus and a file of the user's beside it."""
    folder = tmp_path / "src"
    folder.mkdir()
    postings_csv.rename(folder / "jobs.csv")
    (folder / "notes.txt").write_text("mine")
    return folder


def _untouched(src: Path) -> bool:
    return sorted(p.name for p in src.iterdir()) == ["jobs.csv", "notes.txt"]


def _model_copy(tiny_model_dir: Path, where: Path) -> Path:
    import shutil

    shutil.copytree(tiny_model_dir, where)
    return where


@pytest.mark.parametrize("command", ["prepare", "train", "index", "run"])
@pytest.mark.parametrize(("out", "relation"), [("src", "contains"), ("src/jobs.csv", "is")])
def test_out_that_is_or_contains_an_input_is_refused(
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    tmp_path: Path,
    src: Path,
    command: str,
    out: str,
    relation: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    source = "src/jobs.csv"
    args = {
        "prepare": ["prepare", source, "--overwrite"],
        "train": ["train", "--data", source, "--overwrite"],
        "index": ["index", "--model", "m", "--corpus", source, "--overwrite"],
        "run": ["run", "--corpus", source],
    }[command]
    code, _, err = run_cli(monkeypatch, capsys, *args, "--out", out)
    assert code == 2
    assert err.startswith(f"error: output folder {out} {relation} the input {source}. Fix: ")
    assert err.count("\n") == 1 and _untouched(src)


def test_export_into_its_own_model_folder_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path, tiny_model_dir: Path
) -> None:
    pytest.importorskip("onnxruntime")
    model = _model_copy(tiny_model_dir, tmp_path / "onnx")  # OUT/onnx would be the model itself
    before = sorted(p.name for p in model.iterdir())
    code, _, err = run_cli(
        monkeypatch, capsys, "export", "--model", str(model), "--out", str(tmp_path), "--overwrite"
    )
    assert code == 2 and f"output folder {model} is the input {model}" in err
    assert sorted(p.name for p in model.iterdir()) == before


@pytest.mark.parametrize("command", ["prepare", "train", "index", "export", "run"])
def test_overwrite_refuses_a_folder_embedtune_did_not_write(
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    tmp_path: Path,
    src: Path,
    tiny_model_dir: Path,
    command: str,
) -> None:
    mine = tmp_path / "mine"
    target = mine / "onnx" if command == "export" else mine
    target.mkdir(parents=True)
    (target / "thesis.tex").write_text("years of work")
    corpus = str(src / "jobs.csv")
    args = {
        "prepare": ["prepare", corpus, "--overwrite"],
        "train": ["train", "--data", str(tmp_path / "d"), "--overwrite"],
        "index": ["index", "--model", "m", "--corpus", corpus, "--overwrite"],
        "export": ["export", "--model", str(tiny_model_dir), "--overwrite"],
        "run": ["run", "--corpus", corpus],  # run has no --overwrite: it never replaces the folder
    }[command]
    if command == "export":
        pytest.importorskip("onnxruntime")
    code, _, err = run_cli(monkeypatch, capsys, *args, "--out", str(mine))
    assert code == 2
    assert err.startswith(f"error: {target} was not written by embedtune (it has no .embedtune")
    assert (target / "thesis.tex").read_text() == "years of work"


def test_out_on_a_read_only_disk_is_refused_before_any_work(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path, postings_csv: Path
) -> None:
    from tests.test_io import unwritable_folder

    locked = unwritable_folder(tmp_path)
    out = locked / "o"
    code, _, err = run_cli(monkeypatch, capsys, "prepare", str(postings_csv), "--out", str(out))
    assert code == 2 and err.startswith(f"error: cannot write {out}: {locked} is not writable")
    assert err.count("\n") == 1
