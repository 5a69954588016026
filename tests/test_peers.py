"""Peer comparison (spec 4) against hand-computed tables."""

from __future__ import annotations

import pytest

from kpi_core.model import KpiRow, PeerSettings
from kpi_core.peers import best_value, compare_peers, deviation, peer_average


def _row(
    rep: str, team: str | None, appointments: int, p1: float | None, avg_sale: float | None, cycle: float | None
) -> KpiRow:
    return KpiRow(
        group=rep,
        team=team,
        appointments=appointments,
        advanced=None,
        won=None,
        p1=p1,
        p2=0.5,
        revenue=None,
        avg_sale=avg_sale,
        cycle_days_mean=cycle,
        cycle_days_median=None,
        weeks=10,
        weekly_appointments=appointments / 10,
    )


def test_peer_average_skips_undefined_values_and_is_unweighted() -> None:
    assert peer_average([1.0, None, 3.0]) == 2.0
    assert peer_average([None, None]) is None


@pytest.mark.parametrize(
    ("value", "average", "expected"),
    [(6.0, 10.0, -0.4), (13.0, 10.0, 0.3), (None, 10.0, None), (5.0, None, None), (5.0, 0.0, None)],
)
def test_deviation_is_relative_to_the_peer_average(
    value: float | None, average: float | None, expected: float | None
) -> None:
    got = deviation(value, average)
    assert got == (pytest.approx(expected) if expected is not None else None)


def test_flags_follow_the_article_thresholds_within_a_team() -> None:
    # Team A: Ann avg 600 vs peers (Bob 1000, Cy 1000) -> -40 %: money left on the table.
    # Bob cycle 35 vs peers (Ann 50, Cy 50) -> -30 %: best practice to share.
    # Dee (team B) has the same numbers as Ann but no peers, so no flag; Eve has 4 opportunities: small sample.
    rows = [
        _row("Ann", "A", 10, 0.5, 600.0, 50.0),
        _row("Bob", "A", 10, 0.6, 1000.0, 35.0),
        _row("Cy", "A", 10, 0.7, 1000.0, 50.0),
        _row("Dee", "B", 10, 0.5, 600.0, 50.0),
        _row("Eve", "A", 4, 0.9, 100.0, 10.0),
    ]
    out = {p.rep: p for p in compare_peers(rows, PeerSettings())}
    assert out["Ann"].kpis["avg_sale"].peer_average == 1000.0
    assert out["Ann"].kpis["avg_sale"].deviation == pytest.approx(-0.4)
    assert "money_left_on_table" in out["Ann"].flags
    assert "best_practice" in out["Bob"].flags
    assert out["Bob"].kpis["cycle_days_mean"].deviation == pytest.approx(-0.3)
    assert "money_left_on_table" not in out["Bob"].flags
    # Ties for the best are all marked (Bob and Cy: average sale 1000), but where every ranked rep
    # of the team has the same value (p2 0.5, 1 appointment a week), nobody is best on it.
    assert out["Cy"].best_on == ("p1", "avg_sale")
    assert out["Bob"].best_on == ("avg_sale", "cycle_days_mean")
    assert out["Ann"].best_on == ()
    assert "best_on_kpi" not in out["Ann"].flags
    assert out["Dee"].flags == () and out["Dee"].kpis["avg_sale"].peer_average is None
    assert out["Eve"].small_sample and out["Eve"].flags == ()
    # Eve is not a peer of anyone: Ann's peers are Bob and Cy only.
    assert out["Ann"].peers == 2


def test_a_rep_just_short_of_the_threshold_is_not_flagged() -> None:
    rows = [_row("Ann", None, 10, 0.5, 601.0, 50.0), _row("Bob", None, 10, 0.5, 1000.0, 50.0)]
    out = {p.rep: p for p in compare_peers(rows)}
    assert "money_left_on_table" not in out["Ann"].flags


def test_min_opportunities_is_a_setting() -> None:
    rows = [_row("Ann", None, 3, 0.5, 600.0, 50.0), _row("Bob", None, 3, 0.5, 1000.0, 50.0)]
    assert all(p.small_sample for p in compare_peers(rows))
    assert not any(p.small_sample for p in compare_peers(rows, PeerSettings(min_opportunities=3)))


def _ranked(rep: str, team: str, avg_sale: float | None, cycle: float | None, p1: float | None = 0.5) -> KpiRow:
    return _row(rep, team, 10, p1, avg_sale, cycle)


def test_the_only_ranked_rep_with_a_value_is_best_on_it() -> None:
    # Team A, all ranked (10 opportunities each). Only Ann has won (average sale 2000, cycle 30 days);
    # Bob's and Cy's are n/a, so Ann stands out on both. p1: Ann .5, Bob .5, Cy n/a: a tie for the
    # best, both marked (not "everyone level": Cy has no value). p2 (.5 for all) and weekly
    # appointments (1.0 for all) are level for every ranked rep: nobody is best.
    rows = [
        _ranked("Ann", "A", 2000.0, 30.0),
        _ranked("Bob", "A", None, None),
        _ranked("Cy", "A", None, None, p1=None),
    ]
    out = {p.rep: p for p in compare_peers(rows)}
    assert out["Ann"].best_on == ("p1", "avg_sale", "cycle_days_mean")
    assert "best_on_kpi" in out["Ann"].flags
    assert out["Bob"].best_on == ("p1",)
    assert out["Cy"].best_on == ()


def test_a_team_with_one_ranked_rep_has_no_best() -> None:
    # Team B: Dee is the only ranked rep (Eve has 4 opportunities, a small sample): nobody to compare
    # with, so Dee is best on nothing, though she alone has every value.
    rows = [_ranked("Dee", "B", 2000.0, 30.0), _row("Eve", "B", 4, 0.9, None, None)]
    out = {p.rep: p for p in compare_peers(rows)}
    assert out["Dee"].best_on == ()
    assert out["Dee"].flags == ()
    assert out["Eve"].best_on == ()


@pytest.mark.parametrize(
    ("kpi", "values", "best"),
    [
        ("avg_sale", [None, 5.0, None], 5.0),  # the only value among ranked reps
        ("avg_sale", [3.0, 5.0, None], 5.0),
        ("avg_sale", [5.0, 5.0, None], 5.0),  # a tie beside an n/a: both best
        ("avg_sale", [5.0, 5.0, 5.0], None),  # every ranked rep level: nobody
        ("avg_sale", [None, None], None),
        ("avg_sale", [5.0], None),  # one ranked rep: no comparison
        ("cycle_days_mean", [40.0, None, 30.0], 30.0),  # shorter is better
        ("cycle_days_mean", [None, 30.0], 30.0),
    ],
)
def test_best_value_over_a_team_s_ranked_reps(kpi: str, values: list[float | None], best: float | None) -> None:
    assert best_value(kpi, values) == best
