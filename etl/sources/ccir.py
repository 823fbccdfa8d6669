"""CCIR Compute Credit Index (CRI): published weekly indices of Vast.ai US GPU prices, and its reference rates.

Repository `ccir-index/cri-h100` (MIT). Two kinds of CSV:
- `outputs/cri-{h100,h200,l40s,4090}-index.csv` (`publication_date, window_start, window_end,
  index_name, index_value, total_observations, valid_days, low_confidence, obs_min, obs_max, obs_mean,
  obs_stdev, methodology_version, calculated_utc`; the H100 file names its value column `cri_h100`):
  the published series, append-only. One core.indicators row per line: indicator
  'published_price_index', entity 'CCIR <index_name>' (e.g. 'CCIR CRI-H100'), period = window_end,
  unit 'USD per GPU-hour', ref_date = publication_date; the note carries the window, counts,
  low-confidence flag and methodology version (1.1.0 and 1.1.1 values are both published).
  SERIES says which GPU, segment, geo and price type each entity measures, so a mart can set a
  published index beside ComputeWatch's own series (docs/METHODOLOGY.md §3.11).
- `data/reference-rates/<date>.csv` (`source_id, source, gpu_model, price_per_gpu_hr, vm_price_hr,
  gpus_per_vm, region, sku, price_type, rate_type, effective_date, ..., collected_utc`): hyperscaler
  and RunPod list prices collected by CCIR. One core.gpu_prices row each (an aggregator source:
  etl.price_method ranks the providers' own APIs first). observed_at = collected_utc; ref_date =
  effective_date (the date the rate card took effect, 2022-06-01 for Azure's A100 on the 2026-03-03
  card); price_type through etl.price_method's term table (secure -> on_demand, secure_spot and
  spot_posted -> spot, community -> community), CCIR's term kept in the note.

Live fetch reads the four index CSVs and the newest reference-rates CSV (found through the GitHub
contents API listing of `data/reference-rates/`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from etl import price_method, reference
from etl.provenance import License, Payload, Source
from etl.sources._parse import number

REPO = "ccir-index/cri-h100"
RAW = f"https://raw.githubusercontent.com/{REPO}/main"
INDEX_FILES = ("cri-h100-index.csv", "cri-h200-index.csv", "cri-l40s-index.csv", "cri-4090-index.csv")
LISTING_URL = f"https://api.github.com/repos/{REPO}/contents/data/reference-rates"

SOURCE = Source(
    name="ccir",
    title="CCIR Compute Credit Index (CRI-H100, H200, L40S, RTX 4090) and reference rates",
    producer="CCIR - Compute Credit Index Research (ccir-index/cri-h100)",
    url_main=f"https://github.com/{REPO}",
    url_download=tuple(f"{RAW}/outputs/{f}" for f in INDEX_FILES) + (LISTING_URL,),
    license=License("MIT", f"https://github.com/{REPO}/blob/main/LICENSE"),
    citation="CCIR (2026). Compute Credit Index CRI-H100, CRI-H200, CRI-L40S, CRI-4090, methodology "
    f"1.1.1, and reference rates (github.com/{REPO}).",
    cadence_hours=24 * 7,
    segment=None,  # indices are marketplace (Vast US); reference rates are hyperscalers and RunPod
    kind="aggregator",  # its reference rates restate other providers' list prices: their own APIs win
    tables=("indicators", "gpu_prices"),
    description="Weekly published 7-day median USD per GPU-hour of qualifying Vast.ai US offers "
    "(reliability >= 0.90, unrented, fresh listings, 2.5-sigma outlier removal) for H100 SXM, H200, "
    "L40S and RTX 4090, as indicators 'published_price_index'; plus CCIR's reference rate cards "
    "(AWS, Azure, GCP on-demand and spot, RunPod secure/community/spot) as aggregator price rows.",
    load="append",
    captures=("ccir/cri-*-index.csv", "ccir/reference-rates-*.csv"),
)

INDICATOR = "published_price_index"
UNIT = "USD per GPU-hour"
PUBLISHER = "CCIR"
# entity -> what it measures, in marts.price_index terms (CCIR Methodology §3, §5; calculate.py)
SERIES = {
    f"{PUBLISHER} CRI-H100": {"gpu_model": "H100 SXM", "segment": "marketplace", "geo": "US", "price_type": "on_demand"},
    f"{PUBLISHER} CRI-H200": {"gpu_model": "H200", "segment": "marketplace", "geo": "US", "price_type": "on_demand"},
    f"{PUBLISHER} CRI-L40S": {"gpu_model": "L40S", "segment": "marketplace", "geo": "US", "price_type": "on_demand"},
    f"{PUBLISHER} CRI-4090": {"gpu_model": "RTX 4090", "segment": "marketplace", "geo": "US", "price_type": "on_demand"},
}
METHOD_SENTENCE = ("CCIR CRI: median of the pooled per-GPU prices of qualifying Vast.ai US offers over the "
                   "7 days ending on the window end, after 2.5-sigma outlier removal per day")

INDEX_COLUMNS = {"publication_date", "window_start", "window_end", "index_name", "total_observations",
                 "valid_days", "low_confidence", "methodology_version"}
RATE_COLUMNS = {"source_id", "source", "gpu_model", "price_per_gpu_hr", "region", "sku", "price_type",
                "effective_date", "collected_utc"}
_NEWEST_RATES = re.compile(r"^(\d{4}-\d{2}-\d{2})\.csv$")


def fetch(client) -> list[Payload]:
    """The four published index CSVs, then the newest reference-rates CSV of the repository."""
    payloads = [client.request(f"{RAW}/outputs/{f}", name=f, expect=None) for f in INDEX_FILES]
    listing = client.request(LISTING_URL, name="reference-rates.listing.json").json("ccir")
    dated = sorted(m.group(1) for e in listing if isinstance(e, dict)
                   for m in [_NEWEST_RATES.match(str(e.get("name", "")))] if m)
    if dated:
        newest = dated[-1]
        payloads.append(client.request(f"{RAW}/data/reference-rates/{newest}.csv",
                                       name=f"reference-rates-{newest}.csv", expect=None))
    return payloads






def parse(payload: Payload) -> Iterator[dict]:
    if payload.name.startswith("reference-rates"):
        yield from _rates(payload)
    else:
        yield from _index(payload)


def _index(payload: Payload) -> Iterator[dict]:
    rows = payload.csv("ccir", INDEX_COLUMNS)
    for r in rows:
        # The H100 file names the value column after the index ('cri_h100'); the others 'index_value'.
        value = number(r.get("index_value") or r.get("cri_h100"))
        if value is None:
            continue
        name = r["index_name"].strip()
        note = (f"7-day window {r['window_start']}..{r['window_end']}; {r['total_observations']} observations, "
                f"{r['valid_days']} valid days; low_confidence {r['low_confidence']}; "
                f"methodology {r['methodology_version']}")
        yield {
            "table": "indicators",
            "period": r["window_end"].strip(),
            "period_label": r["window_end"].strip(),
            "indicator": INDICATOR,
            "entity": f"{PUBLISHER} {name}",
            "value": value,
            "value_low": number(r.get("obs_min")),
            "value_high": number(r.get("obs_max")),
            "unit": UNIT,
            "ref_url": f"https://github.com/{REPO}/blob/main/outputs/{payload.name}",
            "ref_date": r["publication_date"].strip(),
            "note": note,
        }


def _rates(payload: Payload) -> Iterator[dict]:
    for r in payload.csv("ccir", RATE_COLUMNS):
        price = number(r["price_per_gpu_hr"])
        term = r["price_type"].strip()
        provider = reference.provider_key(r["source"])
        count = number(r.get("gpus_per_vm"))
        effective = (r.get("effective_date") or "").strip()[:10] or None
        yield {
            "table": "gpu_prices",
            "observed_at": r["collected_utc"].strip(),
            "provider": provider,
            "segment": reference.segment_for(provider),
            "gpu_model": reference.canonical_gpu(r["gpu_model"]),
            "gpu_model_raw": r["gpu_model"],
            "gpu_count": int(count) if count else 1,
            "price_usd_per_gpu_hour": price,
            "price_type": price_method.price_type_of("ccir", term) or term,
            "region": (r.get("region") or "").strip() or None,
            "offer_id": r["sku"].strip() or None,
            "ref_url": f"https://github.com/{REPO}/blob/main/data/reference-rates/"
                       f"{payload.name.removeprefix('reference-rates-')}",
            "ref_date": effective,
            "note": f"CCIR {r['source_id']}: term {term}, rate_type {r.get('rate_type', '')}, "
                    f"effective {effective or 'not given'}",
        }
