"""The Excel reader (python-calamine) on real .xlsx files built here: each kind of cell is typed as
before, lines are the sheet's row numbers, and rows without a cell are blank lines, as in a CSV file."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from openpyxl.utils import get_column_letter

from kpi_core.errors import LimitExceededError, UnreadableFileError
from kpi_core.reading import read_file

HEADER = ["Sales Rep", "Created Date", "Amount"]


def _book(cells: dict[str, Any], formats: dict[str, str] | None = None, *, epoch_1904: bool = False) -> bytes:
    """A one-sheet workbook ('Deals') holding ``cells`` by reference, with number ``formats``."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Deals"
    if epoch_1904:
        book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    for ref, value in cells.items():
        ws[ref] = value
        if formats and ref in formats:
            ws[ref].number_format = formats[ref]
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _rows(*rows: list[Any], first: int = 1) -> dict[str, Any]:
    """``rows`` as cells from row ``first``, column A on (``None`` leaves a cell out)."""
    return {
        f"{get_column_letter(c + 1)}{first + r}": v
        for r, row in enumerate(rows)
        for c, v in enumerate(row)
        if v is not None
    }


def _with_sheet_xml(content: bytes, edit: Any) -> bytes:
    """The workbook with its sheet's XML passed through ``edit`` (bytes -> bytes)."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        parts = {i.filename: book.read(i.filename) for i in book.infolist()}
    parts["xl/worksheets/sheet1.xml"] = edit(parts["xl/worksheets/sheet1.xml"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in parts.items():
            book.writestr(name, data)
    return out.getvalue()


def test_rows_without_a_cell_inside_the_data_are_a_note_not_rows_set_aside() -> None:
    content = _book(_rows(HEADER, ["Ana", "2026-03-02", 100]) | _rows(["Budi", "2026-03-05", 200], first=5))
    raw = read_file(content, "gaps.xlsx")
    assert raw.lines.to_pylist() == [2, 5]
    assert raw.set_aside == ()
    assert "2 blank lines were skipped (they are not data rows)." in raw.notes


def test_a_stray_cell_far_below_the_data_is_a_row_and_the_million_rows_above_it_one_note() -> None:
    content = _book(_rows(HEADER, ["Ana", "2026-03-02", 100]) | {"A1048576": "Citra"})
    raw = read_file(content, "stray.xlsx")
    assert raw.lines.to_pylist() == [2, 1_048_576]
    assert raw.set_aside == ()
    assert "1,048,573 blank lines were skipped (they are not data rows)." in raw.notes


def test_empty_rows_below_the_last_data_row_are_formatting_and_not_counted() -> None:
    content = _book(_rows(HEADER, ["Ana", "2026-03-02", 100]) | {"D40": ""})
    raw = read_file(content, "tail.xlsx")
    assert (raw.lines.to_pylist(), raw.set_aside) == ([2], ())
    assert not any("blank" in n for n in raw.notes)


def test_a_sheet_starting_at_row_3_in_column_b_reports_the_sheet_row_numbers() -> None:
    content = _book({"B3": "Sales Rep", "C3": "Created Date", "B4": "Ana", "C4": "2026-03-02", "B6": "Budi"})
    raw = read_file(content, "offset.xlsx")
    assert raw.headers == ("Column 1", "Sales Rep", "Created Date")
    assert raw.lines.to_pylist() == [4, 6]
    assert raw.column("Sales Rep") == ["Ana", "Budi"]


def test_a_title_row_above_the_header_is_skipped_and_named() -> None:
    content = _book(_rows(["Laporan Penjualan - Januari 2026"], [], HEADER, ["Ana", "2026-03-02", 100]))
    raw = read_file(content, "title.xlsx")
    assert raw.lines.to_pylist() == [4]
    assert raw.notes[0].startswith("The header row is on line 3; lines 1-2 above it ('Laporan Penjualan")


def test_each_kind_of_cell_is_typed_and_written_as_before() -> None:
    moment = dt.datetime(2026, 3, 2, 14, 30)
    content = _book(
        _rows(
            ["Rep", "Date", "Moment", "Whole", "Decimal", "Id", "Huge"],
            ["Ana", dt.date(2026, 3, 2), moment, 5, 5.5, 1234567890123456, 12345678901234567890],
        )
        | {"H1": "Won", "H2": True, "I1": "Time", "I2": dt.time(12, 30), "J1": "Hours", "J2": dt.timedelta(hours=30)}
    )
    raw = read_file(content, "kinds.xlsx")
    assert raw.table.slice(0, 1).to_pylist()[0] == {
        "c0": "Ana",
        "c1": "2026-03-02",
        "c2": "2026-03-02 14:30:00",
        "c3": "5",
        "c4": "5.5",
        "c5": "1234567890123456",  # a 16-digit id stored as a number keeps its digits
        "c6": "1.234567890123457e+19",  # past 2**53: the double calamine reads (Excel keeps 15 digits)
        "c7": "true",
        "c8": "12:30:00",
        "c9": "1 day, 6:00:00",
    }
    assert raw.native_dates == {"Date", "Moment"}
    assert raw.native_numbers == {"Whole", "Decimal", "Id", "Huge"}


@pytest.mark.parametrize(
    "number_format", ["dd/mm/yyyy;@", "[$-409]mmmm d, yyyy", "d-mmm-yy", "yyyy\\-mm\\-dd", "mm/dd/yyyy hh:mm AM/PM"]
)
def test_a_date_cell_with_a_custom_format_is_a_date(number_format: str) -> None:
    cells = _rows(HEADER, ["Ana", dt.date(2026, 1, 13), 100])
    raw = read_file(_book(cells, {"B2": number_format}), "custom.xlsx")
    assert raw.column("Created Date") == ["2026-01-13"]
    assert raw.native_dates == {"Created Date"}


def test_dates_of_a_1904_workbook_are_the_dates_excel_shows() -> None:
    content = _book(_rows(HEADER, ["Ana", dt.date(2026, 3, 2), 100]), epoch_1904=True)
    assert b"date1904" in zipfile.ZipFile(io.BytesIO(content)).read("xl/workbook.xml")
    assert read_file(content, "mac.xlsx").column("Created Date") == ["2026-03-02"]


def test_time_only_and_duration_cells_are_neither_dates_nor_numbers() -> None:
    content = _book(_rows(["Rep", "Start", "Length"], ["Ana", dt.time(9, 15), dt.timedelta(minutes=90)]))
    raw = read_file(content, "times.xlsx")
    assert (raw.column("Start"), raw.column("Length")) == (["09:15:00"], ["1:30:00"])
    assert raw.native_dates == frozenset() and raw.native_numbers == frozenset()


def test_error_cells_read_as_the_error_excel_shows_not_as_empty() -> None:
    """calamine reads an error cell as empty; an amount column of #N/A must be reported, not missing."""
    book = io.BytesIO()
    with xlsxwriter.Workbook(book) as wb:
        ws = wb.add_worksheet("Deals")
        ws.write_row(0, 0, HEADER)
        ws.write_row(1, 0, ["Ana", "2026-03-02"])
        ws.write_formula(1, 2, "=NA()", None, "#N/A")
        ws.write_row(2, 0, ["Budi", "2026-03-03"])
        ws.write_formula(2, 2, "=1/0", None, "#DIV/0!")
        ws.write_row(3, 0, ["Citra", "2026-03-04", 300])
    raw = read_file(book.getvalue(), "errors.xlsx")
    assert raw.column("Amount") == ["#N/A", "#DIV/0!", "300"]
    assert raw.mixed_numbers["Amount"].to_pylist() == [2, 3]


def test_a_formula_without_a_saved_value_is_named_in_a_note() -> None:
    content = _book(_rows(HEADER, ["Ana", "2026-03-02", "=1+1"], ["Budi", "2026-03-03", 5]))
    raw = read_file(content, "formulas.xlsx")
    assert raw.column("Amount") == ["", "5"]
    assert any(n.startswith("1 formula cell(s) without a saved value in 'Amount' (rows 2)") for n in raw.notes)


def test_cells_and_rows_without_references_are_placed_as_excel_places_them() -> None:
    """``r`` is optional: a cell without it follows the cell before, a row the row before."""

    def strip_refs(xml: bytes) -> bytes:
        for row in range(1, 5):
            xml = xml.replace(f'<row r="{row}">'.encode(), b"<row>")
            for column in "ABC":
                xml = xml.replace(f' r="{column}{row}"'.encode(), b"")
        return xml

    content = _with_sheet_xml(_book(_rows(HEADER, ["Ana", "2026-03-02", 1], ["Budi", "2026-03-03", 2])), strip_refs)
    raw = read_file(content, "loose.xlsx")
    assert raw.lines.to_pylist() == [2, 3]
    assert raw.column("Amount") == ["1", "2"]


def test_lower_case_references_are_read_where_they_point() -> None:
    content = _with_sheet_xml(_book(_rows(HEADER, ["Ana", "2026-03-02", 1])), lambda x: x.replace(b'r="C2"', b'r="c2"'))
    assert read_file(content, "lower.xlsx").column("Amount") == ["1"]


def test_a_sheet_whose_first_reference_is_unreadable_is_damaged_before_its_first_row() -> None:
    content = _with_sheet_xml(_book(_rows(HEADER, ["Ana", "2026-03-02", 1])), lambda x: x.replace(b'"A1"', b'"A 1"'))
    with pytest.raises(UnreadableFileError) as refused:
        read_file(content, "bad.xlsx")
    assert str(refused.value) == (
        "bad.xlsx could not be read as an Excel workbook: the sheet 'Deals' is damaged before its first row; "
        "open it in Excel, save it again and upload, or upload a CSV export."
    )


def test_the_sheet_holding_the_data_is_read_and_named() -> None:
    book = openpyxl.Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "Cover"
    cover["A1"] = "Pipeline report"
    deals = book.create_sheet("Deals")
    for row in (HEADER, ["Ana", "2026-03-02", 1]):
        deals.append(row)
    buf = io.BytesIO()
    book.save(buf)
    raw = read_file(buf.getvalue(), "two.xlsx", sheet_score=len)
    assert raw.sheet == "Deals"
    assert raw.notes[0] == "Read the sheet 'Deals', which holds the data; the first sheet 'Cover' does not."


def test_a_sparse_sheet_half_of_whose_grid_holds_a_value_is_read_without_spare_cells(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The grid calamine builds may be twice the cells holding a value (CRM exports leave columns
    mostly empty); the 4M spare cells are not what lets this one through."""
    monkeypatch.setattr("kpi_core.reading._SPARE_CELLS", 0)
    header = [*HEADER, "Region", "Notes", "Stage"]
    rows = [
        ["Ana", "2026-03-02", r, None, None, None] if r % 2 else ["Budi", None, r, "West", None, None]
        for r in range(300)
    ]
    raw = read_file(_book(_rows(header, *rows, ["Citra", None, None, None, None, "Won"])), "sparse.xlsx")
    assert raw.data_rows == 301


def test_cells_and_rows_without_references_count_as_the_cells_they_are(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kpi_core.reading._SPARE_CELLS", 0)

    def strip_refs(xml: bytes) -> bytes:
        return re.sub(rb' r="[A-Z]*\d+"', b"", xml)

    content = _with_sheet_xml(_book(_rows(HEADER, *[["Ana", "2026-03-02", r] for r in range(200)])), strip_refs)
    assert read_file(content, "loose.xlsx").data_rows == 200


def test_a_cell_far_below_the_data_is_refused_when_the_grid_is_more_than_twice_the_cells(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("kpi_core.reading._SPARE_CELLS", 0)
    content = _book(_rows(HEADER, *[["Ana", "2026-03-02", r] for r in range(200)]) | {"C1000": 1})
    with pytest.raises(LimitExceededError) as refused:
        read_file(content, "far.xlsx")
    assert str(refused.value).startswith(
        "far.xlsx (sheet 'Deals') has cells as far as row 1,000 and column 3, a grid of 3,000 cells for the 604 cells "
        "that hold a value;"
    )
