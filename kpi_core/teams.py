"""A team list: a second file naming each rep's team (a CRM's users export: ``sales_agent``,
``manager``, ``regional_office``), joined to a pipeline on the rep's name.

A CRM's opportunity export names the owner but rarely the owner's team; the peer groups (spec 4)
are the teams. The list's team replaces the file's for every rep it lists; its other columns
become extra columns of the pipeline, to filter and group by. What was found, and what was not, is
said in the pipeline's import report.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from . import cells
from .errors import MappingError, UnreadableFileError
from .importing import RESERVED_GROUPINGS, compact_labels, rep_teams_of, spelling_key
from .mapping import propose_team_columns, sheet_score
from .model import Dataset, Dimension, ImportReport, SetAsideRow
from .reading import DEFAULT_LIMITS, Limits, content_hash, read_file


@dataclass(frozen=True)
class TeamList:
    """One line per rep: ``reps[i]``'s team is ``teams[i]`` (``None``: listed without a team), and
    each other column's value is ``extras[k][1][i]``."""

    source: str
    key: str
    headers: tuple[str, ...]
    rep_header: str
    team_header: str
    reps: tuple[str, ...]
    teams: tuple[str | None, ...]
    extras: tuple[tuple[str, tuple[str | None, ...]], ...]
    #: Lines of the list that name no rep (or have the wrong number of cells), not used.
    set_aside: tuple[SetAsideRow, ...] = ()


def read_team_list(
    content: bytes,
    name: str,
    *,
    rep: str | None = None,
    team: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> TeamList:
    """The team list in ``content`` (CSV, Excel or Parquet), its rep and team columns proposed from
    their headers unless given. Raises one sentence when the list cannot be used."""
    raw = read_file(content, name, limits=limits, sheet_score=sheet_score)
    headers = tuple(raw.headers)
    if len(headers) < 2:
        raise UnreadableFileError(
            f"{name} has one column; a team list needs a column of reps and a column of their teams."
        )
    proposed_rep, proposed_team = propose_team_columns(headers)
    rep_header, team_header = rep or proposed_rep, team or proposed_team
    for role, header in (("reps", rep_header), ("teams", team_header)):
        if header not in headers:
            raise MappingError(
                f"{name} has no column '{header}' for the {role}; its columns are: {', '.join(headers)}."
            )
    assert rep_header is not None and team_header is not None
    if rep_header == team_header:
        raise MappingError(f"The reps and their teams cannot both be read from '{rep_header}'; choose two columns.")
    columns = {h: [str(v).strip() if v is not None else "" for v in raw.values(h).to_pylist()] for h in headers}
    lines = raw.lines.to_pylist()
    others = [h for h in headers if h not in (rep_header, team_header)]
    first: dict[str, tuple[int, str | None]] = {}  # rep -> (its line, its team)
    order: list[int] = []
    set_aside = list(raw.set_aside)
    for i, (line, name_of_rep) in enumerate(zip(lines, columns[rep_header], strict=True)):
        if not name_of_rep:
            set_aside.append(SetAsideRow(line, "has no rep"))
            continue
        its_team = columns[team_header][i] or None
        if name_of_rep in first:
            seen_line, seen_team = first[name_of_rep]
            if seen_team != its_team:
                raise UnreadableFileError(
                    f"'{name_of_rep}' is listed twice in {name} with different teams ('{seen_team or ''}' on line "
                    f"{seen_line}, '{its_team or ''}' on line {line}); keep one line per rep and upload it again."
                )
            continue  # the same line again: one rep, one team
        first[name_of_rep] = (line, its_team)
        order.append(i)
    if not order:
        raise UnreadableFileError(f"{name} names no rep in '{rep_header}'; choose the column that holds the reps.")
    key = hashlib.sha256(f"{content_hash(content)}|{rep_header}|{team_header}".encode()).hexdigest()
    return TeamList(
        source=name,
        key=key,
        headers=headers,
        rep_header=rep_header,
        team_header=team_header,
        reps=tuple(columns[rep_header][i] for i in order),
        teams=tuple(columns[team_header][i] or None for i in order),
        extras=tuple((h, tuple(columns[h][i] or None for i in order)) for h in others),
        set_aside=tuple(sorted(set_aside, key=lambda r: r.line)),
    )


def _quoted(names: list[str], limit: int = 5) -> str:
    return ", ".join(f"'{n}'" for n in names[:limit]) + (
        f" and {len(names) - limit} more" if len(names) > limit else ""
    )


def with_teams(ds: Dataset, teams: TeamList) -> Dataset:
    """``ds`` with each rep's team from the team list (the file's own team, or none, for a rep the
    list does not name) and the list's other columns as extra columns; its report says which reps
    were found. A rep is found by name; names that differ only in capitals or spaces match too,
    unless the mapping keeps spellings apart."""
    rep = ds.table.column("rep").combine_chunks()
    rep = rep if cells.is_encoded(rep) else rep.dictionary_encode()
    exact = {r: i for i, r in enumerate(teams.reps)}
    # A loose match only where one listed rep has that name (two listed as "Andi" and "ANDI": neither).
    spelled = Counter(spelling_key(r) for r in teams.reps)
    loose = (
        {spelling_key(r): i for i, r in enumerate(teams.reps) if spelled[spelling_key(r)] == 1}
        if ds.mapping.one_spelling
        else {}
    )
    names = [str(n) for n in rep.dictionary.to_pylist()]
    at = [exact.get(n, loose.get(spelling_key(n)) if loose else None) for n in names]
    used = set(pc.unique(rep.indices).drop_null().to_pylist())
    found = pa.array([i is not None for i in at], pa.bool_()).take(rep.indices)
    listed = pa.array([teams.teams[i] if i is not None else None for i in at], pa.string()).take(rep.indices)
    file_team = ds.table.column("team").combine_chunks()
    file_team = file_team.cast(pa.string()) if cells.is_encoded(file_team) else file_team
    team = pc.if_else(found, listed, file_team)
    table = ds.table.set_column(ds.table.column_names.index("team"), "team", team)
    taken = {d.label for d in ds.dimensions} | RESERVED_GROUPINGS
    dims = list(ds.dimensions)
    for header, values in teams.extras:
        label = header if header not in taken else f"{header} (team list)"
        taken.add(label)
        column = f"d{len(dims)}"
        dims.append(Dimension(label=label, column=column))
        per_rep = pa.array([values[i] if i is not None else None for i in at], pa.string())
        table = table.append_column(column, per_rep.take(rep.indices))
    table = compact_labels(table)
    missing = sorted(n for code, n in enumerate(names) if at[code] is None and code in used)
    matched = {at[code] for code in used if at[code] is not None}
    unused = [r for i, r in enumerate(teams.reps) if i not in matched]
    notes = [
        f"Teams from {teams.source} (column '{teams.team_header}', reps in '{teams.rep_header}'): "
        f"{len(used) - len(missing)} of this file's {len(used)} reps are in it."
    ]
    if missing:
        keep = f"this file's team in '{ds.mapping.header('team')}'" if ds.mapping.header("team") else "no team"
        notes.append(
            f"{len(missing)} rep{'s are' if len(missing) > 1 else ' is'} not in {teams.source}, so "
            f"{'they keep' if len(missing) > 1 else 'keeps'} {keep}: {_quoted(missing)}."
        )
    if unused:
        notes.append(
            f"{len(unused)} rep{'s' if len(unused) > 1 else ''} of {teams.source} ha"
            f"{'ve' if len(unused) > 1 else 's'} no row in this file: {_quoted(unused)}."
        )
    if teams.set_aside:
        notes.append(
            f"{len(teams.set_aside)} line{'s' if len(teams.set_aside) > 1 else ''} of {teams.source} "
            f"{'were' if len(teams.set_aside) > 1 else 'was'} not used: "
            + "; ".join(f"line {r.line} {r.reason}" for r in teams.set_aside[:5])
            + ("; ..." if len(teams.set_aside) > 5 else "")
            + "."
        )
    if teams.extras:
        notes.append(
            f"Its other columns are kept for filtering and grouping: {_quoted([d.label for d in dims[len(ds.dimensions) :]])}."
        )
    report: ImportReport = dataclasses.replace(ds.report, notes=(*ds.report.notes, *notes))
    return dataclasses.replace(
        ds,
        table=table,
        report=report,
        dimensions=tuple(dims),
        content_key=hashlib.sha256(f"{ds.content_key}|{teams.key}".encode()).hexdigest(),
        rep_teams=rep_teams_of(table),
        team_list=teams.source,
    )
