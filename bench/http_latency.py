"""Small HTTP responses, one after another on one connection, as a browser's connection fetches
the frontend's script files:

    python -m bench.http_latency --repeat 30 --entry serve.py app.py

For each entry, a cold server is started (``bench.first_page``'s way), left ``--settle`` seconds (4) to warm up, then
asked ``--repeat`` times in turn for a small script file, a large one and the health check on one
kept-alive connection. ``serve.py`` turns Nagle's algorithm off on its connections
(:mod:`ui.network`); ``app.py`` runs on Streamlit's server as it comes, where only uvloop (when
installed) turns it off. A small response that waits for the client's delayed acknowledgement
takes 40 ms or more here.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

from streamlit import file_util

from .first_page import _serving


def _static_files() -> tuple[str, str]:
    """The smallest and the largest of Streamlit's script files, as the frontend asks for them."""
    folder = Path(file_util.get_static_dir()) / "static" / "js"
    files = sorted(folder.glob("*.js"), key=lambda p: p.stat().st_size)
    small = next(p for p in files if p.stat().st_size >= 2000)  # a typical lazily loaded chunk
    return f"/static/js/{small.name}", f"/static/js/{files[-1].name}"


def measure(entry: str, repeat: int, settle: float = 4.0) -> dict[str, Any]:
    small, large = _static_files()
    paths = {"small_script_ms": small, "large_script_ms": large, "health_ms": "/_stcore/health"}
    with _serving(entry, 60) as (url, _):
        time.sleep(settle)  # past the warm-up's first part
        host, port = url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        times: dict[str, list[float]] = {name: [] for name in paths}
        load = os.getloadavg()[0]
        for _ in range(repeat):
            for name, path in paths.items():
                start = time.perf_counter()
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                times[name].append((time.perf_counter() - start) * 1000)
                if response.status != 200 or not body:
                    raise RuntimeError(f"{path} answered {response.status}")
        conn.close()
    result: dict[str, Any] = {name: round(statistics.median(v), 2) for name, v in times.items()}
    result.update({"load_average": [round(load, 2), round(os.getloadavg()[0], 2)], "small_script": small})
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--entry", nargs="+", default=["serve.py", "app.py"])
    parser.add_argument("--settle", type=float, default=4.0, help="seconds between health and the first request")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    results = {entry: measure(entry, args.repeat, args.settle) for entry in args.entry}
    for entry, r in results.items():
        print(
            f"streamlit run {entry}: medians of {args.repeat} on one connection: small script "
            f"{r['small_script_ms']} ms, large script {r['large_script_ms']} ms, health {r['health_ms']} ms; "
            f"load average (1 min) {r['load_average'][0]}-{r['load_average'][1]}"
        )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
