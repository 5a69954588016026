"""The Streamlit shell around kpi_core: state, formatting, charts, sidebar and downloads."""
