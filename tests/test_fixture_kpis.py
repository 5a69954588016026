"""KPIs of hand-computed fixture files (tests/fixtures/expected.py), through the API and the CLI."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections import Counter
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_core import queries
from kpi_core.db import register, unregister
from kpi_core.importing import LoadOptions, format_label, load
from kpi_core.model import Dataset, Filters, Shape

from .conftest import EXPECTED, FIXTURES, ROOT, cli

KPI_KEYS = EXPECTED.KPI_KEYS
FILES = [
    "canonical.csv",
    "salesforce.csv",
    "hubspot.csv",
    "pipedrive.csv",
    "weekly_log.csv",
    "messy.csv",
    "jakarta.csv",
    "spellings.csv",
]


def _options(spec: dict[str, Any], date_format: str | None = None) -> LoadOptions:
    stages = tuple(sorted(spec["advanced_stages"])) if spec["shape"] == "opportunities" else None
    return LoadOptions(advanced_stages=stages, date_format=date_format)


def _load(name: str, date_format: str | None = None) -> Dataset:
    spec = EXPECTED.EXPECTED[name]
    return load((FIXTURES / name).read_bytes(), name, _options(spec, date_format))


def _assert_kpis(actual: dict[str, Any], expected: dict[str, Any], where: str) -> None:
    for key in KPI_KEYS:
        want, got = expected[key], actual[key]
        if want is None:
            assert got is None, f"{where} {key}: expected undefined, got {got}"
        else:
            assert got == pytest.approx(want, rel=1e-12), f"{where} {key}"


@pytest.mark.parametrize("name", FILES)
def test_the_proposed_mapping_matches_the_hand_made_one(name: str) -> None:
    spec = EXPECTED.EXPECTED[name]
    ds = _load(name)
    assert ds.shape.value == spec["shape"]
    assert ds.mapping.columns == spec["mapping"]
    assert ds.report.delimiter == spec["delimiter"]


@pytest.mark.parametrize("name", FILES)
def test_every_row_is_accounted_for_with_its_line_and_reason(name: str) -> None:
    spec = EXPECTED.EXPECTED[name]
    report = _load(name).report
    assert report.data_rows == spec["data_rows"]
    assert report.rows_loaded == spec["rows_loaded"]
    assert [r.line for r in report.set_aside] == [r["line"] for r in spec["set_aside"]]
    reasons = {
        "wrong_field_count": "field",
        "no_rep": "no rep",
        "no_first_appointment": "first-appointment",
    }
    for got, want in zip(report.set_aside, spec["set_aside"], strict=True):
        options = [reasons[r] for r in (want["reason"], *want["also"])]
        assert any(o in got.reason for o in options) or "total" in got.reason, got


@pytest.mark.parametrize("name", FILES)
def test_unreadable_values_are_reported_per_column_with_their_lines(name: str) -> None:
    spec = EXPECTED.EXPECTED[name]
    report = _load(name).report
    got = [{"column": u.column, "lines": list(u.example_lines), "values": list(u.examples)} for u in report.unreadable]
    assert got == spec["unreadable"]


@pytest.mark.parametrize("name", FILES)
def test_dates_are_read_in_the_hand_checked_formats(name: str) -> None:
    spec = EXPECTED.EXPECTED[name]
    ds = _load(name)
    # A time of day is dropped before reading the date, so the format named is the date part.
    assert ds.report.date_formats == {h: f.split(" ")[0] for h, f in spec["date_formats"].items()}
    assert ds.first_date == spec["first_date"]
    assert ds.last_date == spec["last_date"]


@pytest.mark.parametrize("name", FILES)
def test_rep_kpis_equal_the_hand_computed_table(name: str, cursor: Any) -> None:
    spec = EXPECTED.EXPECTED[name]
    rows = {r.group: r for r in queries.kpis(cursor, _load(name), "rep")}
    assert set(rows) == set(spec["reps"])
    for rep, want in spec["reps"].items():
        _assert_kpis({k: getattr(rows[rep], k) for k in KPI_KEYS}, want, f"{name} {rep}")
        if spec["rep_teams"] is not None:
            assert rows[rep].team == spec["rep_teams"][rep]


def _stage_args(spec: dict[str, Any]) -> list[str]:
    if spec["shape"] != "opportunities":
        return []
    return [a for s in sorted(spec["advanced_stages"]) for a in ("--advanced-stage", s)]


@pytest.mark.parametrize("name", FILES)
def test_the_cli_prints_the_same_hand_computed_kpis(name: str) -> None:
    spec = EXPECTED.EXPECTED[name]
    done = cli("kpis", str(FIXTURES / name), "--format", "json", *_stage_args(spec))
    assert done.returncode == 0, done.stderr
    rows = {r["rep"]: r for r in json.loads(done.stdout)}
    assert set(rows) == set(spec["reps"])
    for rep, want in spec["reps"].items():
        _assert_kpis(rows[rep], want, f"CLI {name} {rep}")
    assert f"{spec['rows_loaded']} of {spec['data_rows']} data rows loaded" in done.stderr
    assert _lines_set_aside(done.stderr) == sorted(row["line"] for row in spec["set_aside"])


def _lines_set_aside(stderr: str) -> list[int]:
    """Every line the report's "N rows set aside, <reason>: lines 3, 7, 9-11" sentences name."""
    out: list[int] = []
    for runs in re.findall(r"^  \d+ rows? set aside, .*: lines? ([\d, -]+)$", stderr, flags=re.MULTILINE):
        for run in runs.split(", "):
            first, _, last = run.partition("-")
            out += range(int(first), int(last or first) + 1)
    return sorted(out)


def test_ambiguous_dates_are_asked_not_guessed() -> None:
    from kpi_core.errors import AmbiguousFormatError

    spec = EXPECTED.INDONESIA_AMBIGUOUS
    with pytest.raises(AmbiguousFormatError) as err:
        load((FIXTURES / spec["file"]).read_bytes(), spec["file"], _options(spec))
    assert err.value.kind == "date"
    assert err.value.column in spec["ambiguous_date_columns"]
    assert set(err.value.options) == set(spec["ambiguous_date_columns"][err.value.column])
    done = cli("kpis", str(FIXTURES / spec["file"]))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "dd/mm/yyyy" in done.stderr and "mm/dd/yyyy" in done.stderr


@pytest.mark.parametrize("fmt", ["%d/%m/%Y", "%m/%d/%Y"])
def test_the_chosen_date_order_decides_the_window(fmt: str, cursor: Any) -> None:
    spec = EXPECTED.INDONESIA_AMBIGUOUS
    ds = load((FIXTURES / spec["file"]).read_bytes(), spec["file"], _options(spec, format_label(fmt)))
    want = spec["by_date_format"][fmt]
    assert (ds.first_date, ds.last_date) == (want["first_date"], want["last_date"])
    rows = {r.group: r for r in queries.kpis(cursor, ds, "rep")}
    for rep, weekly in want["weekly_appointments"].items():
        assert rows[rep].weeks == pytest.approx(want["weeks"])
        assert rows[rep].weekly_appointments == pytest.approx(weekly)


def test_day_first_indonesian_file_matches_the_hand_computed_table(cursor: Any) -> None:
    spec = EXPECTED.INDONESIA_AMBIGUOUS
    done = cli(
        "kpis", str(FIXTURES / spec["file"]), "--date-format", "dd/mm/yyyy", "--format", "json", *_stage_args(spec)
    )
    assert done.returncode == 0, done.stderr
    rows = {r["rep"]: r for r in json.loads(done.stdout)}
    for rep, want in spec["reps"].items():
        _assert_kpis(rows[rep], want, f"CLI indonesia {rep}")


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("by", ["rep", "team", "all"])
def test_groups_and_total_in_one_scan_equal_the_separate_queries(name: str, by: str, cursor: Any) -> None:
    ds = _load(name)
    rows, total = queries.kpis_with_total(cursor, ds, by)
    separate = queries.kpis(cursor, ds, by)
    (everyone,) = queries.kpis(cursor, ds, "all")
    assert [r.group for r in rows] == [r.group for r in separate]
    assert total is not None
    for got, want in [*zip(rows, separate, strict=True), (total, everyone)]:
        assert (got.group, got.team) == (want.group, want.team)
        for key in KPI_KEYS:
            a, b = getattr(got, key), getattr(want, key)
            assert (a is None and b is None) or a == pytest.approx(b, rel=1e-12), key


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-30, 400), max_size=60))
def test_the_median_from_counts_equals_duckdbs_median(values: list[int]) -> None:
    counts = Counter(values)
    con = duckdb.connect()
    ((expected,),) = con.execute("SELECT median(v) FROM unnest(?::INTEGER[]) AS t(v)", [values]).fetchall()
    assert queries._median(dict(counts)) == (None if expected is None else float(expected))


def test_medians_of_every_group_and_the_total_equal_duckdbs_median_on_the_public_sample(cursor: Any) -> None:
    ds = load((ROOT / "sample_data" / "opportunities.csv").read_bytes(), "opportunities.csv", LoadOptions())
    groups, total = queries.kpis_with_total(cursor, ds, "team")
    name = register(cursor, ds.table)
    try:
        rows = cursor.execute(
            f"SELECT coalesce(team, '{queries.NO_TEAM}'), median(date_diff('day', first_appointment, close_date)) "
            f"FROM {name} WHERE won AND close_date IS NOT NULL GROUP BY ALL"
        ).fetchall()
        ((everyone,),) = cursor.execute(
            f"SELECT median(date_diff('day', first_appointment, close_date)) FROM {name} WHERE won AND close_date IS NOT NULL"
        ).fetchall()
    finally:
        unregister(cursor, name)
    assert {g.group: g.cycle_days_median for g in groups} == {t: float(m) for t, m in rows}
    assert total is not None and total.cycle_days_median == float(everyone)


@pytest.mark.parametrize("name", FILES)
def test_each_reps_team_from_the_dataset_equals_the_most_frequent_team_in_the_window(name: str, cursor: Any) -> None:
    ds = _load(name)
    asked = dataclasses.replace(ds, rep_teams=None)  # the queries work out mode(team) themselves
    decided = () if ds.shape is Shape.WEEKLY_LOG else (Filters(decided_only=True),)
    for filters in (Filters(), *decided):
        fast, slow = queries.kpis(cursor, ds, "rep", filters), queries.kpis(cursor, asked, "rep", filters)
        assert [(r.group, r.team) for r in fast] == [(r.group, r.team) for r in slow]
        assert [r.appointments for r in fast] == [r.appointments for r in slow]


def test_a_rep_in_two_teams_gets_the_most_frequent_team_of_the_window(cursor: Any) -> None:
    rows = ["Owner,Team,Created,Outcome"]
    rows += ["Ana,North,2026-01-05,Won"] * 3 + ["Ana,South,2026-02-10,Lost"] * 5 + ["Budi,,2026-01-06,Lost"]
    ds = load("\n".join(rows).encode(), "moves.csv")
    assert ds.rep_teams is None
    january = Filters(start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31))
    assert [(r.group, r.team) for r in queries.kpis(cursor, ds, "rep", january)] == [("Ana", "North"), ("Budi", None)]
    assert [(r.group, r.team) for r in queries.kpis(cursor, ds, "rep")] == [("Ana", "South"), ("Budi", None)]
    one_team = load("\n".join(rows[:4] + rows[-1:]).encode(), "stays.csv")
    assert one_team.rep_teams == (("Ana", "North"), ("Budi", None))


@pytest.mark.parametrize("name", FILES)
def test_pipelines_from_the_kpi_scan_equal_the_pipeline_query_for_each_rep_and_everyone(name: str, cursor: Any) -> None:
    ds = _load(name)
    for filters in (Filters(), Filters(teams=(queries.NO_TEAM, *(t for _, t in ds.rep_teams or () if t)))):
        answer = queries.kpis_with_total_and_pipelines(cursor, ds, "rep", filters)
        assert (answer.groups, answer.total) == queries.kpis_with_total(cursor, ds, "rep", filters)
        if ds.shape is Shape.WEEKLY_LOG:
            assert answer.pipelines == {}
            continue
        assert set(answer.pipelines) == {None, *(r.group for r in answer.groups)}
        assert answer.pipelines[None] == queries.pipeline(cursor, ds, filters)
        for row in answer.groups:
            narrowed = dataclasses.replace(filters, reps=(row.group,))
            assert answer.pipelines[row.group] == queries.pipeline(cursor, ds, narrowed), row.group
    if ds.shape is Shape.OPPORTUNITIES:
        decided = queries.kpis_with_total_and_pipelines(cursor, ds, "rep", Filters(decided_only=True))
        assert decided.pipelines == {}  # the scan leaves open opportunities out; pipeline() asks itself


def test_filter_choices_of_any_length_match_exactly_their_values(cursor: Any) -> None:
    ds = _load("canonical.csv")
    teams = sorted({t for _, t in ds.rep_teams or () if t})
    one = queries.row_count(cursor, ds, Filters(teams=(teams[0],)))
    padded = (*(f"not a team {i}" for i in range(300)), teams[0], "x' OR '1'='1")
    assert queries.row_count(cursor, ds, Filters(teams=padded)) == one > 0
    assert queries.row_count(cursor, ds, Filters(teams=tuple(teams))) == queries.row_count(cursor, ds, Filters())
    label = ds.dimensions[0].label if ds.dimensions else None
    if label is not None:
        assert queries.row_count(cursor, ds, Filters(dimensions=((label, ()),))) == 0  # an empty choice matches nothing


def test_a_team_literally_called_no_team_is_one_group_with_the_rows_without_a_team(cursor: Any) -> None:
    rows = ["Owner,Team,Created,Outcome"]
    rows += ["Ana,(no team),2026-01-05,Won", "Budi,,2026-01-06,Lost", "Citra,North,2026-01-07,Won"]
    ds = load("\n".join(rows).encode(), "teams.csv")
    by_team = {r.group: r.appointments for r in queries.kpis(cursor, ds, "team")}
    assert by_team == {queries.NO_TEAM: 2, "North": 1}
    plain = load("\n".join(rows[:1] + rows[2:]).encode(), "teams.csv")
    assert {r.group: r.appointments for r in queries.kpis(cursor, plain, "team")} == {queries.NO_TEAM: 1, "North": 1}


def test_a_rep_with_as_many_deals_in_two_teams_always_shows_the_first_by_name(cursor: Any) -> None:
    """A tie is broken by name, the same on every run (DuckDB's ``mode`` picked either team)."""
    rows = ["Owner,Team,Created,Outcome"]
    rows += [f"Ana,{team},2026-01-{day:02d},Lost" for day in range(1, 29) for team in ("South", "North", "East")]
    ds = load("\n".join(rows).encode(), "tie.csv")
    assert ds.rep_teams is None
    shown = {queries.kpis(cursor, ds, "rep")[0].team for _ in range(40)}
    assert shown == {"East"}


@pytest.mark.parametrize("name", FILES)
def test_a_window_holding_every_date_gives_what_comparing_each_date_gives(
    name: str, cursor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a date filter (or with one holding the first and last date) the queries skip
    comparing each row's date; every answer is the same as when they compare."""
    ds = _load(name)
    assert ds.first_date is not None and ds.last_date is not None
    wide = Filters(start=ds.first_date - dt.timedelta(days=3), end=ds.last_date)
    narrow = Filters(start=ds.first_date + dt.timedelta(days=8))  # a week later: a weekly log widens to Mondays

    def answers() -> list[Any]:
        out: list[Any] = []
        for filters in (Filters(), wide, narrow):
            out.append(queries._where(ds, filters, queries.window(ds, filters))[0])
            out += [queries.kpis(cursor, ds, by, filters) for by in ("rep", "team", "all")]
            out.append(queries.row_count(cursor, ds, filters))
            out.append(queries.weekly_appointments_series(cursor, ds, filters))
            if ds.shape is Shape.OPPORTUNITIES:
                out.append(queries.pipeline(cursor, ds, filters))
        return out

    skipping = answers()
    date_col = "week" if ds.shape is Shape.WEEKLY_LOG else "first_appointment"
    clauses = [w for w in skipping if isinstance(w, str)]
    assert [w.startswith(f"{date_col} IS NOT NULL") for w in clauses] == [True, True, False]
    monkeypatch.setattr(queries, "_covers_every_date", lambda ds, win: False)
    comparing = answers()
    assert all(w.startswith(f"{date_col} BETWEEN") for w in comparing if isinstance(w, str))
    assert [a for a in skipping if not isinstance(a, str)] == [a for a in comparing if not isinstance(a, str)]


def _odd_dictionaries(ds: Dataset) -> Dataset:
    """The same cells, each filterable column re-encoded with a null entry first and every text
    twice in its dictionary; empty cells alternate between a missing code and the null entry."""
    import pyarrow as pa

    table = ds.table
    for column in ("rep", "team", *(d.column for d in ds.dimensions)):
        texts = table.column(column).to_pylist()
        distinct = sorted({t for t in texts if t is not None})
        dictionary = pa.array([None, *distinct, *distinct], pa.string())
        codes = [
            (None if i % 2 else 0) if t is None else 1 + distinct.index(t) + (i % 2) * len(distinct)
            for i, t in enumerate(texts)
        ]
        encoded = pa.DictionaryArray.from_arrays(pa.array(codes, pa.int16()), dictionary)
        table = table.set_column(table.column_names.index(column), column, encoded)
    return dataclasses.replace(ds, table=table)


@pytest.mark.parametrize("name", FILES)
def test_filters_on_dictionary_codes_give_what_filters_on_texts_give(
    name: str, cursor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Team, rep and extra-column filters compare codes when a column has one dictionary; every
    answer is the one comparing texts gives, also with a dictionary holding a text twice and a
    null entry."""
    ds = _load(name)
    teams = sorted(queries.distinct_values(cursor, ds, "team"))
    reps = sorted(queries.distinct_values(cursor, ds, "rep"))
    choices = [Filters(teams=(t,)) for t in teams] + [Filters(teams=(queries.NO_TEAM,))]
    choices += [Filters(teams=(teams[0], queries.NO_TEAM, "nobody's team")), Filters(reps=(reps[0],))]
    choices += [Filters(reps=tuple(reps[1:3]), teams=tuple(teams)), Filters(teams=("nobody's team",))]
    for dim in ds.dimensions:
        values = queries.distinct_values(cursor, ds, dim.label)[:2]
        choices += [Filters(dimensions=((dim.label, (*values, queries.BLANK)),))]

    def answers(data: Dataset) -> list[Any]:
        out: list[Any] = []
        for filters in choices:
            out += [queries.kpis(cursor, data, by, filters) for by in ("rep", "team", "all")]
            out.append(queries.row_count(cursor, data, filters))
            if data.shape is Shape.OPPORTUNITIES:
                out.append(queries.pipeline(cursor, data, filters))
        return out

    odd = _odd_dictionaries(ds)
    on_codes, on_odd_codes = answers(ds), answers(odd)
    assert "team__codes" in queries._where(ds, choices[0], queries.window(ds, choices[0]))[0]
    monkeypatch.setattr(queries, "_dictionary", lambda column: None)
    assert "team__codes" not in queries._where(ds, choices[0], queries.window(ds, choices[0]))[0]
    on_texts = answers(ds)
    assert on_codes == on_texts
    assert on_odd_codes == answers(odd) == on_texts
    assert any(isinstance(a, int) and a > 0 for a in on_texts)  # the filters keep rows


@pytest.mark.parametrize("name", FILES)
def test_filters_that_keep_no_row_give_no_groups_no_everyone_row_and_zero_counts(name: str, cursor: Any) -> None:
    """``count_if`` over no rows is NULL in DuckDB: the counts read 0 all the same, and, as
    ``kpis(..., "all")`` says, nothing in the window has no everyone row."""
    ds = _load(name)
    nothing = Filters(teams=("nobody's team",))
    assert queries.kpis(cursor, ds, "all", nothing) == []
    assert queries.kpis_with_total(cursor, ds, "rep", nothing) == ([], None)
    both = queries.kpis_with_total_and_pipelines(cursor, ds, "rep", nothing)
    assert (both.groups, both.total) == ([], None)
    if ds.shape is Shape.OPPORTUNITIES:
        assert queries.pipeline(cursor, ds, nothing) == queries.Pipeline(0.0, 0, 0)
        assert set(both.pipelines.values()) <= {queries.Pipeline(0.0, 0, 0)}
    some = queries.kpis_with_total(cursor, ds, "rep", Filters())
    assert some[1] is not None and some[1].appointments > 0


def test_an_id_column_or_a_column_of_one_value_is_not_offered_as_a_grouping(cursor: Any) -> None:
    content = (
        b"rep,first_appointment,Opportunity ID,Region,Country\n"
        b"Ana,2026-01-05,OPP-1,North,ID\n"
        b"Budi,2026-01-06,OPP-2,South,ID\n"
        b"Citra,2026-01-07,OPP-3,North,ID\n"
        b"Dedi,2026-01-08,OPP-4,,ID\n"
    )
    ds = load(content, "ids.csv", LoadOptions())
    assert [d.label for d in ds.dimensions] == ["Opportunity ID", "Region", "Country"]
    assert queries.groupable_dimensions(cursor, ds) == ["Region"]  # North x2, South, blank
    assert queries.groupable_dimensions(cursor, ds, limit=2) == []


def test_indonesian_outcome_words_are_proposed_and_said_in_the_report() -> None:
    spec = EXPECTED.JAKARTA
    ds = _load("jakarta.csv")
    assert ds.mapping.won_values == spec["won_values"] and ds.mapping.lost_values == spec["lost_values"]
    assert any("'Menang' as won; 'Kalah' as lost" in n for n in ds.report.notes)


def test_a_file_whose_outcomes_read_as_no_sale_at_all_says_which_values_were_read_as_open(cursor: Any) -> None:
    """Chosen values replace the proposal: without 'Menang' nothing is won, and the report names it."""
    content = (FIXTURES / "jakarta.csv").read_bytes()
    ds = load(content, "jakarta.csv", LoadOptions(advanced_stages=(), won_values=()))
    assert all(r.won == 0 for r in queries.kpis(cursor, ds, "rep"))
    (note,) = [n for n in ds.report.notes if n.startswith("No value of 'Status' is read as won")]
    assert "'Menang' is read as open" in note and "Terbuka" not in note, note
    done = cli("kpis", str(FIXTURES / "jakarta.csv"), "--format", "json", "--won-value", "Terbuka")
    assert done.returncode == 0, done.stderr
    assert {r["rep"]: r["won"] for r in json.loads(done.stdout)} == {
        "Andi Wijaya": 0,
        "Budi Santoso": 1,
        "Dewi Lestari": 0,
        "Siti Rahma": 1,
    }, "--won-value replaces the proposal: only the open deals (Terbuka) count as won"
