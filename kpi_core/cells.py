"""Column operations on cell texts, for plain and dictionary-encoded Arrow string arrays alike.

The fast CSV path reads columns with few distinct values (reps, teams, stages, dates) straight
into dictionary arrays: a million rows of a date column are then ~700 distinct texts plus one
integer per row. Everything that reads or types a value does it once per distinct text here and
spreads the result over the rows with one ``take``, instead of once per row (Arrow's own kernels
on dictionary arrays decode every row first, about 100 times slower). Every function takes a
``pa.StringArray`` or a ``pa.DictionaryArray`` of strings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc


def is_encoded(arr: pa.Array) -> bool:
    """Whether the cells are a dictionary array."""
    return bool(pa.types.is_dictionary(arr.type))


def per_value(arr: pa.Array, fn: Callable[[pa.Array], pa.Array], *, encoded: bool = False) -> pa.Array:
    """``fn`` (a vectorised function of a string array) applied to every cell.

    For a dictionary array ``fn`` runs over the distinct texts only. A text result stays
    dictionary-encoded (a clean dictionary, each value once); any other type comes back plain,
    or with ``encoded`` as a dictionary array on the same codes (dates: one or two bytes a row
    instead of four). Such a dictionary may hold a value twice, or a missing value: count what
    is missing with :func:`null_count`, not ``Array.null_count``.
    """
    if not is_encoded(arr):
        return fn(arr)
    out = fn(arr.dictionary)
    if pa.types.is_string(out.type) or pa.types.is_large_string(out.type):
        if out.equals(arr.dictionary):
            return arr  # nothing changed (trimming a trimmed column): no pass over the rows
        return reencode(arr.indices, out)
    if encoded:
        return pa.DictionaryArray.from_arrays(arr.indices, out)
    if pa.types.is_boolean(out.type) and not out.null_count and not arr.indices.null_count:
        hits = pc.indices_nonzero(out)
        if len(hits) <= 1:  # true for one text at most (``""``, "won"): see :func:`_coded`
            return _coded(arr.indices, hits)
    return out.take(arr.indices)


def null_count(arr: pa.Array) -> int:
    """How many cells are missing; for a dictionary array, a missing code or a missing value
    (``Array.null_count`` counts only missing codes)."""
    if not is_encoded(arr):
        return int(arr.null_count)
    return int(arr.indices.null_count) + _rows_coded(arr, pc.is_null(arr.dictionary))


def _rows_coded(arr: pa.DictionaryArray, which: pa.Array) -> int:
    """How many rows hold a code whose dictionary value ``which`` marks (``which`` is one
    boolean per dictionary value)."""
    codes = pc.indices_nonzero(which)
    if not len(codes):
        return 0
    return int(pc.sum(_coded(arr.indices, codes)).as_py() or 0)


def _coded(indices: pa.Array, codes: pa.Array) -> pa.Array:
    """Which rows hold one of ``codes`` (positions in the dictionary; none: every row ``False``).
    One code (the usual ``""``, "won", a single unreadable date) is a plain comparison: several
    times faster than a set lookup per row, and six times faster than spreading a boolean per text
    over the rows with a ``take`` (2.5 ms against 16 ms at 5M rows)."""
    if len(codes) <= 1:
        return pc.equal(indices, pa.scalar(codes[0].as_py() if len(codes) else -1, indices.type))
    return pc.is_in(indices, value_set=codes.cast(indices.type))


def reencode(indices: pa.Array, values: pa.Array) -> pa.DictionaryArray:
    """``values.take(indices)`` as a dictionary array whose dictionary holds each value once."""
    encoded = pc.dictionary_encode(values)
    new_indices = encoded.indices.take(indices)
    return narrowed(pa.DictionaryArray.from_arrays(new_indices, encoded.dictionary))


def narrowed(arr: pa.Array) -> pa.Array:
    """A dictionary array with the smallest codes its dictionary needs (one byte per row for up
    to 127 texts, two for up to 32,767); any other array as is.

    pyarrow's CSV reader always gives four-byte codes: for a column of 40 reps that is three
    bytes a row of nothing (60 MB at five million rows, for each such column).
    """
    if not is_encoded(arr):
        return arr
    width = _code_type(len(arr.dictionary))
    if arr.indices.type == width:
        return arr
    return pa.DictionaryArray.from_arrays(arr.indices.cast(width), arr.dictionary)


def joined(parts: Sequence[pa.Array]) -> pa.Array:
    """The parts one after another, with the narrowest dictionary codes: plain arrays concatenated;
    dictionary arrays (each with its own dictionary, as pyarrow reads each block of a file)
    recoded into one shared dictionary (:class:`Codes`)."""
    if len(parts) == 1:
        return narrowed(parts[0])
    if not is_encoded(parts[0]):
        return pa.concat_arrays(parts)
    if any(p.indices.null_count for p in parts):  # not from the CSV reader (its cells are never null)
        return narrowed(pa.chunked_array(parts).unify_dictionaries().combine_chunks())
    codes = Codes(sum(len(p) for p in parts))
    codes.add(parts)
    return codes.array()


class Codes:
    """Dictionary arrays written one after another into one array with one shared dictionary and
    the narrowest codes, as a file's blocks are read.

    pyarrow gives every block of a file its own dictionary and four-byte codes. Each block's codes
    are translated through a small map straight into their place here, in one buffer of one or two
    bytes a row allocated from Arrow's memory pool. (Unifying at four bytes a row, then narrowing,
    then joining a file's parts allocated nine bytes a row; fresh memory is the dear part on the
    benchmark's machine: writing 100 MB a process has not touched yet took 16-370 ms.) The shared
    dictionary holds each text once, in the order the texts first appear; the codes are widened
    (a copy) only when it outgrows them. ``rows`` is the number of rows expected: more move the
    codes into a larger buffer (a copy), fewer leave the rest of the buffer unused.
    """

    def __init__(self, rows: int) -> None:
        self._values: pa.Array | None = None
        self._width = pa.int8()
        self._rows = 0
        self._buffer, self._out = self._allocate(max(rows, 0), self._width)

    @staticmethod
    def _allocate(rows: int, width: pa.DataType) -> tuple[pa.Buffer, np.ndarray]:
        buffer = pa.allocate_buffer(rows * width.bit_width // 8)
        return buffer, np.frombuffer(buffer, dtype=width.to_pandas_dtype())

    def add(self, blocks: Sequence[pa.DictionaryArray]) -> None:
        """Append ``blocks`` (dictionary arrays of strings without missing codes: a missing code
        raises ``ValueError``, it would have no place in the codes)."""
        if not blocks:
            return
        if any(b.indices.null_count for b in blocks):
            raise ValueError("a dictionary array with missing codes cannot be added to Codes")
        texts = (
            [b.dictionary for b in blocks] if self._values is None else [self._values, *(b.dictionary for b in blocks)]
        )
        self._values = pc.unique(pa.concat_arrays(texts))  # the known texts first, in their order
        width = _code_type(len(self._values))
        rows = self._rows + sum(len(b) for b in blocks)
        if width.bit_width > self._width.bit_width or rows > len(self._out):
            # Wider codes keep the rows expected; more rows than expected make room for a quarter more.
            buffer, grown = self._allocate(
                len(self._out) if rows <= len(self._out) else max(rows, len(self._out) * 5 // 4), width
            )
            grown[: self._rows] = self._out[: self._rows]
            self._buffer, self._out, self._width = buffer, grown, width
        for b in blocks:
            to_shared = pc.index_in(b.dictionary, value_set=self._values).to_numpy(zero_copy_only=False)
            # ``clip`` writes straight into the buffer (``raise`` would buffer a copy); every code
            # is in range, as ``from_arrays`` checks again in :meth:`array`.
            at = self._rows
            np.take(
                to_shared.astype(self._out.dtype),
                b.indices.to_numpy(zero_copy_only=False),
                out=self._out[at : at + len(b)],
                mode="clip",
            )
            self._rows += len(b)

    def array(self) -> pa.DictionaryArray:
        """The rows added so far, as one dictionary array (in a buffer of their size when the
        guess left more than a quarter of it unused)."""
        values = self._values if self._values is not None else pa.array([], pa.string())
        if len(self._out) > self._rows * 5 // 4:
            buffer, exact = self._allocate(self._rows, self._width)
            exact[:] = self._out[: self._rows]
            self._buffer, self._out = buffer, exact
        codes = pa.Array.from_buffers(self._width, self._rows, [None, self._buffer])
        return pa.DictionaryArray.from_arrays(codes, values)


def _code_type(size: int) -> pa.DataType:
    """The narrowest code type for a dictionary of ``size`` texts, with one code to spare (the
    rep-team count uses ``size`` itself as the code for "no team")."""
    for width in (pa.int8(), pa.int16(), pa.int32()):
        if size < 2 ** (width.bit_width - 1):
            return width
    return pa.int64()


def trimmed(arr: pa.Array) -> pa.Array:
    """Leading and trailing white space removed from every cell (the array itself when no cell
    has any)."""
    if not is_encoded(arr) and not _may_have_edge_space(arr):
        return arr
    return per_value(arr, pc.utf8_trim_whitespace)


#: Rows looked at a block at a time by :func:`_may_have_edge_space` (a few MB of scratch memory).
_EDGE_BLOCK = 1 << 18


def string_offsets(arr: pa.StringArray) -> npt.NDArray[np.int32]:
    """A plain string array's ``len + 1`` offsets into its bytes, read from its buffer (no copy;
    a slice's own)."""
    return np.frombuffer(arr.buffers()[1], np.int32, len(arr) + 1, arr.offset * 4)


def _may_have_edge_space(arr: pa.Array) -> bool:
    """Whether a cell may start or end with white space: whether any cell's first or last byte is
    a control or space byte, or not ASCII (Unicode spaces). Two bytes a cell, read straight from
    the array's buffers, instead of a trimmed copy of every text (IDs, amounts: the plain columns).

    An empty cell's "first" and "last" bytes are its neighbours' (or the first and last byte of
    all): bytes that are checked anyway, so the answer can only err towards trimming.
    """
    if not len(arr):
        return False
    if not pa.types.is_string(arr.type):
        return True
    offsets = string_offsets(arr)
    values = arr.buffers()[2]
    if values is None or offsets[-1] == offsets[0]:
        return False  # every cell empty
    data = np.frombuffer(values, np.uint8)
    for at in range(0, len(arr), _EDGE_BLOCK):
        block = offsets[at : at + _EDGE_BLOCK + 1]
        edges = np.concatenate((data.take(block[:-1], mode="clip"), data.take(block[1:] - 1, mode="clip")))
        if (edges <= 0x20).any() or (edges >= 0x7F).any():
            return True
    return False


def _empty_plain(arr: pa.Array) -> np.ndarray | None:
    """Which cells of a plain string array are ``""``, read from its offsets (a cell is empty when
    they do not move) instead of comparing every text: a tenth of the time. ``None`` for a
    dictionary array, another type, or missing cells (compared as texts instead)."""
    if is_encoded(arr) or arr.null_count or not pa.types.is_string(arr.type):
        return None
    if not len(arr):
        return np.zeros(0, dtype=bool)
    offsets = string_offsets(arr)
    return np.equal(offsets[1:], offsets[:-1])


def _booleans(mask: np.ndarray) -> pa.Array:
    """A NumPy boolean array as an Arrow one."""
    return pa.Array.from_buffers(pa.bool_(), len(mask), [None, pa.py_buffer(np.packbits(mask, bitorder="little"))])


def is_empty(arr: pa.Array) -> pa.Array:
    """Which cells are ``""``."""
    empty = _empty_plain(arr)
    if empty is not None:
        return _booleans(empty)
    return per_value(arr, lambda v: pc.equal(v, ""))


def has_empty(arr: pa.Array) -> bool:
    """Whether any cell is ``""`` (for a dictionary array: whether ``""`` is among its values)."""
    empty = _empty_plain(arr)
    if empty is not None:
        return bool(empty.any())
    return bool(pc.any(pc.equal(texts(arr), "")).as_py())


def count_empty(arr: pa.Array) -> int:
    """How many cells are ``""``."""
    if is_encoded(arr):
        return _rows_coded(arr, pc.equal(arr.dictionary, ""))
    empty = _empty_plain(arr)
    if empty is not None:
        return int(np.count_nonzero(empty))
    return int(pc.sum(pc.equal(arr, "")).as_py() or 0)


def nullable(arr: pa.Array) -> pa.Array:
    """Empty cells as missing values (the array as is when it has none)."""
    if is_encoded(arr):
        if not has_empty(arr):
            return arr
        empty = is_empty(arr)
        return pa.DictionaryArray.from_arrays(
            pc.if_else(empty, pa.scalar(None, arr.indices.type), arr.indices), arr.dictionary
        )
    plain = _empty_plain(arr)
    empty = pc.equal(arr, "") if plain is None else _booleans(plain)  # one pass both to decide and to mask
    if not pc.any(empty).as_py():
        return arr
    return pc.if_else(empty, pa.scalar(None, pa.string()), arr)


def distinct(arr: pa.Array) -> list[str]:
    """The distinct texts of the cells, in order of first appearance for plain arrays."""
    if is_encoded(arr):
        return [str(v) for v in arr.dictionary.take(pc.unique(arr.indices).drop_null()).to_pylist()]
    return [str(v) for v in pc.unique(arr).drop_null().to_pylist()]


def present(arr: pa.Array) -> pa.Array:
    """The non-empty cells as a plain string array; for a dictionary array each distinct text once.

    Checks that hold for every non-empty cell (``pc.all``, ``pc.any``) run over this instead of
    every row: an amount column is mostly empty, a date column mostly repeats. For a dictionary
    array these are its dictionary's texts: a :class:`RawTable`'s dictionaries hold only texts of
    its cells (the reader builds them from the cells; only an all-empty row, set aside, can leave
    ``""`` unused).
    """
    values = texts(arr)
    empty = _empty_plain(values)
    return values.filter(pc.not_equal(values, "") if empty is None else _booleans(~empty))


def texts(arr: pa.Array) -> pa.Array:
    """The texts to check a column by, without a copy: for a dictionary array its dictionary
    (each distinct text once; see :func:`present`), else every cell. Empty texts included: a
    check over them must hold, or be ignored, for ``""``."""
    return arr.dictionary if is_encoded(arr) else arr


def map_distinct(
    arr: pa.Array, fn: Callable[[str], object], out_type: pa.DataType, *, encoded: bool = False
) -> pa.Array:
    """``fn`` (a Python function of one text) applied once per distinct text, spread over the rows
    (``encoded``: as in :func:`per_value`, for cells that are dictionary-encoded already)."""
    codes = arr if is_encoded(arr) else arr.dictionary_encode()
    parsed = pa.array([fn(v) for v in codes.dictionary.to_pylist()], type=out_type)
    if pa.types.is_string(out_type):
        return reencode(codes.indices, parsed)
    if encoded and is_encoded(arr):
        return pa.DictionaryArray.from_arrays(codes.indices, parsed)
    return parsed.take(codes.indices)


def has_line_break(arr: pa.Array) -> bool:
    """Whether any cell holds a line break (``\\n`` or ``\\r``), read straight from the texts'
    bytes (for a dictionary array, its dictionary's). A sliced array's neighbours' bytes may be
    read too: the answer can only err towards ``True``."""
    values = texts(arr)
    if not len(values):
        return False
    if not pa.types.is_string(values.type):
        return bool(pc.any(pc.match_substring_regex(values, r"[\r\n]")).as_py())
    data = values.buffers()[2]
    if data is None:
        return False
    raw = np.frombuffer(data, np.uint8)
    return bool(np.count_nonzero(raw == ord("\n")) or np.count_nonzero(raw == ord("\r")))


def max_length(arr: pa.Array) -> int:
    """The longest cell, in bytes."""
    values = texts(arr)
    return int(pc.max(pc.binary_length(values)).as_py() or 0) if len(values) else 0
