"""The Scenarios page: sourced inputs beside their controls, inactive controls say why, every control survives a
URL round trip, old links reproduce their numbers, the baseline price waits for the rebuilt price index."""

import pytest

from dashboard import fmt
from dashboard.data import scenarios as scenario_data
from dashboard.model import passthrough as pt
from dashboard.model import scenarios as ss
from tests import test_model_scenarios_data as wh
from tests.conftest import open_page

# A non-default, valid value for every control on the page (URL parameter -> value).
EVERY_CONTROL = {
    "shock_mode": "new_price", "gpu_price_change_pct": "25", "baseline_segment": "hyperscaler",
    "new_gpu_price": "8.5", "decentralised_share": "0.2", "decentralised_discount": "0.3",
    "conduct_market": "cloud_infrastructure", "hhi": "1800", "conduct_model": "bertrand", "substitutability": "3",
    "market_power": "0.3", "demand_elasticity": "3.5", "demand_curvature": "custom", "custom_curvature": "0.8",
    "marginal_cost_elasticity": "0.4", "users_basis": "monthly", "users_millions": "250",
    "compute_cost_route": "tokens", "compute_cost_per_user_month": "0.5", "ad_revenue_per_user_month": "2.5",
    "latency_elasticity": "-0.5", "split_fees": "0.6", "split_ads": "0.2", "split_quality": "0.2",
}
RADIOS = {"shock_mode", "conduct_market", "conduct_model", "users_basis"}
SELECTS = {"baseline_segment", "demand_curvature", "compute_cost_route"}


@pytest.fixture(scope="module")
def old_price_file(_seeded_file, tmp_path_factory) -> str:
    return wh.make_old_price(_seeded_file, tmp_path_factory)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def widget(at, key):
    kind = "radio" if key in RADIOS else "selectbox" if key in SELECTS else "slider"
    return getattr(at, kind)(key=key)


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def notices(at) -> str:
    """Notices name URL input as plain text (st.text), never inside markdown."""
    return " ".join([w.value for w in at.warning] + [t.value for t in at.text])


def test_page_runs_with_cards_charts_and_downloads(priced_db):
    at = open_page("scenarios")
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning and not at.error and not at.info
    assert len(at.metric) == 8
    assert all(m.delta == "same as baseline" for m in at.metric)  # the default scenario is the default baseline
    # the comparison and one detail view (the first: what changed)
    assert [c.key for c in at.get("plotly_chart")] == ["fig_sc_compare", "fig_sc_diff"]
    labels = {b.label for b in at.get("download_button")}
    assert {"Download scenario (JSON)", "Download scenario (CSV)", "Download CSV"} <= labels
    text = captions(at)
    assert "not a probability interval" in text and "10th-90th percentile" in text


@pytest.mark.parametrize(("detail", "chart", "text"), [
    ("Where it goes", "fig_sc_waterfall", "Where the cost change goes"),
    ("Sensitivity", "fig_sc_band", "Sensitivity: cost to users"),
    ("Net of trend", "fig_sc_trend", "days of a 10x-a-year decline"),
    ("Cost by route", "fig_sc_routes", "Compute cost per user, by route"),
])
def test_each_detail_view_opens_from_its_link_with_its_chart(priced_db, detail, chart, text):
    at = open_page("scenarios", {"sc_detail": detail})
    assert not at.exception and not at.warning, notices(at)
    assert [c.key for c in at.get("plotly_chart")] == ["fig_sc_compare", chart]
    assert text in captions(at) + " ".join(h.value for h in at.subheader)
    assert at.session_state["sc_detail"] == detail


def test_an_unknown_detail_view_in_a_link_falls_back_with_a_notice(priced_db):
    at = open_page("scenarios", {"sc_detail": "pie"})
    assert not at.exception
    assert [c.key for c in at.get("plotly_chart")] == ["fig_sc_compare", "fig_sc_diff"]
    assert "sc_detail=pie" in notices(at)


def test_data_derived_inputs_show_their_source_and_date_beside_the_control(priced_db):
    text = captions(open_page("scenarios"))
    assert "800 million (ChatGPT weekly active users, ChatGPT, 2025-10-06; source: webpronews.com" in text
    assert "AI assistants, worldwide web visits (Similarweb) HHI" in text and "2026-06" in text
    assert "H100 SXM on-demand median, neocloud, all regions" in text and "2026-11-30" in text
    assert "**messages**: $0.1150" in text and "**tokens**: $0.0196" in text and "undated" in text


def test_default_numbers_are_the_models_on_the_newest_figures(priced_db):
    at = open_page("scenarios")
    ev = ss.evaluate({}, scenario_data.load())
    r = ev.scenario
    assert ev.resolved.values["users_millions"] == 800.0 and ev.resolved.price.value == 2.49
    cards = metrics(at)
    assert cards["Cost to all users, per year"] == fmt.money_per_year(r.consumer_cost_usd_bn_per_year)
    assert cards["Pass-through rate ρ"] == f"{r.rho:.2f}"
    # by hand: $0.1150 x 40% = $0.046 a user-month
    assert cards["Cost change, $/user-month"] == "$0.046"


def test_inactive_controls_are_greyed_with_the_reason_and_come_alive_when_relevant(priced_db):
    at = open_page("scenarios")
    for key in ("new_gpu_price", "market_power", "custom_curvature", "substitutability", "decentralised_discount"):
        assert widget(at, key).disabled, key
    assert not widget(at, "gpu_price_change_pct").disabled
    text = captions(at)
    assert "Inactive: used only when the curvature preset is 'custom'." in text
    assert "Inactive: the market-power index comes from the HHI." in text
    at.selectbox(key="demand_curvature").set_value("custom").run()
    assert not at.slider(key="custom_curvature").disabled
    at.radio(key="conduct_market").set_value("manual").run()
    assert not at.slider(key="market_power").disabled and at.slider(key="hhi").disabled
    assert at.radio(key="conduct_model").disabled  # Lemma 1 and 4 coincide with the index set directly


def test_over_shifting_is_shown_and_explained(priced_db):
    at = open_page("scenarios", {"demand_curvature": "constant_elasticity"})
    rho = float(metrics(at)["Pass-through rate ρ"])
    assert rho > 1
    assert "over-shifting" in captions(at) and metrics(at)["Firms absorb, $/user-month"].startswith("-")


def test_url_round_trip_restores_every_control(priced_db):
    at = open_page("scenarios", EVERY_CONTROL)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning, notices(at)
    for key, raw in EVERY_CONTROL.items():
        value = widget(at, key).value
        if key in RADIOS | SELECTS:
            assert value == raw, key
        else:
            assert value == pytest.approx(float(raw)), key
    drawn = {w.key for kind in ("slider", "radio", "selectbox") for w in getattr(at, kind) if w.key in ss.INPUT}
    assert drawn == set(EVERY_CONTROL) == set(ss.INPUT)  # every input is a control and a URL parameter
    assert "$8.50 against $6.88" in captions(at)  # the new price against the hyperscaler baseline


def test_choosing_monthly_users_moves_users_and_compute_cost_to_that_figure(priced_db):
    at = open_page("scenarios")
    weekly_cost = at.slider(key="compute_cost_per_user_month").value
    at.radio(key="users_basis").set_value("monthly").run()
    assert at.slider(key="users_millions").value == 180.5
    assert at.slider(key="compute_cost_per_user_month").value == pytest.approx(weekly_cost * 800 / 180.5, rel=1e-4)


def test_permalink_pins_model_version_data_and_snapshot(priced_db):
    at = open_page("scenarios", {"demand_elasticity": "3"})
    link = next(t.value for t in at.text_input if t.label.startswith("Link to this scenario"))
    snapshot = scenario_data.load().snapshot
    for part in ("demand_elasticity=3", "pin_users=800", "pin_hhi=", "pin_price=2.49", "pin_compute_cost=",
                 f"model_version={pt.MODEL_VERSION}", f"snapshot={snapshot}"):
        assert part in link, part


def test_an_old_permalink_reproduces_its_numbers_and_says_current_data_differ(priced_db):
    link = {"sc_v": "1", "sc_pin_users": "180.5", "sc_pin_hhi": "1693", "sc_pin_price": "2.49", "sc_snap": "old"}
    at = open_page("scenarios", link)
    assert not at.exception
    assert metrics(at)["Cost to all users, per year"] == "$95.9m"  # 1/(1 + 0.1693 x 0.5) x $0.048 x 12 x 180.5M
    assert at.info and "Current data differ" in at.info[0].value
    assert "180.5 in the link, 800 today" in notices(at)  # the link's values: plain text
    assert "model version 1;" in notices(at)
    # Any rerun (here a detail view) keeps the link's numbers: the widgets hold the upgraded inputs too.
    at.segmented_control(key="sc_detail").set_value("Sensitivity").run()
    assert metrics(at)["Cost to all users, per year"] == "$95.9m"
    at.button(key="sc_use_current").click().run()
    assert not at.info
    assert at.slider(key="users_millions").value == 800.0
    assert metrics(at)["Cost to all users, per year"] != "$95.9m"


def test_malformed_url_values_fall_back_to_defaults_with_a_notice(priced_db):
    at = open_page("scenarios", {"gpu_price_change_pct": "abc", "demand_elasticity": "999",
                                 "demand_curvature": "wobbly", "pin_users": "lots"})
    assert not at.exception
    assert at.slider(key="gpu_price_change_pct").value == pt.Scenario().cost_shock_pct
    assert at.slider(key="demand_elasticity").value == pt.Assumptions().eps_D
    assert at.selectbox(key="demand_curvature").value == pt.Assumptions().curvature
    assert at.slider(key="users_millions").value == 800.0
    text = notices(at)
    for fragment in ("gpu_price_change_pct=abc ", "demand_elasticity=999 ", "demand_curvature=wobbly ",
                     "pin_users=lots "):
        assert fragment in text


def test_inconsistent_assumptions_show_an_error_not_a_crash(priced_db):
    at = open_page("scenarios", {"conduct_market": "manual", "market_power": "0.9", "demand_elasticity": "0.5"})
    assert not at.exception
    assert at.error and "no valid market outcome" in at.error[0].value


def test_without_the_rebuilt_price_index_the_baseline_price_is_not_available(old_price_file):
    with wh.using(old_price_file):
        at = open_page("scenarios")
    assert not at.exception and not at.error
    text = captions(at)
    assert "Inactive: the baseline GPU price is not available until the price index is rebuilt." in text
    assert at.selectbox(key="baseline_segment").disabled
    assert metrics(at)["Cost to all users, per year"].startswith("$")  # the tokens route keeps the page working


def test_overview_card_names_its_assumptions(priced_db):
    at = open_page("overview")
    assert not at.exception, [e.value for e in at.exception]
    head = ss.headline(scenario_data.load())
    text = captions(at)
    assert f"Assumes {head.users}" in text and "800M weekly users (2025-10-06)" in text
    assert "conduct from AI assistants" in text and f"model version {pt.MODEL_VERSION}" in text
    assert metrics(at)["GPU price +40%: cost to users"] == f"{fmt.millions_per_year(head.consumer_cost_usd_bn_per_year)} a year"


def test_a_pinned_link_whose_data_moved_keeps_its_numbers_until_asked(priced_db):
    at = open_page("scenarios", {"pin_users": "700", "users_basis": "weekly", "demand_elasticity": "3"})
    assert at.info and "users (million): 700 in the link, 800 today" in notices(at)
    assert at.slider(key="users_millions").value == 700.0
    at.button(key="sc_use_current").click().run()
    assert not at.info
    assert at.slider(key="users_millions").value == 800.0
    assert at.slider(key="demand_elasticity").value == 3.0  # your own choices stay
