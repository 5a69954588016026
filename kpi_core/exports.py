"""Downloads (CSV and Excel) that never carry a live formula.

Rep names, stages and extra columns come from uploaded files, so a cell such as
``=HYPERLINK("http://...")`` must come back as text, never as something a spreadsheet runs
(CSV/formula injection). Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
gets a leading ``'``; numbers, dates and booleans keep their types.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

#: A text cell starting with one of these is read as a formula by some spreadsheet program.
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

Row = Sequence[Any] | Mapping[str, Any]


def neutralize_cell(value: Any) -> Any:
    """``value`` made safe for a spreadsheet: formula-like text gets a leading ``'``; anything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cells(columns: Sequence[str], row: Row) -> list[Any]:
    if isinstance(row, Mapping):
        return [row.get(c) for c in columns]
    return list(row)


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (numbers.Real, Decimal)):
        return _number_text(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(neutralize_cell(str(value)))


def _number_text(value: numbers.Real | Decimal) -> str:
    number = float(value)
    if not math.isfinite(number):
        return ""
    if isinstance(value, numbers.Integral) or (not isinstance(value, Decimal) and number.is_integer()):
        return str(int(number))  # a count in a column of floats (NaN where undefined): 167, not 167.0
    return str(value) if isinstance(value, Decimal) else repr(number)


def to_csv_bytes(columns: Sequence[str], rows: Iterable[Row]) -> bytes:
    """A UTF-8 CSV (with a byte-order mark, so Excel reads the names right) of ``columns`` and ``rows``.

    ``rows`` are sequences in column order or mappings keyed by column. Missing values and
    non-finite numbers are empty cells.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_text(c) for c in columns])
    for row in rows:
        writer.writerow([_csv_text(v) for v in _cells(columns, row)])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx_bytes(
    columns: Sequence[str], rows: Iterable[Row], sheet: str = "Data", number_formats: Mapping[str, str] | None = None
) -> bytes:
    """An .xlsx workbook of ``columns`` and ``rows``: numbers as numbers, dates as dates, text only as text.

    ``number_formats`` gives a column's numbers an Excel format (``"0.0%"``: a ratio 0.305 shows as
    30.5 %, as on screen), the value itself unchanged."""
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(
        buf,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    ws = book.add_worksheet(sheet)
    bold = book.add_format({"bold": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    time_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    by_column = [
        book.add_format({"num_format": f}) if (f := (number_formats or {}).get(str(h))) else None for h in columns
    ]
    for c, header in enumerate(columns):
        ws.write_string(0, c, str(neutralize_cell(str(header))), bold)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(_cells(columns, row)):
            if value is None:
                continue
            if isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, (numbers.Real, Decimal)):
                if math.isfinite(float(value)):
                    ws.write_number(r, c, float(value), by_column[c])
            elif isinstance(value, dt.datetime):
                ws.write_datetime(r, c, value, time_format)
            elif isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            else:
                ws.write_string(r, c, str(neutralize_cell(str(value))))
    book.close()
    return buf.getvalue()
