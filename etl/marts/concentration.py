"""marts.concentration: HHI (with bounds), CR4, equivalent firms, Nakamoto and Gini per period x declared market.

Load inputs: core.market_shares (published shares: clouds, AI compute owners, accelerator vendors, any
other market), core.gpu_prices offers with a machine_id and host_id (marketplace listings, per GPU model),
core.supply rows with a host_id (GPUs per provider on other networks) and core.indicators (group shares
of AI compute owned, Epoch's "AI chip owners").
Process: one share vector per (market, GPU model, source, period), indices from etl.concentration.
Save: three tables, replaced on every build.

- marts.concentration: one row per period x market x gpu_model (grain; gpu_model NULL for markets not
  defined per model) with the market's declaration (product, geography, basis, coverage) and the
  indices. Where only the largest firms' shares are published, the HHI is an interval
  [hhi_low, hhi_high] and `hhi` is its midpoint, for plotting only; trend_hhi_low/high is the interval
  over the market's usual firms (constant from period to period), method_break marks a period whose
  published list differs from the previous one. withheld/withheld_reason apply the withhold rule and
  `reading` is the sentence derived from the interval (US 2023 bands). Units: shares in percent, HHI
  on the 0-10,000 scale.
- marts.concentration_shares: the per-entity shares behind each row, plus an explicit
  "Others (unpublished)" residual for published-top-firms markets (bar charts, Lorenz curves, mergers).
- marts.concentration_skipped: the markets or periods that could not be computed, with the reason.

The rules (residual, bounds, tail caps, per-machine counting, owner intervals, basis breaks, withhold,
readings) are etl.concentration's (docs/METHODOLOGY.md §1); this module reads core tables, calls them and
writes the marts. A bad market or period never fails the build: it is skipped, printed to stderr and
kept in marts.concentration_skipped. Markets left out on purpose (EXCLUDE) are only recorded there.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from etl import concentration as c

CONCENTRATION_COLUMNS: dict[str, str] = {
    "period": "DATE", "period_label": "VARCHAR", "market": "VARCHAR", "market_label": "VARCHAR",
    "block": "VARCHAR", "segment": "VARCHAR", "kind": "VARCHAR", "basis": "VARCHAR", "unit": "VARCHAR",
    "coverage": "VARCHAR", "hhi": "DOUBLE", "hhi_low": "DOUBLE", "hhi_high": "DOUBLE", "bounded": "BOOLEAN",
    "hhi_method": "VARCHAR", "cr4": "DOUBLE", "cr4_high": "DOUBLE", "equivalent_firms": "DOUBLE",
    "equivalent_firms_low": "DOUBLE", "equivalent_firms_high": "DOUBLE", "nakamoto": "INTEGER",
    "gini": "DOUBLE", "gini_scope": "VARCHAR", "n_entities": "INTEGER", "published_pct": "DOUBLE",
    "residual_pct": "DOUBLE", "total_value": "DOUBLE", "gaps": "VARCHAR", "in_trend": "BOOLEAN",
    "verdict": "VARCHAR", "note": "VARCHAR", "source": "VARCHAR",
    # the declared market (docs/METHODOLOGY.md §1.6)
    "gpu_model": "VARCHAR", "product": "VARCHAR", "geography": "VARCHAR", "coverage_pct": "DOUBLE",
    "coverage_label": "VARCHAR", "variant": "VARCHAR", "sample_capped": "BOOLEAN", "n_machines": "INTEGER",
    # residual cap, constant-set trend and method breaks (§1.10)
    "cap_pct": "DOUBLE", "cap_source": "VARCHAR", "trend_hhi_low": "DOUBLE", "trend_hhi_high": "DOUBLE",
    "trend_set": "VARCHAR", "listed_set": "VARCHAR", "method_break": "BOOLEAN", "break_reason": "VARCHAR",
    # withhold rule and reading (§1.11)
    "withheld": "BOOLEAN", "withheld_reason": "VARCHAR", "low_assumption": "VARCHAR",
    "high_assumption": "VARCHAR", "reading": "VARCHAR",
}
SHARES_COLUMNS: dict[str, str] = {
    "period": "DATE", "period_label": "VARCHAR", "market": "VARCHAR", "market_label": "VARCHAR",
    "block": "VARCHAR", "entity": "VARCHAR", "rank": "INTEGER", "share_pct": "DOUBLE",
    "share_low_pct": "DOUBLE", "share_high_pct": "DOUBLE", "value": "DOUBLE", "unit": "VARCHAR",
    "is_residual": "BOOLEAN", "source": "VARCHAR", "ref_url": "VARCHAR", "note": "VARCHAR",
    "gpu_model": "VARCHAR",
}
SKIPPED_COLUMNS: dict[str, str] = {"market": "VARCHAR", "period_label": "VARCHAR", "source": "VARCHAR",
                                   "reason": "VARCHAR"}

_CLOUD = {"product": "cloud infrastructure services (IaaS, PaaS, hosted private cloud)", "basis": "revenue",
          "coverage_pct": 100.0, "coverage_label": "whole market (listed firms plus a bounded residual)"}
_EPOCH = {"basis": "capacity owned", "coverage_pct": 20.0, "coverage_label": "about 10-20% of global AI compute",
          "geography": "worldwide"}
# Each market's declaration (docs/METHODOLOGY.md §1.6): product, geography, basis, coverage, and the
# caveat shown with it. Markets not listed here are handled generically (label from the id, basis as
# the source states it, coverage unknown).
MARKETS: dict[str, dict] = {
    "cloud_infrastructure_synergy": {
        **_CLOUD, "label": "Cloud infrastructure, worldwide (Synergy)", "segment": "hyperscaler",
        "geography": "worldwide",
        "caveat": "Synergy Research publishes only the largest providers' shares of IaaS, PaaS and hosted "
                  "private cloud revenue; the rest is unpublished, so the HHI is a range. Not pooled with "
                  "Canalys, whose market definition differs.",
    },
    "cloud_infrastructure_canalys": {
        **_CLOUD, "label": "Cloud infrastructure, worldwide (Canalys)", "segment": "hyperscaler",
        "geography": "worldwide",
        "caveat": "Canalys publishes AWS, Microsoft Azure and Google Cloud only (history revised in Aug 2024); "
                  "the other ~37% is unpublished, so the HHI is a range. Not pooled with Synergy.",
    },
    "cloud_infrastructure_uk_cma": {
        **_CLOUD, "label": "Cloud infrastructure, UK (CMA)", "segment": "hyperscaler", "geography": "UK",
        "caveat": "UK customer spend in 2024; the CMA published 10-point ranges (AWS and Microsoft 30-40%, "
                  "Google 0-10%). Points are midpoints; the HHI range spans the published ranges.",
    },
    "datacenter_gpu_shipments": {
        "label": "Data-centre GPU shipments, by vendor", "segment": None, "product": "data-centre GPUs (units)",
        "geography": "worldwide", "basis": "shipments", "coverage_pct": 100.0,
        "coverage_label": "whole market (NVIDIA's share plus a bounded residual)",
        "caveat": "NVIDIA's share of data-centre GPU units shipped (TechInsights, 2022-2023). GPUs only: "
                  "custom accelerators (TPU, Trainium) are a different market.",
    },
    "ai_accelerators_revenue": {
        "label": "Data-centre AI accelerators incl. custom chips, by vendor (revenue)", "segment": None,
        "product": "data-centre AI accelerators incl. custom chips", "geography": "worldwide", "basis": "revenue",
        "coverage_pct": 100.0, "coverage_label": "whole market (NVIDIA's range plus a bounded residual)",
        "caveat": "NVIDIA's published 80-90% of data-centre accelerator revenue in 2025 (EE Herald, tertiary); "
                  "AMD, Intel and in-house chips are in the unpublished residual. Not joined to the shipment "
                  "series: a change of basis is a different market.",
    },
    "ai_assistants_similarweb": {
        "label": "AI assistants, worldwide web visits (Similarweb)", "segment": None,
        "product": "AI assistant services (chatbots)", "geography": "worldwide", "basis": "web visits",
        "coverage_pct": None, "coverage_label": "web visits only: apps and APIs are not counted",
        "caveat": "Similarweb's shares of web visits to AI chatbot sites; apps, API traffic and assistants "
                  "built into other products are not counted. The downstream AI-service market the "
                  "Scenarios page takes its conduct from.",
    },
    "ai_compute_by_owner_epoch": {
        **_EPOCH, "label": "AI supercomputer capacity, by owner (Epoch AI clusters)", "segment": None,
        "product": "AI-supercomputer capacity (H100-equivalents) in the clusters Epoch AI tracks",
        "caveat": "Shares of the large GPU clusters Epoch AI tracks (about 10-20% of global AI compute), "
                  "not of all compute. Anonymised and undisclosed owners make the HHI an interval.",
    },
    "ai_chip_owners_epoch": {
        "label": "AI compute owned, worldwide (Epoch AI 'AI Chip Owners')", "segment": None,
        "product": "AI compute (H100-equivalents) owned, all chips incl. TPUs", "geography": "worldwide",
        "basis": "capacity owned", "coverage_pct": 100.0, "coverage_label": "Epoch's estimate of all AI compute",
        "caveat": "Epoch AI publishes group shares only: top US hyperscalers more than 60%, Chinese companies "
                  "just over 5%, Google the largest owner. The HHI is bounded by those facts.",
    },
    "ai_compute_by_country_epoch": {
        **_EPOCH, "label": "AI supercomputer capacity, by country (Epoch AI)", "segment": None,
        "product": "AI-supercomputer capacity (H100-equivalents), by country",
        "caveat": "Countries, not firms: geographic concentration. The merger-guideline bands are for firms "
                  "and are shown for scale only.",
    },
    "ai_compute_by_country_epoch_insight": {
        **_EPOCH, "label": "GPU-cluster performance, by country (Epoch AI, May 2025)", "segment": None,
        "product": "GPU-cluster performance, by country",
        "caveat": "Countries, not firms: geographic concentration from Epoch AI's May 2025 data insight "
                  "(US, China, EU; 'others' 4% unpublished). Bands shown for scale only.",
    },
    "inference_endpoints_openrouter": {
        "label": "LLM inference on OpenRouter, by provider", "segment": None, "basis": "usage",
        "product": "LLM tokens routed through OpenRouter", "geography": "worldwide (one aggregator)",
        "caveat": "Shares of the traffic routed through OpenRouter only, one aggregator among many.",
    },
}
# A market published on several bases is one market per basis (docs/METHODOLOGY.md §1.9).
BASIS_MARKETS: dict[tuple[str, str], str] = {
    ("datacenter_ai_accelerators", "shipments"): "datacenter_gpu_shipments",
    ("datacenter_ai_accelerators", "revenue"): "ai_accelerators_revenue",
}
# Seed basis words -> the declared bases (etl.concentration.BASES).
BASIS_WORDS = {"cluster performance": "capacity owned"}
# Markets whose entities are not suppliers: an HHI of them says nothing about market power.
EXCLUDE: dict[str, str] = {
    "ai_acceleration_by_chip_type": "entities are chip types (GPUs, ASICs, CPUs + FPGAs), not suppliers",
}
UNDISCLOSED_PREFIX = "Undisclosed owner"  # etl.sources.epoch_clusters.UNDISCLOSED
# Epoch's "top US hyperscalers" group, taken as five firms (Google, Microsoft, Amazon, Meta, Oracle): an
# assumption the reading names. Fewer members would raise the lower bound.
HYPERSCALER_GROUP = ("Top US hyperscalers", 5)
OWNED_INDICATOR = "share_of_global_ai_compute_owned"

# Marketplaces with per-offer machine ids (core.gpu_prices), per GPU model (docs/METHODOLOGY.md §1.7).
MARKETPLACES: dict[str, dict] = {
    "vast": {
        "market": "vast_hosts", "name": "Vast.ai", "segment": "marketplace",
        "caveat": "Every GPU of each machine with a rentable offer in the daily search (rented or not), counted "
                  "once per machine per day: round(num_gpus / gpu_frac) of any of its offers. A host's share = "
                  "its GPUs / all GPUs of that model listed that day. One operator may hold several host ids, "
                  "and Vast itself is one supplier in the GPU-rental market: this is rivalry inside one platform.",
    },
}
# Per-provider supply on other networks (core.supply rows with a host_id), by source.
SUPPLY_MARKETS: dict[str, dict] = {
    "akash": {
        "market": "akash_providers", "label": "Akash: GPUs on online providers, by provider",
        "caveat": "GPUs (leased, available or pending) of online Akash providers, per provider address; "
                  "one operator may run several providers.",
    },
}


def log(message: str) -> None:
    print(f"concentration: {message}", file=sys.stderr)


# --------------------------------------------------------------------------- pure helpers

def _label(market: str) -> str:
    return market.replace("_", " ").strip().capitalize()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")


@dataclass
class Period:
    """One share vector: a market in a period, from one source."""

    market: str
    label: str
    block: str
    segment: str | None
    kind: str  # "published shares" or "operator supply"
    period: object
    period_label: str
    source: str
    basis: str
    unit: str | None
    coverage: str
    entities: list[c.Entity]
    gaps: list[str] = field(default_factory=list)  # firms usually listed but missing this period
    larger_missing: bool = False  # one of them is usually larger than the smallest listed firm
    notes: list[str] = field(default_factory=list)
    declared: dict = field(default_factory=dict)  # product, geography, coverage_pct, coverage_label
    gpu_model: str | None = None
    variant: str | None = None
    capped: bool = False
    n_machines: int | None = None
    cap: tuple[float, str] | None = None  # published next-firm cap (§1.10)
    trend_cap: tuple[float, str] | None = None
    usual: list[str] = field(default_factory=list)  # the market's usual firms (constant trend set)
    previous: list[str] | None = None  # the previous period's listed firms


def _clean(value) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _pct(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _assumptions(p: Period, ix: c.ListIndices) -> tuple[str | None, str | None]:
    """What each end of the interval assumes about what the source did not publish (for the reading)."""
    if not ix.bounded:
        return None, None
    ranges = any((e.low is not None and e.low != e.share) or (e.high is not None and e.high != e.share)
                 for e in ix.entities)
    low = f"the unpublished {_pct(ix.residual)}% is split among many small firms" if ix.residual > 0.5 else ""
    if ranges:
        low = (low + " and " if low else "") + "published ranges sit at their low ends"
    if ix.residual <= 0.5:
        return low, "published ranges sit at their high ends"
    if p.gaps and p.larger_missing:
        rest = f"held by firms as large as the largest listed one (usually listed {', '.join(p.gaps)} missing)"
    elif p.cap and not p.larger_missing:
        rest = f"held by firms of {_pct(p.cap[0])}% ({p.cap[1]})"
    else:
        smallest = min((e for e in ix.entities if e.share > 0), key=lambda e: e.share)
        rest = f"held by firms as large as the smallest listed one ({smallest.name}, {_pct(smallest.share)}%)"
    high = f"published ranges sit at their high ends and the unpublished rest is {rest}" if ranges else f"it is {rest}"
    return low, high


def compute(p: Period) -> tuple[dict, list[dict]]:
    """The marts.concentration row and marts.concentration_shares rows of one share vector.

    The indices and the residual are etl.concentration's rules (list_indices, undisclosed_interval,
    capped_interval, withhold_reason, reading); this only lays them out as mart rows. Raises ValueError
    when the shares cannot describe a market.
    """
    ix = c.list_indices(p.entities, gaps=p.gaps, larger_missing=p.larger_missing, notes=p.notes,
                        cap=None if p.larger_missing else p.cap)
    entities = ix.entities
    low, high, bounded, method, value = ix.hhi_low, ix.hhi_high, ix.bounded, ix.method, ix.hhi
    low_why, high_why = _assumptions(p, ix)
    hidden = [e.name for e in entities if e.name.startswith(UNDISCLOSED_PREFIX)]
    if hidden and c.is_complete(ix.total):  # §1.8: undisclosed owners lumped (high) or fragmented (low)
        low, high, pct = c.undisclosed_interval({e.name: e.share for e in entities}, hidden)
        bounded, value = high - low > 1e-9, (low + high) / 2
        method = ("interval: undisclosed owners fragmented into many small owners (low) or each group as "
                  "one owner (high); hhi = midpoint, for plotting")
        low_why = f"the undisclosed owners' {_pct(pct)}% belongs to many small owners"
        high_why = "each group of undisclosed owners (" + ", ".join(hidden) + ") is one owner"
    names = [e.name for e in entities]
    trend_low, trend_high, trend_set = low, high, None
    usual = [n for n in p.usual if n in names]
    if not p.gaps and usual and len(usual) < len(names) and not c.is_complete(ix.total) and not hidden:
        # §1.10: the trend over the usual firms only, the others moved into the capped residual
        shares = [e.share for e in entities if e.name in usual]
        cap = p.trend_cap[0] if p.trend_cap else min(shares)
        trend_low, trend_high = c.capped_interval(shares, cap)
        trend_set = ", ".join(usual)
    changed = None  # a published top-firm list that names other firms than last period's (§1.10)
    if p.previous is not None and set(p.previous) != set(names) and p.kind == "published shares" \
            and not c.is_complete(ix.total):
        plus = sorted(set(names) - set(p.previous))
        minus = sorted(set(p.previous) - set(names))
        changed = "listed firms change: " + ", ".join([f"+{n}" for n in plus] + [f"-{n}" for n in minus])
    declared = p.declared
    coverage_pct = declared.get("coverage_pct")
    withheld = c.withhold_reason(low, high, capped=p.capped, coverage_pct=coverage_pct,
                                 coverage_text=declared.get("coverage_label", "").split(" of ")[0] or None)
    row = {
        "period": p.period, "period_label": p.period_label, "market": p.market, "market_label": p.label,
        "block": p.block, "segment": p.segment, "kind": p.kind, "basis": p.basis, "unit": p.unit,
        "coverage": p.coverage, "hhi": value, "hhi_low": low, "hhi_high": high,
        "bounded": bounded, "hhi_method": method, "cr4": ix.cr4, "cr4_high": ix.cr4_high,
        "equivalent_firms": c.equivalent_firms(value), "equivalent_firms_low": c.equivalent_firms(high),
        "equivalent_firms_high": c.equivalent_firms(low), "nakamoto": ix.nakamoto, "gini": ix.gini,
        "gini_scope": ix.gini_scope, "n_entities": len(entities), "published_pct": ix.total,
        "residual_pct": ix.residual, "total_value": math.fsum(e.value for e in entities)
        if all(e.value is not None for e in entities) else None,
        "gaps": ", ".join(p.gaps) or None, "in_trend": not p.gaps,
        "verdict": c.interval_verdict(low, high), "note": "; ".join(dict.fromkeys(ix.notes)) or None,
        "source": p.source,
        "gpu_model": p.gpu_model, "product": declared.get("product"), "geography": declared.get("geography"),
        "coverage_pct": coverage_pct, "coverage_label": declared.get("coverage_label"), "variant": p.variant,
        "sample_capped": p.capped, "n_machines": p.n_machines,
        "cap_pct": p.cap[0] if p.cap and not p.larger_missing and bounded else None,
        "cap_source": p.cap[1] if p.cap and not p.larger_missing and bounded else None,
        "trend_hhi_low": trend_low, "trend_hhi_high": trend_high, "trend_set": trend_set,
        "listed_set": ", ".join(names), "method_break": changed is not None, "break_reason": changed,
        "withheld": withheld is not None, "withheld_reason": withheld, "low_assumption": low_why,
        "high_assumption": high_why,
        "reading": c.reading(low, high, low_assumption=low_why or "", high_assumption=high_why or "",
                             withheld=withheld),
    }
    base = {"period": p.period, "period_label": p.period_label, "market": p.market, "market_label": p.label,
            "block": p.block, "source": p.source, "gpu_model": p.gpu_model}
    share_rows = [
        {**base, "entity": e.name, "rank": i, "share_pct": e.share, "share_low_pct": e.low,
         "share_high_pct": e.high, "value": e.value, "unit": p.unit, "is_residual": False, "ref_url": e.ref_url,
         "note": None}
        for i, e in enumerate(entities, start=1)
    ]
    if not c.is_complete(ix.total):
        share_rows.append({
            **base, "entity": c.RESIDUAL, "rank": None, "share_pct": ix.residual, "share_low_pct": None,
            "share_high_pct": None, "value": None, "unit": None, "is_residual": True, "ref_url": None,
            "note": "100% minus the published shares: firms not named by the source"})
    return row, share_rows


def _tails(by_period: dict, usual: list[str]) -> dict:
    """The periods whose list is a published tail (§1.10): period -> {firm: share}."""
    return {k: {e.name: e.share for e in v} for k, v in by_period.items()
            if usual and c.is_tail([e.name for e in v], usual)
            and not c.is_complete(math.fsum(e.share or 0 for e in v))}


def _nearest_tail(period, tails: dict) -> tuple[object, dict] | None:
    """The tail nearest in time to `period` within etl.concentration.TAIL_MAX_DAYS (itself first)."""
    when = pd.Timestamp(period)
    near = [(abs((pd.Timestamp(k) - when).days), pd.Timestamp(k) > when, k) for k in tails]
    near = [n for n in near if n[0] <= c.TAIL_MAX_DAYS]
    if not near:
        return None
    key = min(near)[2]
    return key, tails[key]


def _cap_words(firm: str, tail_period, period, label_of: dict) -> str:
    where = "this period's" if tail_period == period else f"the {label_of[tail_period]}"
    return f"{firm}'s share in {where} published tail"


# --------------------------------------------------------------------------- inputs

def _published(con: duckdb.DuckDBPyConnection, skipped: list[dict]) -> list[Period]:
    frame = con.execute("""
        SELECT period, coalesce(period_label, strftime(period, '%Y-%m-%d')) AS period_label, market, entity,
               share_pct, share_low_pct, share_high_pct, basis, value, unit, coverage, source, ref_url
        FROM core.market_shares
        WHERE market IS NOT NULL AND entity IS NOT NULL AND period IS NOT NULL
        ORDER BY market, source, period, share_pct DESC
    """).df()
    out: list[Period] = []
    if frame.empty:
        return out
    frame["basis"] = frame["basis"].fillna("not stated").astype(str)
    n_sources = frame.groupby("market")["source"].nunique()
    for (market, source), whole in frame.groupby(["market", "source"], sort=True):
        if market in EXCLUDE:  # expected on every build: recorded, not printed
            skipped.append({"market": market, "period_label": None, "source": source, "reason": EXCLUDE[market]})
            continue
        bases = sorted(whole["basis"].unique())
        for basis in bases:  # §1.9: each basis is its own market, never joined into one series
            part = whole[whole["basis"] == basis]
            try:
                market_id = market if len(bases) == 1 else BASIS_MARKETS.get((market, basis),
                                                                           f"{market}_{_slug(basis)}")
                known = MARKETS.get(market_id, MARKETS.get(market, {}))
                if n_sources[market] > 1:
                    market_id = f"{market_id}:{source}"
                label = known.get("label") or _label(market) + (f" ({basis})" if len(bases) > 1 else "")
                if n_sources[market] > 1:
                    label += f" [{source}]"
                out += _published_market(part, market_id, label, known, str(source), basis)
            except Exception as exc:  # one bad market never stops the build
                log(f"skipped market {market} ({source}, {basis}): {exc}")
                skipped.append({"market": market, "period_label": None, "source": source, "reason": str(exc)})
    return out


def _published_market(part: pd.DataFrame, market_id: str, label: str, known: dict, source: str,
                      basis: str) -> list[Period]:
    by_period: dict = {}
    label_of: dict = {}
    for period, rows in part.groupby("period", sort=True):
        label_of[period] = str(rows["period_label"].iloc[0])
        by_period[period] = [
            c.Entity(str(r.entity), _clean(r.share_pct), _clean(r.share_low_pct), _clean(r.share_high_pct),
                     _clean(r.value), r.ref_url if isinstance(r.ref_url, str) else None)
            for r in rows.itertuples()
        ]
    regular = c.regular_firms(by_period)
    gaps = c.listing_gaps(by_period, regular, len(by_period))
    usual = [n for n in sorted(regular, key=lambda n: -regular[n] if not math.isnan(regular[n]) else 0)]
    tails = _tails(by_period, usual) if len(by_period) > 1 else {}
    out, previous = [], None
    for period, entities in by_period.items():
        rows = part[part["period"] == period]
        units = sorted({str(u) for u in rows["unit"].dropna()})
        coverage = " ".join(dict.fromkeys(
            [known.get("caveat") or ""] + [str(x) for x in rows["coverage"].dropna().unique()])).strip()
        names = [e.name for e in entities]
        cap = trend_cap = None
        near = _nearest_tail(period, tails)
        if near:
            tail_period, tail = near
            firm_cap = c.tail_cap(names, tail)
            # a usual firm missing now may be larger than the tail's cap: then the cap does not hold
            if firm_cap and not any(regular.get(n, 0) > firm_cap[0] for n in gaps[period][0]):
                cap = (firm_cap[0], _cap_words(firm_cap[1], tail_period, period, label_of))
            firm_trend = c.tail_cap(usual, tail)
            if firm_trend:
                trend_cap = (firm_trend[0], _cap_words(firm_trend[1], tail_period, period, label_of))
        out.append(Period(
            market=market_id, label=label, block="centralised", segment=known.get("segment"),
            kind="published shares", period=period, period_label=label_of[period], source=source,
            basis=known.get("basis") or BASIS_WORDS.get(basis, basis),
            unit=units[0] if len(units) == 1 else None, coverage=coverage or "not stated", entities=entities,
            gaps=gaps[period][0], larger_missing=gaps[period][1], declared=known, cap=cap, trend_cap=trend_cap,
            usual=usual, previous=previous))
        previous = names
    return out


def _owned(con: duckdb.DuckDBPyConnection, skipped: list[dict]) -> list[dict]:
    """Epoch's 'AI chip owners' facts (group shares of AI compute owned) as their own market (§1.8)."""
    frame = con.execute("""
        SELECT period, coalesce(period_label, strftime(period, '%Y-%m')) AS period_label, entity, value,
               value_low, source, ref_url
        FROM core.indicators WHERE indicator = ? AND unit = '%' ORDER BY period, entity
    """, [OWNED_INDICATOR]).df()
    rows = []
    group, members = HYPERSCALER_GROUP
    known = MARKETS["ai_chip_owners_epoch"]
    for period, part in frame.groupby("period", sort=True):
        try:
            shares = {str(r.entity): float(r.value_low if pd.notna(r.value_low) else r.value) for r in part.itertuples()}
            if group not in shares:
                continue
            others = math.fsum(v for k, v in shares.items() if k != group)
            low, high = c.group_share_bounds(shares[group], members, others)
            low_why = (f"Epoch's '{group}' (more than {_pct(shares[group])}%) are {members} firms of equal size "
                       "and everyone else is fragmented")
            high_why = f"one firm holds everything but the {_pct(others)}% of the other published group"
            withheld = c.withhold_reason(low, high, coverage_pct=known["coverage_pct"])
            label = str(part["period_label"].iloc[0])
            rows.append({
                "period": period, "period_label": label, "market": "ai_chip_owners_epoch",
                "market_label": known["label"], "block": "centralised", "segment": None,
                "kind": "published group shares", "basis": known["basis"], "unit": "%", "coverage": known["caveat"],
                "hhi": (low + high) / 2, "hhi_low": low, "hhi_high": high, "bounded": True,
                "hhi_method": f"bounds from group shares: {group} as {members} equal firms (low), one dominant "
                              "firm (high); hhi = midpoint, for plotting",
                "equivalent_firms": c.equivalent_firms((low + high) / 2), "equivalent_firms_low": c.equivalent_firms(high),
                "equivalent_firms_high": c.equivalent_firms(low), "n_entities": len(shares),
                "published_pct": math.fsum(shares.values()), "residual_pct": c.residual_pct(math.fsum(shares.values())),
                "in_trend": True, "verdict": c.interval_verdict(low, high), "source": str(part["source"].iloc[0]),
                "product": known["product"], "geography": known["geography"], "coverage_pct": known["coverage_pct"],
                "coverage_label": known["coverage_label"], "sample_capped": False, "trend_hhi_low": low,
                "trend_hhi_high": high, "listed_set": ", ".join(shares), "method_break": False,
                "withheld": withheld is not None, "withheld_reason": withheld, "low_assumption": low_why,
                "high_assumption": high_why,
                "reading": c.reading(low, high, low_assumption=low_why, high_assumption=high_why, withheld=withheld),
            })
        except Exception as exc:
            log(f"skipped ai_chip_owners_epoch {period}: {exc}")
            skipped.append({"market": "ai_chip_owners_epoch", "period_label": str(period), "source": None,
                            "reason": str(exc)})
    return rows


def _host_period(cap: c.HostCapacity, source: str, known: dict, segment: str | None, block: str) -> Period:
    values = [float(v) for v in cap.hosts.values()]
    shares = c.shares_from_values(values)
    name = known.get("name", source)
    if cap.gpu_model is None:
        label = f"{name} hosts, all GPU models pooled (variant)"
        market = f"{known['market']}_pooled"
        variant = "all GPU models pooled: models that do not substitute, shown as a variant only"
    else:
        label, market, variant = f"{name} hosts, {cap.gpu_model}", known["market"], None
    return Period(
        market=market, label=label, block=block, segment=segment, kind="operator supply", period=cap.day,
        period_label=pd.Timestamp(cap.day).strftime("%Y-%m-%d"), source=source, basis="capacity listed",
        unit="GPUs", coverage=known["caveat"],
        entities=[c.Entity(f"host {h}", s, value=v) for h, s, v in zip(cap.hosts, shares, values, strict=True)],
        declared={"product": f"{cap.gpu_model or 'all'} GPUs listed on {name}", "geography": f"worldwide ({name} only)",
                  "coverage_pct": 100.0, "coverage_label": f"every listing of {name}'s daily search"},
        gpu_model=cap.gpu_model, variant=variant, capped=cap.capped, n_machines=cap.machines)


def _block_of(con: duckdb.DuckDBPyConnection, segment: str | None) -> str:
    found = con.execute("SELECT block FROM ref.segments WHERE segment = ?", [segment]).fetchall() if segment else None
    return found[0][0] if found else "decentralised"


# Per marketplace machine and day (§1.7, etl.concentration.machine_gpus in SQL): round(num_gpus /
# gpu_frac) of any offer with a fraction (banker's rounding, as Python's round), else the largest
# num_gpus; capped when any of its offers came from a capped query. A machine is on one host; should
# its offers disagree, the largest host id is kept (a fixed choice, whatever the row order).
MACHINES_SQL = """
    SELECT CAST(observed_at AS DATE) AS day, gpu_model, machine_id, max(host_id) AS host_id,
           coalesce(max(round_even(CAST(gpu_count AS DOUBLE) / gpu_frac, 0))
                        FILTER (WHERE gpu_count > 0 AND gpu_frac > 0 AND gpu_frac <= 1 AND isfinite(gpu_frac)),
                    round_even(max(CAST(gpu_count AS DOUBLE)) FILTER (WHERE gpu_count > 0), 0), 0) AS gpus,
           bool_or(coalesce(query_capped, false)) AS capped
    FROM core.gpu_prices
    WHERE machine_id IS NOT NULL AND host_id IS NOT NULL AND gpu_model IS NOT NULL AND source = ?
      AND observed_at >= ? AND observed_at < ? AND list_contains(?::DATE[], CAST(observed_at AS DATE))
    GROUP BY ALL
"""


def host_capacities(machines: pd.DataFrame) -> list[c.HostCapacity]:
    """etl.concentration.host_capacity from per-machine GPU counts (MACHINES_SQL): per (day, GPU model),
    each host's GPUs summed over its machines with a positive count, sorted largest first."""
    out = []
    for (day, model), g in machines.groupby(["day", "gpu_model"], sort=True):
        capped = bool(g["capped"].any())
        g = g[g["gpus"] > 0]
        if g.empty:
            continue
        sums = g.groupby(g["host_id"].astype(str))["gpus"].sum()
        hosts = {str(h): int(v) for h, v in sorted(sums.items(), key=lambda kv: (-kv[1], kv[0]))}
        out.append(c.HostCapacity(day, model, hosts, len(g), capped, (model,)))
    return sorted(out, key=lambda cap: (str(cap.day), cap.gpu_model))


def _marketplaces(con: duckdb.DuckDBPyConnection, skipped: list[dict], days: list) -> list[Period]:
    """Host-level listed capacity per GPU model on `days` from the offers (§1.7), plus the pooled variant."""
    out: list[Period] = []
    if not days:
        return out
    lo = pd.Timestamp(min(days)).to_pydatetime()
    hi = (pd.Timestamp(max(days)) + pd.Timedelta(days=1)).to_pydatetime()
    for source in sorted(MARKETPLACES):
        try:
            known = MARKETPLACES[source]
            frame = con.execute(MACHINES_SQL, [source, lo, hi, list(days)]).df()
            if frame.empty:
                continue
            caps = host_capacities(frame)
            block = _block_of(con, known["segment"])
            out += [_host_period(cap, str(source), known, known["segment"], block) for cap in caps + c.pooled(caps)]
        except Exception as exc:
            log(f"skipped marketplace {source}: {exc}")
            skipped.append({"market": str(source), "period_label": None, "source": source, "reason": str(exc)})
    return out


def _supply(con: duckdb.DuckDBPyConnection, skipped: list[dict]) -> list[Period]:
    """GPUs per provider on networks without per-offer machine ids (core.supply rows with a host_id), per
    GPU model where the rows give one, from the last snapshot of each day."""
    frame = con.execute("""
        WITH hosts AS (
            SELECT source, network, any_value(segment) AS segment, observed_at, host_id, gpu_model,
                   coalesce(note, gpu_model, '') AS unit_key, max(gpus_total) AS gpus
            FROM core.supply
            WHERE host_id IS NOT NULL AND gpus_total > 0 AND NOT list_contains(?, source)
            GROUP BY source, network, observed_at, host_id, gpu_model, unit_key
        ), last AS (
            SELECT source, network, CAST(observed_at AS DATE) AS day, max(observed_at) AS observed_at
            FROM hosts GROUP BY ALL
        )
        SELECT h.source, h.network, any_value(h.segment) AS segment, any_value(s.block) AS block, l.day,
               h.gpu_model, h.host_id, sum(h.gpus) AS gpus
        FROM hosts h JOIN last l USING (source, network, observed_at)
        LEFT JOIN ref.segments s ON s.segment = h.segment
        GROUP BY h.source, h.network, l.day, h.gpu_model, h.host_id
        ORDER BY h.source, h.network, l.day, gpus DESC
    """, [list(MARKETPLACES)]).df()
    out: list[Period] = []
    if frame.empty:
        return out
    n_networks = frame.groupby("source")["network"].nunique()
    for (source, network), part in frame.groupby(["source", "network"], sort=True):
        try:
            known = SUPPLY_MARKETS.get(source, {})
            market = known.get("market") if n_networks[source] == 1 else None
            market = market or f"{_slug(source)}_{_slug(network)}_operators"
            base_label = known.get("label") or f"{network}: GPUs by operator"
            with_segment = part[part["segment"].notna()]
            segment = with_segment["segment"].iloc[0] if len(with_segment) else None
            # the block ref.segments gives that segment; per-operator supply without one is a network's
            block = with_segment["block"].iloc[0] if len(with_segment) and pd.notna(with_segment["block"].iloc[0]) \
                else "decentralised"
            per_model = part["gpu_model"].notna().all()
            keys = ["day", "gpu_model"] if per_model else ["day"]
            for key, rows in part.groupby(keys, sort=True):
                day, model = (key if per_model else (key[0] if isinstance(key, tuple) else key, None))
                values = [float(v) for v in rows["gpus"]]
                shares = c.shares_from_values(values)
                out.append(Period(
                    market=market, label=base_label + (f", {model}" if model else ""), block=block, segment=segment,
                    kind="operator supply", period=day, period_label=pd.Timestamp(day).strftime("%Y-%m-%d"),
                    source=str(source), basis="capacity listed", unit="GPUs",
                    coverage=known.get("caveat") or f"GPUs per host_id reported by {source}; one operator "
                    "may hold several ids.",
                    entities=[c.Entity(f"host {h}", s, value=v) for h, s, v in zip(rows["host_id"], shares, values,
                                                                                  strict=True)],
                    declared={"product": f"{model or 'all'} GPUs on {network}", "geography": f"worldwide ({network} only)",
                              "coverage_pct": 100.0, "coverage_label": f"every provider {source} reports"},
                    gpu_model=model))
        except Exception as exc:
            log(f"skipped supply market {source}/{network}: {exc}")
            skipped.append({"market": f"{source}/{network}", "period_label": None, "source": source,
                             "reason": str(exc)})
    return out


# --------------------------------------------------------------------------- build


BUILD_VERSION = "1"  # bump when the output changes for the same inputs: the next build is a full one
CHUNK_ROWS = 100_000  # marketplace offers read per group of days (their share rows are many: bounded memory)
OUTPUTS = ("marts.concentration", "marts.concentration_shares", "marts.concentration_skipped")


def _create(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str]) -> None:
    cols = ", ".join(f"{name} {ctype}" for name, ctype in columns.items())
    con.execute(f"CREATE OR REPLACE TABLE marts.{table} ({cols})")


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str], rows: list[dict]) -> None:
    if not rows:
        return
    frame = pd.DataFrame(rows, columns=list(columns))
    con.register("conc_incoming", frame)
    try:
        casts = ", ".join(f"CAST({name} AS {ctype})" for name, ctype in columns.items())
        con.execute(f"INSERT INTO marts.{table} SELECT {casts} FROM conc_incoming")
    finally:
        con.unregister("conc_incoming")


def _computed(periods: list[Period], skipped: list[dict]) -> tuple[list[dict], list[dict]]:
    rows, shares = [], []
    for p in periods:
        try:
            row, share_rows = compute(p)
        except Exception as exc:
            log(f"skipped {p.market} {p.period_label}: {exc}")
            skipped.append({"market": p.market, "period_label": p.period_label, "source": p.source,
                            "reason": str(exc)})
            continue
        rows.append(row)
        shares += share_rows
    return rows, shares


def _sort(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: (r["block"], r["market"], str(r.get("gpu_model") or ""), r["period"]))


def build(con: duckdb.DuckDBPyConnection) -> None:
    """Build marts.concentration, marts.concentration_shares and marts.concentration_skipped.

    The marketplace host markets are per day (§1.7) and incremental (etl/marts/state.py): only days whose
    marketplace offers changed are recomputed, in groups of days; the published, supply and owner markets
    are small and rebuilt whole every time.
    """
    from etl.marts import state

    skipped: list[dict] = []
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    current = state.fingerprints(con, "gpu_prices")
    current = current[current["source"].isin(list(MARKETPLACES))]
    try:
        segments = con.execute("SELECT * FROM ref.segments").df()
    except duckdb.CatalogException:
        segments = pd.DataFrame()
    p = state.plan(con, "concentration", current, f"{BUILD_VERSION}|{state.frame_hash(segments)}", OUTPUTS)
    marketplaces = sorted(MARKETPLACES)
    host_markets = [m for k in MARKETPLACES.values() for m in (k["market"], f"{k['market']}_pooled")]
    if p.full:
        _create(con, "concentration", CONCENTRATION_COLUMNS)
        _create(con, "concentration_shares", SHARES_COLUMNS)
        _create(con, "concentration_skipped", SKIPPED_COLUMNS)
    else:  # keep the marketplace rows of the days that did not change; everything else is recomputed
        labels = [pd.Timestamp(d).strftime("%Y-%m-%d") for d in p.days]
        con.execute("DELETE FROM marts.concentration WHERE NOT coalesce(kind = 'operator supply' "
                    "AND list_contains(?, source), false) OR list_contains(?::DATE[], period)",
                    [marketplaces, p.days])
        con.execute("DELETE FROM marts.concentration_shares WHERE NOT coalesce(list_contains(?, source) "
                    "AND list_contains(?, market), false) OR list_contains(?::DATE[], period)",
                    [marketplaces, host_markets, p.days])
        con.execute("DELETE FROM marts.concentration_skipped WHERE NOT coalesce(list_contains(?, source) "
                    "AND list_contains(?, market), false) OR list_contains(?, period_label)",
                    [marketplaces, host_markets, labels])
    periods: list[Period] = []
    rows: list[dict] = []
    for reader in (_published, _supply):
        try:
            periods += reader(con, skipped)
        except duckdb.CatalogException as exc:  # the core table is missing: nothing to compute
            log(f"{reader.__name__.strip('_')} input missing: {exc}")
    try:
        rows += _owned(con, skipped)
    except duckdb.CatalogException as exc:
        log(f"owned input missing: {exc}")
    more, shares = _computed(periods, skipped)
    _insert(con, "concentration", CONCENTRATION_COLUMNS, _sort(rows + more))
    _insert(con, "concentration_shares", SHARES_COLUMNS, shares)
    for days in p.chunks(CHUNK_ROWS):
        present = [d for d in days if p.rows.get(d)]
        try:
            host_periods = _marketplaces(con, skipped, present)
        except duckdb.CatalogException as exc:
            log(f"marketplaces input missing: {exc}")
            break
        rows, shares = _computed(host_periods, skipped)
        _insert(con, "concentration", CONCENTRATION_COLUMNS, _sort(rows))
        _insert(con, "concentration_shares", SHARES_COLUMNS, shares)
    _insert(con, "concentration_skipped", SKIPPED_COLUMNS, skipped)
    state.commit(con, p)
