"""Streamlit's static files leave serve.py gzip-compressed, each compressed once; everything else
passes through untouched (ui.compression). Driven at the ASGI level against a small app that answers
as Streamlit's static files do."""

from __future__ import annotations

import gzip
from typing import Any

import pytest

from tests import aio
from ui.compression import INLINE_BYTES, CompressStatic, accepts_gzip

SCRIPT = b"export const answer = 42;\n" * 400  # 10 KB of text, as a frontend bundle
ETAG = b'"abc123"'


def _static_app(body: bytes = SCRIPT, status: int = 200, kind: bytes = b"application/javascript", **extra: bytes):
    """An ASGI app answering every request as Starlette's static files do: the body in chunks."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode()), (b"etag", ETAG)]
        headers += [(b"accept-ranges", b"bytes"), *((k.replace("_", "-").encode(), v) for k, v in extra.items())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        for i in range(0, len(body), 4096):
            await send({"type": "http.response.body", "body": body[i : i + 4096], "more_body": i + 4096 < len(body)})
        if not body:
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    return app


def _get(
    middleware: CompressStatic, path: str = "/static/js/index.js", method: str = "GET", **headers: str
) -> tuple[int, dict[bytes, bytes], bytes]:
    """One request through ``middleware``: status, headers and the body as sent."""
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(k.replace("_", "-").lower().encode(), v.encode()) for k, v in headers.items()],
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    aio.run(middleware(scope, receive, send))
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], dict(start["headers"]), body


def test_a_static_script_goes_gzipped_to_a_browser_that_takes_gzip() -> None:
    middleware = CompressStatic(_static_app(), base_url="")
    status, headers, body = _get(middleware, accept_encoding="gzip, deflate, br, zstd")
    assert status == 200
    assert headers[b"content-encoding"] == b"gzip"
    assert headers[b"vary"] == b"Accept-Encoding"
    assert gzip.decompress(body) == SCRIPT
    assert int(headers[b"content-length"]) == len(body) < len(SCRIPT) / 10
    assert headers[b"etag"] == b"W/" + ETAG  # another representation of the same file
    assert b"accept-ranges" not in headers  # byte ranges of the identity body do not apply


def test_each_file_is_compressed_once_and_kept_by_its_etag() -> None:
    middleware = CompressStatic(_static_app(), base_url="")
    first = _get(middleware, accept_encoding="gzip")
    assert list(middleware.kept) == [ETAG]
    kept = middleware.kept[ETAG]
    second = _get(middleware, path="/static/js/other-name-same-file.js", accept_encoding="gzip")
    assert first == second and list(middleware.kept) == [ETAG]
    assert middleware.kept[ETAG] is kept  # the kept bytes were sent, not compressed again
    assert second[2] is kept


@pytest.mark.parametrize(
    "accept_encoding",
    ["", "identity", "br", "gzip;q=0", "gzip;q=0, br", "*;q=0", "deflate"],
)
def test_a_browser_that_does_not_take_gzip_gets_the_file_as_it_is(accept_encoding: str) -> None:
    middleware = CompressStatic(_static_app(), base_url="")
    status, headers, body = _get(middleware, accept_encoding=accept_encoding)
    assert (status, body) == (200, SCRIPT)
    assert b"content-encoding" not in headers and headers[b"etag"] == ETAG


@pytest.mark.parametrize(
    ("accept_encoding", "takes"),
    [
        *[("gzip", True), ("GZIP", True), ("br;q=1.0, gzip;q=0.8", True), ("*", True), ("x-gzip", True)],
        *[("gzip;q=0", False), ("gzip;q=0.0, *", False), ("gzip;q=nonsense", False), ("", False), ("br", False)],
    ],
)
def test_accept_encoding_is_read_with_its_weights(accept_encoding: str, takes: bool) -> None:
    assert accepts_gzip(accept_encoding) is takes


@pytest.mark.parametrize(
    ("path", "request_headers", "app"),
    [
        ("/", {}, _static_app(kind=b"text/html")),  # the index page: not a static file
        ("/_stcore/health", {}, _static_app(kind=b"text/plain")),
        ("/media/abc.csv", {}, _static_app(kind=b"text/csv")),  # downloads and media
        ("/static/js/index.js", {"range": "bytes=0-99"}, _static_app()),  # partial answers are Starlette's
        ("/static/js/index.js", {"if_none_match": '"abc123"'}, _static_app()),  # so are conditional ones
        ("/static/media/font.woff2", {}, _static_app(kind=b"font/woff2")),  # compressed already
        ("/static/js/tiny.js", {}, _static_app(body=b"x = 1;")),  # shorter than gzip's overhead
        ("/static/js/gone.js", {}, _static_app(status=404, kind=b"text/plain")),
        ("/static/js/index.js", {}, _static_app(content_encoding=b"br")),  # encoded by someone else
    ],
)
def test_everything_else_passes_through_untouched(path: str, request_headers: dict[str, str], app: Any) -> None:
    middleware = CompressStatic(app, base_url="")
    status, headers, body = _get(middleware, path=path, accept_encoding="gzip", **request_headers)
    assert status == (404 if path.endswith("gone.js") else 200)
    assert b"content-encoding" not in headers or headers[b"content-encoding"] == b"br"
    assert headers[b"etag"] == ETAG and not middleware.kept
    assert len(body) == int(headers[b"content-length"])


def test_a_head_request_passes_through_untouched() -> None:
    middleware = CompressStatic(_static_app(), base_url="")
    status, headers, _ = _get(middleware, method="HEAD", accept_encoding="gzip")
    assert status == 200 and b"content-encoding" not in headers


def test_the_static_files_are_found_under_the_servers_base_url() -> None:
    middleware = CompressStatic(_static_app(), base_url="/sales/")
    assert _get(middleware, path="/sales/static/js/index.js", accept_encoding="gzip")[1][b"content-encoding"] == b"gzip"
    assert b"content-encoding" not in _get(middleware, path="/static/js/index.js", accept_encoding="gzip")[1]


def test_a_bundle_too_large_to_compress_inline_reads_back_whole() -> None:
    bundle = bytes(range(256)) * 2048 + SCRIPT * 60  # 1.1 MB, compressed in a worker thread
    assert len(bundle) > INLINE_BYTES
    middleware = CompressStatic(_static_app(body=bundle), base_url="")
    _, headers, body = _get(middleware, accept_encoding="gzip")
    assert headers[b"content-encoding"] == b"gzip" and gzip.decompress(body) == bundle
