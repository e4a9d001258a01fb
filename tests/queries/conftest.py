"""Fixtures for the query generators: a fake OpenAI server, fast LLM settings, a few postings.

Every test here runs without OpenAI credentials or proxies from the environment and talks only
to 127.0.0.1; ``llm_config`` keeps the answer cache in the test's temporary folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.queries.fake_openai import FakeOpenAI

from embedtune.queries.llm import LLMConfig
from embedtune.queries.records import Posting

ENV_CLEARED = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_CLEARED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A started fake OpenAI-compatible server on 127.0.0.1 (stopped after the test)."""
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def llm_config(fake_openai: FakeOpenAI, tmp_path: Path) -> LLMConfig:
    """Settings pointing at the fake server, with millisecond backoff and a private cache."""
    return LLMConfig(
        base_url=fake_openai.url,
        api_key="sk-test",
        cache_dir=tmp_path / "llm-cache",
        max_retries=4,
        timeout=5.0,
        backoff_base=0.001,
        backoff_max=0.01,
    )


@pytest.fixture
def postings() -> list[Posting]:
    """Twelve postings whose titles ``Role 0`` ... ``Role 11`` the fake server echoes back."""
    return [
        Posting(id=f"p{i}", title=f"Role {i}", text=f"We hire for role {i}. Python, SQL.")
        for i in range(12)
    ]
