"""Running a coroutine from a test, whatever else runs in the test's process."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)`` in a thread of its own.

    The browser tests' Playwright (its sync API) keeps an event loop running in the main thread of
    the pytest-xdist worker that runs them, and ``asyncio.run`` refuses to start from a thread with
    a running loop; a test that needs a loop of its own takes a fresh thread.
    """
    with ThreadPoolExecutor(1, thread_name_prefix="test-loop") as pool:
        return pool.submit(asyncio.run, coroutine).result()
