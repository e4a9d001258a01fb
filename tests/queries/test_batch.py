"""The ``openai-batch`` route against a fake OpenAI Batch API on 127.0.0.1."""

from __future__ import annotations

import json
import math
import sys
import types
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tests.queries.fake_openai import FakeOpenAI, RecordingReporter

from embedtune.errors import EmbedtuneError
from embedtune.queries import batch as batch_module
from embedtune.queries.batch import (
    DEFAULT_PRICES,
    CostEstimate,
    estimate_batch_cost,
    generate_batch_queries,
    load_prices,
    parse_result_lines,
)
from embedtune.queries.llm import LLMConfig, generate_llm_queries, plan_jobs
from embedtune.queries.records import FailedRow, Posting, QueryRecord

POLL = 0.001


def _never(estimate: CostEstimate) -> bool:
    raise AssertionError(f"confirm must not be called ({estimate})")


def _state(state_dir: Path) -> dict[str, Any]:
    state: dict[str, Any] = json.loads((state_dir / "batch.json").read_text(encoding="utf-8"))
    return state


@pytest.fixture
def no_tiktoken(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import tiktoken`` fail, so token counts use the chars/4 rule."""
    monkeypatch.setitem(sys.modules, "tiktoken", None)


def test_happy_path(
    fake_openai: FakeOpenAI, llm_config: LLMConfig, postings: list[Posting], tmp_path: Path
) -> None:
    state_dir = tmp_path / "state"
    reporter = RecordingReporter()
    result = generate_batch_queries(
        postings[:6],
        llm_config,
        state_dir=state_dir,
        yes=True,
        poll_interval=POLL,
        reporter=reporter,
    )

    assert result.failed == []
    assert result.queries == [QueryRecord(p.id, f"{p.title} jobs") for p in postings[:6]]
    assert fake_openai.requests == {
        "files.create": 1,
        "batches.create": 1,
        "batches.retrieve": 2,
        "files.content": 1,
    }
    (batch,) = fake_openai.batches.values()
    assert batch["completion_window"] == "24h"
    assert batch["endpoint"] == "/v1/chat/completions"
    lines = [json.loads(line) for line in fake_openai.files[batch["input_file_id"]].splitlines()]
    assert [line["custom_id"] for line in lines] == [p.id for p in postings[:6]]
    assert {(line["method"], line["url"], line["body"]["model"]) for line in lines} == {
        ("POST", "/v1/chat/completions", "gpt-4o-mini")
    }
    assert "Job title: Role 0" in lines[0]["body"]["messages"][0]["content"]
    state = _state(state_dir)
    assert state["batch_id"] == batch["id"] and state["collected"] is True
    assert state["status"] == "completed"
    assert "api_key" not in state["config"]
    assert (state_dir / "requests.jsonl").read_bytes() == fake_openai.files[batch["input_file_id"]]
    assert (state_dir / "output.jsonl").exists()
    assert reporter.tasks == [{"description": f"batch {batch['id']}", "total": 6, "done": 6}]


def test_failed_lines_are_reported_and_resubmitted_next_time(
    fake_openai: FakeOpenAI, llm_config: LLMConfig, postings: list[Posting], tmp_path: Path
) -> None:
    state_dir = tmp_path / "state"
    fake_openai.batch_fail_ids = {"p1", "p4"}
    fake_openai.garbage = {"Job title: Role 2\n": "I'm sorry, I can't help with that."}
    result = generate_batch_queries(
        postings[:6], llm_config, state_dir=state_dir, yes=True, poll_interval=POLL
    )
    assert [q.posting_id for q in result.queries] == ["p0", "p3", "p5"]
    reasons = {row.posting_id: row.reason for row in result.failed}
    assert reasons["p2"] == "refusal"
    assert reasons["p1"].startswith("HTTP 500") and reasons["p4"].startswith("HTTP 500")
    assert [row.posting_id for row in result.failed] == ["p1", "p2", "p4"]
    first_batch = _state(state_dir)["batch_id"]

    fake_openai.batch_fail_ids = set()
    fake_openai.garbage = {}
    again = generate_batch_queries(
        postings[:6], llm_config, state_dir=state_dir, yes=True, poll_interval=POLL
    )
    assert again.failed == []
    assert len(again.queries) == 6
    state = _state(state_dir)
    assert state["previous"] == [first_batch]
    assert sorted(state["requests"]) == ["p1", "p2", "p4"]
    assert fake_openai.requests["batches.create"] == 2


def test_resume_after_a_crash_does_not_create_a_second_batch(
    fake_openai: FakeOpenAI, llm_config: LLMConfig, postings: list[Posting], tmp_path: Path
) -> None:
    state_dir = tmp_path / "state"
    fake_openai.poll_status = 401  # polling dies after the batch was created
    with pytest.raises(EmbedtuneError) as info:
        generate_batch_queries(
            postings[:6], llm_config, state_dir=state_dir, yes=True, poll_interval=POLL
        )
    state = _state(state_dir)
    assert state["collected"] is False
    assert f"batch {state['batch_id']} is saved in {state_dir / 'batch.json'}" in str(info.value)

    fake_openai.poll_status = None
    result = generate_batch_queries(
        postings[:6], llm_config, state_dir=state_dir, confirm=_never, poll_interval=POLL
    )
    assert len(result.queries) == 6 and result.failed == []
    assert fake_openai.requests["batches.create"] == 1
    assert fake_openai.requests["files.create"] == 1
    assert _state(state_dir)["collected"] is True

    # collected: a third call finds everything cached and sends nothing
    before = sum(fake_openai.requests.values())
    assert generate_batch_queries(postings[:6], llm_config, state_dir=state_dir) == result
    assert sum(fake_openai.requests.values()) == before


def test_resume_reports_postings_outside_the_saved_batch(
    fake_openai: FakeOpenAI, llm_config: LLMConfig, postings: list[Posting], tmp_path: Path
) -> None:
    state_dir = tmp_path / "state"
    fake_openai.poll_status = 503
    config = replace(llm_config, max_retries=1)
    with pytest.raises(EmbedtuneError, match="call again with that folder"):
        generate_batch_queries(
            postings[:3], config, state_dir=state_dir, yes=True, poll_interval=POLL
        )
    fake_openai.poll_status = None
    result = generate_batch_queries(postings[:4], config, state_dir=state_dir, poll_interval=POLL)
    assert len(result.queries) == 3
    batch_id = _state(state_dir)["batch_id"]
    assert result.failed == [FailedRow("p3", f"not in batch {batch_id}: call again to send it")]
    assert fake_openai.requests["batches.create"] == 1


def test_a_running_batch_for_other_postings_is_not_mixed_up(
    fake_openai: FakeOpenAI, llm_config: LLMConfig, postings: list[Posting], tmp_path: Path
) -> None:
    state_dir = tmp_path / "state"
    fake_openai.poll_status = 401
    with pytest.raises(EmbedtuneError):
        generate_batch_queries(
            postings[:3], llm_config, state_dir=state_dir, yes=True, poll_interval=POLL
        )
    with pytest.raises(EmbedtuneError, match="made for other postings or settings"):
        generate_batch_queries(postings[6:], llm_config, state_dir=state_dir, yes=True)


def test_a_failed_batch_is_an_error_and_the_next_call_submits_again(
    fake_openai: FakeOpenAI, llm_config: LLMConfig, postings: list[Posting], tmp_path: Path
) -> None:
    state_dir = tmp_path / "state"
    fake_openai.batch_final_status = "failed"
    with pytest.raises(EmbedtuneError, match="invalid_request: bad input file"):
        generate_batch_queries(
            postings[:3], llm_config, state_dir=state_dir, yes=True, poll_interval=POLL
        )
    fake_openai.batch_final_status = "completed"
    result = generate_batch_queries(
        postings[:3], llm_config, state_dir=state_dir, yes=True, poll_interval=POLL
    )
    assert len(result.queries) == 3
    assert fake_openai.requests["batches.create"] == 2


# --- cost and confirmation ---------------------------------------------------------------------


def test_declined_estimate_sends_nothing(
    fake_openai: FakeOpenAI,
    llm_config: LLMConfig,
    postings: list[Posting],
    tmp_path: Path,
    no_tiktoken: None,
) -> None:
    seen: list[CostEstimate] = []

    def decline(estimate: CostEstimate) -> bool:
        seen.append(estimate)
        return False

    state_dir = tmp_path / "state"
    with pytest.raises(EmbedtuneError) as info:
        generate_batch_queries(postings, llm_config, state_dir=state_dir, confirm=decline)
    assert "nothing was sent" in str(info.value)
    assert "declined" in str(info.value)
    assert sum(fake_openai.requests.values()) == 0
    assert not (state_dir / "batch.json").exists()
    (estimate,) = seen
    assert estimate == estimate_batch_cost(postings, llm_config)
    assert estimate.requests == 12 and estimate.method == "chars/4"


def test_no_confirm_and_no_yes_sends_nothing(
    fake_openai: FakeOpenAI, llm_config: LLMConfig, postings: list[Posting], tmp_path: Path
) -> None:
    with pytest.raises(EmbedtuneError, match=r"nothing was sent.*--yes"):
        generate_batch_queries(postings, llm_config, state_dir=tmp_path / "state")
    assert sum(fake_openai.requests.values()) == 0


def test_yes_skips_confirm_and_accepting_submits(
    fake_openai: FakeOpenAI, llm_config: LLMConfig, postings: list[Posting], tmp_path: Path
) -> None:
    result = generate_batch_queries(
        postings[:2],
        llm_config,
        state_dir=tmp_path / "a",
        confirm=_never,
        yes=True,
        poll_interval=POLL,
    )
    assert len(result.queries) == 2
    accepted = generate_batch_queries(
        postings[2:4],
        llm_config,
        state_dir=tmp_path / "b",
        confirm=lambda e: True,
        poll_interval=POLL,
    )
    assert len(accepted.queries) == 2
    assert fake_openai.requests["batches.create"] == 2


def test_cached_answers_are_not_sent_again(
    fake_openai: FakeOpenAI, llm_config: LLMConfig, postings: list[Posting], tmp_path: Path
) -> None:
    generate_llm_queries(postings[:3], llm_config)  # the chat route fills the same cache
    estimate = estimate_batch_cost(postings[:6], llm_config)
    assert (estimate.requests, estimate.cached) == (3, 3)
    result = generate_batch_queries(
        postings[:6], llm_config, state_dir=tmp_path / "state", yes=True, poll_interval=POLL
    )
    assert len(result.queries) == 6
    (batch,) = fake_openai.batches.values()
    lines = fake_openai.files[batch["input_file_id"]].decode().splitlines()
    assert [json.loads(line)["custom_id"] for line in lines] == ["p3", "p4", "p5"]

    before = sum(fake_openai.requests.values())
    rerun = generate_batch_queries(postings[:6], llm_config, state_dir=tmp_path / "other")
    assert rerun == result
    assert sum(fake_openai.requests.values()) == before


def test_estimate_matches_hand_computation(
    llm_config: LLMConfig, postings: list[Posting], no_tiktoken: None
) -> None:
    config = replace(llm_config, per_posting=3)
    prompts = [job.prompt for job in plan_jobs(postings[:4], config)]
    input_tokens = sum(math.ceil(len(p) / 4) + 7 for p in prompts)
    output_tokens = 4 * 3 * 20
    estimate = estimate_batch_cost(postings[:4], config)
    assert estimate == CostEstimate(
        model="gpt-4o-mini",
        requests=4,
        cached=0,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        usd=pytest.approx((input_tokens * 0.15 + output_tokens * 0.60) * 0.5 / 1e6),  # type: ignore[arg-type]
        method="chars/4",
    )
    assert "4 requests to gpt-4o-mini" in estimate.describe()
    assert "at batch prices" in estimate.describe()


def test_estimate_uses_tiktoken_when_installed(
    llm_config: LLMConfig, postings: list[Posting], monkeypatch: pytest.MonkeyPatch
) -> None:
    class OneTokenPerWord:
        def encode(self, text: str, disallowed_special: object = ()) -> list[str]:
            return text.split()

    fake = types.ModuleType("tiktoken")
    fake.encoding_for_model = lambda model: OneTokenPerWord()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tiktoken", fake)
    estimate = estimate_batch_cost(postings[:2], llm_config)
    prompts = [job.prompt for job in plan_jobs(postings[:2], llm_config)]
    assert estimate.method == "tiktoken"
    assert estimate.input_tokens == sum(len(p.split()) + 7 for p in prompts)


@pytest.mark.parametrize(
    ("model", "prices", "expected"),
    [
        ("gpt-4o", None, DEFAULT_PRICES["gpt-4o"]),
        ("gpt-4.1-nano", None, DEFAULT_PRICES["gpt-4.1-nano"]),
        ("gpt-4o-mini-2024-07-18", None, DEFAULT_PRICES["gpt-4o-mini"]),
        ("gpt-4o-mini", {"gpt-4o-mini": (1.0, 2.0)}, (1.0, 2.0)),
        ("my-model", {"my-model": (4.0, 8.0)}, (4.0, 8.0)),
        ("llama3", None, None),
    ],
)
def test_prices_and_overrides(
    llm_config: LLMConfig,
    postings: list[Posting],
    no_tiktoken: None,
    model: str,
    prices: dict[str, tuple[float, float]] | None,
    expected: tuple[float, float] | None,
) -> None:
    estimate = estimate_batch_cost(postings[:2], replace(llm_config, model=model), prices=prices)
    if expected is None:
        assert estimate.usd is None
        assert "unknown price" in estimate.describe()
    else:
        usd = (estimate.input_tokens * expected[0] + estimate.output_tokens * expected[1]) / 2e6
        assert estimate.usd == pytest.approx(usd)


def test_load_prices(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"a": [0.1, 0.2], "b": {"input": 1, "output": 3}}), encoding="utf-8")
    assert load_prices(path) == {"a": (0.1, 0.2), "b": (1.0, 3.0)}
    for bad in ({"a": [1]}, {"a": "cheap"}, {"a": [-1, 2]}, [1, 2]):
        path.write_text(json.dumps(bad), encoding="utf-8")
        with pytest.raises(EmbedtuneError, match="prices"):
            load_prices(path)
    with pytest.raises(EmbedtuneError, match="cannot read prices"):
        load_prices(tmp_path / "missing.json")


def test_too_many_requests_for_one_batch(
    fake_openai: FakeOpenAI,
    llm_config: LLMConfig,
    postings: list[Posting],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(batch_module, "MAX_BATCH_REQUESTS", 5)
    with pytest.raises(EmbedtuneError, match="exceed the Batch API's 5 per batch"):
        generate_batch_queries(postings, llm_config, state_dir=tmp_path / "s", yes=True)
    assert sum(fake_openai.requests.values()) == 0


def test_negative_poll_interval_is_rejected(llm_config: LLMConfig, tmp_path: Path) -> None:
    with pytest.raises(EmbedtuneError, match="invalid poll interval"):
        generate_batch_queries([], llm_config, state_dir=tmp_path, poll_interval=-1)


def test_result_lines_keep_unicode_line_separators() -> None:
    # The output file is JSON Lines; an answer holding a raw U+2028 or NEL is one line.
    body = {"choices": [{"message": {"content": "nurse\u2028icu\x85nights"}}]}
    line = {"custom_id": "7", "response": {"status_code": 200, "body": body}, "error": None}
    text = "\ufeff" + json.dumps(line, ensure_ascii=False) + "\r\n"
    assert parse_result_lines(text) == ({"7": "nurse\u2028icu\x85nights"}, {})
