"""A yes/no outcome column (Salesforce's ``Won``: TRUE / FALSE) reads FALSE as lost (spec 1c), open
deals too; when the stage says such a deal has not ended, the report says so and how to let the
stage tell open from lost (Data page: no outcome column; command line: ``--map outcome=``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kpi_core import queries
from kpi_core.importing import LoadOptions, load
from kpi_core.model import Filters

from .conftest import cli

# Ana: Closed Won (TRUE), Proposal/Price Quote (FALSE, open); Ben: Closed Lost (FALSE), Qualification
# (FALSE, open). Read by the Won column: 1 won, 3 lost. Read by the stage: 1 won, 1 lost, 2 open.
EXPORT = b"""Opportunity Owner,Created Date,Stage,Close Date,Amount,Won
Ana Lopez,3/2/2026 2:35 PM,Closed Won,3/20/2026 9:00 AM,"$1,500.00",TRUE
Ana Lopez,3/15/2026 10:00 AM,Proposal/Price Quote,,"$2,000.00",FALSE
Ben Ray,3/4/2026 8:00 AM,Closed Lost,3/25/2026 1:00 PM,"$700.00",FALSE
Ben Ray,3/18/2026 8:00 AM,Qualification,,,FALSE
"""
NOTE = (
    "In 'Won', 2 opportunities read as lost have a stage that is not closed ('Proposal/Price Quote', "
    "'Qualification'): if they are still open, map no outcome column, so that 'Stage' says won, lost or open "
    "(Data page: Outcome -> '(not in this file)'; command line: --map outcome=)."
)


def _decided(cursor: Any, options: LoadOptions) -> tuple[int, tuple[str, ...]]:
    ds = load(EXPORT, "export.csv", options)
    [row] = queries.kpis(cursor, ds, "all", Filters(decided_only=True))
    return row.appointments, ds.report.notes


def test_the_report_names_the_lost_deals_whose_stage_has_not_ended(cursor: Any) -> None:
    ds = load(EXPORT, "export.csv")
    assert ds.mapping.header("outcome") == "Won"  # the spec's proposal stands
    assert NOTE in ds.report.notes
    decided, _ = _decided(cursor, LoadOptions())
    assert decided == 4  # every deal reads as won or lost


def test_without_the_outcome_column_the_stage_tells_open_from_lost_and_nothing_is_said(cursor: Any) -> None:
    decided, notes = _decided(cursor, LoadOptions(columns=(("outcome", None),)))
    assert decided == 2  # Closed Won and Closed Lost; the proposal and the qualification are open
    assert not any("is not closed" in n for n in notes)
    assert "The one lost opportunity does not count as having passed the first gate" in " ".join(notes)


def test_one_such_deal_is_named_alone() -> None:
    notes = load(EXPORT.replace(b"Proposal/Price Quote", b"Closed Lost"), "export.csv").report.notes
    assert (
        "In 'Won', 1 opportunity read as lost has a stage that is not closed ('Qualification'): if it is still "
        "open, map no outcome column, so that 'Stage' says won, lost or open (Data page: Outcome -> '(not in this "
        "file)'; command line: --map outcome=)."
    ) in notes


def test_nothing_is_said_when_every_lost_deal_s_stage_has_ended() -> None:
    closed = EXPORT.replace(b"Proposal/Price Quote", b"Closed Lost").replace(b"Qualification", b"Closed Lost")
    assert not any("is not closed" in n for n in load(closed, "export.csv").report.notes)


def test_an_outcome_column_that_can_say_open_gets_no_such_note() -> None:
    words = EXPORT.replace(b",TRUE", b",Won").replace(b",FALSE\nBen Ray,3/4", b",Lost\nBen Ray,3/4")
    words = words.replace(b",FALSE", b",Open")
    ds = load(words, "export.csv")
    assert ds.mapping.header("outcome") == "Won"
    assert not any("is not closed" in n for n in ds.report.notes)


def test_the_command_line_maps_no_outcome_column_with_an_empty_header(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(EXPORT)
    kept = cli("inspect", str(path), "--format", "json")
    assert kept.returncode == 0 and '"outcome": "Won"' in kept.stdout
    assert NOTE in kept.stdout  # the inspect report's notes
    unmapped = cli("inspect", str(path), "--format", "json", "--map", "outcome=")
    assert unmapped.returncode == 0, unmapped.stderr
    assert '"outcome": null' in unmapped.stdout and "is not closed" not in unmapped.stdout
