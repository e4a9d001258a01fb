"""A fake OpenAI-compatible server on 127.0.0.1, scriptable per test.

Real HTTP, so the real ``openai`` client is exercised end to end. It implements just what
embedtune uses: ``POST /v1/chat/completions``, ``POST /v1/files`` (multipart),
``GET /v1/files/{id}/content``, ``POST /v1/batches`` and ``GET /v1/batches/{id}``.

>>> with FakeOpenAI() as server:  # doctest: +SKIP
...     server.fail_next(2, status=429)       # the next two chat requests get 429, Retry-After: 0
...     server.garbage["Job title: Nurse"] = "I'm sorry, I can't help with that."
...     client = openai.OpenAI(api_key="x", base_url=server.url)

Scripting attributes (set them before or during a test; guarded by ``lock``):

- ``failures``: statuses for the next chat requests, in order (``fail_next`` appends);
  ``retry_after``: the ``Retry-After`` header sent with them (``None``: no header);
  ``error_code``: the ``code`` in their error body (e.g. ``"insufficient_quota"``);
- ``status``: when set, every request gets this status (e.g. 401);
- ``garbage``: prompt substring -> raw answer sent instead of the normal one;
- ``drop_after``: after this many chat answers, drop every further chat request unanswered;
- ``delay``: seconds each chat answer takes (to observe concurrency);
- ``batch_fail_ids``: custom ids whose batch line fails (they go to the error file);
- ``batch_polls``: polls a batch stays ``in_progress`` before it ends as ``batch_final_status``;
- ``poll_status``: when set, ``GET /v1/batches/{id}`` answers this status.

Observations: ``requests`` (a Counter by endpoint: ``chat``, ``files.create``,
``files.content``, ``batches.create``, ``batches.retrieve``), ``prompts`` (chat prompts answered),
``max_in_flight`` (most chat requests handled at once), ``authorizations`` (the
``Authorization`` headers seen), ``files`` and ``batches``.

:class:`RecordingReporter` is the progress reporter the tests hand to the routes.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ["FakeOpenAI", "RecordingReporter", "closed_port_url", "default_answer"]

_TITLE = re.compile(r"^Job title: (.+)$", re.MULTILINE)
_DROP = object()


def default_answer(prompt: str) -> str:
    """A decorated two-line answer built from the prompt's ``Job title:`` line.

    >>> default_answer("Job title: Nurse\\n...")
    '1. "Nurse jobs"\\n2. senior Nurse'
    """
    match = _TITLE.search(prompt)
    title = match.group(1).strip() if match else "generic"
    return f'1. "{title} jobs"\n2. senior {title}'


@dataclass
class RecordingReporter:
    """A reporter that remembers each task's description, total and progress."""

    tasks: list[dict[str, Any]] = field(default_factory=list)

    @contextmanager
    def task(self, description: str, total: int | None = None) -> Iterator[Any]:
        record: dict[str, Any] = {"description": description, "total": total, "done": 0}
        self.tasks.append(record)

        class Task:
            def advance(self, n: int = 1) -> None:
                record["done"] += n

        yield Task()


def closed_port_url() -> str:
    """A ``/v1`` URL on 127.0.0.1 where nothing listens (a port just bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def _error_body(status: int, code: str | None = None) -> dict[str, Any]:
    messages = {
        401: "Incorrect API key provided",
        404: "The model does not exist",
        429: "Rate limit reached",
    }
    message = messages.get(status, "The server had an error while processing your request")
    return {"error": {"message": message, "type": "fake_error", "code": code, "param": None}}


def _completion(content: str, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


class FakeOpenAI:
    """The server and its script; start it with ``with`` (or ``start()`` / ``stop()``)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answer: Callable[[str], str] = default_answer
        self.garbage: dict[str, str] = {}
        self.failures: list[int] = []
        self.retry_after: str | None = "0"
        self.status: int | None = None
        self.error_code: str | None = None
        self.drop_after: int | None = None
        self.delay = 0.0
        self.batch_fail_ids: set[str] = set()
        self.batch_polls = 2
        self.batch_final_status = "completed"
        self.poll_status: int | None = None
        self.requests: Counter[str] = Counter()
        self.authorizations: set[str] = set()
        self.prompts: list[str] = []
        self.answered = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        """The base URL to give the client (ends in ``/v1``)."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def fail_next(self, count: int, *, status: int = 429) -> None:
        """Answer the next ``count`` chat requests with ``status``."""
        with self.lock:
            self.failures.extend([status] * count)

    def count(self, endpoint: str) -> None:
        with self.lock:
            self.requests[endpoint] += 1

    def new_id(self, prefix: str) -> str:
        with self.lock:
            return f"{prefix}-{next(self._ids)}"

    # --- endpoints: each returns (status, JSON body or bytes, extra headers) or _DROP ---

    def chat(self, body: dict[str, Any]) -> Any:
        with self.lock:
            self.requests["chat"] += 1
            if self.status is not None:
                return self.status, _error_body(self.status), {}
            if self.failures:
                status = self.failures.pop(0)
                headers = {} if self.retry_after is None else {"Retry-After": self.retry_after}
                return status, _error_body(status, self.error_code), headers
            if self.drop_after is not None and self.answered >= self.drop_after:
                return _DROP
            self.answered += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            time.sleep(self.delay)
            prompt = str(body["messages"][-1]["content"])
            content = self.respond(prompt)
        finally:
            with self.lock:
                self.in_flight -= 1
                self.prompts.append(prompt)
        return 200, _completion(content, str(body.get("model"))), {}

    def respond(self, prompt: str) -> str:
        """The raw answer for ``prompt``: a scripted garbage answer, else ``answer(prompt)``."""
        for marker, raw in self.garbage.items():
            if marker in prompt:
                return raw
        return self.answer(prompt)

    def create_file(self, content_type: str, data: bytes) -> Any:
        self.count("files.create")
        header = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.default).parsebytes(header + data)
        fields: dict[str, bytes] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            fields[str(name)] = payload
        file_id = self.new_id("file")
        self.files[file_id] = fields["file"]
        obj = {
            "id": file_id,
            "object": "file",
            "bytes": len(fields["file"]),
            "created_at": int(time.time()),
            "filename": "requests.jsonl",
            "purpose": fields.get("purpose", b"").decode(),
            "status": "processed",
        }
        return 200, obj, {}

    def file_content(self, file_id: str) -> Any:
        self.count("files.content")
        if file_id not in self.files:
            return 404, _error_body(404), {}
        return 200, self.files[file_id], {}

    def create_batch(self, body: dict[str, Any]) -> Any:
        self.count("batches.create")
        data = self.files.get(str(body.get("input_file_id")))
        if data is None:
            return 404, _error_body(404), {}
        lines = [json.loads(line) for line in data.decode().splitlines() if line.strip()]
        batch_id = self.new_id("batch")
        self.batches[batch_id] = {
            "id": batch_id,
            "object": "batch",
            "endpoint": body.get("endpoint"),
            "errors": None,
            "input_file_id": body.get("input_file_id"),
            "completion_window": body.get("completion_window"),
            "status": "validating",
            "output_file_id": None,
            "error_file_id": None,
            "created_at": int(time.time()),
            "metadata": body.get("metadata"),
            "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
            "_lines": lines,
            "_polls": 0,
        }
        return 200, self._public(self.batches[batch_id]), {}

    def retrieve_batch(self, batch_id: str) -> Any:
        self.count("batches.retrieve")
        if self.poll_status is not None:
            return self.poll_status, _error_body(self.poll_status), {}
        batch = self.batches.get(batch_id)
        if batch is None:
            return 404, _error_body(404), {}
        batch["_polls"] += 1
        if batch["status"] not in ("completed", "failed"):
            self._advance(batch)
        return 200, self._public(batch), {}

    def _advance(self, batch: dict[str, Any]) -> None:
        lines = batch["_lines"]
        total = len(lines)
        if batch["_polls"] < self.batch_polls:
            done = total * batch["_polls"] // self.batch_polls
            batch["status"] = "in_progress"
            batch["request_counts"] = {"total": total, "completed": done, "failed": 0}
            return
        if self.batch_final_status == "failed":
            batch["status"] = "failed"
            batch["errors"] = {
                "object": "list",
                "data": [{"code": "invalid_request", "message": "bad input file", "line": 1}],
            }
            return
        ok = [line for line in lines if line["custom_id"] not in self.batch_fail_ids]
        bad = [line for line in lines if line["custom_id"] in self.batch_fail_ids]
        if ok:
            batch["output_file_id"] = self._store([self._result_line(line) for line in ok])
        if bad:
            batch["error_file_id"] = self._store([self._error_line(line) for line in bad])
        batch["status"] = self.batch_final_status
        batch["request_counts"] = {"total": total, "completed": len(ok), "failed": len(bad)}

    def _store(self, lines: list[dict[str, Any]]) -> str:
        file_id = self.new_id("file")
        self.files[file_id] = "".join(json.dumps(line) + "\n" for line in lines).encode()
        return file_id

    def _result_line(self, line: dict[str, Any]) -> dict[str, Any]:
        prompt = str(line["body"]["messages"][-1]["content"])
        with self.lock:
            self.prompts.append(prompt)
        completion = _completion(self.respond(prompt), str(line["body"]["model"]))
        response = {"status_code": 200, "request_id": "req-fake", "body": completion}
        return {
            "id": "batch_req",
            "custom_id": line["custom_id"],
            "response": response,
            "error": None,
        }

    def _error_line(self, line: dict[str, Any]) -> dict[str, Any]:
        response = {"status_code": 500, "request_id": "req-fake", "body": _error_body(500)}
        return {
            "id": "batch_req",
            "custom_id": line["custom_id"],
            "response": response,
            "error": None,
        }

    @staticmethod
    def _public(batch: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in batch.items() if not k.startswith("_")}


def _handler_for(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    """A request handler class that routes to ``fake``."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def _body(self) -> bytes:
            with fake.lock:
                fake.authorizations.add(self.headers.get("Authorization", ""))
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def do_POST(self) -> None:
            data = self._body()
            if fake.status is not None and self.path != "/v1/chat/completions":
                self._reply((fake.status, _error_body(fake.status), {}))
            elif self.path == "/v1/chat/completions":
                self._reply(fake.chat(json.loads(data)))
            elif self.path == "/v1/files":
                self._reply(fake.create_file(self.headers["Content-Type"], data))
            elif self.path == "/v1/batches":
                self._reply(fake.create_batch(json.loads(data)))
            else:
                self._reply((404, _error_body(404), {}))

        def do_GET(self) -> None:
            self._body()
            content = re.fullmatch(r"/v1/files/([^/]+)/content", self.path)
            batch = re.fullmatch(r"/v1/batches/([^/]+)", self.path)
            if fake.status is not None:
                self._reply((fake.status, _error_body(fake.status), {}))
            elif content:
                self._reply(fake.file_content(content.group(1)))
            elif batch:
                self._reply(fake.retrieve_batch(batch.group(1)))
            else:
                self._reply((404, _error_body(404), {}))

        def _reply(self, result: Any) -> None:
            if result is _DROP:
                self.close_connection = True
                return
            status, body, headers = result
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            kind = "application/octet-stream" if isinstance(body, bytes) else "application/json"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

    return Handler
