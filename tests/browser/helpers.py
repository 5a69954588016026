"""What a person does in the app, as Playwright steps that wait for Streamlit to finish each rerun."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page, expect

TIMEOUT = 60_000
#: Sidebar link title -> the page's own heading (proof that the page, not the previous one, is shown).
PAGES: dict[str, str] = {
    "Team overview": "How is the team doing?",
    "Funnels": "How is the team converting?",
    "Peer comparison": "Who is ahead of their peers, and on what?",
    "Magic Number": "How many first appointments a week does my goal take?",
    "Weekly activity": "Is each rep booking enough first appointments every week?",
    "Data": "Where do these numbers come from?",
}
NOT_MAPPED = "No column is mapped to the salesperson"


def wait_idle(page: Page, timeout: float = TIMEOUT) -> None:
    """Wait until the script run is over and no element is left over from the previous run."""
    expect(page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')).to_have_count(1, timeout=timeout)
    expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=timeout)


def open_home(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("heading", name=PAGES["Team overview"], level=1)).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)


def go(page: Page, title: str) -> None:
    """Click a sidebar link (staying in the session, as a person does) and wait for that page."""
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    expect(page.get_by_role("heading", name=PAGES[title], level=1)).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def upload(page: Page, path: Path | str, name: str | None = None, content: bytes | None = None) -> None:
    """On the Data page, upload a file and wait for the proposed mapping of that file."""
    field = page.locator('.st-key-upload input[type="file"]')
    expect(field).to_have_count(1, timeout=TIMEOUT)
    if content is None:
        field.set_input_files(str(path))
        name = Path(path).name
    else:
        field.set_input_files({"name": name or Path(path).name, "mimeType": "text/csv", "buffer": content})
    expect(page.get_by_text(f"File: {name}", exact=True)).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)


def confirm(page: Page, name: str) -> None:
    """Click "Confirm mapping and load" once and wait until ``name`` is in use or a format question is asked."""
    main = page.get_by_test_id("stMain")
    loaded = main.get_by_text(f"Source: {name}", exact=True).or_(page.locator(".st-key-format_choice"))
    page.locator(".st-key-confirm_mapping button").click()
    expect(loaded.first).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)


def metric(page: Page, label: str) -> Locator:
    """The value of the metric with this label."""
    label_el = page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    return page.get_by_test_id("stMetric").filter(has=label_el).get_by_test_id("stMetricValue")


def table_rows(page: Page, index: int = 0) -> list[list[str]]:
    """Cells of a dataframe as its accessible grid lists them (raw values, one list per row)."""
    grid = page.get_by_test_id("stDataFrame").nth(index).locator("table")
    expect(grid.locator("td").first).to_be_attached(timeout=TIMEOUT)
    rows = [row.locator("td").all_text_contents() for row in grid.locator("tr").all()]
    return [r for r in rows if r]
