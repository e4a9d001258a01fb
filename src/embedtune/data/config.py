"""Settings of the prepare stage, checked on construction."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from embedtune.data.split import check_fractions, parse_fractions
from embedtune.errors import EmbedtuneError


@dataclass
class PrepareConfig:
    """Everything ``embedtune prepare`` needs; written to ``config.json`` beside the output."""

    source: str
    out: Path
    text_column: str | None = None
    title_column: str | None = None
    id_column: str | None = None
    keep_titles: tuple[str, ...] = ()
    model: str = "all-MiniLM-L6-v2"
    max_tokens: int | None = None
    clean: bool = True
    dedupe: bool = True
    near_dup_threshold: float = 0.7
    group_threshold: float = 0.5
    split: tuple[float, float, float] = (0.8, 0.1, 0.1)
    seed: int = 42
    demo_size: int = 1000
    encoding: str = "utf-8"
    hf_split: str = "train"
    overwrite: bool = False
    push_to_hub: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.out = Path(self.out)
        if not self.source.strip():
            raise EmbedtuneError("empty source", fix="pass a file, 'hf:OWNER/NAME' or 'demo'")
        self.keep_titles = tuple(t.strip() for t in self.keep_titles if t.strip())
        if self.max_tokens is not None and self.max_tokens < 8:
            raise EmbedtuneError(
                f"--max-tokens {self.max_tokens} is too small",
                fix="use at least 8, or leave it unset",
            )
        if not 0 < self.group_threshold <= self.near_dup_threshold <= 1:
            raise EmbedtuneError(
                f"invalid thresholds: near-duplicate {self.near_dup_threshold}, "
                f"group {self.group_threshold}",
                fix="use 0 < --group-threshold <= --near-dup-threshold <= 1",
            )
        self.split = check_fractions(self.split)
        if self.demo_size < 10:
            raise EmbedtuneError(
                f"--demo-size {self.demo_size} is too small", fix="use at least 10"
            )
        if self.push_to_hub is not None and self.push_to_hub.count("/") != 1:
            raise EmbedtuneError(
                f"--push-to-hub {self.push_to_hub!r} is not a repository id",
                fix="use OWNER/NAME",
            )

    @classmethod
    def from_flags(
        cls, source: str, out: Path, *, split: str, keep_titles: str | None, **flags: Any
    ) -> PrepareConfig:
        """The config of `embedtune prepare`'s flags: ``--split`` as text (``80/10/10`` too),
        ``--keep-titles`` comma-separated; a flag left unset (None) keeps the default.

        >>> c = PrepareConfig.from_flags("demo", Path("d"), split="80/10/10", keep_titles="a, b")
        >>> (c.split, c.keep_titles)
        ((0.8, 0.1, 0.1), ('a', 'b'))
        """
        given = {k: v for k, v in flags.items() if v is not None}
        titles = tuple((keep_titles or "").split(","))
        return cls(source, out, split=parse_fractions(split), keep_titles=titles, **given)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["out"] = str(self.out)
        return data
