"""Overview: the headline numbers of AI compute demand, GPU prices, concentration and pass-through."""

import datetime as dt

import streamlit as st

from dashboard import concentration_summary, demand_summary, prices_summary, scenario_summary, ui
from dashboard.charts import concentration as conc_charts
from dashboard.charts import prices as price_charts

st.title("ComputeWatch")
st.markdown(
    "Demand for AI compute is growing several-fold a year, and its supply is concentrated in a few "
    "clouds. Its costs reach people quietly: higher subscription fees, more ads, slower or thinner "
    "answers. These are the headline numbers, each from public data with its source; every page "
    "explains its own and every view can be shared by its link.")

demand = demand_summary.headline()
prices = prices_summary.headline()
conc = concentration_summary.headline()
scen = scenario_summary.headline()


def pct(value: float | None) -> str | None:
    return None if value is None else f"{value:+.0%}"


st.subheader("Demand")
c1, c2, c3 = st.columns(3)
capex, training = demand["capex"], demand["training"]
if capex:
    growth = capex.get("yoy") if capex.get("yoy") is not None else capex.get("qoq")
    label = "on a year" if capex.get("yoy") is not None else "on the quarter"
    c1.metric(f"Big-4 hyperscaler capex, {capex['quarter']}", f"${capex['total_usd_bn']:,.0f}bn",
              delta=f"{pct(growth)} {label}" if growth is not None else None,
              help=f"{capex['basis']}; as of {capex['as_of']}.")
if training:
    ci = f"95% CI {training['ci_low']:.1f}-{training['ci_high']:.1f}x. " if training.get("ci_low") else ""
    c2.metric("Training compute of notable models", f"{training['growth_per_year']:.1f}x a year",
              help=f"{ci}{training['basis']}, since {training['since']}; as of {training['as_of']}. "
                   "Epoch AI publishes 4-5x a year.")
c3.page_link("app_pages/demand.py", label="Demand: spending, usage, training compute", icon=":material/trending_up:")

st.subheader("GPU prices")
model = prices["gpu_model"]
c1, c2, c3, c4 = st.columns(4)
c1.metric(f"{model}, centralised median", prices_summary.money(prices["centralised_median"]),
          help=f"Median of hyperscaler and neocloud providers' latest prices, USD per GPU-hour; "
               f"as of {prices['centralised_as_of']}.")
c2.metric(f"{model}, decentralised median", prices_summary.money(prices["decentralised_median"]),
          help=f"Median of marketplace and DePIN providers' latest prices, USD per GPU-hour; "
               f"as of {prices['decentralised_as_of']}.")
if prices["ratio"]:
    c3.metric("Decentralised / centralised", f"{prices['ratio']:.2f}x",
              help=f"{prices['n_providers']} providers, {prices['n_offers']} offers counted.")
c4.page_link("app_pages/prices.py", label="GPU prices: index, ladder, supply", icon=":material/payments:")

end = dt.date.today()
index = prices_summary.index(model, start=end - dt.timedelta(days=5 * 366), end=end)
if not index.empty:
    fig = price_charts.index_over_time(index, y_title="USD per GPU-hour", series="series",
                                       title=f"{model}: daily median price and p25-p75 band, centralised vs "
                                             "decentralised")
    ui.chart(fig, index, key="ov_index", sources=prices_summary.sources_of(index, "GPU-hour"))

st.subheader("Concentration")
c1, c2, c3 = st.columns(3)
cloud, dec = conc["cloud"], conc["decentralised"]
if cloud:
    c1.metric(f"Cloud infrastructure HHI, {cloud['period_label']}", cloud["hhi_text"],
              help=f"{cloud['market_label']}; {cloud['basis']}. Only the top firms' shares are published, "
                   "so HHI is an interval.")
    c1.caption(cloud["verdict"])
if dec:
    c2.metric(f"{dec['market_label']} HHI, {dec['period_label']}", dec["hhi_text"],
              help=f"{dec['n_entities']} operators; {dec['basis']}.")
    c2.caption(dec["verdict"])
c3.page_link("app_pages/concentration.py", label="Concentration: HHI over time, simulators",
             icon=":material/donut_large:")
rows = concentration_summary.rows()
if not rows.empty:
    trend = rows[rows["in_trend"].fillna(True).astype(bool)] if "in_trend" in rows else rows
    fig = conc_charts.hhi_over_time(trend, "us2023", title="HHI over time, every market (2023 US guideline bands)")
    ui.chart(fig, trend, key="ov_hhi")

st.subheader("What a cost shock costs people")
c1, c2, c3 = st.columns(3)
c1.metric(f"GPU price {scen['gpu_price_change_pct']:+.0f}%: cost to users",
          f"${scen['consumer_cost_usd_bn_per_year'] * 1000:,.0f}m a year",
          help=f"Default scenario, model v{scen['model_version']}, {scen['users_millions']:.1f}M monthly users.")
c2.metric("Passed on per user", f"${scen['passed_through_usd_per_user_month']:.3f} a month",
          help=f"Pass-through rate {scen['rho']:.2f} at HHI {scen['hhi']:,.0f} (Ritz 2024).")
c3.page_link("app_pages/scenarios.py", label="Scenarios: move the sliders", icon=":material/tune:")
