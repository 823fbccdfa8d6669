"""Scenarios: how a change in GPU costs reaches people, through fees, ads or quality.

Widgets (one per dashboard.model.scenarios.INPUTS entry, keyed and URL-bound by the input's name) ->
dashboard.data.scenarios (sourced inputs) -> dashboard.model.scenarios.evaluate (the same call
`python -m dashboard scenario` makes) -> dashboard.charts.scenarios; control texts from
dashboard.text.scenarios. Two fragments: `view` draws the controls (a choice or a reset reruns it) and,
inside it, `results` draws what they give, which a moved number control reruns alone (its callback calls
st.rerun with the fragment's key), so a press does not redraw the 17 sliders.
"""

import functools
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
           "subscription fees, more ads, or slower and thinner answers? Every data-derived input starts at the newest "
           "sourced figure, shown beside its control. A what-if model (Ritz 2024 pass-through), not a forecast.")

inputs = data.load()
META = (*ss.PINS.values(), ss.VERSION_PARAM, ss.SNAPSHOT_PARAM)
state.allow(*META, *ss.LEGACY_NAMES)
VIEW, RESULTS = "sc_view", "sc_results"  # the fragments' keys: a moved number control reruns RESULTS alone

# A model version 1 link (sc_* parameters): rewrite it in version 2's names, version 1's inputs explicit.
upgraded, legacy = ss.upgrade(st.query_params.to_dict())
if legacy:
    st.query_params.clear()
    st.query_params.update(upgraded | {ss.VERSION_PARAM: legacy})
    # Bound widgets seed from the URL the page opened with, not from this rewrite: without their upgraded
    # values the first rerun (any click) dropped the link's implicit inputs and changed its numbers.
    for name, value in upgraded.items():
        if name in ss.INPUT:
            st.session_state[name] = value if ss.INPUT[name].kind == "choice" else float(value)


def _meta() -> dict:
    return {k: v for k, v in st.query_params.to_dict().items() if k in META}


def _raw() -> dict:
    out = {}
    for name in ss.INPUT:
        value = st.session_state.get(name, st.query_params.get(name))
        if value is not None:
            out[name] = value
    return out


def _defaults(meta: dict, raw: dict) -> ss.Resolved:
    """Each input's default under the current choices (and the link's pins)."""
    return ss.resolve(meta | {k: v for k, v in raw.items() if ss.INPUT[k].kind == "choice"}, inputs)


def _params() -> tuple[dict, ss.Resolved]:
    meta, raw = _meta(), _raw()
    first = _defaults(meta, raw)
    chosen = {}
    for name, value in raw.items():
        if ss.INPUT[name].kind == "choice":
            chosen[name] = value
            continue
        try:
            same = abs(float(value) - float(first.values[name])) < 1e-9
        except (TypeError, ValueError):
            same = False
        if not same:
            chosen[name] = value
    return meta | chosen, first


def _follow_data(choice: str) -> None:
    """A choice that picks a data figure changed: its dependents follow today's figure, their pins go."""
    for key in ss.PIN_OF_CHOICE[choice]:
        if key in st.query_params:
            del st.query_params[key]
    first = _defaults(_meta(), _raw())
    for name in ss.DEPENDENTS[choice]:
        st.session_state[name] = first.values[name]


def _use_current_data() -> None:
    """Drop the link's pins; a version 1 link also drops the inputs version 1 left implicit."""
    legacy = st.query_params.get(ss.VERSION_PARAM, pt.MODEL_VERSION) != pt.MODEL_VERSION
    for key in META:
        if key in st.query_params:
            del st.query_params[key]
    today = ss.resolve({}, inputs) if legacy else _defaults({}, _raw())
    for name in ss.V1_DEFAULTS if legacy else ("users_millions", "hhi", "compute_cost_per_user_month"):
        st.session_state[name] = today.values[name]
    st.rerun(VIEW)  # the button is in the results fragment; the controls show the new values too


def _reset(group: tuple[str, ...]) -> None:
    first = _defaults(_meta(), {})
    for name in group:
        st.session_state[name] = first.values[name]


def _reason(name: str) -> str | None:
    return reasons[name]


def _state() -> tuple[dict, ss.Resolved, ss.Resolved, dict[str, str | None]]:
    """The URL and widgets' inputs: (params, defaults under the current choices, resolved, inactive reasons)."""
    params, defaults = _params()
    resolved = ss.resolve(params, inputs)
    return params, defaults, resolved, ss.active(resolved.values, resolved)


def _moved() -> None:
    """A number control moved: redraw the results alone. The controls stay as drawn, since the browser
    redraws every control a rerun sends, about 4 ms for a slider and its caption (README "Performance").
    A move that makes a control active or inactive draws the controls again too (`reasons` are the ones
    the controls were drawn with: only a run of the view sets them)."""
    if _state()[3] == reasons:
        st.rerun(RESULTS)


def _inactive_note(name: str) -> None:
    reason = _reason(name)
    if reason:
        st.caption(f":grey[Inactive: {reason}.]")


def number(name: str) -> float:
    spec, text = ss.INPUT[name], FIELDS[name]
    value = st.slider(text.label, text.low, text.high, float(first.values[name]), text.step, format=spec.fmt,
                      key=name, bind="query-params", disabled=_reason(name) is not None, on_change=_moved,
                      help=f"**{text.unit}.** {text.help}")
    _inactive_note(name)
    return value


def choice(name: str, widget=st.selectbox, **kwargs) -> str:
    text = FIELDS[name]
    opts = list(ss.options(name, inputs))
    default = str(first.values[name])
    on_change = {"on_change": _follow_data, "args": (name,)} if name in ss.DEPENDENTS else {}
    value = widget(text.label, opts, index=opts.index(default) if default in opts else 0, key=name,
                   bind="query-params", disabled=_reason(name) is not None, help=text.help,
                   format_func=lambda v: v.replace("_", " "), **on_change, **kwargs)
    _inactive_note(name)
    return value


def figure_caption(figure: ss.Figure | None, fallback: str) -> None:
    st.caption(f"Data: {figure.caption()}." if figure is not None else fallback)


# The results' figures are built directly, not through ui.figure's shared cache: nearly every press is a
# new input, so caching them cost each press 6.5 ms of hashing their frames (py-spy, 12 presses at 10M
# rows) and filled the cache's 64 entries with figures no one asks for again, pushing out other pages'.


def _changes(ev: ss.Evaluation, sources: list[str], note: str) -> None:
    st.subheader("What changed, and why")
    diff = ss.difference_frame(ev)
    ui.chart(charts.difference_bars(diff), diff, key="sc_diff", sources=sources, note=note)


def _waterfall(ev: ss.Evaluation, sources: list[str], note: str) -> None:
    st.subheader("Where the cost change goes (scenario)")
    steps = ss.waterfall_frame(ev.scenario)
    ui.chart(charts.waterfall(steps), steps, key="sc_waterfall", sources=sources, note=note)


def _sensitivity(ev: ss.Evaluation, sources: list[str], note: str) -> None:
    st.subheader("Sensitivity: cost to users across GPU price changes")
    frame = ss.band_frame(ev)
    ui.chart(charts.band_chart(frame, shock=ev.scenario.gpu_price_shock_pct, y_title="USD bn per year"),
             frame, key="sc_band", sources=sources, note=ss.BAND_NOTE)


def _trend(ev: ss.Evaluation, sources: list[str], note: str) -> None:
    st.subheader("Net of trend: the shock against a year of falling inference prices")
    trend = ev.trend
    st.caption(ss.trend_sentence(trend, ev.scenario.effective_cost_shock_pct))
    if not trend.empty:
        ui.chart(charts.trend_bars(trend), trend, key="sc_trend", sources=["seed"],
                 note="Trend: price per token at constant capability; a service that moves to better models "
                      "spends more per query than the trend suggests.")


def _routes(ev: ss.Evaluation, sources: list[str], note: str) -> None:
    st.subheader("Compute cost per user, by route")
    routes = ss.routes_frame(ev)
    missing = [f"{r.label}: {r.missing}" for r in ev.resolved.routes if r.value is None]
    ui.chart(charts.routes_bars(routes), routes, key="sc_routes", sources=["seed"],
             note="Inputs: " + "; ".join(dict.fromkeys(f"{f.label} {f.value:,.4g} {f.unit} ({f.source}, {f.as_of})"
                                                       for r in ev.resolved.routes for f in r.figures)) + ". "
             + (f"Not shown: {'; '.join(missing)}." if missing else ""))


# The detail views under the comparison, one at a time (URL parameter sc_detail): a slider press redraws
# the comparison and this one chart, not five (the browser draws each changed chart anew, and that
# drawing was most of a press's time; README "Performance").
DETAILS = {"What changed": _changes, "Where it goes": _waterfall, "Sensitivity": _sensitivity,
           "Net of trend": _trend, "Cost by route": _routes}
DEFAULT_DETAIL = "What changed"


@st.fragment(key=RESULTS)
def results(banner, cards, column, shock) -> None:
    """Everything a number control moves: the link banner, cards, charts, downloads and the shock caption
    under the controls (`shock`, a container the controls fragment made). It reruns alone on a move."""
    try:
        ev = ss.evaluate(_params()[0], inputs)
    except ValueError as error:
        with cards:
            st.error(f"These settings have no valid market outcome. {error}", icon=":material/error:")
        return
    if ev.data_differ:
        with banner:
            kind = "an older model version" if ev.resolved.legacy_version else "other data"
            st.info(f"This link was made with {kind}. The numbers below use the link's inputs, so they match what "
                    "was shared. Current data differ (below).", icon=":material/push_pin:")
            # values that come from the URL are shown as plain text, never markdown (no links or images injected)
            st.text(f"Link: model version {ev.resolved.legacy_version or pt.MODEL_VERSION}, warehouse snapshot "
                    f"{ev.resolved.link_snapshot or 'not recorded'}. Current data differ: "
                    + "; ".join(ev.data_differ) + ".")
            st.button("Use current data", key="sc_use_current", on_click=_use_current_data,
                      icon=":material/refresh:")
    with cards:
        for row in ss.CARDS:
            for place, name in zip(st.columns(len(row)), row, strict=True):
                place.metric(border=True, **ss.card(ev, name))
        result, band = ev.scenario, ev.band
        rho, cost = band.rho, band.consumer_cost
        st.caption(" ".join(list(ev.notes) + [
            ss.over_shifting_sentence(result),
            f"Sensitivity range (10th-90th percentile over {band.n_points - band.n_invalid} grid points, not a "
            f"probability interval): ρ {rho['p10']:.2f}-{rho['p90']:.2f}, cost to users "
            f"{ss.card_value('consumer_cost_usd_bn_per_year', cost['p10'])}-"
            f"{ss.card_value('consumer_cost_usd_bn_per_year', cost['p90'])} a year.",
            f"Conduct: {ss.MARKET_LABELS[str(ev.resolved.values['conduct_market'])]}, "
            f"{ev.resolved.values['conduct_model']} (market-power index {result.theta_S:.3f}, Lerner markup "
            f"{result.lerner:.1%})."]))
    with column:
        sources = ["seed"]  # the curated figures; the price index is ComputeWatch's own (named in the note)
        used = {f.label: f for f in ev.resolved.sources.values() if f is not None and f.from_data}
        route = ev.resolved.route(str(ev.resolved.values["compute_cost_route"]))
        cost = float(ev.resolved.values["compute_cost_per_user_month"])
        note = (f"Model: Ritz (2024) pass-through, version {pt.MODEL_VERSION}. Inputs: "
                + "; ".join(f"{f.label} {f.value:,.4g} {f.unit} ({f.source}, {f.as_of})" for f in used.values())
                + f"; compute cost ${cost:.4f} a user-month ("
                + ("set by you" if "compute_cost_per_user_month" in ev.resolved.explicit else f"{route.label} route")
                + "). The fees/ads/quality split is an assumption.")
        st.subheader("Default baseline, your baseline and the scenario")
        st.caption("Default baseline: a +40% GPU price rise with default assumptions and today's data (or the "
                   "link's). Your baseline: the same with your assumptions. Scenario: your assumptions and your "
                   "policy levers.")
        frame = ss.comparison_frame(ev)
        ui.chart(charts.comparison_bars(frame), frame, key="sc_compare", sources=sources, note=note)
        detail = st.segmented_control(
            "Detail", list(DETAILS), default=DEFAULT_DETAIL, required=True, key="sc_detail",
            bind="query-params",
            help="One detail chart at a time, below the comparison. Every figure of every view is also in "
                 "the scenario's CSV and JSON downloads.")
        DETAILS.get(detail, DETAILS[DEFAULT_DETAIL])(ev, sources, note)
        st.subheader("Share or download this scenario")
        here = (st.context.url or "").rstrip("/")
        link = f"{here if here.endswith('/scenarios') else here + '/scenarios'}?{urlencode(ss.permalink_params(ev))}"
        # A text box, not st.code: st.code loads the syntax highlighter, about 0.28 s of the tab's CPU on
        # every page load for one line of text. The box holds the whole link, to select and copy.
        st.text_input("Link to this scenario (select and copy)", link, help="Opens this scenario as shown here.")
        st.caption("The link holds every changed input, the data-derived values it used, the model version and the "
                   "warehouse snapshot, so it reproduces these numbers after the data move on. The same numbers "
                   "come from `python -m dashboard scenario --json --link '<this link>'`.")
        left, right = st.columns(2)
        left.download_button("Download scenario (JSON)", functools.partial(ss.export_json, ev, link),  # on click
                             file_name="computewatch_scenario.json", mime="application/json", key="sc_json")
        ui.csv_download(functools.partial(ss.export_frame, ev), "computewatch_scenario.csv", key="sc_csv",
                        label="Download scenario (CSV)", where=right)
    if ev.resolved.price is not None:
        shock.caption(ss.shock_text(ev))


@st.fragment(key=VIEW)
def view() -> None:
    """The controls, then the results fragment: a fragment, so a choice or a reset reruns this part only (not
    the app's sidebar and the page's data loading). `first` and `reasons` are the module's, read by the
    controls."""
    global first, reasons
    _, first, resolved, reasons = _state()
    for message in resolved.notices:
        if message.startswith(("Ignored pin_", "This link")):
            state.notice(message)
    banner, cards = st.container(), st.container()
    controls, column = st.columns([1, 2.2], gap="large")
    levers, market, service = (controls.container(border=True) for _ in range(3))
    with levers:
        st.subheader("Policy levers", help="What a policy or the market could change: the GPU price, the share "
                     "of decentralised supply, and concentration.")
        choice("shock_mode", st.radio, horizontal=True)
        number("gpu_price_change_pct")
        choice("baseline_segment")
        if resolved.price is not None:  # without it, the greyed controls already say the price is not available
            figure_caption(resolved.price, "")
        number("new_gpu_price")
        shock = st.container()  # the results fragment writes the shock caption here
        shock.empty()  # it must hold a write of this run first, or the fragment's writes into it are not shown
        number("decentralised_share")
        number("decentralised_discount")
        number("hhi")
        figure_caption(resolved.sources.get("conduct_market"), "No HHI in the warehouse for this market.")
        st.button("Reset policy levers", on_click=_reset, args=(ss.LEVERS,), icon=":material/restart_alt:",
                  key="sc_reset_levers")
    with market:
        st.subheader("Market assumptions", help="How the AI-service market works. They set your baseline; reset "
                     "them to see the default baseline.")
        choice("conduct_market", st.radio)
        choice("conduct_model", st.radio, horizontal=True)
        for name in ("substitutability", "market_power", "demand_elasticity"):
            number(name)
        choice("demand_curvature")
        number("custom_curvature")
        number("marginal_cost_elasticity")
        st.button("Reset market assumptions", on_click=_reset,
                  args=(tuple(i.name for i in ss.INPUTS if i.group == "market"),), icon=":material/restart_alt:",
                  key="sc_reset_assumptions")
    with service:
        st.subheader("The AI service")
        choice("users_basis", st.radio, horizontal=True)
        number("users_millions")
        figure_caption(resolved.sources.get("users_basis"), "")
        choice("compute_cost_route")
        number("compute_cost_per_user_month")
        # the routes use the data's user count, not the slider's: they follow the choices, drawn here
        lines = [f"**{r.name}**: " + (f"${r.value:.4f} = {r.formula}" if r.value is not None else r.missing)
                 + ("" if r.in_range else " (undated; not in the sensitivity range)") for r in resolved.routes]
        st.caption("Compute cost per user-month by route:  \n" + "  \n".join(lines))
        number("ad_revenue_per_user_month")
        number("latency_elasticity")
        st.markdown("**Where the passed-on cost shows up** (an ASSUMPTION: no sourced split exists)")
        for name in ("split_fees", "split_ads", "split_quality"):
            number(name)
        st.button("Reset the service", on_click=_reset,
                  args=(tuple(i.name for i in ss.INPUTS if i.group in ("service", "split")),),
                  icon=":material/restart_alt:", key="sc_reset_service")
    results(banner, cards, column, shock)


view()
