"""What real exports do that a clean sheet does not: a "Total" line with a date, amounts in
several currencies, rupiah written ``Rp 12.500.000,-``, a name holding a no-break space.
Every number is computed by hand from the rows shown."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from kpi_core import queries
from kpi_core.importing import decimal_votes, load, parse_amount

from .conftest import cli


def test_a_total_line_with_a_date_is_set_aside_not_read_as_a_rep(cursor: Any) -> None:
    content = (
        b"Sales Rep,Created Date,Stage,Close Date,Amount\n"
        b"Budi,2026-01-05,Closed Won,2026-01-20,1000\n"
        b"Budi,2026-01-12,Closed Lost,2026-01-25,\n"
        b"Citra,2026-01-07,Closed Won,2026-01-17,3000\n"
        b"GRAND TOTAL:,2026-01-31,,,4000\n"
    )
    ds = load(content, "pipeline.csv")
    assert [(r.line, r.reason) for r in ds.report.set_aside] == [(5, "is a total line, not an opportunity")]
    assert ds.report.rows_loaded == 3
    [everyone] = queries.kpis(cursor, ds, "all")
    assert (everyone.appointments, everyone.won, everyone.revenue) == (3, 2, 4000)
    # The window ends on the last opportunity (12 Jan), not on the total line's date (31 Jan).
    assert everyone.weeks == pytest.approx(8 / 7)


def test_a_weekly_logs_total_line_is_set_aside_too(cursor: Any) -> None:
    content = (
        b"Rep,Week,Appointments,Wins,Revenue\n"
        b"Eko,2026-03-02,10,2,5000\n"
        b"Fitri,2026-03-02,6,1,2000\n"
        b"Jumlah,2026-03-02,16,3,7000\n"
    )
    ds = load(content, "log.csv")
    assert [(r.line, r.reason) for r in ds.report.set_aside] == [(4, "is a total line, not an opportunity")]
    assert {r.group: r.appointments for r in queries.kpis(cursor, ds, "rep")} == {"Eko": 10, "Fitri": 6}


def test_amounts_in_several_currencies_are_said_and_the_converted_amount_is_proposed(
    cursor: Any, tmp_path: Path
) -> None:
    content = (
        b"Deal owner,Create Date,Deal Stage,Amount,Deal Currency Code,Amount in company currency\n"
        b"Rina,2026-03-02,Closed Won,2500,USD,2500\n"
        b"Joko,2026-03-03,Closed Won,15000000,IDR,937.5\n"
        b"Joko,2026-03-09,Qualified To Buy,8000000,IDR,500\n"
    )
    ds = load(content, "hubspot.csv")
    assert ds.mapping.header("amount") == "Amount in company currency"
    [everyone] = queries.kpis(cursor, ds, "all")
    assert everyone.revenue == 3437.5
    assert not any("currencies" in n for n in ds.report.notes)
    path = tmp_path / "hubspot.csv"
    path.write_bytes(content)
    mixed = cli("kpis", str(path), "--map", "amount=Amount", "--by", "all")
    assert mixed.returncode == 0, mixed.stderr
    assert (
        "The amounts in 'Amount' are in 2 currencies ('IDR', 'USD' in 'Deal Currency Code'), and revenue adds "
        "them as they are; map an amount converted to one currency (such as 'Amount in company currency'), or "
        "upload one currency at a time."
    ) in " ".join(mixed.stderr.split())


@pytest.mark.parametrize(
    ("text", "decimal", "value"),
    [
        ("Rp 12.500.000,-", ",", 12_500_000),
        ("Rp 12.500.000,--", ",", 12_500_000),
        ("1.500,-", ",", 1500),
        ("Rp 1.500.000,\u2013", ",", 1_500_000),
        ("1'500.-", ".", 1500),
        ("1.500-", ",", -1500),  # a trailing minus is still a minus
    ],
)
def test_whole_amounts_written_with_a_dash_for_the_cents(text: str, decimal: str, value: float) -> None:
    assert parse_amount(text, decimal) == value


def test_the_dash_for_the_cents_settles_the_decimal_mark(cursor: Any) -> None:
    """'1.500,-' alone fits both marks but for its ',-': the comma is the decimal mark."""
    assert decimal_votes(["Rp 1.500,-"]) == (0, 1, 0)
    content = (
        b"Nama Sales;Tanggal Janji Temu;Status;Nilai (Rp)\n"
        b"Bayu;02/03/2026;Menang;Rp 1.500,-\n"
        b"Bayu;16/03/2026;Menang;Rp 12.500.000,-\n"
        b"Dewi;03/03/2026;Kalah;\n"
    )
    ds = load(content, "jakarta.csv")
    assert ds.mapping.header("amount") == "Nilai (Rp)"
    assert ds.report.decimal == ","
    [everyone] = queries.kpis(cursor, ds, "all")
    assert (everyone.won, everyone.revenue) == (2, 12_501_500)


def test_a_hidden_space_in_a_name_is_named_in_the_report() -> None:
    content = "Sales Rep,Created Date\nBudi Santoso,2026-01-05\nBudi\u00a0Santoso,2026-01-06\nBudi Santoso,2026-01-07\n"
    notes = load(content.encode(), "names.csv").report.notes
    assert any("'Budi\u00a0Santoso' (with a no-break space) as 'Budi Santoso'" in n for n in notes)


def test_a_utf8_file_with_a_line_in_windows_1252_keeps_every_name(cursor: Any, tmp_path: Path) -> None:
    """Rows pasted in from an older export: the UTF-8 names stay intact (read whole as
    Windows-1252 they read 'DÃ©dÃ©'), the odd line is read as Windows-1252, and the report says so."""
    content = (
        b"Sales Rep,Created Date,Stage,Amount\n"
        b"D\xc3\xa9d\xc3\xa9 Kurniawan,2026-01-05,Closed Won,100\n"
        b"Zo\xc3\xab Tan,2026-01-06,Closed Won,200\n"
        b"Jos\xe9,2026-01-08,Proposal \x96 sent,10\n"
    )
    ds = load(content, "mixed.csv")
    assert {r.group for r in queries.kpis(cursor, ds, "rep")} == {"Dédé Kurniawan", "Zoë Tan", "José"}
    assert (
        "The file is UTF-8 but for line 4, which was read as Windows-1252 (an older Excel's encoding); check the "
        "names on it."
    ) in ds.report.notes
    path = tmp_path / "mixed.csv"
    path.write_bytes(content)
    done = cli("kpis", str(path), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert {r["rep"] for r in json.loads(done.stdout)} == {"Dédé Kurniawan", "Zoë Tan", "José"}


def test_a_windows_1252_file_is_still_read_whole_as_windows_1252(cursor: Any) -> None:
    content = b"Sales Rep,Created Date\nJos\xe9 N\xfa\xf1ez,2026-01-05\nFran\xe7ois,2026-01-06\n"
    ds = load(content, "cp1252.csv")
    assert ds.report.encoding == "windows-1252"
    assert {r.group for r in queries.kpis(cursor, ds, "rep")} == {"José Núñez", "François"}
    assert not any("UTF-8" in n for n in ds.report.notes)


def test_title_lines_above_the_header_are_skipped_and_said(cursor: Any) -> None:
    content = (
        b"Laporan Penjualan Tim Surabaya - Januari 2026;;;\n"
        b"Dicetak: 01/02/2026;;;\n"
        b";;;\n"
        b"Nama Sales;Tanggal Janji Temu;Status;Nilai\n"
        b"Eko;13/01/2026;Menang;Rp 1.500.000\n"
        b"Eko;20/01/2026;Kalah;\n"
        b"Fitri;14/01/2026;Menang;Rp 2.250.000\n"
    )
    ds = load(content, "laporan.csv")
    assert (
        "The header row is on line 4; lines 1-3 above it ('Laporan Penjualan Tim Surabaya - Janu...', "
        "'Dicetak: 01/02/2026') name no columns and were skipped."
    ) in ds.report.notes
    assert [r.line for r in ds.report.set_aside] == []
    assert ds.table["line"].to_pylist() == [5, 6, 7]
    rows = {r.group: (r.appointments, r.won, r.revenue) for r in queries.kpis(cursor, ds, "rep")}
    assert rows == {"Eko": (2, 1, 1_500_000), "Fitri": (1, 1, 2_250_000)}


def test_excels_delimiter_hint_line_is_read_as_the_delimiter(cursor: Any) -> None:
    content = b"sep=;\nSales Rep;Created Date;Stage;Amount\nAna;2026-01-05;Closed Won;1.200,50\nAna;2026-01-19;Proposal;800,00\n"
    ds = load(content, "excel.csv")
    assert ds.report.delimiter == ";"
    assert "The header row is on line 2; line 1 above it ('sep=;') names no columns and was skipped." in ds.report.notes
    [ana] = queries.kpis(cursor, ds, "rep")
    assert (ana.appointments, ana.won, ana.revenue) == (2, 1, 1200.5)


def test_a_header_with_unnamed_columns_or_rows_with_extra_fields_is_still_the_header() -> None:
    unnamed = b"Sales Rep,,,Created Date\nAna,x,y,2026-01-05\nBudi,x,y,2026-01-06\n"
    ds = load(unnamed, "unnamed.csv")
    assert ds.table["line"].to_pylist() == [2, 3] and not any("header row is on" in n for n in ds.report.notes)
    # Amounts written 1,500 without quotes: most rows have an extra field, the header is the header.
    wide = b"Sales Rep,Created Date,Stage,Amount\nAna,2026-01-05,Won,1,500\nBudi,2026-01-06,Won,2,500\nCitra,2026-01-07,Lost,\n"
    ds = load(wide, "wide.csv")
    assert [r.line for r in ds.report.set_aside] == [2, 3]  # the wrong number of fields, as before
    assert ds.table["line"].to_pylist() == [4]


def test_a_title_row_above_a_sheets_header_is_skipped(cursor: Any, tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Laporan Penjualan Tim Surabaya"])
    ws.append(["Periode:", "Januari 2026"])
    ws.append([])
    ws.append(["Nama Sales", "Tanggal Janji Temu", "Status", "Nilai", "Tim"])
    ws.append(["Eko", dt.date(2026, 1, 13), "Menang", 1_500_000, "Timur"])
    ws.append(["Fitri", dt.date(2026, 1, 14), "Kalah", None, "Timur"])
    path = tmp_path / "laporan.xlsx"
    wb.save(path)
    ds = load(path.read_bytes(), "laporan.xlsx")
    assert (
        "The header row is on line 4; lines 1-3 above it ('Laporan Penjualan Tim Surabaya', 'Periode:; Januari "
        "2026') name no columns and were skipped."
    ) in ds.report.notes
    assert ds.table["line"].to_pylist() == [5, 6]
    rows = {r.group: (r.appointments, r.won, r.revenue) for r in queries.kpis(cursor, ds, "rep")}
    assert rows == {"Eko": (1, 1, 1_500_000), "Fitri": (1, 0, 0)}


def test_counts_in_the_reports_sentences_are_grouped() -> None:
    rows = "".join(f"Ana,2026-01-{1 + i % 28:02d},Lost\n" for i in range(1200))
    notes = load(f"Sales Rep,Created Date,Outcome\nAna,2026-01-01,Won\n{rows}".encode(), "many.csv").report.notes
    assert any(n.startswith("None of the 1,200 lost opportunities counts") for n in notes)


def test_an_opportunity_sheet_with_a_week_number_column_is_not_a_weekly_log(cursor: Any) -> None:
    """'Minggu' (week) and 'Tanggal Janji Temu' (the appointment's date) read as a weekly log's week
    and count of appointments: the file did not load ('No value in 'Minggu' can be read as a date')."""
    content = (
        b"No;Minggu;Nama Sales;Tanggal Janji Temu;Status;Nilai\n"
        b"1;3;Bayu;13/01/2026;Menang;Rp 12.500.000\n"
        b"2;3;Bayu;15/01/2026;Kalah;\n"
        b"3;4;Dewi;22/01/2026;Menang;Rp 7.500.000\n"
    )
    ds = load(content, "sheet.csv")
    assert ds.shape.value == "opportunities"
    assert {r.group: (r.appointments, r.won, r.revenue) for r in queries.kpis(cursor, ds, "rep")} == {
        "Bayu": (2, 1, 12_500_000),
        "Dewi": (1, 1, 7_500_000),
    }


def test_the_command_line_can_say_what_the_file_is(tmp_path: Path) -> None:
    """One row per opportunity with its week and a count of meetings held: the headers say weekly log."""
    path = tmp_path / "deals.csv"
    path.write_bytes(
        b"Sales Rep,Week,Meetings,Created Date,Outcome\n"
        b"Ana,2026-03-02,3,2026-03-02,Won\nAna,2026-03-09,1,2026-03-10,Lost\nBudi,2026-03-02,2,2026-03-04,\n"
    )
    guessed = cli("inspect", str(path), "--format", "json")
    assert json.loads(guessed.stdout)["shape"] == "weekly_log"
    told = cli("kpis", str(path), "--shape", "opportunities", "--format", "json")
    assert told.returncode == 0, told.stderr
    rows = {r["rep"]: (r["appointments"], r["won"]) for r in json.loads(told.stdout)}
    assert rows == {"Ana": (2, 1), "Budi": (1, 0)}


def test_a_weekly_log_dated_by_iso_week_reads_each_week_as_its_monday(cursor: Any) -> None:
    log = b"Rep,Week,Appointments,Next Steps,Wins,Revenue\nEko,2026-W10,10,6,2,5000\nEko,2026-W11,8,5,1,2000\n"
    ds = load(log, "log.csv")
    assert ds.report.date_formats == {"Week": "%G-W%V"}
    assert (ds.first_date, ds.last_date) == (dt.date(2026, 3, 2), dt.date(2026, 3, 15))  # Monday 2 to Sunday 15 March
    [eko] = queries.kpis(cursor, ds, "rep")
    assert (eko.appointments, eko.weeks, eko.weekly_appointments) == (18, 2, 9)


def test_won_deals_without_an_amount_are_said_and_left_out_of_revenue(cursor: Any) -> None:
    content = (
        b"Sales Rep,Created Date,Outcome,Amount\nAna,2026-01-01,Won,\nAna,2026-01-02,Won,100\nBudi,2026-01-03,Won,\n"
    )
    ds = load(content, "x.csv")
    assert (
        "2 won opportunities have no readable amount; they count as sales, and revenue and the average sale leave "
        "them out (n/a where no won opportunity's amount is known)."
    ) in ds.report.notes
    rows = {r.group: (r.won, r.revenue, r.avg_sale) for r in queries.kpis(cursor, ds, "rep")}
    assert rows == {"Ana": (2, 100, 100), "Budi": (1, None, None)}
    one = load(b"Sales Rep,Created Date,Outcome,Amount\nAna,2026-01-01,Won,\nAna,2026-01-02,Won,100\n", "y.csv")
    assert any(n.startswith("1 won opportunity has no readable amount; it counts as a sale,") for n in one.report.notes)
