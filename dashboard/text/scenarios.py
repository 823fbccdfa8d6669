"""What each pass-through scenario control means: label, unit, help text and slider range, looked up by name.

The texts (each states the default and why it was chosen) are page copy, so they live here and not in
the model (dashboard/model/passthrough.py); the range and step are the slider's, and also the range a
pinned URL value must fall in (dashboard/model/scenarios.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldHelp:
    """One model field's control: `low`, `high` and `step` are None for a choice (preset, mode)."""

    label: str
    unit: str
    help: str
    low: float | None = None
    high: float | None = None
    step: float | None = None


# Model field (an Assumptions or Scenario attribute) -> its control.
FIELDS: dict[str, FieldHelp] = {
    # --- Assumptions (market) ---
    "eps_D": FieldHelp(
        "Demand elasticity ε_D", "dimensionless, > 0",
        (
            "Price elasticity of market demand for the AI service, eps_D = -p / (X p'(X)). Default 2.0, the "
            "value in Ritz (2024) §6 worked example; no estimate specific to AI services was found "
            "(docs/METHODOLOGY.md §5). With constant marginal cost it only moves the Lerner markup, not the "
            "pass-through rate (unless the curvature is constant-elasticity)."
        ),
        low=0.1, high=10.0, step=0.1,
    ),
    "curvature": FieldHelp(
        "Demand curvature preset", "preset",
        (
            "Shape of the demand curve: linear ξ=0, quadratic ξ=1/2, exponential ξ=1, constant elasticity "
            "ξ=1+1/ε, or custom. Default quadratic (ξ=0.5): the middle of the 'convex but log-concave, ξ in "
            "[0, 1]' range Ritz (2024) calls a plausible baseline."
        ),
    ),
    "xi_custom": FieldHelp(
        "Custom demand curvature ξ_D", "dimensionless",
        (
            "Curvature of inverse demand, xi_D = -X p''(X) / p'(X), used only when the preset is 'custom'. "
            "ξ<=1 (log-concave) gives pass-through <= 1; ξ>1 allows over-shifting. Default 0.5."
        ),
        low=-2.0, high=3.0, step=0.05,
    ),
    "eta_S": FieldHelp(
        "Elasticity of marginal cost η_S (capacity)", "dimensionless, >= 0",
        (
            "eta_S = x C''(x) / C'(x): 0 means constant marginal cost (compute rented at a posted price), 1 "
            "means quadratic costs; high values mean a GPU shortage, which lowers pass-through. Equals "
            "1/supply elasticity. Default 0 (constant marginal cost, the case of every worked example in Ritz"
            " 2024 §3-4)."
        ),
        low=0.0, high=5.0, step=0.1,
    ),
    "conduct_mode": FieldHelp(
        "Conduct source", "mode",
        (
            "'hhi': market-power index θ_S = HHI/10,000 (exact for symmetric Cournot, a heuristic otherwise);"
            " 'manual': set θ_S directly. Default 'hhi'."
        ),
    ),
    "hhi": FieldHelp(
        "HHI of the AI-service market", "points, 0-10,000",
        (
            "Herfindahl-Hirschman index on the 0-10,000 scale. Default 2,500: four equal firms, the top of "
            "the 2010 US 'moderately concentrated' band; no published HHI for AI services exists "
            "(docs/METHODOLOGY.md §5), so this is an assumption."
        ),
        low=0.0, high=10000.0, step=50.0,
    ),
    "theta_S_manual": FieldHelp(
        "Market-power index θ_S", "dimensionless, 0-1",
        (
            "theta_S = theta / n (conduct over number of firms): 0 price-taking, 1/n Cournot with n firms, 1 "
            "monopoly. Used only in 'manual' mode. Default 0.25 (same as HHI 2,500)."
        ),
        low=0.0, high=1.0, step=0.01,
    ),
    # --- Scenario (shock, service, policy levers) ---
    "cost_shock_pct": FieldHelp(
        "GPU price change", "% change in USD per GPU-hour",
        (
            "Change in the price of centralised GPU compute. Default +40%: the SemiAnalysis H100 "
            "1-year-contract index rose from $1.70 (Oct 2025) to $2.35 (Mar 2026), +40% in "
            "docs/METHODOLOGY.md §5. Ignored when a new price is given."
        ),
        low=-90.0, high=300.0, step=1.0,
    ),
    "baseline_price_usd_per_gpu_hour": FieldHelp(
        "Baseline GPU price", "USD per GPU-hour",
        (
            "Price against which a new price is compared. Default $1.70, the SemiAnalysis H100 "
            "1-year-contract index low of Oct 2025 (docs/METHODOLOGY.md §5)."
        ),
        low=0.1, high=15.0, step=0.05,
    ),
    "new_price_usd_per_gpu_hour": FieldHelp(
        "New GPU price (optional)", "USD per GPU-hour",
        (
            "If set, the shock is new/baseline - 1 and replaces the % slider. Default unset; $2.35 (Mar 2026 "
            "index) reproduces the +40% default."
        ),
        low=0.1, high=15.0, step=0.05,
    ),
    "compute_share_of_cost": FieldHelp(
        "Compute share of the service's cost", "fraction, 0-1",
        (
            "Share of compute in the AI service's unit cost. Converts the compute shock into a change in "
            "total unit cost (Shephard's lemma, first order). Default 0.5: an assumption, no sourced figure."
        ),
        low=0.01, high=1.0, step=0.01,
    ),
    "compute_cost_per_user_month_usd": FieldHelp(
        "Compute cost per user", "USD per user per month, at centralised prices",
        (
            "Default $0.12 (0.118 rounded): the widely repeated 'USD 700,000 per day' ChatGPT running-cost "
            "estimate (tertiary, via the seed article's rewrite) times 365/12, divided by 180.5M monthly "
            "users."
        ),
        low=0.0, high=20.0, step=0.01,
    ),
    "users_millions": FieldHelp(
        "Users", "million monthly users",
        (
            "Users over whom the per-user amounts are aggregated. Default 180.5M, ChatGPT's monthly users in "
            "Jan 2024 (seed article, docs/METHODOLOGY.md §5)."
        ),
        low=0.0, high=3000.0, step=0.5,
    ),
    "decentralised_share": FieldHelp(
        "Decentralised compute share", "fraction, 0-1",
        (
            "Share of compute (GPU-hours) bought from decentralised (DePIN) supply, whose price is assumed "
            "not to move with the shock. Default 0 (status quo: all centralised)."
        ),
        low=0.0, high=1.0, step=0.01,
    ),
    "decentralised_discount": FieldHelp(
        "Decentralised price discount", "fraction, 0-1",
        (
            "How much cheaper decentralised GPU-hours are than centralised ones. Default 0.4: Akash H100 "
            "$1.20-2.50 (mid $1.85) against neocloud H100 $2.50-3.50 (mid $3.00), about 38% "
            "(docs/METHODOLOGY.md §5), rounded."
        ),
        low=0.0, high=0.95, step=0.01,
    ),
    "split_fees": FieldHelp(
        "Share passed on as fees (ASSUMPTION)", "fraction, 0-1",
        (
            "Part of the passed-through cost that shows up as higher subscription fees. Default 0.5: fees are"
            " the one observed channel (Microsoft 365 +$3/month with Copilot, docs/METHODOLOGY.md §2.6). The "
            "three splits are an accounting assumption with no sourced values and must sum to 1."
        ),
        low=0.0, high=1.0, step=0.05,
    ),
    "split_ads": FieldHelp(
        "Share passed on as ads (ASSUMPTION)", "fraction, 0-1",
        (
            "Part of the passed-through cost recovered through more ads. Default 0.25 (half of the non-fee "
            "part; an assumption). The three splits must sum to 1."
        ),
        low=0.0, high=1.0, step=0.05,
    ),
    "split_quality": FieldHelp(
        "Share passed on as lower quality (ASSUMPTION)", "fraction, 0-1",
        (
            "Part of the passed-through cost recovered by cutting compute per query (fewer reasoning tokens, "
            "a smaller model, rate limits). Default 0.25 (an assumption). The three splits must sum to 1."
        ),
        low=0.0, high=1.0, step=0.05,
    ),
    "ad_revenue_per_user_month_usd": FieldHelp(
        "Ad revenue per user", "USD per user per month",
        (
            "Baseline ad revenue per user, used to turn the ad channel into a % rise in ad load at a constant"
            " revenue per ad. Default $1.00: illustrative only, no sourced figure for AI-assistant ads."
        ),
        low=0.01, high=50.0, step=0.01,
    ),
    "latency_elasticity": FieldHelp(
        "Elasticity of response time to compute", "dimensionless",
        (
            "Response time ∝ (compute per query)^elasticity. Default -1: response time inversely proportional"
            " to compute per query (tokens per second proportional to compute), an assumption in line with "
            "the seed article ('more computing power generally correlates with faster responses'); 0 means a "
            "compute cut does not slow responses."
        ),
        low=-2.0, high=0.0, step=0.1,
    ),
}
