"""Export a sentence-transformers model folder to ONNX (fp32, and int8 weights), checked against torch.

:func:`export_onnx` loads the model, traces its transformer to ``OUT/onnx/model.onnx`` (inputs
``input_ids``, ``attention_mask`` and, where the model reads them, ``token_type_ids``; dynamic
batch and sequence axes; output ``last_hidden_state``), quantizes the weights to int8
(``model_qint8.onnx``, onnxruntime's dynamic quantization), then encodes :data:`CHECK_TEXTS`
with torch and with each file and refuses the export unless they agree within a
:class:`Tolerance`. ``OUT/onnx/`` is written atomically: a failed check leaves what was there.
``OUT`` defaults to the model folder, sentence-transformers' own layout.

:class:`OnnxEncoder` (in :mod:`embedtune.export.onnx_encoder`) runs such a file without torch.

Needs the optional extra: ``pip install 'embedtune[onnx]'`` (onnx and onnxruntime).
"""

from __future__ import annotations

import contextlib
import logging
import time
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np

from embedtune._io import atomic_dir, check_out, write_json
from embedtune.errors import EmbedtuneError
from embedtune.export.layout import read_layout
from embedtune.export.onnx_encoder import INSTALL_FIX, OUTPUT_NAME, OnnxEncoder, require_onnx
from embedtune.progress import NullReporter, Reporter

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

__all__ = [
    "CHECK_TEXTS",
    "INSTALL_FIX",
    "ExportResult",
    "FileCheck",
    "OnnxEncoder",
    "Tolerance",
    "compare_embeddings",
    "export_onnx",
    "export_trained",
    "require_onnx",
]

ONNX_DIR = "onnx"
FP32_FILE = "model.onnx"
INT8_FILE = "model_qint8.onnx"
REPORT_FILE = "export.json"
OPSET = 17
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
Precision = Literal["fp32", "int8"]

_JOB = (
    "We are looking for a Senior Data Engineer to design, build and run the batch and streaming "
    "pipelines behind our analytics platform. You will own ingestion from Kafka and Postgres into "
    "the lakehouse, model data with dbt, orchestrate jobs in Airflow and keep Spark costs in "
    "check. Requirements: five or more years with Python and SQL, production experience with "
    "Spark or Flink, infrastructure as code (Terraform), and a habit of writing tests. Nice to "
    "have: Kubernetes, data contracts, and mentoring junior engineers. Hybrid, two days a week in "
    "the Berlin office; salary 75,000 to 90,000 EUR plus equity."
)
#: What the check encodes: short queries, job-posting passages, odd inputs, and one text longer
#: than any model's max_seq_length (up to 512 tokens), so truncation is checked too.
CHECK_TEXTS: tuple[str, ...] = (
    "python developer",
    "remote data engineer berlin",
    "ML engineer with PyTorch and Kubernetes",
    "entry level nurse night shift",
    "part-time barista",
    "Teilzeit Buchhalter (m/w/d) München",
    "développeur full stack React / Node.js",
    "senior product manager fintech payments",
    "truck driver CDL class A, home weekly",
    "data scientist NLP LLM retrieval",
    "SQL",
    "?",
    "jobs near me paying $25/hr+",
    "warehouse associate, no experience required, immediate start",
    "Frontend Engineer (TypeScript, Vue). Build the customer dashboard with our design team.",
    "Registered Nurse - ICU. 12-hour shifts, three per week. BLS and ACLS required.",
    "Backend developer: Go, gRPC, PostgreSQL; on-call one week in six.",
    "Customer success manager for enterprise SaaS accounts in the DACH region, German and "
    "English fluent, travel up to 20%.",
    "Electrician (journeyman) for commercial construction sites. Own tools and a valid "
    "driver's license required. Overtime paid at 1.5x.",
    "Lehrer/in für Mathematik und Physik an einem Gymnasium, Vollzeit, unbefristet.",
    "Research scientist, computer vision. PhD or equivalent experience; publications at CVPR, "
    "ICCV or NeurIPS a plus. You will train and evaluate detection models on large datasets.",
    "Accountant: month-end close, reconciliations, VAT returns, IFRS. Excel and SAP.",
    "DevOps / SRE: Terraform, AWS, Prometheus, incident reviews; 99.95% SLO ownership.",
    "Chef de partie for a busy seafood restaurant; weekend availability essential.",
    "Marketing coordinator - social media, newsletters, events. 2+ years, Canva and HubSpot.",
    "Junior QA tester: write test plans, file bugs in Jira, learn Playwright automation.",
    _JOB,
    _JOB.replace("Berlin", "Lisbon").replace("Data Engineer", "Platform Engineer"),
    "Head of Engineering (100+ engineers). " + _JOB[:400],
    "   leading and trailing spaces   ",
    "UPPER CASE QUERY FOR A SECURITY ANALYST SOC L2",
    "Long posting. " + " ".join([_JOB] * 6),  # ~900 tokens: longer than any max_seq_length
)


@dataclass(frozen=True)
class Tolerance:
    """How close ONNX embeddings must be to torch's for the export to be kept.

    Cosine is between each text's torch and ONNX embedding; max_abs_diff is over every component.
    all-MiniLM-L6-v2 measures 3e-7 and 1 - 2e-12 for fp32; 0.974 (min, the text "?") and 0.992
    (mean) for int8 (docs/train.md, "Export to ONNX"). The int8 bounds leave room for fine-tuned
    models; int8 has no max_abs_diff bound (MiniLM: 0.04).
    """

    fp32_max_abs_diff: float = 1e-4
    fp32_min_cosine: float = 0.9999
    int8_min_cosine: float = 0.95
    int8_mean_cosine: float = 0.98

    def __post_init__(self) -> None:
        if not self.fp32_max_abs_diff > 0:
            raise EmbedtuneError(
                f"fp32 max abs diff {self.fp32_max_abs_diff} must be positive", fix="use e.g. 1e-4"
            )
        for name in ("fp32_min_cosine", "int8_min_cosine", "int8_mean_cosine"):
            value = getattr(self, name)
            if not -1 <= value <= 1:
                raise EmbedtuneError(f"{name} {value} is not a cosine", fix="use -1 <= value <= 1")

    def accepts(self, precision: Precision, measured: dict[str, float]) -> bool:
        """Whether ``measured`` (from :func:`compare_embeddings`) is close enough for ``precision``.

        >>> Tolerance().accepts("int8", {"max_abs_diff": 0.04, "min_cosine": 0.97, "mean_cosine": 0.99})
        True
        >>> Tolerance().accepts("fp32", {"max_abs_diff": 2e-4, "min_cosine": 1.0, "mean_cosine": 1.0})
        False
        """
        if precision == "fp32":
            return (
                measured["max_abs_diff"] <= self.fp32_max_abs_diff
                and measured["min_cosine"] >= self.fp32_min_cosine
            )
        return (
            measured["min_cosine"] >= self.int8_min_cosine
            and measured["mean_cosine"] >= self.int8_mean_cosine
        )


@dataclass(frozen=True)
class FileCheck:
    """One exported file, measured against torch on :data:`CHECK_TEXTS`."""

    file: str
    precision: Precision
    size_mb: float
    max_abs_diff: float
    min_cosine: float
    mean_cosine: float
    passed: bool


@dataclass
class ExportResult:
    """What :func:`export_onnx` wrote; ``to_dict`` is ``export.json`` and the CLI's ``--json``."""

    folder: Path
    model: Path
    files: list[FileCheck]
    tolerance: Tolerance
    texts: int
    seconds: float
    versions: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "model": str(self.model),
            "files": [asdict(f) for f in self.files],
            "tolerance": asdict(self.tolerance),
            "texts": self.texts,
            "seconds": round(self.seconds, 2),
            "versions": self.versions,
        }


def compare_embeddings(reference: np.ndarray, candidate: np.ndarray) -> dict[str, float]:
    """Max abs difference and min / mean row cosine between two (n, dim) embedding matrices.

    >>> r = compare_embeddings(np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([[1.0, 0.5], [0.0, 2.0]]))
    >>> r["max_abs_diff"], round(r["min_cosine"], 4), round(r["mean_cosine"], 4)
    (0.5, 0.8944, 0.9472)
    """
    reference = np.asarray(reference, dtype=np.float64)
    candidate = np.asarray(candidate, dtype=np.float64)
    if reference.shape != candidate.shape:
        raise EmbedtuneError(
            f"ONNX embeddings have shape {candidate.shape}, torch's {reference.shape}",
            fix="report this: the export does not reproduce the model",
        )
    norms = np.linalg.norm(reference, axis=1) * np.linalg.norm(candidate, axis=1)
    cosine = (reference * candidate).sum(axis=1) / np.maximum(norms, 1e-12)
    return {
        "max_abs_diff": float(np.abs(reference - candidate).max()),
        "min_cosine": float(cosine.min()),
        "mean_cosine": float(cosine.mean()),
    }


# ---------------------------------------------------------------------------------------------
# Export


def export_onnx(
    model_dir: Path,
    out_dir: Path | None = None,
    *,
    quantize: bool = True,
    tolerance: Tolerance | None = None,
    overwrite: bool = False,
    reporter: Reporter | None = None,
) -> ExportResult:
    """Export ``model_dir`` to ``OUT/onnx/`` (OUT defaults to ``model_dir``); see the module doc.

    Raises :class:`EmbedtuneError` without touching an existing ``OUT/onnx`` when the extra is
    missing, the folder is not a supported model, ``OUT/onnx`` exists and ``overwrite`` is off,
    or an exported file does not match torch within ``tolerance``.
    """
    require_onnx()
    layout = read_layout(model_dir)
    tolerance = tolerance or Tolerance()
    reporter = reporter or NullReporter()
    target = Path(out_dir if out_dir is not None else layout.folder) / ONNX_DIR
    check_out(target, sources=[layout.folder], overwrite=overwrite, nested_ok=True)
    start = time.perf_counter()
    from embedtune.models.registry import load_model

    with reporter.task(f"Loading {layout.folder.name}"):
        model = load_model(layout.folder, device="cpu")
    with atomic_dir(target, overwrite=overwrite) as tmp:
        with reporter.task("Exporting to ONNX (fp32)"):
            export_transformer(model, tmp / FP32_FILE)
        files: list[tuple[str, Precision]] = [(FP32_FILE, "fp32")]
        if quantize:
            with reporter.task("Quantizing weights to int8"):
                quantize_int8(tmp / FP32_FILE, tmp / INT8_FILE)
            files.append((INT8_FILE, "int8"))
        with reporter.task(f"Checking against torch on {len(CHECK_TEXTS)} texts"):
            reference = np.asarray(
                model.encode_document(
                    list(CHECK_TEXTS), batch_size=32, convert_to_numpy=True, show_progress_bar=False
                ),
                dtype=np.float32,
            )
            checks = [
                check_file(layout.folder, tmp / name, precision, reference, tolerance)
                for name, precision in files
            ]
        result = ExportResult(
            folder=target,
            model=layout.folder,
            files=checks,
            tolerance=tolerance,
            texts=len(CHECK_TEXTS),
            seconds=time.perf_counter() - start,
            versions=_versions(),
        )
        failed = [c for c in checks if not c.passed]
        if failed:
            raise EmbedtuneError(
                "ONNX export does not match torch: "
                + "; ".join(_describe_failure(c, tolerance) for c in failed)
                + f" (nothing was written to {target})",
                fix="pass --no-quantize to keep only the fp32 file"
                if all(c.precision == "int8" for c in failed)
                else "report this with EMBEDTUNE_DEBUG=1 output; the model may use an "
                "operation the exporter traces wrongly",
            )
        write_json(tmp / REPORT_FILE, result.to_dict())
    return result


def export_trained(model_dir: Path) -> dict[str, Any]:
    """``embedtune train --export onnx``: export the saved model, return the summary for its result.

    A failure still leaves the trained model in place, and the error says how to retry.
    """
    try:
        return export_onnx(model_dir, overwrite=True).to_dict()
    except EmbedtuneError as e:
        raise EmbedtuneError(
            f"the model was trained and saved in {model_dir}, but its ONNX export failed: "
            f"{e.problem}",
            fix=e.fix or f"embedtune export --model {model_dir}",
        ) from e


def export_transformer(model: SentenceTransformer, path: Path) -> None:
    """Trace the transformer of ``model`` to the ONNX file ``path`` (dynamic batch and sequence)."""
    import inspect

    import torch

    hf_model = cast("torch.nn.Module", model[0].auto_model)
    tokenizer = model.tokenizer
    accepted = inspect.signature(hf_model.forward).parameters
    names = [n for n in INPUT_NAMES if n in tokenizer.model_input_names and n in accepted]
    if names[:2] != ["input_ids", "attention_mask"]:
        raise EmbedtuneError(
            f"the tokenizer gives {', '.join(tokenizer.model_input_names)}, not input_ids and "
            "attention_mask",
            fix="export a text model with a standard transformers tokenizer",
        )
    example = tokenizer(
        ["an example text to trace the model", "a shorter one"],
        padding=True,
        return_tensors="pt",
    )

    class _Wrapper(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = hf_model

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            output = self.model(**dict(zip(names, inputs, strict=True)), return_dict=True)
            return output.last_hidden_state

    axes = {name: {0: "batch", 1: "sequence"} for name in [*names, OUTPUT_NAME]}
    was_training = hf_model.training
    hf_model.eval()
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # tracer and deprecation warnings: nothing to act on
            torch.onnx.export(
                _Wrapper(),
                tuple(example[n].to(hf_model.device) for n in names),
                str(path),
                input_names=names,
                output_names=[OUTPUT_NAME],
                dynamic_axes=axes,
                opset_version=OPSET,
                dynamo=False,  # the TorchScript exporter: no onnxscript needed, works offline
            )
    finally:
        hf_model.train(was_training)
    import onnx

    onnx.checker.check_model(str(path))


def quantize_int8(source: Path, target: Path) -> None:
    """Write ``target``: ``source`` with int8 weights, activations quantized at run time.

    Per-channel weight scales: per-tensor ones cost MiniLM 0.85 min cosine against 0.974.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with _quiet_root_logger():
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True)


@contextlib.contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """Drop onnxruntime's advice logged on the root logger, without configuring logging.

    ``logging.warning`` would call ``basicConfig`` on an unconfigured root logger; a temporary
    NullHandler prevents that, and a filter hides the record from handlers already there.
    """
    root = logging.getLogger()
    handler = logging.NullHandler()

    def below_error(record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR

    root.addHandler(handler)
    root.addFilter(below_error)
    try:
        yield
    finally:
        root.removeFilter(below_error)
        root.removeHandler(handler)


def check_file(
    model_dir: Path,
    path: Path,
    precision: Precision,
    reference: np.ndarray,
    tolerance: Tolerance,
) -> FileCheck:
    """Encode :data:`CHECK_TEXTS` with ``path`` and measure it against torch's ``reference``."""
    encoder = OnnxEncoder(model_dir, path.resolve())
    measured = compare_embeddings(reference, encoder.encode(CHECK_TEXTS))
    return FileCheck(
        file=path.name,
        precision=precision,
        size_mb=round(path.stat().st_size / 1e6, 2),
        max_abs_diff=measured["max_abs_diff"],
        min_cosine=measured["min_cosine"],
        mean_cosine=measured["mean_cosine"],
        passed=tolerance.accepts(precision, measured),
    )


def _describe_failure(check: FileCheck, tolerance: Tolerance) -> str:
    if check.precision == "int8":
        return (
            f"{check.file} min cosine {check.min_cosine:.6f} (needed {tolerance.int8_min_cosine}), "
            f"mean cosine {check.mean_cosine:.6f} (needed {tolerance.int8_mean_cosine})"
        )
    return (
        f"{check.file} max abs diff {check.max_abs_diff:.2e} (allowed "
        f"{tolerance.fp32_max_abs_diff:.0e}), min cosine {check.min_cosine:.6f} (needed "
        f"{tolerance.fp32_min_cosine})"
    )


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str] = {}
    for name in ("onnx", "onnxruntime", "torch", "transformers", "sentence-transformers"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out
