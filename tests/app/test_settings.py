"""Settings the user can change: peer-flag and coaching thresholds, readable headlines, PNG charts."""

from __future__ import annotations

import json

from tests.app.conftest import new_app, open_page
from ui import charts
from ui import format as fmt

WORKED_EXAMPLE = {"goal": 600000, "weeks": 48, "avg_sale": 12500, "p1": 60, "p2": 40, "appts": 5}


def _flags(at, flag: str) -> int:
    highlights = [df.value for df in at.dataframe if "Flag" in df.value.columns]
    return 0 if not highlights else int((highlights[0]["Flag"] == flag).sum())


def test_a_lower_money_left_on_the_table_threshold_flags_more_reps() -> None:
    at = open_page(new_app(), "peers")
    at_default = _flags(at, "Money left on the table")
    at.number_input(key="peers_money_left_pct").set_value(0.0).run()
    assert not at.exception, at.exception
    assert _flags(at, "Money left on the table") > at_default


def test_a_best_practice_threshold_of_100_percent_flags_no_one() -> None:
    at = open_page(new_app(), "peers")
    at.number_input(key="peers_best_practice_pct").set_value(100.0).run()
    assert _flags(at, "Best practice to share with the team") == 0


def _coaching_text(at) -> str:
    return " ".join(str(m.value) for m in at.markdown).replace("\\", "")


def test_a_lower_coaching_threshold_silences_the_advice_for_that_ratio() -> None:
    at = open_page(new_app(), "magic_number")
    for name, value in WORKED_EXAMPLE.items():
        at.number_input(key=f"mn_{name}_input").set_value(value).run()
    assert "Appointment-to-next-step ratio is 60 %, below the 65 % target" in _coaching_text(at)
    at.number_input(key="coach_p1_pct").set_value(55.0).run()
    assert not at.exception, at.exception
    assert "Appointment-to-next-step ratio is 60 %" not in _coaching_text(at)
    assert "Close ratio is 40 %, below the 65 % target" in _coaching_text(at)


def test_the_funnels_draw_the_coaching_threshold_the_user_chose() -> None:
    at = open_page(new_app(), "magic_number")
    at.number_input(key="coach_p1_pct").set_value(50.0).run()
    at.number_input(key="coach_p2_pct").set_value(50.0).run()
    open_page(at, "funnels")
    chart = at.get("vega_lite_chart")[1].proto  # the per-rep conversions, after the team's funnel
    assert "50 % coaching threshold" in chart.spec + "".join(str(d.data.data) for d in chart.datasets)


def test_headline_metrics_are_short_enough_to_read_and_at_most_four_to_a_row() -> None:
    at = new_app()
    assert all(len(str(m.value)) <= 10 for m in at.metric), [m.value for m in at.metric]
    revenue = next(m for m in at.metric if m.label == "Revenue")
    assert str(revenue.value).endswith("M") and "Exact value: $" in revenue.proto.help.replace("\\", "")


def test_compact_money_keeps_the_currency_and_its_decimal_comma() -> None:
    usd, idr = fmt.currency("USD"), fmt.currency("IDR")
    assert fmt.compact_money(5_612_345, usd) == "$5.6M"
    assert fmt.compact_money(12_500, usd) == "$12,500"
    assert fmt.compact_money(1_500_000, idr) == "Rp 1,5 jt"
    # Not "Rp 1,2 M": Indonesian's M (miliar) is a billion, an English reader's M a million.
    assert fmt.compact_money(1_214_000_000, idr) == "Rp 1,2 miliar"
    assert fmt.compact_money(-2_500_000_000_000, idr) == "-Rp 2,5 triliun"
    assert fmt.compact_money(None, usd) == "n/a"


def test_the_main_charts_offer_a_png_download() -> None:
    at = open_page(new_app(), "magic_number")
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("Download PNG") >= 2


def test_a_chart_spec_renders_to_a_png_image() -> None:
    spec = charts.barometer(0.84, fmt.currency("USD"))
    assert json.dumps(spec.vega)
    assert charts.png_bytes(spec).startswith(b"\x89PNG")


def test_a_charts_file_writes_its_axis_numbers_with_the_currencys_marks() -> None:
    import vl_convert

    counts = charts.ChartSpec(
        {"data": {"values": [{"x": 1234.5}]}, "mark": "bar", "encoding": {"x": {"field": "x", "type": "quantitative"}}}
    )
    assert "1.000" in vl_convert.vegalite_to_svg(charts.in_locale(counts.vega, fmt.currency("IDR")))
    assert "1,000" in vl_convert.vegalite_to_svg(charts.in_locale(counts.vega, fmt.currency("USD")))
    assert charts.png_bytes(counts, fmt.currency("IDR")).startswith(b"\x89PNG")
