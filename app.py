"""Magic Number: the entry script only sets up the page, the navigation and the shared sidebar."""

from pathlib import Path

import streamlit as st

from ui import sidebar

#: The browser tab's icon, served by the app itself: a Material icon there is fetched from
#: fonts.gstatic.com by every visitor's browser (and fails where the app runs without internet).
ICON = str(Path(__file__).resolve().parent / "assets" / "icon.png")

st.set_page_config(page_title="Magic Number", page_icon=ICON, layout="wide")

navigation = st.navigation(
    [
        st.Page(
            "pages/overview.py", title="Team overview", icon=":material/groups:", url_path="overview", default=True
        ),
        st.Page("pages/funnels.py", title="Funnels", icon=":material/filter_alt:", url_path="funnels"),
        st.Page("pages/peers.py", title="Peer comparison", icon=":material/compare_arrows:", url_path="peers"),
        st.Page("pages/magic_number.py", title="Magic Number", icon=":material/target:", url_path="magic_number"),
        st.Page("pages/weekly.py", title="Weekly activity", icon=":material/calendar_month:", url_path="weekly"),
        st.Page("pages/data.py", title="Data", icon=":material/upload_file:", url_path="data"),
    ]
)
# The page first, then the sidebar: on a first visit the answer (the page's metrics) reaches the
# browser before the sidebar's inputs. The page reads the filters from session_state, where the
# sidebar's widgets keep them between runs; the sidebar is drawn whatever the page did.
try:
    navigation.run()
finally:
    sidebar.render()
