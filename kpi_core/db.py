"""One locked-down DuckDB instance per process; every session works through its own cursor.

The instance cannot touch the file system or the network, cannot load or install extensions,
and its configuration is locked, so no value from a user's file can reach the server. Data is
registered on a session's cursor (connection-local), so one session never sees another's rows.
Every query runs under a time limit (``MAGIC_NUMBER_QUERY_SECONDS``, 30 s by default).
"""

from __future__ import annotations

import functools
import logging
import math
import os
import threading
import uuid
from typing import Any

import duckdb
import pyarrow as pa

from .errors import LimitExceededError

#: Settings of the shared instance; ``MAGIC_NUMBER_DUCKDB_MEMORY`` overrides the memory limit.
LOCKED_DOWN_CONFIG: dict[str, Any] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "memory_limit": os.environ.get("MAGIC_NUMBER_DUCKDB_MEMORY", "2GB"),
    "threads": max(1, min(4, os.cpu_count() or 1)),
    "lock_configuration": True,
}

_instance: duckdb.DuckDBPyConnection | None = None
_lock = threading.Lock()


def instance() -> duckdb.DuckDBPyConnection:
    """The process-wide locked-down in-memory DuckDB database (created on first use)."""
    global _instance
    with _lock:
        if _instance is None:
            _instance = duckdb.connect(":memory:", config=LOCKED_DOWN_CONFIG)
        return _instance


def close() -> None:
    """Close the process-wide instance (a command-line run, before the interpreter exits).

    Shutting DuckDB down while Python still runs, rather than during interpreter finalization,
    keeps its native threads from being torn down mid-way (seen once as an abort at exit).
    """
    global _instance
    with _lock:
        if _instance is not None:
            _instance.close()
            _instance = None


def session_cursor() -> duckdb.DuckDBPyConnection:
    """A new connection to the shared instance, for one session (or one CLI run) only."""
    return instance().cursor()


def register(cursor: duckdb.DuckDBPyConnection, table: pa.Table) -> str:
    """Register an Arrow table on ``cursor`` under a fresh internal name and return the name.

    The name is generated here, never derived from user text.
    """
    name = f"t_{uuid.uuid4().hex}"
    cursor.register(name, table)
    return name


def unregister(cursor: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop a registration made by :func:`register`."""
    cursor.unregister(name)


def query_seconds() -> float:
    """The time limit of one query in seconds: ``MAGIC_NUMBER_QUERY_SECONDS``, 30 by default."""
    return _seconds(os.environ.get("MAGIC_NUMBER_QUERY_SECONDS", ""))


@functools.lru_cache(maxsize=8)
def _seconds(text: str) -> float:
    """``text`` as seconds above 0, else 30; an unreadable value is an operator's typo, said once
    (as ``reading._env_int`` says the size limits'), not silently replaced on every query."""
    if not text.strip():
        return 30.0
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if 0 < seconds < math.inf:
        return seconds
    logging.getLogger(__name__).warning(
        "MAGIC_NUMBER_QUERY_SECONDS=%r is not a number of seconds above 0; using 30 seconds.", text
    )
    return 30.0


class Rows:
    """The rows of one finished query, fetched while its time limit was running."""

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self._rows = rows
        self._next = 0

    def fetchall(self) -> list[tuple[Any, ...]]:
        """Every row not fetched yet."""
        rest, self._next = self._rows[self._next :], len(self._rows)
        return rest

    def fetchone(self) -> tuple[Any, ...] | None:
        """The next row, or ``None`` after the last."""
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]


def run(
    cursor: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None, *, seconds: float | None = None
) -> Rows:
    """Execute ``sql`` with ``params`` as placeholders and fetch its rows, within a time and a memory limit.

    DuckDB has no statement timeout, so a timer interrupts the cursor after ``seconds`` (default
    :func:`query_seconds`). Rows are fetched here, under the timer, because DuckDB streams results
    lazily; this also leaves the cursor free for the next statement. Running out of time or memory
    becomes a plain sentence.
    """
    limit = seconds if seconds is not None else query_seconds()
    expired = threading.Event()

    def interrupt() -> None:
        expired.set()
        cursor.interrupt()

    timer = threading.Timer(limit, interrupt)
    timer.daemon = True
    timer.start()
    try:
        return Rows(cursor.execute(sql, params or []).fetchall())
    except duckdb.InterruptException as err:
        if not expired.is_set():
            raise
        raise LimitExceededError(
            f"This question took longer than {limit:g} s, the server's limit; "
            "narrow the date window or filters and try again."
        ) from err
    except duckdb.OutOfMemoryException as err:
        raise LimitExceededError(
            "This question needs more memory than the server allows; narrow the date window or filters and try again."
        ) from err
    finally:
        timer.cancel()
