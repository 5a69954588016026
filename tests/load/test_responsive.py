"""One user's huge file does not stall the others: a second session keeps answering while the first loads.

Session A uploads and confirms a large opportunity file (hundreds of thousands of rows); meanwhile
session B keeps switching pages. The promise is about ordering, not a stopwatch: B must complete
page reruns that start after A's load began and finish before A's load ended.
"""

from __future__ import annotations

import random
import threading
import time

import pytest

from tests.browser.conftest import start_server
from tests.load.ws_client import StreamlitSession

pytestmark = [pytest.mark.load, pytest.mark.xdist_group("browser")]

ROWS = 400_000


def big_file(rows: int = ROWS) -> bytes:
    """A realistic opportunity export of ``rows`` rows (about 25 MB)."""
    rng = random.Random(7)
    out = ["Sales Rep,Team,First Appointment,Next Step Date,Outcome,Close Date,Amount"]
    for i in range(rows):
        day = 1 + i % 28
        won = rng.random() < 0.2
        out.append(
            f"Big-{i % 40},T{i % 5},2026-0{1 + i % 9}-{day:02d},"
            f"{'2026-10-01' if won else ''},{'Won' if won else ''},{'2026-11-01' if won else ''},"
            f"{rng.uniform(100, 9000):.2f}"
        )
    return ("\n".join(out) + "\n").encode()


def test_a_second_session_keeps_answering_while_the_first_loads_a_large_file() -> None:
    proc, url = start_server()
    try:
        content = big_file()
        loading: dict[str, float] = {}
        failures: list[str] = []

        def load_big() -> None:
            with StreamlitSession(url, timeout=300) as a:
                a.open()
                run = a.go("Data")
                run = a.upload(run, "upload", "big.csv", content)
                loading["start"] = time.monotonic()
                run = a.click(run, "confirm_mapping")
                loading["end"] = time.monotonic()
                if run.exceptions or not run.contains("Source: big.csv"):
                    failures.append(f"the large file did not load: {run.exceptions or run.alerts}")

        with StreamlitSession(url, timeout=300) as b:
            b.open()
            worker = threading.Thread(target=load_big)
            worker.start()
            answered: list[tuple[float, float]] = []
            pages = ["Funnels", "Team overview", "Peer comparison", "Magic Number"]
            i = 0
            while worker.is_alive():
                started = time.monotonic()
                run = b.go(pages[i % len(pages)])
                assert not run.exceptions, run.exceptions
                assert not run.contains("Big-"), "session B saw session A's data"
                answered.append((started, time.monotonic()))
                i += 1
            worker.join()
        assert not failures, failures
        during = [(s, e) for s, e in answered if s >= loading["start"] and e <= loading["end"]]
        print(
            f"A's load took {loading['end'] - loading['start']:.1f} s; B finished {len(during)} page reruns meanwhile"
        )
        assert during, (
            f"no page of session B finished while session A's file loaded "
            f"({loading['end'] - loading['start']:.1f} s, {len(answered)} reruns of B in all)"
        )
    finally:
        proc.terminate()
        proc.wait(timeout=20)
