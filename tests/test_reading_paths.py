"""The fast (pyarrow) and exact (csv module) readers agree cell for cell and line for line."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi_core.model import RawTable
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
