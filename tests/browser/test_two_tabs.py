"""Two people at once on one server: what one uploads never shows in the other's session."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import Browser, expect

from tests.browser.conftest import ROOT
from tests.browser.helpers import PAGES, confirm, go, open_home, upload


def test_an_upload_in_one_browser_never_shows_in_another(browser: Browser, app_url: str, shot: Any) -> None:
    marker = f"Marker-{uuid.uuid4().hex[:12]}"
    content = (ROOT / "tests" / "fixtures" / "canonical.csv").read_bytes().replace(b"Ana,", marker.encode() + b",")
    first, second = browser.new_context(), browser.new_context()
    try:
        uploader, other = first.new_page(), second.new_page()
        open_home(uploader, app_url)
        open_home(other, app_url)
        go(uploader, "Data")
        upload(uploader, "pipeline.csv", name="pipeline.csv", content=content)
        confirm(uploader, "pipeline.csv")
        go(uploader, "Team overview")
        grid = uploader.get_by_test_id("stDataFrame").first.locator("table")
        expect(grid.get_by_text(marker, exact=True)).to_be_attached()
        shot(uploader, "uploader")

        for title in PAGES:
            go(other, title)
            expect(other.get_by_test_id("stSidebar").get_by_text("Source: sample data")).to_be_visible()
            assert marker not in other.content(), f"the other session shows the marker on {title}"
            shot(other, f"other-{title.lower().replace(' ', '-')}")
        go(uploader, "Peer comparison")
        assert marker in uploader.content()
    finally:
        first.close()
        second.close()
