"""`python -m kpi_core`: the fixed subcommands, output formats and one-sentence errors."""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kpi_core import db
from kpi_core.cli import for_the_command_line
from kpi_core.errors import KpiError

from .conftest import FIXTURES, ROOT, SAMPLE, cli


def as_json(*args: str) -> Any:
    done = cli(*args, "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_inspect_names_the_shape_rows_mapping_and_problems() -> None:
    doc = as_json("inspect", str(FIXTURES / "messy.csv"))
    assert doc["shape"] == "opportunities"
    assert doc["rows"] == 11
    assert doc["mapping"]["rep"] == "Sales Rep"
    assert [p["line"] for p in doc["problems"]["set_aside"]] == [5, 8, 9]
    assert doc["problems"]["unreadable"][0]["column"] == "Amount"


def test_magic_reproduces_the_spec_worked_example() -> None:
    doc = as_json(
        "magic",
        "--goal",
        "600000",
        "--weeks",
        "48",
        "--avg-sale",
        "12500",
        "--p1",
        "0.6",
        "--p2",
        "0.4",
        "--weekly-appointments",
        "3.5",
    )
    assert doc["magic_number"] == pytest.approx(200 / 48)
    assert doc["magic_number_rounded"] == 5
    assert doc["activity_barometer"] == pytest.approx(0.84)
    assert doc["feasible"] is True
    assert set(doc) >= {"goal", "weeks", "avg_sale", "p1", "p2", "weekly_appointments", "message"}


def test_magic_back_solves_the_close_ratio() -> None:
    doc = as_json(
        "magic",
        "--goal",
        "600000",
        "--weeks",
        "48",
        "--avg-sale",
        "12500",
        "--p1",
        "0.6",
        "--weekly-appointments",
        "3.5",
        "--solve",
        "p2",
    )
    assert doc["p2"] == pytest.approx(600000 / (3.5 * 48 * 12500 * 0.6))
    assert doc["magic_number"] == pytest.approx(3.5)


def test_magic_marks_a_solved_ratio_above_100_percent_infeasible() -> None:
    doc = as_json(
        "magic",
        "--goal",
        "600000",
        "--weeks",
        "48",
        "--avg-sale",
        "12500",
        "--p1",
        "0.6",
        "--weekly-appointments",
        "1",
        "--solve",
        "p2",
    )
    assert doc["p2"] == pytest.approx(600000 / (1 * 48 * 12500 * 0.6))
    assert doc["feasible"] is False


def test_magic_without_a_needed_input_says_which() -> None:
    done = cli("magic", "--goal", "1000", "--weeks", "4")
    assert done.returncode == 2
    assert "--avg-sale" in done.stderr and "Traceback" not in done.stderr


def test_kpis_group_by_team_all_and_an_extra_column() -> None:
    teams = as_json("kpis", str(SAMPLE / "opportunities.csv"), "--by", "team")
    everyone = as_json("kpis", str(SAMPLE / "opportunities.csv"), "--by", "all")
    regions = as_json("kpis", str(SAMPLE / "opportunities.csv"), "--by", "Region")
    total = everyone[0]["appointments"]
    assert sum(t["appointments"] for t in teams) == total == sum(r["appointments"] for r in regions)
    assert {"team"} <= set(teams[0]) and "Region" in regions[0]
    won = sum(t["won"] for t in teams)
    assert everyone[0]["p1"] * everyone[0]["p2"] * total == pytest.approx(won)


def test_the_window_and_decided_only_change_the_cohort() -> None:
    path = str(FIXTURES / "canonical.csv")
    full = {r["rep"]: r for r in as_json("kpis", path)}
    january = {r["rep"]: r for r in as_json("kpis", path, "--start", "2026-01-01", "--end", "2026-01-31")}
    decided = {r["rep"]: r for r in as_json("kpis", path, "--decided-only")}
    assert january["Ana"]["appointments"] == 3 and january["Ana"]["weeks"] == pytest.approx(31 / 7)
    assert full["Ana"]["appointments"] == 4 and decided["Ana"]["appointments"] == 3
    assert decided["Ana"]["p1"] * decided["Ana"]["p2"] * decided["Ana"]["appointments"] == pytest.approx(
        decided["Ana"]["won"]
    )


def test_peers_lists_every_kpi_with_value_average_and_deviation() -> None:
    rows = as_json("peers", str(SAMPLE / "opportunities.csv"))
    assert {r["rep"] for r in rows} and all(
        set(r["kpis"]) == {"p1", "p2", "avg_sale", "cycle_days_mean", "weekly_appointments"} for r in rows
    )
    for r in rows:
        for kpi in r["kpis"].values():
            assert set(kpi) == {"value", "peer_average", "deviation"}
        assert set(r["flags"]) <= {"money_left_on_table", "best_practice", "best_on_kpi"}
    small = [r for r in rows if r["appointments"] < 5]
    assert small and all(r["small_sample"] and not r["flags"] for r in small)


def test_csv_and_table_formats_carry_the_same_rows() -> None:
    path = str(FIXTURES / "weekly_log.csv")
    table = cli("kpis", path)
    as_csv = cli("kpis", path, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["rep"] for r in rows] == ["Eko", "Fitri"]
    assert table.stdout.splitlines()[0].split()[:2] == ["rep", "team"]
    assert "n/a" in table.stdout  # the weekly log's median cycle is unavailable


def test_decided_only_on_a_weekly_log_is_one_sentence() -> None:
    done = cli("kpis", str(FIXTURES / "weekly_log.csv"), "--decided-only")
    assert done.returncode == 2
    assert "weekly log" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["kpis", "no/such/file.csv"], "no file"),
        (["kpis", "."], "folder"),
        (["kpis", str(FIXTURES / "canonical.csv"), "--by", "Nope"], "Cannot group by 'Nope'"),
        (["kpis", str(FIXTURES / "canonical.csv"), "--map", "rep=Nope"], "no column 'Nope'"),
        (["kpis", str(FIXTURES / "canonical.csv"), "--start", "soon"], "not a date"),
        (["kpis", str(FIXTURES / "canonical.csv"), "--start", "2026-03-01", "--end", "2026-01-01"], "before it starts"),
    ],
)
def test_bad_input_gets_one_sentence_and_no_traceback(args: list[str], message: str) -> None:
    done = cli(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.parametrize(
    ("bound", "message"),
    [
        # canonical.csv's first appointments run from 2026-01-01 to 2026-02-20; the other end of the
        # window is the data's, which the user never typed (it read "The window ends (2026-02-20) before
        # it starts (2026-05-01)").
        (
            ["--start", "2026-05-01"],
            "The start date 2026-05-01 is after the data's last date (2026-02-20), so the window holds no data; "
            "give a --start on or before 2026-02-20.",
        ),
        (
            ["--end", "2025-05-01"],
            "The end date 2025-05-01 is before the data's first date (2026-01-01), so the window holds no data; "
            "give an --end on or after 2026-01-01.",
        ),
    ],
)
@pytest.mark.parametrize("command", ["kpis", "peers", "weekly"])
def test_a_lone_window_bound_beyond_the_data_names_the_data_s_date(
    command: str, bound: list[str], message: str
) -> None:
    done = cli(command, str(FIXTURES / "canonical.csv"), *bound)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == f"error: {message}"
    assert done.stdout == ""


#: canonical.csv has no first appointment in May 2026.
NOTHING_IN_MAY = "No opportunity's first appointment falls in the window (2026-05-01 to 2026-06-01)."


@pytest.mark.parametrize(
    ("command", "path", "sentence"),
    [
        ("kpis", "canonical.csv", NOTHING_IN_MAY),
        ("peers", "canonical.csv", NOTHING_IN_MAY),
        ("weekly", "canonical.csv", NOTHING_IN_MAY),
        # a weekly log's window runs Monday to Sunday
        ("kpis", "weekly_log.csv", "No week of the log falls in the window (2026-04-27 to 2026-06-07)."),
    ],
)
def test_an_empty_window_is_one_sentence_in_a_table_and_an_empty_list_in_json(
    command: str, path: str, sentence: str
) -> None:
    window = ["--start", "2026-05-01", "--end", "2026-06-01"]
    table = cli(command, str(FIXTURES / path), *window)
    assert table.returncode == 0, table.stderr
    assert table.stdout == sentence + "\n"
    in_json = cli(command, str(FIXTURES / path), *window, "--format", "json")
    assert json.loads(in_json.stdout) == []
    assert f"note: {sentence}" in in_json.stderr


def test_an_empty_window_with_decided_only_says_decided() -> None:
    done = cli(
        "kpis", str(FIXTURES / "canonical.csv"), "--start", "2026-05-01", "--end", "2026-06-01", "--decided-only"
    )
    assert done.stdout == (
        "No decided (won or lost) opportunity's first appointment falls in the window (2026-05-01 to 2026-06-01).\n"
    )


def test_magic_back_solving_for_a_goal_of_zero_keeps_the_rep_s_appointments_and_needs_no_close_ratio() -> None:
    doc = as_json(
        "magic", "--goal", "0", "--weeks", "48", "--avg-sale", "12500", "--p1", "0.6",
        "--weekly-appointments", "3.5", "--solve", "p2",
    )  # fmt: skip
    assert doc["feasible"] is True
    assert doc["p2"] is None
    assert doc["magic_number"] == 3.5  # it read 0.0 while the rep's 3.5 a week were held fixed
    assert doc["message"] == "The goal is 0, so no close ratio is needed: it is reached whatever the close ratio."
    assert doc["warnings"] == []


def test_magic_with_no_selling_weeks_reaches_a_goal_of_zero() -> None:
    doc = as_json(
        "magic", "--goal", "600000", "--weeks", "0", "--avg-sale", "12500", "--p1", "0.6", "--p2", "0.4",
        "--weekly-appointments", "3.5", "--solve", "goal",
    )  # fmt: skip
    assert doc["feasible"] is True
    assert doc["goal"] == 0.0


def test_an_empty_file_exits_non_zero_with_a_sentence(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    done = cli("inspect", str(empty))
    assert done.returncode == 2 and "empty" in done.stderr


def test_the_command_line_hands_arrows_memory_back_at_once() -> None:
    """``python -m kpi_core`` runs on jemalloc with no decay (peak 0.9x the file at 5M rows)."""
    code = (
        "import pyarrow as pa; from kpi_core.cli import return_memory_promptly; "
        "return_memory_promptly(); print(pa.default_memory_pool().backend_name)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["jemalloc"]


def test_the_command_line_reads_files_above_the_apps_upload_cap_unless_one_is_set(tmp_path: Path) -> None:
    """The app's cap protects a shared server; the command line reads from the user's own disk."""
    path = tmp_path / "big.csv"
    rows = "".join(f"Rep {i % 7},2026-01-{1 + i % 28:02d}\n" for i in range(120_000))
    path.write_text("Owner,Created\n" + rows)
    assert path.stat().st_size > 1024 * 1024
    env = {k: v for k, v in os.environ.items() if k != "MAGIC_NUMBER_MAX_UPLOAD_MB"}
    run = [sys.executable, "-m", "kpi_core", "kpis", str(path), "--format", "json"]
    done = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert sum(r["appointments"] for r in json.loads(done.stdout)) == 120_000
    capped = subprocess.run(
        run, cwd=ROOT, capture_output=True, text=True, timeout=120, env={**env, "MAGIC_NUMBER_MAX_UPLOAD_MB": "1"}
    )
    assert capped.returncode == 2
    assert "above the 1 MB limit (MAGIC_NUMBER_MAX_UPLOAD_MB)" in capped.stderr


def test_csv_output_never_carries_a_live_formula_and_counts_are_whole(tmp_path: Path) -> None:
    """As the app's downloads: a rep named "=SUM(A1)" comes out as text a spreadsheet will not run."""
    path = tmp_path / "f.csv"
    path.write_text("Sales Rep,Created Date,Outcome,Amount\n=SUM(A1),2026-01-05,Won,100\n-Ana,2026-01-06,Lost,\n")
    done = cli("kpis", str(path), "--format", "csv")
    assert done.returncode == 0, done.stderr
    reps = [line.split(",")[0] for line in done.stdout.splitlines()[1:]]
    assert sorted(reps) == ["'-Ana", "'=SUM(A1)"]
    weekly = cli("weekly", str(ROOT / "sample_data" / "opportunities.csv"), "--format", "json")
    assert all(isinstance(r["appointments"], int) for r in json.loads(weekly.stdout))


def test_the_magic_number_can_be_named_as_what_to_solve_and_a_peer_threshold_must_be_one_or_more() -> None:
    args = ("magic", "--goal", "600000", "--weeks", "48", "--avg-sale", "12500", "--p1", "0.6", "--p2", "0.4")
    default, named = cli(*args, "--format", "json"), cli(*args, "--solve", "magic_number", "--format", "json")
    assert named.returncode == 0, named.stderr
    assert json.loads(named.stdout)["magic_number"] == json.loads(default.stdout)["magic_number"]
    refused = cli("peers", str(SAMPLE / "opportunities.csv"), "--min-opportunities", "0")
    assert refused.returncode == 2
    assert "0 is fewer than 1 opportunity; give 1 or more" in refused.stderr and "Traceback" not in refused.stderr


def _cli_with(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m kpi_core ARGS`` with ``env`` over a clean environment (no limit variables)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MAGIC_NUMBER_")}
    return subprocess.run(
        [sys.executable, "-m", "kpi_core", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, **env},
        check=False,
    )


@pytest.mark.parametrize("typed", ["abc", "-5", "0", "200MB"])
def test_an_unreadable_upload_cap_says_so_in_one_sentence_and_the_cap_stays_200_mb(typed: str) -> None:
    """It fell back to 200 MB without a word (and 0 or -5 refused every file, "above the 1 KB limit")."""
    done = _cli_with({"MAGIC_NUMBER_MAX_UPLOAD_MB": typed}, "kpis", str(FIXTURES / "canonical.csv"), "--by", "all")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == (
        f"MAGIC_NUMBER_MAX_UPLOAD_MB='{typed}' is not a number of megabytes above 0; using 200 MB."
    )


def test_an_upload_cap_with_decimals_is_that_many_megabytes(tmp_path: Path) -> None:
    """MAGIC_NUMBER_MAX_UPLOAD_MB=1.5 capped at 200 MB, silently."""
    path = tmp_path / "big.csv"
    path.write_text("Owner,Created\n" + "Rep 1,2026-01-05\n" * 100_000)  # 1.6 MB
    assert 1.5 * 2**20 < path.stat().st_size < 2 * 2**20
    capped = _cli_with({"MAGIC_NUMBER_MAX_UPLOAD_MB": "1.5"}, "kpis", str(path), "--by", "all")
    assert capped.returncode == 2
    assert "big.csv is 1.6 MB, above the 1.5 MB" in capped.stderr
    loaded = _cli_with({"MAGIC_NUMBER_MAX_UPLOAD_MB": "1.7"}, "kpis", str(path), "--by", "all")
    assert loaded.returncode == 0, loaded.stderr
    assert "megabytes" not in loaded.stderr


@pytest.mark.parametrize(
    ("variable", "typed", "sentence"),
    [
        ("MAGIC_NUMBER_MAX_ROWS", "1.5", "is not a whole number of rows above 0; using 6,000,000."),
        ("MAGIC_NUMBER_MAX_COLUMNS", "lots", "is not a whole number of columns above 0; using 500."),
        ("MAGIC_NUMBER_MAX_UNZIPPED_MB", "-1", "is not a number of megabytes above 0; using 500 MB."),
    ],
)
def test_every_unreadable_limit_says_so(variable: str, typed: str, sentence: str) -> None:
    done = _cli_with({variable: typed}, "inspect", str(FIXTURES / "canonical.csv"))
    assert done.returncode == 0, done.stderr
    assert f"{variable}='{typed}' {sentence}" in done.stderr.splitlines()


def test_an_empty_limit_variable_is_no_limit_set_and_says_nothing() -> None:
    done = _cli_with(
        {"MAGIC_NUMBER_MAX_UPLOAD_MB": "", "MAGIC_NUMBER_MAX_ROWS": " "}, "inspect", str(FIXTURES / "canonical.csv")
    )
    assert done.returncode == 0, done.stderr
    assert "MAGIC_NUMBER" not in done.stderr


@functools.cache
def _sample_kpis_by(by: str, *more: str) -> Any:
    return as_json("kpis", str(SAMPLE / "opportunities.csv"), "--by", by, *more)


@pytest.mark.parametrize(
    ("by", "grouping"),
    [
        ("Team", "team"),  # the file's header of the team column
        ("  team ", "team"),
        ("Sales Rep", "rep"),
        ("sales   REP", "rep"),
        ("region", "Region"),  # an extra column's header, capitals aside
        ("ALL", "all"),
    ],
)
def test_kpis_group_by_the_file_s_own_header_as_by_what_it_is_mapped_to(by: str, grouping: str) -> None:
    """``--by Team`` was refused ("Cannot group by 'Team'; choose one of: rep, team, ..."), the file's own header."""
    assert _sample_kpis_by(by) == _sample_kpis_by(grouping)


def test_kpis_group_by_a_team_list_s_own_headers() -> None:
    joined = ("kpis", str(FIXTURES / "spellings.csv"), "--teams", str(FIXTURES / "team_list.csv"), "--format", "json")
    by = {name: cli(*joined, "--by", name) for name in ("team", "Manager", "Kota", "kota", "sales agent", "rep")}
    assert all(done.returncode == 0 for done in by.values()), {n: d.stderr for n, d in by.items()}
    assert json.loads(by["Manager"].stdout) == json.loads(by["team"].stdout)
    assert json.loads(by["kota"].stdout) == json.loads(by["Kota"].stdout)
    assert json.loads(by["sales agent"].stdout) == json.loads(by["rep"].stdout)


@pytest.mark.parametrize(
    ("by", "sentence"),
    [
        (
            "Nope",
            "Cannot group by 'Nope'; give --by rep (or 'Sales Rep'), team (or 'Team'), all, or an extra column: "
            "'Opportunity ID', 'Region', 'Product' (capitals and spaces aside).",
        ),
        (
            "stage",
            "Cannot group by 'stage', the file's stage column; give --by rep (or 'Sales Rep'), team (or 'Team'), "
            "all, or an extra column: 'Opportunity ID', 'Region', 'Product' (capitals and spaces aside).",
        ),
    ],
)
def test_an_unknown_grouping_is_refused_with_every_name_by_takes(by: str, sentence: str) -> None:
    done = cli("kpis", str(SAMPLE / "opportunities.csv"), "--by", by)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == f"error: {sentence}"


def _all(*args: str) -> subprocess.CompletedProcess[str]:
    return cli("kpis", *args, "--by", "all", "--format", "json")


def test_a_won_value_that_matches_nothing_is_refused_with_the_values_the_column_holds() -> None:
    """A typo in --won-value loaded without a word: no sale at all, every ratio after it wrong."""
    done = _all(str(SAMPLE / "opportunities.csv"), "--won-value", "Clsoed Won")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        "error: --won-value 'Clsoed Won' matches no value of 'Outcome', which holds 'Lost', 'Won'; "
        "give each value as the file writes it, capitals and spaces included.\n"
    )


def test_a_chosen_value_in_other_capitals_is_refused_and_names_the_file_s_spelling() -> None:
    """The import matches a chosen value exactly (capitals included), so 'menang' reads no 'Menang' as won."""
    done = _all(str(FIXTURES / "jakarta.csv"), "--won-value", "menang")
    assert done.returncode == 2
    assert done.stderr == (
        "error: --won-value 'menang' (did you mean 'Menang'?) matches no value of 'Status', which holds 'Menang', "
        "'Kalah', 'Terbuka'; give each value as the file writes it, capitals and spaces included.\n"
    )


def test_an_advanced_stage_that_matches_nothing_is_refused_and_the_nearest_stage_named() -> None:
    done = _all(str(FIXTURES / "salesforce.csv"), "--advanced-stage", "Negotiation/Reveiw")
    assert done.returncode == 2
    assert done.stderr.startswith(
        "error: --advanced-stage 'Negotiation/Reveiw' (did you mean 'Negotiation/Review'?) matches no value of "
        "'Stage', which holds "
    )
    assert done.stderr.endswith(", ...; give each value as the file writes it, capitals and spaces included.\n")


def test_values_of_which_some_match_warn_of_the_others_and_use_those_that_match() -> None:
    path = str(FIXTURES / "salesforce.csv")
    some = _all(path, "--advanced-stage", "Proposal/Price Quote", "--advanced-stage", "Negotation/Review")
    assert some.returncode == 0, some.stderr
    assert some.stderr.splitlines()[0] == (
        "warning: --advanced-stage 'Negotation/Review' (did you mean 'Negotiation/Review'?) matches no value of "
        "'Stage', which holds 'Closed Won', 'Closed Lost', 'Needs Analysis', 'Negotiation/Review', "
        "'Proposal/Price Quote', ...; only 'Proposal/Price Quote' is used."
    )
    alone = _all(path, "--advanced-stage", "Proposal/Price Quote")
    assert json.loads(some.stdout) == json.loads(alone.stdout)


@pytest.mark.parametrize(
    "args",
    [
        ["--won-value", "won"],  # a standard word, read in any capitals (spec 1c)
        ["--won-value", "Won", "--lost-value", "LOST"],
        ["--advanced-stage", ""],  # an empty value: no stage means next step or later
    ],
)
def test_values_the_import_reads_pass_without_a_word(args: list[str]) -> None:
    done = _all(str(SAMPLE / "opportunities.csv"), *args)
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr and "matches no value" not in done.stderr


def test_an_empty_advanced_stage_means_none() -> None:
    path = str(FIXTURES / "salesforce.csv")
    [proposed], [none] = json.loads(_all(path).stdout), json.loads(_all(path, "--advanced-stage", "").stdout)
    assert (proposed["advanced"], none["advanced"], none["won"]) == (6, 4, 4)  # only the won passed the gate


def test_chosen_values_without_a_column_to_match_are_refused() -> None:
    done = _all(str(FIXTURES / "canonical.csv"), "--map", "stage=", "--advanced-stage", "Demo")
    assert done.returncode == 2
    assert done.stderr == (
        "error: --advanced-stage needs a stage column, and no column is mapped to it; "
        "name the file's column with --map stage=HEADER.\n"
    )


def test_chosen_values_on_a_weekly_log_are_said_to_be_unused() -> None:
    done = _all(str(FIXTURES / "weekly_log.csv"), "--won-value", "Closed", "--advanced-stage", "Demo")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == (
        "warning: --advanced-stage and --won-value are not used: a weekly log counts next steps and wins in columns "
        "of its own."
    )


#: Words of the app's advice ("upload again", "choose ... on the Data page") that tell a command-line user nothing.
APP_WORDS = re.compile(r"upload|Data page|choose|server|this app|untick|mark their stage", re.IGNORECASE)
#: Sentences left in the app's words: other tests read them on the command line as they are.
PINNED = (
    "contains binary data, not text; upload the CSV or Excel export",  # tests/test_bad_inputs.py
    "usually an unclosed quote; fix that line and upload again.",  # tests/test_bad_inputs.py
)

#: Every bad input of tests/bad_inputs through the command line's main(), in one process: what each printed on stderr.
_EVERY_BAD_INPUT = """
import contextlib, io, json, sys, tempfile
from pathlib import Path
from kpi_core.cli import main
from tests.bad_inputs.make_cases import CASES
printed = {}
with tempfile.TemporaryDirectory() as tmp:
    for case in CASES:
        (Path(tmp) / case.name).mkdir()
        stderr = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr):
            main(["inspect", str(case.write(Path(tmp) / case.name))])
        printed[case.name] = stderr.getvalue()
print(json.dumps(printed))
"""


def test_every_bad_input_s_refusal_and_notes_are_worded_for_the_command_line() -> None:
    """kpi_core's sentences told a command-line user to "upload again" or "choose which one the file uses"."""
    done = subprocess.run(
        [sys.executable, "-c", _EVERY_BAD_INPUT], cwd=ROOT, capture_output=True, text=True, timeout=300, check=True
    )
    printed: dict[str, str] = json.loads(done.stdout)
    assert len(printed) >= 50
    app_worded = [
        f"{case}: {line}"
        for case, stderr in printed.items()
        for line in stderr.splitlines()
        if APP_WORDS.search(line) and not any(p in line for p in PINNED)
    ]
    assert app_worded == []


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (
            ["kpis", str(FIXTURES / "indonesia_ambiguous.csv")],
            "The dates in 'Tanggal Appointment' fit both dd/mm/yyyy and mm/dd/yyyy (no day is above 12); "
            "rerun with --date-format dd/mm/yyyy or --date-format mm/dd/yyyy.",
        ),
        (
            ["kpis", str(FIXTURES / "team_list.csv")],
            "No column is mapped to the first-appointment (created) date ('first_appointment'); name it with "
            "--map first_appointment=HEADER (the file's columns: 'Sales Agent', 'Manager', 'Kota').",
        ),
        (
            ["kpis", str(FIXTURES / "canonical.csv"), "--map", "rep="],
            "No column is mapped to the salesperson ('rep'); name it with --map rep=HEADER (the file's columns: "
            "'rep', 'team', 'first_appointment', 'next_step', 'stage', 'outcome', 'close_date', 'amount').",
        ),
        (
            ["kpis", str(FIXTURES / "canonical.csv"), "--map", "owner=rep"],
            "'owner' is not a column --map takes; give --map one of: rep, first_appointment, next_step, stage, "
            "outcome, close_date, amount, team.",
        ),
        (
            ["kpis", str(FIXTURES / "canonical.csv"), "--date-format", "yyyy/dd"],
            "'yyyy/dd' is not a date format --date-format knows; give one such as dd/mm/yyyy, mm/dd/yyyy or "
            "yyyy-mm-dd.",
        ),
        (
            ["kpis", str(FIXTURES / "canonical.csv"), "--start", "2026-03-01", "--end", "2026-01-01"],
            "The window ends (2026-01-01) before it starts (2026-03-01); give an --end on or after the --start.",
        ),
        (
            ["kpis", str(FIXTURES / "weekly_log.csv"), "--decided-only"],
            "A weekly log does not say which opportunities are still open, so --decided-only is not available for "
            "it; run without it.",
        ),
        (
            ["kpis", str(FIXTURES / "canonical.csv"), "--teams", str(FIXTURES / "team_list.csv"),
             "--team-column", "Sales Agent"],
            "The reps and their teams cannot both be read from 'Sales Agent'; give the team list's column of teams "
            "with --team-column HEADER.",
        ),
        (
            ["magic", "--goal", "600000", "--weeks", "48", "--avg-sale", "12500", "--p1", "60", "--p2", "0.4"],
            "The appointment-to-next-step ratio (--p1) is a fraction between 0 and 1 (0 % to 100 %); got 60.0.",
        ),
    ],
)  # fmt: skip
def test_a_refusal_names_the_flag_that_answers_it(args: list[str], sentence: str) -> None:
    done = cli(*args)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == f"error: {sentence}"


@pytest.mark.parametrize(
    ("rows", "sentence"),
    [
        (
            ["Sales Rep,Created Date,Amount", 'Ana,2026-01-05,"1,500"', 'Budi,2026-01-06,"2,500"'],
            "Numbers in 'Amount' such as '1,500' can be read with '.' or ',' as the decimal mark; rerun with "
            "--decimal . (a dot) or --decimal , (a comma).",
        ),
        (
            ["Sales Rep,Created Date", "Ana,soon", "Budi,later"],
            "No value in 'Created Date' can be read as a date (e.g. 'soon'); name the column that holds the "
            "first-appointment or created date with --map first_appointment=HEADER, or give its dates' format "
            "with --date-format.",
        ),
        ([""], "pipeline.csv is empty; export the pipeline again and run the command on that file."),
        (
            ["Sales Rep,Created Date"],
            "pipeline.csv has a header row but no data rows; export the pipeline again with its rows and run the "
            "command on that.",
        ),
    ],
)
def test_a_refusal_of_a_file_says_what_to_do_on_the_command_line(
    rows: list[str], sentence: str, tmp_path: Path
) -> None:
    path = tmp_path / "pipeline.csv"
    path.write_text("\n".join(rows) + "\n")
    done = cli("kpis", str(path))
    assert done.returncode == 2
    assert done.stderr == f"error: {sentence}\n"


@pytest.mark.parametrize(
    ("variable", "value", "sentence"),
    [
        (
            "MAGIC_NUMBER_MAX_ROWS",
            "3",
            "canonical.csv has more than 3 data rows, above the row limit (MAGIC_NUMBER_MAX_ROWS); filter the export "
            "to a shorter period, or set MAGIC_NUMBER_MAX_ROWS higher, and run the command again.",
        ),
        (
            "MAGIC_NUMBER_MAX_COLUMNS",
            "3",
            "canonical.csv has 8 columns, above the limit of 3 (MAGIC_NUMBER_MAX_COLUMNS); export only the columns "
            "you need, or set MAGIC_NUMBER_MAX_COLUMNS higher, and run the command again.",
        ),
    ],
)
def test_a_limit_says_which_variable_sets_it(variable: str, value: str, sentence: str) -> None:
    done = _cli_with({variable: value}, "kpis", str(FIXTURES / "canonical.csv"))
    assert done.returncode == 2
    assert done.stderr == f"error: {sentence}\n"


def test_a_query_out_of_time_names_its_variable_and_the_window_flags() -> None:
    """The sentence db.run raises (a query stopped by the clock is hard to bring about on purpose in a command)."""
    with pytest.raises(KpiError) as stopped:
        db.run(db.session_cursor(), "SELECT count(*) FROM range(10000000000) WHERE hash(range) % 7 = 0", seconds=0.05)
    assert for_the_command_line(str(stopped.value)) == (
        "This question took longer than 0.05 s, the limit (MAGIC_NUMBER_QUERY_SECONDS); narrow the window with "
        "--start and --end, or set MAGIC_NUMBER_QUERY_SECONDS higher, and run the command again."
    )


def test_the_report_s_notes_name_the_flags_not_the_data_page() -> None:
    spellings = cli("kpis", str(FIXTURES / "spellings.csv"))
    assert spellings.returncode == 0, spellings.stderr
    assert "as 'Andi Pratama'; 'budi santoso' as 'Budi Santoso'; 'citra' as 'Citra' (--keep-spellings)." in (
        spellings.stderr
    )
    lost = cli("kpis", str(FIXTURES / "salesforce.csv"))
    assert (
        "note: None of the 2 lost opportunities counts as having passed the first gate, so the close ratio only sees "
        "won deals; if lost deals had reached a demo or proposal, give every stage that means next step or later "
        "with --advanced-stage (it replaces the proposed stages).\n"
    ) in lost.stderr
    assert not APP_WORDS.search(spellings.stderr + lost.stderr)


def test_terminal_control_characters_in_the_data_are_printed_visibly(tmp_path: Path) -> None:
    """Security audit: a rep named with an escape sequence ("\\x1b]52;c;...\\x07" sets a terminal's
    clipboard, "\\x1b[2K" erases a line) was printed raw by the table, the CSV and the report on
    stderr. They are written as \\u001b and the like; JSON keeps the exact text (its own escapes)."""
    evil = "\x1b]52;c;ZXZpbA==\x07\x1b[31mEvil\x1b[0m"
    rows = [f'"{evil}",2026-01-0{d},won,100' for d in range(1, 4)] + ["Ana,2026-01-05,won,\x1b[2Kbad"]
    rows += [f"Budi,2026-01-{d:02d},lost,100" for d in range(1, 29)] * 4  # not a binary file: a few controls
    path = tmp_path / "controls.csv"
    path.write_text("rep,first_appointment,outcome,amount\n" + "\n".join(rows) + "\n", encoding="utf-8")
    for fmt in ("table", "csv"):
        done = cli("kpis", str(path), "--format", fmt)
        assert done.returncode == 0, done.stderr
        for text in (done.stdout, done.stderr):
            assert not any(ch in text for ch in "\x1b\x07"), (fmt, text)
        assert "\\u001b]52;c;ZXZpbA==\\u0007\\u001b[31mEvil" in done.stdout
        assert "'\\u001b[2Kbad'" in done.stderr
    done = cli("kpis", str(path), "--format", "json")
    assert sorted(row["rep"] for row in json.loads(done.stdout)) == sorted(["Ana", "Budi", evil])


@pytest.mark.parametrize("fmt", ["%Q", "%d/%m", "%m-%Y"])
def test_a_date_format_that_reads_no_whole_date_is_refused(fmt: str) -> None:
    """--date-format %Q (no such directive) or %d/%m (no year) loaded no first appointment at all,
    and the command printed an empty window instead of saying why."""
    done = cli("kpis", str(SAMPLE / "opportunities.csv"), "--date-format", fmt)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        f"error: '{fmt}' is not a date format --date-format knows; give one such as dd/mm/yyyy, mm/dd/yyyy or "
        "yyyy-mm-dd.\n"
    )


@pytest.mark.parametrize("fmt", ["%Y-%m-%d", "yyyy-mm-dd"])
def test_a_whole_date_format_is_taken(fmt: str) -> None:
    done = cli("kpis", str(SAMPLE / "opportunities.csv"), "--date-format", fmt, "--by", "all", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["appointments"] == 1818


def test_a_sheet_given_for_a_csv_file_is_said_to_be_unused() -> None:
    """--sheet on a CSV file passed without a word (a user who exported the wrong file never knew)."""
    done = cli("kpis", str(SAMPLE / "opportunities.csv"), "--sheet", "Pipeline", "--by", "all")
    assert done.returncode == 0
    assert done.stderr.splitlines()[0] == (
        "warning: --sheet is for Excel workbooks; opportunities.csv is read as CSV, so it is not used."
    )
