"""Downloads: CSV and Excel never hold a live formula, and numbers stay numbers."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

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
    assert "-1500.0" in text and "'-1500" not in text


def test_the_excel_export_holds_text_not_formulas_and_numbers_as_numbers() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(excel_bytes(_frame()))).active
    assert sheet["A2"].value == "'=1+1"
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -1500
