"""Shared fixtures: paths, the hand-computed expectations, and a real DuckDB cursor."""

from __future__ import annotations

import importlib.util
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


@pytest.fixture
def cursor() -> duckdb.DuckDBPyConnection:
    from kpi_core.db import session_cursor

    return session_cursor()
