"""Settings of query generation (the `--queries` family of `embedtune prepare` flags)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, cast

from embedtune.errors import EmbedtuneError

QueryMethod = Literal["offline", "openai", "openai-batch", "column"]
QUERY_METHODS: tuple[QueryMethod, ...] = ("offline", "openai", "openai-batch", "column")


def parse_query_source(value: str) -> tuple[QueryMethod, str | None]:
    """Split a ``--queries`` value into the method and, for ``column:NAME``, the column.

    >>> parse_query_source("column:search_query")
    ('column', 'search_query')
    >>> parse_query_source("offline")
    ('offline', None)
    """
    method, _, column = value.strip().partition(":")
    if method == "column":
        if not column.strip():
            raise EmbedtuneError(
                "--queries column: needs a column name", fix="use --queries column:NAME"
            )
        return "column", column.strip()
    if method not in QUERY_METHODS or column:
        raise EmbedtuneError(
            f"invalid --queries {value!r}",
            fix="use one of offline, openai, openai-batch, column:NAME",
        )
    return cast(QueryMethod, method), None


OFFLINE_PER_POSTING = 3
"""Offline queries per posting by default: several styles of one posting (role, role + skills,
...) lifted title search on real postings over one (benchmarks/RESULTS.md, issue 16); they cost
nothing. An LLM writes one by default: each query is paid for."""


@dataclass
class QueryConfig:
    """Where training queries come from and how they are filtered.

    ``per_posting`` None: :data:`OFFLINE_PER_POSTING` offline, 1 from an LLM.

    >>> QueryConfig().per_posting, QueryConfig(source="openai").per_posting
    (3, 1)
    """

    source: str = "offline"
    per_posting: int | None = None
    llm_model: str = "gpt-4o-mini"
    llm_base_url: str | None = None
    prompt_template: Path | None = None
    prices: Path | None = None
    yes: bool = False
    round_trip_k: int | None = None
    seed: int = 42
    batch_poll_seconds: float = 30.0

    def __post_init__(self) -> None:
        method, _ = parse_query_source(self.source)
        if self.per_posting is None:
            self.per_posting = OFFLINE_PER_POSTING if method == "offline" else 1
        if not 1 <= self.per_posting <= 10:
            raise EmbedtuneError(
                f"--queries-per-posting {self.per_posting} is out of range", fix="use 1 to 10"
            )
        if self.round_trip_k is not None and self.round_trip_k < 1:
            raise EmbedtuneError(
                f"--round-trip-k {self.round_trip_k} must be at least 1",
                fix="use e.g. --round-trip-k 10, or leave it unset to keep every query",
            )
        if self.batch_poll_seconds < 0:
            raise EmbedtuneError(
                f"batch poll interval {self.batch_poll_seconds} is negative",
                fix="use 0 or more seconds",
            )
        for flag, path in (("--prompt-template", self.prompt_template), ("--prices", self.prices)):
            if path is not None and not Path(path).is_file():
                raise EmbedtuneError(
                    f"{flag} {path} is not a file", fix=f"pass an existing {flag} file"
                )

    @classmethod
    def from_flags(
        cls, source: str | None, *, llm_model: str | None, llm_base_url: str | None, **flags: Any
    ) -> QueryConfig:
        """The config of `embedtune prepare`'s query flags; a flag left unset (None) keeps the
        default. Without ``--queries``, naming an LLM (model or endpoint) means ``openai``.

        >>> QueryConfig.from_flags(None, llm_model=None, llm_base_url="http://x/v1").source
        'openai'
        >>> QueryConfig.from_flags(None, llm_model=None, llm_base_url=None).source
        'offline'
        """
        if source is None:
            source = "openai" if (llm_model or llm_base_url) else "offline"
        given = {k: v for k, v in flags.items() if v is not None}
        if llm_model:
            given["llm_model"] = llm_model
        return cls(source=source, llm_base_url=llm_base_url, **given)

    @property
    def count(self) -> int:
        """Queries per posting, resolved (``per_posting`` is never None after construction)."""
        assert self.per_posting is not None
        return self.per_posting

    @property
    def method(self) -> QueryMethod:
        return parse_query_source(self.source)[0]

    @property
    def column(self) -> str | None:
        return parse_query_source(self.source)[1]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("prompt_template", "prices"):
            data[key] = None if data[key] is None else str(data[key])
        return data
