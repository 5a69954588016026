"""A weekly log with a blank (or unreadable) next-steps or wins cell: what that week cannot give is
unknown, so the sums and ratios built on it read n/a for its rep, its team and everyone, never the
other weeks' sum as if the blank were 0 (which gave a close ratio of 400 %). Hand-computed below."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kpi_core import queries
from kpi_core.importing import load
from kpi_core.model import Filters

from .app.conftest import confirm, metric, new_app, open_page, upload
from .conftest import cli

LOG = (
    b"rep,team,week,appointments,next_steps,wins,revenue\n"
    b"r1,T,2026-06-01,4,2,1,1000\n"
    b"r1,T,2026-06-08,5,,0,0\n"  # line 3: next steps blank
    b"r1,T,2026-06-15,3,3,2,3000\n"
    b"r2,T,2026-06-01,6,3,0,0\n"
    b"r2,T,2026-06-08,2,1,1,500\n"
    b"r3,U,2026-06-01,5,2,,700\n"  # line 7: wins blank
    b"r3,U,2026-06-08,5,3,1,300\n"
)
N = None
# group: appointments, advanced, won, p1, p2, revenue, avg_sale, weekly appointments (3 weeks: 1-21 June)
EXPECTED = {
    "r1": (12, N, 3, N, N, 4000, 4000 / 3, 4),
    "r2": (8, 4, 1, 0.5, 0.25, 500, 500, 8 / 3),
    "r3": (10, 5, N, 0.5, N, 1000, N, 10 / 3),
    "T": (20, N, 4, N, N, 4500, 4500 / 4, 20 / 3),
    "U": (10, 5, N, 0.5, N, 1000, N, 10 / 3),
    "All": (30, N, N, N, N, 5500, N, 10),
}
NAMES = ("appointments", "advanced", "won", "p1", "p2", "revenue", "avg_sale", "weekly_appointments")


def _check(got: dict[str, Any], want: tuple[Any, ...]) -> None:
    for name, value in zip(NAMES, want, strict=True):
        assert got[name] == (None if value is None else pytest.approx(value)), name


def test_a_blank_count_makes_what_it_feeds_unknown(cursor: Any) -> None:
    ds = load(LOG, "log.csv")
    rows = [*queries.kpis(cursor, ds, "rep"), *queries.kpis(cursor, ds, "team"), *queries.kpis(cursor, ds, "all")]
    assert {r.group for r in rows} == set(EXPECTED)
    for row in rows:
        _check({n: row.value(n) for n in NAMES} | {"advanced": row.advanced, "won": row.won}, EXPECTED[row.group])


def test_the_report_names_the_weeks_and_says_what_reads_n_a() -> None:
    notes = load(LOG, "log.csv").report.notes
    assert (
        "1 week has no number in 'next_steps' (line 3), so its rep's next steps and ratios read n/a (and its "
        "team's and everyone's) instead of counting the blank as 0; write 0 where there were none."
    ) in notes
    assert any(
        n.startswith("1 week has no number in 'wins' (line 7), so its rep's wins, close ratio and") for n in notes
    )


def test_a_window_without_the_blank_week_counts_again(cursor: Any) -> None:
    ds = load(LOG, "log.csv")
    r1 = next(r for r in queries.kpis(cursor, ds, "rep", Filters(start=dt.date(2026, 6, 15))) if r.group == "r1")
    assert (r1.advanced, r1.won, r1.p1, r1.p2) == (3, 2, 1.0, pytest.approx(2 / 3))


def test_the_command_line_gives_the_same_numbers(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_bytes(LOG)
    done = cli("kpis", str(path), "--format", "json")
    assert done.returncode == 0, done.stderr
    for row in json.loads(done.stdout):
        _check(row, EXPECTED[row["rep"]])
    assert "line 3" in done.stderr and "line 7" in done.stderr


def test_the_app_shows_n_a_where_the_numbers_are_unknown() -> None:
    at = confirm(upload(new_app(), "log.csv", LOG))
    open_page(at, "overview")
    assert metric(at, "Appointments") == "30"
    assert metric(at, "Appointment-to-next-step ratio") == "n/a"
    assert metric(at, "Close ratio") == "n/a"
    table = at.dataframe[0].value.set_index("Rep")
    assert table.loc["r2", "Close ratio"] == pytest.approx(0.25)
    assert pd.isna(table.loc["r1", "Close ratio"]) and pd.isna(table.loc["r3", "Close ratio"])
    assert pd.isna(table.loc["r1", "Appointment-to-next-step ratio"])
    assert table.loc["r3", "Appointment-to-next-step ratio"] == pytest.approx(0.5)
