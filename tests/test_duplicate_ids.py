"""Opportunity ids on more than one line (a Salesforce report "with products" lists an opportunity
once per product line): every line counts as an opportunity, so the appointments are counted twice,
silently. The import report names them (``queries.duplicate_ids``), in the app and the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kpi_core import queries
from kpi_core.importing import load
from kpi_core.mapping import id_header

from .conftest import FIXTURES, cli

# Opportunity 1 on lines 2-3 (two products), 3 on lines 5-7 (three): two ids, five lines.
EXPORT = (
    b"Opportunity ID,Sales Rep,First Appointment,Outcome,Product,Amount\n"
    b"1,Ana,2026-01-05,Won,A,100\n"
    b"1,Ana,2026-01-05,Won,B,50\n"
    b"2,Ana,2026-01-06,Lost,A,\n"
    b"3,Ben,2026-01-07,Won,A,200\n"
    b"3,Ben,2026-01-07,Won,C,20\n"
    b"3,Ben,2026-01-07,Won,D,20\n"
    b"4,Ben,2026-01-08,,A,\n"
)
SENTENCE = (
    "2 opportunity ids in 'Opportunity ID' appear on more than one line (5 lines; '1' on lines 2, 3; '3' on "
    "lines 5, 6, 7), and each line counts as an opportunity: if the export lists an opportunity once per product "
    "or per activity, export one line per opportunity."
)


def test_ids_on_more_than_one_line_are_named_with_their_lines(cursor: Any) -> None:
    found = queries.duplicate_ids(cursor, load(EXPORT, "export.csv"))
    assert found == queries.DuplicateIds("Opportunity ID", 2, 5, (("1", (2, 3)), ("3", (5, 6, 7))))
    assert found.sentence() == SENTENCE


def test_one_such_id_is_said_in_the_singular(cursor: Any) -> None:
    once = EXPORT.replace(b"3,Ben,2026-01-07,Won,C,20\n3,Ben,2026-01-07,Won,D,20\n", b"")
    found = queries.duplicate_ids(cursor, load(once, "export.csv"))
    assert found is not None and found.sentence().startswith(
        "1 opportunity id in 'Opportunity ID' appears on more than one line (2 lines; '1' on lines 2, 3)"
    )


@pytest.mark.parametrize(
    "content",
    [
        EXPORT.replace(b"1,Ana,2026-01-05,Won,B,50", b"5,Ana,2026-01-05,Won,B,50").replace(b"3,Ben", b"6,Ben", 1)
        .replace(b"3,Ben,2026-01-07,Won,D", b"7,Ben,2026-01-07,Won,D"),  # every id once
        EXPORT.replace(b"Opportunity ID", b"Region"),  # no id column: a region may repeat
    ],
)  # fmt: skip
def test_nothing_is_said_without_an_id_on_two_lines(content: bytes, cursor: Any) -> None:
    assert queries.duplicate_ids(cursor, load(content, "export.csv")) is None


def test_the_fixtures_and_the_weekly_log_have_none(cursor: Any) -> None:
    for name in ("canonical.csv", "salesforce.csv", "hubspot.csv", "pipedrive.csv", "weekly_log.csv"):
        assert queries.duplicate_ids(cursor, load((FIXTURES / name).read_bytes(), name)) is None, name


@pytest.mark.parametrize(
    ("headers", "found"),
    [
        (["Opportunity ID", "Opportunity Name"], "Opportunity ID"),
        (["Deal - ID", "Deal - Title"], "Deal - ID"),
        (["opportunity_id", "sales_agent"], "opportunity_id"),
        (["Record ID", "Deal Name"], "Record ID"),
        (["Region", "Product", "Idea"], None),
    ],
)
def test_the_id_column_is_found_by_its_header(headers: list[str], found: str | None) -> None:
    assert id_header(headers) == found


def test_the_command_lines_inspect_names_them(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(EXPORT)
    done = cli("inspect", str(path), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert f"note: {SENTENCE}" in done.stderr
    assert json.loads(done.stdout)["problems"]["duplicate_ids"] == {
        "column": "Opportunity ID",
        "ids": 2,
        "rows": 5,
        "examples": [["1", [2, 3]], ["3", [5, 6, 7]]],
    }
