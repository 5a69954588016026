"""The server runs on uvloop and parses HTTP with httptools (both in requirements.txt; uvicorn picks
them when they are installed): each rerun's messages leave 5-15 ms sooner (bench/README.md). It
sends Streamlit's frontend files gzipped."""

from __future__ import annotations

import gzip
import re
import sys
import urllib.request
from pathlib import Path

import pytest
import streamlit

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


def test_the_server_sends_streamlits_frontend_files_gzipped_and_whole(app_url: str) -> None:
    """serve.py compresses Streamlit's static files (ui.compression); a browser that does not
    take gzip gets them as they are."""
    static = Path(streamlit.__file__).parent / "static"
    bundle = re.search(r'src="\./(static/js/[^"]+\.js)"', (static / "index.html").read_text())
    assert bundle is not None
    answers = []
    for accept in ("gzip, deflate, br", "identity"):
        request = urllib.request.Request(f"{app_url}/{bundle[1]}", headers={"Accept-Encoding": accept})
        with urllib.request.urlopen(request, timeout=10) as r:
            answers.append((r.headers.get("Content-Encoding"), r.read()))
    on_disk = (static / bundle[1]).read_bytes()
    (encoding, compressed), (plain_encoding, plain) = answers
    assert encoding == "gzip" and gzip.decompress(compressed) == on_disk and len(compressed) < len(on_disk) / 2
    assert plain_encoding is None and plain == on_disk
