"""GPU prices: what an hour of a GPU costs at centralised and decentralised providers, and how much
of the decentralised supply is in use.

Widgets -> dashboard.data.prices -> dashboard.model.prices -> dashboard.charts.prices.
"""

import streamlit as st

from dashboard import fmt, ui
from dashboard.charts import prices as pc
from dashboard.data import prices as data
from dashboard.model import prices as ps

st.title("GPU prices")
st.caption("What does an hour of a given GPU cost today, and over time, at hyperscalers and neoclouds "
           "(centralised, blues) versus marketplaces and DePIN networks (decentralised, oranges)? "
           "And how much of the decentralised supply is actually in use?")

opts = data.options()
if not opts.models:
    ui.no_data("No GPU prices in the warehouse yet: run `python -m etl run` (or `--offline`).")
    st.stop()

with st.container(border=True):
    c1, c2, c3 = st.columns([1.2, 1.1, 2.2])
    model = c1.selectbox("GPU model", opts.models, index=opts.models.index(opts.default_model),
                         key="pr_gpu", bind="query-params")
    unit = c2.segmented_control(
        "Unit: USD per ...", ps.UNITS, default="GPU-hour", required=True, key="pr_unit", bind="query-params",
        help="H100e-hour: the price divided by the GPU's dense FP16 throughput relative to an H100 SXM "
             "(Epoch AI hardware data), to compare value across chips. An H100 SXM is 1 H100e.")
    segment = c3.segmented_control("Segment", ps.SEGMENTS, default="all", required=True, key="pr_segment",
                                   bind="query-params",
                                   help="Centralised: hyperscaler, neocloud. Decentralised: marketplace, depin.")
    c4, c5, c6, c7 = st.columns([1.2, 1.1, 1.4, 0.8])
    price_type = c4.selectbox("Price type", opts.price_types, key="pr_price_type", bind="query-params")
    region = c5.selectbox("Region", opts.regions, key="pr_region", bind="query-params",
                          help="As each source names it (Vast: country code). 'all' pools every region.")
    period = c6.date_input("Period", value=(opts.first_day, opts.last_day), min_value=opts.first_day,
                           max_value=opts.last_day, key="pr_period", bind="query-params")
    lookback = c7.selectbox("Latest price within", list(ps.LOOKBACKS),
                            index=list(ps.LOOKBACKS).index(ps.DEFAULT_LOOKBACK), key="pr_lookback",
                            bind="query-params",
                            help="A provider is on the ladder when its newest price in the period is at most "
                                 "this old, counted back from the newest price shown.")
start, end = (tuple(period) + (opts.last_day,))[:2] if period else (opts.first_day, opts.last_day)
unit = unit or "GPU-hour"  # an empty ?pr_unit= leaves even a required control empty
unit_label = ps.UNIT_LABELS[unit]
filters = dict(unit=unit, segment=segment, price_type=price_type, region=region, start=start, end=end)

ladder = data.ladder(model, lookback_days=ps.LOOKBACKS[lookback], **filters)
if unit == "H100e-hour" and ladder.empty and not data.ladder(model, **{**filters, "unit": "GPU-hour"}).empty:
    st.warning(f"No dense FP16 figure for {model} in the Epoch AI hardware data, so no price per "
               "H100-equivalent hour: switch the unit to GPU-hour.", icon=":material/calculate:")
stats = ps.block_stats(ladder)
ratio = ps.ratio(stats)

# ---- headline row: today's medians per block, their ratio, and how much data is behind them
h1, h2, h3, h4 = st.columns(4)
for column, block in zip((h1, h2), ps.BLOCKS, strict=True):
    s = stats[block]
    ui.headline(column, f"{block.capitalize()} median", fmt.price(s.median),
                help=f"{model}, {unit_label}: median of each {block} provider's latest price on the ladder "
                     f"below ({s.n_providers} providers, prices dated {s.oldest or '-'} to {s.as_of or '-'}).")
ui.headline(h3, "Decentralised / centralised", fmt.factor(ratio, "×"),
            delta=f"{fmt.relative(ratio)} vs centralised" if ratio else None, delta_color="inverse",
            help="Decentralised median divided by centralised median: below 1, decentralised is cheaper.")
ui.headline(h4, "Offers counted", f"{ps.offers(ladder):,}",
            help=f"Prices behind the ladder ({len(ladder)} provider rows): a list price counts once, a "
                 "marketplace row is the median of all its offers that day.")
as_of = ps.newest(stats)
st.caption(f"{model}, {unit_label}. Latest prices as of {as_of or '-'}; each provider's newest price within "
           f"{lookback} of that date. Segment filter: {segment}.")

# ---- index over time
st.subheader(f"{model}: daily price index")
t1, t2, _ = st.columns([1, 1.4, 3])
log_y = t1.toggle("Log scale", key="pr_log", bind="query-params")
split = t2.toggle("Segments separately", key="pr_split", bind="query-params", disabled=segment != "all",
                  help="Show hyperscaler, neocloud, marketplace and depin apart instead of the two blocks.")
index = data.index(model, split=split, **filters)
if index.empty:
    ui.no_data(f"No {model} prices for these filters.")
else:
    ui.chart(pc.index_over_time(index, y_title=unit_label, log_y=log_y), index, key="pr_index",
             sources=ps.sources_of(index, unit), filename="computewatch_price_index.csv",
             note="Median line and p25-p75 band over every offer seen that day and every list price in force "
                  "that day (a list price from a change log stands until its next change, up to a year). "
                  "A day with one price has no band.")

# ---- today's ladder
st.subheader(f"{model}: price ladder, latest price per provider")
show_all = st.toggle(f"Show all {len(ladder)} rows", key="pr_all", bind="query-params",
                     disabled=len(ladder) <= ps.LADDER_LIMIT)
shown = ladder if show_all else ps.trim_ladder(ladder)
if ladder.empty:
    ui.no_data(f"No {model} prices within {lookback} for these filters; widen the period or the lookback.")
else:
    medians = {block: stats[block].median for block in ps.BLOCKS}
    trimmed = "" if len(shown) == len(ladder) else (
        f" Showing {len(shown)} of {len(ladder)} rows, spread over each block's price range; the medians "
        "use every row.")
    ui.chart(pc.price_ladder(shown, x_title=unit_label, medians=medians), ladder, key="pr_ladder",
             sources=ps.sources_of(ladder, unit), filename="computewatch_price_ladder.csv",
             note="One bar per provider, price type and source (a provider seen by two sources has two bars). "
                  "Colour: segment; hatching: price type (plain on-demand, / spot, x reserved, . contract). "
                  "Marketplace bars are the median of that day's offers." + trimmed)

# ---- supply and utilisation
st.subheader("Decentralised supply: GPUs offered and in use")
scope = st.segmented_control("GPUs", ["all models", "chosen model"], default="all models", required=True,
                             key="pr_supply", bind="query-params")
supply = data.supply("all" if scope == "all models" else model, start=start, end=end)
if supply.empty:
    ui.no_data("No supply snapshots (Vast.ai, Akash, io.net, ...) for these filters yet.")
else:
    ui.chart(pc.supply_utilisation(supply), supply, key="pr_supply_chart", filename="computewatch_gpu_supply.csv",
             note="Each network's last snapshot of the day. Coverage caveat: Vast.ai search results are capped "
                  "(64 offers per query unless a limit is set) and list mostly unrented offers, so its GPU "
                  "counts are a sample and its in-use counts a lower bound, not a census.")

published = data.depin_figures()
if not published.empty:
    st.markdown("**Published figures on decentralised supply and its use** (reported by the networks or "
                "analysts; not comparable across networks: each counts GPUs its own way)")
    st.dataframe(published, hide_index=True, width="stretch", key="pr_published",
                 column_config={"ref_url": st.column_config.LinkColumn("source", display_text="open")})
    st.caption(" · ".join(ui.provenance_lines(published)))
    st.download_button("Download CSV", published.to_csv(index=False).encode(), "computewatch_depin_figures.csv",
                       "text/csv", key="csv_pr_published")
