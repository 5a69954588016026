"""Load: 20 sessions at once on one served app, each uploading its own file, then switching pages.

Each session is a websocket client speaking Streamlit's protocol (tests/load/ws_client.py), not a
browser: 20 Chromium contexts saturate a 2-core machine before the app does. A session opens the
app, goes to Data, uploads a copy of tests/fixtures/canonical.csv whose reps carry the session's
marker (``M<nn>-<10 hex>``), confirms the mapping, then tours the pages until the deadline.

A page rerun is timed from sending ``rerun_script`` to ``script_finished``. Before the load, one
session does the same alone on the same (warmed) server: the no-load reference. Fails on any
exception element, any websocket or upload error, a page that is not the one asked for, a session
missing its own marker after its upload, or any message to a session that carries another
session's marker. Numbers go to test-artifacts/load.json, the server's log to
test-artifacts/load-server.log.

Tunable: LOAD_SESSIONS (20), LOAD_DURATION_S (40, uploads included), LOAD_BASELINE_S (10).
"""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import statistics
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import streamlit

from tests.browser.conftest import ROOT, start_server
from tests.load.ws_client import ClientError, Run, StreamlitSession

pytestmark = [pytest.mark.load, pytest.mark.xdist_group("browser")]

SESSIONS = int(os.environ.get("LOAD_SESSIONS", "20"))
DURATION_S = float(os.environ.get("LOAD_DURATION_S", "40"))
BASELINE_S = float(os.environ.get("LOAD_BASELINE_S", "10"))
OUT = ROOT / "test-artifacts" / "load.json"
CANONICAL = ROOT / "tests" / "fixtures" / "canonical.csv"

#: sidebar title -> the page's own heading (proof that the page asked for is the one shown).
HEADINGS: dict[str, str] = {
    "Funnels": "How is the team converting?",
    "Peer comparison": "Who is ahead of their peers, and on what?",
    "Magic Number": "How many first appointments a week does my goal take?",
    "Weekly activity": "Is each rep booking enough first appointments every week?",
    "Team overview": "How is the team doing?",
    "Data": "Where do these numbers come from?",
}
TOUR = list(HEADINGS)
MARKER = re.compile(rb"M\d{2}-[0-9a-f]{10}")
NOT_MAPPED = "No column is mapped to the salesperson"
#: Lines of the server log that tell of an error: the traceback's start and its last line.
SERVER_ERROR = re.compile(r"Traceback|Uncaught|ERROR|^\w+(Error|Exception)\b")


def own_file(marker: str) -> bytes:
    """canonical.csv with every rep renamed ``<marker>-<rep>`` (the four reps stay four)."""
    lines = CANONICAL.read_bytes().splitlines(keepends=True)
    return lines[0] + b"".join(marker.encode() + b"-" + line for line in lines[1:])


def check(run: Run, what: str, problems: list[str], heading: str | None = None) -> None:
    if run.status != 0:
        problems.append(f"{what}: script_finished status {run.status}")
    if run.page_not_found:
        problems.append(f"{what}: page_not_found")
    problems.extend(f"{what}: exception {t}: {m[:200]}" for t, m in run.exceptions)
    if heading and not run.contains(heading):
        problems.append(f"{what}: heading {heading!r} not shown")


def session(url: str, marker: str, deadline: float) -> dict[str, Any]:
    """One user: open, upload and confirm their own file, then tour the pages until ``deadline``."""
    times: list[tuple[str, float]] = []
    problems: list[str] = []
    errors: list[str] = []
    upload_s = confirm_s = None
    refused = 0
    s = None
    try:
        s = StreamlitSession(url, watch=MARKER)
        check(s.open(), f"{marker} open", problems, HEADINGS["Team overview"])
        run = s.go("Data")
        times.append(("Data", run.seconds))
        check(run, f"{marker} data", problems, HEADINGS["Data"])
        name = f"{marker}.csv"
        run = s.upload(run, "upload", name, own_file(marker))
        upload_s = run.seconds
        check(run, f"{marker} upload", problems)
        if not run.contains(f"File: {name}"):
            problems.append(f"{marker}: the uploaded file's mapping is not shown")
        run = s.click(run, "confirm_mapping")
        confirm_s = run.seconds
        if any(NOT_MAPPED in a for a in run.alerts):  # the first confirm must load the proposal as shown
            refused += 1
            problems.append(f"{marker}: the first confirm was refused")
        check(run, f"{marker} confirm", problems)
        if not run.contains(f"Source: {name}"):
            problems.append(f"{marker}: the file is not in use after confirming")
        i = 0
        while time.monotonic() < deadline:
            page = TOUR[i % len(TOUR)]
            run = s.go(page)
            times.append((page, run.seconds))
            check(run, f"{marker} {page}", problems, HEADINGS[page])
            if not run.contains(f"{marker}-"):
                problems.append(f"{marker}: own marker missing on {page}")
            i += 1
    except ClientError as err:
        errors.append(f"{marker}: {err}")
    finally:
        if s is not None:
            s.close()
    seen = s.seen if s is not None else set()
    problems += [f"{marker} received another session's marker {m}" for m in sorted(seen - {marker})]
    return {
        "marker": marker,
        "times": times,
        "problems": problems,
        "errors": errors,
        "upload_s": upload_s,
        "confirm_s": confirm_s,
        "refused": refused,
        "messages": s.messages if s is not None else 0,
    }


def many(url: str, n: int, seconds: float) -> tuple[list[dict[str, Any]], float]:
    """``n`` sessions at once, in threads, until ``seconds`` after they start."""
    markers = [f"M{i:02d}-{uuid.uuid4().hex[:10]}" for i in range(n)]
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(lambda m: session(url, m, start + seconds), markers))
    return results, time.monotonic() - start


def pct(values: list[float], q: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 3)
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1], 3)


def summary(results: list[dict[str, Any]], wall: float) -> dict[str, Any]:
    times = [t for r in results for _, t in r["times"]]
    by_page = {p: [t for r in results for q, t in r["times"] if q == p] for p in TOUR}
    uploads = [r["upload_s"] for r in results if r["upload_s"] is not None]
    confirms = [r["confirm_s"] for r in results if r["confirm_s"] is not None]
    return {
        "sessions": len(results),
        "wall_s": round(wall, 1),
        "page_reruns": len(times),
        "reruns_per_s": round(len(times) / wall, 1) if wall else None,
        "rerun_p50_s": pct(times, 50),
        "rerun_p95_s": pct(times, 95),
        "rerun_max_s": round(max(times), 3) if times else None,
        "rerun_p50_by_page_s": {p: pct(v, 50) for p, v in by_page.items()},
        "upload_p50_s": pct(uploads, 50),
        "confirm_p50_s": pct(confirms, 50),
        "confirm_refused_first_time": sum(r["refused"] for r in results),
        "messages_received": sum(r["messages"] for r in results),
        "errors": [e for r in results for e in r["errors"]],
        "problems": [p for r in results for p in r["problems"]],
    }


def machine() -> dict[str, Any]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model or platform.processor(),
        "python": platform.python_version(),
        "streamlit": streamlit.__version__,
    }


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) of this process (all client threads) or of the server process."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_twenty_sessions_switch_pages_with_their_own_uploads_and_never_see_each_other() -> None:
    # Tracebacks go to stderr (with rich logging on, Streamlit prints them to stdout, which start_server drops).
    proc, url = start_server({"STREAMLIT_LOGGER_ENABLE_RICH": "false"})
    log: list[str] = []
    assert proc.stderr is not None
    stderr = proc.stderr
    drain = threading.Thread(target=lambda: log.extend(line.decode(errors="replace") for line in stderr), daemon=True)
    drain.start()  # an undrained stderr pipe would block the server once it fills
    try:
        with StreamlitSession(url) as warm:  # first imports and compiles, for both phases alike
            warm.open()
            for page in TOUR:
                warm.go(page)
        alone, alone_wall = many(url, 1, BASELINE_S)
        cpu_before = cpu_seconds(), cpu_seconds(proc.pid)
        loaded, loaded_wall = many(url, SESSIONS, DURATION_S)
        cpu = {
            "clients_s": round(cpu_seconds() - cpu_before[0], 1),
            "server_s": round(cpu_seconds(proc.pid) - cpu_before[1], 1),
        }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        drain.join(timeout=5)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    (OUT.parent / "load-server.log").write_text("".join(log))
    server_errors = [line.rstrip() for line in log if SERVER_ERROR.search(line)]
    report = {
        "under_load": summary(loaded, loaded_wall),
        "no_load": summary(alone, alone_wall),
        "duration_s": DURATION_S,
        "baseline_s": BASELINE_S,
        "machine": machine(),
        "cpu_during_load": cpu,
        "server_errors": server_errors[:50],
        "command": "python -m pytest tests/load -s",
    }
    OUT.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    under, base = report["under_load"], report["no_load"]
    assert not under["errors"] and not base["errors"], under["errors"] + base["errors"]
    assert not under["problems"] and not base["problems"], under["problems"] + base["problems"]
    assert not server_errors, server_errors[:10]
    assert all(len(r["times"]) > 1 for r in loaded), "a session never got past its upload to a page change"
    assert base["page_reruns"] > 1
