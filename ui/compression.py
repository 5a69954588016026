"""Streamlit's frontend files leave the server gzip-compressed, each compressed once.

Streamlit 1.67 sends its own static files (``/static/...``: the frontend's scripts and styles)
uncompressed: its gzip middleware leaves them out, because Starlette's would compress them again
on every request, and most hosts put a compressing proxy in front. Without one, a visitor's first
page costs 4.8 MB, 4.2 MB of it scripts and styles that gzip to 1.15 MB: on a phone's 10-20 Mbit/s
connection, 1.5-3 seconds more of download before the page can start (bench/README.md).

:class:`CompressStatic` compresses each file the first time a browser that accepts gzip asks for
it and keeps the result: the files are content-hashed and never change while the server runs, so
every later visitor gets the kept bytes without any compressing. Everything else (the app's
pages, the websocket, uploads, downloads, media, ranges, conditional requests, errors) passes
through untouched. Entries are keyed by the file's ETag, so the kept bytes are bounded by
Streamlit's own static folder (paths that do not exist all answer the same index page). Those files
hold no user data and no secret, so compressing them cannot leak one (as compressing a page that
shows a secret next to text an attacker chose can).
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Bodies shorter than this go as they are: gzip's header and the round of compressing cost more
#: than the few bytes saved.
MINIMUM_BYTES = 1024
#: zlib's fastest level: a sixth larger than level 6 for under half its time, which a cold server's
#: first visitor waits for (bench/README.md).
LEVEL = 1
#: Bodies up to this size are compressed on the event loop (about a millisecond at ``LEVEL``):
#: handing each of the frontend's many small files to a thread cost more than compressing it.
INLINE_BYTES = 128 << 10
_COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
#: Headers of the uncompressed response that do not describe the compressed one.
_DROPPED = frozenset({b"content-length", b"accept-ranges", b"etag", b"vary"})


class CompressStatic:
    """ASGI middleware: gzip for ``<base URL>/static/...`` (see the module docstring)."""

    def __init__(self, app: ASGIApp, base_url: str | None = None, minimum_bytes: int = MINIMUM_BYTES) -> None:
        self.app = app
        self._base_url = base_url
        self.minimum_bytes = minimum_bytes
        #: ETag of the identity response -> its gzip body.
        self.kept: dict[bytes, bytes] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._applies(scope):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def collect(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if _compressible(message, self.minimum_bytes):
                    start = message  # held until the whole body is here
                    return
                await send(message)
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._send_compressed(start, chunks, send)
            else:
                await send(message)

        await self.app(scope, receive, collect)

    def _applies(self, scope: Scope) -> bool:
        """A plain GET of a static file by a browser that takes gzip."""
        if scope["type"] != "http" or scope.get("method") != "GET":
            return False
        headers = dict(scope.get("headers") or ())
        if b"range" in headers or b"if-none-match" in headers or b"if-modified-since" in headers:
            return False  # partial and conditional answers are Starlette's
        if not accepts_gzip(headers.get(b"accept-encoding", b"").decode("latin-1")):
            return False
        return str(scope.get("path", "")).startswith(self._static_prefix())

    def _static_prefix(self) -> str:
        if self._base_url is None:
            from streamlit import config

            self._base_url = str(config.get_option("server.baseUrlPath") or "")
        base = self._base_url.strip("/")
        return f"/{base}/static/" if base else "/static/"

    async def _send_compressed(self, start: Message, chunks: list[bytes], send: Send) -> None:
        """The held answer, gzipped: the kept bytes for its ETag, else its body (``chunks``, joined
        only then) compressed now."""
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in _DROPPED]
        etag = next((v for k, v in start.get("headers", []) if k.lower() == b"etag"), None)
        compressed = self.kept.get(etag) if etag else None
        if compressed is None:
            body = b"".join(chunks)
            if len(body) <= INLINE_BYTES:
                compressed = gzip.compress(body, LEVEL, mtime=0)
            else:
                # zlib lets go of the interpreter lock while it compresses: other requests and the
                # sessions' script runs go on meanwhile.
                compressed = await asyncio.to_thread(gzip.compress, body, LEVEL, mtime=0)
            if etag:
                self.kept[etag] = compressed
        if etag:
            headers.append((b"etag", etag if etag.startswith(b"W/") else b"W/" + etag))
        headers += [
            (b"content-encoding", b"gzip"),
            (b"vary", b"Accept-Encoding"),
            (b"content-length", str(len(compressed)).encode()),
        ]
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": compressed, "more_body": False})


def _compressible(start: Message, minimum_bytes: int) -> bool:
    """A whole 200 answer of a text type, not compressed yet and not shorter than ``minimum_bytes``."""
    if start.get("status") != 200:
        return False
    headers = {k.lower(): v for k, v in start.get("headers", [])}
    if b"content-encoding" in headers:
        return False
    kind = headers.get(b"content-type", b"").decode("latin-1").lower()
    if not kind.startswith(_COMPRESSIBLE):
        return False
    length = headers.get(b"content-length")
    return length is not None and length.isdigit() and int(length) >= minimum_bytes


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` header admits gzip (``gzip`` or ``*``, at a weight above 0)."""
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        name, _, params = item.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if name.strip():
            weights[name.strip().lower()] = weight
    return weights.get("gzip", weights.get("x-gzip", weights.get("*", 0.0))) > 0
