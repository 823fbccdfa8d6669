"""Pure model of how a GPU cost shock passes through to AI-service users (Ritz 2024, Lemmas 1 and 4)."""

import dataclasses
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field

MODEL_VERSION = "2"
"""Version of the model's outputs. Bump it whenever a formula or a default changes the numbers;
permalinks pin it so an old link can say that it was computed by an older model.

Version 2: differentiated Bertrand conduct (Ritz 2024 Lemma 4) beside Cournot; the compute share of
cost, which moved no money output, is gone; the scenario defaults come from the newest sourced figures
(dashboard/model/scenarios.py). Version 1 links are reproduced with version 1's defaults
(`dashboard.model.scenarios.V1_DEFAULTS`)."""

CURVATURE_PRESETS = ("linear", "quadratic", "exponential", "constant_elasticity")
"""Named demand-curvature presets (Genesove & Mullin specifications as cited by Ritz 2024)."""

CURVATURE_CHOICES = CURVATURE_PRESETS + ("custom",)
"""Values accepted by `Assumptions.curvature`; "custom" uses `Assumptions.xi_custom`."""

CONDUCT_MODES = ("hhi", "manual")
"""Values accepted by `Assumptions.conduct_mode`."""

CONDUCT_MODELS = ("cournot", "bertrand")
"""Values accepted by `Assumptions.conduct_model`: homogeneous Cournot (Lemma 1) or differentiated
Bertrand with Shubik-Levitan demand (Lemma 4)."""

_SPLIT_TOLERANCE = 1e-6


# --------------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------------


def _real(name: str, value: object) -> float:
    """Return `value` as a finite float, or raise ValueError naming the parameter."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return result


def _non_negative(name: str, value: object) -> float:
    """`value` as a finite float that is at least 0, or ValueError naming the parameter."""
    number = _real(name, value)
    if number < 0:
        raise ValueError(f"{name} must be >= 0, got {number:g}")
    return number


def _in_range(name: str, value: object, low: float, high: float) -> float:
    """Return `value` as a float in [low, high], or raise ValueError."""
    result = _real(name, value)
    if not low <= result <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {result:g}")
    return result


def _positive(name: str, value: object) -> float:
    """Return `value` as a float > 0, or raise ValueError."""
    result = _real(name, value)
    if result <= 0:
        raise ValueError(f"{name} must be > 0, got {result:g}")
    return result


# --------------------------------------------------------------------------------------------------
# Formulas
# --------------------------------------------------------------------------------------------------


def pass_through_rate(eps_D: float, xi_D: float, eta_S: float, theta_S: float) -> float:
    """Cost pass-through rate rho = dp/dtau of a market-wide per-unit cost shifter tau.

    Ritz (2024), "Does competition increase pass-through?", RAND Journal of Economics 55(1):
    140-165, Lemma 1, for n symmetric firms selling a homogeneous good under conduct theta::

        rho = 1 / (1 + (eps_D - theta_S) * eta_S + theta_S * (1 - xi_D))

    Ritz shows this is the characterisation of Weyl & Fabinger (2013), "Pass-Through as an
    Economic Tool", Journal of Political Economy 121(3): 528-583 (volume and pages unverified),
    written with eta_S = 1/eps_S and 1 - xi_D = 1/eps_ms::

        rho = 1 / (1 + (eps_D - theta_S) / eps_S + theta_S / eps_ms)

    Args:
        eps_D: price elasticity of market demand, eps_D = -p / (X p'(X)). Dimensionless, > 0
            (a positive number, not the negative slope elasticity and not its inverse).
        xi_D: curvature of inverse demand, xi_D = -X p''(X) / p'(X). Dimensionless, any real:
            0 linear, 1/2 quadratic, 1 exponential, 1 + 1/eps_D constant elasticity (see
            `curvature`). xi_D <= 1 (log-concave demand) implies rho <= 1.
        eta_S: elasticity of marginal cost, eta_S = x C''(x) / C'(x), the inverse of the supply
            elasticity. Dimensionless, >= 0: 0 constant marginal cost, 1 quadratic costs; high
            values stand for a capacity (GPU) shortage.
        theta_S: market-power index theta_S = theta / n in [0, 1]: 0 price-taking (perfect
            competition), 1/n Cournot with n firms, 1 monopoly. Under symmetric Cournot it equals
            the HHI on the 0-1 scale (`conduct_from_hhi`).

    Returns:
        rho, dimensionless: the change in price per unit change in marginal cost. rho < 1 means
        firms absorb part of a cost rise; rho > 1 (over-shifting) needs market power and
        log-convex demand, theta_S * (xi_D - 1) > eta_S * (eps_D - theta_S).

    Raises:
        ValueError: for non-numeric, non-finite or out-of-range inputs, or when the denominator is
            not positive (no stable equilibrium with these parameters).

    Examples (docs/METHODOLOGY.md §2.2, §2.5): Cournot, linear demand, constant marginal cost, n firms gives
    ``pass_through_rate(eps, 0, 0, 1/n) == n / (n + 1)``; a constant-elasticity monopoly with
    eps = 2 gives ``pass_through_rate(2, 1.5, 0, 1) == 2``.
    """
    eps_D = _positive("eps_D (demand elasticity)", eps_D)
    xi_D = _real("xi_D (demand curvature)", xi_D)
    eta_S = _non_negative("eta_S (elasticity of marginal cost)", eta_S)
    theta_S = _in_range("theta_S (market-power index)", theta_S, 0.0, 1.0)
    denominator = 1.0 + (eps_D - theta_S) * eta_S + theta_S * (1.0 - xi_D)
    if denominator <= 0:
        raise ValueError(
            "pass-through is undefined: 1 + (eps_D - theta_S) * eta_S + theta_S * (1 - xi_D) = "
            f"{denominator:g} <= 0 for eps_D={eps_D:g}, xi_D={xi_D:g}, eta_S={eta_S:g}, "
            f"theta_S={theta_S:g} (demand too convex for this market power: lower the curvature "
            "or theta_S, or raise eps_D or eta_S)"
        )
    return 1.0 / denominator


def curvature(preset: str, eps: float | None = None) -> float:
    """Demand curvature xi_D = -X p''(X) / p'(X) for a named demand preset.

    Presets from Genesove & Mullin's specifications as cited by Ritz (2024) §3-4 (docs/METHODOLOGY.md
    §2.2): ``linear`` 0, ``quadratic`` 1/2, ``exponential`` 1 and ``constant_elasticity``
    1 + 1/eps, which is the only preset that depends on the demand elasticity.

    Args:
        preset: one of `CURVATURE_PRESETS`.
        eps: price elasticity of demand (> 0); required for ``constant_elasticity`` only.

    Returns:
        xi_D, dimensionless.

    Raises:
        ValueError: for an unknown preset, or a missing or non-positive eps where it is needed.
    """
    if preset == "linear":
        return 0.0
    if preset == "quadratic":
        return 0.5
    if preset == "exponential":
        return 1.0
    if preset == "constant_elasticity":
        if eps is None:
            raise ValueError("the constant_elasticity curvature preset needs eps (the demand elasticity)")
        return 1.0 + 1.0 / _positive("eps (demand elasticity)", eps)
    raise ValueError(f"unknown curvature preset {preset!r}; choose one of {', '.join(CURVATURE_PRESETS)}")


def xi_from_superelasticity(eps: float, psi: float) -> float:
    """Demand curvature from the demand elasticity and superelasticity: xi = 1 + (1 - psi) / eps.

    The superelasticity psi is the elasticity of the demand elasticity with respect to price
    (Kimball demand). docs/METHODOLOGY.md §2.2, after Ritz (2024): Gopinath-Itskhoki's eps = 5, psi = 6
    gives xi = 0 (linear-like); Beck & Lein's estimates (eps 3-5, psi 1-2) give xi in [2/3, 1];
    psi = 1 gives xi = 1 for any eps.

    Args:
        eps: price elasticity of demand, dimensionless, > 0.
        psi: superelasticity of demand, dimensionless.

    Returns:
        xi_D, dimensionless.

    Raises:
        ValueError: if eps is not positive or either input is not a finite number.
    """
    eps = _positive("eps (demand elasticity)", eps)
    psi = _real("psi (superelasticity)", psi)
    return 1.0 + (1.0 - psi) / eps


def conduct_from_hhi(hhi: float) -> float:
    """Market-power index theta_S from an HHI on the 0-10,000 scale: theta_S = HHI / 10,000.

    Cowling & Waterson (1976): in Cournot with constant costs the share-weighted Lerner index is
    sum_i s_i L_i = H / eps_D, with H = sum_i s_i^2 on the 0-1 scale. With n symmetric firms
    H = 1/n = theta_S exactly (Ritz 2024 §2; docs/METHODOLOGY.md §2.3). For asymmetric firms, or conduct
    other than Cournot, using H as theta_S is a HEURISTIC, not a result: it ties a concentration
    slider to the pass-through formula, nothing more.

    Args:
        hhi: Herfindahl-Hirschman index, points on the 0-10,000 scale (shares in percent).

    Returns:
        theta_S as a plain float in [0, 1].

    Raises:
        ValueError: if hhi is outside [0, 10,000] or not a finite number.
    """
    return _in_range("hhi", hhi, 0.0, 10000.0) / 10000.0


def lerner(theta_S: float, eps_D: float) -> float:
    """Lerner markup (p - MC) / p = theta_S / eps_D in the conduct model (Ritz 2024 §2).

    With theta_S = H this is the Cowling-Waterson industry Lerner index H / eps_D; e.g. a Cournot
    quintopoly (theta_S = 1/5) with eps_D = 2 has a markup of 0.1 (Ritz 2024 §6).

    Args:
        theta_S: market-power index in [0, 1] (see `pass_through_rate`).
        eps_D: price elasticity of market demand, > 0.

    Returns:
        The Lerner index, a fraction of price in [0, 1].

    Raises:
        ValueError: for invalid inputs, or when theta_S / eps_D > 1, which would mean a negative
            marginal cost: a firm with this market power never prices where demand is so inelastic.
    """
    theta_S = _in_range("theta_S (market-power index)", theta_S, 0.0, 1.0)
    eps_D = _positive("eps_D (demand elasticity)", eps_D)
    markup = theta_S / eps_D
    if markup > 1.0:
        raise ValueError(
            f"Lerner index theta_S / eps_D = {theta_S:g} / {eps_D:g} = {markup:g} > 1 implies a negative "
            "marginal cost; raise eps_D or lower theta_S"
        )
    return markup


def diversion_ratio(gamma: float, n: float) -> float:
    """Aggregate diversion ratio of Shubik-Levitan demand, R(gamma, n) = gamma (n - 1) / (n + gamma (n - 1)).

    Ritz (2024) §6, docs/METHODOLOGY.md §2.4: the share of the sales a firm loses when it raises its
    price that go to its rivals. gamma is the substitutability of the products (0 independent,
    infinite perfect substitutes) and n the number of symmetric firms (>= 1, not necessarily whole:
    the dashboard passes the HHI's equivalent number of firms). R(5, 5) = 0.8.

    Raises:
        ValueError: if gamma < 0 or n < 1, or either is not a finite number.
    """
    gamma = _real("gamma (substitutability)", gamma)
    if gamma < 0:
        raise ValueError(f"gamma (substitutability) must be >= 0, got {gamma:g}")
    n = _real("n (number of firms)", n)
    if n < 1:
        raise ValueError(f"n (number of firms) must be >= 1, got {n:g}")
    return gamma * (n - 1.0) / (n + gamma * (n - 1.0))


def bertrand_market_power(gamma: float, hhi: float) -> float:
    """Market-power index L = 1 - R(gamma, n) of differentiated Bertrand, with n = 10,000 / HHI.

    L = eps_D / eps_d is the elasticity-adjusted Lerner index (Ritz 2024 Lemma 4, docs/METHODOLOGY.md
    §2.4); it plays the part theta_S plays under Cournot. The number of symmetric firms is the HHI's
    equivalent number of firms, a HEURISTIC for asymmetric markets, as theta_S = HHI / 10,000 is for
    Cournot. An HHI of 0 (atomistic supply) gives L = 0 for any gamma > 0.
    """
    hhi = _in_range("hhi", hhi, 0.0, 10000.0)
    if hhi == 0:
        return 0.0 if gamma > 0 else 1.0
    return 1.0 - diversion_ratio(gamma, 10000.0 / hhi)


def bertrand_pass_through_rate(eps_D: float, E_D: float, eta_S: float, L: float) -> float:
    """Pass-through under symmetric differentiated Bertrand, Ritz (2024) Lemma 4 (docs/METHODOLOGY.md §2.4)::

        rho = 1 / (1 + (1 - E_D) * L + eta_S * (eps_D - L)),   L = eps_D / eps_d,  E_D = eps_m / eps_D

    Args:
        eps_D: market demand elasticity, > 0.
        E_D: demand-curvature term eps_m / eps_D; the page passes the curvature preset's xi_D
            (constant elasticity gives 1 + 1/eps_D, as in Lemma 1).
        eta_S: elasticity of marginal cost, >= 0.
        L: market-power index eps_D / eps_d = 1 - R, in [0, 1] (`bertrand_market_power`).

    Raises:
        ValueError: for invalid inputs or a non-positive denominator (no stable equilibrium).
    """
    eps_D = _positive("eps_D (demand elasticity)", eps_D)
    E_D = _real("E_D (demand curvature)", E_D)
    eta_S = _non_negative("eta_S (elasticity of marginal cost)", eta_S)
    L = _in_range("L (market-power index)", L, 0.0, 1.0)
    denominator = 1.0 + (1.0 - E_D) * L + eta_S * (eps_D - L)
    if denominator <= 0:
        raise ValueError(
            f"pass-through is undefined: 1 + (1 - E_D) * L + eta_S * (eps_D - L) = {denominator:g} <= 0 for "
            f"eps_D={eps_D:g}, E_D={E_D:g}, eta_S={eta_S:g}, L={L:g} (demand too convex for this market power)"
        )
    return 1.0 / denominator


def bertrand_pass_through_rate_elasticities(eps_d: float, eps_D: float, eps_m: float, eta_S: float) -> float:
    """Lemma 4 in elasticities: rho = eps_d / ((eps_d + eps_D - eps_m) + eta_S (eps_d - 1) eps_D).

    Ritz (2024) Lemma 4 as first stated (docs/METHODOLOGY.md §2.4); equal to
    `bertrand_pass_through_rate(eps_D, eps_m / eps_D, eta_S, eps_D / eps_d)`. eps_d is the firm-level
    demand elasticity (> eps_D > 0 under differentiation) and eps_m the curvature term.
    """
    eps_d = _positive("eps_d (firm demand elasticity)", eps_d)
    eps_D = _positive("eps_D (demand elasticity)", eps_D)
    eps_m = _real("eps_m (curvature term)", eps_m)
    eta_S = _real("eta_S (elasticity of marginal cost)", eta_S)
    denominator = (eps_d + eps_D - eps_m) + eta_S * (eps_d - 1.0) * eps_D
    if denominator <= 0:
        raise ValueError(f"pass-through is undefined: denominator {denominator:g} <= 0")
    return eps_d / denominator


def normalise_splits(fees: float, ads: float, quality: float) -> tuple[float, float, float]:
    """Rescale three non-negative channel weights so they sum to 1 (for sliders that do not).

    Returns (fees, ads, quality) / (fees + ads + quality). Raises ValueError if a weight is
    negative or all three are zero.
    """
    weights = [_real(name, value) for name, value in (("fees", fees), ("ads", ads), ("quality", quality))]
    if min(weights) < 0:
        raise ValueError(f"channel weights must be >= 0, got {weights}")
    total = sum(weights)
    if total <= 0:
        raise ValueError("at least one channel weight must be positive")
    return (weights[0] / total, weights[1] / total, weights[2] / total)


# --------------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------------


class _DictMixin:
    """to_dict / from_dict for the flat frozen dataclasses below."""

    def to_dict(self) -> dict:
        """Return the fields as a flat dict of JSON-serialisable values, in declaration order."""
        return dataclasses.asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, data: Mapping):
        """Build an instance from a mapping of field name -> value; missing fields take defaults.

        Raises ValueError for an unknown key, and whatever validation error the values trigger.
        """
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown {cls.__name__} field(s): {', '.join(unknown)}")
        return cls(**dict(data))


@dataclass(frozen=True)
class Assumptions(_DictMixin):
    """Market assumptions that fix the pass-through rate (Ritz 2024 Lemma 1 inputs).

    Attributes (units, ranges and default justifications are in `dashboard.text.scenarios.FIELDS`):
        eps_D: price elasticity of market demand for the AI service, > 0. Default 2.0.
        curvature: demand-curvature preset, one of `CURVATURE_CHOICES`. Default "quadratic".
        xi_custom: curvature xi_D used when ``curvature == "custom"``. Default 0.5.
        eta_S: elasticity of marginal cost (capacity constraint), >= 0. Default 0.0.
        conduct_mode: "hhi" (theta_S = hhi / 10,000) or "manual" (theta_S = theta_S_manual).
        hhi: HHI of the AI-service market, 0-10,000. Default 2,500.
        theta_S_manual: market-power index theta_S in [0, 1] for "manual" mode. Default 0.25.
        conduct_model: "cournot" (homogeneous, Lemma 1: theta_S = HHI / 10,000) or "bertrand"
            (differentiated, Lemma 4: L = 1 - R(substitutability, 10,000 / HHI)). Default "cournot".
        substitutability: Shubik-Levitan gamma for "bertrand", >= 0. Default 5 (Ritz 2024 §6).

    The resolved model inputs are the properties `xi_D` and `theta_S` (theta_S under Cournot, L under
    Bertrand: both are the market-power index of the pass-through formula).
    """

    eps_D: float = 2.0
    curvature: str = "quadratic"
    xi_custom: float = 0.5
    eta_S: float = 0.0
    conduct_mode: str = "hhi"
    hhi: float = 2500.0
    theta_S_manual: float = 0.25
    conduct_model: str = "cournot"
    substitutability: float = 5.0

    def __post_init__(self) -> None:
        if self.curvature not in CURVATURE_CHOICES:
            raise ValueError(
                f"curvature must be one of {', '.join(CURVATURE_CHOICES)}, got {self.curvature!r}"
            )
        if self.conduct_mode not in CONDUCT_MODES:
            raise ValueError(
                f"conduct_mode must be one of {', '.join(CONDUCT_MODES)}, got {self.conduct_mode!r}"
            )
        if self.conduct_model not in CONDUCT_MODELS:
            raise ValueError(
                f"conduct_model must be one of {', '.join(CONDUCT_MODELS)}, got {self.conduct_model!r}"
            )
        eta_S = _real("eta_S (elasticity of marginal cost)", self.eta_S)
        if eta_S < 0:
            raise ValueError(f"eta_S (elasticity of marginal cost) must be >= 0, got {eta_S:g}")
        gamma = _real("substitutability (gamma)", self.substitutability)
        if gamma < 0:
            raise ValueError(f"substitutability (gamma) must be >= 0, got {gamma:g}")
        checked = {
            "substitutability": gamma,
            "eps_D": _positive("eps_D (demand elasticity)", self.eps_D),
            "xi_custom": _real("xi_custom (demand curvature)", self.xi_custom),
            "eta_S": eta_S,
            "hhi": _in_range("hhi", self.hhi, 0.0, 10000.0),
            "theta_S_manual": _in_range("theta_S_manual (market-power index)", self.theta_S_manual, 0.0, 1.0),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    @property
    def xi_D(self) -> float:
        """Demand curvature xi_D implied by the preset (or `xi_custom`), at this eps_D."""
        if self.curvature == "custom":
            return self.xi_custom
        return curvature(self.curvature, self.eps_D)

    @property
    def theta_S(self) -> float:
        """Market-power index from the HHI (Cournot theta_S or Bertrand L, per `conduct_model`) or the
        manual value, per `conduct_mode`."""
        if self.conduct_mode == "manual":
            return self.theta_S_manual
        if self.conduct_model == "bertrand":
            return bertrand_market_power(self.substitutability, self.hhi)
        return conduct_from_hhi(self.hhi)

    @property
    def rho(self) -> float:
        """Pass-through rate: Lemma 1 under Cournot, Lemma 4 under Bertrand (docs/METHODOLOGY.md §2.1, §2.4).

        With the market-power index given directly (`conduct_mode == "manual"`) the two lemmas are the
        same expression, so the choice of model matters only through how the HHI becomes that index.
        """
        if self.conduct_model == "bertrand":
            return bertrand_pass_through_rate(self.eps_D, self.xi_D, self.eta_S, self.theta_S)
        return pass_through_rate(self.eps_D, self.xi_D, self.eta_S, self.theta_S)


@dataclass(frozen=True)
class Scenario(_DictMixin):
    """A GPU cost shock, the AI service it hits, and the policy levers that allocate it.

    Attributes (units, ranges and default justifications are in `dashboard.text.scenarios.FIELDS`):
        cost_shock_pct: % change in the centralised GPU price (> -100). Default +40.
        baseline_price_usd_per_gpu_hour: baseline GPU price, USD per GPU-hour. Default 1.70.
        new_price_usd_per_gpu_hour: optional new GPU price; if set, the shock is
            new / baseline - 1 and `cost_shock_pct` is ignored. Default None.
        compute_cost_per_user_month_usd: compute cost per user per month at centralised prices,
            USD. Default 0.12 (model version 1's undated $700k-a-day route; the page derives it from
            sourced figures, dashboard/model/scenarios.py).
        users_millions: users (weekly or monthly, as the page chose), millions. Default 180.5 (ChatGPT
            monthly users, Jan 2024: model version 1's figure; the page uses the newest in the warehouse).
        decentralised_share: share of GPU-hours bought from decentralised supply, [0, 1]. Default 0.
        decentralised_discount: price discount of decentralised supply, [0, 1). Default 0.4.
        split_fees, split_ads, split_quality: ASSUMED allocation of the passed-through cost to
            subscription fees, ad load and quality; each in [0, 1], summing to 1. Default
            0.5 / 0.25 / 0.25.
        ad_revenue_per_user_month_usd: baseline ad revenue per user per month, USD, > 0. Default 1.
        latency_elasticity: elasticity of response time to compute per query. Default -1.

    Raises:
        ValueError: for out-of-domain values or splits that do not sum to 1 (within 1e-6).
    """

    cost_shock_pct: float = 40.0
    baseline_price_usd_per_gpu_hour: float = 1.70
    new_price_usd_per_gpu_hour: float | None = None
    compute_cost_per_user_month_usd: float = 0.12
    users_millions: float = 180.5
    decentralised_share: float = 0.0
    decentralised_discount: float = 0.4
    split_fees: float = 0.5
    split_ads: float = 0.25
    split_quality: float = 0.25
    ad_revenue_per_user_month_usd: float = 1.0
    latency_elasticity: float = -1.0

    def __post_init__(self) -> None:
        shock = _real("cost_shock_pct", self.cost_shock_pct)
        if shock <= -100:
            raise ValueError(f"cost_shock_pct must be > -100 (a price cannot fall below zero), got {shock:g}")
        compute_cost = _real("compute_cost_per_user_month_usd", self.compute_cost_per_user_month_usd)
        if compute_cost < 0:
            raise ValueError(f"compute_cost_per_user_month_usd must be >= 0, got {compute_cost:g}")
        users = _real("users_millions", self.users_millions)
        if users < 0:
            raise ValueError(f"users_millions must be >= 0, got {users:g}")
        discount = _in_range("decentralised_discount", self.decentralised_discount, 0.0, 1.0)
        if discount >= 1.0:
            raise ValueError("decentralised_discount must be < 1 (decentralised compute cannot be free)")
        checked = {
            "cost_shock_pct": shock,
            "baseline_price_usd_per_gpu_hour": _positive(
                "baseline_price_usd_per_gpu_hour", self.baseline_price_usd_per_gpu_hour
            ),
            "compute_cost_per_user_month_usd": compute_cost,
            "users_millions": users,
            "decentralised_share": _in_range("decentralised_share", self.decentralised_share, 0.0, 1.0),
            "decentralised_discount": discount,
            "split_fees": _in_range("split_fees", self.split_fees, 0.0, 1.0),
            "split_ads": _in_range("split_ads", self.split_ads, 0.0, 1.0),
            "split_quality": _in_range("split_quality", self.split_quality, 0.0, 1.0),
            "ad_revenue_per_user_month_usd": _positive(
                "ad_revenue_per_user_month_usd", self.ad_revenue_per_user_month_usd
            ),
            "latency_elasticity": _real("latency_elasticity", self.latency_elasticity),
        }
        if self.new_price_usd_per_gpu_hour is not None:
            checked["new_price_usd_per_gpu_hour"] = _positive(
                "new_price_usd_per_gpu_hour", self.new_price_usd_per_gpu_hour
            )
        total = checked["split_fees"] + checked["split_ads"] + checked["split_quality"]
        if abs(total - 1.0) > _SPLIT_TOLERANCE:
            raise ValueError(
                f"split_fees + split_ads + split_quality must sum to 1, got {total:g} "
                "(use normalise_splits to rescale)"
            )
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    @property
    def gpu_price_shock_pct(self) -> float:
        """The centralised GPU price change in %: from the new price if given, else cost_shock_pct."""
        if self.new_price_usd_per_gpu_hour is None:
            return self.cost_shock_pct
        return (self.new_price_usd_per_gpu_hour / self.baseline_price_usd_per_gpu_hour - 1.0) * 100.0


def default_assumptions() -> Assumptions:
    """The default market assumptions (see `dashboard.text.scenarios.FIELDS` for each value's justification)."""
    return Assumptions()


def default_scenario() -> Scenario:
    """The default scenario (see `dashboard.text.scenarios.FIELDS` for each value's justification)."""
    return Scenario()


# --------------------------------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result(_DictMixin):
    """Outputs of `simulate`. Money is USD per user per month unless the name says otherwise.

    Attributes:
        model_version: `MODEL_VERSION` that produced the numbers.
        eps_D, xi_D, eta_S, theta_S: the resolved Lemma 1 inputs.
        rho: pass-through rate (`pass_through_rate`).
        lerner: Lerner markup theta_S / eps_D, fraction of price.
        gpu_price_shock_pct: change in the centralised GPU price, %.
        effective_cost_shock_pct: change in the blended compute price after decentralised blending, %.
        blended_compute_cost_usd_per_user_month: baseline compute cost after blending.
        cost_change_usd_per_user_month: Delta c, the change in compute cost per user-month.
        passed_through_usd_per_user_month: rho * Delta c, borne by users.
        absorbed_usd_per_user_month: (1 - rho) * Delta c, borne by firms (negative if rho > 1).
        fee_change_usd_per_month: split_fees * rho * Delta c, averaged over all users.
        ads_usd_per_user_month: split_ads * rho * Delta c.
        ad_load_change_pct: ads channel / ad revenue per user, %.
        quality_usd_per_user_month: split_quality * rho * Delta c.
        compute_cut_pct: % cut in compute per query that saves the quality amount (negative = more).
        response_time_change_pct: implied % change in response time (positive = slower).
        consumer_cost_usd_bn_per_year: passed-through * 12 * users, USD bn per year.
        absorbed_usd_bn_per_year: absorbed * 12 * users, USD bn per year.
    """

    model_version: str
    eps_D: float
    xi_D: float
    eta_S: float
    theta_S: float
    rho: float
    lerner: float
    gpu_price_shock_pct: float
    effective_cost_shock_pct: float
    blended_compute_cost_usd_per_user_month: float
    cost_change_usd_per_user_month: float
    passed_through_usd_per_user_month: float
    absorbed_usd_per_user_month: float
    fee_change_usd_per_month: float
    ads_usd_per_user_month: float
    ad_load_change_pct: float
    quality_usd_per_user_month: float
    compute_cut_pct: float
    response_time_change_pct: float
    consumer_cost_usd_bn_per_year: float
    absorbed_usd_bn_per_year: float


def simulate(assumptions: Assumptions, scenario: Scenario) -> Result:
    """Pass a GPU price shock through to AI-service users and split it across channels.

    The unit of output is one user-month of the AI service, so the per-unit cost shifter tau of
    Ritz (2024) Lemma 1 is the change in compute cost per user-month. Steps (docs/METHODOLOGY.md §2.7):

    1. Blending. The input compute cost C0 is priced at centralised rates. A share d of GPU-hours
       is bought from decentralised supply at a discount delta, so the baseline blended cost is
       C_b = C0 * (1 - d * delta). ASSUMPTION: the shock s hits only the centralised price;
       decentralised prices stay put in the short run. Then::

           Delta c = C0 * (1 - d) * s
           effective shock = Delta c / C_b = (1 - d) * s / (1 - d * delta)   (<= s)

    2. Pass-through: rho = `Assumptions.rho` (Lemma 1 or Lemma 4, uncapped); users bear rho * Delta c
       and firms absorb (1 - rho) * Delta c; the Lerner markup theta_S / eps_D shows the margin
       being compressed (Ritz 2024 §2).
    3. Channels (an accounting ASSUMPTION, B7.3): w_f, w_a, w_q times rho * Delta c.
       - Fees: w_f * rho * Delta c, USD per month averaged over all users (a fee on paying users
         only would be larger by 1 / paying share).
       - Ads: ad-load change % = w_a * rho * Delta c / ad revenue per user * 100, assuming ad
         revenue is proportional to ad load at a constant revenue per ad.
       - Quality: the firm cuts compute per query by q so that the saving equals the quality
         amount at the post-shock compute cost C_1 = C_b + Delta c, q = w_q * rho * Delta c / C_1,
         with queries per user unchanged. Response time scales as (compute per query)^e with
         e = latency_elasticity (default -1: time proportional to 1 / compute), so its change is
         (1 - q)^e - 1.
    4. Aggregates: USD bn per year = per user per month * 12 * users_millions / 1,000.

    Raises:
        ValueError: if the pass-through rate or the Lerner index is undefined for these
            assumptions, or the quality channel would need to cut 100% or more of compute.
    """
    eps_D, xi_D, eta_S, theta_S = assumptions.eps_D, assumptions.xi_D, assumptions.eta_S, assumptions.theta_S
    rho = assumptions.rho
    markup = lerner(theta_S, eps_D)

    s = scenario.gpu_price_shock_pct / 100.0
    d, delta = scenario.decentralised_share, scenario.decentralised_discount
    c0 = scenario.compute_cost_per_user_month_usd
    blend = 1.0 - d * delta
    blended_cost = c0 * blend
    cost_change = c0 * (1.0 - d) * s
    effective_shock_pct = (1.0 - d) * s / blend * 100.0

    passed = rho * cost_change
    absorbed = cost_change - passed
    fees = scenario.split_fees * passed
    ads = scenario.split_ads * passed
    quality = scenario.split_quality * passed

    post_shock_cost = blended_cost + cost_change
    q = quality / post_shock_cost if post_shock_cost > 0 else 0.0
    if q >= 1.0:
        raise ValueError(
            f"the quality channel would have to cut {q * 100:.0f}% of compute per query; lower "
            "split_quality or the cost shock"
        )
    response_change = (1.0 - q) ** scenario.latency_elasticity - 1.0

    per_year_bn = 12.0 * scenario.users_millions / 1000.0
    return Result(
        model_version=MODEL_VERSION,
        eps_D=eps_D,
        xi_D=xi_D,
        eta_S=eta_S,
        theta_S=theta_S,
        rho=rho,
        lerner=markup,
        gpu_price_shock_pct=scenario.gpu_price_shock_pct,
        effective_cost_shock_pct=effective_shock_pct,
        blended_compute_cost_usd_per_user_month=blended_cost,
        cost_change_usd_per_user_month=cost_change,
        passed_through_usd_per_user_month=passed,
        absorbed_usd_per_user_month=absorbed,
        fee_change_usd_per_month=fees,
        ads_usd_per_user_month=ads,
        ad_load_change_pct=ads / scenario.ad_revenue_per_user_month_usd * 100.0,
        quality_usd_per_user_month=quality,
        compute_cut_pct=q * 100.0,
        response_time_change_pct=response_change * 100.0,
        consumer_cost_usd_bn_per_year=passed * per_year_bn,
        absorbed_usd_bn_per_year=absorbed * per_year_bn,
    )


@dataclass(frozen=True)
class Band:
    """`simulate` outputs across a grid of demand elasticities (an uncertainty band).

    Attributes:
        eps: the elasticities that produced `results`, ascending.
        results: one `Result` per entry of `eps`.
        point: the `Result` at the assumptions' own eps_D (the point estimate).
        skipped: (eps, reason) for grid points where the model has no valid equilibrium (for
            example a Lerner index above 1); they are reported, not silently dropped.
    """

    eps: tuple[float, ...]
    results: tuple[Result, ...]
    point: Result
    skipped: tuple[tuple[float, str], ...] = field(default=())

    def values(self, name: str) -> tuple[float, ...]:
        """The series of output `name` (a `Result` field) along `eps`."""
        return tuple(getattr(result, name) for result in self.results)

    def bounds(self, name: str) -> tuple[float, float]:
        """(min, max) of output `name` over the band and the point estimate."""
        series = self.values(name) + (getattr(self.point, name),)
        return (min(series), max(series))

    def to_rows(self) -> list[dict]:
        """One flat dict per grid point (`Result.to_dict()`), for CSV export."""
        return [result.to_dict() for result in self.results]


def elasticity_band(
    assumptions: Assumptions,
    scenario: Scenario,
    eps_range: tuple[float, float] | None = None,
    n: int = 21,
) -> Band:
    """Re-run `simulate` on n evenly spaced demand elasticities in eps_range (inclusive).

    Only eps_D changes; with the constant-elasticity preset xi_D = 1 + 1/eps_D moves with it.
    The default range is a factor of two either side of the point estimate,
    (eps_D / 2, 2 * eps_D), because no AI-specific estimate exists (docs/METHODOLOGY.md §5).

    Note that in Lemma 1 eps_D enters rho only through (eps_D - theta_S) * eta_S: with constant
    marginal cost (eta_S = 0) and a curvature that does not depend on eps_D, rho and every
    channel amount are flat across the band and only the Lerner markup moves. With eta_S > 0, rho
    falls as eps_D rises.

    Raises:
        ValueError: for a bad range or n < 2, or if the point estimate itself is invalid.
    """
    point = simulate(assumptions, scenario)
    if eps_range is None:
        eps_range = (assumptions.eps_D / 2.0, assumptions.eps_D * 2.0)
    low = _positive("eps_range low", eps_range[0])
    high = _positive("eps_range high", eps_range[1])
    if not low < high:
        raise ValueError(f"eps_range must have low < high, got ({low:g}, {high:g})")
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")

    eps_values: list[float] = []
    results: list[Result] = []
    skipped: list[tuple[float, str]] = []
    for i in range(n):
        eps = low + (high - low) * i / (n - 1)
        try:
            result = simulate(dataclasses.replace(assumptions, eps_D=eps), scenario)
        except ValueError as error:
            skipped.append((eps, str(error)))
            continue
        eps_values.append(eps)
        results.append(result)
    return Band(eps=tuple(eps_values), results=tuple(results), point=point, skipped=tuple(skipped))


WATERFALL_LABELS = (
    "GPU cost change",
    "Absorbed by AI firms",
    "Higher subscription fees",
    "More ads",
    "Lower quality (less compute per query)",
)
"""Labels of the `waterfall` steps, in order."""


def waterfall(result: Result) -> list[tuple[str, float]]:
    """Ordered (label, USD per user per month) steps from the cost change to what each party carries.

    The first step is the total change in compute cost per user-month, Delta c; the next four are
    the parts carried by firms (absorbed) and by users through fees, ads and quality, and they sum
    to the first. For a Plotly waterfall that ends at zero use measure ["absolute"] + ["relative"] * 4
    with the four parts negated. When rho > 1 the absorbed part is negative (margins widen).
    """
    return list(
        zip(
            WATERFALL_LABELS,
            (
                result.cost_change_usd_per_user_month,
                result.absorbed_usd_per_user_month,
                result.fee_change_usd_per_month,
                result.ads_usd_per_user_month,
                result.quality_usd_per_user_month,
            ),
            strict=True,
        )
    )
