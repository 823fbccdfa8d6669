"""Demand: how fast demand for AI compute grows, on the spending side and the usage side."""

import streamlit as st

from dashboard import charts, queries, ui

st.title("Demand for AI compute")
st.caption("How fast is demand for AI compute growing, and where does it show?")

capex = queries.sql("SELECT * FROM marts.indicators WHERE indicator = 'hyperscaler_capex' ORDER BY period")
st.subheader("Hyperscaler capital expenditure by quarter")
if capex.empty:
    ui.no_data("No capex figures in the warehouse.")
else:
    fig = charts.stacked_bars(capex, x="period_label", y="value", stack="entity", y_title="USD bn per quarter")
    ui.chart(fig, capex, key="demand_capex")

nvda = queries.sql("SELECT * FROM marts.indicators WHERE indicator = 'nvidia_datacenter_revenue' ORDER BY period")
st.subheader("NVIDIA data-centre revenue by fiscal quarter")
if nvda.empty:
    ui.no_data("No NVIDIA data-centre revenue in the warehouse.")
else:
    fig = charts.lines(nvda, x="period", y="value", series="entity", y_title="USD bn per quarter")
    ui.chart(fig, nvda, key="demand_nvda")
