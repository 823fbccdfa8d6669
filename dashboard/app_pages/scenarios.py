"""Scenarios: how a change in GPU costs reaches people, through fees, ads or quality.

Widgets -> dashboard.data.scenarios (data inputs) -> dashboard.model.scenarios (runs, on the
pass-through model dashboard/model/passthrough.py) -> dashboard.charts.scenarios; control texts from
dashboard.text.scenarios.
"""

import math
from urllib.parse import urlencode

import streamlit as st

from dashboard import state, ui
from dashboard.charts import scenarios as charts
from dashboard.data import scenarios as data
from dashboard.model import passthrough as pt
from dashboard.model import scenarios as ss
from dashboard.text.scenarios import FIELDS

st.title("Cost pass-through scenarios")
st.caption("If the price of GPU compute changes, how much of it reaches people, and through which channel: higher "
           "subscription fees, more ads, or slower and thinner answers? Move the policy levers, compare with the "
           "baseline, share the link. A what-if model (Ritz 2024 pass-through), not a forecast.")

inputs = data.load()
state.allow(*ss.PIN_PARAMS.values(), ss.VERSION_PARAM, ss.SNAPSHOT_PARAM)
segment = st.session_state.get("sc_base", st.query_params.get("sc_base"))
segment = segment if segment in inputs.segments else inputs.segments[0]
pins = ss.resolve_pins(st.query_params.to_dict(), inputs.current(segment), inputs.snapshot)
for message in pins.notices:
    state.notice(message)
st.query_params.update(pins.params())
st.session_state["_sc_pins"] = dict(pins.values)


def _pin_segment_price() -> None:
    price = inputs.price(st.session_state["sc_base"]).value
    st.session_state["_sc_pins"]["price"] = price
    st.query_params[ss.PIN_PARAMS["price"]] = format(price, ".10g")


def _use_current_data() -> None:
    for name, (old, new) in pins.differs.items():
        widget = {"users": "sc_users", "hhi": "sc_hhi"}.get(name)
        if widget and math.isclose(st.session_state.get(widget, old), old):
            st.session_state[widget] = new  # follow today's data unless the user chose a value of their own
    st.query_params.update(ss.Pins(inputs.current(segment), inputs.snapshot).params())


def _reset(keys: tuple, defaults: dict) -> None:
    for key in keys:
        st.session_state[key] = defaults[key]
    if "sc_base" in keys:
        _pin_segment_price()


if pins.differs:
    changed = "; ".join(f"{ss.PIN_LABELS[n]}: {old:,.4g} in the link, {new:,.4g} today"
                        for n, (old, new) in pins.differs.items())
    st.info(f"This link pins data inputs that differ from today's warehouse ({changed}). The numbers below use the "
            "link's values, so they match what was shared.", icon=":material/push_pin:")
    st.text(f"Warehouse snapshot named in the link: {pins.snapshot}")  # URL input: plain text, never markdown
    st.button("Use current data", key="sc_use_current", on_click=_use_current_data, icon=":material/refresh:")
elif pins.pinned_snapshot and pins.pinned_snapshot != inputs.snapshot:
    st.caption(f"Today's warehouse snapshot (`{inputs.snapshot}`) gives the same data inputs as the link's, so the "
               "numbers are unchanged.")
    st.text(f"Warehouse snapshot named in the link: {pins.pinned_snapshot}")  # URL input: plain text


def _slider(key: str, defaults: dict, disabled: bool = False) -> float:
    field, fmt = ss.SLIDERS[key]
    control = FIELDS[field]
    return st.slider(control.label, control.low, control.high, defaults[key], control.step, format=fmt, key=key,
                     bind="query-params", help=f"**{control.unit}.** {control.help}", disabled=disabled)


def _choice(widget, key: str, label: str, defaults: dict, options=None, **kwargs) -> str:
    options = list(options or ss.CHOICES[key])
    return widget(label, options, index=options.index(defaults[key]), key=key, bind="query-params", **kwargs)


@st.fragment
def scenario() -> None:
    pin = st.session_state["_sc_pins"]
    d = ss.defaults(inputs, pin)
    cards = st.container()
    controls, results = st.columns([1, 2.2], gap="large")
    levers_box, market_box = controls.container(border=True), controls.container(border=True)
    with market_box:
        st.subheader("Market assumptions", help="How the AI-service market works. They set the baseline with "
                     "your assumptions; reset them to see the default baseline.")
        _slider("sc_eps", d)
        curve = _choice(st.selectbox, "sc_curve", "Demand curvature (shape of demand)", d,
                        help=FIELDS["curvature"].help)
        _slider("sc_xi", d, disabled=curve != "custom")
        _slider("sc_eta", d)
        conduct = _choice(st.radio, "sc_conduct", "Market power θ", d, horizontal=True,
                          help=FIELDS["conduct_mode"].help)
        _slider("sc_theta", d, disabled=conduct == "from HHI")
        st.markdown("**The AI service**")
        for key in ("sc_cshare", "sc_cpu", "sc_users", "sc_adrev", "sc_lat"):
            _slider(key, d)
        st.markdown("**Where the passed-on cost shows up** (an ASSUMPTION: no sourced split exists)")
        for key in ("sc_fees", "sc_ads", "sc_quality"):
            _slider(key, d)
        st.button("Reset assumptions to defaults", on_click=_reset, args=(ss.MARKET + ss.SERVICE, d),
                  icon=":material/restart_alt:", key="sc_reset_assumptions")
    with levers_box:
        st.subheader("Policy levers", help="What a policy or the market could change: the GPU price, the share of "
                     "decentralised supply, and concentration.")
        mode = _choice(st.radio, "sc_shock_mode", "GPU cost shock given as", d, horizontal=True)
        shock = _slider("sc_shock", d, disabled=mode == "new price")
        base = _choice(st.selectbox, "sc_base", "Baseline GPU price from the data (segment)", d, inputs.segments,
                       on_change=_pin_segment_price,
                       help="The latest H100 SXM median price of this segment; a new price is compared with it.")
        new = _slider("sc_new_price", d, disabled=mode == "percent change")
        price = inputs.price(base)
        st.caption(f"{ss.shock_text(mode, shock, new, pin['price'])} per GPU-hour. Baseline: {price.label}, {price.as_of} (source: {price.source}).")
        _slider("sc_dshare", d)
        _slider("sc_ddisc", d)
        _slider("sc_hhi", d, disabled=conduct != "from HHI")
        st.caption(f"Status quo: {inputs.hhi.caption()}. Cloud concentration stands in for the AI-service market.")
        st.button("Reset policy levers", on_click=_reset, args=(ss.LEVERS, d), icon=":material/restart_alt:",
                  key="sc_reset_levers")

    values = {key: st.session_state[key] for key in d}
    with cards:
        try:
            assumptions, scen, notes = ss.build(values, pin["price"])
            comp = ss.compare(assumptions, scen, pin)
        except ValueError as error:
            st.error(f"These settings have no valid market outcome. {error}", icon=":material/error:")
            return
        for row in ss.CARDS:
            for column, field in zip(st.columns(len(row)), row, strict=True):
                column.metric(border=True, **ss.card(comp, field))
        result = comp.scenario
        low, high = ss.rho_range(comp)
        st.caption(" ".join(notes + [
            f"Pass-through ρ = {result.rho:.2f} (plausible range {low:.2f}-{high:.2f}): users bear {result.rho:.0%} of "
            f"the cost change and AI firms absorb the rest, out of a markup of {result.lerner:.1%} of price. A GPU "
            f"price change of {result.gpu_price_shock_pct:+.0f}% moves the blended compute price "
            f"{result.effective_cost_shock_pct:+.1f}% and the service's unit cost {result.unit_cost_change_pct:+.1f}%."]))
    with results:
        sources = sorted({i.source for i in (price, inputs.users) if i.from_data})
        note = (f"Model: Ritz (2024) Lemma 1 pass-through, version {pt.MODEL_VERSION}. Data inputs: "
                f"{inputs.users.caption('M users')}. The fees/ads/quality split is an assumption.")
        st.subheader("Default baseline, your baseline and the scenario")
        st.caption("Default baseline: a +40% GPU price rise (the H100 contract index, Oct 2025 to Mar 2026) with "
                   "default assumptions and today's market. Your baseline: the same with your assumptions. "
                   "Scenario: your assumptions and your policy levers.")
        frame = ss.comparison_frame(comp)
        ui.chart(charts.comparison_bars(frame), frame, key="sc_compare", sources=sources, note=note)
        st.subheader("What changed, and why")
        diff = ss.difference_frame(comp)
        ui.chart(charts.difference_bars(diff), diff, key="sc_diff", sources=sources, note=note)
        st.subheader("Where the cost change goes (scenario)")
        steps = ss.waterfall_frame(result)
        ui.chart(charts.waterfall(steps), steps, key="sc_waterfall", sources=sources, note=note)
        st.subheader("How sure is this? Cost to users across GPU price changes")
        band = ss.band(comp)
        ui.chart(charts.band_chart(band, shock=result.gpu_price_shock_pct, y_title="USD bn per year"), band,
                 key="sc_band", sources=sources, note=ss.BAND_NOTE)
        st.subheader("Share or download this scenario")
        query = {k: format(v, ".10g") if isinstance(v, float) else v for k, v in values.items() if v != d[k]}
        query |= ss.Pins(pin, pins.snapshot).params()
        here = (st.context.url or "").rstrip("/")
        link = f"{here if here.endswith('/scenarios') else here + '/scenarios'}?{urlencode(query)}"
        st.code(link, language=None, wrap_lines=True)
        st.caption("The link holds every changed slider, the model version, the data inputs it used and the "
                   "warehouse snapshot, so it reproduces these numbers after the data move on.")
        left, right = st.columns(2)
        left.download_button("Download scenario (JSON)", ss.export_json(
            comp, pins=pin, snapshot=pins.snapshot, permalink=link,
            sources={"price": price.caption(" USD/GPU-h"), "users": inputs.users.caption("M"),
                     "hhi": inputs.hhi.caption()}),
            file_name="computewatch_scenario.json", mime="application/json", key="sc_json")
        right.download_button("Download scenario (CSV)", ss.export_frame(comp).to_csv(index=False).encode(),
                              file_name="computewatch_scenario.csv", mime="text/csv", key="sc_csv")


scenario()
