"""io.net explorer market snapshot: DePIN price and hired / idle GPUs per hardware model.

Endpoint (SOURCES.md B9): `GET https://api.io.solutions/v1/io-explorer/network/market-snapshot`
-> `{"data": [{"hardware_name", "price", "total", "idle", "hired", ...}]}`. It is the explorer's own
(undocumented) frontend API: no key is needed for the network endpoints, and public callers send
the explorer's `Origin`/`Referer`, so we do too. SOURCES.md says only the *device* endpoints want
`Frontend-Version`; we call none of those, so that header is not sent. If `IONET_API_KEY` is set it
goes out as `x-api-key` (the documented, key-based IO Explorer API's header; unverified here).

Rows, one pair per GPU hardware model (rows whose `type` says CPU are skipped):
- `gpu_prices`: `price` is USD per card-hour for the default (Ray cluster) product; when it is
  missing, the first priced product of `baremetal_price`, `kubernetes_price`, `caas_price`,
  `vmaas_price` is used and named in `note`.
- `supply`: network "io.net", gpus_total = `total`, gpus_in_use = `hired` (idle in `note`).
"""

from __future__ import annotations

from collections.abc import Iterator

from etl import reference
from etl.provenance import License, Payload, Source
from etl.sources._parse import number

URL = "https://api.io.solutions/v1/io-explorer/network/market-snapshot"
HEADERS = {"Origin": "https://explorer.io.net", "Referer": "https://explorer.io.net/",
           "Accept": "application/json"}
PRICE_FIELDS = (("price", "ray cluster"), ("baremetal_price", "bare metal"), ("kubernetes_price", "kubernetes"),
                ("caas_price", "container"), ("vmaas_price", "vm"))

SOURCE = Source(
    name="ionet",
    title="io.net explorer market snapshot",
    producer="io.net",
    url_main="https://explorer.io.net/",
    url_download=(URL,),
    license=License("io.net explorer (undocumented frontend API); no licence stated", "https://explorer.io.net/"),
    citation="io.net (2026). IO Explorer network market snapshot "
    "(api.io.solutions/v1/io-explorer/network/market-snapshot), retrieved by ComputeWatch.",
    cadence_hours=6,
    segment="depin",
    tables=("gpu_prices", "supply"),
    kind="provider_api",
    description="Price per GPU-hour and total / hired / idle GPUs per hardware model on the io.net "
    "network. A frontend API that can change without notice; raw answers are archived.",
    load="append",
    captures=(),  # no capture of this endpoint exists yet
    needs_key="IONET_API_KEY",
)

PROVIDER = "ionet"  # the key in data/seed/providers.csv
NETWORK = "io.net"


def fetch(client) -> list[Payload]:
    headers = dict(HEADERS)
    key = client.api_key("IONET_API_KEY")
    if key:
        headers["x-api-key"] = key
    return [client.request(URL, params={"hardware_type": "gpu"}, headers=headers, name="market-snapshot.json")]


def _cell(value) -> float | None:
    """A number, also from the explorer's text form '$1.25/hr'."""
    if isinstance(value, str):
        value = value.replace("$", "").replace("/hr", "")
    return number(value)


def parse(payload: Payload) -> Iterator[dict]:
    doc = payload.json("ionet")
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise ValueError(f'ionet: expected {{"data": [...]}} in {payload.name}')
    status = doc.get("status")
    if status not in (None, "succeeded", "success", "ok"):
        raise ValueError(f"ionet: API status {status!r} in {payload.name}")
    observed = payload.fetched_at
    for item in doc["data"]:
        if not isinstance(item, dict):
            continue
        kind = str(item.get("type") or item.get("hardware_type") or "gpu").lower()
        if kind != "gpu":
            continue
        raw = item.get("hardware_name")
        model = reference.canonical_gpu(raw)
        price, product = None, None
        for field, label in PRICE_FIELDS:
            price = _cell(item.get(field))
            if price:
                product = label
                break
        total, hired, idle = _cell(item.get("total")), _cell(item.get("hired")), _cell(item.get("idle"))
        yield {
            "table": "gpu_prices",
            "observed_at": observed,
            "provider": PROVIDER,
            "segment": "depin",
            "gpu_model": model,
            "gpu_model_raw": raw,
            "gpu_count": 1,
            "price_usd_per_gpu_hour": price or None,
            "price_type": "on_demand",
            "offer_id": None if item.get("id") is None else str(item["id"]),
            "note": f"{product} product price" if product else "no priced product",
        }
        if total is not None or hired is not None:
            yield {
                "table": "supply",
                "observed_at": observed,
                "network": NETWORK,
                "segment": "depin",
                "gpu_model": model,
                "gpu_model_raw": raw,
                "gpus_total": total if total is not None else (hired or 0) + (idle or 0),
                "gpus_in_use": hired,
                "note": f"idle {idle:g}" if idle is not None else None,
            }
