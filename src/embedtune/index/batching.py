"""Run queries from many threads in shared batches.

A web server runs each request in its own thread; encoding and scoring each query alone keeps
the model busy with batches of one, and many threads calling BLAS at once fight over the
cores. :class:`QueryBatcher` has one worker thread: whatever items queued up while the previous
batch ran are processed together as the next batch. Nothing waits on a timer, so a lone query
runs at once.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


class QueryBatcher(Generic[In, Out]):
    """``encode(item)`` from any thread; ``encode_many`` sees up to ``max_batch`` items per call
    and returns one result per item, in order."""

    def __init__(
        self, encode_many: Callable[[Sequence[In]], Sequence[Out]], *, max_batch: int = 64
    ) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be >= 1, got {max_batch}")
        self._encode_many = encode_many
        self._max_batch = max_batch
        self._queue: queue.Queue[tuple[In, Future[Out]]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.batch_sizes: list[int] = []  # the last 1,000 batch sizes, for tests and tuning

    def encode(self, item: In) -> Out:
        """The result for ``item`` (blocks until its batch is done)."""
        self._ensure_worker()
        future: Future[Out] = Future()
        self._queue.put((item, future))
        return future.result()

    def _ensure_worker(self) -> None:
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="embedtune-query-batcher", daemon=True
                    )
                    self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self._max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self.batch_sizes = [*self.batch_sizes[-999:], len(batch)]
            try:
                results = self._encode_many([item for item, _ in batch])
            except BaseException as e:  # hand the error to every waiting request
                for _, future in batch:
                    future.set_exception(e)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                future.set_result(result)
