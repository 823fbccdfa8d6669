"""OpenComputePrices: GPU prices of 65+ providers in one normalised schema, and per-token inference prices.

The dataset (thatkavish/OpenComputePrices, MIT) is refreshed every 12 hours and published as the
`latest-data` release asset `data.tar.gz`: one CSV per collector (`aws.csv`, `akash.csv`, ...), the
union `_master.csv` and the per-token `_inference.csv`, all in one 31-column schema (33 in newer
files: `upfront_price`, `upfront_price_per_gpu` were added). Rows older than 90 days move to monthly
`archive_YYYY-MM.csv.gz` assets.

`parse` reads one payload: a per-collector CSV, `_inference.csv`, a monthly `archive_YYYY-MM.csv.gz`,
or the whole tarball (its per-collector CSVs and `_inference.csv`; `_master.csv` repeats the former
and is not read).
- GPU rows (`pricing_type` on_demand / spot / reserved) become one `gpu_prices` row each with a
  positive `price_per_gpu_hour`; the GPU is `gpu_name` + `gpu_variant` through the alias table (the
  memory decides A100 40 or 80 GB), the provider its providers.csv key, the region `region` else
  `country`. A row priced in another currency or unit is yielded with the price as text, so
  validation rejects it with that reason; it is never loaded as USD per hour.
- Inference rows (`pricing_type` inference) are read from `_inference.csv` only (the collectors'
  own files repeat them): one `indicators` row per model and provider, the input (prompt) price in
  USD per million tokens, whose spelling differs by collector (see `input_price_per_million`).
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
import re
import tarfile
from collections import Counter
from collections.abc import Iterator

from etl import reference
from etl.provenance import License, Payload, Source
from etl.sources._parse import number, positive, whole_count

URL = "https://github.com/thatkavish/OpenComputePrices/releases/download/latest-data/data.tar.gz"
REPO = "https://github.com/thatkavish/OpenComputePrices"
GPU_COLUMNS = ("snapshot_ts", "provider", "instance_type", "gpu_name", "gpu_variant", "gpu_count", "region",
               "country", "pricing_type", "price_per_gpu_hour", "currency", "price_unit")
INFERENCE_FILE = "_inference.csv"
PRICE_TYPES = {"on_demand": "on_demand", "spot": "spot", "reserved": "reserved"}
INDICATOR = "inference_input_price"
UNIT = "USD per million tokens"

SOURCE = Source(
    name="opencomputeprices",
    title="OpenComputePrices: GPU and inference prices across 65+ providers",
    producer="The providers (prices); Kavish, thatkavish/OpenComputePrices (collection and normalisation)",
    url_main=REPO,
    url_download=(URL,),
    license=License("MIT (OpenComputePrices repository and data)", f"{REPO}/blob/main/LICENSE"),
    citation="OpenComputePrices (2026). GPU cloud pricing dataset, latest-data release, data.tar.gz. "
    f"{REPO}",
    cadence_hours=12,
    segment=None,  # per provider, from data/seed/providers.csv
    tables=("gpu_prices", "indicators"),
    kind="aggregator",
    description=(
        "Per-GPU-hour prices (the dataset's price_per_gpu_hour, already divided by the GPU count) of "
        "hyperscalers, neoclouds, marketplaces and DePIN networks, one row per collected offer, "
        "on-demand, spot and reserved, dated by snapshot_ts. Collectors scrape APIs and web pages, "
        "so a few rows are artefacts (Aethir's one T4 at $19/h) and Akash appears as price tiers "
        "(min/max/avg/weightedAverage, in the note). Rows in another currency or unit are rejected with "
        "the reason; TPUs and rows without a GPU are skipped. Inference: input (prompt) price per "
        "model and provider in USD per million tokens (indicator inference_input_price), from "
        "_inference.csv. Where a provider also has its own source, that source takes precedence."
    ),
    load="append",
    captures=("opencomputeprices/*.csv",),
)


def fetch(client) -> list[Payload]:
    return [client.request(URL, name="data.tar.gz", expect=None)]


# --------------------------------------------------------------------------- GPU rows

def _memory_gb(value: str, count: int | None) -> float | None:
    """Per-GPU memory from the gpu_memory_gb cell: a number (per GPU, or for the whole offer when
    larger than any GPU's), a SkyPilot GpuInfo dict ('SizeInMiB') or text like 'A100-80G'."""
    found = re.search(r"'SizeInMiB':\s*([\d.]+)", value or "")
    if found:
        return float(found.group(1)) / 1024
    memory = number(value)
    if memory is None:
        found = re.search(r"(\d+)\s*G", value or "")
        return float(found.group(1)) if found else None
    return memory / count if memory > 200 and count else memory


def gpu_model(name: str, variant: str, memory: float | None, hint: str = "") -> str:
    """The canonical model of a row: name + variant through the alias table, the memory deciding
    A100 40/80 GB and H100 NVL (94 GB); an unknown variant falls back to the name alone."""
    variant = "SXM" if variant.lower() == "nvlink" else variant
    if name == "A100" and memory:
        return "A100 40GB" if memory <= 48 else "A100 80GB"
    if name == "H100" and ((memory and 90 <= memory <= 100) or "nvl" in hint.lower()):
        return "H100 NVL"
    spelled = f"{name} {variant}".strip()
    model = reference.canonical_gpu(spelled)
    if variant and not reference.is_known_gpu(model):
        model = reference.canonical_gpu(name)
    return model


def _gpu_row(r: dict, payload: Payload, skipped: Counter) -> dict | None:
    name = (r.get("gpu_name") or "").strip()
    if not name:
        skipped["no GPU"] += 1
        return None
    if name.lower().startswith("tpu"):
        skipped["TPU, not a GPU"] += 1
        return None
    price_type = (r.get("pricing_type") or "").strip()
    price = positive(r.get("price_per_gpu_hour"))
    if price is None:
        skipped["no positive price_per_gpu_hour"] += 1
        return None
    currency = (r.get("currency") or "").strip().upper()
    unit = (r.get("price_unit") or "").strip().lower()
    value: float | str = price
    if currency != "USD":
        value = f"{price:g} {currency or 'no currency'}, not USD"
    elif unit != "hour":
        value = f"{price:g} USD per {unit or 'unknown unit'}, not per hour"
    count = whole_count(r.get("gpu_count"))
    variant = (r.get("gpu_variant") or "").strip()
    provider = reference.canonical_provider(r.get("provider") or "")
    extra = r.get("raw_extra") or ""
    tier = re.search(r'"price_tier":\s*"(\w+)"', extra)
    return {
        "table": "gpu_prices",
        "observed_at": (r.get("snapshot_ts") or "").strip() or payload.fetched_at,
        "provider": provider,
        "segment": reference.segment_for(provider),
        "gpu_model": gpu_model(name, variant, _memory_gb(r.get("gpu_memory_gb") or "", count),
                               f"{r.get('gpu_memory_gb') or ''} {r.get('instance_type') or ''}"),
        "gpu_model_raw": f"{name} {variant}".strip(),
        "gpu_count": count,
        "price_usd_per_gpu_hour": value,
        "price_type": PRICE_TYPES.get(price_type, price_type),
        "region": (r.get("region") or "").strip() or (r.get("country") or "").strip() or None,
        "offer_id": (r.get("instance_type") or "").strip() or None,
        "note": "; ".join(x for x in (f"collector {r.get('source')}", tier and f"Akash price tier {tier.group(1)}",
                                      (r.get("commitment_period") or "").strip() or None) if x),
    }


# --------------------------------------------------------------------------- inference rows

_DOLLARS = re.compile(r"\$\s*([\d.]+)")


def input_price_per_million(extra: dict) -> float | None:
    """The input (prompt) price in USD per million tokens from a collector's raw_extra:
    OpenRouter 'prompt_price_per_token' (USD a token), DeepInfra 'cents_per_input_token' (US cents a
    token), Together 'input' and Novita 'input_price' ('$0.27', '$0.269 /Mt': USD per million)."""
    if "prompt_price_per_token" in extra:
        value = number(extra["prompt_price_per_token"])
        return value * 1e6 if value is not None else None
    if "cents_per_input_token" in extra:
        value = number(extra["cents_per_input_token"])
        return value / 100 * 1e6 if value is not None else None
    for key in ("input", "input_price"):
        if isinstance(extra.get(key), str):
            found = _DOLLARS.search(extra[key])
            return float(found.group(1)) if found else None
    return None


def _inference_row(r: dict, skipped: Counter) -> dict | None:
    try:
        extra = json.loads(r.get("raw_extra") or "{}")
    except ValueError:
        extra = {}
    model = str(extra.get("model_id") or extra.get("model_name") or extra.get("model")
                or r.get("instance_type") or "").strip()
    price = input_price_per_million(extra) if isinstance(extra, dict) else None
    if not model or price is None or price < 0:
        skipped["inference row without a model or an input price"] += 1
        return None
    provider = reference.canonical_provider(r.get("provider") or "")
    day = (r.get("snapshot_date") or "").strip()
    return {
        "table": "indicators",
        "period": day,
        "period_label": day,
        "indicator": INDICATOR,
        "entity": f"{model} @ {provider}",
        "value": price,
        "unit": UNIT,
        "ref_url": REPO,
        "confidence": "secondary",
        "note": f"input (prompt) price of {model} at {provider}",
    }


# --------------------------------------------------------------------------- parse

def _csv_rows(payload: Payload, skipped: Counter) -> list[dict]:
    records = payload.csv("opencomputeprices", GPU_COLUMNS)
    inference = payload.name.rsplit("/", 1)[-1] == INFERENCE_FILE
    rows = []
    for r in records:
        if (r.get("pricing_type") or "").strip() == "inference":
            row = _inference_row(r, skipped) if inference else None
            if not inference:
                skipped[f"inference row, read from {INFERENCE_FILE}"] += 1
        else:
            row = _gpu_row(r, payload, skipped)
        if row:
            rows.append(row)
    return rows


def read(payload: Payload) -> tuple[list[dict], Counter]:
    """(rows, skipped rows counted by reason) of one CSV or of the release tarball."""
    skipped: Counter = Counter()
    if payload.body[:2] == b"\x1f\x8b" and not payload.name.endswith(".tar.gz"):
        # a monthly archive_YYYY-MM.csv.gz asset: one gzipped CSV
        try:
            body = gzip.decompress(payload.body)
        except (OSError, EOFError) as exc:
            raise ValueError(f"opencomputeprices: {payload.name} is not a readable .gz ({exc})") from None
        return _csv_rows(dataclasses.replace(payload, body=body, name=payload.name.removesuffix(".gz")), skipped), skipped
    if payload.body[:2] == b"\x1f\x8b":  # the data.tar.gz release asset
        try:
            with tarfile.open(fileobj=io.BytesIO(payload.body), mode="r:gz") as archive:
                members = [m for m in archive.getmembers() if m.isfile() and m.name.endswith(".csv")]
                files = {m.name: archive.extractfile(m).read() for m in members
                         if not m.name.rsplit("/", 1)[-1].startswith("_") or m.name.endswith(INFERENCE_FILE)}
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise ValueError(f"opencomputeprices: {payload.name} is not a readable tar.gz ({exc})") from None
        if not files:
            raise ValueError(f"opencomputeprices: {payload.name} holds no collector CSV")
        rows = []
        for name, body in files.items():
            rows += _csv_rows(dataclasses.replace(payload, body=body, name=name), skipped)
        return rows, skipped
    return _csv_rows(payload, skipped), skipped


def parse(payload: Payload) -> Iterator[dict]:
    rows, _ = read(payload)
    yield from rows
