"""The open GPU Price Index (ewyluda/gpu-price-index): daily segment index series and its raw price observations.

Two CSVs (methodology v1.3, docs/methodology.md of the repository):
- `site/data/index-history.csv` (`date, gpu_model, series, usd_per_gpu_hour`): per GPU key and day,
  the series 'index' (median of provider medians, all segments, on-demand), 'hyperscaler', 'neocloud',
  'marketplace' (the same within a segment) and 'spot' (median of provider spot medians). One
  core.indicators row each: indicator 'published_price_index', entity 'GPU Price Index <key> <series>'
  (e.g. 'GPU Price Index H100 neocloud'), unit 'USD per GPU-hour'. series_meta() says which GPU,
  segment, price type and geo an entity measures (docs/METHODOLOGY.md §3.11).
- `data/observations/YYYY/YYYY-MM-DD.csv` (`date, collected_at, source, provider, segment, pricing,
  gpu_model, sku, region, geo, gpu_count, usd_per_hour, usd_per_gpu_hour, sample_size`): the day's
  raw list prices. One core.gpu_prices row each, as an aggregator source (etl.price_method ranks the
  providers' own APIs first). provider = the `source` key (aws, gcp, lambda, runpod, vast, ...),
  segment from data/seed/providers.csv (GPI files RunPod Community Cloud under marketplace; here it is
  provider runpod with price_type 'community', as the runpod source does). Vast rows are one median of
  `sample_size` offers per model, not offers: the note says so.

GPU keys map through data/seed/gpu_models.csv ('H100' -> 'H100 SXM', 'A100-80GB-PCIe' -> 'A100 80GB');
gpu_model_raw keeps the key. Live fetch reads the history and yesterday's observations file (the
index collects at 06:17 UTC, so yesterday's file is always complete).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from etl import reference
from etl.provenance import License, Payload, Source, utcnow
from etl.sources._parse import number

REPO = "ewyluda/gpu-price-index"
RAW = f"https://raw.githubusercontent.com/{REPO}/main"
HISTORY_URL = f"{RAW}/site/data/index-history.csv"
OBSERVATIONS_URL = RAW + "/data/observations/{year}/{day}.csv"

SOURCE = Source(
    name="gpu_price_index",
    title="GPU Price Index: daily GPU rental price index by segment, and its observations",
    producer="GPU Price Index (ewyluda/gpu-price-index)",
    url_main=f"https://github.com/{REPO}",
    url_download=(HISTORY_URL, OBSERVATIONS_URL.format(year="YYYY", day="YYYY-MM-DD")),
    license=License("MIT (code); price data derived from providers' published price lists",
                    f"https://github.com/{REPO}/blob/main/LICENSE"),
    citation=f"GPU Price Index (2026). index-history.csv and daily observations, methodology v1.3 "
    f"(github.com/{REPO}).",
    cadence_hours=24,
    segment=None,
    kind="aggregator",  # raw observations of other providers' prices: their own APIs win
    tables=("indicators", "gpu_prices"),
    description="Daily on-demand index (median of provider medians) of 11 GPU keys, overall and per "
    "segment (hyperscaler, neocloud, marketplace) plus a spot series, as indicators "
    "'published_price_index'; and the day's raw list prices of AWS, GCP, Oracle, CoreWeave, Crusoe, "
    "Hyperstack, Lambda, Nebius, RunPod and Vast (per GPU-hour, per region) as aggregator price rows.",
    load="append",
    captures=("gpu_price_index/index-history.csv", "gpu_price_index/observations_*.csv"),
    # the history's commit date is unknown; its last day is 2026-10-05 (PROVENANCE.md)
    capture_dates=(("gpu_price_index/index-history.csv", "2026-10-05"),),
)

INDICATOR = "published_price_index"
UNIT = "USD per GPU-hour"
PUBLISHER = "GPU Price Index"
SERIES_SEGMENTS = {"index": "all", "hyperscaler": "hyperscaler", "neocloud": "neocloud",
                   "marketplace": "marketplace", "spot": "all"}
METHOD_SENTENCE = ("GPU Price Index v1.3: median of provider medians of on-demand list prices "
                   "(each provider one vote), per segment; spot a separate series")

HISTORY_COLUMNS = {"date", "gpu_model", "series", "usd_per_gpu_hour"}
OBS_COLUMNS = {"date", "collected_at", "source", "provider", "segment", "pricing", "gpu_model", "region",
               "gpu_count", "usd_per_gpu_hour"}


def series_meta(entity: str) -> dict | None:
    """'GPU Price Index H100 neocloud' -> gpu_model, segment ('all' = every segment), price_type, geo."""
    if not entity.startswith(PUBLISHER + " "):
        return None
    key, _, series = entity.removeprefix(PUBLISHER + " ").rpartition(" ")
    if series not in SERIES_SEGMENTS or not key:
        return None
    return {"gpu_model": reference.canonical_gpu(key), "segment": SERIES_SEGMENTS[series],
            "price_type": "spot" if series == "spot" else "on_demand", "geo": "all"}


def fetch(client) -> list[Payload]:
    yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
    return [
        client.request(HISTORY_URL, name="index-history.csv", expect=None),
        client.request(OBSERVATIONS_URL.format(year=yesterday[:4], day=yesterday),
                       name=f"observations_{yesterday}.csv", expect=None),
    ]






def parse(payload: Payload) -> Iterator[dict]:
    if payload.name.startswith("observations"):
        yield from _observations(payload)
    else:
        yield from _history(payload)


def _history(payload: Payload) -> Iterator[dict]:
    for r in payload.csv("gpu_price_index", HISTORY_COLUMNS):
        value = number(r["usd_per_gpu_hour"])
        if value is None:
            continue
        day = r["date"].strip()
        yield {
            "table": "indicators",
            "period": day,
            "period_label": day,
            "indicator": INDICATOR,
            "entity": f"{PUBLISHER} {r['gpu_model'].strip()} {r['series'].strip()}",
            "value": value,
            "unit": UNIT,
            "ref_url": f"https://github.com/{REPO}/blob/main/site/data/index-history.csv",
            "note": f"series {r['series'].strip()} of GPU key {r['gpu_model'].strip()} (methodology v1.3)",
        }


def _observations(payload: Payload) -> Iterator[dict]:
    for r in payload.csv("gpu_price_index", OBS_COLUMNS):
        provider = reference.provider_key(r["source"])
        community = "community" in r["provider"].lower()
        pricing = r["pricing"].strip()
        count = number(r.get("gpu_count"))
        sample = (r.get("sample_size") or "").strip()
        notes = [f"GPI provider {r['provider']}, segment {r['segment']}, geo {r.get('geo', '')}"]
        if provider == "vast":
            notes.append(f"median of {sample} offers (one row per model, not per offer)")
        yield {
            "table": "gpu_prices",
            "observed_at": r["collected_at"].strip() or r["date"].strip(),
            "provider": provider,
            "segment": reference.segment_for(provider),
            "gpu_model": reference.canonical_gpu(r["gpu_model"]),
            "gpu_model_raw": r["gpu_model"],
            "gpu_count": int(count) if count else None,
            "price_usd_per_gpu_hour": number(r["usd_per_gpu_hour"]),
            "price_type": "community" if community and pricing == "on_demand" else pricing,
            "region": (r.get("region") or "").strip() or None,
            "offer_id": (r.get("sku") or "").strip() or None,
            "ref_url": f"https://github.com/{REPO}/tree/main/data/observations",
            "ref_date": r["date"].strip(),
            "note": "; ".join(notes),
        }
