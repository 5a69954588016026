"""The import report's rows set aside, grouped by reason with their lines as runs."""

from __future__ import annotations

from kpi_core.model import ImportReport, SetAsideGroup, SetAsideRow, Shape


def _report(*rows: tuple[int, str]) -> ImportReport:
    return ImportReport(
        source="f.csv",
        file_format="csv",
        shape=Shape.OPPORTUNITIES,
        data_rows=100,
        rows_loaded=100 - len(rows),
        set_aside=tuple(SetAsideRow(line, reason) for line, reason in rows),
        unreadable=(),
        date_formats={},
        decimal=None,
        encoding="utf-8",
        delimiter=",",
        sheet=None,
    )


def test_rows_are_grouped_by_reason_most_frequent_first_every_line_kept() -> None:
    report = _report((4, "has no rep"), (9, "is a total line"), (5, "has no rep"), (6, "has no rep"), (12, "x"))
    groups = report.set_aside_by_reason()
    assert [(g.reason, g.lines) for g in groups] == [
        ("has no rep", (4, 5, 6)),
        ("is a total line", (9,)),  # ties keep the order the reasons first appear in
        ("x", (12,)),
    ]
    assert sum(g.count for g in groups) == report.rows_set_aside


def test_lines_are_written_as_runs_of_consecutive_lines() -> None:
    group = SetAsideGroup("r", (3, 7, 9, 10, 11, 20, 21))
    assert group.runs() == [(3, 3), (7, 7), (9, 11), (20, 21)]
    assert group.line_ranges() == "3, 7, 9-11, 20-21"
    assert SetAsideGroup("r", tuple(range(8302, 8802))).line_ranges() == "8302-8801"


def test_past_the_limit_the_remaining_lines_are_counted_not_dropped() -> None:
    group = SetAsideGroup("r", (2, 4, 5, 6, 9, 11))
    assert group.line_ranges(limit=2) == "2, 4-6 and 2 more lines"
    assert group.line_ranges(limit=3) == "2, 4-6, 9 and 1 more line"
    assert group.line_ranges(limit=4) == "2, 4-6, 9, 11"
