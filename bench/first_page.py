"""Cold start to first page: start the server, open the app in headless Chromium, time until the
first page with the sample data shows its KPI metrics, then its KPI table.

    python -m bench.first_page --repeat 3
    python -m bench.first_page --repeat 3 --network 20,40    # a 20 Mbit/s connection, 40 ms round trips

Needs Debian's Chromium (``/usr/bin/chromium``) and the ``playwright`` package (see
/work/shared/testing.md; never ``playwright install``). Reports, per cold start, the time from
the server's start to each step (see :func:`cold_start`), up to the first frame the browser
paints with a ``stMetricValue`` in it and the first with the KPI table's grid. An entry given
as an absolute path runs from its own folder (another checkout's ``serve.py``, say), so two
commits can alternate in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _serving(entry: str, timeout: float, cpus: set[int] | None = None) -> Iterator[tuple[str, float]]:
    """Start ``streamlit run <entry>`` cold; once its health check answers, yield its URL and the
    ``perf_counter`` time it was started at. The server is stopped on leaving. ``cpus``: the CPUs
    the server (and every thread it starts) may run on; ``None``, any."""
    port = _free_port()
    folder = Path(entry).parent if Path(entry).is_absolute() else ROOT
    start = time.perf_counter()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            entry,
            "--server.headless=true",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--browser.gatherUsageStats=false",
            "--server.fileWatcherType=none",
        ],
        cwd=folder,
        preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        while True:
            if time.perf_counter() - start > timeout:
                raise TimeoutError("the server did not answer /_stcore/health")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                time.sleep(0.02)
        yield url, start
    finally:
        server.terminate()
        server.wait(timeout=10)


#: Installed in the page before Streamlit's own scripts: the wall-clock time (ms) of the first
#: frame painted after a KPI metric is in the page with a size (Playwright's "visible"), and of
#: the first after the KPI table's grid (a canvas inside the data frame) is.
_PAINT_WATCH = """
const paintedOnceShown = (selector, key) => {
  window[key] = null;
  new MutationObserver((_, observer) => {
    const el = document.querySelector(selector);
    if (!el) return;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === "hidden") return;
    observer.disconnect();
    requestAnimationFrame(() => { window[key] = Date.now(); });
  }).observe(document, {childList: true, subtree: true, attributes: true});
};
paintedOnceShown('[data-testid="stMetricValue"]', "__firstMetricPaint");
paintedOnceShown('[data-testid="stDataFrame"] canvas', "__tablePaint");
"""


def cold_start(
    browser: Any,
    entry: str = "serve.py",
    timeout: float = 60,
    network: tuple[float, float] | None = None,
    server_cpus: set[int] | None = None,
) -> dict[str, float]:
    """One cold start, with where its time went: health ``ok``; the frontend loaded (its websocket
    opened); the server's first message and its last before the metric showed; the first metric
    painted (``first_metric_s``, timed in the page: the next frame after it is in the page, with
    a size) and when Playwright saw it (``first_metric_seen_s``: that, plus the round trips of
    its polling, 0.05-0.35 s on this machine); the KPI table painted (``table_s``, timed in the
    page as the metric).

    ``network`` (megabits a second down, round trip in ms) has Chromium hold the page's traffic
    to a connection of that speed (DevTools' network emulation, shared by all the page's
    requests); ``None`` is the loopback, as fast as the machine. ``server_cpus``: the CPUs the
    server runs on (see ``--cpus``)."""
    with _serving(entry, timeout, server_cpus) as (url, start):
        marks = {"health_s": time.perf_counter() - start, "load_average": os.getloadavg()[0]}
        page = browser.new_page()
        page.add_init_script(_PAINT_WATCH)
        if network is not None:
            megabits, rtt_ms = network
            devtools = page.context.new_cdp_session(page)
            devtools.send("Network.enable")
            devtools.send(
                "Network.emulateNetworkConditions",
                {
                    "offline": False,
                    "latency": rtt_ms,
                    "downloadThroughput": megabits * 1e6 / 8,
                    "uploadThroughput": megabits * 1e6 / 8,
                },
            )

        def on_websocket(ws: Any) -> None:
            marks["websocket_s"] = time.perf_counter() - start

            def received(payload: Any) -> None:
                now = time.perf_counter() - start
                marks.setdefault("first_message_s", now)
                if "first_metric_seen_s" not in marks:
                    marks["last_message_s"] = now
                if "first_run_finished_s" not in marks and _is_script_finished(payload):
                    marks["first_run_finished_s"] = now

            ws.on("framereceived", received)

        page.on("websocket", on_websocket)
        try:
            page.goto(url)
            page.locator('[data-testid="stMetricValue"]').first.wait_for(state="visible", timeout=timeout * 1000)
            marks["first_metric_seen_s"] = time.perf_counter() - start
            page.wait_for_function("window.__firstMetricPaint !== null", timeout=timeout * 1000)
            marks["first_metric_s"] = _since(start, page.evaluate("window.__firstMetricPaint"))
            # The KPI table, on a page that draws one (the one-line floor does not): painted, or the
            # first run over and every element drawn (no placeholder left) without a data frame.
            deadline = time.perf_counter() + timeout
            settled = '!document.querySelector(\'[data-testid="stDataFrame"], [data-testid="stSkeleton"]\')'
            while (table_ms := page.evaluate("window.__tablePaint")) is None:
                if "first_run_finished_s" in marks and page.evaluate(settled):
                    break
                if time.perf_counter() > deadline:
                    raise TimeoutError("the KPI table was not painted")
                page.wait_for_timeout(10)
            if table_ms is not None:
                marks["table_s"] = _since(start, table_ms)
        finally:
            page.close()
        return marks


def _since(start: float, wall_ms: float) -> float:
    """A time the page read off its clock (``Date.now()``, the wall clock, in ms) as seconds since
    ``start`` (``perf_counter``), the server's start, as the other marks."""
    return wall_ms / 1000 - (time.time() - (time.perf_counter() - start))


def _is_script_finished(payload: Any) -> bool:
    """Whether a websocket frame is the server's ``script_finished`` message (Streamlit's protobuf)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    if not isinstance(payload, bytes | bytearray):
        return False
    try:
        return ForwardMsg.FromString(bytes(payload)).WhichOneof("type") == "script_finished"
    except Exception:  # not one of Streamlit's messages
        return False


def server_first_run(entry: str, delay: float, timeout: float = 60) -> dict[str, float]:
    """The server's share of the first page: start ``entry``, wait ``delay`` seconds after health
    (the time a browser spends fetching and starting Streamlit's frontend before it connects),
    then open a session as the frontend does and time its first run, to ``script_finished``.

    No browser, so the browser's own work (on a user's machine in production, on the same two
    CPUs here) is left out; ``delay`` 0 is a visitor connecting the instant the server is up.
    """
    sys.path.insert(0, str(ROOT))
    from tests.load.ws_client import StreamlitSession

    with _serving(entry, timeout) as (url, _):
        time.sleep(delay)
        with StreamlitSession(url, timeout=timeout) as session:
            run = session.open()
            if not run.contains("Appointments"):
                raise RuntimeError("the first run did not draw the Team overview's metrics")
        return {"first_run_s": run.seconds}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--entry",
        nargs="+",
        default=["serve.py", "app.py"],
        help="entry scripts to compare, alternating (serve.py warms up at start; app.py does not)",
    )
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--network",
        metavar="MBPS,RTT_MS",
        help="emulate a connection in Chromium: megabits a second and round-trip ms (e.g. 20,40); default loopback",
    )
    parser.add_argument(
        "--server-only",
        type=float,
        nargs="*",
        metavar="DELAY",
        help="measure the server's first run without a browser, connecting DELAY s after health (e.g. 0 1.5)",
    )
    parser.add_argument(
        "--cpus",
        metavar="SERVER:BROWSER",
        help=(
            "CPUs for the server and for the browser, e.g. 0:1: each on its own, as in production, where the"
            " browser runs on the visitor's device; default both share all of them"
        ),
    )
    args = parser.parse_args(argv)
    server_cpus = browser_cpus = None
    if args.cpus:
        try:
            server_cpus, browser_cpus = ({int(c) for c in part.split(",")} for part in args.cpus.split(":"))
        except ValueError:
            parser.error("--cpus takes the server's CPUs, a colon and the browser's, e.g. 0:1 or 0:1,2")
        # Playwright's driver and Chromium start from this process and keep its CPUs.
        os.sched_setaffinity(0, browser_cpus)
    if args.server_only is not None:
        return _server_only(args)
    network = tuple(float(x) for x in args.network.split(",")) if args.network else None
    if network is not None and len(network) != 2:
        parser.error("--network takes two numbers: megabits a second and round-trip ms, e.g. 20,40")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            runs: dict[str, list[dict[str, float]]] = {e: [] for e in args.entry}
            for _ in range(args.repeat):
                for entry in args.entry:
                    runs[entry].append(cold_start(browser, entry, network=network, server_cpus=server_cpus))
        finally:
            browser.close()
    result: dict[str, Any] = {"network": list(network) if network else "loopback", "cpus": args.cpus or "shared"}
    for entry, each in runs.items():
        marks = (
            "health_s",
            "websocket_s",
            "first_message_s",
            "last_message_s",
            "first_metric_s",
            "first_metric_seen_s",
            "first_run_finished_s",
            "table_s",
        )
        medians = {m: statistics.median(r[m] for r in each if m in r) for m in marks if any(m in r for r in each)}
        result[entry] = {"runs": each, **{f"median_{m}": v for m, v in medians.items()}}
        times = ", ".join(f"{r['first_metric_s']:.2f}" for r in each)
        loads = [r["load_average"] for r in each if "load_average" in r]
        print(
            f"streamlit run {entry}: medians from a cold server start: health ok {medians['health_s']:.2f} s, "
            f"frontend loaded (websocket open) {medians.get('websocket_s', float('nan')):.2f} s, "
            f"first run's messages {medians.get('first_message_s', float('nan')):.2f}-"
            f"{medians.get('last_message_s', float('nan')):.2f} s, first KPI metric painted in Chromium "
            f"{medians['first_metric_s']:.2f} s (target < 3 s; runs: {times}), seen by Playwright "
            f"{medians['first_metric_seen_s']:.2f} s"
            + (f", KPI table painted {medians['table_s']:.2f} s" if "table_s" in medians else "")
            + (f"; load average (1 min) {min(loads):.1f}-{max(loads):.1f} at the starts" if loads else "")
        )
    _save(args.out, result)
    return result


def _server_only(args: argparse.Namespace) -> dict[str, Any]:
    delays = args.server_only or [0.0, 1.5]
    runs: dict[str, dict[str, list[float]]] = {e: {str(d): [] for d in delays} for e in args.entry}
    for _ in range(args.repeat):
        for delay in delays:
            for entry in args.entry:
                runs[entry][str(delay)].append(server_first_run(entry, delay)["first_run_s"])
    result: dict[str, Any] = {"server_only": runs}
    for entry, by_delay in runs.items():
        for delay, times in by_delay.items():
            each = ", ".join(f"{t:.2f}" for t in times)
            print(
                f"streamlit run {entry}, session opened {delay} s after health: first run (server) "
                f"median {statistics.median(times):.2f} s (runs: {each})"
            )
    _save(args.out, result)
    return result


def _save(out: Path | None, result: dict[str, Any]) -> None:
    """Write ``result`` as JSON to ``--out``, when one was given."""
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
