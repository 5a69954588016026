"""Typed, frozen values that flow between the import, the queries, the CLI and the app."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa


class Shape(StrEnum):
    """The two input shapes of spec section 1."""

    OPPORTUNITIES = "opportunities"
    WEEKLY_LOG = "weekly_log"


#: Canonical columns of an opportunity list (spec 1a), in display order.
OPPORTUNITY_COLUMNS: tuple[str, ...] = (
    "rep",
    "first_appointment",
    "next_step",
    "stage",
    "outcome",
    "close_date",
    "amount",
    "team",
)
OPPORTUNITY_REQUIRED: tuple[str, ...] = ("rep", "first_appointment")
OPPORTUNITY_DATES: tuple[str, ...] = ("first_appointment", "next_step", "close_date")

#: Canonical columns of a weekly activity log (spec 1b).
WEEKLY_COLUMNS: tuple[str, ...] = (
    "rep",
    "week",
    "appointments",
    "next_steps",
    "wins",
    "revenue",
    "team",
    "cycle_days",
)
WEEKLY_REQUIRED: tuple[str, ...] = ("rep", "week", "appointments")
WEEKLY_NUMBERS: tuple[str, ...] = ("appointments", "next_steps", "wins", "revenue", "cycle_days")

#: The KPIs of spec 2, in the order tables and the CLI show them.
KPI_FIELDS: tuple[str, ...] = (
    "appointments",
    "advanced",
    "won",
    "p1",
    "p2",
    "revenue",
    "avg_sale",
    "cycle_days_mean",
    "cycle_days_median",
    "weeks",
    "weekly_appointments",
)

#: The KPIs compared between peers (spec 4), and which direction is better.
PEER_KPIS: tuple[str, ...] = ("p1", "p2", "avg_sale", "cycle_days_mean", "weekly_appointments")
LOWER_IS_BETTER: frozenset[str] = frozenset({"cycle_days_mean"})


@dataclass(frozen=True)
class RawTable:
    """A file read into text cells, before any typing: what the file says, row by row.

    ``table`` holds one string column per header (internal names ``c0``, ``c1``...; cells trimmed,
    ``""`` when empty; possibly dictionary-encoded, see :meth:`cells`); ``lines`` the file line (or sheet row) where each data row starts.
    ``native_numbers`` / ``native_dates`` name headers whose cells all came typed from Excel or
    Parquet, so their format is known, not guessed. ``mixed_numbers`` / ``mixed_dates`` map the
    headers of Excel columns whose number (or date) cells sit beside text cells to the lines of
    those text cells: the typed cells are read as what they are, and only the text is read with a
    format chosen from it (a column with no text cell keeps the native path).
    """

    headers: tuple[str, ...]
    table: pa.Table
    lines: pa.Array
    set_aside: tuple[SetAsideRow, ...]
    file_format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    native_numbers: frozenset[str] = frozenset()
    native_dates: frozenset[str] = frozenset()
    notes: tuple[str, ...] = ()
    mixed_numbers: Mapping[str, pa.Array] = field(default_factory=dict)
    mixed_dates: Mapping[str, pa.Array] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Rows kept for typing."""
        return len(self.lines)

    @property
    def data_rows(self) -> int:
        """Rows in the file below the header: kept for typing plus already set aside."""
        return len(self.lines) + len(self.set_aside)

    def cells(self, header: str) -> pa.Array:
        """The cell texts of one column, by header, as stored: a string array, or a dictionary
        array of strings for a column with few distinct texts (see :mod:`kpi_core.cells`)."""
        column = self.table.column(self.headers.index(header))
        return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)

    def values(self, header: str) -> pa.Array:
        """The cell texts of one column, by header, as a plain Arrow string array."""
        arr = self.cells(header)
        return arr.dictionary_decode() if hasattr(arr, "dictionary_decode") else arr

    def column(self, header: str) -> list[str]:
        """The cell texts of one column as Python strings (for small files and tests)."""
        return [str(v) for v in self.values(header).to_pylist()]


@dataclass(frozen=True)
class ColumnMapping:
    """Which of the file's headers plays each canonical role, plus how to read the values.

    ``columns`` maps every canonical name of the shape to a header or ``None``.
    ``advanced_stages`` are stage values meaning the first gate was passed (spec 1c);
    ``won_values`` / ``lost_values`` extend the spec's outcome words.
    ``date_formats`` maps a header to a strptime format; ``decimal`` is ``"."``, ``","`` or
    ``None`` (detect). ``one_spelling``: rep and team names that differ only in capitals or
    spaces (``ANDI PRATAMA``, ``andi  pratama``) are one rep or team, named as most rows name it.
    """

    shape: Shape
    columns: dict[str, str | None]
    advanced_stages: frozenset[str] = frozenset()
    won_values: frozenset[str] = frozenset()
    lost_values: frozenset[str] = frozenset()
    date_formats: dict[str, str] = field(default_factory=dict)
    decimal: str | None = None
    one_spelling: bool = True

    def header(self, canonical: str) -> str | None:
        """The file's header mapped to ``canonical``, or ``None``."""
        return self.columns.get(canonical)

    def key(self) -> str:
        """A stable text of every choice in the mapping (for cache keys: equal mappings, equal keys)."""
        return repr(
            (
                self.shape.value,
                sorted(self.columns.items()),
                sorted(self.advanced_stages),
                sorted(self.won_values),
                sorted(self.lost_values),
                sorted(self.date_formats.items()),
                self.decimal,
                self.one_spelling,
            )
        )


@dataclass(frozen=True)
class SetAsideRow:
    """A data row that could not be used, with the line it starts on and the reason."""

    line: int
    reason: str


@dataclass(frozen=True)
class UnreadableValues:
    """Values of one column that could not be read (kept as missing, never as 0 or today)."""

    column: str
    count: int
    example_lines: tuple[int, ...]
    examples: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class ImportReport:
    """What happened to every row: ``rows_loaded + len(set_aside) == data_rows``."""

    source: str
    file_format: str
    shape: Shape
    data_rows: int
    rows_loaded: int
    set_aside: tuple[SetAsideRow, ...]
    unreadable: tuple[UnreadableValues, ...]
    date_formats: dict[str, str]
    decimal: str | None
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    notes: tuple[str, ...] = ()
    #: The currency the amounts name (``"IDR"`` for ``Rp 1.500.000``), or ``None`` when they name none.
    currency: str | None = None
    #: The sentence (also among ``notes``) saying the close ratio only sees won deals, because no
    #: lost opportunity counts as past the first gate; the pages showing the close ratio repeat it.
    close_ratio_caveat: str | None = None

    @property
    def rows_set_aside(self) -> int:
        return len(self.set_aside)

    def set_aside_by_reason(self) -> tuple[SetAsideGroup, ...]:
        """The rows set aside grouped by reason, the most frequent reason first (then in order of
        first appearance), each with its lines in file order."""
        lines: dict[str, list[int]] = {}
        for row in self.set_aside:
            lines.setdefault(row.reason, []).append(row.line)
        ordered = sorted(lines.items(), key=lambda item: -len(item[1]))  # stable: ties keep file order
        return tuple(SetAsideGroup(reason, tuple(sorted(found))) for reason, found in ordered)


@dataclass(frozen=True)
class SetAsideGroup:
    """The rows set aside for one reason: ``lines`` in file order."""

    reason: str
    lines: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.lines)

    def runs(self) -> list[tuple[int, int]]:
        """The lines as runs of consecutive lines, ``(first, last)``."""
        runs: list[tuple[int, int]] = []
        for line in self.lines:
            if runs and line == runs[-1][1] + 1:
                runs[-1] = (runs[-1][0], line)
            else:
                runs.append((line, line))
        return runs

    def line_ranges(self, limit: int | None = None) -> str:
        """The lines as runs, ``"3, 7, 9-11"``; past ``limit`` runs, ``"... and 480 more lines"``."""
        runs = self.runs()
        shown = runs if limit is None else runs[:limit]
        text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in shown)
        rest = sum(b - a + 1 for a, b in runs[len(shown) :])
        if rest:
            text += f" and {rest} more line{'s' if rest > 1 else ''}"
        return text


@dataclass(frozen=True)
class Dimension:
    """An extra column kept for filtering and grouping: its header and internal column name."""

    label: str
    column: str


@dataclass(frozen=True)
class Dataset:
    """A typed, validated table ready for the KPI queries, with its import report.

    ``table`` is an Arrow table whose column names are internal (never user text); user headers
    of extra columns appear only as ``Dimension.label``.
    """

    shape: Shape
    table: pa.Table
    report: ImportReport
    mapping: ColumnMapping
    dimensions: tuple[Dimension, ...]
    #: The first and last date of the rows (first appointments; for a weekly log the first week's
    #: Monday and the last week's Sunday): every row's date lies between them, which lets a query
    #: without a date filter skip comparing dates.
    first_date: dt.date | None
    last_date: dt.date | None
    content_key: str
    #: Each rep's team when no rep has rows in two teams (the usual case), so a rep's team is the
    #: same in every window and filter; ``None`` when some rep has, and the queries work it out.
    rep_teams: tuple[tuple[str, str | None], ...] | None = None
    #: The team list the teams come from (``kpi_core.teams``): its file's name; ``None`` without one.
    team_list: str | None = None
    #: Tables derived from ``table`` alone, built by :mod:`kpi_core.queries` on first use and kept
    #: with the dataset (the table never changes). Not part of its value, and not carried over by
    #: ``dataclasses.replace``: a dataset with other columns (a team list joined) derives its own.
    derived: dict[str, pa.Table | None] = field(default_factory=dict, init=False, compare=False, repr=False)

    def dimension(self, label: str) -> Dimension | None:
        """The extra column with this header, or ``None``."""
        for dim in self.dimensions:
            if dim.label == label:
                return dim
        return None

    @property
    def has_amounts(self) -> bool:
        return self.mapping.header("amount" if self.shape is Shape.OPPORTUNITIES else "revenue") is not None

    @property
    def has_teams(self) -> bool:
        return self.mapping.header("team") is not None or self.team_list is not None


@dataclass(frozen=True)
class Filters:
    """The window and filters of a query. ``dimensions`` maps a dimension label to allowed values."""

    start: dt.date | None = None
    end: dt.date | None = None
    decided_only: bool = False
    teams: tuple[str, ...] = ()
    reps: tuple[str, ...] = ()
    dimensions: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class KpiRow:
    """The KPIs of spec section 2 for one group. ``None`` means undefined (shown as n/a)."""

    group: str
    team: str | None
    appointments: int | float
    advanced: int | float | None
    won: int | float | None
    p1: float | None
    p2: float | None
    revenue: float | None
    avg_sale: float | None
    cycle_days_mean: float | None
    cycle_days_median: float | None
    weeks: float
    weekly_appointments: float | None

    def value(self, kpi: str) -> float | None:
        """A KPI by its short name (``p1``, ``avg_sale``...)."""
        v = getattr(self, kpi)
        return None if v is None else float(v)


@dataclass(frozen=True)
class PeerKpi:
    """One KPI of one rep against the peer average (spec 4)."""

    value: float | None
    peer_average: float | None
    deviation: float | None


@dataclass(frozen=True)
class PeerRow:
    """A rep compared with their peers, with the flags that apply."""

    rep: str
    team: str | None
    appointments: int
    small_sample: bool
    peers: int
    kpis: dict[str, PeerKpi]
    flags: tuple[str, ...]
    best_on: tuple[str, ...]


@dataclass(frozen=True)
class PeerSettings:
    """Thresholds of the peer flags; defaults are the article's examples."""

    min_opportunities: int = 5
    money_left_on_table: float = 0.40
    best_practice_cycle: float = 0.30
