"""marts.concentration: HHI (with bounds), CR4, equivalent firms, Nakamoto and Gini per period x market.

Load inputs: core.market_shares (published shares: clouds, AI compute owners, accelerator vendors, any
other market) and core.supply rows with a host_id (GPUs per host/provider on decentralised networks).
Process: one share vector per (market, source, period), indices from etl.concentration.
Save: three tables, replaced on every build.

- marts.concentration: one row per period x market (grain) with the indices. Where only the largest
  firms' shares are published, the HHI is an interval [hhi_low, hhi_high] (etl.concentration.hhi_bounds)
  and `hhi` is its midpoint, for plotting only. Units: shares in percent, HHI on the 0-10,000 scale.
- marts.concentration_shares: the per-entity shares behind each row, plus an explicit
  "Others (unpublished)" residual for published-top-firms markets (bar charts, Lorenz curves, mergers).
- marts.concentration_skipped: the markets or periods that could not be computed, with the reason.

The rules (residual, completeness, normalisation, bounds, gaps) are etl.concentration's; this module
reads core and ref tables, calls them, and writes the marts. A bad market or period never fails the
build: it is skipped, printed to stderr and kept in marts.concentration_skipped. Markets left out on
purpose (EXCLUDE) are only recorded there, since they are expected on every build.
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
}
SHARES_COLUMNS: dict[str, str] = {
    "period": "DATE", "period_label": "VARCHAR", "market": "VARCHAR", "market_label": "VARCHAR",
    "block": "VARCHAR", "entity": "VARCHAR", "rank": "INTEGER", "share_pct": "DOUBLE",
    "share_low_pct": "DOUBLE", "share_high_pct": "DOUBLE", "value": "DOUBLE", "unit": "VARCHAR",
    "is_residual": "BOOLEAN", "source": "VARCHAR", "ref_url": "VARCHAR", "note": "VARCHAR",
}
SKIPPED_COLUMNS: dict[str, str] = {"market": "VARCHAR", "period_label": "VARCHAR", "source": "VARCHAR",
                                   "reason": "VARCHAR"}

# What is known about each market: plain-English label, block/segment and the caveat shown with it.
# Markets not listed here are handled generically (label from the id, block centralised).
MARKETS: dict[str, dict] = {
    "cloud_infrastructure_synergy": {
        "label": "Cloud infrastructure, worldwide (Synergy)", "segment": "hyperscaler",
        "caveat": "Synergy Research publishes only the largest providers' shares of IaaS, PaaS and hosted "
                  "private cloud revenue; the rest is unpublished, so the HHI is a range. Not pooled with "
                  "Canalys, whose market definition differs.",
    },
    "cloud_infrastructure_canalys": {
        "label": "Cloud infrastructure, worldwide (Canalys)", "segment": "hyperscaler",
        "caveat": "Canalys publishes AWS, Microsoft Azure and Google Cloud only (history revised in Aug 2024); "
                  "the other ~37% is unpublished, so the HHI is a range. Not pooled with Synergy.",
    },
    "cloud_infrastructure_uk_cma": {
        "label": "Cloud infrastructure, UK (CMA)", "segment": "hyperscaler",
        "caveat": "UK customer spend in 2024; the CMA published 10-point ranges (AWS and Microsoft 30-40%, "
                  "Google 0-10%). Points are midpoints; the HHI range spans the published ranges.",
    },
    "datacenter_ai_accelerators": {
        "label": "Data-centre AI accelerators, by vendor", "segment": None,
        "caveat": "Only NVIDIA's share is published: 2022-2023 data-centre GPU shipments (TechInsights), 2025 "
                  "accelerator revenue (80-90%). AMD, Intel and in-house chips (TPU, Trainium) are in the "
                  "unpublished residual, and the basis changes between years.",
    },
    "ai_compute_by_owner_epoch": {
        "label": "AI supercomputer capacity, by owner (Epoch AI)", "segment": None,
        "caveat": "Shares of the large GPU clusters Epoch AI tracks (about 10-20% of global AI compute), "
                  "not of all compute.",
    },
    "ai_compute_by_country_epoch": {
        "label": "AI supercomputer capacity, by country (Epoch AI)", "segment": None,
        "caveat": "Countries, not firms: geographic concentration. The merger-guideline bands are for firms "
                  "and are shown for scale only.",
    },
    "ai_compute_by_country_epoch_insight": {
        "label": "GPU-cluster performance, by country (Epoch AI, May 2025)", "segment": None,
        "caveat": "Countries, not firms: geographic concentration from Epoch AI's May 2025 data insight "
                  "(US, China, EU; 'others' 4% unpublished). Bands shown for scale only.",
    },
    "inference_endpoints_openrouter": {
        "label": "LLM inference on OpenRouter, by provider", "segment": None,
        "caveat": "Shares of the traffic routed through OpenRouter only, one aggregator among many.",
    },
}
# Markets whose entities are not suppliers: an HHI of them says nothing about market power.
EXCLUDE: dict[str, str] = {
    "ai_acceleration_by_chip_type": "entities are chip types (GPUs, ASICs, CPUs + FPGAs), not suppliers",
}
# Per-operator supply on decentralised networks (core.supply rows with a host_id), by source.
SUPPLY_MARKETS: dict[str, dict] = {
    "vast": {
        "market": "vast_hosts", "label": "Vast.ai marketplace: GPUs offered, by host",
        "basis": "offers (GPUs listed per host)",
        "caveat": "GPUs on machines with a rentable offer in the daily searches (rented or not), summed per "
                  "Vast host_id; the search covers the main GPU models and is capped per query, so it is "
                  "a sample of the marketplace, and one operator may hold several host ids.",
    },
    "akash": {
        "market": "akash_providers", "label": "Akash: GPUs on online providers, by provider",
        "basis": "capacity (GPUs per online provider)",
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


def _clean(value) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def compute(p: Period) -> tuple[dict, list[dict]]:
    """The marts.concentration row and marts.concentration_shares rows of one share vector.

    The indices and the residual are etl.concentration's rules (list_indices); this only lays them
    out as mart rows. Raises ValueError when the shares cannot describe a market.
    """
    ix = c.list_indices(p.entities, gaps=p.gaps, larger_missing=p.larger_missing, notes=p.notes)
    entities = ix.entities
    row = {
        "period": p.period, "period_label": p.period_label, "market": p.market, "market_label": p.label,
        "block": p.block, "segment": p.segment, "kind": p.kind, "basis": p.basis, "unit": p.unit,
        "coverage": p.coverage, "hhi": ix.hhi, "hhi_low": ix.hhi_low, "hhi_high": ix.hhi_high,
        "bounded": ix.bounded, "hhi_method": ix.method, "cr4": ix.cr4, "cr4_high": ix.cr4_high,
        "equivalent_firms": c.equivalent_firms(ix.hhi), "equivalent_firms_low": c.equivalent_firms(ix.hhi_high),
        "equivalent_firms_high": c.equivalent_firms(ix.hhi_low), "nakamoto": ix.nakamoto, "gini": ix.gini,
        "gini_scope": ix.gini_scope, "n_entities": len(entities), "published_pct": ix.total,
        "residual_pct": ix.residual, "total_value": math.fsum(e.value for e in entities)
        if all(e.value is not None for e in entities) else None,
        "gaps": ", ".join(p.gaps) or None, "in_trend": not p.gaps,
        "verdict": c.interval_verdict(ix.hhi_low, ix.hhi_high), "note": "; ".join(dict.fromkeys(ix.notes)) or None,
        "source": p.source,
    }
    share_rows = [
        {"period": p.period, "period_label": p.period_label, "market": p.market, "market_label": p.label,
         "block": p.block, "entity": e.name, "rank": i, "share_pct": e.share, "share_low_pct": e.low,
         "share_high_pct": e.high, "value": e.value, "unit": p.unit, "is_residual": False, "source": p.source,
         "ref_url": e.ref_url, "note": None}
        for i, e in enumerate(entities, start=1)
    ]
    if not c.is_complete(ix.total):
        share_rows.append({
            "period": p.period, "period_label": p.period_label, "market": p.market, "market_label": p.label,
            "block": p.block, "entity": c.RESIDUAL, "rank": None, "share_pct": ix.residual, "share_low_pct": None,
            "share_high_pct": None, "value": None, "unit": None, "is_residual": True, "source": p.source,
            "ref_url": None, "note": "100% minus the published shares: firms not named by the source"})
    return row, share_rows


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
    n_sources = frame.groupby("market")["source"].nunique()
    for (market, source), part in frame.groupby(["market", "source"], sort=True):
        if market in EXCLUDE:  # expected on every build: recorded, not printed
            skipped.append({"market": market, "period_label": None, "source": source, "reason": EXCLUDE[market]})
            continue
        try:
            known = MARKETS.get(market, {})
            market_id = market if n_sources[market] == 1 else f"{market}:{source}"
            label = known.get("label") or _label(market)
            if n_sources[market] > 1:
                label += f" [{source}]"
            by_period: dict = {}
            for period, rows in part.groupby("period", sort=True):
                by_period[period] = [
                    c.Entity(str(r.entity), _clean(r.share_pct), _clean(r.share_low_pct), _clean(r.share_high_pct),
                           _clean(r.value), r.ref_url if isinstance(r.ref_url, str) else None)
                    for r in rows.itertuples()
                ]
            gaps = c.listing_gaps(by_period, c.regular_firms(by_period), len(by_period))
            for period, entities in by_period.items():
                rows = part[part["period"] == period]
                basis = ", ".join(sorted({str(b) for b in rows["basis"].dropna()})) or "not stated"
                units = sorted({str(u) for u in rows["unit"].dropna()})
                coverage = " ".join(dict.fromkeys(
                    [known.get("caveat") or ""] + [str(x) for x in rows["coverage"].dropna().unique()])).strip()
                out.append(Period(
                    market=market_id, label=label, block="centralised", segment=known.get("segment"),
                    kind="published shares", period=period, period_label=str(rows["period_label"].iloc[0]),
                    source=str(source), basis=basis, unit=units[0] if len(units) == 1 else None,
                    coverage=coverage or "not stated", entities=entities, gaps=gaps[period][0],
                    larger_missing=gaps[period][1]))
        except Exception as exc:  # one bad market never stops the build
            log(f"skipped market {market} ({source}): {exc}")
            skipped.append({"market": market, "period_label": None, "source": source, "reason": str(exc)})
    return out


def _supply(con: duckdb.DuckDBPyConnection, skipped: list[dict]) -> list[Period]:
    """GPUs per host on each network with per-operator rows, from the last snapshot of each day."""
    frame = con.execute("""
        WITH hosts AS (
            SELECT source, network, any_value(segment) AS segment, observed_at, host_id,
                   coalesce(note, gpu_model, '') AS unit_key, max(gpus_total) AS gpus
            FROM core.supply
            WHERE host_id IS NOT NULL AND gpus_total > 0
            GROUP BY source, network, observed_at, host_id, unit_key
        ), last AS (
            SELECT source, network, CAST(observed_at AS DATE) AS day, max(observed_at) AS observed_at
            FROM hosts GROUP BY ALL
        )
        SELECT h.source, h.network, any_value(h.segment) AS segment, any_value(s.block) AS block, l.day,
               h.host_id, sum(h.gpus) AS gpus
        FROM hosts h JOIN last l USING (source, network, observed_at)
        LEFT JOIN ref.segments s ON s.segment = h.segment
        GROUP BY h.source, h.network, l.day, h.host_id
        ORDER BY h.source, h.network, l.day, gpus DESC
    """).df()
    out: list[Period] = []
    if frame.empty:
        return out
    n_networks = frame.groupby("source")["network"].nunique()
    for (source, network), part in frame.groupby(["source", "network"], sort=True):
        try:
            known = SUPPLY_MARKETS.get(source, {})
            market = known.get("market") if n_networks[source] == 1 else None
            market = market or f"{_slug(source)}_{_slug(network)}_operators"
            label = known.get("label") or f"{network}: GPUs by operator"
            with_segment = part[part["segment"].notna()]
            segment = with_segment["segment"].iloc[0] if len(with_segment) else None
            # the block ref.segments gives that segment; per-operator supply without one is a network's
            block = with_segment["block"].iloc[0] if len(with_segment) and pd.notna(with_segment["block"].iloc[0]) \
                else "decentralised"
            for day, rows in part.groupby("day", sort=True):
                values = [float(v) for v in rows["gpus"]]
                shares = c.shares_from_values(values)
                out.append(Period(
                    market=market, label=label, block=block, segment=segment, kind="operator supply",
                    period=day, period_label=pd.Timestamp(day).strftime("%Y-%m-%d"), source=str(source),
                    basis=known.get("basis") or "capacity (GPUs per operator)", unit="GPUs",
                    coverage=known.get("caveat") or f"GPUs per host_id reported by {source}; one operator "
                    "may hold several ids.",
                    entities=[c.Entity(f"host {h}", s, value=v) for h, s, v in zip(rows["host_id"], shares, values,
                                                                                  strict=True)]))
        except Exception as exc:
            log(f"skipped supply market {source}/{network}: {exc}")
            skipped.append({"market": f"{source}/{network}", "period_label": None, "source": source,
                             "reason": str(exc)})
    return out


# --------------------------------------------------------------------------- build


def _write(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str], rows: list[dict]) -> None:
    cols = ", ".join(f"{name} {ctype}" for name, ctype in columns.items())
    con.execute(f"CREATE OR REPLACE TABLE marts.{table} ({cols})")
    if not rows:
        return
    frame = pd.DataFrame(rows, columns=list(columns))
    con.register("conc_incoming", frame)
    try:
        casts = ", ".join(f"CAST({name} AS {ctype})" for name, ctype in columns.items())
        con.execute(f"INSERT INTO marts.{table} SELECT {casts} FROM conc_incoming")
    finally:
        con.unregister("conc_incoming")


def build(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild marts.concentration, marts.concentration_shares and marts.concentration_skipped."""
    skipped: list[dict] = []
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    periods: list[Period] = []
    for reader in (_published, _supply):
        try:
            periods += reader(con, skipped)
        except duckdb.CatalogException as exc:  # the core table is missing: nothing to compute
            log(f"{reader.__name__.strip('_')} input missing: {exc}")
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
    rows.sort(key=lambda r: (r["block"], r["market"], r["period"]))
    _write(con, "concentration", CONCENTRATION_COLUMNS, rows)
    _write(con, "concentration_shares", SHARES_COLUMNS, shares)
    _write(con, "concentration_skipped", SKIPPED_COLUMNS, skipped)
