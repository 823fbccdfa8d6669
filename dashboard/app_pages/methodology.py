"""Methodology: every formula and rule the dashboard applies, with its reference (docs/METHODOLOGY.md)."""

import streamlit as st

from dashboard.text import methodology

parts = methodology.read()
title = next((s for s in parts if s.level == 1), None)
st.title(title.title if title else "Methodology")
if title and title.body:
    st.markdown(title.body)
with st.expander("Contents", expanded=True):
    st.markdown(methodology.table_of_contents(parts))
for part in parts:
    if part.level == 2:
        st.header(part.title, anchor=part.anchor or False)
    elif part.level == 3:
        st.subheader(part.title, anchor=part.anchor or False)
    if part.level >= 2 and part.body:
        st.markdown(part.body)
