"""Which stages of a run are done, for which settings: ``run_state.json`` in the run folder.

A stage is skipped when its output exists and was made with the same settings: the same key,
a hash of the stage's own settings and the keys of the stages it reads from. Changing a setting
therefore reruns that stage and everything after it; ``--from STAGE`` forces it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embedtune._io import write_json

STATE_FILE = "run_state.json"


def stage_key(name: str, settings: Mapping[str, Any], upstream: Sequence[str] = ()) -> str:
    """A short hash of a stage's name, settings (JSON, sorted keys) and upstream keys.

    >>> stage_key("train", {"epochs": 1}) == stage_key("train", {"epochs": 1})
    True
    >>> stage_key("train", {"epochs": 1}) == stage_key("train", {"epochs": 2})
    False
    """
    payload = json.dumps([name, settings, list(upstream)], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass
class RunState:
    """The record of finished stages, by name: key, seconds, finish time and a small result."""

    path: Path
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, out: Path) -> RunState:
        path = Path(out) / STATE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            stages = data.get("stages", {}) if isinstance(data, dict) else {}
        except (FileNotFoundError, json.JSONDecodeError):
            stages = {}
        return cls(path=path, stages=stages)

    def is_done(self, name: str, key: str, output: Path) -> bool:
        """Whether ``name`` finished with ``key`` and its ``output`` is still there."""
        record = self.stages.get(name)
        return bool(record and record.get("key") == key and output.exists())

    def result(self, name: str) -> dict[str, Any]:
        return dict(self.stages.get(name, {}).get("result", {}))

    def finish(self, name: str, key: str, seconds: float, result: Mapping[str, Any]) -> None:
        self.stages[name] = {
            "key": key,
            "seconds": round(seconds, 1),
            "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "result": dict(result),
        }
        self.save()

    def forget(self, names: Sequence[str]) -> None:
        for name in names:
            self.stages.pop(name, None)
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_json(self.path, {"stages": self.stages})
