"""Turn a :class:`RawTable` and a confirmed :class:`ColumnMapping` into a typed :class:`Dataset`.

Import rules of spec 1d: every row accounted for; unreadable values reported per column with
example lines, never read as 0 or today; one date format per column, asked when both day-first
and month-first fit; the decimal mark detected only where the values leave no doubt.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import cells
from .errors import AmbiguousFormatError, MappingError, UnreadableFileError
from .mapping import (
    check_mapping,
    distinct_values,
    id_header,
    normalize,
    outcome_of,
    outcome_word,
    propose_mapping,
    sheet_score,
    value_set,
    with_overrides,
)
from .model import (
    OPPORTUNITY_DATES,
    WEEKLY_NUMBERS,
    ColumnMapping,
    Dataset,
    Dimension,
    ImportReport,
    RawTable,
    SetAsideRow,
    Shape,
    UnreadableValues,
)
from .reading import DEFAULT_LIMITS, Limits, content_hash, listed, read_file, read_path

# --- dates ------------------------------------------------------------------------------------------

#: Candidate date formats, tried in this order; the label is what the user sees.
DATE_FORMATS: dict[str, str] = {
    "%Y-%m-%d": "yyyy-mm-dd",
    "%Y/%m/%d": "yyyy/mm/dd",
    "%Y.%m.%d": "yyyy.mm.dd",
    "%d/%m/%Y": "dd/mm/yyyy",
    "%m/%d/%Y": "mm/dd/yyyy",
    "%d-%m-%Y": "dd-mm-yyyy",
    "%m-%d-%Y": "mm-dd-yyyy",
    "%d.%m.%Y": "dd.mm.yyyy",
    "%m.%d.%Y": "mm.dd.yyyy",
    "%d/%m/%y": "dd/mm/yy",
    "%m/%d/%y": "mm/dd/yy",
    "%d-%m-%y": "dd-mm-yy",
    "%m-%d-%y": "mm-dd-yy",
    "%d.%m.%y": "dd.mm.yy",
    "%d %b %Y": "dd Mon yyyy",
    "%d %B %Y": "dd Month yyyy",
    "%d-%b-%Y": "dd-Mon-yyyy",
    "%d-%b-%y": "dd-Mon-yy",
    "%b %d, %Y": "Mon dd, yyyy",
    "%B %d, %Y": "Month dd, yyyy",
    "%b %d %Y": "Mon dd yyyy",
    "excel-serial": "Excel serial number",
    # An ISO week (a weekly log's "2026-W10"), read as its Monday.
    "%G-W%V": "yyyy-Www (ISO week)",
}
EXCEL_SERIAL = "excel-serial"

_TIME_SUFFIX = re.compile(
    r"^(?P<date>.+?)[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:Z|UTC|[+-]\d{2}:?\d{2})?$"
)
_TIME_SUFFIX_RE2 = r"[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:Z|UTC|[+-]\d{2}:?\d{2})?$"
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def format_label(fmt: str) -> str:
    """``'%d/%m/%Y'`` -> ``'dd/mm/yyyy'`` (unknown formats are shown as given)."""
    return DATE_FORMATS.get(fmt, fmt)


def parse_format_option(text: str) -> str:
    """Accept a strptime format or a label such as ``dd/mm/yyyy``; return the strptime format."""
    for fmt, label in DATE_FORMATS.items():
        if text.strip().casefold() in (fmt.casefold(), label.casefold()):
            return fmt
    if "%" in text and _reads_whole_dates(text):
        return text
    raise MappingError(
        f"'{text}' is not a date format this app knows; use one such as dd/mm/yyyy, mm/dd/yyyy or yyyy-mm-dd."
    )


def _reads_whole_dates(fmt: str) -> bool:
    """Whether ``fmt`` writes a day, a month and a year and reads them back: ``%Q`` (no such
    directive) read no date at all and ``%d/%m`` (no year) a date of 1900, both without a word."""
    day = dt.date(2026, 3, 14)  # a day above 12 tells the day from the month
    try:
        return dt.datetime.strptime(day.strftime(fmt), fmt).date() == day
    except ValueError:
        return False


#: Indonesian month names, as a sheet kept in Jakarta writes dates ("12 Agustus 2026", "3 Okt
#: 2026"), given to ``strptime`` by their English names: its ``%B`` and ``%b`` know only those (the
#: process's locale is shared by every session, so it is never switched).
_MONTHS_ID = {
    "januari": "January",
    "februari": "February",
    "maret": "March",
    "mei": "May",
    "juni": "June",
    "juli": "July",
    "agustus": "August",
    "oktober": "October",
    "desember": "December",
    "agu": "Aug",
    "agt": "Aug",
    "ags": "Aug",
    "okt": "Oct",
    "des": "Dec",
}
_MONTH_WORD = re.compile(r"[A-Za-z]+")


def _english_months(text: str) -> str:
    """``'12 Agustus 2026'`` -> ``'12 August 2026'``; other words as they are."""
    return _MONTH_WORD.sub(lambda m: _MONTHS_ID.get(m.group().casefold(), m.group()), text)


def _strip_time(value: str) -> str:
    m = _TIME_SUFFIX.match(value)
    return m.group("date") if m else value


def parse_date(value: str, fmt: str) -> dt.date | None:
    """``value`` read with ``fmt`` (a time of day is ignored), or ``None`` when it does not fit."""
    text = _strip_time(value.strip())
    if fmt == EXCEL_SERIAL:
        if not _SERIAL.match(text):
            return None
        serial = float(text)
        if not 20000 <= serial <= 80000:
            return None
        return _EXCEL_EPOCH + dt.timedelta(days=int(serial))
    if "%b" in fmt or "%B" in fmt:
        text = _english_months(text)
    if fmt == "%G-W%V":  # strptime needs the day of the week with an ISO week: its Monday
        text, fmt = text + "-1", "%G-W%V-%u"
    try:
        return dt.datetime.strptime(text, fmt).date()
    except ValueError:
        return None


def _day_month_twin(fmt: str) -> str | None:
    if "%d" in fmt and "%m" in fmt:
        return fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")
    return None


def choose_date_format(header: str, values: Sequence[str]) -> str | None:
    """The one format that reads the most distinct values; ask when day/month order is open.

    Returns ``None`` when no format reads any value. Raises :class:`AmbiguousFormatError`
    when a format and its day/month twin both read the most values.
    """
    distinct = list(dict.fromkeys(v for v in values if v))
    if not distinct:
        return None
    # Formats that read none of a sample rarely read the most values; every format is counted
    # again over all values whenever the sample's best does not read them all.
    sample = distinct[:: max(1, len(distinct) // 50)]
    candidates = [f for f in DATE_FORMATS if any(parse_date(v, f) is not None for v in sample)]
    counts = _date_counts(distinct, candidates)
    if not counts or max(counts.values()) < len(distinct):
        counts = _date_counts(distinct, list(DATE_FORMATS))
    best = max(counts.values())
    if best == 0:
        return None
    winners = [fmt for fmt, n in counts.items() if n == best]
    first = winners[0]
    twin = _day_month_twin(first)
    if twin is not None and twin in winners:
        day_first, month_first = (first, twin) if first.index("%d") < first.index("%m") else (twin, first)
        raise AmbiguousFormatError(
            f"The dates in '{header}' fit both {format_label(day_first)} and {format_label(month_first)} "
            "(no day is above 12); choose which one the file uses.",
            column=header,
            kind="date",
            options=(day_first, month_first),
        )
    return first


def _date_counts(distinct: Sequence[str], formats: Sequence[str]) -> dict[str, int]:
    """How many of the distinct values each format reads (formats in the order of DATE_FORMATS)."""
    counts = {fmt: sum(1 for v in distinct if parse_date(v, fmt) is not None) for fmt in formats}
    return {fmt: counts[fmt] for fmt in DATE_FORMATS if fmt in counts}


# --- numbers ----------------------------------------------------------------------------------------

#: Currency marks an amount may carry, and the currency each names (``None``: the mark alone does
#: not say, as ``¥`` for yen or yuan). One table for stripping marks off amounts and for telling the
#: currency the amounts are in. ``rp`` stands for ``Rp`` and ``Rp.``; ``US$`` is written before the number only.
_MARK_CODES: dict[str, str | None] = {
    "rp": "IDR",
    "idr": "IDR",
    "usd": "USD",
    "us$": "USD",
    "eur": "EUR",
    "gbp": "GBP",
    "sgd": "SGD",
    "aud": "AUD",
    "myr": "MYR",
    "inr": "INR",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": None,
    "₹": "INR",
}
_PREFIX_ONLY = frozenset({"us$"})


def _marks(*, suffix: bool) -> str:
    return "|".join(r"rp\.?" if m == "rp" else re.escape(m) for m in _MARK_CODES if not (suffix and m in _PREFIX_ONLY))


_CURRENCY = re.compile(rf"(?i)^(?:{_marks(suffix=False)})\s*|\s*(?:{_marks(suffix=True)})$")
_PLAIN = re.compile(r"^\d+$")
#: A currency mark at either end of an amount (past a sign or an accounting parenthesis).
_MARK = re.compile(rf"(?i)^[\s(+-]*({_marks(suffix=False)})|({_marks(suffix=True)})[\s)-]*$")


def currency_of(raw: RawTable, header: str | None, sample: int = 2000) -> str | None:
    """The currency code the amounts are written in (``"IDR"`` for ``Rp 1.500.000``), when the
    first ``sample`` values that carry a mark all name the same one; else ``None``. Plain amounts
    under a header that names one currency (``Amount (Rp)``, ``Nilai IDR``, ``Revenue ($)``) are
    in that one."""
    if header is None:
        return None
    codes = set()
    for text in raw.cells(header).slice(0, sample).to_pylist():
        found = _MARK.search(text or "")
        if found:
            codes.add(_MARK_CODES[(found.group(1) or found.group(2)).casefold().rstrip(".")])
    if not codes:
        named = {_HEADER_CODES[w] for w in _HEADER_WORD.findall(header.casefold()) if w in _HEADER_CODES}
        return named.pop() if len(named) == 1 else None
    return codes.pop() if len(codes) == 1 else None  # one currency; None among them leaves it unsaid


#: A header's words and currency signs, for :func:`currency_of`.
_HEADER_WORD = re.compile(r"us\$|[a-z]+|[$€£¥₹]")
_HEADER_CODES = {**_MARK_CODES, "rupiah": "IDR", "dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR"}


#: "No cents" after a whole amount, as Indonesian (``Rp 12.500.000,-``) and German and Swiss
#: prices (``1'500.-``) write it; the mark before the dash is the decimal mark.
_NO_CENTS = re.compile(r"(?<=\d)([.,])[-\u2013\u2014]{1,2}$")


def _strip_amount(text: str) -> tuple[str, bool] | None:
    """Currency, spaces and sign removed: ``('1.500,50', negative)``; ``None`` when not a number shape."""
    s = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    s = _NO_CENTS.sub("", s)  # "Rp 12.500.000,-": whole rupiah, not a minus
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    if s.startswith("-"):
        negative, s = not negative, s[1:].strip()
    elif s.endswith("-"):
        negative, s = not negative, s[:-1].strip()
    elif s.startswith("+"):
        s = s[1:].strip()
    for _ in range(2):
        s = _CURRENCY.sub("", s).strip()
    if s.startswith("-") and not negative:
        negative, s = True, s[1:].strip()
    s = s.replace(" ", "").replace("'", "")
    if not s or not re.fullmatch(r"[\d.,]+(?:[eE][+-]?\d+)?", s) or not s[0].isdigit():
        return None
    return s, negative


def parse_amount(text: str, decimal: str) -> float | None:
    """A money or count value read with ``decimal`` as the decimal mark; ``None`` when unreadable.

    Accepts currency symbols and codes (``$``, ``Rp``, ``IDR``...), thousands separators in groups
    of three, accounting negatives ``(1,500.00)`` and a leading or trailing minus.
    """
    stripped = _strip_amount(text)
    if stripped is None:
        return None
    s, negative = stripped
    thousands = "," if decimal == "." else "."
    sep_t, sep_d = re.escape(thousands), re.escape(decimal)
    if re.fullmatch(rf"\d+(?:{sep_d}\d+)?(?:[eE][+-]?\d+)?", s) or re.fullmatch(
        rf"\d{{1,3}}(?:{sep_t}\d{{3}})+(?:{sep_d}\d+)?", s
    ):
        number = float(s.replace(thousands, "").replace(decimal, "."))
        if math.isfinite(number):
            return -number if negative else number
    return None


def decimal_votes(values: Iterable[str]) -> tuple[int, int, int]:
    """Evidence for the decimal mark: ``(votes for '.', votes for ',', values that fit both)``."""
    dot = comma = either = 0
    for value in values:
        stripped = _strip_amount(value)
        if stripped is None:
            continue
        no_cents = _NO_CENTS.search(value.strip())
        if no_cents:
            dot, comma = (dot + 1, comma) if no_cents.group(1) == "." else (dot, comma + 1)
            continue
        s = stripped[0]
        if "e" in s.lower():
            dot += 1
            continue
        has_dot, has_comma = "." in s, "," in s
        if has_dot and has_comma:
            if s.rfind(".") > s.rfind(","):
                dot += 1
            else:
                comma += 1
        elif has_comma:
            if s.count(",") > 1:
                dot += 1
            elif len(s) - s.rfind(",") - 1 == 3:
                either += 1
            else:
                comma += 1
        elif has_dot:
            if s.count(".") > 1:
                comma += 1
            elif len(s) - s.rfind(".") - 1 == 3:
                either += 1
            else:
                dot += 1
    return dot, comma, either


def choose_decimal(headers: Sequence[str], columns: Sequence[Sequence[str] | pa.Array]) -> str:
    """The decimal mark the number columns leave no doubt about; ask when they do.

    Raises :class:`AmbiguousFormatError` when values such as ``1,500`` fit both marks and no value
    settles it, or when some values need ``.`` and others ``,``.
    """
    dot = comma = either = 0
    example = ""
    for values in columns:
        texts = values if isinstance(values, pa.Array) else pa.array(list(values), pa.string())
        (d, c, e), first = _decimal_evidence(_distinct_present(texts))
        dot, comma, either = dot + d, comma + c, either + e
        if e and not example:
            example = first
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


def _distinct_present(arr: pa.Array) -> pa.Array:
    """The distinct non-empty texts of the cells, in order of first appearance (for a dictionary
    array, of the codes' first appearance, as :func:`cells.distinct` gives them)."""
    if not cells.is_encoded(arr):
        return pc.unique(cells.present(arr))  # the non-empty cells first: an amount column is mostly empty
    # Unique again: a dictionary may hold a text twice, which counts once, as in decimal_votes' input.
    unique = pc.unique(arr.dictionary.take(pc.unique(arr.indices).drop_null())).drop_null()
    return unique.filter(pc.not_equal(unique, ""))


#: Texts that :func:`_strip_amount` leaves as they are but for a leading ``-`` (no currency, space,
#: sign at the end or exponent): the values :func:`decimal_votes` can count over a whole column.
_DIGITS_AND_MARKS = r"^-?[0-9][0-9.,]*$"


def _decimal_evidence(values: pa.Array) -> tuple[tuple[int, int, int], str]:
    """:func:`decimal_votes` over ``values`` (distinct, non-empty texts), and the first of them
    that fits both marks (``""`` when none does).

    Values of digits and marks alone (``1.234.567,89``, ``-12500,5``, ``1,500``) are counted over
    the whole array: the last mark of two different ones is the decimal mark, a mark twice is
    the thousands separator, one mark before three digits fits both, before any other number of
    digits it is the decimal mark. The rest (currency, spaces, ``,-``) go value by value.
    """
    simple = pc.match_substring_regex(values, _DIGITS_AND_MARKS).to_numpy(zero_copy_only=False)
    digits = values.filter(pa.array(simple))
    dots = pc.count_substring(digits, ".").to_numpy()
    commas = pc.count_substring(digits, ",").to_numpy()
    last_dot = pc.match_substring_regex(digits, r"\.[0-9]*$").to_numpy(zero_copy_only=False)
    three = pc.match_substring_regex(digits, r"[.,][0-9]{3}$").to_numpy(zero_copy_only=False)
    both, one_dot, one_comma = (dots > 0) & (commas > 0), (dots == 1) & (commas == 0), (commas == 1) & (dots == 0)
    dot_votes = (both & last_dot) | ((commas > 1) & (dots == 0)) | (one_dot & ~three)
    comma_votes = (both & ~last_dot) | ((dots > 1) & (commas == 0)) | (one_comma & ~three)
    fits_both = (one_dot | one_comma) & three
    dot, comma, either = int(dot_votes.sum()), int(comma_votes.sum()), int(fits_both.sum())
    positions = np.flatnonzero(simple)
    first = int(positions[np.argmax(fits_both)]) if either else len(values)
    rest = np.flatnonzero(~simple)
    for at, value in zip(rest.tolist(), values.take(pa.array(rest)).to_pylist(), strict=True):
        d, c, e = decimal_votes([value])
        dot, comma, either = dot + d, comma + c, either + e
        if e and at < first:
            first = at
    return (dot, comma, either), str(values[first].as_py()) if either else ""


# --- building the dataset -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadOptions:
    """Choices a user makes at import: a forced sheet, date formats, decimal mark, stage mapping."""

    sheet: str | None = None
    columns: tuple[tuple[str, str | None], ...] = ()
    advanced_stages: tuple[str, ...] | None = None
    date_format: str | None = None
    decimal: str | None = None
    won_values: tuple[str, ...] | None = None
    lost_values: tuple[str, ...] | None = None
    #: ``False``: rep and team names that differ only in capitals or spaces stay apart.
    one_spelling: bool | None = None
    #: The file's shape when the headers mislead (``None``: detected from them).
    shape: Shape | None = None


def content_key(content: bytes) -> str:
    """The cache key of an upload: a hash of its bytes (:func:`reading.content_hash`), never its name."""
    return content_hash(content)


def _unreadable(
    header: str, raw: pa.Array, parsed: pa.Array, lines: pa.Array, reason: str, keep: pa.Array
) -> UnreadableValues | None:
    """Values of a loaded row that are present but could not be read (rows set aside are reported once, as rows)."""
    if cells.null_count(parsed) == cells.count_empty(raw):
        return None  # every missing value is an empty cell: nothing unreadable (the usual case)
    mask = pc.and_(pc.and_(pc.invert(cells.is_empty(raw)), pc.is_null(parsed)), keep)
    count = pc.sum(mask).as_py() or 0
    if not count:
        return None
    idx = pc.indices_nonzero(mask).slice(0, 5)
    return UnreadableValues(
        column=header,
        count=int(count),
        example_lines=tuple(int(x) for x in lines.take(idx).to_pylist()),
        examples=tuple(str(x) for x in raw.take(idx).to_pylist()),
        reason=reason,
    )


def build_dataset(raw: RawTable, mapping: ColumnMapping, *, source: str = "upload", key: str = "") -> Dataset:
    """Type and validate ``raw`` under ``mapping``; every data row ends up loaded or set aside."""
    check_mapping(mapping, raw.headers)
    if mapping.shape is Shape.WEEKLY_LOG:
        return _build_weekly(raw, mapping, source, key)
    return _build_opportunities(raw, mapping, source, key)


def _text(raw: RawTable, header: str | None) -> pa.Array:
    """A column's cells as stored (possibly dictionary-encoded); all empty for an unmapped role."""
    if header is None:
        return pa.repeat(pa.scalar("", pa.string()), raw.rows)
    return raw.cells(header)


#: White space inside a name, Unicode's too (a spreadsheet's no-break space): every character
#: ``str.split`` splits on, as :func:`spelling_key` does (RE2's ``\s`` and ``\p{Z}`` leave out
#: the vertical tab, the separators 0x1C-0x1F and NEL).
_INNER_SPACE = r"[\s\x{0B}\x{1C}-\x{1F}\x{85}\p{Z}]+"
_SPELLING_CHOICE = (
    "Data page: untick 'One name for spellings that differ only in capitals or spaces'; command line: --keep-spellings"
)


def spelling_key(name: str) -> str:
    """What two spellings of one name share: ``"andi pratama"`` for ``"ANDI  Pratama"``."""
    return " ".join(name.split()).lower()


def _spelled(name: str) -> str:
    """A name quoted for the report, saying which spaces it holds that a reader cannot see
    (``'Budi Santoso' (with a no-break space)``)."""
    hidden = sorted({_SPACE_NAMES.get(ch, "an unusual space") for ch in name if ch.isspace() and ch != " "})
    return f"'{name}'" + (f" (with {' and '.join(hidden)})" if hidden else "")


_SPACE_NAMES = {"\u00a0": "a no-break space", "\t": "a tab", "\u202f": "a no-break space", "\u3000": "a wide space"}


def _one_spelling(arr: pa.Array, what: str) -> tuple[pa.Array, str | None]:
    """Names that differ only in capitals or spaces (``ANDI PRATAMA``, ``andi  pratama``) read as
    one, spelled as most rows spell it (on a tie, as the file does first), and the report's
    sentence saying which spellings were read as which (``None`` when no two spellings meet).

    Whether two spellings meet is found on the distinct names (a dictionary's texts); the rows are
    counted only when they do.
    """
    names = pc.unique(cells.texts(arr)).drop_null()
    names = names.filter(pc.not_equal(names, ""))
    if len(names) < 2:
        return arr, None
    keys = pc.utf8_lower(pc.replace_substring_regex(names, _INNER_SPACE, " "))
    if pc.count_distinct(keys).as_py() == len(names):
        return arr, None
    if cells.is_encoded(arr):
        counted = pc.value_counts(arr.indices).flatten()
        texts = arr.dictionary.take(counted[0]).to_pylist()
    else:
        counted = pc.value_counts(arr).flatten()
        texts = counted[0].to_pylist()
    rows: dict[str, int] = {}  # in the order the file first names them
    for text, n in zip(texts, counted[1].to_pylist(), strict=True):
        if text:
            rows[text] = rows.get(text, 0) + n
    groups: dict[str, list[str]] = {}
    for text in rows:
        groups.setdefault(spelling_key(text), []).append(text)
    renamed: dict[str, str] = {}
    said = []
    for group in groups.values():
        if len(group) > 1:
            one = max(group, key=rows.__getitem__)  # the first of the most used
            others = [t for t in group if t != one]
            renamed.update(dict.fromkeys(others, one))
            said.append(" and ".join(_spelled(t) for t in others) + f" as {_spelled(one)}")
    if not renamed:
        return arr, None
    shown = "; ".join(said[:5]) + (f"; and {len(said) - 5} more" if len(said) > 5 else "")
    note = f"{what} that differ only in capitals or spaces are read as one: {shown} ({_SPELLING_CHOICE})."
    return cells.map_distinct(arr, lambda v: renamed.get(v, v), pa.string()), note


def _names(raw: RawTable, mapping: ColumnMapping) -> tuple[pa.Array, pa.Array, list[str]]:
    """The rep and team cells (trimmed; no team: missing), each name in one spelling unless the
    mapping keeps spellings apart, and what the report says of it."""
    rep = cells.trimmed(_text(raw, mapping.header("rep")))
    team = cells.nullable(_text(raw, mapping.header("team")))
    notes: list[str] = []
    if mapping.one_spelling:
        rep, rep_note = _one_spelling(rep, "Rep names")
        team, team_note = _one_spelling(team, "Team names") if mapping.header("team") else (team, None)
        notes = [n for n in (rep_note, team_note) if n]
    return rep, team, notes


def _first_non_empty(values: pa.Array) -> str:
    return next((v for v in cells.distinct(values) if v), "")


#: The dates read as dates: a CRM's placeholder for "never" (31/12/9999, 01/01/0001, 1/1/1900 is
#: kept) or a typo's year 2206 would stretch the window over centuries (a weekly chart of 400,000
#: weeks) and every weekly rate with it.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


def _dates(
    raw: RawTable, mapping: ColumnMapping, header: str, notes: list[str] | None = None
) -> tuple[pa.Array, str | None]:
    """A date column typed, with ``fmt`` the format its text was read in; a date outside
    :data:`FIRST_DAY`-:data:`LAST_DAY` is left unread, and ``notes`` gets a sentence naming it."""
    dates, fmt = _read_dates(raw, mapping, header)
    values = dates.dictionary if cells.is_encoded(dates) else dates
    low, high = pc.min_max(values).values()
    if low.as_py() is None or (low.as_py() >= FIRST_DAY and high.as_py() <= LAST_DAY):
        return dates, fmt  # the usual case: one pass over the distinct dates
    inside = pc.and_(pc.greater_equal(values, FIRST_DAY), pc.less_equal(values, LAST_DAY))
    kept = pc.if_else(inside, values, pa.scalar(None, pa.date32()))
    typed = pa.DictionaryArray.from_arrays(dates.indices, kept) if cells.is_encoded(dates) else kept
    if notes is not None:  # the rare case: the rows are decoded to find them
        before, after = (a.dictionary_decode() if cells.is_encoded(a) else a for a in (dates, typed))
        where = pc.indices_nonzero(pc.and_(pc.is_valid(before), pc.is_null(after)))
        first = where.slice(0, 4)  # three shown, and "..." when there are more
        lines, texts = raw.lines.take(first).to_pylist(), raw.cells(header).take(first).to_pylist()
        shown = listed([f"line {n}: '{t}'" for n, t in zip(lines, texts, strict=True)], 3)
        one = len(where) == 1
        notes.append(
            f"{len(where):,} date{'' if one else 's'} in '{header}' {'is' if one else 'are'} before "
            f"{FIRST_DAY.year} or after {LAST_DAY.year} ({shown}) and {'is' if one else 'are'} read as missing: "
            "such a date is a placeholder or a typo, and would stretch the window over centuries."
        )
    return typed, fmt


#: A first-appointment date (or week) this many days or more from every other one, at either end
#: of the file, is named in the report: one typo (2062 for 2026) stretches the window, and so
#: divides every weekly rate, by decades.
STRAY_GAP_DAYS = 366


def _stray_dates_note(dates: pa.ChunkedArray, lines: pa.ChunkedArray, header: str) -> list[str]:
    """The report's sentence on dates set apart from all the others by more than a year at the
    start or the end of the file, with their lines; none in the usual case, which looks at the
    distinct dates only (the table's columns are not joined or copied for it)."""
    distinct = np.sort(pc.unique(dates).drop_null().cast(pa.int32()).to_numpy(zero_copy_only=False))
    if len(distinct) < 2:
        return []
    gaps = np.flatnonzero(np.diff(distinct) >= STRAY_GAP_DAYS)
    if not len(gaps):
        return []
    days = dates.cast(pa.int32())
    # The dates up to the first gap, and those from the last gap on.
    low_end, high_start = distinct[gaps[0]], distinct[gaps[-1] + 1]
    low = pc.fill_null(pc.less_equal(days, int(low_end)), False)
    high = pc.fill_null(pc.greater_equal(days, int(high_start)), False)
    n_low, n_high = pc.sum(low).as_py() or 0, pc.sum(high).as_py() or 0
    few = max(5, len(dates) // 100)  # more rows than five and 1 % of them: a real span of years
    if len(gaps) == 1:  # two groups: the smaller one is apart from the other, if either is
        ends = [low if n_low <= n_high else high] if min(n_low, n_high) <= few else []
    else:  # a group at each end of the bulk: each may be a stray
        ends = [side for side, n in ((low, n_low), (high, n_high)) if n <= few]
    if not ends:
        return []
    stray = (ends[0] if len(ends) == 1 else pc.or_(*ends)).combine_chunks()
    count = pc.sum(stray).as_py() or 0
    where = pc.indices_nonzero(stray)
    first = where.slice(0, 4)
    shown = listed(
        [
            f"line {n}: {d:%Y-%m-%d}"
            for n, d in zip(lines.take(first).to_pylist(), dates.take(first).to_pylist(), strict=True)
        ],
        3,
    )
    one = count == 1
    return [
        f"{count:,} {header} date{'' if one else 's'} ({shown}) {'is' if one else 'are'} more than a year apart from "
        f"the others, and the window runs to {'it' if one else 'them'}, which lowers every weekly rate; check "
        f"{'that date' if one else 'those dates'}, or choose the window in the sidebar."
    ]


def _read_dates(raw: RawTable, mapping: ColumnMapping, header: str) -> tuple[pa.Array, str | None]:
    if header in raw.mixed_dates:
        return _mixed_dates(raw, mapping, header)
    fmt = mapping.date_formats.get(header)
    if fmt is None and header in raw.native_dates:
        fmt = "%Y-%m-%d"
    # The time of day is dropped first, so a timestamp column has as few distinct values as days.
    dates_only = _without_time(_text(raw, header))
    if fmt in (None, _ISO_DATE):
        iso = _iso_dates(dates_only)
        if iso is not None:
            return iso, _ISO_DATE
    if fmt is None:
        fmt = choose_date_format(header, cells.distinct(dates_only))
    if fmt is None:
        return pa.nulls(raw.rows, pa.date32()), None
    chosen = fmt
    return cells.map_distinct(
        dates_only, lambda v: parse_date(v, chosen) if v else None, pa.date32(), encoded=True
    ), fmt


_ISO_DATE = "%Y-%m-%d"


def _split_cells(raw: RawTable, header: str, text_lines: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """An Excel column of typed cells and text cells (``text_lines``, from the reader) as three
    arrays of its rows: which cells are text, the typed cells alone and the text cells alone (the
    others ``""``). Matched on the rows' lines, so rows the reader set aside change nothing."""
    values = raw.values(header)
    is_text = pc.fill_null(pc.is_in(raw.lines, value_set=text_lines), False)
    empty = pa.scalar("", pa.string())
    return is_text, pc.if_else(is_text, empty, values), pc.if_else(is_text, values, empty)


def date_texts(raw: RawTable, header: str) -> pa.Array:
    """The cells of a date column whose format is to be chosen: every cell, or in an Excel column
    mixing date cells with text, the text cells alone (the others ``""``)."""
    if header in raw.mixed_dates:
        return _split_cells(raw, header, raw.mixed_dates[header])[2]
    return raw.cells(header)


def _without_time(values: pa.Array) -> pa.Array:
    """Cells with a time of day (``2026-01-05 14:30``) dropped to their date (for a dictionary
    array, in its dictionary: a timestamp column then has as few distinct values as days)."""
    if pc.any(pc.match_substring(cells.texts(values), ":")).as_py():
        return cells.per_value(
            values, lambda v: pc.replace_substring_regex(v, pattern=_TIME_SUFFIX_RE2, replacement="")
        )
    return values


def _mixed_dates(raw: RawTable, mapping: ColumnMapping, header: str) -> tuple[pa.Array, str | None]:
    """An Excel column of date cells and dates typed as text: each date cell is the date it holds;
    the text cells alone choose their format (or ask, as a column of text does), unless the
    mapping names one. The format returned is the text's (``yyyy-mm-dd`` when none reads it)."""
    is_text, typed, text = _split_cells(raw, header, raw.mixed_dates[header])
    typed = _without_time(typed)
    typed_dates = _iso_dates(typed)
    if typed_dates is None:  # not expected: the reader writes every date cell as yyyy-mm-dd
        typed_dates = cells.map_distinct(typed, lambda v: parse_date(v, _ISO_DATE) if v else None, pa.date32())
    text = _without_time(text)
    fmt = mapping.date_formats.get(header) or choose_date_format(header, cells.distinct(text))
    if fmt is None:
        return typed_dates, _ISO_DATE
    chosen = fmt
    text_dates = cells.map_distinct(text, lambda v: parse_date(v, chosen) if v else None, pa.date32())
    return pc.if_else(is_text, text_dates, typed_dates), fmt


def _mixed_notes(
    raw: RawTable, mapping: ColumnMapping, date_formats: Mapping[str, str], decimal: str | None
) -> list[str]:
    """One sentence for each mapped Excel column whose typed cells sit beside text cells: what the
    text cells are and how they were read."""
    notes = []
    date_roles = (*OPPORTUNITY_DATES, "week")
    number_roles = ("amount", *WEEKLY_NUMBERS)
    for canonical, header in mapping.columns.items():
        if header is None:
            continue
        if header in raw.mixed_dates and canonical in date_roles:
            lines, kind = raw.mixed_dates[header], "date"
            fmt = date_formats.get(header)
            how = f"read as {format_label(fmt)}" if fmt else "not read"
        elif header in raw.mixed_numbers and canonical in number_roles:
            lines, kind = raw.mixed_numbers[header], "number"
            how = f"read with '{decimal}' as the decimal mark" if decimal else "not read"
        else:
            continue
        shown = listed(lines.slice(0, 6).to_pylist())
        one = len(lines) == 1
        notes.append(
            f"'{header}' mixes {kind} cells with {len(lines):,} {kind}{'' if one else 's'} typed as text "
            f"(line{'' if one else 's'} {shown}), {how}."
        )
    return notes


def _iso_dates(values: pa.Array) -> pa.Array | None:
    """The cells read as dates when every non-empty one is a valid ``yyyy-mm-dd`` date, else ``None``.

    Arrow's own date parser, exactly what :func:`choose_date_format` and :func:`parse_date` would
    decide for such a column (yyyy-mm-dd comes first and has no day/month twin), without a Python
    call per distinct value. Anything else (another format, an invalid day, year 0) takes the
    general path, which reports each value it cannot read.
    """
    present = cells.present(values)
    if not len(present) or not pc.all(pc.match_substring_regex(present, r"^\d{4}-\d{2}-\d{2}$"), min_count=0).as_py():
        return None
    try:
        parsed = pc.cast(present, pa.date32())
    except pa.ArrowInvalid:
        return None
    if pc.any(pc.less(pc.year(parsed), 1)).as_py():
        return None  # year 0: Arrow reads it, strptime does not
    return cells.per_value(values, lambda v: pc.cast(cells.nullable(v), pa.date32()), encoded=True)


def _decimal(raw: RawTable, mapping: ColumnMapping, headers: Sequence[str]) -> tuple[str | None, dict[str, pa.Array]]:
    """The decimal mark of the number columns, and those of ``headers`` found to hold only plain
    numbers on the way, with their non-empty cells (:func:`cells.present`), so that
    :func:`_numbers` need neither check nor find them again."""
    if mapping.decimal:
        return mapping.decimal, {}
    textual = [h for h in headers if h not in raw.native_numbers]
    if not headers:
        return None, {}
    if not textual:
        return ".", {}
    # An Excel column of number cells and text cells: the text alone says which mark it uses.
    columns = [
        _split_cells(raw, h, raw.mixed_numbers[h])[2] if h in raw.mixed_numbers else raw.cells(h) for h in textual
    ]
    arrays = [cells.present(c) for c in columns]
    shapes = [_plain_digits(a) for a in arrays]
    if all(shape is not None for shape in shapes):
        # Fast path: every value is a plain number (-?digits, at most one '.'), so only values with
        # 1-3 digits, '.', and 3 digits (1.500) are open; a value with any other count of decimals
        # after its '.' settles '.' for the column.
        settled, open_values = False, []
        for a, shape in zip(arrays, shapes, strict=True):
            assert shape is not None
            before, after = shape
            settled = settled or bool(np.any((after >= 0) & (after != 3)))
            open_values += cells.distinct(a.filter(pa.array((after == 3) & (before <= 3))))
        if settled or not open_values:
            return ".", {h: a for h, a in zip(textual, arrays, strict=True) if h not in raw.mixed_numbers}
    return choose_decimal(textual, columns), {}


def _all_plain(present: pa.Array) -> bool:
    """Every value of ``present`` (non-empty cells) is a plain number such as ``-1234.5`` (no
    grouping, no currency)."""
    return _plain_digits(present) is not None


def _plain_digits(present: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """When every value of ``present`` is a plain number (``-?[0-9]+(\\.[0-9]+)?``), the digits of each
    before its ``.`` and after it (-1 without a ``.``); else ``None``.

    The pattern's conditions counted over the whole column, a fourth of the time of the regular
    expression: only ``0-9 . -`` (the bytes from ``-`` to ``9`` but ``/``); as many ``-`` as
    values starting with one; as many ``.`` as values holding one; a digit before the ``.`` (or
    at all) and after it.
    """
    if not len(present):
        return np.zeros(0, np.int32), np.zeros(0, np.int32)
    if present.null_count:
        return None  # not from cells.present, which drops missing cells: the general path reads them
    if not pa.types.is_string(present.type):
        present = present.cast(pa.string())
    # Four bytes a value throughout (a million amounts: a few MB of scratch, freed as it goes).
    offsets = cells.string_offsets(present)
    lengths = np.diff(offsets)
    if not lengths.all():
        return None  # an empty text
    data = np.frombuffer(present.buffers()[2], np.uint8)[offsets[0] : offsets[-1]]
    if data.min() < ord("-") or data.max() > ord("9") or np.count_nonzero(data == ord("/")):
        return None
    minus = (data[offsets[:-1] - offsets[0]] == ord("-")).astype(np.int32)
    if np.count_nonzero(data == ord("-")) != np.count_nonzero(minus):
        return None  # a '-' after the start
    dot = pc.find_substring(present, ".").to_numpy()
    has_dot = dot >= 0
    if np.count_nonzero(data == ord(".")) != np.count_nonzero(has_dot):
        return None  # two '.' in a value
    before = np.where(has_dot, dot, lengths) - minus
    after = np.where(has_dot, lengths - dot - 1, -1)
    if not (before >= 1).all() or not (after != 0).all():
        return None  # '-' alone, '-.5', '.5' or '5.'
    return before, after


def _read_amounts(values: pa.Array, decimal: str) -> pa.Array:
    """:func:`parse_amount` of every cell with ``decimal`` as the decimal mark (an empty cell:
    missing). Numbers of digits, thousands separators and a decimal mark alone (``-1.234.567,89``,
    ``12500,5``) are read over the whole column, as Arrow casts them once the separators are gone
    and the mark is a ``.``; the other values (currency, spaces, parentheses) once each, as text."""
    if cells.is_encoded(values):
        return cells.per_value(values, lambda v: _read_amounts(v, decimal))
    filled = pc.fill_null(pc.invert(cells.is_empty(values)), False)
    present = values.filter(filled)
    simple = pc.match_substring_regex(present, _simple_amount(decimal))
    numbers = pa.nulls(len(values), pa.float64())
    if pc.any(simple).as_py():
        numbers = pc.replace_with_mask(numbers, _spread(filled, simple), _cast_simple(present.filter(simple), decimal))
    if not pc.all(simple).as_py():
        rest = pc.invert(simple)
        others = cells.map_distinct(present.filter(rest), lambda v: parse_amount(v, decimal), pa.float64())
        numbers = pc.replace_with_mask(numbers, _spread(filled, rest), others)
    return numbers


def _spread(rows: pa.Array, which: pa.Array) -> pa.Array:
    """``which`` (a flag for each row ``rows`` marks, in turn) as a flag for every row, ``False``
    where ``rows`` is."""
    return pc.replace_with_mask(pa.repeat(pa.scalar(False), len(rows)), rows, which)


#: The thousands separator that goes with each decimal mark.
_THOUSANDS = {".": ",", ",": "."}


def _simple_amount(decimal: str) -> str:
    """The numbers :func:`parse_amount` reads with ``decimal`` that hold nothing but a leading
    ``-``, digits, thousands separators in groups of three and a decimal mark with digits after
    it: its own two patterns, in ASCII digits (RE2 syntax)."""
    sep_t, sep_d = re.escape(_THOUSANDS[decimal]), re.escape(decimal)
    return rf"^-?(?:[0-9]+(?:{sep_d}[0-9]+)?|[0-9]{{1,3}}(?:{sep_t}[0-9]{{3}})+(?:{sep_d}[0-9]+)?)$"


def _cast_simple(values: pa.Array, decimal: str) -> pa.Array:
    """Numbers of :func:`_simple_amount`'s shape as floats: separators dropped, the mark made a
    ``.``, then Arrow's cast, which rounds as Python's ``float`` does; beyond the float's range
    missing, as :func:`parse_amount` leaves it."""
    plain = pc.replace_substring(values, _THOUSANDS[decimal], "")
    if decimal != ".":
        plain = pc.replace_substring(plain, decimal, ".")
    numbers = pc.cast(plain, pa.float64())
    finite = pc.is_finite(numbers)
    return numbers if pc.all(finite).as_py() else pc.if_else(finite, numbers, pa.scalar(None, pa.float64()))


#: The largest amount or count read as one (a thousand trillion: Rp 1.000 triliun). A cell beyond it
#: is reported as unreadable: no deal is that large, and sums of values near the float's limit
#: (``1e308``) become infinite, which no KPI or slider can show.
MAX_NUMBER = 1e15


def _numbers(raw: RawTable, header: str, decimal: str, plain: Mapping[str, pa.Array] | None = None) -> pa.Array:
    """A number column read with ``decimal``, values beyond :data:`MAX_NUMBER` left unread."""
    return _within_reach(_read_numbers(raw, header, decimal, plain))


def _within_reach(numbers: pa.Array) -> pa.Array:
    """``numbers`` with every value beyond ±:data:`MAX_NUMBER` (or not finite) made missing."""
    low, high = pc.min_max(numbers).values()
    if low.as_py() is None or (low.as_py() >= -MAX_NUMBER and high.as_py() <= MAX_NUMBER):
        return numbers  # the usual case: one pass over the column, no copy
    inside = pc.less_equal(pc.abs(numbers), MAX_NUMBER)  # NaN compares false
    return pc.if_else(inside, numbers, pa.scalar(None, pa.float64()))


def _read_numbers(raw: RawTable, header: str, decimal: str, plain: Mapping[str, pa.Array] | None = None) -> pa.Array:
    """A number column read with ``decimal``; ``plain`` holds the non-empty cells of columns
    already known to hold only plain numbers (from :func:`_decimal`). In an Excel column of number
    cells and text cells, only the text is read with ``decimal``: a number cell is its number."""
    if header in raw.mixed_numbers:
        is_text, typed, text = _split_cells(raw, header, raw.mixed_numbers[header])
        try:  # a number cell's text is a plain number (cell_text): Arrow's cast reads it as Python would
            typed_numbers = pc.cast(cells.nullable(typed), pa.float64())
        except pa.ArrowInvalid:
            typed_numbers = _read_amounts(typed, ".")
        text_numbers = _read_amounts(text, decimal)
        return pc.if_else(is_text, text_numbers, typed_numbers)
    mark = "." if header in raw.native_numbers else decimal
    values = _text(raw, header)
    present = (plain or {}).get(header) if mark == "." else None
    if mark == "." and present is None:
        found = cells.present(values)
        present = found if _all_plain(found) else None
    if present is None:
        return _read_amounts(values, mark)
    if cells.is_encoded(values):
        return cells.per_value(values, lambda v: pc.cast(cells.nullable(v), pa.float64()))
    # The non-empty cells, typed, put back in their rows: a typed copy of the present cells only,
    # never a copy of every cell with the empty ones made missing (a fifth of the time at 5M rows).
    return pc.replace_with_mask(
        pa.nulls(len(values), pa.float64()), pc.invert(cells.is_empty(values)), pc.cast(present, pa.float64())
    )


_TOTAL_WORDS = frozenset({"total", "totals", "grand total", "sum", "subtotal", "jumlah", "total keseluruhan"})


def _total_word(text: str) -> bool:
    """Whether a cell says "Total" ("GRAND TOTAL:", "Jumlah")."""
    return " ".join(text.casefold().split()).rstrip(":").rstrip() in _TOTAL_WORDS


def _not_a_total(rep: pa.Array) -> pa.Array:
    """False for a row whose rep reads "Total": a total line, even one that has a date."""
    return pc.invert(
        pc.fill_null(cells.map_distinct(rep, lambda v: v is not None and _total_word(v), pa.bool_()), False)
    )


def _set_aside_rows(
    raw: RawTable, keep: pa.Array, reasons: Sequence[tuple[pa.Array, Callable[[int], str]]]
) -> list[SetAsideRow]:
    """Rows not kept, each with the first reason that applies."""
    dropped = pc.indices_nonzero(pc.invert(keep))
    out = []
    lines = raw.lines.take(dropped).to_pylist()
    texts = raw.table.take(dropped).to_pylist()
    for i, line, row in zip(dropped.to_pylist(), lines, texts, strict=True):
        if any(_total_word(str(v)) for v in row.values()):
            out.append(SetAsideRow(line, "is a total line, not an opportunity"))
            continue
        for mask, reason in reasons:
            if mask[i].as_py():
                out.append(SetAsideRow(line, reason(i)))
                break
    return out


#: Groupings of their own (``queries.kpis(by=...)``): an extra column with one of these headers is
#: labelled ``"<header> (column)"``, or grouping "by team" would group on the mapped team (none)
#: instead of the column's values.
RESERVED_GROUPINGS = frozenset({"rep", "team", "all"})


def _dimensions(raw: RawTable, mapping: ColumnMapping) -> tuple[tuple[Dimension, ...], dict[str, pa.Array], list[str]]:
    """The extra columns (kept for filters and groupings), and what the report says of them.

    Their values get one spelling each too (``Jakarta``, ``jakarta``, ``JAKARTA``), as the rep's
    and team's do, in the columns that hold labels: the reader's dictionary-encoded columns, and
    any column of a small file. An opportunity's id is never a spelling of another id, and a large
    file's plain columns (ids, amounts, notes: mostly distinct values) are not looked through.
    """
    used = {h for h in mapping.columns.values() if h}
    ids = id_header(raw.headers)
    dims: list[Dimension] = []
    arrays: dict[str, pa.Array] = {}
    notes: list[str] = []
    for header in raw.headers:
        if header in used:
            continue
        name = f"d{len(dims)}"
        label = f"{header} (column)" if header in RESERVED_GROUPINGS else header
        dims.append(Dimension(label=label, column=name))
        arr = cells.nullable(_text(raw, header))
        if mapping.one_spelling and header != ids and (cells.is_encoded(arr) or len(arr) <= _SPELLING_ROWS):
            arr, note = _one_spelling(arr, f"Values of '{header}'")
            if note:
                notes.append(note)
        arrays[name] = arr
    return tuple(dims), arrays, notes


#: An extra column read as plain text is looked through for spellings up to this many rows.
_SPELLING_ROWS = 200_000


#: Label columns (few distinct values), kept dictionary-encoded: less memory, faster grouping.
#: Extra columns stay plain: an ID column would cost more to encode than it saves.
_LABEL_COLUMNS = frozenset({"rep", "team", "stage", "outcome"})


def _kept(table: pa.Table, keep: pa.Array) -> pa.Table:
    """The rows to load, without copying them when few rows are set aside (the usual case).

    A "Total" line at the bottom of a million rows would otherwise copy the whole table; the rows
    between set-aside rows are zero-copy slices instead.
    """
    dropped = pc.indices_nonzero(pc.invert(keep)).to_pylist()
    if not dropped:
        return table
    if len(dropped) > 1000:
        return table.filter(keep)
    pieces, begin = [], 0
    for i in dropped:
        if i > begin:
            pieces.append(table.slice(begin, i - begin))
        begin = i + 1
    if begin < table.num_rows:
        pieces.append(table.slice(begin))
    return pa.concat_tables(pieces) if pieces else table.slice(0, 0)


def compact_labels(table: pa.Table) -> pa.Table:
    """The typed table with its label columns dictionary-encoded (values unchanged)."""
    columns = {}
    for name in table.column_names:
        column = table.column(name)
        if name in _LABEL_COLUMNS and not pa.types.is_dictionary(column.type):
            column = pc.dictionary_encode(column)
        columns[name] = column
    return pa.table(columns)


_PAIR_BLOCK = 1 << 18


def rep_teams_of(table: pa.Table) -> tuple[tuple[str, str | None], ...] | None:
    """Each rep's one team (``None`` for a rep without any), or ``None`` when a rep has two.

    Counted over the dictionary codes of the two columns (one pass of integer arithmetic), so
    that a rep's team need not be found again by every query.
    """
    if not table.num_rows:
        return ()
    pair = table.select(["rep", "team"]).unify_dictionaries().combine_chunks()
    rep, team = (c.chunk(0) for c in pair.columns)
    rep = rep if pa.types.is_dictionary(rep.type) else rep.dictionary_encode()
    team = team if pa.types.is_dictionary(team.type) else team.dictionary_encode()
    width = len(team.dictionary) + 1  # the last code stands for "no team" (it fits the codes' type)
    rep_codes = rep.indices.to_numpy(zero_copy_only=False)
    team_codes = pc.fill_null(team.indices, width - 1).to_numpy(zero_copy_only=False)
    span = len(rep.dictionary) * width
    parts = []
    # A block of rows at a time: eight-byte pair codes for every row at once took 100 MB at five
    # million rows. Counting needs one slot per (rep, team) pair; many reps and teams sort instead.
    for at in range(0, len(rep_codes), _PAIR_BLOCK):
        codes = rep_codes[at : at + _PAIR_BLOCK].astype(np.int64) * width + team_codes[at : at + _PAIR_BLOCK]
        parts.append(np.flatnonzero(np.bincount(codes, minlength=span)) if span <= 1 << 22 else np.unique(codes))
    seen = np.unique(np.concatenate(parts))
    reps, teams = rep.dictionary.to_pylist(), team.dictionary.to_pylist()
    found: dict[str, set[str]] = {}
    for code in seen.tolist():
        names = found.setdefault(str(reps[code // width]), set())
        if code % width != width - 1:
            names.add(str(teams[code % width]))
    if any(len(names) > 1 for names in found.values()):
        return None
    return tuple((r, next(iter(names), None)) for r, names in sorted(found.items()))


def _dataset_key(content_key: str, mapping: ColumnMapping) -> str:
    """A dataset's cache key: its file's content and every choice of the mapping."""
    return hashlib.sha256((content_key + mapping.key()).encode()).hexdigest()


def _report(
    raw: RawTable,
    mapping: ColumnMapping,
    source: str,
    loaded: int,
    set_aside: list[SetAsideRow],
    unreadable: list[UnreadableValues | None],
    date_formats: dict[str, str],
    decimal: str | None,
    notes: list[str],
) -> ImportReport:
    all_aside = tuple(sorted((*raw.set_aside, *set_aside), key=lambda r: r.line))
    report = ImportReport(
        source=source,
        file_format=raw.file_format,
        shape=mapping.shape,
        data_rows=raw.data_rows,
        rows_loaded=loaded,
        set_aside=all_aside,
        unreadable=tuple(u for u in unreadable if u is not None),
        date_formats=date_formats,
        decimal=decimal,
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        sheet=raw.sheet,
        notes=(*raw.notes, *_mixed_notes(raw, mapping, date_formats, decimal), *notes),
        currency=currency_of(raw, mapping.header("amount" if mapping.shape is Shape.OPPORTUNITIES else "revenue")),
    )
    assert report.rows_loaded + report.rows_set_aside == report.data_rows, "every row must be accounted for"
    return report


def _amounts(raw: RawTable, mapping: ColumnMapping) -> tuple[str | None, pa.Array | None]:
    """The amount column's decimal mark and typed values (``None`` without an amount column or a
    mark). The present cells :func:`_decimal` hands to :func:`_numbers` go when this returns, not
    at the end of the build (18 MB at 5M rows, at the build's peak)."""
    header = mapping.header("amount")
    decimal, plain = _decimal(raw, mapping, [header] if header else [])
    if header and decimal:
        return decimal, _numbers(raw, header, decimal, plain)
    return decimal, None


#: A multi-currency CRM's column naming each deal's currency ("Deal Currency Code", "Amount Currency").
_CURRENCY_HEADER = re.compile(r"^(?:.* )?(?:currency(?: code| iso code)?|mata uang)$")


def _currencies_note(raw: RawTable, mapping: ColumnMapping, amount_header: str) -> list[str]:
    """A sentence when the amounts are in several currencies (as a column of currency codes says)
    and the mapped amount is not one converted to a single currency: revenue would add them up."""
    used = {h for h in mapping.columns.values() if h}
    if "converted" in normalize(amount_header) or "company currency" in normalize(amount_header):
        return []
    for header in raw.headers:
        if header in used or not _CURRENCY_HEADER.match(normalize(header)):
            continue
        codes = sorted(value_set(raw, header))
        if len(codes) > 1:
            shown = listed([f"'{c}'" for c in codes])
            return [
                f"The amounts in '{amount_header}' are in {len(codes)} currencies ({shown} in '{header}'), and "
                "revenue adds them as they are; map an amount converted to one currency (such as 'Amount in "
                "company currency'), or upload one currency at a time."
            ]
    return []


def _build_opportunities(raw: RawTable, mapping: ColumnMapping, source: str, key: str) -> Dataset:
    h = mapping.header
    lines = raw.lines
    rep, team, notes = _names(raw, mapping)
    stage = _text(raw, h("stage"))
    dates: dict[str, pa.Array] = {}
    formats: dict[str, str] = {}
    pending: list[tuple[str, pa.Array, pa.Array, str]] = []
    for canonical in OPPORTUNITY_DATES:
        header = h(canonical)
        if header is None:
            dates[canonical] = pa.nulls(raw.rows, pa.date32())
            continue
        arr, fmt = _dates(raw, mapping, header, notes)
        if fmt is None and canonical == "first_appointment" and raw.rows:
            example = _first_non_empty(raw.cells(header))
            raise UnreadableFileError(
                f"No value in '{header}' can be read as a date (e.g. '{example}'); "
                "map the column that holds the first-appointment or created date."
            )
        dates[canonical] = arr
        if fmt:
            formats[header] = fmt
        if canonical != "first_appointment":
            pending.append(
                (header, _text(raw, header), arr, f"not a date in {format_label(fmt)}" if fmt else "not a date")
            )
    amount_header = h("amount")
    decimal, typed = _amounts(raw, mapping)
    if amount_header and typed is not None:
        amount = typed
        pending.append((amount_header, _text(raw, amount_header), amount, "not an amount"))
    else:
        amount = pa.nulls(raw.rows, pa.float64())

    outcome_header = h("outcome") or h("stage")
    if outcome_header:
        outcome = cells.map_distinct(_text(raw, outcome_header), lambda v: outcome_of(v, mapping), pa.string())
    else:
        outcome = pa.repeat(pa.scalar("open", pa.string()), raw.rows)
    won = cells.per_value(outcome, lambda v: pc.equal(v, "won"))
    stages = pa.array(sorted(mapping.advanced_stages), type=pa.string())
    advanced_stage = cells.per_value(stage, lambda v: pc.is_in(v, value_set=stages))
    advanced = pc.or_(pc.or_(pc.is_valid(dates["next_step"]), advanced_stage), won)

    has_rep = pc.and_(pc.invert(cells.is_empty(rep)), _not_a_total(rep))
    fa_raw = _text(raw, h("first_appointment"))
    has_fa = pc.is_valid(dates["first_appointment"])
    keep = pc.and_(has_rep, has_fa)
    fa_header = h("first_appointment")
    fa_fmt = formats.get(fa_header or "")
    set_aside = _set_aside_rows(
        raw,
        keep,
        [
            (pc.invert(has_rep), lambda i: "has no rep"),
            (cells.is_empty(fa_raw), lambda i: "has no first-appointment date"),
            (
                pc.invert(has_fa),
                lambda i: (
                    f"has a first-appointment date '{fa_raw[i].as_py()}' that cannot be read as {format_label(fa_fmt or '')}"
                ),
            ),
        ],
    )
    # Compared for the won rows only (a fifth of the rows, and the dates decoded for those alone).
    won_rows = pc.indices_nonzero(pc.and_(keep, won))
    backwards = pc.less(dates["close_date"].take(won_rows), dates["first_appointment"].take(won_rows))
    backwards_lines = raw.lines.take(won_rows).filter(pc.fill_null(backwards, False)).to_pylist()
    if backwards_lines:
        shown = listed(backwards_lines)
        notes.append(
            f"{len(backwards_lines):,} won opportunit{'y closes' if len(backwards_lines) == 1 else 'ies close'} before "
            f"the first appointment (line {shown}); their sales cycles count as negative days, so check those dates."
        )
    if outcome_header:
        notes.extend(_outcome_notes(raw, outcome_header, mapping, any_won=bool(pc.any(pc.and_(keep, won)).as_py())))
    lost = pc.and_(keep, cells.per_value(outcome, lambda v: pc.equal(v, "lost")))
    if h("outcome") and h("stage"):
        notes.extend(_yes_no_outcome_note(raw, mapping, stage, lost))
    lost_count = pc.sum(lost).as_py() or 0
    caveat = None
    if lost_count and not pc.any(pc.and_(lost, advanced)).as_py():
        caveat = (
            (
                f"None of the {lost_count:,} lost opportunities counts"
                if lost_count > 1
                else "The one lost opportunity does not count"
            )
            + " as having passed the first gate, so the close ratio only sees won deals; if lost deals had reached "
            "a demo or proposal, mark their stage as 'next step or later'."
        )
        notes.append(caveat)
    if amount_header:
        won_no_amount = pc.sum(pc.and_(pc.and_(won, keep), pc.is_null(amount))).as_py() or 0
        if won_no_amount:
            notes.append(
                f"{won_no_amount:,} won opportunit{'y has' if won_no_amount == 1 else 'ies have'} no readable amount; "
                + (
                    "it counts as a sale, and revenue and the average sale leave it out"
                    if won_no_amount == 1
                    else "they count as sales, and revenue and the average sale leave them out"
                )
                + " (n/a where no won opportunity's amount is known)."
            )
    if amount_header:
        notes.extend(_currencies_note(raw, mapping, amount_header))
    dims, dim_arrays, dim_notes = _dimensions(raw, mapping)
    notes.extend(dim_notes)
    table = pa.table(
        {
            "line": lines,
            "rep": rep,
            "team": team,
            "first_appointment": dates["first_appointment"],
            "next_step": dates["next_step"],
            "close_date": dates["close_date"],
            "stage": cells.nullable(stage),
            "outcome": outcome,
            "advanced": advanced,
            "won": won,
            "amount": amount,
            **dim_arrays,
        }
    )
    table = _kept(table, keep)
    table = compact_labels(table)
    notes.extend(_stray_dates_note(table["first_appointment"], table["line"], "first-appointment"))
    first, last = _span(table["first_appointment"])
    unreadable = [_unreadable(h_, text, parsed, lines, why, keep) for h_, text, parsed, why in pending]
    report = _report(raw, mapping, source, table.num_rows, set_aside, unreadable, formats, decimal, notes)
    report = dataclasses.replace(report, close_ratio_caveat=caveat)
    return Dataset(
        Shape.OPPORTUNITIES,
        table,
        report,
        mapping,
        dims,
        first,
        last,
        _dataset_key(key, mapping),
        rep_teams_of(table),
    )


def _blank_counts_note(values: pa.Array, lines: pa.Array, keep: pa.Array, header: str, what: str) -> list[str]:
    """A weekly log's rows (kept) without a number of next steps or wins: what that makes n/a."""
    missing = lines.filter(pc.and_(keep, pc.is_null(values))).to_pylist()
    if not missing:
        return []
    shown = listed(missing)
    kpis = "next steps and ratios" if what == "next steps" else "wins, close ratio and average revenue per sale"
    one = len(missing) == 1
    whose, teams = ("its rep's", "its team's") if one else ("their reps'", "their teams'")
    return [
        f"{len(missing):,} week{' has' if one else 's have'} no number in '{header}' (line{'' if one else 's'} "
        f"{shown}), so {whose} {kpis} read n/a (and {teams} and everyone's) instead of counting the blank as 0; "
        "write 0 where there were none."
    ]


def _build_weekly(raw: RawTable, mapping: ColumnMapping, source: str, key: str) -> Dataset:
    h = mapping.header
    lines = raw.lines
    rep, team, notes = _names(raw, mapping)
    week_header = h("week")
    assert week_header is not None
    week_dates, fmt = _dates(raw, mapping, week_header, notes)
    if fmt is None and raw.rows:
        example = _first_non_empty(raw.cells(week_header))
        raise UnreadableFileError(
            f"No value in '{week_header}' can be read as a date (e.g. '{example}'); map the column that holds the week."
        )
    monday = _map_distinct_date(week_dates)
    number_headers = [x for c in WEEKLY_NUMBERS if (x := h(c))]
    decimal, plain = _decimal(raw, mapping, number_headers)
    numbers: dict[str, pa.Array] = {}
    pending: list[tuple[str, pa.Array, pa.Array, str]] = []
    for canonical in WEEKLY_NUMBERS:
        header = h(canonical)
        if header is None or decimal is None:
            numbers[canonical] = pa.nulls(raw.rows, pa.float64())
            continue
        numbers[canonical] = _numbers(raw, header, decimal, plain)
        if canonical != "appointments":
            pending.append((header, _text(raw, header), numbers[canonical], "not a number"))
    has_rep = pc.and_(pc.invert(cells.is_empty(rep)), _not_a_total(rep))
    has_week = pc.is_valid(monday)
    appointments_raw = _text(raw, h("appointments"))
    has_appointments = pc.is_valid(numbers["appointments"])
    keep = pc.and_(pc.and_(has_rep, has_week), has_appointments)
    set_aside = _set_aside_rows(
        raw,
        keep,
        [
            (pc.invert(has_rep), lambda i: "has no rep"),
            (
                pc.invert(has_week),
                lambda i: f"has a week '{raw.cells(week_header)[i].as_py()}' that cannot be read as a date",
            ),
            (cells.is_empty(appointments_raw), lambda i: "has no number of appointments"),
            (
                pc.invert(has_appointments),
                lambda i: f"has an appointments value '{appointments_raw[i].as_py()}' that is not a number",
            ),
        ],
    )
    for canonical, what in (("next_steps", "next steps"), ("wins", "wins")):
        header = h(canonical)
        if header is not None and decimal is not None:
            notes.extend(_blank_counts_note(numbers[canonical], lines, keep, header, what))
    dims, dim_arrays, dim_notes = _dimensions(raw, mapping)
    notes.extend(dim_notes)
    table = pa.table(
        {
            "line": lines,
            "rep": rep,
            "team": team,
            "week": monday,
            **{c: numbers[c] for c in WEEKLY_NUMBERS},
            **dim_arrays,
        }
    )
    table = _kept(table, keep)
    table = compact_labels(table)
    notes.extend(_stray_dates_note(table["week"], table["line"], "week"))
    first, last = _span(table["week"])
    if last is not None:
        last = last + dt.timedelta(days=6)
    formats = {week_header: fmt} if fmt else {}
    report = _report(
        raw,
        mapping,
        source,
        table.num_rows,
        set_aside,
        [_unreadable(h_, text, parsed, lines, why, keep) for h_, text, parsed, why in pending],
        formats,
        decimal if number_headers else None,
        notes,
    )
    return Dataset(
        Shape.WEEKLY_LOG,
        table,
        report,
        mapping,
        dims,
        first,
        last,
        _dataset_key(key, mapping),
        rep_teams_of(table),
    )


def _span(dates: pa.ChunkedArray) -> tuple[dt.date | None, dt.date | None]:
    """The first and last date of a column (plain or dictionary-encoded dates)."""
    used = [
        chunk.dictionary.take(pc.unique(chunk.indices).drop_null()) if cells.is_encoded(chunk) else chunk
        for chunk in dates.chunks
    ]
    span = pc.min_max(pa.chunked_array(used, pa.date32()))
    return span["min"].as_py(), span["max"].as_py()


def _map_distinct_date(dates: pa.Array) -> pa.Array:
    """Each date moved back to the Monday of its week (weeks start on Monday, spec 1b)."""
    encoded = dates.dictionary_encode()
    mondays = [None if d is None else d - dt.timedelta(days=d.weekday()) for d in encoded.dictionary.to_pylist()]
    return pa.array(mondays, type=pa.date32()).take(encoded.indices)


# --- one call for callers -------------------------------------------------------------------------------


#: Outcome values that say "open" in so many words (left out of the note on files with no sale).
OPEN_WORDS = frozenset({"open", "opened", "in progress", "pending", "terbuka", "proses", "dalam proses", "berjalan"})
_OUTCOME_CHOICE = "Data page: 'Also count as won / lost'; command line: --won-value / --lost-value"


def _outcome_notes(raw: RawTable, header: str, mapping: ColumnMapping, *, any_won: bool) -> list[str]:
    """What the report says of the outcome values: the words read as won or lost beyond the
    spec's (proposed, or chosen), and, when no row reads as won, the values read as open instead.

    Without it a file whose outcomes are written in another language ("Menang", "Gewonnen") loaded
    with no sale at all, and nothing said why."""
    notes: list[str] = []
    if any_won and not mapping.won_values and not mapping.lost_values:
        return notes  # the usual case: nothing to say, and no need to count the column's values
    values = distinct_values(raw, header)
    read = []
    for kind, chosen in (("won", mapping.won_values), ("lost", mapping.lost_values)):
        used = [v for v in values if v in chosen]
        if used:
            read.append(f"{', '.join(repr(v) for v in used)} as {kind}")
    if read:
        notes.append(f"In '{header}', read beyond the standard words: {'; '.join(read)} ({_OUTCOME_CHOICE}).")
    if not any_won:
        unread = [v for v in values if outcome_of(v, mapping) == "open" and outcome_word(v) not in OPEN_WORDS]
        if unread:
            quoted = listed([repr(v) for v in unread], 6)
            notes.append(
                f"No value of '{header}' is read as won, so there are no sales: {quoted} "
                f"{'is' if len(unread) == 1 else 'are'} read as open. If one means won or lost, say so "
                f"({_OUTCOME_CHOICE})."
            )
    return notes


#: An outcome column of only these words (``Won``: TRUE / FALSE) cannot say "open": spec 1c reads
#: FALSE as lost.
_YES_NO_WORDS = frozenset({"yes", "no", "true", "false", "1", "0", "ya", "tidak"})
#: A stage whose name holds one of these says the opportunity ended.
_ENDED_STAGE_WORDS = ("closed", "lost", "won", "dead", "cancel", "kalah", "menang", "batal", "gagal", "tutup")


def _yes_no_outcome_note(raw: RawTable, mapping: ColumnMapping, stage: pa.Array, lost: pa.Array) -> list[str]:
    """When a yes/no outcome column (Salesforce's ``Won``: TRUE / FALSE) reads as lost opportunities
    whose stage says nothing of an end ("Proposal/Price Quote"), the report says so: they may be
    open, and only the stage can tell open from lost (pacing counts open opportunities, and
    "decided opportunities only" drops them)."""
    header, stage_header = mapping.header("outcome"), mapping.header("stage")
    assert header is not None and stage_header is not None
    if not all(outcome_word(v) in _YES_NO_WORDS for v in value_set(raw, header)):
        return []

    def says_nothing_of_an_end(value: str | None) -> bool:
        word = outcome_word(value or "")
        return (
            bool(word) and outcome_of(value or "", mapping) == "open" and not any(w in word for w in _ENDED_STAGE_WORDS)
        )

    unended = cells.map_distinct(stage, says_nothing_of_an_end, pa.bool_())
    rows = pc.and_(lost, unended)
    count = int(pc.sum(rows).as_py() or 0)
    if not count:
        return []
    stages = cells.distinct(stage.filter(rows))
    shown = listed([repr(s) for s in stages], 4)
    many = count != 1
    return [
        f"In '{header}', {count} opportunit{'ies' if many else 'y'} read as lost {'have' if many else 'has'} a stage "
        f"that is not closed ({shown}): if {'they are' if many else 'it is'} still open, map no outcome column, so "
        f"that '{stage_header}' says won, lost or open (Data page: Outcome -> '(not in this file)'; command line: "
        "--map outcome=)."
    ]


def apply_options(raw: RawTable, mapping: ColumnMapping, options: LoadOptions) -> ColumnMapping:
    """The proposed mapping with the user's choices from ``options`` applied."""
    date_formats = {}
    if options.date_format:
        fmt = parse_format_option(options.date_format)
        date_formats = {
            h: fmt
            for c, h in mapping.columns.items()
            if h and c in (*OPPORTUNITY_DATES, "week") and h not in raw.native_dates
        }
    return with_overrides(
        mapping,
        raw.headers,
        columns=dict(options.columns),
        advanced_stages=options.advanced_stages,
        date_formats=date_formats,
        decimal=options.decimal,
        won_values=options.won_values,
        lost_values=options.lost_values,
        one_spelling=options.one_spelling,
    )


def load(
    content: bytes, name: str = "upload", options: LoadOptions = LoadOptions(), limits: Limits = DEFAULT_LIMITS
) -> Dataset:
    """Read, map (proposal plus ``options``) and type an upload's bytes in one call."""
    raw = read_file(content, name, sheet=options.sheet, limits=limits, sheet_score=sheet_score)
    return _mapped(raw, name, content_key(content), options)


def load_path(
    path: Path, name: str | None = None, options: LoadOptions = LoadOptions(), limits: Limits = DEFAULT_LIMITS
) -> Dataset:
    """:func:`load` for a file on disk, as the CLI reads it: the same dataset and report, but a
    CSV goes from the disk to the table without the whole file in memory."""
    name = name or path.name
    raw, key = read_path(path, name, sheet=options.sheet, limits=limits, sheet_score=sheet_score)
    return _mapped(raw, name, key, options)


def _mapped(raw: RawTable, name: str, key: str, options: LoadOptions) -> Dataset:
    mapping = apply_options(raw, propose_mapping(raw, options.shape), options)
    return build_dataset(raw, mapping, source=name, key=key)
