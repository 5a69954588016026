"""Exports: reopened as CSV or Excel, no cell is a live formula, and numbers stay numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest

from kpi_core.exports import neutralize_cell, to_csv_bytes, to_xlsx_bytes

HOSTILE = (
    '=HYPERLINK("http://evil.example","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
)
COLUMNS = ("rep", "team", "revenue", "won", "first_date", "p1")
ROWS: list[tuple[Any, ...]] = [(rep, "=TEAM()", -1500.5, 3, dt.date(2026, 1, 5), None) for rep in HOSTILE] + [
    ("Ana", "North", 1200.0, 0, dt.date(2026, 2, 1), 0.25)
]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Ana", "Ana"),
        ("a=b", "a=b"),
        (" =1", " =1"),
        ("", ""),
        (-1500.5, -1500.5),
        (-3, -3),
        (0, 0),
        (None, None),
        (True, True),
        (dt.date(2026, 1, 5), dt.date(2026, 1, 5)),
    ],
)
def test_only_formula_like_text_gets_a_leading_quote(value: Any, expected: Any) -> None:
    assert neutralize_cell(value) == expected
    assert type(neutralize_cell(value)) is type(expected)


def _reopen_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_the_csv_export_never_starts_a_text_cell_with_a_formula_character() -> None:
    header, *rows = _reopen_csv(to_csv_bytes(COLUMNS, ROWS))
    assert header == list(COLUMNS)
    assert [r[0] for r in rows[:-1]] == ["'" + rep for rep in HOSTILE]
    assert {r[1] for r in rows[:-1]} == {"'=TEAM()"}
    for row in rows:
        for cell in (row[0], row[1]):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_the_csv_export_keeps_numbers_and_dates_as_they_are() -> None:
    rows = _reopen_csv(to_csv_bytes(COLUMNS, ROWS))[1:]
    assert rows[0][2:] == ["-1500.5", "3", "2026-01-05", ""]
    assert rows[-1] == ["Ana", "North", "1200", "0", "2026-02-01", "0.25"]  # a whole float as a whole number


def test_the_csv_export_accepts_mappings_and_neutralizes_headers() -> None:
    data = to_csv_bytes(["=rep", "revenue"], [{"=rep": "-Ana", "revenue": Decimal("-2.50")}, {"revenue": float("nan")}])
    assert _reopen_csv(data) == [["'=rep", "revenue"], ["'-Ana", "-2.50"], ["", ""]]


def test_the_excel_export_holds_text_never_formulas_and_numbers_as_numbers() -> None:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(COLUMNS, ROWS)))
    ws = book.active
    assert ws is not None
    cells = [list(row) for row in ws.iter_rows()]
    assert all(cell.data_type != "f" for row in cells for cell in row)
    assert [c.value for c in cells[0]] == list(COLUMNS)
    # openpyxl leaves the carriage return in its escaped OOXML form; Excel shows it as a line break
    assert [row[0].value.replace("_x000D_", "\r") for row in cells[1:-1]] == ["'" + rep for rep in HOSTILE]
    first = cells[1]
    assert (first[2].value, first[2].data_type) == (-1500.5, "n")
    assert (first[3].value, first[3].data_type) == (3, "n")
    assert first[4].value == dt.datetime(2026, 1, 5)
    assert first[5].value is None
    assert [c.value for c in cells[-1]] == ["Ana", "North", 1200, 0, dt.datetime(2026, 2, 1), 0.25]


def test_the_excel_export_keeps_url_like_and_number_like_text_as_text() -> None:
    import openpyxl

    data = to_xlsx_bytes(["link", "code"], [("http://evil.example", "00123")])
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws is not None
    assert ws["A2"].value == "http://evil.example" and ws["A2"].hyperlink is None
    assert (ws["B2"].value, ws["B2"].data_type) == ("00123", "s")
