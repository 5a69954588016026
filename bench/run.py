"""Import + KPI table benchmark: the project against a pandas script and against the floors.

    python -m bench.run --rows 1000000 --repeat 3
    python -m bench.run --rows 1000000 5000000 --repeat 3 --out bench/results/latest.json

For each size the data is generated once (``bench/data/``, git-ignored), then the contenders run
alternately (project, project_cli, pandas, floor_bytes, floor_duckdb, then again) ``--repeat`` times, each in a
fresh subprocess so that its peak RSS is its own. Every run checks that the project's tables (app
and command line) equal the pandas table. Prints a Markdown table of medians, ratios and peak memory; writes all raw runs
as JSON to ``--out``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import generate
from bench.contenders import differences

ROOT = Path(__file__).resolve().parent.parent
ORDER = ("project", "project_cli", "pandas", "floor_bytes", "floor_duckdb")


def run_one(name: str, path: Path, timeout: float, kpi_core_root: Path = ROOT) -> dict[str, Any]:
    """One contender in its own process: its JSON result plus the process's wall time.

    The child runs in ``kpi_core_root`` (so ``kpi_core`` is imported from there) with this
    checkout on ``PYTHONPATH`` for ``bench``.
    """
    env = {
        # The 5M-row file (~430 MB) is above the app's default 200 MB upload cap; lift it here only.
        "MAGIC_NUMBER_MAX_UPLOAD_MB": "2048",
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "bench.contenders", name, str(path), str(out)],
            cwd=kpi_core_root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        wall = time.perf_counter() - start
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(f"{name} failed ({proc.returncode}): {proc.stderr[-2000:]}")
        result: dict[str, Any] = json.loads(out.read_text())
    result["wall_seconds"] = wall
    return result


def _git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False).stdout.strip()


def kpi_core_source(kpi_core_root: Path) -> str:
    """Which kpi_core was measured: a commit, or the working tree with uncommitted changes."""
    head = _git("log", "-1", "--format=%h %s")
    if kpi_core_root.resolve() != ROOT:
        return f"kpi_core from {kpi_core_root}"
    dirty = _git("status", "--porcelain", "--", "kpi_core")
    return f"working tree with uncommitted kpi_core changes on top of {head}" if dirty else f"{head}"


def machine() -> dict[str, Any]:
    """nproc, RAM, CPU model and library versions, for the results table."""
    import duckdb
    import pandas
    import pyarrow

    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
    return {
        "nproc": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pandas.__version__,
        "pyarrow": pyarrow.__version__,
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "commit": _git("log", "-1", "--format=%h %s"),
    }


def _into_page_cache(path: Path) -> None:
    """Read the file once, untimed, so that every contender of a round finds it in the page cache.

    This machine (a virtual machine) does not keep files in its page cache long (buff/cache stays
    under 1 GB with 22 GB free): minutes after the last read, the first contender of a round read
    the 5M-row file from the disk (1.57 s instead of 0.25 s for its bytes), the others from memory.
    It is also slow to hand out memory nobody has touched for a while: with the file cached, the
    first process to hold the 5M file's bytes took 0.81 s for them, the later ones 0.24-0.31 s.
    Hence also one round before the counted ones, whose results are dropped.
    """
    with path.open("rb") as f:
        while f.read(16 << 20):
            pass


def bench_size(
    rows: int,
    repeat: int,
    timeout: float,
    data: Path | None = None,
    kpi_core_root: Path = ROOT,
    order: tuple[str, ...] = ORDER,
) -> dict[str, Any]:
    """All runs at one size, with their medians, ratios and the table check."""
    # Absolute: the contenders run in ``kpi_core_root``, not where the command was given.
    path = (data or generate.DATA / f"opportunities_{rows}.csv").resolve()
    if not path.exists():
        generate.write(rows, path)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in order}
    mismatches: list[str] = []
    load_at_start = os.getloadavg()[0]
    for name in order:
        run_one(name, path, timeout, kpi_core_root)  # a round not counted: see _into_page_cache
    for _ in range(repeat):
        _into_page_cache(path)
        for name in order:
            result = run_one(name, path, timeout, kpi_core_root)
            runs[name].append(result)
        for ours in (o for o in ("project", "project_cli") if o in runs):
            diff = differences(runs[ours][-1]["table"], runs["pandas"][-1]["table"])
            mismatches.extend(f"{ours}: {d}" for d in diff)
    summary: dict[str, Any] = {}
    for name in order:
        rs = runs[name]
        summary[name] = {
            "seconds": statistics.median(r["seconds"] for r in rs),
            "wall_seconds": statistics.median(r["wall_seconds"] for r in rs),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in rs),
            "import_rss_mb": statistics.median(r["import_rss_mb"] for r in rs),
            "phases": {k: statistics.median(r["phases"][k] for r in rs) for k in rs[0]["phases"]},
        }
    p, pd_ = summary["project"], summary["pandas"]
    cli = summary.get("project_cli")
    project_table = runs["project"][-1]["table"]
    # Each round runs the project and pandas one after the other: the ratio within a round is
    # paired (the machine's load at that moment weighs on both), its spread says how far to trust
    # the ratio of the medians.
    paired = [a["seconds"] / b["seconds"] for a, b in zip(runs["project"], runs["pandas"], strict=True)]
    return {
        "rows": rows,
        "file": str(path),
        "file_mb": path.stat().st_size / 1e6,
        "repeat": repeat,
        "summary": summary,
        "ratios": {
            "project_vs_pandas": p["seconds"] / pd_["seconds"],
            "project_vs_pandas_wall": p["wall_seconds"] / pd_["wall_seconds"],
            "project_vs_pandas_by_round": {
                "median": statistics.median(paired),
                "min": min(paired),
                "max": max(paired),
            },
            **({"cli_vs_pandas": cli["seconds"] / pd_["seconds"]} if cli else {}),
            "project_vs_floor_duckdb": p["seconds"] / summary["floor_duckdb"]["seconds"],
            "pandas_vs_floor_duckdb": pd_["seconds"] / summary["floor_duckdb"]["seconds"],
            "project_peak_vs_file": p["peak_rss_mb"] * 1048576 / path.stat().st_size,
            **({"cli_peak_vs_file": cli["peak_rss_mb"] * 1048576 / path.stat().st_size} if cli else {}),
            "pandas_peak_vs_file": pd_["peak_rss_mb"] * 1048576 / path.stat().st_size,
        },
        # Other work on the machine weighs on the ratios: the project uses both CPUs, pandas one.
        "load_average": {"start": load_at_start, "end": os.getloadavg()[0]},
        "tables_agree": not mismatches,
        "mismatches": mismatches[:50],
        "report": project_table["report"],
        "reps": len(project_table["reps"]),
        "teams": len(project_table["teams"]),
        "runs": {name: [{k: v for k, v in r.items() if k != "table"} for r in rs] for name, rs in runs.items()},
    }


def markdown(results: dict[str, Any]) -> str:
    """The results as a Markdown table (one block per size)."""
    m = results["machine"]
    lines = [
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM; Python {m['python']}, "
        f"DuckDB {m['duckdb']}, pandas {m['pandas']}, pyarrow {m['pyarrow']}; {m['date']}.",
        f"kpi_core measured: `{m['kpi_core']}`.",
        "",
    ]
    for size in results["sizes"]:
        s, r = size["summary"], size["ratios"]
        lines += [
            f"**{size['rows']:,} rows**, {size['file_mb']:.1f} MB on disk, median of {size['repeat']} alternating runs; "
            f"tables agree: **{'yes' if size['tables_agree'] else 'NO'}** "
            f"({size['reps']} reps, {size['teams']} teams; import report: {size['report']['rows_loaded']:,} loaded, "
            f"{size['report']['rows_set_aside']} set aside). Load average (1 min) {size['load_average']['start']:.1f} "
            f"at the start, {size['load_average']['end']:.1f} at the end: other work on the machine slows the project "
            "(both CPUs) more than pandas (one).",
            "",
            "| contender | work (s) | process wall (s) | peak RSS (MiB) | RSS after imports (MiB) | phases (s) |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for name in (n for n in ORDER if n in s):
            c = s[name]
            phases = ", ".join(f"{k} {v:.2f}" for k, v in c["phases"].items())
            lines.append(
                f"| {name} | {c['seconds']:.2f} | {c['wall_seconds']:.2f} | {c['peak_rss_mb']:.0f} | "
                f"{c['import_rss_mb']:.0f} | {phases} |"
            )
        lines += [
            "",
            f"- project / pandas (work): **{r['project_vs_pandas']:.2f}x** (target <= 0.50 at 1M, <= 0.33 at 5M); "
            f"round by round {r['project_vs_pandas_by_round']['min']:.2f}x-{r['project_vs_pandas_by_round']['max']:.2f}x, "
            f"median {r['project_vs_pandas_by_round']['median']:.2f}x; "
            f"with process start and imports: {r['project_vs_pandas_wall']:.2f}x",
            f"- project / DuckDB count floor: {r['project_vs_floor_duckdb']:.1f}x; pandas / floor: {r['pandas_vs_floor_duckdb']:.1f}x",
            *([f"- project_cli / pandas (work): {r['cli_vs_pandas']:.2f}x"] if "cli_vs_pandas" in r else []),
            f"- peak RSS / file size: project (app, upload in memory) {r['project_peak_vs_file']:.2f}x, "
            + (f"project_cli (from the disk) **{r['cli_peak_vs_file']:.2f}x**, " if "cli_peak_vs_file" in r else "")
            + f"pandas {r['pandas_peak_vs_file']:.2f}x (target: < 1.0x at 5M)",
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed for one contender run")
    parser.add_argument("--data", type=Path, help="use this CSV instead of generating one (one size only)")
    parser.add_argument("--out", type=Path, help="write all results as JSON here")
    parser.add_argument(
        "--kpi-core",
        type=Path,
        default=ROOT,
        help="a directory holding the kpi_core package to measure (default: this checkout), "
        "e.g. one made with: git archive HEAD kpi_core | tar -x -C DIR",
    )
    parser.add_argument(
        "--without-cli",
        action="store_true",
        help="leave out the project_cli contender (a kpi_core from before the command line read from the disk)",
    )
    args = parser.parse_args(argv)
    order = tuple(n for n in ORDER if not (args.without_cli and n == "project_cli"))
    results: dict[str, Any] = {"machine": {**machine(), "kpi_core": kpi_core_source(args.kpi_core)}, "sizes": []}
    for rows in args.rows:
        size = bench_size(rows, args.repeat, args.timeout, args.data, args.kpi_core, order)
        results["sizes"].append(size)
        if args.out:  # keep what is done even if a later size times out
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(results, indent=1))
        print(markdown({"machine": results["machine"], "sizes": [size]}), flush=True)
    return results


if __name__ == "__main__":
    main()
