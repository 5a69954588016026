"""Values at the edges of what a file can hold: placeholder dates (31/12/9999), a typo's year,
amounts of hundreds of digits. Each is read as missing or named in the report, never crashes a
page (tests/app/test_extreme_values.py), and never stretches the numbers silently."""

from __future__ import annotations

import datetime as dt

import pytest

from kpi_core import db, queries
from kpi_core.importing import MAX_NUMBER, load


def _opportunities(rows: list[tuple[str, str, str, str]]) -> bytes:
    lines = ["rep,first_appointment,outcome,amount,next_step"]
    lines += [f"{rep},{first},{outcome},{amount},{first}" for rep, first, outcome, amount in rows]
    return ("\n".join(lines) + "\n").encode()


BULK = [(f"Rep{i % 3}", f"2026-01-{1 + i % 28:02d}", "won" if i % 2 else "lost", "100") for i in range(30)]


@pytest.mark.parametrize("placeholder", ["9999-12-31", "0001-01-01", "1899-12-31", "2101-01-01"])
def test_a_placeholder_date_is_read_as_missing_and_named(placeholder: str) -> None:
    """31/12/9999 (a CRM's "never") as a first appointment stretched the window over 8,000 years:
    the Weekly page asked for 400,000 weeks a rep, and its chart overflowed Python's dates."""
    ds = load(_opportunities([*BULK, ("Rep0", placeholder, "won", "100")]), "p.csv")
    assert (ds.first_date, ds.last_date) == (dt.date(2026, 1, 1), dt.date(2026, 1, 28))
    assert ds.report.rows_loaded == 30 and ds.report.rows_set_aside == 1
    [note] = [n for n in ds.report.notes if "'first_appointment' is before 1900 or after 2100" in n]
    assert note.startswith(f"1 date in 'first_appointment' is before 1900 or after 2100 (line 32: '{placeholder}')")


def test_the_edges_of_the_years_read_are_dates() -> None:
    ds = load(
        _opportunities([*BULK, ("Rep0", "1900-01-01", "won", "100"), ("Rep1", "2100-12-31", "won", "100")]), "e.csv"
    )
    assert (ds.first_date, ds.last_date) == (dt.date(1900, 1, 1), dt.date(2100, 12, 31))
    assert not [n for n in ds.report.notes if "before 1900" in n]


def test_a_weekly_log_week_of_9999_is_read_as_missing() -> None:
    text = "rep,week,appointments,next_steps,wins,revenue\nAna,2026-01-05,3,2,1,100\nAna,9999-12-31,3,2,1,100\n"
    ds = load(text.encode(), "w.csv")
    assert (ds.first_date, ds.last_date) == (dt.date(2026, 1, 5), dt.date(2026, 1, 11))
    assert any("1 date in 'week' is before 1900 or after 2100 (line 3: '9999-12-31')" in n for n in ds.report.notes)


def test_one_typo_year_is_named_with_its_line() -> None:
    """2062 for 2026: the window ran to 2062, every weekly rate was divided by 36 years, and the
    report said nothing."""
    ds = load(_opportunities([*BULK, ("Rep1", "2062-03-01", "won", "100")]), "t.csv")
    assert ds.last_date == dt.date(2062, 3, 1)  # not guessed away: the window still runs to it
    [note] = [n for n in ds.report.notes if "more than a year apart" in n]
    assert note.startswith("1 first-appointment date (line 32: 2062-03-01) is more than a year apart from the others")
    row = queries.kpis(db.session_cursor(), ds, "all")[0]
    assert row.weeks > 36 * 52


def test_years_of_data_are_not_stray_dates() -> None:
    """Two years with a gap between them, each with many rows: a real span, nothing to say."""
    rows = [(f"Rep{i % 3}", f"{2023 + 2 * (i % 2)}-03-{1 + i % 28:02d}", "won", "100") for i in range(40)]
    ds = load(_opportunities(rows), "y.csv")
    assert not [n for n in ds.report.notes if "apart" in n]


def test_an_amount_beyond_a_thousand_trillion_is_unreadable_not_infinite() -> None:
    """Amounts of 300 digits are finite floats, but their sums and the goals built on them were
    infinite, and the Magic Number page raised OverflowError."""
    huge = "9" * 300
    ds = load(_opportunities([(r, f, o, huge if i < 3 else a) for i, (r, f, o, a) in enumerate(BULK)]), "a.csv")
    [unreadable] = ds.report.unreadable
    assert (unreadable.column, unreadable.count, unreadable.reason) == ("amount", 3, "not an amount")
    assert ds.table["amount"].null_count == 3
    limit = load(_opportunities([*BULK[:29], ("Rep0", "2026-01-02", "won", f"{MAX_NUMBER:.0f}")]), "l.csv")
    assert not limit.report.unreadable and max(limit.table["amount"].to_pylist()) == MAX_NUMBER


def test_a_typo_at_each_end_is_named() -> None:
    """1990 and 2062 around a 2026 file: both stretch the window, and both are named."""
    ds = load(
        _opportunities([*BULK, ("Rep1", "1990-05-01", "won", "100"), ("Rep2", "2062-03-01", "won", "100")]), "b.csv"
    )
    [note] = [n for n in ds.report.notes if "more than a year apart" in n]
    assert note.startswith("2 first-appointment dates (line 32: 1990-05-01, line 33: 2062-03-01) are more than a year")
