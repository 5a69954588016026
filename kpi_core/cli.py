"""``python -m kpi_core``: the same numbers as the app, for scripts and for checking.

Results go to stdout (table, JSON or CSV); the import report (rows set aside, unreadable values)
goes to stderr. A file that cannot be used exits with status 2 and one sentence, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import difflib
import io
import json
import math
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pyarrow as pa

from . import db, queries
from .errors import AmbiguousFormatError, InvalidInputError, KpiError, MappingError
from .exports import neutralize_cell
from .importing import LoadOptions, apply_options, build_dataset, format_label
from .magic import Scenario, solve
from .mapping import (
    LOST_WORDS,
    WON_WORDS,
    check_mapping,
    distinct_values,
    outcome_word,
    propose_mapping,
    sheet_score,
    value_set,
)
from .model import (
    KPI_FIELDS,
    OPPORTUNITY_REQUIRED,
    WEEKLY_REQUIRED,
    ColumnMapping,
    Dataset,
    Filters,
    ImportReport,
    KpiRow,
    PeerSettings,
    RawTable,
    Shape,
)
from .peers import compare_peers
from .reading import DEFAULT_LIMITS, DELIMITER_NAMES, Limits, listed, read_path
from .teams import TeamList, read_team_list, with_teams

MAGIC_FIELDS = (
    "goal",
    "weeks",
    "avg_sale",
    "p1",
    "p2",
    "magic_number",
    "magic_number_rounded",
    "weekly_appointments",
    "activity_barometer",
    "feasible",
    "message",
)


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake in one sentence (status 2), without a traceback."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message}; see '{self.prog} --help'.\n")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date in yyyy-mm-dd form") from None


def _mapping_pair(text: str) -> tuple[str, str | None]:
    """``CANONICAL=HEADER``; ``CANONICAL=`` (no header) maps no column to it."""
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"'{text}' should look like CANONICAL=HEADER, e.g. rep=Sales Rep")
    name, header = text.split("=", 1)
    return name.strip(), header.strip() or None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m kpi_core", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def file_command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("file", type=Path)
        p.add_argument(
            "--map",
            action="append",
            type=_mapping_pair,
            default=[],
            metavar="CANONICAL=HEADER",
            help="use the file's HEADER as the canonical column (repeatable); CANONICAL= maps none",
        )
        p.add_argument(
            "--advanced-stage",
            action="append",
            default=None,
            metavar="VALUE",
            help="a stage value meaning the first gate was passed, as the file writes it (repeatable; replaces the "
            "proposal; '' for none)",
        )
        for which in ("won", "lost"):
            p.add_argument(
                f"--{which}-value",
                action="append",
                default=None,
                metavar="VALUE",
                help=f"an outcome value meaning {which}, beyond the standard words, as the file writes it (repeatable; "
                "replaces the proposal; '' for none)",
            )
        p.add_argument(
            "--teams",
            type=Path,
            metavar="FILE",
            help="a list of reps and their teams (e.g. a CRM's users export): each rep's team comes from it",
        )
        p.add_argument(
            "--team-column", metavar="HEADER", help="the team list's column of teams (proposed from its headers)"
        )
        p.add_argument(
            "--keep-spellings",
            action="store_true",
            help="keep names and labels that differ only in capitals or spaces apart (reps, teams, regions...; read as one by default)",
        )
        p.add_argument(
            "--shape",
            choices=[s.value for s in Shape],
            help="what the file is, when its headers mislead: one row per opportunity, or a weekly activity log",
        )
        p.add_argument("--date-format", help="date format of the file, e.g. dd/mm/yyyy or %%d/%%m/%%Y")
        p.add_argument("--decimal", choices=[".", ","], help="decimal mark of the numbers")
        p.add_argument("--sheet", help="Excel sheet to read")
        p.add_argument("--format", choices=["table", "json", "csv"], default="table", help="output format")
        return p

    file_command("inspect", "detected shape, rows, proposed mapping and problems")
    for name in ("kpis", "weekly"):
        p = file_command(name, "KPIs per group" if name == "kpis" else "first appointments per rep per week")
        if name == "kpis":
            p.add_argument(
                "--by",
                default="rep",
                help="rep, team, all, or the header of any extra column; the file's header of the rep or team column "
                "too (capitals and spaces aside)",
            )
        p.add_argument("--start", type=_date, help="first day of the window (yyyy-mm-dd)")
        p.add_argument("--end", type=_date, help="last day of the window (yyyy-mm-dd)")
        p.add_argument("--decided-only", action="store_true", help="drop opportunities still open")
    p = file_command("peers", "each rep against the peer average, with flags")
    p.add_argument(
        "--min-opportunities",
        type=_at_least_one,
        default=5,
        help="fewest opportunities in the window for a rep to be ranked and be a peer (default 5)",
    )
    p.add_argument("--start", type=_date, help="first day of the window (yyyy-mm-dd)")
    p.add_argument("--end", type=_date, help="last day of the window (yyyy-mm-dd)")
    p.add_argument("--decided-only", action="store_true", help="drop opportunities still open")

    m = sub.add_parser("magic", help="solve the Magic Number, or any other quantity")
    m.add_argument("--goal", type=float, help="revenue goal over the selling weeks")
    m.add_argument("--weeks", type=float, help="selling weeks")
    m.add_argument("--avg-sale", type=float, help="average revenue per sale")
    m.add_argument("--p1", type=float, help="appointment-to-next-step ratio as a fraction (0.6 for 60 %%)")
    m.add_argument("--p2", type=float, help="close ratio as a fraction (0.4 for 40 %%)")
    m.add_argument(
        "--weekly-appointments", type=float, help="current first appointments a week (the activity barometer's)"
    )
    m.add_argument(
        "--solve",
        choices=["magic_number", "goal", "weeks", "avg_sale", "p1", "p2"],
        default=None,
        help="the quantity to solve for from the others (default: the Magic Number)",
    )
    m.add_argument("--cycle-days", type=float, help="mean sales cycle; turns the sales-cycle lag on")
    m.add_argument("--format", choices=["table", "json", "csv"], default="table", help="output format")
    return parser


# --- output -------------------------------------------------------------------------------------------


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is fewer than 1 opportunity; give 1 or more")
    return value


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _emit(rows: list[dict[str, Any]], fmt: str, out: Any, document: Any = None) -> None:
    if fmt == "json":
        json.dump(document if document is not None else rows, out, indent=2, default=_clean, ensure_ascii=False)
        out.write("\n")
        return
    flat = [{k: _clean(v) for k, v in _flatten(r).items()} for r in rows]
    columns = list(dict.fromkeys(k for r in flat for k in r))
    if fmt == "csv":
        # As the app's downloads: a rep named "=SUM(A1)" is text in a spreadsheet, never a formula.
        writer = csv.DictWriter(out, fieldnames=[neutralize_cell(c) for c in columns], lineterminator="\n")
        writer.writeheader()
        writer.writerows([{neutralize_cell(k): neutralize_cell(v) for k, v in r.items()} for r in flat])
        return
    cells = [[_show(r.get(c)) for c in columns] for r in flat]
    widths = [max(len(c), *(len(row[i]) for row in cells)) if cells else len(c) for i, c in enumerate(columns)]
    out.write("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=False)).rstrip() + "\n")
    for row in cells:
        out.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=False)).rstrip() + "\n")


def _flatten(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        elif isinstance(value, (list, tuple)):
            out[name] = " ".join(str(v) for v in value)
        else:
            out[name] = value
    return out


def _show(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if not value.is_integer() else str(int(value))
    return str(value)


def kpi_dict(row: KpiRow, by: str) -> dict[str, Any]:
    """One KPI row as the CLI's JSON object: the group under its own name, then every KPI."""
    out: dict[str, Any] = {by if by not in ("all",) else "group": row.group}
    if by == "rep":
        out["team"] = row.team
    out.update({f: getattr(row, f) for f in KPI_FIELDS})
    return out


#: Runs of lines the stderr report writes per reason before "... and N more lines".
REPORT_RUNS = 20

_UPLOAD_MB, _ROWS, _COLUMNS = "MAGIC_NUMBER_MAX_UPLOAD_MB", "MAGIC_NUMBER_MAX_ROWS", "MAGIC_NUMBER_MAX_COLUMNS"
_AGAIN = "run the command again"

#: kpi_core's sentences say what to do in the app ("upload again", "choose ... on the Data page");
#: on the command line the same advice names the flag or the variable to set. Each pair is a
#: phrase of a kpi_core sentence (a pattern) and its command-line wording; the app's stay as they
#: are. Left as they are: a binary file's "upload the CSV or Excel export" and the over-long
#: field's "fix that line and upload again", which tests/test_bad_inputs.py reads on the command
#: line, and the currency note's "map an amount converted to one currency ... or upload one
#: currency at a time", which tests/test_export_quirks.py does.
COMMAND_LINE_WORDING: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), wording)
    for pattern, wording in (
        (
            r"not a spreadsheet; upload the CSV or Excel export of your pipeline instead\.$",
            "not a spreadsheet; run the command on the CSV or Excel export of your pipeline instead.",
        ),
        (
            r"; export the pipeline again and upload the file with its rows\.$",
            "; export the pipeline again and run the command on that file.",
        ),
        (
            r"; export the pipeline again with its rows and upload that\.$",
            "; export the pipeline again with its rows and run the command on that.",
        ),
        (r"; save it as \.xlsx or CSV and upload that\.$", "; save it as .xlsx or CSV and run the command on that."),
        (
            r"; save it again as UTF-8 CSV and upload that\.$",
            "; save it again as UTF-8 CSV and run the command on that.",
        ),
        (
            r"; unzip it and upload the (spreadsheet|CSV or \.xlsx) inside\.$",
            r"; unzip it and run the command on the \1 inside.",
        ),
        (
            r"; open it in Excel, save it again( as \.xlsx)? and upload\.$",
            rf"; open it in Excel, save it again\1 and {_AGAIN}.",
        ),
        (r"; close or remove that quote and upload again\.$", f"; close or remove that quote and {_AGAIN}."),
        (r"(cannot be read as CSV \(.*\)); fix that line and upload again\.$", rf"\1; fix that line and {_AGAIN}."),
        (
            r"; check the workbook and upload again\.$",
            f"; check the workbook and {_AGAIN} (--sheet NAME reads the sheet named).",
        ),
        (r"; export it again and upload\.$", "; export it again and run the command on the new file."),
        (
            r", or choose the window in the sidebar\.$",
            ", or give the window with --start and --end (yyyy-mm-dd).",
        ),
        (r"; keep one line per rep and upload it again\.$", f"; keep one line per rep and {_AGAIN}."),
        (
            r"; open and save the file in Excel, then upload it again\.$",
            f"; open and save the file in Excel, then {_AGAIN}.",
        ),
        (
            r"above the ([\d.,]+ [KM]B) upload limit; filter the export to fewer rows or columns and upload again\.$",
            rf"above the \1 limit ({_UPLOAD_MB}); filter the export to fewer rows or columns, or set {_UPLOAD_MB} "
            f"higher, and {_AGAIN}.",
        ),
        (
            r"above the row limit; filter the export to a shorter period and upload again\.$",
            f"above the row limit ({_ROWS}); filter the export to a shorter period, or set {_ROWS} higher, and {_AGAIN}.",
        ),
        (
            r"above the limit of ([\d,]+); filter it to a shorter period and upload again\.$",
            rf"above the limit of \1 ({_ROWS}); filter it to a shorter period, or set {_ROWS} higher, and {_AGAIN}.",
        ),
        (
            r"above the limit of ([\d,]+); export only the columns you need and upload again\.$",
            rf"above the limit of \1 ({_COLUMNS}); export only the columns you need, or set {_COLUMNS} higher, and "
            f"{_AGAIN}.",
        ),
        (
            r"beyond what the server reads; save the sheet you need as CSV and upload that\.$",
            "beyond what the command line reads (MAGIC_NUMBER_MAX_UNZIPPED_MB, and 200 times the file's size); save "
            "the sheet you need as CSV and run the command on that.",
        ),
        (
            r"beyond what the server reads; filter it to fewer rows or columns and upload again\.$",
            "beyond what the command line reads (MAGIC_NUMBER_MAX_UNZIPPED_MB); filter it to fewer rows or columns, "
            f"or set MAGIC_NUMBER_MAX_UNZIPPED_MB higher, and {_AGAIN}.",
        ),
        (
            r"; map the column that holds the first-appointment or created date\.$",
            "; name the column that holds the first-appointment or created date with --map first_appointment=HEADER, "
            "or give its dates' format with --date-format.",
        ),
        (
            r"; map the column that holds the week\.$",
            "; name the column that holds the week with --map week=HEADER, or give its dates' format with --date-format.",
        ),
        (
            r"; if lost deals had reached a demo or proposal, mark their stage as 'next step or later'\.$",
            "; if lost deals had reached a demo or proposal, give every stage that means next step or later with "
            "--advanced-stage (it replaces the proposed stages).",
        ),
        (r" \(Data page: [^;]*; command line: ([^)]*)\)", r" (\1)"),
        (r"; choose two columns\.$", "; give the team list's column of teams with --team-column HEADER."),
        (
            r"; choose the column that holds the reps\.$",
            "; the command line reads the reps from the column whose header names them (such as 'Sales Rep'), "
            "else from the first column, so give the reps' column such a header.",
        ),
        (r"; choose an end date after the start\.$", "; give an --end on or after the --start."),
        (
            r"'decided opportunities only' is not available for it\.$",
            "--decided-only is not available for it; run without it.",
        ),
        (
            r"is not a date format this app knows; use one such as",
            "is not a date format --date-format knows; give one such as",
        ),
        (r"is not a column this app uses; use one of:", "is not a column --map takes; give --map one of:"),
        (
            r", the server's limit; narrow the date window or filters and try again\.$",
            ", the limit (MAGIC_NUMBER_QUERY_SECONDS); narrow the window with --start and --end, or set "
            f"MAGIC_NUMBER_QUERY_SECONDS higher, and {_AGAIN}.",
        ),
        (
            r"than the server allows; narrow the date window or filters and try again\.$",
            "than MAGIC_NUMBER_DUCKDB_MEMORY allows (2GB unless set); narrow the window with --start and --end, or set "
            f"MAGIC_NUMBER_DUCKDB_MEMORY higher, and {_AGAIN}.",
        ),
        (r"\((goal|weeks|p1|p2)\)", r"(--\1)"),
        (r"\(avg_sale\)", "(--avg-sale)"),
        (r"\(weekly_appointments\)", "(--weekly-appointments)"),
        (r"\(cycle_days\)", "(--cycle-days)"),
    )
)


def for_the_command_line(sentence: str) -> str:
    """A kpi_core sentence with its advice worded for the command line (:data:`COMMAND_LINE_WORDING`)."""
    for pattern, wording in COMMAND_LINE_WORDING:
        sentence = pattern.sub(wording, sentence)
    return sentence


def report_lines(report: ImportReport) -> list[str]:
    """The import report as plain sentences (for stderr)."""
    lines = [
        f"{report.source}: {report.shape.value.replace('_', ' ')}, {report.rows_loaded} of {report.data_rows} data rows loaded, "
        f"{report.rows_set_aside} set aside."
    ]
    groups = report.set_aside_by_reason()
    for group in groups:
        rows, where = ("1 row", "line") if group.count == 1 else (f"{group.count} rows", "lines")
        lines.append(f"  {rows} set aside, {group.reason}: {where} {group.line_ranges(REPORT_RUNS)}")
    if any(len(group.runs()) > REPORT_RUNS for group in groups):
        lines.append("  every line set aside, one by one: python -m kpi_core inspect FILE --format json")
    for u in report.unreadable:
        examples = ", ".join(f"line {line}: '{ex}'" for line, ex in zip(u.example_lines, u.examples, strict=False))
        lines.append(f"  column '{u.column}': {u.count} value(s) {u.reason}, kept as missing ({examples})")
    for header, fmt in report.date_formats.items():
        lines.append(f"  dates in '{header}' read as {format_label(fmt)}")
    if report.decimal:
        lines.append(f"  decimal mark: '{report.decimal}'")
    if report.currency:
        lines.append(f"  amounts in {report.currency}")
    lines.extend(f"  note: {for_the_command_line(n)}" for n in report.notes)
    return lines


# --- commands -----------------------------------------------------------------------------------------


#: The command line's size cap when ``MAGIC_NUMBER_MAX_UPLOAD_MB`` is not set (or empty): the
#: app's 200 MB protects a shared server; a command reads one person's file from their own disk,
#: without the whole file in memory (the row cap, ``MAGIC_NUMBER_MAX_ROWS``, still applies).
CLI_MAX_BYTES = 2048 << 20


def _limits() -> Limits:
    """The app's limits, but for the command line's own size cap when no upload cap is set. A cap
    set but unreadable (``abc``) is the app's 200 MB, as the warning printed on import says."""
    if os.environ.get("MAGIC_NUMBER_MAX_UPLOAD_MB", "").strip():
        return DEFAULT_LIMITS
    return replace(DEFAULT_LIMITS, max_bytes=max(DEFAULT_LIMITS.max_bytes, CLI_MAX_BYTES))


def _load(args: argparse.Namespace) -> Dataset:
    return _load_with_team_list(args)[0]


def _load_with_team_list(args: argparse.Namespace) -> tuple[Dataset, TeamList | None]:
    """The file as a dataset, its teams from ``--teams`` when given (with that team list), the
    import report printed on stderr."""
    options = LoadOptions(
        sheet=args.sheet,
        columns=tuple(args.map),
        advanced_stages=_chosen(args.advanced_stage),
        date_format=args.date_format,
        decimal=args.decimal,
        won_values=_chosen(args.won_value),
        lost_values=_chosen(args.lost_value),
        one_spelling=False if args.keep_spellings else None,
        shape=Shape(args.shape) if args.shape else None,
    )
    try:
        # importing.load_path's steps, with the chosen values checked against the file between them.
        # From the disk: a CSV is read without the whole file in memory (same dataset as `load`).
        raw, key = read_path(args.file, args.file.name, sheet=options.sheet, limits=_limits(), sheet_score=sheet_score)
        if options.sheet is not None and raw.file_format not in ("xlsx", "xlsm"):
            print(
                f"warning: --sheet is for Excel workbooks; {args.file.name} is read as {raw.file_format.upper()}, "
                "so it is not used.",
                file=sys.stderr,
            )
        mapping = apply_options(raw, propose_mapping(raw, options.shape), options)
        _check_mapping(raw, mapping)
        _check_chosen_values(args, raw, mapping)
        ds = build_dataset(raw, mapping, source=args.file.name, key=key)
    except FileNotFoundError:
        raise KpiError(f"There is no file at {args.file}; check the path.") from None
    except IsADirectoryError:
        raise KpiError(f"{args.file} is a folder, not a file; give the path of the spreadsheet.") from None
    except OSError as err:
        raise KpiError(
            f"{args.file} cannot be read ({err.strerror or err}); check the path and its permissions."
        ) from None
    except AmbiguousFormatError as err:
        # The app asks "choose which one the file uses"; here, the flags that choose.
        flags = (
            [f"--date-format {format_label(o)}" for o in err.options]
            if err.kind == "date"
            else [f"--decimal {o} ({'a dot' if o == '.' else 'a comma'})" for o in err.options]
        )
        what = _ASK_TO_CHOOSE.sub("", str(err)).rstrip(".")
        raise KpiError(f"{what}; rerun with {' or '.join(flags)}.") from None
    team_list = None
    if args.teams is not None:
        try:
            content = args.teams.read_bytes()
        except OSError as err:
            raise KpiError(
                f"The team list {args.teams} cannot be read ({err.strerror or err}); check the path."
            ) from None
        team_list = read_team_list(content, args.teams.name, team=args.team_column, limits=_limits())
        ds = with_teams(ds, team_list)
    for line in report_lines(ds.report):
        print(line, file=sys.stderr)
    return ds, team_list


#: The app's question after an ambiguous date or decimal mark, replaced by the flags that answer it.
_ASK_TO_CHOOSE = re.compile(r";? choose which one the file uses\.$")


def _check_mapping(raw: RawTable, mapping: ColumnMapping) -> None:
    """:func:`check_mapping`, a required column missing said with the ``--map`` that names it
    (the app asks to "choose which of the file's columns holds it")."""
    try:
        check_mapping(mapping, raw.headers)
    except MappingError as err:
        weekly = mapping.shape is Shape.WEEKLY_LOG
        missing = [c for c in (WEEKLY_REQUIRED if weekly else OPPORTUNITY_REQUIRED) if not mapping.header(c)]
        what, found = re.subn(r"; choose which of the file's columns holds it\.$", "", str(err))
        if not missing or not found:
            raise
        maps = " and ".join(f"--map {c}=HEADER" for c in missing)
        headers = listed([repr(h) for h in raw.headers[:9]], 8)
        raise MappingError(
            f"{what}; name {'it' if len(missing) == 1 else 'them'} with {maps} (the file's columns: {headers})."
        ) from None


def _chosen(values: list[str] | None) -> tuple[str, ...] | None:
    """A repeated value flag's values (``None``: not given, keep the proposal); an empty value
    (``--advanced-stage ""``) adds none, so it alone says "none"."""
    return None if values is None else tuple(v for v in dict.fromkeys(values) if v)


def _check_chosen_values(args: argparse.Namespace, raw: RawTable, mapping: ColumnMapping) -> None:
    """Refuse ``--advanced-stage``, ``--won-value`` or ``--lost-value`` when none of its values is
    in the file; warn (stderr) when some are not.

    A typo (``--won-value "Clsoed Won"``) loaded without a word and made every number wrong (no
    sale at all). A value matches as the import reads it: a cell of the column exactly, capitals
    and spaces included (cells are read trimmed); a won or lost value that is one of the standard
    words (spec 1c) also matches that word in other capitals."""
    flags = [
        ("--advanced-stage", _chosen(args.advanced_stage), "stage", frozenset[str]()),
        ("--won-value", _chosen(args.won_value), "outcome", WON_WORDS),
        ("--lost-value", _chosen(args.lost_value), "outcome", LOST_WORDS),
    ]
    given = [(flag, values, role, words) for flag, values, role, words in flags if values]
    if mapping.shape is Shape.WEEKLY_LOG:
        if given:
            names = " and ".join(flag for flag, *_ in given)
            print(
                f"warning: {names} {'is' if len(given) == 1 else 'are'} not used: a weekly log counts next steps and "
                "wins in columns of its own.",
                file=sys.stderr,
            )
        return
    for flag, values, role, words in given:
        assert values
        # Outcomes are read from the stage when no column is mapped to the outcome (spec 1c).
        header = mapping.header(role) or (mapping.header("stage") if role == "outcome" else None)
        if header is None:
            which = "a stage column" if role == "stage" else "an outcome or stage column"
            raise KpiError(
                f"{flag} needs {which}, and no column is mapped to {'it' if role == 'stage' else 'either'}; "
                f"name the file's column with --map {role}=HEADER."
            )
        held = set(value_set(raw, header))
        spelled = {outcome_word(v) for v in held}
        unmatched = [
            v for v in values if v not in held and not (outcome_word(v) in words and outcome_word(v) in spelled)
        ]
        if not unmatched:
            continue
        common = distinct_values(raw, header)
        shown = [f"'{v}'" + (f" (did you mean '{near}'?)" if (near := _near(v, common)) else "") for v in unmatched]
        sentence = (
            f"{flag} {_and(shown)} match{'es' if len(unmatched) == 1 else ''} no value of '{header}', which holds "
            f"{listed([repr(v) for v in common[:6]])}; "
        )
        if len(unmatched) == len(values):
            raise KpiError(sentence + "give each value as the file writes it, capitals and spaces included.")
        used = [f"'{v}'" for v in values if v not in unmatched]
        print(f"warning: {sentence}only {_and(used)} {'is' if len(used) == 1 else 'are'} used.", file=sys.stderr)


def _near(value: str, held: list[str]) -> str | None:
    """The value of the file that ``value`` most likely meant: the same but for capitals and
    spaces, else a close spelling (``'Closed Won'`` for ``'Clsoed Won'``)."""
    same = [h for h in held if outcome_word(h) == outcome_word(value)]
    close = same or difflib.get_close_matches(value, held, n=1, cutoff=0.75)
    return close[0] if close else None


def _and(items: list[str]) -> str:
    """``'a', 'b' and 'c'``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _spelled_alike(text: str) -> str:
    """A name with capitals and spaces set aside: ``"regional office"`` for ``" Regional  Office"``."""
    return " ".join(text.split()).casefold()


def _grouping(ds: Dataset, by: str, team_list: TeamList | None) -> str:
    """The grouping ``--by`` names, as :func:`queries.kpis` takes it (``rep``, ``team``, ``all`` or
    an extra column's header).

    Besides those names as they are, ``--by`` takes the file's own header of the rep or team
    column (``Team``; a team list's too) and any of these names with capitals and spaces set aside
    (``region``): a user types the header they see in the file."""
    if by in ("rep", "team", "all") or ds.dimension(by) is not None:
        return by
    names = [("rep", "rep"), ("team", "team"), ("all", "all")]
    for role in ("rep", "team"):
        headers: list[str | None] = [ds.mapping.header(role)]
        if team_list is not None:
            headers.append(team_list.rep_header if role == "rep" else team_list.team_header)
        names.extend((h, role) for h in headers if h)
    names.extend((d.label, d.label) for d in ds.dimensions)
    key = _spelled_alike(by)
    found = list(dict.fromkeys(grouping for name, grouping in names if _spelled_alike(name) == key))
    if len(found) == 1:
        return found[0]
    if found:
        raise InvalidInputError(
            f"'{by}' could name {' or '.join(repr(f) for f in found)}; give --by one of them exactly as written here."
        )
    other = next((c for c, h in ds.mapping.columns.items() if h and _spelled_alike(h) == key), None)
    what = f", the file's {other.replace('_', ' ')} column" if other else ""
    raise InvalidInputError(f"Cannot group by '{by}'{what}; {_groupings_accepted(names)}.")


def _groupings_accepted(names: list[tuple[str, str]]) -> str:
    """What ``--by`` takes, in words: ``give --by rep (or 'Sales Rep'), team, all, or an extra column: 'Region'``."""
    roles = []
    for role in ("rep", "team", "all"):
        headers = list(dict.fromkeys(repr(n) for n, g in names if g == role and n != role))
        roles.append(f"{role} (or {', '.join(headers)})" if headers else role)
    extras = [repr(g) for n, g in names if n == g and g not in ("rep", "team", "all")]
    if not extras:
        return f"give --by {', '.join(roles[:-1])} or {roles[-1]}"
    return f"give --by {', '.join(roles)}, or an extra column: {listed(extras, 12)} (capitals and spaces aside)"


def _filters(args: argparse.Namespace) -> Filters:
    return Filters(start=args.start, end=args.end, decided_only=args.decided_only)


def _window(ds: Dataset, args: argparse.Namespace) -> queries.Window | None:
    """The window the command reads.

    A ``--start`` given alone that lies after the data's last date (or an ``--end`` alone before
    its first) says so: the window's other end is the data's, which the user never typed.
    """
    try:
        return queries.window(ds, _filters(args))
    except InvalidInputError:
        if args.end is None and args.start is not None and ds.last_date is not None:
            raise InvalidInputError(
                f"The start date {args.start:%Y-%m-%d} is after the data's last date ({ds.last_date:%Y-%m-%d}), "
                f"so the window holds no data; give a --start on or before {ds.last_date:%Y-%m-%d}."
            ) from None
        if args.start is None and args.end is not None and ds.first_date is not None:
            raise InvalidInputError(
                f"The end date {args.end:%Y-%m-%d} is before the data's first date ({ds.first_date:%Y-%m-%d}), "
                f"so the window holds no data; give an --end on or after {ds.first_date:%Y-%m-%d}."
            ) from None
        raise


def _nothing_in_window(ds: Dataset, args: argparse.Namespace, win: queries.Window | None) -> str:
    """The sentence for a window without data: printed where a table would be (stderr for JSON and CSV)."""
    span = f" ({win.start:%Y-%m-%d} to {win.end:%Y-%m-%d})" if win is not None else ""
    if ds.shape is Shape.WEEKLY_LOG:
        return f"No week of the log falls in the window{span}."
    decided = "decided (won or lost) " if args.decided_only else ""
    return f"No {decided}opportunity's first appointment falls in the window{span}."


def _emit_window(rows: list[dict[str, Any]], ds: Dataset, args: argparse.Namespace, win: queries.Window | None) -> None:
    """``rows`` in the format asked for; an empty window as one sentence instead of a blank table."""
    if not rows:
        sentence = _nothing_in_window(ds, args, win)
        if args.format == "table":
            print(sentence)
            return
        print(f"note: {sentence}", file=sys.stderr)
    _emit(rows, args.format, sys.stdout)


def cmd_inspect(args: argparse.Namespace) -> None:
    ds = _load(args)
    r = ds.report
    duplicates = queries.duplicate_ids(db.session_cursor(), ds)
    if duplicates is not None:
        print(f"  note: {duplicates.sentence()}", file=sys.stderr)
    doc = {
        "file": args.file.name,
        "format": r.file_format,
        "shape": ds.shape.value,
        "rows": r.data_rows,
        "rows_loaded": r.rows_loaded,
        "rows_set_aside": r.rows_set_aside,
        "encoding": r.encoding,
        "delimiter": DELIMITER_NAMES.get(r.delimiter or "", r.delimiter),
        "sheet": r.sheet,
        "mapping": dict(ds.mapping.columns),
        "team_list": ds.team_list,
        "advanced_stages": sorted(ds.mapping.advanced_stages),
        "extra_columns": [d.label for d in ds.dimensions],
        "date_formats": {h: format_label(f) for h, f in r.date_formats.items()},
        "decimal": r.decimal,
        "currency": r.currency,
        "won_values": sorted(ds.mapping.won_values),
        "lost_values": sorted(ds.mapping.lost_values),
        "first_date": ds.first_date,
        "last_date": ds.last_date,
        "problems": {
            "set_aside": [asdict(s) for s in r.set_aside],
            "unreadable": [asdict(u) for u in r.unreadable],
            "notes": list(r.notes),
            "duplicate_ids": asdict(duplicates) if duplicates is not None else None,
        },
    }
    if args.format == "json":
        _emit([], "json", sys.stdout, doc)
    else:
        rows = [
            {
                "field": k,
                "value": json.dumps(v, default=_clean, ensure_ascii=False)
                if isinstance(v, (dict, list))
                else _clean(v),
            }
            for k, v in doc.items()
        ]
        _emit(rows, args.format, sys.stdout)


def cmd_kpis(args: argparse.Namespace) -> None:
    ds, team_list = _load_with_team_list(args)
    by = _grouping(ds, args.by, team_list)
    win = _window(ds, args)
    rows = queries.kpis(db.session_cursor(), ds, by, _filters(args))
    _emit_window([kpi_dict(r, by) for r in rows], ds, args, win)


def cmd_weekly(args: argparse.Namespace) -> None:
    ds = _load(args)
    win = _window(ds, args)
    series = queries.weekly_appointments_series(db.session_cursor(), ds, _filters(args))
    # A count as a whole number (8, not 8.0); a weekly log's typed 2.5 as it is.
    rows = [{"rep": r, "week": w, "appointments": int(n) if float(n).is_integer() else n} for r, w, n in series]
    _emit_window(rows, ds, args, win)


def cmd_peers(args: argparse.Namespace) -> None:
    ds = _load(args)
    win = _window(ds, args)
    rows = queries.kpis(db.session_cursor(), ds, "rep", _filters(args))
    compared = compare_peers(rows, PeerSettings(min_opportunities=args.min_opportunities))
    out = [
        {
            "rep": p.rep,
            "team": p.team,
            "appointments": p.appointments,
            "small_sample": p.small_sample,
            "peers": p.peers,
            "kpis": {k: asdict(v) for k, v in p.kpis.items()},
            "flags": list(p.flags),
            "best_on": list(p.best_on),
        }
        for p in compared
    ]
    _emit_window(out, ds, args, win)


def cmd_magic(args: argparse.Namespace) -> None:
    needed = ["goal", "weeks", "avg_sale", "p1", "p2"]
    if args.solve == "magic_number":
        args.solve = None  # the default, named
    missing = [n for n in needed if n != args.solve and getattr(args, n) is None]
    if args.solve and args.weekly_appointments is None:
        missing.append("weekly_appointments")
    if missing:
        raise KpiError(
            "The Magic Number needs "
            + ", ".join("--" + m.replace("_", "-") for m in missing)
            + "; give "
            + ("it" if len(missing) == 1 else "them")
            + " and run again."
        )
    scenario = Scenario(
        goal=args.goal if args.goal is not None else 0.0,
        weeks=args.weeks if args.weeks is not None else 0.0,
        avg_sale=args.avg_sale if args.avg_sale is not None else 0.0,
        p1=args.p1 if args.p1 is not None else 0.0,
        p2=args.p2 if args.p2 is not None else 0.0,
        weekly_appointments=args.weekly_appointments,
        cycle_days=args.cycle_days,
        use_cycle_lag=args.cycle_days is not None,
    )
    result = solve(scenario, args.solve or "magic_number")
    doc = {f: getattr(result, f) for f in MAGIC_FIELDS}
    doc["solved"] = result.solved
    doc["warnings"] = list(result.warnings)
    if args.format == "json":
        _emit([], "json", sys.stdout, doc)
    else:
        _emit([doc], args.format, sys.stdout)


COMMANDS = {"inspect": cmd_inspect, "kpis": cmd_kpis, "weekly": cmd_weekly, "peers": cmd_peers, "magic": cmd_magic}


def return_memory_promptly() -> None:
    """Arrow's memory for a one-shot process (``python -m kpi_core`` sets it): jemalloc, handing
    freed pages back to the system at once instead of keeping them for later allocations.

    A command reads one file, prints and exits: nothing is gained by keeping freed memory, and a
    five-million-row file peaks at 0.9x its size instead of 1.2x (the app's server keeps the
    default pool, which reuses memory faster). A build without jemalloc keeps the default.
    """
    with contextlib.suppress(NotImplementedError, pa.ArrowNotImplementedError):
        pa.set_memory_pool(pa.jemalloc_memory_pool())
        pa.jemalloc_set_decay_ms(0)


#: Control characters a terminal acts on, written as visible escapes (valid in JSON too): a rep
#: named "\x1b]52;c;...\x07" set the terminal's clipboard, and "\x1b[2K" erased the line above.
#: Line ends and tabs stay.
_CONTROLS = {c: f"\\u{c:04x}" for c in (*range(0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0))}


class _Visible:
    """A text stream whose control characters are written as ``\\u001b`` and the like."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        written: int = self._stream.write(text.translate(_CONTROLS))
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the exit status (0 ok, 2 unusable input)."""
    args = build_parser().parse_args(argv)
    stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8") if hasattr(sys.stdout, "buffer") else None
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Visible(stdout or sys.stdout), _Visible(sys.stderr)
    try:
        COMMANDS[args.command](args)
    except KpiError as err:
        print(f"error: {for_the_command_line(str(err))}", file=sys.stderr)
        return 2
    except Exception as err:  # the promise: never a traceback
        print(
            f"error: something unexpected went wrong ({type(err).__name__}); please report it with the file that caused it.",
            file=sys.stderr,
        )
        return 1
    finally:
        sys.stdout, sys.stderr = streams
        if stdout is not None:
            stdout.flush()
            stdout.detach()  # the process's own stdout stays open
        db.close()
    return 0
