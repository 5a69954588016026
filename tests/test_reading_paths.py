"""The fast (pyarrow) and exact (csv module) readers agree cell for cell and line for line."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi_core import reading
from kpi_core.db import session_cursor
from kpi_core.importing import _iso_dates, build_dataset, load, parse_date
from kpi_core.mapping import propose_mapping
from kpi_core.model import RawTable
from kpi_core.queries import kpis_with_total
from kpi_core.reading import decode_text, read_file, read_text

from .conftest import FIXTURES, SAMPLE


def _same(a: RawTable, b: RawTable) -> None:
    assert a.headers == b.headers
    assert a.table.to_pylist() == b.table.to_pylist()
    assert a.lines.to_pylist() == b.lines.to_pylist()
    assert a.set_aside == b.set_aside
    assert a.notes == b.notes
    assert a.delimiter == b.delimiter


def _both(text: str) -> tuple[RawTable, RawTable]:
    return read_text(text), read_text(text, exact=True)


def test_both_paths_agree_on_every_fixture_and_the_sample_data() -> None:
    files = [*sorted(FIXTURES.glob("*.csv")), SAMPLE / "opportunities.csv", SAMPLE / "weekly_log.csv"]
    for path in files:
        text, _ = decode_text(path.read_bytes())
        _same(*_both(text))


def test_reading_utf8_straight_from_the_bytes_equals_the_exact_path() -> None:
    files = [*sorted(FIXTURES.glob("*.csv")), SAMPLE / "opportunities.csv", SAMPLE / "weekly_log.csv"]
    for path in files:
        content = path.read_bytes()
        text, encoding = decode_text(content)
        direct = read_file(content, path.name)
        assert direct.encoding == encoding
        _same(direct, read_text(text, exact=True))
    bom = b"\xef\xbb\xbfOwner,Created\nAna,2026-01-01\n"
    assert read_file(bom, "bom.csv").headers == ("Owner", "Created")


def test_padded_cells_crlf_and_trailing_blank_lines_read_the_same() -> None:
    text = "Owner , Created\r\n  Ana ,2026-01-01\r\n,\r\nBudi,\t2026-01-02 \r\n\r\n\r\n"
    fast, exact = _both(text)
    _same(fast, exact)
    assert fast.table.column(0).to_pylist() == ["Ana", "Budi"]
    assert [(r.line, r.reason) for r in fast.set_aside] == [(3, "is empty")]


def test_a_last_line_without_a_newline_is_read() -> None:
    fast, exact = _both("a,b\n1,2\n3,4")
    _same(fast, exact)
    assert fast.lines.to_pylist() == [2, 3]


cell = st.text(alphabet=st.sampled_from(list('ab ,;"\n\r\t1.-é')), max_size=6)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=8), st.sampled_from([",", ";"]))
def test_random_quoted_files_read_the_same_on_both_paths(rows: list[list[str]], delim: str) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delim, lineterminator="\n")
    writer.writerow(["Owner", "Created", "Amount"])
    writer.writerows(rows)
    text = buf.getvalue()
    exact = read_text(text, delimiter=delim, exact=True)
    _same(read_text(text, delimiter=delim), exact)
    if delim == "," and exact.data_rows:
        # Straight from the bytes, with the delimiter detected as a user's upload would be.
        direct = read_file(text.encode(), "f.csv")
        if direct.delimiter == ",":
            _same(direct, exact)


#: Mostly cells without line breaks, which the fast path reads (a line break sends the file to the exact path).
one_line_cell = st.one_of(*[st.text(alphabet=st.sampled_from(list('ab ,;"\t1.-é')), max_size=6)] * 3, cell)


@contextmanager
def _encode_every_column(block: int = reading._BLOCK_BYTES, part: int = reading._PART_BYTES) -> Iterator[None]:
    """The fast path reading every column dictionary-encoded, whatever the file's size, in
    blocks of ``block`` bytes and parts of ``part`` (so that tiny files cross their boundaries too)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reading, "_ENCODE_FROM_BYTES", 0)
        patch.setattr(reading, "_ENCODE_SHARE", 1.0)
        patch.setattr(reading, "_BLOCK_BYTES", block)
        patch.setattr(reading, "_PART_BYTES", part)
        yield


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(one_line_cell, min_size=3, max_size=3), min_size=1, max_size=12),
    st.integers(24, 128),
    st.integers(1, 200),
)
def test_random_files_read_dictionary_encoded_in_small_blocks_equal_the_exact_path(
    rows: list[list[str]], block: int, part: int
) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([["Owner", "Created", "Amount"], *rows])
    text = buf.getvalue()
    exact = read_text(text, delimiter=",", exact=True)
    with _encode_every_column(block, part):
        fast = read_text(text, delimiter=",")
    _same(fast, exact)


def _big_file() -> bytes:
    """Over a megabyte: padded and unpadded labels, ISO dates, an empty row, a total line."""
    reps = ["Ana", " Ana", "Budi ", "Citra", "Dewi"]
    lines = ["ID,Sales Rep,Team,First Appointment,Close Date,Outcome,Amount"]
    for i in range(30_000):
        won = i % 3 == 0
        close = f"2025-{1 + i % 12:02d}-{1 + i % 27:02d}" if won else ""
        lines.append(
            f"{i},{reps[i % 5]},{'North' if i % 2 else ' South'},2025-{1 + i % 12:02d}-{1 + i % 28:02d},"
            f"{close},{'Won' if won else 'Lost'},{f'{1000 + i}.50' if won else ''}"
        )
    lines[5000] = ",,,,,,"
    lines.append("Total,,,,,,999")
    return ("\n".join(lines) + "\n").encode()


def test_a_large_file_reads_its_label_columns_dictionary_encoded_with_the_same_cells() -> None:
    content = _big_file()
    assert len(content) > reading._ENCODE_FROM_BYTES
    fast = read_file(content, "big.csv")
    encoded = {h for h in fast.headers if pa.types.is_dictionary(fast.table.column(fast.headers.index(h)).type)}
    assert encoded == {"Sales Rep", "Team", "First Appointment", "Close Date", "Outcome"}
    exact = read_text(content.decode(), "big.csv", exact=True)
    _same(fast, exact)
    # " Ana" and "Ana" are one value once trimmed: one dictionary entry, not two.
    assert sorted(fast.cells("Sales Rep").dictionary.to_pylist()) == ["", "Ana", "Budi", "Citra", "Dewi"]
    assert [(r.line, r.reason) for r in fast.set_aside] == [(5001, "is empty")]


def test_a_dataset_built_from_dictionary_encoded_cells_equals_one_built_from_plain_cells() -> None:
    content = _big_file()
    fast = read_file(content, "big.csv")
    exact = read_text(content.decode(), "big.csv", exact=True)
    mapping = propose_mapping(fast)
    a, b = build_dataset(fast, mapping), build_dataset(exact, mapping)
    assert a.table.to_pylist() == b.table.to_pylist()
    assert a.report == b.report
    assert a.report.rows_loaded == 29_999
    assert [(r.line, r.reason) for r in a.report.set_aside] == [
        (5001, "is empty"),
        (30_002, "is a total line, not an opportunity"),
    ]


def test_iso_dates_that_do_not_exist_are_reported_not_read() -> None:
    """The ISO fast path (Arrow's date parser) refuses what strptime refuses, line by line."""
    rows = ["Owner,Created,Close Date,Outcome,Amount"]
    rows += [f"Ana,2025-01-{1 + i % 28:02d},2025-03-01,Won,10" for i in range(40)]
    rows += ["Budi,2025-01-02,2023-02-29,Won,10", "Budi,2025-01-02,0000-01-01,Won,10", "Budi,2023-02-29,,Lost,"]
    ds = load("\n".join(rows).encode(), "dates.csv")
    assert ds.report.date_formats == {"Created": "%Y-%m-%d", "Close Date": "%Y-%m-%d"}
    (bad,) = ds.report.unreadable
    assert (bad.column, bad.count, bad.example_lines, bad.examples) == (
        "Close Date",
        2,
        (42, 43),
        ("2023-02-29", "0000-01-01"),
    )
    assert [(r.line, r.reason) for r in ds.report.set_aside] == [
        (44, "has a first-appointment date '2023-02-29' that cannot be read as yyyy-mm-dd")
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.dates().map(lambda d: d.isoformat()),
            st.just(""),
            st.from_regex(r"\A\d{4}-\d{2}-\d{2}\Z"),
            st.from_regex(r"\A\d{1,4}-\d{1,2}-\d{1,2}\Z"),
        ),
        min_size=1,
        max_size=30,
    ),
    st.booleans(),
)
def test_the_iso_date_fast_path_reads_exactly_what_strptime_reads(values: list[str], encoded: bool) -> None:
    arr = pa.array(values, pa.string())
    parsed = _iso_dates(arr.dictionary_encode() if encoded else arr)
    expected = [parse_date(v, "%Y-%m-%d") if v else None for v in values]
    if parsed is None:
        # Declined only when there is no value, or a value that is not a strict, valid yyyy-mm-dd
        # date in ASCII digits (strptime also reads other scripts' digits, e.g. "000\u0661-01-01":
        # those take the general path, which reads them as strptime does).
        strict = [
            bool(re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v)) and e is not None
            for v, e in zip(values, expected, strict=True)
            if v
        ]
        assert not strict or not all(strict)
    else:
        assert parsed.to_pylist() == expected
        assert all(e is not None for v, e in zip(values, expected, strict=True) if v)


def test_a_column_that_only_varies_later_in_the_file_is_read_plain() -> None:
    lines = ["Owner,Created,Notes"]
    lines += [
        f"Rep {i % 30},2025-{1 + i % 12:02d}-{1 + i % 28:02d},{'' if i < 60_000 else f'note {i}'}"
        for i in range(90_000)
    ]
    content = ("\n".join(lines) + "\n").encode()
    assert content.index(b"note ") > reading._SAMPLE_BYTES  # the first megabyte sees only empty notes
    fast = read_file(content, "late.csv")
    types = {h: fast.cells(h).type for h in fast.headers}
    assert pa.types.is_dictionary(types["Owner"]) and pa.types.is_dictionary(types["Created"])
    assert types["Notes"] == pa.string()  # the probes further on saw thousands of distinct notes
    _same(fast, read_text(content.decode(), "late.csv", exact=True))


def test_a_large_file_keeps_one_or_two_bytes_a_row_for_each_encoded_column() -> None:
    """pyarrow reads four-byte codes; a column of five reps (or 84 dates) needs one."""
    fast = read_file(_big_file(), "big.csv")
    widths = {h: fast.cells(h).indices.type for h in fast.headers if pa.types.is_dictionary(fast.cells(h).type)}
    assert widths == {
        "Sales Rep": pa.int8(),
        "Team": pa.int8(),
        "Outcome": pa.int8(),
        "First Appointment": pa.int8(),
        "Close Date": pa.int8(),
    }


def test_dates_kept_on_the_file_codes_read_and_report_exactly_as_plain_dates() -> None:
    """A large file's dates stay on its one- or two-byte codes; what cannot be read is still
    reported line by line, and DuckDB reads the same KPIs as from plain dates."""
    lines = _big_file().decode().splitlines()
    lines[10] = lines[10].rsplit(",", 3)[0] + ",2025-02-30,Won,1000.50"
    lines[20] = lines[20].rsplit(",", 3)[0] + ",soon,Lost,"
    content = ("\n".join(lines) + "\n").encode()
    fast = read_file(content, "big.csv")
    exact = read_text(content.decode(), "big.csv", exact=True)
    mapping = propose_mapping(fast)
    a, b = build_dataset(fast, mapping), build_dataset(exact, mapping)
    assert pa.types.is_dictionary(a.table["close_date"].type)
    assert not pa.types.is_dictionary(b.table["close_date"].type)
    assert a.table.to_pylist() == b.table.to_pylist()
    assert a.report == b.report
    (unreadable,) = a.report.unreadable
    assert (unreadable.column, unreadable.count, unreadable.example_lines) == ("Close Date", 2, (11, 21))
    assert (a.first_date, a.last_date) == (b.first_date, b.last_date)
    cursor = session_cursor()
    assert kpis_with_total(cursor, a, "rep") == kpis_with_total(cursor, b, "rep")


def test_a_quoted_line_break_is_one_value_wherever_blocks_and_parts_are_cut() -> None:
    """A block or part cut inside a quoted value used to read as two rows of the right width."""
    content = b'Owner,Created,Amount\n,,\n,,"\n,,"\n'
    exact = read_text(content.decode(), exact=True)
    assert exact.table.to_pylist() == [{"c0": "", "c1": "", "c2": ",,"}]
    for block in range(4, 60):
        for part in (1, 5, 25, 1 << 20):
            with _encode_every_column(block, part):
                _same(read_file(content, "f.csv"), exact)


def test_quoted_crlf_files_read_on_the_fast_path_unless_a_row_spans_lines() -> None:
    """A quoted file is no longer checked by counting its lines (0.2 s for a million CRLF lines):
    a line break inside a read cell, or inside the header, sends it to the exact path."""
    plain = '"Owner","Created","Note"\r\n"Ana","2026-01-01","a, b"\r\n"Budi","2026-01-02",""\r\n'
    in_cell = '"Owner","Created","Note"\r\n"Ana","2026-01-01","two\r\nlines"\r\n"Budi","2026-01-02",""\r\n'
    in_header = '"Owner","Created\nDate","Note"\r\n"Ana","2026-01-01","x"\r\n"Budi","2026-01-02",""\r\n'
    # The header's second line reads as three cells: it must not become a data row.
    header_row = '"Owner\nx","Created","Note"\n"Ana","2026-01-01","x"\n"Budi","2026-01-02",""\n'
    for text, lines in ((plain, [2, 3]), (in_cell, [2, 4]), (in_header, [3, 4]), (header_row, [3, 4])):
        exact = read_text(text, exact=True)
        assert exact.lines.to_pylist() == lines
        for block, part in ((reading._BLOCK_BYTES, reading._PART_BYTES), (24, 30)):
            with _encode_every_column(block, part):
                _same(read_file(text.encode(), "q.csv"), exact)
                _same(read_text(text), exact)


def test_a_large_weekly_log_reads_the_same_dictionary_encoded_as_plain() -> None:
    """Weeks read on the file's codes (dd/mm/yyyy, one bad week) still move to their Monday, and
    the weekly KPIs through DuckDB are the plain reading's."""
    lines = ["Rep,Team,Week,Appointments,Next Steps,Wins,Revenue"]
    for i in range(40_000):
        day = 1 + (i * 7) % 28
        lines.append(
            f"Rep {i % 9},{'North' if i % 9 < 5 else 'South'},{day:02d}/{1 + i % 12:02d}/2026,{i % 6},{i % 4},{i % 2},{(i % 7) * 1000}.25"
        )
    lines[77] = "Rep 1,North,31/02/2026,3,1,0,0"
    content = ("\n".join(lines) + "\n").encode()
    assert len(content) > reading._ENCODE_FROM_BYTES
    fast = read_file(content, "weekly.csv")
    assert pa.types.is_dictionary(fast.cells("Week").type)
    exact = read_text(content.decode(), "weekly.csv", exact=True)
    mapping = propose_mapping(fast)
    a, b = build_dataset(fast, mapping), build_dataset(exact, mapping)
    assert a.table.to_pylist() == b.table.to_pylist()
    assert a.report == b.report
    assert [(r.line, r.reason[:14]) for r in a.report.set_aside] == [(78, "has a week '31")]
    assert (a.first_date, a.last_date) == (b.first_date, b.last_date)
    cursor = session_cursor()
    assert kpis_with_total(cursor, a, "rep") == kpis_with_total(cursor, b, "rep")


def test_every_query_answers_the_same_on_dictionary_encoded_and_plain_datasets() -> None:
    """Dates and labels on one-byte codes (a large file) against plain columns (the exact path):
    KPIs, weekly series, pipeline, filters, distinct values and row counts, through DuckDB."""
    import datetime as dt

    from kpi_core import queries
    from kpi_core.model import Filters

    content = _big_file()
    fast, exact = read_file(content, "big.csv"), read_text(content.decode(), "big.csv", exact=True)
    mapping = propose_mapping(fast)
    a, b = build_dataset(fast, mapping), build_dataset(exact, mapping)
    assert pa.types.is_dictionary(a.table["first_appointment"].type)
    cursor = session_cursor()
    windows = [
        Filters(),
        Filters(start=dt.date(2025, 3, 1), end=dt.date(2025, 8, 31)),
        Filters(teams=("North",), decided_only=True),
        Filters(reps=("Ana", "Citra")),
    ]
    for filters in windows:
        for by in ("rep", "team", "all"):
            assert queries.kpis_with_total(cursor, a, by, filters) == queries.kpis_with_total(cursor, b, by, filters)
        assert queries.weekly_appointments_series(cursor, a, filters) == queries.weekly_appointments_series(
            cursor, b, filters
        )
        assert queries.pipeline(cursor, a, filters) == queries.pipeline(cursor, b, filters)
        assert queries.row_count(cursor, a, filters) == queries.row_count(cursor, b, filters)
    for column in ("team", "rep"):
        assert queries.distinct_values(cursor, a, column) == queries.distinct_values(cursor, b, column)
