"""embedtune: turn a domain corpus into a fine-tuned embedding model and a search service."""

from __future__ import annotations

from embedtune.errors import EmbedtuneError

__version__ = "0.1.0"

__all__ = ["EmbedtuneError", "__version__"]
