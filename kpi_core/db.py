"""One locked-down DuckDB instance per process; every session works through its own cursor.

The instance cannot touch the file system or the network, cannot load or install extensions,
and its configuration is locked, so no value from a user's file can reach the server. Data is
registered on a session's cursor (connection-local), so one session never sees another's rows.
"""

from __future__ import annotations

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


def run(cursor: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> duckdb.DuckDBPyConnection:
    """Execute ``sql`` with ``params`` as placeholders, turning a DuckDB out-of-memory error into a plain sentence."""
    try:
        return cursor.execute(sql, params or [])
    except duckdb.OutOfMemoryException as err:
        raise LimitExceededError(
            "This question needs more memory than the server allows; narrow the date window or filters and try again."
        ) from err
