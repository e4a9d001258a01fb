"""The one YAML + flags loader: `embedtune run CONFIG.yaml` and `embedtune train --config`.

A settings file is a YAML mapping whose keys are the flag names, with ``-`` or ``_``; a value
may itself be a mapping (a section of ``embedtune run``), whose keys are normalised the same way.
The flags given on the command line are laid over it: a flag wins.

>>> normalise({"max-train": 5, "train": {"batch-size": 8}})
{'max_train': 5, 'train': {'batch_size': 8}}
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from embedtune.errors import EmbedtuneError

__all__ = ["load_settings", "normalise", "read_yaml"]


def read_yaml(path: Path) -> dict[str, Any]:
    """The mapping in the YAML file ``path`` (an empty file: ``{}``)."""
    import yaml

    path = Path(path)
    try:
        values = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, IsADirectoryError):
        raise EmbedtuneError(
            f"config file {path} does not exist", fix="pass an existing YAML file"
        ) from None
    except yaml.YAMLError as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise EmbedtuneError(f"config file {path} is not valid YAML ({first})", fix="fix it") from e
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise EmbedtuneError(
            f"config file {path} holds a {type(values).__name__}, not a mapping of settings",
            fix="write one 'setting: value' per line, e.g. 'epochs: 2'",
        )
    return values


def normalise(values: Mapping[Any, Any]) -> dict[str, Any]:
    """Keys as Python names (``max-train`` → ``max_train``), one level of sections deep."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, Mapping):
            value = {str(k).replace("-", "_"): v for k, v in value.items()}
        out[str(key).replace("-", "_")] = value
    return out


def load_settings(path: Path | None, flags: Mapping[str, Any]) -> dict[str, Any]:
    """The settings of ``path`` (if any) with the ``flags`` that were given (not None) on top."""
    settings = normalise(read_yaml(path)) if path is not None else {}
    settings.update(normalise({k: v for k, v in flags.items() if v is not None}))
    return settings
