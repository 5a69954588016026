"""Decimal marks and amounts read over whole columns give what the per-value rules give.

:func:`parse_amount` and :func:`decimal_votes` are the rules, value by value; the import reads the
usual shapes (``1.234.567,89``, ``-12500,5``) over a whole Arrow column instead. Every answer, every
question asked and every unreadable value must stay the same, to the bit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kpi_core import importing
from kpi_core.errors import AmbiguousFormatError
from kpi_core.importing import (
    _decimal_evidence,
    _distinct_present,
    _read_amounts,
    choose_decimal,
    decimal_votes,
    load,
    parse_amount,
)

#: Pieces of amounts, the usual and the odd: currency, spaces, signs, exponents, Arabic-Indic
#: digits (which Python's float reads), no-cents dashes, a no-break space.
_PIECES = st.sampled_from(
    [
        *("0", "1", "5", "9", "00", "12", "123", "4567", ".", ",", ".", ",", "-", " ", "Rp", "Rp ", "$", "IDR "),
        *("(", ")", ",-", ".-", "e5", "E+2", "'", "\u00a0", "\u0663", "x", "+", "9" * 25),
    ]
)

#: Numbers grouped by threes with either separator, signed or not, with or without decimals.
_GROUPED = st.builds(
    lambda sign, head, groups, sep, mark, decimals: (
        sign + head + "".join(sep + g for g in groups) + (mark + decimals if decimals else "")
    ),
    st.sampled_from(["", "-", "-", "+"]),
    st.from_regex(r"[0-9]{1,4}", fullmatch=True),
    st.lists(st.from_regex(r"[0-9]{2,4}", fullmatch=True), max_size=4),
    st.sampled_from([".", ","]),
    st.sampled_from([".", ","]),
    st.from_regex(r"[0-9]{0,4}", fullmatch=True),
)

_AMOUNT_TEXTS = st.one_of(
    _GROUPED,
    st.lists(_PIECES, max_size=7).map("".join),
    st.from_regex(r"-?[0-9]{1,30}([.,][0-9]{1,30})?", fullmatch=True),
    st.text(alphabet="0123456789", min_size=300, max_size=420),  # beyond the float's range near 309 digits
    st.just(""),
)

#: Values whose reading is easy to get wrong, each a case the rules decide on their own.
EDGE_CASES = [
    "-0,5",
    "-0",
    "-0.0",
    "1.234",
    "1,234",
    "1.234,",
    "1.234.",
    ",5",
    ".5",
    "1..234",
    "1,,234",
    "1.23.456",
    "1.234.567,891",
    "1,234,567.891",
    "0001.000,5",
    "000.123",
    "007",
    "12500,5",
    "1.234.567,89",
    "-1.234.567,89",
    "9" * 308,
    "9" * 309,
    "9" * 400,
    "1" * 25 + ",5",
    "0," + "0" * 40 + "1",
    "Rp 12.500.000,-",
    "(1.500,00)",
    "12.5-",
    "1 234,5",
    "\u0661\u0662",
    "-",
    "",
]


def _bits(values: Sequence[float | None]) -> list[str | None]:
    """Each float to the bit (``-0.0`` apart from ``0.0``), missing values as ``None``."""
    return [None if v is None else float(v).hex() for v in values]


def _arrays(values: list[str]) -> list[pa.Array]:
    """The same cells as the reader may hold them: plain, dictionary-encoded, a slice."""
    plain = pa.array(values, pa.string())
    return [plain, plain.dictionary_encode(), pa.array(["1.5", *values], pa.string()).slice(1)]


def _reference_evidence(values: Sequence[str]) -> tuple[tuple[int, int, int], str]:
    """Votes and example as the per-value code gives them (the first value fitting both marks)."""
    votes = decimal_votes(dict.fromkeys(v for v in values if v))
    example = next((v for v in values if v and decimal_votes([v])[2]), "") if votes[2] else ""
    return votes, example


def _reference_choice(headers: Sequence[str], columns: Sequence[Sequence[str]]) -> str:
    """The decimal mark chosen value by value, as the import chose it before whole-column reading."""
    dot = comma = either = 0
    example = ""
    for values in columns:
        d, c, e = decimal_votes(dict.fromkeys(v for v in values if v))
        dot, comma, either = dot + d, comma + c, either + e
        if e and not example:
            example = next((v for v in values if v and decimal_votes([v])[2]), "")
    names = ", ".join(f"'{h}'" for h in headers)
    if dot and comma:
        raise AmbiguousFormatError(
            f"The numbers in {names} use both '.' and ',' as the decimal mark; choose which one the file uses.",
            column=headers[0],
            kind="decimal",
            options=(".", ","),
        )
    if dot:
        return "."
    if comma:
        return ","
    if either:
        raise AmbiguousFormatError(
            f"Numbers in {names} such as '{example}' can be read with '.' or ',' as the decimal mark; "
            "choose which one the file uses.",
            column=headers[0],
            kind="decimal",
            options=(".", ","),
        )
    return "."


def _outcome(choose: Any, headers: Sequence[str], columns: Sequence[Sequence[str]]) -> tuple[str, ...]:
    try:
        return ("mark", choose(headers, columns))
    except AmbiguousFormatError as err:
        return ("asked", str(err), str(err.column), str(err.kind), repr(err.options))


@pytest.mark.parametrize("decimal", [".", ","])
@pytest.mark.parametrize("text", EDGE_CASES)
def test_each_edge_case_reads_to_the_bit_as_parse_amount_reads_it(text: str, decimal: str) -> None:
    for arr in _arrays([text, "1", text]):
        assert _bits(_read_amounts(arr, decimal).to_pylist()) == _bits(
            [parse_amount(v, decimal) if v else None for v in [text, "1", text]]
        )


@settings(max_examples=500, deadline=None)
@given(st.lists(_AMOUNT_TEXTS, max_size=15), st.sampled_from([".", ","]))
@example(EDGE_CASES, ",")
@example(EDGE_CASES, ".")
@example(["1.234.567,89", "12500,5", "-0,5", ""], ",")
def test_a_column_of_amounts_reads_to_the_bit_as_parse_amount_reads_each(values: list[str], decimal: str) -> None:
    expected = _bits([parse_amount(v, decimal) if v else None for v in values])
    for arr in _arrays(values):
        assert _bits(_read_amounts(arr, decimal).to_pylist()) == expected, values


@settings(max_examples=500, deadline=None)
@given(st.lists(_AMOUNT_TEXTS, max_size=15))
@example(EDGE_CASES)
@example(["1.234", "1,500", "5", "Rp 2.000"])  # the first value fitting both marks is the example
@example(["Rp 2.000", "1.234"])  # ... whether it is read per value or over the column
@example(["5", "5", "", "1,500", "1,500"])
def test_the_decimal_votes_over_a_column_are_those_counted_value_by_value(values: list[str]) -> None:
    expected = _reference_evidence(values)
    for arr in _arrays(values):
        assert _decimal_evidence(_distinct_present(arr)) == expected, values


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(_AMOUNT_TEXTS, max_size=8), min_size=1, max_size=3))
@example([["1,500", "2,000"]])
@example([["1.500"], ["12,5"]])
@example([["1,5", "1,500.25"]])
@example([["Rp 1.500,-"], ["1.500"]])
@example([["300"], ["1.500.000", "1,500"]])
def test_the_decimal_mark_is_chosen_or_asked_as_value_by_value(columns: list[list[str]]) -> None:
    headers = [f"Amount {i}" for i in range(len(columns))]
    expected = _outcome(_reference_choice, headers, columns)
    assert _outcome(choose_decimal, headers, columns) == expected
    arrays = [pa.array(c, pa.string()).dictionary_encode() for c in columns]
    assert _outcome(choose_decimal, headers, arrays) == expected


def test_only_values_of_another_shape_are_read_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Grouped and plain decimal-comma amounts are read over the column; a currency mark or a word
    goes to the per-value rules once, however often it appears, and so does a misplaced mark
    (``1..234``) when it is read (its vote is counted with the column's: digits and marks only)."""
    parsed: list[str] = []
    voted: list[str] = []
    real_parse, real_votes = importing.parse_amount, importing.decimal_votes

    def parse(text: str, decimal: str) -> float | None:
        parsed.append(text)
        return real_parse(text, decimal)

    def votes(values: Any) -> tuple[int, int, int]:
        values = list(values)
        voted.extend(values)
        return real_votes(values)

    monkeypatch.setattr(importing, "parse_amount", parse)
    monkeypatch.setattr(importing, "decimal_votes", votes)
    amounts = [f"{i}.{i % 1000:03d},{i % 100:02d}" for i in range(1, 400)] + ["12500,5", "-0,5"]
    odd = ["Rp 1.500,-", "1..234", "n/a"]
    lines = ["Sales Rep;Created Date;Stage;Amount"] + [
        f"Ana;{13 + i % 9}/01/2026;Closed Won;{a}" for i, a in enumerate(amounts + odd + odd)
    ]
    ds = load(("\n".join(lines) + "\n").encode(), "a.csv")
    assert ds.report.decimal == ","
    assert sorted(parsed) == sorted(odd)
    assert sorted(voted) == ["Rp 1.500,-", "n/a"]
    assert _bits(ds.table.column("amount").to_pylist()) == _bits([real_parse(a, ",") for a in amounts + odd + odd])


#: Decimal-comma amounts with rupiah thousands dots, and the odd values among them.
_AMOUNT_ROWS = [
    "1.234.567,89",
    "12500,5",
    "-0,5",
    "",
    "Rp 12.500.000,-",
    "1.234",
    "1..234",
    "1.23.456",
    "1.234,",
    ",5",
    "007",
    "(1.500,00)",
    "n/a",
    "1.234.567,891",
    "9" * 400,
    "12 500,5",
    "1.500,-",
    "-",
    "0001.000,5",
    "Rp1.500.000,50",
]


def test_a_decimal_comma_file_loads_and_reports_its_unreadable_amounts_as_before() -> None:
    """The values, the mark and the unreadable report, as the per-value import gave them."""
    lines = ["Sales Rep;Created Date;Stage;Amount"] + [
        f"Ana;{13 + i % 9}/01/2026;Closed Won;{a}" for i, a in enumerate(_AMOUNT_ROWS)
    ]
    ds = load(("\n".join(lines) + "\n").encode(), "a.csv")
    assert ds.report.decimal == ","
    expected = [parse_amount(a, ",") if a else None for a in _AMOUNT_ROWS]
    expected = [None if v is not None and abs(v) > importing.MAX_NUMBER else v for v in expected]
    assert _bits(ds.table.column("amount").to_pylist()) == _bits(expected)
    assert expected[:3] == [1234567.89, 12500.5, -0.5]
    [unreadable] = ds.report.unreadable
    assert unreadable.column == "Amount"
    assert unreadable.count == 8
    assert unreadable.example_lines == (8, 9, 10, 11, 14)
    assert unreadable.examples == ("1..234", "1.23.456", "1.234,", ",5", "n/a")
    assert unreadable.reason == "not an amount"


def test_a_weekly_log_with_decimal_commas_reads_its_counts_as_before() -> None:
    lines = [
        "Rep;Week;Appointments;Next Steps;Wins;Revenue",
        "Eko;2026-03-02;10;6;2;5.000,5",
        "Eko;2026-03-09;1.000;5;x;Rp 2.000",
        "Eko;2026-03-16;12,5;7;0;-0,0",
        "Eko;2026-03-23;;7;0;(1.000,25)",
    ]
    ds = load(("\n".join(lines) + "\n").encode(), "w.csv")
    assert ds.report.decimal == ","
    assert _bits(ds.table.column("appointments").to_pylist()) == _bits([10.0, 1000.0, 12.5])
    assert _bits(ds.table.column("wins").to_pylist()) == _bits([2.0, None, 0.0])
    assert _bits(ds.table.column("revenue").to_pylist()) == _bits([5000.5, 2000.0, -0.0])
    [unreadable] = ds.report.unreadable
    assert (unreadable.column, unreadable.example_lines, unreadable.examples) == ("Wins", (3,), ("x",))
    assert [(r.line, r.reason) for r in ds.report.set_aside] == [(5, "has no number of appointments")]
