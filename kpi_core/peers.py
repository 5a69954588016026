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


def compare_peers(rows: Sequence[KpiRow], settings: PeerSettings = PeerSettings()) -> list[PeerRow]:
    """Every rep in ``rows`` (KPIs grouped by rep) compared with their peers, with flags.

    Peers are the other reps of the same team (everyone when there are no teams) with at least
    ``min_opportunities`` opportunities. Reps below that are marked ``small_sample`` and get no
    flags: they are shown, not ranked. Reps tied for the best value of a KPI are all marked best on
    it, unless every ranked rep of the team has that value.
    """
    eligible = [r for r in rows if r.appointments >= settings.min_opportunities]
    best: dict[tuple[str | None, str], float] = {}
    for kpi in PEER_KPIS:
        for team in {r.team for r in rows}:
            values = [v for r in eligible if r.team == team and (v := r.value(kpi)) is not None]
            # Where every ranked rep of the team has the same value, nobody stands out on it: on the
            # public CRM sample, whose close ratio is 100 % for all, every rep read "Best on Close ratio".
            if values and min(values) != max(values):
                best[(team, kpi)] = min(values) if kpi in LOWER_IS_BETTER else max(values)
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
            if cycle_dev is not None and cycle_dev <= -settings.best_practice_cycle + 1e-12:
                flags.append(BEST_PRACTICE)
            best_on = [
                k
                for k in PEER_KPIS
                if kpis[k].value is not None
                and best.get((rep.team, k)) == kpis[k].value
                and len([r for r in eligible if r.team == rep.team]) > 1
            ]
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
