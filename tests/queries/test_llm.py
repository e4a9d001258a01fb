"""The ``openai`` chat route against a fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, replace
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from tests.queries.fake_openai import FakeOpenAI, RecordingReporter, closed_port_url

from embedtune.errors import EmbedtuneError
from embedtune.queries import llm
from embedtune.queries.cache import AnswerCache, cache_key, default_cache_dir
from embedtune.queries.llm import LLMConfig, generate_llm_queries, plan_jobs, retry_after
from embedtune.queries.records import FailedRow, Posting, QueryRecord


def _by_posting(records: list[QueryRecord]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for record in records:
        found.setdefault(record.posting_id, []).append(record.query)
    return found


def _cache_files(config: LLMConfig) -> list[Path]:
    assert config.cache_dir is not None
    return sorted(config.cache_dir.glob("*/*.json"))


# --- happy path and retries --------------------------------------------------------------------


def test_happy_path_runs_concurrently_and_maps_answers(
    fake_openai: FakeOpenAI, llm_config: LLMConfig, postings: list[Posting]
) -> None:
    fake_openai.delay = 0.05
    reporter = RecordingReporter()
    result = generate_llm_queries(postings, replace(llm_config, concurrency=4), reporter=reporter)

    assert result.failed == []
    assert result.queries == [QueryRecord(p.id, f"{p.title} jobs") for p in postings]
    assert fake_openai.requests["chat"] == len(postings)
    assert 2 <= fake_openai.max_in_flight <= 4
    assert fake_openai.authorizations == {"Bearer sk-test"}
    assert reporter.tasks == [
        {"description": "asking gpt-4o-mini for queries", "total": 12, "done": 12}
    ]


def test_per_posting_two_queries_and_the_prompt_asks_for_two(
    fake_openai: FakeOpenAI, llm_config: LLMConfig, postings: list[Posting]
) -> None:
    result = generate_llm_queries(postings[:3], replace(llm_config, per_posting=2))
    assert _by_posting(result.queries) == {
        p.id: [f"{p.title} jobs", f"senior {p.title}"] for p in postings[:3]
    }
    assert all("write 2 search queries" in prompt for prompt in fake_openai.prompts)


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_transient_errors_are_retried(
    fake_openai: FakeOpenAI, llm_config: LLMConfig, postings: list[Posting], status: int
) -> None:
    fake_openai.fail_next(5, status=status)
    result = generate_llm_queries(postings, llm_config)
    assert result.failed == []
    assert len(result.queries) == len(postings)
    assert fake_openai.requests["chat"] == len(postings) + 5


def test_retry_after_header_is_honoured(
    fake_openai: FakeOpenAI,
    llm_config: LLMConfig,
    postings: list[Posting],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The wait before a retry is the server's Retry-After, not the client's own backoff."""
    delays: list[float] = []
    real = llm.Caller._after_status_error

    def spy(self: llm.Caller, err: Any, attempt: int, idempotent: bool) -> float:
        delays.append(real(self, err, attempt, idempotent))
        return 0.0  # recorded, not waited

    monkeypatch.setattr(llm.Caller, "_after_status_error", spy)
    fake_openai.retry_after = "0.3"
    fake_openai.fail_next(1, status=429)
    config = replace(llm_config, concurrency=1, backoff_base=30.0, backoff_max=60.0)
    result = generate_llm_queries(postings[:1], config)
    assert delays == [0.3]  # the backoff would wait 15 to 30 s
    assert len(result.queries) == 1


def test_retries_used_up_make_a_failed_row(
    fake_openai: FakeOpenAI, llm_config: LLMConfig, postings: list[Posting]
) -> None:
    fake_openai.fail_next(3, status=503)
    config = replace(llm_config, concurrency=1, max_retries=2)
    result = generate_llm_queries(postings[:2], config)
    assert [row.posting_id for row in result.failed] == ["p0"]
    assert result.failed[0].reason.startswith("gave up after 2 retries: HTTP 503")
    assert result.queries == [QueryRecord("p1", "Role 1 jobs")]
    assert len(_cache_files(config)) == 1


def test_retry_after_parsing() -> None:
    @dataclass
    class Response:
        headers: dict[str, str]

    @dataclass
    class Err:
        response: Response

    def parse(headers: dict[str, str]) -> float | None:
        return retry_after(Err(Response(headers)))

    assert parse({"retry-after": "2"}) == 2.0
    assert parse({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert parse({"retry-after": "soon"}) is None
    assert parse({}) is None
    later = format_datetime(__import__("datetime").datetime.now(__import__("datetime").UTC))
    assert parse({"retry-after": later}) == pytest.approx(0.0, abs=1.5)


# --- fatal errors ------------------------------------------------------------------------------


def test_401_fails_fast_with_a_clear_message(
    fake_openai: FakeOpenAI, llm_config: LLMConfig, postings: list[Posting]
) -> None:
    fake_openai.status = 401
    with pytest.raises(EmbedtuneError) as info:
        generate_llm_queries(postings, replace(llm_config, concurrency=1))
    message = str(info.value)
    assert "refused the API key" in message and "HTTP 401" in message
    assert "OPENAI_API_KEY" in message and "--queries offline" in message
    assert fake_openai.requests["chat"] == 1


def test_unknown_model_404_is_fatal(
    fake_openai: FakeOpenAI, llm_config: LLMConfig, postings: list[Posting]
) -> None:
    fake_openai.status = 404
    with pytest.raises(EmbedtuneError, match="--llm-model"):
        generate_llm_queries(postings, replace(llm_config, concurrency=1, model="gtp-4o"))
    assert fake_openai.requests["chat"] == 1


def test_no_quota_429_is_fatal_not_retried(
    fake_openai: FakeOpenAI, llm_config: LLMConfig, postings: list[Posting]
) -> None:
    fake_openai.error_code = "insufficient_quota"
    fake_openai.fail_next(1, status=429)
    with pytest.raises(EmbedtuneError, match="no quota left"):
        generate_llm_queries(postings[:1], llm_config)
    assert fake_openai.requests["chat"] == 1


def test_unreachable_endpoint_names_the_offline_route(
    llm_config: LLMConfig, postings: list[Posting]
) -> None:
    # Six retries of this backoff would wait 6 s or more; before any answer arrived, a connection
    # error is retried only UNREACHED_RETRIES (2) times, so the error comes in well under a second.
    config = replace(
        llm_config, base_url=closed_port_url(), max_retries=6, backoff_base=0.2, backoff_max=10
    )
    assert config.max_retries > llm.UNREACHED_RETRIES
    with pytest.raises(EmbedtuneError) as info:
        generate_llm_queries(postings, config)
    message = str(info.value)
    assert f"is unreachable after {llm.UNREACHED_RETRIES + 1} attempts" in message
    assert "is unreachable" in message and "127.0.0.1" in message
    assert "--queries offline" in message and "--llm-base-url" in message


def test_no_key_and_no_base_url_is_a_clear_error(postings: list[Posting], tmp_path: Path) -> None:
    config = LLMConfig(cache_dir=tmp_path / "cache")
    with pytest.raises(EmbedtuneError) as info:
        generate_llm_queries(postings, config)
    message = str(info.value)
    assert "OPENAI_API_KEY is not set" in message
    assert "--llm-base-url" in message and "--queries offline" in message


def test_custom_base_url_needs_no_key(
    fake_openai: FakeOpenAI, llm_config: LLMConfig, postings: list[Posting]
) -> None:
    result = generate_llm_queries(postings[:2], replace(llm_config, api_key=None))
    assert len(result.queries) == 2
    assert fake_openai.authorizations == {"Bearer not-needed"}


def test_key_and_base_url_come_from_the_environment(
    fake_openai: FakeOpenAI,
    llm_config: LLMConfig,
    postings: list[Posting],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.url)
    result = generate_llm_queries(postings[:2], replace(llm_config, api_key=None, base_url=None))
    assert len(result.queries) == 2
    assert fake_openai.authorizations == {"Bearer sk-from-env"}


def test_missing_openai_package_says_how_to_install(
    llm_config: LLMConfig, postings: list[Posting], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openai", None)
    with pytest.raises(EmbedtuneError, match=r"pip install 'embedtune\[llm\]'"):
        generate_llm_queries(postings, llm_config)


def test_importing_the_routes_does_not_import_openai() -> None:
    code = (
        "import sys, embedtune.queries.llm, embedtune.queries.batch, embedtune.queries.answers;"
        "print('openai' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- garbage answers, cache and crashes --------------------------------------------------------


def test_garbage_answers_become_failed_rows_and_are_asked_again(
    fake_openai: FakeOpenAI, llm_config: LLMConfig, postings: list[Posting]
) -> None:
    fake_openai.garbage = {
        "Job title: Role 3\n": "",
        "Job title: Role 5\n": "I'm sorry, but I can't help with that.",
        "Job title: Role 7\n": '{"error": null}',
    }
    result = generate_llm_queries(postings, llm_config)

    assert result.failed == [
        FailedRow("p3", "empty answer", ""),
        FailedRow("p5", "refusal", "I'm sorry, but I can't help with that."),
        FailedRow("p7", "no query-like line in the answer", '{"error": null}'),
    ]
    assert [q.posting_id for q in result.queries] == [
        p.id for p in postings if p.id not in {"p3", "p5", "p7"}
    ]
    assert len(_cache_files(llm_config)) == 9

    fake_openai.garbage = {}
    fake_openai.prompts.clear()
    rerun = generate_llm_queries(postings, llm_config)
    assert rerun.failed == []
    assert len(rerun.queries) == 12
    assert sorted(p.split("Job title: ")[1].split("\n")[0] for p in fake_openai.prompts) == [
        "Role 3",
        "Role 5",
        "Role 7",
    ]


def test_rerun_is_answered_from_the_cache_without_requests(
    fake_openai: FakeOpenAI, llm_config: LLMConfig, postings: list[Posting]
) -> None:
    first = generate_llm_queries(postings, llm_config)
    assert fake_openai.requests["chat"] == 12
    # no server, no key: everything comes from the cache
    offline = replace(llm_config, base_url=closed_port_url(), api_key=None)
    assert generate_llm_queries(postings, offline) == first
    assert generate_llm_queries(postings, llm_config) == first
    assert fake_openai.requests["chat"] == 12


@pytest.mark.parametrize(
    "change",
    [
        {"model": "gpt-4.1-nano"},
        {"per_posting": 2},
        {"prompt_template": "Queries ({n}) for Job title: {title}\n{text}"},
    ],
)
def test_cache_key_covers_model_template_and_n(
    fake_openai: FakeOpenAI, llm_config: LLMConfig, postings: list[Posting], change: dict[str, Any]
) -> None:
    generate_llm_queries(postings[:2], llm_config)
    generate_llm_queries(postings[:2], replace(llm_config, **change))
    assert fake_openai.requests["chat"] == 4


def test_identical_prompts_are_asked_once(fake_openai: FakeOpenAI, llm_config: LLMConfig) -> None:
    twins = [Posting("a", "Nurse", "ICU"), Posting("b", "Nurse", "ICU")]
    result = generate_llm_queries(twins, llm_config)
    assert result.queries == [QueryRecord("a", "Nurse jobs"), QueryRecord("b", "Nurse jobs")]
    assert fake_openai.requests["chat"] == 1


def test_crash_mid_run_then_rerun_asks_only_for_the_missing(
    fake_openai: FakeOpenAI, llm_config: LLMConfig, postings: list[Posting]
) -> None:
    fake_openai.drop_after = 5  # the server dies after five answers
    with pytest.raises(EmbedtuneError, match="unreachable"):
        generate_llm_queries(postings, replace(llm_config, concurrency=3))
    assert len(_cache_files(llm_config)) == 5

    fake_openai.drop_after = None
    fake_openai.prompts.clear()
    result = generate_llm_queries(postings, llm_config)
    assert result.failed == []
    assert result.queries == [QueryRecord(p.id, f"{p.title} jobs") for p in postings]
    assert len(fake_openai.prompts) == 7


def test_answer_cache_roundtrip_and_damaged_entries(tmp_path: Path) -> None:
    cache = AnswerCache(tmp_path / "c")
    key = cache_key("m", "{text}", "prompt", 1)
    assert cache.get(key) is None and key not in cache
    cache.put(key, "nurse Berlin", model="m")
    assert cache.get(key) == "nurse Berlin" and key in cache
    entry = json.loads(cache.path(key).read_text(encoding="utf-8"))
    assert entry["model"] == "m" and entry["key"] == key
    assert [p.name for p in cache.path(key).parent.iterdir()] == [f"{key}.json"]  # no temp files
    cache.path(key).write_text('{"raw": ', encoding="utf-8")  # a torn write from elsewhere
    assert cache.get(key) is None
    assert cache_key("m", "{text}", "prompt", 2) != key


def test_default_cache_dir_follows_embedtune_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EMBEDTUNE_CACHE", str(tmp_path / "x"))
    assert default_cache_dir() == tmp_path / "x" / "llm"
    assert LLMConfig().resolved_cache_dir == tmp_path / "x" / "llm"
    monkeypatch.delenv("EMBEDTUNE_CACHE")
    assert default_cache_dir() == Path.home() / ".cache" / "embedtune" / "llm"


# --- configuration -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": " "}, "empty --llm-model"),
        ({"base_url": "localhost:8000/v1"}, "not an http"),
        ({"prompt_template": "{title} {company} {text}"}, "unknown fields"),
        ({"prompt_template": "{title}"}, r"never uses \{text\}"),
        ({"per_posting": 0}, "invalid per_posting: 0"),
        ({"concurrency": 0}, "invalid concurrency: 0"),
        ({"max_retries": -1}, "invalid max_retries: -1"),
        ({"max_words": 0}, "invalid max_words: 0"),
        ({"timeout": 0}, "invalid timeout"),
        ({"temperature": 2.5}, "invalid temperature"),
        ({"temperature": -0.1}, "invalid temperature"),
        ({"backoff_base": 2.0, "backoff_max": 1.0}, "invalid backoff"),
        ({"backoff_base": -1.0}, "invalid backoff"),
    ],
)
def test_config_checks(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(EmbedtuneError, match=message):
        LLMConfig(**kwargs)


def test_config_hides_the_key_and_normalises_the_cache_dir(tmp_path: Path) -> None:
    config = LLMConfig(api_key="sk-secret", cache_dir=str(tmp_path))  # type: ignore[arg-type]
    assert config.cache_dir == tmp_path
    assert "sk-secret" not in repr(config)
    data = config.to_dict()
    assert "api_key" not in data and data["cache_dir"] == str(tmp_path)
    json.dumps(data)


def test_duplicate_posting_ids_are_rejected(llm_config: LLMConfig) -> None:
    twins = [Posting("a", "Nurse", "ICU"), Posting("a", "Cook", "Kitchen")]
    with pytest.raises(EmbedtuneError, match="'a' appears more than once"):
        plan_jobs(twins, llm_config)


def test_no_postings_sends_nothing(fake_openai: FakeOpenAI, llm_config: LLMConfig) -> None:
    result = generate_llm_queries([], llm_config)
    assert result.queries == [] and result.failed == []
    assert sum(fake_openai.requests.values()) == 0
