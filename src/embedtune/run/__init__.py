"""`embedtune run`: every stage, corpus to search index, in one resumable run folder."""

from __future__ import annotations

from embedtune.run.config import STAGES, TUTORIAL_QUERY, RunConfig
from embedtune.run.pipeline import RunResult, paths, run
from embedtune.run.state import RunState, stage_key

__all__ = [
    "STAGES",
    "TUTORIAL_QUERY",
    "RunConfig",
    "RunResult",
    "RunState",
    "paths",
    "run",
    "stage_key",
]
