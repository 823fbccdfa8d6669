"""Price marts: marts.price_index (cw-<version> and ccir-cri-1.1.1), its voting units, reference markers, published indices, provider coverage.

All arithmetic is etl.price_method (docs/METHODOLOGY.md §3); this module only reads core.*, ref.* and
meta.* into frames, calls it, and writes the frames:

- marts.price_index: one row per day x gpu_model x segment x price_type x geo x method, columns
  INDEX_COLUMNS (+ `sources`: the sources whose rows won the provider dedupe that day). Method
  cw-<version> from every core.gpu_prices row; ccir-cri-1.1.1 from the Vast offers (window ending on
  each day Vast was observed).
- marts.price_units: the voting units behind cw rows (one per provider x geo, or per marketplace
  machine, per day), with `price_since` and `outlier`, for the headlines and the ladder, which apply
  the as-of date the reader picks (price_method.headlines / stale_flags).
- marts.price_markers: rows kept out of every median (tertiary, coarse date, not a price), with the
  reason, for labelled reference markers.
- marts.published_price_index: core.indicators 'published_price_index' rows with the GPU model,
  segment, geo and price type each publisher's series measures, and the publisher's method sentence.
- marts.provider_sources: per provider x source, how many cells (day x GPU x price type) the source
  reported, how many it won by the declared precedence (§3.1), and whether it is the source of the
  provider's newest cell (`used_latest`).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from etl import price_method as pm

INDEX_TYPES = {"day": "DATE", "gpu_model": "VARCHAR", "segment": "VARCHAR", "price_type": "VARCHAR",
               "geo": "VARCHAR", "method": "VARCHAR", "n": "INTEGER", "n_providers": "INTEGER",
               "median": "DOUBLE", "p25": "DOUBLE", "p75": "DOUBLE", "low_confidence": "BOOLEAN",
               "reason": "VARCHAR", "sources": "VARCHAR"}
UNIT_TYPES = {"day": "DATE", "gpu_model": "VARCHAR", "segment": "VARCHAR", "price_type": "VARCHAR",
              "provider": "VARCHAR", "unit": "VARCHAR", "geo": "VARCHAR", "country": "VARCHAR",
              "price": "DOUBLE", "n_offers": "INTEGER", "source": "VARCHAR", "sources_seen": "VARCHAR",
              "price_since": "DATE", "outlier": "BOOLEAN", "day_median": "DOUBLE"}
MARKER_TYPES = {"day": "DATE", "gpu_model": "VARCHAR", "segment": "VARCHAR", "provider": "VARCHAR",
                "source": "VARCHAR", "price_type": "VARCHAR", "price_type_raw": "VARCHAR", "price": "DOUBLE",
                "confidence": "VARCHAR", "date_precision": "VARCHAR", "excluded_reason": "VARCHAR",
                "ref_url": "VARCHAR", "note": "VARCHAR"}
PUBLISHED_TYPES = {"day": "DATE", "publisher": "VARCHAR", "entity": "VARCHAR", "gpu_model": "VARCHAR",
                   "segment": "VARCHAR", "geo": "VARCHAR", "price_type": "VARCHAR", "value": "DOUBLE",
                   "unit": "VARCHAR", "source": "VARCHAR", "method_sentence": "VARCHAR", "ref_url": "VARCHAR",
                   "note": "VARCHAR"}
COVERAGE_TYPES = {"provider": "VARCHAR", "segment": "VARCHAR", "source": "VARCHAR", "kind": "VARCHAR",
                  "rank": "INTEGER", "cells_seen": "INTEGER", "cells_won": "INTEGER", "first_day": "DATE",
                  "last_day": "DATE", "used": "BOOLEAN", "used_latest": "BOOLEAN"}


def source_kinds() -> dict[str, str]:
    """{source: kind} for the precedence (§3.1): each source declares its Source.kind (provider_api,
    catalogue or aggregator) next to its fetch code; tests/test_registry.py checks every source has one."""
    from etl.sources import SOURCES  # late: etl.sources imports modules that import etl.warehouse

    return {name: source.kind for name, source in SOURCES.items()}


def method_sentences() -> dict[str, str]:
    """Publisher -> the one-sentence method of its published index."""
    from etl.sources import ccir, gpu_price_index

    return {ccir.PUBLISHER: ccir.METHOD_SENTENCE, gpu_price_index.PUBLISHER: gpu_price_index.METHOD_SENTENCE}


def series_of(entity: str) -> tuple[str | None, dict | None]:
    """(publisher, {gpu_model, segment, geo, price_type}) of a published_price_index entity."""
    from etl.sources import ccir, gpu_price_index

    if entity in ccir.SERIES:
        return ccir.PUBLISHER, ccir.SERIES[entity]
    meta = gpu_price_index.series_meta(entity)
    if meta:
        return gpu_price_index.PUBLISHER, meta
    return None, None


# --------------------------------------------------------------------------- pure frame builders

def ccir_days(offers: pd.DataFrame) -> list:
    """The window ends of the CCIR rows: every day a Vast snapshot was collected."""
    if offers.empty:
        return []
    return sorted(set(pd.to_datetime(offers["collected_at"], utc=True).dt.date))


def ccir_index(prices: pd.DataFrame) -> pd.DataFrame:
    offers = pm.ccir_offers_from_core(prices)
    rows = pm.ccir_index_rows(offers, ccir_days(offers))
    return rows


def published_rows(indicators: pd.DataFrame) -> pd.DataFrame:
    """core.indicators 'published_price_index' rows with the series each one measures."""
    sentences = method_sentences()
    rows = []
    for r in indicators.itertuples(index=False):
        publisher, meta = series_of(str(r.entity))
        if not meta:
            continue
        rows.append({"day": r.period, "publisher": publisher, "entity": r.entity, "gpu_model": meta["gpu_model"],
                     "segment": meta["segment"], "geo": meta["geo"], "price_type": meta["price_type"],
                     "value": r.value, "unit": r.unit, "source": r.source,
                     "method_sentence": sentences.get(publisher), "ref_url": r.ref_url, "note": r.note})
    return pd.DataFrame(rows, columns=list(PUBLISHED_TYPES))


def coverage_rows(units: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """Per provider x source: cells it reported (sources_seen) and cells it won (source), from the units."""
    if units.empty:
        return pd.DataFrame(columns=list(COVERAGE_TYPES))
    cells = units.drop_duplicates(["day", "provider", "gpu_model", "price_type"])[
        ["day", "provider", "segment", "gpu_model", "price_type", "source", "sources_seen"]]
    seen = cells.assign(seen=cells["sources_seen"].str.split(";")).explode("seen")
    seen["won"] = seen["seen"] == seen["source"]
    out = (seen.groupby(["provider", "seen"])
           .agg(segment=("segment", "first"), cells_seen=("day", "size"), cells_won=("won", "sum"),
                first_day=("day", "min"), last_day=("day", "max"))
           .reset_index().rename(columns={"seen": "source"}))
    out["kind"] = [kinds.get(s) for s in out["source"]]
    out["rank"] = [pm.KIND_RANK.get(k or "", pm.UNKNOWN_KIND_RANK) for k in out["kind"]]
    out["used"] = out["cells_won"] > 0
    # the source behind the provider's newest cell: what its headline price comes from today
    newest = cells[cells["day"] == cells.groupby("provider")["day"].transform("max")]
    latest = set(zip(newest["provider"], newest["source"], strict=True))
    out["used_latest"] = [(p, s) in latest for p, s in zip(out["provider"], out["source"], strict=True)]
    return out[list(COVERAGE_TYPES)].sort_values(["provider", "rank", "source"]).reset_index(drop=True)


def marker_rows(markers: pd.DataFrame) -> pd.DataFrame:
    if markers.empty:
        return pd.DataFrame(columns=list(MARKER_TYPES))
    df = markers.assign(day=pm._day(markers["observed_at"]), price=markers["price_usd_per_gpu_hour"])
    for column in MARKER_TYPES:
        if column not in df:
            df[column] = None
    return df[list(MARKER_TYPES)].reset_index(drop=True)


# --------------------------------------------------------------------------- build

def _write(con: duckdb.DuckDBPyConnection, table: str, types: dict[str, str], frame: pd.DataFrame) -> None:
    cols = ", ".join(f"{name} {ctype}" for name, ctype in types.items())
    con.execute(f"CREATE OR REPLACE TABLE {table} ({cols})")
    if frame.empty:
        return
    con.register("price_incoming", frame[list(types)].astype(object).where(frame[list(types)].notna(), None))
    try:
        casts = ", ".join(f"CAST({name} AS {ctype})" for name, ctype in types.items())
        con.execute(f"INSERT INTO {table} SELECT {casts} FROM price_incoming")
    finally:
        con.unregister("price_incoming")


def build(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the five price marts from core.gpu_prices, core.indicators, ref.regions and meta.sources."""
    prices = con.execute("SELECT * FROM core.gpu_prices").df()
    try:
        regions = con.execute("SELECT * FROM ref.regions").df()
    except duckdb.CatalogException:  # a warehouse without the seed's reference tables: no region maps
        regions = pd.DataFrame(columns=["source", "region", "country", "geo"])
    persist = [r[0] for r in con.execute("SELECT name FROM meta.sources WHERE prices_persist").fetchall()]
    indicators = con.execute(
        "SELECT * FROM core.indicators WHERE indicator = 'published_price_index'").df()
    kinds = source_kinds()
    if prices.empty:
        units, markers = pd.DataFrame(columns=list(UNIT_TYPES)), pd.DataFrame()
        index = pd.DataFrame(columns=list(INDEX_TYPES))
    else:
        units, markers = pm.prepare(prices, regions, kinds, persist_sources=persist)
        index = pd.concat([pm.index_rows(units, pm.METHOD), ccir_index(prices)], ignore_index=True)
    _write(con, "marts.price_index", INDEX_TYPES, index)
    _write(con, "marts.price_units", UNIT_TYPES, units)
    _write(con, "marts.price_markers", MARKER_TYPES, marker_rows(markers))
    _write(con, "marts.published_price_index", PUBLISHED_TYPES, published_rows(indicators))
    _write(con, "marts.provider_sources", COVERAGE_TYPES, coverage_rows(units, kinds))
