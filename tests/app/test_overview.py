"""Team overview: headline KPIs and the per-rep table, equal to kpi_core's own numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from kpi_core import db, queries
from kpi_core.importing import load
from tests.app.conftest import (
    FIXTURES,
    SAMPLE,
    confirm,
    metric,
    new_app,
    open_page,
    sidebar_text,
    upload,
    upload_fixture,
)
from ui import format as fmt


def test_the_sample_data_renders_the_overview_without_an_exception() -> None:
    at = new_app()
    assert at.title[0].value == "How is the team doing?"
    assert len(at.metric) == 7
    assert at.dataframe, "the per-rep KPI table is shown"


def test_the_sidebar_names_the_source_its_rows_the_window_and_the_filters() -> None:
    text = sidebar_text(new_app())
    assert "Source: sample data" in text
    assert "rows loaded" in text
    assert "Window: 2025-12-01" in text
    assert "Filters: none" in text


@pytest.mark.parametrize("file_name", ["canonical.csv", "salesforce.csv", "jakarta.csv", "spellings.csv"])
def test_the_overview_numbers_equal_kpi_core_kpis_for_the_same_file(file_name: str) -> None:
    at = upload_fixture(new_app(), file_name)
    open_page(at, "overview")
    ds = load((FIXTURES / file_name).read_bytes(), file_name)
    cursor = db.session_cursor()
    total = queries.kpis(cursor, ds, "all")[0]
    cur = fmt.currency(ds.report.currency or "USD")  # jakarta.csv's rupiah amounts set the currency
    for name in ("appointments", "p1", "p2", "revenue", "avg_sale", "cycle_days_mean", "weekly_appointments"):
        assert metric(at, fmt.KPI_LABELS[name]) == fmt.compact_kpi(name, total.value(name), cur)
    table = at.dataframe[0].value
    reps = queries.kpis(cursor, ds, "rep")
    assert list(table["Rep"]) == [r.group for r in reps]
    for row, (_, shown) in zip(reps, table.iterrows(), strict=True):
        for name in ("appointments", "won", "p1", "p2", "revenue", "avg_sale", "weekly_appointments"):
            expected = row.value(name)
            if expected is None:
                assert pd.isna(shown[fmt.KPI_LABELS[name]])
            else:
                assert shown[fmt.KPI_LABELS[name]] == pytest.approx(expected)


def test_the_currency_setting_formats_every_amount() -> None:
    at = new_app()
    at.session_state["currency"] = "IDR"
    at.run()
    assert metric(at, "Revenue").startswith("Rp ")
    assert "," in metric(at, "Revenue"), "Indonesian decimals use a comma: Rp 5,7 jt"
    exact = next(m for m in at.metric if m.label == "Revenue").proto.help
    assert "Rp" in exact and "." in exact, "the help gives the exact amount with thousands dots"


def test_a_team_filter_changes_the_headline_numbers() -> None:
    at = new_app()
    everyone = metric(at, "Appointments")
    at.session_state["filter_teams"] = ["North"]
    at.run()
    assert metric(at, "Appointments") != everyone


def test_a_weekly_log_shows_the_kpis_it_can_and_no_misleading_zero() -> None:
    at = upload_fixture(new_app(), "weekly_log.csv")
    open_page(at, "overview")
    assert not at.exception
    assert metric(at, "Sales cycle (mean days)") != "0 days"


def test_the_kpi_table_offers_csv_and_excel_downloads() -> None:
    at = new_app()
    labels = [b.label for b in at.get("download_button")]
    assert "Download CSV" in labels and "Download Excel" in labels


def test_the_sample_file_is_what_the_app_loads_first() -> None:
    at = new_app()
    ds = load((SAMPLE / "opportunities.csv").read_bytes(), "opportunities.csv")
    total = queries.kpis(db.session_cursor(), ds, "all")[0]
    assert metric(at, "Appointments") == fmt.kpi("appointments", total.appointments, fmt.currency("USD"))


def test_one_row_per_offers_the_columns_worth_grouping_not_the_opportunity_id() -> None:
    at = new_app()
    assert at.selectbox(key="overview_group_by").options == ["Rep", "Team", "Region", "Product"]


def test_the_sidebar_filters_offer_every_team_and_a_column_of_many_accounts() -> None:
    """60 teams all in the Teams filter (it listed 51); an account column of 85 values gets a filter
    (columns of up to 200 values do; an id column, one value a row, does not)."""
    lines = ["rep,team,account,opportunity_id,first_appointment"]
    lines += [f"Rep {i},Team {i % 60:02d},Account {i % 85:02d},OPP-{i},2026-01-05" for i in range(600)]
    at = confirm(upload(new_app(), "many.csv", ("\n".join(lines) + "\n").encode()))
    assert len(at.sidebar.multiselect(key="filter_teams").options) == 60
    labels = [m.label for m in at.sidebar.multiselect]
    assert "account" in labels and "opportunity_id" not in labels


def test_a_table_by_an_extra_column_is_headed_by_that_columns_name() -> None:
    """It read "Value", on screen and in the downloads."""
    at = new_app()
    at.selectbox(key="overview_group_by").set_value("Region").run()
    assert at.dataframe[0].value.columns[0] == "Region"
