"""The closed sets a job posting is described by, shared by the demo corpus and the query makers.

Only the sets live here; each user keeps its own words for them (the demo's ``vocab/*.json``,
the offline generator's ``words.json``), on purpose.

>>> SENIORITIES[0], SENIORITIES[-1], WORK_MODES
('intern', 'principal', ('remote', 'hybrid', 'onsite'))
"""

from __future__ import annotations

from typing import Literal

__all__ = ["SENIORITIES", "WORK_MODES", "Seniority", "WorkMode"]

Seniority = Literal["intern", "junior", "mid", "senior", "staff", "lead", "principal"]
SENIORITIES: tuple[Seniority, ...] = (
    "intern", "junior", "mid", "senior", "staff", "lead", "principal",
)  # fmt: skip
"""Every level, lowest first."""

WorkMode = Literal["remote", "hybrid", "onsite"]
WORK_MODES: tuple[WorkMode, ...] = ("remote", "hybrid", "onsite")
