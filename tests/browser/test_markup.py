"""User text is shown as text: hostile rep names, headers and values never become live markup.

A file whose every text field is HTML, Markdown or a ``javascript:`` link is uploaded and every
page is visited (tables, charts and their tooltips); nothing runs, no image or link appears, and
the literal text can be read.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.helpers import PAGES, TIMEOUT, confirm, go, open_home, upload, wait_idle

XSS = '<img src=x onerror="window.__xss=1">'
PAYLOADS = [
    XSS,
    "<b>bold</b>",
    "[click](javascript:alert(1))",
    "![img](http://example.invalid/x.png)",
    "**bold**",
    "javascript:alert(1)",
]
EXTRA_HEADER = '<img src=x onerror="window.__xss=1"> **Region**'
FILE_NAME = "hostile-<b>bold</b>.csv"


def hostile_csv() -> bytes:
    """Five opportunities per hostile rep name, with hostile team and extra-column values."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["rep", "team", "first_appointment", "next_step", "stage", "outcome", "close_date", "amount", EXTRA_HEADER]
    )
    for i, rep in enumerate(PAYLOADS):
        for j in range(5):
            won = j < 2 + i % 2
            writer.writerow(
                [
                    rep,
                    PAYLOADS[(i + 1) % len(PAYLOADS)],
                    f"2026-01-{5 + j * 4 + i:02d}",
                    f"2026-01-{7 + j * 4 + i:02d}" if j < 4 else "",
                    "Proposal" if j < 4 else "Appointment",
                    "won" if won else "lost" if j < 4 else "open",
                    f"2026-02-{2 + j * 3 + i:02d}" if j < 4 else "",
                    f"{1000 + 250 * i + 100 * j}.00",
                    PAYLOADS[(i + j) % len(PAYLOADS)],
                ]
            )
    return out.getvalue().encode()


def assert_nothing_live(page: Page) -> None:
    assert page.evaluate("typeof window.__xss") == "undefined"
    live = page.evaluate(
        """() => ({
            images: [...document.querySelectorAll('img')].map(i => i.getAttribute('src') || '')
                .filter(s => s === 'x' || s.includes('example.invalid')),
            links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))
                .filter(h => h.trim().toLowerCase().startsWith('javascript:')),
            bold: [...document.querySelectorAll('b')].map(b => b.textContent).filter(t => t === 'bold'),
        })"""
    )
    assert live == {"images": [], "links": [], "bold": []}, live


def hover_marks(page: Page) -> int:
    """Hover over chart marks so Vega draws its tooltips; returns how many were hovered."""
    hovered = 0
    for chart in page.get_by_test_id("stVegaLiteChart").all():
        chart.scroll_into_view_if_needed()
        marks = chart.locator("path[role='graphics-symbol'], g.mark-rect path, g.mark-rect rect")
        for i in range(min(marks.count(), 3)):
            mark = marks.nth(i)
            if mark.is_visible():
                mark.hover(force=True, timeout=5_000)
                hovered += 1
    return hovered


def test_hostile_names_headers_and_values_are_shown_as_text_on_every_page(page: Page, app_url: str, shot: Any) -> None:
    open_home(page, app_url)
    go(page, "Data")
    upload(page, "hostile.csv", name=FILE_NAME, content=hostile_csv())
    confirm(page, FILE_NAME)
    assert_nothing_live(page)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(f"Source: {FILE_NAME}", exact=True)).to_be_visible()
    expect(sidebar.get_by_text("30 rows loaded (opportunity list)")).to_be_visible()
    shot(page, "data")

    hovered = 0
    for title in PAGES:
        go(page, title)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        hovered += hover_marks(page)
        wait_idle(page)
        assert_nothing_live(page)
        shot(page, title.lower().replace(" ", "-"))
        if title == "Team overview":
            grid = page.get_by_test_id("stDataFrame").first.locator("table")
            expect(grid.locator("td").first).to_be_attached(timeout=TIMEOUT)
            cells = grid.locator("td").all_text_contents()
            for payload in PAYLOADS:
                assert payload in cells, payload
        if title == "Peer comparison":
            links = page.get_by_test_id("stCode").first
            expect(links).to_contain_text("rep=%3Cimg+src%3Dx")
    assert hovered > 0, "no chart mark could be hovered"

    go(page, "Team overview")
    page.locator(".st-key-filter_teams").click()
    options = page.get_by_role("option")
    expect(options.first).to_be_visible(timeout=TIMEOUT)
    texts = options.all_inner_texts()
    assert XSS in texts and "**bold**" in texts, texts
    page.keyboard.press("Escape")
    assert_nothing_live(page)
    shot(page, "team-filter-options")


#: A rep name in a share link that reads as a phishing message: a web address, a www address and an
#: e-mail address (Markdown's automatic links, which backslash escapes do not stop), and line ends
#: followed by an indented line (a code block).
PHISHING = (
    "Session expired. Sign in at https://evil.example/login or www.evil.example, help@evil.example\r\r    codeblock"
)


def test_addresses_and_line_ends_in_user_text_are_not_links_or_code(page: Page, app_url: str) -> None:
    from urllib.parse import urlencode

    page.goto(f"{app_url}/magic_number?{urlencode({'rep': PHISHING, 'p1': 50})}")
    expect(page.get_by_role("heading", name=PAGES["Magic Number"], level=1)).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    main = page.get_by_test_id("stMain")
    # The name is shown (in the sentence saying it is not in this data), as text.
    expect(main.get_by_text("Sign in at https", exact=False).first).to_be_visible(timeout=TIMEOUT)
    found = page.evaluate(
        """() => ({
            links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))
                .filter(h => h.includes('evil.example')),
            code: [...document.querySelectorAll('pre, code')].map(c => c.textContent)
                .filter(t => t.trim() === 'codeblock'),
        })"""
    )
    assert found == {"links": [], "code": []}, found
    # What the reader sees is the text as typed (the word joiners show as nothing).
    shown = main.get_by_text("Sign in at https", exact=False).first.inner_text().replace("\u2060", "")
    assert "https://evil.example/login or www.evil.example, help@evil.example" in shown, shown
