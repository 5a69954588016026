"""kpi_core.cells gives the same answers for a column stored plain or dictionary-encoded."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_core import cells

texts = st.lists(
    st.sampled_from(["", " ", "Ana", " Ana", "Ana ", "Budi", "b\u00a0", "1.500", "2025-01-02"]), max_size=40
)


def _plain(arr: pa.Array) -> list[object]:
    return (arr.dictionary_decode() if pa.types.is_dictionary(arr.type) else arr).to_pylist()


@settings(max_examples=200, deadline=None)
@given(texts)
def test_every_operation_answers_the_same_for_plain_and_encoded_cells(values: list[str]) -> None:
    plain = pa.array(values, pa.string())
    encoded = plain.dictionary_encode()
    sliced = pa.array(["x", *values, ""], pa.string()).slice(1, len(values))  # read from the offsets too
    for arr in (plain, encoded, sliced):
        assert _plain(cells.trimmed(arr)) == [v.strip() for v in values]
        assert cells.is_empty(arr).to_pylist() == [v == "" for v in values]
        assert cells.has_empty(arr) == ("" in values)
        assert cells.count_empty(arr) == values.count("")
        assert _plain(cells.nullable(arr)) == [v or None for v in values]
        assert cells.distinct(arr) == list(dict.fromkeys(values))
        # Every non-empty cell, or (encoded) every distinct non-empty text once: the same checks hold.
        present = cells.present(arr).to_pylist()
        assert set(present) == {v for v in values if v}
        assert len(present) == (len(set(present)) if arr is encoded else len([v for v in values if v]))
        assert _plain(cells.map_distinct(arr, str.upper, pa.string())) == [v.upper() for v in values]
        assert cells.map_distinct(arr, len, pa.int64()).to_pylist() == [len(v) for v in values]
        assert cells.max_length(arr) == max((len(v.encode()) for v in values), default=0)
        # Lengths kept on the codes (as dates are): the same cells, and every missing one counted.
        kept = cells.per_value(arr, lambda v: pc.if_else(pc.equal(v, ""), None, pc.utf8_length(v)), encoded=True)
        assert kept.to_pylist() == [len(v) or None for v in values]
        assert cells.null_count(kept) == values.count("")
        dates = cells.map_distinct(arr, lambda v: len(v) or None, pa.int64(), encoded=True)
        assert pa.types.is_dictionary(dates.type) == (arr is encoded)
        assert dates.to_pylist() == [len(v) or None for v in values]
        assert cells.null_count(dates) == values.count("")
        blank = cells.map_distinct(arr, lambda v: len(v) if v.strip() else None, pa.int64(), encoded=True)
        assert cells.null_count(blank) == sum(1 for v in values if not v.strip())  # "" and " ": two codes
    trimmed = cells.trimmed(encoded)
    if pa.types.is_dictionary(trimmed.type):
        # " Ana", "Ana " and "Ana" are one value once trimmed: the dictionary holds each text once.
        assert len(trimmed.dictionary) == len(set(trimmed.dictionary.to_pylist()))


def test_a_per_value_function_that_changes_nothing_returns_the_column_itself() -> None:
    encoded = pa.array(["Ana", "Budi", "Ana"]).dictionary_encode()
    assert cells.trimmed(encoded) is encoded
    assert cells.per_value(encoded, lambda v: pc.equal(v, "Ana")).to_pylist() == [True, False, True]


def test_narrowed_codes_take_one_byte_up_to_127_texts_and_two_up_to_32767() -> None:
    for size, width in ((1, pa.int8()), (127, pa.int8()), (128, pa.int16()), (32767, pa.int16()), (32768, pa.int32())):
        values = [f"rep {i}" for i in range(size)] + [None] + ["rep 0"]
        encoded = pa.array(values).dictionary_encode()
        narrow = cells.narrowed(encoded)
        assert narrow.indices.type == width, size
        assert narrow.to_pylist() == values  # the cells, missing ones included, are unchanged
    plain = pa.array(["Ana"])
    assert cells.narrowed(plain) is plain


_EDGY = st.lists(st.text(alphabet="ab \t\u00a0\u3000\x1cé", max_size=4) | st.none(), max_size=30)


@settings(max_examples=300, deadline=None)
@given(_EDGY, st.integers(0, 5), st.sampled_from([1, 2, 3, 1 << 18]))
def test_a_plain_column_skips_trimming_only_when_no_cell_has_edge_space(
    values: list[str | None], skip: int, block: int
) -> None:
    """The two-bytes-a-cell check may only ever err towards trimming: the result is always what
    Arrow's trim gives, and the column itself comes back when that changes nothing."""
    arr = pa.array(values, pa.string()).slice(min(skip, len(values)))
    reference = pc.utf8_trim_whitespace(arr)
    saved, cells._EDGE_BLOCK = cells._EDGE_BLOCK, block
    try:
        out = cells.trimmed(arr)
    finally:
        cells._EDGE_BLOCK = saved
    assert out.to_pylist() == reference.to_pylist()
    if not reference.equals(arr):
        assert out is not arr
    # Nothing to trim anywhere in the buffer (a slice's neighbours included): no copy is made.
    if all(v is None or (v == v.strip(" \t\u00a0\u3000\x1c") and v.isascii()) for v in values):
        assert out is arr


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="a\n\r ,", max_size=4) | st.none(), max_size=12), st.integers(0, 4))
def test_a_line_break_is_found_in_plain_and_encoded_cells(values: list[str | None], skip: int) -> None:
    whole = pa.array(values, pa.string())
    arr = whole.slice(min(skip, len(values)))
    breaks = any(v and ("\n" in v or "\r" in v) for v in arr.to_pylist())
    anywhere = any(v and ("\n" in v or "\r" in v) for v in values)
    # A slice may report its neighbours' line breaks (erring towards the exact path), never miss its own.
    assert cells.has_line_break(arr) in ({True} if breaks else {False, anywhere})
    assert cells.has_line_break(arr.dictionary_encode()) == breaks


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from([f"t{i}" for i in range(150)] + ["", "é"]), max_size=60), min_size=1, max_size=6),
    st.booleans(),
)
def test_joined_recodes_every_block_into_one_narrow_dictionary(blocks: list[list[str]], with_null: bool) -> None:
    """Blocks read with their own dictionaries (as pyarrow's reader gives them) join into the same
    cells, one dictionary holding each text once, and codes only as wide as that dictionary needs."""
    parts = [pa.array(b, pa.string()).dictionary_encode() for b in blocks]
    expected = [v for b in blocks for v in b]
    if with_null:  # a missing code takes the general route
        parts.append(pa.array(["t1", None], pa.string()).dictionary_encode())
        expected += ["t1", None]
    out = cells.joined(parts)
    assert out.to_pylist() == expected
    assert len(out.dictionary) == len(set(out.dictionary.to_pylist()))
    distinct = len({v for v in expected if v is not None})
    assert out.indices.type == (pa.int8() if distinct < 128 else pa.int16())
    plain = cells.joined([pa.array(b, pa.string()) for b in blocks])
    assert plain.to_pylist() == [v for b in blocks for v in b]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from([f"t{i}" for i in range(300)] + ["", "é"]), max_size=60), min_size=1, max_size=8),
    st.lists(st.integers(1, 3), min_size=8, max_size=8),
    st.integers(0, 500),
)
def test_codes_added_part_by_part_equal_the_blocks_joined(
    blocks: list[list[str]], groups: list[int], guess: int
) -> None:
    """Blocks added a few at a time (as a file's parts are read), whatever the guessed row count
    (too few rows grow the buffer, too many leave it part unused) and however many texts arrive
    after the codes were chosen one byte wide: the same cells as all the blocks joined, one
    dictionary holding each text once, and codes only as wide as that dictionary needs."""
    parts = [pa.array(b, pa.string()).dictionary_encode() for b in blocks]
    codes = cells.Codes(guess)
    at = 0
    for size in groups:
        codes.add(parts[at : at + size])
        at += size
    codes.add(parts[at:])
    out = codes.array()
    expected = [v for b in blocks for v in b]
    assert out.to_pylist() == expected
    assert out.dictionary.to_pylist() == list(dict.fromkeys(expected))  # each text once, first seen first
    assert out.indices.type == (pa.int8() if len(set(expected)) < 128 else pa.int16())
    # A guess of too many rows does not stay allocated: at most a quarter more than the rows.
    assert out.indices.buffers()[1].size <= len(expected) * 5 // 4 * out.indices.type.bit_width // 8
    assert out.equals(cells.joined(parts))


def test_codes_refuse_a_missing_code() -> None:
    codes = cells.Codes(4)
    with pytest.raises(ValueError, match="missing codes"):
        codes.add([pa.array(["a", None], pa.string()).dictionary_encode()])


def test_codes_widen_in_place_of_the_rows_expected() -> None:
    """A dictionary that outgrows one-byte codes (dates: a file's first part may hold fewer than
    128) widens them without growing the room for rows, so the file's array needs no copy to trim it."""
    codes = cells.Codes(300)
    codes.add([pa.array([f"d{i % 100}" for i in range(150)]).dictionary_encode()])
    codes.add([pa.array([f"d{i}" for i in range(150)]).dictionary_encode()])
    assert codes._out.dtype == np.int16 and len(codes._out) == 300
    out = codes.array()
    assert out.indices.buffers()[1] is not None and out.indices.buffers()[1].size == 600  # no trim: 300 rows exactly
    assert out.to_pylist() == [f"d{i % 100}" for i in range(150)] + [f"d{i}" for i in range(150)]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["", "Won", "won", " won", "Lost", "Open"]), max_size=40),
    st.sampled_from(["", "won", "Won", "zzz"]),
    st.integers(0, 5),
    st.integers(0, 5),
)
def test_a_boolean_per_value_equals_the_function_on_every_cell(
    values: list[str], target: str, skip: int, cut: int
) -> None:
    """Booleans of the distinct texts spread over the rows (one code compared when one text at
    most is true; the take otherwise), for slices and for dictionaries that hold a text twice."""
    plain = pa.array(values, pa.string())
    encoded = plain.dictionary_encode()
    twice = pa.DictionaryArray.from_arrays(  # " won" trimmed to "won" beside "won": a text twice
        encoded.indices, pc.utf8_trim_whitespace(encoded.dictionary)
    )
    n = len(values)
    for arr in (encoded, twice):
        part = arr.slice(min(skip, n), max(0, n - skip - cut))
        cells_ = [v.strip() if arr is twice else v for v in values][min(skip, n) :][: max(0, n - skip - cut)]
        for fn, expected in (
            (lambda v: pc.equal(v, target), [c == target for c in cells_]),
            (lambda v: pc.is_in(v, value_set=pa.array(["won", "Lost"])), [c in ("won", "Lost") for c in cells_]),
        ):
            got = cells.per_value(part, fn)
            assert got.type == pa.bool_() and got.to_pylist() == expected
