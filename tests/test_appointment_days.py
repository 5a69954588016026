"""The weekly series adds up each dataset's first appointments counted per rep, team, day and
outcome (``queries._appointment_days``), and the sales cycle's medians the won deals counted per
rep, team, outcome and cycle (``queries._won_cycles``), instead of going over every opportunity:
every answer must be the one the rows themselves give, for every filter the pages offer."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import statistics
from collections import Counter
from typing import Any

import pyarrow as pa
import pytest

from kpi_core import queries
from kpi_core.importing import LoadOptions, load
from kpi_core.model import Dataset, Filters

from .test_fixture_kpis import _odd_dictionaries

REPS = {"Ana": "North", "Budi": "North", "Citra": "South", "Dedi": "South", "Eka": "", "Fajar": "South"}
FIRST_DAY = dt.date(2026, 3, 4)  # a Wednesday: the first week is a part week


def _rows() -> list[dict[str, Any]]:
    """2,400 opportunities of six reps over 40 days: many share a rep, a day and an outcome."""
    rng = random.Random(7)
    rows = []
    for i in range(2400):
        rep = rng.choice(sorted(REPS))
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(40))
        outcome = rng.choice(["Won", "Lost", "Open", "Open"])
        # A won deal closes 0-29 days later (now and then before its first appointment, or without
        # a close date); a lost one some days later.
        cycle = rng.choice([None, -3, *range(30)]) if outcome != "Open" else None
        amount = rng.choice(["", "0", f"{rng.uniform(100, 90000):.2f}", f"{rng.randrange(1, 500) * 1000}"])
        rows.append(
            {
                "id": i + 1,
                "rep": rep,
                "team": REPS[rep],
                "day": day,
                "outcome": outcome,
                "region": rng.choice(["Jakarta", "Bandung", ""]),
                "close": "" if cycle is None else f"{day + dt.timedelta(days=cycle):%Y-%m-%d}",
                "next": f"{day + dt.timedelta(days=2):%Y-%m-%d}" if rng.random() < 0.4 else "",
                "amount": amount,
            }
        )
    return rows


ROWS = _rows()


def _dataset() -> Dataset:
    lines = ["Opportunity ID,Sales Rep,Team,First Appointment,Outcome,Region,Close Date,Next Step Date,Amount"]
    lines += [
        f"{r['id']},{r['rep']},{r['team']},{r['day']:%Y-%m-%d},{r['outcome']},{r['region']},{r['close']},"
        f"{r['next']},{r['amount']}"
        for r in ROWS
    ]
    return load("\n".join(lines).encode(), "counts.csv", LoadOptions())


def _kept(filters: Filters) -> list[dict[str, Any]]:
    """The rows in the window and filters, chosen in plain Python."""
    start, end = filters.start or FIRST_DAY, filters.end or max(r["day"] for r in ROWS)
    teams = {queries.NO_TEAM if t == queries.NO_TEAM else t for t in filters.teams}
    regions = dict(filters.dimensions).get("Region")
    kept = [
        r
        for r in ROWS
        if start <= r["day"] <= end
        and (not filters.teams or (r["team"] or queries.NO_TEAM) in teams)
        and (not filters.reps or r["rep"] in filters.reps)
        and (not filters.decided_only or r["outcome"] != "Open")
        and (regions is None or (r["region"] or queries.BLANK) in regions)
    ]
    return kept


def _expected(filters: Filters) -> list[tuple[str, dt.date, float]]:
    """The series counted from the rows in plain Python: the rows in the window and filters per rep
    and Monday, each rep that has any with every week of the window (0 where none)."""
    start, end = filters.start or FIRST_DAY, filters.end or max(r["day"] for r in ROWS)
    kept = _kept(filters)
    counts = Counter((r["rep"], r["day"] - dt.timedelta(days=r["day"].weekday())) for r in kept)
    monday = start - dt.timedelta(days=start.weekday())
    weeks = [monday + dt.timedelta(weeks=k) for k in range((end - monday).days // 7 + 1)]
    return [(rep, w, float(counts[rep, w])) for rep in sorted({r for r, _ in counts}) for w in weeks]


CHOICES = [
    Filters(),
    Filters(teams=("North",)),
    Filters(teams=("South", queries.NO_TEAM)),
    Filters(teams=(queries.NO_TEAM,)),
    Filters(reps=("Citra", "Eka")),
    Filters(teams=("North",), reps=("Ana", "Citra")),
    Filters(decided_only=True),
    Filters(start=dt.date(2026, 3, 12), end=dt.date(2026, 4, 1), teams=("South",), decided_only=True),
    Filters(dimensions=(("Region", ("Jakarta", queries.BLANK)),)),
    Filters(teams=("nobody's team",)),
]


#: A filter that the counts answer.
SOME = Filters(teams=("North",))


def every_date_counts() -> list[str]:
    """The counts a question with a window holding every date adds up."""
    return [queries._KPI_COUNTS, queries._WON_CYCLES, queries._APPOINTMENT_WEEKS]


#: The tables the queries derive from a dataset's rows (built the second time they are asked for).
DERIVED = (queries._KPI_COUNTS, queries._WON_CYCLES, queries._APPOINTMENT_DAYS, queries._APPOINTMENT_WEEKS)


def _answers(cursor: Any, ds: Dataset, filters: Filters) -> list[Any]:
    """Every answer the pages ask for: KPIs per rep, team and everyone, pipelines, the weekly series."""
    out: list[Any] = []
    for by in ("rep", "team", "all"):
        both = queries.kpis_with_total_and_pipelines(cursor, ds, by, filters)
        out.append((by, both.groups, both.total, both.pipelines))
    out.append(queries.weekly_appointments_series(cursor, ds, filters))
    return out


@pytest.mark.parametrize("filters", CHOICES, ids=range(len(CHOICES)))
def test_every_answer_from_the_counts_is_the_rows_own(filters: Filters, cursor: Any) -> None:
    """Asked a second time, the answers come from the counts (where the filters allow): the same
    as the rows' (a dataset told never to count), and the weekly series the one counted in Python."""
    rows = _dataset()
    rows.derived.update(dict.fromkeys(DERIVED))  # never counted: every answer from the rows
    expected = _answers(cursor, rows, filters)
    assert expected[-1] == _expected(filters)
    ds = _dataset()
    first, second = _answers(cursor, ds, filters), _answers(cursor, ds, filters)
    # The counts answer without an extra column's filter; the days' a date window, the others every date.
    dated = filters.start is not None or filters.end is not None
    used = [] if filters.dimensions else [queries._APPOINTMENT_DAYS] if dated else every_date_counts()
    if filters == Filters():
        used = []  # questions without a filter (the first page, another grouping) scan the rows
    assert [name for name in DERIVED if ds.derived.get(name) is not None] == [n for n in DERIVED if n in used]
    assert first == expected and second == expected  # money too: summed as decimals, to the last digit
    assert second[-1] == _expected(filters)
    # Asked twice: with an extra column's filter or a date window, the answers did not ask for all.
    counted = queries._appointment_days(ds, SOME) or queries._appointment_days(ds, SOME)
    assert counted is not None and counted.num_rows < len(ROWS) // 2
    assert sum(counted.column("n").to_pylist()) == len(ROWS)
    weekly = queries._appointment_weeks(ds, SOME) or queries._appointment_weeks(ds, SOME)
    assert weekly is not None and weekly.num_rows < counted.num_rows
    assert sum(weekly.column("n").to_pylist()) == len(ROWS)
    kpi_counts = queries._kpi_counts(cursor, ds, SOME) or queries._kpi_counts(cursor, ds, SOME)
    assert kpi_counts is not None and sum(kpi_counts.column("n").to_pylist()) == len(ROWS)


def test_a_first_question_and_questions_without_filters_scan_the_rows_and_count_nothing(cursor: Any) -> None:
    """The import's KPI table (per rep, then per team) or a command-line run: counting the rows
    first would only add to its time. The first filter after them counts."""
    ds = _dataset()
    for by in ("rep", "team", "all"):
        queries.kpis_with_total_and_pipelines(cursor, ds, by, Filters())
        queries.weekly_appointments_series(cursor, ds, Filters())
    fresh = _dataset()
    queries.kpis_with_total_and_pipelines(cursor, fresh, "rep", SOME)
    queries.weekly_appointments_series(cursor, fresh, SOME)
    assert all(d.derived.get(name) is None for name in DERIVED for d in (ds, fresh))
    queries.kpis_with_total_and_pipelines(cursor, ds, "rep", SOME)
    queries.weekly_appointments_series(cursor, ds, SOME)
    assert all(ds.derived.get(name) is not None for name in every_date_counts())


def _medians(filters: Filters, by: str) -> dict[str, float]:
    """Each group's median sales cycle of its won deals with a close date, in plain Python."""
    cycles: dict[str, list[int]] = {}
    for r in _kept(filters):
        if r["outcome"] == "Won" and r["close"]:
            group = {"rep": r["rep"], "team": r["team"] or queries.NO_TEAM, "all": queries.ALL}[by]
            cycles.setdefault(group, []).append((dt.date.fromisoformat(r["close"]) - r["day"]).days)
    return {group: statistics.median(days) for group, days in cycles.items()}


@pytest.mark.parametrize("filters", CHOICES, ids=range(len(CHOICES)))
def test_the_sales_cycle_medians_from_the_won_deals_counts_are_the_rows_own(filters: Filters, cursor: Any) -> None:
    ds = _dataset()
    for _ in range(2):  # the rows' answer, then the counts'
        for by in ("rep", "team", "all"):
            groups, total = queries.kpis_with_total(cursor, ds, by, filters)
            shown = {g.group: g.cycle_days_median for g in groups if g.cycle_days_median is not None}
            assert shown == _medians(filters, by), by
            if total is not None:
                assert total.cycle_days_median == _medians(filters, "all").get(queries.ALL)
    won = queries._won_cycles(ds, SOME) or queries._won_cycles(ds, SOME)
    assert won is not None and won.num_rows < len(ROWS) // 2
    assert sum(won.column("n").to_pylist()) == sum(1 for r in ROWS if r["outcome"] == "Won" and r["close"])


def test_odd_and_differing_dictionaries_give_the_same_series(cursor: Any) -> None:
    """A dictionary holding a text twice and a null entry, and chunks with dictionaries of their own
    (Arrow groups by codes, on one dictionary only), count the same appointments and cycles."""
    ds = _dataset()
    odd = _odd_dictionaries(ds)
    half = ds.table.num_rows // 2
    second = _odd_dictionaries(dataclasses.replace(ds, table=ds.table.slice(half))).table
    split = pa.concat_tables([ds.table.slice(0, half).cast(second.schema), second])
    assert queries._dictionary(split.column("rep")) is None
    differing = dataclasses.replace(ds, table=split)
    rows = _dataset()
    rows.derived.update(dict.fromkeys(DERIVED))
    for filters in CHOICES:
        expected = _answers(cursor, rows, filters)
        for data in (odd, differing):
            for _ in range(2):
                assert _answers(cursor, data, filters) == expected
        medians = _medians(filters, "rep")
        for data in (odd, differing):
            shown = {g.group: g.cycle_days_median for g in queries.kpis(cursor, data, "rep", filters)}
            assert {k: v for k, v in shown.items() if v is not None} == medians
    assert all(odd.derived[name] is not None for name in DERIVED)
    assert queries._kpi_counts(cursor, differing, SOME) is not None  # the text of its reps and teams, not their codes


def test_a_team_list_joined_counts_anew_and_a_weekly_log_counts_its_own_rows(cursor: Any) -> None:
    """The counts belong to the dataset object: a dataset built from another (its team column
    replaced) does not take them over."""
    ds = _dataset()
    for _ in range(2):
        queries.weekly_appointments_series(cursor, ds, SOME)
    assert ds.derived[queries._APPOINTMENT_WEEKS] is not None
    renamed = pa.array(["East"] * ds.table.num_rows)
    moved = dataclasses.replace(ds, table=ds.table.set_column(ds.table.column_names.index("team"), "team", renamed))
    assert moved.derived == {}
    series = queries.weekly_appointments_series(cursor, moved, Filters(teams=("East",)))
    assert series == _expected(Filters())
    log = load(b"Week,Sales Rep,Appointments\n2026-03-02,Ana,4\n2026-03-09,Ana,2\n", "log.csv", LoadOptions())
    for derived in (queries._appointment_days, queries._appointment_weeks, queries._won_cycles):
        assert derived(log, SOME) is None and derived(log, SOME) is None
    assert queries.weekly_appointments_series(cursor, log, Filters()) == [
        ("Ana", dt.date(2026, 3, 2), 4.0),
        ("Ana", dt.date(2026, 3, 9), 2.0),
    ]
