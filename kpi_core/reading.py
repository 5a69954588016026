"""Read an uploaded file's bytes into text cells, row by row, with every row's line number.

CSV/TSV text goes through Python's ``csv`` module (after the encoding and delimiter are found);
Excel through python-calamine; Parquet through pyarrow. Nothing is typed here: dates and numbers stay
text until :mod:`kpi_core.typing` reads them with the formats the user confirmed.
"""

from __future__ import annotations

import array
import codecs
import contextlib
import csv
import datetime as dt
import io
import itertools
import logging
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from blake3 import blake3

from . import cells
from .errors import LimitExceededError, UnreadableFileError
from .model import RawTable, SetAsideRow


def _env_int(name: str, default: int, unit: str) -> int:
    """A limit from the environment variable ``name``: megabytes, returned in bytes, for ``unit``
    ``"MB"`` (``1.5`` is 1.5 MB), else a whole number of ``unit`` (rows, columns); ``default``
    when unset or empty.

    A value that is no number above 0 (``abc``, ``-5``, ``0``) is an operator's typo: the default
    is used and a warning says so in one sentence (the command line prints it on stderr, a
    server in its log); a silent fallback hid it, and ``0`` or ``-5`` refused every file."""
    scale = 1024 * 1024 if unit == "MB" else 1
    text = os.environ.get(name, "")
    if not text.strip():
        return default * scale
    try:
        value: float = float(text) if unit == "MB" else int(text)
    except ValueError:
        value = 0
    if 0 < value < float("inf"):
        return max(1, round(value * scale))
    what = "a number of megabytes" if unit == "MB" else f"a whole number of {unit}"
    using = f"{default:,} MB" if unit == "MB" else f"{default:,}"
    logging.getLogger(__name__).warning("%s=%r is not %s above 0; using %s.", name, text, what, using)
    return default * scale


@dataclass(frozen=True)
class Limits:
    """Caps that protect a shared server from one huge or hostile file."""

    max_bytes: int = _env_int("MAGIC_NUMBER_MAX_UPLOAD_MB", 200, "MB")
    max_rows: int = _env_int("MAGIC_NUMBER_MAX_ROWS", 6_000_000, "rows")
    max_columns: int = _env_int("MAGIC_NUMBER_MAX_COLUMNS", 500, "columns")
    max_field_chars: int = 1_000_000
    max_unzipped_bytes: int = _env_int("MAGIC_NUMBER_MAX_UNZIPPED_MB", 500, "MB")
    max_zip_ratio: int = 200


DEFAULT_LIMITS = Limits()
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Office file"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"BZh", "a bzip2-compressed file"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
)


def _size(n: int) -> str:
    """A byte count as the user reads it: ``'1.5 MB'``, ``'300 KB'``."""
    return f"{n / 1048576:,.1f} MB".replace(".0 MB", " MB") if n >= 1048576 else f"{max(1, round(n / 1024))} KB"


def sniff_format(content: bytes) -> str:
    """``"xlsx"``, ``"parquet"`` or ``"text"``, from the content (never from the file name)."""
    if content[:4] == b"PAR1":
        return "parquet"
    if content[:4] == b"PK\x03\x04":
        return "xlsx"
    for magic, what in _MAGIC:
        if content.startswith(magic):
            hint = (
                "unzip it and upload the spreadsheet inside"
                if "compressed" in what or "archive" in what
                else "save it as .xlsx or CSV and upload that"
                if "Excel" in what
                else "upload the CSV or Excel export of your pipeline instead"
            )
            raise UnreadableFileError(f"This file is {what}, not a spreadsheet; {hint}.")
    return "text"


def read_file(
    content: bytes,
    name: str = "upload",
    *,
    sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    sheet_score: Callable[[Sequence[str]], int] | None = None,
) -> RawTable:
    """Read any supported file into a :class:`RawTable`.

    ``sheet_score`` rates a sheet's header row, so that a workbook whose first sheet is a cover
    page opens on the sheet that holds the data; ``sheet`` forces one.
    """
    _check_size(len(content), name, limits)
    if not content[:4096].strip() and not content.strip():  # the full scan only when the start is blank
        raise UnreadableFileError(f"{name} is empty; export the pipeline again and upload the file with its rows.")
    fmt = sniff_format(content)
    if fmt == "parquet":
        raw = _read_parquet(content, name, limits)
    elif fmt == "xlsx":
        raw = _read_xlsx(content, name, sheet, limits, sheet_score)
    else:
        direct, tried = _utf8_direct(content, name, limits)
        if direct is not None:
            raw = direct
        else:
            decoded: list[str] = []
            text, encoding = decode_text(content, name, decoded)
            utf8 = content if encoding == "utf-8" and not decoded else None
            exact = tried and utf8 is not None  # the fast path said no to these very bytes
            raw = read_text(text, name, encoding=encoding, limits=limits, utf8=utf8, exact=exact, notes=decoded)
    return _with_rows(raw, name)


def read_path(
    path: Path,
    name: str | None = None,
    *,
    sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    sheet_score: Callable[[Sequence[str]], int] | None = None,
) -> tuple[RawTable, str]:
    """Read a file on disk into a :class:`RawTable`, with the :func:`content_hash` of its bytes.

    The same cells, lines and report as :func:`read_file` on the file's bytes, but a well-formed
    UTF-8 CSV is read by pyarrow straight from the disk and never held in memory whole (the
    command line's route: five million rows would otherwise hold 450 MB of bytes beside the
    table). Any other file is read into memory and goes through :func:`read_file`.
    """
    name = name or path.name
    _check_size(path.stat().st_size, name, limits)
    with _FileBytes(path) as source:
        head = source[:4096]
        if head.strip() and sniff_format(head) == "text":
            direct = _read_utf8_direct(source, name, limits)
            if direct is not None:
                return _with_rows(direct, name), source.content_hash()
    content = path.read_bytes()
    return read_file(content, name, sheet=sheet, limits=limits, sheet_score=sheet_score), content_hash(content)


def content_hash(data: bytes) -> str:
    """The cache key of a file's bytes: their BLAKE3 hash, computed on every CPU (BLAKE3 splits
    its input into a tree of chunks; the library lets go of the interpreter lock): 14 ms for a
    million rows instead of 33 ms for SHA-256 in two threads. A cryptographic hash, so two
    uploads that differ never share a key. :meth:`_FileBytes.content_hash` gives the same for the
    same bytes on the disk (BLAKE3 is the same whatever pieces it is fed in)."""
    return blake3(data, max_threads=blake3.AUTO).hexdigest()


def _check_size(size: int, name: str, limits: Limits) -> None:
    if size > limits.max_bytes:
        raise LimitExceededError(
            f"{name} is {_size(size)}, above the {_size(limits.max_bytes)} upload limit; "
            "filter the export to fewer rows or columns and upload again."
        )


def _with_rows(raw: RawTable, name: str) -> RawTable:
    if raw.data_rows == 0:
        where = f" (sheet '{raw.sheet}')" if raw.sheet else ""
        raise UnreadableFileError(
            f"{name}{where} has a header row but no data rows; export the pipeline again with its rows and upload that."
        )
    return raw


class _FileBytes:
    """A file's bytes, read from the disk in windows as the fast CSV path asks for them.

    It answers the few ``bytes`` operations that path uses (``len``, slicing, ``find``,
    ``rfind``, ``count``, ``startswith``, ``in``) exactly as the file's ``bytes`` would, holding
    at most one window (8 MB) at a time; :func:`_stream` hands pyarrow a range of the file itself.
    """

    _WINDOW = 8 << 20

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = open(path, "rb")  # noqa: SIM115 (closed by __exit__)
        self._size = os.fstat(self._file.fileno()).st_size
        self._scanned: tuple[str, dict[bytes, int], bool] | None = None
        self._arrow: pa.NativeFile | None = None

    def __enter__(self) -> _FileBytes:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()
        if self._arrow is not None:
            self._arrow.close()

    def stream(self, first: int, size: int) -> pa.NativeFile:
        """``self[first:first + size]`` as a pyarrow stream, read by pyarrow from the file itself."""
        if self._arrow is None:
            self._arrow = pa.OSFile(str(self.path))
        return self._arrow.get_stream(first, size)

    def __len__(self) -> int:
        return self._size

    def _read(self, start: int, end: int) -> bytes:
        return os.pread(self._file.fileno(), max(0, end - start), start) if end > start else b""

    def __getitem__(self, key: slice | int) -> Any:
        if isinstance(key, slice):
            start, end, step = key.indices(self._size)
            assert step == 1
            return self._read(start, end)
        at = key + self._size if key < 0 else key
        if not 0 <= at < self._size:
            raise IndexError("index out of range")
        return self._read(at, at + 1)[0]

    def _bounds(self, start: int, end: int | None) -> tuple[int, int]:
        return slice(start, end).indices(self._size)[:2]

    def _windows(self, start: int, end: int, overlap: int) -> Iterator[tuple[int, bytes]]:
        """``(offset, bytes)`` from ``start`` to ``end``; each window runs ``overlap`` bytes into
        the next, so that a match starting in one window is whole in it."""
        for at in range(start, end, self._WINDOW):
            yield at, self._read(at, min(end, at + self._WINDOW + overlap))

    def count(self, sub: bytes, start: int = 0, end: int | None = None) -> int:
        start, end = self._bounds(start, end)
        # A window counts the matches that start in it (``sub`` never overlaps itself here).
        return sum(w.count(sub) for _, w in self._windows(start, end, len(sub) - 1))

    def find(self, sub: bytes, start: int = 0, end: int | None = None) -> int:
        start, end = self._bounds(start, end)
        if sub in self._SCANNED:
            first = self._scan()[1][sub]  # the first in the whole file answers from there on
            if first < 0 or first >= start:
                return first if first >= 0 and first + len(sub) <= end else -1
        for at, window in self._windows(start, end, len(sub) - 1):
            found = window.find(sub)
            if found >= 0:
                return at + found
        return -1

    def rfind(self, sub: bytes, start: int = 0, end: int | None = None) -> int:
        start, end = self._bounds(start, end)
        for at in reversed(range(start, end, self._WINDOW)):
            found = self._read(at, min(end, at + self._WINDOW + len(sub) - 1)).rfind(sub)
            if found >= 0:
                return at + found
        return -1

    def startswith(self, prefix: bytes | tuple[bytes, ...]) -> bool:
        return self._read(0, 64).startswith(prefix)

    def __contains__(self, sub: bytes) -> bool:
        return self.find(sub) >= 0

    def isascii(self) -> bool:
        return self._scan()[2]

    #: Looked for in the one pass over the whole file (``_scan``), with the hash: a NUL byte sends
    #: the file to the general path, a quote decides how it is parsed.
    _SCANNED = (b"\x00", b'"')

    def _scan(self) -> tuple[str, dict[bytes, int], bool]:
        """The file's :func:`content_hash`, where each of ``_SCANNED`` first occurs (-1: nowhere)
        and whether every byte is ASCII, from one read of the file (separate passes took 0.3 s
        more at 450 MB)."""
        if self._scanned is None:
            first = dict.fromkeys(self._SCANNED, -1)
            hasher = blake3(max_threads=blake3.AUTO)
            ascii_only = True
            for at, window in self._windows(0, self._size, 0):
                ascii_only = ascii_only and window.isascii()
                for sub, found in first.items():
                    if found < 0 and (i := window.find(sub)) >= 0:
                        first[sub] = at + i
                hasher.update(window)
            self._scanned = hasher.hexdigest(), first, ascii_only
        return self._scanned

    def content_hash(self) -> str:
        return self._scan()[0]


def _stream(data: bytes | _FileBytes, first: int, size: int) -> Any:
    """``data[first:first + size]`` as a pyarrow input, without a copy."""
    if isinstance(data, _FileBytes):
        return data.stream(first, size)
    return pa.BufferReader(pa.py_buffer(data).slice(first, size))


# --- text -------------------------------------------------------------------------------------


def decode_text(content: bytes, name: str = "upload", notes: list[str] | None = None) -> tuple[str, str]:
    """Decode bytes as UTF-8 (BOM or not), UTF-16 (BOM, or NUL-interleaved) or Windows-1252.

    A UTF-8 file with a few lines in Windows-1252 (rows pasted in from an older export) is read
    line by line, each in its own encoding, and ``notes`` gets a sentence naming those lines: read
    whole as Windows-1252, every UTF-8 name of the file would be garbled ('DÃ©dÃ©').
    """
    if content.startswith(codecs.BOM_UTF8):
        return _decode(content, "utf-8-sig", name), "utf-8-sig"
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(content, "utf-16", name), "utf-16"
    head = content[:4000]
    if len(head) >= 4:
        even_nul = head[0::2].count(0) / len(head[0::2])
        odd_nul = head[1::2].count(0) / len(head[1::2])
        if odd_nul > 0.3 and even_nul < 0.05:
            return _decode(content, "utf-16-le", name), "utf-16-le"
        if even_nul > 0.3 and odd_nul < 0.05:
            return _decode(content, "utf-16-be", name), "utf-16-be"
    try:
        text, encoding = content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        mixed = _mixed_lines(content)
        if mixed is not None:
            text, encoding = mixed[0], "utf-8"
            if notes is not None:
                notes.append(_mixed_note(mixed[1]))
        else:
            try:
                text, encoding = content.decode("cp1252"), "windows-1252"
            except UnicodeDecodeError:
                text, encoding = content.decode("latin-1"), "latin-1"
    _refuse_binary(text, name)
    return text, encoding


def _mixed_lines(content: bytes) -> tuple[str, list[int]] | None:
    """The text of a file that is UTF-8 but for some lines, and those lines (numbered from 1);
    ``None`` unless some line holds UTF-8's multi-byte characters (else it is Windows-1252 whole)."""
    out: list[str] = []
    other: list[int] = []
    utf8 = False
    for number, line in enumerate(content.splitlines(keepends=True), start=1):
        try:
            out.append(line.decode("utf-8"))
            utf8 = utf8 or not line.isascii()
        except UnicodeDecodeError:
            try:
                out.append(line.decode("cp1252"))
            except UnicodeDecodeError:
                out.append(line.decode("latin-1"))
            other.append(number)
    return ("".join(out), other) if utf8 else None


def listed(items: Sequence[object], limit: int = 5) -> str:
    """The first ``limit`` items for a report's sentence, "..." when there are more: ``"3, 7, 9, ..."``.

    ``items`` need hold only ``limit + 1`` of them (a long array's first few, sliced)."""
    return ", ".join(str(x) for x in items[:limit]) + (", ..." if len(items) > limit else "")


def _mixed_note(lines: Sequence[int]) -> str:
    shown = listed(lines)
    one = len(lines) == 1
    return (
        f"The file is UTF-8 but for line{'' if one else 's'} {shown}, which {'was' if one else 'were'} read as "
        f"Windows-1252 (an older Excel's encoding); check the names on {'it' if one else 'them'}."
    )


def _decode(content: bytes, encoding: str, name: str) -> str:
    try:
        text = content.decode(encoding)
    except UnicodeDecodeError as err:
        raise UnreadableFileError(
            f"{name} starts like {encoding.upper()} text but byte {err.start} cannot be read in that encoding; "
            "save it again as UTF-8 CSV and upload that."
        ) from err
    _refuse_binary(text, name)
    return text


def _refuse_binary(text: str, name: str) -> None:
    sample = text[:20000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    if sample and controls / len(sample) > 0.01:
        raise UnreadableFileError(
            f"{name} contains binary data, not text; upload the CSV or Excel export of your pipeline instead."
        )


#: Excel's first line naming the delimiter of the lines after it.
_SEP_HINT = re.compile(r"\A\ufeff?sep=(.)\r?\n")


def detect_delimiter(text: str) -> str:
    """The delimiter among ``, ; tab |`` that splits the first lines into the most consistent columns."""
    hint = _SEP_HINT.match(text)
    if hint and hint.group(1) in DELIMITERS:
        return hint.group(1)  # Excel's "sep=;" first line
    sample = text[:65536]
    cut = max(sample.rfind("\n"), sample.rfind("\r"))
    if cut > 0 and len(text) > len(sample):
        sample = sample[:cut]
    best, best_score = ",", (-1, -1)
    for delim in DELIMITERS:
        try:
            rows = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delim) if r]
        except csv.Error:
            continue
        if not rows:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        consistent = sum(1 for r in rows[:200] if len(r) == width)
        score = (consistent, width)
        if score > best_score:
            best, best_score = delim, score
    return best


def read_text(
    text: str,
    name: str = "upload",
    *,
    encoding: str | None = "utf-8",
    delimiter: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    utf8: bytes | None = None,
    exact: bool = False,
    notes: Sequence[str] = (),
) -> RawTable:
    """Parse delimited text: the first non-blank record is the header; every later record is a data row.

    A well-formed file (every record on one line with the header's field count) goes through
    pyarrow's multi-threaded CSV reader, where line numbers follow from row positions; anything
    else (uneven rows, quoted newlines, NUL bytes, huge fields) through Python's ``csv`` module,
    which tracks each record's starting line. ``exact=True`` forces the second path (tests
    compare the two). ``notes``: what the decoding had to say.
    """
    notes = list(notes)
    if "\x00" in text:
        count = text.count("\x00")
        text = text.replace("\x00", "")
        notes.append(f"{count:,} NUL character{'s were' if count > 1 else ' was'} removed from the text.")
        utf8 = None
    delim = delimiter or detect_delimiter(text)
    csv.field_size_limit(limits.max_field_chars)
    file_format = "csv" if delim != "\t" else "tsv"
    header, header_line, above = _header(text, delim, name, limits)
    notes.extend(above)
    _check_columns(header, name, limits)
    if not exact:
        data = utf8 if utf8 is not None else text.encode("utf-8")
        fast = _fast_raw(data, header, header_line, delim, limits, name, encoding, notes, check_utf8=False)
        if fast is not None:
            return fast
    lines = _WideRows(text, delim, limits.max_columns, name)
    reader = csv.reader(lines, delimiter=delim, strict=False)
    blank = 0
    last: tuple[int, list[str]] | None = None
    wide: list[SetAsideRow] = []
    width = len(_trim_header(header))

    def rows() -> Iterator[tuple[int, list[str]]]:
        # Streamed into _build: a row of the wrong width is let go as soon as it is set aside.
        nonlocal blank, last
        for line, record in _records_with_lines(reader, name, limits, lines):
            if line <= header_line:
                continue
            if not record:
                if line in lines.wide:
                    wide.append(
                        SetAsideRow(line, f"has more than {limits.max_columns} fields but the header has {width}")
                    )
                else:
                    blank += 1
                continue
            last = (line, record)
            yield last

    raw = _build(
        header,
        rows(),
        name=name,
        file_format=file_format,
        encoding=encoding,
        delimiter=delim,
        limits=limits,
        notes=tuple(notes),
    )
    if last is not None and _ends_inside_quotes(text, *last):
        raise UnreadableFileError(
            f"{name}: the quote opened in the row on line {last[0]} is never closed, so the rest of the file "
            "reads as one value; close or remove that quote and upload again."
        )
    if wide:
        raw = replace(raw, set_aside=tuple(sorted((*raw.set_aside, *wide), key=lambda r: r.line)))
    if blank:
        raw = replace(raw, notes=(*raw.notes, _blank_note(blank)))
    return raw


#: The exact path hands the csv module a text this many characters at a time (:func:`_text_lines`).
_LINES_PIECE = 1 << 20


def _text_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their line breaks, as ``io.StringIO(text, newline="")`` gives
    them, a megabyte at a time: StringIO holds the whole text at four bytes a character (760 MB
    for a 190 MB file). A line longer than a piece is given as it is."""
    start, end = 0, len(text)
    while start < end:
        cut = text.rfind("\n", start, start + _LINES_PIECE) + 1
        if cut > start:
            yield from io.StringIO(text[start:cut], newline="")
        else:
            cut = text.find("\n", start) + 1 or end
            line = text[start:cut]
            if "\r" in (line[:-2] if line.endswith("\r\n") else line[:-1]):  # lone carriage returns end lines too
                yield from io.StringIO(line, newline="")
            else:
                yield line
        start = cut


_QUOTED_REST = re.compile(r'[^"]*(?:""[^"]*)*')


class _WideRows:
    """The lines of a text for the csv module, stopping a record of more than ``limit`` fields
    before the csv module splits it: one line of 63 million fields held 7 GB of Python strings,
    and the interpreter for 16 s (every other session froze).

    A record's delimiters are counted as its lines pass (in C: one more is an upper bound of its
    fields); only past the limit are its fields counted as the csv module counts them, quotes and
    all. A record of one line without a quote that has too many reaches the csv module as a blank
    line and its line joins ``wide`` (its row is set aside); any other is refused. The reader of
    the records sets ``at_start`` as each record ends.
    """

    def __init__(self, text: str, delim: str, limit: int, name: str) -> None:
        self.text, self.delim, self.limit, self.name = text, delim, limit, name
        self.at_start = True
        self.wide: set[int] = set()

    def __iter__(self) -> Iterator[str]:
        delim, limit = self.delim, self.limit
        bound, first = 0, 0  # the current record's delimiters and first line
        record: list[str] = []  # ... and its lines so far
        counted: tuple[bool, int] | None = None  # (inside a quote, fields) once counted as the csv module does
        for number, line in enumerate(_text_lines(self.text), start=1):
            if self.at_start:
                self.at_start, bound, first, counted = False, 0, number, None
                record.clear()
            if counted is None:
                bound += line.count(delim)
                if bound < limit:
                    record.append(line)
                    yield line
                    continue
                counted = (False, 1)
                for earlier in record:
                    counted = _count_fields(earlier, delim, *counted, limit)
            counted = _count_fields(line, delim, *counted, limit)
            if counted[1] > limit:
                if number == first and '"' not in line:
                    self.wide.add(number)
                    yield "\n"
                    continue
                raise LimitExceededError(
                    f"{self.name}: the row starting on line {first} has more than {limit:,} fields, above the limit of "
                    f"{limit:,} columns; fix that row and upload again."
                )
            yield line


def _count_fields(line: str, delim: str, inside: bool, fields: int, limit: int) -> tuple[bool, int]:
    """Where a record stands after one more of its lines, as Python's csv module (not strict, ``"``
    quotes, doubled to escape) reads it: whether the line ends inside a quoted value, and the
    record's fields so far. Counting stops past ``limit``."""
    if not inside and '"' not in line:
        return False, fields + line.count(delim)
    pos, end = 0, len(line)
    while fields <= limit:
        if inside:
            pos = _QUOTED_REST.match(line, pos).end()  # type: ignore[union-attr]  # it always matches, if only ""
            if pos >= end:
                return True, fields
            pos, inside = pos + 1, False  # past the closing quote; the value runs on to the delimiter
        elif line.startswith('"', pos):
            pos, inside = pos + 1, True
            continue
        found = line.find(delim, pos)
        if found < 0:
            break
        fields, pos = fields + 1, found + 1
    return False, fields


def _blank_note(blank: int) -> str:
    if blank == 1:
        return "1 blank line was skipped (it is not a data row)."
    return f"{blank:,} blank lines were skipped (they are not data rows)."


def _ends_inside_quotes(text: str, line: int, record: Sequence[str]) -> bool:
    """Whether the file's last record, starting on ``line``, ran to the end of the file inside a quote.

    Python's csv module (not strict) silently closes such a quote at the end of the file, taking
    every later line into one field; an odd number of quote characters from ``line`` on shows it.
    """
    if not any("\n" in cell or "\r" in cell for cell in record):
        return False
    lines = io.StringIO(text, newline="")
    for _ in range(line - 1):
        lines.readline()
    return lines.read().count('"') % 2 == 1


def _fast_raw(
    data: bytes | _FileBytes,
    header: Sequence[str],
    header_line: int,
    delim: str,
    limits: Limits,
    name: str,
    encoding: str | None,
    notes: list[str],
    *,
    check_utf8: bool,
) -> RawTable | None:
    """The :class:`RawTable` of the fast path, or ``None`` when the file needs the exact path."""
    fast = _read_fast(data, header, header_line, delim, limits, name, check_utf8=check_utf8)
    if fast is None:
        return None
    table, lines, set_aside, blank_lines = fast
    if blank_lines:
        notes = [*notes, _blank_note(blank_lines)]
    headers, header_notes = _clean_headers(_trim_header(header))
    return RawTable(
        headers=headers,
        table=table,
        lines=lines,
        set_aside=set_aside,
        file_format="csv" if delim != "\t" else "tsv",
        encoding=encoding,
        delimiter=delim,
        notes=(*header_notes, *notes),
    )


_SAMPLE_BYTES = 1 << 20


def _read_utf8_direct(content: bytes | _FileBytes, name: str, limits: Limits) -> RawTable | None:
    """A well-formed UTF-8 file read from its bytes, without a decoded copy of the whole file.

    Only the first megabyte is decoded (to find the delimiter and the header); pyarrow checks the
    rest is UTF-8 as it reads. ``None`` sends the file to the general path (other encodings, NUL
    bytes, anything irregular), which reads it exactly as before.
    """
    return _utf8_direct(content, name, limits)[0]


def _utf8_direct(content: bytes | _FileBytes, name: str, limits: Limits) -> tuple[RawTable | None, bool]:
    """:func:`_read_utf8_direct`'s table, and whether the fast path read all of ``content`` to
    find it needs the exact path (then trying it again on the same bytes only repeats that)."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in content:
        return None, False
    bom = content.startswith(codecs.BOM_UTF8)
    head = content[len(codecs.BOM_UTF8) if bom else 0 : _SAMPLE_BYTES]
    cut = max(head.rfind(b"\n"), head.rfind(b"\r"))
    if len(content) > _SAMPLE_BYTES:
        if cut < 0:
            return None, False
        head = head[: cut + 1]
    try:
        sample = head.decode("utf-8")
    except UnicodeDecodeError:
        return None, False
    _refuse_binary(sample, name)
    delim = detect_delimiter(sample)
    csv.field_size_limit(limits.max_field_chars)
    header, header_line, above = _header(sample, delim, name, limits)
    if len(content) > _SAMPLE_BYTES and _line_count(head) <= header_line:
        return None, False  # the header does not end inside the sample
    _check_columns(header, name, limits)
    encoding = "utf-8-sig" if bom else "utf-8"
    return _fast_raw(content, header, header_line, delim, limits, name, encoding, above, check_utf8=True), True


def _header(text: str, delim: str, name: str, limits: Limits) -> tuple[list[str], int, list[str]]:
    """The header record, the line it starts on, and what the report says of the lines above it.

    The header is the first record filling more than half as many cells as the typical one of the
    first records: a report's title lines above it ("Laporan Penjualan - Januari 2026",
    "Printed: 01/02/2026") and Excel's delimiter hint ``sep=;`` name one or two, and are skipped.
    """
    reader = csv.reader(io.StringIO(text[: 4 * limits.max_field_chars], newline=""), delimiter=delim, strict=False)
    first: list[tuple[int, list[str]]] = []
    for line, record in _records_with_lines(reader, name, limits):
        if any(cell.strip() for cell in record):
            first.append((line, record))
        if len(first) >= _HEADER_LOOKAHEAD:
            break
    if not first:
        raise UnreadableFileError(f"{name} has no header row; the first line should name the columns.")
    at = _header_at([r for _, r in first])
    line, record = first[at if at is not None else 0]
    above = [(n, _line_text(r, delim)) for n, r in first if n < line]
    return record, line, _above_note(line, above)


def _header_at(rows: Sequence[Sequence[str]], least: int = 1) -> int | None:
    """Which of the first non-blank rows is the header: the first not shaped like a title.

    A title line ("Laporan Penjualan - Januari 2026", "Periode: | Januari 2026", ``sep=;``) fills
    at most two cells, at the row's start, and reaches at most half as far as the typical row (the
    median: rows of extra fields further down do not make the header a title). A header that
    leaves some columns unnamed (``Rep,,,Created Date``) still reaches its last column. The
    header fills at least ``least`` cells.
    """
    filled = [sum(1 for c in r if c.strip()) for r in rows]
    reach = [max((i + 1 for i, c in enumerate(r) if c.strip()), default=0) for r in rows]
    typical = sorted(reach)[len(reach) // 2] if reach else 0
    return next(
        (i for i, r in enumerate(reach) if filled[i] >= least and (filled[i] > _TITLE_CELLS or 2 * r > typical)),
        None,
    )


#: A title line above the header fills at most this many cells ("Periode:", "Januari 2026").
_TITLE_CELLS = 2


def _above_note(line: int, above: Sequence[tuple[int, str]]) -> list[str]:
    """The report's sentence on the lines above the header (numbered, with their text), if any."""
    if not above:
        return []
    lines = f"line {above[0][0]}" if above[0][0] == line - 1 else f"lines {above[0][0]}-{line - 1}"
    shown = "', '".join(_short(text) for _, text in above[:2]) + ("', ..." if len(above) > 2 else "'")
    one = above[0][0] == line - 1
    return [
        f"The header row is on line {line}; {lines} above it ('{shown}) "
        + ("names no columns and was skipped." if one else "name no columns and were skipped.")
    ]


#: How many records :func:`_header` compares to find the header.
_HEADER_LOOKAHEAD = 20


def _line_text(record: Sequence[str], delim: str) -> str:
    text = delim.join(record).rstrip(delim).strip()
    return text + delim if text == "sep=" else text


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _trim_header(header: Sequence[str]) -> list[str]:
    """Trailing empty header cells (spreadsheet padding) are not columns."""
    out = list(header)
    while out and not str(out[-1]).strip():
        out.pop()
    if not out:
        raise UnreadableFileError("The file has no header row; the first line should name the columns.")
    return out


def _check_columns(header: Sequence[str], name: str, limits: Limits) -> None:
    width = len(_trim_header(header))
    if width > limits.max_columns:
        raise LimitExceededError(
            f"{name} has {width} columns, above the limit of {limits.max_columns}; "
            "export only the columns you need and upload again."
        )


def _content_end(data: bytes | _FileBytes, start: int) -> int:
    """Where the text ends: the end of ``data`` less its trailing line breaks."""
    end = len(data)
    while end > start:
        window = data[max(start, end - 65536) : end]
        kept = len(window.rstrip(b"\r\n"))
        if kept:
            return end - len(window) + kept
        end -= len(window)
    return start


def _line_count(data: bytes | _FileBytes, start: int = 0, end: int | None = None) -> int:
    """Physical lines in ``data[start:end]`` (no copy), counting ``\\n``, ``\\r\\n`` and a lone ``\\r``
    as one line ending each."""
    end = len(data) if end is None else end
    ends = data.count(b"\n", start, end)
    if data.find(b"\r", start, end) >= 0:
        ends += data.count(b"\r", start, end) - data.count(b"\r\n", start, end)
    return ends + (0 if end > start and data[end - 1 : end] in (b"\n", b"\r") else 1)


def _read_fast(
    data: bytes | _FileBytes,
    header: Sequence[str],
    header_line: int,
    delim: str,
    limits: Limits,
    name: str,
    *,
    check_utf8: bool = False,
) -> tuple[pa.Table, pa.Array, tuple[SetAsideRow, ...], int] | None:
    """Read a well-formed UTF-8 file with pyarrow; ``None`` when it needs the exact line-by-line path.

    ``check_utf8`` makes pyarrow verify the encoding (bytes that were not decoded first), unless
    every byte is ASCII: then the bytes are UTF-8 already, and finding that out takes a fifth of
    pyarrow's check (8 ms instead of 40 for a million rows).
    """
    check_utf8 = check_utf8 and not data.isascii()
    if header != _trim_header(header) or len(header) < 2:
        return None
    # Offsets into the upload's bytes, never copies of them: ``data[start:end]`` is the text
    # from after a byte-order mark to the last character before trailing line breaks.
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    end = _content_end(data, start)
    trailing_blank = _line_count(data, end) - 1 if end != len(data) else 0
    # Without a quote character no value can hold a line break: every line is a row, pyarrow may
    # cut the file into blocks at any line end (in parallel: 0.3 s instead of 0.5 s for a million
    # rows), and so may the parts below. With one, pyarrow must find the rows itself, following
    # the quotes (a block cut inside a quoted value reads as two rows of plausible width), and
    # rows equal lines unless a value holds a line break: then the exact path takes over, to give
    # each row its first line. That is checked on the cells read (below), not by counting the
    # file's lines (0.2 s for a million CRLF lines); lines are counted only when lines before the
    # header are skipped. A header holding a line break goes to the exact path: pyarrow skips the
    # header's first line only, and its second can read as a data row of the right width.
    if any("\n" in name or "\r" in name for name in header):
        return None
    quoted = data.find(b'"', start, end) >= 0
    total = _line_count(data, start, end) if header_line > 1 else None
    if total is not None and total - header_line > limits.max_rows:
        raise _too_many_rows(name, limits)
    names = [f"c{i}" for i in range(len(header))]
    invalid = 0

    def on_invalid(row: object) -> str:
        nonlocal invalid  # counted, not kept: a row's text can be megabytes
        invalid += 1
        return "skip"

    def read(first: int, size: int, types: dict[str, pa.DataType], handler: Any, skip: int = header_line) -> pa.Table:
        return pacsv.read_csv(
            _stream(data, first, size),
            read_options=pacsv.ReadOptions(skip_rows=skip, column_names=names, block_size=_BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(
                delimiter=delim,
                quote_char='"',
                double_quote=True,
                newlines_in_values=quoted,
                ignore_empty_lines=False,
                invalid_row_handler=handler,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=check_utf8,
            ),
        )

    # A file without quotes is read in parts of about ``_PART_BYTES``, cut at line ends. Each
    # part's dictionary-encoded columns go straight into one array per column of the narrowest
    # codes (:class:`cells.Codes`) before the next part is read, so that the whole file is never
    # held with four-byte codes (5M rows: 255 MB instead of 139). Plain columns keep their blocks
    # until the end, then are joined once (joining each part, then the parts, copied them twice).
    types = _column_types(data, start, end, names, read)
    codes: dict[int, cells.Codes] = {}
    blocks: dict[int, list[pa.Array]] = {}
    rows, first, expected = 0, start, 0
    try:
        while first < end:
            cut = data.find(b"\n", first + _PART_BYTES, end) if end - first > _PART_BYTES and not quoted else -1
            last = end if cut < 0 else cut + 1
            table = read(first, last - first, types, on_invalid, header_line if first == start else 0)
            if first == start:  # the whole file's rows, guessed from the first part's (and a tenth more)
                expected = (
                    table.num_rows if last == end else table.num_rows * (end - start) * 11 // (10 * (last - start))
                )
            rows += table.num_rows
            if rows > limits.max_rows:
                raise _too_many_rows(name, limits)
            for i, column_name in enumerate(names):
                column = table.column(column_name)
                table = table.drop_columns([column_name])  # a dictionary column's blocks go as they are recoded
                if pa.types.is_dictionary(column.type):
                    codes.setdefault(i, cells.Codes(expected)).add(column.chunks)
                else:
                    blocks.setdefault(i, []).extend(column.chunks)
                del column
            first = last
    except (pa.ArrowInvalid, pa.ArrowException, ValueError):
        return None  # ValueError: a missing dictionary code, which the reader never gives
    if invalid or (total is not None and rows + header_line != total):
        return None
    columns = []
    for i in range(len(names)):
        if not rows:
            columns.append(pa.array([], pa.string()))
        elif i in codes:
            columns.append(codes.pop(i).array())
        else:
            columns.append(cells.joined(blocks.pop(i)))  # each column's blocks go as it is joined
    if end - start > limits.max_field_chars and any(cells.max_length(c) > limits.max_field_chars for c in columns):
        return None  # the exact path counts characters and names the line
    if quoted and total is None and any(cells.has_line_break(c) for c in columns):
        return None  # a row spans lines: the exact path gives each row its first line
    columns = [cells.trimmed(c) for c in columns]
    lines = pa.array(np.arange(header_line + 1, header_line + 1 + rows, dtype=np.int32))
    set_aside: tuple[SetAsideRow, ...] = ()
    # A row is empty when every cell is; a column without any empty cell settles it for the file.
    if columns and all(cells.has_empty(c) for c in columns):
        empty = cells.is_empty(columns[0])
        for c in columns[1:]:
            empty = pc.and_(empty, cells.is_empty(c))
        if pc.any(empty).as_py():
            if any(data.find(pair, start, end) >= 0 for pair in (b"\n\n", b"\r\r", b"\n\r")):
                return None  # a blank line reads as a row of empty cells here; the exact path tells them apart
            set_aside = tuple(SetAsideRow(int(x), "is empty") for x in lines.filter(empty).to_pylist())
            keep = pc.invert(empty)
            columns, lines = [c.filter(keep) for c in columns], lines.filter(keep)
    return pa.table(dict(zip(names, columns, strict=True))), lines, set_aside, trailing_blank


#: pyarrow parses blocks of this size in parallel.
_BLOCK_BYTES = 8 << 20
#: ... in parts of this size, each part's columns narrowed before the next is read.
_PART_BYTES = 128 << 20


#: A column of a file of at least ``_ENCODE_FROM_BYTES`` is read dictionary-encoded when the
#: rows of its first ``_SAMPLE_BYTES`` hold at most ``_ENCODE_SHARE`` distinct texts per row.
_ENCODE_FROM_BYTES = 1 << 20
_ENCODE_SHARE = 0.2
#: ... unless a probe of ``_PROBE_BYTES`` further on holds more than ``_PROBE_SHARE`` distinct
#: texts per row (a probe has fewer rows, so a column of dates repeats less in it).
_PROBE_BYTES = 256 << 10
_PROBE_SHARE = 0.5


def _column_types(
    data: bytes | _FileBytes, start: int, end: int, names: Sequence[str], read: Callable[..., pa.Table]
) -> dict[str, pa.DataType]:
    """Per column, plain text or dictionary-encoded text, from samples of the file's rows.

    Reps, teams, stages, outcomes and dates repeat a few hundred texts over millions of rows;
    read dictionary-encoded they take a tenth of the memory and are typed once per distinct text.
    IDs and amounts (mostly distinct) stay plain, where a dictionary would only cost time. The
    first megabyte decides; two smaller probes, from the middle and the end, overrule it for a
    column that only starts to vary later (notes left empty in older rows). Either way the cells
    read the same; only the time and memory differ.
    """
    plain = dict.fromkeys(names, pa.string())
    if end - start < _ENCODE_FROM_BYTES:
        return plain  # a small file: either way is instant
    cut = data.rfind(b"\n", start, min(end, start + _SAMPLE_BYTES))
    if cut < 0:
        return plain
    try:
        sample = read(start, cut - start, plain, lambda row: "skip")
    except (pa.ArrowInvalid, pa.ArrowException):
        return plain
    probes = []
    for at in (start + (end - start) // 2, end - _PROBE_BYTES):
        first = data.find(b"\n", max(at, cut + 1), end) + 1  # the start of a line (a probe that
        last = data.rfind(b"\n", first, min(end, first + _PROBE_BYTES))  # lands in a quote fails)
        if first <= 0 or last <= first:
            continue
        with contextlib.suppress(pa.ArrowInvalid, pa.ArrowException):
            probes.append(read(first, last - first, plain, lambda row: "skip"))

    def repeats(name: str) -> bool:
        rows = sample.num_rows
        if not rows or len(pc.unique(sample.column(name))) > _ENCODE_SHARE * rows:
            return False
        return all(len(pc.unique(p.column(name))) <= _PROBE_SHARE * p.num_rows for p in probes if p.num_rows)

    encoded = pa.dictionary(pa.int32(), pa.string())
    return {n: encoded if repeats(n) else pa.string() for n in names}


def _too_many_rows(name: str, limits: Limits) -> LimitExceededError:
    return LimitExceededError(
        f"{name} has more than {limits.max_rows:,} data rows, above the row limit; "
        "filter the export to a shorter period and upload again."
    )


def _records_with_lines(
    reader: Any, name: str, limits: Limits, lines: _WideRows | None = None
) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(starting line, record)``; a csv error becomes one clear sentence. ``lines``: the
    reader's lines, told where each record ends."""
    previous_end = 0
    try:
        for record in reader:
            if lines is not None:
                lines.at_start = True
            yield previous_end + 1, record
            previous_end = reader.line_num
    except csv.Error as err:
        line = previous_end + 1
        if "field larger than field limit" in str(err):
            raise LimitExceededError(
                f"{name}: the row starting on line {line} has a field longer than {limits.max_field_chars:,} characters, "
                "usually an unclosed quote; fix that line and upload again."
            ) from err
        raise UnreadableFileError(
            f"{name}: line {line} cannot be read as CSV ({err}); fix that line and upload again."
        ) from err


# --- shared row handling ------------------------------------------------------------------------


def _clean_headers(header: Sequence[str]) -> tuple[tuple[str, ...], list[str]]:
    """Trim headers, name blank ones ``Column N`` and number duplicates ``Name (2)``."""
    notes: list[str] = []
    seen: dict[str, int] = {}
    out: list[str] = []
    for i, raw in enumerate(header, start=1):
        h = " ".join(str(raw).replace("\ufeff", "").split())
        if not h:
            h = f"Column {i}"
            notes.append(f"Column {i} has no header; it is called '{h}'.")
        key = h.casefold()
        if key in seen:
            seen[key] += 1
            new = f"{h} ({seen[key]})"
            notes.append(f"The header '{h}' appears more than once; the later one is called '{new}'.")
            h = new
        else:
            seen[key] = 1
        out.append(h)
    return tuple(out), notes


def _build(
    header: Sequence[str],
    rows: Iterable[tuple[int, Sequence[str]]],
    *,
    name: str,
    file_format: str,
    limits: Limits,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    sheets: tuple[str, ...] = (),
    notes: tuple[str, ...] = (),
    native_numbers: frozenset[str] = frozenset(),
    native_dates: frozenset[str] = frozenset(),
) -> RawTable:
    """Rows of cell texts into a :class:`RawTable`; rows of the wrong width or all empty are set aside."""
    trimmed = _trim_header(header)
    _check_columns(trimmed, name, limits)
    headers, header_notes = _clean_headers(trimmed)
    width = len(headers)
    kept: list[Sequence[str]] = []
    lines: list[int] = []
    set_aside: list[SetAsideRow] = []
    count = 0
    for line, record in rows:
        count += 1
        if count > limits.max_rows:
            raise _too_many_rows(name, limits)
        n = len(record)
        if n > width and not any(str(c).strip() for c in record[width:]):
            record = record[:width]
            n = width
        if n != width:
            set_aside.append(SetAsideRow(line, f"has {n} field{'s' if n != 1 else ''} but the header has {width}"))
            continue
        if not any(str(c).strip() for c in record):
            set_aside.append(SetAsideRow(line, "is empty"))
            continue
        kept.append(record)
        lines.append(line)
    columns = list(zip(*kept, strict=True)) if kept else [() for _ in headers]
    table = pa.table(
        {f"c{i}": pc.utf8_trim_whitespace(pa.array(col, type=pa.string())) for i, col in enumerate(columns)}
    )
    originals = {h: _orig(h, trimmed) for h in headers}
    return RawTable(
        headers=headers,
        table=table,
        lines=pa.array(lines, type=pa.int32()),
        set_aside=tuple(set_aside),
        file_format=file_format,
        encoding=encoding,
        delimiter=delimiter,
        sheet=sheet,
        sheets=sheets,
        native_numbers=frozenset(h for h in headers if originals[h] in native_numbers),
        native_dates=frozenset(h for h in headers if originals[h] in native_dates),
        notes=tuple(header_notes) + notes,
    )


def _orig(clean: str, original: Sequence[str]) -> str:
    for raw in original:
        if " ".join(str(raw).split()) == clean:
            return str(raw)
    return clean


def cell_text(value: Any) -> str:
    """A typed spreadsheet/Parquet cell as text: ISO dates, plain numbers, '' for empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, int):
        return str(value)
    return str(value)


# --- Excel ----------------------------------------------------------------------------------------


def _check_zip(content: bytes, name: str, limits: Limits) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as err:
        raise UnreadableFileError(
            f"{name} looks like an Excel file but is damaged; open it in Excel, save it again and upload."
        ) from err
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise UnreadableFileError(
            f"{name} is a zip archive, not an Excel workbook; unzip it and upload the CSV or .xlsx inside."
        )
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > limits.max_unzipped_bytes or total / packed > limits.max_zip_ratio:
        raise LimitExceededError(
            f"{name} would unpack to {total / 1048576:,.0f} MB ({total / packed:,.0f} times its size), "
            "beyond what the server reads; save the sheet you need as CSV and upload that."
        )
    _check_shared_strings(archive, infos, name)
    return archive


def _members(infos: Iterable[zipfile.ZipInfo], path: str) -> list[zipfile.ZipInfo]:
    """The zip members calamine may open for ``path``: it falls back to a name differing only in
    capitals, and a zip may hold one name twice, so every such member counts."""
    folded = path.casefold()
    return [i for i in infos if i.filename.casefold() == folded]


def _check_shared_strings(archive: zipfile.ZipFile, infos: Sequence[zipfile.ZipInfo], name: str) -> None:
    """Refuse a workbook whose shared-string table lists more texts than its other parts could
    have cells to use them. The table is read whole before any sheet (openpyxl took about 10 us a
    text: 8 million texts no cell uses, 21 MB zipped, took 89 s). A cell using a shared text takes
    at least 21 bytes of XML (``<c t="s"><v>0</v></c>``); a text in the table at least 5
    (``<si/>``), so the table is only counted when it is large beside the rest. The table is the
    one python-calamine reads: ``xl/sharedStrings.xml``, whatever the manifest names."""
    tables = _members(infos, _SHARED_STRINGS)
    cells = sum(i.file_size for i in infos if i not in tables) // 16 + _SPARE_TEXTS
    for table in tables:
        if table.file_size // 5 <= cells:
            continue
        texts, tail = 0, b""  # each text ends "si>" twice (<si>...</si>, prefixed or not) or once "si/>"
        with archive.open(table) as member:
            while chunk := member.read(1 << 20):
                data = tail + chunk
                texts += (data.count(b"si>") - tail.count(b"si>")) + 2 * (data.count(b"si/>") - tail.count(b"si/>"))
                tail = data[-3:]
        if texts // 2 > cells:
            raise UnreadableFileError(
                f"{name} lists {texts // 2:,} shared texts, more than its sheets can have cells for "
                f"(at most {cells:,}); open it in Excel, save it again and upload, or upload a CSV export."
            )


#: Shared texts a workbook may list beyond the cells it could have (some writers keep a few unused).
_SPARE_TEXTS = 10_000
_SHARED_STRINGS = "xl/sharedStrings.xml"


def _read_xlsx(
    content: bytes,
    name: str,
    sheet: str | None,
    limits: Limits,
    sheet_score: Callable[[Sequence[str]], int] | None,
) -> RawTable:
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    archive = _check_zip(content, name, limits)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheets = tuple(book.sheet_names)
    except BaseException as err:  # python-calamine raises several kinds for a damaged workbook, and panics
        _reraise_interrupt(err)
        raise UnreadableFileError(
            f"{name} could not be opened as an Excel workbook; open it in Excel, save it again as .xlsx and upload."
        ) from err
    try:
        if sheet is not None and sheet not in sheets:
            raise UnreadableFileError(f"{name} has no sheet called '{sheet}'; its sheets are: {', '.join(sheets)}.")
        parts = _sheet_parts(archive)
        try:
            shared = _shared_lengths(archive, limits.max_unzipped_bytes)
        except (zipfile.BadZipFile, EOFError, OSError, _NoTagEnd):
            shared = None  # calamine refuses the table as it reads it
        worksheets = {m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet}
        candidates = [sheet] if sheet is not None else [s for s in sheets if s in worksheets]
        best: tuple[int, RawTable] | None = None
        read: set[str] = set()  # the parts read so far: a part named by many sheets is read once
        for sheet_name in candidates:
            found = parts.get(sheet_name, [])
            if sheet is None and found and read.intersection(p.filename for p in found):
                continue
            read.update(p.filename for p in found)
            table = _read_sheet(book, content, archive, found, name, sheet_name, sheets, limits, shared)
            if table is None:
                continue
            if sheet is not None or sheet_score is None:
                return table
            score = sheet_score(table.headers)
            if best is None or score > best[0]:
                best = (score, table)
        if best is None:
            raise UnreadableFileError(
                f"{name} has no sheet with a header row and data; check the workbook and upload again."
            )
        table = best[1]
        if table.sheet != sheets[0]:
            note = f"Read the sheet '{table.sheet}', which holds the data; the first sheet '{sheets[0]}' does not."
            table = replace(table, notes=(note, *table.notes))
        return table
    finally:
        book.close()


def _reraise_interrupt(err: BaseException) -> None:
    """Let Ctrl-C and an exit through: python-calamine's other failures, a Rust panic among them
    (``pyo3_runtime.PanicException``, a ``BaseException``), are the file's, said in a sentence."""
    if not isinstance(err, Exception) and type(err).__name__ != "PanicException":
        raise err


def _local(tag: str) -> str:
    """An XML name without its namespace: ``{...}sheet`` is ``sheet``."""
    return tag.rpartition("}")[2]


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, list[zipfile.ZipInfo]]:
    """Each sheet's name and the zip members holding its XML, found as python-calamine finds them:
    the sheet's relationship id in ``xl/workbook.xml``, its target in
    ``xl/_rels/workbook.xml.rels``, ``/``-rooted or under ``xl/``, not normalised. Elements and
    attributes match by name in any namespace (an ``id`` in any), so that no part calamine could
    read goes unscanned."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314 (size capped by _check_zip)
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile):
        return {}  # calamine refuses such a workbook, or reads no sheet from it
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter() if _local(r.tag) == "Relationship"}
    infos = archive.infolist()
    parts: dict[str, list[zipfile.ZipInfo]] = {}
    for element in workbook.iter():
        if _local(element.tag) != "sheet":
            continue
        found = parts.setdefault(element.get("name", ""), [])
        for key, value in element.attrib.items():
            target = targets.get(value) if _local(key) == "id" else None
            if target:
                found += _members(infos, target[1:] if target.startswith("/") else f"xl/{target}")
    return parts


_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")


def _formulas_without_values(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> frozenset[tuple[int, int]]:
    """``(row, column index)`` of cells holding a formula but no saved value.

    Workbooks written by scripts (openpyxl, some exporters) store formulas that Excel never
    calculated; read for their values they look empty, so they are reported, not silently lost.
    Called only for a sheet whose XML holds a formula at all (``_Extent.formulas``, found by the
    scan that reads every piece of it anyway): the XML is parsed a second time only then.
    """
    try:
        found: set[tuple[int, int]] = set()
        with archive.open(part) as member:
            # expat refuses entity-expansion bombs and ElementTree never fetches external entities;
            # the member's size was capped by _check_zip.
            for _, element in ElementTree.iterparse(member):  # noqa: S314
                if element.tag == f"{_SHEET_NS}c":
                    formula, value = element.find(f"{_SHEET_NS}f"), element.find(f"{_SHEET_NS}v")
                    ref = _CELL_REF.match(element.get("r", ""))
                    if formula is not None and (value is None or not value.text) and ref:
                        found.add((int(ref.group(2)), _column_index(ref.group(1).encode())))
                    element.clear()
                elif element.tag == f"{_SHEET_NS}row":
                    element.clear()
        return frozenset(found)
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile):
        return frozenset()


def _column_index(letters: bytes) -> int:
    """A column's letters as its index from 0: ``A`` is 0, ``AA`` 26."""
    column = 0
    for letter in letters.upper():
        column = column * 26 + letter - 64
    return column - 1


def _formula_note(formulas: frozenset[tuple[int, int]], header: Sequence[str], header_line: int, last: int) -> str:
    """The sentence naming the data cells whose formula has no saved value ("" when there are none)."""
    cells = sorted((r, c) for r, c in formulas if header_line < r <= last and c < len(header))
    if not cells:
        return ""
    columns = ", ".join(f"'{h}'" for h in dict.fromkeys(" ".join(header[c].split()) for _, c in cells))
    rows = ", ".join(str(r) for r in dict.fromkeys(r for r, _ in cells[:5]))
    return (
        f"{len(cells)} formula cell(s) without a saved value in {columns} (rows {rows}{'...' if len(cells) > 5 else ''}) "
        "are read as empty; open and save the file in Excel, then upload it again."
    )


#: Excel's last row: a sheet that numbers a row beyond it is damaged (or built to be read forever).
_EXCEL_ROWS = 1_048_576


# --- Excel: the sheet's extent, before python-calamine reads it --------------------------------------
#
# python-calamine reads a sheet into one dense grid, from its first used row and column to its last:
# a 6 KB file with one cell in A1 and one in XFD1048576 asks for 17 billion cells (549 GB), and the
# allocation's failure aborts the whole server process. So every cell and row reference (``r="..."``)
# in the sheet's XML is read first, with numpy over the bytes (0.3 s for 100 MB of XML): how far
# down and right calamine will place a cell. Cells right of the columns read are cut out of the XML
# first; a grid larger than twice the places its cells holding a value take (each place counted once:
# filler, empty cells and a place named again and again fill none), plus 4M cells, is refused. Cells
# and rows without a reference are legal (calamine places them after the one before), so they widen
# the bounds by their count.

#: The XML is read this many bytes at a time, each piece ending after a ``>``: the scan's arrays
#: grow with a piece (a few bytes of index for every ``r`` or ``c`` in it).
_SCAN_PIECE = 1 << 20
#: The bytes read after ``r="``: three letters, ten digits and the quote close any reference
#: calamine can place; a longer one is beyond Excel's grid.
_REF_BYTES = 14
#: How many grid cells a cell holding a value may bring: a sparse export, a few columns mostly
#: empty, fills more than half its grid; filler, empty cells and cells naming a place taken
#: already bring none.
_CELLS_PER_VALUE = 2
#: Cells a sheet's grid may hold beyond that (and beyond one for every 8 bytes of its XML, a
#: cell's taking at least 15): 4M cells, 128 MB in calamine's 32-byte cells.
_SPARE_CELLS = 4 << 20


@dataclass
class _Extent:
    """What the scan of a sheet's XML found."""

    rows: int = 0  # the last row calamine can place a cell in
    columns: int = 0  # ... and the last column (1 for A), among the columns read
    size: int = 0  # the XML's bytes
    beyond: bool = False  # cells right of the columns read, to cut out
    widest: int = 0  # the last column of any reference
    bad_after: int | None = None  # the row before the first reference calamine refuses
    errors: dict[int, list[tuple[int, str]]] | None = None  # error cells by row: (column index, '#N/A')
    last_row: int = 0  # the last row reference read
    loose_rows: int = 0  # rows without a reference
    loose_cells: int = 0  # the most cells without a reference in one row
    loose_now: int = 0  # ... in the row the last piece ended in
    shared: np.ndarray | None = None  # each shared text's most bytes, when its copies could be many
    shared_bytes: int = 0  # ... and the bytes of the copies the sheet's cells ask for
    filled: int = 0  # the places cells holding a value take (each counted once: :func:`_filled`)
    highest: int = -1  # ... the furthest of them so far (row * (columns read + 2) + column)
    pending: int = -1  # ... the place of the cell the last piece ended in, when its value may follow
    row_now: int = 0  # the row calamine places a loose cell in at the end of the last piece
    column_now: int = 0  # ... and the column of the cell before it in that row (0: none)
    formulas: bool = False  # a formula's tag (``<f``) anywhere in the XML


def _refs(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every ``r="..."`` attribute in the bytes ``a`` (padded with 16 zeros): its position, row,
    column (0 for a row's own reference) and whether calamine reads it: letters in either case,
    then digits, then the quote; it refuses the sheet over anything else. Calamine wraps numbers
    too large: a reference running past three letters or ten digits is given a column or a row
    beyond Excel's grid. Read :data:`_REF_BATCH` references at a time: each takes about 500 bytes
    of index arrays, and a piece of nothing but `` r=""`` holds 200,000."""
    n = len(a) - 16
    at = np.flatnonzero(a[:n] == 114)  # 'r'
    at = at[(a[at + 1] == 61) & (at > 0)]  # r=
    before = a[at - 1]
    at = at[(before == 32) | (before == 9) | (before == 10) | (before == 13)]
    if len(at) <= _REF_BATCH:
        return (at, *_read_refs(a, at))
    found = [_read_refs(a, at[i : i + _REF_BATCH]) for i in range(0, len(at), _REF_BATCH)]
    rows, columns, valid = (np.concatenate(each) for each in zip(*found, strict=True))
    return at, rows, columns, valid


def _read_refs(a: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The row, column and validity of the references starting at ``at`` (:func:`_refs`)."""
    quote = a[at + 2]
    grid = a[np.minimum(at[:, None] + 3 + _REF_WIDTH, len(a) - 1)]
    upper = grid & 0xDF
    letters = (upper - 65) < 26  # uint8 arithmetic: below 'A' wraps past 26
    digits = (grid - 48) < 10
    first_digit = np.where(letters.all(axis=1), _REF_BYTES, np.argmin(letters, axis=1))
    not_digit = ~digits & (first_digit[:, None] <= _REF_WIDTH)
    ended = not_digit.any(axis=1)
    end = np.where(ended, np.argmax(not_digit, axis=1), _REF_BYTES)
    count = end - first_digit
    each = np.arange(len(at))[:, None]
    closed = ended & (grid[each[:, 0], np.minimum(end, _REF_BYTES - 1)] == quote) & (count > 0)
    valid = ((quote == 34) | (quote == 39)) & (closed | ~ended)
    # Right-aligned windows: the last ten digits and the last three letters.
    take = end[:, None] - 10 + np.arange(10)
    digit = np.where(take >= first_digit[:, None], grid[each, np.clip(take, 0, _REF_BYTES - 1)] - 48, 0)
    rows = digit.astype(np.int64) @ (10 ** np.arange(9, -1, -1, dtype=np.int64))
    take = first_digit[:, None] - 3 + np.arange(3)
    letter = np.where(take >= 0, upper[each, np.clip(take, 0, _REF_BYTES - 1)] - 64, 0)
    columns = letter.astype(np.int64) @ np.array([676, 26, 1], dtype=np.int64)
    columns[first_digit > 3] = _FAR
    rows[~ended | (count > 10)] = _FAR
    return rows, columns, valid


#: A row or column number beyond Excel's grid, for a reference too long to read.
_FAR = 10**10
_REF_WIDTH = np.arange(_REF_BYTES)
#: References read at once: 8,192 take about 4 MB of index arrays, and stay in the CPU's cache
#: (faster than larger batches on bench.xlsx's sheet).
_REF_BATCH = 1 << 13


def _starts(a: np.ndarray, name: bytes) -> np.ndarray:
    """Where the start tags of ``name`` elements begin (their ``<``, or the ``:`` of a prefix)."""
    at = np.flatnonzero(a[1 : -len(name) - 1] == name[0]) + 1
    for i, byte in enumerate(name[1:], start=1):
        at = at[a[at + i] == byte]
    before, after = a[at - 1], a[at + len(name)]
    opens = (before == 60) | (before == 58)
    ends = (after == 32) | (after == 9) | (after == 10) | (after == 13) | (after == 62) | (after == 47)
    found: np.ndarray = at[opens & ends] - 1
    return found


def _scan_piece(data: bytes, extent: _Extent, limit: int) -> None:
    """Add one piece of a sheet's XML (ending after a ``>``) to ``extent``."""
    data = _tight(data)
    a = np.frombuffer(data + b"\0" * 16, np.uint8)
    at, rows, columns, valid = _refs(a)
    if not valid.all() and extent.bad_after is None:
        bad = int(np.argmin(valid))
        known = [extent.last_row, *rows[:bad][(columns[:bad] == 0) & valid[:bad]].tolist()]
        # A cell's own row was read (its reference); the damage follows the row before it.
        in_row = data[data.rfind(b"<", 0, int(at[bad])) :].split(None, 1)[0].endswith(b"row")
        extent.bad_after = known[-1] if in_row or len(known) == 1 else known[-2]
    at, rows, columns = at[valid], rows[valid], columns[valid]
    if len(at):
        extent.rows = max(extent.rows, int(rows.max()))
        extent.widest = max(extent.widest, int(columns.max()))
        inside = columns <= limit
        extent.columns = max(extent.columns, int(columns[inside].max()) if inside.any() else 0)
        extent.beyond = extent.beyond or not inside.all()
        own = rows[columns == 0]
        extent.last_row = int(own[-1]) if len(own) else extent.last_row
    _cells(a, at, rows, columns, extent, limit)
    if extent.shared is not None:
        extent.shared_bytes += _shared_copies(a, extent.shared)
    if b't="e"' in data or b"t='e'" in data:
        _error_cells(data, extent)


def _shared_copies(a: np.ndarray, lengths: np.ndarray) -> int:
    """The bytes of the shared texts the values of a piece (``<v>12</v>``) name: python-calamine
    copies a shared text into every cell that uses it. Every value made of digits counts, a
    number's too (the safe side). Read :data:`_REF_BATCH` values at a time (index arrays)."""
    values = _starts(a, b"v")
    closes = np.flatnonzero(a == 62)
    if not len(values) or not len(closes):
        return 0
    total = 0
    for i in range(0, len(values), _REF_BATCH):
        batch = values[i : i + _REF_BATCH]
        after = closes[np.minimum(np.searchsorted(closes, batch), len(closes) - 1)] + 1
        window = a[np.minimum(after[:, None] + np.arange(11), len(a) - 1)]
        digits = (window - 48) < 10
        count = np.argmin(digits, axis=1)  # 11 digits and more read as 0: no table is that long
        ends = window[np.arange(len(window)), count] == 60
        take = count[:, None] - 10 + np.arange(10)
        digit = np.where(take >= 0, window[np.arange(len(window))[:, None], np.clip(take, 0, 10)] - 48, 0)
        index = digit.astype(np.int64) @ (10 ** np.arange(9, -1, -1, dtype=np.int64))
        index = index[ends & (count > 0) & (index < len(lengths))]
        total += int(lengths[index].sum())
    return total


def _shared_lengths(archive: zipfile.ZipFile, budget: int) -> np.ndarray | None:
    """The most bytes each shared text can take (its ``<si>`` element's, up to the next one's),
    or ``None`` when the table's largest text in every cell of the workbook stays within
    ``budget`` bytes (a cell's XML takes at least 8 bytes)."""
    infos = archive.infolist()
    tables = _members(infos, _SHARED_STRINGS)
    cells = sum(i.file_size for i in infos if i not in tables) // 8
    if not tables or cells * max(t.file_size for t in tables) <= budget:
        return None
    found: list[np.ndarray] = []
    for table in tables:
        starts, offset = [], 0
        for piece in _pieces(archive, table):
            starts.append(_starts(np.frombuffer(piece + b"\0", np.uint8), b"si") + offset)
            offset += len(piece)
        at = np.concatenate(starts) if starts else np.zeros(0, np.int64)
        found.append(np.diff(at, append=offset))
    longest = max(len(f) for f in found)
    lengths: np.ndarray = np.max([np.pad(f, (0, longest - len(f))) for f in found], axis=0)
    return lengths if cells * int(lengths.max(initial=0)) > budget else None


_SPACED = re.compile(rb"r[ \t\n\r]+=|r=[ \t\n\r]")
_SPACED_REF = re.compile(rb"(\sr)\s*=\s*(?=[\"'])")


def _tight(data: bytes) -> bytes:
    """``data`` with the blanks XML allows around an attribute's ``=`` (``r = "A1"``, which
    calamine reads) taken out of every ``r`` attribute, so that the scan sees each reference."""
    return _SPACED_REF.sub(rb"\1=", data) if _SPACED.search(data) else data


def _cells(a: np.ndarray, refs: np.ndarray, rows: np.ndarray, columns: np.ndarray, extent: _Extent, limit: int) -> None:
    """Count the rows and cells of a piece that carry no reference, and the cells holding a value
    at a place no cell before them took (:func:`_filled`). Most writers put ``r`` first
    (``<c r="A1"``), which is checked in bulk; otherwise each start tag is matched with the
    references inside it (a ``>`` quoted in an attribute makes a cell count as loose: the safe side)."""
    cells, row_tags = _starts(a, b"c"), _starts(a, b"row")
    cells_first = np.all(a[cells + 2] == 32) & np.all(a[cells + 3] == 114) & np.all(a[cells + 4] == 61)
    if cells_first and np.all(a[row_tags + 4] == 32) & np.all(a[row_tags + 5] == 114) & np.all(a[row_tags + 6] == 61):
        if len(row_tags):
            extent.loose_now = 0
        own = np.minimum(np.searchsorted(refs, cells + 3), max(len(refs) - 1, 0))
        read = (refs[own] == cells + 3) if len(refs) else np.zeros(len(cells), bool)
        cell_rows = np.where(read, rows[own] if len(refs) else 0, -1)
        cell_columns = np.where(read, columns[own] if len(refs) else 0, -1)
        if len(row_tags):
            last = np.searchsorted(refs, row_tags[-1] + 5)
            found = last < len(refs) and refs[last] == row_tags[-1] + 5
            extent.row_now = int(rows[last]) if found else extent.row_now + 1
        after = cells > (row_tags[-1] if len(row_tags) else -1)
        extent.column_now = (
            int(cell_columns[-1]) if len(cells) and after[-1] else 0 if len(row_tags) else extent.column_now
        )
        _filled(a, cells, cell_rows, cell_columns, extent, limit)
        return
    starts = np.concatenate([cells, row_tags])
    order = np.argsort(starts, kind="stable")
    starts, is_row = starts[order], (np.arange(len(order)) >= len(cells))[order]
    closes = np.flatnonzero(a == 62)
    tag_end = closes[np.minimum(np.searchsorted(closes, starts), len(closes) - 1)] if len(closes) else starts
    owner = np.searchsorted(starts, refs, side="right") - 1
    inside = (owner >= 0) & (refs < tag_end[np.maximum(owner, 0)])
    has_ref = np.zeros(len(starts), bool)
    has_ref[owner[inside]] = True
    extent.loose_rows += int(np.count_nonzero(is_row & ~has_ref))
    # The loose cells of each row: those before the piece's first row belong to the row the last piece ended in.
    segment = np.cumsum(is_row)
    counts = np.bincount(segment[~is_row & ~has_ref], minlength=len(row_tags) + 1)
    counts[0] += extent.loose_now
    extent.loose_cells = max(extent.loose_cells, int(counts.max()))
    extent.loose_now = int(counts[-1])
    # Where calamine places each cell: at its reference; a loose one after the cell before it in its
    # row, in the row its <row> names or the one after the row before (a cell's reference moves no row).
    ref_row = np.full(len(starts), -1, np.int64)
    ref_column = np.full(len(starts), -1, np.int64)
    ref_row[owner[inside]] = rows[inside]
    ref_column[owner[inside]] = columns[inside]
    named = np.concatenate([[extent.row_now], ref_row[is_row]])
    k = np.arange(len(named))
    anchor = np.maximum.accumulate(np.where(named >= 0, k, 0))
    segment_rows = named[anchor] + (k - anchor)
    is_cell = ~is_row
    cell_segment, cell_ref_row, cell_ref_column = segment[is_cell], ref_row[is_cell], ref_column[is_cell]
    i = np.arange(len(cell_segment))
    first = np.concatenate([[True], cell_segment[1:] != cell_segment[:-1]]) if len(i) else np.zeros(0, bool)
    base = np.where(cell_ref_column >= 0, cell_ref_column, np.where(cell_segment == 0, extent.column_now, 0) + 1)
    at = np.maximum.accumulate(np.where((cell_ref_column >= 0) | first, i, 0)) if len(i) else i
    cell_columns = base[at] + (i - at)
    cell_rows = np.where(cell_ref_row >= 0, cell_ref_row, segment_rows[cell_segment])
    extent.row_now = int(segment_rows[-1])
    if len(i) and cell_segment[-1] == len(row_tags):
        extent.column_now = int(cell_columns[-1])
    elif len(row_tags):
        extent.column_now = 0
    _filled(a, starts[is_cell], cell_rows, cell_columns, extent, limit)


def _filled(
    a: np.ndarray, cells: np.ndarray, rows: np.ndarray, columns: np.ndarray, extent: _Extent, limit: int
) -> None:
    """Count the cells of a piece (their starts, rows and columns; -1 unread) that hold a value
    (a ``<v>`` with text or an ``<is>`` inside them; calamine places no empty cell) at a place
    further down or right than any such cell before them: each place counts once, however many
    cells name it, and a sheet in Excel's order counts every cell."""
    values = np.concatenate([_starts(a, b"v"), _starts(a, b"is")])
    values = values[(a[values + 1] != 118) | ((a[values + 3] != 60) & (a[values + 2] == 62))]  # not <v/> or <v><
    owner = np.searchsorted(cells, values, side="right") - 1
    valued = np.zeros(len(cells), bool)
    valued[owner[owner >= 0]] = True
    width = limit + 2
    keys = np.where(valued & (rows >= 0) & (columns > 0) & (columns <= limit), rows * width + columns, -1)
    if extent.pending >= 0 and (owner < 0).any():  # a value of the cell the last piece ended in
        keys = np.concatenate([[extent.pending], keys])
    if len(cells):
        last = rows[-1] * width + columns[-1]
        extent.pending = int(last) if not valued[-1] and rows[-1] >= 0 and 0 < columns[-1] <= limit else -1
    elif (owner < 0).any():
        extent.pending = -1
    if not len(keys):
        return
    highest = np.maximum.accumulate(keys)
    before = np.concatenate([[extent.highest], highest[:-1]])
    extent.filled += int(np.count_nonzero(keys > before))
    extent.highest = max(extent.highest, int(highest[-1]))


_ERROR_CELL = re.compile(
    rb"<(?:[\w.-]+:)?c\b[^>]*?\sr=[\"']([A-Za-z]{1,3})(\d{1,7})[\"'][^>]*>"
    rb"(?:<(?:[\w.-]+:)?f\b[^>]*?(?:/>|>[^<]*</(?:[\w.-]+:)?f>))?<(?:[\w.-]+:)?v>([^<]*)<"
)


def _error_cells(data: bytes, extent: _Extent) -> None:
    """Record the error cells (``#N/A``, ``#DIV/0!``) of a piece by row: calamine reads them as
    empty, where Excel shows their text (and openpyxl read it): a column of amounts full of
    ``#N/A`` is reported as unreadable, not read as missing."""
    errors = extent.errors if extent.errors is not None else {}
    for mark in (b't="e"', b"t='e'"):
        at = data.find(mark)
        while at >= 0:
            start = data.rfind(b"<", 0, at)
            found = _ERROR_CELL.match(data, start) if start >= 0 else None
            if found and at < data.find(b">", start):
                row = errors.setdefault(int(found.group(2)), [])
                row.append((_column_index(found.group(1)), found.group(3).decode("utf-8", "replace")))
            at = data.find(mark, at + 1)
    extent.errors = errors


class _NoTagEnd(Exception):
    """A sheet's XML runs on for more than :data:`_LONGEST_TAG` bytes without a ``>``."""


#: No cell's text or start tag comes near this without a ``>`` (Excel holds 32,767 characters a
#: cell, 200 KB at most as XML); a longer stretch would make one piece, and the scan's memory, as
#: large as the sheet.
_LONGEST_TAG = _SCAN_PIECE


def _pieces(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> Iterator[bytes]:
    """A zip member's bytes in pieces that each end after a ``>``, so that no start tag is cut."""
    held: list[bytes] = []  # the chunks since the last '>'
    size = 0
    with archive.open(part) as member:
        while chunk := member.read(_SCAN_PIECE):
            cut = chunk.rfind(b">") + 1
            if cut == 0:
                held.append(chunk)
                size += len(chunk)
                if size > _LONGEST_TAG:
                    raise _NoTagEnd
                continue
            yield b"".join([*held, chunk[:cut]])
            held, size = [chunk[cut:]], len(chunk) - cut
    if size:
        yield b"".join(held)


def _scan_sheet(
    archive: zipfile.ZipFile,
    parts: Sequence[zipfile.ZipInfo],
    name: str,
    sheet_name: str,
    limits: Limits,
    shared: np.ndarray | None = None,
) -> _Extent:
    """How far calamine will reach reading the sheet held in ``parts``; a sheet whose grid would be
    larger than its cells holding a value can fill (:data:`_CELLS_PER_VALUE`), whose cells would
    copy more shared text than the server reads (``shared``: :func:`_shared_lengths`), or that
    numbers a row beyond Excel's last, is refused here."""
    extent = _Extent(shared=shared)
    limit = limits.max_columns + 1  # one column past the limit: enough to tell a row too wide
    try:
        for part in parts:
            for piece in _pieces(archive, part):
                extent.size += len(piece)
                # A piece ends after a '>', so no "<f" is cut between two.
                extent.formulas = extent.formulas or b"<f" in piece
                _scan_piece(piece, extent, limit)
    except (zipfile.BadZipFile, EOFError, OSError) as err:  # a member that does not inflate
        raise _damaged_sheet(name, sheet_name, None) from err
    except _NoTagEnd as err:
        raise _damaged_sheet(name, sheet_name, extent.last_row) from err
    if extent.rows > _EXCEL_ROWS:
        raise _beyond_last_row(extent.rows, name, sheet_name)
    if extent.shared_bytes > limits.max_unzipped_bytes:
        raise LimitExceededError(
            f"{name} (sheet '{sheet_name}') repeats its shared texts into {extent.shared_bytes / 1048576:,.0f} MB "
            "of cells, beyond what the server reads; save the sheet you need as CSV and upload that."
        )
    rows = extent.rows + extent.loose_rows
    columns = extent.columns + extent.loose_cells
    if rows * columns > min(extent.size // 8, _CELLS_PER_VALUE * extent.filled) + _SPARE_CELLS:
        if columns > limits.max_columns:
            raise _too_many_columns(name, sheet_name, limits)
        raise LimitExceededError(
            f"{name} (sheet '{sheet_name}') has cells as far as row {rows:,} and column {columns:,}, a grid of "
            f"{rows * columns:,} cells for the {extent.filled:,} cells that hold a value; delete the rows and "
            "columns past your data in Excel, save it again and upload, or upload a CSV export."
        )
    return extent


def _too_many_columns(name: str, sheet_name: str, limits: Limits) -> LimitExceededError:
    return LimitExceededError(
        f"{name} (sheet '{sheet_name}') has more than {limits.max_columns} columns, above the limit of "
        f"{limits.max_columns}; export only the columns you need and upload again."
    )


def _without_far_cells(archive: zipfile.ZipFile, part: zipfile.ZipInfo, limit: int) -> bytes:
    """The workbook with the cells right of column ``limit`` cut out of one sheet's XML: they are
    not read (a row of them would only be set aside as too wide), and calamine would allocate every
    cell between them and the data (one cell in XFD1 made a 20,000-row sheet 16,384 columns wide)."""
    data = _tight(archive.read(part))
    a = np.frombuffer(data + b"\0" * 16, np.uint8)
    at, _, columns, valid = _refs(a)
    kept, start = [], 0
    for ref in at[valid & (columns > limit)].tolist():
        if ref < start:
            continue
        begin = data.rfind(b"<", 0, ref)
        tag = data[begin + 1 : ref].split(None, 1)[0] if begin >= 0 else b""
        if tag.rpartition(b":")[2] != b"c":
            continue  # a row's reference: the scan refused a row beyond the grid
        close = data.find(b">", ref)
        end = close + 1 if data[close - 1 : close] == b"/" else data.find(b"</" + tag + b">", close) + len(tag) + 3
        if close < 0 or end < close:
            break  # cut off: calamine refuses the sheet as it stands
        kept.append(data[start:begin])
        start = end
    kept.append(data[start:])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as rebuilt:
        for info in archive.infolist():
            rebuilt.writestr(info.filename, b"".join(kept) if info is part else archive.read(info))
    return out.getvalue()


def _read_sheet(
    book: Any,
    content: bytes,
    archive: zipfile.ZipFile,
    parts: Sequence[zipfile.ZipInfo],
    name: str,
    sheet_name: str,
    sheets: tuple[str, ...],
    limits: Limits,
    shared: np.ndarray | None = None,
) -> RawTable | None:
    """One sheet as a :class:`RawTable`, or ``None`` without a header row.

    The header is found among the first rows as in a CSV file (a title row or a "Periode: |
    Januari 2026" row above it is skipped), but needs two cells: one is a cover sheet's title.
    The sheet's declared size (``<dimension ref="A1:XFD1048576"/>``) is not trusted: the extent
    comes from the cells themselves (:func:`_scan_sheet`)."""
    from python_calamine import CalamineWorkbook

    if not parts:
        raise _damaged_sheet(name, sheet_name, None)
    extent = _scan_sheet(archive, parts, name, sheet_name, limits, shared)
    limit = limits.max_columns + 1
    if extent.beyond and len(parts) > 1:
        raise _damaged_sheet(name, sheet_name, None)  # two members for one sheet: no writer does that
    try:
        if extent.beyond:
            rebuilt = _without_far_cells(archive, parts[0], limit)
            book = CalamineWorkbook.from_filelike(io.BytesIO(rebuilt))
        ws = book.get_sheet_by_name(sheet_name)
        start = ws.start
    except BaseException as err:  # python-calamine raises several kinds for a damaged sheet, and panics
        _reraise_interrupt(err)
        where = extent.bad_after if extent.bad_after is not None else _last_whole_row(archive, parts[0])
        raise _damaged_sheet(name, sheet_name, where) from err
    if start is None:
        return None
    formulas = _formulas_without_values(archive, parts[0]) if extent.formulas else frozenset()
    return _sheet_table(
        _calamine_rows(ws.iter_rows(), start[1], extent.errors or {}, limit, name, sheet_name),
        name,
        sheet_name,
        sheets,
        limits,
        formulas,
    )


def _last_whole_row(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> int | None:
    """The last row of a sheet whose XML breaks off or is malformed that the XML parser read whole
    (``None`` when it reads the whole sheet: the damage is elsewhere). Run only for the sentence."""
    last = 0
    try:
        with archive.open(part) as member:
            for _, element in ElementTree.iterparse(member):  # noqa: S314 (size capped by _check_zip)
                if element.tag.rpartition("}")[2] == "row":
                    number = element.get("r", "")
                    last = int(number) if number.isdigit() else last + 1
                    element.clear()
    except (ElementTree.ParseError, zipfile.BadZipFile, EOFError, OSError):
        return last
    return None


def _calamine_rows(
    rows: Iterable[list[Any]],
    skipped: int,
    errors: dict[int, list[tuple[int, str]]],
    limit: int,
    name: str,
    sheet_name: str,
) -> Iterator[tuple[int, list[Any]]]:
    """``(line, cell values)`` from python-calamine's rows, as the sheet numbers them: its
    ``iter_rows`` starts at the sheet's first row but at the first used column, so the columns
    before it are put back, empty. Error cells get their text back; values stop at ``limit``."""
    lead = [""] * skipped
    each = iter(rows)
    line = 0
    while True:
        try:
            values = next(each)
        except StopIteration:
            return
        except BaseException as err:  # a value Python cannot hold: a date or a duration past its range
            _reraise_interrupt(err)
            raise _unreadable_cell(name, sheet_name, line + 1) from err
        line += 1
        if skipped:
            values = lead + values
        if len(values) > limit:
            values = values[:limit]
        for column, text in errors.get(line, ()):
            if column < len(values):
                values[column] = text
        yield line, values


def _sheet_table(
    sheet_rows: Iterator[tuple[int, list[Any]]],
    name: str,
    sheet_name: str,
    sheets: tuple[str, ...],
    limits: Limits,
    formulas: frozenset[tuple[int, int]] = frozenset(),
) -> RawTable | None:
    """A sheet's rows (empty cells read as ``""``) into a :class:`RawTable`; rows without a cell
    are blank lines, as in a CSV file: counted in a note inside the data, ignored below it."""
    read: list[tuple[int, list[Any]]] = []  # the rows read so far that hold a cell
    first: list[tuple[int, list[str]]] = []  # ... and the first of them holding more than blanks, as text
    for line, values in sheet_rows:
        if line > _EXCEL_ROWS:
            raise _beyond_last_row(line, name, sheet_name)
        if values.count("") == len(values):
            continue
        read.append((line, values))
        cells = [_excel_text(v) for v in values]
        if any(c.strip() for c in cells):
            first.append((line, cells))
            if len(first) >= _HEADER_LOOKAHEAD:
                break
    at = _header_at([cells for _, cells in first], least=2)
    if at is None:
        return None
    header_line, header = first[at]
    above = [(n, "; ".join(c.strip() for c in cells if c.strip())) for n, cells in first[:at]]
    trimmed = list(header)
    while trimmed and not trimmed[-1].strip():
        trimmed.pop()
    if len(trimmed) > limits.max_columns:
        raise _too_many_columns(name, sheet_name, limits)
    width = len(trimmed)
    data: list[list[Any]] = []  # the rows holding a cell, as calamine hands them over
    lines = array.array("i")
    blank, previous = 0, header_line  # blank rows inside the data (between rows holding a cell)
    later = itertools.chain(((n, v) for n, v in read if n > header_line), sheet_rows)
    for line, values in later:
        if line > _EXCEL_ROWS:
            raise _beyond_last_row(line, name, sheet_name)
        if len(data) >= limits.max_rows:
            raise _too_many_rows(name, limits)
        if values.count("") == len(values):
            continue
        blank += line - previous - 1
        previous = line
        data.append(values)
        lines.append(line)
    columns = list(itertools.zip_longest(*data, fillvalue="")) if data else []
    data.clear()
    n = len(lines)
    # Per column: its texts, the kinds of cell it holds (_DATE | _NUMBER | _TEXT | _OTHER) and which
    # cells hold more than blanks; cells right of the header's last column only say whether a row is too wide.
    texts: list[pa.Array] = []
    kinds: list[int] = []
    fulls: list[np.ndarray] = []
    filled = np.zeros(n, bool)  # rows holding a cell that is more than blanks
    too_wide = np.zeros(n, bool)  # ... and past the header's last column
    fields = np.zeros(n, np.int64)  # the fields past the header's, to the last cell holding any text
    for i, column_cells in enumerate(columns):
        column, kind, full = _column_texts(column_cells)
        if i < width:
            texts.append(column)
            kinds.append(kind)
            fulls.append(full)
            filled |= full
        else:
            too_wide |= full
            fields[_nonempty(column)] = i + 1 - width
    kinds += [0] * (width - len(kinds))
    set_aside = [
        SetAsideRow(lines[r], f"has {width + int(fields[r])} fields but the header has {width}")
        if too_wide[r]
        else SetAsideRow(lines[r], "is empty")
        for r in np.flatnonzero(too_wide | ~filled).tolist()
    ]
    kept = filled & ~too_wide
    native_numbers = frozenset(trimmed[i] for i in range(width) if kinds[i] == _NUMBER)
    native_dates = frozenset(trimmed[i] for i in range(width) if kinds[i] == _DATE)
    note = _formula_note(formulas, trimmed, header_line, lines[-1] if n else header_line)
    raw = _build(
        trimmed,
        (),
        name=name,
        notes=(*_above_note(header_line, above), *((note,) if note else ())),
        file_format="xlsx",
        limits=limits,
        sheet=sheet_name,
        sheets=sheets,
        native_numbers=native_numbers,
        native_dates=native_dates,
    )
    every_line = np.frombuffer(lines, np.int32) if n else np.zeros(0, np.int32)
    mask = pa.array(kept)
    empty = pa.array([""] * n, pa.string())
    table = pa.table(
        {
            f"c{i}": pc.utf8_trim_whitespace(texts[i] if i < len(texts) else empty).filter(mask)
            for i in range(len(raw.headers))
        }
    )
    raw = replace(raw, table=table, lines=pa.array(every_line[kept], type=pa.int32()), set_aside=tuple(set_aside))
    if blank:
        raw = replace(raw, notes=(*raw.notes, _blank_note(blank)))
    mixed: dict[int, dict[str, pa.Array]] = {_DATE: {}, _NUMBER: {}}
    for i in range(min(width, len(raw.headers))):
        if kinds[i] in (_DATE | _TEXT, _NUMBER | _TEXT):
            # Only the rows kept for typing: a row set aside (too many fields) is reported as a row.
            is_text = np.fromiter((type(v) is str for v in columns[i]), bool, n)
            found = every_line[kept & is_text & fulls[i]]
            mixed[kinds[i] & _TYPED][raw.headers[i]] = pa.array(found, type=pa.int32())
    if not mixed[_DATE] and not mixed[_NUMBER]:
        return raw
    return replace(raw, mixed_dates=mixed[_DATE], mixed_numbers=mixed[_NUMBER])


def _nonempty(column: pa.Array) -> np.ndarray:
    """Which texts of a column are not empty."""
    return np.asarray(pc.greater(pc.binary_length(column), 0).to_numpy(zero_copy_only=False), bool)


def _column_texts(values: Sequence[Any]) -> tuple[pa.Array, int, np.ndarray]:
    """One column's cells as text (:func:`_excel_text`), the kinds of cell it holds, and which of
    its texts hold more than blanks. Most columns hold one kind of value besides empty cells (``""``),
    written by one function for the whole column."""
    types = set(map(type, values))
    others = types - {str}
    if not others:
        texts: Sequence[str] = values
    else:
        write = _WRITE.get(next(iter(others)), _excel_text) if len(others) == 1 else _excel_text
        texts = [v if v.__class__ is str else write(v) for v in values]
    full = np.fromiter(map(bool, map(str.strip, texts)), bool, len(texts))
    kind = 0
    for t in others:
        kind |= _KIND_OF_TYPE.get(t, _OTHER)
    if str in types and (full.any() if not others else _any_text(values)):
        kind |= _TEXT
    return pa.array(texts, pa.string()), kind, full


def _any_text(values: Sequence[Any]) -> bool:
    """Whether a column of mixed cells has a text cell holding more than blanks."""
    return any(v.__class__ is str and not v.isspace() and v for v in values)


def _float_text(value: float) -> str:
    """:func:`_excel_text` of a float: a whole number below 2**53 as its digits, others as ``repr``."""
    if value.is_integer() and -_EXACT < value < _EXACT:
        return str(int(value))
    return "" if value != value else repr(value)


#: Floats up to this are whole numbers exactly; calamine reads every number cell as a float.
_EXACT = float(2**53)


def _excel_text(value: Any) -> str:
    """A cell's text as :func:`cell_text` writes it; a whole number of 16 digits reads as its
    digits (``1234567890123456``, an id typed as a number), as the cell holds them."""
    if type(value) is float and 1e15 <= abs(value) < _EXACT and value.is_integer():
        return str(int(value))
    return cell_text(value)


def _damaged_sheet(name: str, sheet_name: str, read: int | None) -> UnreadableFileError:
    """The sentence for a sheet damaged after its first ``read`` rows (``None``: somewhere)."""
    where = "" if read is None else f" after row {read:,}" if read else " before its first row"
    return UnreadableFileError(
        f"{name} could not be read as an Excel workbook: the sheet '{sheet_name}' is damaged{where}; "
        "open it in Excel, save it again and upload, or upload a CSV export."
    )


def _unreadable_cell(name: str, sheet_name: str, line: int) -> UnreadableFileError:
    """The sentence for a row python-calamine could not hand over: a cell formatted as a date or a
    duration holding a number far outside any calendar (Excel shows it as ####)."""
    return UnreadableFileError(
        f"{name} (sheet '{sheet_name}') has a date or duration in row {line:,} that no calendar holds "
        "(Excel shows it as ####); correct or clear that cell in Excel, save it again and upload, "
        "or upload a CSV export."
    )


def _beyond_last_row(line: int, name: str, sheet_name: str) -> UnreadableFileError:
    return UnreadableFileError(
        f"{name} (sheet '{sheet_name}') has a row numbered {line:,}, beyond Excel's last row ({_EXCEL_ROWS:,}), "
        "so the workbook is damaged; open it in Excel, save it again and upload, or upload a CSV export."
    )


#: The kinds of cell a spreadsheet column holds, as bits.
_DATE, _NUMBER, _TEXT, _OTHER = 1, 2, 4, 8
_TYPED = _DATE | _NUMBER
#: The kinds a column may hold and still be read cell by cell: one typed kind, with or without text.
_MIXABLE = frozenset({0, _DATE, _NUMBER, _TEXT, _DATE | _TEXT, _NUMBER | _TEXT})
#: How :func:`_column_texts` writes a column's values of one type, and the kind of cell each type is.
_WRITE: dict[type, Callable[[Any], str]] = {float: _float_text, dt.date: dt.date.isoformat}
_KIND_OF_TYPE: dict[type, int] = {float: _NUMBER, int: _NUMBER, dt.date: _DATE, dt.datetime: _DATE}


def _cell_kind(value: Any) -> int:
    """What a spreadsheet cell holds: a date (or date and time), a number, text, or something else
    (true/false, a time alone, a duration); 0 for blank text."""
    if isinstance(value, str):
        return _TEXT if value.strip() else 0
    if isinstance(value, bool):
        return _OTHER
    if isinstance(value, (int, float)):
        return _NUMBER
    if isinstance(value, dt.date):
        return _DATE
    return _OTHER


# --- Parquet ----------------------------------------------------------------------------------------


def _check_parquet_size(unpacked: int, name: str, limits: Limits) -> None:
    if unpacked > limits.max_unzipped_bytes:
        raise LimitExceededError(
            f"{name} would unpack to {unpacked / 1048576:,.0f} MB, beyond what the server reads; "
            "filter it to fewer rows or columns and upload again."
        )


def _max_cells(limits: Limits) -> int:
    """The most cells one file may hold: as many as a CSV file at the upload limit can (a character
    and a delimiter each). A Parquet file packs millions of cells into a few kilobytes."""
    return limits.max_bytes // 2


def _decoded_floor(schema: pa.Schema, rows: int) -> int:
    """The least memory a Parquet file's columns take once decoded, from its schema alone: each
    fixed-width value its width (an eight-byte number, a four-byte date), any other value (text,
    lists) at least a four-byte offset. A file of one constant number repeated compresses to almost
    nothing, and its metadata's "uncompressed" size is as small."""
    total = 0
    for field in schema:
        kind = field.type.index_type if pa.types.is_dictionary(field.type) else field.type
        try:
            bits = kind.bit_width
        except ValueError:  # not fixed-width
            bits = 32
        total += rows * bits // 8
    return total


def _decoded_bytes(column: pa.ChunkedArray) -> int:
    """The size of a column once its dictionary-encoded text is spelled out for every row."""
    total = 0
    for chunk in column.chunks:
        if pa.types.is_dictionary(chunk.type):
            lengths = pc.binary_length(chunk.dictionary)
            total += int(pc.sum(pc.take(lengths, chunk.indices)).as_py() or 0) + 8 * len(chunk)
        else:
            total += chunk.nbytes
    return total


def _read_parquet(content: bytes, name: str, limits: Limits) -> RawTable:
    """A Parquet file's cells as text, refused from its metadata before anything is decoded when it
    holds more rows, columns or cells than the limits, or more bytes than the server unpacks; then
    read a row group at a time, its decoded size counted as it goes."""
    import pyarrow.parquet as pq

    try:
        pfile = pq.ParquetFile(io.BytesIO(content))
        meta, schema = pfile.metadata, pfile.schema_arrow
        rows, packed = meta.num_rows, sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    except Exception as err:
        raise UnreadableFileError(f"{name} could not be read as Parquet; export it again and upload.") from err
    if rows > limits.max_rows:
        raise LimitExceededError(
            f"{name} has {rows:,} rows, above the limit of {limits.max_rows:,}; "
            "filter it to a shorter period and upload again."
        )
    header = [str(n) for n in schema.names]
    _check_columns(header, name, limits)
    if rows * len(header) > _max_cells(limits):
        raise LimitExceededError(
            f"{name} has {rows * len(header):,} cells ({rows:,} rows of {len(header)} columns), above the limit of "
            f"{_max_cells(limits):,} cells; filter it to fewer rows or columns and upload again."
        )
    _check_parquet_size(max(packed, _decoded_floor(schema, rows)), name, limits)
    # Text columns stay dictionary-encoded until their decoded size is known: a tiny file can
    # repeat one long value millions of times.
    text_columns = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_binary(f.type)]
    columns = [_ParquetTexts(rows) for _ in header]
    decoded = 0
    try:
        reader = pq.ParquetFile(io.BytesIO(content), read_dictionary=text_columns)
        for group in range(meta.num_row_groups):
            table = reader.read_row_group(group)
            decoded += sum(_decoded_bytes(column) for column in table.columns)
            _check_parquet_size(decoded, name, limits)
            for texts, column in zip(columns, table.columns, strict=True):
                texts.add(column)
            del table
        cells_of = [texts.array() for texts in columns]
    except LimitExceededError:
        raise
    except Exception as err:
        raise UnreadableFileError(f"{name} could not be read as Parquet; export it again and upload.") from err
    types = schema.types
    native_numbers = {
        h
        for h, t in zip(header, types, strict=True)
        if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)
    }
    native_dates = {h for h, t in zip(header, types, strict=True) if pa.types.is_date(t) or pa.types.is_timestamp(t)}
    return _build_columns(
        header,
        cells_of,
        name=name,
        file_format="parquet",
        limits=limits,
        native_numbers=frozenset(native_numbers),
        native_dates=frozenset(native_dates),
    )


#: Parquet values are turned into text this many at a time: the Python objects of one slice's
#: distinct values (dates, amounts) are all that is held at once.
_PARQUET_SLICE = 1 << 20


class _ParquetTexts:
    """One Parquet column's cells as text (:func:`cell_text`'s), added a row group at a time.

    Each slice of values is dictionary-encoded and only its distinct values are turned into text
    (:func:`_texts`: in C where Arrow writes what :func:`cell_text` does, in Python elsewhere). A
    column whose first slice repeats its texts (reps, stages, dates) is kept dictionary-encoded,
    as the fast CSV path keeps it (:class:`cells.Codes`); one of mostly distinct texts (IDs,
    amounts) plain.
    """

    def __init__(self, rows: int) -> None:
        self._rows = rows
        self._codes: cells.Codes | None = None
        self._plain: list[pa.Array] | None = None

    def add(self, column: pa.ChunkedArray) -> None:
        for chunk in column.chunks:
            for at in range(0, len(chunk), _PARQUET_SLICE):
                values = chunk.slice(at, _PARQUET_SLICE)
                if self._plain is not None and not pa.types.is_dictionary(values.type):
                    self._plain.append(_texts(values))  # mostly distinct: no use finding which repeat
                    continue
                texts = _value_texts(values)
                if self._codes is None and self._plain is None:
                    if len(texts.dictionary) <= _ENCODE_SHARE * len(texts):
                        self._codes = cells.Codes(self._rows)
                    else:
                        self._plain = []
                if self._codes is not None:
                    self._codes.add([texts])
                elif self._plain is not None:
                    self._plain.append(texts.dictionary.take(texts.indices))

    def array(self) -> pa.Array:
        if self._codes is not None:
            return self._codes.array()
        return pa.concat_arrays(self._plain) if self._plain else pa.array([], pa.string())


def _value_texts(values: pa.Array) -> pa.DictionaryArray:
    """Parquet values as :func:`cell_text` writes them ("" for a missing one), dictionary-encoded
    without missing codes, each distinct value turned into text once."""
    if pa.types.is_dictionary(values.type):
        texts = _value_texts(values.dictionary).dictionary_decode()
        indices = values.indices
        if indices.null_count:
            indices = pc.fill_null(indices, pa.scalar(len(texts), indices.type))
            texts = pa.concat_arrays([texts, pa.array([""], pa.string())])
        return pa.DictionaryArray.from_arrays(indices, texts)
    try:
        encoded = pc.dictionary_encode(values, null_encoding="encode")
    except pa.ArrowNotImplementedError:  # lists, structs: no hashing; each cell on its own
        return pc.dictionary_encode(pa.array([cell_text(v) for v in values.to_pylist()], pa.string()))
    return pa.DictionaryArray.from_arrays(encoded.indices, _texts(encoded.dictionary))


def _texts(values: pa.Array) -> pa.Array:
    """:func:`cell_text` of each value ("" for a missing one), in C where Arrow writes the same text (text, whole numbers,
    true/false; numbers from 0.0001 to a billion or whole below 10^15; timestamps without a time
    zone from the year 1000), in Python for the rest: a million distinct amounts or times took
    seconds there, holding the interpreter for every other session."""
    kind = values.type
    if _is_text(kind) or pa.types.is_integer(kind) or pa.types.is_boolean(kind):
        return pc.fill_null(values.cast(pa.string()), "")
    if pa.types.is_float32(kind) or pa.types.is_float64(kind):
        texts = _float_texts(values.cast(pa.float64()))
    elif pa.types.is_timestamp(kind) and kind.tz is None:
        texts = _timestamp_texts(values)
    else:
        texts = pa.nulls(len(values), pa.string())
    rest = pc.and_(pc.is_null(texts), pc.is_valid(values))
    if pc.any(rest).as_py():
        written = pa.array([cell_text(v) for v in values.filter(rest).to_pylist()], pa.string())
        texts = pc.replace_with_mask(texts, rest, written)
    return pc.fill_null(texts, "")


def _is_text(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def _float_texts(values: pa.Array) -> pa.Array:
    """:func:`cell_text` of float64 values where Arrow writes it alike (the shortest text that reads
    back as the number, a whole number without ".0"), missing elsewhere: Python writes 1e-05,
    Arrow 1e-5, and from 10^10 Arrow switches to an exponent that Python does not."""
    size = pc.abs(values)
    fixed = pc.and_(pc.greater_equal(size, 1e-4), pc.less(size, 1e9))
    texts = pc.if_else(fixed, values.cast(pa.string()), pa.scalar(None, pa.string()))
    big_whole = pc.and_(pc.and_(pc.equal(pc.floor(values), values), pc.less(size, 1e15)), pc.invert(fixed))
    if pc.any(big_whole).as_py():
        texts = pc.if_else(big_whole, pc.if_else(big_whole, values, 0.0).cast(pa.int64()).cast(pa.string()), texts)
    return texts


def _timestamp_texts(values: pa.Array) -> pa.Array:
    """:func:`cell_text` of time-zone-free timestamps from the year 1000 to 9999: the date alone at
    midnight, else the date and time to the second (floored, as Python's ``isoformat`` drops the
    fraction); missing elsewhere."""
    day = pc.floor_temporal(values, unit="day")
    midnight = pc.equal(pc.floor_temporal(values, unit="microsecond"), day)
    seconds = pc.floor_temporal(values, unit="second").cast(pa.timestamp("s"))
    full = pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S")
    texts = pc.if_else(midnight, day.cast(pa.date32()).cast(pa.string()), full)
    year = pc.year(values)
    in_range = pc.and_(pc.greater_equal(year, 1000), pc.less_equal(year, 9999))
    return pc.if_else(in_range, texts, pa.scalar(None, pa.string()))


def _build_columns(
    header: Sequence[str],
    columns: Sequence[pa.Array],
    *,
    name: str,
    file_format: str,
    limits: Limits,
    native_numbers: frozenset[str] = frozenset(),
    native_dates: frozenset[str] = frozenset(),
) -> RawTable:
    """Whole columns of cell texts into a :class:`RawTable`, as :func:`_build` does rows: cells
    trimmed, each row's line its number; a row with a cell past the header's last named column, or
    without any cell, set aside."""
    trimmed = _trim_header(header)
    _check_columns(trimmed, name, limits)
    headers, header_notes = _clean_headers(trimmed)
    width, total = len(headers), len(columns)
    count = len(columns[0]) if columns else 0
    if count > limits.max_rows:
        raise _too_many_rows(name, limits)
    columns = [cells.trimmed(c) for c in columns]
    wide = np.zeros(count, dtype=bool)
    for column in columns[width:]:
        wide |= ~cells.is_empty(column).to_numpy(zero_copy_only=False)
    blank_rows = ~wide
    for column in columns[:width]:
        blank_rows &= cells.is_empty(column).to_numpy(zero_copy_only=False)
    lines = np.arange(1, count + 1, dtype=np.int32)
    reason = f"has {total} field{'s' if total != 1 else ''} but the header has {width}"
    set_aside = tuple(
        SetAsideRow(int(line), reason if is_wide else "is empty")
        for line, is_wide in zip(lines[wide | blank_rows], wide[wide | blank_rows], strict=True)
    )
    if set_aside:
        keep = pa.array(~(wide | blank_rows))
        columns, kept = [c.filter(keep) for c in columns[:width]], pa.array(lines).filter(keep)
    else:
        kept = pa.array(lines)
    originals = {h: _orig(h, trimmed) for h in headers}
    return RawTable(
        headers=headers,
        table=pa.table({f"c{i}": columns[i] for i in range(width)}),
        lines=kept,
        set_aside=set_aside,
        file_format=file_format,
        native_numbers=frozenset(h for h in headers if originals[h] in native_numbers),
        native_dates=frozenset(h for h in headers if originals[h] in native_dates),
        notes=tuple(header_notes),
    )
