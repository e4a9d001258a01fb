"""Settings of the training stage, checked on construction, loadable from YAML.

Defaults follow the sentence-transformers training tutorial: one epoch, batch 16, learning rate
2e-5, 10% warmup, the no-duplicates batch sampler, validation every 100 steps.

>>> TrainConfig(data=Path("d"), out=Path("o"), loss="gist").loss
'gist'
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from embedtune.errors import EmbedtuneError
from embedtune.train.data import NegativeColumns, TrainOn

__all__ = [
    "EXPORT_FORMATS",
    "INTERPOLATE_MODES",
    "LOSSES",
    "NEGATIVE_COLUMNS",
    "PRECISIONS",
    "TRAIN_ON",
    "ExportFormat",
    "Interpolate",
    "LossName",
    "Precision",
    "TrainConfig",
    "load_yaml_config",
]

LossName = Literal["mnrl", "cached-mnrl", "gist", "triplet"]
# "auto": bf16 autocast only where the hardware computes bf16 natively (see embedtune.train.speed)
Precision = Literal["auto", "fp32", "bf16"]
LOSSES: tuple[str, ...] = get_args(LossName)
PRECISIONS: tuple[str, ...] = get_args(Precision)
# also written after training: OUT/onnx/ with fp32 and int8 files (needs embedtune[onnx])
ExportFormat = Literal["onnx"]
EXPORT_FORMATS: tuple[str, ...] = get_args(ExportFormat)
NEGATIVE_COLUMNS: tuple[str, ...] = get_args(NegativeColumns)
TRAIN_ON: tuple[str, ...] = get_args(TrainOn)
# after training: auto = choose the weight of tuned vs base on validation (train/interpolate.py),
# off = save the tuned weights as they are, a number in 0..1 = that weight
InterpolateMode = Literal["auto", "off"]
Interpolate = InterpolateMode | float
INTERPOLATE_MODES: tuple[str, ...] = get_args(InterpolateMode)


@dataclass
class TrainConfig:
    """Everything ``embedtune train`` needs; written to ``train_config.json`` beside the model."""

    data: Path
    out: Path
    model: str = "all-MiniLM-L6-v2"
    loss: LossName = "mnrl"
    epochs: float = 1.0
    batch_size: int = 16
    learning_rate: float = 2e-5
    warmup_ratio: float = 0.1
    eval_steps: int = 100  # 0: no validation during training
    save_steps: int = 100
    max_steps: int | None = None
    max_train: int | None = None  # use at most this many training triplets (a seeded sample)
    matryoshka_dims: tuple[int, ...] = ()
    seed: int = 42
    early_stopping_patience: int | None = None
    resume: bool = False
    overwrite: bool = False
    push_to_hub: str | None = None
    export: ExportFormat | None = None
    # loss details
    guide_model: str | None = None  # gist: the guide; None = a frozen copy of the base model
    mini_batch_size: int = 16  # cached-mnrl: rows per forward pass
    triplet_margin: float = 5.0
    # speed
    precision: Precision = "auto"
    length_grouping: bool = True
    threads: int | None = None  # None: every core this process may use
    max_seq_length: int | None = None  # None: the longest prepared text, capped by the model's
    negative_columns: NegativeColumns = "auto"  # auto: drop least-similar negatives (see data.py)
    train_on: TrainOn = "auto"  # auto: every split when nothing honest is held back (data.py)
    checkpoint_dir: Path | None = None  # None: OUT.checkpoints beside OUT
    # forgetting control (train/interpolate.py)
    interpolate: Interpolate = "auto"
    general: Path | None = None  # a BEIR folder watched while choosing the weight
    general_max_docs: int | None = 1000  # a seeded sample of it; None: the whole corpus
    max_general_drop: float = 0.01  # the most general nDCG@10 the chosen weight may lose
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.data = Path(self.data)
        self.out = Path(self.out)
        if self.checkpoint_dir is not None:
            self.checkpoint_dir = Path(self.checkpoint_dir)
        if self.general is not None:
            self.general = Path(self.general)
        self.interpolate = parse_interpolate(self.interpolate)
        if self.general_max_docs is not None and self.general_max_docs < 100:
            raise EmbedtuneError(
                f"a general sample of {self.general_max_docs} documents is too small to rank",
                fix="use at least 100 (1000 is the default), or none for the whole corpus",
            )
        if not 0 <= self.max_general_drop <= 1:
            raise EmbedtuneError(
                f"--max-general-drop {self.max_general_drop} is outside 0..1", fix="use e.g. 0.01"
            )
        self.matryoshka_dims = tuple(int(d) for d in self.matryoshka_dims)
        if self.loss not in LOSSES:
            raise EmbedtuneError(
                f"unknown loss {self.loss!r}", fix=f"use one of: {', '.join(LOSSES)}"
            )
        if self.precision not in PRECISIONS:
            raise EmbedtuneError(
                f"unknown precision {self.precision!r}", fix=f"use one of: {', '.join(PRECISIONS)}"
            )
        if self.negative_columns not in NEGATIVE_COLUMNS:
            raise EmbedtuneError(
                f"unknown --negative-columns {self.negative_columns!r}",
                fix=f"use one of: {', '.join(NEGATIVE_COLUMNS)}",
            )
        if self.train_on not in TRAIN_ON:
            raise EmbedtuneError(
                f"unknown --train-on {self.train_on!r}", fix=f"use one of: {', '.join(TRAIN_ON)}"
            )
        if not self.model.strip():
            raise EmbedtuneError("model name is empty", fix="pass --model NAME_OR_PATH")
        _positive("epochs", self.epochs)
        _positive("batch-size", self.batch_size)
        _positive("learning-rate", self.learning_rate)
        _positive("save-steps", self.save_steps)
        _positive("mini-batch-size", self.mini_batch_size)
        if self.loss != "triplet" and self.batch_size < 2:
            raise EmbedtuneError(
                f"--batch-size {self.batch_size} leaves no in-batch negatives for {self.loss}",
                fix="use --batch-size 2 or more (16 is the default)",
            )
        if not 0 <= self.warmup_ratio < 1:
            raise EmbedtuneError(
                f"--warmup-ratio {self.warmup_ratio} is out of range", fix="use 0 <= ratio < 1"
            )
        if self.eval_steps < 0:
            raise EmbedtuneError(
                f"--eval-steps {self.eval_steps} is negative",
                fix="use a positive number, or 0 to train without validation",
            )
        if self.max_steps is not None:
            _positive("max-steps", self.max_steps)
        if self.max_train is not None:
            _positive("max-train", self.max_train)
        if self.early_stopping_patience is not None:
            _positive("early-stopping-patience", self.early_stopping_patience)
            if self.eval_steps == 0:
                raise EmbedtuneError(
                    "early stopping needs validation, but --eval-steps is 0",
                    fix="set --eval-steps, or drop --early-stopping-patience",
                )
        if self.eval_steps and self.save_steps % self.eval_steps:
            raise EmbedtuneError(
                f"--save-steps {self.save_steps} is not a multiple of --eval-steps "
                f"{self.eval_steps}, so the best checkpoint could not be kept",
                fix=f"use e.g. --save-steps {self.eval_steps}",
            )
        if any(d <= 0 for d in self.matryoshka_dims):
            raise EmbedtuneError(
                f"--matryoshka-dims {_dims(self.matryoshka_dims)} has a non-positive size",
                fix="use positive sizes, e.g. 384,256,128,64",
            )
        if len(set(self.matryoshka_dims)) != len(self.matryoshka_dims):
            raise EmbedtuneError(
                f"--matryoshka-dims {_dims(self.matryoshka_dims)} repeats a size",
                fix="list each size once",
            )
        if self.threads is not None:
            _positive("threads", self.threads)
        if self.max_seq_length is not None and self.max_seq_length < 8:
            raise EmbedtuneError(
                f"--max-seq-length {self.max_seq_length} is too small", fix="use at least 8"
            )
        if self.push_to_hub is not None and self.push_to_hub.count("/") != 1:
            raise EmbedtuneError(
                f"--push-to-hub {self.push_to_hub!r} is not a repository id", fix="use OWNER/NAME"
            )
        if self.export is not None and self.export not in EXPORT_FORMATS:
            raise EmbedtuneError(
                f"unknown export format {self.export!r}",
                fix=f"use --export {' or '.join(EXPORT_FORMATS)}, or leave it out",
            )
        if self.resume and self.overwrite:
            raise EmbedtuneError(
                "--resume and --overwrite contradict each other",
                fix="--resume continues the last run; --overwrite starts over. Pass one",
            )

    @property
    def checkpoints(self) -> Path:
        """Where checkpoints go while training: ``checkpoint_dir`` or ``OUT.checkpoints``."""
        if self.checkpoint_dir is not None:
            return self.checkpoint_dir
        return self.out.with_name(self.out.name + ".checkpoints")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("data", "out", "checkpoint_dir", "general"):
            data[key] = None if data[key] is None else str(data[key])
        data["matryoshka_dims"] = list(self.matryoshka_dims)
        return data

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainConfig:
        """A config from ``values`` (YAML keys may use dashes); unknown keys are an error."""
        names = {f.name for f in dataclasses.fields(cls)}
        clean = {str(k).replace("-", "_"): v for k, v in values.items()}
        unknown = sorted(set(clean) - names)
        if unknown:
            raise EmbedtuneError(
                f"unknown training setting(s): {', '.join(unknown)}",
                fix=f"use only: {', '.join(sorted(names - {'extra'}))}",
            )
        if isinstance(clean.get("matryoshka_dims"), str):
            clean["matryoshka_dims"] = parse_dims(clean["matryoshka_dims"])
        try:
            return cls(**clean)
        except TypeError as e:  # a required key is missing
            raise EmbedtuneError(
                f"incomplete training settings: {e}", fix="set data and out"
            ) from e


def load_yaml_config(path: Path, overrides: dict[str, Any]) -> TrainConfig:
    """Settings from the YAML file ``path``, with ``overrides`` (the flags given) on top."""
    from embedtune._config import load_settings

    return TrainConfig.from_dict(load_settings(path, overrides))


def parse_dims(text: str) -> tuple[int, ...]:
    """``"384,256, 64"`` → ``(384, 256, 64)``; an empty string → ``()``."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    try:
        return tuple(int(p) for p in parts)
    except ValueError:
        raise EmbedtuneError(
            f"--matryoshka-dims {text!r} is not a list of integers", fix="use e.g. 384,256,128,64"
        ) from None


def parse_interpolate(value: object) -> Interpolate:
    """``auto``, ``off`` or a weight of the tuned model in 0..1 (``"0.5"`` from a flag or YAML).

    >>> parse_interpolate("0.75"), parse_interpolate("off"), parse_interpolate(1)
    (0.75, 'off', 1.0)
    """
    fix = "use auto (choose on validation), off, or a weight from 0 (base) to 1 (tuned)"
    if isinstance(value, str) and value.strip().lower() in INTERPOLATE_MODES:
        return value.strip().lower()  # type: ignore[return-value]
    if isinstance(value, bool):
        raise EmbedtuneError(f"--interpolate {value} is not a mode or a weight", fix=fix)
    try:
        weight = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise EmbedtuneError(
            f"--interpolate {value!r} is not a mode or a weight", fix=fix
        ) from None
    if not 0 <= weight <= 1:
        raise EmbedtuneError(f"--interpolate {weight:g} is outside 0..1", fix=fix)
    return weight


def _positive(name: str, value: float) -> None:
    if isinstance(value, bool) or not value > 0:
        raise EmbedtuneError(f"--{name} {value} must be positive", fix=f"pass --{name} above 0")


def _dims(dims: tuple[int, ...]) -> str:
    return ",".join(str(d) for d in dims)
