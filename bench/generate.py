"""Generate a large, realistic opportunity CSV for the benchmarks (deterministic for a seed).

    python -m bench.generate --rows 1000000            # -> bench/data/opportunities_1000000.csv
    python -m bench.generate --rows 5000000 --out /tmp/x.csv
    python -m bench.generate --rows 1000000 --quoted   # -> ..._quoted.csv, as Salesforce exports

Shape: a CRM export with the headers of the sample data (``Opportunity ID, Sales Rep, Team,
Region, Product, First Appointment, Next Step Date, Stage, Outcome, Close Date, Amount``), 40 reps
in 5 teams, two years of first appointments, ISO dates, amounts with 2 decimals on won deals only,
about 8 % of opportunities still open, and one "Total" line at the bottom (set aside by the import,
dropped by the pandas script) as real exports have. ``--quoted`` writes every field in double
quotes with CRLF line ends, as Salesforce's and Excel's exports do (the reader cannot split such a
file at any line end: a quoted value may hold one).
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
HEADERS = [
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
TEAMS = ["North", "South", "East", "West", "Key Accounts"]
FIRST_NAMES = [
    "Andi", "Budi", "Citra", "Dewi", "Eko", "Fajar", "Gita", "Hadi", "Indra", "Joko",
    "Kartika", "Lestari", "Made", "Nur", "Oki", "Putri", "Rina", "Sari", "Teguh", "Umar",
    "Vina", "Wati", "Yudi", "Zainal", "Agus", "Bayu", "Cahya", "Dian", "Erna", "Fitri",
    "Gilang", "Hana", "Irfan", "Jihan", "Kevin", "Lina", "Maya", "Nanda", "Oscar", "Prita",
]  # fmt: skip
LAST_NAMES = ["Pratama", "Santoso", "Wijaya", "Kusuma", "Halim", "Saputra", "Nugroho", "Hidayat"]
REGIONS = ["Jakarta", "Bandung", "Surabaya", "Denpasar", "Medan", "Makassar"]
PRODUCTS = ["Starter", "Pro", "Analytics"]
PRODUCT_PRICE = np.array([0.6, 1.0, 1.5])
OPEN_STAGES = ["Appointment", "Demo", "Proposal", "Negotiation"]
START = dt.date(2024, 12, 2)
DAYS = 728  # two years of first appointments
EXPORT = START + dt.timedelta(days=DAYS - 1)  # the export date: nothing happens after it
N_REPS = 40


def reps() -> list[tuple[str, str]]:
    """The 40 ``(rep, team)`` pairs, 8 reps a team."""
    return [(f"{FIRST_NAMES[i]} {LAST_NAMES[i % len(LAST_NAMES)]}", TEAMS[i % len(TEAMS)]) for i in range(N_REPS)]


def _iso(days: np.ndarray, valid: np.ndarray) -> pa.Array:
    """Day offsets from START as ISO date strings, empty where not ``valid``."""
    dates = pa.array((np.datetime64(START.isoformat()) + days.astype("timedelta64[D]")).astype("datetime64[D]"))
    text = pc.strftime(dates.cast(pa.timestamp("s")), format="%Y-%m-%d")
    return pc.if_else(pa.array(valid), text, "")


def table(rows: int, seed: int = 20251201, first_id: int = 1) -> tuple[pa.Table, int]:
    """The opportunities as an all-text Arrow table, and their won revenue in cents."""
    rng = np.random.default_rng(seed)
    people = reps()
    # Each rep has their own strengths: appointment volume, p1, p2, deal size and cycle.
    weight = rng.uniform(0.5, 1.5, N_REPS)
    p1 = rng.uniform(0.45, 0.85, N_REPS)
    p2 = rng.uniform(0.30, 0.70, N_REPS)
    size = rng.uniform(5_000, 25_000, N_REPS)
    cycle = rng.uniform(20, 70, N_REPS)

    rep = rng.choice(N_REPS, size=rows, p=weight / weight.sum())
    fa = rng.integers(0, DAYS, rows)
    advanced = rng.random(rows) < p1[rep]
    won = advanced & (rng.random(rows) < p2[rep])
    lost_early = ~advanced & (rng.random(rows) < 0.9)
    cycle_days = np.maximum(1, rng.gamma(4.0, cycle[rep] / 4.0)).astype(np.int64)
    close = fa + cycle_days
    decided = (close <= DAYS - 1) & (won | (advanced & ~won) | lost_early)
    is_won = won & decided
    is_lost = decided & ~is_won
    is_open = ~decided
    next_gap = np.maximum(1, (cycle_days * rng.uniform(0.2, 0.6, rows)).astype(np.int64))
    has_next = advanced & (fa + next_gap <= DAYS - 1) & (rng.random(rows) < 0.95)
    product = rng.integers(0, len(PRODUCTS), rows)
    amount = np.round(size[rep] * PRODUCT_PRICE[product] * rng.lognormal(0.0, 0.35, rows), 2)

    stage_idx = np.where(advanced, rng.integers(1, len(OPEN_STAGES), rows), 0)
    stage = np.where(
        is_won,
        "Closed Won",
        np.where(is_lost, "Closed Lost", np.array(OPEN_STAGES, dtype=object)[stage_idx]),
    )
    outcome = np.where(is_won, "Won", np.where(is_lost, "Lost", ""))
    names = np.array([p[0] for p in people], dtype=object)
    teams = np.array([p[1] for p in people], dtype=object)
    # Arrow's float->string drops trailing zeros (1200.5); write exactly 2 decimals as exports do.
    cents = np.round(amount * 100).astype(np.int64)
    amount_text = pc.if_else(
        pa.array(is_won),
        pa.array([f"{c // 100}.{c % 100:02d}" for c in cents.tolist()]) if rows else pa.array([], pa.string()),
        "",
    )
    columns = {
        "Opportunity ID": pa.array([str(i) for i in range(first_id, first_id + rows)], pa.string()),
        "Sales Rep": pa.array(names[rep], pa.string()),
        "Team": pa.array(teams[rep], pa.string()),
        "Region": pa.array(np.array(REGIONS, dtype=object)[rng.integers(0, len(REGIONS), rows)], pa.string()),
        "Product": pa.array(np.array(PRODUCTS, dtype=object)[product], pa.string()),
        "First Appointment": _iso(fa, np.ones(rows, bool)),
        "Next Step Date": _iso(fa + next_gap, has_next),
        "Stage": pa.array(stage, pa.string()),
        "Outcome": pa.array(outcome, pa.string()),
        "Close Date": _iso(close, ~is_open),
        "Amount": amount_text,
    }
    return pa.table(columns), int(cents[is_won].sum())


def total_line(cents: int) -> pa.Table:
    """The "Total" line a spreadsheet export carries at the bottom."""
    row = {h: pa.array([""], pa.string()) for h in HEADERS}
    row["Opportunity ID"] = pa.array(["Total"], pa.string())
    row["Amount"] = pa.array([f"{cents // 100}.{cents % 100:02d}"], pa.string())
    return pa.table(row)


def write(rows: int, out: Path | None = None, seed: int = 20251201, *, quoted: bool = False) -> Path:
    """Write the CSV and return its path (``quoted``: every field quoted, CRLF line ends)."""
    out = out or DATA / f"opportunities_{rows}{'_quoted' if quoted else ''}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    chunk = 1_000_000
    total = 0
    eol = "\r\n" if quoted else "\n"
    options = pacsv.WriteOptions(quoting_style="all_valid" if quoted else "none", include_header=False, eol=eol)
    with pa.OSFile(str(tmp), "wb") as sink:
        names = [f'"{h}"' for h in HEADERS] if quoted else HEADERS
        sink.write((",".join(names) + eol).encode())
        writer = None
        for i, start in enumerate(range(0, rows, chunk)):
            part, cents = table(min(chunk, rows - start), seed + i, start + 1)
            total += cents
            if writer is None:
                writer = pacsv.CSVWriter(sink, part.schema, write_options=options)
            writer.write_table(part)
        tail = total_line(total)
        if writer is None:
            writer = pacsv.CSVWriter(sink, tail.schema, write_options=options)
        writer.write_table(tail)
        writer.close()
    tmp.replace(out)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--seed", type=int, default=20251201)
    parser.add_argument("--quoted", action="store_true", help="every field quoted, CRLF line ends (Salesforce-style)")
    args = parser.parse_args(argv)
    path = write(args.rows, args.out, args.seed, quoted=args.quoted)
    print(f"{path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
