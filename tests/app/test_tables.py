"""The KPI table's frame: raw numbers (so columns sort), NaN where a KPI is undefined."""

from __future__ import annotations

import json
import math

import numpy as np

from kpi_core.model import KpiRow
from tests.app.conftest import new_app, open_page
from ui.format import KPI_LABELS
from ui.tables import TABLE_KPIS, kpi_frame

ANA = KpiRow("Ana", None, 10, 5, 2, 0.5, 0.4, 1_500_000.0, 750_000.0, 12.5, 12.0, 4.0, 2.5)
BUDI = KpiRow("Budi", "North", 3, 0, 0, 0.0, None, None, None, None, None, 4.0, 0.75)


def test_one_row_per_group_with_every_kpi_as_a_number() -> None:
    frame = kpi_frame([ANA, BUDI], "Rep", with_team=True)
    assert list(frame.columns) == ["Rep", "Team", *(KPI_LABELS[n] for n in TABLE_KPIS)]
    assert frame["Rep"].tolist() == ["Ana", "Budi"]
    assert frame["Team"].isna().tolist() == [True, False] and frame["Team"][1] == "North"
    for name in TABLE_KPIS:
        column = frame[KPI_LABELS[name]]
        assert column.dtype == np.float64
        for row, got in zip((ANA, BUDI), column, strict=True):
            want = row.value(name)
            assert math.isnan(got) if want is None else got == want, (name, row.group)
    assert frame[KPI_LABELS["revenue"]].tolist()[0] == 1_500_000.0
    assert math.isnan(frame[KPI_LABELS["p2"]][1])  # undefined, not 0


def test_without_teams_and_without_rows() -> None:
    frame = kpi_frame([ANA], "Value", with_team=False)
    assert list(frame.columns)[:2] == ["Value", KPI_LABELS[TABLE_KPIS[0]]]
    empty = kpi_frame([], "Rep", with_team=True)
    assert len(empty) == 0 and empty["Rep"].dtype == object
    assert all(empty[KPI_LABELS[n]].dtype == np.float64 for n in TABLE_KPIS)


def test_an_undefined_kpi_reads_n_a_in_the_tables_not_none() -> None:
    """The grid drew a missing number as "None", whatever the table's formatting said."""
    at = new_app()
    assert at.dataframe[0].proto.placeholder == "n/a"
    at = open_page(at, "peers")
    table = next(d for d in at.dataframe if "Flags" in d.value.columns)
    assert table.proto.placeholder == "n/a"
    helps = json.loads(table.proto.columns)
    assert helps["Close ratio"]["help"].startswith("Won / next steps")


def test_a_column_named_like_a_kpi_keeps_its_values() -> None:
    """Security audit: an extra column called "Revenue", chosen in "One row per", lost its values
    (North, South) to the Revenue KPI's numbers, in the table and its downloads."""
    north = KpiRow("North", None, 10, 5, 2, 0.5, 0.4, 1_500_000.0, 750_000.0, 12.5, 12.0, 4.0, 2.5)
    for label in ("Revenue", "won", "Team"):
        frame = kpi_frame([north], label, with_team=label == "Team")
        assert frame[f"{label} (column)"].tolist() == ["North"]
        assert frame[KPI_LABELS["revenue"]].tolist() == [1_500_000.0]
        assert len(set(frame.columns)) == len(frame.columns)
    assert kpi_frame([north], "Region", with_team=False).columns[0] == "Region"
