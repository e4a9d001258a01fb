"""An on-disk cache of raw LLM answers, so no prompt is paid for twice.

One small JSON file per answer, ``<root>/<key[:2]>/<key>.json``, written atomically (temporary file,
then rename) the moment the answer arrives: a crash or Ctrl-C loses at most the answers still in
flight, and many threads can write at once without a lock. The key is the sha256 of the model,
the prompt template, the rendered prompt and the number of queries asked for, so changing any of
them asks again, and changing nothing never does.

>>> key = cache_key("gpt-4o-mini", "{text}", "Nurse in Berlin", 1)
>>> len(key), key == cache_key("gpt-4o-mini", "{text}", "Nurse in Berlin", 1)
(64, True)
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from embedtune._io import write_json

__all__ = ["AnswerCache", "cache_key", "default_cache_dir"]


def default_cache_dir() -> Path:
    """Where answers are cached: ``$EMBEDTUNE_CACHE/llm``, default ``~/.cache/embedtune/llm``."""
    root = os.environ.get("EMBEDTUNE_CACHE") or Path.home() / ".cache" / "embedtune"
    return Path(root).expanduser() / "llm"


def cache_key(model: str, template: str, prompt: str, n: int) -> str:
    """The sha256 (hex) that names one answer: model, template text, rendered prompt, ``n``."""
    payload = json.dumps([model, template, prompt, n], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class AnswerCache:
    """Raw answers by :func:`cache_key`, one atomic JSON file each under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        """The file that holds the answer for ``key``."""
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> str | None:
        """The cached raw answer for ``key``, or ``None`` (a missing or unreadable entry)."""
        try:
            entry = json.loads(self.path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        raw = entry.get("raw") if isinstance(entry, dict) else None
        return raw if isinstance(raw, str) else None

    def put(self, key: str, raw: str, *, model: str = "") -> None:
        """Store ``raw`` under ``key`` (atomically; an existing entry is replaced)."""
        written = datetime.now(UTC).isoformat(timespec="seconds")
        write_json(self.path(key), {"key": key, "model": model, "raw": raw, "written": written})

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None
