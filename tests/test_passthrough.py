"""The pass-through model (Ritz 2024, Lemmas 1 and 4) against worked examples, and its validation."""

import dataclasses
import json
import math

import pytest

from dashboard.model import passthrough as pt
from dashboard.model.passthrough import (
    Assumptions,
    Scenario,
    conduct_from_hhi,
    curvature,
    elasticity_band,
    lerner,
    pass_through_rate,
    simulate,
    waterfall,
    xi_from_superelasticity,
)

CONSTANT_MC = 0.0  # eta_S = 0: flat marginal cost
LINEAR = 0.0  # xi_D for linear demand
COURNOT = 1.0  # per-firm conduct theta; theta_S = theta / n


def cournot_theta_S(n: int) -> float:
    return COURNOT / n


# --- docs/METHODOLOGY.md §2.5 worked examples ---------------------------------------------------------------


@pytest.mark.parametrize("n, expected", [(1, 0.5), (2, 2 / 3), (3, 0.75), (4, 0.8)])
def test_cournot_linear_demand_constant_cost_passes_through_n_over_n_plus_1(n, expected):
    rho = pass_through_rate(eps_D=2.0, xi_D=LINEAR, eta_S=CONSTANT_MC, theta_S=cournot_theta_S(n))
    assert rho == pytest.approx(expected)


def test_cournot_rho_does_not_depend_on_elasticity_when_marginal_cost_is_flat():
    rates = {pass_through_rate(eps, LINEAR, CONSTANT_MC, 0.25) for eps in (0.5, 1.0, 2.0, 7.0)}
    assert len(rates) == 1


def test_constant_elasticity_monopoly_with_eps_2_over_shifts_to_2():
    xi = curvature("constant_elasticity", eps=2.0)
    assert xi == pytest.approx(1.5)
    assert pass_through_rate(eps_D=2.0, xi_D=xi, eta_S=CONSTANT_MC, theta_S=1.0) == pytest.approx(2.0)


def test_constant_elasticity_cournot_quintopoly_with_eps_2_gives_1_111():
    xi = curvature("constant_elasticity", eps=2.0)
    rho = pass_through_rate(2.0, xi, CONSTANT_MC, cournot_theta_S(5))
    assert rho == pytest.approx(2.0 / (2.0 - 0.2))
    assert rho == pytest.approx(1.111, abs=1e-3)


@pytest.mark.parametrize("preset, expected", [("linear", 0.5), ("quadratic", 2 / 3), ("exponential", 1.0)])
def test_monopoly_with_constant_cost_passes_through_one_over_two_minus_xi(preset, expected):
    rho = pass_through_rate(3.0, curvature(preset), CONSTANT_MC, 1.0)
    assert rho == pytest.approx(expected)


@pytest.mark.parametrize("eps, psi, expected", [(5, 6, 0.0), (3, 2, 2 / 3), (4, 1, 1.0), (17.5, 1, 1.0)])
def test_xi_from_superelasticity_matches_worked_examples(eps, psi, expected):
    assert xi_from_superelasticity(eps, psi) == pytest.approx(expected, abs=1e-12)


def test_lerner_for_cournot_quintopoly_with_eps_2_is_0_1():
    assert lerner(cournot_theta_S(5), 2.0) == pytest.approx(0.1)


def test_cowling_waterson_lerner_from_hhi_of_five_equal_firms_is_0_1():
    assert lerner(conduct_from_hhi(2000), 2.0) == pytest.approx(0.1)


def test_curvature_presets_have_the_documented_values():
    presets = ("linear", "quadratic", "exponential", "constant_elasticity")
    assert [curvature(p, eps=4.0) for p in presets] == pytest.approx([0.0, 0.5, 1.0, 1.25])


def test_constant_elasticity_curvature_needs_eps():
    with pytest.raises(ValueError, match="needs eps"):
        curvature("constant_elasticity")


def test_unknown_curvature_preset_is_rejected():
    with pytest.raises(ValueError, match="unknown curvature preset"):
        curvature("cubic")


# --- Properties of the pass-through formula --------------------------------------------------------


def test_perfect_competition_with_flat_marginal_cost_passes_everything_through():
    for xi in (-1.0, 0.0, 0.5, 1.0, 2.5):
        assert pass_through_rate(eps_D=2.0, xi_D=xi, eta_S=0.0, theta_S=0.0) == 1.0


def test_perfect_competition_matches_supply_and_demand_elasticity_form():
    eps_D, eps_S = 2.0, 0.5
    rho = pass_through_rate(eps_D, 0.0, 1.0 / eps_S, 0.0)
    assert rho == pytest.approx(eps_S / (eps_S + eps_D))


def test_weyl_fabinger_form_agrees_with_ritz_form():
    eps_D, xi_D, eta_S, theta_S = 2.5, 0.4, 0.7, 0.3
    eps_S, eps_ms = 1.0 / eta_S, 1.0 / (1.0 - xi_D)
    weyl_fabinger = 1.0 / (1.0 + (eps_D - theta_S) / eps_S + theta_S / eps_ms)
    assert pass_through_rate(eps_D, xi_D, eta_S, theta_S) == pytest.approx(weyl_fabinger)


def test_rho_rises_with_demand_curvature_under_market_power():
    rates = [pass_through_rate(2.0, xi, 0.2, 0.5) for xi in (-0.5, 0.0, 0.5, 1.0, 1.5)]
    assert all(a < b for a, b in zip(rates, rates[1:], strict=False))


def test_rho_falls_with_marginal_cost_elasticity_capacity_constraint():
    rates = [pass_through_rate(2.0, 0.5, eta, 0.25) for eta in (0.0, 0.5, 1.0, 3.0)]
    assert all(a > b for a, b in zip(rates, rates[1:], strict=False))


def test_log_concave_demand_never_over_shifts():
    for xi in (0.0, 0.5, 1.0):
        for theta in (0.0, 0.2, 0.5, 1.0):
            for eta in (0.0, 0.5, 2.0):
                assert pass_through_rate(1.5, xi, eta, theta) <= 1.0 + 1e-12


def test_over_shifting_happens_exactly_when_ritz_condition_holds():
    eps_D, eta_S, theta_S = 2.0, 0.1, 0.5
    for xi in (0.8, 1.0, 1.2, 1.6):
        over = theta_S * (xi - 1.0) > eta_S * (eps_D - theta_S)
        assert (pass_through_rate(eps_D, xi, eta_S, theta_S) > 1.0) == over


def test_non_positive_denominator_is_rejected():
    # constant-elasticity monopoly with eps = 1: 1 + 1 * (1 - 2) = 0
    with pytest.raises(ValueError, match="pass-through is undefined"):
        pass_through_rate(1.0, curvature("constant_elasticity", 1.0), 0.0, 1.0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"eps_D": 0.0}, "eps_D"),
        ({"eps_D": -1.0}, "eps_D"),
        ({"eps_D": math.nan}, "eps_D"),
        ({"xi_D": math.inf}, "xi_D"),
        ({"eta_S": -0.1}, "eta_S"),
        ({"theta_S": 1.5}, "theta_S"),
        ({"theta_S": -0.1}, "theta_S"),
        ({"theta_S": "0.5"}, "theta_S"),
    ],
)
def test_invalid_pass_through_inputs_are_rejected(kwargs, message):
    inputs = {"eps_D": 2.0, "xi_D": 0.0, "eta_S": 0.0, "theta_S": 0.5} | kwargs
    with pytest.raises(ValueError, match=message):
        pass_through_rate(**inputs)


def test_conduct_from_hhi_is_hhi_over_ten_thousand_and_a_plain_float():
    assert conduct_from_hhi(2500) == 0.25
    assert type(conduct_from_hhi(2500)) is float
    assert conduct_from_hhi(10000) == 1.0
    for bad in (-1, 10001, math.nan):
        with pytest.raises(ValueError, match="hhi"):
            conduct_from_hhi(bad)


def test_symmetric_cournot_via_hhi_reproduces_n_over_n_plus_1():
    for n in (1, 2, 4, 10):
        a = Assumptions(curvature="linear", eta_S=0.0, conduct_mode="hhi", hhi=10000 / n)
        assert simulate(a, Scenario()).rho == pytest.approx(n / (n + 1))


def test_lerner_above_one_is_rejected():
    with pytest.raises(ValueError, match="negative marginal cost"):
        lerner(1.0, 0.5)


# --- Inputs -----------------------------------------------------------------------------------------


def test_splits_must_sum_to_one():
    with pytest.raises(ValueError, match="sum to 1"):
        Scenario(split_fees=0.5, split_ads=0.5, split_quality=0.5)
    with pytest.raises(ValueError, match="sum to 1"):
        Scenario(split_fees=0.2, split_ads=0.2, split_quality=0.2)
    Scenario(split_fees=0.2, split_ads=0.3, split_quality=0.5)


def test_normalise_splits_rescales_to_one():
    assert pt.normalise_splits(1, 1, 2) == pytest.approx((0.25, 0.25, 0.5))
    fees, ads, quality = pt.normalise_splits(1, 1, 1)
    Scenario(split_fees=fees, split_ads=ads, split_quality=quality)
    with pytest.raises(ValueError):
        pt.normalise_splits(0, 0, 0)


@pytest.mark.parametrize(
    "field_name, value",
    [
        ("cost_shock_pct", -100.0),
        ("compute_cost_per_user_month_usd", -0.01),
        ("users_millions", -1.0),
        ("decentralised_share", 1.1),
        ("decentralised_discount", 1.0),
        ("ad_revenue_per_user_month_usd", 0.0),
        ("baseline_price_usd_per_gpu_hour", 0.0),
        ("new_price_usd_per_gpu_hour", -2.0),
    ],
)
def test_scenario_rejects_out_of_domain_values(field_name, value):
    with pytest.raises(ValueError, match=field_name):
        Scenario(**{field_name: value})


@pytest.mark.parametrize(
    "field_name, value",
    [("eps_D", 0.0), ("eta_S", -1.0), ("hhi", 12000.0), ("theta_S_manual", 2.0), ("curvature", "cubic"),
     ("conduct_model", "stackelberg"), ("substitutability", -1.0)],
)
def test_assumptions_reject_out_of_domain_values(field_name, value):
    with pytest.raises(ValueError, match=field_name):
        Assumptions(**{field_name: value})


def test_assumptions_resolve_conduct_and_curvature():
    a = Assumptions(eps_D=4.0, curvature="constant_elasticity", conduct_mode="manual", theta_S_manual=0.4)
    assert a.xi_D == pytest.approx(1.25)
    assert a.theta_S == 0.4
    assert Assumptions(curvature="custom", xi_custom=0.8).xi_D == 0.8
    assert Assumptions(conduct_mode="hhi", hhi=3000).theta_S == pytest.approx(0.3)


def test_new_gpu_price_overrides_percentage_shock():
    s = Scenario(cost_shock_pct=5.0, baseline_price_usd_per_gpu_hour=1.70, new_price_usd_per_gpu_hour=2.35)
    assert s.gpu_price_shock_pct == pytest.approx((2.35 / 1.70 - 1) * 100)
    assert simulate(Assumptions(), s).gpu_price_shock_pct == pytest.approx(38.235, abs=1e-3)


def test_every_input_is_documented_and_its_default_lies_within_its_slider_bounds():
    from dashboard.model.scenarios import INPUTS, STATIC_DEFAULTS
    from dashboard.text.scenarios import FIELDS

    for spec in INPUTS:
        control = FIELDS[spec.name]
        assert control.label and control.unit and control.help
        if spec.kind == "choice":
            assert control.low is None and control.high is None and control.step is None
            continue
        assert control.low < control.high and control.step > 0
        if spec.name in STATIC_DEFAULTS:
            assert control.low <= STATIC_DEFAULTS[spec.name] <= control.high, spec.name
    assert set(FIELDS) == {spec.name for spec in INPUTS}  # no help text for an input the page does not have


def test_results_carry_the_model_version():
    assert simulate(Assumptions(), Scenario()).model_version == pt.MODEL_VERSION


# --- simulate ---------------------------------------------------------------------------------------


def test_channels_add_up_to_the_passed_through_amount():
    r = simulate(Assumptions(), Scenario(split_fees=0.2, split_ads=0.3, split_quality=0.5))
    channels = r.fee_change_usd_per_month + r.ads_usd_per_user_month + r.quality_usd_per_user_month
    assert channels == pytest.approx(r.passed_through_usd_per_user_month)
    assert r.passed_through_usd_per_user_month + r.absorbed_usd_per_user_month == pytest.approx(
        r.cost_change_usd_per_user_month
    )
    assert r.passed_through_usd_per_user_month == pytest.approx(r.rho * r.cost_change_usd_per_user_month)


def test_default_scenario_numbers():
    r = simulate(pt.default_assumptions(), pt.default_scenario())
    # theta_S = 0.25, xi = 0.5, eta = 0: rho = 1 / (1 + 0.25 * 0.5)
    assert r.rho == pytest.approx(1 / 1.125)
    assert r.lerner == pytest.approx(0.125)
    assert r.cost_change_usd_per_user_month == pytest.approx(0.12 * 0.40)
    assert r.effective_cost_shock_pct == pytest.approx(40.0)
    assert r.fee_change_usd_per_month == pytest.approx(0.5 * r.passed_through_usd_per_user_month)


def test_zero_shock_gives_zero_changes():
    r = simulate(Assumptions(), Scenario(cost_shock_pct=0.0, decentralised_share=0.3))
    for name in (
        "effective_cost_shock_pct",
        "cost_change_usd_per_user_month",
        "passed_through_usd_per_user_month",
        "absorbed_usd_per_user_month",
        "fee_change_usd_per_month",
        "ads_usd_per_user_month",
        "ad_load_change_pct",
        "quality_usd_per_user_month",
        "compute_cut_pct",
        "response_time_change_pct",
        "consumer_cost_usd_bn_per_year",
        "absorbed_usd_bn_per_year",
    ):
        assert getattr(r, name) == 0.0, name


def test_decentralised_share_with_discount_dampens_a_centralised_only_shock():
    base = simulate(Assumptions(), Scenario(cost_shock_pct=40.0))
    blended = simulate(
        Assumptions(), Scenario(cost_shock_pct=40.0, decentralised_share=0.3, decentralised_discount=0.4)
    )
    assert blended.effective_cost_shock_pct < base.effective_cost_shock_pct
    assert blended.effective_cost_shock_pct == pytest.approx(0.7 * 40.0 / (1 - 0.3 * 0.4))
    assert blended.cost_change_usd_per_user_month < base.cost_change_usd_per_user_month
    assert blended.blended_compute_cost_usd_per_user_month == pytest.approx(0.12 * (1 - 0.12))
    assert blended.consumer_cost_usd_bn_per_year < base.consumer_cost_usd_bn_per_year


def test_all_decentralised_compute_is_untouched_by_a_centralised_shock():
    r = simulate(Assumptions(), Scenario(decentralised_share=1.0))
    assert r.effective_cost_shock_pct == 0.0
    assert r.cost_change_usd_per_user_month == 0.0


def test_aggregate_consumer_cost_is_per_user_month_times_twelve_times_users():
    r = simulate(Assumptions(), Scenario(users_millions=200.0))
    assert r.consumer_cost_usd_bn_per_year == pytest.approx(
        r.passed_through_usd_per_user_month * 12 * 200e6 / 1e9
    )


def test_ad_load_change_is_ad_channel_over_ad_revenue():
    r = simulate(Assumptions(), Scenario(ad_revenue_per_user_month_usd=0.5))
    assert r.ad_load_change_pct == pytest.approx(r.ads_usd_per_user_month / 0.5 * 100)


def test_quality_channel_cuts_compute_per_query_and_slows_responses():
    s = Scenario(split_fees=0.0, split_ads=0.0, split_quality=1.0, latency_elasticity=-1.0)
    r = simulate(Assumptions(), s)
    post_shock_compute_cost = r.blended_compute_cost_usd_per_user_month + r.cost_change_usd_per_user_month
    q = r.quality_usd_per_user_month / post_shock_compute_cost
    assert r.compute_cut_pct == pytest.approx(q * 100)
    assert r.response_time_change_pct == pytest.approx((1 / (1 - q) - 1) * 100)
    assert r.response_time_change_pct > r.compute_cut_pct > 0
    inelastic = simulate(Assumptions(), dataclasses.replace(s, latency_elasticity=0.0))
    assert inelastic.response_time_change_pct == 0.0


def test_price_fall_runs_every_channel_in_reverse():
    r = simulate(Assumptions(), Scenario(cost_shock_pct=-30.0))
    assert r.cost_change_usd_per_user_month < 0
    assert r.fee_change_usd_per_month < 0
    assert r.ad_load_change_pct < 0
    assert r.compute_cut_pct < 0  # more compute per query
    assert r.response_time_change_pct < 0  # faster


def test_over_shifting_makes_firms_absorb_a_negative_amount():
    a = Assumptions(eps_D=2.0, curvature="constant_elasticity", conduct_mode="manual", theta_S_manual=1.0)
    r = simulate(a, Scenario())
    assert r.rho == pytest.approx(2.0)
    assert r.absorbed_usd_per_user_month < 0
    assert r.passed_through_usd_per_user_month == pytest.approx(2 * r.cost_change_usd_per_user_month)


def test_simulate_rejects_inconsistent_market_power_and_elasticity():
    with pytest.raises(ValueError, match="Lerner"):
        simulate(Assumptions(eps_D=0.5, conduct_mode="manual", theta_S_manual=1.0), Scenario())


def test_simulate_rejects_a_quality_cut_of_all_compute():
    a = Assumptions(eps_D=1.05, curvature="constant_elasticity", conduct_mode="manual", theta_S_manual=1.0)
    s = Scenario(cost_shock_pct=300.0, split_fees=0.0, split_ads=0.0, split_quality=1.0)
    with pytest.raises(ValueError, match="compute per query"):
        simulate(a, s)


# --- Exports: to_dict, waterfall, elasticity band ---------------------------------------------------


def test_result_to_dict_round_trips_keys_and_values():
    r = simulate(Assumptions(), Scenario(decentralised_share=0.2))
    d = r.to_dict()
    assert list(d) == [f.name for f in dataclasses.fields(pt.Result)]
    assert pt.Result(**d) == r
    assert pt.Result.from_dict(json.loads(json.dumps(d))) == r


def test_inputs_to_dict_round_trip_through_json():
    a = Assumptions(eps_D=3.0, curvature="custom", xi_custom=0.7, conduct_mode="manual", theta_S_manual=0.2)
    s = Scenario(new_price_usd_per_gpu_hour=2.35, decentralised_share=0.1)
    assert Assumptions.from_dict(json.loads(json.dumps(a.to_dict()))) == a
    assert Scenario.from_dict(json.loads(json.dumps(s.to_dict()))) == s


def test_from_dict_rejects_unknown_keys_and_fills_missing_with_defaults():
    assert Scenario.from_dict({"users_millions": 100}) == Scenario(users_millions=100.0)
    with pytest.raises(ValueError, match="unknown Scenario field"):
        Scenario.from_dict({"users": 100})


def test_waterfall_orders_steps_and_parts_sum_to_the_cost_change():
    r = simulate(Assumptions(), Scenario())
    steps = waterfall(r)
    assert [label for label, _ in steps] == list(pt.WATERFALL_LABELS)
    assert steps[0] == ("GPU cost change", r.cost_change_usd_per_user_month)
    assert sum(value for _, value in steps[1:]) == pytest.approx(steps[0][1])


def test_elasticity_band_is_monotone_and_brackets_the_point_estimate_with_rising_marginal_cost():
    a = Assumptions(eps_D=2.0, eta_S=0.5)
    band = elasticity_band(a, Scenario(), eps_range=(1.0, 4.0), n=7)
    assert band.eps == pytest.approx((1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0))
    rho = band.values("rho")
    assert all(x > y for x, y in zip(rho, rho[1:], strict=False))
    low, high = band.bounds("rho")
    assert low < band.point.rho < high
    consumer = band.values("consumer_cost_usd_bn_per_year")
    assert min(consumer) <= band.point.consumer_cost_usd_bn_per_year <= max(consumer)
    assert band.skipped == ()
    assert len(band.to_rows()) == 7


def test_elasticity_band_default_range_is_a_factor_of_two_around_the_point():
    band = elasticity_band(Assumptions(eps_D=3.0), Scenario(), n=5)
    assert band.eps[0] == pytest.approx(1.5)
    assert band.eps[-1] == pytest.approx(6.0)
    lerners = band.values("lerner")
    assert lerners[0] > band.point.lerner > lerners[-1]


def test_elasticity_band_with_flat_marginal_cost_moves_only_the_markup():
    band = elasticity_band(Assumptions(eta_S=0.0, curvature="linear"), Scenario(), n=5)
    assert len(set(band.values("rho"))) == 1
    assert len(set(band.values("lerner"))) == 5


def test_elasticity_band_reports_infeasible_points_instead_of_dropping_them_silently():
    a = Assumptions(eps_D=2.0, curvature="constant_elasticity", conduct_mode="manual", theta_S_manual=1.0)
    band = elasticity_band(a, Scenario(), eps_range=(0.5, 4.0), n=8)
    assert band.skipped
    assert all(eps <= 1.0 for eps, _ in band.skipped)
    assert len(band.results) + len(band.skipped) == 8


def test_elasticity_band_rejects_bad_ranges():
    with pytest.raises(ValueError):
        elasticity_band(Assumptions(), Scenario(), eps_range=(3.0, 1.0))
    with pytest.raises(ValueError):
        elasticity_band(Assumptions(), Scenario(), n=1)


# --- Ritz (2024) Lemma 4, differentiated Bertrand: docs/METHODOLOGY.md §2.4 worked example ---------------------


def test_shubik_levitan_diversion_ratio_of_five_firms_with_gamma_5_is_0_8():
    assert pt.diversion_ratio(5.0, 5) == pytest.approx(0.8)


def test_bertrand_with_gamma_5_has_the_market_power_of_a_cournot_quintopoly():
    # Ritz §6: n = 5, eps_D = 2. Cournot: L = theta_S = 1/5, raw Lerner 0.1. Bertrand with gamma = 5:
    # R = 0.8, so L = 1 - R = 0.2 and the firm-level elasticity eps_d = eps_D / L = 10.
    L = pt.bertrand_market_power(5.0, 2000.0)  # five equal firms: HHI 2,000, n = 10,000 / 2,000
    assert L == pytest.approx(1 - 0.8)
    assert 2.0 / L == pytest.approx(10.0)  # eps_d
    assert lerner(L, 2.0) == pytest.approx(0.1)
    assert L == pytest.approx(conduct_from_hhi(2000.0))


@pytest.mark.parametrize("E_D, eta", [(0.0, 0.0), (0.5, 0.0), (1.5, 0.0), (0.5, 1.0), (0.0, 0.3)])
def test_the_two_forms_of_lemma_4_agree(E_D, eta):
    eps_D, eps_d = 2.0, 10.0
    by_l = pt.bertrand_pass_through_rate(eps_D, E_D, eta, eps_D / eps_d)
    by_elasticities = pt.bertrand_pass_through_rate_elasticities(eps_d, eps_D, E_D * eps_D, eta)
    assert by_l == pytest.approx(by_elasticities)


def test_lemma_4_with_flat_cost_and_linear_demand_in_the_quintopoly_example():
    # rho = 1 / (1 + (1 - E_D) L) = 1 / (1 + 0.2) with E_D = 0 (linear), eta = 0
    assert pt.bertrand_pass_through_rate(2.0, 0.0, 0.0, 0.2) == pytest.approx(1 / 1.2)


def test_bertrand_and_cournot_differ_only_in_how_the_hhi_becomes_market_power():
    cournot = Assumptions(hhi=4000.0, curvature="quadratic")
    bertrand = dataclasses.replace(cournot, conduct_model="bertrand", substitutability=5.0)
    assert bertrand.theta_S == pytest.approx(pt.bertrand_market_power(5.0, 4000.0))
    assert bertrand.theta_S < cournot.theta_S  # close substitutes compete harder than Cournot firms
    assert bertrand.rho == pytest.approx(pt.bertrand_pass_through_rate(2.0, 0.5, 0.0, bertrand.theta_S))
    manual = [dataclasses.replace(a, conduct_mode="manual", theta_S_manual=0.3).rho for a in (cournot, bertrand)]
    assert manual[0] == pytest.approx(manual[1])  # with the index set directly the lemmas coincide


def test_independent_products_make_each_firm_a_monopolist_and_perfect_substitutes_compete_it_away():
    assert pt.bertrand_market_power(0.0, 2000.0) == pytest.approx(1.0)
    assert pt.bertrand_market_power(1e9, 2000.0) == pytest.approx(0.0, abs=1e-6)


def test_constant_elasticity_over_shifts_without_a_cap_under_either_model():
    for model in pt.CONDUCT_MODELS:
        a = Assumptions(curvature="constant_elasticity", eps_D=2.0, hhi=3845.0, conduct_model=model)
        r = simulate(a, Scenario())
        assert r.rho > 1.0, model
        assert r.absorbed_usd_per_user_month < 0  # margins widen
    # Cournot closed form: rho = eps / (eps - theta) (docs/METHODOLOGY.md §2.2)
    cournot = simulate(Assumptions(curvature="constant_elasticity", eps_D=2.0, hhi=3845.0), Scenario())
    assert cournot.rho == pytest.approx(2.0 / (2.0 - 0.3845))

