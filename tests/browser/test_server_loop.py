"""The server runs on uvloop and parses HTTP with httptools (both in requirements.txt; uvicorn picks
them when they are installed): each rerun's messages leave 5-15 ms sooner (bench/README.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .conftest import start_server


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/<pid>/maps")
def test_the_server_runs_on_uvloop_and_httptools() -> None:
    proc, _url = start_server()
    try:
        maps = Path(f"/proc/{proc.pid}/maps").read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    libraries = [line.rsplit(" ", 1)[-1] for line in maps.splitlines() if line.endswith(".so")]
    assert any("/uvloop/" in path for path in libraries), libraries
    assert any("/httptools/" in path for path in libraries), libraries
