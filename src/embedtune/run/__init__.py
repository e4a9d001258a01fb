"""`embedtune run`: every stage, corpus to search index, in one resumable run folder."""

from __future__ import annotations

from embedtune.run.config import STAGES, TUTORIAL_QUERY, RunConfig
from embedtune.run.pipeline import RunResult, paths, run
from embedtune.run.stages import PIPELINE, Stage, StageContext
from embedtune.run.state import RunState, stage_key

__all__ = [
    "PIPELINE",
    "STAGES",
    "TUTORIAL_QUERY",
    "RunConfig",
    "RunResult",
    "RunState",
    "Stage",
    "StageContext",
    "paths",
    "run",
    "stage_key",
]
