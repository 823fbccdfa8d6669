"""Concentration: how concentrated the supply of AI compute is, and how that changes."""

import streamlit as st

from dashboard import charts, queries, ui

st.title("Market concentration")
st.caption("How concentrated is the supply of AI compute, and is it getting more or less so?")

shares = queries.sql("SELECT * FROM marts.market_shares WHERE market = 'cloud_infrastructure_synergy' ORDER BY period")
if shares.empty:
    ui.no_data("No market shares in the warehouse.")
else:
    fig = charts.stacked_bars(shares, x="period_label", y="share_pct", stack="entity",
                              y_title="share of worldwide revenue, %",
                              title="Cloud infrastructure services: published shares (Synergy Research)")
    ui.chart(fig, shares, key="conc_cloud_shares")
