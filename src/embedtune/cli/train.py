"""`embedtune train`: flags (over an optional YAML file) -> TrainConfig -> the training stage."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from embedtune.cli.app import app, on_interrupt
from embedtune.cli.options import JsonOutput


@app.command()
def train(
    data: Annotated[
        Path | None, typer.Option(help="Prepared folder (embedtune prepare --out), with triplets/.")
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            help="Base model: a known name, a local folder or a hub id. [default: all-MiniLM-L6-v2]"
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Folder for the trained model (written atomically).")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", help="YAML file of settings (same names as the flags); flags win."
        ),
    ] = None,
    loss: Annotated[
        str | None, typer.Option(help="mnrl, cached-mnrl, gist or triplet. [default: mnrl]")
    ] = None,
    epochs: Annotated[
        float | None, typer.Option(help="Passes over the triplets. [default: 1]")
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option(help="Triplets per step (and in-batch negatives). [default: 16]")
    ] = None,
    learning_rate: Annotated[
        float | None, typer.Option(help="Peak learning rate. [default: 2e-5]")
    ] = None,
    warmup_ratio: Annotated[
        float | None, typer.Option(help="Share of steps with linear warmup. [default: 0.1]")
    ] = None,
    eval_steps: Annotated[
        int | None,
        typer.Option(
            help="Validate (nDCG@10 on ir/validation) every N steps; 0: never. [default: 100]"
        ),
    ] = None,
    save_steps: Annotated[
        int | None,
        typer.Option(help="Checkpoint every N steps (a multiple of --eval-steps). [default: 100]"),
    ] = None,
    max_steps: Annotated[
        int | None, typer.Option(help="Stop after N steps (overrides --epochs).")
    ] = None,
    max_train: Annotated[
        int | None, typer.Option(help="Use at most N training triplets (a seeded sample).")
    ] = None,
    matryoshka_dims: Annotated[
        str | None, typer.Option(help="Also train truncated embeddings, e.g. 384,256,128,64.")
    ] = None,
    early_stopping_patience: Annotated[
        int | None, typer.Option(help="Stop after N validations without improvement.")
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Seed for sampling and initialisation. [default: 42]")
    ] = None,
    precision: Annotated[
        str | None,
        typer.Option(help="auto (bf16 where the hardware has it), fp32 or bf16. [default: auto]"),
    ] = None,
    length_grouping: Annotated[
        bool | None,
        typer.Option(help="Batch texts of similar length (keeps no-duplicates). [default: on]"),
    ] = None,
    threads: Annotated[int | None, typer.Option(help="CPU threads. [default: all cores]")] = None,
    max_seq_length: Annotated[
        int | None,
        typer.Option(
            help="Cut texts to N tokens while training (the saved model keeps its own limit); "
            "128 trains ~3x faster on 256-token postings but cost 0.03 nDCG@10 on the demo. "
            "\\[default: the model's limit, or the longest prepared text]"
        ),
    ] = None,
    negative_columns: Annotated[
        str | None,
        typer.Option(
            help="auto drops the negative columns when they were mined least-similar (in-batch "
            "negatives are harder; half the document work), keep or drop force it. "
            "\\[default: auto]"
        ),
    ] = None,
    train_on: Annotated[
        str | None,
        typer.Option(
            help="The prepared splits to train on: auto takes every split when the held-back "
            "postings carry only generated queries (no titles, no gold queries, not your own "
            "pairs), so the whole corpus is learnt; train or all force it. \\[default: auto]"
        ),
    ] = None,
    interpolate: Annotated[
        str | None,
        typer.Option(
            help="After training, save w * tuned + (1 - w) * base: auto chooses w on validation "
            "(gold or title queries when the data has them) and keeps the base when it wins; off "
            "saves the tuned weights; or a weight from 0 to 1. \\[default: auto]"
        ),
    ] = None,
    general: Annotated[
        Path | None,
        typer.Option(
            help="A BEIR folder watched while choosing the weight: the chosen weight may lose at "
            "most --max-general-drop of its nDCG@10 (on a 1,000-document sample)."
        ),
    ] = None,
    max_general_drop: Annotated[
        float | None,
        typer.Option(help="Allowed loss of general nDCG@10 against the base. [default: 0.01]"),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option("--resume", help="Continue the interrupted run from its last checkpoint."),
    ] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace --out (and old checkpoints) if they exist.")
    ] = False,
    push_to_hub: Annotated[
        str | None, typer.Option(help="Also upload the model to this Hub repo (OWNER/NAME).")
    ] = None,
    export: Annotated[
        str | None,
        typer.Option(
            help="Also export the trained model: onnx (needs embedtune\\[onnx]); writes OUT/onnx/ "
            "with an int8 variant."
        ),
    ] = None,
    json_output: JsonOutput = False,
) -> None:
    """Fine-tune a sentence-transformers model on prepared triplets (MNRL by default)."""
    from embedtune._config import load_settings
    from embedtune.errors import EmbedtuneError
    from embedtune.train.config import TrainConfig, parse_dims

    flags: dict[str, Any] = {
        "data": data,
        "model": model,
        "out": out,
        "loss": loss,
        "epochs": epochs,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "warmup_ratio": warmup_ratio,
        "eval_steps": eval_steps,
        "save_steps": save_steps,
        "max_steps": max_steps,
        "max_train": max_train,
        "matryoshka_dims": None if matryoshka_dims is None else parse_dims(matryoshka_dims),
        "early_stopping_patience": early_stopping_patience,
        "seed": seed,
        "precision": precision,
        "length_grouping": length_grouping,
        "threads": threads,
        "max_seq_length": max_seq_length,
        "negative_columns": negative_columns,
        "train_on": train_on,
        "push_to_hub": push_to_hub,
        "export": export,
        "interpolate": interpolate,
        "general": general,
        "max_general_drop": max_general_drop,
    }
    given = {k: v for k, v in flags.items() if v is not None}
    given.update({k: True for k, v in (("resume", resume), ("overwrite", overwrite)) if v})
    if config is None:
        for name in ("data", "out"):
            if name not in given:
                raise EmbedtuneError(f"--{name} is missing", fix=f"pass --{name} DIR (or --config)")
    settings = TrainConfig.from_dict(load_settings(config, given))
    if settings.export == "onnx":  # a missing extra fails now, not after the training
        from embedtune.export import require_onnx

        require_onnx()
    _run(settings, json_output)


def _run(settings: Any, json_output: bool) -> None:
    from embedtune.cli.reporting import RichReporter, emit_json, stdout, table
    from embedtune.train.trainer import train as run_train

    on_interrupt(lambda: _interrupt_note(settings))
    result = run_train(settings, reporter=RichReporter())
    if result.out is None:  # not the first process of a data-parallel run
        return
    if json_output:
        emit_json(result.to_dict())
        return
    rows: list[tuple[str, Any]] = [
        ("steps", f"{result.global_step} of {result.max_steps}"),
        ("triplets/s", f"{result.triplets_per_second:.2f}"),
        ("precision", result.speed.get("precision")),
        ("max_seq_length (training)", result.speed.get("max_seq_length")),
        ("negative columns", result.speed.get("negative_columns", {}).get("why")),
        ("trained on", result.speed.get("train_on", {}).get("why")),
    ]
    if result.metric:
        rows += [
            ("validation nDCG@10, base model", _fmt(result.base_metric)),
            (
                "validation nDCG@10, saved model",
                f"{_fmt(result.best_metric)} (step {result.best_step})",
            ),
        ]
    choice = result.interpolation or {}
    if choice.get("curve"):
        rows.append(
            (
                f"weight of the tuned model ({choice['validation_set']} nDCG@10)",
                ", ".join(f"{p['weight']:g}: {p['validation']:.3f}" for p in choice["curve"]),
            )
        )
    stdout.print(table(f"Trained {settings.model} ({settings.loss})", rows))
    if result.message:
        colour = "yellow" if result.kept_base or "NOT" in result.message else "white"
        stdout.print(f"[{colour}]{result.message}[/]")
    stdout.print(f"[bold]Saved[/] {result.out} in {result.seconds:.0f} s")
    if result.exported:
        sizes = ", ".join(f"{f['file']} {f['size_mb']:.1f} MB" for f in result.exported["files"])
        stdout.print(f"[bold]Exported[/] {result.exported['folder']} ({sizes})")
    if result.pushed:
        stdout.print(f"Pushed to {result.pushed}")


def _interrupt_note(settings: Any) -> str:
    """Ctrl-C during training: how to go on from the last checkpoint, if one was saved."""
    from embedtune.train.trainer import CHECKPOINT_PREFIX

    ckpt = settings.checkpoints
    if not (ckpt.is_dir() and any(ckpt.glob(f"{CHECKPOINT_PREFIX}*"))):
        return f"no checkpoint was saved yet, so a rerun starts over ({settings.out} not written)"
    how = "rerun the same command" if settings.resume else "rerun the same command with --resume"
    return f"{how} to resume from the last checkpoint in {ckpt}"


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"
