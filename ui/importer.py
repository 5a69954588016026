"""The Data page's import flow: drafts, the mapping the widgets describe, and the format questions."""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Iterable
from typing import Any

import pandas as pd
import streamlit as st

from kpi_core import cells
from kpi_core.errors import AmbiguousFormatError, MappingError
from kpi_core.importing import choose_date_format, date_texts, format_label
from kpi_core.mapping import distinct_values, outcome_of, propose_mapping, propose_stages, with_overrides
from kpi_core.model import (
    OPPORTUNITY_COLUMNS,
    OPPORTUNITY_DATES,
    WEEKLY_COLUMNS,
    ColumnMapping,
    RawTable,
    Shape,
)

from . import state
from .state import Draft, Source

NOT_IN_FILE = "(not in this file)"
MAP_PREFIX = "map_col_"
MAP_STAGES = "map_stages"
MAP_STAGES_FOR = "map_stages_for"
MAP_WON = "map_won_values"
MAP_LOST = "map_lost_values"
MAP_SHAPE = "map_shape"
#: The "One name for spellings that differ only in capitals or spaces" box (``ColumnMapping.one_spelling``).
MAP_SPELLING = "map_one_spelling"
MAP_SHEET = "map_sheet"
FORMAT_CHOICE = "format_choice"
UPLOAD = "upload"
UPLOAD_ERROR = "upload_error"

CANONICAL_LABELS: dict[str, str] = {
    "rep": "Rep (salesperson) *",
    "first_appointment": "First appointment date *",
    "next_step": "Next-step date",
    "stage": "Stage",
    "outcome": "Outcome (won / lost / open)",
    "close_date": "Close date",
    "amount": "Amount",
    "team": "Team",
    "week": "Week *",
    "appointments": "First appointments *",
    "next_steps": "Next steps",
    "wins": "Wins",
    "revenue": "Revenue",
    "cycle_days": "Sales cycle (days)",
}
SHAPE_LABELS = {
    Shape.OPPORTUNITIES: "Opportunity list (one row per opportunity)",
    Shape.WEEKLY_LOG: "Weekly activity log (one row per rep per week)",
}
DECIMAL_LABELS = {".": "'.' is the decimal mark (1,500.50)", ",": "',' is the decimal mark (1.500,50)"}


def keep_upload() -> None:
    """The uploader's callback: keep what it holds (or forget it, when the user removed it)."""
    uploaded = st.session_state.get(UPLOAD)
    if uploaded is None:
        st.session_state.pop(state.PENDING_UPLOAD, None)
    else:
        st.session_state[state.PENDING_UPLOAD] = (uploaded.name, uploaded.file_id, uploaded.getvalue())


def draft() -> Draft | None:
    d: Draft | None = st.session_state.get(state.DRAFT)
    return d


def clear_widgets(d: Draft | None = None) -> None:
    """Forget the mapping widgets, then set the column boxes to ``d``'s proposal.

    The boxes' keys are new for every draft (:func:`map_key`), so no stale browser value survives.
    """
    for key in list(st.session_state.keys()):
        if not isinstance(key, str):
            continue
        widget = key.removeprefix(state.KEPT_PREFIX)  # and the copies kept while on other pages
        if widget.startswith((MAP_PREFIX, f"{MAP_WON}__", f"{MAP_LOST}__", f"{FORMAT_CHOICE}__")) or widget in (
            MAP_STAGES,
            MAP_STAGES_FOR,
            MAP_SHAPE,
            MAP_SPELLING,
        ):
            del st.session_state[key]
    if d is not None:
        for canonical in columns_for(d.shape):
            st.session_state[map_key(d, canonical)] = d.mapping.header(canonical) or NOT_IN_FILE
        # Set, not only forgotten: a keyed radio keeps its identity (and the browser its choice)
        # when its default changes, so a weekly log uploaded after the sample showed "Opportunity
        # list" and sent it back on "Confirm", which then asked for an opportunity list's columns.
        st.session_state[MAP_SHAPE] = d.shape


def _token(*parts: object) -> str:
    """A short stable token for widget keys that must be new whenever ``parts`` change."""
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:10]


def _draft_token(d: Draft) -> str:
    return _token(d.source.key, d.source.sheet, d.shape)


def map_key(d: Draft, canonical: str) -> str:
    """The key of a column box: new for every file, sheet and shape.

    A keyed selectbox keeps its identity (and its value in the browser) when only its options
    change, so a box reused across files would show or send the previous file's choice.
    """
    return f"{MAP_PREFIX}{canonical}__{_draft_token(d)}"


def kept_keys(d: Draft) -> tuple[str, ...]:
    """The mapping widgets whose values stay while the user visits another page (``ui.state.keep``)."""
    boxes = tuple(map_key(d, canonical) for canonical in columns_for(d.shape))
    return (*boxes, MAP_STAGES, outcome_key(d, MAP_WON), outcome_key(d, MAP_LOST), MAP_SHAPE, MAP_SPELLING)


def outcome_key(d: Draft, which: str) -> str:
    """The key of the "Also count as won" (``MAP_WON``) or "... as lost" (``MAP_LOST``) box: new for
    every file, sheet and shape, for the same reason as :func:`map_key`."""
    return f"{which}__{_draft_token(d)}"


def new_draft(source: Source, mapping: ColumnMapping | None = None, *, file_id: str | None = None) -> Draft:
    """Start mapping ``source``: read it (cached) and propose a mapping unless one is given."""
    raw = state.read_raw(source)
    mapping = mapping or propose_mapping(raw)
    d = Draft(
        source=source,
        shape=mapping.shape,
        mapping=mapping,
        file_id=file_id,
        date_formats=dict(mapping.date_formats),
        decimal=mapping.decimal,
    )
    st.session_state[state.DRAFT] = d
    clear_widgets(d)
    # The sheet box shows this file's sheet (set for the reason the shape is: clear_widgets).
    if len(raw.sheets) > 1 and raw.sheet in raw.sheets:
        st.session_state[MAP_SHEET] = raw.sheet
    else:
        st.session_state.pop(MAP_SHEET, None)
    return d


def current_draft() -> Draft:
    """The draft on the Data page; the active dataset's own source and mapping by default."""
    d = draft()
    if d is None:
        ds = state.dataset()
        d = new_draft(state.source(), ds.mapping)
    return d


def columns_for(shape: Shape) -> tuple[str, ...]:
    return WEEKLY_COLUMNS if shape is Shape.WEEKLY_LOG else OPPORTUNITY_COLUMNS


def chosen_columns(d: Draft, raw: RawTable) -> dict[str, str | None]:
    """Canonical -> header as the mapping widgets say (the draft's mapping where not rendered)."""
    out: dict[str, str | None] = {}
    for canonical in columns_for(d.shape):
        value = st.session_state.get(map_key(d, canonical), d.mapping.header(canonical) or NOT_IN_FILE)
        out[canonical] = None if value == NOT_IN_FILE or value not in raw.headers else value
    return out


def duplicate_problem(columns: dict[str, str | None]) -> str | None:
    """One sentence when a header is chosen for two roles."""
    counts = Counter(h for h in columns.values() if h)
    for header, n in counts.items():
        if n > 1:
            roles = [c for c, h in columns.items() if h == header]
            return f"The column '{header}' is chosen for {' and '.join(roles)}; a column can play one role."
    return None


def stage_options(raw: RawTable, header: str | None) -> list[str]:
    return distinct_values(raw, header)


def outcome_header(columns: dict[str, str | None]) -> str | None:
    return columns.get("outcome") or columns.get("stage")


def edited_mapping(d: Draft, raw: RawTable) -> ColumnMapping:
    """The draft's mapping with every correction the widgets hold; raises MappingError on a conflict."""
    columns = chosen_columns(d, raw)
    problem = duplicate_problem(columns)
    if problem:
        raise MappingError(problem)
    base = ColumnMapping(shape=d.shape, columns={c: None for c in columns_for(d.shape)})
    stages: Any = None
    if d.shape is Shape.OPPORTUNITIES:
        stages = st.session_state.get(MAP_STAGES)
        if stages is None or st.session_state.get(MAP_STAGES_FOR) != columns.get("stage"):
            stages = (
                sorted(d.mapping.advanced_stages)
                if columns.get("stage") == d.mapping.header("stage")
                else sorted(propose_stages(stage_options(raw, columns.get("stage"))))
            )
    mapping = with_overrides(
        base,
        raw.headers,
        columns=columns,
        advanced_stages=stages or (),
        date_formats=d.date_formats,
        decimal=d.decimal,
    )
    won = st.session_state.get(outcome_key(d, MAP_WON), sorted(d.mapping.won_values))
    lost = st.session_state.get(outcome_key(d, MAP_LOST), sorted(d.mapping.lost_values))
    one_spelling = bool(st.session_state.get(MAP_SPELLING, d.mapping.one_spelling))
    return dataclasses.replace(
        mapping, won_values=frozenset(won), lost_values=frozenset(lost), one_spelling=one_spelling
    )


def outcome_table(raw: RawTable, header: str | None, mapping: ColumnMapping) -> pd.DataFrame:
    """Each outcome value of the file and how it is read (won, lost or open)."""
    values = distinct_values(raw, header, limit=50)
    return pd.DataFrame({"Value in the file": values, "Read as": [outcome_of(v, mapping) for v in values]})


def choosable_outcomes(values: Iterable[str]) -> list[str]:
    """The outcome values a user may count as won or lost: those the spec's words read as open
    (``Won`` and ``Closed Lost`` need no choice), including any proposed as won or lost."""
    plain = ColumnMapping(shape=Shape.OPPORTUNITIES, columns={})
    return [v for v in values if outcome_of(v, plain) == "open"]


def siblings(raw: RawTable, mapping: ColumnMapping, err: AmbiguousFormatError) -> list[str]:
    """Other date columns that leave the same day/month question open (answered together)."""
    out = []
    for canonical in (*OPPORTUNITY_DATES, "week"):
        header = mapping.header(canonical)
        if not header or header == err.column or header in mapping.date_formats or header in raw.native_dates:
            continue
        try:
            choose_date_format(header, cells.distinct(date_texts(raw, header)))  # an Excel column's text alone
        except AmbiguousFormatError as other:
            if set(other.options) == set(err.options):
                out.append(header)
    return out


def option_label(kind: str, option: str) -> str:
    return format_label(option) if kind == "date" else DECIMAL_LABELS.get(option, option)


def question_key(question: dict[str, Any]) -> str:
    """The key of a format question's choice: its own for each question (column and kind).

    A keyed radio keeps its identity, and the browser its choice, when only its options change:
    after "mm/dd/yyyy" (the second option) for the dates, the decimal question that followed
    started on its second option too.
    """
    return f"{FORMAT_CHOICE}__{_token(question['column'], question['kind'])}"


def answer_question() -> None:
    """Callback of the format question's button: record the choice and load again."""
    d = draft()
    if d is None or d.question is None:
        return
    key = question_key(d.question)
    choice = st.session_state.get(key) or d.question["options"][0]
    if d.question["kind"] == "date":
        for header in (d.question["column"], *d.question.get("siblings", [])):
            d.date_formats[header] = choice
    else:
        d.decimal = choice
    d.question = None
    d.build_requested = True
    st.session_state.pop(key, None)


def request_build() -> None:
    """Callback of the confirm button."""
    d = draft()
    if d is not None:
        d.build_requested = True
        d.question = None


def use_sample() -> None:
    """Callback of the sample button: map and load the chosen sample file."""
    choice = st.session_state.get("sample_choice") or state.SAMPLE_DEFAULT
    d = new_draft(state.sample_source(choice))
    d.build_requested = True


def change_shape() -> None:
    d = draft()
    if d is None:
        return
    shape = st.session_state[MAP_SHAPE]
    raw = state.read_raw(d.source)
    d.shape = shape
    d.mapping = propose_mapping(raw, shape)
    clear_widgets(d)
    st.session_state[MAP_SHAPE] = shape


def change_sheet() -> None:
    d = draft()
    if d is None:
        return
    src = dataclasses.replace(d.source, sheet=st.session_state[MAP_SHEET])
    new_draft(src, file_id=d.file_id)


def preview(raw: RawTable, rows: int = 20) -> pd.DataFrame:
    """The file's first rows as read, with its own headers."""
    return pd.DataFrame({header: raw.cells(header).slice(0, rows).to_pylist() for header in raw.headers})
