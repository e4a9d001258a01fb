"""Fakes shared by several test folders."""

from __future__ import annotations

import contextlib
import re
import zlib
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from embedtune.models.encoder import TextKind, normalize_rows


class HashingEncoder:
    """A bag-of-words encoder: each word (lower-cased, plural -s dropped) hashes to one axis.

    Rankings are predictable: a query ranks highest the texts that share most of its words.
    """

    dimension = 512

    def __init__(self) -> None:
        self.calls: list[tuple[TextKind, int]] = []

    def encode(self, texts: Sequence[str], *, kind: TextKind = "document") -> np.ndarray:
        self.calls.append((kind, len(texts)))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[\w+#/.-]+", text.lower()):
                word = word[:-1] if len(word) > 3 and word.endswith("s") else word
                out[row, zlib.crc32(word.encode()) % self.dimension] += 1.0
        return normalize_rows(out)


class RecordingReporter:
    """A Reporter that records each task as [description, total, sum of its advances]."""

    def __init__(self) -> None:
        self.tasks: list[list[Any]] = []

    @contextlib.contextmanager
    def task(self, description: str, total: int | None = None) -> Iterator[Any]:
        record: list[Any] = [description, total, 0]
        self.tasks.append(record)

        class _Task:
            def advance(self, n: int = 1) -> None:
                record[2] += n

        yield _Task()
