"""Every bad or messy input the import must survive, built in code, with its exact documented outcome.

Each :class:`Case` builds its file's bytes at test time (nothing binary is committed) and says what
the import must do with it: load it with an exact account of every row (:class:`Loaded`), or
refuse it with one named error whose sentence says what is wrong, where, and what to do
(:class:`Refused`). ``docs/bad-inputs.md`` is generated from this list::

    python -m tests.bad_inputs.make_cases > docs/bad-inputs.md
"""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kpi_core.errors import AmbiguousFormatError, KpiError, LimitExceededError, MappingError, UnreadableFileError
from kpi_core.importing import LoadOptions
from kpi_core.reading import DEFAULT_LIMITS, Limits

HEADER = "Sales Rep,Created Date,Stage,Amount"
GOOD_ROWS = ("Ana,2026-01-05,Closed Won,1200", "Budi,2026-01-06,Closed Lost,300")


@dataclass(frozen=True)
class Loaded:
    """The file loads; every data row is accounted for exactly.

    ``unreadable`` holds ``(column, count, example lines, examples, words of the reason)``;
    ``notes`` are fragments each found in one of the report's notes; ``facts`` are further exact
    values (``reps``, ``amounts``, ``decimal``, ``delimiter``, ``encoding``, ``file_format``,
    ``sheet``, ``date_format``, ``first_date``, ``formula_notes``).
    """

    rows_loaded: int
    data_rows: int
    set_aside: tuple[tuple[int, str], ...] = ()
    unreadable: tuple[tuple[str, int, tuple[int, ...], tuple[str, ...], str], ...] = ()
    notes: tuple[str, ...] = ()
    facts: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Refused:
    """The file is refused with ``error``; its one sentence contains every one of ``words``."""

    error: type[KpiError]
    words: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    """One bad input: how to build it, and what the import must make of it.

    ``dangerous`` cases (bombs, binary, runaway fields) are also run through the CLI in a
    subprocess with ``timeout`` seconds, so a hang or a crash fails the test instead of the run.
    """

    name: str
    what: str
    file_name: str
    build: Callable[[], bytes]
    expected: Loaded | Refused
    options: LoadOptions = field(default_factory=LoadOptions)
    limits: Limits = DEFAULT_LIMITS
    dangerous: bool = False
    timeout: float = 30.0

    def write(self, folder: Path) -> Path:
        """Build the file into ``folder`` and return its path."""
        path = folder / self.file_name
        path.write_bytes(self.build())
        return path


# --- builders ---------------------------------------------------------------------------------------


def text(*lines: str, end: str = "\n", encoding: str = "utf-8", final_newline: bool = True) -> bytes:
    """Lines joined with ``end`` and encoded."""
    body = end.join(lines) + (end if final_newline else "")
    return body.encode(encoding)


def opportunities(*rows: str, **kwargs: Any) -> bytes:
    """A small opportunity export: the standard header, then ``rows``."""
    return text(HEADER, *rows, **kwargs)


def xlsx(sheets: dict[str, Sequence[Sequence[Any]]]) -> bytes:
    """A workbook written by openpyxl; a string cell starting with ``=`` becomes a formula with no saved value."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def parquet_bomb(rows: int = 200_000, width: int = 5_000) -> bytes:
    """A Parquet file of a few KB whose one text value, repeated, spells out to ``rows * width`` bytes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "rep": pa.array(["x" * width] * rows).dictionary_encode(),
            "first_appointment": pa.array([dt.date(2026, 1, 5)] * rows),
        }
    )
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def with_saved_formula_values(book: bytes, values: Sequence[str]) -> bytes:
    """``book`` with each empty saved value of its formulas filled in turn from ``values``, as Excel saves them."""
    source = zipfile.ZipFile(io.BytesIO(book))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as saved:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                for value in values:
                    data = data.replace(b"<v />", f"<v>{value}</v>".encode(), 1)
            saved.writestr(info, data)
    return out.getvalue()


def small_workbook() -> bytes:
    return xlsx(
        {
            "Deals": [
                ["Owner", "Created", "Stage", "Amount"],
                ["Ana", dt.datetime(2026, 1, 5), "Closed Won", 1200],
                ["Budi", dt.datetime(2026, 1, 6), "Closed Lost", 300],
            ]
        }
    )


def workbook_with_huge_sheet(unpacked_mb: int = 200) -> bytes:
    """A real workbook whose sheet1.xml is replaced by ``unpacked_mb`` MB of highly compressible rows."""
    source = zipfile.ZipFile(io.BytesIO(small_workbook()))
    out = io.BytesIO()
    row = b'<row><c t="inlineStr"><is><t>Ana</t></is></c></row>' * 20_000
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(info, source.read(info))
                continue
            with bomb.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
                sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/')
                sheet.write(b'spreadsheetml/2006/main"><sheetData>')
                written = 0
                while written < unpacked_mb * 1_000_000:
                    sheet.write(row)
                    written += len(row)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def workbook_claiming_gigabytes(claimed: int = 4_000_000_000) -> bytes:
    """A small real workbook whose zip directory says sheet1.xml unpacks to ``claimed`` bytes."""
    data = bytearray(small_workbook())
    target = b"xl/worksheets/sheet1.xml"
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46 : pos + 46 + name_len]) == target:
            struct.pack_into("<I", data, pos + 24, claimed)
            local = struct.unpack_from("<I", data, pos + 42)[0]
            struct.pack_into("<I", data, local + 22, claimed)
        pos = data.find(b"PK\x01\x02", pos + 4)
    return bytes(data)


def gzip_bomb(unpacked_mb: int = 100) -> bytes:
    """A gzip stream of ``unpacked_mb`` MB of CSV-looking text that compresses about 1000:1."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"Ana,2026-01-05,Closed Won,1\n" * 40_000
    parts = [packer.compress(chunk) for _ in range(unpacked_mb * 1_000_000 // len(chunk))]
    return b"".join([*parts, packer.flush()])


def zip_of_a_csv() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("pipeline.csv", opportunities(*GOOD_ROWS))
    return out.getvalue()


def png_image() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")
    )


def far_down(rows: int = 150_000) -> bytes:
    """``rows`` good rows, then an unreadable amount and an unreadable date past any sampling window."""
    reps = ("Ana", "Budi", "Citra", "Dewi", "Eko")
    start = dt.date(2025, 1, 1)
    body = [f"{reps[i % 5]},{start + dt.timedelta(days=i % 365)},Demo,{100 + i % 900}" for i in range(rows)]
    return opportunities(*body, "Ana,2025-06-01,Demo,N/A", "Budi,soon,Demo,10")


def with_nuls() -> bytes:
    rows = [f"Rep {i},2026-01-{1 + i % 28:02d},Demo,{i}" for i in range(50)]
    rows[3] = "Re\x00p 3,2026-01-04,Demo,3"
    rows[10] = "Rep 10\x00\x00,2026-01-11,Demo,10"
    return opportunities(*rows)


def six_hundred_columns() -> bytes:
    return text(",".join(f"Field {i}" for i in range(600)), ",".join(str(i) for i in range(600)))


# --- the cases ----------------------------------------------------------------------------------------

RESTART = "export"

CASES: tuple[Case, ...] = (
    Case(
        "empty_file",
        "a file of 0 bytes",
        "pipeline.csv",
        lambda: b"",
        Refused(UnreadableFileError, ("pipeline.csv", "is empty", RESTART)),
    ),
    Case(
        "only_blank_lines",
        "nothing but blank lines and spaces",
        "pipeline.csv",
        lambda: b"\n\r\n   \n\t\n\n",
        Refused(UnreadableFileError, ("pipeline.csv", "is empty", RESTART)),
    ),
    Case(
        "header_only",
        "a header row and no data rows",
        "pipeline.csv",
        lambda: opportunities(),
        Refused(UnreadableFileError, ("pipeline.csv", "header", "no data rows", RESTART)),
    ),
    Case(
        "binary_junk",
        "64 KB of random bytes named .csv",
        "pipeline.csv",
        lambda: random.Random(4).randbytes(65_536),
        Refused(UnreadableFileError, ("pipeline.csv", "binary data", "upload the CSV or Excel export")),
        dangerous=True,
    ),
    Case(
        "image_renamed_csv",
        "a PNG image renamed .csv",
        "pipeline.csv",
        png_image,
        Refused(UnreadableFileError, ("PNG image", "not a spreadsheet", "upload the CSV or Excel export")),
    ),
    Case(
        "pdf_renamed_csv",
        "a PDF document renamed .csv",
        "pipeline.csv",
        lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n",
        Refused(UnreadableFileError, ("PDF document", "not a spreadsheet")),
    ),
    Case(
        "old_xls",
        "an old binary Excel .xls file",
        "pipeline.xls",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        Refused(UnreadableFileError, ("old Excel (.xls)", "save it as .xlsx or CSV")),
    ),
    Case(
        "xlsx_renamed_csv",
        "an Excel workbook renamed .csv",
        "pipeline.csv",
        small_workbook,
        Loaded(2, 2, facts=(("file_format", "xlsx"), ("reps", ("Ana", "Budi")), ("amounts", (1200.0, 300.0)))),
    ),
    Case(
        "csv_renamed_xlsx",
        "a CSV file renamed .xlsx",
        "pipeline.xlsx",
        lambda: opportunities(*GOOD_ROWS),
        Loaded(2, 2, facts=(("file_format", "csv"), ("reps", ("Ana", "Budi")))),
    ),
    Case(
        "zip_renamed_xlsx",
        "a zip archive holding a CSV, renamed .xlsx",
        "pipeline.xlsx",
        zip_of_a_csv,
        Refused(UnreadableFileError, ("zip archive", "not an Excel workbook", "unzip it")),
    ),
    Case(
        "truncated_xlsx",
        "a workbook cut off half-way through the upload",
        "pipeline.xlsx",
        lambda: small_workbook()[:3000],
        Refused(UnreadableFileError, ("pipeline.xlsx", "damaged", "save it again")),
    ),
    Case(
        "uneven_rows",
        "rows with too few and too many fields",
        "pipeline.csv",
        lambda: opportunities(GOOD_ROWS[0], "Budi,2026-01-06,Closed Lost", "Citra,2026-01-07,Demo,5,extra"),
        Loaded(1, 3, set_aside=((3, "has 3 fields but the header has 4"), (4, "has 5 fields but the header has 4"))),
    ),
    Case(
        "unclosed_quote",
        "a quote opened on line 3 and never closed",
        "pipeline.csv",
        lambda: opportunities(GOOD_ROWS[0], 'Budi,2026-01-06,"Closed Lost,300', "Citra,2026-01-07,Demo,5"),
        Refused(UnreadableFileError, ("pipeline.csv", "line 3", "quote", "never closed")),
        dangerous=True,
    ),
    Case(
        "mixed_line_endings",
        "CRLF, LF and CR line endings in one file",
        "pipeline.csv",
        lambda: (HEADER + "\r\n" + GOOD_ROWS[0] + "\n" + GOOD_ROWS[1] + "\r" + "Citra,2026-01-07,Demo,5\r\n").encode(),
        Loaded(3, 3, facts=(("reps", ("Ana", "Budi", "Citra")),)),
    ),
    Case(
        "nul_bytes",
        "stray NUL bytes inside two names of a 50-row file",
        "pipeline.csv",
        with_nuls,
        Loaded(50, 50, notes=("3 NUL characters were removed",)),
    ),
    Case(
        "huge_single_field",
        "one quoted field of 2,000,000 characters",
        "pipeline.csv",
        lambda: opportunities(GOOD_ROWS[0], 'Budi,2026-01-06,"' + "x" * 2_000_000 + '",300'),
        Refused(LimitExceededError, ("line 3", "longer than 1,000,000 characters", "upload again")),
        dangerous=True,
    ),
    Case(
        "bad_values_far_down",
        "150,000 good rows, then an unreadable amount and an unreadable date",
        "pipeline.csv",
        far_down,
        Loaded(
            150_001,
            150_002,
            set_aside=((150_003, "has a first-appointment date 'soon' that cannot be read as yyyy-mm-dd"),),
            unreadable=(("Amount", 1, (150_002,), ("N/A",), "not an amount"),),
        ),
        timeout=60.0,
    ),
    Case(
        "duplicate_and_blank_headers",
        "two 'Amount' headers and a blank header",
        "pipeline.csv",
        lambda: text("Sales Rep,Created Date,,Amount,Amount", "Ana,2026-01-05,x,1200,7"),
        Loaded(
            1,
            1,
            notes=(
                "Column 3 has no header; it is called 'Column 3'",
                "The header 'Amount' appears more than once; the later one is called 'Amount (2)'",
            ),
            facts=(("amounts", (1200.0,)),),
        ),
    ),
    Case(
        "total_and_empty_trailing_rows",
        "a 'Total' line, rows of empty fields and a blank line at the bottom",
        "pipeline.csv",
        lambda: opportunities(*GOOD_ROWS, "Total,,,1500", ",,,", ",,,", ""),
        Loaded(
            2,
            5,
            set_aside=((4, "is a total line, not an opportunity"), (5, "is empty"), (6, "is empty")),
            notes=("1 blank line was skipped (it is not a data row)",),
        ),
    ),
    Case(
        "placeholder_amounts",
        "amounts written N/A, - and TBD",
        "pipeline.csv",
        lambda: opportunities(
            "Ana,2026-01-05,Closed Won,N/A",
            "Budi,2026-01-06,Closed Won,-",
            "Citra,2026-01-07,Closed Won,TBD",
            "Dewi,2026-01-08,Closed Won,100.50",
        ),
        Loaded(
            4,
            4,
            unreadable=(("Amount", 3, (2, 3, 4), ("N/A", "-", "TBD"), "not an amount"),),
            notes=("3 won opportunities have no readable amount",),
            facts=(("amounts", (None, None, None, 100.5)),),
        ),
    ),
    Case(
        "dollar_amounts",
        "amounts like $1,200.00, (1,500.00) and USD 300",
        "pipeline.csv",
        lambda: opportunities(
            'Ana,2026-01-05,Closed Won,"$1,200.00"',
            'Budi,2026-01-06,Closed Won,"(1,500.00)"',
            "Citra,2026-01-07,Closed Won,USD 300",
        ),
        Loaded(3, 3, facts=(("decimal", "."), ("amounts", (1200.0, -1500.0, 300.0)))),
    ),
    Case(
        "rupiah_amounts",
        "amounts like Rp 1.500.000 and IDR 250.000",
        "pipeline.csv",
        lambda: opportunities("Ana,2026-01-05,Closed Won,Rp 1.500.000", "Budi,2026-01-06,Closed Won,IDR 250.000"),
        Loaded(2, 2, facts=(("decimal", ","), ("amounts", (1_500_000.0, 250_000.0)))),
    ),
    Case(
        "ambiguous_dates",
        "dates that fit both dd/mm/yyyy and mm/dd/yyyy",
        "pipeline.csv",
        lambda: opportunities("Ana,01/02/2026,Demo,1", "Budi,03/04/2026,Demo,2"),
        Refused(AmbiguousFormatError, ("'Created Date'", "dd/mm/yyyy and mm/dd/yyyy", "choose")),
    ),
    Case(
        "ambiguous_dates_chosen",
        "the same dates with dd/mm/yyyy chosen",
        "pipeline.csv",
        lambda: opportunities("Ana,01/02/2026,Demo,1", "Budi,03/04/2026,Demo,2"),
        Loaded(2, 2, facts=(("date_format", "%d/%m/%Y"), ("first_date", dt.date(2026, 2, 1)))),
        options=LoadOptions(date_format="dd/mm/yyyy"),
    ),
    Case(
        "conflicting_dates",
        "mostly day-first dates with one month-first date",
        "pipeline.csv",
        lambda: opportunities("Ana,13/01/2026,Demo,1", "Budi,25/02/2026,Demo,2", "Citra,01/13/2026,Demo,3"),
        Loaded(
            2,
            3,
            set_aside=((4, "has a first-appointment date '01/13/2026' that cannot be read as dd/mm/yyyy"),),
            facts=(("date_format", "%d/%m/%Y"),),
        ),
    ),
    Case(
        "excel_serial_dates",
        "dates as Excel serial numbers (46027)",
        "pipeline.csv",
        lambda: opportunities("Ana,46027,Demo,1", "Budi,46030,Demo,2"),
        Loaded(2, 2, facts=(("date_format", "excel-serial"), ("first_date", dt.date(2026, 1, 5)))),
    ),
    Case(
        "utf16_text",
        "UTF-16 text with a byte-order mark",
        "pipeline.csv",
        lambda: opportunities(
            "Śrī Wahyuni,2026-01-05,Closed Won,1200", "José Müller,2026-01-06,Demo,5", encoding="utf-16"
        ),
        Loaded(2, 2, facts=(("encoding", "utf-16"), ("reps", ("José Müller", "Śrī Wahyuni")))),
    ),
    Case(
        "utf16_without_bom",
        "UTF-16 little-endian text without a byte-order mark",
        "pipeline.csv",
        lambda: opportunities("Śrī Wahyuni,2026-01-05,Closed Won,1200", encoding="utf-16-le"),
        Loaded(1, 1, facts=(("reps", ("Śrī Wahyuni",)),)),
    ),
    Case(
        "windows_1252_text",
        "Windows-1252 text with é, ü, Œ and €",
        "pipeline.csv",
        lambda: opportunities(
            "José Müller,2026-01-05,Closed Won,€1200", "Œdipe Ltd,2026-01-06,Demo,5", encoding="cp1252"
        ),
        Loaded(2, 2, facts=(("encoding", "windows-1252"), ("reps", ("José Müller", "Œdipe Ltd")))),
    ),
    Case(
        "utf8_with_bom",
        "UTF-8 with a byte-order mark before the first header",
        "pipeline.csv",
        lambda: codecs.BOM_UTF8 + opportunities(*GOOD_ROWS),
        Loaded(2, 2, facts=(("reps", ("Ana", "Budi")),)),
    ),
    Case(
        "cover_page_workbook",
        "a workbook whose first sheet is a cover page",
        "pipeline.xlsx",
        lambda: xlsx(
            {
                "Cover": [["Q1 pipeline review"], [], ["Prepared by", "Finance"]],
                "Deals": [
                    ["Owner", "Created", "Stage", "Amount"],
                    ["Ana", dt.datetime(2026, 1, 5), "Closed Won", 1200],
                    ["Budi", dt.datetime(2026, 1, 6), "Closed Lost", 300],
                ],
            }
        ),
        Loaded(2, 2, notes=("Read the sheet 'Deals'",), facts=(("sheet", "Deals"),)),
    ),
    Case(
        "formulas_without_saved_values",
        "a workbook written by a script: amounts are formulas Excel never calculated",
        "pipeline.xlsx",
        lambda: xlsx(
            {
                "Deals": [
                    ["Owner", "Created", "Stage", "Amount"],
                    ["Ana", dt.datetime(2026, 1, 5), "Closed Won", "=1000+200"],
                    ["Budi", dt.datetime(2026, 1, 6), "Closed Lost", "=SUM(1,2)"],
                    ["Citra", dt.datetime(2026, 1, 7), "Closed Won", 50],
                ]
            }
        ),
        Loaded(
            3,
            3,
            notes=(
                "2 formula cell(s) without a saved value",
                "'Amount'",
                "open and save the file in Excel",
                "1 won opportunity has no readable amount",
            ),
            facts=(("amounts", (None, None, 50.0)),),
        ),
    ),
    Case(
        "formulas_with_saved_values",
        "the same workbook after Excel calculated and saved it",
        "pipeline.xlsx",
        lambda: with_saved_formula_values(
            xlsx(
                {
                    "Deals": [
                        ["Owner", "Created", "Stage", "Amount"],
                        ["Ana", dt.datetime(2026, 1, 5), "Closed Won", "=1000+200"],
                        ["Budi", dt.datetime(2026, 1, 6), "Closed Lost", "=SUM(1,2)"],
                        ["Citra", dt.datetime(2026, 1, 7), "Closed Won", 50],
                    ]
                }
            ),
            ("1200", "3"),
        ),
        Loaded(3, 3, facts=(("amounts", (1200.0, 3.0, 50.0)), ("formula_notes", ()))),
    ),
    Case(
        "gzip_bomb",
        "a gzip file that unpacks to 100 MB",
        "pipeline.csv.gz",
        gzip_bomb,
        Refused(UnreadableFileError, ("gzip-compressed", "not a spreadsheet", "unzip it")),
        dangerous=True,
    ),
    Case(
        "gzip_inside_csv_name",
        "gzip-compressed CSV content named plain .csv",
        "pipeline.csv",
        lambda: gzip.compress(opportunities(*GOOD_ROWS)),
        Refused(UnreadableFileError, ("gzip-compressed", "unzip it")),
    ),
    Case(
        "xlsx_zip_bomb",
        "a workbook whose sheet XML really unpacks to 200 MB (ratio above 300:1)",
        "pipeline.xlsx",
        workbook_with_huge_sheet,
        Refused(LimitExceededError, ("pipeline.xlsx", "would unpack to", "save the sheet you need as CSV")),
        dangerous=True,
    ),
    Case(
        "xlsx_claims_gigabytes",
        "a workbook whose zip directory says its sheet unpacks to 4 GB",
        "pipeline.xlsx",
        workbook_claiming_gigabytes,
        Refused(LimitExceededError, ("pipeline.xlsx", "would unpack to 3,815 MB", "save the sheet you need as CSV")),
        dangerous=True,
    ),
    Case(
        "parquet_bomb",
        "a 2 KB Parquet file whose repeated text spells out to 1 GB",
        "pipeline.parquet",
        parquet_bomb,
        Refused(LimitExceededError, ("pipeline.parquet", "would unpack to 956 MB", "filter it to fewer rows")),
        dangerous=True,
    ),
    Case(
        "header_less_file",
        "data from the first line on, no header row",
        "pipeline.csv",
        lambda: text(*GOOD_ROWS),
        Refused(MappingError, ("No column is mapped", "salesperson", "choose which of the file's columns")),
    ),
    Case(
        "single_column_file",
        "one column of rep names",
        "pipeline.csv",
        lambda: text("Sales Rep", "Ana", "Budi"),
        Refused(MappingError, ("first-appointment", "choose which of the file's columns")),
    ),
    Case(
        "html_page_saved_as_csv",
        "a login page saved under a .csv name",
        "pipeline.csv",
        lambda: text("<!DOCTYPE html>", "<html><body><p>Your session has expired</p></body></html>"),
        Refused(MappingError, ("No column is mapped", "salesperson")),
    ),
    Case(
        "six_hundred_columns",
        "600 columns",
        "pipeline.csv",
        six_hundred_columns,
        Refused(LimitExceededError, ("600 columns", "limit of 500", "export only the columns you need")),
    ),
    Case(
        "crlf_only",
        "Windows CRLF line endings throughout",
        "pipeline.csv",
        lambda: opportunities(*GOOD_ROWS, end="\r\n"),
        Loaded(2, 2, facts=(("reps", ("Ana", "Budi")),)),
    ),
    Case(
        "no_final_newline",
        "the last line has no newline",
        "pipeline.csv",
        lambda: opportunities(*GOOD_ROWS, final_newline=False),
        Loaded(2, 2, facts=(("amounts", (1200.0, 300.0)),)),
    ),
    Case(
        "semicolon_decimal_commas",
        "semicolons between fields, commas as decimal marks",
        "pipeline.csv",
        lambda: text(
            "Sales Rep;Created Date;Stage;Amount",
            "Ana;25.01.2026;Closed Won;1.234,56",
            "Budi;26.01.2026;Closed Won;99,5",
        ),
        Loaded(2, 2, facts=(("delimiter", ";"), ("decimal", ","), ("amounts", (1234.56, 99.5)))),
    ),
    Case(
        "ambiguous_decimal_mark",
        "amounts like 1,500 and 2,000 that fit both decimal marks",
        "pipeline.csv",
        lambda: opportunities('Ana,2026-01-05,Closed Won,"1,500"', 'Budi,2026-01-06,Closed Won,"2,000"'),
        Refused(AmbiguousFormatError, ("'Amount'", "'1,500'", "choose")),
    ),
    Case(
        "tab_separated_with_quotes",
        "tab-separated values with quoted tabs and quotes inside",
        "pipeline.tsv",
        lambda: text(
            "Sales Rep\tCreated Date\tStage\tAmount",
            'Ana\t2026-01-05\t"Closed\tWon"\t1',
            'Budi "B"\t2026-01-06\tDemo\t2',
        ),
        Loaded(2, 2, facts=(("delimiter", "\t"), ("reps", ("Ana", 'Budi "B"')))),
    ),
    Case(
        "quoted_line_breaks",
        "notes with line breaks inside quotes, then a row with no rep",
        "pipeline.csv",
        lambda: text(
            "Sales Rep,Created Date,Stage,Amount,Note",
            'Ana,2026-01-05,Closed Won,1200,"called twice,\nthen met"',
            'Budi,2026-01-06,Demo,5,"line one\r\nline two\nline three"',
            ",2026-01-07,Demo,6,no owner",
        ),
        Loaded(2, 3, set_aside=((7, "has no rep"),)),
    ),
    Case(
        "last_row_with_quoted_line_break",
        "a legitimate quoted line break (and an inch mark) in the very last row",
        "pipeline.csv",
        lambda: text(
            "Sales Rep,Created Date,Stage,Amount,Note",
            'Ana,2026-01-05,Closed Won,1200,24" screen',
            'Budi,2026-01-06,Demo,5,"first line\nsecond line"',
            final_newline=False,
        ),
        Loaded(2, 2, facts=(("reps", ("Ana", "Budi")),)),
    ),
    Case(
        "weekly_log_with_placeholders",
        "a weekly activity log with TBD and blank appointment counts",
        "activity.csv",
        lambda: text(
            "Rep,Week,Appointments,Next Steps,Wins,Revenue",
            "Ana,2026-01-05,10,6,2,5000",
            "Ana,2026-01-12,TBD,4,1,700",
            "Budi,2026-01-05,,3,1,900",
            "Budi,2026-01-12,8,x,1,1200",
        ),
        Loaded(
            2,
            4,
            set_aside=(
                (3, "has an appointments value 'TBD' that is not a number"),
                (4, "has no number of appointments"),
            ),
            unreadable=(("Next Steps", 1, (5,), ("x",), "not a number"),),
        ),
    ),
    Case(
        "truncated_parquet",
        "a Parquet file cut off after its first bytes",
        "pipeline.parquet",
        lambda: b"PAR1" + bytes(200),
        Refused(UnreadableFileError, ("pipeline.parquet", "could not be read as Parquet", "export it again")),
    ),
    # --- limits, with small values so the tests stay fast ---
    Case(
        "over_upload_size",
        "a 1.5 MB file against a 1 MB upload limit",
        "pipeline.csv",
        lambda: opportunities(*(GOOD_ROWS * 30_000)),
        Refused(LimitExceededError, ("pipeline.csv", "above the 1 MB upload limit", "filter the export")),
        limits=Limits(max_bytes=1_048_576),
    ),
    Case(
        "over_row_limit",
        "150 rows against a 100-row limit",
        "pipeline.csv",
        lambda: opportunities(*(GOOD_ROWS * 75)),
        Refused(LimitExceededError, ("pipeline.csv", "more than 100 data rows", "filter the export")),
        limits=Limits(max_rows=100),
    ),
    Case(
        "over_row_limit_xlsx",
        "a 150-row workbook against a 100-row limit",
        "pipeline.xlsx",
        lambda: xlsx({"Deals": [["Owner", "Created"], *([["Ana", dt.datetime(2026, 1, 5)]] * 150)]}),
        Refused(LimitExceededError, ("pipeline.xlsx", "more than 100 data rows", "filter the export")),
        limits=Limits(max_rows=100),
    ),
    Case(
        "over_column_limit",
        "12 columns against a 10-column limit",
        "pipeline.csv",
        lambda: text(",".join(f"c{i}" for i in range(12)), ",".join("1" * 12)),
        Refused(LimitExceededError, ("12 columns", "limit of 10", "export only the columns you need")),
        limits=Limits(max_columns=10),
    ),
    Case(
        "over_field_limit",
        "a 2,000-character note against a 1,000-character field limit",
        "pipeline.csv",
        lambda: opportunities(GOOD_ROWS[0], "Budi,2026-01-06," + "x" * 2000 + ",300"),
        Refused(LimitExceededError, ("line 3", "longer than 1,000 characters")),
        limits=Limits(max_field_chars=1000),
    ),
    Case(
        "over_unzipped_limit",
        "a workbook that unpacks to more than a 1 KB unpacking limit",
        "pipeline.xlsx",
        small_workbook,
        Refused(LimitExceededError, ("pipeline.xlsx", "would unpack to", "save the sheet you need as CSV")),
        limits=Limits(max_unzipped_bytes=1024),
    ),
)


# --- the documentation ------------------------------------------------------------------------------


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\t", "\\t").replace("\n", " ")


def outcome_text(case: Case) -> str:
    """The documented outcome of ``case`` in one table cell."""
    exp = case.expected
    if isinstance(exp, Refused):
        words = " … ".join(f"“{w}”" for w in exp.words)
        return f"refused: `{exp.error.__name__}`, one sentence with {words}"
    parts = [f"loads {exp.rows_loaded:,} of {exp.data_rows:,} data rows"]
    parts += [f"line {line:,} set aside: {reason}" for line, reason in exp.set_aside]
    for column, count, lines, examples, reason in exp.unreadable:
        shown = ", ".join(f"line {ln:,} '{ex}'" for ln, ex in zip(lines, examples, strict=True))
        parts.append(f"'{column}': {count} value(s) {reason}, kept as missing ({shown})")
    parts += [f"note: “{n}”" for n in exp.notes]
    parts += [f"{k} = {v!r}" for k, v in exp.facts]
    return "; ".join(parts)


def render_markdown(cases: Sequence[Case] = CASES) -> str:
    """``docs/bad-inputs.md``: every case and its documented outcome."""
    lines = [
        "# Bad and messy inputs",
        "",
        "Every file below is built in code by `tests/bad_inputs/make_cases.py` and checked by",
        "`tests/test_bad_inputs.py`: a file either loads with every data row accounted for (rows loaded",
        "plus rows set aside equals data rows, spec 1d), or is refused with one named error whose sentence",
        "says what is wrong, where, and what to do. Never a traceback, never a hang: cases marked ⏱ also",
        "run through `python -m kpi_core inspect` in a subprocess with a time limit.",
        "",
        "This page is generated; after changing a case run",
        "`python -m tests.bad_inputs.make_cases > docs/bad-inputs.md` (a test fails while they differ).",
        "",
        "Limits (environment variable, default): upload size `MAGIC_NUMBER_MAX_UPLOAD_MB` (200 MB),",
        "rows `MAGIC_NUMBER_MAX_ROWS` (6,000,000), columns `MAGIC_NUMBER_MAX_COLUMNS` (500), unpacked",
        "workbook `MAGIC_NUMBER_MAX_UNZIPPED_MB` (500 MB, and at most 200 times the packed size, checked",
        "before anything is parsed), one field 1,000,000 characters. Limit cases use small values.",
        "",
        "| # | case | the file | documented outcome |",
        "|---|---|---|---|",
    ]
    for i, case in enumerate(cases, start=1):
        name = f"`{case.name}`" + (" ⏱" if case.dangerous else "")
        what = case.what
        if case.limits != DEFAULT_LIMITS:
            changed = {k: v for k, v in vars(case.limits).items() if getattr(DEFAULT_LIMITS, k) != v}
            what += " (" + ", ".join(f"`{k}={v:,}`" for k, v in changed.items()) + ")"
        if case.options != LoadOptions():
            chosen = {k: v for k, v in vars(case.options).items() if getattr(LoadOptions(), k) != v}
            what += " (chosen: " + ", ".join(f"{k} `{v}`" for k, v in chosen.items()) + ")"
        lines.append(f"| {i} | {name} | {_cell(what)} (`{case.file_name}`) | {_cell(outcome_text(case))} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_markdown(), end="")
