"""Bytes for the download buttons: CSV and Excel that never carry a live formula.

A text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'``
(spreadsheet apps would run it as a formula); numbers stay numbers.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kpi_core.exports import neutralize_cell as neutralize
from kpi_core.exports import to_csv_bytes, to_xlsx_bytes

__all__ = ["buttons", "csv_bytes", "excel_bytes", "neutralize"]


def _rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """The frame's rows as Python values, missing values as ``None``."""
    return list(frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark (Excel reads accented names right); no live formulas."""
    return to_csv_bytes([str(c) for c in frame.columns], _rows(frame))


def excel_bytes(frame: pd.DataFrame, sheet: str = "KPIs") -> bytes:
    """An .xlsx workbook; text is written as strings, never as formulas; numbers stay numbers."""
    return to_xlsx_bytes([str(c) for c in frame.columns], _rows(frame), sheet=sheet[:31])


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
