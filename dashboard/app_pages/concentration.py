"""Concentration: how concentrated the supply of AI compute is, whether that is changing, and what-ifs.

Widgets -> dashboard.data.concentration -> dashboard.model.concentration and etl.concentration (every
concentration rule) -> dashboard.charts.concentration.
"""

import pandas as pd
import streamlit as st

from dashboard import fmt, state, ui
from dashboard.charts import concentration as charts
from dashboard.data import concentration as data
from dashboard.model import concentration as model
from etl import concentration as c

GUIDELINES = {"US 2023": "us2023", "US 2010": "us2010", "EU 2004": "eu2004"}
DEFAULT_MARKET = "cloud_infrastructure_synergy"
OPERATORS = [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 5000]
CHANGED = "_conc_choice_changed"


def _choice_changed() -> None:
    """on_change of the market and period pickers: the widgets that depend on them may need resetting."""
    st.session_state[CHANGED] = True


def settle(key: str, options: list, default) -> None:
    """After the user picked another market or period, a dependent widget whose value is no longer an
    option goes back to its default (and leaves the URL), without a 'bad URL value' notice."""
    if st.session_state.get(CHANGED) and key in st.session_state and st.session_state[key] not in options:
        st.session_state[key] = default
        state.allow(key)


st.title("Market concentration")
st.caption("How concentrated is the supply of AI compute, is it getting more or less so, and how does "
           "decentralised supply compare? HHI = sum of squared market shares, 0 (atomistic) to 10,000 "
           "(monopoly); computed here from published shares and observed supply.")

frame = data.rows()
if frame.empty:
    ui.no_data("No concentration indices in the warehouse yet: build it with `python -m etl run --offline`.")
    st.stop()

choice = st.segmented_control(
    "Concentration bands", list(GUIDELINES), default="US 2023", key="conc_guidelines", bind="query-params",
    help="Which merger guidelines' HHI thresholds shade the charts and word the verdicts. US 2023: above "
         "1,800 highly concentrated; US 2010: 1,500 / 2,500; EU 2004: 1,000 / 2,000 (safe harbours).")
guidelines = GUIDELINES.get(choice or "US 2023", "us2023")

st.markdown(model.reading(frame, guidelines))

# --------------------------------------------------------------------------- side by side, each on its basis
st.subheader("Centralised and decentralised, each on its own basis")
head = model.headline(frame, guidelines)
cards = st.columns(1 + max(len(head.marketplace), 1))
if head.cloud:
    ui.headline(cards[0], f"Cloud infrastructure HHI, {head.cloud.period_label}", head.cloud.hhi_text,
                help=f"{head.cloud.market_label}; basis: {head.cloud.basis} (shares of the whole market).")
    cards[0].caption(head.cloud.reading)
for col, item in zip(cards[1:], head.marketplace, strict=False):
    ui.headline(col, f"Vast.ai hosts, {item.gpu_model}, {item.period_label}", item.hhi_text,
                help=f"{item.n_entities} hosts; basis: {item.basis} (GPUs listed per host, each machine once).")
    col.caption(item.reading)
if not head.marketplace:
    cards[-1].caption("No uncapped marketplace figure per GPU model in the warehouse yet.")
st.caption(f"{head.note} {model.PLATFORM_LEVEL}")

# --------------------------------------------------------------------------- HHI over time, one chart per basis
trend = model.trend_rows(frame)
log_y = st.toggle("Log scale", value=True, key="conc_log", bind="query-params",
                  help="A log axis spreads out both the low HHIs (marketplace hosts) and the high ones (chip vendors).")
countries = tuple(m for m in frame["market"].unique() if "country" in m)
table_cols = [col for col in model.TABLE_COLUMNS if col in frame]
for i, (basis, part) in enumerate(model.basis_groups(trend)):
    hidden = countries + model.hidden_series(part)
    fig = ui.figure(charts.hhi_over_time, part, guidelines, log_y=log_y, hidden=hidden,
                               title=f"{model.BASIS_TITLES.get(basis, basis)}: HHI on the "
                                     f"{c.GUIDELINE_NAMES[guidelines]} bands",
                               height={"revenue": 500, "capacity listed": 560}.get(basis, 420))
    note = (f"Basis: {basis}; every line here is on that basis. Error bars: the HHI interval. Hollow markers: "
            "withheld (capped sample, low coverage or bounds spanning every band). "
            + model.chart_note(basis) + f" Bands: {c.BAND_SOURCES[guidelines]}")
    if basis == "revenue":
        note += model.left_out_note(model.left_out_rows(frame))
    ui.chart(fig, part[[col for col in table_cols if col in part]], key=f"conc_hhi_{basis.replace(' ', '_')}",
             note=note, filename=f"computewatch_concentration_{basis.replace(' ', '_')}.csv")
    # the sentences read each line's latest published interval (as in the market detail below)
    st.markdown(model.readings_under(frame[frame["basis"] == basis], guidelines, hidden=hidden))
    if i == 0:
        ui.rest_of_page("concentration", globals())

with st.expander("Is each market getting more or less concentrated?"):
    st.dataframe(model.moves(trend, guidelines), hide_index=True, width="stretch",
                 column_config={"change (midpoints)": st.column_config.NumberColumn(format="%+,.0f")})

# --------------------------------------------------------------------------- one market
st.subheader("One market in detail")
lines = frame.assign(market=model.series_key(frame))  # one pick per market and GPU model
names = lines.drop_duplicates("market").set_index("market")["market_label"]
labels = [names[m] for m in charts.market_order(lines)]  # centralised first, headline markets first
default_label = names.get(DEFAULT_MARKET, labels[0])
pick_market, pick_period = st.columns([3, 1])
label = pick_market.selectbox("Market", labels, index=labels.index(default_label), key="conc_market",
                              on_change=_choice_changed, bind="query-params")
history = frame[frame["market_label"] == label].sort_values("period")
periods = history["period_label"].tolist()
settle("conc_period", periods, periods[-1])
period_label = pick_period.selectbox("Period", periods, index=len(periods) - 1, key="conc_period",
                                     on_change=_choice_changed, bind="query-params")
row = history[history["period_label"] == period_label].iloc[0]
word = model.entity_word(row)

st.markdown(model.declaration(row))
if isinstance(row["note"], str) and row["note"]:
    st.caption(f"Note for {row['period_label']}: {row['note']}.")
withheld = model.row_withheld(row, guidelines)
if withheld:
    st.warning(f"Withheld from headlines and verdicts: {withheld}.", icon=":material/block:")
if model.is_true(row.get("method_break")):
    st.caption(f"Method break in {row['period_label']}: {row['break_reason']} (the published list names other "
               "firms than the quarter before, so its interval is not comparable; the trend line uses the firms "
               "listed every quarter).")

move = model.since_previous(history, period_label)
m1, m2, m3, m4 = st.columns(4)
ui.headline(m1, "HHI", fmt.number_range(row["hhi_low"], row["hhi_high"]),
            delta=None if move is None else f"{move.change:+,.0f} since {move.first['period_label']}",
            delta_color="inverse",
            help="Sum of squared shares (0-10,000). A range when only the largest firms are published: low = "
                 "the unpublished rest infinitely fragmented; high = split into firms no larger than the "
                 "smallest listed one.")
ui.headline(m2, "Top-4 share (CR4)", fmt.number_range(row["cr4"], row["cr4_high"], "{:.0f}", "%"),
            help="Combined share of the four largest. A range when fewer than four firms are published.")
ui.headline(m3, "Equivalent firms", fmt.number_range(row["equivalent_firms_low"], row["equivalent_firms_high"], "{:.1f}"),
            help="10,000 / HHI: the number of equal-sized firms that would give the same HHI.")
ui.headline(m4, "Nakamoto coefficient",
            "n/a" if pd.isna(row["nakamoto"]) else f"{int(row['nakamoto'])}",
            help=f"The fewest {word} that together hold more than half of the market. n/a when the published "
                 "shares do not reach 50% of the market.")
st.info(model.row_reading(row, guidelines), icon=":material/gavel:")

shares = data.shares(row["market"], period_label, model.gpu_model_of(row))
listed = model.listed(shares)
bar_col, lorenz_col = st.columns(2)
with bar_col:
    fig = ui.figure(charts.shares_bar, shares, block=row["block"], title=f"Shares, {period_label}")
    ui.chart(fig, shares[model.SHARE_COLUMNS],
             key="conc_shares", note=f"Basis: {row['basis']}.", filename=f"computewatch_shares_{row['market']}.csv")
with lorenz_col:
    values = model.lorenz_values(listed)
    if len(values) >= 2 and sum(values) > 0:
        xs, ys = c.lorenz(values)
        scope = "" if row["gini_scope"] == "all entities" else f" among the {len(values)} listed {word}"
        fig = ui.figure(charts.lorenz_curve, xs, ys, gini=None if pd.isna(row["gini"]) else float(row["gini"]),
                                  block=row["block"], entity_word=word, title=f"Lorenz curve{scope}")
        lorenz = pd.DataFrame({"cumulative_share_of_entities": xs, "cumulative_share_of_market": ys})
        ui.chart(fig, lorenz.assign(source=row["source"]), key="conc_lorenz",
                 note=("Gini 0 = all equal; (n-1)/n = one holds everything." +
                       (" Only the listed firms: the unpublished rest is unknown." if scope else "")))
    else:
        ui.no_data(f"A Lorenz curve needs at least two {word} with a share; this period lists {len(values)}.")


# --------------------------------------------------------------------------- simulators
@st.fragment
def merger_simulator(row: pd.Series, listed: pd.DataFrame, guidelines: str) -> None:
    st.subheader("Merger simulator")
    names = listed["entity"].tolist()
    if len(names) < 2:
        ui.no_data("A merger needs two listed firms; this market and period publish only "
                   f"{len(names)}. Pick another market or period.")
        return
    col_a, col_b = st.columns(2)
    settle("conc_merge_a", names, names[0])
    settle("conc_merge_b", names, names[1])
    a = col_a.selectbox("Merge", names, index=0, key="conc_merge_a", bind="query-params")
    b = col_b.selectbox("with", names, index=1, key="conc_merge_b", bind="query-params")
    if a == b:
        st.warning("Pick two different firms to merge.")
        return
    sim = c.simulate_merger(listed["share_pct"].astype(float).tolist(), names.index(a), names.index(b),
                            (row["hhi_low"], row["hhi_high"]), bounded=bool(row["bounded"]))
    before, after, delta, combined = sim
    k1, k2, k3, k4 = st.columns(4)
    ui.headline(k1, "HHI before", fmt.number_range(*before))
    ui.headline(k2, "HHI after", fmt.number_range(*after))
    ui.headline(k3, "Change (ΔHHI)", f"+{delta:,.0f}", help="2 × share A × share B")
    ui.headline(k4, "Merged firm's share", f"{combined:.1f}%")
    low_text, high_text = (c.merger_verdict(h, delta, guidelines, combined_share_pct=combined) for h in after)
    if model.merger_verdicts_agree(low_text, high_text):
        extra = "" if low_text == high_text else f"  \nThe same holds at the top of the range (post-merger HHI {after[1]:,.0f})."
        st.info(low_text + extra, icon=":material/gavel:")
    else:
        st.info(f"If the unpublished rest is fragmented: {low_text}  \nIf it is in firms as large as the "
                f"smallest listed: {high_text}", icon=":material/gavel:")
    table = pd.DataFrame({"merging": [f"{a} + {b}"] * 2, "when": ["before", "after"],
                         "hhi_low": [before[0], after[0]], "hhi_high": [before[1], after[1]],
                         "delta_hhi": [0.0, delta], "guidelines": [c.GUIDELINE_NAMES[guidelines]] * 2,
                         "source": [row["source"]] * 2})
    ui.chart(ui.figure(charts.merger_figure, before, after, guidelines), table, key="conc_merger",
             note="Static arithmetic on current shares: no efficiencies, entry or switching.")


@st.fragment
def entry_simulator(row: pd.Series, guidelines: str, scale_note: str) -> None:
    st.subheader("Entry simulator")
    col_share, col_n = st.columns(2)
    share = col_share.slider("If decentralised supply held this share of the market (%)", 0, 100, 10,
                             key="conc_entry_share", bind="query-params")
    n = col_n.select_slider("spread evenly across this many operators", OPERATORS, value=50,
                            key="conc_entry_n", bind="query-params")
    sim = c.simulate_entry((row["hhi_low"], row["hhi_high"]), share, n)
    k1, k2, k3 = st.columns(3)
    ui.headline(k1, "HHI now", fmt.number_range(*sim.now))
    ui.headline(k2, "HHI with entry", fmt.number_range(*sim.after), delta=f"{sim.change:+,.0f}", delta_color="inverse")
    ui.headline(k3, "Equivalent firms with entry", fmt.number_range(*sim.equivalent_firms, "{:.1f}"))
    st.info(c.interval_verdict(*sim.after, guidelines) + ".", icon=":material/gavel:")
    curve = model.entry_curve(sim.now, n)
    ui.chart(ui.figure(charts.entry_figure, curve, share, guidelines, n_entrants=n),
             curve.assign(operators=n, source=row["source"]), key="conc_entry",
             note="HHI = (1 - x)² × HHI now + x² / N: incumbents keep their relative sizes and the entrants split "
                  "x evenly (the lowest HHI for that share; uneven splits give more). " + scale_note)


merger_simulator(row, listed, guidelines)
decentral = model.latest_decentralised(frame)
scale = "; ".join(f"{r.market_label}: {r.n_entities:,} hosts on {r.period_label}" for r in decentral.itertuples())
entry_simulator(row, guidelines, f"For scale, operators observed: {scale}." if scale else "")
st.session_state.pop(CHANGED, None)
ui.forget_frames(globals())  # the simulators are fragments: they would keep every frame above alive
