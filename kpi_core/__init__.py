"""Magic Number core: import a sales spreadsheet, compute the KPIs, compare peers, solve the Magic Number.

Everything the app and the CLI show comes from here; this package never imports streamlit.
"""
