"""Excel reading: the openpyxl reader (commit ec3c2dc) against python-calamine, on one workbook.

    python -m bench.xlsx --rows 200000                 # -> bench/data/opportunities_200000.xlsx, then the runs
    python -m bench.xlsx --rows 200000 --repeat 5 --out bench/results/xlsx.json
    python -m bench.xlsx --rows 200000 --before 78dad61       # also the calamine reader of a commit, in the same rounds

The workbook holds the opportunities of :mod:`bench.generate` as Excel holds them: dates as date
cells, ids and amounts as numbers, the rest as shared texts (written once by xlsxwriter, reused
after). Each run is ``read_file(bytes, name)`` in a fresh process, old and new alternating; "seconds"
is timed inside the child after its imports, "peak_rss_mb" is the child's VmHWM (native memory
included). Both readers must give the same headers, lines and cells.
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
import time
from pathlib import Path
from typing import Any

from bench import generate

ROOT = Path(__file__).resolve().parent.parent
OLD_COMMIT = "ec3c2dc"
DATES = {"First Appointment", "Next Step Date", "Close Date"}
NUMBERS = {"Opportunity ID", "Amount"}

_CHILD = """
import hashlib, importlib.util, json, sys, time
which, path = sys.argv[1], sys.argv[2]
import kpi_core.reading as reading
if sys.argv[3] != "-":  # a reader of another commit, loaded from its file
    spec = importlib.util.spec_from_file_location("kpi_core._reading_openpyxl", sys.argv[3])
    reading = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = reading
    spec.loader.exec_module(reading)
if which == "openpyxl":
    import openpyxl  # noqa: F401  (imported by the reader at its first call: not timed)
else:
    import python_calamine  # noqa: F401
content = open(path, "rb").read()
start = time.perf_counter()
raw = reading.read_file(content, "opportunities.xlsx")
seconds = time.perf_counter() - start
digest = hashlib.blake2b(digest_size=16)
for column in raw.table.columns:
    for chunk in column.chunks:
        digest.update(chunk.cast("string").to_string().encode())
digest.update(str(raw.lines.to_pylist()).encode())
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "peak_rss_mb": peak, "rows": raw.data_rows, "headers": list(raw.headers),
                  "cells": digest.hexdigest(), "set_aside": len(raw.set_aside)}))
"""


def write_workbook(rows: int, out: Path, seed: int = 20251201) -> Path:
    """The opportunities of :func:`bench.generate.table` as an .xlsx (typed cells, shared texts)."""
    import xlsxwriter

    table, _ = generate.table(rows, seed)
    columns = table.to_pydict()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.xlsx")
    with xlsxwriter.Workbook(str(tmp)) as book:
        sheet = book.add_worksheet("Opportunities")
        date_format = book.add_format({"num_format": "yyyy-mm-dd"})
        sheet.write_row(0, 0, generate.HEADERS)
        for c, header in enumerate(generate.HEADERS):
            for r, value in enumerate(columns[header], start=1):
                if not value:
                    continue
                if header in DATES:
                    sheet.write_datetime(r, c, dt.datetime.fromisoformat(value), date_format)
                elif header in NUMBERS:
                    sheet.write_number(r, c, float(value))
                else:
                    sheet.write_string(r, c, value)
    tmp.replace(out)
    return out


def old_reader(data: Path, commit: str = OLD_COMMIT) -> Path:
    """The reader as it was at ``commit`` (:data:`OLD_COMMIT`: openpyxl), written beside the data."""
    path = data / f"reading_{commit}.py"
    if not path.exists():
        text = subprocess.run(
            ["git", "show", f"{commit}:kpi_core/reading.py"], cwd=ROOT, capture_output=True, check=True, text=True
        ).stdout
        path.write_text(text)
    return path


def run_once(which: str, workbook: Path, reader: Path | None) -> dict[str, Any]:
    """One read in a fresh process, with the reader of ``reader`` (a file) or the working tree's."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, which, str(workbook), str(reader) if reader else "-"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{which} failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    result["wall_seconds"] = time.perf_counter() - start
    return result


def _load() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=generate.DATA)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--before", help="a commit whose calamine reader runs in the same rounds")
    args = parser.parse_args(argv)
    workbook = args.data / f"opportunities_{args.rows}.xlsx"
    if not workbook.exists():
        print(f"writing {workbook} ...", file=sys.stderr)
        write_workbook(args.rows, workbook)
    readers: dict[str, Path | None] = {"openpyxl": old_reader(args.data), "calamine": None}
    if args.before:
        readers[f"calamine@{args.before}"] = old_reader(args.data, args.before)
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in readers}
    for round_ in range(args.repeat):
        for which in list(readers) if round_ % 2 == 0 else list(reversed(readers)):
            result = run_once(which.partition("@")[0], workbook, readers[which])
            result["load_average"] = _load()
            runs[which].append(result)
            print(f"{which:17} {result['seconds']:7.2f} s  peak {result['peak_rss_mb']:6,} MB", file=sys.stderr)
    first = {k: (v[0]["rows"], v[0]["headers"], v[0]["cells"], v[0]["set_aside"]) for k, v in runs.items()}
    summary = {
        k: {
            "seconds": statistics.median(r["seconds"] for r in v),
            "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in v),
        }
        for k, v in runs.items()
    }
    results = {
        "machine": {
            "cpu": _cpu(),
            "nproc": os.cpu_count(),
            "python": platform.python_version(),
            "date": dt.date.today().isoformat(),
            "versions": _versions(),
        },
        "rows": args.rows,
        "file_mb": round(workbook.stat().st_size / 1e6, 1),
        "same_cells": all(f == first["openpyxl"] for f in first.values()),
        "load_average": [r["load_average"] for v in runs.values() for r in v],
        "summary": summary,
        "ratio_seconds": {k: summary["openpyxl"]["seconds"] / v["seconds"] for k, v in summary.items()},
        "runs": runs,
    }
    print(json.dumps({k: v for k, v in results.items() if k != "runs"}, indent=2))
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))
    return results


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in ("openpyxl", "python-calamine", "numpy", "pyarrow")}


if __name__ == "__main__":
    main()
