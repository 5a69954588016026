"""Rep and team names that differ only in capitals or spaces are one rep or team
(``ColumnMapping.one_spelling``), named as most rows name them, and the report says so; the user can
keep them apart. Hand-computed numbers: tests/fixtures/expected.py, ``SPELLINGS``."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pytest

from kpi_core import cells, importing, queries
from kpi_core.importing import LoadOptions, _one_spelling, load
from kpi_core.mapping import with_overrides
from kpi_core.reading import read_file

from .conftest import EXPECTED, FIXTURES, cli

SPEC = EXPECTED.SPELLINGS
CONTENT = (FIXTURES / SPEC["file"]).read_bytes()
CHOICE = (
    "(Data page: untick 'One name for spellings that differ only in capitals or spaces'; "
    "command line: --keep-spellings)."
)


def test_the_report_says_which_spellings_were_read_as_which() -> None:
    notes = load(CONTENT, SPEC["file"]).report.notes
    assert (
        "Rep names that differ only in capitals or spaces are read as one: 'andi pratama' and 'ANDI  PRATAMA' as "
        f"'Andi Pratama'; 'budi santoso' as 'Budi Santoso'; 'citra' as 'Citra' {CHOICE}"
    ) in notes
    assert (
        f"Team names that differ only in capitals or spaces are read as one: 'north' and 'NORTH' as 'North'; "
        f"'south' as 'South' {CHOICE}"
    ) in notes


def test_kept_apart_every_spelling_is_its_own_rep_and_nothing_is_said(cursor: Any) -> None:
    ds = load(CONTENT, SPEC["file"], LoadOptions(one_spelling=False))
    rows = queries.kpis(cursor, ds, "rep")
    assert {r.group for r in rows} == SPEC["kept_apart"]
    assert sum(r.appointments for r in rows) == SPEC["rows_loaded"]
    assert not any("capitals or spaces" in n for n in ds.report.notes)
    teams = {r.group for r in queries.kpis(cursor, ds, "team")}
    assert teams == {"North", "north", "NORTH", "South", "south"}
    # The choice is part of the mapping, so of the dataset's cache key.
    assert ds.mapping.key() != load(CONTENT, SPEC["file"]).mapping.key()


@pytest.mark.parametrize("encoded", [False, True], ids=["plain cells", "dictionary cells"])
def test_the_most_used_spelling_names_a_rep_and_on_a_tie_the_first(encoded: bool) -> None:
    cells = pa.array(
        [
            "dewi",
            "Eko Wibowo",
            "DEWI",
            "Dewi",
            "Dewi",
            "eko wibowo",
            "Fitri",
            "",
            None,
            "Andi\u00a0Pratama",
            "andi pratama",
        ]
    )
    out, note = _one_spelling(cells.dictionary_encode() if encoded else cells, "Rep")
    got = pa.array(out.to_pylist(), pa.string()).to_pylist()
    # Dewi: "Dewi" twice (later in the file) beats "dewi" and "DEWI" once; Eko and Andi: a tie,
    # the first spelling in the file; Fitri alone; empty and missing cells stay as they are.
    assert got == [
        "Dewi",
        "Eko Wibowo",
        "Dewi",
        "Dewi",
        "Dewi",
        "Eko Wibowo",
        "Fitri",
        "",
        None,
        "Andi\u00a0Pratama",
        "Andi\u00a0Pratama",
    ]
    assert note is not None and "'dewi' and 'DEWI' as 'Dewi'; 'eko wibowo' as 'Eko Wibowo'" in note


@pytest.mark.parametrize("encoded", [False, True], ids=["plain cells", "dictionary cells"])
def test_names_with_one_spelling_each_are_left_as_they_are(encoded: bool) -> None:
    cells = pa.array(["Ana", "Budi", "Ana", "", None, "Andi Pratama", "Andi Pratam"])
    cells = cells.dictionary_encode() if encoded else cells
    out, note = _one_spelling(cells, "Rep")
    assert out is cells and note is None


def test_a_file_read_dictionary_encoded_merges_the_same_way(cursor: Any) -> None:
    """A file above a megabyte is read with its rep column dictionary-encoded: the same reps."""
    header, *rows = CONTENT.decode().splitlines()
    copies = 3000  # 8 rows x 3000 = 24,000 rows, about 1.4 MB
    big = "\n".join([header, *(rows * copies)]).encode()
    assert len(big) > 1 << 20
    assert cells.is_encoded(read_file(big, "big.csv").cells("Sales Rep"))
    ds = load(big, "big.csv")
    got = {r.group: r for r in queries.kpis(cursor, ds, "rep")}
    assert set(got) == set(SPEC["reps"])
    for rep, want in SPEC["reps"].items():
        assert got[rep].appointments == want["appointments"] * copies
        assert got[rep].won == want["won"] * copies
        assert got[rep].revenue == pytest.approx(want["revenue"] * copies)


def test_a_weekly_log_names_its_reps_and_teams_the_same_way(cursor: Any) -> None:
    log = (
        b"Rep,Week,Appointments,Next Steps,Wins,Revenue,Team\n"
        b"Eko,2026-03-02,10,6,2,5000,North\n"
        b"EKO,2026-03-09,8,5,1,2000,north\n"
        b"eko ,2026-03-16,12,7,0,0,North\n"
    )
    ds = load(log, "log.csv")
    [row] = queries.kpis(cursor, ds, "rep")
    assert (row.group, row.team, row.appointments, row.won, row.revenue) == ("Eko", "North", 30, 3, 7000)
    assert any("'EKO' and 'eko' as 'Eko'" in n for n in ds.report.notes)
    apart = load(log, "log.csv", LoadOptions(one_spelling=False))
    assert {r.group for r in queries.kpis(cursor, apart, "rep")} == {"Eko", "EKO", "eko"}


def test_the_proposal_reads_one_spelling_and_an_override_keeps_it_unless_told() -> None:
    ds = load(CONTENT, SPEC["file"])
    assert ds.mapping.one_spelling
    headers = list(ds.mapping.columns.values())
    assert with_overrides(ds.mapping, [h for h in headers if h], decimal=".").one_spelling
    assert not with_overrides(ds.mapping, [h for h in headers if h], one_spelling=False).one_spelling


def test_the_command_line_keeps_spellings_apart_when_asked() -> None:
    path = str(FIXTURES / SPEC["file"])
    merged = cli("kpis", path, "--format", "json")
    assert merged.returncode == 0, merged.stderr
    assert {r["rep"] for r in json.loads(merged.stdout)} == set(SPEC["reps"])
    assert "'andi pratama' and 'ANDI  PRATAMA' as 'Andi Pratama'" in merged.stderr
    apart = cli("kpis", path, "--format", "json", "--keep-spellings")
    assert apart.returncode == 0, apart.stderr
    assert {r["rep"] for r in json.loads(apart.stdout)} == SPEC["kept_apart"]
    assert "capitals or spaces" not in apart.stderr


@pytest.mark.parametrize(
    "space", ["\x0b", "\x1f", "\x85", "\u3000"], ids=["vertical tab", "unit sep", "NEL", "ideographic"]
)
def test_every_space_python_splits_on_counts_as_a_space(space: str) -> None:
    """The names are grouped by ``spelling_key`` (``str.split``); the quick check over the distinct
    names before it must see the same spaces, or it says no two spellings meet."""
    out, note = _one_spelling(pa.array(["Andi Pratama", f"andi{space}pratama", "Andi Pratama"]), "Rep")
    assert out.to_pylist() == ["Andi Pratama"] * 3 and note is not None


REGIONS = (
    b"Opportunity ID,Sales Rep,Team,Region,Product,First Appointment,Outcome,Amount\n"
    b"A1,Andi,North,Jakarta,Pro,2026-03-02,Won,100\n"
    b"a1,Andi,North,jakarta,pro,2026-03-03,Lost,\n"
    b"A2,Budi,North,JAKARTA,Pro,2026-03-04,,\n"
    b"A3,Budi,North,Bandung,Pro,2026-03-05,Won,200\n"
    b"A4,Citra,North,bandung ,Pro,2026-03-06,,\n"
    b"A5,Citra,North,,Pro,2026-03-07,,\n"
)


def test_the_labels_of_other_columns_get_one_spelling_too(cursor: Any) -> None:
    """'Jakarta', 'jakarta' and 'JAKARTA' are one region: one filter value, one row of a KPI table
    by region. An opportunity id is never read as another's spelling ('A1' and 'a1' stay two)."""
    ds = load(REGIONS, "regions.csv")
    by_region = {r.group: (r.appointments, r.won, r.revenue) for r in queries.kpis(cursor, ds, "Region")}
    assert by_region == {"Jakarta": (3, 1, 100), "Bandung": (2, 1, 200), "(blank)": (1, 0, 0)}
    assert {r.group for r in queries.kpis(cursor, ds, "Product")} == {"Pro"}
    assert (
        "Values of 'Region' that differ only in capitals or spaces are read as one: 'jakarta' and 'JAKARTA' as "
        f"'Jakarta'; 'bandung' as 'Bandung' {CHOICE}"
    ) in ds.report.notes
    assert f"Values of 'Product' that differ only in capitals or spaces are read as one: 'pro' as 'Pro' {CHOICE}" in (
        ds.report.notes
    )
    assert not any("Opportunity ID" in n for n in ds.report.notes)
    ids = next(d.column for d in ds.dimensions if d.label == "Opportunity ID")
    assert set(ds.table[ids].to_pylist()) == {"A1", "a1", "A2", "A3", "A4", "A5"}
    apart = load(REGIONS, "regions.csv", LoadOptions(one_spelling=False))
    assert {r.group for r in queries.kpis(cursor, apart, "Region")} == {
        "Jakarta",
        "jakarta",
        "JAKARTA",
        "Bandung",
        "bandung",
        "(blank)",
    }
    assert not any("capitals or spaces" in n for n in apart.report.notes)


def test_a_large_files_plain_columns_are_not_looked_through(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above ``_SPELLING_ROWS`` rows, a column the reader kept plain (mostly distinct values: ids,
    notes) is left as it is: finding its spellings would cost a pass over every value."""
    monkeypatch.setattr(importing, "_SPELLING_ROWS", 5)
    ds = load(REGIONS, "regions.csv")
    region = next(d.column for d in ds.dimensions if d.label == "Region")
    assert "jakarta" in ds.table[region].to_pylist()
    assert not any("Region" in n for n in ds.report.notes)
