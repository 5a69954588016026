"""The Funnels page: clicking a rep in either lower chart highlights that rep in both; a double-click clears.

The charts are Vega SVG: every bar is a ``path`` with its ``opacity`` and an ``aria-label`` naming its rep.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.helpers import TIMEOUT, go, open_home


def _opacity_by_rep(chart: Locator, view: str) -> dict[str, set[str]]:
    """For the bars of one view (``view_1``: counts per rep, ``view_2``: conversions), each rep's opacities."""
    pairs = chart.evaluate(
        """(e, view) => Array.from(e.querySelectorAll(`g.${view}_marks path`)).map(
            p => [p.getAttribute('aria-label') || '', p.getAttribute('opacity') || ''])""",
        view,
    )
    out: dict[str, set[str]] = {}
    for label, opacity in pairs:
        rep = re.search(r"Rep: ([^;]+)", label)
        assert rep, label
        out.setdefault(rep.group(1), set()).add(opacity)
    return out


def test_clicking_a_rep_highlights_that_rep_in_both_charts_and_a_double_click_clears(page: Page, app_url: str) -> None:
    open_home(page, app_url)
    go(page, "Funnels")
    chart = page.get_by_test_id("stVegaLiteChart").nth(1)  # after the team's funnel
    expect(chart.locator("g.view_1_marks path").first).to_be_visible(timeout=TIMEOUT)
    before = {view: _opacity_by_rep(chart, view) for view in ("view_1", "view_2")}
    assert len(before["view_1"]) > 1 and set(before["view_1"]) == set(before["view_2"])
    assert all(o == {"1"} for view in before.values() for o in view.values())  # nothing dimmed yet

    bar = chart.locator("g.view_1_marks path").nth(4)  # a bar of the second rep
    picked = re.search(r"Rep: ([^;]+)", bar.get_attribute("aria-label") or "")
    assert picked
    bar.click()
    expected = {rep: ({"1"} if rep == picked.group(1) else {"0.25"}) for rep in before["view_1"]}
    expect(chart.locator('g.view_1_marks path[opacity="0.25"]').first).to_be_attached(timeout=TIMEOUT)
    for view in ("view_1", "view_2"):
        assert _opacity_by_rep(chart, view) == expected, view

    bar.dblclick()
    expect(chart.locator('g.view_1_marks path[opacity="0.25"]')).to_have_count(0, timeout=TIMEOUT)
    assert {view: _opacity_by_rep(chart, view) for view in ("view_1", "view_2")} == before
