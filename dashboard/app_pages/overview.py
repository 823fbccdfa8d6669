"""Overview: the headline numbers of AI compute demand, GPU prices, concentration and pass-through.

Each topic's headline: dashboard.data.<topic> reads it, dashboard.model.<topic>.headline() shapes it.
"""

import datetime as dt

import streamlit as st

from dashboard import fmt, ui
from dashboard.charts import concentration as conc_charts
from dashboard.charts import prices as price_charts
from dashboard.data import concentration as concentration_data
from dashboard.data import demand as demand_data
from dashboard.data import prices as prices_data
from dashboard.data import scenarios as scenarios_data
from dashboard.model import concentration, demand, prices, scenarios

st.title("ComputeWatch")
st.markdown(
    "Demand for AI compute is growing several-fold a year, and its supply is concentrated in a few "
    "clouds. Its costs reach people quietly: higher subscription fees, more ads, slower or thinner "
    "answers. These are the headline numbers, each from public data with its source; every page "
    "explains its own and every view can be shared by its link.")

demand_head = demand.summarise(demand_data.capex(), demand_data.training_compute(),
                               demand.published_growth(demand_data.published_growth()))
price_head = prices.headline(prices_data.headline_ladder(lookback_days=prices.LOOKBACKS[prices.DEFAULT_LOOKBACK]))
conc_rows = concentration_data.rows()
conc = concentration.headline(conc_rows)
scen = scenarios.headline(scenarios_data.load())

st.subheader("Demand")
c1, c2, c3 = st.columns(3)
capex, training = demand_head.capex, demand_head.training
if capex:
    label = "on a year" if capex.yoy is not None else "on the quarter"
    c1.metric(f"Big-4 hyperscaler capex, {capex.quarter}", f"${capex.total_usd_bn:,.0f}bn",
              delta=f"{fmt.pct(capex.growth)} {label}" if capex.growth is not None else None,
              help=f"{capex.basis}; as of {capex.as_of}.")
if training:
    ci = f"95% CI {training.ci_low:.1f}-{training.ci_high:.1f}x. " if training.ci_low else ""
    c2.metric("Training compute of notable models", f"{training.growth_per_year:.1f}x a year",
              help=f"{ci}{training.basis}, since {training.since}; as of {training.as_of}. "
                   "Epoch AI publishes 4-5x a year.")
c3.page_link("app_pages/demand.py", label="Demand: spending, usage, training compute", icon=":material/trending_up:")

st.subheader("GPU prices")
model = price_head.gpu_model
c1, c2, c3, c4 = st.columns(4)
c1.metric(f"{model}, centralised median", fmt.price(price_head.centralised.median),
          help=f"Median of hyperscaler and neocloud providers' latest prices, USD per GPU-hour; "
               f"as of {price_head.centralised.as_of}.")
c2.metric(f"{model}, decentralised median", fmt.price(price_head.decentralised.median),
          help=f"Median of marketplace and DePIN providers' latest prices, USD per GPU-hour; "
               f"as of {price_head.decentralised.as_of}.")
if price_head.ratio:
    c3.metric("Decentralised / centralised", fmt.factor(price_head.ratio),
              help=f"{price_head.n_providers} providers, {price_head.n_offers} offers counted.")
c4.page_link("app_pages/prices.py", label="GPU prices: index, ladder, supply", icon=":material/payments:")

start, end = prices.overview_window(dt.date.today())
index = prices_data.index(model, start=start, end=end)
if not index.empty:
    fig = price_charts.index_over_time(index, y_title="USD per GPU-hour", series="series",
                                       title=f"{model}: daily median price and p25-p75 band, centralised vs "
                                             "decentralised")
    ui.chart(fig, index, key="ov_index", sources=prices.sources_of(index, "GPU-hour"))

st.subheader("Concentration")
c1, c2, c3 = st.columns(3)
cloud, dec = conc.cloud, conc.decentralised
if cloud:
    c1.metric(f"Cloud infrastructure HHI, {cloud.period_label}", cloud.hhi_text,
              help=f"{cloud.market_label}; {cloud.basis}. Only the top firms' shares are published, "
                   "so HHI is an interval.")
    c1.caption(cloud.verdict)
if dec:
    c2.metric(f"{dec.market_label} HHI, {dec.period_label}", dec.hhi_text,
              help=f"{dec.n_entities} operators; {dec.basis}.")
    c2.caption(dec.verdict)
c3.page_link("app_pages/concentration.py", label="Concentration: HHI over time, simulators",
             icon=":material/donut_large:")
if not conc_rows.empty:
    trend = concentration.trend_rows(conc_rows)
    fig = conc_charts.hhi_over_time(trend, "us2023", title="HHI over time, every market (2023 US guideline bands)")
    ui.chart(fig, trend, key="ov_hhi")

st.subheader("What a cost shock costs people")
c1, c2, c3 = st.columns(3)
c1.metric(f"GPU price {scen.gpu_price_change_pct:+.0f}%: cost to users",
          f"{fmt.millions_per_year(scen.consumer_cost_usd_bn_per_year)} a year",
          help=f"Default scenario, model v{scen.model_version}. Sensitivity range (10th-90th percentile over a "
               f"stated grid, not a probability): {fmt.millions_per_year(scen.band_low)}-"
               f"{fmt.millions_per_year(scen.band_high)} a year.")
c2.metric("Passed on per user", f"${scen.passed_through_usd_per_user_month:.3f} a month",
          help=f"Pass-through rate {scen.rho:.2f} (Ritz 2024); compute cost {scen.compute_cost}.")
c3.page_link("app_pages/scenarios.py", label="Scenarios: move the sliders", icon=":material/tune:")
st.caption(f"Assumes {scen.users}; conduct from {scen.conduct}; model version {scen.model_version}.")
