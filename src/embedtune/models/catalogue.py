"""The base models embedtune knows by name, and the pip packages that carry their weights.

The table itself is data, ``known_models.json`` beside this module, read once on import into
frozen :class:`KnownModel` records (``KNOWN_MODELS``, in file order: the first is the default).
A name means a known model whatever its case and with or without ``sentence-transformers/``:

>>> find_known_model("MiniLM").hub_id
'sentence-transformers/all-MiniLM-L6-v2'
>>> find_known_model("mpnet").dimension
768
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = ["HUB_PREFIX", "KNOWN_MODELS", "KnownModel", "PackageLayout", "find_known_model"]

# "folder": the one package holds a model folder; "split-zip": each package holds one byte-part
# of a single zip archive, in order.
PackageLayout = Literal["folder", "split-zip"]

HUB_PREFIX = "sentence-transformers/"
CATALOGUE_FILE = "known_models.json"


@dataclass(frozen=True)
class KnownModel:
    """A base model embedtune knows, and the pip packages that carry its weights.

    ``package_paths[i]`` is where, relative to the install folder (``site-packages``), package
    ``packages[i]`` holds its payload: the model folder (``layout="folder"``) or its byte-part of
    the zip (``layout="split-zip"``).
    """

    name: str
    hub_id: str
    packages: tuple[str, ...]
    dimension: int
    max_seq_length: int
    install: str
    package_paths: tuple[str, ...] = ()
    layout: PackageLayout = "folder"
    aliases: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.packages:
            raise ValueError(f"KnownModel {self.name!r}: packages is empty")
        if len(self.package_paths) != len(self.packages):
            raise ValueError(
                f"KnownModel {self.name!r}: {len(self.package_paths)} package_paths for "
                f"{len(self.packages)} packages; give one path per package"
            )
        if self.layout not in ("folder", "split-zip"):
            raise ValueError(
                f"KnownModel {self.name!r}: invalid layout {self.layout!r}. Valid: folder, split-zip"
            )
        if self.layout == "folder" and len(self.packages) != 1:
            raise ValueError(
                f"KnownModel {self.name!r}: layout 'folder' takes one package, got {len(self.packages)}"
            )
        if self.dimension <= 0 or self.max_seq_length <= 0:
            raise ValueError(
                f"KnownModel {self.name!r}: dimension ({self.dimension}) and max_seq_length "
                f"({self.max_seq_length}) must be positive"
            )

    @property
    def names(self) -> tuple[str, ...]:
        """Every spelling that means this model, lower-cased."""
        return tuple(n.lower() for n in (self.name, self.hub_id, *self.aliases))

    @classmethod
    def from_dict(cls, entry: dict[str, Any]) -> KnownModel:
        """One entry of ``known_models.json``: its lists become tuples.

        >>> KnownModel.from_dict({"name": "m", "hub_id": "o/m", "packages": ["p"],
        ...     "package_paths": ["p/model"], "dimension": 8, "max_seq_length": 16,
        ...     "install": "pip install p"}).package_paths
        ('p/model',)
        """
        tuples = {k: tuple(v) for k, v in entry.items() if isinstance(v, list)}
        return cls(**{**entry, **tuples})


def load_catalogue(text: str) -> tuple[KnownModel, ...]:
    """The known models listed in ``text``, the JSON of ``known_models.json``."""
    return tuple(KnownModel.from_dict(entry) for entry in json.loads(text)["models"])


KNOWN_MODELS: tuple[KnownModel, ...] = load_catalogue(
    Path(__file__).with_name(CATALOGUE_FILE).read_text(encoding="utf-8")
)


def find_known_model(name: str) -> KnownModel | None:
    """The known model that ``name`` spells, ignoring case and a ``sentence-transformers/`` prefix.

    >>> find_known_model("sentence-transformers/ALL-MINILM-L6-V2").name
    'all-MiniLM-L6-v2'
    >>> find_known_model("bert-base-uncased") is None
    True
    """
    key = name.strip().lower()
    if key.startswith(HUB_PREFIX):
        key = key[len(HUB_PREFIX) :]
    for known in KNOWN_MODELS:
        if key in known.names or f"{HUB_PREFIX}{key}" in known.names:
            return known
    return None
