"""Excel columns that mix typed cells with text cells: a date cell is its date and a number cell its
number; only the text cells are read with a format (or decimal mark) chosen, or asked, from them."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

from kpi_core import queries
from kpi_core.errors import AmbiguousFormatError
from kpi_core.importing import LoadOptions, load
from kpi_core.reading import read_file

from .conftest import cli

D = dt.date


def _xlsx(rows: list[list[Any]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


DATES_HEADER = ["Sales Rep", "Created Date", "Stage", "Close Date", "Amount"]
#: Sheet lines 2-6; lines 4 and 6 hold dates typed as text, day first (13 and 20 March).
DATES_ROWS: list[list[Any]] = [
    ["Ana", D(2026, 3, 2), "Closed Won", D(2026, 3, 20), 1000],
    ["Ana", D(2026, 3, 4), "Closed Lost", D(2026, 3, 9), 500],
    ["Ana", "13/03/2026", "Closed Won", "27/03/2026", 700],
    ["Budi", D(2026, 3, 5), "Closed Won", D(2026, 3, 15), 900],
    ["Budi", "20/03/2026", "Closed Lost", None, 300],
]


def _kpis(ds: Any, cursor: Any) -> dict[str, Any]:
    return {r.group: r for r in queries.kpis(cursor, ds, "rep")}


def _first_appointments(ds: Any) -> dict[int, dt.date]:
    return dict(zip(ds.table["line"].to_pylist(), ds.table["first_appointment"].to_pylist(), strict=True))


def test_date_cells_beside_day_first_text_dates_load_every_row_with_the_right_weeks_and_cycles(cursor: Any) -> None:
    ds = load(_xlsx([DATES_HEADER, *DATES_ROWS]), "mixed.xlsx")
    assert (ds.report.rows_loaded, ds.report.rows_set_aside) == (5, 0)
    assert _first_appointments(ds) == {
        2: D(2026, 3, 2),
        3: D(2026, 3, 4),
        4: D(2026, 3, 13),
        5: D(2026, 3, 5),
        6: D(2026, 3, 20),
    }
    rows = _kpis(ds, cursor)
    weeks = 19 / 7  # 2 March to 20 March, both included
    ana, budi = rows["Ana"], rows["Budi"]
    assert ana.weeks == pytest.approx(weeks) and budi.weeks == pytest.approx(weeks)
    assert (ana.appointments, ana.advanced, ana.won, ana.revenue, ana.avg_sale) == (3, 2, 2, 1700, 850)
    # Ana's won deals: 2 -> 20 March (18 days) and 13 -> 27 March (14 days), the latter both text.
    assert (ana.cycle_days_mean, ana.cycle_days_median) == (16, 16)
    assert ana.weekly_appointments == pytest.approx(3 / weeks)
    assert (budi.appointments, budi.won, budi.revenue, budi.cycle_days_mean) == (2, 1, 900, 10)
    assert budi.weekly_appointments == pytest.approx(2 / weeks)
    assert ds.report.date_formats == {"Created Date": "%d/%m/%Y", "Close Date": "%d/%m/%Y"}
    assert "'Created Date' mixes date cells with 2 dates typed as text (lines 4, 6), read as dd/mm/yyyy." in (
        ds.report.notes
    )
    assert "'Close Date' mixes date cells with 1 date typed as text (line 4), read as dd/mm/yyyy." in ds.report.notes


def test_only_the_text_cells_of_a_mixed_column_are_recorded_by_their_lines() -> None:
    raw = read_file(_xlsx([DATES_HEADER, *DATES_ROWS]), "mixed.xlsx")
    assert {h: a.to_pylist() for h, a in raw.mixed_dates.items()} == {"Created Date": [4, 6], "Close Date": [4]}
    assert raw.mixed_numbers == {}
    assert raw.native_numbers == {"Amount"}
    assert raw.native_dates == frozenset()


def test_a_row_set_aside_by_the_reader_does_not_shift_the_text_cells_onto_other_rows() -> None:
    rows: list[list[Any]] = [
        DATES_HEADER,
        ["Ana", "13/03/2026", "Closed Won", None, 700],  # text before the column's first date cell
        ["Ana", "14/03/2026", "Closed Won", None, 700, "stray"],  # a sixth field: set aside
        ["Budi", D(2026, 3, 5), "Closed Won", None, 900],
        ["Budi", "20/03/2026", "Closed Lost", None, 300],
        ["Budi", D(2026, 3, 6), "Closed Lost", None, 300],
    ]
    ds = load(_xlsx(rows), "stray.xlsx")
    assert [(r.line, r.reason) for r in ds.report.set_aside] == [(3, "has 6 fields but the header has 5")]
    assert _first_appointments(ds) == {2: D(2026, 3, 13), 4: D(2026, 3, 5), 5: D(2026, 3, 20), 6: D(2026, 3, 6)}
    assert "'Created Date' mixes date cells with 2 dates typed as text (lines 2, 5), read as dd/mm/yyyy." in (
        ds.report.notes
    )


def test_ambiguous_text_dates_beside_date_cells_are_asked_and_the_answer_reads_the_text_only() -> None:
    rows: list[list[Any]] = [
        DATES_HEADER,
        ["Ana", D(2026, 3, 2), "Closed Won", None, 1000],
        ["Ana", "03/04/2026", "Closed Won", None, 700],
        ["Budi", D(2026, 3, 5), "Closed Won", None, 900],
    ]
    content = _xlsx(rows)
    with pytest.raises(AmbiguousFormatError) as asked:
        load(content, "ambiguous.xlsx")
    assert (asked.value.column, asked.value.kind) == ("Created Date", "date")
    assert set(asked.value.options) == {"%d/%m/%Y", "%m/%d/%Y"}
    day_first = load(content, "ambiguous.xlsx", LoadOptions(date_format="dd/mm/yyyy"))
    assert _first_appointments(day_first) == {2: D(2026, 3, 2), 3: D(2026, 4, 3), 4: D(2026, 3, 5)}
    month_first = load(content, "ambiguous.xlsx", LoadOptions(date_format="mm/dd/yyyy"))
    assert _first_appointments(month_first) == {2: D(2026, 3, 2), 3: D(2026, 3, 4), 4: D(2026, 3, 5)}


AMOUNT_HEADER = ["Sales Rep", "Created Date", "Outcome", "Close Date", "Amount"]


def _amount_rows(text_amount: str) -> list[list[Any]]:
    return [
        AMOUNT_HEADER,
        ["Rudi", D(2026, 5, 4), "Won", D(2026, 5, 20), 2500000],
        ["Rudi", D(2026, 5, 6), "Won", D(2026, 5, 28), text_amount],
        ["Rudi", D(2026, 5, 13), "Lost", D(2026, 5, 30), None],
        ["Sari", D(2026, 5, 5), "Won", D(2026, 5, 19), 1250000.5],
    ]


def test_number_cells_beside_a_rupiah_text_amount_give_the_exact_revenue(cursor: Any) -> None:
    ds = load(_xlsx(_amount_rows("Rp 1.750.000")), "amounts.xlsx")
    rows = _kpis(ds, cursor)
    assert (rows["Rudi"].revenue, rows["Rudi"].avg_sale) == (4250000, 2125000)
    assert (rows["Sari"].revenue, rows["Sari"].avg_sale) == (1250000.5, 1250000.5)
    assert ds.report.unreadable == ()
    assert ds.report.decimal == ","
    assert (
        "'Amount' mixes number cells with 1 number typed as text (line 3), read with ',' as the decimal mark."
        in ds.report.notes
    )


def test_a_chosen_decimal_mark_reads_the_text_amounts_and_leaves_the_number_cells_as_they_are(cursor: Any) -> None:
    content = _xlsx(_amount_rows("Rp 1.750.000"))
    comma = _kpis(load(content, "amounts.xlsx", LoadOptions(decimal=",")), cursor)
    assert (comma["Rudi"].revenue, comma["Sari"].revenue) == (4250000, 1250000.5)
    dot_ds = load(content, "amounts.xlsx", LoadOptions(decimal="."))
    dot = _kpis(dot_ds, cursor)
    assert (dot["Rudi"].revenue, dot["Sari"].revenue) == (2500000, 1250000.5)
    [unread] = dot_ds.report.unreadable
    assert (unread.column, unread.example_lines, unread.examples) == ("Amount", (3,), ("Rp 1.750.000",))


def test_a_text_amount_open_to_both_marks_is_asked_though_the_number_cells_use_a_dot() -> None:
    with pytest.raises(AmbiguousFormatError) as asked:
        load(_xlsx(_amount_rows("1.500")), "amounts.xlsx")
    assert (asked.value.column, asked.value.kind) == ("Amount", "decimal")


def test_a_column_of_typed_cells_alone_keeps_the_native_path(cursor: Any) -> None:
    typed = [list(row) for row in DATES_ROWS]
    typed[2][1], typed[2][3] = D(2026, 3, 13), D(2026, 3, 27)
    typed[4][1] = D(2026, 3, 20)
    content = _xlsx([DATES_HEADER, *typed])
    raw = read_file(content, "typed.xlsx")
    assert raw.native_dates == {"Created Date", "Close Date"}
    assert raw.native_numbers == {"Amount"}
    assert (raw.mixed_dates, raw.mixed_numbers) == ({}, {})
    ds = load(content, "typed.xlsx")
    assert not any("mixes" in n for n in ds.report.notes)
    assert ds.report.date_formats == {"Created Date": "%Y-%m-%d", "Close Date": "%Y-%m-%d"}
    ana = _kpis(ds, cursor)["Ana"]
    assert (ana.appointments, ana.won, ana.revenue, ana.cycle_days_mean) == (3, 2, 1700, 16)
    assert ana.weeks == pytest.approx(19 / 7)


def test_the_command_line_loads_every_row_of_a_mixed_date_column_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "mixed.xlsx"
    path.write_bytes(_xlsx([DATES_HEADER, *DATES_ROWS]))
    done = cli("kpis", str(path), "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = {r["rep"]: r for r in json.loads(done.stdout)}
    assert rows["Ana"]["weeks"] == pytest.approx(19 / 7)
    assert (rows["Ana"]["appointments"], rows["Ana"]["revenue"], rows["Ana"]["cycle_days_mean"]) == (3, 1700, 16)
    assert (rows["Budi"]["appointments"], rows["Budi"]["revenue"]) == (2, 900)
    assert "5 of 5 data rows loaded, 0 set aside" in done.stderr
    assert "'Created Date' mixes date cells with 2 dates typed as text (lines 4, 6), read as dd/mm/yyyy." in done.stderr


def test_two_mixed_columns_asking_the_same_question_are_answered_together() -> None:
    """The Data page asks once for every date column that leaves the same day/month question open;
    an Excel column mixing date cells with text asks by its text alone."""
    from kpi_core.mapping import propose_mapping
    from ui.importer import siblings

    content = _xlsx(
        [
            ["Sales Rep", "Created Date", "Close Date", "Outcome"],
            ["Ana", dt.date(2026, 3, 2), dt.date(2026, 3, 20), "Won"],
            ["Ana", "03/04/2026", "05/06/2026", "Won"],
            ["Budi", dt.date(2026, 3, 9), dt.date(2026, 3, 30), "Won"],
        ]
    )
    raw = read_file(content, "mixed.xlsx")
    with pytest.raises(AmbiguousFormatError) as asked:
        load(content, "mixed.xlsx")
    assert siblings(raw, propose_mapping(raw), asked.value) == ["Close Date"]
