"""The pure scenario model: sourced defaults, compute-cost routes, active inputs, band, trend, old links."""

import math

import pytest

from dashboard.model import passthrough as pt
from dashboard.model import scenarios as ss
from dashboard.model.scenarios import DataInputs, Figure, Trend
from dashboard.text.scenarios import FIELDS


def fig(value, unit="", as_of="2025-01", label="figure"):
    return Figure(value, unit, label, "example.org (secondary)", as_of)


def make_data(*, prices=True, weekly_as_of="2025-10-06", monthly_as_of="2024-01") -> DataInputs:
    """Figures shaped like the seed's (hand-made, so the arithmetic below is checkable)."""
    return DataInputs(
        users={"weekly": fig(800.0, "million", weekly_as_of), "monthly": fig(180.5, "million", monthly_as_of)},
        prices={"neocloud": fig(2.5, "USD per GPU-hour", "2026-11-30"),
                "hyperscaler": fig(6.0, "USD per GPU-hour", "2026-11-30")} if prices else {},
        price_note=None if prices else ss.PRICE_UNAVAILABLE,
        hhi={"ai_assistants": fig(3845.0, "HHI points", "2026-06"),
             "cloud_infrastructure": fig(1693.0, "HHI points", "2025Q4")},
        figures={"messages_per_day": fig(2.5, "billion"), "energy_per_query": fig(0.34, "Wh per query"),
                 "gpu_power": fig(700.0, "W"), "tokens_per_day": fig(8.6, "trillion tokens"),
                 "price_per_million_tokens": fig(0.06, "USD per 1M tokens")},
        trends=(Trend("a16z (10x a year)", 10.0, "a16z.com (primary)", "2024-11"),
                Trend("Epoch, slowest (9x a year)", 9.0, "epoch.ai (primary)", "2022-2025"),
                Trend("Epoch, fastest (900x a year)", 900.0, "epoch.ai (primary)", "2022-2025")),
        snapshot="snap-today")


def outputs(params, data=None) -> dict:
    return ss.to_json(ss.evaluate(params, data or make_data()))["outputs"]


# --- newest sourced figures as defaults ---------------------------------------------------------------------


def test_users_default_to_the_newest_kind_of_figure():
    assert ss.resolve({}, make_data()).values["users_basis"] == "weekly"
    newer_monthly = make_data(weekly_as_of="2025-10-06", monthly_as_of="2026-05")
    resolved = ss.resolve({}, newer_monthly)
    assert resolved.values["users_basis"] == "monthly"
    assert resolved.values["users_millions"] == 180.5


def test_every_data_derived_default_carries_its_source_and_date():
    table = ss.input_table(ss.evaluate({}, make_data()))
    for name in ("users_basis", "users_millions", "hhi", "conduct_market", "baseline_segment"):
        assert table[name]["source"].startswith("example.org"), name
        assert table[name]["as_of"], name
    assert table["users_millions"]["value"] == 800.0 and table["users_millions"]["as_of"] == "2025-10-06"
    assert table["compute_cost_per_user_month"]["source"].startswith("route 'messages'")
    for row in table.values():
        assert {"value", "unit", "source", "as_of", "active"} <= set(row)


def test_conduct_defaults_to_the_ai_assistant_market_with_the_cloud_as_an_alternative():
    default = ss.resolve({}, make_data())
    assert default.values["conduct_market"] == "ai_assistants" and default.values["hhi"] == 3845.0
    cloud = ss.resolve({"conduct_market": "cloud_infrastructure"}, make_data())
    assert cloud.values["hhi"] == 1693.0


# --- compute cost per user: two sourced routes and the undated one ------------------------------------------


def test_messages_route_by_hand():
    route = ss.resolve({}, make_data()).route("messages")
    # 2.5e9 messages/day x 0.34 Wh / 700 W GPU-hours each x $2.50 x 365/12 days, over 800M users
    assert route.value == pytest.approx(2.5e9 * (0.34 / 700) * 2.5 * (365 / 12) / 800e6)
    assert route.value == pytest.approx(0.1154, abs=1e-4)
    assert route.as_of == "2025-01"


def test_tokens_route_by_hand():
    route = ss.resolve({}, make_data()).route("tokens")
    # 8.6e12 tokens/day x $0.06 per 1e6 tokens x 365/12 days, over 800M users
    assert route.value == pytest.approx(8.6e12 / 1e6 * 0.06 * (365 / 12) / 800e6)
    assert route.value == pytest.approx(0.0196, abs=1e-4)


def test_legacy_route_is_labelled_undated_and_kept_out_of_the_band():
    resolved = ss.resolve({}, make_data(), )
    legacy = resolved.route("legacy_700k")
    assert not legacy.in_range and legacy.as_of is None
    band = ss.evaluate({}, make_data()).band
    sourced = sorted(r.value for r in resolved.routes if r.in_range)
    assert band.grid["compute_cost_per_user_month"] == [round(v, 6) for v in sourced]


def test_the_default_compute_cost_is_the_messages_route_and_follows_the_chosen_users():
    weekly = ss.resolve({}, make_data())
    monthly = ss.resolve({"users_basis": "monthly"}, make_data())
    assert weekly.values["compute_cost_per_user_month"] == pytest.approx(weekly.route("messages").value, abs=1e-6)
    # the same total compute bill spread over fewer users
    assert monthly.values["compute_cost_per_user_month"] == pytest.approx(
        weekly.values["compute_cost_per_user_month"] * 800 / 180.5, rel=1e-5)


def test_without_the_rebuilt_price_index_the_price_is_not_available_and_the_tokens_route_is_used():
    ev = ss.evaluate({}, make_data(prices=False))
    assert ev.resolved.price is None
    assert ev.resolved.values["compute_cost_route"] == "tokens"
    assert ss.PRICE_UNAVAILABLE in ev.reasons["baseline_segment"]
    assert ev.resolved.route("messages").missing == ss.PRICE_UNAVAILABLE
    doc = ss.to_json(ev)
    assert doc["baseline_gpu_price"]["value"] is None and doc["baseline_gpu_price"]["source"] == ss.PRICE_UNAVAILABLE


# --- every control moves an output or says why not ------------------------------------------------------------

SETTINGS = (  # the defaults, then settings that switch on the inputs the defaults leave inactive
    {},
    {"shock_mode": "new_price", "decentralised_share": "0.3", "conduct_model": "bertrand",
     "demand_curvature": "custom"},
    {"conduct_market": "manual", "compute_cost_per_user_month": "0.2"},
)


def _other(name: str, value, data: DataInputs):
    spec, control = ss.INPUT[name], FIELDS[name]
    if spec.kind == "choice":
        return next(o for o in ss.options(name, data) if o != value)
    step = control.step * 10
    return value + step if value + step <= control.high else value - step


@pytest.mark.parametrize("settings", SETTINGS, ids=["defaults", "new-price-bertrand-custom", "manual-conduct"])
def test_every_active_input_moves_an_output_and_no_inactive_one_does(settings):
    data = make_data()
    ev = ss.evaluate(settings, data)
    before = ss.to_json(ev)["outputs"]
    checked = 0
    for spec in ss.INPUTS:
        value = ev.resolved.values[spec.name]
        change = {spec.name: str(_other(spec.name, value, data))}
        if spec.name == "shock_mode":  # the default new price is the default +40%: a mode moves what it enables
            change |= {"new_gpu_price": "9.0"} if change["shock_mode"] == "new_price" else {"gpu_price_change_pct": "10"}
        after = outputs(settings | change, data)
        moved = any(not math.isclose(after[k], before[k], rel_tol=1e-12, abs_tol=1e-15) for k in before)
        if ev.reasons[spec.name] is None:
            assert moved, f"{spec.name} is shown active but moves no output"
            checked += 1
        else:
            assert not moved, f"{spec.name} is shown inactive ({ev.reasons[spec.name]}) but moves an output"
    assert checked >= 15


def test_inputs_switched_off_by_the_defaults_are_active_in_some_setting():
    data = make_data()
    active_somewhere = {name for s in SETTINGS for name, why in ss.evaluate(s, data).reasons.items() if why is None}
    assert active_somewhere == set(ss.INPUT)


# --- over-shifting and the band -------------------------------------------------------------------------------


def test_constant_elasticity_gives_rho_above_one_on_the_page_model():
    out = outputs({"demand_curvature": "constant_elasticity"})
    assert out["pass_through_rate"] == pytest.approx(2.0 / (2.0 - 0.3845))
    assert out["pass_through_rate"] > 1 and out["absorbed_usd_per_user_month"] < 0
    assert "over-shifting" in ss.over_shifting_sentence(ss.evaluate({"demand_curvature": "constant_elasticity"},
                                                                    make_data()).scenario)


def test_band_is_a_stated_grid_with_percentiles_and_reaches_above_one():
    band = ss.evaluate({}, make_data()).band
    doc = band.to_dict()
    assert "not a probability interval" in doc["label"]
    g = doc["grid"]
    assert doc["n_points"] == (len(g["demand_curvature"]) * len(g["marginal_cost_elasticity"])
                               * len(g["demand_elasticity"]) * len(g["compute_cost_per_user_month"])
                               * len(g["conduct_market"]))
    for key in ("pass_through_rate", "consumer_cost_usd_bn_per_year"):
        s = doc[key]
        assert s["min"] <= s["p10"] <= s["p50"] <= s["p90"] <= s["max"]
    assert doc["pass_through_rate"]["max"] > 1  # constant-elasticity demand is in the grid: no cut at 1.00
    assert len(g["conduct_market"]) == 2  # the AI-assistant and the cloud HHI


def test_band_frame_brackets_with_percentiles_on_both_sides_of_zero():
    frame = ss.band_frame(ss.evaluate({}, make_data()))
    assert (frame["band_low"] <= frame["band_high"] + 1e-15).all()
    rising = frame[frame["gpu_price_change_pct"] > 0]
    assert (rising["band_high"] > 0).all()


# --- net of trend ----------------------------------------------------------------------------------------------


def test_net_of_trend_days_by_hand():
    frame = ss.evaluate({}, make_data()).trend.set_index("factor_per_year")
    assert frame.loc[10.0, "days_of_trend"] == pytest.approx(365 * math.log(1.4) / math.log(10))
    assert frame.loc[900.0, "days_of_trend"] < frame.loc[10.0, "days_of_trend"] < frame.loc[9.0, "days_of_trend"]
    assert frame.loc[10.0, "cost_in_a_year_with_shock_pct"] == pytest.approx((1.4 / 10 - 1) * 100)
    text = ss.trend_sentence(frame.reset_index(), 40.0)
    assert "53 days" in text and "undoes" in text


# --- permalinks ------------------------------------------------------------------------------------------------


def test_a_model_version_1_link_reproduces_its_numbers_and_says_current_data_differ():
    link = {"sc_v": "1", "sc_pin_users": "180.5", "sc_pin_hhi": "1693", "sc_pin_price": "2.5", "sc_snap": "old"}
    ev = ss.evaluate(link, make_data())
    r = ev.scenario
    # version 1 by hand: rho = 1 / (1 + 0.1693 x 0.5), $0.12 x 40% passed on, x 12 x 180.5M users
    rho = 1 / (1 + 0.1693 * 0.5)
    assert r.rho == pytest.approx(rho)
    assert r.consumer_cost_usd_bn_per_year == pytest.approx(rho * 0.12 * 0.40 * 12 * 180.5 / 1000)
    assert r.consumer_cost_usd_bn_per_year * 1000 == pytest.approx(95.85, abs=0.01)
    differ = " ".join(ev.data_differ)
    assert "180.5 in the link, 800 today" in differ and "cloud_infrastructure in the link" in differ
    assert any("model version 1;" in n for n in ev.resolved.notices)
    assert ev.baseline.consumer_cost_usd_bn_per_year == pytest.approx(r.consumer_cost_usd_bn_per_year)


def test_a_version_2_permalink_pins_its_data_and_reproduces_after_the_data_move():
    before = ss.evaluate({"demand_elasticity": "3"}, make_data())
    link = ss.permalink_params(before)
    assert link["model_version"] == pt.MODEL_VERSION and link["snapshot"] == "snap-today"
    assert float(link["pin_users"]) == 800.0 and "demand_elasticity" in link
    moved = DataInputs(**{**make_data().__dict__, "users": {"weekly": fig(900.0, "million", "2026-05")},
                          "snapshot": "snap-later"})
    after = ss.evaluate(link, moved)
    assert after.scenario.consumer_cost_usd_bn_per_year == pytest.approx(before.scenario.consumer_cost_usd_bn_per_year)
    assert after.data_differ == ["users (million): 800 in the link, 900 today"]
    assert ss.to_json(after)["warehouse_snapshot"] == "snap-today"


def test_invalid_values_are_ignored_with_a_notice():
    resolved = ss.resolve({"demand_curvature": "wobbly", "gpu_price_change_pct": "abc", "pin_users": "lots"},
                          make_data())
    assert resolved.values["demand_curvature"] == pt.Assumptions().curvature
    assert resolved.values["gpu_price_change_pct"] == pt.Scenario().cost_shock_pct
    assert resolved.values["users_millions"] == 800.0
    assert len(resolved.notices) == 3


def test_headline_names_users_and_date_the_conduct_market_and_the_model_version():
    head = ss.headline(make_data())
    assert head.users == "800M weekly users (2025-10-06)"
    assert "AI assistants" in head.conduct and "3,845" in head.conduct and "cournot" in head.conduct
    assert head.model_version == pt.MODEL_VERSION
    assert head.band_low < head.band_high
