"""What the charts write reads whole and means what it says, in a real browser: the weekly panels'
"Week starting" axis marks the Mondays the weeks start on (Vega's week ticks fell on Sundays, "Feb 08"
under a week starting on the 9th), axes of counts are ticked in whole numbers ("0,5" first
appointments), the team funnel's conversions stay inside the chart ("75 % of appointmen" on a phone)
and long rep names are written in full beside the per-rep funnels ("Rosie Papadopou…")."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import TIMEOUT, confirm, go, open_home, upload, wait_idle
from tests.browser.test_chart_widths import PHONE, TABLET

JAKARTA = Path(__file__).resolve().parents[1] / "fixtures" / "jakarta.csv"

#: Per chart (its SVG): each axis's visible labels (the lines of a label joined by a space) with
#: their boxes and the points they are anchored at (their ticks': the theme draws no tick), the line's
#: points, the marks' texts with their boxes, all in pixels from the SVG's left and top; its size.
AXES = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"] svg.marks')].map(svg => {
  const box = svg.getBoundingClientRect();
  const place = e => { const r = e.getBoundingClientRect();
    return {left: r.left - box.left, right: r.right - box.left, top: r.top - box.top, bottom: r.bottom - box.top}; };
  const words = t => t.querySelectorAll('tspan').length
    ? [...t.querySelectorAll('tspan')].map(s => s.textContent).join(' ') : t.textContent;
  const visible = e => getComputedStyle(e).opacity !== '0';
  const axes = [...svg.querySelectorAll('g.role-axis')].map(axis => ({
    name: axis.getAttribute('aria-label') || '',
    labels: [...axis.querySelectorAll('.role-axis-label text')].filter(visible)
      .map(t => ({text: words(t), anchor: t.getScreenCTM().e - box.left, ...place(t)})),
  }));
  const points = [...svg.querySelectorAll('.mark-symbol.role-mark path')]
    .map(p => { const r = place(p); return (r.left + r.right) / 2; });
  const texts = [...svg.querySelectorAll('.mark-text.role-mark text')].filter(t => t.textContent)
    .map(t => ({text: t.textContent, ...place(t)}));
  return {axes, points, texts, width: box.width, height: box.height};
})"""

#: A count in the app's rupiah marks: whole, thousands grouped with dots ("0", "12", "1.000").
WHOLE = re.compile(r"\d{1,3}(\.\d{3})*")


def _charts(page: Page, count: int) -> list[dict[str, Any]]:
    """The page's charts, once ``count`` of them are drawn."""
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(count, timeout=TIMEOUT)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]')]"
        ".every(c => c.querySelector('svg.marks .role-axis-label text'))",
        timeout=TIMEOUT,
    )
    drawn: list[dict[str, Any]] = page.evaluate(AXES)
    return drawn


def _axis(chart: dict[str, Any], which: str) -> dict[str, Any]:
    axes: list[dict[str, Any]] = [a for a in chart["axes"] if a["name"].startswith(which)]
    assert len(axes) == 1, chart["axes"]
    return axes[0]


def test_weekly_panels_mark_the_mondays_and_counts_are_whole(page: Page, app_url: str) -> None:
    """jakarta.csv: four reps, first appointments from Monday 2 to Monday 23 February 2026, at most
    two a week. Every week label is a Monday with its tick on that week's point; every count label
    on the weekly panels and on the team funnel is a whole number."""
    page.set_viewport_size({"width": 1366, "height": 768})
    open_home(page, app_url)
    go(page, "Data")
    upload(page, JAKARTA)
    confirm(page, JAKARTA.name)
    go(page, "Weekly activity")
    panels = _charts(page, 3)[1:]  # the barometers, then four reps, three to a panel
    for panel in panels:
        weeks = _axis(panel, "X-axis")
        dates = [dt.datetime.strptime(f"{label['text']} 2026", "%b %d %Y").date() for label in weeks["labels"]]
        assert dates == [dt.date(2026, 2, d) for d in (2, 9, 16, 23)], weeks["labels"]
        assert all(d.weekday() == 0 for d in dates)
        # Each week's label is anchored on that week's points (one per rep of the panel).
        anchors = [label["anchor"] for label in weeks["labels"]]
        assert all(min(abs(a - x) for x in panel["points"]) <= 1 for a in anchors), (anchors, panel["points"])
        counts = [
            label["text"] for axis in panel["axes"] if axis["name"].startswith("Y-axis") for label in axis["labels"]
        ]
        assert counts and all(WHOLE.fullmatch(c) for c in counts), counts
    go(page, "Funnels")
    team = _charts(page, 2)[0]
    opportunities = [label["text"] for label in _axis(team, "X-axis")["labels"]]
    assert len(opportunities) >= 3 and all(WHOLE.fullmatch(c) for c in opportunities), opportunities


#: Reps with long names, three of each one's four appointments with a next step (75 %, as in
#: jakarta.csv), two of those three won.
LONG_NAMES = ("Rosie Papadopoulos", "Jonathan Berthelot", "Marty Freudenburg", "Ana")
OUTCOMES = (",Appointment,lost,2026-02-20,", "Proposal,lost,2026-02-20,", "Proposal,won,2026-02-20,1000")
LONG_NAMES_CSV = (
    "rep,team,first_appointment,next_step,stage,outcome,close_date,amount\n"
    + "".join(
        f"{rep},Alpha,2026-01-{5 + 7 * week:02d},"
        + (OUTCOMES[0] if week == 0 else f"2026-01-{6 + 7 * week:02d},{OUTCOMES[1 if week == 1 else 2]}")
        + "\n"
        for rep in LONG_NAMES
        for week in range(4)
    )
).encode()
SCREENS: dict[str, dict[str, Any]] = {
    "phone": PHONE,
    "tablet": TABLET,
    "1280-pixel screen": {"viewport": {"width": 1280, "height": 900}},
}


@pytest.mark.parametrize("screen", list(SCREENS))
def test_funnel_labels_and_long_rep_names_read_whole(browser: Browser, app_url: str, screen: str) -> None:
    context = browser.new_context(**SCREENS[screen])
    page = context.new_page()
    try:
        page.goto(f"{app_url}/data")
        expect(page.locator(".st-key-upload")).to_be_visible(timeout=TIMEOUT)
        wait_idle(page)
        upload(page, "long_names.csv", name="long_names.csv", content=LONG_NAMES_CSV)
        confirm(page, "long_names.csv")
        if screen == "phone":  # the sidebar is folded away on a phone
            page.get_by_test_id("stExpandSidebarButton").click()
        go(page, "Funnels")
        team, reps = _charts(page, 2)
        assert [t["text"] for t in team["texts"]] == ["75 % of appointments", "66.7 % of next steps"], team["texts"]
        for chart in (team, reps):
            texts = chart["texts"] + [label for axis in chart["axes"] for label in axis["labels"]]
            outside = [t for t in texts if t["left"] < -1 or t["right"] > chart["width"] + 1]
            assert outside == [], (screen, outside, chart["width"])
        names = [
            label["text"] for axis in reps["axes"] if axis["name"].startswith("Y-axis") for label in axis["labels"]
        ]
        # Every rep named in full (by both stacked charts on a phone), nothing cut short with "…".
        assert sorted(names) == sorted(LONG_NAMES * (2 if screen == "phone" else 1)), names
    finally:
        context.close()
