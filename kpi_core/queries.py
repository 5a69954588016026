"""All SQL of the project: each function answers one question about a :class:`Dataset` on DuckDB.

User values reach SQL only as ``?`` parameters. Identifiers come only from fixed lists or from a
dataset's internal column names (``d0``, ``d1``...), never from headers or cell text.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from .db import register, run, unregister
from .errors import InvalidInputError, OptionNotAvailableError
from .mapping import id_header
from .model import Dataset, Filters, KpiRow, Shape

NO_TEAM = "(no team)"
BLANK = "(blank)"
ALL = "All"


@dataclass(frozen=True)
class Window:
    """The cohort window: first and last day, both included, and its length in weeks."""

    start: dt.date
    end: dt.date

    @property
    def weeks(self) -> float:
        """Length in days / 7 (spec 2)."""
        return ((self.end - self.start).days + 1) / 7

    def days_of_week(self, monday: dt.date) -> int:
        """How many days of the week starting on ``monday`` lie in the window: 7 for a whole week,
        fewer for a window that starts or ends inside it, 0 for a week outside it."""
        first = max(self.start, monday)
        last = min(self.end, monday + dt.timedelta(days=6))
        return max(0, (last - first).days + 1)


def window(ds: Dataset, filters: Filters = Filters()) -> Window | None:
    """The window in force: the filters' dates, else the file's first and last date.

    For a weekly log the window is widened to whole weeks, Monday to Sunday.
    """
    start = filters.start or ds.first_date
    end = filters.end or ds.last_date
    if start is None or end is None:
        return None
    if ds.shape is Shape.WEEKLY_LOG:
        start = start - dt.timedelta(days=start.weekday())
        end = end + dt.timedelta(days=6 - end.weekday())
    if end < start:
        raise InvalidInputError(
            f"The window ends ({end:%Y-%m-%d}) before it starts ({start:%Y-%m-%d}); choose an end date after the start."
        )
    return Window(start, end)


@contextmanager
def _registered(cursor: duckdb.DuckDBPyConnection, ds: Dataset, table: pa.Table | None = None) -> Iterator[str]:
    """The dataset's table (or ``table``, derived from it) registered for the queries, as :func:`_scanned` gives it."""
    name = register(cursor, _scanned(ds, table))
    try:
        yield name
    finally:
        unregister(cursor, name)


def _where(ds: Dataset, filters: Filters, win: Window, *, dated: bool = True) -> tuple[str, list[Any]]:
    """The WHERE clause of the window and filters, with its parameters. ``dated=False``: without
    the window's clause, for a table whose rows all have a date in the window (the caller checks
    that the window holds every date, :func:`_covers_every_date`)."""
    date_col = "week" if ds.shape is Shape.WEEKLY_LOG else "first_appointment"
    params: list[Any]
    if not dated:
        clauses, params = ["TRUE"], []
    elif _covers_every_date(ds, win):
        # Without a date filter the window holds every date of the file: comparing each row's date
        # (decoded from its dictionary) cost 10-15 % of a scan; only a missing date stays out.
        clauses, params = [f"{date_col} IS NOT NULL"], []
    else:
        clauses, params = [f"{date_col} BETWEEN ? AND ?"], [win.start, win.end]
    if filters.decided_only:
        if ds.shape is Shape.WEEKLY_LOG:
            raise OptionNotAvailableError(
                "A weekly log does not say which opportunities are still open, so 'decided opportunities only' is not available for it."
            )
        clauses.append("outcome <> 'open'")
    if filters.teams:
        clauses.append(_in_column(ds, "team", NO_TEAM, filters.teams, params))
    if filters.reps:
        clauses.append(_in_column(ds, "rep", None, filters.reps, params))
    for label, values in filters.dimensions:
        dim = ds.dimension(label)
        if dim is None:
            raise InvalidInputError(f"The file has no column '{label}' to filter on.")
        clauses.append(_in_column(ds, dim.column, BLANK, values, params))
    return " AND ".join(clauses), params


#: A dictionary-encoded column's codes are scanned as ``<column>__codes`` (see :func:`_scanned`).
_CODES = "__codes"


def _scanned(ds: Dataset, table: pa.Table | None = None) -> pa.Table:
    """The table the queries scan: the dataset's (or ``table``, derived from it with the same
    dictionaries), plus the codes of each column a filter can choose values of (rep, team, extra
    columns) when all its chunks share one dictionary.

    The codes are the column's own index buffers (no copy). A filter then compares one small
    integer per row instead of a text: 28-34 ms against 40-41 ms for a two-team KPI scan of a
    million rows (bench/README.md).
    """
    table = ds.table if table is None else table
    for column in ("rep", "team", *(d.column for d in ds.dimensions)):
        if column in table.column_names and _dictionary(table.column(column)) is not None:
            codes = pa.chunked_array([chunk.indices for chunk in table.column(column).chunks])
            table = table.append_column(column + _CODES, codes)
    return table


def _dictionary(column: pa.ChunkedArray) -> pa.Array | None:
    """The one dictionary of a dictionary-encoded column (every chunk the same), else ``None``."""
    if not pa.types.is_dictionary(column.type) or not column.num_chunks:
        return None
    first = column.chunk(0).dictionary
    return first if all(chunk.dictionary.equals(first) for chunk in column.chunks[1:]) else None


def _in_column(ds: Dataset, column: str, missing: str | None, values: tuple[str, ...], params: list[Any]) -> str:
    """Rows whose ``column`` holds one of ``values`` (``missing``, when given, stands for an empty
    cell, as ``coalesce(column, missing)`` does), with its parameters added to ``params``.

    On the column's codes when :func:`_scanned` gives them: the codes of the dictionary's entries
    that are one of ``values`` (an entry may appear twice), and the missing codes when ``missing``
    is chosen. Otherwise on the texts. Both say the same of every row (a test runs both).
    """
    dictionary = _dictionary(ds.table.column(column))
    if dictionary is None or not values:
        return _one_of(column if missing is None else f"coalesce({column}, '{missing}')", values, params)
    texts = dictionary if missing is None else pc.fill_null(dictionary, missing)
    chosen = pa.array([str(v) for v in values], pa.string())
    codes = pc.indices_nonzero(pc.is_in(texts, value_set=chosen)).to_pylist()
    alternatives = []
    if codes:
        params.extend(codes)
        alternatives.append(f"{column}{_CODES} IN ({', '.join('?' * len(codes))})")
    if missing is not None and missing in values:
        alternatives.append(f"{column}{_CODES} IS NULL")
    return f"({' OR '.join(alternatives)})" if alternatives else "FALSE"


def _covers_every_date(ds: Dataset, win: Window) -> bool:
    """Whether the window holds the dataset's first and last date (:class:`Dataset` says they
    bound every row's date), and so every row with a date."""
    return (
        ds.first_date is not None
        and ds.last_date is not None
        and win.start <= ds.first_date
        and ds.last_date <= win.end
    )


def _one_of(expr: str, values: tuple[str, ...], params: list[Any]) -> str:
    """``expr IN (?, ?, ...)``, one placeholder per value (the values go to ``params``, never into
    the SQL text). Twice as fast on DuckDB as ``list_contains(?::VARCHAR[], expr)``."""
    if not values:
        return "FALSE"  # as list_contains([], ...) was: an empty choice matches nothing
    params.extend(str(v) for v in values)
    return f"{expr} IN ({', '.join('?' * len(values))})"


#: The team most of a group's opportunities belong to; on a tie, the first by name. (``mode(team)``
#: broke ties differently from one run to the next: a rep with as many deals in two teams showed
#: either team.) Missing teams do not count, as in ``mode``.
_MOST_FREQUENT_TEAM = (
    "list_sort(list_transform(map_entries(histogram(team)),"  # (count, team) pairs, ...
    " lambda x: struct_pack(n := -x.value::BIGINT, t := x.key)))[1].t"  # ... most first, then by name
)


def _group(ds: Dataset, by: str) -> tuple[str, str, str]:
    """SQL for the group label, its team, and what to group on, from a fixed list or a dataset
    dimension."""
    if by == "rep":
        # A rep's most frequent team in the window; read from the dataset when every rep has one.
        return "rep", ("NULL" if ds.rep_teams is not None else _MOST_FREQUENT_TEAM), "rep"
    if by == "team":
        label = f"coalesce(team, '{NO_TEAM}')"
        if not _has_text(ds, "team", NO_TEAM):
            # Grouping on the column itself is twice as fast as on the coalesced label, and the
            # same groups as long as no team is literally called "(no team)".
            return label, label, "team"
        return label, f"any_value({label})", "grp"
    if by == "all":
        return f"'{ALL}'", "NULL", "grp"
    dim = ds.dimension(by)
    if dim is None:
        options = ", ".join(["rep", "team", "all", *(d.label for d in ds.dimensions)])
        raise InvalidInputError(f"Cannot group by '{by}'; choose one of: {options}.")
    return f"coalesce({dim.column}, '{BLANK}')", "NULL", "grp"


def _has_text(ds: Dataset, column: str, text: str) -> bool:
    """Whether any cell of a dictionary-encoded column is ``text`` (read from its dictionaries;
    a column stored plain counts as possibly holding it)."""
    for chunk in ds.table.column(column).chunks:
        if not pa.types.is_dictionary(chunk.type) or text in chunk.dictionary.to_pylist():
            return True
    return False


def _count(value: Any) -> int | float | None:
    if value is None:
        return None
    f = float(value)
    return int(f) if f.is_integer() else f


def _ratio(num: float | None, den: float | None) -> float | None:
    """``num / den``; undefined (``None``) when either is missing or the denominator is 0."""
    if num is None or den is None or den == 0:
        return None
    return float(num) / float(den)


def kpis(cursor: duckdb.DuckDBPyConnection, ds: Dataset, by: str = "rep", filters: Filters = Filters()) -> list[KpiRow]:
    """The KPIs of spec 2 for each group (rep, team, all, or an extra column) in the window."""
    return _kpis(cursor, ds, by, filters, with_total=False)[0]


def kpis_with_total(
    cursor: duckdb.DuckDBPyConnection, ds: Dataset, by: str = "rep", filters: Filters = Filters()
) -> tuple[list[KpiRow], KpiRow | None]:
    """The KPIs per group and for everyone in the window, in one scan (``GROUPING SETS``).

    The second value equals ``kpis(cursor, ds, "all", filters)[0]`` (``None`` when nothing is in
    the window): pages that show both a headline and a table ask once.
    """
    return _kpis(cursor, ds, by, filters, with_total=True)


@dataclass(frozen=True)
class KpisAndPipelines:
    """:func:`kpis_with_total`'s answer plus :func:`pipeline`'s, per group and for everyone.

    ``pipelines`` maps each group (and ``None``, for everyone) to what ``pipeline`` answers for the
    same filters narrowed to that group; it is empty when the filters keep decided opportunities only
    (the pipeline counts open ones) or for a weekly log.
    """

    groups: list[KpiRow]
    total: KpiRow | None
    pipelines: dict[str | None, Pipeline]


def kpis_with_total_and_pipelines(
    cursor: duckdb.DuckDBPyConnection, ds: Dataset, by: str = "rep", filters: Filters = Filters()
) -> KpisAndPipelines:
    """:func:`kpis_with_total` and every group's :func:`pipeline`, from the same scan.

    The Magic Number page shows a rep's (or the team's) KPIs and paces against the same rows'
    pipeline; asking both at once saves a scan on every filter change.
    """
    pipelines: dict[str | None, Pipeline] = {}
    groups, total = _kpis(cursor, ds, by, filters, with_total=True, pipelines=pipelines)
    return KpisAndPipelines(groups, total, pipelines)


def _counted(condition: str) -> str:
    """How many rows meet ``condition``, as SQL: ``count_if`` (a missing condition is not counted,
    as with ``FILTER``), a few ms sooner per filter change at a million rows than
    ``count(*) FILTER (WHERE condition)`` (bench/README.md). Over no rows at all ``count_if`` is
    NULL, not 0 (it is a sum), hence the ``coalesce``."""
    return f"coalesce(count_if({condition}), 0)"


#: Money is summed as decimals with six places (amounts reach at most 10^15, so 38 digits hold the
#: sum of any file): a sum of decimals is exact, so the total is the same to the last digit in
#: whatever order it is added up, by DuckDB's threads or from :func:`_kpi_counts`, and a headline,
#: a table, a download and the command line agree. Summed as floats (even compensated, ``fsum``),
#: a team's revenue from the counts read 1594425.9100000001 where the rows' read 1594425.91.
#: An amount with more than six decimals is summed to its sixth.
_MONEY = "amount::DECIMAL(38, 6)"

#: Counts are :func:`_counted`.
_OPPORTUNITY_AGGREGATES = f"""
    count(*), {_counted("advanced")}, {_counted("won")},
    sum({_MONEY}) FILTER (WHERE won),
    avg(date_diff('day', first_appointment, close_date)) FILTER (WHERE won AND close_date IS NOT NULL),
    NULL,
    {_counted("won AND amount IS NOT NULL")}"""

#: What :func:`pipeline` counts, as extra aggregates of the KPI scan.
_PIPELINE_AGGREGATES = f""",
    {_counted("outcome = 'open' AND advanced")}, {_counted("outcome = 'open' AND NOT advanced")}"""

#: The same aggregates (and pipeline counts) added up from :func:`_kpi_counts`: a sum of the
#: counts where the scan counts rows, the money of each count's rows (a decimal) summed again.
_OPPORTUNITY_AGGREGATES_FROM_COUNTS = """
    sum(n), coalesce(sum(n) FILTER (WHERE advanced), 0), coalesce(sum(n) FILTER (WHERE won), 0),
    sum(amount) FILTER (WHERE won),
    sum(cycle_days) FILTER (WHERE won)::DOUBLE / sum(cycles) FILTER (WHERE won),
    NULL,
    coalesce(sum(amounts) FILTER (WHERE won), 0)"""
_PIPELINE_AGGREGATES_FROM_COUNTS = """,
    coalesce(sum(n) FILTER (WHERE outcome = 'open' AND advanced), 0),
    coalesce(sum(n) FILTER (WHERE outcome = 'open' AND NOT advanced), 0)"""

#: The sales cycles of won deals as counts per (group, whole days): the medians are read from
#: these few thousand rows (see :func:`_median`), which is about twice as fast as DuckDB's
#: ``median`` sorting every won deal of every group, and again for the everyone row.
_CYCLE_COUNTS = """
    SELECT {group} AS grp, date_diff('day', first_appointment, close_date) AS days, count(*)
    FROM {table} WHERE {where} AND won AND close_date IS NOT NULL GROUP BY {key}, days"""

#: The same counts added up from :func:`_won_cycles`.
_CYCLE_COUNTS_FROM_WON = """
    SELECT {group} AS grp, cycle_days AS days, sum(n) FROM {table} WHERE {where} GROUP BY {key}, days"""

#: A weekly log's next steps or wins are unknown for a group when any of its weeks leaves the cell
#: blank (or unreadable): the sum is NULL then (shown as n/a), never the sum of the others as if
#: the blank were 0 (a close ratio of 400 % for 3 wins over 1 next step).
_WEEKLY_AGGREGATES = """
    sum(appointments),
    CASE WHEN count(next_steps) = count(*) THEN sum(next_steps) END,
    CASE WHEN count(wins) = count(*) THEN sum(wins) END,
    fsum(revenue),
    fsum(cycle_days * wins) FILTER (WHERE cycle_days IS NOT NULL AND wins > 0)
      / sum(wins) FILTER (WHERE cycle_days IS NOT NULL AND wins > 0),
    NULL,
    sum(wins) FILTER (WHERE revenue IS NOT NULL)"""


def _kpis(
    cursor: duckdb.DuckDBPyConnection,
    ds: Dataset,
    by: str,
    filters: Filters,
    *,
    with_total: bool,
    pipelines: dict[str | None, Pipeline] | None = None,
) -> tuple[list[KpiRow], KpiRow | None]:
    """The KPI rows; also fills ``pipelines`` (group -> :class:`Pipeline`, ``None`` for everyone)
    when given, for an opportunity list without the decided-only filter."""
    win = window(ds, filters)
    if win is None:
        return [], None
    group_sql, team_sql, key_sql = _group(ds, by)
    # Without a date or extra column's filter, the opportunities counted once per dataset answer:
    # a few hundred counts instead of every row (a rep in two teams needs the rows for their team).
    whole = not filters.dimensions and by in ("rep", "team", "all") and _covers_every_date(ds, win)
    counts = _kpi_counts(cursor, ds, filters) if whole and (by != "rep" or ds.rep_teams is not None) else None
    where, params = _where(ds, filters, win, dated=counts is None)
    aggregates = _WEEKLY_AGGREGATES if ds.shape is Shape.WEEKLY_LOG else _OPPORTUNITY_AGGREGATES
    if counts is not None:
        aggregates = _OPPORTUNITY_AGGREGATES_FROM_COUNTS
    with_pipelines = pipelines is not None and ds.shape is Shape.OPPORTUNITIES and not filters.decided_only
    if with_pipelines:
        aggregates += _PIPELINE_AGGREGATES if counts is None else _PIPELINE_AGGREGATES_FROM_COUNTS
    if with_total:
        select = (
            f"CASE WHEN grouping({key_sql}) = 1 THEN NULL ELSE {team_sql} END AS team, grouping({key_sql}) AS is_total"
        )
        group_by = f"GROUPING SETS (({key_sql}), ())"
    else:
        select, group_by = f"{team_sql} AS team, 0 AS is_total", key_sql
    sql = f"""
        SELECT {group_sql} AS grp, {select}, {aggregates}
        FROM {{table}} WHERE {where} GROUP BY {group_by} ORDER BY is_total, grp"""
    with _registered(cursor, ds, counts) as table:
        rows = run(cursor, sql.format(table=table), params).fetchall()
        cycles: dict[Any, dict[int, int]] = {}
        if ds.shape is Shape.OPPORTUNITIES and rows:
            # The same way, the won deals' cycles counted once per dataset (a few thousand counts
            # instead of every won deal: 4-6 ms against 18-28).
            won = _won_cycles(ds, filters) if whole else None
            if won is None:
                raw_where, raw_params = _where(ds, filters, win)
                with contextlib.nullcontext(table) if counts is None else _registered(cursor, ds) as raw:
                    counts_sql = _CYCLE_COUNTS.format(group=group_sql, key=key_sql, table=raw, where=raw_where)
                    per_days = run(cursor, counts_sql, raw_params).fetchall()
            else:
                won_where, won_params = _where(ds, filters, win, dated=False)
                with _registered(cursor, ds, won) as won_table:
                    counts_sql = _CYCLE_COUNTS_FROM_WON.format(
                        group=group_sql, key=key_sql, table=won_table, where=won_where
                    )
                    per_days = run(cursor, counts_sql, won_params).fetchall()
            for grp, days, n in per_days:
                cycles.setdefault(grp, {})[days] = n
    medians = {grp: _median(c) for grp, c in cycles.items()}
    total_median = None
    if with_total:
        everyone: dict[int, int] = {}
        for c in cycles.values():
            for days, n in c.items():
                everyone[days] = everyone.get(days, 0) + n
        total_median = _median(everyone)
    if with_pipelines and pipelines is not None:
        for grp, _, is_total, _appointments, _advanced, _won, revenue, *_, open_advanced, open_not_advanced in rows:
            key = None if is_total else str(grp)
            pipelines[key] = Pipeline(float(revenue or 0.0), int(open_advanced), int(open_not_advanced))
        rows = [row[:-2] for row in rows]  # the two pipeline counts (_PIPELINE_AGGREGATES) come last
    teams = dict(ds.rep_teams) if by == "rep" and ds.rep_teams is not None else None
    groups = [
        _kpi_row(ds, win, (grp, team if teams is None else teams.get(grp), *rest[:5], medians.get(grp), *rest[6:]))
        for grp, team, is_total, *rest in rows
        if not is_total
    ]
    totals = [
        _kpi_row(ds, win, (ALL, None, *rest[:5], total_median, *rest[6:])) for _, _, is_total, *rest in rows if is_total
    ]
    # GROUPING SETS gives the everyone row even over no rows (zeros); as kpis(..., "all"), nothing
    # in the window has no everyone row. Every row in the window is in some group.
    return groups, totals[0] if totals and groups else None


def _median(counts: dict[int, int]) -> float | None:
    """The median of values given as ``{value: how many times}``: the middle value, or the mean of
    the two middle values for an even count (as DuckDB's ``median``); ``None`` when empty."""
    total = sum(counts.values())
    if not total:
        return None
    lower, upper = (total - 1) // 2, total // 2  # 0-based positions of the middle value(s)
    seen, low_value = 0, None
    for value in sorted(counts):
        seen += counts[value]
        if low_value is None and seen > lower:
            low_value = value
        if seen > upper:
            return (low_value + value) / 2 if low_value is not None else float(value)
    return None


def _kpi_row(ds: Dataset, win: Window, row: tuple[Any, ...]) -> KpiRow:
    grp, team, appointments, advanced, won, revenue, cycle_mean, cycle_median, won_with_amount = row
    weekly = ds.shape is Shape.WEEKLY_LOG
    appointments = _count(appointments) or 0
    advanced = _count(advanced) if (not weekly or ds.mapping.header("next_steps")) else None
    won = _count(won) if (not weekly or ds.mapping.header("wins")) else None
    if not ds.has_amounts:
        revenue = None
    elif revenue is None and won == 0:
        revenue = 0.0
    revenue = None if revenue is None else float(revenue)
    return KpiRow(
        group=str(grp),
        team=None if team is None else str(team),
        appointments=appointments,
        advanced=advanced,
        won=won,
        p1=_ratio(advanced, appointments),
        p2=_ratio(won, advanced),
        revenue=revenue,
        # Mean over the sales whose amount is known: a won deal with an unreadable amount is a sale,
        # but counting it as 0 in the average would read the missing value as 0.
        avg_sale=None if won is None else _ratio(revenue, _count(won_with_amount)),
        cycle_days_mean=None if cycle_mean is None else float(cycle_mean),
        cycle_days_median=None if cycle_median is None else float(cycle_median),
        weeks=win.weeks,
        weekly_appointments=_ratio(appointments, win.weeks),
    )


#: What a rep's first appointments are counted by in :func:`_appointment_days`: every column a
#: weekly series can be filtered on, but the extra columns.
_DAY_KEYS = ("rep", "team", "first_appointment", "outcome")
_APPOINTMENT_DAYS = "appointment_days"
#: What the won deals' sales cycles are counted by in :func:`_won_cycles`.
_CYCLE_KEYS = ("rep", "team", "outcome")
_WON_CYCLES = "won_cycles"


#: Marks a derived table asked for once (see :func:`_derived`).
_ASKED = ":asked"


def _derived(ds: Dataset, name: str, filters: Filters, build: Callable[[], pa.Table | None]) -> pa.Table | None:
    """The table ``build`` derives from the dataset's rows, kept with the dataset; ``None`` until
    it is built (or when ``build`` gives none).

    It is built when a second question about the dataset comes with filters: the first one (the
    import's KPI table, a command-line run) and questions without any filter (the first page,
    another grouping of the same table) scan the rows, which costs less than counting them first;
    a filter changed on a page is what the counts answer sooner, again and again."""
    if name in ds.derived:
        return ds.derived[name]
    asked = name + _ASKED in ds.derived
    ds.derived[name + _ASKED] = None
    if not asked or filters == Filters():
        return None
    ds.derived[name] = build()
    return ds.derived[name]


#: What the KPIs are counted by in :func:`_kpi_counts`: the columns the aggregates and the
#: filters (but the dates and the extra columns) read.
_KPI_COUNTS = "kpi_counts"


def _kpi_counts(cursor: duckdb.DuckDBPyConnection, ds: Dataset, filters: Filters) -> pa.Table | None:
    """An opportunity list's rows with a first appointment counted (``n``) per rep, team, outcome,
    advanced and won, with their money (``amount``, summed as the scan sums it, :data:`_MONEY`, and
    ``amounts``, how many have one) and their sales cycles (``cycle_days``, the sum of the whole
    days of those with a close date, and ``cycles``, how many), built once per dataset (:func:`_derived`).

    For a window holding every date and no extra column's filter, every KPI of the scan is a sum
    of these few hundred counts (a team filter's KPIs at a million opportunities: 2 ms against
    20-30). Rep and team keep the dataset's dictionaries, so a filter compares the same codes.
    """

    def build() -> pa.Table | None:
        if ds.shape is not Shape.OPPORTUNITIES:
            return None
        names = ds.table.column_names
        coded = {c: d for c in ("rep", "team") if c in names and (d := _dictionary(ds.table.column(c))) is not None}
        keys = [f"{c}{_CODES}" if c in coded else c for c in ("rep", "team") if c in names]
        sql = f"""
            SELECT {", ".join(keys)}, outcome::VARCHAR, advanced, won, count(*), sum({_MONEY}), count(amount),
                sum(date_diff('day', first_appointment, close_date)), count(close_date)
            FROM {{table}} WHERE first_appointment IS NOT NULL GROUP BY ALL"""
        with _registered(cursor, ds) as table:
            rows = run(cursor, sql.format(table=table)).fetchall()
        if len(rows) > ds.table.num_rows // 2:
            return None
        counted = [*(k.removesuffix(_CODES) for k in keys), "outcome", "advanced", "won"]
        counted += ["n", "amount", "amounts", "cycle_days", "cycles"]
        values = list(zip(*rows, strict=True)) if rows else [()] * len(counted)
        columns: dict[str, pa.Array] = {}
        for name, column in zip(counted, values, strict=True):
            if name in coded:  # the dataset's codes put back on its dictionary
                index = ds.table.column(name).type.index_type
                columns[name] = pa.DictionaryArray.from_arrays(pa.array(column, index), coded[name])
            else:
                kinds = {"advanced": pa.bool_(), "won": pa.bool_(), "amount": pa.decimal128(38, 6)}
                kinds |= {"outcome": pa.string(), "rep": pa.string(), "team": pa.string()}
                columns[name] = pa.array(column, kinds.get(name, pa.int64()))
        return pa.table(columns)

    return _derived(ds, _KPI_COUNTS, filters, build)


def _appointment_days(ds: Dataset, filters: Filters) -> pa.Table | None:
    """An opportunity list's rows counted (``n``) per rep, team, first appointment and outcome,
    built once per dataset (:func:`_derived`).

    A weekly series asked again for other teams, reps, dates or "decided only" adds up these
    counts (77k at a million opportunities of 40 reps over two years) instead of scanning every
    opportunity: the series of a team filter change took 17-25 ms on the scan (bench/README.md).
    ``None`` where :func:`_rows_counted` says.
    """

    return _derived(ds, _APPOINTMENT_DAYS, filters, lambda: _count_days(ds))


def _count_days(ds: Dataset) -> pa.Table | None:
    """What :func:`_appointment_days` keeps."""
    keys = [k for k in _DAY_KEYS if k in ds.table.column_names]
    counted = _rows_counted(ds, ds.table.select(keys)) if {"rep", "first_appointment"} <= set(keys) else None
    if counted is not None:
        # The days as plain dates: DuckDB groups a few thousand dates by week sooner than it
        # decodes a dictionary of them (5 ms against 6-15 ms at 77k counts).
        at = counted.schema.get_field_index("first_appointment")
        counted = counted.set_column(at, "first_appointment", counted.column(at).cast(pa.date32()))
    return counted


_APPOINTMENT_WEEKS = "appointment_weeks"


def _appointment_weeks(ds: Dataset, filters: Filters) -> pa.Table | None:
    """The counts of :func:`_appointment_days` added up per week (``week``, its Monday), built
    once per dataset (:func:`_derived`): a window holding every date needs no day, and the series
    then adds up 12k counts instead of 77k (at a million opportunities)."""

    def build() -> pa.Table | None:
        days = ds.derived.get(_APPOINTMENT_DAYS)
        if days is None:
            days = _count_days(ds)
        if days is None:
            return None
        days = days.filter(pc.is_valid(days.column("first_appointment")))
        epoch = days.column("first_appointment").cast(pa.int32()).to_numpy()
        # Each day's Monday, in days since 1970-01-01 (a Thursday, three days into its week).
        mondays = pa.array(epoch - (epoch + 3) % 7, pa.int32()).cast(pa.date32())
        keys = [k for k in days.column_names if k not in ("first_appointment", "n")]
        weekly = days.select(keys).append_column("week", mondays).append_column("n", days.column("n"))
        return (
            weekly.group_by([*keys, "week"]).aggregate([("n", "sum")]).rename_columns({"n_sum": "n"}).combine_chunks()
        )

    return _derived(ds, _APPOINTMENT_WEEKS, filters, build)


def _won_cycles(ds: Dataset, filters: Filters) -> pa.Table | None:
    """An opportunity list's won deals with a first appointment and a close date counted (``n``)
    per rep, team, outcome and sales cycle in whole days (``cycle_days``), built once per dataset
    (:func:`_derived`).

    The medians of the sales cycle are read from counts per group and days (:data:`_CYCLE_COUNTS`);
    for a window holding every date and no extra column's filter, these few thousand counts (5,900
    at a million opportunities) give them without going over every won deal again. ``None`` where
    :func:`_rows_counted` says.
    """

    def build() -> pa.Table | None:
        table, names = ds.table, ds.table.column_names
        counted = None
        if {"rep", "won", "first_appointment", "close_date"} <= set(names):
            kept = table.filter(
                pc.and_(
                    pc.and_(pc.fill_null(table.column("won"), False), pc.is_valid(table.column("close_date"))),
                    pc.is_valid(table.column("first_appointment")),
                )
            )
            # Whole days from the first appointment to the close, as DuckDB's date_diff('day', ...).
            days = pc.days_between(
                kept.column("first_appointment").cast(pa.date32()), kept.column("close_date").cast(pa.date32())
            )
            keys = kept.select([k for k in _CYCLE_KEYS if k in names]).append_column("cycle_days", days)
            counted = _rows_counted(ds, keys)
        return counted

    return _derived(ds, _WON_CYCLES, filters, build)


def _rows_counted(ds: Dataset, table: pa.Table) -> pa.Table | None:
    """``table``'s rows counted (``n``) per distinct row, for an opportunity list.

    The count keeps the dataset's dictionaries, so a filter compares the same codes (Arrow groups
    a dictionary column by its codes). ``None`` when it cannot (chunks with dictionaries of their
    own: Arrow groups on one dictionary only, and cannot unify dictionaries holding a null), or
    when counting does not shrink the dataset to a half (the rows are few, or nearly every one
    differs): the queries then go over the rows themselves.
    """
    if ds.shape is not Shape.OPPORTUNITIES or any(
        pa.types.is_dictionary(c.type) and _dictionary(c) is None for c in table.columns
    ):
        return None
    keys = table.column_names
    counted = table.group_by(keys).aggregate([([], "count_all")])
    counted = counted.rename_columns({"count_all": "n"}).combine_chunks()
    same_codes = all(
        (kept := _dictionary(counted.column(k))) is not None and kept.equals(dictionary)
        for k in ("rep", "team")
        if k in keys and (dictionary := _dictionary(ds.table.column(k))) is not None
    )
    return counted if same_codes and counted.num_rows <= ds.table.num_rows // 2 else None


def weekly_appointments_series(
    cursor: duckdb.DuckDBPyConnection, ds: Dataset, filters: Filters = Filters()
) -> list[tuple[str, dt.date, float]]:
    """First appointments per rep per week (weeks start on Monday), weeks without any shown as 0."""
    win = window(ds, filters)
    if win is None:
        return []
    monday = win.start - dt.timedelta(days=win.start.weekday())
    # An extra column's filter needs the rows themselves; a window holding every date, the counts
    # per week; any other, the counts per day.
    weeks = None if filters.dimensions or not _covers_every_date(ds, win) else _appointment_weeks(ds, filters)
    days = None if filters.dimensions or weeks is not None else _appointment_days(ds, filters)
    where, params = _where(ds, filters, win, dated=weeks is None)
    with _registered(cursor, ds, weeks or days) as table:
        if ds.shape is Shape.WEEKLY_LOG:
            counted = f"SELECT rep, week, sum(appointments) AS n FROM {table} WHERE {where} GROUP BY ALL"
        elif weeks is not None:
            counted = f"SELECT rep, week, sum(n) AS n FROM {table} WHERE {where} GROUP BY ALL"
        else:
            n = "count(*)" if days is None else "sum(n)"
            counted = (
                f"SELECT rep, date_trunc('week', first_appointment)::DATE AS week, {n} AS n "
                f"FROM {table} WHERE {where} GROUP BY ALL"
            )
        rows = run(cursor, f"{counted} ORDER BY rep", params).fetchall()
    # Every week of the window for each rep with any, 0 where the rep has none (filled here: the
    # same in SQL, a cross join of reps and weeks, took a third of the query).
    mondays = [monday + dt.timedelta(weeks=k) for k in range((win.end - monday).days // 7 + 1)]
    counts: dict[str, dict[dt.date, float]] = {}
    for rep, week, n in rows:
        counts.setdefault(str(rep), {})[week] = float(n or 0)
    return [(rep, week, per_week.get(week, 0.0)) for rep, per_week in counts.items() for week in mondays]


@dataclass(frozen=True)
class Pipeline:
    """What a rep (or everyone) has in hand in the window, for pacing (spec 3)."""

    revenue_won: float
    open_advanced: int
    open_not_advanced: int


def pipeline(cursor: duckdb.DuckDBPyConnection, ds: Dataset, filters: Filters = Filters()) -> Pipeline | None:
    """Revenue already won and open opportunities (advanced or not) in the window; ``None`` for a weekly log."""
    if ds.shape is Shape.WEEKLY_LOG:
        return None
    win = window(ds, filters)
    if win is None:
        return Pipeline(0.0, 0, 0)
    where, params = _where(ds, Filters(**{**filters.__dict__, "decided_only": False}), win)
    with _registered(cursor, ds) as table:
        sql = f"""
            SELECT coalesce(sum({_MONEY}) FILTER (WHERE won), 0),
                   {_counted("outcome = 'open' AND advanced")},
                   {_counted("outcome = 'open' AND NOT advanced")}
            FROM {table} WHERE {where}"""
        revenue, open_adv, open_not = (run(cursor, sql, params).fetchall() or [(0, 0, 0)])[0]
    return Pipeline(float(revenue), int(open_adv), int(open_not))


def distinct_values(cursor: duckdb.DuckDBPyConnection, ds: Dataset, column: str, limit: int = 500) -> list[str]:
    """The values of ``team``, ``rep`` or an extra column (by its header), most frequent first, for filters."""
    if column == "team":
        expr = f"coalesce(team, '{NO_TEAM}')"
    elif column == "rep":
        expr = "rep"
    else:
        dim = ds.dimension(column)
        if dim is None:
            raise InvalidInputError(f"The file has no column '{column}'.")
        expr = f"coalesce({dim.column}, '{BLANK}')"
    with _registered(cursor, ds) as table:
        rows = run(
            cursor, f"SELECT {expr} AS v, count(*) AS n FROM {table} GROUP BY v ORDER BY n DESC, v LIMIT ?", [limit]
        ).fetchall()
    return [str(v) for v, _ in rows]


def groupable_dimensions(cursor: duckdb.DuckDBPyConnection, ds: Dataset, limit: int = 500) -> list[str]:
    """The extra columns worth a row each of their values in a KPI table: 2 to ``limit`` values
    (a blank cell counts as one), and some value shared by two rows or more. An id column (one
    value per opportunity) or a column holding one value would give a table that says nothing."""
    out = []
    with _registered(cursor, ds) as table:
        for dim in ds.dimensions:
            # An id column has about as many values as rows: its estimate (HyperLogLog, within a
            # few percent; 13 ms at a million rows) rules it out before an exact count (90 ms).
            ((estimate,),) = run(cursor, f"SELECT approx_count_distinct({dim.column}) FROM {table}").fetchall()
            if estimate > 2 * limit:
                continue
            groups, largest = run(
                cursor,
                f"SELECT count(*), max(n) FROM (SELECT {dim.column} AS v, count(*) AS n FROM {table} GROUP BY v)",
            ).fetchall()[0]
            if 2 <= groups <= limit and (largest or 0) > 1:
                out.append(dim.label)
    return out


@dataclass(frozen=True)
class DuplicateIds:
    """Opportunity ids found on more than one line: ``ids`` of them, on ``rows`` lines in all;
    ``examples`` holds the first few with their first lines."""

    column: str
    ids: int
    rows: int
    examples: tuple[tuple[str, tuple[int, ...]], ...]

    def sentence(self) -> str:
        """What the report says of them, in one sentence."""
        shown = "; ".join(f"'{i}' on lines {', '.join(map(str, lines))}" for i, lines in self.examples)
        many = self.ids > 1
        return (
            f"{self.ids} opportunity id{'s' if many else ''} in '{self.column}' appear{'' if many else 's'} on more "
            f"than one line ({self.rows} lines; {shown}), and each line counts as an opportunity: if the export "
            "lists an opportunity once per product or per activity, export one line per opportunity."
        )


def duplicate_ids(cursor: duckdb.DuckDBPyConnection, ds: Dataset) -> DuplicateIds | None:
    """The opportunity ids of an opportunity list's id column (``mapping.id_header``) that appear on
    more than one loaded line; ``None`` without such a column or such an id. A whole-file group-by:
    asked by the import report, not by the import (a second at five million rows)."""
    if ds.shape is not Shape.OPPORTUNITIES:
        return None
    header = id_header([d.label for d in ds.dimensions])
    dim = ds.dimension(header) if header else None
    if dim is None:
        return None
    with _registered(cursor, ds) as table:
        found = (
            f"SELECT {dim.column} AS id, count(*) AS n, min(line) AS first, list(line ORDER BY line)[1:3] AS lines "
            f"FROM {table} WHERE {dim.column} IS NOT NULL GROUP BY {dim.column} HAVING count(*) > 1"
        )
        ((ids, rows),) = run(cursor, f"SELECT count(*), coalesce(sum(n), 0) FROM ({found})").fetchall()
        if not ids:
            return None
        examples = run(cursor, f"SELECT id, lines FROM ({found}) ORDER BY first LIMIT 3").fetchall()
    return DuplicateIds(dim.label, int(ids), int(rows), tuple((str(i), tuple(lines)) for i, lines in examples))


def row_count(cursor: duckdb.DuckDBPyConnection, ds: Dataset, filters: Filters = Filters()) -> int:
    """Opportunities (or log rows) in the window and filters."""
    win = window(ds, filters)
    if win is None:
        return 0
    where, params = _where(ds, filters, win)
    with _registered(cursor, ds) as table:
        (n,) = run(cursor, f"SELECT count(*) FROM {table} WHERE {where}", params).fetchall()[0]
    return int(n)
