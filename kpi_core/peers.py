"""Peer comparison of spec 4: each rep against the unweighted mean of their team's other reps."""

from __future__ import annotations

from collections.abc import Sequence

from .model import LOWER_IS_BETTER, PEER_KPIS, KpiRow, PeerKpi, PeerRow, PeerSettings

MONEY_LEFT_ON_TABLE = "money_left_on_table"
BEST_PRACTICE = "best_practice"
BEST_ON_KPI = "best_on_kpi"


def peer_average(values: Sequence[float | None]) -> float | None:
    """Unweighted mean of the defined values; undefined when there are none."""
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


def deviation(value: float | None, average: float | None) -> float | None:
    """``(value - average) / average``; undefined when either is undefined or the average is 0."""
    if value is None or average is None or average == 0:
        return None
    return (value - average) / average


def best_value(kpi: str, ranked: Sequence[float | None]) -> float | None:
    """The best of the ranked reps' values of ``kpi`` in one team (lowest for the sales cycle), or
    ``None`` when nobody stands out on it.

    Nobody does when the team has a single ranked rep (no one to compare with), when no ranked rep
    has a value, or when every ranked rep has the same value: on the public CRM sample, whose close
    ratio is 100 % for all, every rep read "Best on Close ratio". A rep with the only value among
    reps whose value is undefined (n/a) is the best on it. A sales cycle of 0 days or less (a won
    deal closed before, or on, its first appointment: a date error the import report names) is
    never the best: it earned "Best on Sales cycle".
    """
    values = [v for v in ranked if v is not None]
    if len(ranked) < 2 or not values:
        return None
    if len(values) == len(ranked) and min(values) == max(values):
        return None
    if kpi in LOWER_IS_BETTER:
        usable = [v for v in values if v > 0]
        return min(usable) if usable else None
    return max(values)


def compare_peers(rows: Sequence[KpiRow], settings: PeerSettings = PeerSettings()) -> list[PeerRow]:
    """Every rep in ``rows`` (KPIs grouped by rep) compared with their peers, with flags.

    Peers are the other reps of the same team (everyone when there are no teams) with at least
    ``min_opportunities`` opportunities. Reps below that are marked ``small_sample`` and get no
    flags: they are shown, not ranked. Reps tied for the best value of a KPI are all marked best on
    it (see :func:`best_value` for when nobody is).
    """
    eligible = [r for r in rows if r.appointments >= settings.min_opportunities]
    best: dict[tuple[str | None, str], float] = {}
    for kpi in PEER_KPIS:
        for team in {r.team for r in rows}:
            top = best_value(kpi, [r.value(kpi) for r in eligible if r.team == team])
            if top is not None:
                best[(team, kpi)] = top
    out = []
    for rep in rows:
        peers = [r for r in eligible if r.team == rep.team and r.group != rep.group]
        small = rep.appointments < settings.min_opportunities
        kpis: dict[str, PeerKpi] = {}
        for kpi in PEER_KPIS:
            avg = peer_average([p.value(kpi) for p in peers])
            kpis[kpi] = PeerKpi(value=rep.value(kpi), peer_average=avg, deviation=deviation(rep.value(kpi), avg))
        flags: list[str] = []
        best_on: list[str] = []
        if not small:
            sale_dev = kpis["avg_sale"].deviation
            if sale_dev is not None and sale_dev <= -settings.money_left_on_table + 1e-12:
                flags.append(MONEY_LEFT_ON_TABLE)
            cycle_dev = kpis["cycle_days_mean"].deviation
            cycle = kpis["cycle_days_mean"].value
            # A cycle of 0 days or less is a date error, not a practice to share.
            if (
                cycle_dev is not None
                and cycle is not None
                and cycle > 0
                and cycle_dev <= -settings.best_practice_cycle + 1e-12
            ):
                flags.append(BEST_PRACTICE)
            best_on = [k for k in PEER_KPIS if kpis[k].value is not None and best.get((rep.team, k)) == kpis[k].value]
            if best_on:
                flags.append(BEST_ON_KPI)
        out.append(
            PeerRow(
                rep=rep.group,
                team=rep.team,
                appointments=int(rep.appointments),
                small_sample=small,
                peers=len(peers),
                kpis=kpis,
                flags=tuple(flags),
                best_on=tuple(best_on),
            )
        )
    return out
