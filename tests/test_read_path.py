"""Reading a file from the disk (the command line's route) gives what reading its bytes gives."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from blake3 import blake3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi_core import reading
from kpi_core.errors import KpiError, LimitExceededError, UnreadableFileError
from kpi_core.importing import LoadOptions, load, load_path
from kpi_core.reading import DEFAULT_LIMITS, Limits, content_hash, read_file, read_path

from .bad_inputs.make_cases import CASES, Case
from .conftest import FIXTURES, SAMPLE
from .test_reading_paths import _same, one_line_cell

FILES = [*sorted(FIXTURES.glob("*.csv")), SAMPLE / "opportunities.csv", SAMPLE / "weekly_log.csv"]
SAFE_CASES = [c for c in CASES if not c.dangerous]


@contextmanager
def _tiny(window: int, part: int, block: int = 64) -> Iterator[None]:
    """Windows, parts and blocks of a few bytes, so that small files cross every boundary."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reading._FileBytes, "_WINDOW", window)
        patch.setattr(reading, "_PART_BYTES", part)
        patch.setattr(reading, "_BLOCK_BYTES", block)
        patch.setattr(reading, "_ENCODE_FROM_BYTES", 0)
        patch.setattr(reading, "_ENCODE_SHARE", 1.0)
        yield


def _write(tmp_path: Path, content: bytes, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _same_load(path: Path, options: LoadOptions = LoadOptions(), limits: Limits = DEFAULT_LIMITS) -> None:
    """``load_path`` equals ``load`` of the file's bytes: dataset, report and key, or the same sentence."""
    content = path.read_bytes()
    try:
        expected = load(content, path.name, options, limits)
    except KpiError as err:
        with pytest.raises(type(err)) as raised:
            load_path(path, path.name, options, limits)
        assert str(raised.value) == str(err)
        return
    got = load_path(path, path.name, options, limits)
    assert got.table.to_pylist() == expected.table.to_pylist()
    assert got.report == expected.report
    assert got.content_key == expected.content_key  # the same cache key: the BLAKE3 hash of the bytes


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_fixture_loads_the_same_from_the_disk_as_from_its_bytes(path: Path) -> None:
    _same_load(path)
    raw, key = read_path(path)
    assert key == content_hash(path.read_bytes())
    _same(raw, read_file(path.read_bytes(), path.name))


@pytest.mark.parametrize("case", SAFE_CASES, ids=lambda c: c.name)
def test_every_bad_input_loads_or_is_refused_the_same_from_the_disk(case: Case, tmp_path: Path) -> None:
    _same_load(case.write(tmp_path), case.options, case.limits)


line_ends = st.sampled_from(["\n", "\r\n", "\r"])
prefixes = st.sampled_from([b"", b"\xef\xbb\xbf", b"\n\n", b"Report,,\n"])
suffixes = st.sampled_from(["", "\n", "\r\n\r\n", "\n\n\n", ",,\n"])


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.lists(one_line_cell, min_size=3, max_size=3), min_size=1, max_size=10),
    line_ends,
    prefixes,
    suffixes,
    st.integers(1, 40),
    st.integers(1, 60),
)
def test_random_files_read_the_same_from_the_disk_in_tiny_windows_and_parts(
    tmp_path: Path, rows: list[list[str]], end: str, prefix: bytes, suffix: str, window: int, part: int
) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=end).writerows([["Owner", "Created", "Amount"], *rows])
    content = prefix + (buf.getvalue() + suffix).encode()
    path = _write(tmp_path, content)
    try:
        expected = read_file(content, "f.csv")
    except (UnreadableFileError, LimitExceededError) as err:
        with _tiny(window, part), pytest.raises(type(err)) as raised:
            read_path(path, "f.csv")
        assert str(raised.value) == str(err)
        return
    with _tiny(window, part):
        got, key = read_path(path, "f.csv")
        assert key == content_hash(content)  # hashed in (tiny) windows
    _same(got, expected)
    assert (got.encoding, got.file_format) == (expected.encoding, expected.file_format)


data = st.binary(max_size=60).map(lambda b: b.replace(b"x", b"\r").replace(b"y", b"\n").replace(b"z", b'"'))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data,
    st.sampled_from([b"\n", b"\r", b"\r\n", b'"', b"\n\n", b"\n\r", b"\x00"]),
    st.integers(-5, 70),
    st.one_of(st.none(), st.integers(-5, 70)),
    st.integers(1, 9),
)
def test_the_file_answers_every_bytes_question_as_its_bytes_do(
    tmp_path: Path, content: bytes, sub: bytes, start: int, end: int | None, window: int
) -> None:
    path = _write(tmp_path, content, "b.bin")
    with pytest.MonkeyPatch.context() as patch, reading._FileBytes(path) as file:
        patch.setattr(reading._FileBytes, "_WINDOW", window)
        assert len(file) == len(content)
        assert file.count(sub, start, end) == content.count(sub, start, end)
        assert file.find(sub, start, end) == content.find(sub, start, end)
        assert file.rfind(sub, start, end) == content.rfind(sub, start, end)
        assert file[start:end] == content[start:end]
        assert (sub in file) == (sub in content)
        assert file.startswith(sub) == content.startswith(sub)
        assert file.content_hash() == content_hash(content)  # hashed window by window
        assert file.isascii() == content.isascii()
        assert reading._content_end(file, 0) == reading._content_end(content, 0)
        if content:
            assert file[-1] == content[-1]


def test_a_file_over_the_upload_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path, b"Owner,Created\n" + b"Ana,2026-01-01\n" * 200)
    with pytest.raises(LimitExceededError, match=r"f\.csv is 3 KB, above the 1 KB upload limit"):
        read_path(path, limits=Limits(max_bytes=1024))


def test_a_workbook_or_a_latin1_file_is_read_through_its_bytes(tmp_path: Path) -> None:
    latin = "Owner;Created\nJosé;01/02/2026\n".encode("cp1252")
    path = _write(tmp_path, latin)
    raw, key = read_path(path)
    assert raw.encoding == "windows-1252"
    assert raw.table.column(0).to_pylist() == ["José"]
    assert key == content_hash(latin)


def test_the_content_hash_is_blake3_and_tells_every_byte_and_every_cut_apart() -> None:
    """The key is BLAKE3 (the published test vector for no bytes), and changes with any byte and
    with where the bytes end."""
    assert content_hash(b"") == "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
    data = b"Owner,Created\nAna,2026-01-05\n"
    keys = {content_hash(data), content_hash(data[:-1]), content_hash(data + b"\n"), content_hash(b"")}
    keys |= {content_hash(data[:i] + b"x" + data[i + 1 :]) for i in range(len(data))}
    assert len(keys) == 4 + len(data)
    assert content_hash(data) == content_hash(bytes(data))  # the same bytes, the same key
    big = bytes(range(256)) * 40_000  # 10 MB: hashed on several threads, same key as one update
    assert content_hash(big) == blake3(big).hexdigest()
