"""Fine-tune a sentence-transformers model on prepared triplets: checkpoints, resume, best model.

:func:`train` is the whole stage: check the output folders, load triplets and the validation
retrieval split, load the base model, apply the speed settings, build the loss, run
``SentenceTransformerTrainer``, then write the best model atomically to ``config.out`` with
``train_config.json`` (resolved settings, seed, library versions, speed decisions) and
``trainer_state.json`` (the log history). Before saving, the weight of the tuned model against
the base is chosen on validation (:mod:`embedtune.train.interpolate`, ``interpolate: auto``):
when the base wins, the base weights are saved and the result says so. Checkpoints live in ``config.checkpoints``
(``OUT.checkpoints``) while training, so ``resume=True`` can continue an interrupted run to the
same final step; they are removed once the model is saved.

In a data-parallel run (``torchrun`` / ``accelerate launch``) every process runs this function;
in-batch negatives are gathered across processes, and only the first process evaluates, saves
and pushes.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from embedtune._io import MARKER, atomic_dir, check_out, overlap, write_json
from embedtune.errors import EmbedtuneError
from embedtune.hub import push_folder
from embedtune.progress import NullReporter, Reporter
from embedtune.train.config import TrainConfig
from embedtune.train.data import (
    IRSplit,
    drop_negatives,
    load_ir_split,
    load_triplets,
    negative_decision,
    prepared_negative_method,
    prepared_record,
    sample_train,
    train_splits,
    widget_examples,
)

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from transformers import TrainerCallback

    from embedtune.evaluate.scored import GeneralScores

__all__ = ["TrainResult", "push_model", "train"]

CHECKPOINT_PREFIX = "checkpoint-"
EVAL_NAME = "validation"
BASE_EVAL_FILE = "base_eval.json"  # in the checkpoint folder: a resumed run reads it back


@dataclass
class TrainResult:
    """What a training run did; ``to_dict`` is the CLI's ``--json`` output."""

    out: Path | None  # None on processes other than the first in a data-parallel run
    global_step: int
    max_steps: int
    train_rows: int
    seconds: float
    step_seconds: float
    triplets_per_second: float
    base_metric: float | None
    best_metric: float | None
    best_step: int | None
    metric: str | None
    speed: dict[str, Any] = field(default_factory=dict)
    pushed: str | None = None
    exported: dict[str, Any] | None = None  # --export onnx: the export's summary
    interpolation: dict[str, Any] | None = None  # the weight choice (WeightChoice.to_dict)
    train_on: tuple[str, ...] = ("train",)  # the prepared splits trained on (data.train_splits)
    message: str | None = None  # one plain sentence: what was saved and whether it beat the base
    rank: int = 0
    world_size: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "out": None if self.out is None else str(self.out),
            "global_step": self.global_step,
            "max_steps": self.max_steps,
            "train_rows": self.train_rows,
            "seconds": round(self.seconds, 2),
            "step_seconds": round(self.step_seconds, 2),
            "triplets_per_second": round(self.triplets_per_second, 3),
            "metric": self.metric,
            "base_metric": self.base_metric,
            "best_metric": self.best_metric,
            "best_step": self.best_step,
            "speed": self.speed,
            "pushed": self.pushed,
            "exported": self.exported,
            "world_size": self.world_size,
            "kept_base": self.kept_base,
            "message": self.message,
            "interpolation": self.interpolation,
            "train_on": list(self.train_on),
        }

    @property
    def kept_base(self) -> bool:
        """True when the saved weights are the base model's: fine-tuning did not beat it."""
        return bool(self.interpolation and self.interpolation.get("kept_base"))


def train(
    config: TrainConfig,
    *,
    reporter: Reporter | None = None,
    callbacks: list[TrainerCallback] | None = None,
) -> TrainResult:
    """Run the training stage described by ``config`` (see the module docstring)."""
    with _quiet_progress_bars():
        return _train(config, reporter or NullReporter(), callbacks)


def _train(
    config: TrainConfig, reporter: Reporter, callbacks: list[TrainerCallback] | None
) -> TrainResult:
    rank, world = _rank(), _world_size()
    check_outputs(config)
    if config.general is not None and config.interpolate != "off":
        from embedtune.evaluate.beir import load_beir

        load_beir(config.general)  # a bad folder fails now, not after the training
    splits, splits_why = train_splits(
        config.train_on, prepared_record(config.data), _ir_sets(config.data)
    )
    data = load_triplets(config.data, train_on=splits)
    if config.max_train is not None:
        data = sample_train(data, config.max_train, config.seed)
    method = prepared_negative_method(config.data)
    drop, negatives_note = negative_decision(
        config.negative_columns, method, config.loss, data.negatives
    )
    negative_columns = list(data.columns[2:])
    if drop:
        data = drop_negatives(data)
    seen = "validation" in splits  # its queries are trained on: no honest score during training
    ir = load_ir_split(config.data, "validation") if config.eval_steps and not seen else None

    from embedtune.models.registry import load_model, resolve_model
    from embedtune.train import speed

    threads = speed.set_threads(config.threads)
    resolved = resolve_model(config.model)
    model = load_model(resolved, device=None)
    device = str(model.device)
    precision = speed.resolve_precision(config.precision, device)

    model_max = int(model.max_seq_length or 512)
    doc_columns = data.columns[1:]
    lengths = speed.row_lengths(data.train, doc_columns, model.tokenizer)
    anchors = speed.token_lengths(model.tokenizer, data.train["anchor"])
    longest = int(max(lengths.max(initial=1), anchors.max(initial=1)))
    max_len = speed.fit_max_seq_length(model_max, longest, config.max_seq_length)
    model.max_seq_length = max_len

    loss = _build_loss(config, model, data.negatives, world)
    evaluator = _evaluator(ir, model.similarity_fn_name) if ir is not None else None
    metric = f"eval_{EVAL_NAME}_{model.similarity_fn_name}_ndcg@10" if ir is not None else None
    args = _training_args(config, precision, metric, device, lengths)
    speed_info = {
        "precision": precision,
        "threads": threads,
        "max_seq_length": max_len,
        "model_max_seq_length": model_max,
        "longest_text_tokens": longest,
        "length_grouping": config.length_grouping,
        "device": device,
        "train_on": {"splits": list(splits), "why": splits_why},
        "negative_columns": {
            "columns": negative_columns,
            "method": method,
            "dropped": drop,
            "why": negatives_note,
        },
    }

    from sentence_transformers import SentenceTransformerTrainer
    from transformers import EarlyStoppingCallback, PrinterCallback

    from embedtune.train.callbacks import FinalStepCallback, ProgressCallback, StepTimer

    timer = StepTimer()
    progress = ProgressCallback(reporter)
    extra: list[Any] = [timer, progress, FinalStepCallback()]
    if config.early_stopping_patience:
        extra.append(EarlyStoppingCallback(early_stopping_patience=config.early_stopping_patience))
    model.model_card_data.widget = widget_examples(data.train, data.columns)
    trainer = SentenceTransformerTrainer(
        model=model,
        args=args,
        train_dataset=data.train,
        loss=loss,
        evaluator=evaluator,
        callbacks=[*extra, *(callbacks or [])],
    )
    trainer.remove_callback(PrinterCallback)  # the library does not print; logs stay in the state
    base_eval = _base_evaluation(config, trainer, reporter) if evaluator is not None else {}
    base_state = None
    if config.interpolate != "off" and rank == 0:
        from embedtune.train.interpolate import state_copy

        base_state = state_copy(model)  # a resumed run's model is still the base here
    start = time.perf_counter()
    with progress:
        trainer.train(resume_from_checkpoint=True if config.resume else None)
    seconds = time.perf_counter() - start
    state = trainer.state
    if base_eval:  # train() starts a fresh log; keep the base model's score at its head
        state.log_history.insert(0, base_eval)
    base_metric = _first_metric(state.log_history, metric) if metric else None

    done = state.global_step / max(state.max_steps, 1)
    trained_rows = len(data.train) * config.epochs * done
    timed_share = timer.steps / max(state.global_step, 1)
    result = TrainResult(
        out=None,
        global_step=state.global_step,
        max_steps=state.max_steps,
        train_rows=len(data.train),
        seconds=seconds,
        step_seconds=timer.seconds,
        triplets_per_second=trained_rows * timed_share / max(timer.seconds, 1e-9),
        base_metric=base_metric,
        best_metric=None if state.best_metric is None else float(state.best_metric),
        best_step=_checkpoint_step(state.best_model_checkpoint),
        metric=metric,
        speed=speed_info,
        rank=rank,
        world_size=world,
        train_on=splits,
    )
    if not trainer.is_world_process_zero():
        return result

    model.max_seq_length = model_max  # inference may see texts longer than the training data
    result.interpolation, general_scores = _interpolate(config, model, base_state, reporter, splits)
    result.message = _decision(config, result)
    record = {
        "config": config.to_dict(),
        "seed": config.seed,
        "base_model": {
            "name": config.model,
            "location": resolved.location,
            "source": resolved.source,
        },
        "data": {"train_rows": len(data.train), "columns": list(data.columns)},
        "speed": speed_info,
        "world_size": world,
        "interpolation": result.interpolation,
        "result": {
            k: v for k, v in result.to_dict().items() if k not in ("out", "speed", "interpolation")
        },
        "versions": library_versions(),
    }
    with atomic_dir(config.out, overwrite=config.overwrite) as tmp:
        model.save_pretrained(str(tmp))
        if not (tmp / "README.md").is_file():  # sentence-transformers writes one; make sure
            (tmp / "README.md").write_text(_fallback_card(config, result), encoding="utf-8")
        state.save_to_json(str(tmp / "trainer_state.json"))
        write_json(tmp / "train_config.json", record)
        if general_scores is not None:  # the evaluate stage reuses them (evaluate/scored.py)
            from embedtune.evaluate.scored import write_general_scores

            write_general_scores(tmp, general_scores)
    result.out = config.out
    remove_checkpoints(config.checkpoints)
    if config.export == "onnx":  # before the push, so OUT/onnx/ is uploaded too
        from embedtune.export.onnx import export_trained

        result.exported = export_trained(config.out)
    if config.push_to_hub:
        result.pushed = push_model(config.out, config.push_to_hub)
    return result


def check_outputs(config: TrainConfig) -> None:
    """Refuse an ``--out`` that would destroy something (a finished model, an input, a folder
    embedtune did not write: see :func:`embedtune._io.check_out`), refuse a checkpoint folder
    that is, holds or lies inside an input or ``--out``, or holds files of its own (checkpoints
    are deleted once a run finishes), and make the checkpoint folder match ``resume``."""
    out, ckpt = config.out, config.checkpoints
    sources: list[str | Path | None] = [config.data, config.model, config.guide_model]
    check_out(out, sources=sources, overwrite=config.overwrite)
    _check_checkpoint_folder(ckpt, [*(s for s in sources if s and Path(s).exists()), out])
    has_checkpoints = ckpt.is_dir() and any(ckpt.glob(f"{CHECKPOINT_PREFIX}*"))
    if config.resume:
        if not has_checkpoints:
            raise EmbedtuneError(
                f"nothing to resume: {ckpt} holds no checkpoint",
                fix="drop --resume to start a new run (checkpoints are removed once a run finishes)",
            )
        return
    if has_checkpoints and not config.overwrite:
        raise EmbedtuneError(
            f"an unfinished run left checkpoints in {ckpt}",
            fix="pass --resume to continue it, or --overwrite to start over",
        )
    if has_checkpoints and _rank() == 0:
        remove_checkpoints(ckpt)


def _check_checkpoint_folder(ckpt: Path, others: list[str | Path]) -> None:
    """Refuse a checkpoint folder whose removal at the end of the run would take user files:
    one that is, holds or lies inside one of ``others`` (the inputs, ``--out``), or holds files
    training does not write."""
    for other in others:
        relation = overlap(ckpt, Path(other))
        if relation is not None:
            raise EmbedtuneError(
                f"checkpoint folder {ckpt} {relation} {other}",
                fix="choose a --checkpoint-dir apart from the inputs and --out (it is deleted "
                "once the run finishes)",
            )
    if ckpt.is_dir():
        foreign = [p.name for p in ckpt.iterdir() if not _is_checkpoint_file(p)]
        if foreign:
            raise EmbedtuneError(
                f"checkpoint folder {ckpt} holds files embedtune did not write "
                f"({', '.join(sorted(foreign)[:3])}{', ...' if len(foreign) > 3 else ''})",
                fix="choose a new or empty --checkpoint-dir (it is deleted once the run finishes)",
            )


def _is_checkpoint_file(path: Path) -> bool:
    """Whether training writes ``path`` into its checkpoint folder: ``checkpoint-N`` (and the
    library's ``tmp-checkpoint-N`` while one is saved), the evaluator's ``eval`` folder, and
    the base model's scores."""
    if path.is_dir():
        return path.name.startswith((CHECKPOINT_PREFIX, "tmp-" + CHECKPOINT_PREFIX)) or (
            path.name == "eval"
        )
    return path.name == BASE_EVAL_FILE


def remove_checkpoints(ckpt: Path) -> None:
    """Delete what training wrote in ``ckpt`` (``checkpoint-*`` folders, the base scores), then
    the folder itself when that leaves it empty; anything else in it stays."""
    if not ckpt.is_dir():
        return
    for path in ckpt.iterdir():
        if _is_checkpoint_file(path):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        ckpt.rmdir()


def push_model(
    folder: Path, repo_id: str, *, private: bool = True, token: str | None = None
) -> str:
    """Upload the saved model ``folder`` to the Hub model repo ``repo_id``; return its URL."""
    return push_folder(
        folder,
        repo_id,
        repo_type="model",
        private=private,
        token=token,
        ignore_patterns=[MARKER],  # embedtune's own bookkeeping, not part of the model
        commit_message="Upload model fine-tuned with embedtune",
        kept=f"the model is saved in {folder} either way",
    )


def library_versions() -> dict[str, str]:
    """Versions of Python and the libraries that decide what training computes."""
    import importlib.metadata

    versions = {"python": platform.python_version()}
    for name in (
        "embedtune",
        "torch",
        "transformers",
        "sentence-transformers",
        "datasets",
        "accelerate",
    ):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


# ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _quiet_progress_bars() -> Iterator[None]:
    """Hide the progress bars of datasets, transformers and the hub (we report our own)."""
    import datasets
    import huggingface_hub.utils as hub_utils
    from transformers.utils import logging as hf_logging

    states = (
        datasets.is_progress_bar_enabled(),
        hf_logging.is_progress_bar_enabled(),
        not hub_utils.are_progress_bars_disabled(),
    )
    datasets.disable_progress_bars()
    hf_logging.disable_progress_bar()
    hub_utils.disable_progress_bars()
    try:
        yield
    finally:
        if states[0]:
            datasets.enable_progress_bars()
        if states[1]:
            hf_logging.enable_progress_bar()
        if states[2]:
            hub_utils.enable_progress_bars()


def _rank() -> int:
    return int(os.environ.get("RANK", "0"))


def _world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def _build_loss(config: TrainConfig, model: SentenceTransformer, negatives: int, world: int) -> Any:
    from embedtune.models.registry import load_model
    from embedtune.train.losses import build_loss

    guide = None
    if config.loss == "gist":
        guide = load_model(config.guide_model or config.model, device=str(model.device))
        guide.eval()
        for p in guide.parameters():
            p.requires_grad_(False)
    return build_loss(
        config.loss,
        model,
        negatives=negatives,
        guide=guide,
        mini_batch_size=config.mini_batch_size,
        triplet_margin=config.triplet_margin,
        matryoshka_dims=config.matryoshka_dims,
        gather_across_devices=world > 1,
    )


def _interpolate(
    config: TrainConfig,
    model: SentenceTransformer,
    base_state: dict[str, Any] | None,
    reporter: Reporter,
    train_on: tuple[str, ...] = ("train",),
) -> tuple[dict[str, Any] | None, GeneralScores | None]:
    """Choose (``auto``) or apply (a number) the weight of the tuned model against the base, on
    ``model`` in place: the choice as JSON (None with ``interpolate: off``) and the general set's
    results it measured, to keep beside the model. ``train_on``: the splits trained on (a
    validation set among them favours the tuned model, and says so)."""
    if base_state is None:
        return None, None
    from embedtune.train.interpolate import (
        GRID,
        choose_interpolation,
        interpolate_state,
        state_copy,
    )

    weights = GRID if config.interpolate == "auto" else (float(config.interpolate),)
    tuned = state_copy(model)
    choice = choose_interpolation(
        model,
        base_state,
        tuned,
        data=config.data,
        seen=set(train_on),
        weights=weights,
        general=config.general,
        general_max_docs=config.general_max_docs,
        max_general_drop=config.max_general_drop,
        seed=config.seed,
        reporter=reporter,
    )
    if choice is not None:
        return choice.to_dict(), choice.general_scores
    weight = 1.0 if config.interpolate == "auto" else float(config.interpolate)
    model.load_state_dict(interpolate_state(base_state, tuned, weight))
    unchecked: dict[str, Any] = {
        "mode": "auto" if config.interpolate == "auto" else "fixed",
        "weight": weight,
        "kept_base": weight == 0,
        "message": f"{config.data}/ir has no validation set: saved weight {weight:g} of the "
        "tuned model unchecked",
        "curve": [],
    }
    return unchecked, None


def _ir_sets(data: Path) -> list[str]:
    """The names of the query sets under ``DATA/ir`` (``validation``, ``test-titles``, ...)."""
    folder = Path(data) / "ir"
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def _decision(config: TrainConfig, result: TrainResult) -> str | None:
    """The sentence people read about what was saved (the weight choice's, or a warning when
    ``interpolate: off`` saves a model that did not beat its base on validation)."""
    if result.interpolation is not None:
        return str(result.interpolation["message"])
    base, best = result.base_metric, result.best_metric
    if base is not None and best is not None and best <= base:
        return (
            f"the tuned model is NOT better than the base model on ir/validation "
            f"(nDCG@10 {best:.3f} vs {base:.3f}); saved anyway (--interpolate off)"
        )
    return None


def _evaluator(ir: IRSplit, similarity: str) -> Any:
    from sentence_transformers.sentence_transformer.evaluation import (
        InformationRetrievalEvaluator,
    )

    return InformationRetrievalEvaluator(
        queries=dict[str, Any](ir.queries),
        corpus=dict[str, Any](ir.corpus),
        relevant_docs=ir.relevant,
        name=EVAL_NAME,
        main_score_function=similarity,
        batch_size=32,
        write_csv=False,
        show_progress_bar=False,
    )


def _training_args(
    config: TrainConfig, precision: str, metric: str | None, device: str, lengths: Any
) -> Any:
    from sentence_transformers import SentenceTransformerTrainingArguments
    from sentence_transformers.base.sampler import BatchSamplers

    from embedtune.train.sampler import length_grouped_sampler

    sampler: Any = BatchSamplers.NO_DUPLICATES
    if config.length_grouping:
        sampler = length_grouped_sampler(lengths)
    evaluate = metric is not None
    cpu = not device.startswith("cuda")
    return SentenceTransformerTrainingArguments(
        output_dir=str(config.checkpoints),
        num_train_epochs=config.epochs,
        max_steps=config.max_steps or -1,
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.batch_size,
        learning_rate=config.learning_rate,
        warmup_steps=config.warmup_ratio,
        seed=config.seed,
        data_seed=config.seed,
        bf16=precision == "bf16",
        batch_sampler=sampler,
        eval_strategy="steps" if evaluate else "no",
        eval_steps=config.eval_steps or None,
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=2,
        load_best_model_at_end=evaluate,
        metric_for_best_model=metric,
        greater_is_better=True if evaluate else None,
        logging_steps=max(1, min(10, config.eval_steps or 10)),
        logging_first_step=True,
        report_to="none",
        disable_tqdm=True,
        use_cpu=cpu,
        ddp_backend="gloo" if cpu and _world_size() > 1 else None,
        dataloader_drop_last=False,
    )


def _base_evaluation(config: TrainConfig, trainer: Any, reporter: Reporter) -> dict[str, Any]:
    """The base model's validation scores (log entry of step 0), for comparison.

    A new run measures them and keeps them in ``CHECKPOINTS/base_eval.json``; a resumed run
    reads them back from there (its model is no longer the base model). ``{}`` when a resumed
    run's checkpoints predate that file.
    """
    path = config.checkpoints / BASE_EVAL_FILE
    if config.resume:
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return saved if isinstance(saved, dict) else {}
    with reporter.task("Scoring the base model"):
        base = {**trainer.evaluate(), "epoch": 0.0, "step": 0}
    if trainer.is_world_process_zero():
        write_json(path, base)
    return base


def _first_metric(history: list[dict[str, Any]], key: str) -> float | None:
    """The earliest value of ``key`` in a log history: the base model's score at step 0."""
    for entry in history:
        if key in entry and entry.get("step") == 0:
            return float(entry[key])
    return None


def _checkpoint_step(path: str | None) -> int | None:
    if not path:
        return None
    name = Path(path).name
    return int(name[len(CHECKPOINT_PREFIX) :]) if name.startswith(CHECKPOINT_PREFIX) else None


def _fallback_card(config: TrainConfig, result: TrainResult) -> str:
    return (
        f"---\nlibrary_name: sentence-transformers\ntags:\n- sentence-transformers\n- embedtune\n---\n"
        f"# Fine-tuned from {config.model} with embedtune\n\n"
        f"Loss {config.loss}, {result.global_step} steps, batch {config.batch_size}; "
        f"validation {result.metric}: {result.best_metric}.\n"
    )
