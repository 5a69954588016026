"""Data: upload a file (or keep the sample), confirm how its columns are read, see the import report."""

import re

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from kpi_core.errors import AmbiguousFormatError, KpiError
from kpi_core.exports import to_csv_bytes
from kpi_core.importing import content_key, format_label
from kpi_core.model import Shape
from kpi_core.reading import DELIMITER_NAMES
from ui import importer as imp
from ui import memo, page, state
from ui.format import number
from ui.text import md_escape

#: The command line's way to the same choice, in a report note: not for a reader of this page.
_COMMAND_LINE = re.compile(r"; command line: [^)]*\)")


def on_this_page(note: str) -> str:
    """A report note as this page says it: "(Data page: ...; command line: --keep-spellings)" -> "(on this page: ...)"."""
    return _COMMAND_LINE.sub(")", note).replace("(Data page: ", "(on this page: ")


#: Runs of lines the by-reason summary shows per reason ("... and 480 more lines"; every line is in
#: the line-by-line table below it).
SUMMARY_RUNS = 20


def _take_upload() -> None:
    uploaded = st.file_uploader(
        "Upload your team's spreadsheet: CSV, Excel (.xlsx) or Parquet",
        type=["csv", "tsv", "txt", "xlsx", "xlsm", "parquet"],
        key=imp.UPLOAD,
        on_change=imp.keep_upload,
        help="A CRM export (one row per opportunity) or a weekly activity log (one row per rep per week).",
    )
    if uploaded is not None:
        name, file_id, content = uploaded.name, uploaded.file_id, uploaded.getvalue()
    elif (pending := st.session_state.get(state.PENDING_UPLOAD)) is not None:
        # The user left the page while the file was read: the uploader came back empty, the file is kept.
        name, file_id, content = pending
        st.caption(md_escape(f"Uploaded before you left this page: {name}"))
    else:
        return
    d = imp.draft()
    if d is not None and d.file_id == file_id:
        return
    error = st.session_state.get(imp.UPLOAD_ERROR)
    if error and error[0] == file_id:
        st.error(md_escape(error[1]))
        return
    source = state.Source(name=name, content=content, key=content_key(content))
    try:
        with st.spinner("Reading the file…"):
            imp.new_draft(source, file_id=file_id)
        st.session_state.pop(imp.UPLOAD_ERROR, None)
        st.session_state.pop(state.PENDING_UPLOAD, None)  # the draft holds it now
    except KpiError as err:
        st.session_state[imp.UPLOAD_ERROR] = (file_id, str(err))
        st.error(md_escape(str(err)))


def _mapping_editor(d: state.Draft) -> DeltaGenerator:
    """The mapping's inputs and the Confirm button; returns the place under the button where
    loading shows its progress (where the user's eyes are after clicking)."""
    raw = state.read_raw(d.source)
    st.subheader("2. Check how the columns are read")
    st.text(f"File: {d.source.name}")
    if len(raw.sheets) > 1:
        st.selectbox(
            "Sheet",
            list(raw.sheets),
            **(
                {}
                if st.session_state.get(imp.MAP_SHEET) in raw.sheets
                else {"index": list(raw.sheets).index(raw.sheet) if raw.sheet in raw.sheets else 0}
            ),
            key=imp.MAP_SHEET,
            on_change=imp.change_sheet,
        )
    st.radio(
        "This file is",
        list(imp.SHAPE_LABELS),
        # Set by the draft (imp.clear_widgets); the index only for a draft that did not set it.
        **state.initial(imp.MAP_SHAPE, index=list(imp.SHAPE_LABELS).index(d.shape)),
        format_func=imp.SHAPE_LABELS.__getitem__,
        key=imp.MAP_SHAPE,
        on_change=imp.change_shape,
        horizontal=True,
    )
    options = [imp.NOT_IN_FILE, *raw.headers]
    canon = imp.columns_for(d.shape)
    kept = imp.kept_keys(d)
    for key in kept:
        state.keep(key)  # corrections not yet confirmed stay while the user visits another page
    cols = st.columns(4)
    for i, canonical in enumerate(canon):
        key = imp.map_key(d, canonical)
        if st.session_state.get(key) not in options:
            # The box's value lives in session state (seeded by the draft), never stale from another file.
            st.session_state[key] = d.mapping.header(canonical) or imp.NOT_IN_FILE
        cols[i % 4].selectbox(imp.CANONICAL_LABELS[canonical], options, key=key)
    # Escaped: a caption is Markdown, and "* required" rendered as a bullet point.
    st.caption(r"\* required. Every other column is kept for filtering (region, product, lead source...).")
    st.checkbox(
        "One name for spellings that differ only in capitals or spaces",
        **state.initial(imp.MAP_SPELLING, value=d.mapping.one_spelling),
        key=imp.MAP_SPELLING,
        help="'ANDI PRATAMA', 'andi  pratama' and 'Andi Pratama' count as one rep, named as most rows name it; "
        "the same for teams and for the other columns' labels (a region, a product). The import report says "
        "which spellings were read as which.",
    )
    columns = imp.chosen_columns(d, raw)
    problem = imp.duplicate_problem(columns)
    if problem:
        st.error(md_escape(problem))
    if d.shape is Shape.OPPORTUNITIES:
        stage_header = columns.get("stage")
        if stage_header:
            values = imp.stage_options(raw, stage_header)
            if st.session_state.get(imp.MAP_STAGES_FOR) != stage_header or imp.MAP_STAGES not in st.session_state:
                st.session_state.pop(imp.MAP_STAGES, None)
                st.session_state[imp.MAP_STAGES_FOR] = stage_header
                default = d.mapping.advanced_stages if stage_header == d.mapping.header("stage") else None
                if default is None:
                    from kpi_core.mapping import propose_stages

                    default = propose_stages(values)
                st.session_state[imp.MAP_STAGES] = [v for v in values if v in default]
            st.multiselect(
                "Stage values that mean the first gate was passed (a next step or later)",
                values,
                key=imp.MAP_STAGES,
                help="An opportunity has advanced when it has a next-step date, reached one of these stages, or was won.",
            )
        outcome = imp.outcome_header(columns)
        if outcome:
            try:
                preview_mapping = imp.edited_mapping(d, raw)
            except KpiError:
                preview_mapping = d.mapping
            table = imp.outcome_table(raw, outcome, preview_mapping)
            st.caption("How the outcome values are read (won, lost, anything else open):")
            st.dataframe(table, hide_index=True, key="map_outcome_table")
            won_key, lost_key = imp.outcome_key(d, imp.MAP_WON), imp.outcome_key(d, imp.MAP_LOST)
            # Every value the standard words do not read (whatever it is read as now), and any chosen earlier.
            unique = list(
                dict.fromkeys(
                    [
                        *imp.choosable_outcomes(table["Value in the file"]),
                        *st.session_state.get(won_key, []),
                        *st.session_state.get(lost_key, []),
                    ]
                )
            )
            c1, c2 = st.columns(2)
            c1.multiselect(
                "Also count as won",
                unique,
                **state.initial(won_key, default=[v for v in d.mapping.won_values if v in unique]),
                key=won_key,
            )
            c2.multiselect(
                "Also count as lost",
                unique,
                **state.initial(lost_key, default=[v for v in d.mapping.lost_values if v in unique]),
                key=lost_key,
            )
    with st.expander("The file's first rows, as read"):
        st.dataframe(imp.preview(raw), hide_index=True, key="map_preview")
    state.remember(*kept)
    st.button(
        "Confirm mapping and load",
        type="primary",
        key="confirm_mapping",
        on_click=imp.request_build,
        disabled=problem is not None,
    )
    return st.empty()


def _question(d: state.Draft) -> None:
    q = d.question
    assert q is not None
    st.warning(md_escape(q["message"]))
    with st.container(key=imp.FORMAT_CHOICE):
        st.radio(
            "Which one does the file use?",
            q["options"],
            format_func=lambda o: imp.option_label(q["kind"], o),
            key=imp.question_key(q),
        )
    if q.get("siblings"):
        st.caption("The same choice is used for: " + md_escape(", ".join(q["siblings"])))
    st.button("Use this and load", type="primary", key="format_apply", on_click=imp.answer_question)


def _build(d: state.Draft, progress: DeltaGenerator) -> None:
    """Load the file under the edited mapping, its status in ``progress`` (under the Confirm
    button: drawn above the mapping, it was off the screen of a user who had scrolled down to
    the button, and a big file's 1-15 s passed with no sign of work)."""
    raw = state.read_raw(d.source)
    mapping = imp.edited_mapping(d, raw)
    try:
        with progress.status("Loading and checking every row…", expanded=False) as status:
            ds = state.build(d.source, raw, mapping)
            status.update(label="Loaded", state="complete")
    except AmbiguousFormatError as err:
        progress.empty()
        d.build_requested = False
        d.question = {
            "column": err.column,
            "kind": err.kind,
            "options": list(err.options),
            "message": str(err),
            "siblings": imp.siblings(raw, mapping, err) if err.kind == "date" else [],
        }
        st.rerun()  # the question is drawn above the mapping
    except KpiError as err:
        d.build_requested = False
        progress.error(md_escape(str(err)))
        return
    d.build_requested = False
    d.mapping = mapping
    state.activate(d.source, ds)
    st.rerun()


#: Rows set aside listed on the page, line by line; the rest are in a download. A file with
#: 200,000 rows without a rep sent all of them to the browser in one 5 MB message (5.9 s).
SET_ASIDE_SHOWN = 1_000


def _report() -> None:
    ds = state.dataset()
    src = state.source()
    cur = state.money_format()
    r = ds.report
    st.subheader("3. Import report of the data in use")
    st.text(f"Source: {src.name}")
    a, b, c = st.columns(3)
    a.metric("Rows in the file", number(r.data_rows, cur))
    b.metric("Rows loaded", number(r.rows_loaded, cur))
    c.metric("Rows set aside", number(r.rows_set_aside, cur))
    details = [("Shape", imp.SHAPE_LABELS[ds.shape]), ("File format", r.file_format)]
    if r.encoding:
        details.append(("Encoding", r.encoding))
    if r.delimiter:
        details.append(("Delimiter", DELIMITER_NAMES.get(r.delimiter, r.delimiter)))
    if r.sheet:
        details.append(("Sheet", r.sheet))
    for header, fmt in r.date_formats.items():
        details.append((f"Dates in '{header}'", format_label(fmt)))
    details.append(("Decimal mark", f"'{r.decimal}'" if r.decimal else "not needed"))
    if ds.shape is Shape.OPPORTUNITIES:
        details.append(
            ("Stages counted as next step or later", ", ".join(sorted(ds.mapping.advanced_stages)) or "none")
        )
    st.dataframe([{"What": k, "Value": v} for k, v in details], hide_index=True, key="report_details")
    if r.set_aside:
        st.caption("Rows set aside, by reason:")
        st.dataframe(
            [
                {"Reason": g.reason, "Rows": g.count, "Lines": g.line_ranges(SUMMARY_RUNS)}
                for g in r.set_aside_by_reason()
            ],
            hide_index=True,
            width="stretch",
            column_config={"Lines": st.column_config.TextColumn("Lines", width="large")},
            key="report_set_aside_by_reason",
        )
        shown = r.set_aside[:SET_ASIDE_SHOWN]
        if len(r.set_aside) > SET_ASIDE_SHOWN:
            st.caption(
                f"Every row set aside, line by line: the first {number(SET_ASIDE_SHOWN, cur)} of "
                f"{number(len(r.set_aside), cur)} here, all of them in the download."
            )
        else:
            st.caption("Every row set aside, line by line:")
        st.dataframe([{"Line": s.line, "Reason": s.reason} for s in shown], hide_index=True, key="report_set_aside")
        if len(r.set_aside) > SET_ASIDE_SHOWN:
            st.download_button(
                "Download every row set aside (CSV)",
                data=lambda: to_csv_bytes(["Line", "Reason"], ((s.line, s.reason) for s in r.set_aside)),
                file_name="rows_set_aside.csv",
                mime="text/csv",
                key="report_set_aside_download",
                on_click="ignore",
                icon=":material/download:",
            )
    else:
        st.caption("No row was set aside.")
    if r.unreadable:
        st.caption("Values that could not be read (kept as missing, never as 0 or today):")
        st.dataframe(
            [
                {
                    "Column": u.column,
                    "Values": u.count,
                    "Reason": u.reason,
                    "Examples": "; ".join(
                        f"line {line}: {ex}" for line, ex in zip(u.example_lines, u.examples, strict=True)
                    ),
                }
                for u in r.unreadable
            ],
            hide_index=True,
            key="report_unreadable",
        )
    else:
        st.caption("Every value in the mapped columns could be read.")
    for note in r.notes:
        st.info(md_escape(on_this_page(note)))
    duplicates = memo.duplicate_ids(ds)
    if duplicates is not None:
        st.warning(md_escape(duplicates.sentence()))


TEAM_UPLOAD = "team_upload"
TEAM_ERROR = "team_list_error"


def _team_list() -> None:
    """A second file naming each rep's team (``kpi_core.teams``): the peer groups of a CRM export
    that names each opportunity's owner but not the owner's team."""
    in_use = state.team_list()
    with st.expander(
        # The label is Markdown: the list's file name (the uploader's own text) is escaped.
        "Teams from another file" + (f": {md_escape(in_use.source)}" if in_use else " (optional)"),
        key="team_list_box",
    ):
        st.caption(
            "A list of reps and their teams, such as a CRM's users export (rep, manager, office...). Each rep's "
            "team is taken from it, so peers are compared within their team; its other columns become filters. "
            "It stays in use for the files you load next."
        )
        if in_use is not None:
            st.text(f"In use: {in_use.source}, teams from '{in_use.team_header}', {len(in_use.reps)} reps.")
            st.button("Stop using this team list", key="team_list_drop", on_click=state.use_team_list, args=(None,))
        uploaded = st.file_uploader(
            "Team list: CSV, Excel (.xlsx) or Parquet",
            type=["csv", "tsv", "txt", "xlsx", "xlsm", "parquet"],
            key=TEAM_UPLOAD,
        )
        if uploaded is None:
            return
        content = uploaded.getvalue()
        try:
            proposed = state.team_list_of(content, uploaded.name)
        except KpiError as err:
            st.error(md_escape(str(err)))
            return
        headers = list(proposed.headers)
        c1, c2 = st.columns(2)
        rep = c1.selectbox(
            "Its reps are in",
            headers,
            index=headers.index(proposed.rep_header),
            key=f"team_rep__{uploaded.file_id}",
        )
        team = c2.selectbox(
            "Their teams are in",
            headers,
            index=headers.index(proposed.team_header),
            key=f"team_team__{uploaded.file_id}",
        )
        st.button(
            "Use these teams",
            key="team_list_use",
            type="primary",
            on_click=_use_team_list,
            args=(content, uploaded.name, rep, team),
        )
        error = st.session_state.get(TEAM_ERROR)
        if error and error[0] == uploaded.file_id:
            st.error(md_escape(error[1]))


def _use_team_list(content: bytes, name: str, rep: str, team: str) -> None:
    """The "Use these teams" button: join the list to the data in use, or say why it cannot be."""
    try:
        state.use_team_list(state.team_list_of(content, name, rep, team))
    except KpiError as err:
        st.session_state[TEAM_ERROR] = (st.session_state[TEAM_UPLOAD].file_id, str(err))
    else:
        st.session_state.pop(TEAM_ERROR, None)


def body() -> None:
    st.title("Where do these numbers come from?")
    st.subheader("1. Choose the data")
    _take_upload()
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    c1.selectbox("Or use a sample", list(state.SAMPLES), key="sample_choice")
    c2.button("Use this sample", key="use_sample", on_click=imp.use_sample, width="stretch")
    _team_list()
    d = imp.current_draft()
    if d.question is not None:
        _question(d)
    progress = _mapping_editor(d)
    if d.build_requested:
        _build(d, progress)
    _report()


page.run(body)
