"""Cold start to first page: start the server, open the app in headless Chromium, time until the
first page with the sample data shows its KPI metrics.

    python -m bench.first_page --repeat 3

Needs Debian's Chromium (``/usr/bin/chromium``) and the ``playwright`` package (see
/work/shared/testing.md; never ``playwright install``). Reports, per cold start: server start to
health ``ok``, and server start to the first ``stMetricValue`` rendered in the browser.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
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


def cold_start(browser: Any, timeout: float = 60) -> dict[str, float]:
    port = _free_port()
    start = time.perf_counter()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless=true",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--browser.gatherUsageStats=false",
            "--server.fileWatcherType=none",
        ],
        cwd=ROOT,
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
        healthy = time.perf_counter() - start
        page = browser.new_page()
        try:
            page.goto(url)
            page.locator('[data-testid="stMetricValue"]').first.wait_for(state="visible", timeout=timeout * 1000)
            rendered = time.perf_counter() - start
        finally:
            page.close()
        return {"health_s": healthy, "first_metric_s": rendered}
    finally:
        server.terminate()
        server.wait(timeout=10)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            runs = [cold_start(browser) for _ in range(args.repeat)]
        finally:
            browser.close()
    result = {
        "runs": runs,
        "median_health_s": statistics.median(r["health_s"] for r in runs),
        "median_first_metric_s": statistics.median(r["first_metric_s"] for r in runs),
    }
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1))
    each = ", ".join(f"{r['first_metric_s']:.2f}" for r in runs)
    print(
        f"cold server start -> health ok: median {result['median_health_s']:.2f} s; "
        f"-> first KPI metric rendered in Chromium: median {result['median_first_metric_s']:.2f} s "
        f"(target < 3 s; runs: {each})"
    )
    return result


if __name__ == "__main__":
    main()
