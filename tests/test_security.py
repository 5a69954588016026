"""Shared hosting: the locked-down DuckDB, hostile headers and values, session isolation, time limits.

No value from a user's file may reach the server's files, network or configuration, or another
session's data; crafted headers and cells are plain text that shows up literally, nothing more.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from kpi_core import db, queries
from kpi_core.errors import LimitExceededError
from kpi_core.importing import load
from kpi_core.model import Dataset, Filters

from .conftest import ROOT

SLOW_QUERY = "SELECT sum(a.range * b.range) FROM range(200000) a, range(200000) b"


@pytest.fixture
def secret(tmp_path: Path) -> tuple[Path, str]:
    """A server-side file holding a unique marker that must never appear in any output."""
    marker = f"SECRET-{uuid.uuid4().hex}"
    path = tmp_path / "secret.txt"
    path.write_text(marker + "\n", encoding="utf-8")
    return path, marker


@pytest.mark.parametrize(
    "sql",
    [
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "SET memory_limit = '100GB'",
        "SET threads = 64",
        "SET allow_unsigned_extensions = true",
        "RESET enable_external_access",
        "INSTALL httpfs",
        "LOAD httpfs",
        "FORCE INSTALL json",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM read_blob('/etc/passwd')",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_csv_auto('/etc/hostname')",
        "SELECT * FROM read_parquet('/etc/passwd')",
        "SELECT * FROM read_json('/etc/passwd')",
        "SELECT * FROM glob('/etc/*')",
        "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')",
        "COPY (SELECT 1 AS x) TO '{tmp}/out.csv'",
        "EXPORT DATABASE '{tmp}/export'",
        "ATTACH '{tmp}/other.duckdb' AS other",
        "CREATE SECRET leak (TYPE s3, KEY_ID 'a', SECRET 'b')",
    ],
)
def test_the_shared_database_refuses_every_way_out(sql: str, tmp_path: Path) -> None:
    cursor = db.session_cursor()
    with pytest.raises(duckdb.Error):
        cursor.execute(sql.format(tmp=tmp_path)).fetchall()
    assert list(tmp_path.iterdir()) == []


def test_a_server_file_cannot_be_read_even_through_run(secret: tuple[Path, str]) -> None:
    path, marker = secret
    cursor = db.session_cursor()
    for sql in ("SELECT * FROM read_text(?)", "SELECT * FROM read_csv(?)"):
        with pytest.raises(duckdb.Error) as err:
            db.run(cursor, sql, [str(path)]).fetchall()
        assert marker not in str(err.value)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("enable_external_access", "false"),
        ("lock_configuration", "true"),
        ("autoinstall_known_extensions", "false"),
        ("autoload_known_extensions", "false"),
        ("allow_community_extensions", "false"),
        ("allow_unsigned_extensions", "false"),
    ],
)
def test_the_shared_database_is_locked_down(setting: str, expected: str) -> None:
    (value,) = db.session_cursor().execute("SELECT current_setting(?)::VARCHAR", [setting]).fetchone() or ("",)
    assert str(value).lower() == expected


def test_the_shared_database_has_a_memory_limit() -> None:
    (value,) = db.session_cursor().execute(
        "SELECT value FROM duckdb_settings() WHERE name = 'memory_limit'"
    ).fetchone() or ("",)
    assert str(value).endswith(("GiB", "MiB")), value
    assert db.LOCKED_DOWN_CONFIG["memory_limit"]


def test_two_sessions_never_see_each_others_registered_data() -> None:
    first, second = db.session_cursor(), db.session_cursor()
    name = db.register(first, pa.table({"rep": ["Ana"], "amount": [1.0]}))
    assert first.execute(f"SELECT rep FROM {name}").fetchall() == [("Ana",)]
    with pytest.raises(duckdb.CatalogException):
        second.execute(f"SELECT rep FROM {name}").fetchall()
    views = second.execute("SELECT view_name FROM duckdb_views() WHERE view_name = ?", [name]).fetchall()
    assert views == []
    db.unregister(first, name)
    with pytest.raises(duckdb.CatalogException):
        first.execute(f"SELECT rep FROM {name}").fetchall()


def test_registered_names_are_generated_never_taken_from_user_text() -> None:
    cursor = db.session_cursor()
    names = {db.register(cursor, pa.table({"x": [1]})) for _ in range(3)}
    assert len(names) == 3 and all(n.startswith("t_") and n[2:].isalnum() for n in names)


# --- hostile files ------------------------------------------------------------------------------------

HOSTILE_HEADER = 'rep" FROM t; --'
HOSTILE_REPS = (
    "'; DROP TABLE x; --",
    'Robert"); DROP TABLE reps; --',
    "x'); COPY (SELECT 1) TO '/tmp/pwned.csv'; --",
    '"quoted"',
    '=HYPERLINK("http://evil")',
)


def _hostile_csv(secret_path: Path) -> bytes:
    reader = f"read_text('{secret_path}')"
    header = ["Sales Rep", "Created Date", "Stage", "Amount", HOSTILE_HEADER, reader, '"quoted"']
    reps = [*HOSTILE_REPS, reader]
    region = ["a; SELECT 1", "b'); DROP TABLE t; --", reader, "c", '"d"', "e"]
    rows = [
        [rep, f"2026-01-{i + 5:02d}", "Closed Won", str(100 * (i + 1)), region[i], f"{reader}; --", "1 OR 1=1"]
        for i, rep in enumerate(reps)
    ]
    lines = [",".join('"' + cell.replace('"', '""') + '"' for cell in row) for row in [header, *rows]]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def hostile(tmp_path: Path, secret: tuple[Path, str]) -> tuple[Path, Dataset, str]:
    path = tmp_path / "hostile.csv"
    path.write_bytes(_hostile_csv(secret[0]))
    return path, load(path.read_bytes(), path.name), secret[1]


def test_sql_in_names_is_kept_as_plain_names(hostile: tuple[Path, Dataset, str], cursor: Any) -> None:
    path, ds, marker = hostile
    groups = {r.group: r.revenue for r in queries.kpis(cursor, ds, "rep")}
    assert set(groups) == {*HOSTILE_REPS, f"read_text('{path.parent / 'secret.txt'}')"}
    assert groups["'; DROP TABLE x; --"] == 100
    assert marker not in repr(groups)
    assert ds.report.rows_loaded == 6 and ds.report.set_aside == ()


def test_an_extra_column_with_a_hostile_header_can_be_grouped_and_filtered(
    hostile: tuple[Path, Dataset, str], cursor: Any
) -> None:
    _, ds, marker = hostile
    assert [d.label for d in ds.dimensions][:1] == [HOSTILE_HEADER]
    by_region = {r.group: r.appointments for r in queries.kpis(cursor, ds, HOSTILE_HEADER)}
    assert by_region["b'); DROP TABLE t; --"] == 1
    assert len(by_region) == 6
    picked = Filters(dimensions=((HOSTILE_HEADER, ("a; SELECT 1", "b'); DROP TABLE t; --")),))
    assert queries.row_count(cursor, ds, picked) == 2
    values = queries.distinct_values(cursor, ds, HOSTILE_HEADER)
    assert "a; SELECT 1" in values
    everything = repr((by_region, values, queries.kpis(cursor, ds, '"quoted"')))
    assert marker not in everything


def _cli_all(*commands: tuple[str, ...]) -> list[tuple[int, str, str]]:
    """Run several CLI commands side by side; ``(status, stdout, stderr)`` of each, in order."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "kpi_core", *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in commands
    ]
    results = []
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        results.append((proc.returncode, out, err))
    return results


def test_the_cli_shows_hostile_names_literally_and_never_a_secret(hostile: tuple[Path, Dataset, str]) -> None:
    path, _, marker = hostile
    runs = _cli_all(
        ("kpis", str(path), "--format", "json"),
        ("kpis", str(path), "--by", HOSTILE_HEADER, "--format", "json"),
        ("inspect", str(path), "--format", "json"),
        ("peers", str(path), "--min-opportunities", "1", "--format", "csv"),
        ("weekly", str(path), "--format", "table"),
    )
    for status, out, err in runs:
        assert status == 0, err
        assert marker not in out + err
        assert "Traceback" not in err
    by_rep = {row["rep"] for row in json.loads(runs[0][1])}
    assert set(HOSTILE_REPS) <= by_rep
    by_header = {row[HOSTILE_HEADER] for row in json.loads(runs[1][1])}
    assert "b'); DROP TABLE t; --" in by_header
    assert not Path("/tmp/pwned.csv").exists()


# --- the query time limit -------------------------------------------------------------------------------


def test_a_slow_question_is_stopped_with_one_sentence() -> None:
    cursor = db.session_cursor()
    started = time.monotonic()
    with pytest.raises(LimitExceededError, match=r"^This question took longer than 0\.5 s") as err:
        db.run(cursor, SLOW_QUERY, seconds=0.5)
    assert time.monotonic() - started < 10
    assert "narrow the date window or filters" in str(err.value)
    assert db.run(cursor, "SELECT 42").fetchall() == [(42,)]


def test_the_time_limit_also_covers_fetching_a_streamed_result() -> None:
    cursor = db.session_cursor()
    started = time.monotonic()
    with pytest.raises(LimitExceededError, match=r"longer than 0\.1 s"):
        db.run(cursor, "SELECT range FROM range(5000000)", seconds=0.1)
    assert time.monotonic() - started < 5


def test_a_finished_question_leaves_the_cursor_free_for_the_next() -> None:
    cursor = db.session_cursor()
    name = db.register(cursor, pa.table({"n": [1, 2, 3]}))
    assert db.run(cursor, f"SELECT n FROM {name} ORDER BY n").fetchone() == (1,)
    db.unregister(cursor, name)


def test_the_time_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAGIC_NUMBER_QUERY_SECONDS", "0.3")
    assert db.query_seconds() == 0.3
    with pytest.raises(LimitExceededError, match=r"longer than 0\.3 s"):
        db.run(db.session_cursor(), SLOW_QUERY)


@pytest.mark.parametrize(("value", "seconds"), [("", 30.0), ("soon", 30.0), ("-1", 30.0), ("0", 30.0), ("12.5", 12.5)])
def test_a_missing_or_nonsense_time_limit_falls_back_to_thirty_seconds(
    value: str, seconds: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAGIC_NUMBER_QUERY_SECONDS", value)
    assert db.query_seconds() == seconds


def test_a_nonsense_time_limit_is_said_once(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """It was replaced by 30 s without a word; now a warning says so, once, not on every query."""
    monkeypatch.setenv("MAGIC_NUMBER_QUERY_SECONDS", "30s-typo")
    with caplog.at_level("WARNING", logger="kpi_core.db"):
        assert [db.query_seconds() for _ in range(3)] == [30.0] * 3
    assert [r.getMessage() for r in caplog.records] == [
        "MAGIC_NUMBER_QUERY_SECONDS='30s-typo' is not a number of seconds above 0; using 30 seconds."
    ]


def test_a_quick_question_is_not_interrupted_after_it_finished() -> None:
    cursor = db.session_cursor()
    # A generous limit (a loaded CI machine can be slow even for SELECT 1); the point is the timer of a
    # finished question must not fire into the next one.
    assert db.run(cursor, "SELECT 1", seconds=1.0).fetchall() == [(1,)]
    time.sleep(1.5)
    assert db.run(cursor, "SELECT count(*) FROM range(1000000)").fetchall() == [(1_000_000,)]
