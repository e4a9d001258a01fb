"""`embedtune export`: a model folder -> OUT/onnx/ (fp32 and int8), checked against torch."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from embedtune.cli.app import app, on_interrupt
from embedtune.cli.options import JsonOutput


@app.command()
def export(
    model: Annotated[
        Path, typer.Option("--model", help="Model folder (from `embedtune train --out`).")
    ],
    out: Annotated[
        Path | None,
        typer.Option(help="Write OUT/onnx/ (written atomically). \\[default: the model folder]"),
    ] = None,
    quantize: Annotated[
        bool,
        typer.Option(
            "--quantize/--no-quantize", help="Also write model_qint8.onnx (int8 weights)."
        ),
    ] = True,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace OUT/onnx/ if it exists.")
    ] = False,
    json_output: JsonOutput = False,
) -> None:
    """Export a model to ONNX, with an int8 variant; both are checked against torch.

    Needs the optional extra: pip install 'embedtune\\[onnx]'.
    """
    from embedtune.cli.reporting import RichReporter, emit_json, stdout, table
    from embedtune.export.onnx import export_onnx

    target = (out or model) / "onnx"
    on_interrupt(lambda: f"nothing was written to {target}; rerun the same command to start again")
    result = export_onnx(
        model, out, quantize=quantize, overwrite=overwrite, reporter=RichReporter()
    )
    if json_output:
        emit_json(result.to_dict())
        return
    tol = result.tolerance
    allowed = {
        "fp32": f"(<= {tol.fp32_max_abs_diff:g}), min cos {{:.6f}} (>= {tol.fp32_min_cosine:g})",
        "int8": f"min cos {{:.6f}} (>= {tol.int8_min_cosine:g}), mean {{:.6f}} "
        f"(>= {tol.int8_mean_cosine:g})",
    }
    rows: list[tuple[str, Any]] = []
    for f in result.files:
        if f.precision == "fp32":
            measured = f"max |diff| {f.max_abs_diff:.1e} " + allowed["fp32"].format(f.min_cosine)
        else:
            measured = allowed["int8"].format(f.min_cosine, f.mean_cosine)
        rows.append((f"{f.file}: {f.precision}, {f.size_mb:.1f} MB", measured))
    stdout.print(table(f"ONNX export vs torch on {result.texts} texts", rows))
    stdout.print(f"[bold]Saved[/] {result.folder} in {result.seconds:.0f} s")
