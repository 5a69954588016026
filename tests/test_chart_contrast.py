"""Chart colours read against the white page (WCAG 2.1: 4.5:1 for text, 3:1 for a bar), and the
better/worse pair differs in lightness as well as hue (colour-blind readers)."""

from __future__ import annotations

from kpi_core.model import KpiRow
from ui import charts
from ui import format as fmt


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_better_and_worse_bars_read_against_the_page_and_apart() -> None:
    better, worse = charts.PEER_COLORS[charts.BETTER], charts.PEER_COLORS[charts.WORSE]
    assert contrast(better, "#ffffff") >= 3 and contrast(worse, "#ffffff") >= 3
    assert contrast(better, worse) >= 2  # lightness apart, not hue alone


def _row(group: str, appointments: int, advanced: int, won: int) -> KpiRow:
    return KpiRow(
        group,
        None,
        appointments,
        advanced,
        won,
        advanced / appointments,
        won / advanced,
        1000.0 * won,
        1000.0,
        30.0,
        30.0,
        4.0,
        appointments / 4,
    )


def _text_colours(spec: dict) -> list[str]:
    """The colour of every text mark in a Vega-Lite spec, its layers' and concatenations' too."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            mark = node.get("mark")
            if mark == "text" or (isinstance(mark, dict) and mark.get("type") == "text"):
                found.append(node.get("encoding", {}).get("color", {}).get("value"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def test_labels_beside_the_bars_are_drawn_in_the_pages_text_colour() -> None:
    cur = fmt.currency("USD")
    drawn = charts.funnels(_row("All", 20, 15, 6), [_row("Ana", 10, 8, 3), _row("Budi", 10, 7, 3)], cur, (0.65, 0.65))
    colours = _text_colours(drawn.team.vega)
    assert colours and all(c == charts.LABEL_COLOR for c in colours)
    assert contrast(charts.LABEL_COLOR, "#ffffff") >= 4.5


def test_the_implied_funnels_labels_too() -> None:
    from kpi_core.magic import Scenario, implied_funnel, solve

    stages = implied_funnel(solve(Scenario(goal=600_000, weeks=48, avg_sale=12_500, p1=0.6, p2=0.4)))
    colours = _text_colours(charts.implied_funnel(stages, fmt.currency("USD")).vega)
    assert colours and all(c == charts.LABEL_COLOR for c in colours)
