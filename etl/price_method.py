"""Like-for-like GPU price indices: ComputeWatch's versioned method (cw-<version>) and CCIR's CRI, as pure functions.

Reference: docs/METHODOLOGY.md §3. Nothing here reads files,
the network or the warehouse: callers pass DataFrames (and the small tables in data/seed/ as
DataFrames or dicts), so every rule is a tested function over a frame.

Input contract, `observations` (one row per observed price; the columns of core.gpu_prices):
    observed_at               timestamp (naive UTC or tz-aware); the day is its UTC date
    source                    the ETL source name ('vast', 'cloud_gpus', 'seed', ...)
    provider                  provider key ('aws', 'lambda', 'vast', ...)
    segment                   hyperscaler | neocloud | marketplace | depin
    gpu_model                 canonical model ('H100 SXM', ...)
    price_usd_per_gpu_hour    USD per GPU-hour
    price_type                the source's own term ('on_demand', 'bid', 'secure_spot', ...)
  optional (missing columns are treated as null):
    gpu_count, region, offer_id, host_id, machine_id   machine_id (else host_id, else offer_id)
                              identifies a marketplace machine
    confidence                seed grade: primary | secondary | tertiary | uncertain (null for APIs)
    date_precision            day | month | quarter | year; when absent it is derived (seed rows from
                              their note, see seed_date_precision; every other source is 'day')
    note                      the seed's note (used only to derive date_precision)

The steps, each a function, in the order price_index() and headlines() apply them:
    normalise_price_types -> evidence_filter -> map_regions -> dedupe_providers -> vote_units
    -> flag_outliers -> index rows / headline figures (with coverage flags).
CCIR's CRI (method 'ccir-cri-1.1.1') is ccir_cri() over raw Vast offer fields (see its docstring).
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta

import pandas as pd

METHOD_VERSION = "1.0.0"
METHOD = f"cw-{METHOD_VERSION}"
CCIR_METHOD = "ccir-cri-1.1.1"
# Each method in one sentence, for the page's method switch (docs/METHODOLOGY.md §3.8, §3.10).
METHOD_SENTENCES = {
    METHOD: ("ComputeWatch cw-1.0.0: per day, the median of one vote per provider (a marketplace machine "
             "counts once; a provider seen through several sources counts once, its own API first), per "
             "segment and price type; tertiary and coarse-dated figures never count, list prices older "
             "than 90 days leave the headlines, and fewer than 3 providers (5 machines) is low confidence"),
    CCIR_METHOD: ("CCIR CRI 1.1.1 as reproduced here: Vast.ai offers in the US, not rented, reliability "
                  ">= 0.90, listed in the last 7 days, one observation per offer, 2.5-sigma outliers "
                  "dropped per day, median of the pooled observations of the 7 days ending on the day"),
}

# ---- parameters of cw-1.0.0 (docs/METHODOLOGY.md §3; each is also a keyword argument) ----
STALE_DAYS = 90          # a list price older than this is stale (§3.5)
HEADLINE_DAYS = 90       # headline window: the provider's newest price within this many days
MIN_PROVIDERS = 3        # a published point needs this many providers ...
MIN_MACHINES = 5         # ... or, for marketplaces, this many machines (§3.7)
OUTLIER_FACTOR = 5.0     # a vote above 5x or below 1/5 of the day's median is an outlier (§3.7)
EXCLUDED_GRADES = ("tertiary",)           # never in an index, median or headline (§3.4)
COARSE_PRECISIONS = ("quarter", "year")   # dates coarser than a month: reference markers only
PRECISION_ORDER = ("day", "month", "quarter", "year")

# Source kind -> rank: the provider's own API beats a single-provider catalogue beats an aggregator
# (§3.1). Callers pass {source: kind} (etl.provenance Source.kind once it exists).
KIND_RANK = {"provider_api": 0, "catalogue": 1, "aggregator": 2}
UNKNOWN_KIND_RANK = 3

SEGMENTS = ("hyperscaler", "neocloud", "marketplace", "depin")
BLOCKS = {"centralised": ("hyperscaler", "neocloud"), "decentralised": ("marketplace", "depin")}
MACHINE_SEGMENTS = ("marketplace",)  # segments whose vote unit is a machine, not a provider
GEO_GROUPS = ("US", "EU", "APAC", "other")
GLOBAL_GEO = "global"    # list prices valid everywhere / several regions / unknown: in geo='all' only

# ---- price types (§3.2): each source's term -> one ComputeWatch price type ----
PRICE_TYPES = ("on_demand", "spot", "community", "reserved_short", "reserved_12m_plus")
# (source or '*', term) -> (price type or None = not a price, term_months or None, why)
PRICE_TYPE_TERMS: dict[tuple[str, str], tuple[str | None, int | None, str]] = {
    ("*", "on_demand"): ("on_demand", None, "pay-as-you-go list or asking price"),
    ("*", "spot"): ("spot", None, "interruptible / preemptible capacity"),
    ("*", "community"): ("community", None, "community tier (third-party hosts: RunPod Community Cloud, Nosana COMMUNITY markets)"),
    ("*", "reserved"): ("reserved_short", None, "reservation shorter than a year (AWS Capacity Blocks, Lambda reservations)"),
    ("*", "contract"): ("reserved_12m_plus", 12, "multi-month or 1-year+ commitments (SemiAnalysis 1-year index, CoreWeave 12-36 months)"),
    ("*", "index"): (None, None, "a published index level, not a price: an indicator, never pooled"),
    ("vast", "bid"): ("spot", None, "Vast interruptible (bid) offers"),
    ("ccir", "secure"): ("on_demand", None, "RunPod Secure Cloud list price, per CCIR's reference rates"),
    ("ccir", "secure_spot"): ("spot", None, "RunPod Secure Cloud spot, per CCIR's reference rates"),
    ("ccir", "spot_posted"): ("spot", None, "GCP posted spot price, per CCIR's reference rates"),
    ("gpu_price_index", "on_demand"): ("on_demand", None, "GPU Price Index observation"),
}


def price_type_table() -> pd.DataFrame:
    """The term table as a frame (for the page and docs): source, term, price_type, term_months, why."""
    return pd.DataFrame(
        [(s, t, p, m, why) for (s, t), (p, m, why) in PRICE_TYPE_TERMS.items()],
        columns=["source", "term", "price_type", "term_months", "why"],
    )


def _per_pair(a: pd.Series, b: pd.Series, fn: Callable) -> list:
    """fn(a, b) for every row, called once per distinct (a, b) pair (object array, row order).

    Rows whose values are both missing (None or NaN) share a pair: fn sees the first such row's value,
    and every function it is used with treats None and NaN alike."""
    if len(a) == 0:
        return []
    frame = pd.DataFrame({"a": pd.Series(a).astype(object).to_numpy(), "b": pd.Series(b).astype(object).to_numpy()})
    codes = frame.groupby(["a", "b"], dropna=False, sort=False).ngroup().tolist()
    first = pd.Series(range(len(frame))).groupby(codes).first().tolist()
    av, bv = frame["a"].tolist(), frame["b"].tolist()
    values = [fn(av[i], bv[i]) for i in first]
    return [values[k] for k in codes]


def price_type_of(source: str | None, term: str | None) -> str | None:
    """ComputeWatch price type of a source's term; None for non-prices and unknown terms (kept out)."""
    if term is None:
        return None
    term = str(term).strip().lower()
    hit = PRICE_TYPE_TERMS.get((source or "", term)) or PRICE_TYPE_TERMS.get(("*", term))
    return hit[0] if hit else None


def normalise_price_types(obs: pd.DataFrame) -> pd.DataFrame:
    """Add `price_type_raw` (the source's term) and map `price_type` to PRICE_TYPES (None = not a price)."""
    out = obs.copy()
    out["price_type_raw"] = out["price_type"]
    out["price_type"] = _per_pair(out["source"], out["price_type"], price_type_of)
    return out


# ---- evidence grade and dates (§3.4) ----
_SOURCE_DATE_CLAUSE = re.compile(r"source_date approximate\s*(\([^)]*\)|:[^;]*)", re.I)
_YEAR_ONLY = re.compile(r"month not given|undated|placeholder|year only|mid-year|\(mid-\d{4}\)", re.I)
_QUARTER = re.compile(r"\bQ[1-4]\b|\blate \d{4}|\bearly \d{4}|\(late\b|\bquarter\b", re.I)


def seed_date_precision(observed_on, note: str | None) -> str:
    """How precise a seed row's `observed_on` is: 'day', 'month', 'quarter' or 'year'.

    Derived from data/seed/README.md's conventions: an approximate date is the 1st of the month
    (month known), of the middle month (quarter, "late"/"early" a year) or 1 July (year only), and the
    note says "observed_on approximate". Only such a note can grade a row coarser than a month; text
    about `source_date` ("source_date approximate (page dated Q1 2026)") is about the page, not the
    price, and is removed before matching. A date on the 1st with no other hint
    is graded 'month' (the README uses the 1st when only the month is known).
    """
    text = _SOURCE_DATE_CLAUSE.sub("", note or "")
    # Only a note that says the price's own date is approximate can make it coarser than a month;
    # other dates in a note ("still quoted as current in Q1 2026") are about the page.
    if "observed_on" in text:
        if _YEAR_ONLY.search(text):
            return "year"
        if _QUARTER.search(text):
            return "quarter"
    day = pd.Timestamp(observed_on).day
    return "month" if day == 1 else "day"


def date_precisions(obs: pd.DataFrame) -> pd.Series:
    """Each row's date precision: its own `date_precision` if given, else derived (seed) or 'day'."""
    given = obs["date_precision"] if "date_precision" in obs else pd.Series(None, index=obs.index, dtype=object)
    notes = obs["note"] if "note" in obs else pd.Series(None, index=obs.index, dtype=object)
    out = pd.Series("day", index=obs.index, dtype=object)
    valid = given.map(lambda g: isinstance(g, str) and g in PRECISION_ORDER).astype(bool) \
        if len(given) else pd.Series(False, index=obs.index)
    seed = ~valid & (obs["source"] == "seed")
    if seed.any():  # only seed rows are derived (few): the note is read row by row
        out[seed] = [seed_date_precision(at, note if isinstance(note, str) else None)
                     for at, note in zip(obs.loc[seed, "observed_at"], notes[seed], strict=True)]
    out[valid] = given[valid]
    return out


def evidence_filter(obs: pd.DataFrame, excluded_grades=EXCLUDED_GRADES,
                    coarse=COARSE_PRECISIONS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(kept, markers): tertiary rows, coarse-dated rows and non-prices leave the index (§3.4).

    `markers` holds them with `excluded_reason`, for labelled reference markers on a chart.
    Expects price types already normalised (None = not a price, e.g. a published index level).
    """
    df = obs.copy()
    df["date_precision"] = date_precisions(df)
    grade = df["confidence"] if "confidence" in df else pd.Series(None, index=df.index)
    reason = pd.Series(None, index=df.index, dtype=object)
    reason[df["price_type"].isna()] = "not a comparable price type"
    reason[reason.isna() & df["date_precision"].isin(coarse)] = (
        "date coarser than a month (" + df["date_precision"].astype(str) + ")")
    reason[reason.isna() & grade.isin(excluded_grades)] = "tertiary source"
    bad_price = ~(pd.to_numeric(df["price_usd_per_gpu_hour"], errors="coerce") > 0)
    reason[reason.isna() & bad_price] = "no positive price"
    markers = df[reason.notna()].assign(excluded_reason=reason[reason.notna()])
    return df[reason.isna()].copy(), markers


# ---- regions (§3.6) ----
def region_lookup(regions: pd.DataFrame) -> dict[tuple[str, str], tuple[str | None, str]]:
    """data/seed/regions.csv as {(source or '*', region string): (ISO country or None, geo)}."""
    table = {}
    for r in regions.itertuples(index=False):
        country = r.country if isinstance(r.country, str) and r.country else None
        table[(str(r.source), str(r.region))] = (country, str(r.geo))
    return table


def map_region(source: str | None, region, lookup: Mapping) -> tuple[str | None, str, bool]:
    """(country, geo, mapped): a source's region string -> ISO country and geo group.

    The source's own row wins, then a '*' row (ISO codes, shared spellings). A null region is a price
    that names no place: geo 'global'. An unknown string is geo 'global' with mapped=False, so a
    test can demand that every string in the captures is in the table.
    """
    if region is None or (isinstance(region, float) and math.isnan(region)) or str(region).strip() == "":
        return None, GLOBAL_GEO, True
    key = str(region).strip()
    hit = lookup.get((source or "", key)) or lookup.get(("*", key))
    if hit:
        return hit[0], hit[1], True
    return None, GLOBAL_GEO, False


def map_regions(obs: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Add `country`, `geo` and `region_mapped` to every row."""
    lookup = region_lookup(regions)
    region = obs["region"] if "region" in obs else pd.Series(None, index=obs.index)
    mapped = _per_pair(obs["source"], region, lambda s, r: map_region(s, r, lookup))
    out = obs.copy()
    out["country"] = [m[0] for m in mapped]
    out["geo"] = [m[1] for m in mapped]
    out["region_mapped"] = [m[2] for m in mapped]
    return out


# ---- observation unit (§3.1) ----
def _day(values) -> pd.Series:
    ts = pd.to_datetime(values, utc=True)
    return ts.dt.tz_convert(UTC).dt.date


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    return df[name] if name in df else pd.Series(None, index=df.index, dtype=object)


def dedupe_providers(obs: pd.DataFrame, source_kinds: Mapping[str, str]) -> pd.DataFrame:
    """One source per provider x GPU model x price type x day, by precedence (§3.1).

    source_kinds: {source: 'provider_api' | 'catalogue' | 'aggregator'}; unknown sources rank last.
    Ties of rank go to the alphabetically first source, so the choice does not depend on row order.
    Adds `day`, `source_rank`, `sources_seen` (all sources that reported the cell, ';'-joined); the
    surviving rows keep their own `source`, which is the winner.
    """
    df = obs.copy()
    df["day"] = _day(df["observed_at"])
    ranks = {s: KIND_RANK.get(source_kinds.get(s, ""), UNKNOWN_KIND_RANK) for s in df["source"].unique()}
    df["source_rank"] = df["source"].map(ranks).astype("int64")
    keys = ["day", "provider", "gpu_model", "price_type"]
    if df.empty:
        return df.assign(sources_seen=pd.Series(dtype=object))
    best = (df[keys + ["source_rank", "source"]].drop_duplicates()
            .sort_values(keys + ["source_rank", "source"]).groupby(keys, dropna=False).head(1)
            .rename(columns={"source": "winner"})[keys + ["winner"]])
    seen = (df.groupby(keys, dropna=False)["source"]
            .agg(lambda s: ";".join(sorted(set(s)))).rename("sources_seen").reset_index())
    df = df.merge(best, on=keys, how="left").merge(seen, on=keys, how="left")
    return df[df["source"] == df["winner"]].drop(columns="winner").reset_index(drop=True)


def _present(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and str(value) != ""


def machine_key(df: pd.DataFrame) -> pd.Series:
    """A marketplace machine's id: machine_id, else host_id, else the offer (one listing)."""
    out = pd.Series([f"row:{i}" for i in df.index], index=df.index, dtype=object)
    for kind in ("offer", "host", "machine"):  # the last assigned wins: machine, else host, else offer
        values = _col(df, f"{kind}_id")
        if values.dtype == object:  # anything may be in it: _present value by value
            present = values.map(_present).astype(bool) if len(values) else pd.Series(False, index=df.index)
        else:  # a typed column: missing is NA, and a value is present unless it is ''
            present = values.notna() & (values.astype(str) != "")
        out[present] = kind + ":" + values[present].astype(object).map(str)
    return out


def list_price_since(obs: pd.DataFrame, persist_sources: Iterable[str]) -> pd.DataFrame:
    """Add `price_since`: for sources that record list prices when they change (Source.prices_persist,
    e.g. cloud_gpus' history plus its current table), the first day of the latest unbroken run of the
    same price per provider x GPU model x price type; every other row: its own day.

    A table re-published unchanged does not make its prices current: staleness (§3.5) is measured
    from the day a price was last set.
    """
    df = obs.copy()
    df["_day"] = _day(df["observed_at"])
    df["price_since"] = df["_day"]
    persist = df["source"].isin(list(persist_sources))
    keys = ["source", "provider", "gpu_model", "price_type"]
    series = df[persist].sort_values("observed_at")
    if not series.empty:  # per series in time order: a run starts at its first row and at every price change
        code = series.groupby(keys, dropna=False, sort=False).ngroup()
        price = series["price_usd_per_gpu_hour"]
        starts = (price.groupby(code).cumcount() == 0) | (price != price.groupby(code).shift())
        since = series["_day"].where(starts).groupby(code).ffill()
        df.loc[series.index, "price_since"] = since.values
    return df.drop(columns="_day")


def vote_units(obs: pd.DataFrame) -> pd.DataFrame:
    """Collapse observations to voting units per day (§3.1).

    Marketplace rows: one unit per machine (the median of its offers' per-GPU prices, so a box listed
    as 1/2/4/8-GPU slices counts once). Every other segment: one unit per provider x geo group (the
    median of its SKUs and regions in that group); index_rows and headlines then give each provider
    one vote (the median of its units) in geo 'all'. Columns: day, gpu_model, segment, price_type,
    provider, source, sources_seen, unit, geo, country, price, n_offers.
    """
    df = obs.copy()
    if "day" not in df:
        df["day"] = _day(df["observed_at"])
    if "geo" not in df:
        df["geo"] = GLOBAL_GEO
        df["country"] = None
    if "sources_seen" not in df:
        df["sources_seen"] = df["source"]
    df["price"] = pd.to_numeric(df["price_usd_per_gpu_hour"], errors="coerce")
    since = _day(df["price_since"]) if "price_since" in df else df["day"]
    df["price_since"] = [d if isinstance(d, date) else day for d, day in zip(since, df["day"], strict=True)]
    is_machine = df["segment"].isin(MACHINE_SEGMENTS)
    df["unit"] = df["provider"].astype(str)
    df.loc[is_machine, "unit"] = df.loc[is_machine, "provider"].astype(str) + "|" + machine_key(df[is_machine])
    keys = ["day", "gpu_model", "segment", "price_type", "provider", "unit", "geo"]
    units = (df.groupby(keys, dropna=False)
             .agg(price=("price", "median"), n_offers=("price", "size"), source=("source", "first"),
                  sources_seen=("sources_seen", "first"), price_since=("price_since", "min"),
                  country=("country", "first"))  # first non-null: groupby's "first" skips nulls
             .reset_index())
    return units


# ---- outliers (§3.7) ----
def flag_outliers(units: pd.DataFrame, factor: float = OUTLIER_FACTOR) -> pd.DataFrame:
    """Add `outlier`: a unit priced above factor x or below 1/factor of the median of the units of its
    day, GPU model, price type and segment (all regions).

    Within the segment, because segments differ structurally (a $9.80 GCP H100 is 6x the day's
    marketplace-dominated median of all units, and is no error).
    """
    df = units.copy()
    if df.empty:
        return df.assign(outlier=pd.Series(dtype=bool), day_median=pd.Series(dtype=float))
    med = df.groupby(["day", "gpu_model", "price_type", "segment"])["price"].transform("median")
    df["day_median"] = med
    df["outlier"] = (df["price"] > factor * med) | (df["price"] < med / factor)
    return df


# ---- coverage (§3.7) ----
def coverage(segment: str, n: int, n_providers: int, min_providers: int = MIN_PROVIDERS,
             min_machines: int = MIN_MACHINES) -> tuple[bool, str | None]:
    """(low_confidence, reason) of a published point: marketplaces count machines, others providers."""
    if segment in MACHINE_SEGMENTS:
        if n < min_machines:
            return True, f"{n} machines < {min_machines}"
        return False, None
    if n_providers < min_providers:
        return True, f"{n_providers} providers < {min_providers}"
    return False, None


def _summary(prices: pd.Series) -> tuple[float, float, float]:
    q = prices.quantile([0.25, 0.5, 0.75])
    return float(q[0.5]), float(q[0.25]), float(q[0.75])


INDEX_COLUMNS = ["day", "gpu_model", "segment", "price_type", "geo", "method", "n", "n_providers",
                 "median", "p25", "p75", "low_confidence", "reason", "sources"]


def prepare(obs: pd.DataFrame, regions: pd.DataFrame, source_kinds: Mapping[str, str],
            as_of: date | datetime | None = None, persist_sources: Iterable[str] = ("cloud_gpus",)) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(units, markers): every rule up to the voting units, for rows observed on or before `as_of`."""
    df = obs.copy()
    if as_of is not None:
        df = df[_day(df["observed_at"]) <= _as_date(as_of)]
    return prepare_dated(list_price_since(df, persist_sources), regions, source_kinds)


def prepare_dated(obs: pd.DataFrame, regions: pd.DataFrame,
                  source_kinds: Mapping[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """prepare() after list_price_since: rows that carry `price_since` already. Every step here is per
    row or per day, so any set of whole days gives the same units and markers for those days as all
    days at once (the incremental marts build only the days that changed, etl/marts/prices.py)."""
    df = normalise_price_types(obs)
    kept, markers = evidence_filter(df)
    kept = map_regions(kept, regions)
    kept = dedupe_providers(kept, source_kinds)
    # A machine-less marketplace listing is its own unit, named by its day and its place among that
    # day's rows (machine_key's row fallback), so the name does not depend on which other days are built.
    kept.index = pd.Index(kept["day"].astype(str) + "#" + kept.groupby("day").cumcount().astype(str)) \
        if not kept.empty else kept.index
    units = flag_outliers(vote_units(kept))
    return units, markers


def _geo_votes(units: pd.DataFrame, geo: str) -> pd.DataFrame:
    """Votes for one geo: machines as they are; other providers one vote (median over regions)."""
    sub = units if geo == "all" else units[units["geo"] == geo]
    sub = sub[~sub["outlier"]]
    keys = ["day", "gpu_model", "segment", "price_type", "provider", "unit"]
    return sub.groupby(keys, dropna=False).agg(price=("price", "median"), source=("source", "first")).reset_index()


def _lerp_quantile(prices: pd.Series, start: pd.Series, n: pd.Series, q: float) -> pd.Series:
    """Quantile q of each group of ascending `prices` (group k at start[k], n[k] long), computed exactly
    as numpy's (hence pandas') linear method: index (n-1)q, a + (b-a)g, or b - (b-a)(1-g) when g >= 0.5."""
    virtual = (n - 1) * q
    lo = (virtual // 1).astype("int64")
    gamma = virtual - lo
    a = pd.Series(prices.to_numpy()[(start + lo).to_numpy()], index=n.index)
    b = pd.Series(prices.to_numpy()[(start + (lo + 1).clip(upper=n - 1)).to_numpy()], index=n.index)
    diff = b - a
    return (a + diff * gamma).where(gamma < 0.5, b - diff * (1 - gamma))


def index_rows(units: pd.DataFrame, method: str = METHOD, min_providers: int = MIN_PROVIDERS,
               min_machines: int = MIN_MACHINES) -> pd.DataFrame:
    """marts.price_index rows from voting units: day x gpu_model x segment x price_type x geo (§3.8).

    geo 'all' pools every region (a provider's regions first collapse to one vote); each geo group
    uses the units whose region maps to it ('global' list prices count only in 'all'). Rows below the
    coverage minimum stay, with low_confidence and a reason. Medians and quartiles are pandas' linear
    quantiles (_summary), computed for all groups at once.
    """
    keys = ["day", "gpu_model", "segment", "price_type"]
    parts = [_geo_votes(units, geo).assign(geo=geo) for geo in ("all", *GEO_GROUPS)]
    votes = pd.concat([p for p in parts if not p.empty], ignore_index=True) if any(not p.empty for p in parts) \
        else pd.DataFrame()
    if votes.empty:
        return pd.DataFrame(columns=INDEX_COLUMNS)
    votes["_code"] = votes.groupby(["geo", *keys], dropna=False, sort=False).ngroup()
    firsts = votes.drop_duplicates("_code").set_index("_code").sort_index()
    ordered = votes.sort_values(["_code", "price"], kind="mergesort")
    n = ordered.groupby("_code").size()
    start = n.cumsum() - n
    med, p25, p75 = (_lerp_quantile(ordered["price"].astype(float), start, n, q) for q in (0.5, 0.25, 0.75))
    n_prov = votes.groupby("_code")["provider"].nunique().reindex(n.index, fill_value=0)
    # the dedupe winners behind each row, sorted and ';'-joined
    src = votes[["_code", "source"]].dropna().drop_duplicates().sort_values(["_code", "source"])
    joined: dict[int, list[str]] = {}
    for k, name in zip(src["_code"].tolist(), src["source"].tolist(), strict=True):
        joined.setdefault(k, []).append(name)
    segments = firsts["segment"].tolist()
    cov = [coverage(seg, int(k), int(p), min_providers, min_machines)
           for seg, k, p in zip(segments, n.tolist(), n_prov.tolist(), strict=True)]
    out = pd.DataFrame({
        "day": firsts["day"].to_numpy(), "gpu_model": firsts["gpu_model"].to_numpy(), "segment": segments,
        "price_type": firsts["price_type"].to_numpy(), "geo": firsts["geo"].to_numpy(), "method": method,
        "n": n.to_numpy(dtype="int64"), "n_providers": n_prov.to_numpy(dtype="int64"), "median": med.to_numpy(),
        "p25": p25.to_numpy(), "p75": p75.to_numpy(), "low_confidence": [c[0] for c in cov],
        "reason": [c[1] for c in cov], "sources": [";".join(joined.get(k, [])) for k in n.index]})
    return out.sort_values(["day", "gpu_model", "segment", "price_type", "geo"]).reset_index(drop=True)


def price_index(obs: pd.DataFrame, regions: pd.DataFrame, source_kinds: Mapping[str, str],
                as_of: date | datetime | None = None, persist_sources: Iterable[str] = ("cloud_gpus",),
                **params) -> pd.DataFrame:
    """The default method end to end: observations -> marts.price_index rows (method cw-<version>)."""
    units, _ = prepare(obs, regions, source_kinds, as_of, persist_sources)
    return index_rows(units, METHOD, **params)


# ---- windows, staleness and headlines (§3.5) ----
def _as_date(value) -> date:
    if value is None:
        return datetime.now(UTC).date()
    if isinstance(value, datetime):
        return value.astimezone(UTC).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def window(units: pd.DataFrame, as_of=None, days: int = HEADLINE_DAYS) -> tuple[pd.DataFrame, date, date]:
    """Units with as_of - days < day <= as_of. as_of defaults to today (never the newest row)."""
    end = _as_date(as_of)
    start = end - timedelta(days=days - 1)
    return units[(units["day"] >= start) & (units["day"] <= end)], start, end


def stale_flags(units: pd.DataFrame, as_of=None, stale_days: int = STALE_DAYS) -> pd.DataFrame:
    """Each provider's newest price (per gpu_model, price_type, segment) with `age_days` and `stale`.

    A list price stands until it changes, so a ladder shows a provider's newest price; set more than
    `stale_days` before as_of (its price_since) it is stale: marked, and left out of current headlines.
    """
    end = _as_date(as_of)
    past = units[units["day"] <= end]
    keys = ["gpu_model", "price_type", "segment", "provider"]
    newest = (past.sort_values("day").groupby(keys)
              .agg(newest_day=("day", "max"), price_since=("price_since", "last")).reset_index())
    newest["age_days"] = [(end - d).days for d in newest["price_since"]]
    newest["stale"] = newest["age_days"] > stale_days
    return newest


def headlines(units: pd.DataFrame, gpu_model: str = "H100 SXM", price_type: str = "on_demand",
              geo: str = "all", as_of=None, days: int = HEADLINE_DAYS, stale_days: int = STALE_DAYS,
              min_providers: int = MIN_PROVIDERS, min_machines: int = MIN_MACHINES) -> pd.DataFrame:
    """One headline per segment (and block) for a GPU model and price type, as of a date (§3.5).

    Each provider votes with its newest day in the window ending `as_of` (marketplaces: each machine
    of that provider's newest snapshot). Prices older than `stale_days` are excluded and counted in
    `n_stale`. When a segment has nothing in the window, its newest earlier window with data is used
    and `age_days` says how old that window's end is. `oldest`/`newest` name the oldest and newest
    contributing observation; `as_of_text` says it in words. Blocks (centralised, decentralised)
    appear only when both their segments have a figure, and name the segments they contain.
    """
    end = _as_date(as_of)
    sel = units[(units["gpu_model"] == gpu_model) & (units["price_type"] == price_type)
                & (units["day"] <= end) & ~units["outlier"]]
    if geo != "all":
        sel = sel[sel["geo"] == geo]
    rows, votes_by_segment = [], {}
    for segment in SEGMENTS:
        seg = sel[sel["segment"] == segment]
        if seg.empty:
            continue
        win_end, fallback = end, False
        cur, start, _ = window(seg, win_end, days)
        if cur.empty:  # nothing in the window: use the newest window that has data
            win_end, fallback = max(seg["day"]), True
            cur, start, _ = window(seg, win_end, days)
        newest = cur.groupby("provider")["day"].transform("max")
        cur = cur[cur["day"] == newest]
        is_stale = pd.Series([(win_end - d).days > stale_days for d in cur["price_since"]], index=cur.index,
                             dtype=bool)
        n_stale = int(cur.loc[is_stale, "provider"].nunique())
        cur = cur[~is_stale]
        if cur.empty:
            continue
        votes = cur.groupby(["provider", "unit"]).agg(price=("price", "median"), day=("day", "max")).reset_index()
        votes_by_segment[segment] = votes
        rows.append(_headline_row(segment, segment, votes, start, win_end, end, fallback, n_stale,
                                  min_providers, min_machines))
    for block, parts in BLOCKS.items():
        sub = [r for r in rows if r["segment"] in parts]
        # A block pools its segments only when each has data in the same window: a segment that
        # fell back to an older window would mix dates (§3.3).
        same_window = len({(r["window_start"], r["window_end"]) for r in sub}) == 1
        if all(p in votes_by_segment for p in parts) and same_window:
            votes = pd.concat([votes_by_segment[p] for p in parts])
            row = _headline_row(block, "+".join(parts), votes, min(r["window_start"] for r in sub),
                                max(r["window_end"] for r in sub), end, any(r["fallback"] for r in sub),
                                sum(r["n_stale"] for r in sub), min_providers, min_machines)
            row["low_confidence"] = any(r["low_confidence"] for r in sub)
            row["reason"] = "; ".join(f"{r['segment']}: {r['reason']}" for r in sub if r["reason"]) or None
            rows.append(row)
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS)


HEADLINE_COLUMNS = ["segment", "contains", "median", "p25", "p75", "n", "n_providers", "oldest", "newest",
                    "window_start", "window_end", "age_days", "fallback", "n_stale", "low_confidence",
                    "reason", "as_of_text"]


def _headline_row(name, contains, votes, start, win_end, as_of, fallback, n_stale, min_p, min_m) -> dict:
    med, p25, p75 = _summary(votes["price"])
    n, n_prov = len(votes), votes["provider"].nunique()
    seg = name if name in SEGMENTS else "blocks"
    low, why = coverage(seg, n, n_prov, min_p, min_m) if seg != "blocks" else (False, None)
    oldest, newest = min(votes["day"]), max(votes["day"])
    age = (as_of - win_end).days
    return {"segment": name, "contains": contains, "median": med, "p25": p25, "p75": p75, "n": n,
            "n_providers": n_prov, "oldest": oldest, "newest": newest, "window_start": start,
            "window_end": win_end, "age_days": age, "fallback": fallback, "n_stale": n_stale,
            "low_confidence": low, "reason": why,
            "as_of_text": as_of_text(oldest, newest, as_of if not fallback else None, age if fallback else 0)}


def as_of_text(oldest: date, newest: date, as_of: date | None = None, age_days: int = 0) -> str:
    """'observations 2026-02-27 to 2026-03-04' (+ 'newest data is N days old' when a window fell back)."""
    span = f"observations {oldest.isoformat()}" + ("" if oldest == newest else f" to {newest.isoformat()}")
    return span + (f"; no data in the current window, newest data is {age_days} days old" if age_days else "")


# ---- unit of compute (§3.9) ----
H100E_BASE = "H100 SXM"


def h100e(compute: pd.DataFrame, base: str = H100E_BASE) -> pd.DataFrame:
    """gpu_model -> h100e (dense BF16 tensor FLOPS / H100 SXM's) and h100e_memory (memory-aware).

    compute: data/seed/gpu_compute.csv (gpu_model, bf16_dense_tflops, memory_gb, memory_bandwidth_tbs).
    h100e_memory is the geometric mean of the FLOPS ratio and the HBM bandwidth ratio: training is
    mostly compute-bound and inference decoding bandwidth-bound, so both count equally (H200: 1.000
    by FLOPS, 1.197 memory-aware). A model without a bandwidth figure gets no memory-aware value.
    """
    c = compute.set_index("gpu_model")
    if base not in c.index:
        raise ValueError(f"no compute figure for {base!r}")
    f0, b0 = float(c.loc[base, "bf16_dense_tflops"]), float(c.loc[base, "memory_bandwidth_tbs"])
    out = pd.DataFrame({"gpu_model": c.index, "bf16_dense_tflops": c["bf16_dense_tflops"].astype(float).values})
    out["h100e"] = out["bf16_dense_tflops"] / f0
    bw = pd.to_numeric(c["memory_bandwidth_tbs"], errors="coerce").values
    out["h100e_memory"] = [math.sqrt(h * (b / b0)) if b == b else None for h, b in zip(out["h100e"], bw, strict=True)]
    return out.reset_index(drop=True)


def usd_per_pflop_hour(price_usd_per_gpu_hour: float, bf16_dense_tflops: float) -> float:
    """USD per dense-BF16 PFLOP-hour: the GPU-hour price / (dense TFLOPS / 1000)."""
    return price_usd_per_gpu_hour / (bf16_dense_tflops / 1000.0)


# ---- CCIR CRI, methodology 1.1.1 (docs/METHODOLOGY.md §3.10; ccir-index/cri-h100 pipeline/) ----
CCIR_RELIABILITY = 0.90
CCIR_MIN_GPUS = 1
CCIR_STALE_DAYS = 7
CCIR_SIGMA = 2.5
CCIR_TRIM = 0.10
CCIR_MIN_OBS_DAY = 8
CCIR_MIN_VALID_DAYS = 3
CCIR_WINDOW_DAYS = 7
# CCIR index name -> (Vast gpu_name queried, ComputeWatch gpu_model)
CCIR_INDICES = {
    "CRI-H100": ("H100 SXM", "H100 SXM"),
    "CRI-H200": ("H200", "H200"),
    "CRI-L40S": ("L40S", "L40S"),
    "CRI-4090": ("RTX 4090", "RTX 4090"),
}
CCIR_OFFER_FIELDS = ("collected_at", "gpu_name", "id", "num_gpus", "dph_total", "geolocation", "rented",
                     "reliability2", "start_date")


def ccir_offers(snapshots: Iterable[tuple[datetime, dict]]) -> pd.DataFrame:
    """Raw Vast search answers -> the frame ccir_cri() takes: one row per offer per collection.

    snapshots: (collection time, parsed `{"offers": [...]}`) pairs. Keeps CCIR_OFFER_FIELDS plus
    host_id, machine_id and rentable.
    """
    rows = []
    for collected_at, doc in snapshots:
        for o in (doc or {}).get("offers", []):
            rows.append({"collected_at": pd.Timestamp(collected_at),
                         **{k: o.get(k) for k in CCIR_OFFER_FIELDS if k != "collected_at"},
                         "host_id": o.get("host_id"), "machine_id": o.get("machine_id"),
                         "rentable": o.get("rentable", True)})
    return pd.DataFrame(rows, columns=[*CCIR_OFFER_FIELDS, "host_id", "machine_id", "rentable"])


def ccir_daily_observations(offers: pd.DataFrame, gpu_name: str) -> dict[date, list[float]]:
    """CCIR's quality filters (Methodology §6; collect.py filter_for_model), per collection day.

    Offer qualifies if: gpu_name matches, rentable and not rented, geolocation ends with ', US',
    reliability2 >= 0.90, num_gpus >= 1, start_date (epoch seconds) no older than 7 days before the
    collection time (a missing start_date counts as 0, i.e. stale, as in collect.py), and
    dph_total / num_gpus > 0. Observation = dph_total / num_gpus rounded to 6 places, one per offer.
    """
    out: dict[date, list[float]] = {}
    if offers.empty:
        return out
    df = offers[offers["gpu_name"] == gpu_name]
    if df.empty:
        return out
    # Each filter as a mask with the row loop's Python semantics: `x or 0` keeps NaN (so NaN passes a
    # `< threshold` test), bool(NaN) is True, `is False` is only a real False; object columns, whose
    # values may be anything, are tested value by value exactly as the loop did.
    collected = pd.Series([_utc(t) for t in df["collected_at"].unique()], index=df["collected_at"].unique())
    at = df["collected_at"].map(collected)
    keep = pd.Series(True, index=df.index)
    if "rentable" in df:
        keep &= ~_values(df["rentable"], lambda v: v is False, lambda s: ~s if s.dtype == bool else s.isna() & s.notna())
    keep &= ~_values(df["rented"], bool, lambda s: s != 0)
    geo = df["geolocation"]
    keep &= geo.map(lambda v: str(v or "").endswith(", US")).astype(bool) if geo.dtype == object \
        else geo.fillna("").astype(str).str.endswith(", US")
    keep &= ~_values(df["reliability2"], lambda v: (v or 0) < CCIR_RELIABILITY, lambda s: s < CCIR_RELIABILITY)
    keep &= ~_values(df["num_gpus"], lambda v: (v or 0) < CCIR_MIN_GPUS, lambda s: s < CCIR_MIN_GPUS)
    start = df["start_date"].map(lambda v: v if v is not None and v == v else 0) if df["start_date"].dtype == object \
        else df["start_date"].fillna(0)
    stamps = pd.Series([t.timestamp() for t in collected], index=collected.index)
    keep &= ~(start < df["collected_at"].map(stamps) - CCIR_STALE_DAYS * 86400).astype(bool)
    df, at = df[keep], at[keep]
    if df.empty:
        return out
    if df["dph_total"].dtype == object or df["num_gpus"].dtype == object:
        prices = []
        for dph, num in zip(df["dph_total"], df["num_gpus"], strict=True):
            try:
                prices.append(float(dph) / int(num))
            except (TypeError, ValueError, ZeroDivisionError):
                prices.append(float("nan"))
        price = pd.Series(prices, index=df.index, dtype=float)
    else:  # int() truncates; a NaN count fails int() and drops the offer
        price = df["dph_total"].astype(float) / df["num_gpus"].astype(float).floordiv(1)  # counts >= 1 here
    good = price > 0
    for d, p in zip([t.date() for t in at[good]], price[good].tolist(), strict=True):
        out.setdefault(d, []).append(round(p, 6))
    return out


def _utc(value) -> pd.Timestamp:
    t = pd.Timestamp(value)
    return t.tz_localize(UTC) if t.tzinfo is None else t


def _values(s: pd.Series, each: Callable, whole: Callable) -> pd.Series:
    """A boolean mask: `each` value by value for object columns, else `whole` on the column."""
    if s.dtype == object:
        return s.map(each).astype(bool)
    return whole(s).astype(bool)


def ccir_remove_outliers(prices: list[float], sigma: float = CCIR_SIGMA) -> list[float]:
    """Drop prices more than sigma sample-SDs (of all prices) from the 10%-trimmed mean (CCIR §7.2).

    As in calculate.py: fewer than 4 prices or a zero SD -> unchanged; the trim drops
    max(1, int(10% of n)) at each end; the threshold is inclusive (<= sigma x SD is kept).
    """
    if len(prices) < 4:
        return list(prices)
    ordered = sorted(prices)
    k = max(1, int(len(ordered) * CCIR_TRIM))
    t_mean = statistics.mean(ordered[k:-k])
    sd = statistics.stdev(prices)
    if sd == 0:
        return list(prices)
    return [p for p in prices if abs(p - t_mean) <= sigma * sd]


def ccir_cri(offers: pd.DataFrame, gpu_name: str, end_day: date, window_days: int = CCIR_WINDOW_DAYS,
             daily: Mapping[date, list[float]] | None = None) -> dict:
    """CRI value for the window of `window_days` days ending on `end_day` (CCIR calculate.py, 1.1.1).

    offers: ccir_offers() frame (columns CCIR_OFFER_FIELDS). A day counts when it has at least 8
    qualifying observations (before outlier removal, as calculate.py does); its cleaned observations
    are pooled; the index is their median rounded to 4 places; low_confidence when fewer than 3 days
    count. `daily` may add days whose raw offers are not in `offers` (CCIR's own per-day CSVs).
    """
    days = {**ccir_daily_observations(offers, gpu_name), **(daily or {})}
    pooled, valid, per_day = [], 0, {}
    for i in range(window_days - 1, -1, -1):
        d = end_day - timedelta(days=i)
        raw = days.get(d)
        if not raw or len(raw) < CCIR_MIN_OBS_DAY:
            per_day[d] = len(raw or [])
            continue
        cleaned = ccir_remove_outliers(raw)
        if not cleaned:
            continue
        pooled.extend(cleaned)
        valid += 1
        per_day[d] = len(cleaned)
    if not pooled:
        return {"end_day": end_day, "index_value": None, "n": 0, "valid_days": 0, "low_confidence": True,
                "reason": "no valid observations in window", "per_day": per_day, "observations": []}
    low = valid < CCIR_MIN_VALID_DAYS
    return {"end_day": end_day, "index_value": round(statistics.median(pooled), 4), "n": len(pooled),
            "valid_days": valid, "low_confidence": low,
            "reason": f"only {valid} valid days in {window_days}-day window" if low else None,
            "per_day": per_day, "observations": pooled}


def ccir_index_rows(offers: pd.DataFrame, days: Iterable[date]) -> pd.DataFrame:
    """marts.price_index rows of method ccir-cri-1.1.1 for each CRI and each window end in `days`."""
    rows = []
    for _name, (gpu_name, model) in CCIR_INDICES.items():
        daily = ccir_daily_observations(offers, gpu_name)
        for d in days:
            # the day lists are computed once per index above, not again for every window end
            r = ccir_cri(offers.iloc[0:0], gpu_name, d, daily=daily)
            if r["index_value"] is None:
                continue
            obs = pd.Series(r["observations"])
            rows.append((d, model, "marketplace", "on_demand", "US", CCIR_METHOD, r["n"], 1, r["index_value"],
                         float(obs.quantile(0.25)), float(obs.quantile(0.75)), r["low_confidence"], r["reason"], "vast"))
    return pd.DataFrame(rows, columns=INDEX_COLUMNS)


def ccir_offers_from_core(prices: pd.DataFrame) -> pd.DataFrame:
    """core.gpu_prices rows of source 'vast' -> the ccir_cri() frame (for marts.price_index).

    Mapping: observed_at -> collected_at, gpu_model_raw -> gpu_name, gpu_count -> num_gpus,
    price_usd_per_gpu_hour x gpu_count -> dph_total, reliability -> reliability2 (vast.py stores
    reliability2 there), offer_id -> id. `start_date` must be a column of core.gpu_prices (epoch
    seconds of the listing's start): without it every offer counts as stale, as CCIR's collector
    treats a missing start_date, and no CRI can be computed.
    """
    vast = prices[prices["source"] == "vast"]
    start = vast["start_date"] if "start_date" in vast else pd.Series(None, index=vast.index, dtype=object)
    return pd.DataFrame({
        "collected_at": pd.to_datetime(vast["observed_at"], utc=True),
        "gpu_name": vast["gpu_model_raw"], "id": vast["offer_id"], "num_gpus": vast["gpu_count"],
        "dph_total": vast["price_usd_per_gpu_hour"] * vast["gpu_count"],
        "geolocation": vast["geolocation"], "rented": vast["rented"].fillna(False).astype(bool),
        "reliability2": vast["reliability"], "start_date": start,
        "host_id": _col(vast, "host_id"), "machine_id": _col(vast, "machine_id"), "rentable": True,
    }).reset_index(drop=True)


RATIOS = (("marketplace", "neocloud"), ("depin", "neocloud"), ("hyperscaler", "neocloud"))


def headline_ratios(heads: pd.DataFrame, pairs=RATIOS) -> pd.DataFrame:
    """Ratios of segment medians (marketplace/neocloud, DePIN/neocloud, hyperscaler/neocloud) where both
    segments have a headline; low_confidence when either side is."""
    h = heads.set_index("segment")
    rows = []
    for num, den in pairs:
        if num in h.index and den in h.index:
            rows.append({"ratio": f"{num}/{den}", "value": h.loc[num, "median"] / h.loc[den, "median"],
                         "low_confidence": bool(h.loc[num, "low_confidence"] or h.loc[den, "low_confidence"])})
    return pd.DataFrame(rows, columns=["ratio", "value", "low_confidence"])
