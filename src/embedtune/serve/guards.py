"""ASGI middleware that guards the service: body size, the Host header, security headers.

* :class:`BodyLimit` answers 413 to a body over the limit, declared or streamed.
* :class:`HostCheck` answers 400 to a ``Host`` header the server does not know, so that a page
  on another site cannot reach a local server through DNS rebinding (the browser would send that
  site's name). Loopback names, IP addresses (rebinding needs a name) and the allowed names pass.
* :class:`SecurityHeaders` adds ``X-Content-Type-Options``, ``X-Frame-Options``,
  ``Referrer-Policy`` and, where the response has none, a ``Content-Security-Policy`` that
  forbids framing.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from fastapi.responses import JSONResponse

from embedtune.errors import EmbedtuneError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_NAMES = ("localhost",)
ANY_HOST = "*"
_NAME = re.compile(r"^(\*\.)?[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?$")
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
FRAME_POLICY = "frame-ancestors 'none'"


def _reply(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


async def _no_receive() -> Message:  # pragma: no cover - a response never reads
    return {"type": "http.disconnect"}


class BodyLimit:
    """Answer 413 to any request body over ``max_bytes`` (declared or streamed)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._reject(send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return
            body += message.get("body", b"")
            more = bool(message.get("more_body", False))
            if len(body) > self.max_bytes:
                await self._reject(send)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _reject(self, send: Send) -> None:
        response = _reply(413, f"request body over {self.max_bytes} bytes; send a shorter query")
        await response({"type": "http"}, _no_receive, send)


def check_allowed_hosts(names: Iterable[str]) -> tuple[str, ...]:
    """Normalised allowed host names: lower case, no port or brackets; ``*.example.com`` matches
    any subdomain and ``*`` any host.

    >>> check_allowed_hosts(["Search.Example.com", "*.corp.example", "[::1]"])
    ('search.example.com', '*.corp.example', '::1')
    """
    out = []
    for raw in names:
        name = raw.strip().lower()
        if name == ANY_HOST:
            out.append(name)
            continue
        name = name.removeprefix("[").removesuffix("]") if name.startswith("[") else name
        name = name.rstrip(".")
        if is_address(name) or _NAME.match(name):
            out.append(name)
            continue
        raise EmbedtuneError(
            f"allowed host {raw!r} is not a host name",
            fix="pass a name without scheme, port or path, e.g. --allowed-host search.example.com "
            "(*.example.com for subdomains, * for any host)",
        )
    return tuple(out)


def is_address(name: str) -> bool:
    """Whether ``name`` is an IPv4 or IPv6 address (brackets allowed), not a host name."""
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def host_name(header: str) -> str:
    """The name in a ``Host`` header, without port, brackets or trailing dot, in lower case.

    >>> host_name("LocalHost.:8000"), host_name("[::1]:8000"), host_name("10.0.0.5")
    ('localhost', '::1', '10.0.0.5')
    """
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].partition("]")[0]
    return header.partition(":")[0].rstrip(".")


def host_allowed(name: str, allowed: Iterable[str]) -> bool:
    """Whether a request for host ``name`` (from :func:`host_name`) may be answered.

    >>> host_allowed("localhost", ()), host_allowed("192.168.1.5", ()), host_allowed("evil.io", ())
    (True, True, False)
    >>> host_allowed("api.example.com", ["*.example.com"]), host_allowed("example.com", ["*.example.com"])
    (True, False)
    """
    if not name:
        return False
    if name in LOOPBACK_NAMES or is_address(name):
        return True
    for pattern in allowed:
        if pattern in (ANY_HOST, name):
            return True
        if pattern.startswith("*.") and name.endswith(pattern[1:]):
            return True
    return False


class HostCheck:
    """Answer 400 to a request whose ``Host`` header is not allowed (see :func:`host_allowed`)."""

    def __init__(self, app: ASGIApp, allowed: tuple[str, ...]) -> None:
        self.app, self.allowed = app, allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
        name = host_name(header)
        if host_allowed(name, self.allowed):
            await self.app(scope, receive, send)
            return
        shown = name[:100] or "(none)"
        response = _reply(
            400,
            f"Host header {shown!r} is not allowed; if clients reach this server by that name, "
            f"start it with --allowed-host {name[:100] or 'NAME'}",
        )
        await response(scope, receive, send)


class SecurityHeaders:
    """Add :data:`SECURITY_HEADERS` to every response, and forbid framing where no CSP is set."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {k.lower() for k, _ in headers}
                extra = dict(SECURITY_HEADERS)
                extra.setdefault("content-security-policy", FRAME_POLICY)
                headers += [
                    (k.encode(), v.encode()) for k, v in extra.items() if k.encode() not in present
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
