"""Reading real files: encodings, delimiters, Excel, Parquet, number and date formats (spec 1d)."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kpi_core import queries
from kpi_core.errors import AmbiguousFormatError, LimitExceededError, UnreadableFileError
from kpi_core.importing import (
    LoadOptions,
    _plain_digits,
    choose_date_format,
    choose_decimal,
    load,
    parse_amount,
    parse_date,
)
from kpi_core.reading import Limits, read_file

CSV = (
    "Sales Rep,Created Date,Stage,Close Date,Amount\n"
    "Śrī Wahyuni,2026-01-05,Closed Won,2026-02-04,1500.50\n"
    "José Müller,2026-01-12,Closed Lost,2026-02-01,\n"
    "Śrī Wahyuni,2026-01-20,Demo,,\n"
)


def _rows(ds: Any, cursor: Any) -> dict[str, Any]:
    return {r.group: r for r in queries.kpis(cursor, ds, "rep")}


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16", b""),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("cp1252", b""),
    ],
)
def test_names_survive_every_supported_encoding(encoding: str, prefix: bytes, cursor: Any) -> None:
    text = CSV if encoding != "cp1252" else CSV.replace("Śrī", "Sri")
    ds = load(prefix + text.encode(encoding), "f.csv")
    names = set(_rows(ds, cursor))
    assert names == {"José Müller", "Śrī Wahyuni" if encoding != "cp1252" else "Sri Wahyuni"}
    assert ds.report.rows_loaded == 3


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_every_delimiter_is_detected(delimiter: str) -> None:
    text = CSV.replace(",", delimiter)
    ds = load(text.encode(), "f.csv", LoadOptions(decimal="."))
    assert ds.report.delimiter == delimiter
    assert ds.mapping.header("amount") == "Amount"


def test_mixed_line_endings_and_quoted_newlines_keep_line_numbers() -> None:
    text = 'Sales Rep,Created Date,Note\r\nAna,2026-01-05,"two\nlines"\rBudi,,x\nCitra,2026-01-07,y\r\n'
    ds = load(text.encode(), "f.csv")
    assert ds.report.rows_loaded == 2
    assert [(r.line, r.reason) for r in ds.report.set_aside] == [(4, "has no first-appointment date")]


def _xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_a_workbook_opens_on_the_sheet_with_the_data_not_the_cover_page(cursor: Any) -> None:
    content = _xlsx(
        {
            "Cover": [["Q3 pipeline report"], ["Prepared by", "Finance"]],
            "Deals": [
                ["Owner", "Created", "Won", "Amount"],
                ["Ana", dt.datetime(2026, 1, 3), "yes", 1234.5],
                ["Ana", dt.datetime(2026, 1, 10), "no", None],
            ],
        }
    )
    ds = load(content, "book.xlsx")
    assert ds.report.sheet == "Deals"
    assert any("Deals" in n for n in ds.report.notes)
    row = _rows(ds, cursor)["Ana"]
    assert (row.appointments, row.won, row.revenue) == (2, 1, 1234.5)
    assert ds.first_date == dt.date(2026, 1, 3)


def test_a_sheet_can_be_chosen_and_a_missing_one_is_named() -> None:
    content = _xlsx(
        {
            "A": [["Owner", "Created"], ["X", dt.date(2026, 1, 1)]],
            "B": [["Owner", "Created"], ["Y", dt.date(2026, 2, 1)]],
        }
    )
    assert load(content, "b.xlsx", LoadOptions(sheet="B")).first_date == dt.date(2026, 2, 1)
    with pytest.raises(UnreadableFileError, match=r"no sheet called 'C'.*A, B"):
        load(content, "b.xlsx", LoadOptions(sheet="C"))


def test_parquet_keeps_its_types(cursor: Any) -> None:
    table = pa.table(
        {
            "rep": ["Ana", "Ana"],
            "first_appointment": [dt.date(2026, 1, 2), dt.date(2026, 1, 9)],
            "outcome": ["won", "lost"],
            "amount": [1.234, 99.0],
        }
    )
    buf = io.BytesIO()
    pq.write_table(table, buf)
    ds = load(buf.getvalue(), "p.parquet")
    assert ds.report.file_format == "parquet"
    assert _rows(ds, cursor)["Ana"].revenue == pytest.approx(1.234)


@pytest.mark.parametrize(
    ("text", "decimal", "value"),
    [
        ("1500", ".", 1500.0),
        ("$1,200.00", ".", 1200.0),
        ("(1,500.00)", ".", -1500.0),
        ("Rp 1.500.000", ",", 1_500_000.0),
        ("Rp1.500.000,50", ",", 1_500_000.5),
        ("IDR 2.000", ",", 2000.0),
        ("1 234,5", ",", 1234.5),
        ("-12.5", ".", -12.5),
        ("12.5-", ".", -12.5),
        ("€ 3.000,00", ",", 3000.0),
        ("USD 99", ".", 99.0),
        ("1.5E+06", ".", 1_500_000.0),
        ("N/A", ".", None),
        ("-", ".", None),
        ("TBD", ".", None),
        ("1,2,3", ".", None),
        ("12,34.5", ".", None),
        ("", ".", None),
    ],
)
def test_amounts_are_read_with_currency_and_grouping(text: str, decimal: str, value: float | None) -> None:
    assert parse_amount(text, decimal) == value


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1,200.50", "300"], "."),
        (["1.200,50", "300"], ","),
        (["1.500.000", "2.000.000"], ","),
        (["1,500,000"], "."),
        (["12,5"], ","),
        (["12.5"], "."),
        (["100", "200"], "."),
    ],
)
def test_the_decimal_mark_is_detected_where_the_values_leave_no_doubt(values: list[str], expected: str) -> None:
    assert choose_decimal(["Amount"], [values]) == expected


@pytest.mark.parametrize("values", [["1,500", "2,000"], ["1.500"], ["1,5", "1,500.25"]])
def test_the_decimal_mark_is_asked_when_values_fit_both_or_conflict(values: list[str]) -> None:
    with pytest.raises(AmbiguousFormatError) as err:
        choose_decimal(["Amount"], [values])
    assert err.value.kind == "decimal" and err.value.options == (".", ",")


@pytest.mark.parametrize(
    ("values", "fmt"),
    [
        (["2026-01-05", "2026-12-31"], "%Y-%m-%d"),
        (["13/01/2026", "01/02/2026"], "%d/%m/%Y"),
        (["01/13/2026", "02/01/2026"], "%m/%d/%Y"),
        (["5.1.2026", "25.12.2026"], "%d.%m.%Y"),
        (["2026-01-05 14:30", "2026-01-06T09:00:00Z"], "%Y-%m-%d"),
        (["05 Jan 2026", "17 Feb 2026"], "%d %b %Y"),
        (["46000", "46031"], "excel-serial"),
        (["3/1/2017 10:00 AM", "10/20/2016"], "%m/%d/%Y"),
    ],
)
def test_one_date_format_is_chosen_per_column(values: list[str], fmt: str) -> None:
    assert choose_date_format("d", values) == fmt


def test_day_first_and_month_first_both_fitting_is_asked() -> None:
    with pytest.raises(AmbiguousFormatError) as err:
        choose_date_format("Tanggal", ["01/02/2026", "03/04/2026"])
    assert err.value.options == ("%d/%m/%Y", "%m/%d/%Y")
    assert "Tanggal" in str(err.value)


def test_conflicting_dates_keep_one_format_and_report_the_rest(cursor: Any) -> None:
    text = "Owner,Created,Closed\nA,13/01/2026,\nA,14/01/2026,\nA,01/15/2026,\n"
    ds = load(text.encode(), "f.csv")
    assert ds.report.date_formats["Created"] == "%d/%m/%Y"
    assert [(r.line, "cannot be read" in r.reason) for r in ds.report.set_aside] == [(4, True)]


def test_excel_serial_dates_become_calendar_dates() -> None:
    assert parse_date("46023", "excel-serial") == dt.date(2026, 1, 1)
    assert parse_date("123", "excel-serial") is None


def test_a_bad_value_far_down_the_file_is_still_reported() -> None:
    rows = "".join(f"A,2026-01-{1 + i % 28:02d},{i}.50\n" for i in range(20_000))
    ds = load(("Owner,Created,Amount\n" + rows + "A,2026-02-01,lots\n").encode(), "big.csv")
    assert ds.report.rows_loaded == 20_001
    (bad,) = ds.report.unreadable
    assert (bad.column, bad.example_lines, bad.examples) == ("Amount", (20_002,), ("lots",))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"   \n\n", "is empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "PNG image"),
        (b"PK\x03\x04garbage", "damaged"),
        (bytes(range(256)) * 20, "binary data"),
        (b"\x1f\x8b\x08\x00", "gzip"),
    ],
)
def test_files_that_cannot_be_used_get_one_sentence(content: bytes, message: str) -> None:
    with pytest.raises(UnreadableFileError, match=message) as err:
        load(content, "f.csv")
    assert str(err.value).count(". ") <= 1 and str(err.value).endswith(".")


def test_the_upload_limit_is_a_clear_sentence() -> None:
    with pytest.raises(LimitExceededError, match="upload limit"):
        read_file(b"a,b\n" * 1000, "f.csv", limits=Limits(max_bytes=100))


def test_the_row_limit_is_a_clear_sentence() -> None:
    with pytest.raises(LimitExceededError, match="row limit"):
        read_file(b"a,b\n" + b"1,2\n" * 50, "f.csv", limits=Limits(max_rows=10))


def test_a_row_set_aside_is_reported_once_as_a_row_not_again_as_unreadable_values() -> None:
    text = "Owner,Created,Closed,Amount\n,2026-01-01,soon,N/A\nAna,2026-01-02,later,TBD\n"
    report = load(text.encode(), "f.csv").report
    assert [(r.line, r.reason) for r in report.set_aside] == [(2, "has no rep")]
    assert [(u.column, u.example_lines) for u in report.unreadable] == [("Closed", (3,)), ("Amount", (3,))]


def test_a_small_upload_limit_reads_in_kilobytes() -> None:
    with pytest.raises(LimitExceededError, match="above the 1 KB upload limit"):
        read_file(b"a,b\n" * 1000, "f.csv", limits=Limits(max_bytes=1024))


def test_a_sale_closing_before_its_first_appointment_is_pointed_out_not_dropped(cursor: Any) -> None:
    text = "Owner,Created,Outcome,Closed\nAna,2026-03-10,won,2026-03-01\nAna,2026-03-01,won,2026-03-11\n"
    ds = load(text.encode(), "f.csv")
    assert any("1 won opportunity closes before the first appointment (line 2)" in n for n in ds.report.notes)
    (row,) = queries.kpis(cursor, ds, "rep")
    assert row.cycle_days_mean == 0.5  # (-9 + 10) / 2: the spec's mean, the dates as given


@pytest.mark.parametrize("reps", [3, 3000])  # few: counted in slots; thousands of reps and teams: sorted
def test_each_reps_team_is_found_whether_counted_or_sorted(reps: int) -> None:
    from kpi_core.importing import rep_teams_of

    names = [f"rep {i}" for i in range(reps)]
    teams = [f"team {i}" if i % 3 else None for i in range(reps)]
    table = pa.table(
        {"rep": pa.array(names * 2).dictionary_encode(), "team": pa.array(teams * 2, pa.string()).dictionary_encode()}
    )
    assert rep_teams_of(table) == tuple(sorted(zip(names, teams, strict=True)))
    moved = pa.table(
        {
            "rep": pa.array([*names, names[1]]).dictionary_encode(),
            "team": pa.array([*teams, "elsewhere"]).dictionary_encode(),
        }
    )
    assert rep_teams_of(moved) is None


#: Mostly plain numbers, so that one odd text among them decides the check.
_NUMBER_TEXTS = st.one_of(
    st.from_regex(r"-?[0-9]{1,4}(\.[0-9]{1,3})?", fullmatch=True),
    st.text(alphabet="0123456789.-/,+e ١", min_size=1, max_size=8),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_NUMBER_TEXTS, max_size=12))
@example(["12", "1.2.3"])
@example(["1-2"])
@example(["-", "5"])
@example(["5.", "6"])
@example([".5"])
@example(["--1"])
@example(["1/2"])
@example(["١٢"])
@example(["-0", "0.000", "-12.5"])
def test_the_plain_number_check_is_the_pattern_counted_over_the_column(values: list[str]) -> None:
    """``_plain_digits`` counts the pattern's conditions over the whole column; it must agree with
    the regular expression value by value, and give each value's digits around its '.'."""
    pattern = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
    expected = all(pattern.fullmatch(v) for v in values)
    for arr in (pa.array(values, pa.string()), pa.array(["x", *values], pa.string()).slice(1)):
        shape = _plain_digits(arr)
        assert (shape is not None) == expected, values
        if shape is not None:
            before, after = shape
            assert before.tolist() == [len(v.lstrip("-").partition(".")[0]) for v in values]
            assert after.tolist() == [len(v.partition(".")[2]) if "." in v else -1 for v in values]


@pytest.mark.parametrize(
    ("amounts", "decimal", "expected"),
    [
        (["1500.50", "", "-20", "0.125"], ".", [1500.5, None, -20.0, 0.125]),
        (["1.500", "2.000", ""], None, None),  # 1.500: one and a half, or fifteen hundred? asked
        (["1.500", "2.25"], ".", [1.5, 2.25]),
        (["1.500.000", "250.000"], ",", [1500000.0, 250000.0]),
        (["-5", "-.5"], ".", [-5.0, None]),  # '-.5' is no plain number; the general parser reports it
    ],
)
def test_plain_and_general_amounts_read_the_same(
    amounts: list[str], decimal: str | None, expected: list[float | None] | None
) -> None:
    lines = ["Sales Rep,Created Date,Stage,Amount"] + [
        f"Ana,2026-01-0{i + 1},Closed Won,{a}" for i, a in enumerate(amounts)
    ]
    content = ("\n".join(lines) + "\n").encode()
    if expected is None:
        with pytest.raises(AmbiguousFormatError):
            load(content, "a.csv")
        return
    ds = load(content, "a.csv")
    assert ds.report.decimal == decimal
    assert ds.table.column("amount").to_pylist() == expected
    assert expected == [parse_amount(a, decimal) for a in amounts]  # the general parser, value by value


def test_an_unmapped_column_called_team_groups_by_its_own_values_not_the_missing_team(cursor: Any) -> None:
    """'team', 'rep' and 'all' are groupings of their own: such a column is kept as 'team (column)'."""
    data = b"rep,team,first_appointment\nAna,Alpha,2026-01-05\nBudi,Beta,2026-01-06\nCitra,Beta,2026-01-07\n"
    ds = load(data, "t.csv", LoadOptions(columns=(("team", None),)))
    assert not ds.has_teams
    assert [d.label for d in ds.dimensions] == ["team (column)"]
    by_column = {r.group: r.appointments for r in queries.kpis(cursor, ds, "team (column)")}
    assert by_column == {"Alpha": 1, "Beta": 2}
    assert [(r.group, r.appointments) for r in queries.kpis(cursor, ds, "team")] == [("(no team)", 3)]


@pytest.mark.parametrize(
    ("amounts", "code"),
    [
        (["Rp 15.000.000", "", "Rp 8.750.000"], "IDR"),
        (["IDR 1.000", "(Rp 1.500)"], "IDR"),
        (["$1,200.00", "US$ 300"], "USD"),
        (["1.500,00 €", "-20 EUR"], "EUR"),
        (["1500", "2,500.00"], None),  # no mark
        (["$1,200", "Rp 1.500"], None),  # two currencies: none is claimed
        (["SGD 1,200", "Rp. 1.500"], None),
        (["SGD 1,200"], "SGD"),  # every mark the amounts may carry names its currency (one table)
        (["¥1,200"], None),  # yen or yuan: the mark alone does not say
    ],
)
def test_the_currency_the_amounts_name_is_reported(amounts: list[str], code: str | None) -> None:
    rows = "".join(f'Ana,2026-01-0{i + 1},won,"{a}"\n' for i, a in enumerate(amounts))
    ds = load(("rep,first_appointment,outcome,amount\n" + rows).encode(), "c.csv", LoadOptions(decimal="."))
    assert ds.report.currency == code


@pytest.mark.parametrize(
    ("header", "amounts", "code"),
    [
        ("Amount (Rp)", ["15000000", "8750000"], "IDR"),
        ("Nilai IDR", ["15000000"], "IDR"),
        ("Nilai Rupiah", ["15000000"], "IDR"),
        ("Revenue ($)", ["1200.50"], "USD"),
        ("Amount in US$", ["1200"], "USD"),
        ("Amount (EUR)", ["1200"], "EUR"),
        ("Amount", ["1200"], None),
        ("Amount (USD/IDR)", ["1200"], None),  # two currencies named: none is claimed
        ("Amount (Rp)", ["$1,200"], "USD"),  # the amounts' own mark comes first
    ],
)
def test_plain_amounts_under_a_header_naming_a_currency_are_in_it(
    header: str, amounts: list[str], code: str | None
) -> None:
    rows = "".join(f'Ana,2026-01-0{i + 1},won,"{a}"\n' for i, a in enumerate(amounts))
    content = (f"rep,first_appointment,outcome,{header}\n" + rows).encode()
    ds = load(content, "c.csv", LoadOptions(columns=(("amount", header),), decimal="."))
    assert ds.report.currency == code


@pytest.mark.parametrize(
    ("text", "fmt", "date"),
    [
        ("12 Agustus 2026", "%d %B %Y", dt.date(2026, 8, 12)),
        ("3 Mei 2026", "%d %B %Y", dt.date(2026, 5, 3)),
        ("3 Mei 2026", "%d %b %Y", dt.date(2026, 5, 3)),  # Mei is the name and its abbreviation
        ("1 Desember 2026", "%d %B %Y", dt.date(2026, 12, 1)),
        ("5 Okt 2026", "%d %b %Y", dt.date(2026, 10, 5)),
        ("20-Agt-2026", "%d-%b-%Y", dt.date(2026, 8, 20)),
        ("Maret 2, 2026", "%B %d, %Y", dt.date(2026, 3, 2)),
        ("12 August 2026", "%d %B %Y", dt.date(2026, 8, 12)),  # English names as before
        ("12 Agustus 2026", "%d %b %Y", None),  # a full name is not an abbreviation
        ("12 Agustusan 2026", "%d %B %Y", None),
    ],
)
def test_indonesian_month_names_are_read(text: str, fmt: str, date: dt.date | None) -> None:
    assert parse_date(text, fmt) == date


def test_a_sheet_with_indonesian_month_names_loads_with_its_window(cursor: Any) -> None:
    content = b"Sales Rep,First Appointment,Outcome,Amount\nAna,12 Agustus 2026,Won,100\nAna,3 Mei 2026,Lost,\n"
    ds = load(content + b"Ben,1 Desember 2026,,\n", "id.csv")
    assert ds.report.date_formats == {"First Appointment": "%d %B %Y"}
    assert (ds.first_date, ds.last_date) == (dt.date(2026, 5, 3), dt.date(2026, 12, 1))
    [ana, _ben] = queries.kpis(cursor, ds, "rep")
    assert (ana.group, ana.appointments, ana.won) == ("Ana", 2, 1)
    assert ana.weeks == pytest.approx(213 / 7)  # 3 May to 1 December 2026, both included
