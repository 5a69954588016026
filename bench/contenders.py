"""The contenders of the import benchmark; each runs alone in its own process.

    python -m bench.contenders project|pandas|floor_bytes|floor_duckdb FILE.csv OUT.json

- ``project``: what the app does on upload: the file's bytes through ``kpi_core.importing.load``
  (the validated import, with its report), then per-rep KPIs, team KPIs and peer comparison.
- ``project_cli``: what ``python -m kpi_core`` does: the same import and table, with the file
  read from the disk (``load_path``) and Arrow's memory handed back at once.
- ``pandas``: the straightforward script a manager's analyst would write: ``read_csv`` with date
  parsing, a few boolean columns and ``groupby``; it computes the same table.
- ``floor_bytes``: reading the file's bytes, nothing else.
- ``floor_duckdb``: DuckDB counting the rows with ``read_csv`` in a fresh, unrestricted connection.

The child writes a JSON object: ``seconds`` (the work, after imports and, for ``project``, the
server's warm-up: see ``WARM_UPS``), ``phases``, ``peak_rss_mb`` (``VmHWM`` of this process, native
memory included), ``import_rss_mb`` (RSS once the libraries are imported and warmed up, before
any work) and ``table`` (the KPI table, for the real contenders).
"""

from __future__ import annotations

import json
import math
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: KPI columns of the table both real contenders produce (spec 2), and the peer-compared ones (spec 4).
KPI_COLUMNS = (
    "appointments",
    "advanced",
    "won",
    "p1",
    "p2",
    "revenue",
    "avg_sale",
    "cycle_days_mean",
    "cycle_days_median",
    "weekly_appointments",
)
PEER_COLUMNS = ("p1", "p2", "avg_sale", "cycle_days_mean", "weekly_appointments")
MIN_OPPORTUNITIES = 5  # PeerSettings default

Table = dict[str, Any]


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _peak_mb() -> float:
    """Peak RSS of this process (native memory included).

    ``VmHWM`` rather than ``ru_maxrss``: on Linux ``ru_maxrss`` survives ``execve`` and so would
    report the parent's size for a small child; ``VmHWM`` belongs to the new address space.
    """
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _clean(v: Any) -> Any:
    """JSON-safe: NaN/NA/None -> None, numpy scalars -> Python numbers."""
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


# --- project ----------------------------------------------------------------------------------------


def project(path: Path, phases: dict[str, float]) -> Table:
    from kpi_core.importing import LoadOptions, load

    t = time.perf_counter()
    content = path.read_bytes()
    phases["read_bytes"] = time.perf_counter() - t
    t = time.perf_counter()
    ds = load(content, path.name, LoadOptions())
    phases["import"] = time.perf_counter() - t
    del content
    return _table(ds, phases)


def _table(ds: Any, phases: dict[str, float]) -> Table:
    """The KPI table of a loaded dataset: per-rep KPIs, team KPIs, peer averages and deviations."""
    from kpi_core.db import session_cursor
    from kpi_core.model import Filters
    from kpi_core.peers import compare_peers
    from kpi_core.queries import kpis

    t = time.perf_counter()
    cur = session_cursor()
    rep_rows = kpis(cur, ds, "rep", Filters())
    team_rows = kpis(cur, ds, "team", Filters())
    phases["kpis"] = time.perf_counter() - t
    t = time.perf_counter()
    peers = {p.rep: p for p in compare_peers(rep_rows)}
    phases["peers"] = time.perf_counter() - t
    reps = {}
    for r in rep_rows:
        row: dict[str, Any] = {"team": r.team, **{k: _clean(getattr(r, k)) for k in KPI_COLUMNS}}
        for k in PEER_COLUMNS:
            row[f"peer_avg_{k}"] = _clean(peers[r.group].kpis[k].peer_average)
            row[f"dev_{k}"] = _clean(peers[r.group].kpis[k].deviation)
        reps[r.group] = row
    teams = {r.group: {k: _clean(getattr(r, k)) for k in KPI_COLUMNS} for r in team_rows}
    report = ds.report
    return {
        "reps": reps,
        "teams": teams,
        "report": {
            "data_rows": report.data_rows,
            "rows_loaded": report.rows_loaded,
            "rows_set_aside": report.rows_set_aside,
            "unreadable": len(report.unreadable),
        },
    }


def project_cli(path: Path, phases: dict[str, float]) -> Table:
    """What ``python -m kpi_core`` does: its memory pool, then the file read from the disk
    (``load_path``: a CSV is never held whole in memory), then the same KPI table."""
    from kpi_core.cli import return_memory_promptly
    from kpi_core.importing import LoadOptions, load_path

    return_memory_promptly()
    t = time.perf_counter()
    ds = load_path(path, path.name, LoadOptions())
    phases["import"] = time.perf_counter() - t
    return _table(ds, phases)


# --- pandas -----------------------------------------------------------------------------------------

DATE_COLUMNS = ["First Appointment", "Next Step Date", "Close Date"]
ADVANCED_STAGES = ["Demo", "Proposal", "Negotiation", "Closed Won"]


def pandas_script(path: Path, phases: dict[str, float]) -> Table:
    import pandas as pd

    t = time.perf_counter()
    df = pd.read_csv(path, parse_dates=DATE_COLUMNS, date_format="%Y-%m-%d")
    phases["read_csv"] = time.perf_counter() - t
    t = time.perf_counter()
    df = df.dropna(subset=["Sales Rep", "First Appointment"])  # the "Total" line
    fa, close = df["First Appointment"], df["Close Date"]
    won = df["Outcome"].str.strip().str.lower().eq("won").fillna(False)
    df = df.assign(
        won=won,
        advanced=df["Next Step Date"].notna() | df["Stage"].isin(ADVANCED_STAGES) | won,
        cycle=(close - fa).dt.days.where(won & close.notna()),
        revenue=df["Amount"].where(won),
        amount_known=won & df["Amount"].notna(),
    )
    weeks = ((fa.max() - fa.min()).days + 1) / 7

    def table(by: str) -> pd.DataFrame:
        g = df.groupby(by).agg(
            team=("Team", "first"),
            appointments=("won", "size"),
            advanced=("advanced", "sum"),
            won=("won", "sum"),
            revenue=("revenue", "sum"),
            with_amount=("amount_known", "sum"),
            cycle_days_mean=("cycle", "mean"),
            cycle_days_median=("cycle", "median"),
        )
        g["p1"] = g["advanced"] / g["appointments"]
        g["p2"] = (g["won"] / g["advanced"]).where(g["advanced"] > 0)
        g["avg_sale"] = (g["revenue"] / g["with_amount"]).where(g["with_amount"] > 0)
        g["weekly_appointments"] = g["appointments"] / weeks
        return g

    reps, teams = table("Sales Rep"), table("Team")
    # Peers (spec 4): the other reps of the team with at least 5 opportunities; unweighted mean.
    eligible = reps["appointments"] >= MIN_OPPORTUNITIES
    for k in PEER_COLUMNS:
        v = reps[k].where(eligible)
        total = v.groupby(reps["team"]).transform("sum")
        count = v.groupby(reps["team"]).transform("count")
        own = v.notna()
        avg = (total - v.fillna(0)) / (count - own)
        avg = avg.where(count - own > 0)
        reps[f"peer_avg_{k}"] = avg
        reps[f"dev_{k}"] = ((reps[k] - avg) / avg).where(avg != 0)
    phases["groupby"] = time.perf_counter() - t
    rep_cols = ["team", *KPI_COLUMNS, *(f"{p}_{k}" for k in PEER_COLUMNS for p in ("peer_avg", "dev"))]
    return {
        "reps": {
            str(name): {c: (row[c] if c == "team" else _clean(row[c])) for c in rep_cols}
            for name, row in reps.iterrows()
        },
        "teams": {str(name): {c: _clean(row[c]) for c in KPI_COLUMNS} for name, row in teams.iterrows()},
        "report": {"rows_loaded": len(df)},
    }


# --- floors -----------------------------------------------------------------------------------------


def floor_bytes(path: Path, phases: dict[str, float]) -> Table:
    return {"bytes": len(path.read_bytes())}


def floor_duckdb(path: Path, phases: dict[str, float]) -> Table:
    import duckdb

    con = duckdb.connect()  # unrestricted: all threads, no memory limit
    literal = str(path).replace("'", "''")
    (n,) = con.execute(f"SELECT count(*) FROM read_csv('{literal}')").fetchone() or (0,)
    return {"rows": int(n)}


CONTENDERS: dict[str, Callable[[Path, dict[str, float]], Table]] = {
    "project": project,
    "project_cli": project_cli,
    "pandas": pandas_script,
    "floor_bytes": floor_bytes,
    "floor_duckdb": floor_duckdb,
}
IMPORTS = {
    # pyarrow.compute imports pandas on its first call and ``datetime.strptime`` its ``_strptime``
    # module: a server has both loaded after its first upload, so, like every contender's
    # libraries, they are imported before the clock starts.
    "project": (
        "kpi_core.importing",
        "kpi_core.queries",
        "kpi_core.peers",
        "kpi_core.db",
        "duckdb",
        "pyarrow",
        "pandas",
        "_strptime",
    ),
    "project_cli": (
        "kpi_core.cli",
        "kpi_core.importing",
        "kpi_core.queries",
        "kpi_core.peers",
        "kpi_core.db",
        "pandas",
        "_strptime",
    ),
    "pandas": ("pandas",),
    "floor_bytes": (),
    "floor_duckdb": ("duckdb",),
}


# --- comparing the two tables -------------------------------------------------------------------------


def differences(a: Table, b: Table, rel: float = 1e-9) -> list[str]:
    """Where the project's table and the pandas table disagree (empty when they agree)."""
    out: list[str] = []
    for part in ("reps", "teams"):
        ka, kb = set(a[part]), set(b[part])
        if ka != kb:
            out.append(f"{part}: only in project {sorted(ka - kb)[:5]}, only in pandas {sorted(kb - ka)[:5]}")
        for key in sorted(ka & kb):
            ra, rb = a[part][key], b[part][key]
            for col in sorted(set(ra) | set(rb)):
                va, vb = ra.get(col), rb.get(col)
                if isinstance(va, float) or isinstance(vb, float):
                    same = (va is None and vb is None) or (
                        va is not None and vb is not None and math.isclose(va, vb, rel_tol=rel, abs_tol=1e-9)
                    )
                else:
                    same = va == vb
                if not same:
                    out.append(f"{part}[{key}].{col}: project {va!r} != pandas {vb!r}")
    return out


def _warm_server() -> None:
    """The state of the app's server when an upload arrives: ``serve.py``'s warm-up has loaded the
    sample data and asked its KPIs (DuckDB started, the first calls of pyarrow's kernels and of
    the header matching made), as the first visitor's page does without it."""
    from kpi_core.importing import LoadOptions, load

    sample = Path(__file__).resolve().parent.parent / "sample_data" / "opportunities.csv"
    _table(load(sample.read_bytes(), sample.name, LoadOptions()), {})


#: Work done before the clock starts, besides the imports: a server is warm when an upload comes;
#: a command-line run starts cold.
WARM_UPS: dict[str, Callable[[], None]] = {"project": _warm_server}


def main(argv: list[str]) -> None:
    name, path, out = argv[0], Path(argv[1]), Path(argv[2])
    for module in IMPORTS[name]:
        __import__(module)
    if name in WARM_UPS:
        WARM_UPS[name]()
    import_rss = _rss_mb()
    phases: dict[str, float] = {}
    start = time.perf_counter()
    table = CONTENDERS[name](path, phases)
    seconds = time.perf_counter() - start
    result = {
        "contender": name,
        "seconds": seconds,
        "phases": phases,
        "peak_rss_mb": _peak_mb(),
        "import_rss_mb": import_rss,
        "table": table,
    }
    out.write_text(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
