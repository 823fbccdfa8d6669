"""GPU prices: what an hour of a GPU costs at centralised and decentralised providers."""

import streamlit as st

from dashboard import charts, queries, ui

st.title("GPU prices")
st.caption("What does an hour of a given GPU cost, at hyperscalers and neoclouds versus marketplaces and "
           "DePIN networks? Prices in USD per GPU-hour.")

models = queries.sql("SELECT DISTINCT gpu_model FROM marts.gpu_prices_daily ORDER BY 1")["gpu_model"].tolist()
if not models:
    ui.no_data("No GPU prices in the warehouse yet.")
    st.stop()
default = "H100 SXM" if "H100 SXM" in models else models[0]
model = st.selectbox("GPU model", models, index=models.index(default), key="gpu", bind="query-params")
points = queries.sql(
    "SELECT * FROM marts.gpu_prices_daily WHERE gpu_model = ? ORDER BY day", (model,))
fig = charts.lines(points, x="day", y="price_usd_per_gpu_hour", series="segment",
                   y_title="USD per GPU-hour", title=f"{model}: observed prices by segment")
ui.chart(fig, points, key="prices_points")
