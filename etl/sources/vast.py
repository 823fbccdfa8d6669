"""Vast.ai marketplace offers: one search per GPU model -> a price per offer and the machines behind them.

Endpoint (SOURCES.md B2): `GET https://console.vast.ai/api/v0/bundles/?q=<json>`, the keyless query
the ccir-index collector runs daily (its archives are the captures this parser is tested on):
`{"gpu_name": {"eq": NAME}, "rentable": {"eq": true}}`, ordered by `dph_total`. `rented` is not
sent: the vast-ai/docs OpenAPI says the server drops that key, so the answer holds rented and
unrented offers alike and each offer carries its own `rented` flag. `limit` is set explicitly
(results stop at 64 without it) and `type` is left at the server default (on-demand prices).

Search is limited to 10 requests a minute per IP (`x-rate-limit` in the docs; a 429 carries no
Retry-After), so SOURCE.rate_limit_per_minute = 10 and the pipeline spaces the queries 6 s apart.
An optional `VAST_API_KEY` is sent as a Bearer token; every known production caller runs keyless.

Rows:
- `gpu_prices`: one per offer. price_usd_per_gpu_hour = dph_total / num_gpus (`dph_total` is the
  whole offer's $/h including the default storage allocation); price_type "bid" when the offer says
  `is_bid`, else "on_demand"; reliability = `reliability2` only (what ccir uses; null when absent);
  start_date = the listing's `start_date` (epoch seconds; CCIR drops listings older than 7 days);
  region = the ISO country code at the end of `geolocation` ("Montana, US" -> "US").
- `supply`: one per machine (`machine_id`) in a payload: gpus_total = num_gpus of its largest offer
  (a machine is listed once per slice it rents out: 1, 2, 4 and 8 GPUs of the same box), gpus_in_use
  null (offered capacity only: the search is for rentable offers, so rented GPUs are never seen and
  no utilisation can be derived). Results are capped by `limit`, so these counts are a sample of
  the marketplace, not a census: each price row carries `gpu_frac` (the offer's fraction of its
  machine) and `query_capped` (the query returned as many offers as its cap).

Every payload of one run is stamped with the same `fetched_at`, so a run is one snapshot
(`observed_at`) across all GPU models; captured files are dated by their path.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import msgspec

from etl import reference
from etl.provenance import License, Payload, Source, utcnow

SEARCH_URL = "https://console.vast.ai/api/v0/bundles/"
LIMIT = 1000  # per GPU model; the server returns 64 offers when no limit is given
SERVER_LIMIT = 64  # the cap of a query sent without `limit` (the ccir captures)

# Vast's own gpu_name spellings (the `eq` filter is exact). "A100 SXM4", not "A100 SXM":
# the ccir collector queried "A100 SXM" and got 0 offers on every captured day.
GPU_NAMES = (
    "H100 SXM", "H100 PCIE", "H100 NVL", "H200", "H200 NVL", "B200",
    "A100 SXM4", "A100 PCIE", "L40S", "RTX 4090", "RTX 5090", "RTX 3090", "RTX A6000", "Tesla V100",
)

SOURCE = Source(
    name="vast",
    title="Vast.ai marketplace GPU offers",
    producer="Vast.ai",
    url_main="https://vast.ai/",
    url_download=(SEARCH_URL,),
    license=License("Vast.ai Terms of Service (no open data licence stated)", "https://vast.ai/"),
    citation="Vast.ai (2026). GPU rental offers from the public offer-search API "
    "(console.vast.ai/api/v0/bundles/), one query per GPU model, retrieved by ComputeWatch.",
    cadence_hours=6,
    segment="marketplace",
    tables=("gpu_prices", "supply"),
    kind="provider_api",
    description="Every listed offer for the main data-centre and consumer GPU models, rented and "
    "unrented, all geographies: USD per GPU-hour = dph_total / num_gpus, plus host and machine ids "
    "for supplier concentration. A live snapshot (no history); capped at "
    f"{LIMIT} offers per model.",
    load="append",
    captures=("vast/*/*_*.json",),  # the per-model files, never collection.meta.json
    needs_key="VAST_API_KEY",
    rate_limit_per_minute=10,
)

PROVIDER = "vast"
NETWORK = "Vast.ai"


def slug(gpu_name: str) -> str:
    """'H100 SXM' -> 'h100-sxm': the payload's file name, as in the captures."""
    return re.sub(r"[^a-z0-9]+", "-", gpu_name.lower()).strip("-")


def query(gpu_name: str) -> dict:
    """The search filter for one GPU model (ccir's query plus an explicit limit and order)."""
    return {
        "gpu_name": {"eq": gpu_name},
        "rentable": {"eq": True},
        "order": [["dph_total", "asc"]],
        "limit": LIMIT,
    }


def fetch(client) -> list[Payload]:
    """One search per GPU model; the client's throttle keeps to 10 searches a minute."""
    key = client.api_key("VAST_API_KEY")
    headers = {"Authorization": f"Bearer {key}"} if key else None
    stamp = utcnow()
    payloads = []
    for gpu_name in GPU_NAMES:
        payload = client.request(
            SEARCH_URL,
            params={"q": json.dumps(query(gpu_name), separators=(",", ":")), "order": "dph_total"},
            headers=headers,
            name=f"{slug(gpu_name)}.json",
        )
        payloads.append(dataclasses.replace(payload, fetched_at=stamp))
    return payloads


def country_code(geolocation: str | None) -> str | None:
    """'France, FR' -> 'FR'; ', US' -> 'US'; 'US' -> 'US'; anything else -> None."""
    if not geolocation:
        return None
    tail = str(geolocation).rsplit(",", 1)[-1].strip()
    return tail.upper() if re.fullmatch(r"[A-Za-z]{2}", tail) else None


def gpu_model(gpu_name: str | None, gpu_ram_mb) -> str | None:
    """Canonical model of an offer; the memory decides where the name alone does not.

    'A100 PCIE' is sold with 40 GB and 80 GB (both appear in the captures), so the name with its
    memory ('A100 PCIE 40GB') is tried first and the bare name only when that spelling is unknown.
    """
    if gpu_name and isinstance(gpu_ram_mb, int | float) and gpu_ram_mb > 0:
        sized = reference.canonical_gpu(f"{gpu_name} {round(gpu_ram_mb / 1024)}GB")
        if reference.is_known_gpu(sized):
            return sized
    return reference.canonical_gpu(gpu_name)


def result_cap(url: str) -> int:
    """The offer cap of the query behind a payload: its `limit`, else the server default (captures
    carry no query, so they were capped at SERVER_LIMIT)."""
    try:
        q = json.loads(parse_qs(urlsplit(url).query).get("q", ["{}"])[0])
        return int(q["limit"])
    except (KeyError, TypeError, ValueError):
        return SERVER_LIMIT


class Offer(msgspec.Struct):
    """The fields of a Vast offer this parser reads (an offer has about 96; the rest are skipped
    unread). Any type is accepted, as a dict lookup would: the rules below judge the values."""

    id: Any = None
    gpu_name: Any = None
    gpu_ram: Any = None
    num_gpus: Any = None
    dph_total: Any = None
    is_bid: Any = None
    rented: Any = None
    geolocation: Any = None
    host_id: Any = None
    machine_id: Any = None
    reliability2: Any = None
    start_date: Any = None
    gpu_frac: Any = None


class _Search(msgspec.Struct):
    offers: list[Offer]


_DECODE = msgspec.json.Decoder(_Search).decode
_NUMBER = (int, float)
_FIELDS = Offer.__struct_fields__


def _offers(payload: Payload) -> list[Offer]:
    try:  # the usual answer, decoded straight into the fields read (4x faster than json.loads)
        return _DECODE(payload.body).offers
    except msgspec.DecodeError:
        pass  # anything else (not JSON to msgspec, another shape) is judged as before, by the json module
    doc = payload.json("vast")
    if not isinstance(doc, dict) or not isinstance(doc.get("offers"), list):
        shape = sorted(doc)[:5] if isinstance(doc, dict) else type(doc).__name__
        detail = f": {doc.get('msg') or doc.get('error')}" if isinstance(doc, dict) and "error" in doc else ""
        raise ValueError(f"vast: expected {{'offers': [...]}} in {payload.name}, got {shape}{detail}")
    return [Offer(**{f: offer.get(f) for f in _FIELDS}) for offer in doc["offers"]]


def parse(payload: Payload) -> Iterator[dict]:
    """One gpu_prices row per offer, then one supply row per machine seen in this payload: the rows of
    parse_columns, one dict each (the rules live once, there)."""
    for table, columns in parse_columns(payload):
        names = ("table", *columns)
        for values in zip(*columns.values(), strict=True):
            yield dict(zip(names, (table, *values), strict=True))


def parse_columns(payload: Payload) -> list[tuple[str, dict[str, list]]]:
    """The payload's rows column by column: [(table, {column: values})], gpu_prices then supply.

    Row i of a table is {"table": table, column: values[i], ...}; etl.warehouse.validate reads these
    columns as they are instead of rebuilding them from one dict per row (most of a big load's cost).
    """
    return _columns(payload, _offers(payload))


def _columns(payload: Payload, offers: list[Offer]) -> list[tuple[str, dict[str, list]]]:
    n_offers = len(offers)
    observed = [payload.fetched_at] * n_offers
    # A query that returned as many offers as its cap is a sample of the cheapest offers, not the market.
    capped = len(offers) >= result_cap(payload.url)
    raws = [o.gpu_name for o in offers]
    keys = list(zip(raws, [o.gpu_ram for o in offers], strict=True))
    canonical = {key: gpu_model(*key) for key in dict.fromkeys(keys)}  # a few dozen a payload
    models = list(map(canonical.__getitem__, keys))
    counts = [o.num_gpus for o in offers]
    geolocations = [o.geolocation for o in offers]
    try:  # a handful of places a payload
        places = {geolocation: country_code(geolocation) for geolocation in dict.fromkeys(geolocations)}
        regions = list(map(places.__getitem__, geolocations))
    except TypeError:  # one is not a string at all (unhashable)
        regions = list(map(country_code, geolocations))
    ids = [o.id for o in offers]
    # ids as text, spelt out inline: a function call per value costs more than the rest
    machine_ids = [None if (m := o.machine_id) is None else str(m) for o in offers]
    host_ids = [None if (h := o.host_id) is None else str(h) for o in offers]
    sizes = [n if isinstance(n, _NUMBER) and n > 0 else 0 for n in counts]
    prices = {
        "observed_at": observed,
        "provider": [PROVIDER] * n_offers,
        "segment": ["marketplace"] * n_offers,
        "gpu_model": models,
        "gpu_model_raw": raws,
        "gpu_count": counts,
        "price_usd_per_gpu_hour": [d / n if size and isinstance(d, _NUMBER) else None  # size: n > 0
                                   for d, n, size in zip([o.dph_total for o in offers], counts, sizes, strict=True)],
        "price_type": ["bid" if o.is_bid else "on_demand" for o in offers],
        "region": regions,
        "offer_id": [None if i is None else str(i) for i in ids],
        "host_id": host_ids,
        "machine_id": machine_ids,
        "geolocation": geolocations,
        "rented": [bool(o.rented) for o in offers],
        "reliability": [o.reliability2 for o in offers],
        "start_date": [o.start_date for o in offers],
        "gpu_frac": [o.gpu_frac for o in offers],
        "query_capped": [capped] * n_offers,
    }
    # One supply row per machine: its largest offer (the first of equal ones), in order of first sight.
    best: dict[str, int] = {}
    for i, machine in enumerate([m or f"offer:{o}" for m, o in zip(machine_ids, ids, strict=True)]):
        j = best.get(machine)
        if j is None or sizes[i] > sizes[j]:
            best[machine] = i
    picked = list(best.values())
    n_machines = len(picked)
    supply = {
        "observed_at": observed[:n_machines],
        "network": [NETWORK] * n_machines,
        "segment": ["marketplace"] * n_machines,
        "gpu_model": [models[i] for i in picked],
        "gpu_model_raw": [raws[i] for i in picked],
        "gpus_total": [sizes[i] for i in picked],
        # never measured: the search asks for rentable offers, so rented GPUs are not seen and a count
        # of the few flagged `rented` would read as a structural ~0% utilisation (§3.13)
        "gpus_in_use": [None] * n_machines,
        "host_id": [host_ids[i] for i in picked],
        "region": [regions[i] for i in picked],
        "note": [f"machine {machine}" for machine in best],
    }
    return [("gpu_prices", prices), ("supply", supply)]
