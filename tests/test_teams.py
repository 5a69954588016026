"""A team list (a second file: rep -> team, and other columns) joined to a pipeline
(``kpi_core.teams``): the peer groups of a CRM export that names no team.

Hand-computed: tests/fixtures/team_list.csv joined to spellings.csv (its reps' KPIs are in
expected.py, ``SPELLINGS``). The list puts Andi Pratama and Citra (listed as "citra") under Rina,
Budi Santoso under Tono; Dewi Lestari has no row in the pipeline; line 6 names no rep.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from kpi_core import queries
from kpi_core.errors import MappingError, UnreadableFileError
from kpi_core.importing import LoadOptions, load
from kpi_core.model import Filters
from kpi_core.peers import compare_peers
from kpi_core.teams import read_team_list, with_teams

from .conftest import EXPECTED, FIXTURES, ROOT, cli

PIPELINE = (FIXTURES / "spellings.csv").read_bytes()
LIST = (FIXTURES / "team_list.csv").read_bytes()
WEEKS = 22 / 7
# Rina: Andi (4 appointments, 3 advanced, 2 won, 4000; cycles 18 and 20 days) + Citra (2, 1, 0, 0).
# Tono: Budi (2, 1, 1, 2000; cycle 16 days).
TEAMS: dict[str, dict[str, Any]] = {
    "Rina": {
        "appointments": 6,
        "advanced": 4,
        "won": 2,
        "p1": 4 / 6,
        "p2": 2 / 4,
        "revenue": 4000.0,
        "avg_sale": 2000.0,
        "cycle_days_mean": 19.0,
        "cycle_days_median": 19.0,
        "weeks": WEEKS,
        "weekly_appointments": 6 / WEEKS,
    },
    "Tono": {
        "appointments": 2,
        "advanced": 1,
        "won": 1,
        "p1": 1 / 2,
        "p2": 1.0,
        "revenue": 2000.0,
        "avg_sale": 2000.0,
        "cycle_days_mean": 16.0,
        "cycle_days_median": 16.0,
        "weeks": WEEKS,
        "weekly_appointments": 2 / WEEKS,
    },
}
NOTES = [
    "Teams from team_list.csv (column 'Manager', reps in 'Sales Agent'): 3 of this file's 3 reps are in it.",
    "1 rep of team_list.csv has no row in this file: 'Dewi Lestari'.",
    "1 line of team_list.csv was not used: line 6 has no rep.",
    "Its other columns are kept for filtering and grouping: 'Kota'.",
]


def _joined(options: LoadOptions = LoadOptions()) -> Any:
    return with_teams(load(PIPELINE, "spellings.csv", options), read_team_list(LIST, "team_list.csv"))


def _assert_kpis(rows: dict[str, Any], expected: dict[str, dict[str, Any]]) -> None:
    assert set(rows) == set(expected)
    for group, want in expected.items():
        for key, value in want.items():
            got = (
                rows[group].value(key) if key not in ("appointments", "advanced", "won") else getattr(rows[group], key)
            )
            assert got == pytest.approx(value, rel=1e-12), (group, key)


def test_each_rep_takes_the_team_the_list_names(cursor: Any) -> None:
    ds = _joined()
    _assert_kpis({r.group: r for r in queries.kpis(cursor, ds, "team")}, TEAMS)
    reps = {r.group: r.team for r in queries.kpis(cursor, ds, "rep")}
    assert reps == {"Andi Pratama": "Rina", "Budi Santoso": "Tono", "Citra": "Rina"}
    assert ds.rep_teams == (("Andi Pratama", "Rina"), ("Budi Santoso", "Tono"), ("Citra", "Rina"))
    assert ds.has_teams and ds.team_list == "team_list.csv"
    # The rep KPIs are the file's (expected.py): only the teams changed.
    for r in queries.kpis(cursor, ds, "rep"):
        assert r.appointments == EXPECTED.SPELLINGS["reps"][r.group]["appointments"]


def test_the_report_says_what_was_found_and_what_was_not() -> None:
    notes = _joined().report.notes
    assert list(notes[-4:]) == NOTES


def test_the_lists_other_columns_are_extra_columns_to_filter_and_group_by(cursor: Any) -> None:
    ds = _joined()
    assert "Kota" in [d.label for d in ds.dimensions]
    by_city = {r.group: r for r in queries.kpis(cursor, ds, "Kota")}
    _assert_kpis(by_city, {"Jakarta": TEAMS["Rina"], "Surabaya": TEAMS["Tono"]})
    [surabaya] = queries.kpis(cursor, ds, "rep", Filters(dimensions=(("Kota", ("Surabaya",)),)))
    assert surabaya.group == "Budi Santoso"
    assert [r.group for r in queries.kpis(cursor, ds, "team", Filters(teams=("Tono",)))] == ["Tono"]


def test_peers_are_the_other_reps_of_the_lists_team(cursor: Any) -> None:
    from kpi_core.model import PeerSettings

    rows = compare_peers(queries.kpis(cursor, _joined(), "rep"), PeerSettings(min_opportunities=1))
    peers = {p.rep: p.peers for p in rows}
    assert peers == {"Andi Pratama": 1, "Citra": 1, "Budi Santoso": 0}  # Rina's two reps; Tono's one


def test_with_spellings_kept_apart_only_the_names_as_listed_match(cursor: Any) -> None:
    ds = _joined(LoadOptions(one_spelling=False))
    teams = {r.group: r.team for r in queries.kpis(cursor, ds, "rep")}
    assert teams == {
        "Andi Pratama": "Rina",
        "Budi Santoso": "Tono",
        "citra": "Rina",
        # Not listed as spelled here: the file's own team.
        "andi pratama": "north",
        "ANDI  PRATAMA": "North",
        "budi santoso": "South",
        "Citra": "South",
    }
    assert (
        "4 reps are not in team_list.csv, so they keep this file's team in 'Team': 'ANDI  PRATAMA', 'Citra', "
        "'andi pratama', 'budi santoso'."
    ) in ds.report.notes


def test_columns_can_be_chosen_and_a_list_that_cannot_be_used_says_why_in_one_sentence() -> None:
    by_city = read_team_list(LIST, "team_list.csv", team="Kota")
    assert (by_city.team_header, by_city.teams[:2]) == ("Kota", ("Jakarta", "Surabaya"))
    with pytest.raises(MappingError, match="has no column 'Region' for the teams"):
        read_team_list(LIST, "team_list.csv", team="Region")
    with pytest.raises(MappingError, match="cannot both be read from 'Manager'"):
        read_team_list(LIST, "team_list.csv", rep="Manager", team="Manager")
    with pytest.raises(UnreadableFileError, match="has one column"):
        read_team_list(b"Sales Agent\nAndi\n", "one.csv")
    twice = LIST + b"Andi Pratama,Tono,Jakarta\n"
    with pytest.raises(
        UnreadableFileError,
        match=r"'Andi Pratama' is listed twice in t.csv with different teams \('Rina' on line 2, 'Tono' on line 7\)",
    ):
        read_team_list(twice, "t.csv")
    same = read_team_list(LIST + b"Andi Pratama,Rina,Jakarta\n", "t.csv")
    assert same.reps.count("Andi Pratama") == 1  # the same line again: one rep


def test_the_command_line_joins_the_same_team_list() -> None:
    done = cli(
        "kpis", str(FIXTURES / "spellings.csv"), "--teams", str(FIXTURES / "team_list.csv"), "--by", "team",
        "--format", "json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = {r["team"]: r for r in json.loads(done.stdout)}
    assert set(rows) == set(TEAMS)
    for team, want in TEAMS.items():
        for key, value in want.items():
            assert rows[team][key] == pytest.approx(value, rel=1e-9), (team, key)
    for note in NOTES:
        assert note in done.stderr
    inspected = cli(
        "inspect", str(FIXTURES / "spellings.csv"), "--teams", str(FIXTURES / "team_list.csv"), "--format", "json"
    )
    assert json.loads(inspected.stdout)["team_list"] == "team_list.csv"
    assert "Kota" in json.loads(inspected.stdout)["extra_columns"]
    missing = cli("kpis", str(FIXTURES / "spellings.csv"), "--teams", str(FIXTURES / "nope.csv"))
    assert missing.returncode == 2 and "The team list" in missing.stderr and "Traceback" not in missing.stderr


CRM = ROOT.parent / "shared" / "data" / "crm-sales-opportunities"


@pytest.mark.skipif(not CRM.exists(), reason="the shared CRM sample is not next to this checkout")
def test_the_public_crm_samples_managers_are_its_teams(cursor: Any) -> None:
    """SOURCE.md: joined on sales_agent, manager is the peer group and regional_office a dimension."""
    import pandas as pd

    from kpi_core.importing import load_path

    ds = with_teams(load_path(CRM / "sales_pipeline.csv"), read_team_list((CRM / "sales_teams.csv").read_bytes(), "t"))
    ours = {r.group: (r.appointments, r.won) for r in queries.kpis(cursor, ds, "team")}
    pipeline = pd.read_csv(CRM / "sales_pipeline.csv").dropna(subset=["engage_date"])
    teams = pd.read_csv(CRM / "sales_teams.csv")
    joined = pipeline.merge(teams, on="sales_agent", how="left", validate="many_to_one")
    theirs = {m: (len(g), int((g["deal_stage"] == "Won").sum())) for m, g in joined.groupby("manager", dropna=False)}
    assert ours == theirs and len(ours) == 6
    assert {r.group for r in queries.kpis(cursor, ds, "regional_office")} == {"Central", "East", "West"}


def test_a_weekly_log_takes_its_teams_from_the_list_too(cursor: Any) -> None:
    """weekly_log.csv (expected.py, WEEKLY_LOG): Eko in North, Fitri in South; the list puts both in
    one team, so the team's KPIs are everyone's."""
    spec = EXPECTED.WEEKLY_LOG
    log = load((FIXTURES / "weekly_log.csv").read_bytes(), "weekly_log.csv")
    ds = with_teams(log, read_team_list(b"Rep,Team,Office\nEko,East,Jakarta\nFitri,East,Jakarta\n", "list.csv"))
    [east] = queries.kpis(cursor, ds, "team")
    [everyone] = queries.kpis(cursor, ds, "all")
    assert east.group == "East"
    assert (east.appointments, east.won, east.revenue) == (everyone.appointments, everyone.won, everyone.revenue)
    assert east.appointments == sum(r["appointments"] for r in spec["reps"].values())
    assert {r.group: r.team for r in queries.kpis(cursor, ds, "rep")} == {"Eko": "East", "Fitri": "East"}
    assert [r.group for r in queries.kpis(cursor, ds, "Office")] == ["Jakarta"]


def test_a_name_two_listed_reps_share_but_for_capitals_matches_neither(cursor: Any) -> None:
    """The list names "citra" (Rina) and "CITRA" (Tono): which one the file's "Citra" is cannot be
    told, so Citra keeps the file's team and the report says she is not in the list."""
    listed = LIST + b"CITRA,Tono,Surabaya\n"
    ds = with_teams(load(PIPELINE, "spellings.csv"), read_team_list(listed, "team_list.csv"))
    teams = {r.group: r.team for r in queries.kpis(cursor, ds, "rep")}
    assert teams == {"Andi Pratama": "Rina", "Budi Santoso": "Tono", "Citra": "South"}
    assert "1 rep is not in team_list.csv, so keeps this file's team in 'Team': 'Citra'." in ds.report.notes
