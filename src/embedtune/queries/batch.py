"""Search queries through the OpenAI Batch API (``--queries openai-batch``): half price, <= 24 h.

One file on purpose (a little over 500 lines): the steps below share one resumable state
(``batch.json``), and splitting them would spread that state's reads and writes over modules.

The steps, each safe to interrupt:

1. Render every posting's prompt; answers already in the cache are not sent again.
2. Estimate the cost (:func:`estimate_batch_cost`) and ask ``confirm`` unless ``yes``; declining
   raises ``EmbedtuneError`` before anything is sent.
3. Write ``requests.jsonl`` (``custom_id`` = posting id, ``/v1/chat/completions`` bodies) into the
   state folder, upload it (``purpose="batch"``) and create the batch (``completion_window="24h"``).
4. Save ``batch.json`` (batch id, request ids and keys, status) *before* polling, then poll with
   progress from ``request_counts``. A crash here is resumed by calling again with the same state
   folder: the saved batch is polled, never submitted twice.
5. Download the output and error files, cache every usable answer, map answers back by
   ``custom_id``; failed lines become :class:`FailedRow` s (a later call resubmits just those).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from embedtune._io import iter_lines, write_json, write_text
from embedtune.errors import EmbedtuneError
from embedtune.progress import NullReporter, Reporter
from embedtune.queries.cache import AnswerCache
from embedtune.queries.llm import (
    OFFLINE_HINT,
    Caller,
    LLMConfig,
    PromptJob,
    RequestFailed,
    assemble_result,
    cached_answers,
    chat_messages,
    is_usable,
    make_client,
    plan_jobs,
    unique_misses,
)
from embedtune.queries.records import Posting, QueryResult

if TYPE_CHECKING:
    from openai import OpenAI

__all__ = [
    "BATCH_DISCOUNT",
    "DEFAULT_PRICES",
    "CostEstimate",
    "estimate_batch_cost",
    "generate_batch_queries",
    "load_prices",
]

TokenMethod = Literal["tiktoken", "chars/4"]

# List prices in USD per 1M tokens (input, output); the Batch API charges BATCH_DISCOUNT of them.
DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
}
BATCH_DISCOUNT = 0.5
OUTPUT_TOKENS_PER_QUERY = 20
MESSAGE_OVERHEAD_TOKENS = 7
MAX_BATCH_REQUESTS = 50_000
CHAT_ENDPOINT: Final = "/v1/chat/completions"
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
STATE_FILE = "batch.json"
REQUESTS_FILE = "requests.jsonl"
OUTPUT_FILE = "output.jsonl"
ERRORS_FILE = "errors.jsonl"


# --- cost --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostEstimate:
    """What a batch would cost: tokens counted (or guessed) and priced at batch rates.

    ``usd`` is ``None`` for a model without a known price; ``cached`` postings are not sent.
    """

    model: str
    requests: int
    cached: int
    input_tokens: int
    output_tokens: int
    usd: float | None
    method: TokenMethod

    def describe(self) -> str:
        """One line for a confirmation prompt.

        >>> CostEstimate("gpt-4o-mini", 2, 1, 900, 40, 0.0000795, "chars/4").describe()
        '2 requests to gpt-4o-mini (1 cached, not sent): ~900 input tokens (chars/4) + ~40 output tokens (estimated), about $0.0001 at batch prices'
        """
        price = "unknown price" if self.usd is None else f"about ${self.usd:,.4f} at batch prices"
        return (
            f"{self.requests:,} requests to {self.model} ({self.cached:,} cached, not sent): "
            f"~{self.input_tokens:,} input tokens ({self.method}) + ~{self.output_tokens:,} "
            f"output tokens (estimated), {price}"
        )


def load_prices(path: Path | str) -> dict[str, tuple[float, float]]:
    """Read list prices from JSON: ``{"model": [input, output]}`` in USD per 1M tokens.

    ``{"model": {"input": 0.15, "output": 0.6}}`` is accepted too.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise EmbedtuneError(
            f"cannot read prices from {path} ({err})",
            fix='write JSON like {"gpt-4o-mini": [0.15, 0.6]} (USD per 1M input, output tokens)',
        ) from None
    return check_prices(data, source=str(path))


def check_prices(data: Any, *, source: str = "prices") -> dict[str, tuple[float, float]]:
    """Validate a price table (see :func:`load_prices`) and return it as tuples."""
    fix = 'use {"model": [input, output]} in USD per 1M tokens, e.g. {"gpt-4o-mini": [0.15, 0.6]}'
    if not isinstance(data, Mapping):
        raise EmbedtuneError(f"{source} is not a table of models", fix=fix)
    prices = {}
    for model, value in data.items():
        pair = _price_pair(value)
        if pair is None:
            raise EmbedtuneError(f"{source}: bad price for {model!r}: {value!r}", fix=fix)
        prices[str(model)] = pair
    return prices


def _price_pair(value: Any) -> tuple[float, float] | None:
    """``(input, output)`` from ``[in, out]`` or ``{"input": in, "output": out}``; else ``None``."""
    pair = [value.get("input"), value.get("output")] if isinstance(value, Mapping) else value
    if not isinstance(pair, list | tuple) or len(pair) != 2:
        return None
    try:
        low, high = float(pair[0]), float(pair[1])
    except (TypeError, ValueError):
        return None
    return (low, high) if low >= 0 and high >= 0 and math.isfinite(low + high) else None


def price_for(model: str, prices: Mapping[str, tuple[float, float]]) -> tuple[float, float] | None:
    """The list price of ``model``: exact name, else the longest name it extends (a snapshot).

    >>> price_for("gpt-4o-mini-2024-07-18", DEFAULT_PRICES)
    (0.15, 0.6)
    >>> price_for("llama3", DEFAULT_PRICES) is None
    True
    """
    if model in prices:
        return prices[model]
    bases = [name for name in prices if model.startswith(f"{name}-")]
    return prices[max(bases, key=len)] if bases else None


def token_counter(model: str) -> tuple[Callable[[str], int], TokenMethod]:
    """Count tokens with ``tiktoken`` when it is installed and has its encoding, else chars/4."""
    try:
        import tiktoken

        try:
            encoding = tiktoken.encoding_for_model(model)
        except KeyError:
            encoding = tiktoken.get_encoding("o200k_base")
    except Exception:  # not installed, or its encoding cannot be downloaded (offline)
        return (lambda text: math.ceil(len(text) / 4)), "chars/4"
    return (lambda text: len(encoding.encode(text, disallowed_special=()))), "tiktoken"


def _estimate(
    jobs: Sequence[PromptJob],
    cached: int,
    config: LLMConfig,
    prices: Mapping[str, tuple[float, float]] | None,
) -> CostEstimate:
    count, method = token_counter(config.model)
    input_tokens = sum(count(job.prompt) + MESSAGE_OVERHEAD_TOKENS for job in jobs)
    output_tokens = len(jobs) * config.per_posting * OUTPUT_TOKENS_PER_QUERY
    price = price_for(config.model, {**DEFAULT_PRICES, **(prices or {})})
    usd = None
    if price is not None:
        usd = (input_tokens * price[0] + output_tokens * price[1]) * BATCH_DISCOUNT / 1e6
    return CostEstimate(config.model, len(jobs), cached, input_tokens, output_tokens, usd, method)


def estimate_batch_cost(
    postings: Sequence[Posting],
    config: LLMConfig,
    *,
    prices: Mapping[str, tuple[float, float]] | None = None,
) -> CostEstimate:
    """The cost of sending the postings whose answers are not cached yet, at batch prices.

    ``prices`` (list prices, USD per 1M input and output tokens) extend or override
    :data:`DEFAULT_PRICES`; the 50% batch discount is applied on top. Input tokens are counted
    with ``tiktoken`` if it is installed (``method="tiktoken"``), else guessed as characters / 4;
    output tokens are guessed as ``OUTPUT_TOKENS_PER_QUERY`` per query asked for.
    """
    jobs = plan_jobs(postings, config)
    misses = unique_misses(jobs, AnswerCache(config.resolved_cache_dir))
    return _estimate(misses, len(jobs) - len(misses), config, prices)


# --- state -------------------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def load_state(state_dir: Path) -> dict[str, Any] | None:
    """The saved batch state in ``state_dir``, or ``None`` if there is none."""
    path = state_dir / STATE_FILE
    if not path.exists():
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise EmbedtuneError(
            f"cannot read batch state {path} ({err})",
            fix="delete the file only if no batch is running (it holds the batch id)",
        ) from None
    if not isinstance(state, dict) or not isinstance(state.get("batch_id"), str):
        raise EmbedtuneError(f"{path} is not a batch state file", fix="use another state folder")
    return state


def _resume_fix(state_dir: Path, batch_id: str) -> str:
    return f"batch {batch_id} is saved in {state_dir / STATE_FILE}: call again with that folder"


# --- requests and results ----------------------------------------------------------------------


def request_lines(jobs: Sequence[PromptJob], config: LLMConfig) -> str:
    """The Batch API input: one ``/v1/chat/completions`` request per job, ``custom_id`` = id."""
    lines = []
    for job in jobs:
        body = {
            "model": config.model,
            "messages": chat_messages(job.prompt),
            "temperature": config.temperature,
        }
        line = {"custom_id": job.posting.id, "method": "POST", "url": CHAT_ENDPOINT, "body": body}
        lines.append(json.dumps(line, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def _line_error(line: Mapping[str, Any]) -> str | None:
    """Why one output or error line holds no answer, or ``None`` if it holds one."""
    error = line.get("error")
    if error:
        if isinstance(error, Mapping):
            return f"batch error {error.get('code')}: {error.get('message')}"[:300]
        return f"batch error: {error}"[:300]
    response = line.get("response") or {}
    status = response.get("status_code")
    if status != 200:
        body = response.get("body") or {}
        detail = (body.get("error") or {}).get("message") if isinstance(body, Mapping) else body
        return f"HTTP {status}: {detail}"[:300]
    return None


def parse_result_lines(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """Raw answers and errors, both by ``custom_id``, from an output or error file.

    >>> line = '{"custom_id": "7", "response": {"status_code": 200, "body": '
    >>> line += '{"choices": [{"message": {"content": "nurse"}}]}}, "error": null}'
    >>> parse_result_lines(line)
    ({'7': 'nurse'}, {})
    """
    raws: dict[str, str] = {}
    errors: dict[str, str] = {}
    for row in iter_lines(text):
        try:
            line = json.loads(row)
        except ValueError:
            continue
        if not isinstance(line, dict) or "custom_id" not in line:
            continue
        custom_id = str(line["custom_id"])
        reason = _line_error(line)
        if reason is not None:
            errors[custom_id] = reason
            continue
        raws[custom_id] = _answer_in_body(line["response"].get("body") or {})
    return raws, errors


def _answer_in_body(body: Mapping[str, Any]) -> str:
    """The first choice's text in a chat completion decoded from JSON (like ``answer_text``)."""
    choices = body.get("choices") or []
    message = (choices[0].get("message") or {}) if choices else {}
    if message.get("content"):
        return str(message["content"])
    refusal = message.get("refusal")
    return f"I'm sorry: {refusal}" if refusal else ""


# --- the batch run -----------------------------------------------------------------------------


class _Run:
    """One call of :func:`generate_batch_queries`: client, retries, state folder, progress."""

    def __init__(
        self, config: LLMConfig, state_dir: Path, poll_interval: float, reporter: Reporter
    ) -> None:
        self.config = config
        self.state_dir = state_dir
        self.poll_interval = poll_interval
        self.reporter = reporter
        self.client: OpenAI = make_client(config)
        self.caller = Caller(config)
        self.cache = AnswerCache(config.resolved_cache_dir)

    def save(self, state: dict[str, Any]) -> None:
        write_json(self.state_dir / STATE_FILE, state)

    def submit(self, jobs: Sequence[PromptJob], previous: dict[str, Any] | None) -> dict[str, Any]:
        """Upload the requests, create the batch and save its state; return the state."""
        text = request_lines(jobs, self.config)
        write_text(self.state_dir / REQUESTS_FILE, text)
        upload = self.caller.call(
            lambda: self.client.files.create(
                file=(REQUESTS_FILE, text.encode("utf-8"), "application/jsonl"), purpose="batch"
            )
        )
        batch = self.caller.call(
            lambda: self.client.batches.create(
                input_file_id=upload.id,
                endpoint=CHAT_ENDPOINT,
                completion_window="24h",
                metadata={"created_by": "embedtune"},
            ),
            idempotent=False,
        )
        history = [] if previous is None else [*previous.get("previous", []), previous["batch_id"]]
        state = {
            "batch_id": batch.id,
            "input_file_id": upload.id,
            "status": batch.status,
            "created": _now(),
            "config": self.config.to_dict(),
            "requests": {job.posting.id: job.key for job in jobs},
            "collected": False,
            "previous": history,
        }
        self.save(state)
        return state

    def wait(self, state: dict[str, Any]) -> Any:
        """Poll the batch until it ends, advancing progress by its finished requests."""
        batch_id = state["batch_id"]
        done = 0
        with self.reporter.task(f"batch {batch_id}", total=len(state["requests"])) as task:
            while True:
                batch = self.caller.call(lambda: self.client.batches.retrieve(batch_id))
                counts = batch.request_counts
                finished = 0 if counts is None else counts.completed + counts.failed
                if finished > done:
                    task.advance(finished - done)
                    done = finished
                if batch.status != state["status"]:
                    state["status"] = batch.status
                    self.save(state)
                if batch.status in TERMINAL:
                    return batch
                time.sleep(self.poll_interval)

    def download(self, file_id: str | None, name: str) -> str:
        """The text of a result file (saved beside the state), or "" if there is none."""
        if not file_id:
            return ""
        text = self.caller.call(lambda: self.client.files.content(file_id).text)
        write_text(self.state_dir / name, text)
        return text

    def collect(self, state: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
        """Wait for the batch, then its raw answers and errors by key (usable answers cached)."""
        batch = self.wait(state)
        if batch.status == "failed":
            state["collected"] = True
            self.save(state)
            raise EmbedtuneError(
                f"batch {batch.id} failed: {_batch_errors(batch)}; none of its requests ran",
                fix=f"fix the cause and call again to submit a new batch, {OFFLINE_HINT}",
            )
        raws_by_id, errors_by_id = parse_result_lines(
            self.download(batch.output_file_id, OUTPUT_FILE)
        )
        errors_by_id.update(parse_result_lines(self.download(batch.error_file_id, ERRORS_FILE))[1])
        keys: dict[str, str] = state["requests"]
        raws = {keys[cid]: raw for cid, raw in raws_by_id.items() if cid in keys}
        errors = {keys[cid]: reason for cid, reason in errors_by_id.items() if cid in keys}
        for key, raw in raws.items():
            if is_usable(raw, self.config):
                self.cache.put(key, raw, model=self.config.model)
        for key in set(keys.values()) - raws.keys() - errors.keys():
            errors[key] = f"no answer in batch {batch.id} (status {batch.status})"
        state.update(collected=True, status=batch.status, collected_at=_now())
        self.save(state)
        return raws, errors


def _batch_errors(batch: Any) -> str:
    errors = getattr(getattr(batch, "errors", None), "data", None) or []
    messages = [f"{e.code}: {e.message}" for e in errors[:3]]
    return "; ".join(messages) or "no reason given"


def _ask_confirmation(
    estimate: CostEstimate, confirm: Callable[[CostEstimate], bool] | None, yes: bool
) -> None:
    """Return if the batch may be sent; otherwise raise, saying that nothing was sent."""
    if yes:
        return
    if confirm is None:
        raise EmbedtuneError(
            f"the batch needs a go-ahead ({estimate.describe()}); nothing was sent",
            fix="pass --yes to submit it",
        )
    if not confirm(estimate):
        raise EmbedtuneError(
            f"batch not submitted: declined ({estimate.describe()}); nothing was sent",
            fix=f"pass --yes to submit it, choose a cheaper --llm-model, {OFFLINE_HINT}",
        )


def _check_resumable(state: dict[str, Any], jobs: Sequence[PromptJob], state_dir: Path) -> None:
    """A saved running batch must concern these postings: share at least one request."""
    if jobs and not {job.key for job in jobs} & set(state["requests"].values()):
        raise EmbedtuneError(
            f"{state_dir} holds the running batch {state['batch_id']}, made for other postings "
            "or settings",
            fix="call again with the settings of that batch to collect it, or use another "
            "state folder",
        )


def generate_batch_queries(
    postings: Sequence[Posting],
    config: LLMConfig,
    *,
    state_dir: Path,
    confirm: Callable[[CostEstimate], bool] | None = None,
    yes: bool = False,
    poll_interval: float = 30.0,
    reporter: Reporter | None = None,
    prices: Mapping[str, tuple[float, float]] | None = None,
) -> QueryResult:
    """Queries for ``postings`` through the OpenAI Batch API; see the module docstring.

    If ``state_dir`` holds a batch that was not collected yet, it is polled and collected instead
    of sending anything new (postings it did not include come back as failed: call again to send
    them). ``confirm(estimate)`` decides before a new batch is sent, unless ``yes``.
    """
    if poll_interval < 0:
        raise EmbedtuneError(f"invalid poll interval: {poll_interval}", fix="use 0 or more seconds")
    reporter = reporter or NullReporter()
    state_dir = Path(state_dir)
    jobs = plan_jobs(postings, config)
    cache = AnswerCache(config.resolved_cache_dir)
    state = load_state(state_dir)
    raws: dict[str, str] = {}
    errors: dict[str, str] = {}
    missing_reason = "no answer"
    if state is not None and not state.get("collected", False):
        _check_resumable(state, jobs, state_dir)
        run = _Run(config, state_dir, poll_interval, reporter)
        raws, errors = _collect_with(run, state)
        missing_reason = f"not in batch {state['batch_id']}: call again to send it"
    elif misses := unique_misses(jobs, cache):
        _check_size(misses)
        run = _Run(config, state_dir, poll_interval, reporter)
        _ask_confirmation(_estimate(misses, len(jobs) - len(misses), config, prices), confirm, yes)
        state = _submit(run, misses, state)
        raws, errors = _collect_with(run, state)
    raws = {**cached_answers([j for j in jobs if j.key not in raws], cache), **raws}
    return assemble_result(jobs, raws, errors, config, missing_reason=missing_reason)


def _check_size(misses: Sequence[PromptJob]) -> None:
    if len(misses) > MAX_BATCH_REQUESTS:
        raise EmbedtuneError(
            f"{len(misses):,} requests exceed the Batch API's {MAX_BATCH_REQUESTS:,} per batch",
            fix="pass fewer postings per call; cached answers are not sent again",
        )


def _submit(
    run: _Run, misses: Sequence[PromptJob], previous: dict[str, Any] | None
) -> dict[str, Any]:
    """Submit a new batch; a request that fails for good becomes an ``EmbedtuneError``."""
    try:
        return run.submit(misses, previous)
    except RequestFailed as err:
        raise EmbedtuneError(
            f"could not submit the batch: {err.reason}",
            fix=f"check --llm-model and the endpoint's Batch API support, {OFFLINE_HINT}",
        ) from None


def _collect_with(run: _Run, state: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Collect the batch of ``state``; errors name the state file to resume from."""
    try:
        return run.collect(state)
    except RequestFailed as err:
        raise EmbedtuneError(
            f"batch {state['batch_id']}: {err.reason}",
            fix=_resume_fix(run.state_dir, state["batch_id"]),
        ) from None
    except EmbedtuneError as err:
        if state.get("collected"):
            raise
        fix = f"{err.fix}; {_resume_fix(run.state_dir, state['batch_id'])}"
        raise EmbedtuneError(err.problem, fix=fix) from None
