"""Akash Console API: DePIN GPU prices, daily GPU supply and utilisation, per-provider GPUs, spend and leases.

Endpoints (SOURCES.md B1; all `security: SECURITY_NONE`, CDN-cached 1-2 min, no key):
- `/v1/gpu-prices` -> `gpu_prices`, one row per GPU model with a price. `price` is already **USD
  per GPU-hour** (the API converts uakt/uact per block to USD per hour server-side, from single-GPU
  `MsgCreateBid` bids of the last 31 days, each provider's best bid). We load `price.med` (median of
  the providers' best bids) and keep min / max / avg / weighted average in `note`. `priceUakt`
  (micro-AKT per hour) is not used: it is a token price, not USD.
- `/v1/gpu-breakdown` -> `supply`, network "Akash": the daily history per GPU model of `totalGpus`
  and `leasedGpus` (one row per date x vendor x model), from each provider's last successful
  snapshot of the day. observed_at = that date.
- `/v1/providers` -> `supply`, one row per online provider with GPUs: host_id = provider `owner`
  address, gpus_total = stats.gpu.total (active + available + pending), gpus_in_use = active.
  observed_at = fetch time. These rows give host-level concentration; they are not per GPU model
  (the list has no per-model counts), so gpu_model is set only when the provider has one model.
- `/v1/graph-data/dailyUUsdSpent` -> indicator `akash_daily_spend_usd` (micro-USD / 1e6 = USD) and
  `/v1/graph-data/activeLeaseCount` -> `akash_active_leases`; entity "Akash", one row per snapshot date.

Payloads are routed by file name (`gpu-prices.json`, `gpu-breakdown.json`, `providers.json`,
`graph-data-<name>.json`), else by shape.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from etl import reference
from etl.provenance import License, Payload, Source, utcnow
from etl.sources._parse import number

BASE = "https://console-api.akash.network"
GRAPHS = {  # graph-data name -> (indicator, unit, divisor)
    "dailyUUsdSpent": ("akash_daily_spend_usd", "USD", 1e6),
    "activeLeaseCount": ("akash_active_leases", "leases", 1),
}
ENDPOINTS = (
    ("/v1/gpu-prices", "gpu-prices.json"),
    ("/v1/gpu-breakdown", "gpu-breakdown.json"),
    ("/v1/providers", "providers.json"),
    *((f"/v1/graph-data/{name}", f"graph-data-{name}.json") for name in GRAPHS),
)

SOURCE = Source(
    name="akash",
    title="Akash Network GPU prices, supply and spend",
    producer="Akash Network (Console API, akash-network/console)",
    url_main="https://console.akash.network/",
    url_download=tuple(BASE + path for path, _ in ENDPOINTS),
    license=License("Public on-chain data via the Akash Console API (code Apache-2.0); no data licence stated",
                    "https://github.com/akash-network/console"),
    citation="Akash Network (2026). Console API /v1/gpu-prices, /v1/gpu-breakdown, /v1/providers and "
    "/v1/graph-data, retrieved by ComputeWatch.",
    cadence_hours=24,
    segment="depin",
    tables=("gpu_prices", "supply", "indicators"),
    kind="provider_api",
    description="GPU price per model (median of providers' best single-GPU bids, last 31 days, USD per "
    "GPU-hour); daily total and leased GPUs per model since 2021; GPUs per provider (host-level "
    "concentration); daily USD spend and active leases.",
    load="append",
    captures=(),  # captures/akash holds a shape example with seeded values only: never replayed
)

NETWORK = "Akash"
PROVIDER = "akash"


def fetch(client) -> list[Payload]:
    stamp = utcnow()
    return [dataclasses.replace(client.request(BASE + path, name=name), fetched_at=stamp)
            for path, name in ENDPOINTS]


# --------------------------------------------------------------------------- GPU names

def _gb(ram: str | None) -> str | None:
    """'80Gi' -> '80GB'."""
    match = re.match(r"\s*(\d+)\s*(gi|gb|g)?\b", str(ram or ""), re.I)
    return f"{match.group(1)}GB" if match else None


def _spaced(model: str) -> str:
    """'rtx4090' -> 'rtx 4090'; 'h100' stays."""
    return re.sub(r"^([a-z]+?)(\d{3,})", r"\1 \2", model, flags=re.I) if model.lower().startswith("rtx") else model


def gpu_model(vendor: str | None, model: str | None, ram: str | None = None, interface: str | None = None):
    """(canonical, raw) for an Akash GPU: the most specific spelling the reference table knows."""
    model = (model or "").strip()
    raw = " ".join(x for x in (vendor, model, ram, interface) if x)
    if not model:
        return None, raw or None
    gb = _gb(ram)
    iface = (interface or "").strip().lower()
    family = {"pcie": "PCIe"}.get(iface) or (re.sub(r"\d+$", "", iface).upper() if iface else "")
    base = _spaced(model)
    # Most specific first; memory before form factor so that an A100 40GB never becomes the 80GB.
    candidates = [
        " ".join(x for x in parts if x)
        for parts in ((base, gb, iface), (base, gb, family), (base, iface, gb), (base, family, gb),
                      (base, gb), (base, family), (base, iface), (base,), (model,))
    ]
    for candidate in candidates:
        name = reference.canonical_gpu(candidate)
        if reference.is_known_gpu(name):
            return name, raw
    return reference.canonical_gpu(" ".join(x for x in (base, gb, interface) if x)), raw


# --------------------------------------------------------------------------- parsers

def _kind(payload: Payload, doc) -> str:
    name = payload.name.lower()
    for kind in ("gpu-prices", "gpu-breakdown", "graph-data", "providers"):
        if kind in name:
            return kind
    if isinstance(doc, dict) and "models" in doc:
        return "gpu-prices"
    if isinstance(doc, dict) and "snapshots" in doc:
        return "graph-data"
    if isinstance(doc, list) and doc and isinstance(doc[0], dict):
        if "totalGpus" in doc[0]:
            return "gpu-breakdown"
        if "owner" in doc[0]:
            return "providers"
    raise ValueError(f"akash: cannot tell which endpoint {payload.name} came from")


def parse(payload: Payload) -> Iterator[dict]:
    doc = payload.json("akash")
    kind = _kind(payload, doc)
    if kind == "gpu-prices":
        yield from _gpu_prices(doc, payload)
    elif kind == "gpu-breakdown":
        yield from _gpu_breakdown(doc, payload)
    elif kind == "providers":
        yield from _providers(doc, payload)
    else:
        yield from _graph(doc, payload)


def _expect(condition: bool, payload: Payload, what: str) -> None:
    if not condition:
        raise ValueError(f"akash: {payload.name} is not {what}")


def _gpu_prices(doc, payload: Payload) -> Iterator[dict]:
    _expect(isinstance(doc, dict) and isinstance(doc.get("models"), list), payload,
            'a /v1/gpu-prices answer ({"models": [...]})')
    for m in doc["models"]:
        price = m.get("price")
        if not price:  # no bids for this model in 31 days: availability only
            continue
        if (price.get("currency") or "USD").upper() != "USD":
            raise ValueError(f"akash: unexpected price currency {price.get('currency')!r} in {payload.name}")
        model, raw = gpu_model(m.get("vendor"), m.get("model"), m.get("ram"), m.get("interface"))
        providers = (m.get("providerAvailability") or {}).get("total")
        yield {
            "table": "gpu_prices",
            "observed_at": payload.fetched_at,
            "provider": PROVIDER,
            "segment": "depin",
            "gpu_model": model,
            "gpu_model_raw": raw,
            "gpu_count": 1,
            "price_usd_per_gpu_hour": price.get("med"),
            "price_type": "on_demand",
            "note": (f"median of providers' best single-GPU bids, last 31 days ({providers} providers); "
                     f"min {price.get('min')}, max {price.get('max')}, avg {price.get('avg')}, "
                     f"weighted avg {price.get('weightedAverage')} USD/GPU-h"),
        }


def _gpu_breakdown(doc, payload: Payload) -> Iterator[dict]:
    _expect(isinstance(doc, list) and all(isinstance(r, dict) and "date" in r for r in doc), payload,
            "a /v1/gpu-breakdown answer ([{date, vendor, model, totalGpus, leasedGpus, ...}])")
    names: dict[tuple, tuple] = {}
    for r in doc:
        key = (r.get("vendor"), r.get("model"))
        if key not in names:
            names[key] = gpu_model(*key)
        model, raw = names[key]
        yield {
            "table": "supply",
            "observed_at": r["date"],
            "network": NETWORK,
            "segment": "depin",
            "gpu_model": model,
            "gpu_model_raw": raw,
            "gpus_total": r.get("totalGpus"),
            "gpus_in_use": r.get("leasedGpus"),
            "note": _breakdown_note(r),
        }


def _breakdown_note(r: dict) -> str:
    """Providers, nodes and utilisation of a breakdown row; the API sends gpuUtilization as text ("100.00")."""
    note = f"{r.get('providerCount')} providers, {r.get('nodeCount')} nodes (daily breakdown)"
    utilisation = number(r.get("gpuUtilization"))
    return note + (f", {utilisation:g}% utilised" if utilisation is not None else "")


def _gpu_stats(p: dict) -> tuple[float | None, float | None]:
    """(total, active) GPUs of a provider: `stats.gpu` (current API) or the older `*Stats.gpu`."""
    gpu = (p.get("stats") or {}).get("gpu")
    if isinstance(gpu, dict):
        active = gpu.get("active") or 0
        total = gpu.get("total") or active + (gpu.get("available") or 0) + (gpu.get("pending") or 0)
        return total, active
    if any(k in p for k in ("activeStats", "availableStats", "pendingStats")):
        active = (p.get("activeStats") or {}).get("gpu") or 0
        total = active + ((p.get("availableStats") or {}).get("gpu") or 0) + ((p.get("pendingStats") or {}).get("gpu") or 0)
        return total, active
    return None, None


def _providers(doc, payload: Payload) -> Iterator[dict]:
    _expect(isinstance(doc, list) and all(isinstance(p, dict) and "owner" in p for p in doc), payload,
            "a /v1/providers answer ([{owner, ...}])")
    for p in doc:
        if p.get("isOnline") is False:
            continue
        total, active = _gpu_stats(p)
        if not total:
            continue
        models = p.get("gpuModels") or []
        distinct = {(g.get("vendor"), g.get("model"), g.get("ram"), g.get("interface")) for g in models}
        model, raw = gpu_model(*next(iter(distinct))) if len(distinct) == 1 else (None, None)
        if len(distinct) > 1:
            raw = ", ".join(sorted(" ".join(x for x in d if x) for d in distinct))
        yield {
            "table": "supply",
            "observed_at": payload.fetched_at,
            "network": NETWORK,
            "segment": "depin",
            "gpu_model": model,
            "gpu_model_raw": raw,
            "gpus_total": total,
            "gpus_in_use": active,
            "host_id": p["owner"],
            "region": p.get("ipCountryCode") or None,
            "note": f"provider {p.get('name') or p.get('hostUri')}",
        }


def _graph(doc, payload: Payload) -> Iterator[dict]:
    _expect(isinstance(doc, dict) and isinstance(doc.get("snapshots"), list), payload,
            'a /v1/graph-data answer ({"snapshots": [...]})')
    name = next((g for g in GRAPHS if g.lower() in payload.name.lower()), None)
    if name is None:
        raise ValueError(f"akash: graph-data payload {payload.name} names none of {sorted(GRAPHS)}")
    indicator, unit, divisor = GRAPHS[name]
    for s in doc["snapshots"]:
        value = s.get("value")
        yield {
            "table": "indicators",
            "period": s.get("date"),
            "period_label": str(s.get("date"))[:10],
            "indicator": indicator,
            "entity": NETWORK,
            "value": value / divisor if isinstance(value, int | float) else value,
            "unit": unit,
            "ref_url": f"{BASE}/v1/graph-data/{name}",
        }
