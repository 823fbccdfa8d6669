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
model, today = prices.DEFAULT_MODEL, dt.date.today()
price_units = prices_data.units(model, "on_demand", today)
heads = {geo: ui.cached(prices.headline_table, price_units, model, "on_demand", geo, today) for geo in ("all", "US")}
by_segment = {geo: prices.segment_headlines(h) for geo, h in heads.items()}
st.caption(f"{model}, on-demand, USD per GPU-hour: each segment's median of each provider's newest price in the "
           f"90 days to {today:%Y-%m-%d} (method {prices.METHODS[0]}; a marketplace machine counts once; tertiary "
           "and coarse-dated figures never count).")
for column, segment in zip(st.columns(4), prices.SEGMENTS, strict=True):
    h, us = by_segment["all"][segment], by_segment["US"][segment]
    column.metric(f"{prices.SEGMENT_LABELS[segment]}, global", fmt.price(h.median if h else None),
                  help=f"US: {fmt.price(us.median) if us else fmt.NA}" + (f" ({us.counted})" if us else ""))
    column.caption(f"{h.counted}; {h.as_of_text}" + (f"  \n:orange[low confidence: {h.reason}]" if h.low_confidence
                                                     else "") if h else "no data")
ratio_rows = {geo: prices.ratios(h).set_index("ratio") for geo, h in heads.items()}
ratio_columns = st.columns(4)
for column, (key, label) in zip(ratio_columns, prices.RATIO_LABELS.items(), strict=False):
    glob, us = (ratio_rows[g]["value"].get(key) for g in ("all", "US"))
    column.metric(f"{label}, global", fmt.factor(glob, "×"), help=f"US: {fmt.factor(us, '×')}. Ratio of the "
                  "segment medians; shown only where both segments have data.")
us = by_segment["US"]
st.caption("US only: " + " · ".join(
    f"{prices.SEGMENT_LABELS[s]} {fmt.price(us[s].median) if us[s] else fmt.NA}" for s in prices.SEGMENTS) + " · "
    + " · ".join(f"{label} {fmt.factor(ratio_rows['US']['value'].get(key), '×')}"
                 for key, label in prices.RATIO_LABELS.items()) + ".")
ratio_columns[3].page_link("app_pages/prices.py", label="GPU prices page",
                           icon=":material/payments:")
start, end = prices.overview_window(today)
index = prices_data.index(model, price_type="on_demand", geo="all", method=prices.METHODS[0], start=start, end=end)
if not index.empty:
    fig = ui.figure(price_charts.index_over_time, index, y_title="USD per GPU-hour", series="series",
                                       title=f"{model} on-demand: daily median per segment and p25-p75 band "
                                             "(hollow: below the coverage minimum)")
    ui.chart(fig, index, key="ov_index", sources=prices.sources_of(index))

st.subheader("Concentration")
c1, c2, c3 = st.columns(3)
cloud, market = conc.cloud, conc.marketplace[0] if conc.marketplace else None
if cloud:
    c1.metric(f"Cloud infrastructure HHI, {cloud.period_label}", cloud.hhi_text,
              help=f"{cloud.market_label}; basis: {cloud.basis}. Only the top firms' shares are published, "
                   "so HHI is an interval.")
    c1.caption(cloud.reading)
if market:
    others = "; ".join(f"{m.gpu_model} {m.hhi_text}" for m in conc.marketplace[1:])
    c2.metric(f"Vast.ai hosts, {market.gpu_model}, {market.period_label}", market.hhi_text,
              help=f"{market.n_entities} hosts; basis: {market.basis} (GPUs listed per host, each machine "
                   f"once, one marketplace)." + (f" Other models: {others}." if others else ""))
    c2.caption(market.reading)
c3.page_link("app_pages/concentration.py", label="Concentration: all markets, simulators",
             icon=":material/donut_large:")
if cloud and market:
    st.caption(conc.note)
cloud_trend = concentration.trend_rows(conc_rows[conc_rows["market"].isin(concentration.CLOUD_MARKETS)]) \
    if not conc_rows.empty else conc_rows
if not cloud_trend.empty:
    fig = ui.figure(conc_charts.hhi_over_time, cloud_trend, "us2023", title="Cloud infrastructure HHI over time (revenue "
                                    "shares; 2023 US guideline bands)", height=380,
                                    y_max=concentration.overview_y_max(cloud_trend))
    ui.chart(fig, cloud_trend, key="ov_hhi", note="One basis only (revenue). Error bars: the interval over the "
             "firms listed every quarter, the unlisted rest capped at the next firm of the source's published tail "
             "(Synergy) or else at the smallest listed share (Canalys).")

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
