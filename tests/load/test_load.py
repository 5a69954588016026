"""Load: 20 sessions at once on one server, each with its own upload, switching pages until ~60 s after the start.

Each page change is timed from the sidebar click until the page's heading is shown and the script
run is over. No session may show an exception or another session's marker. p50/p95 go to
test-artifacts/load.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import time
import uuid
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, start_server
from tests.browser.helpers import NOT_MAPPED, PAGES

pytestmark = [
    pytest.mark.load,
    pytest.mark.xdist_group("browser"),
    # Not yet usable in scripts/test.sh: 20 Chromium contexts saturate a 2-core machine (8 sessions took a
    # median 60 s to upload and confirm, leaving almost no page changes to time). Needs websocket clients.
    pytest.mark.skipif(
        os.environ.get("MAGIC_NUMBER_LOAD_TEST") != "1", reason="set MAGIC_NUMBER_LOAD_TEST=1 to run (slow)"
    ),
]

SESSIONS = int(os.environ.get("LOAD_SESSIONS", "20"))
DURATION_S = 60.0  # uploads included; page switching fills the rest
TIMEOUT = 90_000
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
TOUR = ["Funnels", "Peer comparison", "Magic Number", "Weekly activity", "Team overview", "Data"]


async def idle(page: Page) -> None:
    await expect(page.locator(IDLE)).to_have_count(1, timeout=TIMEOUT)
    await expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=TIMEOUT)


async def go(page: Page, title: str) -> float:
    """Click a sidebar link; seconds until that page's heading is shown and the run is over."""
    start = time.perf_counter()
    await page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    await expect(page.get_by_role("heading", name=PAGES[title], level=1)).to_be_visible(timeout=TIMEOUT)
    await idle(page)
    return time.perf_counter() - start


async def load_own_file(page: Page, url: str, marker: str) -> None:
    content = (ROOT / "tests" / "fixtures" / "canonical.csv").read_bytes().replace(b"Ana,", marker.encode() + b",")
    name = f"{marker}.csv"
    await page.goto(url, timeout=TIMEOUT)
    await expect(page.get_by_role("heading", name=PAGES["Team overview"], level=1)).to_be_visible(timeout=TIMEOUT)
    await idle(page)
    await go(page, "Data")
    await page.locator('.st-key-upload input[type="file"]').set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content}
    )
    await expect(page.get_by_text(f"File: {name}", exact=True)).to_be_visible(timeout=TIMEOUT)
    await idle(page)
    loaded = page.get_by_test_id("stMain").get_by_text(f"Source: {name}", exact=True)
    refused = page.get_by_test_id("stAlert").filter(has_text=NOT_MAPPED)
    button = page.locator(".st-key-confirm_mapping button")
    await button.click()
    await expect(loaded.or_(refused).first).to_be_visible(timeout=TIMEOUT)
    await idle(page)
    if await refused.count():  # the known stale-mapping bug (tests/browser/test_user_path.py): click again
        await button.click()
        await expect(loaded).to_be_visible(timeout=TIMEOUT)
        await idle(page)


async def session(browser: Browser, url: str, marker: str, others: list[str], deadline: float) -> dict[str, Any]:
    context = await browser.new_context(viewport={"width": 1100, "height": 800})
    context.set_default_timeout(TIMEOUT)
    page = await context.new_page()
    times: list[float] = []
    problems: list[str] = []
    load = None
    try:
        start = time.perf_counter()
        await load_own_file(page, url, marker)
        load = time.perf_counter() - start
        i = 0
        while time.monotonic() < deadline:
            title = TOUR[i % len(TOUR)]
            times.append(await go(page, title))
            html = await page.content()
            if await page.get_by_test_id("stException").count():
                problems.append(f"{marker}: exception on {title}")
            problems += [f"{marker} sees {other} on {title}" for other in others if other in html]
            if title in ("Team overview", "Peer comparison") and marker not in html:
                problems.append(f"{marker}: own marker missing on {title}")
            i += 1
    finally:
        await context.close()
    return {"times": times, "problems": problems, "load": load}


async def run(url: str) -> list[dict[str, Any]]:
    markers = [f"Marker-{uuid.uuid4().hex[:10]}" for _ in range(SESSIONS)]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        deadline = time.monotonic() + DURATION_S
        try:
            return await asyncio.gather(
                *(session(browser, url, m, [o for o in markers if o != m], deadline) for m in markers)
            )
        finally:
            await browser.close()


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def test_twenty_sessions_switch_pages_with_their_own_uploads_and_never_see_each_other() -> None:
    proc, url = start_server()
    started = time.monotonic()
    try:
        results = asyncio.run(run(url))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    wall = time.monotonic() - started
    times = [t for r in results for t in r["times"]]
    loads = [r["load"] for r in results if r["load"] is not None]
    problems = [p for r in results for p in r["problems"]]
    report = {
        "sessions": SESSIONS,
        "cpu_cores": os.cpu_count(),
        "upload_p50_s": round(statistics.median(loads), 3) if loads else None,
        "page_reruns": len(times),
        "rerun_p50_s": round(statistics.median(times), 3) if times else None,
        "rerun_p95_s": round(percentile(times, 95), 3) if times else None,
        "rerun_max_s": round(max(times), 3) if times else None,
        "wall_s": round(wall, 1),
        "problems": problems,
    }
    out = ROOT / "test-artifacts" / "load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    assert not problems, problems
    assert all(r["times"] for r in results), "a session never completed a page change"
