"""Search queries from an LLM behind any OpenAI-compatible chat endpoint (``--queries openai``).

One file on purpose (about 500 lines): the client, its retry policy and the cache writes are one
loop; the answer parsing is in :mod:`embedtune.queries.answers`.

OpenAI, Azure OpenAI (its ``/openai/v1/`` URL), vLLM, Ollama and the llama.cpp server all speak
the chat-completions protocol; the official ``openai`` client talks to each of them given a base
URL. The client is imported only here, when this route runs (``pip install 'embedtune[llm]'``).

For each posting the prompt template is rendered and looked up in the on-disk answer cache; the
misses are sent ``concurrency`` at a time, each retried with exponential backoff and jitter on
HTTP 429, 5xx and connection errors (a ``Retry-After`` header is honoured). Every usable answer is
cached the moment it arrives, so a rerun after a crash asks only for what is still missing.
Answers that hold no usable query (empty, a refusal, JSON junk) become :class:`FailedRow` s and
are not cached, so the next run asks for exactly those again.

>>> cfg = LLMConfig(model="llama3.1", base_url="http://localhost:11434/v1", per_posting=2)
>>> generate_llm_queries([Posting("1", "ICU Nurse", "Nights, Berlin")], cfg).queries  # doctest: +SKIP
[QueryRecord(posting_id='1', query='ICU nurse night shifts Berlin'), ...]
"""

from __future__ import annotations

import email.utils
import os
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from embedtune.errors import EmbedtuneError
from embedtune.progress import NullReporter, Reporter
from embedtune.queries.answers import parse_answer
from embedtune.queries.cache import AnswerCache, cache_key, default_cache_dir
from embedtune.queries.prompt import DEFAULT_PROMPT, check_template, render_prompt
from embedtune.queries.records import FailedRow, Posting, QueryRecord, QueryResult

if TYPE_CHECKING:
    from openai import OpenAI

__all__ = [
    "KEYLESS_PLACEHOLDER",
    "OFFLINE_HINT",
    "LLMConfig",
    "PromptJob",
    "assemble_result",
    "generate_llm_queries",
    "import_openai",
    "make_client",
    "plan_jobs",
]

T = TypeVar("T")

OFFLINE_HINT = "or use --queries offline, which needs no LLM"
KEYLESS_PLACEHOLDER = "not-needed"
RETRY_AFTER_CAP = 600.0
UNREACHED_RETRIES = 2
RETRY_STATUSES = frozenset({408, 409, 429})


@dataclass(frozen=True)
class LLMConfig:
    """How to reach the LLM and what to ask it; checked on construction.

    ``backoff_base`` and ``backoff_max`` (seconds) shape the retry delays: attempt ``k`` waits
    ``min(backoff_max, backoff_base * 2**k)`` times a random factor in [0.5, 1], unless the server
    sent ``Retry-After``. Tests set ``backoff_base`` to a few milliseconds.
    """

    model: str = "gpt-4o-mini"
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    prompt_template: str = DEFAULT_PROMPT
    per_posting: int = 1
    concurrency: int = 8
    max_retries: int = 6
    timeout: float = 60.0
    temperature: float = 0.7
    max_words: int = 16
    cache_dir: Path | None = None
    backoff_base: float = 1.0
    backoff_max: float = 60.0

    def __post_init__(self) -> None:
        if not self.model.strip():
            raise EmbedtuneError("empty --llm-model", fix="name a model, e.g. gpt-4o-mini")
        if self.base_url is not None and not self.base_url.startswith(("http://", "https://")):
            raise EmbedtuneError(
                f"--llm-base-url {self.base_url!r} is not an http(s) URL",
                fix="pass e.g. http://localhost:11434/v1 (Ollama) or http://localhost:8000/v1 (vLLM)",
            )
        check_template(self.prompt_template)
        self._check_ints()
        self._check_floats()
        if self.cache_dir is not None:
            object.__setattr__(self, "cache_dir", Path(self.cache_dir))

    def _check_ints(self) -> None:
        for name, value, low in (
            ("per_posting", self.per_posting, 1),
            ("concurrency", self.concurrency, 1),
            ("max_retries", self.max_retries, 0),
            ("max_words", self.max_words, 1),
        ):
            if value < low:
                raise EmbedtuneError(f"invalid {name}: {value}", fix=f"use {low} or more")

    def _check_floats(self) -> None:
        if not self.timeout > 0:
            raise EmbedtuneError(
                f"invalid timeout: {self.timeout}", fix="use a number of seconds > 0"
            )
        if not 0 <= self.temperature <= 2:
            raise EmbedtuneError(
                f"invalid temperature: {self.temperature}", fix="use a value from 0 to 2"
            )
        if not 0 <= self.backoff_base <= self.backoff_max:
            raise EmbedtuneError(
                f"invalid backoff: base {self.backoff_base}, max {self.backoff_max}",
                fix="use 0 <= backoff_base <= backoff_max",
            )

    @property
    def resolved_cache_dir(self) -> Path:
        """``cache_dir``, or ``$EMBEDTUNE_CACHE/llm`` (default ``~/.cache/embedtune/llm``)."""
        return self.cache_dir if self.cache_dir is not None else default_cache_dir()

    def to_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready data, without the API key (for a run's ``config.json``)."""
        data = asdict(self)
        data.pop("api_key")
        data["cache_dir"] = str(self.resolved_cache_dir)
        return data


@dataclass(frozen=True)
class PromptJob:
    """One posting's rendered prompt and the cache key of its answer."""

    posting: Posting
    prompt: str
    key: str


def plan_jobs(postings: Sequence[Posting], config: LLMConfig) -> list[PromptJob]:
    """Render every posting's prompt and key; posting ids must be unique."""
    seen: set[str] = set()
    jobs = []
    for posting in postings:
        if posting.id in seen:
            raise EmbedtuneError(
                f"posting id {posting.id!r} appears more than once",
                fix="give every posting a unique id (run prepare, which dedupes)",
            )
        seen.add(posting.id)
        prompt = render_prompt(
            config.prompt_template, title=posting.title, text=posting.text, n=config.per_posting
        )
        key = cache_key(config.model, config.prompt_template, prompt, config.per_posting)
        jobs.append(PromptJob(posting, prompt, key))
    return jobs


def unique_misses(jobs: Sequence[PromptJob], cache: AnswerCache) -> list[PromptJob]:
    """The jobs whose answer is not cached, one per key (identical prompts are asked once)."""
    seen: set[str] = set()
    misses = []
    for job in jobs:
        if job.key not in seen and job.key not in cache:
            misses.append(job)
        seen.add(job.key)
    return misses


def assemble_result(
    jobs: Sequence[PromptJob],
    raws: Mapping[str, str],
    errors: Mapping[str, str],
    config: LLMConfig,
    *,
    missing_reason: str = "no answer",
) -> QueryResult:
    """Queries and failures for ``jobs`` from raw answers and request errors, both by key."""
    queries: list[QueryRecord] = []
    failed: list[FailedRow] = []
    for job in jobs:
        raw = raws.get(job.key)
        if raw is None:
            failed.append(FailedRow(job.posting.id, errors.get(job.key, missing_reason)))
            continue
        parsed = parse_answer(raw, n=config.per_posting, max_words=config.max_words)
        if parsed.reason is not None:
            failed.append(FailedRow(job.posting.id, parsed.reason, raw))
        queries.extend(QueryRecord(job.posting.id, query) for query in parsed.queries)
    return QueryResult(queries=queries, failed=failed)


def is_usable(raw: str, config: LLMConfig) -> bool:
    """Whether ``raw`` yields at least one query (only such answers are cached)."""
    return parse_answer(raw, n=config.per_posting, max_words=config.max_words).reason is None


# --- the openai client -------------------------------------------------------------------------


def import_openai() -> ModuleType:
    """The ``openai`` module, or an ``EmbedtuneError`` with the install line."""
    try:
        import openai
    except ImportError:
        raise EmbedtuneError(
            "the LLM query routes need the openai package, which is not installed",
            fix=f"pip install 'embedtune[llm]', {OFFLINE_HINT}",
        ) from None
    return openai


def resolve_endpoint(config: LLMConfig) -> tuple[str | None, str]:
    """The base URL (``None``: OpenAI's) and API key to use; no key for OpenAI is an error.

    The key is ``config.api_key``, else ``$OPENAI_API_KEY``; the base URL is ``config.base_url``,
    else ``$OPENAI_BASE_URL``. A custom endpoint without a key gets a placeholder (local servers
    need none, and the client insists on one).
    """
    base_url = config.base_url or os.environ.get("OPENAI_BASE_URL") or None
    api_key = config.api_key or os.environ.get("OPENAI_API_KEY") or None
    if api_key is None:
        if base_url is None:
            raise EmbedtuneError(
                "no OpenAI API key: OPENAI_API_KEY is not set",
                fix="export OPENAI_API_KEY=sk-..., or pass --llm-base-url for a local "
                f"OpenAI-compatible server (Ollama, vLLM, llama.cpp), {OFFLINE_HINT}",
            )
        api_key = KEYLESS_PLACEHOLDER
    return base_url, api_key


def make_client(config: LLMConfig) -> OpenAI:
    """An ``openai.OpenAI`` client for the configured endpoint; its own retries are off (ours run)."""
    openai = import_openai()
    base_url, api_key = resolve_endpoint(config)
    client: OpenAI = openai.OpenAI(
        api_key=api_key, base_url=base_url, timeout=config.timeout, max_retries=0
    )
    return client


def endpoint_name(config: LLMConfig) -> str:
    """The endpoint as users know it, for messages."""
    return config.base_url or os.environ.get("OPENAI_BASE_URL") or "api.openai.com"


class RequestFailed(Exception):
    """A request that failed for this one item (bad request, or retries used up): not fatal."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Cancelled(Exception):
    """Raised in a worker when another worker hit a fatal error."""


def _status_text(err: Any) -> str:
    """``HTTP 429: message`` for an API status error."""
    message = str(getattr(err, "message", "") or err).strip()
    return f"HTTP {err.status_code}: {message}"[:300]


def retry_after(err: Any) -> float | None:
    """Seconds the server asked to wait (``Retry-After`` as seconds or a date, or ``-ms``)."""
    response = getattr(err, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    value = headers.get("retry-after")
    try:
        if millis is not None:
            return max(0.0, float(millis) / 1000)
        if value is not None:
            return max(0.0, float(value))
    except ValueError:
        pass
    if value is None:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Caller:
    """Sends requests to one endpoint with retries; shared by the worker threads of one run.

    Fatal errors (bad key, unknown model, no quota, endpoint unreachable) become
    ``EmbedtuneError``; an error that concerns one item becomes :class:`RequestFailed`. Until a
    first response arrives, a connection error is retried only ``UNREACHED_RETRIES`` times, so a
    wrong URL fails in seconds rather than minutes.
    """

    def __init__(self, config: LLMConfig) -> None:
        self.config = config
        self.openai = import_openai()
        self.stop = threading.Event()
        self.reached = threading.Event()
        self._rng = random.Random()  # jitter only: it spreads retries, never changes results
        self._lock = threading.Lock()

    def call(self, request: Callable[[], T], *, idempotent: bool = True) -> T:
        """Run ``request`` until it succeeds, retrying what is worth retrying.

        A non-idempotent request (creating a batch) is not retried after a timeout or a 5xx, which
        the server may have acted on. A fatal error also stops the other workers of this run.
        """
        try:
            return self._call(request, idempotent)
        except EmbedtuneError:
            self.stop.set()
            raise

    def _call(self, request: Callable[[], T], idempotent: bool) -> T:
        attempt = 0
        while True:
            if self.stop.is_set():
                raise Cancelled
            try:
                result = request()
            except self.openai.APIStatusError as err:
                self.reached.set()
                delay = self._after_status_error(err, attempt, idempotent)
            except self.openai.APIConnectionError as err:
                delay = self._after_connection_error(err, attempt, idempotent)
            except self.openai.APIError as err:
                raise RequestFailed(f"unusable response: {err}"[:300]) from None
            else:
                self.reached.set()
                return result
            self.stop.wait(delay)
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        cfg = self.config
        with self._lock:
            factor = self._rng.uniform(0.5, 1.0)
        return min(cfg.backoff_max, cfg.backoff_base * 2**attempt) * factor

    def _after_status_error(self, err: Any, attempt: int, idempotent: bool) -> float:
        """The delay before retrying ``err``, or raise if it must not be retried."""
        status = int(err.status_code)
        self._raise_if_fatal(err, status)
        retryable = status in RETRY_STATUSES or (status >= 500 and idempotent)
        if not retryable:
            raise RequestFailed(_status_text(err)) from None
        if attempt >= self.config.max_retries:
            raise RequestFailed(f"gave up after {attempt} retries: {_status_text(err)}") from None
        waited = retry_after(err)
        return self._backoff(attempt) if waited is None else min(waited, RETRY_AFTER_CAP)

    def _raise_if_fatal(self, err: Any, status: int) -> None:
        where = endpoint_name(self.config)
        if status in (401, 403):
            raise EmbedtuneError(
                f"{where} refused the API key ({_status_text(err)})",
                fix=f"check OPENAI_API_KEY (and --llm-base-url), {OFFLINE_HINT}",
            ) from None
        if status == 404:
            raise EmbedtuneError(
                f"model {self.config.model!r} or the API path was not found at {where} "
                f"({_status_text(err)})",
                fix="check --llm-model, and that --llm-base-url ends in /v1",
            ) from None
        if status == 429 and getattr(err, "code", None) == "insufficient_quota":
            raise EmbedtuneError(
                f"{where} says the account has no quota left ({_status_text(err)})",
                fix=f"add credit or raise the limit, {OFFLINE_HINT}",
            ) from None

    def _after_connection_error(self, err: Any, attempt: int, idempotent: bool) -> float:
        """The delay before retrying a connection error, or raise once retries are used up."""
        timed_out = isinstance(err, self.openai.APITimeoutError)
        limit = self.config.max_retries
        if not self.reached.is_set():
            limit = min(limit, UNREACHED_RETRIES)
        if attempt >= limit or (timed_out and not idempotent):
            what = "timed out" if timed_out else "is unreachable"
            raise EmbedtuneError(
                f"the LLM endpoint {endpoint_name(self.config)} {what} after {attempt + 1} "
                f"attempts ({err.__cause__ or err})",
                fix=f"check --llm-base-url and that the server is running, {OFFLINE_HINT}",
            ) from None
        return self._backoff(attempt)


# --- the chat route ----------------------------------------------------------------------------


def chat_messages(prompt: str) -> list[dict[str, str]]:
    """The chat messages for one rendered prompt."""
    return [{"role": "user", "content": prompt}]


def answer_text(response: Any) -> str:
    """The text of a chat completion's first choice ("" if there is none); a refusal is kept."""
    choices = getattr(response, "choices", None) or []
    if not choices:
        return ""
    message = choices[0].message
    content = getattr(message, "content", None)
    if content:
        return str(content)
    refusal = getattr(message, "refusal", None)
    return f"I'm sorry: {refusal}" if refusal else ""


def _ask(client: OpenAI, caller: Caller, cache: AnswerCache, job: PromptJob) -> str:
    """One chat request for ``job`` (with retries); a usable answer is cached at once."""
    config = caller.config

    def request() -> Any:
        return client.chat.completions.create(
            model=config.model,
            messages=chat_messages(job.prompt),  # type: ignore[arg-type]
            temperature=config.temperature,
        )

    raw = answer_text(caller.call(request))
    if is_usable(raw, config):
        cache.put(job.key, raw, model=config.model)
    return raw


@contextmanager
def _cancel_on_error(caller: Caller, futures: Sequence[Future[Any]]) -> Iterator[None]:
    """On any error, stop the other workers and drop the requests not yet started."""
    try:
        yield
    except BaseException:
        caller.stop.set()
        for future in futures:
            future.cancel()
        raise


def _ask_all(
    misses: Sequence[PromptJob], config: LLMConfig, cache: AnswerCache, reporter: Reporter
) -> tuple[dict[str, str], dict[str, str]]:
    """Ask for every miss, ``concurrency`` at a time: raw answers and errors, both by key."""
    client = make_client(config)
    caller = Caller(config)
    raws: dict[str, str] = {}
    errors: dict[str, str] = {}
    workers = min(config.concurrency, len(misses))
    with (
        reporter.task(f"asking {config.model} for queries", total=len(misses)) as task,
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="embedtune-llm") as pool,
    ):
        futures = {pool.submit(_ask, client, caller, cache, job): job for job in misses}
        with _cancel_on_error(caller, list(futures)):
            for future in as_completed(futures):
                job = futures[future]
                try:
                    raws[job.key] = future.result()
                except RequestFailed as err:
                    errors[job.key] = err.reason
                task.advance()
    return raws, errors


def cached_answers(jobs: Sequence[PromptJob], cache: AnswerCache) -> dict[str, str]:
    """The cached raw answers of ``jobs``, by key."""
    raws = {}
    for job in jobs:
        raw = cache.get(job.key)
        if raw is not None:
            raws[job.key] = raw
    return raws


def generate_llm_queries(
    postings: Sequence[Posting], config: LLMConfig, *, reporter: Reporter | None = None
) -> QueryResult:
    """Ask an OpenAI-compatible chat endpoint for ``config.per_posting`` queries per posting.

    Cached answers are reused without a request (and without the ``openai`` package or a key
    when every answer is cached). Postings whose answer holds no usable query, or whose request
    failed for good, come back in ``failed``; fatal problems (no key, bad key, unreachable
    endpoint) raise ``EmbedtuneError``, keeping every answer received so far in the cache.
    """
    reporter = reporter or NullReporter()
    jobs = plan_jobs(postings, config)
    cache = AnswerCache(config.resolved_cache_dir)
    misses = unique_misses(jobs, cache)
    raws: dict[str, str] = {}
    errors: dict[str, str] = {}
    if misses:
        raws, errors = _ask_all(misses, config, cache, reporter)
    raws = {**cached_answers([j for j in jobs if j.key not in raws], cache), **raws}
    return assemble_result(jobs, raws, errors, config)
