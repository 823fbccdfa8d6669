"""Demand: how fast demand for AI compute grows, where it shows, and how it splits across the lifecycle.

Widgets -> dashboard.data.demand -> dashboard.model.demand -> dashboard.charts.demand.
"""

import pandas as pd
import streamlit as st

from dashboard import fmt, ui
from dashboard.charts import BLOCK_COLORS, lines
from dashboard.charts import demand as dc
from dashboard.data import demand as data
from dashboard.model import demand as dm
from dashboard.model import demand_lifecycle as lifecycle

st.title("Demand for AI compute")
st.caption("How fast is demand for AI compute growing, where does it show, and how does it split across "
           "training, fine-tuning and inference? Every figure names its source; estimates are labelled as such.")

capex = dm.capex_summary(data.capex())
nvda, nvda_title = dm.revenue_summary(data.indicators(["nvidia_datacenter_revenue"]))
weekly, monthly = data.indicators(["chatgpt_weekly_active_users"]), data.indicators(["chatgpt_monthly_users"])
top = dm.summarise(pd.DataFrame(), data.training_compute(), dm.published_growth(data.published_growth()))
h1, h2, h3, h4 = st.columns(4)
if capex:
    ui.headline(h1, f"Big-4 capex, {capex.quarter}", fmt.usd_bn(capex.total_usd_bn),
                delta=f"{fmt.pct(capex.growth)} {'y/y' if capex.yoy is not None else 'q/q'}", help=capex.basis)
if not nvda.empty:
    last = dm.latest_quarter(nvda)
    ui.headline(h2, f"NVIDIA DC revenue, {last['period_label']}", fmt.usd_bn(last["value"]),
                delta=f"{fmt.pct(last['yoy'])} y/y", help="NVIDIA data-centre revenue; fiscal quarters (year ends late January)")
if top.training:
    t = top.training
    ui.headline(h3, "Training compute growth", f"{t.growth_per_year:.1f}x / year", delta_color="off",
                delta=f"95% CI {t.ci_low:.1f}-{t.ci_high:.1f}x" if t.n else "Epoch AI, published",
                help=f"Notable AI models. {t.text}; {t.basis}, since {t.since}.")
if not weekly.empty:
    ui.headline(h4, f"ChatGPT weekly users, {pd.Timestamp(weekly['period'].max()):%b %Y}",
                f"{weekly['value'].iloc[-1]:,.0f}M", help="OpenAI statements; monthly-user estimates are a different measure")

# --------------------------------------------------------------------------- explorer
st.subheader("Explore the demand indicators")
catalogue = dm.labelled(data.catalogue())
labels = sorted(catalogue["label"])
quarters = dm.quarters_between(catalogue["first"].min(), catalogue["last"].max())
c1, c2 = st.columns([3, 2])
picked = c1.multiselect("Series", labels, default=[s for s in dm.DEFAULT_SERIES if s in labels], max_selections=8,
                        key="dm_series", bind="query-params")
window = c2.select_slider("Window (calendar quarters)", quarters, value=(quarters[0], quarters[-1]),
                          key="dm_window", bind="query-params")
c3, c4, c5 = st.columns(3)
mode = c3.radio("Values", ["indexed", "absolute"], horizontal=True, key="dm_mode", bind="query-params",
                help="indexed: each series = 100 at the base date, so different units compare")
base = c4.selectbox("Index base (= 100)", ["first value", *quarters], key="dm_base", bind="query-params",
                    disabled=mode != "indexed", help="first value: each series' first value in the window")
log_y = c5.toggle("Log scale", value=True, key="dm_log", bind="query-params",
                  help="On a log scale, equal slopes mean equal growth rates")
start, end = dm.explorer_window(window)
drawn = False
if not picked:
    ui.no_data("Pick one or more series to explore.")
else:
    chosen = catalogue[catalogue["label"].isin(picked)]
    rows = dm.labelled(data.indicators(sorted(set(chosen["indicator"]))))
    frame, notes = dm.explorer_frame(rows, picked, start, end, None if base == "first value" else dm.quarter_start(base))
    table = dm.growth_table(frame) if not frame.empty else pd.DataFrame()
    if table.empty:
        ui.no_data("None of the chosen series has data in this window.")
    else:
        fig = ui.figure(dc.explorer, frame, indexed=mode == "indexed", log_y=log_y, title=dm.explorer_title(table, window))
        ui.chart(fig, dm.explorer_data(frame, rows), key="dm_explorer", note="  \n".join(notes) or None, filename="computewatch_demand_explorer.csv")
        drawn = True
        st.dataframe(table, hide_index=True, width="stretch", key="dm_growth_table", column_config={
            c: st.column_config.NumberColumn(format="%.1f") for c in table.columns if "%" in c or "years" in c})
        st.caption("Growth over the window is the compound annual growth rate between the first and last "
                   "observation, CAGR = (last / first)^(1 / years) - 1; doubling time = ln 2 / ln(1 + CAGR). "
                   "Year-on-year growth compares with the observation one year earlier (within half a month). "
                   "Daily series are averaged by month first.")
ui.rest_of_page("demand", globals(), after_chart=drawn)

# --------------------------------------------------------------------------- training compute
st.subheader("Training compute of notable AI models")
t1, t2 = st.columns(2)
since = t1.selectbox("Fit models published since", [2010, 2015, 2018, 2020, 2022], key="dm_tc_since", bind="query-params")
domain = t2.selectbox("Domain", dm.DOMAINS, key="dm_tc_domain", bind="query-params")
models = data.training_compute(f"{since}-01-01", domain)
published = data.published_growth()
fits = dm.training_fits(models)
if models.empty:
    ui.no_data("No model-level training compute loaded yet (source `epoch_models`). "
               "Epoch AI's published growth rates are listed below.")
else:
    fig = ui.figure(dc.training_compute, models, fits, title=dm.training_title(fits, since))
    ui.chart(fig, models, key="dm_training", note=dm.fit_note(fits), filename="computewatch_training_compute.csv")
st.markdown(dm.published_growth_text(published, fits))

# --------------------------------------------------------------------------- spending
st.subheader("Spending: chips and data centres")
if nvda.empty:
    ui.no_data("No NVIDIA data-centre revenue in the warehouse.")
else:
    fig = ui.figure(dc.quarterly_with_growth, nvda, nvda, x="period_label", stack=None, title=nvda_title,
                                   y_title="USD bn per fiscal quarter", growth_name="Growth year on year")
    ui.chart(fig, nvda, key="dm_nvidia", note="NVIDIA's fiscal year ends in late January (FY2026 Q4 = Nov 2025-Jan "
             "2026). Fiscal quarters with no published figure in our sources stay empty, not filled.")
if not capex:
    ui.no_data("No hyperscaler capex in the warehouse.")
else:
    fig = ui.figure(dc.quarterly_with_growth, capex.stack, capex.totals, x="quarter", stack="entity", total=capex.totals,
                                   title=dm.capex_title(capex), y_title="USD bn per quarter",
                                   growth_name="Big-4 total, growth year on year")
    ui.chart(fig, capex.stack, key="dm_capex", note=dm.capex_note(capex))

# --------------------------------------------------------------------------- usage
st.subheader("Usage: people, pageviews, downloads and decentralised networks")
fig = ui.figure(dc.users, weekly, monthly, title=dm.users_title(weekly))
ui.chart(fig, pd.concat([weekly, monthly]), key="dm_users", note="Weekly active users and monthly users are different "
         "measures from different sources: they are shown apart and never combined.")
views = data.indicators(["wikipedia_pageviews"])
if views.empty:
    ui.no_data("No Wikipedia pageviews loaded yet (source `wikipedia_pageviews`).")
else:
    fig = ui.figure(lines, views, x="period", y="value", series="entity", y_title="Views per month", title=dm.latest_title(
        views, "The {entity} article drew {value} views in {date}, the most of the {n} tracked"))
    ui.chart(fig, views, key="dm_pageviews", note="English Wikipedia, human (user-agent) views: attention, not usage.")
hf = data.indicators(["hf_downloads_30d"])
if hf.empty:
    ui.no_data("No Hugging Face downloads loaded yet (source `huggingface`).")
else:
    latest = dm.latest_rows(hf)
    fig = ui.figure(dc.bars, latest, x="value", y="entity", scale=1e6, suffix="M", title=dm.latest_title(
        latest, "Open models: {entity} led with {value} downloads in the 30 days to {day}"),
        x_title="Downloads (millions) in the 30 days to the snapshot, top 300 models per task")
    ui.chart(fig, hf, key="dm_hf", note="Hugging Face counts file downloads (not users); CI and mirrors count too.")
depin = dm.depin_frame(data.indicators(dm.DEPIN_USAGE))
if depin.empty:
    ui.no_data("No decentralised-network usage loaded yet (sources `livepeer`, `akash`).")
else:
    fig = ui.figure(dc.panels, depin, facet="label", title=dm.depin_title(depin), smooth_days=30,
                    colour=BLOCK_COLORS["decentralised"])
    ui.chart(fig, depin, key="dm_depin", note="Daily values (faint) with their 30-day mean.")

# --------------------------------------------------------------------------- lifecycle
st.subheader("Training, fine-tuning, inference: what is known of the split")
st.info(lifecycle.SPLIT_STATUS, icon=":material/help:")
st.markdown(lifecycle.markdown())
records = lifecycle.frame()
with st.expander("Data", expanded=False):
    st.dataframe(records, hide_index=True, width="stretch", key="dm_lifecycle",
                 column_config={"url": st.column_config.LinkColumn("source link", display_text="open")})
    ui.csv_download(records, "computewatch_lifecycle.csv", key="csv_dm_lifecycle")
