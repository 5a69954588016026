"""The import benchmark end to end at a smoke size: well-formed results, same table as pandas.

Timings are printed by the benchmark, never asserted here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from bench import generate, run
from bench.contenders import KPI_COLUMNS, PEER_COLUMNS

ROWS = 20_000


def test_benchmark_smoke(tmp_path: Path) -> None:
    data = generate.write(ROWS, tmp_path / "opportunities.csv")
    out = tmp_path / "results.json"
    results = run.main(["--rows", str(ROWS), "--repeat", "1", "--data", str(data), "--out", str(out)])

    assert json.loads(out.read_text()) == json.loads(json.dumps(results))
    assert {"nproc", "ram_gb", "cpu", "duckdb", "pandas", "pyarrow", "date"} <= set(results["machine"])
    (size,) = results["sizes"]
    assert size["rows"] == ROWS
    assert size["tables_agree"], size["mismatches"]
    assert size["mismatches"] == []
    # Every row accounted for: the data rows plus the "Total" line, which is set aside.
    assert size["report"] == {"data_rows": ROWS + 1, "rows_loaded": ROWS, "rows_set_aside": 1, "unreadable": 0}
    assert size["reps"] == generate.N_REPS
    assert size["teams"] == len(generate.TEAMS)
    for name in run.ORDER:
        summary = size["summary"][name]
        assert summary["seconds"] > 0
        assert summary["wall_seconds"] >= summary["seconds"]
        assert summary["peak_rss_mb"] > 0
        assert len(size["runs"][name]) == 1
    for key in (
        "project_vs_pandas",
        "cli_vs_pandas",
        "project_vs_floor_duckdb",
        "project_peak_vs_file",
        "cli_peak_vs_file",
        "pandas_peak_vs_file",
    ):
        assert size["ratios"][key] > 0
    # One round: its paired ratio is the ratio of the medians.
    by_round = size["ratios"]["project_vs_pandas_by_round"]
    assert by_round["min"] == by_round["median"] == by_round["max"] == size["ratios"]["project_vs_pandas"]
    assert size["load_average"]["start"] >= 0 and size["load_average"]["end"] >= 0
    assert f"Load average (1 min) {size['load_average']['start']:.1f} at the start" in run.markdown(results)
    assert "round by round" in run.markdown(results)
    assert "| project |" in run.markdown(results)
    assert "| project_cli |" in run.markdown(results)


def test_project_table_equals_pandas_table(tmp_path: Path) -> None:
    """The two contenders' tables, compared directly (all KPI and peer columns present)."""
    from bench.contenders import differences, pandas_script, project, project_cli

    data = generate.write(2_000, tmp_path / "small.csv", seed=7)
    ours, theirs = project(data, {}), pandas_script(data, {})
    assert differences(ours, theirs) == []
    pool = pa.default_memory_pool()
    try:
        assert project_cli(data, {}) == ours  # the command line's route reads the same table
    finally:
        pa.set_memory_pool(pool)  # project_cli sets the command line's pool for the process
    row = next(iter(ours["reps"].values()))
    assert set(KPI_COLUMNS) <= set(row)
    assert {f"dev_{k}" for k in PEER_COLUMNS} <= set(row)
    # The comparison is not vacuous: a changed value is caught.
    name = next(iter(theirs["reps"]))
    theirs["reps"][name]["revenue"] += 0.01
    assert differences(ours, theirs) == [
        f"reps[{name}].revenue: project {ours['reps'][name]['revenue']!r} != pandas {theirs['reps'][name]['revenue']!r}"
    ]


def test_http_latency_bench_smoke(tmp_path: Path) -> None:
    from bench import http_latency

    out = tmp_path / "latency.json"
    results = http_latency.main(["--repeat", "2", "--settle", "0.5", "--entry", "serve.py", "--out", str(out)])
    assert json.loads(out.read_text()) == results
    (only,) = results.values()
    assert {"small_script_ms", "large_script_ms", "health_ms", "load_average", "small_script"} <= set(only)
    assert all(only[k] > 0 for k in ("small_script_ms", "large_script_ms", "health_ms"))
    assert only["small_script"].startswith("/static/js/") and len(only["load_average"]) == 2


def test_server_rerun_bench_smoke(tmp_path: Path) -> None:
    """The real server, a websocket session: the file loads through the Data page and every
    scenario reruns the page without an exception (timings printed, never asserted)."""
    from bench import rerun_server

    data = generate.write(ROWS, tmp_path / "opportunities.csv")
    out = tmp_path / "reruns.json"
    results = rerun_server.main(["--repeat", "2", "--settle", "1", "--data", str(data), "--out", str(out)])
    assert json.loads(out.read_text())["summary"] == json.loads(json.dumps(results["summary"]))
    assert results["rows"] == ROWS
    for name in ("overview_filter", "magic_slider", "magic_number_input", "magic_filter"):
        assert results["summary"][name]["n"] == 2 and results["summary"][name]["median_ms"] > 0
    assert len(results["load_average"]) == 2
