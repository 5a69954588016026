"""Data page: upload, mapping confirmation, format questions, import report, hostile text."""

from __future__ import annotations

from pathlib import Path

from tests.app.conftest import FIXTURES, confirm, metric, new_app, open_page, sidebar_text, upload, upload_fixture


def column_box(at, canonical: str):
    """The mapping box of one canonical column (its key carries the draft's token)."""
    (box,) = [b for b in at.selectbox if str(b.key).startswith(f"map_col_{canonical}__")]
    return box


def _markdown_texts(at) -> list[str]:
    out = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "subheader", "header"):
        out += [str(e.value) for e in at.get(kind)]
    return out


def test_the_data_page_renders_the_sample_mapping_and_report() -> None:
    at = open_page(new_app(), "data")
    assert at.title[0].value == "Where do these numbers come from?"
    assert column_box(at, "rep").value == "Sales Rep"
    assert metric(at, "Rows loaded") == "1,818"


def test_an_upload_is_proposed_first_and_loaded_only_after_confirming() -> None:
    at = upload(new_app(), "canonical.csv", (FIXTURES / "canonical.csv").read_bytes())
    assert metric(at, "Rows loaded") == "1,818", "the sample stays in use until the mapping is confirmed"
    assert column_box(at, "rep").value == "rep"
    confirm(at)
    assert metric(at, "Rows loaded") == "14"
    assert any("canonical.csv" in t.value for t in at.text)


def test_confirming_an_upload_changes_what_every_page_shows() -> None:
    at = new_app()
    before = metric(at, "Appointments")
    upload_fixture(at, "canonical.csv")
    open_page(at, "overview")
    assert metric(at, "Appointments") == "14" != before
    open_page(at, "peers")
    assert set(at.dataframe[-1].value["Rep"]) == {"Ana", "Budi", "Citra", "Dedi"}


def test_correcting_the_mapping_changes_the_numbers() -> None:
    at = upload(new_app(), "canonical.csv", (FIXTURES / "canonical.csv").read_bytes())
    column_box(at, "next_step").set_value("(not in this file)").run()
    at.multiselect(key="map_stages").set_value([]).run()
    confirm(at)
    open_page(at, "overview")
    assert metric(at, "Appointment-to-next-step ratio") != "71.4 %"


def test_ambiguous_dates_ask_which_format_and_load_after_choosing() -> None:
    at = upload(new_app(), "indonesia_ambiguous.csv", (FIXTURES / "indonesia_ambiguous.csv").read_bytes())
    confirm(at)
    assert any("fit both dd/mm/yyyy and mm/dd/yyyy" in w.value.replace("\\", "") for w in at.warning)
    radio = next(r for r in at.radio if r.label == "Which one does the file use?")
    assert list(radio.options) == ["dd/mm/yyyy", "mm/dd/yyyy"]
    radio.set_value("%d/%m/%Y").run()
    at.button(key="format_apply").click().run()
    assert not at.exception
    assert metric(at, "Rows loaded") == "10"
    details = at.dataframe[-1].value if "What" in at.dataframe[-1].value else None
    shown = [df.value for df in at.dataframe if "What" in df.value.columns]
    assert shown and "dd/mm/yyyy" in set(shown[0]["Value"]), details


def test_a_file_that_is_not_a_spreadsheet_gets_one_sentence_and_the_data_stays() -> None:
    at = upload(new_app(), "picture.csv", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    assert any("PNG" in e.value for e in at.error)
    assert metric(at, "Rows loaded") == "1,818"


def test_rows_set_aside_and_unreadable_values_are_reported() -> None:
    at = upload_fixture(new_app(), "messy.csv")
    assert int(metric(at, "Rows set aside")) > 0
    columns = [set(df.value.columns) for df in at.dataframe]
    assert {"Line", "Reason"} in columns
    by_line = next(df.value for df in at.dataframe if set(df.value.columns) == {"Line", "Reason"})
    by_reason = next(df.value for df in at.dataframe if set(df.value.columns) == {"Reason", "Rows", "Lines"})
    assert by_reason["Rows"].sum() == len(by_line) == int(metric(at, "Rows set aside"))
    for reason, lines in zip(by_reason["Reason"], by_reason["Lines"], strict=True):
        assert lines == ", ".join(str(n) for n in by_line[by_line["Reason"] == reason]["Line"])  # messy.csv: no runs
    assert {"Column", "Values", "Reason", "Examples"} in columns


def test_hostile_rep_names_and_headers_display_literally(tmp_path: Path) -> None:
    link, img = "[click](javascript:alert(1))", "<img src=x onerror=alert(1)>"
    content = (
        "Sales Rep,First Appointment,Outcome,Amount,<b>Region</b>\n"
        + "".join(f'"{link}",2026-01-0{d},Won,100,x\n' for d in range(1, 7))
        + "".join(f'"{img}",2026-01-0{d},Lost,,y\n' for d in range(1, 7))
    ).encode()
    at = confirm(upload(new_app(), "hostile.csv", content))
    for page in ("overview", "funnels", "peers", "magic_number", "weekly", "data"):
        open_page(at, page)
        for text in _markdown_texts(at):
            assert link not in text and img not in text, (page, text)
    open_page(at, "overview")
    assert set(at.dataframe[0].value["Rep"]) == {link, img}


def test_the_weekly_sample_loads_from_the_sample_choice() -> None:
    at = open_page(new_app(), "data")
    at.selectbox(key="sample_choice").set_value("Weekly activity log (sample data)").run()
    at.button(key="use_sample").click().run()
    assert not at.exception
    assert at.radio(key="map_shape").value.name == "WEEKLY_LOG"


def test_a_workbook_shows_the_sheet_it_opened_and_another_sheet_can_be_loaded() -> None:
    import datetime as dt

    from tests.test_import import _xlsx

    content = _xlsx(
        {
            "Cover": [["Q3 pipeline report"], ["Prepared by", "Finance"]],
            "Deals": [["Owner", "Created", "Won"], ["Ana", dt.datetime(2026, 1, 3), "yes"]],
            "Older deals": [["Owner", "Created", "Won"], ["Budi", dt.datetime(2025, 6, 2), "no"]],
        }
    )
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at = upload(new_app(), "book.xlsx", content, xlsx)
    assert at.selectbox(key="map_sheet").value == "Deals"  # the sheet with the data, not the cover
    at.selectbox(key="map_sheet").set_value("Older deals").run()
    confirm(at)
    assert not at.exception
    assert "Source: book.xlsx" in sidebar_text(at)
    assert "Window: 2025-06-02 to 2025-06-02" in sidebar_text(at)


def test_indonesian_outcomes_are_proposed_in_the_won_and_lost_boxes_and_can_be_taken_back() -> None:
    at = upload(new_app(), "jakarta.csv", (FIXTURES / "jakarta.csv").read_bytes())
    won, lost = (
        next(m for m in at.multiselect if str(m.key).startswith(f"{k}__"))
        for k in ("map_won_values", "map_lost_values")
    )
    assert won.value == ["Menang"] and lost.value == ["Kalah"]
    assert set(won.options) == set(lost.options) == {"Menang", "Kalah", "Terbuka"}
    confirm(at)
    open_page(at, "overview")
    assert metric(at, "Close ratio") == "66,7 %"  # won 6 of 9 advanced (expected.py, JAKARTA); rupiah marks
    open_page(at, "data")
    next(m for m in at.multiselect if str(m.key).startswith("map_won_values__")).set_value([]).run()
    confirm(at)
    assert any("is read as won, so there are no sales" in i.value for i in at.info)  # Markdown-escaped
    open_page(at, "overview")
    assert metric(at, "Close ratio") == "0 %"


def test_a_file_whose_amounts_are_in_rupiah_switches_the_currency_and_one_naming_none_keeps_it() -> None:
    at = new_app()
    at.sidebar.selectbox(key="currency").set_value("EUR").run()
    upload_fixture(at, "canonical.csv")  # plain amounts: the reader's choice stays
    assert at.sidebar.selectbox(key="currency").value == "EUR"
    upload_fixture(at, "jakarta.csv")  # "Rp 15.000.000"
    assert at.sidebar.selectbox(key="currency").value == "IDR"
    open_page(at, "overview")
    assert metric(at, "Average revenue per sale").startswith("Rp")


def test_names_differing_only_in_capitals_are_one_rep_unless_the_box_is_unticked() -> None:
    """spellings.csv (expected.py, SPELLINGS): 'Andi Pratama', 'andi pratama' and 'ANDI  PRATAMA'."""
    at = upload(new_app(), "spellings.csv", (FIXTURES / "spellings.csv").read_bytes())
    box = at.checkbox(key="map_one_spelling")
    assert box.value is True
    confirm(at)
    said = [t.replace("\\", "") for t in _markdown_texts(at)]  # Markdown-escaped
    assert any("'andi pratama' and 'ANDI  PRATAMA' as 'Andi Pratama'" in t for t in said), said
    open_page(at, "overview")
    assert list(at.dataframe[0].value["Rep"]) == ["Andi Pratama", "Budi Santoso", "Citra"]
    assert list(at.dataframe[0].value["Appointments"]) == [4, 2, 2]
    open_page(at, "data")
    at.checkbox(key="map_one_spelling").uncheck().run()
    confirm(at)
    assert not any("capitals or spaces are read as one" in t.replace("\\", "") for t in _markdown_texts(at))
    open_page(at, "overview")
    assert sorted(at.dataframe[0].value["Rep"]) == sorted(
        ["Andi Pratama", "andi pratama", "ANDI  PRATAMA", "Budi Santoso", "budi santoso", "Citra", "citra"]
    )
    open_page(at, "data")
    assert at.checkbox(key="map_one_spelling").value is False  # the choice of the data in use stays


def _use_team_list(at, content: bytes, name: str = "team_list.csv") -> None:
    at.file_uploader(key="team_upload").set_value((name, content, "text/csv")).run()
    assert not at.exception, at.exception
    at.button(key="team_list_use").click().run()
    assert not at.exception, at.exception


def test_a_team_list_gives_each_rep_its_team_and_stays_for_the_next_file() -> None:
    """team_list.csv (tests/test_teams.py has the hand-computed numbers): Rina's and Tono's reps."""
    at = upload_fixture(new_app(), "spellings.csv")
    _use_team_list(at, (FIXTURES / "team_list.csv").read_bytes())
    assert "Teams: team_list.csv" in sidebar_text(at)
    said = [t.replace("\\", "") for t in _markdown_texts(at)]
    assert any("3 of this file's 3 reps are in it" in t for t in said), said
    open_page(at, "overview")
    at.selectbox(key="overview_group_by").set_value("team").run()
    table = at.dataframe[0].value
    assert list(table["Team"]) == ["Rina", "Tono"] and list(table["Appointments"]) == [6, 2]
    assert "Kota" in [s.label for s in at.sidebar.multiselect]  # the list's other column is a filter
    # A new pipeline file keeps the team list: of the canonical fixture's reps, only Citra is in it.
    upload_fixture(at, "canonical.csv")
    said = [t.replace("\\", "") for t in _markdown_texts(at)]
    assert any("1 of this file's 4 reps are in it" in t for t in said), said
    open_page(at, "data")
    at.button(key="team_list_drop").click().run()
    assert "Teams:" not in sidebar_text(at)
    assert not any("reps are in it" in t.replace("\\", "") for t in _markdown_texts(at))


def test_a_team_list_that_cannot_be_used_gets_one_sentence_and_the_data_stays() -> None:
    at = open_page(new_app(), "data")
    before = metric(at, "Rows loaded")
    at.file_uploader(key="team_upload").set_value(("one.csv", b"Sales Agent\nAndi\n", "text/csv")).run()
    assert not at.exception
    assert any("has one column" in e.value for e in at.error)
    assert metric(at, "Rows loaded") == before and "Teams:" not in sidebar_text(at)


def test_a_hostile_team_list_displays_literally() -> None:
    link, img = "[click](javascript:alert(1))", "<img src=x onerror=alert(1)>"
    at = upload_fixture(new_app(), "spellings.csv")
    listed = f'Sales Agent,Manager\nAndi Pratama,"{img}"\nCitra,"{link}"\n'.encode()
    _use_team_list(at, listed, name=f"{link}.csv")
    assert "Teams: " + link + ".csv" in sidebar_text(at)  # plain text
    labels = [e.label for e in at.expander]
    assert any("Teams from another file" in label for label in labels) and not any(link in label for label in labels)
    for page in ("overview", "peers", "data"):
        open_page(at, page)
        for text in [*_markdown_texts(at), *(e.label for e in at.expander)]:
            assert link not in text and img not in text, (page, text)
    open_page(at, "overview")
    at.selectbox(key="overview_group_by").set_value("team").run()
    assert set(at.dataframe[0].value["Team"]) >= {link, img}


def test_opportunity_ids_on_more_than_one_line_are_named_on_the_data_page() -> None:
    """tests/test_duplicate_ids.py: ids 1 and 3 on five lines of seven."""
    from tests.test_duplicate_ids import EXPORT, SENTENCE

    at = confirm(upload(new_app(), "export.csv", EXPORT))
    assert [w.value.replace("\\", "") for w in at.warning] == [SENTENCE]
    upload_fixture(at, "canonical.csv")
    assert not at.warning


def test_a_new_file_starts_without_the_previous_files_filters_decided_only_included() -> None:
    """'Decided opportunities only' is listed among the filters in force: it goes with them."""
    at = new_app()
    at.sidebar.checkbox(key="filter_decided_only").check().run()
    at.session_state["filter_teams"] = ["North"]
    at.run()
    assert "Decided opportunities only" in sidebar_text(at)
    at = upload_fixture(at, "canonical.csv")
    assert at.sidebar.checkbox(key="filter_decided_only").value is False
    assert "Filters: none" in sidebar_text(at)


def test_the_reports_notes_name_this_pages_choice_not_the_command_lines() -> None:
    at = open_page(upload_fixture(new_app(), "spellings.csv"), "data")
    notes = [i.value.replace("\\", "") for i in at.info]
    spelled = next(n for n in notes if n.startswith("Rep names that differ only in capitals or spaces"))
    assert spelled.endswith("(on this page: untick 'One name for spellings that differ only in capitals or spaces').")
    assert not any("command line" in n for n in notes)


def test_loading_speaks_under_the_confirm_button() -> None:
    """The loading status and its error were drawn above the mapping, off the screen of a user who
    had scrolled down to "Confirm mapping and load": a big file's seconds passed with no sign."""
    text = b"rep,first_appointment,outcome\nAna,soon,won\nBudi,later,lost\n"
    at = upload(new_app(), "no_dates.csv", text)
    at.button(key="confirm_mapping").click().run()
    order = list(at.main)
    button = next(i for i, e in enumerate(order) if getattr(e, "key", None) == "confirm_mapping")
    errors = [i for i, e in enumerate(order) if type(e).__name__ == "Error"]
    assert errors and all(i > button for i in errors), (button, errors)
    assert "can be read as a date" in at.error[0].value
    assert "sample data" in sidebar_text(at)  # the data in use stays


def test_a_thousand_rows_set_aside_are_listed_and_the_rest_are_in_a_download() -> None:
    """A file with 200,000 rows without a rep sent every one of them to the browser, line by line,
    in one 5 MB message."""
    lines = ["rep,first_appointment,outcome"] + [f"Ana,2026-01-{1 + i % 28:02d},won" for i in range(20)]
    lines += [f",2026-01-{1 + i % 28:02d},lost" for i in range(1_005)]
    at = confirm(upload(new_app(), "no_reps.csv", ("\n".join(lines) + "\n").encode()))
    open_page(at, "data")
    by_line = at.dataframe[-1].value  # the report's last table: line by line
    assert list(by_line.columns) == ["Line", "Reason"]
    assert len(by_line) == 1_000 and by_line["Line"].iloc[0] == 22
    assert any("the first 1,000 of 1,005 here, all of them in the download" in c.value for c in at.caption)
    assert [b.proto.id.endswith("report_set_aside_download") for b in at.get("download_button")] == [True]


def test_a_file_uploaded_before_the_user_left_the_page_is_read_on_their_return() -> None:
    """Leaving the Data page while a big file was read took the uploader, and the file in it, off
    the page: back on the Data page the upload was gone, with no word. The uploader's callback
    keeps the file as it arrives (ui.importer.keep_upload); here its kept copy, as left behind."""
    content = (FIXTURES / "jakarta.csv").read_bytes()
    at = open_page(new_app(), "overview")
    at.session_state["upload_pending"] = ("jakarta.csv", "file-1", content)
    assert _sidebar_warnings(at.run()) == ["jakarta.csv is not in use yet: finish loading it on the Data page."]
    open_page(at, "data")
    assert any("Uploaded before you left this page: jakarta.csv" in c.value.replace("\\", "") for c in at.caption)
    assert any(t.value == "File: jakarta.csv" for t in at.text)
    assert "upload_pending" not in at.session_state  # the draft holds the file now
    confirm(at)
    assert "Source: jakarta.csv" in sidebar_text(at)
    assert _sidebar_warnings(at) == []


def _sidebar_warnings(at) -> list[str]:
    return [str(w.value).replace("\\", "") for w in at.sidebar.warning]


def test_a_file_read_but_not_confirmed_is_named_on_every_page() -> None:
    """Leaving the Data page before "Confirm mapping and load" left the sample's numbers on every
    page with no hint that the file was not in use."""
    at = upload(new_app(), "jakarta.csv", (FIXTURES / "jakarta.csv").read_bytes())
    open_page(at, "overview")
    assert _sidebar_warnings(at) == ["jakarta.csv is not in use yet: finish loading it on the Data page."]
    assert "Source: sample data" in sidebar_text(at)
