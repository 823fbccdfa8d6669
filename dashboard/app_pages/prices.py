"""GPU prices: like-for-like medians per segment as of a date, the index per method beside published
indices, the latest-price ladder, and decentralised supply as offered.

Widgets -> dashboard.data.prices -> dashboard.model.prices -> dashboard.charts.prices.
Every rule is etl.price_method's (docs/METHODOLOGY.md §3).
"""

import datetime as dt

import streamlit as st

from dashboard import fmt, ui
from dashboard.charts import prices as pc
from dashboard.data import prices as data
from dashboard.model import prices as ps

st.title("GPU prices")
st.caption("What does an hour of a given GPU cost, like for like: one price type, one vote per provider "
           "(a marketplace machine counts once), hyperscalers, neoclouds, marketplaces and DePIN networks "
           "each apart. Blues are centralised, oranges decentralised.")

opts = data.options()
if not opts.models:
    ui.no_data("No GPU prices in the warehouse yet: run `python -m etl run` (or `--offline`).")
    st.stop()

today = dt.date.today()
with st.container(border=True):
    c1, c2, c3, c4 = st.columns([1.1, 2.1, 1.2, 1.1])
    model = c1.selectbox("GPU model", opts.models, index=opts.models.index(opts.default_model),
                         key="pr_gpu", bind="query-params")
    unit = c2.segmented_control(
        "Unit: USD per ...", ps.UNITS, default="GPU-hour", required=True, key="pr_unit", bind="query-params",
        help="H100e-hour: the price divided by the GPU's dense BF16 tensor throughput relative to an H100 SXM "
             "(data/seed/gpu_compute.csv); H100e-mem-hour: memory-aware, the geometric mean of that and the memory-bandwidth "
             "ratio. An H100 SXM is 1 H100e either way.")
    types = opts.price_types or ["on_demand"]
    price_type = c3.selectbox("Price type", types, key="pr_price_type", bind="query-params",
                              format_func=lambda t: ps.PRICE_TYPE_LABELS.get(t, t),
                              help="Never pooled: each price type is its own series (docs/METHODOLOGY.md §3.2).")
    geo = c4.selectbox("Region", ps.GEOS, key="pr_geo", bind="query-params", format_func=ps.GEO_LABELS.get,
                       help="Every source's region string maps to a country and a geo group (data/seed/regions.csv), "
                            "so the filter works across sources. Global list prices count only in 'global'.")
    c5, c6, c7 = st.columns([1.1, 2.1, 2.3])
    as_of = c5.date_input("As of", value=today, min_value=opts.first_day or today, max_value=today,
                          key="pr_asof", bind="query-params",
                          help="Headlines use each provider's newest price in the 90 days to this date.")
    method = c6.segmented_control("Index method", ps.METHODS, default=ps.METHODS[0], required=True,
                                  key="pr_method", bind="query-params",
                                  help="cw: ComputeWatch's method; ccir: CCIR's CRI method reproduced on the "
                                       "Vast.ai offers (marketplace, US, on-demand only).")
    period = c7.date_input("Index period", value=(opts.first_day or today, today), min_value=opts.first_day or today,
                           max_value=today, key="pr_period", bind="query-params")
as_of = as_of or today
method = method or ps.METHODS[0]
unit = unit or "GPU-hour"  # an empty ?pr_unit= leaves even a required control empty
start, end = (tuple(period) + (today,))[:2] if period else (opts.first_day, today)
factor = ps.unit_factor(unit, *data.h100e(model))
unit_label = ps.UNIT_LABELS[unit]
if factor is None:
    st.warning(f"No compute figure for {model} in data/seed/gpu_compute.csv, so no price per "
               "H100-equivalent hour: prices are shown per GPU-hour.", icon=":material/calculate:")
    factor, unit_label = 1.0, ps.UNIT_LABELS["GPU-hour"]

units = data.units(model, price_type, as_of)  # the one price type and date every view below shows
type_label = ps.PRICE_TYPE_LABELS.get(price_type, price_type)

# ---- headlines: the median per segment as of the date, its providers and observation dates
st.subheader(f"{model}, {type_label}, {ps.GEO_LABELS[geo]}: median per segment as of {as_of:%Y-%m-%d}")
heads = ui.cached(ps.headline_table, units, model, price_type, geo, as_of)
by_segment = ps.segment_headlines(heads)
columns = st.columns(4)
for column, segment in zip(columns, ps.SEGMENTS, strict=True):
    h = by_segment[segment]
    label = ps.SEGMENT_LABELS[segment]
    if h is None:
        ui.headline(column, label, fmt.NA, help=f"No {segment} {type_label} price of {model} on or before this date.")
        column.caption("no data")
        continue
    ui.headline(column, label, fmt.price(h.median / factor),
                help=f"{unit_label}. Median of each provider's newest price in the 90 days to {as_of:%Y-%m-%d} "
                     f"(marketplaces: each machine of the provider's newest snapshot); {h.n_stale} stale list "
                     "price(s) left out.")
    note = f"{h.counted}; {h.as_of_text}"
    column.caption(note + (f"  \n:orange[low confidence: {h.reason}]" if h.low_confidence else ""))
blocks = [by_segment[b] for b in ("centralised", "decentralised") if by_segment[b]]
if blocks:
    st.caption(" · ".join(f"**{b.label}**: {fmt.price(b.median / factor)} ({b.counted}; {b.as_of_text})"
                          for b in blocks) + ". A block figure appears only when both its segments have data.")
ratio_rows = ps.ratios(heads)
if not ratio_rows.empty:
    columns = st.columns(len(ps.RATIO_LABELS))
    for column, (key, label) in zip(columns, ps.RATIO_LABELS.items(), strict=True):
        row = ratio_rows[ratio_rows["ratio"] == key]
        if row.empty:
            ui.headline(column, label, fmt.NA, help="One of the two segments has no headline as of this date.")
            continue
        value = float(row["value"].iloc[0])
        ui.headline(column, label, fmt.factor(value, "×"), delta=f"{fmt.relative(value)} vs neocloud",
                    delta_color="off", help="Ratio of the two segment medians above"
                    + (" (low confidence: a side is below its coverage minimum)." if row["low_confidence"].iloc[0]
                       else "."))
other_geo = "US" if geo == "all" else "all"
other = ps.segment_headlines(ui.cached(ps.headline_table, units, model, price_type, other_geo, as_of))
st.caption(f"{ps.GEO_LABELS[other_geo][0].upper()}{ps.GEO_LABELS[other_geo][1:]}, same date: " + " · ".join(
    f"{ps.SEGMENT_LABELS[s]} {fmt.price(other[s].median / factor) if other[s] else fmt.NA}"
    + (f" ({other[s].counted})" if other[s] else "") for s in ps.SEGMENTS) + ".")

# ---- the index over time, per method, beside published indices
st.subheader(f"{model}: daily index per segment, method {method}")
t1, _ = st.columns([1, 4])
log_y = t1.toggle("Log scale", key="pr_log", bind="query-params")
index_geo = "US" if method == ps.METHODS[1] else geo
index = ps.scaled(data.index(model, price_type=price_type, geo=index_geo, method=method, start=start, end=end),
                  factor)
markers = ps.scaled(ps.in_view(data.markers(model), price_type, start, end), factor)
published = ps.in_view(data.published(model), price_type)
shown_published = ps.scaled(ps.in_view(published, price_type, start, end), factor)
if index.empty:
    ui.no_data(f"No {model} {type_label} index rows for method {method} in {ps.GEO_LABELS[index_geo]} in this "
               "period" + (" (ccir-cri-1.1.1 exists for marketplace, US, on-demand H100 SXM, H200, L40S and "
                           "RTX 4090 only)." if method == ps.METHODS[1] else "."))
else:
    ui.chart(ui.figure(pc.index_over_time, index, y_title=unit_label, log_y=log_y, markers=markers,
                                published=shown_published),
             index, key="pr_index", sources=ps.sources_of(index, unit), filename="computewatch_price_index.csv",
             note=f"{ps.METHOD_SENTENCES[method]}. Hollow points are below the coverage minimum (hover for the "
                  "reason). Grey crosses are figures kept out of every median (tertiary sources, dates coarser "
                  "than a month): reference only. Dashed lines are published indices (table below).")
ui.rest_of_page("prices", globals(), after_chart=not index.empty)

# ---- method switch: how much the number moves
st.subheader("Method switch: how much the number moves")
moves = ps.method_switch(data.methods(model, price_type=price_type, geo="US", end=as_of))
if moves.empty:
    ui.no_data(f"No day on or before {as_of:%Y-%m-%d} on which both methods have a US marketplace {type_label} "
               f"figure for {model}.")
else:
    day = moves["day"].iloc[0]
    columns = st.columns(len(moves))
    for column, r in zip(columns, moves.itertuples(index=False), strict=True):
        ui.headline(column, f"{r.method}, marketplace US, {day:%Y-%m-%d}", fmt.price(r.median / factor),
                    delta=None if r.method == ps.METHODS[0] else f"{fmt.pct(r.move)} vs {ps.METHODS[0]}",
                    delta_color="off", help=r.sentence)
        column.caption(f"{r.sentence}. n = {r.n}" + (f"; low confidence: {r.reason}" if r.low_confidence else ""))

# ---- published indices beside ours
ours = data.index(model, price_type=price_type, geo="all", method=ps.METHODS[0], start=opts.first_day or start,
                  end=as_of)
ours_us = data.index(model, price_type=price_type, geo="US", method=ps.METHODS[0], start=opts.first_day or start,
                     end=as_of)
beside = ps.published_beside(published, ours, ours_us)
st.subheader("Published indices beside ComputeWatch's")
if beside.empty:
    ui.no_data(f"No published {type_label} index for {model} (CCIR CRI, GPU Price Index).")
else:
    table = ps.scaled(beside, factor, columns=("value", "ours"))
    st.dataframe(table, hide_index=True, width="stretch", key="pr_beside",
                 column_config={"value": st.column_config.NumberColumn("published", format="$%.3f"),
                                "ours": st.column_config.NumberColumn("ComputeWatch cw", format="$%.3f"),
                                "difference": st.column_config.NumberColumn("ours / published - 1",
                                                                            format="percent"),
                                "method_sentence": "their method"})
    for publisher, sentence in beside.drop_duplicates("publisher")[["publisher", "method_sentence"]].itertuples(
            index=False):
        st.caption(f"**{publisher}**: {sentence}.")
    st.caption(f"**ComputeWatch {ps.METHODS[0]}**: {ps.METHOD_SENTENCES[ps.METHODS[0]]}. A publisher's "
               "all-segment series has no ComputeWatch counterpart (we never pool segments).")
    st.caption(" · ".join(ui.provenance_lines(published)))
    ui.csv_download(table, "computewatch_published_beside.csv", key="csv_pr_beside")

# ---- the ladder: each provider's newest price, stale list prices marked
st.subheader(f"{model}: price ladder, each provider's newest {type_label} price as of {as_of:%Y-%m-%d}")
segment = st.segmented_control("Segment", ("all", *ps.SEGMENTS), default="all", required=True, key="pr_segment",
                               bind="query-params")
ladder = ui.cached(ps.ladder, units, price_type, geo, as_of, segment=segment or "all")
show_all = st.toggle(f"Show all {len(ladder)} rows", key="pr_all", bind="query-params", disabled=len(ladder) <= 40)
if ladder.empty:
    ui.no_data(f"No {model} {type_label} prices on or before {as_of:%Y-%m-%d} for these filters.")
else:
    shown = ps.scaled(ladder if show_all else ps.trim_ladder(ladder), factor)
    medians = {s: by_segment[s].median / factor for s in ps.SEGMENTS
               if by_segment[s] and (segment in (None, "all", s))}
    n_stale = int(ladder["stale"].sum())
    ui.chart(ui.figure(pc.price_ladder, shown, x_title=unit_label, medians=medians), ps.scaled(ladder, factor),
             key="pr_ladder", sources=ps.sources_of(ladder, unit), filename="computewatch_price_ladder.csv",
             note=f"One bar per provider: its newest price on or before the date, from the source the precedence "
                  f"picks (the provider's own API, then a single-provider catalogue, then an aggregator). "
                  f"{n_stale} grey bar(s): list prices set more than 90 days before the date, stale, left out "
                  "of the headlines. Marketplace bars are the median of that day's machines."
                  + ("" if len(shown) == len(ladder) else f" Showing {len(shown)} of {len(ladder)} rows."))

if not markers.empty:
    with st.expander(f"{len(markers)} reference figure(s) kept out of every median"):
        st.dataframe(markers, hide_index=True, width="stretch", key="pr_markers",
                     column_config={"ref_url": st.column_config.LinkColumn("source", display_text="open")})

# ---- supply: offered capacity as offered; utilisation only where a source reports it
st.subheader("Decentralised supply: GPUs offered, and in use where the network reports it")
scope = st.segmented_control("GPUs", ["all models", "chosen model"], default="all models", required=True,
                             key="pr_supply", bind="query-params")
supply = data.supply("all" if scope == "all models" else model, start=start, end=end)
if supply.empty:
    ui.no_data("No supply snapshots (Vast.ai, Akash, io.net, ...) for these filters yet.")
else:
    ui.chart(ui.figure(pc.supply_utilisation, supply), supply, key="pr_supply_chart", filename="computewatch_gpu_supply.csv",
             note="Each network's last snapshot of the day. Utilisation is drawn only where the network reports "
                  "rented or leased capacity (Akash's gpuUtilization). Vast.ai's search lists rentable offers "
                  "only (a sample, capped per query), so it shows GPUs offered and no utilisation: a rented GPU "
                  "is never in its answer.")

depin = data.depin_figures()
if not depin.empty:
    st.markdown("**Published figures on decentralised supply and its use** (reported by the networks or "
                "analysts; not comparable across networks: each counts GPUs its own way)")
    st.dataframe(depin, hide_index=True, width="stretch", key="pr_published",
                 column_config={"ref_url": st.column_config.LinkColumn("source", display_text="open")})
    st.caption(" · ".join(ui.provenance_lines(depin)))
    ui.csv_download(depin, "computewatch_depin_figures.csv", key="csv_pr_published")
