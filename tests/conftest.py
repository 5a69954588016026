"""Shared fixtures: paths, the hand-computed expectations, and a real DuckDB cursor."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE = ROOT / "sample_data"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _load_expected() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fixture_expected", FIXTURES / "expected.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EXPECTED = _load_expected()


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m kpi_core ARGS`` in a fresh process, from the checkout, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "kpi_core", *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def cursor() -> duckdb.DuckDBPyConnection:
    from kpi_core.db import session_cursor

    return session_cursor()
