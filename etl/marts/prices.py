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

from datetime import timedelta

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

# Bump when this module's or etl.price_method's output changes for the same inputs without a method
# version change: the next build is then a full rebuild.
BUILD_VERSION = "2"
CHUNK_ROWS = 100_000  # core rows per group of days read at once: bounds the memory of a full rebuild
# The core.gpu_prices columns the cw rules and the markers read (the Vast-only fields are CCIR's).
METHOD_COLUMNS = ("observed_at", "source", "provider", "segment", "gpu_model", "price_usd_per_gpu_hour", "price_type",
                  "region", "offer_id", "host_id", "machine_id", "confidence", "date_precision", "ref_url", "note")
CCIR_CHUNK_DAYS = 60  # window ends per CCIR read (each read adds the 6 days before)
SINCE_SOURCE = "~price_since"  # fingerprint pseudo-source: the list-price run starts of the persisted sources
OUTPUTS = ("marts.price_index", "marts.price_units", "marts.price_markers")


def _create(con: duckdb.DuckDBPyConnection, table: str, types: dict[str, str]) -> None:
    cols = ", ".join(f"{name} {ctype}" for name, ctype in types.items())
    con.execute(f"CREATE OR REPLACE TABLE {table} ({cols})")


def _insert(con: duckdb.DuckDBPyConnection, table: str, types: dict[str, str], frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    con.register("price_incoming", frame[list(types)].astype(object).where(frame[list(types)].notna(), None))
    try:
        casts = ", ".join(f"CAST({name} AS {ctype})" for name, ctype in types.items())
        con.execute(f"INSERT INTO {table} SELECT {casts} FROM price_incoming")
    finally:
        con.unregister("price_incoming")


def _write(con: duckdb.DuckDBPyConnection, table: str, types: dict[str, str], frame: pd.DataFrame) -> None:
    _create(con, table, types)
    _insert(con, table, types, frame)


def _persisted(con: duckdb.DuckDBPyConnection, persist: list[str]) -> pd.DataFrame:
    """Every row of the sources whose list prices persist, with `price_since` (pm.list_price_since, which
    looks back over all of a series' days) and `_rid`, the row's id in core.gpu_prices. Small: these
    sources record a price when it changes."""
    frame = con.execute("SELECT rowid AS _rid, * FROM core.gpu_prices WHERE list_contains(?, source) "
                        "ORDER BY rowid", [persist]).df()
    if frame.empty:
        return frame.assign(price_since=pd.Series(dtype=object))
    return pm.list_price_since(frame, persist)


def _since_fingerprints(persisted: pd.DataFrame) -> pd.DataFrame:
    """Per day, a digest of the persisted rows' price_since: an edit of an old day of a persisted series
    moves the run starts of its later days, which makes those days dirty too."""
    if persisted.empty:
        return pd.DataFrame(columns=["day", "source", "n", "h"])
    cols = ["observed_at", "source", "provider", "gpu_model", "price_type", "price_usd_per_gpu_hour", "price_since"]
    hashed = pd.util.hash_pandas_object(persisted[cols].astype(str), index=False)
    frame = pd.DataFrame({"day": pm._day(persisted["observed_at"]).values, "h": hashed.values})
    out = frame.groupby("day")["h"].agg(lambda h: str(int(h.sum()))).reset_index()
    out["n"] = frame.groupby("day").size().values
    out["source"] = SINCE_SOURCE
    return out[["day", "source", "n", "h"]]


def _read_days(con: duckdb.DuckDBPyConnection, days: list, columns: str = "rowid AS _rid, *",
               where: str = "", params: list | None = None) -> pd.DataFrame:
    """core.gpu_prices rows observed on `days` (UTC dates), in table order (the order a whole-table read
    has, which the first-non-null picks of pm.vote_units depend on)."""
    lo = pd.Timestamp(min(days))
    hi = pd.Timestamp(max(days)) + pd.Timedelta(days=1)
    return con.execute(
        f"SELECT {columns} FROM core.gpu_prices WHERE observed_at >= ? AND observed_at < ? "
        f"AND list_contains(?::DATE[], CAST(observed_at AS DATE)) {where} ORDER BY rowid",
        [lo.to_pydatetime(), hi.to_pydatetime(), list(days), *(params or [])]).df()


def _day_units(con, days, persisted, regions, kinds) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(units, markers) of `days`: pm.prepare's rules with price_since taken from the whole-history pass."""
    rows = _read_days(con, days, "rowid AS _rid, " + ", ".join(METHOD_COLUMNS))
    if rows.empty:
        return pd.DataFrame(columns=list(UNIT_TYPES)), pd.DataFrame()
    since = persisted.set_index("_rid")["price_since"] if not persisted.empty else pd.Series(dtype=object)
    own_day = pm._day(rows["observed_at"])
    rows["price_since"] = rows["_rid"].map(since).where(rows["_rid"].isin(since.index), own_day)
    return pm.prepare_dated(rows.drop(columns="_rid"), regions, kinds)


def _ccir_rows(con, ends: list, vast_days: set) -> pd.DataFrame:
    """ccir-cri-1.1.1 rows for the window ends in `ends` that are Vast collection days (ccir_days)."""
    ends = sorted(d for d in ends if d in vast_days)
    names = [gpu_name for gpu_name, _ in pm.CCIR_INDICES.values()]
    out = []
    for i in range(0, len(ends), CCIR_CHUNK_DAYS):
        part = ends[i:i + CCIR_CHUNK_DAYS]
        first = part[0] - timedelta(days=pm.CCIR_WINDOW_DAYS - 1)
        window = [first + timedelta(days=k) for k in range((part[-1] - first).days + 1)]
        rows = _read_days(con, window,
                          "source, observed_at, gpu_model_raw, offer_id, gpu_count, price_usd_per_gpu_hour, "
                          "geolocation, rented, reliability, start_date, host_id, machine_id",
                          "AND source = 'vast' AND list_contains(?, gpu_model_raw)", [names])
        if rows.empty:
            continue
        out.append(pm.ccir_index_rows(pm.ccir_offers_from_core(rows), part))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=list(INDEX_TYPES))


def _ccir_ends(dirty: list) -> list:
    """Window ends whose 7-day window holds a dirty day."""
    return sorted({d + timedelta(days=k) for d in dirty for k in range(pm.CCIR_WINDOW_DAYS)})


def _cells(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The distinct cells of marts.price_units with the columns coverage_rows reads, in the units' own
    order (day, gpu_model, segment, price_type, provider), so its first-row picks match a whole read."""
    return con.execute("""
        SELECT DISTINCT day, gpu_model, segment, price_type, provider, source, sources_seen
        FROM marts.price_units ORDER BY day, gpu_model, segment, price_type, provider
    """).df().assign(day=lambda f: pd.to_datetime(f["day"]).dt.date)


def build(con: duckdb.DuckDBPyConnection) -> None:
    """Build the five price marts from core.gpu_prices, core.indicators, ref.regions and meta.sources.

    Incremental (etl/marts/state.py): only the days whose core.gpu_prices rows changed are recomputed in
    marts.price_index / price_units / price_markers (every cw rule is per day; the list-price run starts
    of persisted sources look back, and CCIR windows span 7 days, so both widen the dirty days); a method
    or reference change rebuilds everything, in groups of days so memory stays bounded. The published
    indices and provider coverage are small and rebuilt whole.
    """
    from etl.marts import state

    try:
        regions = con.execute("SELECT * FROM ref.regions").df()
    except duckdb.CatalogException:  # a warehouse without the seed's reference tables: no region maps
        regions = pd.DataFrame(columns=["source", "region", "country", "geo"])
    persist = sorted(r[0] for r in con.execute("SELECT name FROM meta.sources WHERE prices_persist").fetchall())
    indicators = con.execute(
        "SELECT * FROM core.indicators WHERE indicator = 'published_price_index'").df()
    kinds = source_kinds()
    version = "|".join([pm.METHOD, pm.CCIR_METHOD, BUILD_VERSION, state.frame_hash(regions),
                        state.frame_hash(pd.DataFrame(sorted(kinds.items()), columns=["source", "kind"])),
                        ",".join(persist)])
    persisted = _persisted(con, persist)
    current = pd.concat([state.fingerprints(con, "gpu_prices"), _since_fingerprints(persisted)], ignore_index=True)
    p = state.plan(con, "price_index", current, version, OUTPUTS)
    vast_days = set(pd.to_datetime(current.loc[current["source"] == "vast", "day"]).dt.date)
    if p.full:
        _create(con, "marts.price_index", INDEX_TYPES)
        _create(con, "marts.price_units", UNIT_TYPES)
        _create(con, "marts.price_markers", MARKER_TYPES)
        ends = sorted(vast_days)
    elif p.days:
        con.execute("DELETE FROM marts.price_units WHERE list_contains(?::DATE[], day)", [p.days])
        con.execute("DELETE FROM marts.price_markers WHERE list_contains(?::DATE[], day)", [p.days])
        con.execute("DELETE FROM marts.price_index WHERE method = ? AND list_contains(?::DATE[], day)",
                    [pm.METHOD, p.days])
        ends = _ccir_ends(p.days)
        con.execute("DELETE FROM marts.price_index WHERE method = ? AND list_contains(?::DATE[], day)",
                    [pm.CCIR_METHOD, ends])
    else:
        ends = []
    for days in p.chunks(CHUNK_ROWS):
        present = [d for d in days if p.rows.get(d)]
        if not present:
            continue
        units, markers = _day_units(con, present, persisted, regions, kinds)
        _insert(con, "marts.price_units", UNIT_TYPES, units)
        _insert(con, "marts.price_markers", MARKER_TYPES, marker_rows(markers))
        if not units.empty:
            _insert(con, "marts.price_index", INDEX_TYPES, pm.index_rows(units, pm.METHOD))
    _insert(con, "marts.price_index", INDEX_TYPES, _ccir_rows(con, ends, vast_days))
    _write(con, "marts.published_price_index", PUBLISHED_TYPES, published_rows(indicators))
    _write(con, "marts.provider_sources", COVERAGE_TYPES, coverage_rows(_cells(con), kinds))
    state.commit(con, p)
