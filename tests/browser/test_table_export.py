"""In the browser: a table offers no download of its own. Its toolbar's "Download as CSV" wrote
a rep named "=SUM(A1)" as a live formula; the page's Download CSV / Excel buttons write text."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.helpers import TIMEOUT, open_home


def test_the_kpi_tables_toolbar_has_no_download(page: Page, app_url: str) -> None:
    open_home(page, app_url)
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible(timeout=TIMEOUT)
    table.hover()
    toolbar = page.get_by_test_id("stElementToolbar").first
    expect(toolbar).to_be_visible(timeout=TIMEOUT)  # the toolbar is there (search, full screen)
    expect(toolbar.get_by_role("button", name="Download as CSV")).to_have_count(0)
    expect(page.get_by_role("button", name="Download CSV")).to_be_visible()  # the page's own, formula-safe
