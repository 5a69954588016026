"""The floor of ``bench.first_page``: a one-line Streamlit app, measured beside ours in the same run.

python -m bench.first_page --entry serve.py bench/baseline_app.py
"""

import streamlit as st

st.metric("x", 1)
