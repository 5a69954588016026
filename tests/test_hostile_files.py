"""Small files built to exhaust a shared server: each is read, or refused in one sentence, within
seconds and a little memory, in a child process whose address space is capped (a regression fails
there instead of taking the machine down).

The files are built here, in ``tmp_path``: a few kilobytes of XML or Parquet that claim (or hold)
millions of cells.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl.utils import get_column_letter

from .conftest import ROOT

#: The child's address space: enough for the libraries and a bounded read, far below what the
#: attacks took (6-7 GB); a read that needs more fails with MemoryError instead of swapping.
_ADDRESS_SPACE = 2 << 30

_CHILD = """
import json, sys, time
from dataclasses import replace
from pathlib import Path
from kpi_core.errors import KpiError
from kpi_core.reading import DEFAULT_LIMITS, cell_text, read_file

def mb(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) // 1024 for line in f if line.startswith(key + ":"))

path, limits, verify = Path(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
content = path.read_bytes()
before, start = mb("VmRSS"), time.process_time()
try:
    raw = read_file(content, path.name, limits=replace(DEFAULT_LIMITS, **limits))
    out = {"headers": list(raw.headers), "rows": raw.rows, "set_aside": len(raw.set_aside)}
    out["first"] = raw.table.slice(0, 1).to_pylist()
except KpiError as err:
    out = {"error": type(err).__name__, "sentence": str(err)}
out["cpu_seconds"] = time.process_time() - start
out["grew_mb"] = mb("VmHWM") - before
if verify:  # each cell as cell_text writes the value the file holds (every row is kept)
    import pyarrow.parquet as pq
    values = pq.read_table(path, columns=verify)
    out["differ"] = {h: sum(a != cell_text(b) for a, b in zip(raw.column(h), values[h].to_pylist())) for h in verify}
print(json.dumps(out))
"""


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (_ADDRESS_SPACE, _ADDRESS_SPACE))


def _read_in_child(path: Path, verify: Sequence[str] = (), **limits: int) -> dict[str, Any]:
    """``read_file`` on ``path`` in a fresh process: what it read or the sentence it refused with,
    the CPU seconds it took and how far the process's peak memory grew (MB); with ``verify``, how
    many cells of those Parquet columns differ from :func:`cell_text` of the file's values."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), json.dumps(limits), json.dumps(list(verify))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        preexec_fn=_cap_memory,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


# --- Excel, written by hand: a workbook is a zip of a few XML parts ---------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_RELATIONSHIPS}"><Relationship Id="rId1" Target="xl/workbook.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{_MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Deals" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_RELATIONSHIPS}"><Relationship Id="rId1" Target="worksheets/sheet1.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>'
    ),
}

HEADER = ("rep", "first_appointment", "amount")


def _cell(ref: str, value: object) -> str:
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def _header_cells() -> str:
    return "".join(_cell(f"{c}1", h) for c, h in zip("ABC", HEADER, strict=True))


def _deals(count: int, *, header: bool = True) -> str:
    """The sheet rows of a header and ``count`` deals (rows 2 to ``count + 1``)."""
    rows = [f"<row r='1'>{_header_cells()}</row>"] if header else []
    for r in range(2, count + 2):
        cells = (_cell(f"A{r}", f"Rep{r % 5}"), _cell(f"B{r}", f"2026-01-{1 + r % 28:02d}"), _cell(f"C{r}", 100 + r))
        rows.append(f"<row r='{r}'>" + "".join(cells) + "</row>")
    return "".join(rows)


def _workbook(path: Path, sheet_data: str, dimension: str | None = None, *, before: str = "", end: str = "") -> Path:
    """An .xlsx at ``path`` whose one sheet holds ``sheet_data`` (``<row>`` elements), declaring
    ``dimension`` (``A1:XFD1048576``) as its size when given; ``before`` goes before the rows, and
    ``end`` (damaged XML) replaces the sheet's closing tags."""
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    closing = end or "</sheetData></worksheet>"
    sheet = f'<worksheet xmlns="{_MAIN}">{declared}{before}<sheetData>{sheet_data}{closing}'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for part, xml in _PARTS.items():
            book.writestr(part, xml)
        book.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def _with_shared_texts(path: Path, texts: list[str]) -> Path:
    """The workbook at ``path`` with a shared-string table of ``texts``, which the reader reads
    whole before any sheet, used by a cell or not."""
    table = f'<sst xmlns="{_MAIN}">' + "".join(f"<si><t>{t}</t></si>" for t in texts) + "</sst>"
    override = (
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    with zipfile.ZipFile(path) as book:
        parts = {i.filename: book.read(i.filename) for i in book.infolist()}
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", override.encode())
    parts["xl/sharedStrings.xml"] = table.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for part, xml in parts.items():
            book.writestr(part, xml)
    return path


def test_a_sheet_declaring_every_excel_cell_is_read_as_its_three_columns_in_seconds(tmp_path: Path) -> None:
    """The audit's 6 KB bomb: openpyxl padded all 1,048,576 rows to 16,384 cells (0.9 -> 7.2 GB)."""
    far_cell = "<row r='1048576'>" + _cell("XFD1048576", "x") + "</row>"
    bomb = _workbook(tmp_path / "dimbomb.xlsx", _deals(50) + far_cell, dimension="A1:XFD1048576")
    assert bomb.stat().st_size < 10_000
    read = _read_in_child(bomb)
    assert (read["headers"], read["rows"], read["set_aside"]) == (list(HEADER), 50, 0)
    assert read["first"] == [{"c0": "Rep2", "c1": "2026-01-03", "c2": "102"}]
    assert read["cpu_seconds"] < 10
    assert read["grew_mb"] < 150


def test_a_stray_cell_in_excel_last_column_leaves_the_header_its_three_columns(tmp_path: Path) -> None:
    """Cells past the column limit are not read: this row once made every row 16,384 cells wide."""
    header = f"<row r='1'>{_header_cells()}{_cell('XFD1', 'x')}</row>"
    stray = _workbook(tmp_path / "stray.xlsx", header + _deals(20_000, header=False))
    read = _read_in_child(stray)
    assert (read["headers"], read["rows"], read["set_aside"]) == (list(HEADER), 20_000, 0)
    assert read["cpu_seconds"] < 20
    assert read["grew_mb"] < 300


def test_a_header_wider_than_the_column_limit_is_refused_before_its_rows_are_read(tmp_path: Path) -> None:
    names = [f"h{i}" for i in range(1, 601)]
    header = "<row r='1'>" + "".join(_cell(f"{get_column_letter(i)}1", h) for i, h in enumerate(names, 1)) + "</row>"
    wide = _workbook(tmp_path / "wide.xlsx", header + _deals(100_000, header=False))
    read = _read_in_child(wide)
    assert read["error"] == "LimitExceededError"
    assert read["sentence"] == (
        "wide.xlsx (sheet 'Deals') has more than 500 columns, above the limit of 500; "
        "export only the columns you need and upload again."
    )
    assert read["cpu_seconds"] < 10
    assert read["grew_mb"] < 150


def test_a_stale_declared_size_does_not_hide_the_rows_below_it(tmp_path: Path) -> None:
    stale = _workbook(tmp_path / "stale.xlsx", _deals(10), dimension="A1:C3")
    read = _read_in_child(stale)
    assert (read["rows"], read["set_aside"]) == (10, 0)


def test_a_row_numbered_past_excel_last_row_is_refused_as_damaged(tmp_path: Path) -> None:
    beyond = "<row r='5000000'>" + _cell("A5000000", "Ana") + _cell("B5000000", "2026-01-01") + "</row>"
    damaged = _workbook(tmp_path / "beyond.xlsx", _deals(10) + beyond)
    read = _read_in_child(damaged)
    assert read["error"] == "UnreadableFileError"
    assert read["sentence"] == (
        "beyond.xlsx (sheet 'Deals') has a row numbered 5,000,000, beyond Excel's last row (1,048,576), so the "
        "workbook is damaged; open it in Excel, save it again and upload, or upload a CSV export."
    )
    assert read["cpu_seconds"] < 10
    assert read["grew_mb"] < 150


@pytest.mark.parametrize(
    ("damage", "where"),
    [
        ({"end": "<row r='60'><c r='A60'></sheetData></worksheet>"}, "after row 51"),  # a mismatched tag
        ({"end": "<row r='1Z2'><c r='A52'><v>1</v></c></row></sheetData></worksheet>"}, "after row 51"),
        ({"end": "</sheetDa"}, "after row 51"),  # cut off
    ],
)
def test_a_damaged_sheet_is_refused_in_one_sentence_naming_where(
    damage: dict[str, str], where: str, tmp_path: Path
) -> None:
    from kpi_core.errors import UnreadableFileError
    from kpi_core.reading import read_file

    damaged = _workbook(tmp_path / "damaged.xlsx", _deals(50), "A1:C51", **damage)
    with pytest.raises(UnreadableFileError) as refused:
        read_file(damaged.read_bytes(), damaged.name)
    assert str(refused.value) == (
        f"damaged.xlsx could not be read as an Excel workbook: the sheet 'Deals' is damaged {where}; "
        "open it in Excel, save it again and upload, or upload a CSV export."
    )


def test_two_cells_at_opposite_corners_are_refused_or_read_without_a_grid_of_17_billion_cells(tmp_path: Path) -> None:
    """python-calamine reads a sheet into one grid from its first cell to its last: A1 and
    XFD1048576 asked for 549 GB and the failed allocation aborted the process."""
    corners = "<row r='1'>" + _cell("A1", "rep") + _cell("B1", "amount") + "</row>"
    corners += "<row r='1048576'>" + _cell("XFD1048576", "x") + "</row>"
    read = _read_in_child(_workbook(tmp_path / "corners.xlsx", corners))
    assert read["error"] == "UnreadableFileError"
    assert read["sentence"].startswith("corners.xlsx (sheet 'Deals') has a header row but no data rows")
    assert read["grew_mb"] < 150


@pytest.mark.parametrize(
    ("far", "sentence"),
    [
        (  # within the columns read: the grid would be 1,048,576 x 501
            _cell("SG1048576", "x"),
            "far.xlsx (sheet 'Deals') has more than 500 columns, above the limit of 500; "
            "export only the columns you need and upload again.",
        ),
        (  # eleven columns down to Excel's last row, for 50 rows of data
            _cell("K1048576", "x"),
            "far.xlsx (sheet 'Deals') has cells as far as row 1,048,576 and column 11, a grid of 11,534,336 cells "
            "for the 154 cells that hold a value; delete the rows and columns past your data in Excel, "
            "save it again and upload, or upload a CSV export.",
        ),
    ],
    ids=["column 501", "column 11"],
)
def test_a_cell_far_from_the_data_within_the_columns_read_is_refused_before_the_grid_is_built(
    far: str, sentence: str, tmp_path: Path
) -> None:
    sheet = _deals(50) + "<row r='1048576'>" + far + "</row>"
    read = _read_in_child(_workbook(tmp_path / "far.xlsx", sheet))
    assert (read["error"], read["sentence"]) == ("LimitExceededError", sentence)
    assert read["grew_mb"] < 150


def _random_letters(size: int, every: int = 1 << 18) -> str:
    """``size`` random capitals, a ``>`` every ``every`` of them (the scan reads pieces ending
    after one): filler that deflate cannot shrink much, inside a comment."""
    letters = np.random.default_rng(7).integers(65, 91, size=size, dtype=np.uint8).tobytes().decode()
    return ">".join(letters[i : i + every] for i in range(0, size, every))


@pytest.mark.parametrize(
    "padding",
    [
        "<!--" + _random_letters(16 << 20) + "-->",  # 16 MB of filler (1.7 MB zipped here; 200x zip ratio allowed)
        "<row r='60'>" + "<c r='E60' s='1'/>" * 1_000_000 + "</row>",  # empty cells, which calamine does not place
        "<row r='60'>" + "<c r='E60'><v>1</v></c>" * 800_000 + "</row>",  # one place named again and again
    ],
    ids=["filler", "empty cells", "one place"],
)
def test_padding_buys_no_grid_beyond_what_the_cells_holding_a_value_fill(padding: str, tmp_path: Path) -> None:
    """The grid was allowed a cell for every 8 bytes of XML: 280 MB of filler (a 1.7 MB upload)
    let a cell in AH1048576 ask calamine for 35,651,584 cells (1.4 GB). Now each cell holding a
    value at a place of its own allows two (and 4M cells spare); padding of any kind allows none."""
    within_ratio = "<!--" + _random_letters(200_000) + "-->"  # what keeps the cells below the 200x zip ratio
    sheet = _deals(50) + within_ratio + padding + "<row r='1048576'>" + _cell("E1048576", "x") + "</row>"
    read = _read_in_child(_workbook(tmp_path / "padded.xlsx", sheet))
    assert read.get("error") == "LimitExceededError", read
    assert read["sentence"] == (
        "padded.xlsx (sheet 'Deals') has cells as far as row 1,048,576 and column 5, a grid of 5,242,880 cells for "
        f"the {155 if 'v>' in padding else 154} cells that hold a value; delete the rows and columns past your data "
        "in Excel, save it again and upload, or upload a CSV export."
    )
    assert read["grew_mb"] < 150


def test_xml_dense_with_references_is_scanned_in_a_little_memory(tmp_path: Path) -> None:
    """The scan read every ``r="`` of a 4 MB piece at once, about 500 bytes of index arrays each:
    8 MB of `` r=""`` (a 0.3 MB upload) grew the process by 280 MB for a moment."""
    tags = ("<x" + ' r=""' * 100_000 + "/>") * 16
    path = _workbook(tmp_path / "refs.xlsx", _deals(20) + "<!--" + _random_letters(400_000) + "-->" + tags)
    read = _read_in_child(path)
    assert read.get("rows") == 20, read
    assert read["grew_mb"] < 80


@pytest.mark.parametrize(
    "far",
    [
        "<c r = 'XFD1048576'><v>1</v></c>",  # blanks around '=' (XML allows them; calamine reads them)
        "<c r='xfd1048576'><v>1</v></c>",  # lower case
        "<c r='AAAAAAAA1048576'><v>1</v></c>",  # more letters than Excel's columns have (calamine wraps them)
        "<c><v>1</v></c>" * 20_000,  # cells without a reference, each after the one before
    ],
    ids=["blanks around =", "lower case", "eight letters", "cells without references"],
)
def test_references_written_oddly_are_bounded_like_plain_ones(far: str, tmp_path: Path) -> None:
    sheet = _deals(50) + "<row r='1048576'>" + far + "</row>"
    read = _read_in_child(_workbook(tmp_path / "odd.xlsx", sheet))
    assert read.get("rows") == 50 or read["error"] in ("LimitExceededError", "UnreadableFileError"), read
    assert read["grew_mb"] < 150


def test_a_sheet_attribute_openpyxl_refused_no_longer_stops_the_read(tmp_path: Path) -> None:
    """openpyxl refused ``bUseColWidth`` (no such attribute); python-calamine, like Excel, reads the cells."""
    from kpi_core.reading import read_file

    odd = _workbook(tmp_path / "odd.xlsx", _deals(50), "A1:C51", before="<sheetFormatPr bUseColWidth='1'/>")
    assert read_file(odd.read_bytes(), odd.name).data_rows == 50


def test_a_table_of_shared_texts_no_sheet_could_use_is_refused_before_calamine_reads_it(tmp_path: Path) -> None:
    """The audit's 21 MB workbook listed 8 million texts for 150 cells: 89 s of openpyxl (the
    table is read whole before any sheet, by python-calamine too)."""
    bloated = _with_shared_texts(_workbook(tmp_path / "sst.xlsx", _deals(50)), [f"s{i}" for i in range(400_000)])
    read = _read_in_child(bloated)
    assert read["error"] == "UnreadableFileError"
    assert read["sentence"] == (
        "sst.xlsx lists 400,000 shared texts, more than its sheets can have cells for (at most 10,559); "
        "open it in Excel, save it again and upload, or upload a CSV export."
    )
    assert read["cpu_seconds"] < 2


def test_one_long_shared_text_in_every_cell_is_refused_before_calamine_copies_it_into_each(tmp_path: Path) -> None:
    """python-calamine copies a shared text into every cell naming it: one 30,000-character text
    in 200,000 cells (a 0.7 MB file) asked for 6 GB, and the failed allocation aborted the process."""
    text = "".join(chr(65 + (i * 7919) % 26) for i in range(30_000))
    rows = "<row r='1'><c r='A1' t='s'><v>0</v></c><c r='B1' t='s'><v>1</v></c></row>" + "".join(
        f"<row r='{r}'><c r='A{r}' t='s'><v>2</v></c><c r='B{r}' t='s'><v>2</v></c></row>" for r in range(2, 100_002)
    )
    copies = _with_shared_texts(_workbook(tmp_path / "copies.xlsx", rows), ["rep", "amount", text])
    read = _read_in_child(copies)
    assert read["error"] == "LimitExceededError"
    assert read["sentence"] == (
        "copies.xlsx (sheet 'Deals') repeats its shared texts into 5,726 MB of cells, beyond what the server "
        "reads; save the sheet you need as CSV and upload that."
    )
    assert read["grew_mb"] < 150


def test_a_sheet_named_by_two_hundred_sheets_of_the_workbook_is_read_once(tmp_path: Path) -> None:
    """Every sheet may point at the same part: 20,000 rows named by 200 sheets took 44 s."""
    from kpi_core.mapping import sheet_score
    from kpi_core.reading import read_file

    path = _workbook(tmp_path / "same.xlsx", _deals(20_000))
    with zipfile.ZipFile(path) as book:
        parts = {i.filename: book.read(i.filename) for i in book.infolist()}
    sheets = "".join(f'<sheet name="S{i}" sheetId="{i + 1}" r:id="rId1"/>' for i in range(200))
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b'<sheet name="Deals" sheetId="1" r:id="rId1"/>', sheets.encode()
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for part, xml in parts.items():
            book.writestr(part, xml)
    start = time.process_time()
    raw = read_file(path.read_bytes(), path.name, sheet_score=sheet_score)
    assert (raw.sheet, raw.data_rows) == ("S0", 20_000)
    assert time.process_time() - start < 5


def test_a_sheet_running_on_for_megabytes_without_a_tag_end_is_refused_without_holding_it_whole(
    tmp_path: Path,
) -> None:
    """The scan reads the XML in pieces ending after a ``>``: 280 MB without one (a 1.7 MB file)
    grew one piece by copying, 10 s and 860 MB."""
    letters = np.random.default_rng(1).integers(65, 91, size=(4096, 3), dtype=np.uint8)
    filler = "".join(bytes(three).decode() + " " * 1021 for three in letters)  # deflate's window sees no repeat
    path = _workbook(tmp_path / "long.xlsx", _deals(20) + "<!--" + filler * 40 + "-->")
    read = _read_in_child(path)
    assert read["sentence"] == (
        "long.xlsx could not be read as an Excel workbook: the sheet 'Deals' is damaged after row 21; "
        "open it in Excel, save it again and upload, or upload a CSV export."
    )
    assert read["cpu_seconds"] < 3
    assert read["grew_mb"] < 150


@pytest.mark.parametrize(
    ("value", "style"), [("-1E+20", 1), ("1E+20", 2), ("1000000000", 2)], ids=["date", "duration", "days"]
)
def test_a_date_or_duration_no_calendar_holds_is_refused_in_one_sentence_not_a_panic(
    value: str, style: int, tmp_path: Path
) -> None:
    """python-calamine panics (a ``BaseException``) on a date cell of -1e20 and Python's timedelta
    overflows on a duration of a billion days: both escaped as tracebacks."""
    styles = (
        f'<styleSheet xmlns="{_MAIN}"><fonts count="1"><font/></fonts><fills count="1"><fill/></fills>'
        '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="3">'
        '<xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="46" applyNumberFormat="1"/>'
        "</cellXfs></styleSheet>"
    )
    row = f"<row r='52'>{_cell('A52', 'Ana')}<c r='B52' s='{style}'><v>{value}</v></c></row>"
    path = _workbook(tmp_path / "calendar.xlsx", _deals(50) + row)
    with zipfile.ZipFile(path, "a") as book:
        book.writestr("xl/styles.xml", styles)
    read = _read_in_child(path)
    assert read["sentence"] == (
        "calendar.xlsx (sheet 'Deals') has a date or duration in row 52 that no calendar holds (Excel shows it "
        "as ####); correct or clear that cell in Excel, save it again and upload, or upload a CSV export."
    )


# --- Parquet: a few megabytes of metadata and run-length codes that decode to gigabytes ----------


def _parquet(path: Path, columns: dict[str, pa.Array], repeat: int = 1) -> Path:
    """A Parquet file at ``path`` of ``columns`` written ``repeat`` times over (one row group each):
    six million rows without six million rows in memory."""
    table = pa.table(columns)
    with pq.ParquetWriter(path, table.schema) as writer:
        for _ in range(repeat):
            writer.write_table(table)
    return path


def _zeros(rows: int, columns: int) -> dict[str, pa.Array]:
    return {
        "rep": pa.array(["Ana"] * rows),
        **{f"n{i}": pa.array(np.zeros(rows, dtype=np.int64)) for i in range(columns)},
    }


def test_a_parquet_file_of_more_cells_than_a_csv_upload_holds_is_refused_from_its_metadata(tmp_path: Path) -> None:
    """The audit's 3.8 MB file of 6M rows x 150 numbers peaked at 7.5 GB before it was refused."""
    wide = _parquet(tmp_path / "wide.parquet", _zeros(100_000, 29), repeat=60)
    assert wide.stat().st_size < 2_000_000
    read = _read_in_child(wide)
    assert read["error"] == "LimitExceededError"
    assert read["sentence"] == (
        "wide.parquet has 180,000,000 cells (6,000,000 rows of 30 columns), above the limit of 104,857,600 cells; "
        "filter it to fewer rows or columns and upload again."
    )
    assert read["cpu_seconds"] < 2
    assert read["grew_mb"] < 50


def test_a_parquet_file_that_would_unpack_beyond_the_limit_is_refused_before_decoding(tmp_path: Path) -> None:
    """Run-length codes of one number: the metadata's "uncompressed" size is a few kilobytes."""
    packed = _parquet(tmp_path / "packed.parquet", _zeros(100_000, 11), repeat=60)
    read = _read_in_child(packed)
    assert read["error"] == "LimitExceededError"
    assert read["sentence"] == (
        "packed.parquet would unpack to 526 MB, beyond what the server reads; "
        "filter it to fewer rows or columns and upload again."
    )
    assert read["cpu_seconds"] < 2
    assert read["grew_mb"] < 50


def _varied(rows: int, seed: int) -> dict[str, pa.Array]:
    """Pipeline columns, and numbers and times of every size (Arrow writes some of them as Python does)."""
    rng = np.random.default_rng(seed)
    floats = rng.uniform(-1, 1, rows) * 10.0 ** rng.integers(-12, 20, rows)
    floats[::7] = np.round(floats[::7], 2)
    floats[::11] = np.floor(floats[::11])
    floats[:6] = [np.nan, np.inf, -0.0, 1e15, 999_999_999_999_999.0, 1e-4]
    micros = rng.integers(-30_000_000_000, 250_000_000_000, rows) * 1_000_000 + rng.integers(0, 1_000_000, rows)
    micros[::3] -= micros[::3] % 86_400_000_000  # midnights
    return {
        "rep": pa.array([f"Rep {i % 40}" for i in range(rows)]),
        "id": pa.array([f"OPP-{i}" for i in range(rows)]),
        "created": pa.array(micros, pa.timestamp("us")),
        "amount": pa.array(floats),
        "share": pa.array(floats.astype(np.float32)),
        "day": pa.array(micros // 86_400_000_000, pa.int32()).cast(pa.date32()),
        "won": pa.array(micros % 2 == 0),
        "units": pa.array(micros % 1000),
    }


def test_a_parquet_file_of_half_a_million_varied_rows_reads_each_cell_as_before_in_a_fraction_of_the_memory(
    tmp_path: Path,
) -> None:
    """Each cell was a Python string on its way to the table: 550 MB for these rows (a million
    rows of a CRM export: 1.4 GB and 30 s). The numbers and times Arrow writes as text must read as
    :func:`cell_text` writes them."""
    varied = _parquet(tmp_path / "varied.parquet", _varied(125_000, seed=1), repeat=4)
    read = _read_in_child(varied, verify=("created", "amount", "share", "day"))
    assert (read["rows"], read["set_aside"]) == (500_000, 0)
    assert read["differ"] == {"created": 0, "amount": 0, "share": 0, "day": 0}
    assert read["cpu_seconds"] < 8
    assert read["grew_mb"] < 350


# --- CSV: one line of millions of fields ----------------------------------------------------------


def _deals_csv(path: Path, *lines: str) -> Path:
    """A CSV at ``path`` of 100 deals (lines 2-101), then ``lines``."""
    deals = "".join(f"Rep{i % 5},2026-01-{1 + i % 28:02d}\n" for i in range(100))
    path.write_text("rep,first_appointment\n" + deals + "".join(lines), encoding="utf-8")
    return path


def test_a_csv_line_of_ten_million_fields_is_set_aside_without_being_split(tmp_path: Path) -> None:
    """The audit's 190 MB line of 63 million fields took 7 GB of Python strings and froze every
    session for 16 s while Python's csv module split it."""
    bomb = _deals_csv(tmp_path / "oneline.csv", "Ana,2026-02-01," + "ab," * 10_000_000 + "\n", "Budi,2026-02-02\n")
    read = _read_in_child(bomb)
    assert (read["rows"], read["set_aside"]) == (101, 1)
    assert read["cpu_seconds"] < 5
    assert read["grew_mb"] < 250


def test_the_row_set_aside_for_too_many_fields_names_the_column_limit(tmp_path: Path) -> None:
    from kpi_core.reading import read_file

    wide = _deals_csv(tmp_path / "wide.csv", "Ana,2026-02-01," + "ab," * 2_000 + "\n", "Budi,2026-02-02\n")
    raw = read_file(wide.read_bytes(), wide.name)
    assert [(r.line, r.reason) for r in raw.set_aside] == [(102, "has more than 500 fields but the header has 2")]
    assert raw.column("rep")[-1] == "Budi"


def test_rows_just_under_the_column_limit_are_set_aside_one_at_a_time(tmp_path: Path) -> None:
    """Each row of 499 fields was held until the last was read: 1.8 GB for 60 MB of them."""
    row = "Ana,2026-02-01," + "ab," * 496 + "x\n"
    many = _deals_csv(tmp_path / "many.csv", *[row] * 20_000)
    read = _read_in_child(many)
    assert (read["rows"], read["set_aside"]) == (100, 20_000)
    assert read["grew_mb"] < 150


@pytest.mark.parametrize(
    ("shape", "lines"),
    [
        ("quoted fields", ['Ana,"2026-02-01",' + '"ab",' * 1_000_000 + '"x"\n']),
        ("fields on a line each, inside quotes", ['Ana,"2026-02-01\n', *['","\n'] * 1_000_000, '"\n']),
    ],
)
def test_a_row_of_too_many_fields_with_quotes_is_refused_in_one_sentence(
    shape: str, lines: list[str], tmp_path: Path
) -> None:
    hostile = _deals_csv(tmp_path / "hostile.csv", *lines, "Budi,2026-02-02\n")
    read = _read_in_child(hostile)
    assert read["error"] == "LimitExceededError", shape
    assert read["sentence"] == (
        "hostile.csv: the row starting on line 102 has more than 500 fields, above the limit of 500 columns; "
        "fix that row and upload again."
    )
    assert read["cpu_seconds"] < 5
