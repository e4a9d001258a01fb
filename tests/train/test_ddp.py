"""Data-parallel training: two CPU processes on the gloo backend, launched with torchrun."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import json, os, sys
from pathlib import Path
from embedtune.train import TrainConfig, train

data, model, out, report = sys.argv[1:5]
result = train(TrainConfig(data=Path(data), model=model, out=Path(out), batch_size=4,
                           eval_steps=3, save_steps=3, seed=5))
rank = int(os.environ["RANK"])
Path(report, f"rank{rank}.json").write_text(json.dumps(result.to_dict()))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_two_processes_train_one_model(
    prepared_dir: Path, tiny_model_dir: Path, tmp_path: Path
) -> None:
    script = tmp_path / "ddp_train.py"
    script.write_text(SCRIPT)
    out, report = tmp_path / "model", tmp_path / "report"
    report.mkdir()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node",
        "2",
        "--master_addr",
        "127.0.0.1",
        "--master_port",
        str(_free_port()),
        str(script),
        str(prepared_dir),
        str(tiny_model_dir),
        str(out),
        str(report),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=150)
    assert proc.returncode == 0, proc.stderr[-3000:]
    ranks = [json.loads((report / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert [r["world_size"] for r in ranks] == [2, 2]
    # 48 rows in batches of 4: 12 batches shared by 2 processes is 6 steps each (one process
    # alone would take 12), so both trained, on different batches
    assert [r["global_step"] for r in ranks] == [6, 6]
    assert ranks[0]["out"] == str(out) and ranks[1]["out"] is None
    saved = [p.name for p in tmp_path.iterdir() if p.name not in (script.name, "report")]
    assert saved == ["model"]  # exactly one model; no checkpoints or temp folders left
    state = json.loads((out / "trainer_state.json").read_text())
    assert [e["step"] for e in state["log_history"] if "loss" in e] == [1, 3, 6]
