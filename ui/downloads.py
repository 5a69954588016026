"""Bytes for the download buttons: CSV and Excel that never carry a live formula.

A text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'``
(spreadsheet apps would run it as a formula); numbers stay numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from kpi_core.exports import neutralize_cell as neutralize
from kpi_core.exports import to_csv_bytes, to_xlsx_bytes

from .format import KIND, KPI_LABELS

__all__ = ["buttons", "csv_bytes", "excel_bytes", "neutralize"]


def _rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """The frame's rows as Python values, missing values as ``None``."""
    return list(frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark (Excel reads accented names right); no live formulas."""
    return to_csv_bytes([str(c) for c in frame.columns], _rows(frame))


#: Excel number formats by the kind of KPI (ui.format.KIND): the numbers read as on screen.
EXCEL_FORMATS = {
    "percent": "0.0%",
    "money": "#,##0",
    "days": "0",
    "count": "#,##0",
    "decimal": "0.0",
    "appointments": "0.00",
}


def number_formats(columns: Sequence[str]) -> dict[str, str]:
    """Each KPI column's Excel format: a KPI's label, its peer average (same kind) or its deviation (a percent)."""
    kind_of = {KPI_LABELS[name]: kind for name, kind in KIND.items()}
    out = {}
    for column in columns:
        label, _, part = str(column).partition(": ")
        kind = "percent" if part == "deviation" and label in kind_of else kind_of.get(label)
        if kind:
            out[str(column)] = EXCEL_FORMATS[kind]
    return out


def excel_bytes(frame: pd.DataFrame, sheet: str = "KPIs") -> bytes:
    """An .xlsx workbook; text is written as strings, never as formulas; numbers stay numbers,
    shown as on screen (ratios as percents, amounts grouped)."""
    columns = [str(c) for c in frame.columns]
    return to_xlsx_bytes(columns, _rows(frame), sheet=sheet[:31], number_formats=number_formats(columns))


def buttons(frame: pd.DataFrame, stem: str, key: str) -> None:
    """A CSV and an Excel download button for ``frame`` side by side; the files are built on click only."""
    import streamlit as st

    left, right = st.columns(2)
    left.download_button(
        "Download CSV",
        lambda: csv_bytes(frame),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        width="stretch",
        on_click="ignore",
    )
    right.download_button(
        "Download Excel",
        lambda: excel_bytes(frame),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        width="stretch",
        on_click="ignore",
    )
