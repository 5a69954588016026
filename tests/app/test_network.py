"""serve.py turns Nagle's algorithm off on the connections Streamlit's server accepts.

The listening socket is made by Streamlit's own ``_bind_socket`` and accepted by asyncio, as in
``streamlit run serve.py``; a real client connects and the accepted socket's option is read.
"""

from __future__ import annotations

import asyncio
import importlib.util
import socket
import sys

import pytest
from streamlit.web.server.starlette.starlette_server import _bind_socket

from tests import aio
from ui import network, warmup

from .conftest import ROOT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd")


async def _accepted_no_delay(listener: socket.socket) -> int:
    """``TCP_NODELAY`` of the connection asyncio accepts from ``listener`` (as uvicorn's server does)."""
    loop = asyncio.get_running_loop()
    accepted: asyncio.Future[int] = loop.create_future()

    class Protocol(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    server = await loop.create_server(Protocol, sock=listener)
    try:
        port = listener.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        value = await asyncio.wait_for(accepted, 10)
        writer.close()
        return value
    finally:
        server.close()
        await server.wait_closed()


def test_streamlit_s_listener_gives_connections_with_nagle_on_unless_the_listener_is_set() -> None:
    before = _bind_socket("127.0.0.1", 0, 16)
    assert aio.run(_accepted_no_delay(before)) == 0  # what Streamlit 1.67 does on its own

    after = _bind_socket("127.0.0.1", 0, 16)
    assert network.no_delay_on_listeners() >= 1
    assert aio.run(_accepted_no_delay(after)) != 0


def test_only_listening_tcp_sockets_are_touched() -> None:
    with socket.socket() as unbound, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", 0))
        listener = _bind_socket("127.0.0.1", 0, 16)
        try:
            network.no_delay_on_listeners()
            assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
            assert unbound.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        finally:
            listener.close()


def test_serve_py_sets_it_as_the_server_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("serve_under_test", ROOT / "serve.py")
    assert spec is not None and spec.loader is not None
    serve = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(serve)
    monkeypatch.setattr(warmup, "start", lambda: None)  # only the network part is under test here
    listener = _bind_socket("127.0.0.1", 0, 16)

    async def start_then_connect() -> int:
        async with serve._warm_up(None):
            return await _accepted_no_delay(listener)

    assert aio.run(start_then_connect()) != 0
