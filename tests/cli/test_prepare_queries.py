"""`embedtune prepare` with queries and negatives: the LLM route over real HTTP, and bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.cli.test_main import run_cli
from tests.queries.conftest import ENV_CLEARED
from tests.queries.fake_openai import FakeOpenAI


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ENV_CLEARED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("EMBEDTUNE_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def jobs_csv(tmp_path: Path) -> Path:
    rows = [
        {
            "title": f"Role {i}",
            "description": f"Role {i} builds system {i} with tool{i % 7} and method{i % 5}. "
            f"Ticket {i * 17} covers area{i % 3}.",
        }
        for i in range(40)
    ]
    path = tmp_path / "jobs.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_openai_route_end_to_end(
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    fake: FakeOpenAI,
    jobs_csv: Path,
    tmp_path: Path,
    tiny_model_dir: Path,
) -> None:
    fake.garbage = {"Job title: Role 7\n": "I'm sorry, but I can't help with that."}
    fake.fail_next(2, status=429)
    out = tmp_path / "o"
    args = ["prepare", str(jobs_csv), "--out", str(out), "--model", str(tiny_model_dir)]
    args += ["--llm-base-url", fake.url, "--negatives", "least-similar", "--json"]
    code, stdout, _ = run_cli(monkeypatch, capsys, *args)
    assert code == 0
    report = json.loads(stdout)
    assert report["queries"]["source"] == "openai"  # --llm-base-url selects the LLM route
    assert report["queries"]["failed"] == 1
    failed = [json.loads(line) for line in (out / "failed_queries.jsonl").read_text().splitlines()]
    assert len(failed) == 1 and "sorry" in failed[0]["raw"]
    queries = pd.read_parquet(out / "queries.parquet")
    assert len(queries) == 39  # one query per posting, the refused one skipped
    assert queries["query"].str.endswith(" jobs").all()  # the cleaned first line of each answer
    assert not queries["query"].str.contains('"').any()
    # a rerun is answered from the cache: no request reaches the server
    before = fake.requests["chat"]
    code, _, _ = run_cli(monkeypatch, capsys, *args, "--overwrite")
    assert code == 0 and fake.requests["chat"] - before == 1  # only the refused row is asked again


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--queries", "openai"], "no OpenAI API key"),
        (["--queries", "column:search"], "no column 'search'"),
        (["--queries", "claude"], "invalid --queries"),
        (["--negatives", "random"], "unknown negatives method"),
        (["--num-negatives", "0"], "below 1"),
        (["--round-trip-k", "0"], "must be at least 1"),
    ],
)
def test_bad_query_and_negative_flags(
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    jobs_csv: Path,
    tmp_path: Path,
    tiny_model_dir: Path,
    args: list[str],
    message: str,
) -> None:
    out = tmp_path / "o"
    code, _, err = run_cli(
        monkeypatch,
        capsys,
        "prepare",
        str(jobs_csv),
        "--out",
        str(out),
        "--model",
        str(tiny_model_dir),
        *args,
    )
    assert code == 2 and message in err, err
    assert err.count("\n") == 1 and not out.exists()
    if args[:2] == ["--queries", "openai"]:
        assert "--queries offline" in err  # the error names the route that needs no LLM


def test_batch_route_estimates_asks_and_maps_answers_back(
    fake: FakeOpenAI, jobs_csv: Path, tmp_path: Path, tiny_model_dir: Path
) -> None:
    from embedtune.data.config import PrepareConfig
    from embedtune.data.postings import stable_ids
    from embedtune.errors import EmbedtuneError
    from embedtune.negatives.mining import NegativeConfig
    from embedtune.prepare import prepare
    from embedtune.queries.config import QueryConfig

    config = PrepareConfig(source=str(jobs_csv), out=tmp_path / "o", model=str(tiny_model_dir))
    queries = QueryConfig(source="openai-batch", llm_base_url=fake.url, batch_poll_seconds=0)
    seen = []

    def decline(estimate: object) -> bool:
        seen.append(estimate)
        return False

    with pytest.raises(EmbedtuneError):
        prepare(config, queries, NegativeConfig(method="none"), confirm=decline)
    assert len(seen) == 1 and fake.requests["batches.create"] == 0  # nothing sent, nothing paid
    assert not config.out.exists()

    raw = pd.read_csv(jobs_csv)
    ids = stable_ids(raw["title"].tolist(), raw["description"].tolist())
    fake.batch_fail_ids = {ids[3]}
    data = prepare(
        config,
        QueryConfig(source="openai-batch", llm_base_url=fake.url, batch_poll_seconds=0, yes=True),
        NegativeConfig(method="none"),
    )
    assert fake.requests["batches.create"] == 1
    assert [f.posting_id for f in data.failed] == [ids[3]]  # the failed line is reported
    assert len(data.queries) == 39 and ids[3] not in set(data.queries["posting_id"])
    by_posting = dict(zip(data.queries["posting_id"], data.queries["query"], strict=True))
    titles = pd.read_parquet(config.out / "parquet" / "train.parquet").set_index("id")["title"]
    for pid, title in titles.items():
        if pid in by_posting:
            assert by_posting[pid] == f"{title} jobs"  # each answer went back to its posting
