"""``bench.first_page`` on one real cold start: every step is timed, in the order it happens.

Never asserts how long a step takes (benchmarks measure that); only that the timeline is whole.
"""

from __future__ import annotations

from typing import Any

from bench.first_page import cold_start


def test_a_cold_start_is_timed_step_by_step_in_order(browser: Any) -> None:
    marks = cold_start(browser, "serve.py")
    steps = ["health_s", "websocket_s", "first_message_s", "first_metric_s"]
    extra = ["last_message_s", "first_metric_seen_s", "first_run_finished_s", "table_s", "load_average"]
    assert sorted(marks) == sorted([*steps, *extra])
    assert marks["load_average"] >= 0  # the machine's load at the start, beside the times it weighs on
    times = [marks[s] for s in steps]
    assert times == sorted(times) and times[0] > 0
    assert marks["first_message_s"] <= marks["last_message_s"] <= marks["first_metric_seen_s"]
    # Painted in the page before Playwright's polling reported it (the two clocks agree to ~10 ms).
    assert marks["first_metric_s"] <= marks["first_metric_seen_s"] + 0.02
    # The KPI table is painted once the frontend is connected; the first run ends after it began.
    assert marks["table_s"] > marks["websocket_s"] and marks["first_run_finished_s"] >= marks["first_message_s"]


def test_a_page_without_a_table_is_timed_to_its_metric(browser: Any) -> None:
    marks = cold_start(browser, "bench/baseline_app.py")
    assert "table_s" not in marks and marks["first_metric_s"] > marks["websocket_s"]


def test_a_cold_start_over_an_emulated_connection_is_timed_to_its_table(browser: Any) -> None:
    marks = cold_start(browser, "serve.py", network=(50.0, 20.0))
    assert marks["health_s"] < marks["websocket_s"] < marks["table_s"]
