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
        rows.append(
            {
                "id": i + 1,
                "rep": rep,
                "team": REPS[rep],
                "day": day,
                "outcome": outcome,
                "region": rng.choice(["Jakarta", "Bandung", ""]),
                "close": "" if cycle is None else f"{day + dt.timedelta(days=cycle):%Y-%m-%d}",
            }
        )
    return rows


ROWS = _rows()


def _dataset() -> Dataset:
    lines = ["Opportunity ID,Sales Rep,Team,First Appointment,Outcome,Region,Close Date"]
    lines += [
        f"{r['id']},{r['rep']},{r['team']},{r['day']:%Y-%m-%d},{r['outcome']},{r['region']},{r['close']}" for r in ROWS
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


@pytest.mark.parametrize("filters", CHOICES, ids=range(len(CHOICES)))
def test_the_weekly_series_from_the_day_counts_is_the_rows_own(filters: Filters, cursor: Any) -> None:
    ds = _dataset()
    assert ds.report.rows_loaded == len(ROWS)
    assert queries.weekly_appointments_series(cursor, ds, filters) == _expected(filters)
    counted = queries._appointment_days(ds)
    assert counted is not None and counted.num_rows < len(ROWS) // 2, "the counts are what the series added up"
    assert sum(counted.column("n").to_pylist()) == len(ROWS)


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
    for by in ("rep", "team", "all"):
        groups, total = queries.kpis_with_total(cursor, ds, by, filters)
        shown = {g.group: g.cycle_days_median for g in groups if g.cycle_days_median is not None}
        assert shown == _medians(filters, by), by
        if total is not None:
            assert total.cycle_days_median == _medians(filters, "all").get(queries.ALL)
    won = queries._won_cycles(ds)
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
    for filters in CHOICES:
        expected = _expected(filters)
        assert queries.weekly_appointments_series(cursor, odd, filters) == expected
        assert queries.weekly_appointments_series(cursor, differing, filters) == expected
        medians = _medians(filters, "rep")
        for data in (odd, differing):
            shown = {g.group: g.cycle_days_median for g in queries.kpis(cursor, data, "rep", filters)}
            assert {k: v for k, v in shown.items() if v is not None} == medians


def test_a_team_list_joined_counts_anew_and_a_weekly_log_counts_its_own_rows(cursor: Any) -> None:
    """The counts belong to the dataset object: a dataset built from another (its team column
    replaced) does not take them over."""
    ds = _dataset()
    queries.weekly_appointments_series(cursor, ds, Filters())
    renamed = pa.array(["East"] * ds.table.num_rows)
    moved = dataclasses.replace(ds, table=ds.table.set_column(ds.table.column_names.index("team"), "team", renamed))
    assert moved.derived == {}
    series = queries.weekly_appointments_series(cursor, moved, Filters(teams=("East",)))
    assert series == _expected(Filters())
    log = load(b"Week,Sales Rep,Appointments\n2026-03-02,Ana,4\n2026-03-09,Ana,2\n", "log.csv", LoadOptions())
    assert queries._appointment_days(log) is None and queries._won_cycles(log) is None
    assert queries.weekly_appointments_series(cursor, log, Filters()) == [
        ("Ana", dt.date(2026, 3, 2), 4.0),
        ("Ana", dt.date(2026, 3, 9), 2.0),
    ]
