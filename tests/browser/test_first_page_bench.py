"""``bench.first_page`` on one real cold start: every step is timed, in the order it happens.

Never asserts how long a step takes (benchmarks measure that); only that the timeline is whole.
"""

from __future__ import annotations

from typing import Any

from bench.first_page import cold_start


def test_a_cold_start_is_timed_step_by_step_in_order(browser: Any) -> None:
    marks = cold_start(browser, "serve.py")
    steps = ["health_s", "websocket_s", "first_message_s", "first_metric_s"]
    assert sorted(marks) == sorted([*steps, "last_message_s", "first_metric_seen_s", "load_average"])
    assert marks["load_average"] >= 0  # the machine's load at the start, beside the times it weighs on
    times = [marks[s] for s in steps]
    assert times == sorted(times) and times[0] > 0
    assert marks["first_message_s"] <= marks["last_message_s"] <= marks["first_metric_seen_s"]
    # Painted in the page before Playwright's polling reported it (the two clocks agree to ~10 ms).
    assert marks["first_metric_s"] <= marks["first_metric_seen_s"] + 0.02
