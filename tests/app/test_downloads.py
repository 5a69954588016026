"""Downloads: CSV and Excel never hold a live formula, and numbers stay numbers."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from tests.app.conftest import new_app
from ui.downloads import csv_bytes, excel_bytes, neutralize


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("Ana", "Ana"),
        (-1500.0, -1500.0),
    ],
)
def test_a_cell_that_would_run_as_a_formula_gets_a_leading_quote(cell: object, expected: object) -> None:
    assert neutralize(cell) == expected


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"Rep": ["=1+1", "Budi"], "Revenue": [-1500.0, 2500.0]})


def test_the_csv_export_quotes_formulas_and_keeps_negative_numbers() -> None:
    text = csv_bytes(_frame()).decode("utf-8-sig")
    assert "'=1+1" in text
    assert "-1500\r\n" in text and "'-1500" not in text  # a whole number as one (it read -1500.0)


def test_the_excel_export_holds_text_not_formulas_and_numbers_as_numbers() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(excel_bytes(_frame()))).active
    assert sheet["A2"].value == "'=1+1"
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -1500


def test_the_excel_export_shows_ratios_as_percents_and_amounts_grouped() -> None:
    """The values are the table's (0.305, not 30.5); only their Excel format reads as on screen."""
    at = new_app()
    frame = next(df.value for df in at.dataframe if "Close ratio" in df.value.columns)
    sheet = openpyxl.load_workbook(io.BytesIO(excel_bytes(frame))).active
    header = [c.value for c in sheet[1]]
    close = sheet.cell(row=2, column=header.index("Close ratio") + 1)
    assert close.value == pytest.approx(frame["Close ratio"].iloc[0]) and close.number_format == "0.0%"
    assert sheet.cell(row=2, column=header.index("Revenue") + 1).number_format == "#,##0"
    assert sheet.cell(row=2, column=header.index("Appointments") + 1).number_format == "#,##0"


def test_the_peer_tables_deviations_are_percents_and_peer_averages_read_as_their_kpi() -> None:
    from ui.downloads import number_formats

    formats = number_formats(
        [
            "Rep",
            "Close ratio",
            "Close ratio: peer average",
            "Close ratio: deviation",
            "Average revenue per sale: deviation",
            "Average revenue per sale: peer average",
        ]
    )
    assert formats == {
        "Close ratio": "0.0%",
        "Close ratio: peer average": "0.0%",
        "Close ratio: deviation": "0.0%",
        "Average revenue per sale: deviation": "0.0%",
        "Average revenue per sale: peer average": "#,##0",
    }
