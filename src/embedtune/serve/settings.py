"""What ``embedtune serve`` runs with: flags and ``$EMBEDTUNE_API_KEY`` resolved and checked.

:meth:`ServeSettings.resolve` takes the flags as given (``None`` for unset) and returns settings
that passed every check, or raises :class:`~embedtune.errors.EmbedtuneError` naming the bad
value, before anything slow (opening the index, loading the model) happens.

>>> s = ServeSettings.resolve(api_key=None, threads=2, environ={"EMBEDTUNE_API_KEY": "k"})
>>> s.api_key, s.api_key_source, s.threads, s.port
('k', 'EMBEDTUNE_API_KEY', 2, 8000)
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from embedtune.errors import EmbedtuneError
from embedtune.serve.app import binds_every_interface, check_api_key
from embedtune.serve.guards import check_allowed_hosts

if TYPE_CHECKING:
    from embedtune.index import Searcher
    from embedtune.index.search import QueryEncoder

API_KEY_ENV = "EMBEDTUNE_API_KEY"


def default_threads() -> int:
    """Torch threads for query encoding: every core but one, which is left to HTTP."""
    return max(1, (os.cpu_count() or 2) - 1)


@dataclass(frozen=True)
class ServeSettings:
    """The checked settings of one ``embedtune serve``."""

    host: str = "127.0.0.1"
    port: int = 8000
    api_key: str | None = None
    api_key_source: str = "--api-key"
    """Where ``api_key`` came from (``--api-key`` or the variable), for messages."""
    allowed_hosts: tuple[str, ...] = ()
    threads: int = field(default_factory=default_threads)

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise EmbedtuneError(
                f"--port {self.port} is out of range", fix="use 1-65535, e.g. 8000"
            )
        if self.threads < 1:
            raise EmbedtuneError(f"--threads {self.threads} is below 1", fix="pass 1 or more")
        check_api_key(self.api_key, self.api_key_source)
        check_allowed_hosts(self.allowed_hosts)

    @classmethod
    def resolve(
        cls,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        api_key: str | None = None,
        allowed_hosts: Sequence[str] | None = None,
        threads: int | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> ServeSettings:
        """Settings from flags (``None``: unset); the key falls back to ``$EMBEDTUNE_API_KEY``."""
        env = os.environ if environ is None else environ
        return cls(
            host=host,
            port=port,
            api_key=api_key if api_key is not None else env.get(API_KEY_ENV),
            api_key_source="--api-key" if api_key is not None else API_KEY_ENV,
            allowed_hosts=tuple(allowed_hosts or ()),
            threads=threads if threads is not None else default_threads(),
        )

    @property
    def names_need_allowing(self) -> bool:
        """Bound to every interface with no ``--allowed-host``: requests that name this host
        (rather than an IP address) will be refused, which the user should be told."""
        return binds_every_interface(self.host) and not self.allowed_hosts

    def banner(self, postings: int) -> list[str]:
        """The lines ``embedtune serve`` prints on start."""
        lines = [
            f"Serving {postings} postings on http://{self.host}:{self.port}/ "
            f"(API docs at /docs{', API key required' if self.api_key else ''}); Ctrl+C to stop"
        ]
        if self.names_need_allowing:
            lines.append(
                "Answering localhost and IP addresses only: pass --allowed-host NAME for each "
                "host name clients use"
            )
        return lines


def open_searcher(
    index: Path,
    settings: ServeSettings,
    *,
    model: str | None = None,
    query_encoder: QueryEncoder = "torch",
) -> Searcher:
    """Set torch's threads to ``settings.threads`` and open the index for serving."""
    import torch

    from embedtune.index import Searcher

    torch.set_num_threads(settings.threads)
    return Searcher.open(index, model=model, query_encoder=query_encoder, threads=settings.threads)
