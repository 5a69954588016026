"""Generate the sample data sets of Magic Number (deterministic: same seed, same files).

Run from anywhere:  python sample_data/generate.py

Writes, next to this script:
- ``opportunities.csv``: a CRM opportunity export, one row per opportunity (spec 1a), one year of
  first appointments (2025-12-01 .. 2026-11-27), 3 teams, 12 reps with different strengths.
- ``weekly_log.csv``: a manager's weekly activity log (spec 1b), 6 reps x 26 weeks.

Only the standard library is used.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

SEED = 20251201
HERE = Path(__file__).resolve().parent
START = dt.date(2025, 12, 1)  # first first-appointment date in the file
END = dt.date(2026, 11, 27)  # export date: last first-appointment date, nothing happens after it

OPPORTUNITY_HEADERS = [
    "Opportunity ID",
    "Sales Rep",
    "Team",
    "Region",
    "Product",
    "First Appointment",
    "Next Step Date",
    "Stage",
    "Outcome",
    "Close Date",
    "Amount",
]
WEEKLY_HEADERS = [
    "Rep",
    "Team",
    "Week",
    "Appointments",
    "Next Steps",
    "Wins",
    "Revenue",
    "Avg Cycle Days",
]

#: Product name -> price multiplier on the rep's typical deal size.
PRODUCTS = {"CRM Starter": 0.6, "CRM Pro": 1.0, "Analytics Suite": 1.5}
REGIONS = {
    "North": ["Jakarta", "Bandung"],
    "South": ["Surabaya", "Denpasar"],
    "Key Accounts": ["Jakarta", "Surabaya", "Bandung"],
}


@dataclass(frozen=True)
class Profile:
    """How a rep sells: appointments a week, gate ratios, typical deal size, cycle range (days)."""

    name: str
    team: str
    per_week: float
    p1: float
    p2: float
    deal: float
    cycle: tuple[int, int]
    note: str


PROFILES = [
    # North
    Profile("Andi Pratama", "North", 3.5, 0.62, 0.40, 12_000, (40, 75), "steady baseline"),
    Profile("Budi Santoso", "North", 4.0, 0.35, 0.42, 12_500, (45, 80), "weak appointment-to-next-step ratio"),
    Profile(
        "Citra Lestari", "North", 3.0, 0.66, 0.62, 6_500, (35, 70), "closes well, small deals (money left on the table)"
    ),
    Profile("Dewi Anggraini", "North", 0.0, 0.67, 0.50, 11_000, (40, 70), "new hire: only 3 opportunities"),
    # South
    Profile("Eko Wibowo", "South", 8.0, 0.55, 0.33, 9_000, (40, 80), "high-volume prospector"),
    Profile("Fitri Handayani", "South", 3.0, 0.60, 0.45, 10_000, (15, 35), "much shorter sales cycle"),
    Profile("Gita Permata", "South", 3.5, 0.63, 0.38, 11_000, (45, 90), "steady"),
    Profile("Hadi Kusuma", "South", 3.0, 0.58, 0.41, 10_500, (40, 85), "steady"),
    # Key Accounts
    Profile("Indra Saputra", "Key Accounts", 2.0, 0.70, 0.35, 45_000, (60, 120), "big deals, long cycle"),
    Profile("Joko Susilo", "Key Accounts", 2.0, 0.68, 0.38, 52_000, (55, 115), "big deals, long cycle"),
    Profile("Kartika Sari", "Key Accounts", 2.2, 0.72, 0.40, 48_000, (65, 120), "best opener of the team"),
    Profile("Lukas Hartono", "Key Accounts", 1.8, 0.66, 0.50, 50_000, (60, 110), "best closer of the team"),
]

#: Reps of the weekly log (a subset, as a manager's own spreadsheet would have).
WEEKLY_REPS = ["Andi Pratama", "Budi Santoso", "Citra Lestari", "Eko Wibowo", "Fitri Handayani", "Gita Permata"]
WEEKLY_FIRST_MONDAY = dt.date(2026, 6, 1)
WEEKLY_WEEKS = 26


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _money(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else ""


def _first_appointments(rng: random.Random, profile: Profile) -> list[dt.date]:
    span = (END - START).days
    if profile.name == "Dewi Anggraini":
        return [dt.date(2026, 3, 9), dt.date(2026, 6, 15), dt.date(2026, 9, 21)]
    count = round(profile.per_week * span / 7 * rng.uniform(0.92, 1.08))
    days = []
    for _ in range(count):
        day = START + dt.timedelta(days=rng.randint(0, span))
        while day.weekday() >= 5:  # appointments are booked on working days
            day = START + dt.timedelta(days=rng.randint(0, span))
        days.append(day)
    return sorted(days)


def _opportunity(rng: random.Random, profile: Profile, first: dt.date) -> dict[str, str]:
    product = rng.choices(list(PRODUCTS), weights=[4, 4, 2])[0]
    region = rng.choice(REGIONS[profile.team])
    amount = round(profile.deal * PRODUCTS[product] * rng.uniform(0.7, 1.3), 2)
    age = (END - first).days

    advanced = rng.random() < profile.p1
    next_step = None
    if advanced:
        next_step = first + dt.timedelta(days=rng.randint(2, 14))
        if next_step > END:
            next_step = END if first < END else None
            advanced = next_step is not None

    outcome, stage, close = "", "Appointment", None
    if advanced:
        wins = rng.random() < profile.p2
        cycle = rng.randint(*profile.cycle) if wins else rng.randint(profile.cycle[0] // 2, profile.cycle[1])
        candidate = max(first + dt.timedelta(days=cycle), next_step)
        stale = age > 150 and rng.random() < 0.03  # an old deal nobody closed out
        if candidate <= END and not stale:
            outcome, close = ("Won", candidate) if wins else ("Lost", candidate)
            stage = "Closed Won" if wins else "Closed Lost"
        else:
            progress = age / max(cycle, 1)
            stage = "Demo" if progress < 0.35 else ("Proposal" if progress < 0.7 else "Negotiation")
    else:
        candidate = first + dt.timedelta(days=rng.randint(3, 30))
        stale = age > 120 and rng.random() < 0.03
        if candidate <= END and not stale:
            outcome, close, stage = "Lost", candidate, "Closed Lost"

    shown_amount: float | None = None
    if outcome == "Won" or (outcome == "" and stage in ("Proposal", "Negotiation")):
        shown_amount = amount
    elif outcome == "Lost" and advanced and rng.random() < 0.5:
        shown_amount = amount  # pipeline value left on a lost deal; KPIs ignore it
    return {
        "Sales Rep": profile.name,
        "Team": profile.team,
        "Region": region,
        "Product": product,
        "First Appointment": _iso(first),
        "Next Step Date": _iso(next_step),
        "Stage": stage,
        "Outcome": outcome,
        "Close Date": _iso(close),
        "Amount": _money(shown_amount),
    }


def opportunities(rng: random.Random) -> list[dict[str, str]]:
    """All opportunities, sorted by first appointment, with IDs OPP-00001..."""
    rows: list[dict[str, str]] = []
    for profile in PROFILES:
        firsts = _first_appointments(rng, profile)
        if profile.name == "Andi Pratama":
            firsts[0] = START  # the window starts on the first day...
        if profile.name == "Eko Wibowo":
            firsts[-1] = END  # ...and ends on the export date
        rows.extend(_opportunity(rng, profile, first) for first in firsts)
    rows.sort(key=lambda r: (r["First Appointment"], r["Sales Rep"]))
    for number, row in enumerate(rows, start=1):
        row["Opportunity ID"] = f"OPP-{number:05d}"
    return rows


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))


def weekly_log(rng: random.Random) -> list[dict[str, str]]:
    """One row per rep per week; next steps <= appointments, wins <= next steps."""
    by_name = {p.name: p for p in PROFILES}
    assert WEEKLY_FIRST_MONDAY.weekday() == 0
    rows = []
    for name in WEEKLY_REPS:
        profile = by_name[name]
        for week in range(WEEKLY_WEEKS):
            monday = WEEKLY_FIRST_MONDAY + dt.timedelta(weeks=week)
            appointments = max(0, round(rng.gauss(profile.per_week, profile.per_week**0.5)))
            next_steps = _binomial(rng, appointments, profile.p1)
            wins = _binomial(rng, next_steps, profile.p2)
            revenue = sum(
                profile.deal * rng.choice(list(PRODUCTS.values())) * rng.uniform(0.7, 1.3) for _ in range(wins)
            )
            cycle = sum(rng.randint(*profile.cycle) for _ in range(wins)) / wins if wins else None
            rows.append(
                {
                    "Rep": name,
                    "Team": profile.team,
                    "Week": monday.isoformat(),
                    "Appointments": str(appointments),
                    "Next Steps": str(next_steps),
                    "Wins": str(wins),
                    "Revenue": f"{revenue:.2f}" if wins else "0",
                    "Avg Cycle Days": f"{cycle:.1f}" if cycle is not None else "",
                }
            )
    return rows


def _write(path: Path, headers: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=headers, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    rng = random.Random(SEED)
    opps = opportunities(rng)
    _write(HERE / "opportunities.csv", OPPORTUNITY_HEADERS, opps)
    log = weekly_log(rng)
    _write(HERE / "weekly_log.csv", WEEKLY_HEADERS, log)
    print(f"wrote {len(opps)} opportunities and {len(log)} weekly rows to {HERE}")


if __name__ == "__main__":
    main()
