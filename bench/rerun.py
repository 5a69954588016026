"""Page rerun times of the app with a large file loaded, measured with Streamlit's ``AppTest``.

    python -m bench.rerun --rows 1000000 --repeat 30

The file is imported once through ``kpi_core`` (as the Data page does) and put in the session as
the active dataset; then each scenario changes one widget and times the rerun it triggers (the
script run on the server, no browser): a Magic Number slider, a Magic Number exact-number input,
and a sidebar filter (teams) on the Magic Number page and on the Team overview page; the goal
per rep and the teams filter on the Weekly activity page. Every change
sets a value not used just before, so a cache keyed on the widget's value cannot answer from the
previous rerun. Prints median and p95 per scenario; ``--out`` writes them as JSON.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def p95(xs: list[float]) -> float:
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def _timed(at: Any, change: Callable[[Any, int], Any], repeat: int) -> list[float]:
    """Apply ``change(at, i)`` (which returns what to ``run()``) and time each rerun, in ms."""
    times = []
    for i in range(repeat):
        target = change(at, i)
        start = time.perf_counter()
        target.run()
        times.append((time.perf_counter() - start) * 1000)
        if at.exception:
            raise RuntimeError(f"the page raised: {at.exception[0].message}")
    return times


def _set_filter(at: Any, teams: list[str]) -> Any:
    """The teams filter's new value, as the sidebar multiselect (key ``filter_teams``) stores it.

    Set through session_state rather than ``at.multiselect(...).set_value``: with this app's
    ``st.navigation`` AppTest returns an empty sidebar tree after the first run, so the widget
    cannot be found again; the rerun the page does is the same.
    """
    at.session_state["filter_teams"] = teams
    return at


def _first_run(at: Any, page: str, what: str) -> float:
    """Switch to ``pages/<page>.py`` and time its first run, in ms; ``what`` names it if it raises."""
    start = time.perf_counter()
    at.switch_page(f"pages/{page}.py").run()
    took = (time.perf_counter() - start) * 1000
    if at.exception:
        raise RuntimeError(f"{what} raised: {at.exception[0].message}")
    return took


def measure(data: Path, repeat: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from streamlit.testing.v1 import AppTest

    from kpi_core.importing import LoadOptions, load
    from ui import state

    content = data.read_bytes()
    start = time.perf_counter()
    ds = load(content, data.name, LoadOptions())
    load_seconds = time.perf_counter() - start
    source = state.source_from_bytes(data.name, content)
    teams = sorted({t for t in ds.table.column("team").to_pylist() if t})
    # Distinct team selections: one team, then pairs, then back to all.
    selections = [[t] for t in teams] + [[a, b] for a, b in itertools.pairwise(teams)] + [[]]

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.session_state[state.SOURCE] = source
    at.session_state[state.DATASET] = ds
    start = time.perf_counter()
    at.run()
    first_overview = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"the app raised: {at.exception[0].message}")
    results: dict[str, Any] = {"rows": ds.report.rows_loaded, "load_seconds": load_seconds}
    results["first_run_overview_ms"] = first_overview * 1000
    results["overview_filter_ms"] = _timed(at, lambda a, i: _set_filter(a, selections[i % len(selections)]), repeat)
    results["first_run_magic_number_ms"] = _first_run(at, "magic_number", "the Magic Number page")
    results["magic_slider_ms"] = _timed(
        at, lambda a, i: a.slider(key="mn_p1_slider").set_value(40.0 + 0.5 * (i % 60)), repeat
    )
    results["magic_number_input_ms"] = _timed(
        at, lambda a, i: a.number_input(key="mn_goal_input").set_value(1_000_000.0 + 1000 * i), repeat
    )
    results["magic_filter_ms"] = _timed(at, lambda a, i: _set_filter(a, selections[i % len(selections)]), repeat)
    results["first_run_weekly_ms"] = _first_run(at, "weekly", "the Weekly activity page")
    results["weekly_goal_ms"] = _timed(
        at, lambda a, i: a.number_input(key="weekly_goal").set_value(100_000.0 + 1000 * i), repeat
    )
    results["weekly_filter_ms"] = _timed(at, lambda a, i: _set_filter(a, selections[i % len(selections)]), repeat)
    return results


def summary(results: dict[str, Any]) -> dict[str, dict[str, float]]:
    return {
        k.removesuffix("_ms"): {"median_ms": statistics.median(v), "p95_ms": p95(v), "max_ms": max(v), "n": len(v)}
        for k, v in results.items()
        if isinstance(v, list)
    }


def markdown(results: dict[str, Any]) -> str:
    lines = [
        f"{results['rows']:,} rows loaded (import {results['load_seconds']:.1f} s, outside the timings); "
        f"first run of the overview {results['first_run_overview_ms']:.0f} ms, "
        f"first run of the Magic Number page {results['first_run_magic_number_ms']:.0f} ms.",
        "",
        "| rerun after | median (ms) | p95 (ms) | max (ms) | n |",
        "|---|---:|---:|---:|---:|",
    ]
    labels = {
        "overview_filter": "team filter change, Team overview",
        "magic_slider": "slider change (p1), Magic Number",
        "magic_number_input": "number input change (goal), Magic Number",
        "magic_filter": "team filter change, Magic Number",
        "weekly_goal": "goal per rep change, Weekly activity",
        "weekly_filter": "team filter change, Weekly activity",
    }
    for k, s in summary(results).items():
        lines.append(
            f"| {labels.get(k, k)} | {s['median_ms']:.0f} | {s['p95_ms']:.0f} | {s['max_ms']:.0f} | {s['n']:.0f} |"
        )
    lines.append("")
    lines.append("Targets: median < 100 ms, p95 < 250 ms.")
    if "load_average" in results:
        load = results["load_average"]
        lines.append(f"Load average (1 min) {load['start']:.1f} at the start, {load['end']:.1f} at the end.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    data = data_file(args.rows, args.data)
    results = measured(lambda: measure(data, args.repeat), args.out)
    print(markdown(results))
    return results


def data_file(rows: int, data: Path | None) -> Path:
    """The file to load: ``data``, or the generated file of ``rows`` rows (written when missing)."""
    from bench import generate

    path = data or generate.DATA / f"opportunities_{rows}.csv"
    if not path.exists():
        generate.write(rows, path)
    return path


def measured(run: Callable[[], dict[str, Any]], out: Path | None) -> dict[str, Any]:
    """``run()``'s rerun times with their :func:`summary` and the machine's load average at the
    start and the end, written to ``out`` as JSON when given."""
    load_at_start = os.getloadavg()[0]
    results = run()
    results["summary"] = summary(results)
    results["load_average"] = {"start": load_at_start, "end": os.getloadavg()[0]}
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=1))
    return results


if __name__ == "__main__":
    main()
