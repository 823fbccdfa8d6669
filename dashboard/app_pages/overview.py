"""Overview: the headline numbers of AI compute demand, prices and concentration."""

import streamlit as st

from dashboard import charts, queries, ui

st.title("ComputeWatch")
st.markdown("Demand for AI compute is exploding and its supply is concentrated in a few clouds. "
            "These are the headline numbers; each page explains its own.")

capex = queries.sql("SELECT * FROM marts.indicators WHERE indicator = 'hyperscaler_capex' ORDER BY period")
if not capex.empty:
    fig = charts.stacked_bars(capex, x="period_label", y="value", stack="entity", y_title="USD bn per quarter",
                              title="Hyperscaler capex by quarter")
    ui.chart(fig, capex, key="ov_capex")
